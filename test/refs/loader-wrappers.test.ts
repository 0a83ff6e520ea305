import { describe, expect, it } from 'vitest';
import { wrapperSpecifierWords } from '../../src/refs/loader-wrappers.js';
import { refsStage } from '../../src/refs/stage.js';
import { scanWith } from '../helpers/scan.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('cp-refs-wrappers-');

const shown = (r: Awaited<ReturnType<typeof scanWith>>) =>
  r.findings
    .filter((f) => f.ruleId === 'CPR001')
    .map(
      (f) =>
        `${f.location.path}:${f.location.line} ${String(f.evidence?.['repoId'])} ${String(f.evidence?.['definedIn'])}`,
    );

/** A file that calls transformers.js's pipeline as a module of the repository gives it, naming no package itself. */
const importer = (specifier: string, comment = '') =>
  `${comment}import { pipeline } from '${specifier}';\n\nexport const embed = await pipeline('feature-extraction', 'acme/embedder');\n`;

describe('a loader a module of the repository re-exports (loader-wrappers.ts)', () => {
  it('reads a file the walk turned away that imports pipeline from a module re-exporting transformers.js', async () => {
    const r = await scanWith(
      tree({
        'web/lib/ml.js': "export { pipeline, env } from '@huggingface/transformers';\n",
        'web/search.js': importer('./lib/ml.js'),
        // The binding imported, then exported: the same module to Node.
        'app/hf.ts': "import { pipeline } from '@xenova/transformers';\nexport { pipeline };\n",
        'app/worker.ts': importer('./hf'),
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'app/worker.ts:3 acme/embedder app/hf.ts',
      'web/search.js:3 acme/embedder web/lib/ml.js',
    ]);
  });

  it('and one whose loader words stood only in a comment, which the quick reading passed over', async () => {
    const r = await scanWith(
      tree({
        'ml.js': "export { pipeline } from '@huggingface/transformers';\n",
        'use.js': importer('./ml.js', '// Embeddings through @huggingface/transformers (see ml.js).\n'),
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual(['use.js:4 acme/embedder ml.js']);
  });

  it("leaves a pipeline of the repository's own, and files that import nothing from a re-exporting module", async () => {
    const r = await scanWith(
      tree({
        'ml.js': "export { pipeline } from '@huggingface/transformers';\n",
        // Node's stream pipeline, and a function of the repository's own named pipeline.
        'stream.js': importer('./own.js'),
        'own.js': 'export function pipeline(task, name) {\n  return [task, name];\n}\n',
        'other.js': "import { pipeline } from 'node:stream/promises';\nawait pipeline('a', 'acme/not-a-model');\n",
      }),
      [refsStage],
    );
    expect(r.findings).toEqual([]);
  });

  it('follows a loader a wrapper exports under another name (`export { pipeline as make }`)', async () => {
    const r = await scanWith(
      tree({
        'lib/fn.js': "import { pipeline } from '@huggingface/transformers';\nexport { pipeline as make };\n",
        'g.js': "import { make } from './lib/fn.js';\n\nawait make('text-classification', 'evil/renamed');\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual(['g.js:3 evil/renamed lib/fn.js']);
  });

  it('follows a namespace import of a module that re-exports pipeline by name (`ml.pipeline`)', async () => {
    const r = await scanWith(
      tree({
        'ml.js': "export { pipeline } from '@huggingface/transformers';\n",
        'use.js':
          "import * as ml from './ml.js';\nexport const e = await ml.pipeline('feature-extraction', 'acme/ns');\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual(['use.js:2 acme/ns ml.js']);
  });

  it('follows a barrel that re-exports transformers.js whole, by name, as a namespace or under a name', async () => {
    const r = await scanWith(
      tree({
        'web/ml.js': "export * from '@huggingface/transformers';\n",
        'web/search.js': importer('./ml.js'),
        'web/ns.js':
          "import * as ml from './ml.js';\nexport const e = await ml.pipeline('feature-extraction', 'acme/ns');\n",
        'app/hf.ts': "export * as hf from '@xenova/transformers';\n",
        'app/worker.ts':
          "import { hf } from './hf';\nexport const e = await hf.pipeline('feature-extraction', 'acme/hf');\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'app/worker.ts:2 acme/hf app/hf.ts',
      'web/ns.js:2 acme/ns web/ml.js',
      'web/search.js:3 acme/embedder web/ml.js',
    ]);
  });

  it("leaves a barrel's own pipeline, which its star export of the package does not replace (ResolveExport)", async () => {
    const r = await scanWith(
      tree({
        'ml.js':
          "export * from '@huggingface/transformers';\nexport function pipeline(task, name) {\n  return [task, name];\n}\n",
        'use.js': importer('./ml.js'),
        'ns.js': "import * as ml from './ml.js';\nml.pipeline('a', 'acme/not-a-model');\n",
      }),
      [refsStage],
    );
    expect(r.findings).toEqual([]);
  });
  it('follows a CommonJS module that passes the loader on (module.exports = { pipeline }, exports.make = pipeline)', async () => {
    const r = await scanWith(
      tree({
        'lib/ml.js':
          "const { pipeline } = require('@huggingface/transformers');\nmodule.exports = { pipeline, p2: pipeline };\n",
        'lib/ml2.cjs': "const tf = require('@xenova/transformers');\nexports.make = tf.pipeline;\n",
        'use.js': [
          "const { pipeline, p2 } = require('./lib/ml');",
          "const ml2 = require('./lib/ml2.cjs');",
          "const a = pipeline('sentiment-analysis', 'acme/cjs-one');",
          "const b = p2('sentiment-analysis', 'acme/cjs-two');",
          "const c = ml2.make('sentiment-analysis', 'acme/cjs-three');",
          '',
        ].join('\n'),
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'use.js:3 acme/cjs-one lib/ml.js',
      'use.js:4 acme/cjs-two lib/ml.js',
      'use.js:5 acme/cjs-three lib/ml2.cjs',
    ]);
  });
  it("reads a file that names an index wrapper by its folder or from inside it ('..'), past the byte test", async () => {
    const r = await scanWith(
      tree({
        'lib/index.js': "export { pipeline } from '@huggingface/transformers';\n",
        'app.js': importer('./lib'),
        'lib/sub/use.js': importer('..'),
        'lib/x/y/use.js': importer('../..'),
        'other.js': "import { x } from './util.js';\nexport const y = x('a', 'acme/not-a-model');\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'app.js:3 acme/embedder lib/index.js',
      'lib/sub/use.js:3 acme/embedder lib/index.js',
      'lib/x/y/use.js:3 acme/embedder lib/index.js',
    ]);
  });
});

describe('wrapperSpecifierWords', () => {
  it("gives each wrapper's name, and for an index file its folder and the bare folders that name it", () => {
    expect(wrapperSpecifierWords(['web/lib/ml.js', 'app/hf.ts'])).toEqual(['hf', 'ml']);
    expect(wrapperSpecifierWords(['lib/index.mjs'])).toEqual(
      ['."', '/"', ".'", "/'", '.`', '/`', 'index', 'lib'].sort(),
    );
  });
});
