import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileReader, referenceChanges } from '../../src/app/review/references.js';
import { MAX_SOURCE_BYTES } from '../../src/refs/find.js';

/**
 * `chainproof review` over a change whose new loader call sits in a file no finder reads: padded past
 * MAX_SOURCE_BYTES, or nested past the parsers' bound. The scan counts such a file (CPR011); the review passed it
 * without a word. Head files are read from disk the way a working-tree review reads them (`fileReader`).
 */
const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-review-unsearched-'));
const outside = mkdtempSync(path.join(tmpdir(), 'chainproof-review-outside-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const CALL =
  'from transformers import AutoModel\nm = AutoModel.from_pretrained("evil/model", trust_remote_code=True)\n';
const FILES: Record<string, string> = {
  'padded.py': `${CALL}# ${'x'.repeat(MAX_SOURCE_BYTES)}\n`,
  'deep.py': `${CALL}y = ${'['.repeat(401)}${']'.repeat(401)}\n`,
  'plain.py': CALL,
};
for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(dir, name), text);

async function review(head: readonly string[], base: readonly string[] = []) {
  return referenceChanges({
    base: new Map(base.map((p) => [p, 'base'])),
    head: new Map(head.map((p) => [p, `head-${p}`])),
    readBase: () => Promise.resolve('import os\n'),
    readHead: fileReader(dir),
    existsLocally: () => false,
  });
}

describe('review: changed sources no finder read', () => {
  it('a call padded past the size bound or nested past the depth bound → one CPR011 counting both', async () => {
    const { findings } = await review(['padded.py', 'deep.py', 'plain.py']);
    const unsearched = findings.filter((f) => f.ruleId === 'CPR011');
    expect(unsearched).toHaveLength(1);
    expect(unsearched[0]!.location.path).toBe('deep.py');
    expect(unsearched[0]!.evidence).toMatchObject({ count: 2, files: 'deep.py padded.py' });
    // The file that could be read is judged as before.
    expect(findings.filter((f) => f.ruleId === 'CPU021').map((f) => f.location.path)).toEqual(['plain.py']);
  });

  it('a file the change deleted is not counted', async () => {
    const { findings } = await review(['plain.py'], ['gone.py']);
    expect(findings.map((f) => f.ruleId)).not.toContain('CPR011');
  });
});

describe('review: the working-tree reader', () => {
  it('reads a source inside the tree, and no link out of it, FIFO or file past the bound', async () => {
    writeFileSync(path.join(outside, 'secret.py'), CALL);
    symlinkSync(path.join(outside, 'secret.py'), path.join(dir, 'leak.py'));
    symlinkSync('plain.py', path.join(dir, 'alias.py'));
    execFileSync('mkfifo', [path.join(dir, 'pipe.py')]);
    const read = fileReader(dir);
    expect(await read('plain.py')).toBe(CALL);
    expect(await read('alias.py')).toBe(CALL);
    // readFile followed the link out of the tree, and blocked on the FIFO until a writer came.
    expect(await read('leak.py')).toBeUndefined();
    expect(await read('pipe.py')).toBeUndefined();
    expect(await read('padded.py')).toBeUndefined();
  });
});
