import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/core/policy.js';
import type { ScanResult } from '../../../src/core/result.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { createPypiStage } from '../../../src/registry/pypi/stage.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import type { PypiIndexServer } from '../../helpers/pypi-index-server.js';
import { startPypiIndex } from '../../helpers/pypi-index-server.js';
import { scanWith } from '../../helpers/scan.js';

/**
 * A Pipfile with `[pipenv] install_search_all_sources = true`: pipenv's `batch_install` installs every package with
 * all the lock's sources (`get_source_list(project, index=None)`), so a package its own source lacks is still
 * installed from another. Two loopback indexes stand for the two `_meta.sources`, both allowed by the policy.
 */
let main: PypiIndexServer;
let other: PypiIndexServer;
beforeAll(async () => {
  [main, other] = await Promise.all([startPypiIndex(), startPypiIndex()]);
});
afterAll(() => Promise.all([main.close(), other.close()]));

const SHA = 'e'.repeat(64);

async function scanPipenv(searchAll: boolean): Promise<ScanResult> {
  main.serve({});
  other.serve({ six: [{ filename: 'six-1.16.0-py2.py3-none-any.whl', sha256: SHA }] });
  other.requests.length = 0;
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-pipenv-all-'));
  const pipfile = [
    '[[source]]',
    `url = "${main.indexUrl}"`,
    'name = "main"',
    '',
    '[[source]]',
    `url = "${other.indexUrl}"`,
    'name = "other"',
    '',
    '[packages]',
    'six = {version = "==1.16.0", index = "main"}',
    ...(searchAll ? ['', '[pipenv]', 'install_search_all_sources = true'] : []),
    '',
  ].join('\n');
  const lock = {
    _meta: {
      'pipfile-spec': 6,
      requires: {},
      sources: [
        { name: 'main', url: main.indexUrl, verify_ssl: true },
        { name: 'other', url: other.indexUrl, verify_ssl: true },
      ],
    },
    default: { six: { hashes: [`sha256:${SHA}`], index: 'main', version: '==1.16.0' } },
    develop: {},
  };
  await writeFile(path.join(dir, 'Pipfile'), pipfile);
  await writeFile(path.join(dir, 'Pipfile.lock'), JSON.stringify(lock, null, 4));
  const policy: Policy = {
    ...DEFAULT_POLICY,
    dependencies: {
      ...DEFAULT_POLICY.dependencies,
      python: { ...DEFAULT_POLICY.dependencies.python, indexes: [main.indexUrl, other.indexUrl] },
    },
  };
  return scanWith(dir, [pythonDepsStage, createPypiStage({ timeoutMs: 5000, retries: 1, minRetryDelayMs: 10 })], {
    policy,
    options: { offline: false, env: { PIP_INDEX_URL: main.indexUrl } },
  });
}

const verdicts = (r: ScanResult) => r.verifications.map((v) => `${v.key} ${v.status}: ${v.detail}`);

describe('a Pipfile.lock installed with install_search_all_sources', () => {
  it('checks a package its own source lacks on the other sources pipenv has pip search', async () => {
    const r = await scanPipenv(true);
    expect(verdicts(r)).toEqual(['pkg:pypi/six@1.16.0 verified: hashes match the index']);
    expect(r.findings.map((f) => f.ruleId)).not.toContain('CPP051');
    expect(other.requests).toContain('/simple/six/');
  });

  it('asks each package on its own source alone without it, as pipenv installs it', async () => {
    const r = await scanPipenv(false);
    expect(verdicts(r)).toEqual(['pkg:pypi/six@1.16.0 failed: project not on the index']);
    expect(r.findings.map((f) => f.ruleId)).toContain('CPP051');
    expect(other.requests).toEqual([]);
  });
});
