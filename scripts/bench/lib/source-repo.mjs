// A realistic ML application repository, generated at bench time (never committed): Python, JavaScript and
// TypeScript source of the sizes real projects have, config files, a package-lock.json, a requirements file, a few
// model files, and a handful of model references among thousands of files that make none. Deterministic: the same
// seed writes the same bytes. A helper, not a bench: bench.mjs runs only the files directly in scripts/bench/.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** mulberry32: a small seeded PRNG, so every run measures the same tree. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The loader words of src/refs/search.ts (LOADER_WORDS), for the repository's statistics only. */
const LOADER_WORD =
  /from_pretrained|pipeline|hf_hub_download|snapshot_download|hub|create_model|SentenceTransformer|CrossEncoder|InferenceSession|loadGraphModel|loadLayersModel|downloadFile|snapshotDownload|huggingface\.co/;

const WORDS = (
  'batch config data dataset epoch feature label loss metric model optimizer output predict record result sample ' +
  'schedule score shard split step tensor token train valid vocab weight cache client event handler item queue ' +
  'request response session state store stream user value worker buffer chunk index offset payload'
).split(' ');

export function createSourceRepo(dir, { sourceFiles = 5000, seed = 15 } = {}) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const word = () => pick(WORDS);
  const ident = () => `${word()}_${word()}`;
  const camel = () => `${word()}${word().replace(/^./, (c) => c.toUpperCase())}`;
  const pascal = () => camel().replace(/^./, (c) => c.toUpperCase());
  // Real source sizes are skewed: most files a few KB, a long tail to tens of KB (log-normal, median ~3 KB).
  const targetSize = () => Math.min(60_000, Math.max(300, Math.round(Math.exp(8.0 + 0.9 * gaussian()))));
  const gaussian = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const counts = {
    python: 0,
    javascript: 0,
    typescript: 0,
    config: 0,
    models: 0,
    bytes: 0,
    references: 0,
    mentions: 0,
    torch: 0,
    backslash: 0,
  };
  const sourceSizes = [];
  const write = (rel, text) => {
    const abs = path.join(dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    counts.bytes += Buffer.byteLength(text);
    // What the bench prints to compare with real repositories: source file sizes, and how many name a loader word.
    if (/\.(py|js|tsx?)$/.test(rel)) {
      sourceSizes.push(Buffer.byteLength(text));
      if (LOADER_WORD.test(text)) counts.mentions++;
      if (text.includes('import torch')) counts.torch++;
      if (/\.(js|tsx?)$/.test(rel) && text.includes('\\')) counts.backslash++;
    }
  };

  function pythonBlock() {
    const f = ident();
    const a = ident();
    const b = ident();
    // One block in 40 mentions a data "pipeline" (a loader's name, in a file that imports no transformers).
    // Training code reloads its own checkpoints (a computed path: a CPR010 note, and a file that must be parsed).
    const line =
      r() < 0.025
        ? `${a}_pipeline = build_pipeline(${a})`
        : r() < 0.002
          ? `${a} = AutoModel.from_pretrained(os.path.join(${b}, "checkpoint"))`
          : undefined;
    const extra = (indent) => (line === undefined ? '' : `${indent}${line}\n`);
    return r() < 0.3
      ? `class ${pascal()}:\n    """${word()} ${word()} for the ${word()} ${word()}."""\n\n    def __init__(self, ${a}, ${b}=None):\n        self.${a} = ${a}\n        self.${b} = ${b} or {}\n\n    def ${f}(self, ${word()}):\n        # ${word()} the ${word()} before the ${word()}\n        for i, item in enumerate(self.${a}):\n            if item is None:\n                continue\n            self.${b}[i] = item * ${Math.floor(r() * 100)}\n${extra('        ')}        return self.${b}\n\n\n`
      : `def ${f}(${a}, ${b}=${Math.floor(r() * 10)}):\n    """Return the ${word()} of ${a}."""\n    total = 0\n    for x in ${a}:\n        if x > ${b}:\n            total += x ** 2\n        else:\n            total -= x\n${extra('    ')}    return {"${word()}": total, "${word()}": ${a}[:${b}]}\n\n\n`;
  }
  function jsBlock(ts) {
    const f = camel();
    const a = camel();
    const t = ts ? `: ${pick(['number', 'string', 'unknown[]', 'Record<string, number>'])}` : '';
    // As often as in the 7,006 .js files of this repository's node_modules: a backslash (string escapes, regular
    // expressions: with one, a loader word alone passes the byte test, for an escaped module name) in 20 % of files,
    // the word `pipeline` in 0.6 % (here about 1 %; it was 30 % before the backslashes made it costly).
    const extra =
      (r() < 0.0008 ? `  const stages = pipeline.map((s) => s.${camel()});\n` : '') +
      (r() < 1 / 40 ? `  const parts = String(${a}).split(/\\s+/).join('\\n');\n` : '');
    return r() < 0.3
      ? `export class ${pascal()} {\n  ${ts ? 'private ' : ''}${a}${ts ? ': Map<string, number>' : ''} = new Map();\n\n  ${f}(key${ts ? ': string' : ''}, value${t}) {\n    // ${word()} ${word()} ${word()}\n    if (!this.${a}.has(key)) this.${a}.set(key, 0);\n    return this.${a}.get(key);\n  }\n}\n\n`
      : `export function ${f}(${a}${t}, options = {}) {\n  const out = [];\n  for (const item of Object.values(options)) {\n    if (item == null) continue;\n    out.push({ ${camel()}: item, ${camel()}: String(${a}) });\n  }\n${extra}  return out.length > ${Math.floor(r() * 10)} ? out : [];\n}\n\n`;
  }
  const fill = (head, block) => {
    let text = head;
    const size = targetSize();
    while (text.length < size) text += block();
    return text;
  };

  for (let i = 0; i < sourceFiles; i++) {
    const pkg = `${pick(['core', 'data', 'models', 'serving', 'utils', 'eval', 'train', 'web', 'api', 'cli'])}/${word()}`;
    const kind = r();
    if (kind < 0.5) {
      counts.python++;
      // Much of the Python in an ML repository imports torch (40 % here): a loader's module, so such files pass the
      // first byte test and meet the full one.
      const torch = r() < 0.4 ? 'import torch\nimport torch.nn.functional as F\n' : '';
      const head = `"""${word()} ${word()} ${word()}."""\nfrom __future__ import annotations\n\nimport os\nfrom typing import Any\n\nimport numpy as np\n${torch}\n`;
      write(`src/${pkg}/${ident()}_${i}.py`, fill(head, pythonBlock));
    } else if (kind < 0.7) {
      counts.javascript++;
      const head = `import { ${camel()} } from './${word()}.js';\nimport path from 'node:path';\n\n`;
      write(
        `web/${pkg}/${camel()}${i}.js`,
        fill(head, () => jsBlock(false)),
      );
    } else {
      counts.typescript++;
      const head = `import type { ${pascal()} } from './${word()}.js';\nimport { ${camel()} } from '../${word()}/index.js';\n\n`;
      const ext = r() < 0.2 ? 'tsx' : 'ts';
      write(
        `app/${pkg}/${camel()}${i}.${ext}`,
        fill(head, () => jsBlock(true)),
      );
    }
  }
  for (let i = 0; i < 150; i++) {
    counts.config++;
    if (r() < 0.5)
      write(
        `configs/${word()}/${ident()}_${i}.json`,
        JSON.stringify({ [camel()]: r(), [camel()]: [1, 2, 3], name: ident() }, null, 2),
      );
    else
      write(
        `configs/${word()}/${ident()}_${i}.yaml`,
        `${ident()}: ${r().toFixed(3)}\n${ident()}:\n  - ${word()}\n  - ${word()}\nsteps: ${Math.floor(r() * 1000)}\n`,
      );
  }
  // The handful of model references a real application makes: pinned, unpinned, a pipeline, a config key.
  const commit = createHash('sha1').update('reviewed').digest('hex');
  const refs = {
    'src/train/finetune.py': `from transformers import AutoModelForSequenceClassification, AutoTokenizer\n\nBASE = "FacebookAI/roberta-base"\nmodel = AutoModelForSequenceClassification.from_pretrained(BASE, revision="${commit}")\ntokenizer = AutoTokenizer.from_pretrained(BASE, revision="${commit}")\n`,
    'src/serving/embed.py': `from sentence_transformers import SentenceTransformer\n\nencoder = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")\n`,
    'src/serving/download.py': `from huggingface_hub import hf_hub_download\n\npath = hf_hub_download(repo_id="acme/classifier", filename="model.safetensors", revision="main")\n`,
    'web/worker/transcribe.js': `import { pipeline } from '@huggingface/transformers';\n\nconst asr = await pipeline('automatic-speech-recognition', 'onnx-community/whisper-base', { revision: '${commit}' });\n`,
    'app/web/sentiment.ts': `import { pipeline } from '@huggingface/transformers';\n\nexport const classify = await pipeline('sentiment-analysis', 'Xenova/distilbert-base-uncased-finetuned-sst-2-english');\n`,
    'configs/train/base.yaml': `model_name_or_path: FacebookAI/roberta-base\nlearning_rate: 0.00002\n`,
  };
  for (const [rel, text] of Object.entries(refs)) write(rel, text);
  counts.references = 7;
  // A lockfile and a requirements file, as the repository's dependency scan reads them.
  const packages = { '': { name: 'app', version: '1.0.0', dependencies: {} } };
  for (let i = 0; i < 400; i++) {
    const name = `${word()}-${word()}-${i}`;
    packages[''].dependencies[name] = '^1.0.0';
    packages[`node_modules/${name}`] = {
      version: `1.${i % 10}.${i % 7}`,
      resolved: `https://registry.npmjs.org/${name}/-/${name}-1.${i % 10}.${i % 7}.tgz`,
      integrity: `sha512-${createHash('sha512').update(name).digest('base64')}`,
    };
  }
  write(
    'package.json',
    JSON.stringify({ name: 'app', version: '1.0.0', dependencies: packages[''].dependencies }, null, 2),
  );
  write(
    'package-lock.json',
    JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  write(
    'requirements.txt',
    Array.from({ length: 40 }, (_, i) => `${word()}-${word()}-${i}==1.${i}.0`).join('\n') + '\n',
  );
  // A few model files: safetensors weights, a NumPy array, a small pickle (a plain dict).
  const floats = Buffer.alloc(4 * 16_384);
  for (let i = 0; i < 16_384; i++) floats.writeFloatLE(r(), i * 4);
  for (const name of ['encoder', 'decoder', 'head']) {
    let header = JSON.stringify({ w: { dtype: 'F32', shape: [16_384], data_offsets: [0, floats.length] } });
    header += ' '.repeat((8 - (header.length % 8)) % 8);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(
      path.join(mkdirp(dir, 'models'), `${name}.safetensors`),
      Buffer.concat([len, Buffer.from(header), floats]),
    );
    counts.models++;
  }
  let npyHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (16384,), }";
  npyHeader += ' '.repeat(63 - ((10 + npyHeader.length) % 64)) + '\n';
  const npyLen = Buffer.alloc(2);
  npyLen.writeUInt16LE(npyHeader.length);
  writeFileSync(
    path.join(dir, 'models', 'mean.npy'),
    Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), npyLen, Buffer.from(npyHeader), floats]),
  );
  // pickle protocol 2 of {'labels': 3}: PROTO 2, EMPTY_DICT, BINPUT, BINUNICODE 'labels', BINPUT, BININT1 3, SETITEM, STOP
  writeFileSync(
    path.join(dir, 'models', 'labels.pkl'),
    Buffer.from('80027d71005806000000' + '6c6162656c73' + '71014b03732e', 'hex'),
  );
  counts.models += 2;
  sourceSizes.sort((a, b) => a - b);
  const at = (q) => sourceSizes[Math.min(sourceSizes.length - 1, Math.floor(q * sourceSizes.length))];
  counts.sizes = { median: at(0.5), p90: at(0.9), max: sourceSizes[sourceSizes.length - 1] };
  return counts;
}

function mkdirp(dir, rel) {
  const abs = path.join(dir, rel);
  mkdirSync(abs, { recursive: true });
  return abs;
}
