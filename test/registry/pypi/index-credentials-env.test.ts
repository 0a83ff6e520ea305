import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PackageNode } from '../../../src/core/records.js';
import type { Policy } from '../../../src/core/policy.js';
import { PYPI_STAGE_DEFAULTS, pypiClientFor } from '../../../src/registry/pypi/stage.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';

/**
 * pip expands `${VAR}` in a requirements file's index URL (req_file `expand_env_variables`); the scan does so only
 * for an index the user named. fetch is stubbed: no request leaves the process, each one's Authorization is kept.
 */
const seen: (string | null)[] = [];
afterEach(() => {
  vi.unstubAllGlobals();
  seen.length = 0;
});

async function askedWith(indexLine: string, policy: Policy, env: Record<string, string>): Promise<(string | null)[]> {
  vi.stubGlobal('fetch', (_url: string, init: { headers: Record<string, string> }) => {
    const headers = new Headers(init.headers);
    seen.push(headers.get('authorization'));
    return Promise.resolve(new Response('not found', { status: 404 }));
  });
  const { budgetMs, ...opts } = { ...PYPI_STAGE_DEFAULTS, retries: 0 };
  const signal = new AbortController().signal;
  const forPackage = await pypiClientFor({ env, cacheDir: undefined }, policy, {
    budget: { signal, ms: budgetMs },
    signal,
    opts,
  });
  const pkg = { name: 'six', version: '1.16.0', replacesIndex: true, indexes: [indexLine] } as unknown as PackageNode;
  await forPackage(pkg).project('six');
  return seen;
}

describe('${VAR} in the credentials of an index a scanned file names', () => {
  it('is never expanded for PyPI: a runner secret is not sent to a host the user did not name', async () => {
    const sent = await askedWith('https://${SECRET_X}@pypi.org/simple/', DEFAULT_POLICY, { SECRET_X: 'runner-secret' });
    expect(sent.length).toBeGreaterThan(0);
    for (const auth of sent)
      expect(auth === null ? '' : Buffer.from(auth.slice(6), 'base64').toString()).not.toContain('runner-secret');
  });

  it('is expanded for an index the policy names', async () => {
    const policy: Policy = {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, trustedMirrors: ['https://pypi.corp.example/simple/'] },
    };
    const sent = await askedWith('https://ci:${PYPI_TOKEN}@pypi.corp.example/simple/', policy, { PYPI_TOKEN: 'tok' });
    expect(sent).toContain(`Basic ${Buffer.from('ci:tok').toString('base64')}`);
  });
});
