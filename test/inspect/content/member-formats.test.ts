import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildTar, buildZip } from '../containers/build.js';
import { kerasArchive, pb, savedModel, sequential, zip } from '../formats/build.js';
import { inspectFolder } from '../pickle/scan-folder.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('cp-member-formats-');

async function findings(name: string, data: Buffer) {
  const got = (await inspectFolder(tree({ [name]: data }))).get(name) ?? [];
  return got.map((f) => ({ ruleId: f.ruleId, member: f.location.member }));
}

/** Unknown field 15 of the SavedModel message: protobuf readers skip it, so it only makes the file large. */
const padded = (pbBytes: Buffer, size: number) => Buffer.concat([pbBytes, pb([[15, Buffer.alloc(size)]])]);

/**
 * A TF Hub / Kaggle model is a `.tar.gz` of a SavedModel folder: `tensorflow_hub.resolve` extracts it and
 * `tf.saved_model.load` runs its graph, so the folder's saved_model.pb is judged as it is outside an archive.
 */
describe('SavedModel files inside archives', () => {
  it('a PyFunc op in a .tar.gz SavedModel is CPI070 on that member', async () => {
    const tgz = gzipSync(buildTar('export/saved_model.pb', savedModel(['Const', 'PyFunc'])));
    expect(await findings('model.tar.gz', tgz)).toEqual([{ ruleId: 'CPI070', member: '<gzip>!export/saved_model.pb' }]);
  });

  it('a graph of ordinary ops is clean', async () => {
    const tgz = gzipSync(buildTar('export/saved_model.pb', savedModel(['Const', 'MatMul', 'SaveV2'])));
    expect(await findings('model.tar.gz', tgz)).toEqual([]);
  });

  it('a saved_model.pb past the tar walk’s 8 MiB member cut-off is still read', async () => {
    const big = padded(savedModel(['PyFunc']), 9 << 20);
    const tgz = gzipSync(buildTar('export/saved_model.pb', big));
    expect(await findings('model.tar.gz', tgz)).toEqual([{ ruleId: 'CPI070', member: '<gzip>!export/saved_model.pb' }]);
  });

  it('in a zip, and under its name only: other .pb files are data', async () => {
    const zip = buildZip([
      { name: 'm/saved_model.pb', data: savedModel(['PyFunc']) },
      { name: 'm/other.pb', data: savedModel(['PyFunc']) },
    ]);
    expect(await findings('bundle.zip', zip)).toEqual([{ ruleId: 'CPI070', member: 'm/saved_model.pb' }]);
  });
});

/** A Keras 3 archive whose npz weights hold a zip holding `inner` as `model.keras`. */
const kerasAround = (inner: Buffer) =>
  zip([
    { name: 'metadata.json', data: '{"keras_version": "3.8.0"}' },
    { name: 'config.json', data: JSON.stringify(sequential([])) },
    {
      name: 'model.weights.npz',
      data: zip([{ name: 'extra.zip', data: zip([{ name: 'model.keras', data: inner }]) }]),
    },
  ]);

describe('Keras archives nested in Keras archives', () => {
  const lambda = kerasArchive(
    sequential([
      {
        module: 'keras.layers',
        class_name: 'Lambda',
        config: { name: 'l', function: { class_name: '__lambda__', config: { code: 'YQ==' } } },
      },
    ]),
  );

  it('a few levels down, the innermost config is judged', async () => {
    const got = await findings('bundle.zip', zip([{ name: 'model.keras', data: kerasAround(lambda) }]));
    expect(got).toEqual([
      {
        ruleId: 'CPI060',
        member: 'model.keras!model.weights.npz!extra.zip!model.keras!config.json',
      },
    ]);
  });

  it('past the nesting bound, the model is not opened: one CPI012', async () => {
    let nested = lambda;
    for (let i = 0; i < 5; i++) nested = kerasAround(nested);
    const got = await findings('bundle.zip', zip([{ name: 'model.keras', data: nested }]));
    expect(got.map((f) => f.ruleId)).toEqual(['CPI012']);
  });
});
