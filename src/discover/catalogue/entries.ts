import type { Sniff } from './sniffers.js';
import * as s from './sniffers.js';

/** What a file is for: decides which stage takes it. */
export type FormatKind =
  'lockfile' | 'manifest' | 'config' | 'model' | 'model-manifest' | 'signature' | 'pointer' | 'container' | 'other';

/** How a name is recognised: exact basenames, then patterns, then extensions (all lower-cased). */
export interface FormatNames {
  readonly basenames?: readonly string[];
  /** Tested against the basename. */
  readonly patterns?: readonly RegExp[];
  /** Tested against the repo-relative path, for formats known by their folder. */
  readonly pathPatterns?: readonly RegExp[];
  readonly extensions?: readonly string[];
}

export interface FormatDescriptor {
  readonly id: string;
  readonly kind: FormatKind;
  /** One line for the docs table. */
  readonly summary: string;
  readonly names: FormatNames;
  /** Content tests (magic bytes); content wins over the name. */
  readonly sniff?: readonly Sniff[];
  /** No magic bytes: when no content test matched, the name is trusted. */
  readonly nameOnly?: true;
  /** Names a policy may use for it (the format plus its groups); model kinds only. Defaults to the id. */
  readonly families?: readonly string[];
  /** Other detected formats a file with this name may hold, because the same loader reads them. */
  readonly compatible?: readonly string[];
  /** Plugins (lockfile parsers, model analysers) that read it, by name. */
  readonly readBy?: readonly string[];
  /**
   * Its loader picks a file by this name and reads past leading bytes of another format, so a file so named is read
   * by these analysers too whatever its content was detected as (they stay silent when the format is not there).
   */
  readonly loadedByName?: true;
  /**
   * Its loader opens a file so named as a zip wherever the archive starts: CPython's `zipfile` (`_EndRecData`) finds
   * the end record in the file's tail and adds the bytes before the archive to every offset (`_RealGetContents`
   * `concat`), as `unzip` does for a self-extractor. Only for such a name does discovery look in the tail of a file
   * whose head shows no format (walk.ts `zipInTail`); torch.load (`_is_zipfile`), np.load and joblib go by byte 0.
   */
  readonly zipFromTail?: true;
  /** Dependency inputs: the package ecosystem (absent = npm). Each ecosystem's stages take only their own. */
  readonly ecosystem?: 'pypi';
}

const PICKLE_READERS = ['pickle'] as const;
/**
 * Formats whose magic detection tests before the pickle tests, read by no pickle reader: their head is also walked
 * as the pickle `pickle.load` / `torch.load`'s `_legacy_load` would run (inspect/content/leading-pickle.ts).
 */
const LEADING_PICKLE = 'leading-pickle';

/**
 * THE format catalogue: every format chainproof knows, once. The FileFormat type, the model-format set, families,
 * name compatibility, the policy's format names, plugin routing and the docs table are derived from this list
 * (src/discover/catalogue/index.ts). Adding a format is one entry here plus one plugin file.
 */
export const ENTRIES = [
  // dependency inputs
  {
    id: 'npm-lockfile',
    kind: 'lockfile',
    summary: 'npm package-lock.json / npm-shrinkwrap.json (lockfileVersion 1–3)',
    // Order matters: deps/lockfile-precedence.ts reads the first as the lockfile the second hides from npm.
    names: { basenames: ['package-lock.json', 'npm-shrinkwrap.json'] },
    nameOnly: true,
    readBy: ['npm-package-lock'],
  },
  {
    id: 'yarn-lockfile',
    kind: 'lockfile',
    summary: 'yarn.lock, yarn 1 (classic) or yarn 2+ (berry)',
    names: { basenames: ['yarn.lock'] },
    nameOnly: true,
    readBy: ['yarn-berry', 'yarn-classic'],
  },
  {
    id: 'pnpm-lockfile',
    kind: 'lockfile',
    summary: 'pnpm-lock.yaml (lockfileVersion 5–9)',
    names: { basenames: ['pnpm-lock.yaml'] },
    nameOnly: true,
    readBy: ['pnpm'],
  },
  {
    id: 'bun-lockfile',
    kind: 'lockfile',
    summary:
      'bun.lock, the JSONC text lockfile of Bun ≥ 1.2 (lockfileVersion 0–3); binary bun.lockb is reported unread',
    names: { basenames: ['bun.lock', 'bun.lockb'] },
    nameOnly: true,
    readBy: ['bun'],
  },
  {
    id: 'package-json',
    kind: 'manifest',
    summary: 'package.json, read beside a lockfile to check they agree',
    names: { basenames: ['package.json'] },
    nameOnly: true,
  },
  {
    id: 'npmrc',
    kind: 'config',
    summary: '.npmrc registries and scopes',
    names: { basenames: ['.npmrc'] },
    nameOnly: true,
  },
  {
    id: 'yarnrc',
    kind: 'config',
    summary: '.yarnrc.yml (yarn 2+): registries, TLS settings, enableScripts',
    names: { basenames: ['.yarnrc.yml'] },
    nameOnly: true,
  },
  // Python dependency inputs: text formats known by name, as pip, uv, Poetry and pipenv find them
  {
    id: 'pip-requirements',
    kind: 'lockfile',
    ecosystem: 'pypi',
    summary: 'pip requirements and constraints files (requirements*.txt, requirements/*.txt, constraints*.txt, *.in)',
    names: {
      patterns: [/^(.*[-_.])?requirements([-_.].*)?\.(txt|in)$/, /^constraints([-_.].*)?\.txt$/],
      pathPatterns: [/(^|\/)requirements\/[^/]*\.txt$/],
    },
    nameOnly: true,
    readBy: ['requirements-txt'],
  },
  {
    id: 'uv-lockfile',
    kind: 'lockfile',
    ecosystem: 'pypi',
    summary: 'uv.lock',
    names: { basenames: ['uv.lock'] },
    nameOnly: true,
    readBy: ['uv-lock'],
  },
  {
    id: 'poetry-lockfile',
    kind: 'lockfile',
    ecosystem: 'pypi',
    summary: 'poetry.lock (lock-version 1.x and 2.x)',
    names: { basenames: ['poetry.lock'] },
    nameOnly: true,
    readBy: ['poetry-lock'],
  },
  {
    id: 'pipfile-lockfile',
    kind: 'lockfile',
    ecosystem: 'pypi',
    summary: 'Pipfile.lock (pipenv)',
    names: { basenames: ['pipfile.lock'] },
    nameOnly: true,
    readBy: ['pipfile-lock'],
  },
  {
    id: 'pylock',
    kind: 'lockfile',
    ecosystem: 'pypi',
    summary: 'PEP 751 pylock.toml / pylock.<name>.toml',
    names: { patterns: [/^pylock(\.[^./]+)?\.toml$/] },
    nameOnly: true,
    readBy: ['pylock-toml'],
  },
  {
    id: 'pdm-lockfile',
    kind: 'lockfile',
    ecosystem: 'pypi',
    summary: 'pdm.lock (PDM, lock_version 4.x)',
    names: { basenames: ['pdm.lock'] },
    nameOnly: true,
    readBy: ['pdm-lock'],
  },
  {
    id: 'pyproject-toml',
    kind: 'manifest',
    ecosystem: 'pypi',
    summary: 'pyproject.toml, read beside a Python lockfile to check they agree, and for its index settings',
    names: { basenames: ['pyproject.toml'] },
    nameOnly: true,
    readBy: ['python-index-settings'],
  },
  {
    id: 'pipfile',
    kind: 'manifest',
    ecosystem: 'pypi',
    summary: 'Pipfile, read beside Pipfile.lock to check its _meta.hash',
    names: { basenames: ['pipfile'] },
    nameOnly: true,
  },
  {
    id: 'pip-config',
    kind: 'config',
    ecosystem: 'pypi',
    summary: 'pip.conf / pip.ini index configuration',
    names: { basenames: ['pip.conf', 'pip.ini'] },
    nameOnly: true,
    readBy: ['python-index-settings'],
  },
  {
    id: 'uv-config',
    kind: 'config',
    ecosystem: 'pypi',
    summary: 'uv.toml, uv settings (indexes, find-links, insecure hosts)',
    names: { basenames: ['uv.toml'] },
    nameOnly: true,
    readBy: ['python-index-settings'],
  },
  // model formats, in the order their content tests run
  {
    id: 'llamafile',
    kind: 'model',
    summary: 'llamafile: a program (Actually Portable Executable) with GGUF weights inside',
    names: { extensions: ['llamafile'] },
    sniff: [{ order: 5, test: s.isApe }],
    families: ['llamafile', 'executable'],
    readBy: ['ape', LEADING_PICKLE],
  },
  {
    id: 'gguf',
    kind: 'model',
    summary: 'GGUF (llama.cpp)',
    names: { extensions: ['gguf'] },
    sniff: [{ order: 10, test: s.isGguf }],
    readBy: ['gguf', LEADING_PICKLE],
  },
  {
    id: 'numpy',
    kind: 'model',
    summary: 'NumPy .npy (object arrays hold pickles)',
    names: { extensions: ['npy'] },
    sniff: [{ order: 20, test: s.isNpy }],
    readBy: PICKLE_READERS,
  },
  {
    id: 'keras-h5',
    kind: 'model',
    summary: 'Keras HDF5 (.h5, .hdf5)',
    names: { extensions: ['h5', 'hdf5'] },
    sniff: [{ order: 30, test: s.isHdf5 }],
    families: ['keras-h5', 'keras', 'hdf5'],
    readBy: ['keras-h5', LEADING_PICKLE],
    // Keras hands an .h5 path to h5py, which finds the superblock after a user block whatever that block holds.
    loadedByName: true,
  },
  {
    id: 'tflite',
    kind: 'model',
    summary: 'TensorFlow Lite flatbuffer',
    names: { extensions: ['tflite'] },
    sniff: [{ order: 40, test: s.isTflite }],
    families: ['tflite', 'tensorflow'],
    readBy: ['tflite', LEADING_PICKLE],
  },
  {
    id: 'torch-mobile-flatbuffer',
    kind: 'model',
    summary:
      'PyTorch Mobile flatbuffer (`_save_for_lite_interpreter(…, _use_flatbuffer=True)`, usually `.ptl`): the bytecode `_load_for_lite_interpreter` runs, with the operators it calls by name',
    names: {},
    sniff: [{ order: 41, test: s.isTorchMobileFlatbuffer }],
    families: ['torchscript', 'pytorch'],
    readBy: ['torch-mobile', LEADING_PICKLE],
  },
  {
    id: 'pytorch-zip',
    kind: 'model',
    summary: 'PyTorch torch.save zip (data.pkl inside)',
    names: { extensions: ['pt', 'pth', 'ckpt'] },
    families: ['pytorch-zip', 'pytorch', 'pickle'],
    // torch.package's own examples name their archives `.pt` (`PackageExporter("my_package.pt")`).
    compatible: ['pytorch-legacy', 'torchscript', 'torch-package'],
    readBy: PICKLE_READERS,
  },
  {
    id: 'torchscript',
    kind: 'model',
    summary: 'TorchScript zip (code/ and constants.pkl inside)',
    names: {},
    families: ['torchscript', 'pytorch', 'pickle'],
    readBy: PICKLE_READERS,
  },
  {
    id: 'torch-package',
    kind: 'model',
    summary:
      'torch.package archive (PackageExporter: `.data/extern_modules` inside): its pickles and the Python modules PackageImporter runs for them',
    names: {},
    families: ['torch-package', 'pytorch', 'pickle'],
    readBy: ['pickle', 'torch-package'],
  },
  {
    id: 'torch-package-dir',
    kind: 'model-manifest',
    summary:
      'extracted torch.package folder (`.data/extern_modules`): PackageImporter opens the folder with DirectoryReader and runs the Python modules its pickles import, as from the archive',
    // Keyed on the record `_read_extern` needs (torch/package/_directory_reader.py reads nothing else first).
    names: { pathPatterns: [/(^|\/)\.data\/extern_modules$/] },
    nameOnly: true,
    readBy: ['torch-package'],
  },
  {
    id: 'keras',
    kind: 'model',
    summary: 'Keras 3 .keras zip',
    names: { extensions: ['keras'] },
    readBy: ['keras'],
    // `saving_api.load_model`: a `.keras` name and `zipfile.is_zipfile`, which finds the end record behind any head.
    loadedByName: true,
    zipFromTail: true,
  },
  {
    id: 'skops',
    kind: 'model',
    summary: 'skops .skops zip: schema.json names the types skops.io.load imports and builds',
    names: { extensions: ['skops'] },
    // skops.io.load opens any zip by name; a .skops file is detected as a zip and judged by its schema.json.
    compatible: ['zip'],
    readBy: ['skops'],
    // zipfile finds the end record behind any leading bytes, so a .skops with another format's head still loads.
    loadedByName: true,
    zipFromTail: true,
  },
  {
    id: 'numpy-npz',
    kind: 'model',
    summary: 'NumPy .npz (a zip of .npy)',
    names: { extensions: ['npz'] },
    // np.load opens any zip as an NpzFile (numpy/lib/_npyio_impl.py `load`: zip magic → NpzFile), and
    // `NpzFile.__getitem__` reads any member by its name with or without `.npy`, as an array when it has the .npy
    // magic: a zip whose members are not all named `.npy` is still what the name says.
    compatible: ['zip'],
    families: ['numpy-npz', 'numpy'],
    readBy: PICKLE_READERS,
  },
  {
    id: 'zip',
    kind: 'container',
    summary: 'zip archive (members are inspected)',
    // A Python zipapp (`python -m zipapp`) is a zip, most often behind a shebang line: zipimport opens it by its end
    // record, as `zipfile` does.
    names: { extensions: ['zip', 'pyz', 'pyzw'] },
    sniff: [{ order: 50, test: s.isZip }],
    readBy: ['pickle', 'keras', 'skops', 'torchserve', 'aoti-package', 'zipapp'],
    // The name says container and nothing narrower: a zip-based model format under it is not disguised. zipfile and
    // unzip open it, torch.load goes by content (`_is_zipfile`), and its members are judged by what they are.
    compatible: ['pytorch-zip', 'torchscript', 'torch-package', 'keras', 'numpy-npz', 'skops'],
    // Whoever opens a `.zip` (`zipfile.ZipFile`, `unzip`, `shutil.unpack_archive`) finds a self-extractor's archive.
    zipFromTail: true,
  },
  {
    id: 'lfs-pointer',
    kind: 'pointer',
    summary: 'Git LFS pointer standing in for its file',
    names: {},
    sniff: [{ order: 60, test: s.isLfsPointer }],
  },
  {
    id: 'pytorch-legacy',
    kind: 'model',
    summary: 'PyTorch legacy torch.save (magic-number pickle, or the pre-1.0 tar)',
    names: {},
    sniff: [
      { order: 70, test: s.isTorchLegacyPickle },
      { order: 100, test: s.isTorchLegacyTar },
    ],
    families: ['pytorch-legacy', 'pytorch', 'pickle'],
    readBy: PICKLE_READERS,
  },
  {
    id: 'joblib',
    kind: 'model',
    summary: 'joblib.dump pickle, raw or zlib/gzip/bz2/xz/lz4-compressed',
    names: { extensions: ['joblib'] },
    sniff: [
      { order: 80, test: (i) => s.hasPickleProto(i) && s.namesJoblib(i) },
      { order: 110, test: (i) => s.isGzip(i) && (s.inflatesToAPickle(i) || i.claimed === 'joblib') },
      { order: 120, test: s.inflatesToAPickle },
      { order: 130, test: (i) => s.isBzip2(i) && s.namesJoblibDump(i) },
      { order: 140, test: (i) => s.isXz(i) && s.namesJoblibDump(i) },
      { order: 142, test: (i) => s.isLz4(i) && s.namesJoblibDump(i) },
      { order: 160, test: (i) => s.isHeaderlessPickle(i) && i.claimed === 'joblib' },
      // A name that promises a pickle is loaded as one: keep it, so the inspector reads it and reports what it finds.
      { order: 170, test: (i) => i.claimed === 'joblib' },
    ],
    families: ['joblib', 'pickle'],
    compatible: ['pickle'],
    readBy: PICKLE_READERS,
  },
  {
    id: 'pickle',
    kind: 'model',
    summary: 'Python pickle (.pkl, .pickle, .dill)',
    names: { extensions: ['pkl', 'pickle', 'dill'] },
    sniff: [
      { order: 81, test: s.hasPickleProto },
      { order: 161, test: s.isHeaderlessPickle },
      { order: 171, test: (i) => i.claimed === 'pickle' },
    ],
    compatible: ['joblib'],
    readBy: PICKLE_READERS,
  },
  {
    id: 'safetensors',
    kind: 'model',
    summary: 'safetensors',
    names: { extensions: ['safetensors'] },
    sniff: [
      { order: 90, test: s.isSafetensors },
      { order: 165, test: s.isDamagedSafetensors },
    ],
    readBy: ['safetensors', LEADING_PICKLE],
  },
  {
    id: 'tar',
    kind: 'container',
    summary: 'tar archive (members are inspected)',
    names: { extensions: ['tar'] },
    sniff: [{ order: 101, test: s.isTar }],
    readBy: PICKLE_READERS,
  },
  {
    id: 'gzip',
    kind: 'container',
    summary: 'gzip stream',
    names: { extensions: ['gz', 'tgz'] },
    sniff: [{ order: 111, test: s.isGzip }],
    compatible: ['joblib'],
    readBy: PICKLE_READERS,
  },
  {
    id: 'bzip2',
    kind: 'container',
    summary: 'bzip2 stream',
    names: { extensions: ['bz2'] },
    sniff: [{ order: 131, test: s.isBzip2 }],
    compatible: ['joblib'],
    readBy: PICKLE_READERS,
  },
  {
    id: 'xz',
    kind: 'container',
    summary: 'xz stream',
    names: { extensions: ['xz'] },
    sniff: [{ order: 141, test: s.isXz }],
    compatible: ['joblib'],
    readBy: PICKLE_READERS,
  },
  {
    id: 'lz4',
    kind: 'container',
    summary: 'LZ4 frame stream (joblib compress="lz4")',
    names: { extensions: ['lz4'] },
    sniff: [{ order: 143, test: s.isLz4 }],
    compatible: ['joblib'],
    readBy: PICKLE_READERS,
  },
  {
    id: 'onnx',
    kind: 'model',
    summary: 'ONNX protobuf',
    names: { extensions: ['onnx'] },
    sniff: [{ order: 150, test: s.isOnnx }],
    readBy: ['onnx', LEADING_PICKLE],
  },
  {
    id: 'onnx-external-data',
    kind: 'model',
    summary: 'ONNX external tensor data (raw bytes)',
    names: { patterns: [/\.onnx[._]data$/] },
    nameOnly: true,
    families: ['onnx-external-data', 'onnx'],
  },
  {
    id: 'savedmodel',
    kind: 'model',
    summary: 'TensorFlow SavedModel (saved_model.pb and variables/; keras_metadata.pb holds a Keras 2 model config)',
    names: {
      basenames: ['saved_model.pb', 'saved_model.pbtxt', 'keras_metadata.pb'],
      pathPatterns: [/(^|\/)variables\/variables\.(index|data-\d+-of-\d+)$/],
    },
    nameOnly: true,
    families: ['savedmodel', 'tensorflow'],
    readBy: ['savedmodel'],
  },
  {
    id: 'tfjs-manifest',
    kind: 'model-manifest',
    summary: 'TensorFlow.js model.json / weights_manifest.json',
    names: { basenames: ['model.json'], patterns: [/weights_manifest\.json$/] },
    nameOnly: true,
    families: ['tfjs-manifest', 'tfjs'],
    readBy: ['tfjs'],
  },
  {
    id: 'chat-template',
    kind: 'model-manifest',
    summary:
      'Hugging Face chat template: tokenizer_config.json / chat_template.json (`chat_template`), chat_template.jinja',
    names: {
      basenames: ['tokenizer_config.json', 'chat_template.json', 'chat_template.jinja'],
      pathPatterns: [/(^|\/)additional_chat_templates\/[^/]+\.jinja$/],
    },
    nameOnly: true,
    readBy: ['chat-template', 'repo-code'],
  },
  {
    id: 'chat-template-file',
    kind: 'model-manifest',
    summary:
      'a chat template under another name, which runtimes load by path (vLLM / SGLang `--chat-template`, llama.cpp `--chat-template-file`, TGI `--tokenizer-config-path`): a JSON or YAML file holding `chat_template`, a `.jinja` / `.jinja2` / `.j2` file, a `.template` / `.tmpl` with Jinja syntax; found by the walk in a bounded search of the bytes (discover/formats/chat-template-head.ts), and still `other` to the readers of source and config',
    names: {},
    readBy: ['chat-template'],
  },
  {
    id: 'keras-json-file',
    kind: 'model-manifest',
    summary:
      "a Keras model architecture saved as JSON under another name (`model.to_json()` written to `model_architecture.json`…, read back by `keras.models.model_from_json`): a `.json` object holding the key `class_name` (or a file of a name no reader takes, `model.cfg`, `arch.txt`, or a YAML or template file, `config.yaml`, whose head opens a JSON object: `model_from_json` reads text, whatever the name), found by the walk in a bounded search of the bytes (discover/formats/keras-json-head.ts) and checked only when it has a Keras model's shape; still `other` to the readers of source and config",
    names: {},
    readBy: ['repo-code'],
  },
  {
    id: 'yaml-python-tags',
    kind: 'model-manifest',
    summary:
      "a YAML file carrying PyYAML python tags (`!!python/object/apply:`…), which PyYAML's unsafe Loader builds and tf.keras before 2.6 `model_from_yaml` read: a `.yaml` / `.yml` file whose bytes hold `python/` or a `%TAG` directive, found by the walk in a bounded search of the bytes (discover/formats/chat-template-head.ts); still `other` to the readers of source and config",
    names: {},
    readBy: ['repo-code'],
  },
  {
    id: 'hf-config',
    kind: 'model-manifest',
    summary:
      'Hugging Face model / processor config (config.json, preprocessor_config.json, video_preprocessor_config.json, processor_config.json), sentence-transformers modules.json and PEFT adapter_config.json: `auto_map`, `custom_pipelines`, module `type`s and `auto_mapping` name code the loader imports; processor_config.json may hold a legacy `chat_template`',
    names: {
      basenames: [
        'config.json',
        'preprocessor_config.json',
        'video_preprocessor_config.json',
        'processor_config.json',
        'modules.json',
        'adapter_config.json',
      ],
    },
    nameOnly: true,
    // chat-template: processor_config.json's legacy `chat_template` (processing_utils.py `get_processor_dict`).
    readBy: ['repo-code', 'chat-template'],
  },
  {
    id: 'keras-hub-preset',
    kind: 'model-manifest',
    summary:
      'KerasHub / keras_nlp preset objects beside config.json (tokenizer.json, task.json, preprocessor.json, image_converter.json, audio_converter.json): checked as Keras configs only in a preset folder (config.json with `registered_name`, or metadata.json with `keras_version`); a Hugging Face tokenizer.json elsewhere is not read',
    // Keyed on the folder, not the name: `preset_utils.get_preset_loader` (config.json `registered_name`) and the
    // older keras_nlp `check_format` (metadata.json `keras_version`) decide, in src/inspect/formats/keras-hub-preset.ts.
    names: {
      basenames: ['tokenizer.json', 'task.json', 'preprocessor.json', 'image_converter.json', 'audio_converter.json'],
    },
    nameOnly: true,
    readBy: ['repo-code'],
  },
  {
    id: 'diffusers-index',
    kind: 'model-manifest',
    summary:
      'diffusers pipeline index (model_index.json): a `[module, Class]` pipeline and custom components name Python files in the folder',
    names: { basenames: ['model_index.json'] },
    nameOnly: true,
    readBy: ['repo-code'],
  },
  {
    id: 'mlflow-model',
    kind: 'model-manifest',
    summary: "MLflow MLmodel: python_function's loader_module, every flavour's code and model_code_path",
    names: { basenames: ['mlmodel'] },
    nameOnly: true,
    readBy: ['repo-code'],
  },
  {
    id: 'nemo2-context',
    kind: 'model-manifest',
    summary: 'NeMo 2 checkpoint context (context/io.json): fiddle pyrefs that load_context imports and fdl.build calls',
    names: { pathPatterns: [/(^|\/)context\/io\.json$/] },
    nameOnly: true,
    readBy: ['repo-code'],
  },
  {
    id: 'speechbrain-hparams',
    kind: 'model-manifest',
    summary:
      'SpeechBrain hyperparams.yaml: HyperPyYAML `!new:` / `!apply:` / `!name:` tags and PyYAML python tags that from_hparams builds',
    names: { basenames: ['hyperparams.yaml'] },
    nameOnly: true,
    readBy: ['repo-code'],
  },
  {
    id: 'nemo-extracted-config',
    kind: 'model-manifest',
    summary:
      'model_config.yaml of an extracted .nemo: `_target_` / `target` callables NeMo instantiates (dangerous ones only; the name is common to Hydra projects)',
    names: { basenames: ['model_config.yaml'] },
    nameOnly: true,
    readBy: ['repo-code'],
  },
  {
    id: 'shard-index',
    kind: 'model-manifest',
    summary:
      'sharded checkpoint index (model.safetensors.index.json, pytorch_model.bin.index.json): the shard files `weight_map` makes from_pretrained load',
    names: { patterns: [/\.safetensors\.index\.json$/, /\.bin\.index\.json$/] },
    nameOnly: true,
    readBy: ['repo-code'],
  },
  {
    id: 'tfjs-weights',
    kind: 'model',
    summary: 'TensorFlow.js weight shard (raw bytes)',
    names: { patterns: [/-shard\d+of\d+(\.bin)?$/] },
    nameOnly: true,
    families: ['tfjs-weights', 'tfjs'],
  },
  // pointers, signatures
  {
    id: 'sigstore-bundle',
    kind: 'signature',
    summary: 'Sigstore bundle (*.sigstore.json, *.sigstore)',
    names: { patterns: [/\.sigstore\.json$/, /\.sigstore$/] },
    nameOnly: true,
  },
  {
    id: 'model-signature',
    kind: 'signature',
    // Under another name, a Sigstore bundle whose statement is model_signing's is one too, but only the signatures
    // stage says so, having parsed the whole file: discovery marks its head (`sigstoreHead`) and keeps it `other`.
    summary:
      "OpenSSF model-signing signature (model.sig; under another name, a Sigstore bundle whose statement is model_signing's)",
    names: { basenames: ['model.sig'] },
    nameOnly: true,
  },
  {
    id: 'other',
    kind: 'other',
    summary: 'anything else; these extensions name data, text or media, so a model behind one is hiding',
    // Never claimed by name: `extensions` here only feed the disguised-model check (src/models/mismatch.ts).
    names: {
      extensions: ['txt', 'md', 'json', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'csv', 'tsv', 'xml', 'html', 'htm', 'log']
        .concat(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp', 'ico', 'wav', 'mp3', 'mp4', 'pdf'])
        .concat(['js', 'mjs', 'cjs', 'ts', 'py', 'sh', 'css']),
    },
  },
] as const satisfies readonly FormatDescriptor[];
