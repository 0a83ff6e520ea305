import { zip } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

const LOADER =
  'tf_keras TFOpLambda.from_config → tf_export.get_symbol_from_name(config["function"]); functional.reconstruct_from_config calls the layer';

/** A tf_keras functional model (as `model.save("m.keras")` writes it) whose op layers are `layers`; the last is the output. */
function tfKerasModel(...layers: Record<string, unknown>[]): Buffer {
  const config = {
    class_name: 'Functional',
    config: {
      name: 'model',
      layers: [
        {
          class_name: 'InputLayer',
          config: { batch_input_shape: [null, 4], dtype: 'float32', name: 'input_1' },
          name: 'input_1',
          inbound_nodes: [],
        },
        ...layers,
      ],
      input_layers: [['input_1', 0, 0]],
      output_layers: [[String(layers.at(-1)!['name']), 0, 0]],
    },
    keras_version: '2.15.0',
    backend: 'tensorflow',
  };
  return zip([
    { name: 'metadata.json', data: JSON.stringify({ keras_version: '2.15.0', date_saved: '2024-05-01@10:00:00' }) },
    { name: 'config.json', data: JSON.stringify(config) },
    { name: 'model.weights.h5', data: Buffer.alloc(16) },
  ]);
}

/** A `ClassMethod` layer calling `cls.method` on the input. */
const classMethod = (cls: string, method: string) => ({
  class_name: 'ClassMethod',
  config: { name: `tf.${cls}.${method}`, trainable: true, cls_symbol: cls, method_name: method },
  name: `tf.${cls}.${method}`,
  inbound_nodes: [['input_1', 0, 0, { args: [] }]],
});

/** An `InstanceProperty` / `InstanceMethod` layer reading `attr` of the input tensor. */
const instanceLayer = (cls: string, attr: string) => ({
  class_name: cls,
  config: { name: `input.${attr}`, trainable: true, attr_name: attr },
  name: `input.${attr}`,
  inbound_nodes: [['input_1', 0, 0, {}]],
});

/** A `TensorFlowOpLayer` whose NodeDef (as json_format.MessageToDict writes it) runs `op`. */
const graphOpLayer = (op: string, attr: Record<string, unknown> = {}) => ({
  class_name: 'TensorFlowOpLayer',
  config: {
    name: op,
    trainable: true,
    dtype: 'float32',
    node_def: { name: op, op, input: ['input_1'], attr },
    constants: {},
  },
  name: `tf_op_layer_${op}`,
  inbound_nodes: [[['input_1', 0, 0, {}]]],
});

/** A `TensorFlowOpLayer` whose `node_def` is TF 2.0's form: the serialized NodeDef as a string. */
const serializedOpLayer = (nodeDef: string) => ({
  class_name: 'TensorFlowOpLayer',
  config: { name: 'w', trainable: true, dtype: 'float32', node_def: nodeDef, constants: {} },
  name: 'tf_op_layer_w',
  inbound_nodes: [[['input_1', 0, 0, {}]]],
});

/** A length-delimited protobuf field (ASCII, under 128 bytes) as the characters of a node_def string. */
const pbString = (field: number, body: string) => `${String.fromCharCode((field << 3) | 2, body.length)}${body}`;

/** A `TFOpLambda` for the TF API name `fn`, called on the input with constant arguments from the config. */
const opLayer = (fn: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) => ({
  class_name: 'TFOpLambda',
  config: { name: `tf.${fn}`, trainable: true, dtype: 'float32', function: fn },
  name: `tf.${fn}`,
  inbound_nodes: [['input_1', 0, 0, { ...kwargs, args }]],
});

/** tf_keras op layers: the TensorFlow symbol they name is what runs while the model is rebuilt. */
export const TF_OP_LAYER_CASES: readonly UnseenCase[] = [
  {
    name: 'TFOpLambda of tf.math.multiply (what tf_keras writes for `x * 2`)',
    loader: `${LOADER}: math.multiply`,
    files: { 'm.keras': tfKerasModel(opLayer('math.multiply', [], { y: 2.0, name: null })) },
    want: [],
  },
  {
    name: 'TFOpLambda of tf.__operators__.add and a SlicingOpLambda getitem',
    loader: `${LOADER}: __operators__.add / __operators__.getitem`,
    files: {
      'm.keras': tfKerasModel({
        ...opLayer('__operators__.getitem'),
        class_name: 'SlicingOpLambda',
      }),
    },
    want: [],
  },
  {
    name: 'TFOpLambda of tf.io.gfile.remove with a constant path',
    loader: `${LOADER}: io.gfile.remove, a Python function, runs while the layer is traced`,
    files: { 'm.keras': tfKerasModel(opLayer('io.gfile.remove', ['/home/user/.bashrc'])) },
    want: ['CPI061:error'],
  },
  {
    name: 'TFOpLambda of tf.compat.v1.io.write_file',
    loader: `${LOADER}: compat.v1.io.write_file (tf_export registers every v1 name under compat.v1.)`,
    files: { 'm.keras': tfKerasModel(opLayer('compat.v1.io.write_file', ['/tmp/x'])) },
    want: ['CPI061:error'],
  },
  {
    name: 'TFOpLambda of tf.load_op_library (native code)',
    loader: `${LOADER}: load_op_library dlopens the path`,
    files: { 'm.keras': tfKerasModel(opLayer('load_op_library', ['/tmp/evil.so'])) },
    want: ['CPI061:error'],
  },
  {
    name: 'TFOpLambda of tf.raw_ops.WriteFile (the op io.write_file wraps, exported again under raw_ops.)',
    loader: `${LOADER}: raw_ops.WriteFile (gen_io_ops.py: tf_export("raw_ops.WriteFile"))`,
    files: { 'm.keras': tfKerasModel(opLayer('raw_ops.WriteFile', [], { filename: '/tmp/x', contents: 'y' })) },
    want: ['CPI061:error'],
  },
  {
    name: 'TFOpLambda of tf.raw_ops.EagerPyFunc (a Python callback op)',
    loader: `${LOADER}: raw_ops.EagerPyFunc (gen_script_ops.py)`,
    files: { 'm.keras': tfKerasModel(opLayer('raw_ops.EagerPyFunc')) },
    want: ['CPI061:error'],
  },
  {
    name: 'TFOpLambda of tf.data.experimental.SqlDataset',
    loader: `${LOADER}: data.experimental.SqlDataset opens a database file`,
    files: { 'm.keras': tfKerasModel(opLayer('data.experimental.SqlDataset', ['sqlite', '/tmp/db', 'SELECT 1', []])) },
    want: ['CPI061:error'],
  },
  {
    name: 'TFOpLambda of tf.raw_ops.DebugIdentityV2 (an op DANGEROUS_TF_OPS lists: writes to its debug_urls)',
    loader: `${LOADER}: raw_ops.DebugIdentityV2 (gen_debug_ops.py)`,
    files: { 'm.keras': tfKerasModel(opLayer('raw_ops.DebugIdentityV2', [], { debug_urls: ['file:///tmp/d'] })) },
    want: ['CPI061:error'],
  },
  {
    name: 'TFOpLambda of tf.raw_ops.CacheDatasetV2 (writes cache files at its filename)',
    loader: `${LOADER}: raw_ops.CacheDatasetV2 (gen_dataset_ops.py)`,
    files: { 'm.keras': tfKerasModel(opLayer('raw_ops.CacheDatasetV2', [], { filename: '/tmp/c' })) },
    want: ['CPI061:error'],
  },
  {
    name: 'TFOpLambda of tf.raw_ops.AddV2 (maths under raw_ops. stays clean)',
    loader: `${LOADER}: raw_ops.AddV2`,
    files: { 'm.keras': tfKerasModel(opLayer('raw_ops.AddV2', [], { y: 1.0 })) },
    want: [],
  },
  {
    name: 'ClassMethod of tf.data.Dataset.load',
    loader: 'tf_keras ClassMethod.from_config → get_symbol_from_name(cls_symbol); call: getattr(cls_ref, method_name)',
    files: {
      'm.keras': tfKerasModel({
        class_name: 'ClassMethod',
        config: { name: 'tf.data.Dataset.load', trainable: true, cls_symbol: 'data.Dataset', method_name: 'load' },
        name: 'tf.data.Dataset.load',
        inbound_nodes: [['input_1', 0, 0, { args: ['/mnt/elsewhere'] }]],
      }),
    },
    want: ['CPI061:error'],
  },
  {
    name: 'op layers tf_keras writes for an ordinary functional model (reshape, concat, nn.relu, image.resize, v1 transpose)',
    loader: `${LOADER}: reshape / concat / nn.relu / image.resize / compat.v1.transpose`,
    files: {
      'm.keras': tfKerasModel(
        opLayer('reshape', [[-1, 2, 2]], { name: null }),
        opLayer('concat', [], { axis: -1 }),
        opLayer('nn.relu'),
        opLayer('image.resize', [[8, 8]]),
        opLayer('compat.v1.transpose', [], { perm: [0, 2, 1] }),
        opLayer('compat.v1.sparse_tensor_dense_matmul'),
        opLayer('compat.v1.unsorted_segment_sqrt_n', [], { num_segments: 2 }),
      ),
    },
    want: [],
  },
  {
    name: 'TFOpLambda of tf.print (PrintV2 appends to a file given output_stream "file://…")',
    loader: `${LOADER}: print is not a side-effect-free tensor function`,
    files: { 'm.keras': tfKerasModel(opLayer('print', [], { output_stream: 'file:///home/user/.bashrc' })) },
    want: ['CPI061:error'],
  },
  {
    name: 'TFOpLambda of tf.print to stderr (a debug print, as the TensorFlowOpLayer PrintV2 to stderr)',
    loader: `${LOADER}: print (logging_ops.py print_v2) writes to stderr`,
    files: { 'm.keras': tfKerasModel(opLayer('print', [], { output_stream: 'stderr' })) },
    want: [],
  },
  {
    name: 'TFOpLambda of a plain tf.print (no kwargs: stderr)',
    loader: `${LOADER}: print_v2's output_stream defaults to sys.stderr`,
    files: { 'm.keras': tfKerasModel(opLayer('print')) },
    want: [],
  },
  {
    name: 'TFOpLambda of tf.raw_ops.PrintV2 (the op tf.print wraps)',
    loader: `${LOADER}: raw_ops.PrintV2 (gen_logging_ops.py)`,
    files: { 'm.keras': tfKerasModel(opLayer('raw_ops.PrintV2', [], { output_stream: 'file:///tmp/x' })) },
    want: ['CPI061:warning'],
  },
  {
    name: 'ClassMethod tf.RaggedTensor.from_row_splits (what tf_keras writes for it)',
    loader: 'tf_keras ClassMethod: TFClassMethodDispatcher is registered for RaggedTensor.from_row_splits',
    files: { 'm.keras': tfKerasModel(classMethod('RaggedTensor', 'from_row_splits')) },
    want: [],
  },
  {
    name: 'ClassMethod of a method tf_keras never dispatches (tf.Variable.__init__)',
    loader: 'tf_keras ClassMethod.call: getattr(cls_ref, method_name)(*args, **kwargs)',
    files: { 'm.keras': tfKerasModel(classMethod('Variable', '__init__')) },
    want: ['CPI061:warning'],
  },
  {
    name: 'InstanceProperty / InstanceMethod tf_keras delegates from a ragged KerasTensor (values, to_tensor)',
    loader: 'tf_keras InstanceProperty.call: getattr(obj, attr_name); _delegate_property / _delegate_method',
    files: {
      'm.keras': tfKerasModel(
        instanceLayer('InstanceProperty', 'values'),
        instanceLayer('InstanceMethod', 'to_tensor'),
      ),
    },
    want: [],
  },
  {
    name: 'InstanceMethod naming an attribute tf_keras never delegates',
    loader: 'tf_keras InstanceMethod.call: getattr(obj, attr_name)(*args, **kwargs)',
    files: { 'm.keras': tfKerasModel(instanceLayer('InstanceMethod', '__reduce_ex__')) },
    want: ['CPI061:warning'],
  },
  {
    name: 'TensorFlowOpLayer of AddV2 (what TF 2.0–2.3 wrote for `x + 1`)',
    loader: 'tf_keras TensorFlowOpLayer._make_op: ops._create_c_op(graph, node_def, inputs)',
    files: { 'm.keras': tfKerasModel(graphOpLayer('AddV2', { T: { type: 'DT_FLOAT' } })) },
    want: [],
  },
  {
    name: 'TensorFlowOpLayer of WriteFile',
    loader: 'tf_keras TensorFlowOpLayer: the NodeDef op runs each time the model runs',
    files: { 'm.keras': tfKerasModel(graphOpLayer('WriteFile')) },
    want: ['CPI061:error'],
  },
  {
    name: 'TensorFlowOpLayer of SaveV2 (the same verdict as TFOpLambda raw_ops.SaveV2: writes a checkpoint at a path)',
    loader: 'tf_keras TensorFlowOpLayer: the NodeDef op runs each time the model runs',
    files: { 'm.keras': tfKerasModel(graphOpLayer('SaveV2')) },
    want: ['CPI061:error'],
  },
  {
    name: 'TensorFlowOpLayer whose node_def is a serialized NodeDef string running WriteFile',
    loader: "tf_keras TensorFlowOpLayer.__init__: NodeDef.FromString(node_def.encode('utf-8'))",
    files: {
      'm.keras': tfKerasModel(
        serializedOpLayer(`${pbString(1, 'w')}${pbString(2, 'WriteFile')}${pbString(3, 'input_1')}`),
      ),
    },
    want: ['CPI061:error'],
  },
  {
    name: 'TensorFlowOpLayer whose node_def string is a PrintV2 to a file (attr output_stream: AttrValue.s)',
    loader: "tf_keras TensorFlowOpLayer.__init__: NodeDef.FromString(node_def.encode('utf-8'))",
    files: {
      'm.keras': tfKerasModel(
        serializedOpLayer(
          `${pbString(2, 'PrintV2')}${pbString(5, `${pbString(1, 'output_stream')}${pbString(2, pbString(2, 'file:///tmp/x'))}`)}`,
        ),
      ),
    },
    want: ['CPI061:error'],
  },
  {
    name: 'TensorFlowOpLayer whose node_def string is a serialized AddV2 (graph maths)',
    loader: "tf_keras TensorFlowOpLayer.__init__: NodeDef.FromString(node_def.encode('utf-8'))",
    files: { 'm.keras': tfKerasModel(serializedOpLayer(`${pbString(1, 'a')}${pbString(2, 'AddV2')}`)) },
    want: [],
  },
  {
    name: 'TensorFlowOpLayer whose node_def string is no NodeDef: its own warning',
    loader: 'tf_keras TensorFlowOpLayer.__init__: NodeDef.FromString raises DecodeError on it',
    files: { 'm.keras': tfKerasModel(serializedOpLayer('\x12\x7fWriteFile')) },
    want: ['CPI061:warning'],
  },
  {
    name: 'TensorFlowOpLayer of PrintV2 with output_stream file:// (bytes base64 in json_format)',
    loader: 'tf_keras TensorFlowOpLayer; logging_ops.cc PrintV2Op appends to a "file://" output_stream',
    files: {
      'm.keras': tfKerasModel(
        graphOpLayer('PrintV2', { output_stream: { s: Buffer.from('file:///home/user/.bashrc').toString('base64') } }),
      ),
    },
    want: ['CPI061:error'],
  },
  {
    name: 'TensorFlowOpLayer of PrintV2 to stderr (a debug print)',
    loader: 'tf_keras TensorFlowOpLayer; PrintV2Op writes to stderr',
    files: {
      'm.keras': tfKerasModel(
        graphOpLayer('PrintV2', { output_stream: { s: Buffer.from('stderr').toString('base64') } }),
      ),
    },
    want: [],
  },
];
