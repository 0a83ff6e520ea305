import { tar, WEIGHTS } from './round4-nemo-cases.js';
import type { UnseenCase } from './unseen-runner.js';

const MLFLOW = 'mlflow Model.load: yaml.safe_load (PyYAML, YAML 1.1), then pyfunc.load_model imports loader_module';
const NEMO = 'nemo restore_from: OmegaConf.load (a PyYAML SafeLoader) → hydra instantiate(_target_)';
const nemo = (config: string) => tar({ './model_config.yaml': config, './model_weights.ckpt': WEIGHTS });

/**
 * YAML the Python loaders resolve differently from a YAML 1.2 reader: PyYAML composes an alias as its anchored node,
 * SafeConstructor.flatten_mapping applies `<<` merge keys, and construct_mapping lets a repeated key's last value
 * win (each checked with Debian python3-yaml 6.0 `yaml.safe_load`).
 */
export const ROUND17_YAML_CASES: readonly UnseenCase[] = [
  {
    name: 'MLmodel whose loader_module is an alias',
    loader: MLFLOW,
    files: {
      'm/MLmodel':
        'run_id: &evil evil_module\nflavors:\n  python_function:\n    loader_module: *evil\n    env: conda.yaml\n',
    },
    want: ['CPI116:error'],
  },
  {
    name: 'MLmodel whose python_function merges its loader_module from an anchor',
    loader: `${MLFLOW}; flatten_mapping puts the merged pairs first`,
    files: {
      'm/MLmodel':
        'defaults: &d\n  loader_module: evil_module\nflavors:\n  python_function:\n    <<: *d\n    env: conda.yaml\n',
    },
    want: ['CPI116:error'],
  },
  {
    name: 'MLmodel merging a list of maps, the first of which wins',
    loader: `${MLFLOW}; flatten_mapping reverses a merged sequence`,
    files: {
      'm/MLmodel':
        'a: &a {loader_module: evil_module}\nb: &b {loader_module: mlflow.sklearn}\nflavors:\n  python_function:\n    <<: [*a, *b]\n',
    },
    want: ['CPI116:error'],
  },
  {
    name: 'MLmodel naming loader_module twice, MLflow’s own first',
    loader: `${MLFLOW}; construct_mapping: the last value of a repeated key wins`,
    files: {
      'm/MLmodel':
        'flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    env: conda.yaml\n    loader_module: evil_module\n',
    },
    want: ['CPI116:error'],
  },
  {
    name: 'MLmodel whose own loader_module overrides a merged one',
    loader: `${MLFLOW}; the map's own pairs come after the merged ones`,
    files: {
      'm/MLmodel':
        'd: &d {loader_module: evil_module}\nflavors:\n  python_function:\n    <<: *d\n    loader_module: mlflow.sklearn\n',
    },
    want: [],
  },
  {
    name: 'MLmodel with a quoted "<<" key, which is no merge',
    loader: `${MLFLOW}; only a plain << resolves to tag:yaml.org,2002:merge`,
    files: {
      'm/MLmodel':
        'd: &d {loader_module: evil_module}\nflavors:\n  python_function:\n    "<<": *d\n    loader_module: mlflow.sklearn\n',
    },
    want: [],
  },
  {
    name: 'MLmodel whose merge keys double at each of 24 levels',
    loader: `${MLFLOW}; the merged lists are what PyYAML would build`,
    files: {
      'm/MLmodel': [
        'l0: &l0 {k: 1}',
        ...Array.from({ length: 24 }, (_, i) => `l${i + 1}: &l${i + 1}\n  <<: [*l${i}, *l${i}]\n  x${i}: 1`),
        'flavors:\n  python_function:\n    <<: *l24\n',
      ].join('\n'),
    },
    want: ['CPI051:warning'],
  },
  {
    name: '.nemo config whose _target_ is an alias of a string elsewhere',
    loader: NEMO,
    files: { 'm.nemo': nemo('name: &t os.system\nmodel:\n  encoder:\n    _target_: *t\n    command: id\n') },
    want: ['CPI122:error'],
  },
  {
    name: '.nemo config whose _target_ key is an alias',
    loader: NEMO,
    files: { 'm.nemo': nemo('tag: &k _target_\nmodel:\n  encoder:\n    *k : os.system\n    command: id\n') },
    want: ['CPI122:error'],
  },
];
