import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { createPypiStage } from '../../../src/registry/pypi/stage.js';
import type { PypiIndexServer, ServedProjects } from '../../helpers/pypi-index-server.js';
import { startPypiIndex } from '../../helpers/pypi-index-server.js';
import { scanWith } from '../../helpers/scan.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const WHEEL = 'oldpkg-1.0-py3-none-any.whl';
const SDIST = 'oldpkg-1.0.tar.gz';

let index: PypiIndexServer;
beforeAll(async () => {
  index = await startPypiIndex();
});
afterAll(() => index.close());

/** A pylock.toml locking oldpkg 1.0's wheel (line 4), or a requirements.txt pinning it by hash (line 1). */
async function scanLocked(served: ServedProjects, kind: 'pylock' | 'requirements'): Promise<ScanResult> {
  index.serve(served);
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-pypi-yank-'));
  if (kind === 'pylock') {
    const dist = `{ url = "${index.indexUrl}../files/${WHEEL}", hashes = { sha256 = "${A}" } }`;
    const text = `lock-version = "1.0"\ncreated-by = "test"\n\n[[packages]]\nname = "oldpkg"\nversion = "1.0"\nindex = "${index.indexUrl}"\nwheels = [${dist}]\n`;
    await writeFile(path.join(dir, 'pylock.toml'), text);
  } else {
    await writeFile(path.join(dir, 'requirements.txt'), `oldpkg==1.0 --hash=sha256:${A}\n`);
  }
  return scanWith(dir, [pythonDepsStage, createPypiStage({ timeoutMs: 5000, retries: 1, minRetryDelayMs: 10 })], {
    options: { offline: false, env: { PIP_INDEX_URL: index.indexUrl } },
  });
}

// pip installs a yanked release an == pin names (CandidateEvaluator ranks yanked files last, then warns); a lock
// installs what it names. The yank is reported, the files still match the index (status verified).
describe('a yanked release (PEP 592) that a lock or an == pin still installs: CPP076', () => {
  it.each([
    {
      name: 'the locked wheel is yanked with a reason',
      kind: 'pylock' as const,
      served: { oldpkg: [{ filename: WHEEL, sha256: A, yanked: 'CVE-2099-0001: remote code execution' }] },
      want: ['CPP076@4'],
      reason: 'CVE-2099-0001: remote code execution',
    },
    {
      name: 'only the sdist is yanked; the locked wheel is not',
      kind: 'pylock' as const,
      served: {
        oldpkg: [
          { filename: WHEEL, sha256: A },
          { filename: SDIST, sha256: B, yanked: true },
        ],
      },
      want: [],
    },
    {
      name: 'a requirements hash names no file: every file of the release is yanked',
      kind: 'requirements' as const,
      served: {
        oldpkg: [
          { filename: WHEEL, sha256: A, yanked: true },
          { filename: SDIST, sha256: B, yanked: '' },
        ],
      },
      want: ['CPP076@1'],
    },
    {
      name: 'a requirements hash names no file: one file of the release is still listed',
      kind: 'requirements' as const,
      served: {
        oldpkg: [
          { filename: WHEEL, sha256: A, yanked: true },
          { filename: SDIST, sha256: B },
        ],
      },
      want: [],
    },
  ])('$name', async (c) => {
    const r = await scanLocked(c.served, c.kind);
    const yanked = r.findings.filter((f) => f.ruleId === 'CPP076');
    expect(yanked.map((f) => `${f.ruleId}@${f.location.line ?? 0}`)).toEqual(c.want);
    expect(yanked[0]?.evidence?.['reason']).toBe(c.reason);
    expect(yanked.every((f) => f.level === undefined || f.level === 'warning')).toBe(true);
    expect(r.verifications.map((v) => `${v.key} ${v.status}`)).toEqual(['pkg:pypi/oldpkg@1.0 verified']);
  });
});
