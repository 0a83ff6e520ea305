import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeForError } from '../../src/cli/exit-codes.js';
import { IoError } from '../../src/core/errors.js';
import { writeOutput } from '../../src/io/write-output.js';

const MiB = 1 << 20;
const multiByte = Array.from({ length: 5000 }, (_, i) => `é€😀${i}`.repeat(50));

describe('writeOutput', () => {
  it.each([
    { name: 'whole text', content: 'a\nb\n', want: 'a\nb\n' },
    { name: 'no pieces', content: [] as string[], want: '' },
    { name: 'small pieces', content: ['{', '"a"', ': 1', '}\n'], want: '{"a": 1}\n' },
    { name: 'multi-byte text across batch boundaries', content: multiByte, want: multiByte.join('') },
    { name: 'a piece larger than a batch', content: ['x', 'y'.repeat(2 * MiB), 'z'], want: `x${'y'.repeat(2 * MiB)}z` },
  ])('$name', async ({ content, want }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-write-'));
    const file = path.join(dir, 'out', 'report.json');
    await writeOutput(file, content);
    expect(readFileSync(file, 'utf8')).toBe(want);
    expect(readdirSync(path.dirname(file))).toEqual(['report.json']); // no temp file left behind
  });

  it('a failing piece source leaves no file and no temp file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-write-'));
    function* failing(): Generator<string> {
      yield 'partial';
      throw new Error('render failed');
    }
    await expect(writeOutput(path.join(dir, 'r.json'), failing())).rejects.toThrow('render failed');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('writeOutput: a file the system will not let us write is an I/O error (exit 3), not a crash (exit 4)', () => {
  it.each([
    { name: 'the path is a directory', make: (dir: string) => (mkdirSync(path.join(dir, 'r.json')), 'r.json') },
    {
      name: 'a file stands where the folder should be',
      make: (dir: string) => (writeFileSync(path.join(dir, 'f'), 'x'), 'f/r.json'),
    },
  ])('$name', async ({ make }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-write-'));
    const file = path.join(dir, make(dir));
    const err: unknown = await writeOutput(file, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).code).toBe('IO_WRITE_FAILED');
    expect(exitCodeForError(err)).toBe(3);
    expect((err as IoError).message).toContain(file);
  });
});
