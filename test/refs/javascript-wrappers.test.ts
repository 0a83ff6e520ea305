import { describe, expect, it } from 'vitest';
import { refsStage } from '../../src/refs/stage.js';
import { scanWith } from '../helpers/scan.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('cp-refs-js-wrappers-');

/** Each finding as `rule path:line repo@revision (definedIn)`, sorted. */
const shown = (r: Awaited<ReturnType<typeof scanWith>>) =>
  r.findings
    .filter((f) => f.ruleId !== 'CPR003')
    .map(
      (f) =>
        `${f.ruleId} ${f.location.path}:${f.location.line} ${String(f.evidence?.['repoId'])}@${String(
          f.evidence?.['revision'],
        )} (${String(f.evidence?.['definedIn'])})`,
    )
    .sort();

const ML = [
  "import { pipeline } from '@huggingface/transformers';",
  '',
  'export function embed(id) {',
  "  return pipeline('feature-extraction', id);",
  '}',
  "export const classify = (id, opts) => pipeline('text-classification', id, opts);",
  '',
].join('\n');

describe('JavaScript loader wrappers, one hop (javascript-wrappers.ts)', () => {
  it("reads the caller's literal id and options at the caller's line: ESM import, CommonJS require", async () => {
    const r = await scanWith(
      tree({
        'src/ml.js': ML,
        // The callers name no loader's package: the walk turns them away, this pass reads them.
        'src/app.js': [
          "import { embed, classify } from './ml.js';",
          '',
          "const a = await embed('acme/bert');",
          'const b = await classify(',
          "  'acme/two',",
          "  { revision: 'v1' },",
          ');',
          '',
        ].join('\n'),
        'src/cjs.js': "const ml = require('./ml');\nml.embed('acme/three');\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'CPR001 src/app.js:3 acme/bert@undefined (src/ml.js)',
      'CPR001 src/app.js:4 acme/two@v1 (src/ml.js)',
      'CPR001 src/cjs.js:2 acme/three@undefined (src/ml.js)',
    ]);
  });

  it('follows a TypeScript default export and a CommonJS exports.name, defaults bound as ECMAScript binds them', async () => {
    const r = await scanWith(
      tree({
        'lib/load.ts': [
          "import { AutoModel } from '@huggingface/transformers';",
          '',
          "export default async function (id: string, revision = 'main') {",
          '  return AutoModel.from_pretrained(id, { revision });',
          '}',
          '',
        ].join('\n'),
        'lib/cjs.js': [
          "const { pipeline } = require('@xenova/transformers');",
          "exports.load = function (model) { return pipeline('fill-mask', model); };",
          '',
        ].join('\n'),
        'main.ts': "import load from './lib/load';\n\nawait load('acme/ts');\n",
        'other.js': "const { load } = require('./lib/cjs.js');\nload('acme/cjs');\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'CPR001 main.ts:3 acme/ts@main (lib/load.ts)',
      'CPR001 other.js:2 acme/cjs@undefined (lib/cjs.js)',
    ]);
  });

  it('keeps the note of a wrapper no caller names; a caller passing a run-time name gets its own', async () => {
    const r = await scanWith(
      tree({
        'ml.js': ML,
        'own.js': 'export function embed(id) {\n  return id;\n}\n',
        'a.js': "import { embed } from './own.js';\nembed('acme/not-a-model');\n",
        'b.js': "import { embed } from './ml.js';\nembed(process.env.MODEL);\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'CPR010 b.js:2 undefined@undefined (undefined)',
      'CPR010 ml.js:6 undefined@undefined (undefined)',
    ]);
  });

  it("reads the wrapper's other arguments in its own module, not the caller's", async () => {
    const r = await scanWith(
      tree({
        'ml.js': [
          "import { pipeline } from '@huggingface/transformers';",
          'const revision = process.env.REV;',
          "export const load = (id) => pipeline('fill-mask', id, { revision });",
          '',
        ].join('\n'),
        'app.js': [
          "import { load } from './ml.js';",
          "const revision = '0123456789abcdef0123456789abcdef01234567';",
          "load('acme/x');",
          '',
        ].join('\n'),
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual(['CPR010 ml.js:3 undefined@undefined (undefined)']);
  });

  it('reads every call of a line at its own column, and keeps the note where a file passes the wrapper on', async () => {
    const r = await scanWith(
      tree({
        'ml.js': ML,
        'a.js': "import { embed } from './ml.js';\nconst two = [embed('acme/first'), embed('acme/second')];\n",
        'b.js': "import { embed } from './ml.js';\nawait Promise.all(process.argv.slice(2).map(embed));\n",
      }),
      [refsStage],
    );
    expect(
      r.findings
        .filter((f) => f.ruleId !== 'CPR003')
        .map((f) => `${f.ruleId} ${f.location.path}:${f.location.line}:${f.location.column}`)
        .sort(),
    ).toEqual(['CPR001 a.js:2:14', 'CPR001 a.js:2:35', 'CPR010 ml.js:4:10', 'CPR010 ml.js:6:39']);
  });

  it('follows a local function exported by name: export { f as g }, module.exports = { f }, exports.g = f', async () => {
    const local = [
      "const { pipeline } = require('@xenova/transformers');",
      '',
      'function embed(id) {',
      "  return pipeline('feature-extraction', id);",
      '}',
      "const classify = async (id) => pipeline('text-classification', id);",
      '',
    ].join('\n');
    const r = await scanWith(
      tree({
        'esm/ml.mjs':
          local.replace(/^const \{ pipeline \} = require\((.*)\);$/m, 'import { pipeline } from $1;') +
          'export { embed, classify as cls };\n',
        'esm/app.mjs': "import { embed, cls } from './ml.mjs';\nembed('acme/one');\ncls('acme/two');\n",
        'cjs/ml.js': local + 'module.exports = { embed, cls: classify };\n',
        'cjs/app.js': "const { embed, cls } = require('./ml');\nembed('acme/three');\ncls('acme/four');\n",
        'sub/ml.js': local + 'exports.vec = embed;\n',
        'sub/app.js': "const ml = require('./ml');\nml.vec('acme/five');\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'CPR001 cjs/app.js:2 acme/three@undefined (cjs/ml.js)',
      'CPR001 cjs/app.js:3 acme/four@undefined (cjs/ml.js)',
      'CPR001 esm/app.mjs:2 acme/one@undefined (esm/ml.mjs)',
      'CPR001 esm/app.mjs:3 acme/two@undefined (esm/ml.mjs)',
      'CPR001 sub/app.js:2 acme/five@undefined (sub/ml.js)',
      // classify is not exported from sub/ml.js: nobody can call it from outside, its note stands.
      'CPR010 sub/ml.js:6 undefined@undefined (undefined)',
    ]);
  });

  it('follows a CommonJS module that passes the package on whole: module.exports = require(pkg), { ...require(pkg) }', async () => {
    const r = await scanWith(
      tree({
        'a/ml.js': "module.exports = require('@huggingface/transformers');\n",
        'a/app.js': "const { pipeline } = require('./ml');\npipeline('feature-extraction', 'acme/cjs');\n",
        'b/ml.js': "const hf = require('@xenova/transformers');\nmodule.exports = hf;\n",
        'b/app.js': "const ml = require('./ml');\nml.pipeline('fill-mask', 'acme/named');\n",
        // The module's own `pipeline` is no loader; the rest are the package's.
        'c/ml.js': [
          'function pipeline(task, id) { return id; }',
          "module.exports = { ...require('@huggingface/transformers'), pipeline };",
          '',
        ].join('\n'),
        'c/app.js': [
          "const { pipeline, AutoModel } = require('./ml');",
          "pipeline('x', 'acme/own');",
          "AutoModel.from_pretrained('acme/pkg');",
          '',
        ].join('\n'),
        // Two assignments: which one `require()` returns is the run time's, so none is followed.
        'd/ml.js': "module.exports = require('@huggingface/transformers');\nmodule.exports = require('./other');\n",
        'd/other.js': 'module.exports = {};\n',
        'd/app.js': "const { pipeline } = require('./ml');\npipeline('x', 'acme/twice');\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'CPR001 a/app.js:2 acme/cjs@undefined (a/ml.js)',
      'CPR001 b/app.js:2 acme/named@undefined (b/ml.js)',
      'CPR001 c/app.js:3 acme/pkg@undefined (undefined)',
    ]);
  });
});
