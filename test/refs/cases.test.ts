import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfigReferences } from '../../src/refs/config.js';
import { findJavaScriptReferences } from '../../src/refs/javascript.js';
import { findPythonReferences } from '../../src/refs/python.js';
import { nestingDepth } from '../../src/refs/text.js';
import { REPO } from '../helpers/cli.js';

const DIR = path.join(REPO, 'fixtures', 'refs', 'cases');
const noLocal = () => false;

function find(file: string) {
  const text = readFileSync(path.join(DIR, file), 'utf8');
  const f = file.endsWith('.py')
    ? findPythonReferences
    : file.endsWith('.yaml')
      ? findConfigReferences
      : findJavaScriptReferences;
  return f(file, text, (p) => p === 'checkpoints/run-1' || noLocal());
}

/** `repo@revisionKind:line via` per reference, and `dynamic:line via` per run-time choice. */
function summary(file: string): string[] {
  const r = find(file);
  return [
    ...r.references.map(
      (x) =>
        `${x.repoId ?? x.url}@${x.revisionKind}:${x.line} ${x.via}${x.runsRemoteCode ? ' remote-code' : ''}${x.file !== undefined ? ` file=${x.file}` : ''}`,
    ),
    ...r.dynamic.map((d) => `dynamic:${d.line} ${d.via}`),
  ];
}

const CASES: { file: string; want: string[] }[] = [
  { file: 'from-pretrained-unpinned.py', want: ['bert-base-uncased@none:3 AutoModel.from_pretrained'] },
  {
    file: 'from-pretrained-pinned.py',
    want: ['meta-llama/Llama-3.2-1B@commit:3 AutoModelForCausalLM.from_pretrained'],
  },
  { file: 'from-pretrained-branch.py', want: ['Qwen/Qwen2.5-0.5B@ref:3 AutoTokenizer.from_pretrained'] },
  { file: 'alias-and-constant.py', want: ['sentence-transformers/all-MiniLM-L6-v2@commit:6 M.from_pretrained'] },
  { file: 'fstring-constant.py', want: ['distilbert/distilbert-base-uncased-finetuned-sst-2-english@none:5 pipeline'] },
  { file: 'trust-remote-code.py', want: ['microsoft/phi-1_5@none:3 AutoModel.from_pretrained remote-code'] },
  {
    file: 'hub-download.py',
    want: [
      'openai-community/gpt2@commit:3 hf_hub_download file=model.safetensors',
      'stabilityai/stable-diffusion-2-1@none:4 snapshot_download',
    ],
  },
  {
    file: 'torch-hub.py',
    want: [
      'pytorch/vision@ref:3 torch.hub.load remote-code',
      'facebookresearch/dinov2@none:6 torch.hub.list remote-code',
      'pytorch/vision@ref:7 torch.hub.help remote-code',
    ],
  },
  {
    file: 'timm-and-st.py',
    want: ['timm/resnet50.a1_in1k@none:4 timm.create_model', 'BAAI/bge-small-en-v1.5@none:6 SentenceTransformer'],
  },
  { file: 'dynamic-name.py', want: ['dynamic:7 AutoModel.from_pretrained'] },
  { file: 'not-references.py', want: [] },
  {
    file: 'transformersjs-pipeline.ts',
    want: [
      'Xenova/distilbert-base-uncased-finetuned-sst-2-english@none:4 pipeline',
      'Xenova/all-MiniLM-L6-v2@commit:5 pipeline',
      'onnx-community/whisper-tiny@none:8 Model.from_pretrained',
    ],
  },
  {
    file: 'hub-and-onnx.js',
    want: [
      'org/encoder@ref:5 downloadFile file=model.onnx',
      'org/encoder@commit:6 InferenceSession.create file=model.onnx',
      'https://storage.googleapis.com/tfjs-models/savedmodel/mobilenet_v2_1.0_224/model.json@none:7 loadGraphModel',
    ],
  },
  { file: 'train-config.yaml', want: ['mistralai/Mistral-7B-v0.1@ref:1 model_name_or_path'] },
];

describe('model references found by parsing (fixtures/refs/cases)', () => {
  it.each(CASES)('$file', ({ file, want }) => {
    expect(summary(file)).toEqual(want);
  });

  it('deeply nested input is measured before parsing, and skipped rather than parsed', () => {
    expect(nestingDepth('x = ' + '('.repeat(100_000) + '1' + ')'.repeat(100_000))).toBe(100_000);
    expect(nestingDepth('f(a[1], {b: (2)})')).toBe(3);
  });
});
