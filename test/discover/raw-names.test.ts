import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayName, folderOf } from '../../src/io/raw-names.js';
import { DEFAULT_SKIP_DIRS, walkTree } from '../../src/discover/walk.js';
import { runMain } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

/**
 * File names that are not UTF-8 (Linux and git store them; Python and torch open them): the red-team case where
 * `model\xff.pkl` was decoded lossily, failed to open (ENOENT) and left a malicious pickle uninspected with exit 0.
 */
const MALICIOUS = corpusPath('pickles', 'picklescan-data', 'malicious0.pkl');

/** `dir` joined with a name given as bytes (a Buffer path: a string would be re-encoded as UTF-8). */
const rawPath = (dir: string, ...name: (string | number)[]): Buffer =>
  Buffer.concat([
    Buffer.from(dir + '/'),
    ...name.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from([p]))),
  ]);

function root(): string {
  return mkdtempSync(path.join(tmpdir(), 'chainproof-raw-names-'));
}

interface JsonFinding {
  ruleId: string;
  level: string;
  location: { path: string };
}

async function scanJson(dir: string): Promise<{ code: number; findings: JsonFinding[]; stdout: string }> {
  const r = await runMain(['scan', dir, '--offline', '--no-cache', '-f', 'json']);
  const report = JSON.parse(r.stdout) as { findings: JsonFinding[] };
  return { code: r.code, findings: report.findings, stdout: r.stdout };
}

describe('non-UTF-8 file names', () => {
  it.each([
    {
      name: 'a file name',
      make: (d: string) => copyFileSync(MALICIOUS, rawPath(d, 'model', 0xff, '.pkl')),
      want: 'model\\xff.pkl',
    },
    {
      name: 'a folder name',
      make: (d: string) => {
        mkdirSync(rawPath(d, 'w', 0xfe));
        copyFileSync(MALICIOUS, rawPath(d, 'w', 0xfe, '/model.pkl'));
      },
      want: 'w\\xfe/model.pkl',
    },
  ])('opens $name by its raw bytes and inspects the pickle (exit 1, CPI001, no CPX001)', async ({ make, want }) => {
    const dir = root();
    make(dir);
    const { code, findings, stdout } = await scanJson(dir);
    expect(findings.filter((f) => f.ruleId === 'CPX001')).toEqual([]);
    // Hashed by the raw path too (the hash workers open it): the digest is the pickle's own.
    expect(stdout).toContain(createHash('sha256').update(readFileSync(MALICIOUS)).digest('hex'));
    expect(findings.some((f) => f.ruleId === 'CPI001' && f.location.path === want && f.level === 'error')).toBe(true);
    expect(code).toBe(1);
  });

  it('is not fooled by a benign twin whose UTF-8 name is what a lossy decoding shows (U+FFFD)', async () => {
    const dir = root();
    writeFileSync(path.join(dir, 'model\uFFFD.pkl'), Buffer.from([0x80, 0x04, 0x4e, 0x2e])); // pickle of None
    copyFileSync(MALICIOUS, rawPath(dir, 'model', 0xff, '.pkl'));
    copyFileSync(MALICIOUS, rawPath(dir, 'model', 0xfe, '.pkl'));
    const { code, findings } = await scanJson(dir);
    const flagged = new Set(findings.filter((f) => f.ruleId === 'CPI001').map((f) => f.location.path));
    expect([...flagged].sort()).toEqual(['model\\xfe.pkl', 'model\\xff.pkl']);
    expect(code).toBe(1);
  });

  it('lists such names in sorted, repo-relative POSIX form with each bad byte as \\xNN', async () => {
    const dir = root();
    writeFileSync(rawPath(dir, 'b', 0xc3, '.txt'), 'x'); // a lead byte with no continuation
    writeFileSync(rawPath(dir, 'a', 0xed, 0xa0, 0x80, '.txt'), 'x'); // an encoded surrogate: not UTF-8
    writeFileSync(path.join(dir, 'c\u00e9.txt'), 'x');
    const r = await walkTree(dir, { include: [], exclude: [], skipDirs: DEFAULT_SKIP_DIRS });
    expect(r.files.map((f) => f.path)).toEqual(['a\\xed\\xa0\\x80.txt', 'b\\xc3.txt', 'c\u00e9.txt']);
    expect(r.skipped).toEqual([]);
  });

  it.each([
    { input: [0x61, 0xff], want: 'a\\xff' },
    { input: [0xe2, 0x82, 0xac], want: '\u20ac' },
    { input: [0xc0, 0xaf], want: '\\xc0\\xaf' }, // an overlong '/'
    { input: [0xf0, 0x9f, 0x98, 0x80, 0xf5], want: '\u{1F600}\\xf5' },
  ])('displayName $want', ({ input, want }) => {
    expect(displayName(Buffer.from(input))).toBe(want);
  });

  it('folderOf gives a folder that is not UTF-8 as a path no file system call accepts', () => {
    expect(folderOf(Buffer.from('/r/a\xff', 'latin1'))).toBe('/r');
    expect(folderOf(Buffer.from('/r/\xff/m', 'latin1'))).toContain('\0');
  });
});
