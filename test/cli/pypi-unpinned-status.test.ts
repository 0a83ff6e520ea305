import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PypiIndexServer } from '../helpers/pypi-index-server.js';
import { startPypiIndex } from '../helpers/pypi-index-server.js';
import { REPO, runMain } from '../helpers/cli.js';
import { tempTrees } from '../helpers/temp-tree.js';

/**
 * Online, a locked Python package is "verified" when the index publishes what the lockfile pins. An entry that pins
 * no hash (a requirements file outside hash-checking mode; a uv.lock or pylock file without one, which uv and pylock
 * install unchecked since each file is held to its own hashes) pins no bytes: the release being on the index says
 * nothing about what pip or uv downloads. It read "verified" (check-package.ts `comparable` took an empty hash set
 * as comparable), where an npm entry without an integrity is "unverifiable" (registry/check.ts `checkIntegrity`).
 */
const tree = tempTrees('chainproof-pypi-unpinned-');
const SDIST = { filename: 'six-1.16.0.tar.gz', sha256: 'a'.repeat(64) };
const WHEEL = { filename: 'six-1.16.0-py2.py3-none-any.whl', sha256: 'b'.repeat(64) };

let index: PypiIndexServer;
beforeAll(async () => {
  index = await startPypiIndex();
});
afterAll(() => index.close());

interface Report {
  readonly verifications: readonly { key: string; status: string; detail?: string }[];
}

async function verifications(files: Record<string, string>): Promise<string[]> {
  index.serve({ six: [SDIST, WHEEL] });
  const dir = tree(files);
  const r = await runMain(['scan', dir, '--no-cache', '--fail-on', 'none', '-f', 'json'], {
    cwd: REPO,
    env: { PIP_INDEX_URL: index.indexUrl },
  });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Report).verifications.map((v) => `${v.key} ${v.status}: ${v.detail ?? ''}`);
}

const uvLock = (wheelHash: string) =>
  [
    'version = 1',
    'requires-python = ">=3.8"',
    '',
    '[[package]]',
    'name = "six"',
    'version = "1.16.0"',
    `source = { registry = "${index.indexUrl}" }`,
    `sdist = { url = "${index.indexUrl}../files/${SDIST.filename}", hash = "sha256:${SDIST.sha256}", size = 1 }`,
    `wheels = [{ url = "${index.indexUrl}../files/${WHEEL.filename}"${wheelHash}, size = 1 }]`,
    '',
  ].join('\n');

describe('a Python package locked without a hash is not verified online', () => {
  it('a requirements pin without --hash', async () => {
    expect(await verifications({ 'requirements.txt': 'six==1.16.0\n' })).toEqual([
      'pkg:pypi/six@1.16.0 unverifiable: the lockfile pins no hash: the bytes installed are whatever the index serves',
    ]);
  });

  it('a requirements pin with a --hash the index publishes is verified', async () => {
    expect(await verifications({ 'requirements.txt': `six==1.16.0 --hash=sha256:${WHEEL.sha256}\n` })).toEqual([
      'pkg:pypi/six@1.16.0 verified: hashes match the index',
    ]);
  });

  it('a uv.lock wheel without a hash beside a hashed sdist', async () => {
    expect(await verifications({ 'uv.lock': uvLock('') })).toEqual([
      `pkg:pypi/six@1.16.0 unverifiable: the lockfile pins no hash for ${WHEEL.filename}: those bytes are whatever the index serves`,
    ]);
  });

  it('a uv.lock whose every file is hashed is verified', async () => {
    expect(await verifications({ 'uv.lock': uvLock(`, hash = "sha256:${WHEEL.sha256}"`) })).toEqual([
      'pkg:pypi/six@1.16.0 verified: hashes match the index',
    ]);
  });
});
