import type { JsonValue } from './json.js';
import { isObject } from './json.js';

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
      // The generated op wrappers: every op is exported again as `raw_ops.<OpName>` (`tf_export("raw_ops.WriteFile")` in
      // gen_io_ops.py, gen_script_ops.py, gen_dataset_ops.py…), so `io.write_file`'s op is reachable by that name too.
      'raw_ops\\.(ReadFile|WriteFile|MatchingFiles|Save|SaveV2|SaveSlices|Restore|RestoreV2|RestoreSlice|MergeV2Checkpoints|PyFunc|PyFuncStateless|EagerPyFunc|[A-Za-z]*Reader(V2)?|Write[A-Za-z]*Summary|CreateSummary(File|Db)Writer|SummaryWriter|ImportEvent|(Experimental)?(TFRecord|TextLine|FixedLengthRecord|Sql|Load|Save)Dataset(V2|V3)?|DatasetToTFRecord|Rpc[A-Za-z]*|[A-Za-z]*DataService[A-Za-z]*)',
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

/** `compat.v1.io.write_file` is `io.write_file`; `compat.v2.compat.v1.…` too. */
const withoutCompat = (name: string): string => name.replace(/^(compat\.v[12]\.)+/, '');

/**
 * The TensorFlow symbol a tf_keras op layer resolves at load, when it is one that reaches outside tensor maths.
 * `TFOpLambda.from_config` (and `SlicingOpLambda`, its subclass) calls `get_symbol_from_name(config["function"])`, a
 * lookup in tf_export's `_NAME_TO_SYMBOL_MAPPING` (names without `tf.`); `ClassMethod.from_config` resolves
 * `cls_symbol` the same way and calls `getattr(cls_ref, method_name)`. Keras 3 has no such layers (it refuses the
 * class), so only tf_keras and TF's own Keras before 2.16 load them.
 */
export function outsideTfSymbol(cls: string | undefined, config: JsonValue | undefined): string | undefined {
  if (!isObject(config)) return undefined;
  let name: string | undefined;
  if ((cls === 'TFOpLambda' || cls === 'SlicingOpLambda') && typeof config.function === 'string')
    name = config.function;
  else if (cls === 'ClassMethod' && typeof config.cls_symbol === 'string' && typeof config.method_name === 'string')
    name = `${config.cls_symbol}.${config.method_name}`;
  if (name === undefined) return undefined;
  return TF_OUTSIDE_MATHS.test(withoutCompat(name)) ? name : undefined;
}
