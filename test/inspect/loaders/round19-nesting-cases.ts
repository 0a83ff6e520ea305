import { zip } from '../formats/build.js';
import { tar, WEIGHTS } from './round4-nemo-cases.js';
import type { UnseenCase } from './unseen-runner.js';

/** `depth` lists, one inside the other. */
const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
/** json.loads reads this deep on Python 3.11 (its limit is about 1000 levels, more on later versions). */
const PAST_PARSER = nested(600);
const HF_CONFIG = 'transformers PretrainedConfig._dict_from_json_file (json.loads)';

/** A skops node tree: FunctionTransformer whose `func` is `os.system`, with a key no skops node reads beside it. */
const SKOPS_SCHEMA = {
  __class__: 'FunctionTransformer',
  __module__: 'sklearn.preprocessing._function_transformer',
  __loader__: 'ObjectNode',
  content: {
    __class__: 'dict',
    __module__: 'builtins',
    __loader__: 'DictNode',
    content: { func: { __class__: 'system', __module__: 'os', __loader__: 'FunctionNode' } },
  },
  junk: PAST_PARSER,
  protocol: 2,
  _skops_version: '0.10.0',
};

/** `levels` NameAttrList values, one inside the other's attr (3 text-format messages a level), around a string. */
const deepAttr = (levels: number): string => {
  let inner = 's: "x"';
  for (let i = 0; i < levels; i++) inner = `func { name: "f" attr { key: "a" value { ${inner} } } }`;
  return `attr { key: "junk" value { ${inner} } }`;
};
/** A text SavedModel whose graph holds `nodes`. */
const pbtxt = (nodes: string): string =>
  `saved_model_schema_version: 1\nmeta_graphs {\n  meta_info_def { tags: "serve" }\n  graph_def {\n${nodes}\n  }\n}\n`;
const TEXT_LOADER =
  "loader_impl.parse_saved_model → text_format.Parse (to Python's recursion limit, about 450 levels); C++ ReadTextProto (TextFormat::Parser: no recursion limit)";

/** A YAML flow sequence `depth` levels deep, on one line. */
const deepYaml = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/**
 * Round 19: JSON the real loader reads past the 512 levels chainproof's parser builds (json.loads to Python's
 * recursion limit, JSON.parse and Gson's 255-level default further or as far). The loaders read the keys beside the
 * deep part, so an attack beside deep junk still loads; chainproof gave up on the whole file (a CPI051 warning the
 * default gate passes, or nothing at all for a tfjs model.json) and now skips only the deep part: shallow keys are
 * judged, and a reader that walks the whole tree (Keras, skops) reports the deep part unread at error. A text
 * SavedModel nested past the walker's 100 levels (only recursive attr values nest so deep) failed to parse as a whole
 * (a CPI050 warning); the deep message is now stepped over and the nodes beside it judged. YAML past the 256 levels
 * `parseShallowYaml` reads (an MLmodel, a SpeechBrain hyperparams file, a .nemo model_config.yaml) was a parse warning too: PyYAML reads about
 * 400 levels on 3.11, so the unread file is now CPI051 at error.
 */
export const ROUND19_NESTING_CASES: readonly UnseenCase[] = [
  {
    name: 'tfjs model.json: a weight path out of the folder beside a 600-deep modelTopology',
    loader: 'tfjs-core io.http load (response.json(): JSON.parse, any depth) → loadWeights fetches pathPrefix + path',
    files: {
      'm/model.json': JSON.stringify({
        modelTopology: { junk: PAST_PARSER },
        weightsManifest: [{ paths: ['../../secret.bin'], weights: [] }],
      }),
    },
    want: ['CPI076:error'],
  },
  {
    name: 'tfjs model.json: plain shard paths beside a 600-deep modelTopology',
    loader: 'tfjs-core io.http load → loadWeights: shards beside the manifest',
    files: {
      'm/model.json': JSON.stringify({
        modelTopology: { junk: PAST_PARSER },
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
      }),
    },
    want: [],
  },
  {
    name: 'config.json: auto_map to another repository beside 600-deep junk',
    loader: `${HF_CONFIG} → get_class_from_dynamic_module fetches repo--module.py`,
    files: {
      'm/config.json': JSON.stringify({
        model_type: 'x',
        junk: PAST_PARSER,
        auto_map: { AutoModel: 'evil/repo--modeling.M' },
      }),
    },
    want: ['CPI115:error'],
  },
  {
    name: 'config.json: no auto_map, 600-deep junk',
    loader: `${HF_CONFIG}: an attribute nothing imports`,
    files: { 'm/config.json': JSON.stringify({ model_type: 'bert', junk: PAST_PARSER }) },
    want: [],
  },
  {
    name: 'tokenizer_config.json: a sandbox-escape chat template beside 600-deep junk',
    loader: 'transformers PreTrainedTokenizerBase.from_pretrained (json.load) → apply_chat_template renders it',
    files: {
      'm/tokenizer_config.json': JSON.stringify({
        junk: PAST_PARSER,
        chat_template: "{{ ''.__class__.__mro__[1].__subclasses__() }}",
      }),
    },
    want: ['CPI055:error'],
  },
  {
    name: 'model.safetensors.index.json: a shard out of the folder beside 600-deep junk',
    loader: `transformers load_sharded_checkpoint / _get_resolved_checkpoint_files (json.load of the index)`,
    files: {
      'm/model.safetensors.index.json': JSON.stringify({ junk: PAST_PARSER, weight_map: { w: '../../x.safetensors' } }),
    },
    want: ['CPI128:error'],
  },
  {
    name: 'TorchServe MANIFEST.json: a handler from the archive beside 100-deep junk',
    loader:
      'TorchServe ModelArchive (Gson, 255 levels by default) and ts/model_loader.py (json.load) import model.handler',
    files: {
      'm.mar': zip([
        {
          name: 'MAR-INF/MANIFEST.json',
          data: JSON.stringify({ runtime: 'python', junk: nested(100), model: { modelName: 'm', handler: 'h.py' } }),
        },
        { name: 'h.py', data: 'import os\n' },
      ]),
    },
    want: ['CPI121:warning'],
  },
  {
    name: '.skops: FunctionTransformer(os.system) beside 600-deep junk',
    loader: 'skops.io.load (json.loads of schema.json) → get_tree: a node reads only its own keys',
    files: { 'm.skops': zip([{ name: 'schema.json', data: JSON.stringify(SKOPS_SCHEMA) }]) },
    want: ['CPI051:error', 'CPI117:error'],
  },
  {
    name: 'Keras folder config.json: an os.system reference beside 600-deep junk',
    loader: 'keras saving_lib._load_model_from_dir (json.loads) → deserialize_keras_object',
    files: {
      'm/config.json': JSON.stringify({
        module: 'keras',
        class_name: 'Sequential',
        config: {
          name: 's',
          layers: [{ module: 'os', class_name: 'function', config: 'system', registered_name: 'function' }],
        },
        junk: PAST_PARSER,
      }),
    },
    want: ['CPI051:error', 'CPI061:error'],
  },
  {
    name: 'saved_model.pbtxt: a PyFunc node beside a Const whose attr nests 150 messages deep',
    loader: `${TEXT_LOADER}; PyFuncOp runs Python when a signature runs`,
    files: {
      'm/saved_model.pbtxt': pbtxt(
        `node { name: "c" op: "Const" ${deepAttr(50)} }\nnode { name: "p" op: "PyFunc" attr { key: "token" value { s: "t" } } }`,
      ),
    },
    want: ['CPI070:error'],
  },
  {
    name: 'saved_model.pbtxt: only a Const whose attr nests 150 messages deep',
    loader: TEXT_LOADER,
    files: { 'm/saved_model.pbtxt': pbtxt(`node { name: "c" op: "Const" ${deepAttr(50)} }`) },
    want: [],
  },
  {
    name: 'MLmodel: a foreign loader_module beside a 300-deep flow sequence',
    loader:
      'mlflow Model.load (yaml.safe_load: PyYAML composes about 400 levels on 3.11) → pyfunc.load_model imports loader_module',
    files: {
      'm/MLmodel': `flavors:\n  python_function:\n    loader_module: evil_module\njunk: ${deepYaml(300)}\n`,
    },
    want: ['CPI051:error'],
  },
  {
    name: 'SpeechBrain hyperparams.yaml: !new:os.system beside a 300-deep flow sequence',
    loader: "load_hyperpyyaml (ruamel.yaml, then PyYAML's yaml.Loader) → _construct_object",
    files: { 'm/hyperparams.yaml': `run: !new:os.system\n  command: id\njunk: ${deepYaml(300)}\n` },
    want: ['CPI051:error'],
  },
  {
    name: '.nemo: a _target_ of os.system beside a 300-deep flow sequence',
    loader: 'nemo restore_from: OmegaConf.load (a PyYAML SafeLoader) → hydra instantiate(_target_)',
    files: {
      'm.nemo': tar({
        './model_config.yaml': `model:\n  encoder:\n    _target_: os.system\n    command: id\njunk: ${deepYaml(300)}\n`,
        './model_weights.ckpt': WEIGHTS,
      }),
    },
    want: ['CPI051:error'],
  },
];
