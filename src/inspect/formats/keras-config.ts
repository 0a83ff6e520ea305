import type { JsonValue } from './json.js';
import { isObject, loadsOrUnread, unreadDeep, type DeepJson } from './json.js';
import type { Level } from '../../core/finding.js';
import type { Findings } from './report.js';
import { dangerOf } from '../pickle/danger.js';
import { isModelLibrary } from '../pickle/known-libraries.js';
import { codeNote } from '../../core/code-shape.js';
import { listedWithMore } from '../../core/plural.js';
import { BUILTINS_MODULE_FUNCTIONS, normalName } from './keras-builtins.js';
import { tfOpCall } from './keras-tf-symbols.js';

/**
 * Module roots that are Keras itself, or the Keras packages `serialization_lib._retrieve_class_or_fn` imports on
 * its own (`package in {"keras", "keras_hub", "keras_cv", "keras_nlp"}` since Keras 3.9): a KerasHub backbone,
 * tokenizer or task (`keras_hub.src.models.…`) is an ordinary model. Everything else is code outside the file.
 */
const KERAS_ROOTS = /^(keras|tf_keras|tensorflow\.keras|tensorflow\.python\.keras|keras_hub|keras_nlp|keras_cv)(\.|$)/;
/**
 * `_retrieve_class_or_fn` resolves a function of module `builtins` in Keras's own built-in modules first
 * (activations, losses, metrics, …: `{"module": "builtins", "config": "relu"}` as Keras 2.13+ wrote them); only a
 * name none of them has falls through to Python's `builtins`. These are the Python builtins that then reach code,
 * files, attributes or the interpreter.
 */
const PYTHON_BUILTIN_GADGETS = new Set(
  'eval exec compile open __import__ getattr setattr delattr globals locals vars input breakpoint help exit quit memoryview __build_class__ type'.split(
    ' ',
  ),
);
/** Modules whose callables reach processes, files, the network or code loading. */
const DANGEROUS_MODULES =
  /^(builtins|__builtin__|os|posix|nt|subprocess|sys|importlib|runpy|pickle|_pickle|cPickle|marshal|dill|cloudpickle|joblib|shutil|socket|code|codeop|ctypes|pty|webbrowser|io|tempfile|urllib|urllib2|requests|http|httplib|ftplib|smtplib|telnetlib|asyncio|multiprocessing|threading|signal|operator|functools|types|inspect|torch|numpy|tensorflow\.io|tensorflow\.python\.ops\.script_ops)(\.|$)/;
/**
 * Keras modules that hold helpers, not layers (`datasets` download to a path they are given; `legacy.saving`'s
 * `legacy_h5_format.load_model_from_hdf5` and `save_model_to_hdf5` open and write the path they are given;
 * `export.export_saved_model` writes a SavedModel; `distribution.initialize` and each backend's
 * `distribution_lib.initialize` join the coordinator at `job_addresses`):
 * loading must never call into them. Under each name the same helpers are imported by: Keras 3's own package and its
 * `src`, `api` and `_tf_keras.keras` trees (what `tensorflow.keras` is from TF 2.16), tf_keras, and TensorFlow's
 * `tensorflow.keras` / `tensorflow.python.keras` — `_retrieve_class_or_fn` imports any of them (Keras 3 before 3.9, tf_keras)
 * and hands back `vars(module)[name]`.
 */
const KERAS_GADGET_MODULES =
  /^((keras|tf_keras|tensorflow\.keras|tensorflow\.python\.keras)(\.src|\.api|\._tf_keras\.keras)*\.(utils|config|saving|legacy\.saving|datasets|backend\.config|export|distribution|backend\.[a-z_]+\.(distribution_lib|export))|(keras_hub|keras_nlp|keras_cv)\.src\.utils\.preset_utils)(\.|$)/;
/** Keras callables that download, load other models or unpickle. */
const KERAS_GADGET_NAMES = new Set([
  'get_file',
  'load_model',
  'load_weights',
  'load_img',
  // Written files: `keras.preprocessing.image.save_img` and `keras.models.save_model` are the aliases outside
  // keras.utils / keras.saving (`functional_from_config.process_node` calls a function-valued layer with the
  // node's own args and kwargs).
  'save_img',
  'save_model',
  'TorchModuleWrapper',
  'enable_unsafe_deserialization',
  'load_serialized_object',
  'load_json',
  // keras_hub `preset_utils.get_preset_loader(preset)` fetches `config.json` of an hf://, kaggle:// or gs:// preset
  // (`load_json` → `get_file`); `keras_hub.src.models.backbone`, `task` and `preprocessor` import it into their own
  // namespace, which Keras 3.9–3.11 `_retrieve_class_or_fn` hands back (`vars(mod).get(name)`) whatever it is.
  'get_preset_loader',
  // `TFSMLayer.from_config` loads the SavedModel at `filepath`, a graph from outside the file (refused in safe mode
  // only since Keras 3.12).
  'TFSMLayer',
]);

/**
 * Config keys that `IndexLookup.set_vocabulary` (StringLookup, IntegerLookup, TextVectorization) and the KerasHub
 * tokenizers open as a file when they hold a string, not a list.
 */
const FILE_KEYS = new Set(['vocabulary', 'merges', 'proto']);
/** Outside the model's folder: absolute (POSIX or Windows), `~`, `..`, or a URL scheme `tf.io.gfile` opens. */
const LEAVES_MODEL = /^(\/|\\|~|[A-Za-z]:[\\/]|[A-Za-z][A-Za-z0-9+.-]*:\/\/)|(^|[\\/])\.\.([\\/]|$)/;

const MAX_FINDINGS = 50;
/** Nesting read in a Keras config; deeper text is reported unread at error (`parseKerasConfigJson`). */
const MAX_KERAS_JSON_DEPTH = 512;

/** What Keras does with the part of a config nested too deep to read (`unreadDeep`). */
const KERAS_UNREAD = {
  what: 'the Keras config',
  then: 'Keras deserializes what it holds, but it was not checked for code that runs on load',
  not: 'it',
};

/**
 * A Keras config's JSON as the loaders read it (`saving_lib._load_model_from_fileobj` and tf_keras's SavedModel
 * loader call `json.loads`). json.loads reads nesting up to Python's recursion limit (about 1000 levels on 3.11, more
 * on later versions) and `deserialize_keras_object` skips keys it does not use, so deep junk beside a Lambda or a
 * module reference (which safe mode does not refuse before Keras 3.9) leaves them loading: they are still checked,
 * and the part past `MAX_KERAS_JSON_DEPTH` is reported unread at error.
 */
export function parseKerasConfigJson(text: string, out: Findings, member: string): JsonValue {
  return loadsOrUnread(text, out, { maxDepth: MAX_KERAS_JSON_DEPTH, ...KERAS_UNREAD, member });
}

/** A Keras config read by `configOf` (a model folder's config.json, a preset object) that left a part unread. */
export function unreadKerasDeep(deep: DeepJson | undefined, out: Findings): void {
  unreadDeep(deep, out, KERAS_UNREAD);
}

/**
 * Check a Keras model config (Keras 3 `config.json` or legacy `model_config`) for what deserialization would run:
 * Lambda bytecode, references to callables outside Keras or to Keras helpers that do I/O, safe-mode switches.
 * `safeMode` when the config is one `deserialize_keras_object` reads in safe mode by default: a `.keras` archive's or a
 * Keras 3 model folder's `config.json` (`saving_lib`), a KerasHub preset's (`load_serialized_object`).
 */
export function checkKerasConfig(config: JsonValue, out: Findings, member?: string, safeMode = false): void {
  let count = 0;
  const addAt = (rule: string, message: string, evidence: Evidence, level?: Level) => {
    if (count++ < MAX_FINDINGS) out.add(rule, message, evidence, member, level);
  };
  const add = (rule: string, message: string, evidence: Evidence) => addAt(rule, message, evidence);
  // Code-shaped text where Keras expects a name (`"loss": "lambda y, p: __import__('os')…"`): Keras looks it up and
  // fails, a loader that evals it runs it. One finding for the config (a Lambda's own text is CPI060's).
  const coded: string[] = [];
  // References inside a `build_config`, which Keras never looks up (`inertReference`).
  const inert: string[] = [];
  // tf_keras op layers calling what no tf_keras save writes (`tfOpCall`'s `unknown`): one finding for the config.
  const unknownOps: string[] = [];
  const walk = (v: JsonValue, path: string, inLambda: boolean, unread = false): void => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${path}[${i}]`, inLambda, unread));
    if (typeof v === 'string') {
      const note = inLambda ? undefined : codeNote(path, v);
      if (note !== undefined) coded.push(note);
      if (v.includes('enable_unsafe_deserialization'))
        add(
          'CPI063',
          `the config at ${path} names enable_unsafe_deserialization, which turns Keras safe mode off while loading. Do not load this model.`,
          { path, value: v.slice(0, 200) },
        );
      return;
    }
    if (!isObject(v)) return;
    if (unread) {
      const ref = inertReference(v);
      if (ref !== undefined) inert.push(`${path} (${ref})`);
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, inLambda, true);
      return;
    }
    const cls = typeof v.class_name === 'string' ? v.class_name : undefined;
    const layerName = isObject(v.config) && typeof v.config.name === 'string' ? v.config.name : '';
    let lambda = inLambda;
    const named = cls === 'Lambda' && !inLambda ? namedLambdaFunction(v.config) : undefined;
    const source = named !== undefined && !PYTHON_NAME.test(named.name) ? named.name : undefined;
    if (source !== undefined) {
      // Python source text where a name or bytecode belongs (`"function": "lambda x: eval(…)"`). No Keras runs it:
      // tf_keras `Lambda._parse_function_from_config` wants a `function_type` ("function" looks the text up as a
      // name, "lambda" unmarshals it and fails on text, "raw" keeps the string), and Keras 3 `Lambda.from_config`
      // looks a non-`__lambda__` function up by name. The layer exists to run this code, so a loader of the
      // model's own would eval it: a warning, not the error a loadable Lambda is.
      addAt(
        'CPI060',
        `layer ${JSON.stringify(layerName)} at ${path} is a Lambda layer whose function is Python source text (${JSON.stringify(source.slice(0, 120))}). Keras does not run it (it looks the text up as a function name and fails), but a loader that evals the text runs it. Do not load this model; find out who wrote the layer and why.`,
        { path, layer: layerName, code: 'source-text' },
        'warning',
      );
      lambda = true;
    } else if (named !== undefined) {
      // No bytecode: the loader only looks the name up, so what runs is that function — judged as a reference.
      checkReference(
        { config: named.name },
        named.module,
        'function',
        `${path}.config.function`,
        add,
        NAMED_LAMBDA_LOADERS,
      );
      lambda = true;
    } else if (cls === 'Lambda' && !inLambda && referencedLambdaFunction(v.config)) {
      // Keras 3 `Lambda.from_config` passes a `function` that is not a `__lambda__` dict to
      // `deserialize_keras_object`: no bytecode, a lookup by module and name — judged by the walk below like any
      // other reference (a `__lambda__` output_shape or mask is still bytecode and reported there).
    } else if (cls === 'Lambda' && !inLambda) {
      add(
        'CPI060',
        `layer ${JSON.stringify(layerName)} at ${path} is a Lambda layer${describeLambda(v.config)}; ${lambdaRuns(safeMode && lambdaKind(v.config) === 'marshal')}. Do not load it; replace the Lambda with a registered layer class.`,
        { path, layer: layerName, code: lambdaKind(v.config) },
      );
      lambda = true;
    } else if (cls === '__lambda__' && !inLambda) {
      add(
        'CPI060',
        `the config at ${path} holds a serialized Python lambda (marshalled bytecode); ${lambdaRuns(safeMode)}. Do not load it.`,
        { path, code: 'marshal' },
      );
      lambda = true;
    } else if (
      !inLambda &&
      isObject(v.config) &&
      (v.config.function_type === 'lambda' || v.config.output_shape_type === 'lambda')
    ) {
      add(
        'CPI060',
        `layer ${JSON.stringify(layerName)} at ${path} holds marshalled Python bytecode (function_type "lambda") that runs when the model loads. Do not load it.`,
        { path, layer: layerName, code: 'marshal' },
      );
      lambda = true;
    }
    const op = inLambda ? undefined : tfOpCall(cls, v.config, v.inbound_nodes);
    if (op?.verdict === 'outside')
      add(
        'CPI061',
        `layer ${JSON.stringify(layerName)} at ${path} is a TensorFlow op layer (${cls}) that calls ${op.call}, which ${op.does ?? 'reaches files, code, other models or the network'}; tf_keras makes the call while rebuilding the model (a graph op then runs each time the model runs), with arguments from the config. Do not load this model.`,
        { path, layer: layerName, reference: op.call },
      );
    else if (op?.unread === true)
      addAt(
        'CPI061',
        `layer ${JSON.stringify(layerName)} at ${path} is a TensorFlowOpLayer whose node_def chainproof could not read (neither the JSON tf_keras writes nor a serialized NodeDef), so the graph op it builds was not checked; tf_keras parses it with NodeDef.FromString and runs the op each time the model runs. Find out what it is before loading the model.`,
        { path, layer: layerName, check: 'tf-op-layer-node-def' },
        'warning',
      );
    else if (op !== undefined) unknownOps.push(`${path} (${cls} ${op.call})`);
    if (typeof v.module === 'string' && cls !== undefined) checkReference(v, v.module, cls, path, add);
    for (const [k, x] of Object.entries(v)) {
      if (FILE_KEYS.has(k) && typeof x === 'string' && x !== '') checkFileRead(x, `${path}.${k}`, addAt);
      if (k === 'safe_mode' && x === false)
        add(
          'CPI063',
          `the config at ${path} passes safe_mode: false, so a nested model loads without Keras safe mode. Do not load this model.`,
          { path },
        );
      // `deserialize_keras_object` hands an object's `build_config` to `instance.build_from_config`, which Keras's
      // own layers and models pass to `build()` as shapes (Layer / Model `build_from_config`): never deserialized.
      // A custom class brings its own `build_from_config`, which may deserialize what is there: walked as usual.
      walk(x, `${path}.${k}`, lambda, k === 'build_config' && kerasOwnClass(v));
    }
  };
  walk(config, '$', false);
  if (inert.length > 0)
    addAt(
      'CPI062',
      `the config names code inside build_config, at ${listedWithMore(inert, 3)}. Keras never imports or calls it there (build_from_config passes build_config to build() as input shapes), so it does not run with Keras's own layers, but no Keras save writes a reference there: find out who crafted this file, and why.`,
      { check: 'build-config', places: inert.length, first: inert[0]!.slice(0, 200) },
    );
  if (unknownOps.length > 0)
    addAt(
      'CPI061',
      `the config holds TensorFlow op layers whose call is none of the side-effect-free tensor functions tf_keras saves (tf.math, tf.nn, tf.image, array ops, RaggedTensor constructors, the tensor attributes tf_keras delegates): ${listedWithMore(unknownOps, 3)}. tf_keras makes each call while rebuilding the model, with arguments from the config. Find out what it does before loading the model.`,
      // No count: the message says how many; the first place is the identity, so one more op keeps the fingerprint.
      { check: 'tf-op-layer', first: unknownOps[0]!.slice(0, 200) },
      'warning',
    );
  if (coded.length > 0) {
    const code = listedWithMore(coded, 3);
    addAt(
      'CPI133',
      `the config holds text shaped like code where Keras expects names or values: ${code}. Keras looks such text up as a name and does not run it, but a loader that evals it would. Find out why it is there.`,
      { check: 'config-code', places: coded.length, code },
      'warning',
    );
  }
}

/**
 * Whether `v` names one of Keras's own classes, whose `build_from_config` (keras/src/layers/layer.py
 * `Layer.build_from_config`) only passes `input_shape` / `shapes_dict` to `build()`. `_retrieve_class_or_fn`
 * (keras/src/saving/serialization_lib.py) first looks `registered_name` up among registered custom objects, so a
 * `registered_name` other than the class name may resolve to a custom class: not Keras's own. A config without a
 * module names no Keras module, so it is not taken as Keras's own either.
 */
function kerasOwnClass(v: { [key: string]: JsonValue }): boolean {
  if (typeof v.class_name !== 'string' || typeof v.module !== 'string' || !KERAS_ROOTS.test(v.module)) return false;
  return v.registered_name === undefined || v.registered_name === null || v.registered_name === v.class_name;
}

/**
 * What a reference inside `build_config` would name if Keras deserialized it: a module outside Keras (with its
 * class or function) or a serialized lambda. Keras's own references (`keras.layers`, `builtins` activations) and
 * plain shape data are not noted.
 */
function inertReference(v: { [key: string]: JsonValue }): string | undefined {
  if (v.class_name === '__lambda__') return 'a serialized Python lambda';
  if (typeof v.module !== 'string' || typeof v.class_name !== 'string' || KERAS_ROOTS.test(v.module)) return undefined;
  const name = v.class_name === 'function' && typeof v.config === 'string' ? v.config : v.class_name;
  return `${v.module}.${name}`.slice(0, 120);
}

type Evidence = Record<string, string | number | boolean>;
type Add = (rule: string, message: string, evidence: Evidence) => void;

/** A path the loader opens while deserializing: an error when it leaves the model's folder, else a warning. */
function checkFileRead(
  file: string,
  path: string,
  add: (rule: string, message: string, evidence: Evidence, level?: Level) => void,
): void {
  const leaves = LEAVES_MODEL.test(file);
  add(
    'CPI113',
    `the config at ${path} names the file ${JSON.stringify(file.slice(0, 200))}, which Keras opens while loading the model${leaves ? ' (outside the model folder)' : ''}. Do not load it until you know why; re-save it so the vocabulary is stored in the archive.`,
    { path, file: file.slice(0, 200) },
    leaves ? 'error' : 'warning',
  );
}

/**
 * Which loaders import a module outside Keras: `_retrieve_class_or_fn` in Keras 3 before 3.9 and in tf_keras calls
 * `importlib.import_module(module)` for any module the loading program did not register, safe mode or not; from 3.9
 * it imports only `keras`, `keras_hub`, `keras_cv` and `keras_nlp` and raises "Could not locate" for the rest.
 */
const OUTSIDE_KERAS_LOADERS =
  'Keras 3 before 3.9 and tf_keras import the module (running its top-level code) and call it while loading, safe mode or not; Keras 3.9+ refuses it unless the loading program registered that name';

/**
 * A Lambda's function named in a module: tf_keras `Lambda._parse_function_from_config` adds
 * `sys.modules[module].__dict__` to its globals only when the module is already imported, and never imports it;
 * Keras 3 `Lambda.from_config` looks a plain name up among registered and Keras objects.
 */
const NAMED_LAMBDA_LOADERS =
  'tf_keras looks the name up in that module when the loading program has already imported it (os and sys always are) and calls it while loading; Keras 3 finds only a name the loading program registered';

function checkReference(
  v: { [key: string]: JsonValue },
  module: string,
  cls: string,
  path: string,
  add: Add,
  loaders = OUTSIDE_KERAS_LOADERS,
): void {
  // For functions Keras looks the name up in `config` (or `registered_name`); for classes it is `class_name`.
  const name =
    cls === 'function'
      ? typeof v.config === 'string'
        ? v.config
        : typeof v.registered_name === 'string'
          ? v.registered_name
          : cls
      : cls;
  if (name === 'enable_unsafe_deserialization') return; // reported as a safe-mode bypass from the string walk
  const names = lookupNames(v, name);
  if (module === 'builtins' || module === '__builtin__') {
    const gadget = names.find((n) => PYTHON_BUILTIN_GADGETS.has(n));
    if (gadget !== undefined)
      add(
        'CPI061',
        `the config at ${path} makes Keras fall back to Python's builtins.${gadget}; loading the model calls it. Do not load this model.`,
        { path, reference: `${module}.${gadget}` },
      );
    // A `builtins` function neither Keras nor Python has is found only among the loading program's own functions:
    // custom_objects, or a registered `package>name` (`_retrieve_class_or_fn`'s workaround for Keras <= 3.6, which
    // saved custom functions by bare name). Code outside the file, as a module outside Keras is.
    else if (cls === 'function' && !BUILTINS_MODULE_FUNCTIONS.has(normalName(name)))
      add(
        'CPI062',
        `the config at ${path} names the function ${JSON.stringify(name.slice(0, 120))}, which neither Keras nor Python has; Keras finds it only among the loading program's own registered functions or custom_objects, and calls it. Load it only with code you trust for it.`,
        { path, reference: `${module}.${name.slice(0, 120)}` },
      );
    return;
  }
  if (!KERAS_ROOTS.test(module)) {
    // Keras before 3.9 imports any module here and hands back `vars(module)[name]`, which a functional model then
    // calls with arguments from the config (`functional_from_config.process_node`): a callable the pickle judge
    // knows to reach code, processes or files (`timeit.timeit`, `pdb.run`, `pandas.read_pickle`…) is as dangerous
    // as it is in a pickle.
    const gadget = DANGEROUS_MODULES.test(module)
      ? name
      : names.find((n) => pickleDanger(module, n) || dottedGadget(n));
    if (gadget !== undefined)
      add(
        'CPI061',
        `the config at ${path} names ${module}.${gadget}, which reaches code, processes or files: ${loaders}. Do not load this model.`,
        { path, reference: `${module}.${gadget}` },
      );
    else
      add(
        'CPI062',
        `the config at ${path} references ${module}.${name}, outside Keras: ${loaders}. Load it only if that is code you trust.`,
        { path, reference: `${module}.${name}` },
      );
    return;
  }
  const gadget = KERAS_GADGET_MODULES.test(module)
    ? name
    : names.find((n) => KERAS_GADGET_NAMES.has(n) || dottedGadget(n));
  if (gadget !== undefined)
    add(
      'CPI061',
      `the config at ${path} makes Keras call ${module}.${gadget}, a helper that reaches files, the network or other models, not a layer; loading the model runs it (CVE-2025-8747 shape). Do not load this model.`,
      { path, reference: `${module}.${gadget}` },
    );
}

/**
 * Every name `_retrieve_class_or_fn` may look up in the module: the name, then `registered_name` when the name is
 * not there (its "special case for keras.metrics.metrics", in Keras 3 before 3.9 and in tf_keras). A
 * `package>name` registered name is only a registry key, never looked up in a module.
 */
function lookupNames(v: { [key: string]: JsonValue }, name: string): string[] {
  const reg = v.registered_name;
  return typeof reg === 'string' && reg !== name && reg !== '' && !reg.includes('>') ? [name, reg] : [name];
}

/**
 * tf_keras `_retrieve_class_or_fn` reads a name with one dot as a `__qualname__`: `getattr(vars(mod)[outer],
 * inner)`, so `os.system` reaches the `os` any module imported. Judged as `outer.inner` would be on its own.
 */
function dottedGadget(name: string): boolean {
  const parts = name.split('.');
  if (parts.length !== 2) return false;
  const [outer, inner] = parts as [string, string];
  return DANGEROUS_MODULES.test(outer) || pickleDanger(outer, inner) || KERAS_GADGET_NAMES.has(inner);
}

/**
 * Whether the pickle judge's knowledge base (`dangerOf`) names this callable. A whole model library that a pickle
 * never legitimately imports (`tensorflow`, `transformers`) is an entry there, but a Keras config may name one of
 * its ops (tf_keras wrote `tensorflow.python.ops…` functions): only an entry narrower than the library counts.
 */
function pickleDanger(module: string, name: string): boolean {
  const hit = dangerOf(module, name);
  if (hit === undefined) return false;
  const top = module.split('.', 1)[0]!;
  return !(isModelLibrary(module) && (hit === top || hit.startsWith(`${top}:`)));
}

/**
 * A Lambda layer that names its function instead of carrying bytecode: `function` a string, `function_type`
 * "function" (or absent) and no marshalled `output_shape`. tf_keras `Lambda._parse_function_from_config` resolves the
 * name in `sys.modules[config.module]` (or its own globals and custom objects); Keras 3 `Lambda.from_config` passes
 * it to `deserialize_keras_object`, which looks in custom and Keras objects.
 */
/** A name `deserialize_keras_object` can look up (dotted Python identifiers); anything else is source text. */
const PYTHON_NAME = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/;

function namedLambdaFunction(config: JsonValue | undefined): { name: string; module: string } | undefined {
  if (!isObject(config) || typeof config.function !== 'string' || config.function === '') return undefined;
  if (config.function_type !== undefined && config.function_type !== 'function') return undefined;
  if (config.output_shape_type === 'lambda') return undefined;
  return {
    name: config.function,
    module: typeof config.module === 'string' && config.module !== '' ? config.module : 'keras',
  };
}

/**
 * A Lambda whose `function` is a serialized reference, as Keras 3 `Lambda._serialize_function_to_config` writes a
 * named callable (`serialize_keras_object(fn)`: `{"module": "keras.ops", "class_name": "function", "config":
 * "relu"}`), with nothing marshalled beside it (tf_keras `function_type`/`output_shape_type` "lambda").
 */
function referencedLambdaFunction(config: JsonValue | undefined): boolean {
  if (!isObject(config) || config.function_type === 'lambda' || config.output_shape_type === 'lambda') return false;
  const f = config.function;
  return isObject(f) && typeof f.class_name === 'string' && f.class_name !== '__lambda__';
}

function lambdaKind(config: JsonValue | undefined): string {
  if (!isObject(config)) return 'unknown';
  // tf_keras `func_load` unmarshals whatever string it is given (base64, else its raw_unicode_escape bytes).
  if (config.function_type === 'lambda') return 'marshal';
  const f = config.function;
  if (Array.isArray(f) && typeof f[0] === 'string') return 'marshal';
  if (isObject(f) && f.class_name === '__lambda__') return 'marshal';
  if (typeof f === 'string') return 'named-function';
  if (isObject(f)) return 'function-reference';
  return 'unknown';
}

/**
 * What loading does with serialized lambda bytecode. A `.keras` config is deserialized in safe mode unless the caller
 * turns it off: Keras 3 (`serialization_lib.deserialize_keras_object` for a `__lambda__`, `Lambda.from_config` →
 * `_raise_for_lambda_deserialization`) and tf_keras refuse it, with an error that names `safe_mode=False` as the way
 * round. Legacy `.h5` and JSON configs go through loaders that run it (tf_keras, Keras 2, Keras 3 before 3.11.3).
 */
function lambdaRuns(refusedInSafeMode: boolean): string {
  return refusedInSafeMode
    ? "Keras's safe mode, the default for .keras models, refuses it, but its error tells the user to pass safe_mode=False, which runs the code"
    : 'loading the model runs its code';
}

function describeLambda(config: JsonValue | undefined): string {
  const kind = lambdaKind(config);
  return kind === 'marshal'
    ? ' with marshalled Python bytecode'
    : kind === 'named-function'
      ? ' calling a function by name'
      : '';
}
