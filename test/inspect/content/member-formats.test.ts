import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildTar, buildZip } from '../containers/build.js';
import {
  flatbuffer,
  flexModel,
  gguf,
  kerasArchive,
  onnxModel,
  pb,
  safetensors,
  savedModel,
  sequential,
  zip,
} from '../formats/build.js';
import { inspectFolder } from '../pickle/scan-folder.js';
import { tempTrees } from '../../helpers/temp-tree.js';
import { inspectAtLimits, ROOMY_LIMITS, ruleAtMember } from './small-limits.js';
// The analyser reads GGUF members through the judge gguf.ts registers when it loads (as the pickle analyser's loader
// imports it in a scan); inspectAtLimits calls the analyser directly.
import '../../../src/inspect/formats/gguf.js';
import '../../../src/inspect/formats/onnx.js';
import '../../../src/inspect/formats/safetensors.js';
import '../../../src/inspect/formats/torch-mobile.js';

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

  it('a text saved_model.pbtxt whose asset is an absolute path is CPI070 on that member', async () => {
    const pbtxt = 'meta_graphs {\n  asset_file_def {\n    filename: "/etc/shadow"\n  }\n}\n';
    const tgz = gzipSync(buildTar('export/saved_model.pbtxt', Buffer.from(pbtxt)));
    expect(await findings('model.tar.gz', tgz)).toEqual([
      { ruleId: 'CPI070', member: '<gzip>!export/saved_model.pbtxt' },
    ]);
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

/** A skops schema whose FunctionTransformer hands `func` over to the model: skops imports whatever it names. */
const skopsSchema = (module: string, cls: string) =>
  JSON.stringify({
    __class__: 'FunctionTransformer',
    __module__: 'sklearn.preprocessing._function_transformer',
    __loader__: 'ObjectNode',
    protocol: 1,
    _skops_version: '0.9.0',
    content: {
      __class__: 'dict',
      __module__: 'builtins',
      __loader__: 'DictNode',
      content: { func: { __class__: cls, __module__: module, __loader__: 'TypeNode', __id__: 3 } },
    },
  });
const skops = (module: string, cls: string) => zip([{ name: 'schema.json', data: skopsSchema(module, cls) }]);

/**
 * A skops file extracted from a bundle or a release is handed to `skops.io.load` (skops/io/_persist.py), which
 * imports every type its schema names once the user trusts it: judged as the same file outside an archive.
 */
describe('skops files inside archives', () => {
  it('a schema naming os.system is CPI117 in a zip and in a .tar.gz', async () => {
    expect(await findings('bundle.zip', zip([{ name: 'm/pipeline.skops', data: skops('os', 'system') }]))).toEqual([
      { ruleId: 'CPI117', member: 'm/pipeline.skops!schema.json' },
    ]);
    const tgz = gzipSync(buildTar('release/pipeline.skops', skops('os', 'system')));
    expect(await findings('release.tar.gz', tgz)).toEqual([
      { ruleId: 'CPI117', member: '<gzip>!release/pipeline.skops!schema.json' },
    ]);
  });

  it('under any name, when the zip is laid out as skops (skops.io.load opens any file)', async () => {
    const got = await findings('bundle.zip', zip([{ name: 'model.bin', data: skops('os', 'system') }]));
    expect(got).toEqual([{ ruleId: 'CPI117', member: 'model.bin!schema.json' }]);
  });

  it('types skops trusts by default are clean; a .skops with no schema cannot be loaded (CPI050)', async () => {
    expect(await findings('bundle.zip', zip([{ name: 'a.skops', data: skops('builtins', 'int') }]))).toEqual([]);
    const empty = zip([{ name: 'other.json', data: '{}' }]);
    expect(await findings('bundle.zip', zip([{ name: 'a.skops', data: empty }]))).toEqual([
      { ruleId: 'CPI050', member: 'a.skops' },
    ]);
  });
});

/** A chat template that reaches Python's internals: llama-cpp-python renders it with Jinja (CVE-2024-34359). */
const ssti = (dataLen = 0) =>
  gguf({
    kv: [['tokenizer.chat_template', { type: 'string', value: '{{ ().__class__.__base__.__subclasses__() }}' }]],
    tensors: [{ name: 't', dims: [dataLen / 4], type: 0, offset: 0 }],
    dataLen,
  });

describe('GGUF files inside archives', () => {
  it('a template-injection chat template is CPI055 in a zip and in a .tar.gz', async () => {
    expect(await findings('bundle.zip', zip([{ name: 'model.gguf', data: ssti(64) }]))).toEqual([
      { ruleId: 'CPI055', member: 'model.gguf' },
    ]);
    const tgz = gzipSync(buildTar('m/model.gguf', ssti(64)));
    expect(await findings('release.tar.gz', tgz)).toEqual([{ ruleId: 'CPI055', member: '<gzip>!m/model.gguf' }]);
  });

  it('a GGUF past the tar walk’s 8 MiB cut-off is still judged', async () => {
    const tgz = gzipSync(buildTar('m/model.gguf', ssti(12 << 20)));
    expect(await findings('release.tar.gz', tgz)).toEqual([{ ruleId: 'CPI055', member: '<gzip>!m/model.gguf' }]);
  });

  it('a GGUF larger than the tar image the walk may hold is judged by ranges, not refused (CPI012)', async () => {
    const tgz = gzipSync(buildTar('m/model.gguf', ssti(12 << 20)));
    const got = await inspectAtLimits(tree({ 'release.tar.gz': tgz }), ROOMY_LIMITS);
    expect(got.map(ruleAtMember)).toEqual(['CPI055:<gzip>!m/model.gguf']);
  });

  it('a plain chat template is clean', async () => {
    const plain = gguf({ kv: [['tokenizer.chat_template', { type: 'string', value: '{{ messages[0].content }}' }]] });
    expect(await findings('bundle.zip', zip([{ name: 'model.gguf', data: plain }]))).toEqual([]);
  });
});

/** Tensor data that `onnx.load` (load_external_data_for_model) reads from a path out of the extracted folder. */
const escaping = onnxModel({ externals: [{ name: 'W', location: '../../../../etc/passwd' }], nodes: [{ op: 'Add' }] });

describe('ONNX models inside archives', () => {
  it('external data leaving the folder is CPI065 in a zip and in a .tar.gz', async () => {
    expect(await findings('bundle.zip', zip([{ name: 'model.onnx', data: escaping }]))).toEqual([
      { ruleId: 'CPI065', member: 'model.onnx' },
    ]);
    const tgz = gzipSync(buildTar('m/model.onnx', escaping));
    expect(await findings('release.tar.gz', tgz)).toEqual([{ ruleId: 'CPI065', member: '<gzip>!m/model.onnx' }]);
  });

  it('relative external data beside the model is clean (the file is extracted with it)', async () => {
    const beside = onnxModel({ externals: [{ name: 'W', location: 'model.onnx.data' }], nodes: [{ op: 'Add' }] });
    const tgz = gzipSync(buildTar('m/model.onnx', beside));
    expect(await findings('release.tar.gz', tgz)).toEqual([]);
  });

  it('a model larger than the tar image the walk may hold is read by ranges: its 12 MiB are skipped, not refused', async () => {
    // doc_string (6) before the graph: the reader skips it forward through the decompressed stream.
    const big = Buffer.concat([pb([[6, Buffer.alloc(12 << 20, 0x20)]]), escaping]);
    const tgz = gzipSync(buildTar('m/model.onnx', big));
    const got = await inspectAtLimits(tree({ 'release.tar.gz': tgz }), ROOMY_LIMITS);
    expect(got.map(ruleAtMember)).toEqual(['CPI065:<gzip>!m/model.onnx']);
  });
});

describe('TFLite and safetensors files inside archives', () => {
  it('a Flex op whose NodeDef writes files is CPI070 in a .tar.gz, as outside it', async () => {
    const tgz = gzipSync(buildTar('m/model.tflite', flexModel('FlexAddV2', 'WriteFile')));
    expect(await findings('release.tar.gz', tgz)).toEqual([
      { ruleId: 'CPI070', member: '<gzip>!m/model.tflite' },
      { ruleId: 'CPI075', member: '<gzip>!m/model.tflite' },
    ]);
  });

  it('a safetensors header whose tensor runs past the data is a finding; a genuine layout is clean', async () => {
    const header = { w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } };
    expect(await findings('bundle.zip', zip([{ name: 'model.safetensors', data: safetensors(header, 16) }]))).toEqual(
      [],
    );
    const short = zip([{ name: 'model.safetensors', data: safetensors(header, 8) }]);
    expect((await findings('bundle.zip', short)).map((f) => f.member)).toEqual(['model.safetensors']);
  });

  it('a safetensors file larger than the tar image the walk may hold is judged by its header, not refused', async () => {
    // 13 MiB of tensor declared, 12 MiB there: the loader refuses the file; nothing but the header is read here.
    const header = { w: { dtype: 'F32', shape: [13 << 18], data_offsets: [0, 13 << 20] } };
    const tgz = gzipSync(buildTar('m/model.safetensors', safetensors(header, 12 << 20)));
    const got = await inspectAtLimits(tree({ 'release.tar.gz': tgz }), ROOMY_LIMITS);
    expect(got.map(ruleAtMember)).toEqual(['CPI053:<gzip>!m/model.safetensors']);
  });
});

/** A PyTorch Mobile flatbuffer whose one string is an operator that writes files, padded to `size` bytes. */
const mobileSaving = (size: number) => {
  const fb = flatbuffer({ table: [{ ref: { str: 'aten::save' } }] }, 'PTMF');
  return Buffer.concat([fb, Buffer.alloc(size - fb.length)]);
};

/**
 * `_load_for_lite_interpreter` and the TFLite interpreter read a file by its identifier (`PTMF`, `TFL3`), whatever
 * its name: a release `.tar.gz` holding `model.bin` runs as `model.ptl` would once extracted.
 */
describe('flatbuffer models under other names inside archives', () => {
  it('a PyTorch Mobile flatbuffer past the tar walk’s 8 MiB cut-off is judged by its identifier', async () => {
    const tgz = gzipSync(buildTar('release/model.bin', mobileSaving(9 << 20)));
    expect(await findings('release.tar.gz', tgz)).toEqual([{ ruleId: 'CPI017', member: '<gzip>!release/model.bin' }]);
  });

  it('a TFLite model past the cut-off is judged by its identifier', async () => {
    const tflite = flexModel('FlexAddV2', 'WriteFile');
    const tgz = gzipSync(buildTar('m/weights.bin', Buffer.concat([tflite, Buffer.alloc(9 << 20)])));
    expect((await findings('release.tar.gz', tgz)).map((f) => f.ruleId)).toEqual(['CPI070', 'CPI075']);
  });

  it('one larger than the tar image the walk may hold is too large to check (CPI012), not passed', async () => {
    const tgz = gzipSync(buildTar('release/model.bin', mobileSaving(9 << 20)));
    const got = await inspectAtLimits(tree({ 'release.tar.gz': tgz }), ROOMY_LIMITS);
    expect(got.map(ruleAtMember)).toEqual(['CPI012:<gzip>!release/model.bin']);
  });
});

/**
 * A model gzipped for download (`model.ptl.gz`, `model.keras.gz`) is decompressed and handed to its own loader, as
 * an archive's member is extracted: the stream's content is judged by its format, by its identifier or by the name
 * inside the compression.
 */
describe('models inside a compressed stream', () => {
  it('a gzipped PyTorch Mobile flatbuffer is judged by its identifier, whatever its name', async () => {
    expect(await findings('model.bin.gz', gzipSync(mobileSaving(4096)))).toEqual([
      { ruleId: 'CPI017', member: '<gzip>' },
    ]);
  });

  it('an ONNX model whose external data leaves the folder, by the name inside the compression', async () => {
    expect(await findings('model.onnx.gz', gzipSync(escaping))).toEqual([{ ruleId: 'CPI065', member: '<gzip>' }]);
  });

  it('a gzipped .keras holding a Lambda layer is judged by its config', async () => {
    const lambda = {
      module: 'keras.layers',
      class_name: 'Lambda',
      config: { name: 'l', function: { class_name: '__lambda__', config: { code: '4wEAAAAAAAAAAAAAAAEAAAAC' } } },
      registered_name: null,
    };
    const got = await findings('model.keras.gz', gzipSync(kerasArchive(sequential([lambda]))));
    expect(got.map((f) => f.ruleId)).toEqual(['CPI060']);
  });

  it('a gzipped flatbuffer cut short is judged up to the cut, as zcat writes it: CPI017 beside CPI013', async () => {
    const cut = gzipSync(mobileSaving(4096)).subarray(0, -8);
    expect(await findings('model.bin.gz', cut)).toEqual([
      { ruleId: 'CPI013', member: undefined },
      { ruleId: 'CPI017', member: '<gzip>' },
    ]);
  });

  it('a gzipped CSV and a gzipped benign flatbuffer stay clean', async () => {
    expect(await findings('data.csv.gz', gzipSync('a,b\n1,2\n'))).toEqual([]);
    const benign = flatbuffer({ table: [{ ref: { str: 'aten::linear' } }] }, 'PTMF');
    expect(await findings('model.bin.gz', gzipSync(benign))).toEqual([]);
  });
});
