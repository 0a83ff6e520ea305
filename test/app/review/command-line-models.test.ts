import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, referenceFindings, reviewHead, type Tree } from './repo.js';

/**
 * A script that loads the model its command line names (`--model_name_or_path`, argparse) loads whatever a shell
 * script, a Makefile, a workflow or a Dockerfile passes it: `scan` joins the two (refs/script-arguments.ts). A change
 * to the command line alone moves the model as much as an edit of the script's default, and review compares it the
 * same way, reading the script the command runs at the same revision.
 */
const A = 'a'.repeat(40);
const TRAIN = [
  'import argparse',
  'from transformers import AutoModel',
  'parser = argparse.ArgumentParser()',
  'parser.add_argument("--model_name_or_path", default="acme/base")',
  'parser.add_argument("--revision", default=None)',
  'args = parser.parse_args()',
  'AutoModel.from_pretrained(args.model_name_or_path, revision=args.revision)',
  '',
].join('\n');
const run = (args: string) => `#!/bin/sh\nset -e\npython train.py ${args}\n`;

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function review(base: Tree, head: Tree) {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  const r = await reviewHead(repo.dir, { gate: 'any' });
  return { r, refs: referenceFindings(r) };
}

describe('review of a model a command line gives a script', () => {
  it('the command line drops the commit pin it passed → CPU011 (error) at the command', async () => {
    const { r, refs } = await review(
      { 'train.py': TRAIN, 'run.sh': run(`--model_name_or_path acme/encoder --revision ${A}`) },
      { 'run.sh': run('--model_name_or_path acme/encoder --revision main') },
    );
    expect(refs).toEqual(['CPU011@run.sh:3:error']);
    expect(r.gate?.passed).toBe(false);
  });

  it('the command line passes another model → CPU032 at the command', async () => {
    const { refs } = await review(
      { 'train.py': TRAIN, 'run.sh': run(`--model_name_or_path acme/encoder --revision ${A}`) },
      { 'run.sh': run(`--model_name_or_path acme-ai/encoder --revision ${A}`) },
    );
    expect(refs).toEqual(['CPU032@run.sh:3:error']);
  });

  it('a new command line that passes a model with no revision → CPU012', async () => {
    const { refs } = await review(
      { 'train.py': TRAIN, 'run.sh': run('--epochs 1') },
      { 'run.sh': run('--epochs 1 --model_name_or_path acme/other') },
    );
    expect(refs).toEqual(['CPU012@run.sh:3:warning']);
  });

  it("a notebook's shell escape passes another model → CPU032 at the escape", async () => {
    const notebook = (args: string) =>
      JSON.stringify({
        cells: [{ cell_type: 'code', metadata: {}, source: [`!python train.py ${args}\n`], outputs: [] }],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      });
    const { refs } = await review(
      { 'train.py': TRAIN, 'run.ipynb': notebook(`--model_name_or_path acme/encoder --revision ${A}`) },
      { 'run.ipynb': notebook(`--model_name_or_path acme-ai/encoder --revision ${A}`) },
    );
    expect(refs).toEqual(['CPU032@run.ipynb:1:error']);
  });

  it('a command line that runs no script of the repository says nothing', async () => {
    const { refs } = await review(
      { 'train.py': TRAIN, 'run.sh': run(`--model_name_or_path acme/encoder --revision ${A}`) },
      { 'run.sh': `#!/bin/sh\npython other.py --model_name_or_path acme/encoder --revision main\n` },
    );
    expect(refs).toEqual([]);
  });
});
