import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('chainproof-sarif-category-');
const REQUIREMENTS = 'foo @ git+https://github.com/x/foo\n';

function runIds(sarif: string): string[] {
  return (JSON.parse(sarif) as Log).runs.map((r) => r.automationDetails?.id ?? '');
}

async function scanIds(
  dir: string,
  extra: readonly string[],
): Promise<{ code: number; ids: string[]; stderr: string }> {
  const args = ['scan', dir, '--offline', '--no-cache', '-f', 'sarif', '--fail-on', 'none', ...extra];
  const r = await runMain(args);
  return { code: r.code, ids: r.code === 0 ? runIds(r.stdout) : [], stderr: r.stderr };
}

// codeql-action upload-sarif reads `category` with getOptionalInput (trimmed, empty = absent) and writes the run id
// with getAutomationID (a `/` added unless the category ends in one).
describe('--category as upload-sarif reads a category', () => {
  it('an empty or blank --category is no category: the default id, not `/`', async () => {
    const dir = tree({ 'requirements.txt': REQUIREMENTS });
    expect((await scanIds(dir, ['--category', ''])).ids).toEqual(['chainproof/']);
    expect((await scanIds(dir, ['--category', '  '])).ids).toEqual(['chainproof/']);
    expect((await scanIds(dir, ['--category', ' models '])).ids).toEqual(['models/']);
  });

  it('a category ending in `/` gets no second one, sharded or not', async () => {
    const dir = tree({ 'requirements.txt': REQUIREMENTS });
    expect((await scanIds(dir, ['--category', 'models/'])).ids).toEqual(['models/']);
    expect((await scanIds(dir, ['--category', 'models/', '--shard', '1/2'])).ids).toEqual(['models/shard-1-of-2/']);
  });

  it('a line break in --category is a usage error (exit 2), as the Action refuses it', async () => {
    const dir = tree({ 'requirements.txt': REQUIREMENTS });
    const r = await scanIds(dir, ['--category', 'a\nb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--category must be one line, got "a\\nb"');
  });

  it('sarif merge --category "" keeps the inputs’ common category', async () => {
    const dir = tree({ 'requirements.txt': REQUIREMENTS });
    const files = [];
    for (const shard of ['1/2', '2/2']) {
      const r = await runMain([
        'scan',
        dir,
        '--offline',
        '--no-cache',
        '-f',
        'sarif',
        '--fail-on',
        'none',
        '--shard',
        shard,
        '--category',
        'models',
      ]);
      const file = path.join(dir, `shard-${shard.replace('/', '-')}.sarif`);
      writeFileSync(file, r.stdout);
      files.push(file);
    }
    const merged = await runMain(['sarif', 'merge', ...files, '--category', '']);
    expect(merged.code).toBe(0);
    expect(runIds(merged.stdout)).toEqual(['models/']);
  });
});
