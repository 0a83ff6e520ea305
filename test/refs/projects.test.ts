import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrustedRegistry } from '../../src/core/trusted-registry.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { refsStage } from '../../src/refs/stage.js';
import { REPO } from '../helpers/cli.js';
import { scanWith } from '../helpers/scan.js';

/**
 * Realistic projects written for these tests in the shapes public ML projects take (an HF training script and its
 * config, a transformers.js web worker, a tfjs/onnxruntime demo). The references found must match a hand count,
 * each at its line; run-time choices are notes, local paths are not references.
 */
const project = (name: string) => path.join(REPO, 'fixtures', 'refs', 'projects', name);

const REVIEWED: TrustedRegistry = {
  ...EMPTY_REGISTRY,
  files: ['trusted-registry/models.yml'],
  models: [
    {
      name: 'FacebookAI/roberta-base',
      revision: 'e2da8e2f811d1448a5b465c236feacd80ffbac7b',
      source: 'https://huggingface.co/FacebookAI/roberta-base',
      files: [],
      file: 'trusted-registry/models.yml',
    },
  ],
};

async function scan(name: string, registry: TrustedRegistry = EMPTY_REGISTRY) {
  const r = await scanWith(project(name), [refsStage], { registry });
  return {
    refs: (r.references ?? []).map((x) => `${x.path}:${x.line} ${x.repoId ?? x.url}@${x.revisionKind}`),
    findings: r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? '-'}`),
  };
}

describe('model references in realistic projects', () => {
  it('hf-training: 3 references in train.py + 1 in config.yaml, 1 run-time choice; local checkpoint ignored', async () => {
    const r = await scan('hf-training', REVIEWED);
    expect(r.refs).toEqual([
      'config.yaml:2 FacebookAI/roberta-base@commit',
      'train.py:29 FacebookAI/roberta-base@commit',
      'train.py:30 FacebookAI/roberta-base@commit',
      'train.py:33 acme/roberta-sentiment-lora@none',
    ]);
    // The reviewed, pinned base model is clean; the adapter is unpinned and unknown; the teacher is chosen at run time.
    expect(r.findings.sort()).toEqual(['CPR001@train.py:33', 'CPR003@train.py:33', 'CPR010@train.py:35']);
  });

  it('rag-service: 6 references over Python, a Dockerfile and a notebook; 1 run-time choice', async () => {
    const registry: TrustedRegistry = {
      ...REVIEWED,
      models: [
        {
          name: 'acme/rag-generator-7b',
          revision: '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d',
          source: 'https://huggingface.co/acme/rag-generator-7b',
          files: [],
          file: 'trusted-registry/models.yml',
        },
      ],
    };
    const r = await scan('rag-service', registry);
    expect([...r.refs].sort()).toEqual([
      'app/models.py:20 acme/rag-generator-7b@commit',
      'app/models.py:24 acme/rag-generator-7b@commit',
      'app/models.py:28 acme/rag-embedder@none',
      'deploy/Dockerfile:3 acme/rag-generator-7b@commit',
      'deploy/Dockerfile:6 acme/rag-embedder@none',
      'notebooks/eval.ipynb:28 acme/rag-embedder@none',
    ]);
    // The reviewed generator is clean everywhere; the embedder runs remote code through model_kwargs and in the
    // notebook; the reranker is chosen at run time; the docstring and load_dataset without remote code are nothing.
    expect(r.findings.sort()).toEqual([
      'CPR001@app/models.py:28',
      'CPR001@deploy/Dockerfile:6',
      'CPR001@notebooks/eval.ipynb:28',
      'CPR002@app/models.py:28',
      'CPR002@notebooks/eval.ipynb:28',
      'CPR003@app/models.py:28',
      'CPR003@deploy/Dockerfile:6',
      'CPR003@notebooks/eval.ipynb:28',
      'CPR010@app/models.py:33',
    ]);
  });

  it('transformersjs-app: 3 references, 1 run-time choice', async () => {
    const r = await scan('transformersjs-app');
    expect(r.refs).toEqual([
      'src/worker.js:19 onnx-community/whisper-base@ref',
      'src/worker.js:20 onnx-community/whisper-base@none',
      'src/worker.js:21 onnx-community/whisper-base@commit',
    ]);
    expect(r.findings.filter((f) => f.startsWith('CPR010'))).toEqual(['CPR010@src/worker.js:13']);
    expect(r.findings.filter((f) => f.startsWith('CPR001'))).toEqual([
      'CPR001@src/worker.js:19',
      'CPR001@src/worker.js:20',
    ]);
  });

  it('tfjs-demo: a hosted tfjs graph and a hub ONNX file; indexeddb and local files are not references', async () => {
    const r = await scan('tfjs-demo');
    expect(r.refs).toEqual([
      'index.js:8 https://storage.googleapis.com/tfjs-models/savedmodel/mobilenet_v2_1.0_224/model.json@none',
      'index.js:10 Xenova/yolos-tiny@ref',
    ]);
  });

  it('a plain URL is unpinned for its own reason (no revision exists to pin), a hub branch for another', async () => {
    const r = await scanWith(project('tfjs-demo'), [refsStage], { registry: EMPTY_REGISTRY });
    const unpinned = r.findings.filter((f) => f.ruleId === 'CPR001').map((f) => f.message);
    expect(unpinned).toHaveLength(2);
    expect(unpinned[0]).toMatch(/model\.json, a URL whose bytes nothing pins/);
    expect(unpinned[0]).not.toMatch(/revision/);
    expect(unpinned[1]).toMatch(/Xenova\/yolos-tiny at "main", a name that can move/);
  });

  it('a reviewed repo pinned to another commit → CPR004; trust_remote_code → CPR002', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-refs-'));
    writeFileSync(
      path.join(dir, 'serve.py'),
      'from transformers import AutoModel\nm = AutoModel.from_pretrained("FacebookAI/roberta-base", revision="' +
        'f'.repeat(40) +
        '", trust_remote_code=True)\n',
    );
    const r = await scanWith(dir, [refsStage], { registry: REVIEWED });
    expect(r.findings.map((f) => `${f.ruleId}:${f.level}`).sort()).toEqual(['CPR002:error', 'CPR004:error']);
  });
});

describe('llm-app: the shapes LLM applications take (refs5)', () => {
  it('11 references by hand count, each at its line; settings, pulls and run-time choices as notes; the rest nothing', async () => {
    const r = await scan('llm-app');
    expect([...r.refs].sort()).toEqual([
      'app/gradio_app.py:11 google/vit-base-patch16-224@none',
      'app/gradio_app.py:12 Salesforce/blip-image-captioning-base@ref',
      'app/rag.py:10 BAAI/bge-base-en-v1.5@none',
      'app/rag.py:16 microsoft/Phi-3-mini-4k-instruct@none',
      'app/rag.py:22 BAAI/bge-small-en-v1.5@none',
      'app/rag.py:23 HuggingFaceH4/zephyr-7b-beta@none',
      'scripts/serve.sh:4 acme/chat-8b@ref',
      'scripts/serve.sh:6 acme/tgi-7b@commit',
      'web/src/models.ts:13 Xenova/all-MiniLM-L6-v2@ref',
      'web/src/models.ts:9 onnx-community/whisper-base@none',
      'web/src/worker.js:11 Xenova/distilbert-base-uncased-finetuned-sst-2-english@none',
    ]);
    // The mirror set in Python, the ollama pull, the tokenizer named by a parameter, the test data counted; OpenAI's
    // and scikit-learn's model arguments, ollama.chat, docstrings, comments and os.path.join folders are nothing.
    expect(r.findings.filter((f) => !/^CPR00[13]@/.test(f)).sort()).toEqual([
      'CPR010@web/src/models.ts:17',
      'CPR011@tests/data/sample_request.json:-',
      'CPR016@app/local_llm.py:3',
      'CPR017@app/gradio_app.py:7',
    ]);
  });
});

describe('policy models.requirePinnedRevision', () => {
  it('makes an unpinned reference an error', async () => {
    const { DEFAULT_POLICY } = await import('../../src/trust/policy/default.js');
    const policy = { ...DEFAULT_POLICY, models: { ...DEFAULT_POLICY.models, requirePinnedRevision: true } };
    const r = await scanWith(project('transformersjs-app'), [refsStage], { policy });
    expect(r.findings.filter((f) => f.ruleId === 'CPR001').map((f) => f.level)).toEqual(['error', 'error']);
  });
});
