import { isMap, isScalar, LineCounter } from 'yaml';
import { PyYamlView, unreadDeepYaml, type UnreadYaml } from './pyyaml-nodes.js';
import type { Findings } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError, readAt } from './source.js';
import { parseShallowYaml } from '../../core/yaml-depth.js';

/** An MLmodel file is a few KiB of YAML. */
const MAX_FILE = 1024 * 1024;

/** Modules of MLflow itself: its flavours' loaders (`mlflow.sklearn`, `mlflow.pyfunc.model`, …). */
const MLFLOW_MODULE = /^mlflow(\.|$)/;

/** The flavour `mlflow.pyfunc.load_model` reads. */
const PYFUNC = 'python_function';

/** A string value of the MLmodel, with the flavour it was read from and its line. */
interface Setting {
  readonly value: string;
  readonly flavour: string;
  readonly line: number | undefined;
}

/** What the loader does with the file when it is too deep to read (CPI051's message). */
const MLMODEL_DEEP: UnreadYaml = {
  what: 'the MLmodel file',
  reader: 'yaml.safe_load',
  then: 'mlflow.pyfunc.load_model imports the loader_module and runs the code it names, which were not checked',
};

/**
 * `mlflow.pyfunc.load_model` (mlflow/pyfunc/__init__.py) reads the `python_function` flavour of `MLmodel`
 * (`yaml.safe_load`), puts its `code` folder first on `sys.path` (`_add_code_from_conf_to_system_path`), then
 * `importlib.import_module(conf["loader_module"])._load_pyfunc(data_path)`. A loader module that is not MLflow's
 * own is the model's code, run on load with no opt-in; `model_code_path` (models from code, `mlflow.pyfunc.model`)
 * is a Python file MLflow executes to build the model. A `code` folder beside MLflow's own loader shadows any
 * module imported after it.
 *
 * Every flavour is read, not only `python_function`: each flavour's own loader (`mlflow.sklearn.load_model`,
 * `mlflow.pytorch.load_model`, `mlflow.langchain._load_model_from_local_fs`, …) calls
 * `_add_code_from_conf_to_system_path(local_model_path, flavor_conf)` on its own section, and
 * `mlflow.langchain._load_model_from_local_fs` runs `flavor_conf[MODEL_CODE_PATH]` when `python_function` has none
 * ("previously saved langchain flavor", kept for old models) — reached by `mlflow.langchain.load_model` and by
 * `mlflow.pyfunc.load_model` through `loader_module: mlflow.langchain`.
 */
export function* mlflowFindings(src: RandomAccess, out: Findings): ParseSteps<void> {
  if (src.size > MAX_FILE) throw new FormatError(`file of ${src.size} bytes is past the limit`, 0, 'limit');
  const text = (yield* readAt(src, 0, src.size)).toString('utf8');
  const lines = new LineCounter();
  // Attacker-controlled YAML: read as nodes (aliases are looked through, never expanded), a parse error is a finding
  // (CPI050). `Model.load` reads it with `yaml.safe_load`: a repeated key is no error there, the last one wins.
  const doc = parseShallowYaml(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  if (unreadDeepYaml(doc, out, MLMODEL_DEEP)) return;
  if (doc.errors.length > 0) throw new FormatError(`invalid YAML: ${doc.errors[0]!.message}`, doc.errors[0]!.pos[0]);
  const view = new PyYamlView(doc);
  const flavors = view.get(doc.contents, 'flavors');
  // `python_function` first: it is what `mlflow.pyfunc.load_model` reads, and langchain prefers its model_code_path.
  const names = view.keys(flavors).filter((name) => isMap(view.get(flavors, name)));
  names.sort((a, b) => Number(b === PYFUNC) - Number(a === PYFUNC));
  const setting = (flavour: string, key: string): Setting | undefined => {
    const node = view.get(view.get(flavors, flavour), key);
    if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') return undefined;
    return { value: node.value, flavour, line: node.range ? lines.linePos(node.range[0]).line : undefined };
  };
  const first = (key: string): Setting | undefined =>
    names.map((flavour) => setting(flavour, key)).find((s) => s !== undefined);
  const loader = setting(PYFUNC, 'loader_module');
  const code = first('code');
  const modelCode = first('model_code_path');
  const codeNote = code ? ` with ${JSON.stringify(code.value)} first on sys.path` : '';
  if (loader && !MLFLOW_MODULE.test(loader.value)) {
    out.add(
      'CPI116',
      `python_function.loader_module is ${JSON.stringify(loader.value)}: mlflow.pyfunc.load_model imports that module${codeNote} and calls its _load_pyfunc, so loading the model runs its code. Review the module before loading, or log the model with a built-in MLflow flavour.`,
      { loaderModule: loader.value, ...(code ? { code: code.value } : {}) },
      undefined,
      'error',
      loader.line,
    );
  } else if (modelCode) {
    out.add(
      'CPI116',
      `${modelCode.flavour}.model_code_path is ${JSON.stringify(modelCode.value)}: MLflow executes that Python file to build the model when it is loaded${modelCode.flavour === PYFUNC ? '' : ` (mlflow.${modelCode.flavour}'s loader reads it from its own flavour)`}. Review the file before loading.`,
      { modelCodePath: modelCode.value, flavour: modelCode.flavour, ...(code ? { code: code.value } : {}) },
      undefined,
      'error',
      modelCode.line,
    );
  } else if (code) {
    out.add(
      'CPI116',
      `${code.flavour}.code is ${JSON.stringify(code.value)}: MLflow's loader puts that folder first on sys.path, so a module there named like any later import (numpy, sklearn…) replaces it and runs. Review the folder before loading.`,
      { code: code.value, flavour: code.flavour, ...(loader ? { loaderModule: loader.value } : {}) },
      undefined,
      undefined,
      code.line,
    );
  }
}
