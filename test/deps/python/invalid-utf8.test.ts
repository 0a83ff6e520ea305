import path from 'node:path';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { corpusPath } from '../../helpers/corpus.js';
import { scanWith } from '../../helpers/scan.js';

// uv reads uv.lock with `fs_err::tokio::read_to_string` and fails on a byte that is not UTF-8; Poetry, PDM and
// pipenv open their lockfiles with `encoding="utf-8"` (UnicodeDecodeError); TOML allows nothing but UTF-8. A lockfile
// with such a byte is one the tool refuses, so it is CPP001 at that line, not a file read with U+FFFD in it.

const root = await mkdtemp(path.join(tmpdir(), 'cp-py-utf8-'));
afterAll(() => rm(root, { recursive: true, force: true }));

/**
 * The corpus lockfile with `bytes` put inside the first quoted string at or after its `from`th line (1-based), and
 * that line: read lossily, the file stays valid TOML / JSON, so only the decoding can refuse it.
 */
async function withBytesAt(corpus: string, from: number, bytes: number[]): Promise<[Buffer, number]> {
  const data = await readFile(corpusPath('python', 'lockfiles', corpus));
  let start = 0;
  for (let l = 1; l < from; l++) start = data.indexOf(0x0a, start) + 1;
  const at = data.indexOf(0x22, start) + 1;
  const line = from + data.subarray(start, at).filter((c) => c === 0x0a).length;
  return [Buffer.concat([data.subarray(0, at), Buffer.from(bytes), data.subarray(at)]), line];
}

async function scanOne(dir: string, name: string, data: Buffer) {
  await mkdir(path.join(root, dir), { recursive: true });
  await writeFile(path.join(root, dir, name), data);
  const r = await scanWith(path.join(root, dir), [pythonDepsStage]);
  return r.findings.filter((f) => f.ruleId === 'CPP001');
}

describe('Python lockfiles that are not UTF-8', () => {
  it.each([
    ['karpathy-nanochat.uv.lock', 'uv.lock'],
    ['zylon-ai-private-gpt-5851b02.poetry.lock', 'poetry.lock'],
    ['microsoft-presidio.Pipfile.lock', 'Pipfile.lock'],
    ['CSSLab-maia3.pylock.toml', 'pylock.toml'],
  ])('%s as read is fine; with a 0xff byte in a string it is CPP001 at that line', async (corpus, name) => {
    const dir = name.replace('.', '-');
    expect(await scanOne(`${dir}-ok`, name, await readFile(corpusPath('python', 'lockfiles', corpus)))).toEqual([]);
    const [data, line] = await withBytesAt(corpus, 5, [0xff]);
    const bad = await scanOne(`${dir}-bad`, name, data);
    expect(bad.map((f) => [f.location.line, f.message.includes('is not valid UTF-8')])).toEqual([[line, true]]);
  });

  it.each([
    ['an encoded surrogate (Rust and Python strict UTF-8 refuse it)', [0xed, 0xa0, 0x80]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['a sequence cut short', [0xe2, 0x82]],
  ])('%s is refused too', async (_name, bytes) => {
    const [data, line] = await withBytesAt('karpathy-nanochat.uv.lock', 9, bytes);
    const bad = await scanOne(`uv-${bytes.join('-')}`, 'uv.lock', data);
    expect(bad.map((f) => [f.location.line, f.message.includes('is not valid UTF-8')])).toEqual([[line, true]]);
  });

  it('a multi-byte character the file really holds is read as before', async () => {
    const [data] = await withBytesAt('karpathy-nanochat.uv.lock', 9, [0xc3, 0xa9]);
    expect(await scanOne('uv-e-acute', 'uv.lock', data)).toEqual([]);
  });
});
