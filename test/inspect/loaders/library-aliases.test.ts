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
    want: ['CPI001:error', 'CPI006:warning'],
  },
  {
    name: "os.system via scikit-learn's attrgetter (ran)",
    loader: 'sklearn/feature_selection/_base.py `from operator import attrgetter`',
    files: { 'm.pkl': getterChain('sklearn.feature_selection._base', 'attrgetter') },
    want: ['CPI001:error', 'CPI006:warning'],
  },
  {
    name: "os.system via joblib's operator alias (ran)",
    loader: 'joblib/_utils.py `import operator as op` (a dotted name: op.attrgetter)',
    files: { 'm.pkl': getterChain('joblib._utils', 'op.attrgetter') },
    want: ['CPI001:error', 'CPI006:warning'],
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
    want: ['CPI001:error', 'CPI006:warning'],
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
