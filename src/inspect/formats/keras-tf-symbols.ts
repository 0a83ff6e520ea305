import type { JsonValue } from './json.js';
import { isObject } from './json.js';
import { DANGEROUS_TF_OPS } from './tf-ops.js';
import { nodeDefOp } from './keras-node-def.js';

/**
 * TensorFlow API names a tf_keras op layer may resolve that reach outside tensor maths: files, code loading, Python
 * callbacks, other models, the network. Matched against the name with its `compat.v1.` / `compat.v2.` prefixes taken
 * off (tf_export registers every v1 name again under `compat.v1.`). A functional model calls the op while it is
 * rebuilt (`functional.reconstruct_from_config` → `Layer.__call__` traces it on KerasTensors), with constant arguments
 * from the node's `inbound_nodes`, so a Python-level function such as `io.gfile.remove` runs at load time.
 */
const TF_OUTSIDE_MATHS = new RegExp(
  '^(' +
    [
      // Files: the graph ops and `tf.io.gfile` (Python, runs while tracing); v1 spelled them without `io.`.
      'io\\.(read_file|write_file|matching_files|write_graph|gfile\\..+|TFRecordWriter)',
      '(read_file|write_file|matching_files)',
      'gfile\\..+',
      'train\\.(write_graph|import_meta_graph|export_meta_graph|Saver|Checkpoint|CheckpointManager|load_checkpoint|load_variable|list_variables|latest_checkpoint|get_checkpoint_state|summary_iterator)',
      'data\\.(experimental\\.(save|load|SqlDataset|TFRecordWriter|service\\..+)|Dataset\\.(save|load|from_generator)|TextLineDataset|TFRecordDataset|FixedLengthRecordDataset)',
      'lookup\\.(TextFileInitializer|experimental\\.DatasetInitializer)',
      'summary\\..+',
      'debugging\\.experimental\\..+',
      // Python callbacks and native code.
      '(py_function|numpy_function|py_func|load_library|load_op_library|load_file_system_library)',
      'experimental\\.register_filesystem_plugin',
      // Other models, and Keras helpers that download or load (keras_export shares the table in TF 2.x).
      'saved_model\\..+',
      'keras\\.(utils|saving|datasets)\\..+',
      'keras\\.(models\\.(load_model|save_model|model_from_json|model_from_yaml)|preprocessing\\.image\\.(load_img|save_img))',
      // The network.
      'config\\.experimental_connect_to_(host|cluster)',
      'distribute\\.cluster_resolver\\..+',
      'distribute\\.experimental\\.rpc\\..+',
    ].join('|') +
    ')$',
);

/**
 * Graph ops a SavedModel holds for its own checkpoint and summaries (tf-ops.ts leaves them out of DANGEROUS_TF_OPS,
 * since every saver graph has them), which no op layer has a reason to build: they write or read files at the path
 * they are given, or hand data to a summary writer or a server.
 */
const LAYER_OUTSIDE_OPS = new RegExp(
  '^(Save|SaveV2|SaveSlices|Restore|RestoreV2|RestoreSlice|MergeV2Checkpoints|[A-Za-z]*Reader(V2)?|Write[A-Za-z]*Summary|CreateSummary(File|Db)Writer|SummaryWriter|ImportEvent|(Experimental)?(TFRecord|TextLine|FixedLengthRecord|Sql|Load|Save)Dataset(V2|V3)?|DatasetToTFRecord|Rpc[A-Za-z]*|[A-Za-z]*DataService[A-Za-z]*)$',
);

/**
 * What a graph op does outside tensor maths, one verdict wherever an op layer names it: a `TensorFlowOpLayer`'s
 * NodeDef op, and a `TFOpLambda` of `raw_ops.<Op>` (every generated op is exported again under that name,
 * `tf_export("raw_ops.WriteFile")` in gen_io_ops.py…). DANGEROUS_TF_OPS is the table a SavedModel's graph is judged
 * by; LAYER_OUTSIDE_OPS adds what only a saver graph has a reason to hold.
 */
function graphOpDanger(op: string): string | undefined {
  return (
    DANGEROUS_TF_OPS.get(op) ??
    (LAYER_OUTSIDE_OPS.test(op) ? 'reads or writes files at a path it is given, or sends data out' : undefined)
  );
}

/**
 * Namespaces of pure tensor functions: their symbols compute on their tensor arguments and touch no files, code,
 * processes or network (`tf.math`, `tf.nn`, `tf.image` …, and the operators `__operators__.add` / `getitem` that
 * tf_keras writes for `x + y` / `x[1:]`). `debugging` is limited to its assertions; `experimental.numpy` leaves out
 * `experimental_enable_numpy_behavior`, which changes global state.
 */
const TF_PURE_NAMESPACES = new RegExp(
  '^(' +
    [
      '(math|nn|linalg|signal|bitwise|sparse|ragged|sets|strings|image|random|dtypes|quantization|spectral|manip|audio|__operators__)\\..+',
      'experimental\\.numpy\\.(?!experimental_)[A-Za-z_0-9.]+',
      'debugging\\.(assert_[a-z_]+|Assert|check_numerics|is_numeric_tensor)',
      'keras\\.activations\\.[a-z_0-9]+',
      // TF 1.x's top-level op families, still under `compat.v1.` (`sparse_tensor_dense_matmul`, `reduce_mean`,
      // `matrix_band_part`, `unsorted_segment_sum`, `to_float`, `random_uniform`…).
      '(sparse|reduce|matrix|segment|unsorted_segment|tensor_scatter|random|to)_[a-z0-9_]+',
      // Every generated op again under its op name; the ones outside maths are `graphOpDanger`'s, and these few reach a
      // file from an attribute (PrintV2's `output_stream` "file://…", ImmutableConst's `memory_region_name`,
      // DecodeProtoV2's `descriptor_source`).
      'raw_ops\\.(?!(Print|PrintV2|ImmutableConst|DecodeProtoV2)$)[A-Za-z0-9]+',
    ].join('|') +
    ')$',
);

/**
 * Top-level TensorFlow functions (TF 2.x `tf.<name>`, and v1 names that `compat.v1.` adds) that only compute on
 * their tensor arguments: array shaping, maths, comparisons, reductions, casts, constants. Functions that take a
 * Python callable (`map_fn`, `cond`, `while_loop`…) are not listed: a config cannot hold one, so tf_keras never
 * writes them, and their name in a config is unexplained.
 */
const TF_PURE_TOP_LEVEL: ReadonlySet<string> = new Set(
  `abs accumulate_n acos acosh add add_n angle arg_max arg_min argmax argmin argsort as_dtype as_string asin asinh
  assert_equal assert_greater assert_greater_equal assert_integer assert_less assert_less_equal assert_negative
  assert_non_negative assert_non_positive assert_none_equal assert_positive assert_rank assert_rank_at_least
  assert_rank_in assert_same_float_dtype assert_scalar assert_type atan atan2 atanh batch_gather batch_to_space
  batch_to_space_nd betainc bincount bitcast boolean_mask broadcast_dynamic_shape broadcast_static_shape broadcast_to
  cast ceil check_numerics cholesky clip_by_average_norm clip_by_global_norm clip_by_norm clip_by_value complex concat
  conj constant convert_to_tensor cos cosh count_nonzero cross cumprod cumsum depth_to_space dequantize diag diag_part
  digamma div div_no_nan divide dynamic_partition dynamic_stitch edit_distance einsum ensure_shape equal erf erfc exp
  expand_dims expm1 extract_image_patches extract_volume_patches eye fill fingerprint floor floor_div floordiv floormod
  gather gather_nd greater greater_equal guarantee_const histogram_fixed_width histogram_fixed_width_bins identity
  identity_n igamma igammac imag invert_permutation is_finite is_inf is_nan is_non_decreasing is_strictly_increasing
  is_tensor lbeta less less_equal lgamma lin_space linspace log log1p log_sigmoid logical_and logical_not logical_or
  logical_xor matmul matrix_band_part matrix_determinant matrix_diag matrix_diag_part matrix_inverse
  matrix_set_diag matrix_solve matrix_transpose matrix_triangular_solve maximum meshgrid minimum mod multinomial
  multiply negative no_op norm not_equal one_hot ones ones_like pad parallel_stack polygamma pow quantize random_crop
  random_gamma random_normal random_poisson random_shuffle random_uniform range rank real realdiv reciprocal
  reduce_all reduce_any reduce_join reduce_logsumexp reduce_max reduce_mean reduce_min reduce_prod reduce_std
  reduce_sum reduce_variance repeat required_space_to_batch_paddings reshape reverse reverse_sequence reverse_v2 rint
  roll round rsqrt saturate_cast scalar_mul scatter_nd searchsorted segment_max segment_mean segment_min segment_prod
  segment_sum self_adjoint_eig sequence_mask shape shape_n sigmoid sign sin sinh size slice sort space_to_batch
  space_to_batch_nd space_to_depth split sqrt square squared_difference squeeze stack stop_gradient strided_slice
  string_split string_to_number subtract svd tan tanh tensor_scatter_add tensor_scatter_nd_add tensor_scatter_nd_max
  tensor_scatter_nd_min tensor_scatter_nd_sub tensor_scatter_nd_update tensor_scatter_sub tensor_scatter_update
  tensordot tile to_bfloat16 to_complex128 to_complex64 to_double to_float to_int32 to_int64 trace transpose
  truediv truncated_normal truncatediv truncatemod unique unique_with_counts unravel_index unsorted_segment_max
  unsorted_segment_mean unsorted_segment_min unsorted_segment_prod unsorted_segment_sqrt_n unsorted_segment_sum
  unstack where where_v2 zeros zeros_like zeta`
    .trim()
    .split(/\s+/),
);

/**
 * `tf.RaggedTensor`'s class methods, the only ones tf_keras turns into a `ClassMethod` layer
 * (tf_keras/layers/core/tf_op_layer.py registers `TFClassMethodDispatcher` for exactly these).
 */
const RAGGED_CLASS_METHODS: ReadonlySet<string> = new Set(
  `from_value_rowids from_row_splits from_row_lengths from_row_starts from_row_limits from_uniform_row_length
  from_nested_value_rowids from_nested_row_splits from_nested_row_lengths from_tensor from_sparse`.split(/\s+/),
);

/**
 * The attributes tf_keras delegates from a ragged or sparse KerasTensor to an `InstanceProperty` / `InstanceMethod`
 * layer (`_delegate_property` / `_delegate_method` in tf_op_layer.py); its own saves name nothing else.
 */
const DELEGATED_ATTRIBUTES: ReadonlySet<string> = new Set(
  `values flat_values row_splits nested_row_splits indices dense_shape value_rowids nested_value_rowids nrows
  row_starts row_limits row_lengths nested_row_lengths bounding_shape with_values with_flat_values
  with_row_splits_dtype merge_dims to_tensor to_sparse`.split(/\s+/),
);

/** `compat.v1.io.write_file` is `io.write_file`; `compat.v2.compat.v1.…` too. */
const withoutCompat = (name: string): string => name.replace(/^(compat\.v[12]\.)+/, '');

/**
 * What a tf_keras op layer calls while the model is rebuilt, judged: `outside` when it reaches files, code, other
 * models or the network; `unknown` when it is not among the pure tensor functions tf_keras saves (an op layer only
 * ever names what the user called on a KerasTensor, so an unknown name is unexplained, not proven harmful).
 */
export interface TfOpCall {
  readonly verdict: 'outside' | 'unknown';
  /** What runs, as the user would write it: `tf.io.write_file`, `tf.RaggedTensor.from_tensor`, `input.values`. */
  readonly call: string;
  /** What it does, when known more exactly than "reaches files, code, other models or the network". */
  readonly does?: string;
  /** A `TensorFlowOpLayer` whose NodeDef could not be read: what it runs is not known at all. */
  readonly unread?: true;
}

/**
 * The call a tf_keras op layer makes at load, when it is not one of the side-effect-free calls tf_keras writes.
 * `TFOpLambda.from_config` (and `SlicingOpLambda`, its subclass) calls `get_symbol_from_name(config["function"])`, a
 * lookup in tf_export's `_NAME_TO_SYMBOL_MAPPING` (names without `tf.`); `ClassMethod.from_config` resolves
 * `cls_symbol` the same way and its `call` runs `getattr(cls_ref, method_name)(*args, **kwargs)`;
 * `InstanceProperty.call` / `InstanceMethod.call` run `getattr(obj, attr_name)` on the input tensor (and call it).
 * `TensorFlowOpLayer` (TF 2.0–2.3 saves, still loaded by tf_keras) adds the op of its `node_def` to the model's graph
 * (`_make_op` → `ops._create_c_op`), where it runs each time the model runs.
 * A functional model calls each layer while it is rebuilt (`functional.reconstruct_from_config` → `Layer.__call__`),
 * with constant arguments from the node's `inbound_nodes`. Keras 3 has no such layers (it refuses the class), so
 * only tf_keras and TF's own Keras before 2.16 load them.
 */
export function tfOpCall(
  cls: string | undefined,
  config: JsonValue | undefined,
  inboundNodes?: JsonValue,
): TfOpCall | undefined {
  if (!isObject(config)) return undefined;
  if ((cls === 'TFOpLambda' || cls === 'SlicingOpLambda') && typeof config.function === 'string') {
    // `tf.print` (logging_ops.py `print_v2`, which tf_keras dispatches to a TFOpLambda like any op) writes to stderr
    // unless its `output_stream` names a file: a debug print, the same as a PrintV2 TensorFlowOpLayer to stderr.
    if (withoutCompat(config.function) === 'print') {
      const file = fileStream(inboundNodes);
      return file === undefined
        ? undefined
        : { verdict: 'outside', call: 'tf.print', does: `appends to ${file.slice(0, 200)}` };
    }
    return judgeSymbol(config.function, (name) => TF_PURE_NAMESPACES.test(name) || TF_PURE_TOP_LEVEL.has(name));
  }
  if (cls === 'ClassMethod' && typeof config.cls_symbol === 'string' && typeof config.method_name === 'string') {
    const method = config.method_name;
    return judgeSymbol(
      `${config.cls_symbol}.${method}`,
      (name) => name === `RaggedTensor.${method}` && RAGGED_CLASS_METHODS.has(method),
    );
  }
  if (cls === 'TensorFlowOpLayer') return graphOpCall(config.node_def);
  if ((cls === 'InstanceProperty' || cls === 'InstanceMethod') && typeof config.attr_name === 'string')
    return DELEGATED_ATTRIBUTES.has(config.attr_name)
      ? undefined
      : { verdict: 'unknown', call: `input.${config.attr_name.slice(0, 120)}` };
  return undefined;
}

/** A TensorFlow API name: clean when `pure` takes it (without `compat.` prefixes), else outside or unknown. */
function judgeSymbol(name: string, pure: (name: string) => boolean): TfOpCall | undefined {
  const bare = withoutCompat(name);
  const call = `tf.${name.slice(0, 120)}`;
  if (TF_OUTSIDE_MATHS.test(bare)) return { verdict: 'outside', call };
  const does = bare.startsWith('raw_ops.') ? graphOpDanger(bare.slice('raw_ops.'.length)) : undefined;
  if (does !== undefined) return { verdict: 'outside', call, does };
  return pure(bare) ? undefined : { verdict: 'unknown', call };
}

/**
 * The graph op a `TensorFlowOpLayer` builds (keras-node-def.ts reads it from either form of `node_def`), judged as a
 * SavedModel's graph judges the op: `graphOpDanger`, and PrintV2 whose `output_stream` is `file://…`
 * (logging_ops.cc `PrintV2Op` appends to that file). Any other op is graph maths. A `node_def` that cannot be read is
 * `unread`: its op is unknown, and said on its own rather than among the unexplained calls.
 */
function graphOpCall(nodeDef: JsonValue | undefined): TfOpCall | undefined {
  const read = nodeDefOp(nodeDef);
  if (read === undefined)
    return { verdict: 'unknown', call: 'a graph op whose NodeDef could not be read', unread: true };
  const call = `tf.raw_ops.${read.op.slice(0, 120)}`;
  const why = graphOpDanger(read.op);
  if (why !== undefined) return { verdict: 'outside', call, does: why };
  const target = read.outputStream ?? '';
  if (read.op === 'PrintV2' && /^file:/i.test(target))
    return { verdict: 'outside', call, does: `appends to ${target.slice(0, 200)}` };
  return undefined;
}

/**
 * A `file://` `output_stream` among the call arguments a functional model passes the layer: tf_keras keeps them in
 * the layer's `inbound_nodes` (`[layer, node, tensor, kwargs]`), and `tf.print` (logging_ops.py `print_v2`) hands
 * the string to PrintV2, which appends to that file.
 */
function fileStream(v: JsonValue | undefined, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  if (Array.isArray(v)) {
    for (const x of v) {
      const found = fileStream(x, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isObject(v)) return undefined;
  if (typeof v.output_stream === 'string' && /^file:/i.test(v.output_stream)) return v.output_stream;
  return fileStream(Object.values(v), depth + 1);
}
