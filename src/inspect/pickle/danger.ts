import { GADGETS, gadgetOf } from './gadgets.js';
import { isModelLibrary } from './known-libraries.js';
import { KEEP_STRING } from './values.js';

/**
 * Known-dangerous globals: importing or calling them can run code, start processes, touch files or the network,
 * load other pickles, reach the import machinery, or hand an attacker attribute access. An entry names a module
 * (every name in it and its submodules) or one qualified name.
 */
const DANGEROUS: readonly string[] = [
  // code execution and the interpreter
  'builtins.eval',
  'builtins.exec',
  'builtins.compile',
  'builtins.__import__',
  'builtins.open',
  'builtins.input',
  'builtins.breakpoint',
  'builtins.help',
  'builtins.globals',
  'builtins.locals',
  'builtins.vars',
  'builtins.getattr',
  'builtins.setattr',
  'builtins.delattr',
  'builtins.type',
  'builtins.super',
  'builtins.memoryview',
  'builtins.execfile',
  'builtins.file',
  'builtins.reload',
  'builtins.apply',
  'builtins.exit',
  'builtins.quit',
  'builtins.copyright',
  'builtins.credits',
  'builtins.license',
  'builtins.classmethod',
  'builtins.staticmethod',
  'builtins.property',
  'builtins.map',
  'builtins.filter',
  'builtins.iter',
  'builtins.next',
  'code',
  'codeop',
  'runpy',
  'pdb',
  'bdb',
  'cProfile',
  'profile',
  'timeit',
  'trace',
  'pydoc',
  'doctest',
  'importlib',
  'imp',
  'pkgutil',
  'zipimport',
  'marshal',
  'types',
  'ctypes',
  '_ctypes',
  'cffi',
  'inspect',
  'gc',
  'sys',
  'site',
  'sysconfig',
  'signal',
  'atexit',
  'readline',
  'rlcompleter',
  'idlelib',
  'tkinter',
  'turtle',
  'ast',
  'dis',
  'symtable',
  'compileall',
  'py_compile',
  'linecache',
  'traceback',
  'warnings',
  'logging.config',
  '_interpreters',
  '_xxsubinterpreters',
  'interpreters',
  'concurrent',
  '_aix_support',
  '_osx_support',
  '_bootstrap',
  '_frozen_importlib',
  '_frozen_importlib_external',
  '_imp',
  'operator',
  '_operator',
  'functools',
  'itertools',
  'copyreg.add_extension',
  'copyreg.pickle',
  'copyreg.constructor',
  // processes and the OS
  'os',
  'posix',
  'nt',
  // Windows: `_winapi.CreateProcess` starts a program, `winreg` (Python 2's `_winreg`, compat.ts) writes the
  // registry, `msvcrt` reaches the C runtime's process and console calls.
  '_winapi',
  'winreg',
  'msvcrt',
  'subprocess',
  '_posixsubprocess',
  'pty',
  'platform',
  'multiprocessing',
  'threading',
  '_thread',
  'asyncio',
  'selectors',
  'select',
  'resource',
  'pwd',
  'grp',
  'spwd',
  'crypt',
  'commands',
  'popen2',
  'uuid._get_command_stdout',
  'uuid._popen',
  'ctypes.util',
  'webbrowser',
  'getpass',
  // terminal and file-descriptor control; `antigravity` opens a browser on import; `_sitebuiltins` (license,
  // help) reads files and starts pydoc; logging handlers open, truncate or send to what they are given
  'fcntl',
  'termios',
  'tty',
  'antigravity',
  '_sitebuiltins',
  'cgi',
  'cgitb',
  'logging.FileHandler',
  'logging.handlers',
  // files
  'io',
  '_io',
  'shutil',
  'tempfile',
  'fileinput',
  'glob',
  'filecmp',
  'zipfile',
  'tarfile',
  'gzip',
  'bz2',
  'lzma',
  'zlib',
  'mmap',
  'sqlite3',
  'dbm',
  'shelve',
  'mailbox',
  'codecs.open',
  'distutils',
  'setuptools',
  'pip',
  'venv',
  'ensurepip',
  'lib2to3',
  'pathlib.Path.write_text',
  'pathlib.Path.write_bytes',
  'pathlib.Path.unlink',
  // network
  'socket',
  '_socket',
  'ssl',
  '_ssl',
  'http',
  'urllib',
  'urllib2',
  'urllib3',
  'requests',
  'aiohttp',
  'httpx',
  'ftplib',
  'smtplib',
  'imaplib',
  'poplib',
  'telnetlib',
  'nntplib',
  'smtpd',
  'socketserver',
  'xmlrpc',
  'wsgiref',
  'email.mime',
  'asynchat',
  'asyncore',
  // loaders of other pickles and code
  'pickle',
  '_pickle',
  'cPickle',
  'pickletools',
  'dill',
  'cloudpickle',
  'joblib.load',
  'joblib._pickle',
  // joblib.load's own module (pickle writes `joblib.numpy_pickle` + `load`), joblib.dump, and scikit-learn's
  // re-exports of joblib (`sklearn.utils._joblib`, the old `sklearn.externals.joblib`)
  'joblib.numpy_pickle.load',
  'joblib.numpy_pickle.dump',
  'joblib.dump',
  'joblib.numpy_pickle_compat.load_compatibility',
  'sklearn.utils._joblib',
  'sklearn.externals.joblib',
  // dataset loaders: fetch_* download from the network, load_svmlight_file/load_files read paths
  'sklearn.datasets',
  // numpy readers and writers of files and URLs (`numpy.lib.npyio` / `_npyio_impl`, `_datasource`, `format`)
  'numpy.save',
  'numpy.savez',
  'numpy.savez_compressed',
  'numpy.savetxt',
  'numpy.loadtxt',
  'numpy.genfromtxt',
  'numpy.fromregex',
  'numpy.recfromtxt',
  'numpy.recfromcsv',
  'numpy.fromfile',
  'numpy.DataSource',
  'numpy.lib._datasource',
  'numpy.lib._npyio_impl',
  'numpy.lib.format.read_array',
  'numpy.lib.format.open_memmap',
  'numpy.core.records.fromfile',
  'numpy._core.records.fromfile',
  'numpy.rec.fromfile',
  'numpy.ndarray.tofile',
  'numpy.ndarray.dump',
  'numpy.load',
  'numpy.lib.npyio',
  'numpy.f2py',
  'numpy.distutils',
  'numpy.testing',
  'numpy.ctypeslib',
  'pandas.read_pickle',
  'pandas.io',
  'torch.load',
  'torch.save',
  'torch.from_file',
  'torch.UntypedStorage.from_file',
  'torch.TypedStorage.from_file',
  'torch.storage.UntypedStorage.from_file',
  'torch.storage.TypedStorage.from_file',
  'torch.utils.model_zoo',
  'torch._weights_only_unpickler.load',
  'torch.serialization',
  'torch.storage._load_from_bytes',
  'torch.hub',
  'torch.jit',
  // torch/__init__.py `from torch._C import *` re-exports torch.jit's native functions and classes as `torch.X`,
  // outside the torch._C family: `fork(func, *args)` runs `func(*args)` (torch.jit.fork; Debian's torch 1.13 created
  // the file of `torch.fork(numpy.memmap, path, 'u1', 'w+', 0, 4)`), `PyTorchFileWriter(path)` opens the path for
  // writing and truncates it (Debian's torch 1.13 emptied the file), and `import_ir_module` /
  // `import_ir_module_from_buffer` are what torch.jit.load runs on a path or on bytes (torch/jit/_serialization.py).
  'torch.fork',
  'torch.PyTorchFileWriter',
  'torch.import_ir_module',
  'torch.import_ir_module_from_buffer',
  'torch._dynamo',
  'torch._inductor',
  'torch.compile',
  'torch.package',
  'torch.utils._config_module',
  'torch.utils.cpp_extension',
  'torch.distributed',
  'torch._C',
  'torch.ops',
  'torch.fx',
  // torch/ao/quantization/fx/graph_module.py: GraphModule subclasses (FusedGraphModule, ObservedGraphModule…) whose
  // constructor execs the code generated from the graph it is given (see FX_GRAPH_CLASSES); torch.quantization.fx is
  // the old name of the same module
  'torch.ao.quantization.fx.graph_module',
  'torch.quantization.fx.graph_module',
  'torch.export',
  'torch.onnx',
  'torch.cuda',
  'torch.backends',
  'torch.multiprocessing',
  'torch.testing',
  'torch.utils.data',
  'torch.utils.tensorboard',
  'torch.library',
  'torch._ops',
  'keras.utils.get_file',
  'keras.src.utils',
  // loaders of other (possibly legacy .h5, Lambda-carrying) models; `saving.pickle_utils` is judged by its archive
  'keras.models.load_model',
  'keras.saving.load_model',
  'keras.saving.save',
  'keras.saving.legacy',
  'keras.saving.saving_api',
  'keras.saving.saving_lib',
  'keras.saving.hdf5_format',
  'keras.src.saving.saving_api',
  'keras.src.saving.saving_lib',
  'keras.src.legacy.saving',
  'keras.src.export',
  'keras.layers.TFSMLayer',
  'tf_keras.models.load_model',
  'tf_keras.saving.load_model',
  'tf_keras.src.saving.saving_api',
  'tf_keras.src.saving.saving_lib',
  'tf_keras.src.saving.legacy',
  'tensorflow',
  'tf',
  'jax',
  'transformers',
  'huggingface_hub',
  // Loaders, launchers and test runners inside the libraries models are saved with (MODEL_LIBRARIES): an unknown
  // name from those stays a warning, so what runs code, reloads pickles or downloads is named here. Lightning's
  // `cloud_io._load` is torch.load over fsspec URLs; statsmodels' `iolib.smpickle.load_pickle` (= `api.load`) is
  // pickle.load; joblib vendors cloudpickle and loky (process pools); timm's `load_checkpoint` is torch.load;
  // diffusers' `get_class_from_dynamic_module` imports downloaded code; keras-hub presets deserialize objects;
  // `assert_run_python_script` runs its source in a new interpreter; `scipy.datasets` downloads with pooch.
  'lightning.pytorch.utilities.cloud_io',
  'lightning.fabric.utilities.cloud_io',
  'lightning_fabric.utilities.cloud_io',
  'pytorch_lightning.utilities.cloud_io',
  'lightning.pytorch.core.saving',
  'pytorch_lightning.core.saving',
  'lightning.pytorch.cli',
  'pytorch_lightning.cli',
  // only the readers and writers: `iolib.table`/`iolib.summary` are plain objects a results pickle may hold
  'statsmodels.iolib.smpickle',
  'statsmodels.iolib.foreign',
  'statsmodels.iolib.openfile',
  'statsmodels.api.load',
  'statsmodels.api.load_pickle',
  'joblib.externals',
  'joblib._store_backends',
  'timm.create_model',
  'timm.models.create_model',
  'timm.models.load_checkpoint',
  'timm.models._helpers',
  'timm.models.helpers',
  'timm.models._hub',
  'timm.models._builder',
  'diffusers.utils.dynamic_modules_utils',
  'diffusers.pipelines.pipeline_utils',
  'accelerate.commands',
  'accelerate.utils.launch',
  'accelerate.utils.other.write_basic_config',
  'keras_hub.src.utils.preset_utils',
  'keras_nlp.src.utils.preset_utils',
  'peft.utils.save_and_load',
  'sklearn.utils._testing',
  'sklearn.utils.testing',
  // Build and test helpers shipped with the libraries: sklearn/_build_utils/pre_build_helpers.py
  // `compile_test_program(code)` compiles the C source it is given and runs the program (subprocess.check_output);
  // joblib/testing.py `check_subprocess_call(cmd)` is subprocess.Popen(cmd).
  'sklearn._build_utils',
  'joblib.testing',
  // numpy/ma/mrecords.py `openfile(fname)`: open(fname) (`fromtextfile`, which reads it, is judged by its name)
  'numpy.ma.mrecords.openfile',
  // scipy/_lib/decorator.py (a vendored `decorator`): `FunctionMaker.create("name(signature)", body, evaldict)` writes
  // the signature into a `def` line and execs it, so a default value in it runs (Debian's scipy 1.10 ran
  // `f(x=<code>)`); `FunctionMaker.make(template)` execs the template
  'scipy._lib.decorator',
  // scipy's precompute scripts keep sympy's names at module level (scipy/interpolate/_interpnd_info.py
  // `from sympy import symbols, binomial, Matrix`), so `scipy.interpolate._interpnd_info.Matrix` — a CapWords name
  // in an allowlisted class family — is sympy's Matrix (a gadget: it sympifies, i.e. evals, the strings it holds).
  'scipy.interpolate._interpnd_info',
  'scipy.special._precompute',
  // numpy/_pytesttester.py `PytestTester.__call__(label, verbose, extra_argv, doctests, coverage, durations, tests)`
  // is `pytest.main([... , *tests])`, which imports and runs the test files it is given: every numpy and scipy
  // package keeps one as `test` (judged by the name, isLoaderName), pandas' `pandas.test` is pandas.util._tester.
  'numpy._pytesttester',
  'pandas.test',
  // pandas/__init__.py re-exports pandas.io's file classes: HDFStore(path, mode='w') and ExcelWriter(path) create or
  // truncate the file they are given
  'pandas.HDFStore',
  'pandas.ExcelWriter',
  'scipy.datasets',
  'scipy._lib._testutils',
  'numpy.lib.utils',
  'numpy.lib._utils_impl',
  'pandas.util._tester',
  ...['clipboard', 'csv', 'excel', 'feather', 'fwf', 'gbq', 'hdf', 'html', 'json', 'orc', 'parquet', 'pickle', 'sas']
    .concat(['spss', 'sql', 'sql_query', 'sql_table', 'stata', 'table', 'xml'])
    .map((r) => `pandas.read_${r}`),
  // torch/_export/__init__.py `aot_load(so_path, device)` dlopens the shared library at so_path
  // (AOTIModelContainerRunnerCpu), `aot_compile` runs the C++ compiler, and serde's deserializers `sympy.sympify` the
  // expression strings they are given; torch/utils/_sympy/functions.py `FloorDiv`, `ModularIndexing`… are
  // `sympy.Function` subclasses, whose constructor (sympy `Application.__new__`) sympifies a string argument — an
  // eval (Debian's sympy 1.11 ran the code of `Function('<code>', 1)`); torch/_logging/_internal.py
  // `_init_logs(log_file_name)` opens a `logging.FileHandler` on any path.
  'torch._export',
  'torch.utils._sympy',
  'torch._logging',
  // pandas/_testing/_io.py `write_to_compressed(compression, path, data)` writes the pickle's bytes to any path;
  // pandas.util.testing is the pandas < 2 alias of pandas._testing
  'pandas._testing',
  'pandas.util.testing',
  'torch.utils.model_dump',
  'torch.utils.show_pickle',
  'torch.utils.hipify',
  'torch.utils.file_baton',
  'torch.utils.benchmark',
  'torch.utils.bottleneck',
  'torch.utils.collect_env',
  'torch.utils._import_utils',
  // save_npz writes the (attacker-built) matrix to any path it is given
  'scipy.sparse.save_npz',
  'scipy.sparse._matrix_io.save_npz',
  // Helpers inside the model libraries that import, load native code, run files or delete trees, read from their
  // source: torch/_utils.py `_import_dotted_name` (`__import__` + getattr of any dotted name) and `_type` (calls it
  // on a string dtype); torch/_classes.py `classes.load_library` = `torch.ops.load_library` (ctypes.CDLL);
  // torch/_utils_internal.py (paths, multiprocessing environment); joblib/disk.py (`delete_folder`/`rm_subdirs`:
  // shutil.rmtree, `mkdirp`); joblib's memmap reducers and pools (`_strided_from_memmap` opens files mode w+, pools
  // start processes); numpy/compat/py3k.py `npy_load_module` (SourceFileLoader(...).load_module() runs a .py
  // file) and `open_latin1`; numpy's `fromfile` under its C-module names.
  // torch/_deploy.py (torch::deploy's serialization): `_load_storages(id, zip_reader, obj_bytes, …)` is
  // `PackageUnpickler(sys_importer, io.BytesIO(obj_bytes)).load()`, a full unpickle of bytes the pickle may build at
  // load time (Debian's torch 1.13 ran os.system from bytes a numpy XOR made); it keeps torch.package's importers too
  'torch._deploy',
  'torch._utils._import_dotted_name',
  'torch._utils._type',
  // torch/storage.py keeps it as `_type` and as every storage class's `type` method (isStorageType below):
  // `torch.UntypedStorage.type(storage, 'evil_mod.x')` imported the shipped module on Debian's torch 1.13
  'torch.storage._type',
  // torch/__init__.py `_preload_cuda_deps(lib_folder, lib_name)`: ctypes.CDLL of the first match of
  // <sys.path>/nvidia/<lib_folder>/lib/<lib_name>, a path its arguments can lead anywhere with `..`
  'torch._preload_cuda_deps',
  'torch.classes.load_library',
  'torch._classes',
  'torch._utils_internal',
  'joblib.disk',
  'joblib._memmapping_reducer',
  'joblib.backports',
  'joblib.pool',
  'joblib.executor',
  // Parallel(...)(tasks) calls each task's (function, args, kwargs) and starts worker processes for n_jobs > 1;
  // scikit-learn's subclass sits in its class family (sklearn/utils/parallel.py).
  'joblib.parallel',
  'joblib.Parallel',
  'joblib._parallel_backends',
  'sklearn.utils.parallel',
  // joblib/memory.py: `Memory(location)`, `MemorizedFunc(func, location)` and `MemorizedResult(location, …)` make
  // their store backend, whose `configure` creates directories under `location` (_store_backends.py `mkdirp`): a
  // pickle that calls one creates directories anywhere (Debian's joblib 1.2: `joblib.Memory('/tmp/d')` made
  // /tmp/d/joblib, `MemorizedFunc(len, '/tmp/d')` made /tmp/d/builtins).
  'joblib.memory',
  'joblib.Memory',
  // joblib/__init__.py re-exports memory.py's `MemorizedResult(location, func, args_id)`, which makes its store
  // backend under `location` (Debian's joblib 1.2 created the folder)
  'joblib.MemorizedResult',
  // pandas/core/interchange/from_dataframe.py `buffer_to_ndarray(buffer, dtype, offset, length)` makes an ndarray over
  // the memory at `buffer.ptr` (ctypes.cast of an integer): with a Bunch for the buffer, a pickle reads and, by
  // SETITEM on the array, writes any address (Debian's pandas 1.5 crashed writing to 0x10 while unpickling); the
  // module's other helpers reach it, and pandas.api.interchange re-exports them
  'pandas.core.interchange.from_dataframe',
  'pandas.api.interchange',
  'numpy.compat.py3k.npy_load_module',
  'numpy.compat.npy_load_module',
  'numpy.compat.py3k.open_latin1',
  'numpy.compat.open_latin1',
  ...['numpy.core', 'numpy._core'].flatMap((m) => [`${m}.multiarray.fromfile`, `${m}._multiarray_umath.fromfile`]),
  // scanners an attacker may want to switch off
  'fickling',
  'picklescan',
  'modelscan',
  'modelaudit',
  'model_unpickler',
  'saferpickle',
];

/**
 * Methods that write or read files, load models or evaluate expressions. A protocol 4 name can reach an unbound
 * method through its class under any alias (`pandas` + `DataFrame.to_pickle`, `numpy` + `ndarray.tofile`), and
 * REDUCE calls it with the instance as the first argument.
 */
const FILE_AND_CODE_METHODS: ReadonlySet<string> = new Set(
  (
    'tofile dump to_pickle to_csv to_json to_hdf to_parquet to_excel to_feather to_sql to_stata to_html to_latex ' +
    'to_markdown to_xml to_orc to_clipboard query eval from_file save savez load loads load_model load_weights ' +
    'read_pickle write_text write_bytes unlink rmdir rename touch mkdir symlink_to hardlink_to open exec_module ' +
    // torch/autograd/profiler_util.py `EventList.export_chrome_trace(path)` opens path "w" and writes each event's
    // `trace_name` unescaped (Debian's torch 1.13 wrote a BUILD-given name's lines into the file); `export_stacks`
    // and torch.profiler's `export_memory_timeline` write too; pandas' `to_string(buf)` opens a path buf "w" and
    // `to_gbq` uploads the frame
    'export_chrome_trace export_stacks export_memory_timeline to_string to_gbq ' +
    // boosters write their model to a path: lightgbm/basic.py `Booster.save_model(filename)`
    // (LGBM_BoosterSaveModel), xgboost/core.py `save_model(fname)` and `dump_model(fout)`, keras `save_weights`
    'save_model dump_model save_weights ' +
    // hub loaders download and load weights, configs and (with trust_remote_code) code; the rest reload pickles
    'from_pretrained from_preset from_single_file load_params load_pickle load_checkpoint load_from_checkpoint'
  ).split(' '),
);

/**
 * Names under which the libraries models are saved with keep loaders, writers and launchers imported from elsewhere:
 * joblib/parallel.py `from .externals.cloudpickle import dumps, loads` (pickle.loads), numpy/lib/__init__.py and
 * numpy/matlib.py re-export npyio's `load`/`save`/`savetxt`, scipy/_lib/_tmpdirs.py `from shutil import rmtree`,
 * sklearn/utils/discovery.py `from importlib import import_module`, torch/__init__.py keeps
 * `serialization._import_dotted_name`. An unknown name of a model library that the unpickler calls is only a
 * warning (verdict.ts spares it CPI100), so a module-level name that is one of these is judged by the name.
 */
const REEXPORTED_LOADERS: ReadonlySet<string> = new Set([
  ...FILE_AND_CODE_METHODS,
  ...(
    'savetxt savez_compressed loadtxt genfromtxt fromregex recfromtxt recfromcsv rmtree import_module ' +
    '_import_dotted_name system popen check_output check_call getoutput run_path run_module urlopen urlretrieve ' +
    // sklearn/tree/_export.py `export_graphviz(tree, out_file)` opens out_file "w"; numpy/ma/mrecords.py
    // `fromtextfile(fname)` opens fname; scipy/sparse/_matrix_io.py `load_npz(file)` is np.load(file)
    'export_graphviz fromtextfile load_npz ' +
    // operator's getattr equivalents (`torch.autograd.profiler_util.attrgetter`, `sklearn.feature_selection._base
    // .attrgetter`): `attrgetter('system')(os)`; numpy.ctypeslib / torch.ops `load_library` (ctypes.CDLL of a path);
    // joblib/numpy_pickle.py keeps numpy_pickle_compat's `load_compatibility(filename)` (unpickles that file);
    // pandas/core/frame.py keeps pandas.io.common's `get_handle(path, mode)` (opens it, "w" truncates);
    // PytestTester instances (`numpy.test`, `scipy.sparse.test`) run the test files they are given
    'attrgetter methodcaller load_library load_compatibility get_handle test ' +
    // numpy.core.numeric / numpy.matlib keep numpy's `fromfile` (reads any file); joblib/numpy_pickle.py keeps
    // backports' `make_memmap` (np.memmap, mode w+ creates or truncates), joblib/logger.py disk's `mkdirp`
    'fromfile make_memmap mkdirp ' +
    // joblib/numpy_pickle.py `_unpickle(fobj)`: NumpyUnpickler(filename, fobj).load() of any file object
    'unpickle ' +
    // torch/utils/_config_module.py `ConfigModule.load_config(maybe_pickled_config)` is pickle.loads of its argument,
    // a method of every config module install_config_module made (`torch._functorch.config.load_config`,
    // `torch.compiler.config.load_config`); pandas/util/_print_versions.py `show_versions(as_json)` opens a string
    // `as_json` "w" (re-exported as `pandas.show_versions`; Debian's pandas 1.5 wrote the file); sklearn/utils/
    // validation.py `check_memory(location)` is `joblib.Memory(location)`, which creates directories there (kept
    // as `sklearn.pipeline.check_memory`, `sklearn.cluster._agglomerative.check_memory`)
    'load_config show_versions check_memory ' +
    // functools.partial (sklearn/metrics/_ranking.py `from functools import partial`, in a module whose lowercase
    // names are safe-listed metrics): C `partial_setstate` sets any function, arguments and keywords from a BUILD
    // state, so calling it calls numpy.memmap(path, mode='w+') — a pickle writes partial under functools' name
    'partial ' +
    // Helpers that import the module their argument names, which runs its top-level code (a `.py` shipped beside the
    // model is on sys.path when the loader runs from there): numpy/core/function_base.py `add_newdoc(place, obj, doc)`
    // is `__import__(place, …, [obj])` (kept as `numpy.add_newdoc`, `numpy.lib.add_newdoc`, `scipy.add_newdoc`…);
    // numpy/lib/utils.py `lookfor(what, module)` imports `module` and every submodule of it (`numpy.lookfor`);
    // pandas/compat/_optional.py `import_optional_dependency(name)` is importlib.import_module(name) (kept in a dozen
    // pandas modules); pandas/util/_test_decorators.py `safe_import(mod_name)` is `__import__(mod_name)`;
    // pandas/plotting/_core.py `_load_backend(backend)` imports the backend it is given. Debian's numpy 1.24 and
    // pandas 1.5 ran a shipped module's code for each.
    'add_newdoc lookfor import_optional_dependency safe_import load_backend ' +
    // scipy/optimize/_nonlin.py `_nonlin_wrapper(name, jac)` formats `name` into the source of a `def` and execs it
    // (Debian's scipy 1.10 ran the code of a name holding a newline); joblib/logger.py `PrintTime(logfile)` creates
    // its folders, copies the file aside and truncates it ("w"), scipy/odr/_odrpack.py `ODR(…, errfile, rptfile,
    // overwrite=True)` os.remove()s both (Debian's joblib 1.2 and scipy 1.10 did so to a pickle's paths)
    'nonlin_wrapper PrintTime ODR ' +
    // scipy/stats/_distn_infrastructure.py `rv_generic._attach_argparser_methods(self)` is
    // `exec(self._parse_arg_template, ns)`, and every distribution's `_attach_methods(self)` calls it: reached by
    // a dotted name with a Bunch holding that key for `self`, Debian's scipy 1.10 ran the text
    'attach_argparser_methods attach_methods ' +
    // Helpers that call the method their argument names on the object they are given, as operator.methodcaller does:
    // numpy/core/fromnumeric.py `_wrapfunc(obj, method, *args)` is `getattr(obj, method)(*args)`, and so is
    // sklearn/metrics/_scorer.py `_cached_call(None, estimator, method, *args)` (Debian's numpy 1.24 and
    // scikit-learn 1.2 ran `os.system` through each, and `DataFrame.to_csv(path)`); `_wrapit(obj, method, *args)`
    // calls it on `asarray(obj)`, so `ndarray.tofile(path)` writes any file
    'wrapfunc wrapit cached_call ' +
    // ...as do pandas/core/arraylike.py's ufunc dispatchers, `getattr(ufunc, method)(*inputs)` for any object and
    // method name: `default_array_ufunc(None, frame, 'to_csv', path, None)` opened the path "w" on Debian's pandas 1.5
    // before failing (`array_ufunc`, `dispatch_ufunc_with_out` and `_maybe_fallback` end the same way)
    'default_array_ufunc array_ufunc dispatch_ufunc_with_out maybe_fallback ' +
    // File classes kept in the libraries that create or truncate the path they are given: torch/utils/_zip.py keeps
    // zipfile's `ZipFile` (mode "w"), joblib/compressor.py `BinaryZlibFile(path, "wb")` and its gzip subclass (kept
    // in joblib.numpy_pickle too) and lz4's `LZ4FrameFile`; sklearn/utils/fixes.py `_open_binary(module, name)` and
    // `_open_text` are importlib.resources.files(module), which imports it (Debian's torch 1.13, joblib 1.2 and
    // scikit-learn 1.2 did each)
    'ZipFile BinaryZlibFile BinaryGzipFile LZ4FrameFile open_binary open_text ' +
    // ...and the joblib helpers that make those files in mode "wb": joblib/numpy_pickle_utils.py
    // `_write_fileobject(filename, compress)` (kept in joblib.numpy_pickle) and joblib/compressor.py
    // `CompressorWrapper.compressor_file(fileobj)` of every wrapper (Debian's joblib 1.2 overwrote the path of each)
    'write_fileobject compressor_file ' +
    // Lib/tokenize.py `from builtins import open as _builtin_open`, which joblib/_deprecated_format_stack.py keeps as
    // `tokenize` (Debian's joblib 1.2 opened a path "w" by `tokenize._builtin_open`)
    'builtin_open ' +
    // Classes kept under their own name in modules of allowlisted class families (a CapWords name there is
    // otherwise allowed): sklearn's estimator modules import `Parallel` from sklearn.utils.parallel (runs each task's
    // function, starts worker processes); numpy.lib, numpy.matlib and scipy keep numpy's `DataSource` (downloads);
    // scipy/_lib/_ccallback.py keeps ctypes' `PyCFuncPtr` (a function pointer at any address); PytestTester runs
    // test files; sympy's Matrix sympifies (evals) its entries
    'Parallel DataSource PyCFuncPtr PytestTester Matrix ' +
    // scipy/spatial/_plotutils.py `from scipy._lib.decorator import decorator as _decorator`: `decorator(caller)`
    // writes `caller.__name__` into the `def` line FunctionMaker.create execs, and a BUILD sets the name of a function
    // the stream made (Debian's scipy 1.10 ran a default value written into it)
    'decorator ' +
    // pickle's own classes kept in the libraries: joblib/numpy_pickle_utils.py `Unpickler = pickle._Unpickler` and
    // `Pickler = pickle._Pickler` (re-exported by joblib.numpy_pickle), joblib/numpy_pickle.py's subclasses and
    // pandas/compat/pickle_compat.py `Unpickler`; `_Unpickler.find_class(self, module, name)` is a plain function
    // that imports any module and returns any global for a `self` with a `proto` attribute (Debian's joblib 1.2
    // returned os.system for `joblib.numpy_pickle` + `Unpickler.find_class`), and `load` reads a nested pickle
    'Unpickler Pickler NumpyUnpickler NumpyPickler find_class'
  ).split(' '),
]);

/**
 * A module-level name judged as a loader: the name itself, or the private function behind a public method of that
 * name. numpy keeps `ndarray.dump` as numpy/core/_methods.py `_dump(self, file)`, which opens `file` "wb" and
 * pickles `self` into it, so `numpy.core._methods._dump` writes any file just as `numpy.ndarray.dump` does.
 */
function isLoaderName(name: string): boolean {
  return REEXPORTED_LOADERS.has(name) || REEXPORTED_LOADERS.has(name.replace(/^_+/, ''));
}

/**
 * pandas methods that, given a function's name as a string, call the object's method of that name with the rest of
 * their arguments: pandas/core/apply.py `Apply.apply_str` and pandas/core/base.py `_try_aggregate_string_function`
 * (`getattr(obj, arg)(*args, **kwargs)`), behind `DataFrame.apply`, `agg`/`aggregate` and `transform` and their
 * Series, GroupBy and window counterparts. `DataFrame.apply(frame, 'to_csv', 0, False, None, (path,))` reached by a
 * protocol 4 name wrote the file on Debian's pandas 1.5, as did `aggregate` and `transform`.
 */
const PANDAS_STRING_DISPATCH: ReadonlySet<string> = new Set([
  // pandas/core/groupby/generic.py `SeriesGroupBy.filter(func, dropna, *args)`: a string func is
  // `getattr(group, func)(*args)` on each group (Debian's pandas 1.5 wrote `to_csv`'s path)
  'filter',
  'apply',
  'agg',
  'aggregate',
  'transform',
  'apply_str',
  'try_aggregate_string_function',
]);

/**
 * pandas' plotting entry points that take the plotting backend as a positional argument: pandas/plotting/_core.py
 * `hist_series(self, …, backend)`, `hist_frame`, `boxplot_frame`, `boxplot_frame_groupby` (kept as `Series.hist`,
 * `DataFrame.hist`, `DataFrame.boxplot`, `DataFrameGroupBy.boxplot`) pass it to `_get_plot_backend`, whose
 * `_load_backend(backend)` is `importlib.import_module(backend)` for a name that is not an entry point: a module
 * shipped beside the model runs (Debian's pandas 1.5 ran it for `Series.hist(s, …, 'evil_mod')` before refusing it).
 */
const PANDAS_PLOT_BACKEND: ReadonlySet<string> = new Set([
  'hist',
  'boxplot',
  'hist_series',
  'hist_frame',
  'boxplot_frame',
  'boxplot_frame_groupby',
  'get_plot_backend',
]);

/**
 * A torch storage class's `type` method reached by a protocol 4 name (`torch` + `UntypedStorage.type`): torch/storage.py
 * sets `_StorageBase.type = _type`, and torch/_utils.py `_type(self, dtype)` passes a string dtype to
 * `_import_dotted_name`, which imports its first part and walks the rest.
 */
function isStorageType(module: string, parts: readonly string[]): boolean {
  return (
    module.split('.', 1)[0] === 'torch' && parts.length > 1 && parts.at(-1) === 'type' && /Storage$/.test(parts.at(-2)!)
  );
}

/**
 * torch.fx's Graph and GraphModule and torch.ao's subclasses of GraphModule, which modules outside torch.fx keep under
 * these names (torch/ao/quantization/fx/utils.py, prepare.py, convert.py, torch/_prims/executor.py `from torch.fx
 * import GraphModule`, `from torch.fx.graph import Graph`). torch/fx/graph_module.py `GraphModule.__init__(root,
 * graph)` sets `self.graph`, whose setter runs `recompile`: the graph's Python source is generated (torch/fx/graph.py
 * `CodeGen._gen_python_code` writes a placeholder's target into the `def forward(…)` line as it is) and
 * `_forward_from_src` execs it. A pickle that makes a Graph, adds a placeholder named `x=<code>` and calls GraphModule
 * on it runs the code, and so does one that hands the Graph to a helper that makes the GraphModule itself
 * (torch/ao/quantization/fx/fuse.py `fuse(model)` copies `model.graph` into a FusedGraphModule): Debian's torch 1.13
 * did both, by `torch.ao.quantization.fx` names. A genuine Graph or GraphModule pickles under torch.fx's own names
 * (`reduce_graph_module`), never under these.
 */
const FX_GRAPH_CLASSES: ReadonlySet<string> = new Set([
  'Graph',
  'GraphModule',
  'FusedGraphModule',
  'ObservedGraphModule',
  'ObservedStandaloneGraphModule',
  'QuantizedGraphModule',
]);

/**
 * Package names under which the model libraries ship their tests (`pandas.tests`, `joblib.test`, `sklearn.*.tests`),
 * and pytest's `conftest` modules beside them (sklearn/conftest.py keeps sklearn.datasets' `fetch_*` downloaders).
 */
const TEST_PACKAGES: ReadonlySet<string> = new Set(['tests', 'test', 'conftest']);

/**
 * The test package a global of a model library lies in, by its module or a module its dotted name walks through.
 * Test modules keep the libraries' test helpers at module level: sklearn/experimental/tests keep sklearn/utils/
 * _testing.py `assert_run_python_script(source)`, which runs the source in a new interpreter, and pandas/tests keep
 * pandas._testing as `tm` (`tm.write_to_compressed(compression, path, data)` writes any path); Debian's scikit-learn
 * 1.2 and pandas 1.5 ship them and did both while unpickling. No model is saved with a class of a test module.
 */
function testPackage(module: string, parts: readonly string[]): string | undefined {
  if (!isModelLibrary(module)) return undefined;
  const path = [...module.split('.'), ...parts.slice(0, -1)];
  const i = path.findIndex((p) => TEST_PACKAGES.has(p));
  return i > 0 ? path.slice(0, i + 1).join('.') : undefined;
}

/** The module or name of a STACK_GLOBAL whose string is the result of a call (vm/calls.ts). */
export const COMPUTED_NAME = '<computed at load time>';

/**
 * The module or name of a STACK_GLOBAL whose string is longer than the machine keeps (values.ts KEEP_STRING).
 * `find_class` walks a protocol 4 name part by part whatever its length (Lib/pickle.py `_getattribute`, `_pickle.c`
 * get_deep_attribute), so `torch` + `serialization.os.path.os.path.…os.system` is os.system.
 */
export const LONG_NAME = `<name longer than ${KEEP_STRING} characters>`;

const DANGEROUS_SET: ReadonlySet<string> = new Set([...DANGEROUS, ...GADGETS.map((g) => g.target)]);

/** Whether a dotted path is, or lies inside, a dangerous entry; a gadget names its source. */
function hits(path: string): string | undefined {
  let p = path;
  for (;;) {
    if (DANGEROUS_SET.has(p)) {
      const gadget = gadgetOf(p);
      return gadget ? `${p}: reaches ${gadget.reaches}, ${gadget.source}` : p;
    }
    const i = p.lastIndexOf('.');
    if (i < 0) return undefined;
    p = p.slice(0, i);
  }
}

/**
 * The dangerous entry a global resolves to, if any. Protocol 4 names may be dotted (`find_class` walks
 * attributes), so `pathlib` + `os.system` is `os.system` reached through pathlib: every attribute suffix of the
 * name is checked as a path of its own, and dunder attributes (`__globals__`, `__subclasses__`…) are gadgets.
 */
export function dangerOf(module: string, name: string): string | undefined {
  if (module === COMPUTED_NAME || name === COMPUTED_NAME)
    return 'a module or name computed while loading (STACK_GLOBAL on what a call returned, or a helper that imports what its arguments name): it may import any global';
  if (module === LONG_NAME || name === LONG_NAME)
    return `a module or name longer than ${KEEP_STRING} characters, not read: a dotted name that long may walk to any global`;
  const direct = hits(`${module}.${name}`);
  if (direct !== undefined) return direct;
  const parts = name.split('.');
  const last = parts[parts.length - 1]!;
  const top = module.split('.', 1)[0];
  const bareLast = last.replace(/^_+/, '');
  // A module kept under a name (`subprocess` + `os`) is the module itself; a dotted name may end at one that a module
  // on its way keeps: `scipy.linalg._matfuncs_expm` + `random._os` is os itself (Lib/random.py `import os as _os`),
  // as are `collections._sys`, `argparse._os`, `codecs.builtins` and `pickle_compat.pkl` (pandas.compat keeps
  // pandas/compat/pickle_compat.py, which keeps `import pickle as pkl`).
  const kept = keptModule(last);
  if (kept !== undefined)
    return `the module \`${kept}\` itself, which \`${module}\` ${parts.length === 1 ? 'keeps' : 'reaches'} as \`${name}\``;
  if (parts.length > 1 && FILE_AND_CODE_METHODS.has(last)) return `method ${last}`;
  if (isStorageType(module, parts)) return `method ${name}: torch/_utils.py \`_type\` imports a dotted type name`;
  if (isModelLibrary(module) && parts.some((p) => FX_GRAPH_CLASSES.has(p)))
    return `\`${name}\`: torch.fx's Graph or GraphModule (a GraphModule execs the code generated from its graph)`;
  if (top === 'pandas' && PANDAS_PLOT_BACKEND.has(bareLast))
    return `\`${last}\`: imports the plotting backend module its \`backend\` argument names`;
  const tests = testPackage(module, parts);
  if (tests !== undefined) return `the test package \`${tests}\`, whose modules keep the library's test helpers`;
  if (parts.length > 1 && top === 'pandas' && PANDAS_STRING_DISPATCH.has(bareLast))
    return `method ${last}: given a string, it calls the method of that name on the frame (\`to_csv\` writes a file)`;
  // A dotted name reaches the same function through a module alias (`scipy` + `_importlib.import_module`).
  if (isLoaderName(last) && isModelLibrary(module))
    return `\`${last}\`: the name of a loader, writer or launcher, kept in a model library`;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.length > 4 && part.startsWith('__') && part.endsWith('__') && !(i === 0 && module === '__future__')) {
      return `attribute ${part}`;
    }
    if (i > 0 || parts.length > 1) {
      const via = hits(parts.slice(i).join('.')) ?? viaAlias(parts.slice(i), isModelLibrary(module));
      if (via !== undefined) return via;
    }
  }
  return undefined;
}

/**
 * Dangerous modules that modules keep at module level under their own name (`import os`; Debian's torch, numpy,
 * scipy, scikit-learn, pandas and joblib keep each of these somewhere), or a private spelling (`import sys as _sys`)
 * or a common alias. `find_class('torch', 'os')` returns the os module itself (Lib/pickle.py `_Unpickler.find_class`:
 * getattr of the imported module), and a library helper that calls a method it is told by name turns it into any
 * of the module's functions: numpy/core/fromnumeric.py `_wrapfunc(torch.os, 'system', cmd)` ran the command on
 * Debian's numpy 1.24. pickle.dumps refuses a module ("cannot pickle 'module' object"), so no genuine file names one.
 * Names that are also functions in those libraries (`scipy.select`, `scipy.trace`, `torch.autograd.profiler.profile`,
 * a `types` attribute of scipy.integrate) are left to the dotted-path checks.
 */
const KEPT_MODULES: ReadonlySet<string> = new Set(
  (
    'os posix nt sys builtins subprocess _posixsubprocess pty shutil tempfile io _io pickle _pickle marshal ' +
    'importlib pkgutil runpy code pydoc linecache inspect ast gc site signal resource platform ctypes socket ' +
    'webbrowser pdb timeit traceback warnings operator functools itertools threading _thread multiprocessing ' +
    'concurrent asyncio zlib gzip bz2 lzma'
  ).split(' '),
);

/**
 * The dangerous module a one-part name is, by its name, its name without leading underscores, or its alias
 * (MODULE_ALIASES: `mp`, `pkl`, `op`).
 */
function keptModule(name: string): string | undefined {
  if (KEPT_MODULES.has(name)) return name;
  const bare = name.replace(/^_+/, '');
  if (KEPT_MODULES.has(bare)) return bare;
  return MODULE_ALIASES.get(bare)?.find((m) => KEPT_MODULES.has(m));
}

/**
 * Module aliases the model libraries keep at module level under another name than the module's, found by listing
 * every module attribute of Debian's torch, numpy, scipy, scikit-learn, pandas and joblib: joblib/_utils.py
 * `import operator as op`, joblib/_multiprocessing_helpers.py `import multiprocessing as mp`,
 * pandas/compat/pickle_compat.py `import pickle as pkl`, numpy/matlib.py re-exports numpy's `ctypeslib`,
 * torch/nn/parallel/distributed.py `import torch.distributed as dist`, torch/_lazy/extract_compiled_graph.py
 * `import torch.fx as fx` (`fx.graph_module.reduce_graph_module` execs the code it is given), torch/_tensor.py
 * `import torch._C as _C`, torch/ao/nn/quantized/modules/conv.py `ops` (`torch.ops.load_library`), pandas' `fmt`
 * (below). Read only in the model libraries, where they were found: elsewhere `C` or `ops` is as likely a user's
 * own nested class. The private spelling of any module (`import importlib as _importlib` in scipy/__init__.py,
 * `_sys` in scipy/_lib/_bunch.py, `_functools` in torch/_weights_only_unpickler.py) is read without its leading
 * underscores.
 */
const MODULE_ALIASES: ReadonlyMap<string, readonly string[]> = byAlias([
  ['op', 'operator'],
  ['mp', 'multiprocessing'],
  ['pkl', 'pickle'],
  ['ctypeslib', 'numpy.ctypeslib'],
  ['dist', 'torch.distributed'],
  ['fx', 'torch.fx'],
  ['C', 'torch._C'],
  ['ops', 'torch.ops'],
  ['aten', 'torch.ops.aten'],
  ['toq', 'torch.ops.quantized'],
  ['nccl', 'torch.cuda.nccl'],
  ['benchmark', 'torch.utils.benchmark'],
  ['package_mangling', 'torch.package._mangling'],
  // pandas/core/frame.py, generic.py, series.py `from pandas.io.formats import format as fmt`:
  // `fmt.save_to_buffer(text, path)` writes the text to the path
  ['fmt', 'pandas.io.formats.format'],
  ['printing', 'pandas.io.formats.printing'],
  ['console', 'pandas.io.formats.console'],
  // sklearn/utils/fixes.py `from importlib import resources`
  ['resources', 'importlib.resources'],
  // numpy, pandas and scipy under their usual short names, which most modules of the libraries keep (`import numpy as
  // np`; `_np` in scipy/linalg/blas.py): find_class walks `np.testing` through numpy's module `__getattr__`, and
  // numpy/testing/_private/utils.py `runstring(astr, dict)` is `exec(astr, dict)` (Debian's scikit-learn 1.2 and
  // numpy 1.24 ran the code of `sklearn.utils` + `np.testing.runstring`). `sp` is scipy in scipy/optimize/
  // _linprog_ip.py and scipy.sparse in scipy/sparse/_sputils.py.
  ['np', 'numpy'],
  ['pd', 'pandas'],
  ['sp', 'scipy'],
  ['sp', 'scipy.sparse'],
  ['sps', 'scipy.sparse'],
  ['sc', 'scipy.special'],
  ['spec', 'scipy.special'],
  ['rec', 'numpy.core.records'],
  // pandas/core/ops/array_ops.py and pandas/core/internals/blocks.py `import pandas.core.computation.expressions as
  // expressions`, which keeps `import numexpr as ne` (so does pandas/core/computation/check.py): numexpr 2.8's
  // `evaluate(ex)` compiles and evals the Python expression it is given (Debian's pandas 1.5 ran `os.system` from
  // `pandas.core.ops.array_ops` + `expressions.ne.evaluate`)
  ['expressions', 'pandas.core.computation.expressions'],
  ['ne', 'numexpr'],
  // Lib/enum.py (Python 3.11+) `import sys, builtins as bltns`, and the libraries keep enum (torch/_jit_internal.py
  // `import enum`): `torch._jit_internal` + `enum.bltns.exec` is builtins.exec (Debian's torch 1.13 ran its text)
  ['bltns', 'builtins'],
]);

/** Alias → the modules kept under it (one alias may name different modules in different files). */
function byAlias(pairs: readonly (readonly [string, string])[]): ReadonlyMap<string, readonly string[]> {
  const map = new Map<string, string[]>();
  for (const [alias, module] of pairs) map.set(alias, [...(map.get(alias) ?? []), module]);
  return map;
}

/**
 * The dangerous entry a dotted attribute path reaches when its first part is a module alias (`_importlib.x`, and in
 * a model library the aliases above).
 */
function viaAlias(path: readonly string[], modelLibrary: boolean): string | undefined {
  const [head, ...rest] = path;
  if (head === undefined || rest.length === 0) return undefined;
  const bare = head.replace(/^_+/, '');
  const modules = (modelLibrary ? MODULE_ALIASES.get(bare) : undefined) ?? (bare !== head ? [bare] : []);
  for (const module of modules) {
    const via = module === '' ? undefined : hits([module, ...rest].join('.'));
    if (via !== undefined) return `${path.join('.')} is ${via} under the module alias \`${head}\``;
  }
  return undefined;
}

/**
 * Classes that are harmless as a reference (`numpy.core.multiarray._reconstruct(numpy.memmap, …)` is how a memmap
 * pickles: `ndarray.__new__`, no file) but open files when the unpickler calls them: `numpy.memmap(path, mode='w+')`
 * creates or truncates `path` (numpy/_core/memmap.py `memmap.__new__` opens it before mapping).
 */
const DANGEROUS_WHEN_CALLED: ReadonlyMap<string, string> = new Map(
  ['numpy.memmap', 'numpy.core.memmap.memmap', 'numpy._core.memmap.memmap'].map((n) => [
    n,
    `${n} called: opens, creates or truncates the file it names`,
  ]),
);

/** Why calling this global (REDUCE, OBJ, INST; NEWOBJ, as its work is in __new__) is dangerous though importing it is not. */
export function dangerWhenCalled(module: string, name: string): string | undefined {
  return DANGEROUS_WHEN_CALLED.get(`${module}.${name}`);
}

/**
 * Why `module.name.attr`, fetched by `getattr(module.name, attr)`, is dangerous when `module.name` itself is not
 * (or only through a family the exact allowlist overrides, e.g. `torch._C`): the attribute's own entry, or a
 * method that writes, reads or loads.
 */
export function memberDangerOf(module: string, name: string, attr: string): string | undefined {
  const full = dangerOf(module, `${name}.${attr}`);
  if (full !== undefined && full !== dangerOf(module, name)) return full;
  return FILE_AND_CODE_METHODS.has(attr) ? `method ${attr}` : undefined;
}
