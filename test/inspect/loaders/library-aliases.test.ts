import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/**
 * Dangerous functions and classes that the libraries models are saved with keep under names of their own: a
 * module-level `from x import y` or `import x as _x`. `pickle.load` (CPython `_pickle.c` `load_stack_global` →
 * `find_class`, which walks a dotted protocol 4 name with getattr) imports them by the alias, so the danger list,
 * which names the defining module, never matched: an unknown name of a model library stayed a warning, and a
 * CapWords name inside an allowlisted class family was allowed. Every alias below was listed from the module
 * attributes of Debian's torch 1.13, numpy 1.24, scipy 1.10, scikit-learn 1.2.1, pandas 1.5.3 and joblib 1.2, and
 * each marked "ran" was loaded with Debian's python3 `pickle.load` on a copy whose command touched a marker file.
 */

const short = (s: string) => `\x8c${String.fromCharCode(s.length)}${s}`;
const p4 = (body: string) => Buffer.from(`\x80\x04${body}.`, 'latin1');
const global4 = (module: string, name: string) => `${short(module)}${short(name)}\x93`;
/** Protocol 4: STACK_GLOBAL of `module` + `name`, called with one string. */
const call4 = (module: string, name: string, arg: string) => p4(`${global4(module, name)}${short(arg)}\x85R`);

/**
 * `getter(import_module('os'))('touch …')` with `getter = <module>.<name>('system')`: os.system reached through two
 * model-library names and two calls of computed values.
 */
const getterChain = (module: string, name: string) =>
  p4(
    `${global4('scipy', '_importlib.import_module')}${short('os')}\x85R\x940` +
      `${global4(module, name)}${short('system')}\x85Rh\x00\x85R${short('touch /tmp/marker')}\x85R`,
  );

/** BINBYTES of raw bytes, as latin1 text. */
const binbytes = (data: Buffer) => {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(data.length);
  return `B${len.toString('latin1')}${data.toString('latin1')}`;
};

/**
 * `torch._deploy._load_storages(0, None, ndarray.tobytes(bitwise_xor(frombuffer(<pickle ^ 0x55>, 'u1'), 0x55)), [], [])`:
 * the nested pickle (`os.system('touch …')`) exists only once numpy has decoded it while loading.
 */
const XORED_NESTED = (() => {
  const inner = Buffer.from(`\x80\x04${global4('os', 'system')}${short('touch /tmp/marker')}\x85R.`, 'latin1');
  const xored = Buffer.from(inner.map((c) => c ^ 0x55));
  const arr = `${global4('numpy', 'frombuffer')}(${binbytes(xored)}${short('u1')}tR`;
  const data = `${global4('numpy', 'ndarray.tobytes')}(${global4('numpy', 'bitwise_xor')}(${arr}K\x55tRtR`;
  return p4(`${global4('torch._deploy', '_load_storages')}(K\x00N${data}]]tR`);
})();

const CASES: readonly UnseenCase[] = [
  {
    name: "sympy's Matrix under scipy.interpolate's precompute module (ran)",
    loader:
      'scipy/interpolate/_interpnd_info.py `from sympy import Matrix`; Matrix([[s]]) sympifies s, which evals it (sympy_parser.eval_expr)',
    files: {
      'm.pkl': Buffer.from(
        `\x80\x02cscipy.interpolate._interpnd_info\nMatrix\n]]X\x05\x00\x00\x00x + 1aa\x85R.`,
        'latin1',
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: "os.system via scipy's importlib alias and torch's attrgetter (ran)",
    loader:
      'scipy/__init__.py `import importlib as _importlib`; torch/autograd/profiler_util.py `from operator import attrgetter`',
    files: { 'm.pkl': getterChain('torch.autograd.profiler_util', 'attrgetter') },
    want: ['CPI001:error'],
  },
  {
    name: "os.system via scikit-learn's attrgetter (ran)",
    loader: 'sklearn/feature_selection/_base.py `from operator import attrgetter`',
    files: { 'm.pkl': getterChain('sklearn.feature_selection._base', 'attrgetter') },
    want: ['CPI001:error'],
  },
  {
    name: "os.system via joblib's operator alias (ran)",
    loader: 'joblib/_utils.py `import operator as op` (a dotted name: op.attrgetter)',
    files: { 'm.pkl': getterChain('joblib._utils', 'op.attrgetter') },
    want: ['CPI001:error'],
  },
  {
    name: "the operator module itself under joblib's alias",
    loader:
      "joblib/_utils.py `import operator as op`: find_class('joblib._utils', 'op') is the module, whose functions a library helper calls by name (fromnumeric.py `_wrapfunc`)",
    files: {
      'm.pkl': p4(
        `${global4('numpy.core.fromnumeric', '_wrapfunc')}${global4('joblib._utils', 'op')}${short('attrgetter')}${short('x')}\x87R`,
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: "functools through torch's private alias",
    loader: 'torch/_weights_only_unpickler.py `import functools as _functools`',
    files: { 'm.pkl': call4('torch._weights_only_unpickler', '_functools.partial', 'x') },
    want: ['CPI001:error'],
  },
  {
    name: "pandas writes any file through pandas.core.frame's format alias (ran: the file was written)",
    loader: 'pandas/core/frame.py `from pandas.io.formats import format as fmt`; fmt.save_to_buffer(text, path)',
    files: {
      'm.pkl': p4(
        `${global4('pandas.core.frame', 'fmt.save_to_buffer')}${short('text')}${short('/home/u/.bashrc')}\x86R`,
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: "torch.fx's GraphModule reducer through torch._lazy's alias (ran: the code was exec'd)",
    loader: 'torch/_lazy/extract_compiled_graph.py `import torch.fx as fx`; reduce_graph_module execs body["_code"]',
    files: {
      'm.pkl': p4(
        `${global4('torch._lazy.extract_compiled_graph', 'fx.graph_module.reduce_graph_module')}` +
          `}${short('_code')}${short('import os')}s${short('')}\x86R`,
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'ctypes loads a shared library through numpy.matlib',
    loader: 'numpy/matlib.py re-exports numpy.ctypeslib; `load_library(name, path)` is ctypes.cdll[path]',
    files: {
      'm.pkl': p4(`${global4('numpy.matlib', 'ctypeslib.load_library')}${short('libx')}${short('.')}\x86R`),
    },
    want: ['CPI001:error'],
  },
  {
    name: "joblib's pre-0.10 loader under numpy_pickle",
    loader: 'joblib/numpy_pickle.py `from .numpy_pickle_compat import load_compatibility` (unpickles that file)',
    files: { 'm.pkl': call4('joblib.numpy_pickle', 'load_compatibility', '/tmp/other.pkl') },
    want: ['CPI001:error'],
  },
  {
    // Ran: `_unpickle(_io.BytesIO(<pickle of os.system>))` touched the marker (the BytesIO is judged on its own).
    name: "joblib's unpickler entry point `_unpickle(fobj)`, whatever file object it is given (ran)",
    loader: 'joblib/numpy_pickle.py `_unpickle(fobj)`: NumpyUnpickler(filename, fobj).load()',
    files: { 'm.pkl': call4('joblib.numpy_pickle', '_unpickle', '/tmp/other.pkl') },
    want: ['CPI001:error'],
  },
  {
    name: "pandas' file opener under pandas.core.frame (ran: the file was created)",
    loader: 'pandas/core/frame.py `from pandas.io.common import get_handle`; get_handle(path, "w") truncates',
    files: {
      'm.pkl': p4(`${global4('pandas.core.frame', 'get_handle')}${short('/home/u/.bashrc')}${short('w')}\x86R`),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'numpy.test runs the test files it is given (ran)',
    loader: 'numpy/_pytesttester.py `PytestTester.__call__(…, tests)`: pytest.main([..., *tests])',
    files: { 'm.pkl': call4('numpy', 'test', 'full') },
    want: ['CPI001:error'],
  },
  {
    name: "every scipy package's PytestTester",
    loader: 'scipy/sparse/__init__.py `test = PytestTester(__name__)`',
    files: { 'm.pkl': call4('scipy.sparse', 'test', 'full') },
    want: ['CPI001:error'],
  },
  {
    name: "scikit-learn's Parallel under an estimator module (a CapWords name in the sklearn family)",
    loader: 'sklearn/calibration.py `from .utils.parallel import delayed, Parallel`: Parallel()(tasks) runs each task',
    files: { 'm.pkl': p4(`${global4('sklearn.calibration', 'Parallel')})R]\x85R`) },
    want: ['CPI001:error'],
  },
  {
    name: "scipy's vendored decorator() under scipy.spatial._plotutils, given a function named by a BUILD (ran)",
    loader:
      'scipy/spatial/_plotutils.py `decorator as _decorator`; scipy/_lib/decorator.py decorator(caller) → FunctionMaker.create execs `def <caller.__name__>(func)`',
    files: {
      'm.pkl': p4(
        `${global4('scipy.spatial._plotutils', '_decorator')}\x94${global4('scipy.spatial._plotutils', '_adjust_bounds')}` +
          `\x85RN}${short('__name__')}${short("f(x=open('/tmp/marker','w')):\n  if 1: #")}s\x86b\x940h\x00h\x01\x85R`,
      ),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: "numexpr's evaluate under pandas' expressions alias (ran)",
    loader:
      'pandas/core/ops/array_ops.py `import pandas.core.computation.expressions as expressions`, which keeps `import numexpr as ne`; numexpr/necompiler.py stringToExpression evals the text',
    files: {
      'm.pkl': call4(
        'pandas.core.ops.array_ops',
        'expressions.ne.evaluate',
        "[c for c in ().__class__.__base__.__subclasses__() if c.__name__=='_wrap_close'][0].__init__.__globals__['system']('touch /tmp/marker')",
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: "pickle's _Unpickler.find_class under joblib.numpy_pickle returns os.system (ran)",
    loader:
      'joblib/numpy_pickle_utils.py `Unpickler = pickle._Unpickler`; Lib/pickle.py `_Unpickler.find_class(self, module, name)` imports the module for any self with `proto`',
    files: {
      'm.pkl': p4(
        `${global4('joblib.numpy_pickle', 'Unpickler.find_class')}(${global4('collections', 'OrderedDict')})R}` +
          `${short('proto')}K\x04sb${short('os')}${short('system')}tR${short('touch /tmp/marker')}\x85R`,
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: "the os module at the end of a dotted name, through random's `_os` (resolved)",
    loader: 'Lib/random.py `import os as _os`, kept by scipy/linalg/_matfuncs_expm.py `import random`',
    files: { 'm.pkl': p4(global4('scipy.linalg._matfuncs_expm', 'random._os')) },
    want: ['CPI001:error'],
  },
  {
    name: 'the builtins module at the end of a dotted name, through codecs (resolved)',
    loader: 'Lib/codecs.py `import builtins`, kept by pandas/util/_print_versions.py `import codecs`',
    files: { 'm.pkl': p4(global4('pandas.util._print_versions', 'codecs.builtins')) },
    want: ['CPI001:error'],
  },
  {
    name: "the pickle module at the end of a dotted name, through pandas' pickle_compat alias (resolved)",
    loader: 'pandas/compat/pickle_compat.py `import pickle as pkl`, kept by pandas/compat/__init__.py',
    files: { 'm.pkl': p4(global4('pandas.compat', 'pickle_compat.pkl')) },
    want: ['CPI001:error'],
  },
  {
    name: "scikit-learn's conftest keeps the dataset downloaders (resolved)",
    loader: 'sklearn/conftest.py `from sklearn.datasets import fetch_covtype`, which downloads from the network',
    files: { 'm.pkl': call4('sklearn.conftest', 'fetch_covtype', '/tmp/data') },
    want: ['CPI001:error'],
  },
  {
    name: "torch::deploy's _load_storages unpickles bytes numpy decoded while loading (ran)",
    loader: 'torch/_deploy.py `_load_storages`: PackageUnpickler(sys_importer, io.BytesIO(obj_bytes)).load()',
    files: { 'm.pkl': XORED_NESTED },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: "joblib's _write_fileobject opens the path it is given in mode wb (ran)",
    loader: 'joblib/numpy_pickle_utils.py `_write_fileobject(filename, compress)` → BinaryZlibFile(filename, "wb")',
    files: {
      'm.pkl': p4(
        `${global4('joblib.numpy_pickle', '_write_fileobject')}(${short('/tmp/marker')}(${short('zlib')}K\x03ttR`,
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: "joblib's CompressorWrapper.compressor_file opens the path it is given in mode wb (ran)",
    loader: 'joblib/compressor.py `GzipCompressorWrapper.compressor_file(fileobj)` → BinaryGzipFile(fileobj, "wb")',
    files: {
      'm.pkl': p4(
        `${global4('joblib.compressor', 'GzipCompressorWrapper.compressor_file')}(` +
          `${global4('joblib.compressor', 'GzipCompressorWrapper')})R${short('/tmp/marker')}tR`,
      ),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: "scipy's rv_generic._attach_argparser_methods execs the _parse_arg_template of any object (ran)",
    loader:
      'scipy/stats/_distn_infrastructure.py `rv_generic._attach_argparser_methods(self)`: exec(self._parse_arg_template, ns)',
    files: {
      'm.pkl': p4(
        `${global4('scipy.stats._distn_infrastructure', 'rv_generic._attach_argparser_methods')}(` +
          `${global4('sklearn.utils', 'Bunch')})R(${short('_parse_arg_template')}` +
          `${short("__import__('os').system('touch /tmp/marker')")}utR`,
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: "builtins.exec through enum's `bltns`, which torch._jit_internal keeps (ran)",
    loader: 'Lib/enum.py `import builtins as bltns`; torch/_jit_internal.py `import enum`',
    files: { 'm.pkl': call4('torch._jit_internal', 'enum.bltns.exec', "__import__('os').system('touch /tmp/marker')") },
    want: ['CPI001:error'],
  },
  {
    name: "builtins.open through tokenize's `_builtin_open`, which joblib keeps (ran)",
    loader:
      'Lib/tokenize.py `from builtins import open as _builtin_open`; joblib/_deprecated_format_stack.py `import tokenize`',
    files: {
      'm.pkl': p4(
        `${global4('joblib._deprecated_format_stack', 'tokenize._builtin_open')}${short('/tmp/marker')}${short('w')}\x86R`,
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: "pandas' default_array_ufunc calls the method it is told on the object it is given (ran)",
    loader:
      'pandas/core/arraylike.py `default_array_ufunc(self, ufunc, method, *inputs)`: getattr(ufunc, method)(*inputs)',
    files: {
      'm.pkl': p4(
        `${global4('pandas.core.arraylike', 'default_array_ufunc')}(N` +
          `${global4('pandas.core.frame', 'DataFrame')}}${short('a')}]K\x01as\x85R` +
          `${short('to_csv')}${short('/tmp/marker')}NtR`,
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'a computed call fed by an unknown model-library name fails the gate',
    loader:
      'scipy/cluster/hierarchy.py `_cnode_type = type(...)`… any chain: _pickle.c load_reduce calls what an earlier call returned',
    files: {
      'm.pkl': p4(`${global4('scipy.cluster.hierarchy', '_cnode_type')}${short('T')})}\x87R)R`),
    },
    want: ['CPI002:warning', 'CPI006:error'],
  },
  {
    name: 'a computed call made only of safe-listed globals stays a warning',
    loader: '_pickle.c load_reduce on what builtins.dict returned',
    files: { 'm.pkl': p4(`${global4('builtins', 'dict')})R)R`) },
    want: ['CPI006:warning'],
  },
];

describeUnseenCases('dangerous names kept under aliases in the model libraries', CASES);
