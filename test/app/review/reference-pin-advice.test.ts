import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { makeRepo, reviewHead } from './repo.js';

/**
 * A new unpinned reference's finding (CPU012) says how to pin it in the form its loader takes, as the scan's CPR001
 * does (judge.ts `pinAdvice`): gensim's downloader and spaCy's take no commit at all, so "pin the reviewed commit"
 * would send the reviewer after a setting that does not exist. What runs (CPU021) is named by loader too.
 */
let r: ReviewResult;
let cleanup: () => void;
beforeAll(async () => {
  const repo = makeRepo(
    { 'README.md': 'x\n' },
    {
      'vectors.py': 'import gensim.downloader as api\nv = api.load("glove-twitter-25")\n',
      'model.py': 'from transformers import AutoModel\nm = AutoModel.from_pretrained("acme/model")\n',
      'weights.py': 'import torch\nsd = torch.hub.load_state_dict_from_url("https://example.org/w.pth")\n',
      // Python a build step runs inline (shell-python.ts), as the scan reads it.
      Dockerfile:
        'FROM python:3.12\nRUN python -c "from transformers import AutoModel; AutoModel.from_pretrained(\'acme/baked\')"\n',
    },
  );
  cleanup = repo.cleanup;
  r = await reviewHead(repo.dir, { gate: 'any' });
});
afterAll(() => cleanup());

describe("review: how to pin a new reference, in its loader's own form", () => {
  const message = (rule: string, path: string) =>
    r.findings.find((f) => f.ruleId === rule && f.location.path === path)?.message ?? '';

  it('gensim takes no revision: vendor the reviewed release', () => {
    expect(message('CPU012', 'vectors.py')).toContain("gensim's downloader takes no revision");
    expect(message('CPU012', 'vectors.py')).not.toContain('<40-hex>');
    expect(message('CPU021', 'vectors.py')).toContain('imports the release');
  });

  it('a model a Dockerfile bakes in with python -c is a new reference, pinned as Python pins it', () => {
    expect(message('CPU012', 'Dockerfile')).toContain('acme/baked');
    expect(message('CPU012', 'Dockerfile')).toContain('revision="<40-hex>"');
  });

  it('transformers takes revision=; a plain URL has only its bytes', () => {
    expect(message('CPU012', 'model.py')).toContain('revision="<40-hex>"');
    expect(message('CPU012', 'weights.py')).toContain('record its digest in the trusted registry');
    expect(message('CPU012', 'weights.py')).not.toContain('revision=');
  });
});
