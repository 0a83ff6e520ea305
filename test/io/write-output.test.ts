import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeForError } from '../../src/cli/exit-codes.js';
import { IoError } from '../../src/core/errors.js';
import { outputPathProblem, writeOutput } from '../../src/io/write-output.js';

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

describe('writeOutput never replaces a special file, and never hangs on a kernel file system', () => {
  it('a named pipe at the path stays a pipe: I/O error, no temp file left', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-write-'));
    const file = path.join(dir, 'r.sarif');
    execFileSync('mkfifo', [file]);
    const err: unknown = await writeOutput(file, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect(lstatSync(file).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['r.sarif']);
  });

  // `-o /dev/stdout` with standard output sent to a file: /dev/stdout is a link to /proc/self/fd/1, a regular file
  // then. Renaming onto the link made /dev/stdout itself a regular file for every process; a link is written through.
  it('a symlink at the path stays a link, and the file it names gets the report', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-write-'));
    const target = path.join(dir, 'real.json');
    writeFileSync(target, 'old');
    symlinkSync(target, path.join(dir, 'link.json'));
    await writeOutput(path.join(dir, 'link.json'), 'new');
    expect(lstatSync(path.join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['link.json', 'real.json']);
  });

  // Node 20's recursive mkdir of /proc/x never settles (libuv retries the ENOENT at 100 % CPU).
  it('a folder to make under /proc fails at once', async () => {
    const err: unknown = await writeOutput('/proc/chainproof-nowhere/deeper/r.sarif', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
  }, 5_000);
});

describe('outputPathProblem: what cannot take a report, said before the scan', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-outpath-'));
  writeFileSync(path.join(dir, 'file'), 'x');
  execFileSync('mkfifo', [path.join(dir, 'pipe')]);
  it.each([
    { path: '/dev/null', want: /^is a character device; name a regular file \(or '-' for standard output\)$/ },
    { path: path.join(dir, 'pipe'), want: /^is a named pipe/ },
    { path: dir, want: /^is a directory; name a regular file$/ },
    { path: path.join(dir, 'file', 'r.sarif'), want: /^cannot be made: .*file is not a directory$/ },
    { path: '/proc/version', want: /^is on a kernel pseudo file system \(\/proc\)/ },
    { path: '/proc/chainproof-nowhere/r.sarif', want: /^is on a kernel pseudo file system \(\/proc\)/ },
  ])('$path', async ({ path: p, want }) => {
    expect(await outputPathProblem(p)).toMatch(want);
  });

  it('a new file in folders still to be made, or an existing regular file, is fine', async () => {
    expect(await outputPathProblem(path.join(dir, 'a', 'b', 'r.sarif'))).toBeUndefined();
    expect(await outputPathProblem(path.join(dir, 'file'))).toBeUndefined();
  });
});
