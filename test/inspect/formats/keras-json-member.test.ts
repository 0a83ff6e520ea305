import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildTar, buildZip } from '../containers/build.js';
import { kerasArchive, sequential } from './build.js';
import { scanAsCli } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('chainproof-keras-json-member-');

/** The Keras config rules (CPI06x) and limit / parse findings a scan gives, `rule:level`, with where they are. */
async function kerasFindings(files: Record<string, Buffer>): Promise<{ at: string; rule: string }[]> {
  const res = await scanAsCli(tree(files));
  return res.findings
    .filter((f) => /^CPI0(5[01]|6[0-3])$/.test(f.ruleId))
    .map((f) => ({ at: f.location.member ?? f.location.path, rule: `${f.ruleId}:${f.level}` }))
    .sort((a, b) => (a.at + a.rule < b.at + b.rule ? -1 : 1));
}

/** The same file on disk, in a release zip, and in a `.tar.gz` under a folder. */
async function threeWays(name: string, text: string) {
  const data = Buffer.from(text);
  const onDisk = await kerasFindings({ [name]: data });
  const zipped = await kerasFindings({ 'release.zip': buildZip([{ name, data, deflate: true }]) });
  const tgz = await kerasFindings({ 'release.tar.gz': gzipSync(buildTar(`model/${name}`, data)) });
  return { onDisk, zipped, tgz };
}

/** A Keras 3 Lambda layer: `deserialize_keras_object` unmarshals and runs its code (refused only in safe mode). */
const LAMBDA = {
  module: 'keras.layers',
  class_name: 'Lambda',
  config: { name: 'l', function: { class_name: '__lambda__', config: { code: 'YQ==' } } },
};
/** tf_keras `model.to_json()` of a Sequential with a Lambda (legacy layout: bytecode in `function`). */
const LEGACY_LAMBDA = {
  class_name: 'Sequential',
  config: {
    name: 's',
    layers: [{ class_name: 'Lambda', config: { name: 'l', function: ['YQ==', null, null], function_type: 'lambda' } }],
  },
  keras_version: '2.15.0',
  backend: 'tensorflow',
};
/** A Keras 3 layer whose class Keras imports from a module outside Keras (no safe mode stops it). */
const EXTERNAL = { module: 'evil_pkg.layers', class_name: 'Backdoor', config: { name: 'b' }, registered_name: null };

describe('Keras model JSON inside archives is judged as the same file on disk (model_from_json, load_model of a folder)', () => {
  it.each([
    { name: 'model_architecture.json', text: JSON.stringify(LEGACY_LAMBDA) },
    // `model_from_json` takes text: any name, when it opens a JSON object.
    { name: 'arch.txt', text: JSON.stringify(sequential([LAMBDA])) },
    // A Keras 3 model saved as a folder: `load_model(folder)` reads its config.json.
    { name: 'mymodel/config.json', text: JSON.stringify(sequential([LAMBDA])) },
    { name: 'mymodel/config.json', text: JSON.stringify(sequential([EXTERNAL])) },
  ])('$name: found, with the same rules', async ({ name, text }) => {
    const { onDisk, zipped, tgz } = await threeWays(name, text);
    expect(onDisk.length).toBeGreaterThan(0);
    expect(zipped).toEqual(onDisk.map((f) => ({ ...f, at: name })));
    expect(tgz).toEqual(onDisk.map((f) => ({ ...f, at: `<gzip>!model/${name}` })));
  });

  it('a model JSON past what the tar walk holds whole (8 MiB) is still read, as on disk', async () => {
    const text = JSON.stringify({ ...LEGACY_LAMBDA, padding: ' '.repeat(9 << 20) });
    const { onDisk, tgz } = await threeWays('arch.json', text);
    expect(onDisk.map((f) => f.rule)).toEqual(['CPI060:error']);
    expect(tgz).toEqual(onDisk.map((f) => ({ ...f, at: '<gzip>!model/arch.json' })));
  });

  it.each([
    { name: 'config.json', text: JSON.stringify({ model_type: 'bert', architectures: ['BertModel'] }) },
    { name: 'mymodel/config.json', text: JSON.stringify(sequential([])) },
    // COCO-style labels: a `class_name` key, no Keras model's shape.
    { name: 'labels.json', text: JSON.stringify({ annotations: [{ class_name: 'cat', id: 1 }] }) },
  ])('silent: $name', async ({ name, text }) => {
    expect(await threeWays(name, text)).toEqual({ onDisk: [], zipped: [], tgz: [] });
  });

  it('a .keras inside a zip is judged once, by the Keras archive reader', async () => {
    const bundle = buildZip([{ name: 'model.keras', data: kerasArchive(sequential([LAMBDA])) }]);
    expect(await kerasFindings({ 'bundle.zip': bundle })).toEqual([
      { at: 'model.keras!config.json', rule: 'CPI060:error' },
    ]);
  });
});
