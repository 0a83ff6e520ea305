import { pb, safetensors, zip, type Pb } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

const ST = 'safetensors::SafeTensors::read_metadata: serde_json::from_str into TensorInfo { shape: Vec<usize>,';
const tensor = (offsets: string, shape = '[2]') =>
  safetensors(`{"w":{"dtype":"F32","shape":${shape},"data_offsets":${offsets}}}`, 8);

const latin1 = (s: string) => Buffer.from(s, 'latin1');
/** An .npy v1.0 file: magic, header padded to 64 bytes, then the data. */
const npy = (descr: string, shape: string, data: Buffer) => {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const len = Buffer.alloc(2);
  len.writeUInt16LE(header.length);
  return Buffer.concat([latin1('\x93NUMPY\x01\x00'), len, latin1(header), data]);
};
/** `pickle.dumps([1, 'a', None], protocol=2)`: what an object array of plain values holds. */
const PLAIN_LIST = latin1('\x80\x02]q\x00(K\x01X\x01\x00\x00\x00aq\x01Ne.');
const FLOATS = npy('<f8', '(1,)', Buffer.alloc(8));
const EVIL = latin1('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.');

/** A TorchServe model archive as torch-model-archiver lays it out: MAR-INF/MANIFEST.json beside the files. */
const mar = (model: Record<string, string>, files: Record<string, Buffer | string>) =>
  zip([
    { name: 'MAR-INF/MANIFEST.json', data: JSON.stringify({ runtime: 'python', model: { modelName: 'm', ...model } }) },
    ...Object.entries(files).map(([name, data]) => ({ name, data })),
  ]);
/** NodeDef: name (1), op (2), input (3), attr (5) — a string Const keeps its value in attr value → tensor → string_val. */
const node = (name: string, op: string, input?: string, value?: string): Pb[number] => [
  0,
  [
    [1, name],
    [2, op],
    ...(input !== undefined ? [[3, input] as Pb[number]] : []),
    ...(value !== undefined
      ? [
          [
            5,
            [
              [1, 'value'],
              [2, [[8, [[8, value]]]]],
            ],
          ] as Pb[number],
        ]
      : []),
  ],
];
/** saved_model.pb: meta_graphs (2) → graph_def (2) → node (1), or library (2) → function (1) → node_def (3). */
const savedModelWith = (nodes: Pb[number][], inFunction = false) => {
  const graph: Pb = inFunction
    ? [[2, [[1, [[1, [[1, 'fn']]], ...nodes.map(([, m]): Pb[number] => [3, m])]]]]]
    : nodes.map(([, m]): Pb[number] => [1, m]);
  return pb([
    [1, 1],
    [2, [[2, graph]]],
  ]);
};
const SAVE = 'tensorflow/core/kernels/save_restore_v2_ops.cc SaveV2Op::Compute: writes to the prefix tensor';
const TS = 'ts/model_loader.py TsModelLoader.load → _load_handler_file: importlib.import_module(handler)';

/** Safetensors headers whose numbers JavaScript reads as integers but serde_json does not; .npz object members. */
export const ROUND4_FORMAT_CASES: readonly UnseenCase[] = [
  {
    name: 'safetensors data_offsets written as floats (0.0, 8.0)',
    loader: `${ST} data_offsets: (usize, usize) }: 8.0 parses as f64, "invalid type: floating point"`,
    files: { 'm.safetensors': tensor('[0.0,8.0]') },
    want: ['CPI052:warning'],
  },
  {
    name: 'safetensors data_offsets with an exponent (8e0)',
    loader: `${ST} …}: serde_json parse_exponent yields f64`,
    files: { 'm.safetensors': tensor('[0,8e0]') },
    want: ['CPI052:warning'],
  },
  {
    name: 'safetensors data_offsets begin -0',
    loader: `${ST} …}: serde_json parse_number turns -0 into F64(-0.0)`,
    files: { 'm.safetensors': tensor('[-0,8]') },
    want: ['CPI052:warning'],
  },
  {
    name: 'safetensors shape written as a float (2.0)',
    loader: `${ST} …}: a Vec<usize> element cannot be f64`,
    files: { 'm.safetensors': tensor('[0,8]', '[2.0]') },
    want: ['CPI052:warning'],
  },
  {
    name: 'safetensors integers stay fine, and a float in __metadata__ strings is text',
    loader: `${ST} …}: "0.5" is a String`,
    files: {
      'm.safetensors': safetensors(
        '{"__metadata__":{"lr":"0.5"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
        8,
      ),
    },
    want: [],
  },
  {
    name: '.npz with an object-array member of plain values',
    loader: 'numpy/lib/npyio.py NpzFile.__getitem__ → format.read_array(allow_pickle=False) raises on the member',
    files: {
      'm.npz': zip([
        { name: 'a.npy', data: FLOATS },
        { name: 'b.npy', data: npy('|O', '(3,)', PLAIN_LIST) },
      ]),
    },
    want: ['CPI120:note'],
  },
  {
    name: '.npz of plain arrays only',
    loader: 'numpy/lib/npyio.py NpzFile.__getitem__ → format.read_array',
    files: { 'm.npz': zip([{ name: 'a.npy', data: FLOATS }]) },
    want: [],
  },
  {
    name: '.npz object member that imports os.system',
    loader: 'NpzFile.__getitem__ with allow_pickle=True → pickle.load runs REDUCE',
    files: {
      'm.npz': zip([
        { name: 'b.npy', data: npy('|O', '(1,)', latin1('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.')) },
      ]),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'TorchServe .mar with a custom handler.py',
    loader: `${TS} with the archive on sys.path`,
    files: { 'm.mar': mar({ handler: 'handler.py', serializedFile: 'model.pt' }, { 'handler.py': 'import os\n' }) },
    want: ['CPI121:warning'],
  },
  {
    name: 'TorchServe .mar whose handler.py shadows the built-in image_classifier',
    loader: `${TS}: the archive's image_classifier.py is found before ts.torch_handler's`,
    files: { 'm.mar': mar({ handler: 'image_classifier' }, { 'image_classifier.py': 'import os\n' }) },
    want: ['CPI121:error'],
  },
  {
    name: 'TorchServe .mar with a built-in handler and a model.py (eager mode)',
    loader: 'ts/torch_handler/base_handler.py _load_pickled_model: importlib.import_module(model_file)',
    files: { 'm.mar': mar({ handler: 'image_classifier', modelFile: 'model.py' }, { 'model.py': 'import torch\n' }) },
    want: ['CPI121:warning'],
  },
  {
    name: 'TorchServe .mar with a built-in handler and no Python',
    loader: 'ts/model_loader.py _load_default_handler: ts.torch_handler.image_classifier',
    files: { 'm.mar': mar({ handler: 'image_classifier', serializedFile: 'model.pt' }, { 'x.txt': 'labels' }) },
    want: [],
  },
  {
    name: 'TorchServe .mar whose serialized file is a malicious pickle',
    loader: 'ts/torch_handler/base_handler.py initialize → torch.load(serializedFile)',
    files: { 'm.mar': mar({ handler: 'image_classifier', serializedFile: 'model.pkl' }, { 'model.pkl': EVIL }) },
    want: ['CPI001:error'],
  },
  {
    name: 'a plain zip holding a handler.py is no TorchServe archive',
    loader: 'ts/model_loader.py ModelLoaderFactory: no MAR-INF/MANIFEST.json',
    files: { 'code.zip': zip([{ name: 'handler.py', data: 'import os\n' }]) },
    want: [],
  },
  {
    name: 'SavedModel SaveV2 whose prefix is a Const absolute path',
    loader: `${SAVE}; a signature that runs it writes /etc/cron.d/job`,
    files: {
      'saved_model.pb': savedModelWith([node('p', 'Const', undefined, '/etc/cron.d/job'), node('s', 'SaveV2', 'p:0')]),
    },
    want: ['CPI070:error'],
  },
  {
    name: 'SavedModel RestoreV2 in a function whose prefix Const climbs with ..',
    loader: 'RestoreV2Op::Compute reads the prefix tensor; FunctionDef inputs are node:output:0',
    files: {
      'saved_model.pb': savedModelWith(
        [node('c', 'Const', undefined, '../../../home/u/.ssh/id'), node('r', 'RestoreV2', 'c:output:0')],
        true,
      ),
    },
    want: ['CPI070:error'],
  },
  {
    name: 'SavedModel MergeV2Checkpoints to a gs:// URL',
    loader: 'MergeV2CheckpointsOp::Compute writes the destination prefix through the filesystem registry',
    files: {
      'saved_model.pb': savedModelWith([
        node('u', 'Const', undefined, 'gs://x/y'),
        node('m', 'MergeV2Checkpoints', 'u'),
      ]),
    },
    want: ['CPI070:error'],
  },
  {
    name: 'SavedModel SaveV2 fed by TF1 Saver\'s save/Const = "model"',
    loader: 'tf.compat.v1.train.Saver: saver_def.filename_tensor_name is fed by the loader',
    files: {
      'saved_model.pb': savedModelWith([
        node('save/Const', 'Const', undefined, 'model'),
        node('save/SaveV2', 'SaveV2', 'save/Const'),
      ]),
    },
    want: [],
  },
  {
    name: 'SavedModel SaveV2 fed by the saver_filename Placeholder (TF2)',
    loader: 'tf.saved_model.save: saver_filename Placeholder',
    files: {
      'saved_model.pb': savedModelWith([
        node('saver_filename', 'Placeholder'),
        node('StatefulPartitionedCall', 'SaveV2', 'saver_filename'),
      ]),
    },
    want: [],
  },
  {
    name: 'Flax msgpack weights, which nothing here reads',
    loader: 'flax/serialization.py msgpack_restore (ext types: ndarray, complex, numpy scalar)',
    files: { 'flax_model.msgpack': Buffer.from([0x81, 0xa1, 0x77, 0xc0]) },
    want: ['CPI015:note'],
  },
  {
    name: 'an ExecuTorch program, which nothing here reads',
    loader: 'executorch Program::load (flatbuffer)',
    files: { 'model.pte': Buffer.concat([Buffer.alloc(4), latin1('ET12'), Buffer.alloc(24)]) },
    want: ['CPI015:note'],
  },
  {
    name: 'a pickle named .pdmodel is judged by its content',
    loader: 'paddle.load → pickle.load for a pickled program or state dict',
    files: { 'model.pdmodel': EVIL },
    want: ['CPI001:error'],
  },
];
