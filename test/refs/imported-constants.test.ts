import { describe, expect, it } from 'vitest';
import {
  findPythonReferencesInWholeFile,
  findPythonReferencesWithParser,
  pythonImports,
  pythonModuleValues,
} from '../../src/refs/python.js';
import { findPythonReferencesFast } from '../../src/refs/python-fast.js';
import { importedJavaScriptModule, importedModuleFile } from '../../src/refs/module-paths.js';
import { javaScriptModuleValues } from '../../src/refs/javascript.js';
import type { ImportedValues } from '../../src/refs/types.js';
import { refsStage } from '../../src/refs/stage.js';
import { scanWith } from '../helpers/scan.js';
import { tempTrees } from '../helpers/temp-tree.js';

/**
 * A model name or revision a file imports from a module of the repository (`from .config import MODEL_ID`) is the
 * value that module binds, found the way Python's import system finds the module (module-paths.ts), read from
 * its top-level bindings only (python.ts `pythonModuleValues`), and bound in the importing file before its
 * statements — by both Python readers alike.
 */
const repo = tempTrees('cp-refs-imported-');

describe('where an imported name is defined (module-paths.ts)', () => {
  const files = new Set([
    'src/app/__init__.py',
    'src/app/config.py',
    'src/app/train.py',
    'src/app/models/__init__.py',
    'src/app/models/load.py',
    'src/app/models/names.py',
    'src/settings/__init__.py',
    'src/settings.py',
    'src/common.py',
    'common.py',
    'tools/only.py',
  ]);
  const exists = (p: string) => files.has(p);
  it.each([
    ['sibling module', 'src/app/train.py', '.config.MODEL_ID', 'src/app/config.py MODEL_ID'],
    ['parent package', 'src/app/models/load.py', '..config.MODEL_ID', 'src/app/config.py MODEL_ID'],
    [
      'the package __init__ (from . import X)',
      'src/app/models/load.py',
      '..MODEL_ID',
      'src/app/models/__init__.py MODEL_ID',
    ],
    // `from . import names` imports the submodule, not a constant.
    ['a submodule is no constant', 'src/app/models/load.py', '..names', undefined],
    ['above the root', 'src/app/train.py', '....config.X', undefined],
    ['missing module', 'src/app/train.py', '.nope.X', undefined],
    // FileFinder: a package folder wins over a module file of the same name.
    ['package over module', 'src/app/train.py', '..settings.X', 'src/settings/__init__.py X'],
    ['absolute, one candidate', 'src/app/models/load.py', 'app.config.MODEL_ID', 'src/app/config.py MODEL_ID'],
    ['absolute from the root', 'tools/only.py', 'src.app.config.MODEL_ID', 'src/app/config.py MODEL_ID'],
    // src/common.py and common.py: which loads depends on how the program starts.
    ['absolute, two candidates', 'src/app/train.py', 'common.X', undefined],
    ['a library', 'src/app/train.py', 'transformers.AutoModel', undefined],
    ['a module itself (import config)', 'src/app/train.py', 'config', undefined],
  ])('%s', (_name, importer, target, want) => {
    const got = importedModuleFile(importer, target, exists);
    expect(got && `${got.file} ${got.name}`).toBe(want);
  });
});

describe('what a module binds at its top level (pythonModuleValues)', () => {
  const values = (text: string) =>
    Object.fromEntries([...pythonModuleValues('config.py', text)].map(([k, v]) => [k, v]));
  it('constants, f-strings, annotated names and env reads; names bound more than once are left out', () => {
    const text = [
      'import os',
      'from .base import ROOT',
      'ORG = "acme"',
      'MODEL_ID = f"{ORG}/classifier"',
      'REVISION: str = "0123456789abcdef0123456789abcdef01234567"',
      'ENCODER = os.environ.get("ENCODER_ID", "org/encoder")',
      'TWICE = "a/b"',
      'TWICE = "c/d"',
      'COUNTED = "a/b"',
      'COUNTED += "-v2"',
      'BRANCHED = "a/b"',
      'if os.environ.get("X"):',
      '    BRANCHED = "c/d"',
      'PAIR_A, PAIR_B = "a/b", "c/d"',
      'PAIR_A2 = "a/b"',
      'PAIR_A2, OTHER = "x", "y"',
      'ROOT = "shadowed/import"',
      'def f():',
      '    LOCAL = "org/local"',
      'class C:',
      '    ATTR = "org/attr"',
      // The import of ROOT is rebound before this line: its value here is the file's.
      'DERIVED = ROOT + "/x"',
      'for LOOPED in ("a/b",):',
      '    pass',
      'LOOPED = "a/b"',
      'with open("p") as OPENED:',
      '    pass',
      'OPENED = "a/b"',
      'CHAINED = FIRST = "a/b"',
      'FIRST = "c/d"',
      'if (WALRUS := "a/b"):',
      '    pass',
      'WALRUS = "a/b"',
      'def ANNOTATED_AND_DEF(): pass',
      'ANNOTATED_AND_DEF: str = "a/b"',
    ].join('\n');
    expect(values(text)).toEqual({
      ORG: { value: 'acme' },
      MODEL_ID: { value: 'acme/classifier' },
      REVISION: { value: '0123456789abcdef0123456789abcdef01234567' },
      ENCODER: { env: { variable: 'ENCODER_ID', fallback: 'org/encoder' } },
      DERIVED: { value: 'shadowed/import/x' },
    });
  });
});

describe('both readers bind imported values alike', () => {
  const imported: ImportedValues = new Map([
    ['MODEL_ID', { value: 'acme/classifier' }],
    ['config.MODEL_ID', { value: 'acme/through-module' }],
    ['config.ENC', { env: { variable: 'ENC_ID', fallback: 'org/enc' } }],
    ['REV', { value: '0123456789abcdef0123456789abcdef01234567' }],
    ['ENC', { env: { variable: 'ENCODER_ID', fallback: 'org/encoder' } }],
  ]);
  const show = (r: ReturnType<typeof findPythonReferencesInWholeFile>) => [
    ...r.references.map((x) => `${x.line} ${x.repoId}@${x.revision ?? '-'}${x.nameFrom ? ` from ${x.nameFrom}` : ''}`),
    ...r.dynamic.map((d) => `${d.line} dynamic`),
  ];
  it.each([
    {
      name: 'name and revision',
      text: 'from transformers import AutoModel\nfrom .config import MODEL_ID, REV\nm = AutoModel.from_pretrained(MODEL_ID, revision=REV)\n',
      want: ['3 acme/classifier@0123456789abcdef0123456789abcdef01234567'],
    },
    {
      name: 'an env read with its default',
      text: 'from sentence_transformers import SentenceTransformer\nfrom .config import ENC\ne = SentenceTransformer(ENC)\n',
      want: ['3 org/encoder@- from ENCODER_ID'],
    },
    {
      name: 'built on in the file',
      text: 'from transformers import AutoModel\nfrom .config import MODEL_ID\nNAME = MODEL_ID + "-large"\nm = AutoModel.from_pretrained(NAME)\n',
      want: ['4 acme/classifier-large@-'],
    },
    {
      name: 'attributes of a module imported whole',
      text: 'import config\nfrom transformers import AutoModel\nfrom sentence_transformers import SentenceTransformer\nm = AutoModel.from_pretrained(config.MODEL_ID)\ne = SentenceTransformer(config.ENC)\n',
      want: ['4 acme/through-module@-', '5 org/enc@- from ENC_ID'],
    },
    {
      // Rebound in the file to another value: which one the call sees is decided at run time.
      name: 'rebound in the file',
      text: 'from transformers import AutoModel\nfrom .config import MODEL_ID\nMODEL_ID = "org/other"\nm = AutoModel.from_pretrained(MODEL_ID)\n',
      want: ['4 dynamic'],
    },
  ])('$name', ({ text, want }) => {
    const whole = findPythonReferencesInWholeFile('src/app/train.py', text, () => false, imported);
    const fast = findPythonReferencesFast('src/app/train.py', text, () => false, imported);
    expect(fast).toEqual(whole);
    expect(show(whole)).toEqual(want);
  });

  // A file the snippet cannot vouch for (HfArgumentParser's dataclasses are read over the whole file) is parsed
  // whole: the imported values still bind there.
  it('a file parsed whole binds them too', () => {
    const text =
      'from transformers import AutoModel, HfArgumentParser\nfrom .config import MODEL_ID\nm = AutoModel.from_pretrained(MODEL_ID)\n';
    expect(findPythonReferencesFast('src/app/train.py', text, () => false, imported)).toBeUndefined();
    expect(show(findPythonReferencesWithParser('src/app/train.py', text, () => false, imported))).toEqual([
      '3 acme/classifier@-',
    ]);
  });

  it('pythonImports lists every binding with its target, and the attributes the file assigns', () => {
    const text =
      'import os\nfrom .config import A, B as C\nfrom . import D\nimport x.y as z\nz.K = 1\nD.N += "x"\nz.L == 2\n';
    expect(pythonImports(text)).toEqual({
      bindings: [
        ['os', 'os'],
        ['A', '.config.A'],
        ['C', '.config.B'],
        ['D', '..D'],
        ['z', 'x.y'],
      ],
      assignedAttributes: new Set(['z.K', 'D.N']),
    });
  });
});

describe('a scan reads the module an import names', () => {
  const LOAD = 'from transformers import AutoModel\n';
  const COMMIT = '0123456789abcdef0123456789abcdef01234567';

  it('relative and absolute imports; a module minified, two candidates or a name bound twice stay run-time notes', async () => {
    const root = repo({
      'src/app/__init__.py': '',
      'src/app/config.py': `MODEL_ID = "acme/classifier"\nREVISION = "${COMMIT}"\nTWICE = "a/b"\nTWICE = "c/d"\n`,
      'src/app/train.py': `${LOAD}from .config import MODEL_ID, REVISION, TWICE\nm = AutoModel.from_pretrained(MODEL_ID, revision=REVISION)\nt = AutoModel.from_pretrained(TWICE)\n`,
      'pkg/settings/__init__.py': 'BASE_MODEL = "google/flan-t5-base"\n',
      'pkg/run.py': `${LOAD}from pkg.settings import BASE_MODEL\nm = AutoModel.from_pretrained(BASE_MODEL)\n`,
      // Two modules named `common`: which one `from common import X` loads depends on how the program starts.
      'common.py': 'X = "org/root"\n',
      'svc/common.py': 'X = "org/svc"\n',
      'svc/serve.py': `${LOAD}from common import X\nm = AutoModel.from_pretrained(X)\n`,
      'gen/names.py': `NAME = "org/generated"; ${'x = 1; '.repeat(400)}\n`,
      'gen/use.py': `${LOAD}from .names import NAME\nm = AutoModel.from_pretrained(NAME)\n`,
    });
    const r = await scanWith(root, [refsStage]);
    expect((r.references ?? []).map((x) => `${x.path}:${x.line} ${x.repoId}@${x.revision ?? '-'}`)).toEqual([
      'pkg/run.py:3 google/flan-t5-base@-',
      `src/app/train.py:3 acme/classifier@${COMMIT}`,
    ]);
    expect(
      r.findings
        .filter((f) => f.ruleId === 'CPR010')
        .map((f) => `${f.location.path}:${f.location.line}`)
        .sort(),
    ).toEqual(['gen/use.py:3', 'src/app/train.py:4', 'svc/serve.py:3']);
  });
});

describe('a pydantic-settings instance a module binds', () => {
  it('`from .config import settings`: each field an env read with its default, named by its variable', async () => {
    const COMMIT = '0123456789abcdef0123456789abcdef01234567';
    const root = repo({
      'app/__init__.py': '',
      'app/config.py': [
        'from pydantic_settings import BaseSettings, SettingsConfigDict',
        'class Settings(BaseSettings):',
        '    model_config = SettingsConfigDict(env_prefix="svc_")',
        '    model_id: str = "acme/served"',
        `    model_revision: str = "${COMMIT}"`,
        'settings = Settings()',
        '',
      ].join('\n'),
      'app/main.py': [
        'from transformers import pipeline',
        'from .config import settings',
        'clf = pipeline("text-classification", model=settings.model_id, revision=settings.model_revision)',
        '',
      ].join('\n'),
    });
    const r = await scanWith(root, [refsStage]);
    expect(
      (r.references ?? []).map(
        (x) => `${x.path}:${x.line} ${x.repoId}@${x.revision ?? '-'} ${x.nameFrom} ${x.revisionFrom} ${x.definedIn}`,
      ),
    ).toEqual([`app/main.py:3 acme/served@${COMMIT} SVC_MODEL_ID SVC_MODEL_REVISION app/config.py`]);
  });
});

describe('a module imported whole is read through its attributes', () => {
  const COMMIT = 'fedcba9876543210fedcba9876543210fedcba98';

  it('import config / import pkg.config as cfg / from . import config; an attribute the file assigns is run time', async () => {
    const root = repo({
      'config.py': `MODEL_NAME = "acme/base"\nREVISION = "${COMMIT}"\nENCODER = __import__("os").environ.get("ENC", "org/enc")\n`,
      'train.py':
        'import config\nfrom transformers import AutoModel\n' +
        'm = AutoModel.from_pretrained(config.MODEL_NAME, revision=config.REVISION)\n',
      'pkg/__init__.py': '',
      'pkg/settings.py': 'import os\nENCODER = os.getenv("ENCODER_ID", "org/encoder")\nLARGE = "acme/large"\n',
      'pkg/serve.py':
        'from . import settings\nfrom sentence_transformers import SentenceTransformer\n' +
        'e = SentenceTransformer(settings.ENCODER)\n',
      'tools/eval.py':
        'import pkg.settings as cfg\nfrom transformers import AutoModel\n' +
        'cfg.LARGE = "acme/other"\nm = AutoModel.from_pretrained(cfg.LARGE)\n',
    });
    const r = await scanWith(root, [refsStage]);
    expect(
      (r.references ?? []).map(
        (x) =>
          `${x.path}:${x.line} ${x.repoId}@${x.revision ?? '-'}${x.nameFrom ? ` ${x.nameFrom}` : ''} ${x.definedIn}`,
      ),
    ).toEqual(['pkg/serve.py:3 org/encoder@- ENCODER_ID pkg/settings.py', `train.py:3 acme/base@${COMMIT} config.py`]);
    expect(r.findings.filter((f) => f.ruleId === 'CPR010').map((f) => `${f.location.path}:${f.location.line}`)).toEqual(
      ['tools/eval.py:4'],
    );
    const cpr001 = r.findings.find((f) => f.ruleId === 'CPR001' && f.location.path === 'pkg/serve.py');
    expect(cpr001?.message).toContain('(as imported from pkg/settings.py)');
    // SARIF's relatedLocations: where the value to pin is written.
    expect(cpr001?.related).toEqual([{ path: 'pkg/settings.py' }]);
  });
});

describe('JavaScript and TypeScript: values a relative import names', () => {
  const files = new Set([
    'app/constants.ts',
    'app/models/index.ts',
    'app/twin.ts',
    'app/both.ts',
    'app/both.js',
    'app/plain.js',
  ]);
  const exists = (p: string) => files.has(p);
  it.each([
    ['no extension, one file', 'app/worker.ts', './constants', 'app/constants.ts'],
    ["TypeScript's twin of .js", 'app/worker.ts', './twin.js', 'app/twin.ts'],
    ['as written', 'app/worker.ts', './plain.js', 'app/plain.js'],
    ['a folder index', 'app/worker.ts', './models', 'app/models/index.ts'],
    ['from a subfolder', 'app/models/index.ts', '../constants', 'app/constants.ts'],
    ["the parent folder's index ('..')", 'app/models/load/run.ts', '..', 'app/models/index.ts'],
    ["the folder's own index ('.')", 'app/models/run.ts', '.', 'app/models/index.ts'],
    ['a folder with no index', 'app/run.ts', '.', undefined],
    ['two candidates', 'app/worker.ts', './both', undefined],
    ['a package', 'app/worker.ts', 'constants', undefined],
    ['above the root', 'app/worker.ts', '../../constants', undefined],
  ])('%s', (_name, importer, specifier, want) => {
    expect(importedJavaScriptModule(importer, specifier, exists)).toBe(want);
  });

  it('what a module exports: top-level consts, export lists, the default object, env fallbacks', () => {
    const text = [
      "export const DEFAULT_MODEL = 'Xenova/whisper-tiny';",
      "const ORG = 'acme';",
      'const NAME = `${ORG}/encoder`;',
      'export { NAME, NAME as ENCODER };',
      "export const MODELS = { asr: 'onnx-community/whisper-base', nested: { tts: 'acme/tts' } };",
      "MODELS.nested.tts = 'other/tts';",
      "export let MOVABLE = 'acme/let';",
      "export const FROM_ENV = process.env.MODEL_ID ?? 'acme/env-default';",
      "export { ELSEWHERE } from './other';",
      "export default { asr: 'acme/default-asr', revision: '0123456789abcdef0123456789abcdef01234567' };",
    ].join('\n');
    expect(Object.fromEntries(javaScriptModuleValues('app/constants.ts', text))).toEqual({
      DEFAULT_MODEL: { value: 'Xenova/whisper-tiny' },
      NAME: { value: 'acme/encoder' },
      ENCODER: { value: 'acme/encoder' },
      'MODELS.asr': { value: 'onnx-community/whisper-base' },
      FROM_ENV: { env: { variable: 'MODEL_ID', fallback: 'acme/env-default' } },
      'default.asr': { value: 'acme/default-asr' },
      'default.revision': { value: '0123456789abcdef0123456789abcdef01234567' },
    });
  });

  it('a scan resolves named, namespace and default imports', async () => {
    const COMMIT = '0123456789abcdef0123456789abcdef01234567';
    const root = repo({
      'app/constants.ts': [
        "export const DEFAULT_MODEL = 'Xenova/whisper-tiny';",
        "export const MODELS = { tts: 'Xenova/speecht5_tts' };",
        `export default { ASR: 'onnx-community/whisper-base', REVISION: '${COMMIT}' };`,
      ].join('\n'),
      'app/worker.ts': [
        "import { pipeline } from '@huggingface/transformers';",
        "import C, { DEFAULT_MODEL as M, MODELS } from './constants';",
        "import * as K from './constants.js';",
        "const a = await pipeline('automatic-speech-recognition', M);",
        "const b = await pipeline('automatic-speech-recognition', C.ASR, { revision: C.REVISION });",
        "const c = await pipeline('text-to-speech', MODELS.tts);",
        "const d = await pipeline('automatic-speech-recognition', K.DEFAULT_MODEL);",
      ].join('\n'),
    });
    const r = await scanWith(root, [refsStage]);
    expect(
      (r.references ?? []).map((x) => `${x.path}:${x.line} ${x.repoId}@${x.revision ?? '-'} ${x.definedIn}`),
    ).toEqual([
      'app/worker.ts:4 Xenova/whisper-tiny@- app/constants.ts',
      `app/worker.ts:5 onnx-community/whisper-base@${COMMIT} app/constants.ts`,
      'app/worker.ts:6 Xenova/speecht5_tts@- app/constants.ts',
      'app/worker.ts:7 Xenova/whisper-tiny@- app/constants.ts',
    ]);
    expect(r.findings.filter((f) => f.ruleId === 'CPR010')).toEqual([]);
  });

  it("a Vue, Svelte or Astro component's script imports a module's constant; its markup is no code", async () => {
    const root = repo({
      'src/models.ts': "export const EMBEDDER = 'Xenova/all-MiniLM-L6-v2';",
      'src/Search.vue': [
        '<template>',
        "  <p>{{ pipeline('x', 'acme/in-markup') }}</p>",
        '</template>',
        '<script setup lang="ts">',
        "import { pipeline } from '@huggingface/transformers';",
        "import { EMBEDDER } from './models';",
        "const embed = await pipeline('feature-extraction', EMBEDDER);",
        '</script>',
      ].join('\n'),
      'src/Chat.svelte': [
        '<script>',
        "  import { pipeline } from '@xenova/transformers';",
        "  import { EMBEDDER as M } from './models.js';",
        "  const embed = pipeline('feature-extraction', M);",
        '</script>',
      ].join('\n'),
      // Astro's frontmatter is the component's server code (javascript-components.ts `astroFrontmatter`).
      'src/pages/search.astro': [
        '---',
        "import { pipeline } from '@huggingface/transformers';",
        "import { EMBEDDER } from '../models';",
        "const embed = await pipeline('feature-extraction', EMBEDDER);",
        '---',
        "<p>pipeline('x', 'acme/in-markup')</p>",
      ].join('\n'),
    });
    const r = await scanWith(root, [refsStage]);
    expect(
      (r.references ?? []).map((x) => `${x.path}:${x.line}:${x.column} ${x.repoId} ${x.definedIn}`).sort(),
    ).toEqual([
      'src/Chat.svelte:4:17 Xenova/all-MiniLM-L6-v2 src/models.ts',
      'src/Search.vue:7:21 Xenova/all-MiniLM-L6-v2 src/models.ts',
      'src/pages/search.astro:4:21 Xenova/all-MiniLM-L6-v2 src/models.ts',
    ]);
    expect(r.findings.filter((f) => f.ruleId === 'CPR010')).toEqual([]);
  });
});

describe('JavaScript and TypeScript: a loader a module of the repository re-exports', () => {
  // ECMA-262 ResolveExport: `export { pipeline } from 'pkg'` and `import { pipeline } from 'pkg'; export { pipeline }`
  // export the package's own binding, so the importer's `pipeline(…)` is transformers.js's.
  it('follows `export … from` a package and an imported name exported again, one hop', async () => {
    const root = repo({
      'src/lib/transformers.js': [
        "import { pipeline, env } from '@huggingface/transformers';",
        'env.allowLocalModels = false;',
        'export { pipeline };',
      ].join('\n'),
      'src/lib/barrel.ts': "export { pipeline as makePipeline } from '@xenova/transformers';",
      'src/lib/other.ts': 'export function pipeline(task: string, id: string) { return [task, id]; }',
      'src/app.ts': [
        "import { pipeline } from './lib/transformers.js';",
        "import { makePipeline } from './lib/barrel';",
        "import { pipeline as local } from './lib/other';",
        "const clf = await pipeline('sentiment-analysis', 'acme/wrapped');",
        "const gen = await makePipeline('text-classification', 'acme/barrel', { revision: 'main' });",
        "const mine = local('transformers', 'acme/not-a-loader');",
      ].join('\n'),
    });
    const r = await scanWith(root, [refsStage]);
    expect(
      (r.references ?? []).map((x) => `${x.path}:${x.line} ${x.repoId}@${x.revision ?? '-'} ${x.definedIn}`),
    ).toEqual([
      'src/app.ts:4 acme/wrapped@- src/lib/transformers.js',
      'src/app.ts:5 acme/barrel@main src/lib/barrel.ts',
    ]);
  });
});

describe('CommonJS: module.exports and require()', () => {
  it('what a module exports: module.exports, its members, exports.X; a member set twice is the run time', () => {
    const text = [
      "const ORG = 'acme';",
      "module.exports = { ASR: `${ORG}/asr`, nested: { tts: 'acme/tts' }, TWICE: 'acme/first' };",
      "module.exports.EXTRA = 'acme/extra';",
      "exports.ALSO = 'acme/also';",
      "module.exports.TWICE = 'acme/second';",
    ].join('\n');
    expect(Object.fromEntries(javaScriptModuleValues('app/config.cjs', text))).toEqual({
      ASR: { value: 'acme/asr' },
      'nested.tts': { value: 'acme/tts' },
      EXTRA: { value: 'acme/extra' },
      ALSO: { value: 'acme/also' },
    });
  });

  it('a scan resolves require() whole, destructured and a member of it', async () => {
    const root = repo({
      'app/config.js':
        "module.exports = { MODEL: 'Xenova/distilbert-sst2', TTS: 'Xenova/speecht5_tts', ASR: 'Xenova/whisper-tiny' };\n",
      'app/main.js': [
        "const { pipeline } = require('@huggingface/transformers');",
        "const config = require('./config');",
        "const { TTS: tts } = require('./config.js');",
        "pipeline('sentiment-analysis', config.MODEL);",
        "pipeline('text-to-speech', tts);",
        "const asr = require('./config').ASR;",
        "pipeline('automatic-speech-recognition', asr);",
      ].join('\n'),
    });
    const r = await scanWith(root, [refsStage]);
    expect((r.references ?? []).map((x) => `${x.path}:${x.line} ${x.repoId} ${x.definedIn}`)).toEqual([
      'app/main.js:4 Xenova/distilbert-sst2 app/config.js',
      'app/main.js:5 Xenova/speecht5_tts app/config.js',
      'app/main.js:7 Xenova/whisper-tiny app/config.js',
    ]);
    expect(r.findings.filter((f) => f.ruleId === 'CPR010')).toEqual([]);
  });
});

describe('a notebook imports from the repository too', () => {
  it('from config import MODEL in a code cell: the kernel starts in the notebook folder', async () => {
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# Fine-tune'] },
        {
          cell_type: 'code',
          metadata: {},
          execution_count: null,
          outputs: [],
          source: ['from transformers import AutoModel\n', 'from config import MODEL\n'],
        },
        {
          cell_type: 'code',
          metadata: {},
          execution_count: null,
          outputs: [],
          source: ['model = AutoModel.from_pretrained(MODEL)\n'],
        },
      ],
    };
    const root = repo({
      'notebooks/config.py': 'MODEL = "acme/notebook-model"\n',
      'notebooks/train.ipynb': JSON.stringify(notebook, null, 1),
    });
    const r = await scanWith(root, [refsStage]);
    expect((r.references ?? []).map((x) => `${x.path} ${x.repoId} ${x.definedIn}`)).toEqual([
      'notebooks/train.ipynb acme/notebook-model notebooks/config.py',
    ]);
  });
});

describe('a module builds its values from another module of the repository', () => {
  it('one step: settings → config → train, a re-exported name, and a cycle that ends', async () => {
    const root = repo({
      'app/__init__.py': '',
      'app/settings.py': 'ORG = "acme"\nREVISION = "0123456789abcdef0123456789abcdef01234567"\n',
      'app/config.py': 'from .settings import ORG, REVISION\nMODEL = f"{ORG}/classifier"\n',
      'app/train.py':
        'from transformers import AutoModel\nfrom .config import MODEL, REVISION\n' +
        'm = AutoModel.from_pretrained(MODEL, revision=REVISION)\n',
      // a imports b and b imports a: each sees the other's own values, and the scan ends.
      'loop/__init__.py': '',
      'loop/a.py': 'from .b import B\nA = "acme/" + B\n',
      'loop/b.py': 'from .a import A\nB = "loop"\nC = A\n',
      'loop/use.py':
        'from transformers import AutoModel\nfrom .a import A\nfrom .b import C\nAutoModel.from_pretrained(A)\nAutoModel.from_pretrained(C)\n',
      'web/settings.ts': "export const ORG = 'Xenova';\n",
      'web/models.ts': "import { ORG } from './settings';\nexport const ASR = `${ORG}/whisper-tiny`;\n",
      'web/worker.ts':
        "import { pipeline } from '@huggingface/transformers';\nimport { ASR } from './models';\n" +
        "export const asr = await pipeline('automatic-speech-recognition', ASR);\n",
    });
    const r = await scanWith(root, [refsStage]);
    expect(
      (r.references ?? []).map((x) => `${x.path}:${x.line} ${x.repoId}@${x.revision ?? '-'} ${x.definedIn}`),
    ).toEqual([
      'app/train.py:3 acme/classifier@0123456789abcdef0123456789abcdef01234567 app/config.py',
      'loop/use.py:4 acme/loop@- loop/a.py',
      // b's C is a's own A, which a builds from b's B: two steps, not followed.
      'web/worker.ts:3 Xenova/whisper-tiny@- web/models.ts',
    ]);
    expect(r.findings.filter((f) => f.ruleId === 'CPR010').map((f) => `${f.location.path}:${f.location.line}`)).toEqual(
      ['loop/use.py:5'],
    );
  });
});

describe('a barrel module re-exports what other modules export', () => {
  it('export { a as b } from, export * from, export * as ns from, and an imported name exported again', async () => {
    const root = repo({
      'web/models.ts': [
        "export const ORG = 'Xenova';",
        "export const MODELS = { embed: 'Xenova/all-MiniLM-L6-v2' };",
        "export const SHARED = 'acme/from-models';",
        "export default 'acme/default-not-starred';",
      ].join('\n'),
      'web/other.ts': "export const SHARED = 'acme/from-other';\nexport const OWN = 'acme/shadowed';\n",
      'web/index.ts': [
        "export { MODELS as CONF } from './models';",
        "export * from './models';",
        "export * from './other';",
        "export * as NS from './models.js';",
        "import { MODELS } from './models';",
        'export { MODELS as AGAIN };',
        "export const OWN = 'acme/own';",
      ].join('\n'),
      'web/worker.ts': [
        "import { pipeline } from '@huggingface/transformers';",
        "import { CONF, ORG, NS, AGAIN, OWN, SHARED } from './index';",
        "import * as B from './index';",
        "await pipeline('feature-extraction', CONF.embed);",
        "await pipeline('feature-extraction', `${ORG}/whisper-tiny`);",
        "await pipeline('feature-extraction', NS.SHARED);",
        "await pipeline('feature-extraction', AGAIN.embed);",
        "await pipeline('feature-extraction', OWN);",
        // Two `export *` give SHARED: ResolveExport finds it ambiguous, and nothing is exported by that name.
        "await pipeline('feature-extraction', SHARED);",
        // `export *` never re-exports a default.
        "await pipeline('feature-extraction', B.default);",
      ].join('\n'),
    });
    const r = await scanWith(root, [refsStage]);
    expect(
      (r.references ?? []).map((x) => `${x.path}:${x.line} ${x.repoId}@${x.revision ?? '-'} ${x.definedIn}`),
    ).toEqual([
      'web/worker.ts:4 Xenova/all-MiniLM-L6-v2@- web/index.ts',
      'web/worker.ts:5 Xenova/whisper-tiny@- web/index.ts',
      'web/worker.ts:6 acme/from-models@- web/index.ts',
      'web/worker.ts:7 Xenova/all-MiniLM-L6-v2@- web/index.ts',
      'web/worker.ts:8 acme/own@- web/index.ts',
    ]);
    expect(r.findings.filter((f) => f.ruleId === 'CPR010').map((f) => `${f.location.path}:${f.location.line}`)).toEqual(
      ['web/worker.ts:9', 'web/worker.ts:10'],
    );
  });
});

describe('a dict constant imported from a module of the repository', () => {
  it('SIZES[size] is one of its items, SIZES["small"] that one; a dict the importer changes is no set', async () => {
    const root = repo({
      'app/__init__.py': '',
      'app/settings.py':
        'SIZES = {"small": "distilbert/distilbert-base-uncased", "large": "FacebookAI/roberta-large"}\n',
      'app/train.py':
        'from transformers import AutoModel\nfrom .settings import SIZES\n' +
        'a = AutoModel.from_pretrained(SIZES[size])\nb = AutoModel.from_pretrained(SIZES["small"])\n',
      'app/tune.py':
        'from transformers import AutoModel\nfrom .settings import SIZES\nSIZES["small"] = "org/other"\n' +
        'c = AutoModel.from_pretrained(SIZES[size])\n',
    });
    const r = await scanWith(root, [refsStage]);
    expect(
      (r.references ?? []).map((x) => `${x.path}:${x.line} ${x.repoId}${x.oneOf ? ` oneOf:${x.oneOf}` : ''}`),
    ).toEqual([
      'app/train.py:3 distilbert/distilbert-base-uncased oneOf:2',
      'app/train.py:3 FacebookAI/roberta-large oneOf:2',
      'app/train.py:4 distilbert/distilbert-base-uncased',
    ]);
    expect(r.findings.filter((f) => f.ruleId === 'CPR010').map((f) => `${f.location.path}:${f.location.line}`)).toEqual(
      ['app/tune.py:4'],
    );
  });
});

describe('a kwargs dict imported from a module of the repository', () => {
  it('keeps its bools and a value left to run time: trust_remote_code=True runs code, a pin beside a dtype holds', async () => {
    const C = '0123456789abcdef0123456789abcdef01234567';
    const root = repo({
      'app/__init__.py': '',
      'app/settings.py':
        'import torch\n' +
        `TRUSTING = {"trust_remote_code": True, "revision": "${C}"}\n` +
        `CAREFUL = {"trust_remote_code": False, "revision": "${C}"}\n` +
        `TYPED = {"revision": "${C}", "torch_dtype": torch.float16}\n`,
      'app/load.py':
        'from transformers import AutoModel\nfrom .settings import TRUSTING, CAREFUL, TYPED\n' +
        'a = AutoModel.from_pretrained("acme/trusting", **TRUSTING)\n' +
        'b = AutoModel.from_pretrained("acme/careful", **CAREFUL)\n' +
        'c = AutoModel.from_pretrained("acme/typed", **TYPED)\n',
    });
    const r = await scanWith(root, [refsStage]);
    expect(
      r.findings
        .filter((f) => f.ruleId !== 'CPR003')
        .map((f) => `${f.ruleId} ${f.location.line}`)
        .sort(),
    ).toEqual(['CPR002 3']);
    expect((r.references ?? []).map((x) => `${x.line} ${x.repoId}@${x.revision ?? '-'}`)).toEqual([
      `3 acme/trusting@${C}`,
      `4 acme/careful@${C}`,
      `5 acme/typed@${C}`,
    ]);
  });
});

describe('each reference names the modules that decided it', () => {
  it('a name from one module, a revision from another', async () => {
    const COMMIT = '0123456789abcdef0123456789abcdef01234567';
    const root = repo({
      'app/__init__.py': '',
      'app/names.py': 'MODEL = "acme/encoder"\n',
      'app/revs.py': `REV = "${COMMIT}"\n`,
      'app/train.py':
        'from transformers import AutoModel\nfrom .names import MODEL\nfrom .revs import REV\n' +
        'a = AutoModel.from_pretrained(MODEL)\nb = AutoModel.from_pretrained(MODEL, revision=REV)\n',
    });
    const r = await scanWith(root, [refsStage]);
    expect((r.references ?? []).map((x) => `${x.line} ${x.repoId}@${x.revision ?? '-'} ${x.definedIn}`)).toEqual([
      '4 acme/encoder@- app/names.py',
      `5 acme/encoder@${COMMIT} app/names.py, app/revs.py`,
    ]);
  });
});
