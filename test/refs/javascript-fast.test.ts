import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJavaScriptReferences } from '../../src/refs/javascript.js';
import { findJavaScriptReferencesFast } from '../../src/refs/javascript-fast.js';
import { javaScriptPrograms } from './programs.js';
import { differentialRuns, itAgreesOnFixtures } from './differential-runs.js';

/**
 * javascript-fast.ts reads imports, loader calls and the constants they use from the tokens: whenever it answers, it
 * must answer exactly what @lezer/javascript's tree gives for the whole file (references and run-time notes, lines
 * and columns), and it must answer for the shapes ordinary code has, or the grammar loads after all (bench `refs`).
 */
const local = (p: string) => p === 'models/local';
const agrees = (name: string, text: string) => {
  const fast = findJavaScriptReferencesFast(name, text, local);
  if (fast) expect(fast).toEqual(findJavaScriptReferences(name, text, local));
  return fast !== undefined;
};
const REV = '0123456789abcdef0123456789abcdef01234567';
const IMPORT = `import { pipeline } from '@huggingface/transformers';\n`;

describe('findJavaScriptReferencesFast', () => {
  it.each([
    {
      name: 'pipeline-pinned',
      text: `import { pipeline } from '@huggingface/transformers';\n\nconst asr = await pipeline('automatic-speech-recognition', 'onnx-community/whisper-base', { revision: '${REV}' });\n`,
    },
    {
      name: 'alias-and-constants',
      text: `import { pipeline as make, env } from "@xenova/transformers";\nconst ORG = 'Xenova', NAME = \`\${ORG}/bert\`;\nconst REVISION = 'main'\nexport const p = make('fill-mask', NAME, { revision: REVISION, quantized: true });\n`,
    },
    {
      name: 'require-destructured',
      text: `const { AutoModel: M, AutoTokenizer } = require('@huggingface/transformers');\nconst m = M.from_pretrained('org/m' + "-v2", { revision: 'v1.0' });\nAutoTokenizer.from_pretrained(\`org/tok\`);\n`,
    },
    {
      // javascript-arguments.ts `startsLocal`: a `file://` / `indexeddb://` value is read from this machine.
      name: 'local-schemes',
      text: `import * as tf from '@tensorflow/tfjs-node';\nconst g = await tf.loadGraphModel('file://' + dir + '/model.json');\nconst h = await tf.loadLayersModel(\`indexeddb://\${name}\`);\nconst k = await tf.loadGraphModel('file://' + dir || url);\n`,
    },
    {
      name: 'dynamic-import',
      text: `const T = await import('@huggingface/transformers');\nconst id = getModel();\nawait T.pipeline('x', id);\nawait T.pipeline('y', ...args);\n`,
    },
    {
      name: 'onnx-and-tfjs',
      text: `import * as ort from 'onnxruntime-web';\nimport * as tf from '@tensorflow/tfjs';\nconst URL = 'https://huggingface.co/org/m/resolve/main/model.onnx';\nconst s = await ort.InferenceSession.create(URL, { executionProviders: ['wasm'] });\nconst g = await tf.loadGraphModel('https://example.com/model.json');\n`,
    },
    {
      name: 'hub-download',
      text: `import { downloadFile, snapshotDownload } from '@huggingface/hub';\nconst REPO = 'org/weights';\nconst blob = await downloadFile({ repo: REPO, path: 'model.safetensors', revision: 'main' });\nawait snapshotDownload({ repo: { name: REPO, type: 'model' } });\n`,
    },
    {
      name: 'in-functions-and-templates',
      text: `import { AutoModel } from '@huggingface/transformers';\nexport async function load(dir: string) {\n  const a = await AutoModel.from_pretrained(\`\${dir}/x\`);\n  return fmt(\`\${AutoModel.from_pretrained('org/in-template')}\`);\n}\nconst re = /from_pretrained\\(['"]x/g, half = n / 2;\n`,
    },
    {
      name: 'typed-code',
      text: `import type { Pipeline } from '@huggingface/transformers';\nimport { pipeline } from '@huggingface/transformers';\nconst MODEL: string = 'org/typed';\nconst n: Map<string, Array<number>> = new Map();\nexport const p = (await pipeline('fill-mask', MODEL)) as Pipeline;\n`,
    },
    {
      name: 'comments-and-strings',
      text: `// AutoModel.from_pretrained('org/comment')\n/* pipeline('a', 'org/block') */\nconst s = "AutoModel.from_pretrained('org/in-string')";\nAutoModel\n  .from_pretrained('org/chained-over-lines')\n  .then((m) => m);\n`,
    },
    // Type arguments make the callee an InstantiationExpression, which javascript.ts does not follow.
    { name: 'generic-call', text: `AutoModel.from_pretrained<Foo, Bar>('org/a');\n` },
    {
      // transformers.js env settings (transformersjs-env.ts), through an import alias and a namespace.
      name: 'env-remote-off',
      text: `import { env as E, pipeline } from '@huggingface/transformers';\nE.allowRemoteModels = false;\nawait pipeline('x', 'org/local');\n`,
    },
    {
      name: 'env-mirror',
      text: `import * as T from '@xenova/transformers';\nT.env.remoteHost = 'https://mirror.example/'\nawait T.pipeline('x', 'org/m');\n`,
    },
    {
      name: 'env-unknown-host',
      text: `import { env, pipeline } from '@huggingface/transformers';\nenv.remoteHost = 'https://a.example/'\n  + suffix;\nenv.allowRemoteModels ||= false;\nawait pipeline('x', 'org/m');\n`,
    },
    {
      // A module's member as a declaration's whole value binds the name to it, in both readers.
      name: 'module-members',
      text: `const made = require('@huggingface/transformers').pipeline;\nconst late = (await import('@xenova/transformers')).pipeline;\nawait made('x', 'org/required');\nawait late('x', 'org/imported');\n`,
    },
    {
      // A declaration in a case clause, and `for await (const …)`: statements javascript-fast.ts `checkStatements`
      // once took for syntax errors (prettier's bundle, pino's tests).
      name: 'case-clause-and-for-await',
      text: `${IMPORT}switch (kind) {\n  case 'a': const M = 'org/case';\n    break;\n  default: let n = 1;\n}\nfor await (const chunk of stream) total += chunk.length;\nawait pipeline('x', 'org/after-loop');\n`,
    },
  ])('decides $name alone, as the parser does', ({ name, text }) => {
    expect(agrees(`${name}.ts`, text)).toBe(true);
  });

  // The screen passes a file whose loader word stands only in comments when it has a backslash anywhere (an escape
  // could spell the module): read without its comments, it calls nothing, whatever else would send it to lezer (an
  // env fallback, a parameter's default) — express's application.js, prettier's bundles.
  it.each([
    {
      name: 'word-in-comments',
      text: `var env = process.env.NODE_ENV || 'development';\n/**\n * Starts pipeline processing.\n */\nfunction f(a = 'x') {\n  return a.split('\\n'); // a pipeline of steps\n}\n`,
    },
    {
      name: 'module-in-comments',
      text: `// import { pipeline } from '@huggingface/transformers';\nconst re = /\\d+/g;\n`,
    },
  ])(
    'decides a file whose loader words stand only in comments ($name): nothing, as the parser finds',
    ({ name, text }) => {
      expect(findJavaScriptReferencesFast(`${name}.js`, text, local)).toEqual({ references: [], dynamic: [] });
      expect(agrees(`${name}.js`, text)).toBe(true);
    },
  );

  // ECMAScript ends a line comment at any line terminator: a lone CR ends it, and the call after it runs in Node.
  it('reads a call after a line comment that a lone CR ends, in both readers', () => {
    const text = `${IMPORT}// note\rawait pipeline('x', 'org/after-cr');\n`;
    expect(agrees('cr.js', text)).toBe(true);
    expect(findJavaScriptReferences('cr.js', text, local).references).toMatchObject([
      { repoId: 'org/after-cr', line: 3, column: 7 },
    ]);
  });

  it("binds `require('m').x` and `(await import('m')).x` to the module's member", () => {
    const text = `const made = require('@huggingface/transformers').pipeline;\nconst late = (await import('@xenova/transformers')).pipeline;\nawait made('x', 'org/required');\nawait late('x', 'org/imported');\n`;
    const ids = (r: { references: { repoId?: string }[] } | undefined) => r?.references.map((x) => x.repoId);
    expect(ids(findJavaScriptReferencesFast('m.ts', text, local))).toEqual(['org/required', 'org/imported']);
    expect(ids(findJavaScriptReferences('m.ts', text, local))).toEqual(['org/required', 'org/imported']);
  });

  // A component's <script> elements (javascript-components.ts `componentScript`) are read by both, where they stand.
  it.each([
    {
      name: 'Comp.vue',
      text: `<template>\n  <p>{{ pipeline('x', 'org/markup') }}</p>\n</template>\n<script setup lang="ts">\n${IMPORT}await pipeline('x', 'org/vue');\n</script>\n`,
      want: [{ repoId: 'org/vue', line: 6, column: 7 }],
    },
    {
      name: 'Comp.svelte',
      text: `<!-- <script>pipeline('x', 'org/comment')</script> -->\n<script>\n${IMPORT}  pipeline('x', 'org/svelte');\n</script>\n<h1>pipeline('x', 'org/markup')</h1>\n`,
      want: [{ repoId: 'org/svelte', line: 4, column: 3 }],
    },
    {
      // A quoted attribute value may hold `>`; a start tag never closed opens no script (the tokenizer is still in it).
      name: 'Quoted.vue',
      text: `<script data-note="a > b">${IMPORT.trim()} pipeline('x', 'org/quoted');</script>\n<script setup\npipeline('x', 'org/unclosed');\n`,
      want: [{ repoId: 'org/quoted', line: 1, column: 81 }],
    },
    {
      // Astro: the frontmatter (the server's component script) and the client <script>s; the markup is text.
      name: 'Page.astro',
      text: `---\n${IMPORT}const p = await pipeline('x', 'org/server');\n---\n<h1>pipeline('x', 'org/markup')</h1>\n<script>\n${IMPORT}pipeline('x', 'org/client');\n</script>\n`,
      want: [
        { repoId: 'org/server', line: 3, column: 17 },
        { repoId: 'org/client', line: 8, column: 1 },
      ],
    },
    {
      // Frontmatter opens only at the start (white space before it); a later fence is markup, and so is what follows.
      name: 'Late.astro',
      text: `<p>intro</p>\n---\n${IMPORT}pipeline('x', 'org/markup');\n---\n`,
      want: [],
    },
  ])('reads only the <script> elements of $name, in both readers', ({ name, text, want }) => {
    expect(agrees(name, text)).toBe(true);
    const found = findJavaScriptReferences(name, text, local).references;
    expect(found).toHaveLength(want.length);
    expect(found).toMatchObject(want);
  });

  // An npm CDN's URL for the package (javascript-imports.ts `moduleOf`) binds as the bare name does, in both readers.
  it('binds a transformers.js import from an npm CDN to the package, in both readers', () => {
    const text = `import { pipeline } from 'https://cdn.jsdelivr.net/npm/@xenova/transformers@2.17.2';\nconst T = await import('https://esm.sh/@huggingface/transformers@3.0.0?bundle');\nawait pipeline('x', 'org/cdn');\nawait T.pipeline('y', 'org/esm');\n`;
    const ids = (r: { references: { repoId?: string }[] } | undefined) => r?.references.map((x) => x.repoId);
    expect(ids(findJavaScriptReferencesFast('cdn.js', text, local))).toEqual(['org/cdn', 'org/esm']);
    expect(ids(findJavaScriptReferences('cdn.js', text, local))).toEqual(['org/cdn', 'org/esm']);
  });

  it.each([
    { name: 'jsx', text: `const el = <Model id={AutoModel.from_pretrained('org/a')} />;\n` },
    { name: 'class-body', text: `class A {\n  m = AutoModel.from_pretrained('org/a');\n}\n` },
    { name: 'method-definition', text: `const o = {\n  from_pretrained(x) {\n    return x;\n  },\n};\n` },
    { name: 'optional-chain', text: `const m = T?.AutoModel.from_pretrained('org/a');\n` },
    { name: 'declaration-list-after-call', text: `const a = f(), M = 'org/a';\nAutoModel.from_pretrained(M);\n` },
    { name: 'regex-after-paren', text: `if (x) /from_pretrained/.test(s);\nAutoModel.from_pretrained('org/a');\n` },
    // javascript-members.ts: an object constant's member and a class field are the parser's to read.
    { name: 'object-member', text: `${IMPORT}const M = { asr: 'org/a' };\npipeline('asr', M.asr);\n` },
    {
      name: 'object-member-constant',
      text: `${IMPORT}const M = { asr: 'org/a' };\nconst N = M.asr;\npipeline('asr', N);\n`,
    },
    {
      name: 'class-field',
      text: `${IMPORT}class S {\n  static model = 'org/a';\n  static get() {\n    return pipeline('x', this.model);\n  }\n}\n`,
    },
  ])('leaves $name to the parser', ({ name, text }) => {
    expect(findJavaScriptReferencesFast(`${name}.tsx`, text, local)).toBeUndefined();
  });

  itAgreesOnFixtures(/\.(?:[cm]?[jt]sx?)$/, agrees);

  // Statements in the shapes real code has, and some this reader leaves to the parser, in random programs: every
  // answer it gives is the parser's. Many programs are decided alone (else the property would test nothing).
  const STATEMENTS = [
    `import { pipeline, AutoModel as M } from '@huggingface/transformers'`,
    `import { pipeline as make } from '@xenova/transformers'`,
    `import * as ort from 'onnxruntime-node'`,
    `import tf from '@tensorflow/tfjs'`,
    `import type { Foo } from './types.js'`,
    `let MODEL = 'org/let'`,
    `MODEL = pick()`,
    `MODEL += '-x'`,
    `MODEL++`,
    `for (MODEL of names()) {}`,
    `for (const MODEL of ['org/a', 'org/b']) {}`,
    `for (const NAME of ['org/loop-a', \`org/\${REV}\`]) { await pipeline('fill-mask', NAME) }`,
    `;[MODEL, REV] = pair()`,
    `;({ MODEL } = cfg)`,
    `const [NAME] = list`,
    `let a = 1, MODEL2 = 'org/second'`,
    `obj.MODEL = 'org/member'`,
    `import './side-effect.js'`,
    `import { downloadFile as dl } from '@huggingface/hub'`,
    `const { pipeline: p2, env } = require('@huggingface/transformers')`,
    `const hub = require('@huggingface/hub')`,
    `const T = await import('@huggingface/transformers')`,
    `const x = require('./local').pipeline`,
    // A module's member as the whole value: a loader bound to a name (`require('m').x`, `(await import('m')).x`).
    `const made = require('@huggingface/transformers').pipeline`,
    `const made = (await import('@xenova/transformers')).pipeline`,
    `const { pipeline: viaDefault } = (await import('@xenova/transformers')).default`,
    `const notBound = (await import('@huggingface/transformers')).pipeline('x', MODEL)`,
    `await made('fill-mask', MODEL)`,
    `await viaDefault('fill-mask', NAME)`,
    `const MODEL = 'org/model'`,
    `const MODEL = "other/model"`,
    `let MODEL = \`org/\${NAME}\``,
    `var NAME = 'tmpl'`,
    `const NAME = MODEL + '-v2', REV = '${REV}'`,
    `const BASE = (MODEL + "-v3")`,
    `const BAD = MODEL - 'x'`,
    `const ODD = 'a' + 'b' * 2`,
    `const REV = 'main'`,
    `const REV: string = 'typed'`,
    `const FLAG = true`,
    `env.allowRemoteModels = false`,
    `env.allowRemoteModels = FLAG`,
    `env.remoteHost = 'https://mirror.example/'`,
    `env.remoteHost = 'https://asi.example/'\n  + NAME`,
    `env.remoteHost = 'https://huggingface.co/'`,
    // Line breaks inside and after values: automatic semicolon insertion, or none.
    `const MODEL = 'asi/call'\n('x')`,
    `const MODEL = 'asi/plus'\n  + '-v2'`,
    `let NAME = \`asi\`\n\`tagged\``,
    `const NAME = 'asi/next-line'\nconst other = NAME`,
    `var REV = 'v1'\n[0].map(f)`,
    `const MODEL = 'asi/in' in cfg`,
    `MODEL = 'assigned/later'`,
    `const cfg = { model: MODEL, revision: REV }`,
    `const m = await M.from_pretrained(MODEL, { revision: REV })`,
    `const m = await M.from_pretrained(NAME, { revision: REV, progress_callback: (p) => { log(p, 1 / 2); } })`,
    `await pipeline('fill-mask', MODEL, { revision: REV, device: 'webgpu' })`,
    `await pipeline('fill-mask', \`\${MODEL}\`, { REV })`,
    `await make('text-classification', BASE)`,
    `p2('asr', 'org/' + NAME + '-asr', { ...opts, revision: 'v2' })`,
    `await T.pipeline('x', NAME)`,
    `const CFG = { model: 'org/cfg', nested: { id: MODEL } } as const`,
    `CFG.model = NAME`,
    `await pipeline('x', CFG.model, { revision: CFG.nested.id })`,
    `await pipeline('x', opts.model)`,
    `await ort.InferenceSession.create('https://huggingface.co/org/m/resolve/main/model.onnx')`,
    `await tf.loadGraphModel(\`https://storage.example.com/\${NAME}/model.json\`)`,
    `await tf.loadLayersModel(tf.io.http(\`https://storage.example.com/\${NAME}/model.json\`, opts))`,
    `await dl({ repo: MODEL, path: 'w.bin' })`,
    `await hub.snapshotDownload({ repo: { name: BASE, type: 'model' }, revision: REV })`,
    `await M.from_pretrained('models/local')`,
    `await M.from_pretrained(...args)`,
    `await M.from_pretrained(MODEL).then((m) => m.dispose())`,
    `const y = a / b / c`,
    `const r = /pipeline\\(/g.test(s)`,
    `const s = 'M.from_pretrained("org/in-string")'`,
    `// M.from_pretrained('org/comment')`,
    `/* pipeline('x', 'org/block') */`,
    `const t = \`\${M.from_pretrained('org/in-template')}\``,
    `const o = { a: [1, 2.5e3, null], b: { c: MODEL } }`,
    `for (const item of list) { total += item }`,
    `for (let i = 0, n = MODEL.length; i < n; i++) {}`,
    `const el = <div>{MODEL}</div>`,
    `x = cond ? M.from_pretrained(MODEL) : null`,
    `const q = a?.b.from_pretrained(MODEL)`,
    `this.model = M.from_pretrained(BASE)`,
    `new M.from_pretrained('org/new')`,
    // One of a set (javascript.ts `candidatesOf`): the reader without a parser leaves these to lezer.
    `const PICK = gpu ? 'org/a' : "org/b"`,
    `const SIZES = { tiny: 'org/tiny', base: MODEL }`,
    `SIZES[k] = 'org/other'`,
    `await pipeline('asr', SIZES[size])`,
    `await pipeline('asr', SIZES['tiny'], { device: gpu ? 'webgpu' : 'wasm' })`,
    `await make('asr', PICK)`,
    // TypeScript annotations and `as const` (javascript.ts reads past them; the reader without a parser leaves them).
    `const MODEL: string = 'org/typed'`,
    `let REV: string | undefined = 'main'`,
    `const NAMES = ['org/n1', 'org/n2'] as const`,
    `const NAMES: readonly string[] = ['org/n3', BASE]`,
    `NAMES.push('org/n4')`,
    `for (const NAME of NAMES) { await pipeline('fill-mask', NAME) }`,
    `for (const NAME of Object.values(SIZES)) { await pipeline('asr', NAME) }`,
    `for (const [k, NAME] of Object.entries(SIZES)) { await pipeline(k, NAME) }`,
    // TypeScript's assertions around literals (read alone), options objects by name and spreads (left to lezer).
    `const ID = 'org/as-const' as const`,
    `await pipeline('x', 'org/satisfies' satisfies string, { revision: REV as const })`,
    `await M.from_pretrained(ID!, { revision: 'main' })`,
    `const OPTS = { revision: REV }`,
    `const FROZEN = Object.freeze({ revision: '${REV}' })`,
    `await M.from_pretrained(ID, OPTS)`,
    `await pipeline('x', NAME, FROZEN)`,
    `await M.from_pretrained(MODEL, { ...OPTS, dtype: 'q8' })`,
    `OPTS.revision = NAME`,
    // Read by javascript.ts alone (`envOf`, `recordParameters`): with a loader call, or none, in the program.
    `const HOST = process.env.HOST ?? 'org/env-fallback'`,
    `const MODEL = process.env.MODEL || 'org/env-or'`,
    `const load = (model = 'org/param-default') => pipeline('x', model)`,
    `function named(id = NAME) { return id; }`,
    `env.remoteHost = process.env.HF_HOST || 'https://mirror.example/'`,
    `const stage = String(process.env.STAGE ?? 'dev')`,
  ];
  const program = javaScriptPrograms(STATEMENTS, 12);
  // 100 programs in the suite (it ran 400: a second of CPU); the bench runs thousands.
  const RUNS = differentialRuns(100);
  it('answers as the whole-file parse does in generated programs (fast-check)', () => {
    let decided = 0;
    fc.assert(
      fc.property(program, fc.boolean(), (text, hashbang) => {
        if (agrees('gen.ts', `${hashbang ? '#!/usr/bin/env node\n' : ''}${text}`)) decided++;
      }),
      { numRuns: RUNS },
    );
    // At least a tenth of the programs decide on the fast path (40 of the 400 the suite once ran).
    expect(decided).toBeGreaterThan(RUNS / 10);
  });
});
