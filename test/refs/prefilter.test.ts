import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOADER_NEEDLES, mayCallLoader, mayCallLoaderBytes, searchBytes, searchText } from '../../src/refs/find.js';
import { findJavaScriptReferences } from '../../src/refs/javascript.js';
import { findPythonReferences } from '../../src/refs/python.js';
import { LOADER_NEEDLE_BUCKETS, LOADER_NEEDLE_WINDOWS } from '../../src/refs/needle-buckets.js';
import {
  ALONE,
  MODEL_KEYS,
  VLLM_CONFIG_KEYS,
  SCANNED_NEEDLES,
  mentionsModelKey,
  mentionsModelKeyBytes,
  jsonMayNameModel,
  mayNameModelBytes,
} from '../../src/refs/prefilter.js';
import { REPO, runMain } from '../helpers/cli.js';

/**
 * The text test that decides whether a file is parsed at all (parsing is the cost of source scanning, bench
 * `refs`): common words such as `pipeline` and `hub` count only beside the module the loader is imported from.
 */
describe('mayCallLoader', () => {
  it.each([
    ['from-pretrained-any-class', 'm = Foo.from_pretrained(path)', true],
    ['transformers-pipeline', 'from transformers import pipeline\np = pipeline("fill-mask")', true],
    ['transformers-pipeline-alias', 'from transformers import pipeline as make\nmake("x", model="a/b")', true],
    ['transformersjs-pipeline', "import { pipeline } from '@huggingface/transformers';", true],
    ['xenova-pipeline', "const { pipeline } = await import('@xenova/transformers');", true],
    ['torch-hub-attribute', 'import torch\nm = torch.hub.load("a/b", "c")', true],
    ['torch-hub-import', 'from torch import hub\nm = hub.load("a/b", "c")', true],
    ['hf-hub-download', 'from huggingface_hub import hf_hub_download', true],
    ['timm', 'import timm\nm = timm.create_model("resnet50", pretrained=True)', true],
    ['sentence-transformers', 'from sentence_transformers import SentenceTransformer', true],
    ['hub-js', "import { downloadFile } from '@huggingface/hub';", true],
    ['onnxruntime', "const s = await ort.InferenceSession.create('m.onnx');", true],
    ['tfjs', "const m = await tf.loadGraphModel('https://x/model.json');", true],
    ['hub-url', 'URL = "https://huggingface.co/org/model/resolve/main/x.onnx"', true],
    [
      'llama-index-embedding',
      'from llama_index.embeddings.huggingface import HuggingFaceEmbedding\ne = HuggingFaceEmbedding(model_name="a/b")',
      true,
    ],
    ['langchain-from-model-id', 'from langchain_huggingface import HuggingFacePipeline', true],
    ['ollama-pull', 'import ollama\nollama.pull("llama3.2")', true],
    ['keras-nlp-preset', 'import keras_nlp\nm = keras_nlp.models.Backbone.from_preset("hf://a/b")', true],
    ['mlx-lm-load', 'from mlx_lm import load\nm, t = load("a/b")', true],
    ['mlx-vlm-load', 'import mlx_vlm\nm, p = mlx_vlm.load("a/b")', true],
    ['keras-hf-load-model', 'import keras\nm = keras.saving.load_model("hf://a/b")', true],
    ['ultralytics-yolo', 'from ultralytics import YOLO\nm = YOLO("yolov8n.pt")', true],
    ['hf-co-url', 'import requests\nr = requests.get("https://hf.co/a/b/resolve/main/m.onnx")', true],
    ['hf-config-attribute', 'cfg = self.hf.config\nprint(cfg)', false],
    ['faster-whisper', 'from faster_whisper import WhisperModel\nm = WhisperModel("small")', true],
    ['tfjs-models', "import * as cocoSsd from '@tensorflow-models/coco-ssd';\nconst m = await cocoSsd.load();", true],
    [
      'mediapipe-tasks',
      "import { ObjectDetector } from '@mediapipe/tasks-vision';\nObjectDetector.createFromModelPath(v, u);",
      true,
    ],
    [
      'autoawq-from-quantized',
      'from awq import AutoAWQForCausalLM\nm = AutoAWQForCausalLM.from_quantized("a/b")',
      true,
    ],
    ['yolo-without-ultralytics', 'from detector import YOLO\nm = YOLO("yolov8n.pt")', false],
    ['diffusers-lora-alone', 'def style(pipe):\n    pipe.load_lora_weights("a/b")', true],
    ['peft-adapter-alone', 'model.load_adapter("a/b", adapter_name="x")', true],
    ['diffusers-ip-adapter-alone', 'pipe.load_ip_adapter("a/b", "models", "x.bin")', true],
    ['diffusers-attn-procs-alone', 'def custom(unet):\n    unet.load_attn_procs("a/b")', true],
    ['diffusers-lora-adapter-alone', 'transformer.load_lora_adapter("a/b", prefix=None)', true],
    ['vllm-lora-request-alone', 'from vllm.lora.request import LoRARequest\nr = LoRARequest("sql", 1, "a/b")', true],
    [
      'hf-hub-url-alone',
      'import requests\nfrom huggingface_hub import hf_hub_url\nr = requests.get(hf_hub_url("a/b", "m.onnx"))',
      true,
    ],
    [
      'nemo-auto-tokenizer-alone',
      'from nemo.collections.common.tokenizers import AutoTokenizer\nt = AutoTokenizer("a/b")',
      true,
    ],
    // The first test's words are looked up as written, anywhere (a native search), as its pattern matched them.
    ['from-pretrained-inside-a-word', 'x = my_from_pretrained_helper(path)', true],
    ['layers-model-inside-a-word', 'const m = await reloadLayersModels(u);', true],
    ['hub-host-dot-literal', 'URL = "https://huggingfaceXco/org/model"', false],
    ['huggingface-without-library', '# Models from HuggingFace\nMODEL = load(path)', false],
    ['data-pipeline', 'def build_pipeline(steps):\n    return data.pipeline(steps)', false],
    ['js-pipeline-word', 'const stages = pipeline.map((s) => s.name);', false],
    ['hub-without-torch', 'hub = connect(HUB_URL)\nhub.load(x)', false],
    ['create-model-without-timm', 'def create_model(cfg):\n    return Net(cfg)', false],
    ['download-file-without-hub', "import { downloadFile } from './net.js';", false],
    ['plain-code', 'def add(a, b):\n    return a + b', false],
    // Python reaches these modules' loaders only through an import: the module counts on a line with `import`.
    ['sklearn-transformers-prose', '"""Chain transformers."""\nfrom sklearn.pipeline import Pipeline', false],
    ['pandas-evaluate-prose', '# evaluate the frame first\ndf = load(path)', false],
    ['torchvision-prose', '"""Like torchvision does."""\nw = load_pretrained(weights)', false],
    ['torch-prose', 'def f(hub):\n    """A torch tensor."""\n    return hub.load(x)', false],
    ['evaluate-import', 'import evaluate\nm = evaluate.load("accuracy")', true],
    ['import-continued', 'import os, \\\n    transformers\np = transformers.pipeline("x")', true],
    ['import-continued-crlf', 'import os, \\\r\n    transformers\r\np = transformers.pipeline("x")', true],
    ['import-continued-forward', 'from transformers \\\n    import pipeline\np = pipeline("x")', true],
    ['import-on-the-next-line', '# transformers\nimport os\np = pipeline("x")', false],
    ['import-after-try', 'try: from transformers import pipeline\nexcept ImportError: pass\np = pipeline("x")', true],
    ['import-after-semicolon', 'x = 1; import torchvision\nm = torchvision.models.resnet50(weights="V1")', true],
    [
      'import-in-function',
      'def f():\n    from timm import create_model\n    return create_model("a", pretrained=True)',
      true,
    ],
    // JavaScript names modules in strings: the word anywhere, as before.
    ['js-transformers-require', "const { pipeline } = require('@huggingface/transformers');", true],
  ])('%s: %s', (_case, text, want) => {
    expect(mayCallLoader(text, _case.startsWith('js-') ? 'javascript' : 'python')).toBe(want);
    // The byte test runs first and is looser: it never rejects what the text test accepts.
    if (want) expect(mayCallLoaderBytes(Buffer.from(text))).toBe(true);
  });

  // The filter must never hide what the parser finds: every hand-written source fixture that holds a reference or a
  // run-time choice (found by calling the parser directly) passes it.
  const sources = readdirSync(path.join(REPO, 'fixtures', 'refs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(py|[cm]?[jt]sx?)$/.test(f))
    .sort();
  it.each(sources)('agrees with the parsers on fixtures/refs/%s', (rel) => {
    const text = readFileSync(path.join(REPO, 'fixtures', 'refs', rel), 'utf8');
    const find = rel.endsWith('.py') ? findPythonReferences : findJavaScriptReferences;
    const got = find(rel, text, () => false);
    if (got.references.length + got.dynamic.length > 0) expect(mayCallLoader(text)).toBe(true);
    if (mayCallLoader(text)) expect(mayCallLoaderBytes(Buffer.from(text))).toBe(true);
    expect(searchBytes(rel, Buffer.from(text), () => false)).toEqual(searchText(rel, text, () => false));
  });

  // Files most of a repository is made of fail the byte test and are never decoded.
  it.each([
    ['plain-python', 'def add(a, b):\n    return a + b\n', false],
    ['data-pipeline-without-transformers', 'x = build_pipeline(steps)\n', false],
    ['github-url-without-torch', 'URL = "https://github.com/org/repo"\n', false],
    ['non-utf8-bytes', '\xff\xfe\x00from_pretrained', true],
    ['from-pretrained', 'm = M.from_pretrained("a/b")', true],
    ['hub-beside-torch', 'import torch\ntorch.hub.load("a/b", "c")', true],
  ])('byte test %s', (_case, text, want) => {
    expect(mayCallLoaderBytes(Buffer.from(text, 'latin1'))).toBe(want);
  });

  // One scan stands for one Buffer.includes per needle: the same answer on text made of needles, their pieces and
  // overlaps (`torchub`, `transformersnapshot_download`), and other bytes.
  // `hub` and `pipeline` count only standing alone, as the text test's `\bhub\b` and `\bpipeline\b` (prefilter.ts
  // ALONE): `github` beside torch, or `data_pipeline` beside transformers, is no reason to decode a file.
  it('the one-pass byte test answers as a Buffer.includes per needle would, hub, pipeline and trl alone (fast-check)', () => {
    const alone = (w: string) => new RegExp(`(?<![A-Za-z0-9_])${w}(?![A-Za-z0-9_])`);
    // The words that count only standing alone (`hub`, `pipeline`, `trl`: `ctrl` holds no trl).
    const holds = (b: Buffer, w: string) => (ALONE.has(w) ? alone(w).test(b.toString('latin1')) : b.includes(w));
    const byIncludes = (b: Buffer) =>
      LOADER_NEEDLES.some(([words, module]) => words.some((w) => holds(b, w)) && (!module || holds(b, module)));
    const needles = LOADER_NEEDLES.flatMap(([words, module]) => (module ? [...words, module] : words));
    const piece = fc.oneof(
      fc.constantFrom(...needles),
      fc.constantFrom(...needles).map((n) => n.slice(0, -1)),
      fc.constantFrom(...needles).map((n) => n.slice(1)),
      fc.string({ maxLength: 4 }),
      fc.constantFrom(
        '\xff',
        '\u00e9',
        '\n',
        'github',
        'hub_',
        '.hub.',
        'data_pipeline',
        'pipelines',
        ' pipeline(',
        'ctrl',
      ),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const b = Buffer.from(pieces.join(''));
        expect(mayCallLoaderBytes(b)).toBe(byIncludes(b));
      }),
      { numRuns: 2000 },
    );
  });

  // Needles shorter than the scan's (`hub`, `timm`) count only beside their partner; JavaScript's escaped-module
  // words count alone only beside a backslash.
  it.each([
    ['python-module-without-word', 'gate.py', 'import torch\nx = torch.zeros(3)\n', 'python', false],
    ['python-module-and-github', 'gate.py', 'import torch\n# https://github.com/org/repo\n', 'python', false],
    ['transformers-and-data-pipeline', 'gate.py', 'import transformers\np = data_pipeline(x)\n', 'python', false],
    ['python-transformers-and-pipeline', 'gate.py', 'from transformers import pipeline\n', 'python', true],
    ['js-escaped-data-pipeline-call', 'gate.js', "const re = /\\d/;\nmy_pipeline('x', 'org/m')\n", 'javascript', true],
    ['python-word-without-module', 'gate.py', 'p = build_pipeline(steps)\n', 'python', false],
    ['js-escaped-word-with-backslash', 'gate.js', "const re = /\\d/; pipeline('x', 'org/m')\n", 'javascript', true],
    ['js-escaped-word-without-backslash', 'gate.js', "pipeline('x', 'org/m')\n", 'javascript', false],
    // Beside a backslash the word must stand where a call or an import binding can use it.
    [
      'js-escaped-word-as-member',
      'gate.js',
      'const re = /\\d/;\nconst s = pipeline.map((x) => x);\n',
      'javascript',
      false,
    ],
    ['js-escaped-word-assigned', 'gate.js', 'const re = /\\d/;\npipeline = [];\nf(pipeline);\n', 'javascript', false],
    ['js-escaped-word-at-end', 'gate.js', 'const re = /\\d/;\npipeline', 'javascript', false],
    [
      'js-escaped-word-renamed',
      'gate.js',
      "const { pipeline: make } = require('\\x40huggingface/transformers');\n",
      'javascript',
      true,
    ],
    [
      'js-escaped-word-aliased',
      'gate.js',
      "import { pipeline as make } from '@huggingface/\\x74ransformers';\n",
      'javascript',
      true,
    ],
    [
      'js-escaped-word-comment-call',
      'gate.js',
      "const re = /\\d/; pipeline /* task */ ('x', 'org/m')\n",
      'javascript',
      true,
    ],
    [
      'js-escaped-word-generic-call',
      'gate.ts',
      "const re = /\\d/; pipeline<'x'>\n('x', 'org/m')\n",
      'javascript',
      true,
    ],
    [
      'js-escaped-word-namespace',
      'gate.js',
      "import * as t from '\\x40huggingface/transformers';\nt.pipeline('x', 'o/m')\n",
      'javascript',
      true,
    ],
    ['python-pipeline-with-backslash', 'gate.py', "s = '\\n'; pipeline('x', 'org/m')\n", 'python', false],
    ['hub-without-torch', 'gate.py', 'hub = connect(HUB)\nhub.load("a/b")\n', 'python', false],
    ['hub-after-torch', 'gate.py', 'import torch\nm = torch.hub.load("a/b", "c")\n', 'python', true],
    ['timm-without-create-model', 'gate.py', 'import timm\n', 'python', false],
    ['create-model-before-timm', 'gate.py', 'm = create_model("x")\nimport timm\n', 'python', true],
  ] as const)('byte test %s', (_case, _rel, text, language, want) => {
    expect(mayCallLoaderBytes(Buffer.from(text), language)).toBe(want);
  });

  it.each([
    ['config-with-model-key', 'cfg.yaml', 'model_name_or_path: org/model\n', 'found'],
    ['config-without-model-key', 'cfg.json', '{"lr": 0.1}', 'none'],
    ['not-a-source', 'notes.txt', 'AutoModel.from_pretrained("org/model")', 'none'],
  ])('searchBytes %s', (_case, rel, text, kind) => {
    expect(searchBytes(rel, Buffer.from(text), () => false).kind).toBe(kind);
  });

  // The byte test and the text test agree on JavaScript's escaped-module words, a loader word with any characters
  // around it (white space, the characters that rule a call out, non-ASCII), beside a backslash.
  it('the byte test passes whenever the text test does, on escaped-module words (fast-check)', () => {
    const piece = fc.oneof(
      fc.constantFrom('pipeline', 'downloadFile', 'snapshotDownload', 'pipelin', '\\'),
      fc.constantFrom(' ', '\n', '\t', '.', ';', ')', ']', '=', '(', ',', '}', ':', '<', '/', '\u00a0', '\u2028', 'é'),
      fc.string({ maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
        const text = pieces.join('');
        if (mayCallLoader(text, 'javascript')) expect(mayCallLoaderBytes(Buffer.from(text), 'javascript')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  // servers.ts reads a Kubernetes container's llama.cpp server (its image, or the program in `command:`): the config
  // screen lets such a manifest through, though it names no model key.
  it.each([
    [
      'the server image',
      '      containers:\n        - image: ghcr.io/ggml-org/llama.cpp:server-cuda\n          args: [-hf, a/b]\n',
    ],
    ['the program', '      containers:\n        - command: ["/opt/llama-server", "-hf", "a/b"]\n'],
    ['the CLI', '      containers:\n        - command: ["llama-cli", "-hf", "a/b"]\n'],
  ])('a manifest that runs llama.cpp by %s is read', (_name, text) => {
    expect(mentionsModelKey(text)).toBe(true);
    expect(mentionsModelKeyBytes(Buffer.from(text))).toBe(true);
  });

  // toolkit-clis.ts `readLlamaFactory`: LLaMA-Factory's CLI (and its old train_bash.py) names no hub word of its own.
  it.each([
    ['llamafactory-cli', 'llamafactory-cli webchat --model_name_or_path a/b --template llama3\n'],
    ['lmf', 'lmf train --model_name_or_path a/b\n'],
    ['train_bash.py', 'python src/train_bash.py --stage sft --model_name_or_path a/b\n'],
  ])('a shell script that runs %s is read', (_name, text) => {
    expect(mayNameModelBytes('shell', Buffer.from(text))).toBe(true);
  });

  // vllm-options.ts `vllmConfigReferences`: vLLM's config file names its model by `model:` beside an option of vLLM's
  // own, in either spelling; `model:` beside generic keys is not screened in.
  it.each([
    ['a dashed option', 'model: a/b\ngpu-memory-utilization: 0.9\n', true],
    ['an underscored option', 'model: a/b\nmax_model_len: 4096\n', true],
    ['the remote-code flag', 'model: a/b\ntrust-remote-code: true\n', true],
    ['generic keys only', 'model: a/b\nport: 8000\ndtype: float16\n', false],
  ])('a vLLM config with %s: screened in %s', (_name, text, passes) => {
    expect(mentionsModelKey(text)).toBe(passes);
    expect(mentionsModelKeyBytes(Buffer.from(text))).toBe(passes);
  });

  // toolkit-clis.ts `lmEvalConfigReferences`: lm_eval's config file names its model as `pretrained` in `model_args`.
  it('an lm_eval config, YAML or JSON, is read', () => {
    const text = 'model: hf\nmodel_args:\n  pretrained: a/b\ntasks: [arc_easy]\n';
    expect(mentionsModelKey(text)).toBe(true);
    expect(mentionsModelKeyBytes(Buffer.from(text))).toBe(true);
    expect(jsonMayNameModel({ model_args: { pretrained: 'a/b' } })).toBe(true);
  });

  // config-fast.ts `hydraCall`: a node Hydra instantiates names its model by the loader's own keyword (`model:`).
  it('a Hydra config whose only model is a `_target_` call argument is read', () => {
    const text = 'classifier:\n  _target_: transformers.pipeline\n  model: a/b\n';
    expect(mentionsModelKey(text)).toBe(true);
    expect(mentionsModelKeyBytes(Buffer.from(text))).toBe(true);
  });

  // A config's byte test (one needle scan for the keys, then the escapes looked up) against the text test.
  it('the config byte test passes exactly where the text test does (fast-check)', () => {
    const piece = fc.oneof(
      fc.constantFrom(...MODEL_KEYS, ...VLLM_CONFIG_KEYS),
      fc.constantFrom(...MODEL_KEYS, ...VLLM_CONFIG_KEYS).map((k) => k.slice(0, -1)),
      fc.constantFrom(...VLLM_CONFIG_KEYS).map((k) => k.replaceAll('-', '_')),
      fc.constantFrom('\\u', '\\x', '\\U', '\\\n', '\\\r', '\\', '\\n', 'u', ': ', '"', '\\/', '00', '5f', '0000'),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        expect(mentionsModelKeyBytes(Buffer.from(text))).toBe(mentionsModelKey(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('a file the test rejects is never parsed: searchText says none', () => {
    expect(searchText('data.py', 'x = data.pipeline("org/model")\n', () => false)).toEqual({ kind: 'none' });
    expect(
      searchText('m.py', 'from transformers import pipeline\np = pipeline("x", model="org/model")\n', () => false),
    ).toMatchObject({ kind: 'found', refs: { references: [{ repoId: 'org/model', line: 2 }] } });
  });
});

describe('scan --no-refs', () => {
  it('skips the refs stage: no references and no CPR findings, which the same scan without it reports', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cp-norefs-'));
    writeFileSync(
      path.join(dir, 'app.py'),
      'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/model")\n',
    );
    const scan = async (...extra: string[]) => {
      const r = await runMain([
        'scan',
        dir,
        '--offline',
        '--quiet',
        '--no-cache',
        '--fail-on',
        'none',
        '-f',
        'json',
        ...extra,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(r.stdout) as { references?: unknown[]; findings: { ruleId: string }[] };
      return {
        refs: (json.references ?? []).length,
        rules: json.findings.map((f) => f.ruleId).filter((id) => id.startsWith('CPR')),
      };
    };
    expect(await scan()).toEqual({ refs: 1, rules: ['CPR001', 'CPR003'] });
    expect(await scan('--no-refs')).toEqual({ refs: 0, rules: [] });
  });
});

describe('the loader scanner (needle-scan.ts)', () => {
  it('holds every needle and word: past its limits every source file would be unreadable (CPX001)', () => {
    // The scanner is built at the first file; a LOADER_NEEDLES entry past MAX_NEEDLES or MAX_ENTRIES throws there.
    expect(() => mayCallLoaderBytes(Buffer.from('from transformers import pipeline\n'), 'python')).not.toThrow();
    expect(mayCallLoaderBytes(Buffer.from('x = 1\n'), 'python')).toBe(false);
  });
});

describe('the loader needles buckets (needle-buckets.ts)', () => {
  it('give every needle the scan looks for a bucket, and no other: rerun scripts/gen-needle-buckets.mjs if not', () => {
    expect(Object.keys(LOADER_NEEDLE_BUCKETS).sort()).toEqual([...SCANNED_NEEDLES].sort());
    expect(Object.values(LOADER_NEEDLE_BUCKETS).every((b) => Number.isInteger(b) && b >= 0 && b < 8)).toBe(true);
    // And a window: where its four tested bytes start, inside the needle.
    expect(Object.keys(LOADER_NEEDLE_WINDOWS).sort()).toEqual([...SCANNED_NEEDLES].sort());
    expect(
      Object.entries(LOADER_NEEDLE_WINDOWS).every(([n, o]) => Number.isInteger(o) && o >= 0 && o + 4 <= n.length),
    ).toBe(true);
  });
});
