import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockNetwork } from './helpers.js';
import { verifyArtifactBundle } from '../../src/verify/artifact.js';
import { loadTrustedRoot } from '../../src/verify/trust/root.js';
import { resolveSigners } from '../../src/verify/policy/signers.js';
import { ConfigError } from '../../src/core/errors.js';
import { loadPrehashVerify, type PrehashedArtifact } from '../../src/verify/check/prehashed.js';
import { corpusPath } from '../helpers/corpus.js';

beforeAll(blockNetwork);

/** The suite first shared, and the cases released later (corpora `released/`): one runner, one verdict rule. */
const SUITES = [
  { dir: corpusPath('sigstore', 'conformance', 'bundle-verify'), size: 50 },
  { dir: corpusPath('released', 'sigstore', 'conformance', 'bundle-verify'), size: 20 },
];
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

const casesIn = (dir: string) =>
  readdirSync(dir)
    .filter((d) => statSync(path.join(dir, d)).isDirectory())
    .map((name) => ({ dir, name, want: name.endsWith('_fail') ? 'fail' : 'pass' }));

/**
 * Run one case the way `chainproof verify` does: load the trust root, the signer, then verify. `over: 'digests'` hands
 * the verifier the artifact's digests instead of its bytes, as the scan does for a file too large to read whole.
 */
async function runCase(
  DIR: string,
  name: string,
  over: 'bytes' | 'digests' = 'bytes',
): Promise<{ verdict: 'pass' | 'fail'; detail: string }> {
  const at = (f: string) => path.join(DIR, name, f);
  const opt = (f: string) => (existsSync(at(f)) ? readFileSync(at(f), 'utf8').trim() : undefined);
  let trust;
  try {
    trust = await loadTrustedRoot(existsSync(at('trusted_root.json')) ? at('trusted_root.json') : undefined);
  } catch (err) {
    if (err instanceof ConfigError) return { verdict: 'fail', detail: `trust root rejected: ${err.message}` };
    throw err;
  }
  const key = opt('key.pub');
  // A key that does not parse (managed-key-wrong-key_fail) is a config error for `chainproof verify` (exit 2): the
  // case fails, as the conformance client's verification does.
  const signers = await signersFor(key, opt, DIR);
  if (typeof signers === 'string') return { verdict: 'fail', detail: signers };
  const bytes = readFileSync(existsSync(at('artifact')) ? at('artifact') : path.join(DIR, 'a.txt'));
  const artifact = over === 'bytes' ? bytes : await digestsOf(bytes);
  const v = verifyArtifactBundle({ bundle: readFileSync(at('bundle.sigstore.json')), artifact, trust, signers });
  return v.ok ? { verdict: 'pass', detail: '' } : { verdict: 'fail', detail: `${v.code}: ${v.reason}` };
}

/** What the signatures stage hands the verifier for a file past MAX_DETACHED_ARTIFACT_BYTES (detached.ts). */
async function digestsOf(bytes: Buffer): Promise<PrehashedArtifact> {
  const algorithms = ['sha256', 'sha384', 'sha512', 'sha3-256', 'sha3-384'] as const;
  const digests = Object.fromEntries(algorithms.map((a) => [a, createHash(a).update(bytes).digest()]));
  return { digests, verify: await loadPrehashVerify() };
}

/** The case's signer as `chainproof verify` resolves it, or why resolving it was refused. */
async function signersFor(
  key: string | undefined,
  opt: (f: string) => string | undefined,
  DIR: string,
): Promise<Awaited<ReturnType<typeof resolveSigners>> | string> {
  try {
    return await resolveSigners(
      key !== undefined
        ? { conformance: { kind: 'key', key } }
        : {
            conformance: {
              kind: 'sigstore',
              issuer: opt('issuer') ?? DEFAULT_ISSUER,
              subject: opt('identity') ?? DEFAULT_IDENTITY,
            },
          },
      DIR,
      'conformance',
    );
  } catch (err) {
    if (err instanceof ConfigError) return `signer rejected: ${err.message}`;
    throw err;
  }
}

describe.each(SUITES)('sigstore-conformance bundle-verify through verifyArtifactBundle ($dir)', ({ dir, size }) => {
  const cases = casesIn(dir);
  it('has the whole suite', () => {
    expect(cases.length).toBe(size);
  });
  it.each(cases)('$name → $want', async ({ name, want }) => {
    const got = await runCase(dir, name);
    expect(got.verdict, got.detail).toBe(want);
  });
});

// Every check @sigstore/verify makes but the signature over the bytes reads no artifact, so every case has the same
// verdict checked from the artifact's digests: the scan's path for a file too large to read whole.
describe.each(SUITES)('sigstore-conformance bundle-verify over the artifact digests ($dir)', ({ dir }) => {
  it.each(casesIn(dir))('$name → $want', async ({ name, want }) => {
    const got = await runCase(dir, name, 'digests');
    expect(got.verdict, got.detail).toBe(want);
    if (want === 'fail') expect(got.detail).toBe((await runCase(dir, name)).detail);
  });
});

describe('the network guard', () => {
  it('really blocks sockets', async () => {
    const net = await import('node:net');
    expect(() => new net.Socket().connect(443, '127.0.0.1')).toThrow(/network access/);
  });
});
