import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findConfigReferencesWithYaml } from '../../src/refs/config.js';
import { searchBytes } from '../../src/refs/find.js';
import { findJavaScriptReferences } from '../../src/refs/javascript.js';
import { findPythonReferencesInWholeFile } from '../../src/refs/python.js';
import { isReferenceSource } from '../../src/refs/sources.js';
import { keptByWalk } from '../helpers/own-sources.js';
import { REPO } from '../helpers/cli.js';
import { javaScriptPrograms, pythonPrograms } from './programs.js';

/**
 * The byte pre-filter the walk runs (`ownReferenceSources`) decides which files are ever decoded: a file it turns
 * away is never searched. It must never turn away a file in which the full readers (whole-file lezer parse, the
 * yaml library) find a reference or a run-time choice.
 */
const fullReader = (rel: string) =>
  rel.endsWith('.py')
    ? findPythonReferencesInWholeFile
    : /\.(ya?ml|json)$/.test(rel)
      ? findConfigReferencesWithYaml
      : findJavaScriptReferences;

/** What the full reader finds in `text`: reference ids and run-time choices. */
function found(rel: string, text: string): string[] {
  const got = fullReader(rel)(rel, text, () => false);
  return [...got.references.map((r) => r.repoId ?? r.url ?? r.via), ...got.dynamic.map((d) => `dynamic:${d.via}`)];
}

/** The property: turned away by the bytes ⇒ nothing for the full reader. Returns whether the file was turned away. */
function holds(rel: string, text: string): boolean {
  const kept = keptByWalk(rel, Buffer.from(text));
  if (!kept) expect(found(rel, text), `${rel} turned away:\n${text}`).toEqual([]);
  return !kept;
}

describe('byte pre-filter against the full readers', () => {
  const fixtures = readdirSync(path.join(REPO, 'fixtures', 'refs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => isReferenceSource(f))
    .sort();
  it.each(fixtures)('fixtures/refs/%s: kept whenever a full reader finds something', (rel) => {
    holds(rel, readFileSync(path.join(REPO, 'fixtures', 'refs', rel), 'utf8'));
  });

  // Escapes the readers decode before they compare names: YAML/JSON keys (the yaml parser) and JavaScript module
  // specifiers (javascript-tokens.ts `unquote`). Each is a reference a filter on the literal needles would lose.
  it.each([
    ['json-key-unicode-escape', 'a.json', '{"model\\u005fname_or_path": "org/json-escaped"}', 'org/json-escaped'],
    ['yaml-key-hex-escape', 'a.yaml', '"model\\x5fname_or_path": org/yaml-x\n', 'org/yaml-x'],
    ['yaml-key-unicode-escape', 'b.yaml', '"base\\u005fmodel": org/yaml-u\n', 'org/yaml-u'],
    ['yaml-key-long-escape', 'c.yml', '"model\\U0000005fid": org/yaml-long\n', 'org/yaml-long'],
    // JSON's `\/`: KubeAI's `url: hf://…` with its slashes escaped, as PHP's json_encode writes them.
    ['json-value-slash-escape', 'k.json', '{"spec": {"url": "hf:\\/\\/org/kubeai", "engine": "VLLM"}}', 'org/kubeai'],
    ['json-key-upper-hex-escape', 'u.json', '{"model\\u005Fid": "org/json-upper"}', 'org/json-upper'],
    [
      'js-import-hex-escape',
      'a.js',
      "import { pipeline } from '@huggingface/\\x74ransformers';\nawait pipeline('x', 'org/js-import');\n",
      'org/js-import',
    ],
    [
      'js-require-unicode-escape',
      'b.cjs',
      "const { pipeline } = require('@hugging\\u0066ace/transformers');\npipeline('x', 'org/js-require');\n",
      'org/js-require',
    ],
    [
      'js-dynamic-import-escape',
      'c.mjs',
      "const T = await import('\\x40huggingface/transformers');\nawait T.pipeline('x', 'org/js-dynamic');\n",
      'org/js-dynamic',
    ],
    [
      'js-hub-identity-escape',
      'd.ts',
      "import * as hub from '@huggingface/\\hub';\nawait hub.downloadFile({ repo: 'org/js-hub' });\n",
      'org/js-hub',
    ],
  ])('%s is kept and found', (_case, rel, text, id) => {
    expect(found(rel, text)).toEqual([id]);
    expect(keptByWalk(rel, Buffer.from(text))).toBe(true);
    const got = searchBytes(rel, Buffer.from(text), () => false);
    expect(got.kind === 'found' ? got.refs.references.map((r) => r.repoId) : got.kind).toEqual([id]);
  });

  // Generated programs around the needles: loader words without their module, modules without a loader word, near
  // misses, escaped spellings, and real calls. Both outcomes must occur often, or the property would test nothing.
  const PYTHON = [
    'import os',
    'import torch',
    'import timm',
    'from transformers import pipeline',
    'import huggingface_hub as hh',
    'from sentence_transformers import SentenceTransformer',
    'p = build_pipeline(steps)',
    'p = pipeline("fill-mask", model="org/py-pipeline")',
    'hub.load("org/py-hub", "m")',
    'torch.hub.load("pytorch/vision", "resnet18")',
    'timm.create_model("resnet50", pretrained=True)',
    'create_model("org/py-create")',
    'hh.hf_hub_download(repo_id="org/py-hh", filename="w.bin")',
    'hf_hub_download(repo_id="org/py-download", filename="w.bin")',
    'm = M.from_pretrained("org/py-pretrained")',
    'm = M.from_pretrained(os.path.join(d, "x"))',
    'm = getattr(M, "from\\x5fpretrained")("org/py-getattr")',
    'name = "from_pre" "trained"',
    's = "\\x74orch.hub"',
    'e = SentenceTransformer("org/py-st")',
    'URL = "https://huggingface.co/org/py-url"',
  ];
  const JAVASCRIPT = [
    "import path from 'node:path'",
    "import { pipeline } from '@huggingface/transformers'",
    "import { pipeline } from '@huggingface/\\x74ransformers'",
    "const { pipeline } = require('@hugging\\u0066ace/transformers')",
    "import { pipeline } from './local.js'",
    "import * as hub from '@huggingface/hub'",
    "import * as hub from '@huggingface/h\\u0075b'",
    "const T = await import('\\x40xenova/transformers')",
    "await pipeline('fill-mask', 'org/js-pipeline')",
    "await T.pipeline('x', 'org/js-t')",
    "await hub.downloadFile({ repo: 'org/js-hub' })",
    "await hub.snapshotDownload({ repo: 'org/js-snap' })",
    'const stages = pipeline.map((s) => s.name)',
    "const re = /\\d+/g; const nl = '\\n'",
    "await M.from_pretrained('org/js-pretrained')",
    "await M.from\\u005fpretrained('org/js-ident-escape')",
    "await ort.InferenceSession.create('https://huggingface.co/org/js-onnx/resolve/main/m.onnx')",
    "await tf.loadGraphModel('https://example.com/model.json')",
  ];
  const CONFIG_LINES = [
    'lr: 0.1',
    'model: org/plain-model-key',
    'model_name_or_path: org/cfg-plain',
    '"model\\x5fname_or_path": org/cfg-hex',
    '"model\\u005fid": org/cfg-unicode',
    "'model_name': org/cfg-single",
    'model\\u005fid: org/cfg-plain-backslash',
    'note: "tab\\there"',
    'path: "C:\\\\models\\\\x"',
    // Escapes of letters outside ASCII (Python's json.dump writes one for each in a vocab.json): no key.
    '"\\u0120the": 262',
    'note: "caf\\u00e9 \\u4e2d"',
    '"\\u006dodel_id": org/cfg-escaped-first',
    'base-model: org/cfg-dash',
    '- model_id',
  ];
  const configs = fc
    .array(fc.constantFrom(...CONFIG_LINES), { minLength: 1, maxLength: 6 })
    .map((ls) => ls.join('\n') + '\n');

  // Runs per language: a config is turned away only when every line of it is one of the four without a model key
  // or escape, about one config in eleven; 300 runs left fewer than 20 such in about one seed in twenty.
  it.each([
    ['python', 'gen.py', pythonPrograms(PYTHON, 5), 300],
    ['javascript', 'gen.ts', javaScriptPrograms(JAVASCRIPT, 5), 300],
    ['config', 'gen.yaml', configs, 800],
  ] as const)('%s: generated programs turned away hold no reference (fast-check)', (_lang, rel, programs, numRuns) => {
    let away = 0;
    let kept = 0;
    fc.assert(
      fc.property(programs, (text) => {
        if (holds(rel, text)) away++;
        else kept++;
      }),
      { numRuns },
    );
    expect(away).toBeGreaterThan(20);
    expect(kept).toBeGreaterThan(20);
  });
});
