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
 * The common PyTorch layout: `--extra-index-url https://download.pytorch.org/whl/cu118` with `torch==2.1.0+cu118`, a
 * local version only the PyTorch index publishes. pip's `PackageFinder.find_all_candidates` takes candidates from
 * every index URL, so the pin installs; two loopback indexes stand for PyPI (the user's PIP_INDEX_URL) and the extra.
 */
let pypi: PypiIndexServer;
let extra: PypiIndexServer;
beforeAll(async () => {
  [pypi, extra] = await Promise.all([startPypiIndex(), startPypiIndex()]);
});
afterAll(() => Promise.all([pypi.close(), extra.close()]));

const TORCH = 'torch-2.1.0+cu118-cp311-cp311-linux_x86_64.whl';
const TORCH_SHA = 'a'.repeat(64);

async function scanRequirements(opts: { trustExtra: boolean; extraServes: boolean }): Promise<ScanResult> {
  pypi.serve({ torch: [{ filename: 'torch-2.1.0-cp311-cp311-manylinux1_x86_64.whl', sha256: 'b'.repeat(64) }] });
  extra.serve(opts.extraServes ? { torch: [{ filename: TORCH, sha256: TORCH_SHA }] } : {});
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-extra-index-'));
  await writeFile(
    path.join(dir, 'requirements.txt'),
    `--extra-index-url ${extra.indexUrl}\ntorch==2.1.0+cu118 --hash=sha256:${TORCH_SHA}\n`,
  );
  const policy: Policy = {
    ...DEFAULT_POLICY,
    dependencies: {
      ...DEFAULT_POLICY.dependencies,
      python: { ...DEFAULT_POLICY.dependencies.python, indexes: opts.trustExtra ? [extra.indexUrl] : [] },
    },
  };
  return scanWith(dir, [pythonDepsStage, createPypiStage({ timeoutMs: 5000, retries: 1, minRetryDelayMs: 10 })], {
    policy,
    options: { offline: false, env: { PIP_INDEX_URL: pypi.indexUrl } },
  });
}

const verdicts = (r: ScanResult) => r.verifications.map((v) => `${v.key} ${v.status}: ${v.detail}`);
const onlineRules = (r: ScanResult) =>
  r.findings
    .map((f) => f.ruleId)
    .filter((id) => id >= 'CPP050')
    .sort();

describe('a requirements file whose pin only its extra index publishes', () => {
  it('is checked on the trusted extra index pip also searches, not reported missing from PyPI', async () => {
    const r = await scanRequirements({ trustExtra: true, extraServes: true });
    expect(onlineRules(r)).toEqual([]);
    expect(verdicts(r)).toEqual(['pkg:pypi/torch@2.1.0%2Bcu118 verified: hashes match the index']);
    expect(extra.requests).toContain('/simple/torch/');
  });

  it('stays missing (CPP052) when the extra index lacks the release too', async () => {
    const r = await scanRequirements({ trustExtra: true, extraServes: false });
    expect(onlineRules(r)).toEqual(['CPP052']);
    expect(r.findings.find((f) => f.ruleId === 'CPP052')?.evidence).toMatchObject({ index: pypi.indexUrl });
  });

  it('never asks an extra index the policy does not allow (CPP070 reports it)', async () => {
    extra.requests.length = 0;
    const r = await scanRequirements({ trustExtra: false, extraServes: true });
    expect(onlineRules(r)).toEqual(['CPP052', 'CPP070']);
    expect(extra.requests).toEqual([]);
  });
});

/**
 * A requirements file's own `--index-url` replaces the configured index (pip req_file `handle_option_line`:
 * `index_urls = [opts.index_url]`): pip never asks the user's PIP_INDEX_URL for its requirements, so neither does the
 * check, whose verdict is the file's index's.
 */
describe("a requirements file's allowed --index-url", () => {
  it('is the index its packages are checked on, the configured one not asked', async () => {
    const sha = 'c'.repeat(64);
    // The configured index serves other bytes under the same name and version: asking it would be a false mismatch.
    pypi.serve({ six: [{ filename: 'six-1.16.0-py2.py3-none-any.whl', sha256: 'd'.repeat(64) }] });
    extra.serve({ six: [{ filename: 'six-1.16.0-py2.py3-none-any.whl', sha256: sha }] });
    pypi.requests.length = 0;
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-index-url-'));
    await writeFile(
      path.join(dir, 'requirements.txt'),
      `--index-url ${extra.indexUrl}\nsix==1.16.0 --hash=sha256:${sha}\n`,
    );
    const policy: Policy = {
      ...DEFAULT_POLICY,
      dependencies: {
        ...DEFAULT_POLICY.dependencies,
        python: { ...DEFAULT_POLICY.dependencies.python, indexes: [extra.indexUrl] },
      },
    };
    const r = await scanWith(
      dir,
      [pythonDepsStage, createPypiStage({ timeoutMs: 5000, retries: 1, minRetryDelayMs: 10 })],
      {
        policy,
        options: { offline: false, env: { PIP_INDEX_URL: pypi.indexUrl } },
      },
    );
    expect(onlineRules(r)).toEqual([]);
    expect(verdicts(r)).toEqual(['pkg:pypi/six@1.16.0 verified: hashes match the index']);
    expect(pypi.requests.filter((u) => u.includes('/six/'))).toEqual([]);
  });
});
