import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, referenceFindings, reviewHead } from './repo.js';

/**
 * A pin kept in a module of the repository (`REVISION = "<commit>"` in config.py, imported by train.py): a change
 * to that module alone moves what every importing call loads, though the call's own file is untouched. Review
 * compares those calls too (references.ts `importersOfChangedValues`).
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const config = (model: string, rev: string) => `MODEL_ID = "${model}"\nREVISION = "${rev}"\n`;
const TRAIN =
  'from transformers import AutoModel\nfrom .config import MODEL_ID, REVISION\n\n' +
  'model = AutoModel.from_pretrained(MODEL_ID, revision=REVISION)\n';
const SERVE = 'import config\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained(config.MODEL_ID)\n';

describe('review of a change to the module a call imports its model from', () => {
  it.each([
    {
      name: 'the commit pin in config.py moved to a branch → CPU011 as an error at the call',
      base: config('acme/encoder', A),
      head: config('acme/encoder', 'main'),
      want: ['CPU011@app/train.py:4:error'],
    },
    {
      name: 'the commit pin moved to another commit → CPU011 as a warning',
      base: config('acme/encoder', A),
      head: config('acme/encoder', B),
      want: ['CPU011@app/train.py:4:warning'],
    },
    {
      name: 'the model swapped for a look-alike → CPU032 as an error',
      base: config('acme/encoder', A),
      head: config('acme-ai/encoder', A),
      want: ['CPU032@app/train.py:4:error'],
    },
    {
      name: 'a comment added to config.py → nothing',
      base: config('acme/encoder', A),
      head: `# reviewed\n${config('acme/encoder', A)}`,
      want: [],
    },
  ])('$name', async ({ base, head, want }) => {
    const repo = makeRepo(
      { 'app/__init__.py': '', 'app/config.py': base, 'app/train.py': TRAIN },
      { 'app/config.py': head },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'any' });
    const got = referenceFindings(r);
    expect(got).toEqual(want);
  });

  it('a module imported whole (import config; config.MODEL_ID) and the finding names the module', async () => {
    const repo = makeRepo(
      { 'config.py': config('acme/encoder', A), 'serve.py': SERVE },
      { 'config.py': config('acme/encodre', A) },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'any' });
    const f = r.findings.filter((x) => x.ruleId === 'CPU032');
    expect(
      f.map((x) => `${x.location.path}:${x.location.line} ${x.evidence?.['from']} → ${x.evidence?.['to']}`),
    ).toEqual(['serve.py:3 acme/encoder → acme/encodre']);
  });

  it.each([
    ['from . import (the package beside the file)', 'app/train.py', 'from . import MODEL_ID, REVISION'],
    ['from .. import (the package above)', 'app/jobs/train.py', 'from .. import MODEL_ID, REVISION'],
  ])("a pin in a package's __init__.py, imported %s → CPU011 at the call", async (_case, file, line) => {
    const train = `from transformers import AutoModel\n${line}\n\nmodel = AutoModel.from_pretrained(MODEL_ID, revision=REVISION)\n`;
    const repo = makeRepo(
      { 'app/__init__.py': config('acme/encoder', A), 'app/jobs/__init__.py': '', [file]: train },
      { 'app/__init__.py': config('acme/encoder', 'main') },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'any' });
    expect(referenceFindings(r)).toEqual([`CPU011@${file}:4:error`]);
  });

  it('names the module in CPU011', async () => {
    const repo = makeRepo(
      { 'app/__init__.py': '', 'app/config.py': config('acme/encoder', A), 'app/train.py': TRAIN },
      { 'app/config.py': config('acme/encoder', 'main') },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'any' });
    expect(r.findings.find((x) => x.ruleId === 'CPU011')?.message).toContain('as imported from app/config.py');
  });

  it('a TypeScript constants module: its pin dropped → CPU011 as an error at the pipeline call', async () => {
    const constants = (rev: string) =>
      `export const ASR = 'onnx-community/whisper-base';\nexport const REV = '${rev}';\n`;
    const worker =
      "import { pipeline } from '@huggingface/transformers';\nimport { ASR, REV } from './constants';\n" +
      "export const asr = await pipeline('automatic-speech-recognition', ASR, { revision: REV });\n";
    const repo = makeRepo(
      { 'web/constants.ts': constants(A), 'web/worker.ts': worker },
      { 'web/constants.ts': constants('main') },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'any' });
    expect(referenceFindings(r)).toEqual(['CPU011@web/worker.ts:3:error']);
  });

  it("a TypeScript folder's index, imported as '..' → CPU011 at the call", async () => {
    const index = (rev: string) => `export const ASR = 'onnx-community/whisper-base';\nexport const REV = '${rev}';\n`;
    const worker =
      "import { pipeline } from '@huggingface/transformers';\nimport { ASR, REV } from '..';\n" +
      "export const asr = await pipeline('automatic-speech-recognition', ASR, { revision: REV });\n";
    const repo = makeRepo(
      { 'web/index.ts': index(A), 'web/workers/asr.ts': worker },
      { 'web/index.ts': index('main') },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'any' });
    expect(referenceFindings(r)).toEqual(['CPU011@web/workers/asr.ts:3:error']);
  });
});
