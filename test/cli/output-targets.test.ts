import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pairOutputs } from '../../src/cli/output.js';
import { UsageError } from '../../src/core/errors.js';
import { runMain } from '../helpers/cli.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('chainproof-outputs-');

describe('pairOutputs: two formats into one file is a usage error', () => {
  it.each([
    { name: 'the same name', formats: ['json', 'sarif'], outputs: ['a.json', 'a.json'] },
    { name: 'the same file spelt two ways', formats: ['json', 'sarif'], outputs: ['a.json', './x/../a.json'] },
    { name: 'FORMAT=FILE and --output', formats: ['json=a.json', 'sarif'], outputs: ['', 'a.json'] },
  ])('$name', ({ formats, outputs }) => {
    expect(() => pairOutputs(formats, outputs)).toThrow(UsageError);
    expect(() => pairOutputs(formats, outputs)).toThrow(/given for both json and sarif/);
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
