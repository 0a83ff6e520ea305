import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pairOutputs } from '../../src/cli/output.js';
import { UsageError } from '../../src/core/errors.js';
import { runMain } from '../helpers/cli.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('chainproof-outputs-');

/** A named pipe in `dir` (coreutils mkfifo: Node has no mkfifo). */
function fifo(dir: string): string {
  const p = path.join(dir, 'pipe.sarif');
  execFileSync('mkfifo', [p]);
  return p;
}

describe('pairOutputs: two formats into one file is a usage error', () => {
  it.each([
    { name: 'the same name', formats: ['json', 'sarif'], outputs: ['a.json', 'a.json'] },
    { name: 'the same file spelt two ways', formats: ['json', 'sarif'], outputs: ['a.json', './x/../a.json'] },
    { name: 'FORMAT=FILE and --output', formats: ['json=a.json', 'sarif'], outputs: ['', 'a.json'] },
  ])('$name', ({ formats, outputs }) => {
    expect(() => pairOutputs(formats, outputs)).toThrow(UsageError);
    expect(() => pairOutputs(formats, outputs)).toThrow(/given for both json and sarif/);
  });

  it.each([
    // The --output at position 0 belongs to json=a.json, which names its own file: it was dropped, and SARIF went to stdout.
    { name: 'FORMAT=FILE and an --output at its position', formats: ['json=a.json', 'sarif'], outputs: ['b.sarif'] },
    { name: 'FORMAT= with no file', formats: ['sarif='], outputs: [] },
  ])('$name is a usage error naming the flag', ({ formats, outputs }) => {
    expect(() => pairOutputs(formats, outputs)).toThrow(UsageError);
    expect(() => pairOutputs(formats, outputs)).toThrow(/^--format /);
  });

  it('an empty --output of a format without a file is a usage error naming --output', () => {
    expect(() => pairOutputs(['sarif'], [''])).toThrow(/^--output for --format sarif is empty/);
  });

  it('FORMAT=FILE beside paired formats keeps each pair', () => {
    expect(pairOutputs(['sarif', 'json=a.json', 'text'], ['a.sarif'])).toEqual([
      { format: 'sarif', file: 'a.sarif' },
      { format: 'json', file: 'a.json' },
      { format: 'text', file: undefined },
    ]);
  });

  it('distinct files and one standard output pass', () => {
    expect(pairOutputs(['json', 'sarif', 'text'], ['a.json', 'a.sarif'])).toHaveLength(3);
  });
});

describe('--output checked before the scan', () => {
  beforeAll(async () => {
    await import('../../src/cli/commands/scan.js');
  }, 300_000);

  it('an existing directory → exit 2 naming it, nothing written', async () => {
    const dir = tree({ 'README.md': '# x\n' });
    const out = path.join(dir, 'reports');
    mkdirSync(out);
    const r = await runMain(['scan', dir, '--offline', '--no-cache', '-f', 'json', '-o', out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`--output ${out} is a directory`);
    expect(r.stdout).toBe('');
  });

  // A named pipe stands for any special file: each was replaced by a regular file (run as root, `-o /dev/null` made
  // /dev/null one for the whole machine), and a path under /proc hung forever after the scan.
  it.each([
    { name: 'a named pipe', make: (dir: string) => fifo(dir), want: 'is a named pipe' },
    {
      name: 'a path under /proc',
      make: () => '/proc/chainproof-nowhere/r.sarif',
      want: 'is on a kernel pseudo file system',
    },
    { name: 'a file under /sys', make: () => '/sys/kernel/r.sarif', want: 'is on a kernel pseudo file system' },
  ])(
    '$name → exit 2 naming it, before the scan, the file left as it was',
    async ({ make, want }) => {
      const dir = tree({ 'README.md': '# x\n' });
      const out = make(dir);
      const r = await runMain(['scan', dir, '--offline', '--no-cache', '-f', 'sarif', '-o', out]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--output ${out} ${want}`);
      if (out.startsWith(dir)) expect(lstatSync(out).isFIFO()).toBe(true);
    },
    20_000,
  );

  it('sarif merge --output is checked the same way', async () => {
    const r = await runMain(['sarif', 'merge', '--output', '/proc/chainproof-nowhere/m.sarif', 'a.sarif']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('kernel pseudo file system');
  }, 20_000);

  it('two formats into one file → exit 2', async () => {
    const dir = tree({ 'README.md': '# x\n' });
    const out = path.join(dir, 'r.json');
    const r = await runMain([
      'scan',
      dir,
      '--offline',
      '--no-cache',
      '-f',
      'json',
      '-o',
      out,
      '-f',
      'sarif',
      '-o',
      out,
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('given for both json and sarif');
  });
});
