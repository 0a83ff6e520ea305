import type { UnseenCase } from './unseen-attacks.test.js';

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
const weights = Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]);

/**
 * Code that sits beside the weights and that the loader imports: transformers' `auto_map` / `custom_pipelines`
 * (`get_class_from_dynamic_module`, only with trust_remote_code=True) and MLflow's `python_function` flavour
 * (`mlflow.pyfunc.load_model` imports `loader_module`, no opt-in).
 */
export const REPO_CODE_CASES: readonly UnseenCase[] = [
  {
    name: 'HF config auto_map to the folder’s own modeling file',
    loader: 'transformers AutoModel.from_pretrained → get_class_from_dynamic_module (trust_remote_code=True)',
    files: {
      'm/config.json': json({
        model_type: 'x',
        auto_map: { AutoConfig: 'configuration_x.XConfig', AutoModel: 'modeling_x.XModel' },
      }),
      'm/modeling_x.py': 'import os\n',
      'm/model.safetensors': weights,
    },
    want: ['CPI115:warning'],
  },
  {
    name: 'HF config auto_map to another repository’s code',
    loader: 'transformers get_class_from_dynamic_module splits repo--module.Class',
    files: { 'm/config.json': json({ model_type: 'x', auto_map: { AutoModel: 'attacker/code--modeling_x.XModel' } }) },
    want: ['CPI115:error'],
  },
  {
    name: 'tokenizer_config auto_map as a [slow, fast] pair with null',
    loader: 'transformers AutoTokenizer.from_pretrained → get_class_from_dynamic_module',
    files: { 'm/tokenizer_config.json': json({ auto_map: { AutoTokenizer: ['tokenization_x.XTokenizer', null] } }) },
    want: ['CPI115:warning'],
  },
  {
    name: 'HF config custom_pipelines impl',
    loader: 'transformers.pipeline → custom_tasks impl → get_class_from_dynamic_module',
    files: {
      'm/config.json': json({ custom_pipelines: { 'x-task': { impl: 'pipe_x.XPipeline', pt: ['AutoModel'] } } }),
    },
    want: ['CPI115:warning'],
  },
  {
    name: 'HF config without auto_map (a library model class)',
    loader: 'transformers CONFIG_MAPPING[model_type]: no repository code',
    files: { 'm/config.json': json({ model_type: 'bert', architectures: ['BertModel'], hidden_size: 8 }) },
    want: [],
  },
  {
    name: 'unrelated config.json (not a model)',
    loader: 'no loader reads it as a model',
    files: { 'config.json': json({ port: 8080, auto_map: 'not a map' }) },
    want: [],
  },
  {
    name: 'sentence-transformers modules.json with a module from the folder',
    loader: 'SentenceTransformer._load_module_class_from_ref (local folder: get_class_from_dynamic_module, no opt-in)',
    files: {
      'st/modules.json': json([
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
        { idx: 1, name: '1', path: '1_Pooling', type: 'custom_pooling.EvilPooling' },
      ]),
      'st/custom_pooling.py': 'import os\n',
    },
    want: ['CPI115:error'],
  },
  {
    name: 'sentence-transformers modules.json as the library writes it',
    loader: 'SentenceTransformer._load_module_class_from_ref imports sentence_transformers.* only',
    files: {
      'st/modules.json': json([
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
        { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
        { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
      ]),
    },
    want: [],
  },
  {
    name: 'config.json with comments (JSONC of another tool)',
    loader: 'PretrainedConfig._dict_from_json_file: json.loads raises, nothing is imported',
    files: { 'config.json': '{\n  // editor settings\n  "auto_map": { "AutoModel": "x.Y" }\n}\n' },
    want: [],
  },
  {
    name: 'MLflow MLmodel with a custom loader_module and code folder',
    loader: 'mlflow.pyfunc.load_model → importlib.import_module(loader_module)._load_pyfunc',
    files: {
      'm/MLmodel':
        'artifact_path: model\nflavors:\n  python_function:\n    loader_module: evil_loader\n    code: code\n    data: data\n',
      'm/code/evil_loader.py': 'import os\n',
    },
    want: ['CPI116:error'],
  },
  {
    name: 'MLflow MLmodel of models-from-code',
    loader: 'mlflow.pyfunc.model._load_pyfunc runs model_code_path',
    files: {
      'm/MLmodel':
        'flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n    model_code_path: model_code.py\n    python_version: 3.11.0\n',
    },
    want: ['CPI116:error'],
  },
  {
    name: 'MLflow sklearn model with a code folder beside MLflow’s loader',
    loader: 'mlflow.pyfunc._add_code_from_conf_to_system_path',
    files: {
      'm/MLmodel':
        'flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    model_path: model.pkl\n    code: code\n  sklearn:\n    pickled_model: model.pkl\n',
    },
    want: ['CPI116:warning'],
  },
  {
    name: 'MLflow sklearn model as MLflow logs it',
    loader: 'mlflow.pyfunc.load_model → mlflow.sklearn._load_pyfunc',
    files: {
      'm/MLmodel':
        'flavors:\n  python_function:\n    env:\n      conda: conda.yaml\n      virtualenv: python_env.yaml\n    loader_module: mlflow.sklearn\n    model_path: model.pkl\n    predict_fn: predict\n    python_version: 3.11.0\n  sklearn:\n    code: null\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\n    sklearn_version: 1.2.1\nmlflow_version: 2.9.2\n',
    },
    want: [],
  },
];

const manifest = (paths: readonly string[]): string =>
  json({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths, weights: [] }] });

/** tfjs fetches `pathPrefix + path` (`io.http` `loadWeights`): the WHATWG URL parser decides where that goes. */
export const TFJS_PATH_CASES: readonly UnseenCase[] = [
  {
    name: 'tfjs weights path climbing out with %2e%2e',
    loader: 'tfjs io.http loadWeights → fetch (URL parser: %2e%2e is a .. segment)',
    files: { 'm/model.json': manifest(['%2e%2e/%2E%2e/secrets/key.bin']) },
    want: ['CPI076:error'],
  },
  {
    name: 'tfjs weights path with a tab inside ..',
    loader: 'WHATWG URL parser strips tabs and newlines',
    files: { 'm/model.json': manifest(['.\t./.\n./x.bin']) },
    want: ['CPI076:error'],
  },
  {
    name: 'tfjs weights path as a data: URL',
    loader: 'fetch of a scheme-qualified URL ignores the model folder',
    files: { 'm/model.json': manifest(['data:application/octet-stream;base64,AAAA']) },
    want: ['CPI076:error'],
  },
  {
    name: 'tfjs weights beside the manifest, percent-encoded name',
    loader: 'tfjs io.http loadWeights',
    files: { 'm/model.json': manifest(['group1-shard1of1.bin', 'shard%20two.bin']) },
    want: [],
  },
];
