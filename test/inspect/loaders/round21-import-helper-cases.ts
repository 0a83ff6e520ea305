import { b, binunicode } from './pickle-bytes.js';
import type { UnseenCase } from './unseen-runner.js';

/** `module.name(*args)` by GLOBAL and REDUCE, protocol 2; a string argument as BINUNICODE, a Buffer as given. */
const call = (module: string, name: string, ...args: (string | Buffer)[]): Buffer =>
  Buffer.concat([
    b(`\x80\x02c${module}\n${name}\n(`),
    ...args.map((a) => (typeof a === 'string' ? binunicode(a) : a)),
    b('tR.'),
  ]);

/** A module a repository ships beside its model: on sys.path when the loader runs from that folder. */
const SHIPPED = 'evil_mod';

/** `torch.os`: the os module torch/__init__.py imports, which find_class returns as it is. */
const TORCH_OS = b('ctorch\nos\n');

/** `pandas.core.frame.DataFrame({'a': ['x']})`, as a REDUCE of the (allowlisted) class. */
const DATA_FRAME = Buffer.concat([
  b('cpandas.core.frame\nDataFrame\n}'),
  binunicode('a'),
  b(']'),
  binunicode('x'),
  b('as\x85R'),
]);

/** `module` + `name` by STACK_GLOBAL (protocol 4, where find_class walks a dotted name). */
const stackGlobal = (module: string, name: string): Buffer =>
  Buffer.concat([binunicode(module), binunicode(name), b('\x93')]);

/** `DataFrame.<method>(frame, 'to_csv', …rest)` by a protocol 4 name: pandas calls `frame.to_csv(path)`. */
const stringDispatch = (method: string, ...rest: Buffer[]): Buffer =>
  Buffer.concat([
    b('\x80\x04'),
    stackGlobal('pandas.core.frame', `DataFrame.${method}`),
    b('('),
    DATA_FRAME,
    binunicode('to_csv'),
    ...rest,
    b('tR.'),
  ]);

/** A BINFLOAT of 1.0, and `None` as many times as positional arguments are skipped. */
const ONE = b('G?\xf0\x00\x00\x00\x00\x00\x00');
const nones = (n: number): Buffer => b('N'.repeat(n));

/** scipy.odr's `Data([1.0, 1.0])` and `Model(numpy.mean)`, the two arguments `ODR.__init__` type-checks. */
const ODR_DATA = Buffer.concat([b('cscipy.odr._odrpack\nData\n(]('), ONE, ONE, b('etR')]);
const ODR_MODEL = b('cscipy.odr._odrpack\nModel\n(cnumpy\nmean\ntR');

/**
 * Helpers of the libraries models are saved with that import the module their argument names, exec a string they
 * are given, or truncate or delete the file they are given. An unknown name of such a library is only a warning
 * (CPI002), so before these cases each passed the default gate; Debian's numpy 1.24, scipy 1.10, pandas 1.5 and
 * joblib 1.2 unpickled each file and did what the case says.
 */
export const ROUND21_IMPORT_HELPER_CASES: readonly UnseenCase[] = [
  {
    name: 'numpy.add_newdoc(module, name, doc) imports the module a repository ships',
    loader: 'pickle.load (numpy/core/function_base.py add_newdoc: __import__(place, …, [obj]))',
    files: { 'model.pkl': call('numpy', 'add_newdoc', SHIPPED, 'x', 'doc') },
    want: ['CPI001:error'],
  },
  {
    name: 'add_newdoc under its defining module',
    loader: 'pickle.load (numpy/core/function_base.py add_newdoc)',
    files: { 'model.pkl': call('numpy.core.function_base', 'add_newdoc', SHIPPED, 'x', 'doc') },
    want: ['CPI001:error'],
  },
  {
    name: 'numpy.lookfor(what, module) imports the module and each of its submodules',
    loader: 'pickle.load (numpy/lib/utils.py lookfor → _lookfor_generate_cache: __import__(module))',
    files: { 'model.pkl': call('numpy', 'lookfor', 'x', SHIPPED) },
    want: ['CPI001:error'],
  },
  {
    name: "pandas' import_optional_dependency(name), as pandas.core.frame keeps it",
    loader: 'pickle.load (pandas/compat/_optional.py import_optional_dependency: importlib.import_module(name))',
    files: { 'model.pkl': call('pandas.core.frame', 'import_optional_dependency', SHIPPED) },
    want: ['CPI001:error'],
  },
  {
    name: "pandas' _load_backend(name) imports the plotting backend it is given",
    loader: 'pickle.load (pandas/plotting/_core.py _load_backend: importlib.import_module(backend))',
    files: { 'model.pkl': call('pandas.plotting._core', '_load_backend', SHIPPED) },
    want: ['CPI001:error'],
  },
  {
    name: "pandas' safe_import(name) imports the module",
    loader: 'pickle.load (pandas/util/_test_decorators.py safe_import: __import__(mod_name))',
    files: { 'model.pkl': call('pandas.util._test_decorators', 'safe_import', SHIPPED) },
    want: ['CPI001:error'],
  },
  {
    name: "scipy's _nonlin_wrapper(name, torch.nn.Linear) execs the source it builds around the name",
    loader: 'pickle.load (scipy/optimize/_nonlin.py _nonlin_wrapper: exec(wrapper % dict(name=name, …)))',
    files: {
      'model.pkl': call(
        'scipy.optimize._nonlin',
        '_nonlin_wrapper',
        "f(): pass\nimport os; os.system('id')\ndef g",
        b('ctorch.nn.modules.linear\nLinear\n'),
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'joblib.PrintTime(path) truncates the file at path and writes its log header',
    loader: 'pickle.load (joblib/logger.py PrintTime.__init__: mkdirp, shutil.copy, open(logfile, "w"))',
    files: { 'model.pkl': call('joblib', 'PrintTime', '/tmp/x') },
    want: ['CPI001:error'],
  },
  {
    name: 'scipy.odr.ODR(Data, Model, [1.0], …, rptfile=path, …, overwrite=True) deletes the file at path',
    loader: 'pickle.load (scipy/odr/_odrpack.py ODR.__init__: os.remove(rptfile) when overwrite)',
    files: {
      'model.pkl': call(
        'scipy.odr',
        'ODR',
        ODR_DATA,
        ODR_MODEL,
        Buffer.concat([b(']'), ONE, b('a')]),
        nones(6),
        '/tmp/x',
        nones(11),
        b('\x88'),
      ),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: "numpy's _wrapfunc(torch.os, 'system', cmd): a module reached as torch's attribute, its method called by name",
    loader: 'pickle.load (numpy/core/fromnumeric.py _wrapfunc: getattr(obj, method)(*args))',
    files: { 'model.pkl': call('numpy.core.fromnumeric', '_wrapfunc', TORCH_OS, 'system', 'id') },
    want: ['CPI001:error'],
  },
  {
    name: "scikit-learn's _cached_call(None, torch.os, 'system', cmd)",
    loader: 'pickle.load (sklearn/metrics/_scorer.py _cached_call: getattr(estimator, method)(*args))',
    files: { 'model.pkl': call('sklearn.metrics._scorer', '_cached_call', b('N'), TORCH_OS, 'system', 'id') },
    want: ['CPI001:error'],
  },
  {
    name: "_wrapfunc(DataFrame, 'to_csv', path): only safe-listed globals besides the helper, and a file written",
    loader: 'pickle.load (numpy/core/fromnumeric.py _wrapfunc → DataFrame.to_csv(path))',
    files: { 'model.pkl': call('numpy.core.fromnumeric', '_wrapfunc', DATA_FRAME, 'to_csv', '/tmp/x') },
    want: ['CPI001:error'],
  },
  {
    name: "numpy's _wrapit(text, 'tofile', path) writes the array it makes of the text to the path",
    loader: 'pickle.load (numpy/core/fromnumeric.py _wrapit: getattr(asarray(obj), method)(*args))',
    files: { 'model.pkl': call('numpy.core.fromnumeric', '_wrapit', 'x', 'tofile', '/tmp/x') },
    want: ['CPI001:error'],
  },
  {
    name: 'torch.os alone: a module object, which pickle never writes as a global',
    loader: 'pickle.load (Lib/pickle.py _Unpickler.find_class: getattr(sys.modules[module], name))',
    files: { 'model.pkl': Buffer.concat([b('\x80\x02'), TORCH_OS, b('.')]) },
    want: ['CPI001:error'],
  },
  {
    name: "DataFrame.apply(frame, 'to_csv', 0, False, None, (path,)) calls frame.to_csv(path)",
    loader: 'pickle.load (pandas/core/apply.py FrameApply.apply → apply_str → _try_aggregate_string_function)',
    files: { 'model.pkl': stringDispatch('apply', b('K\x00\x89N'), binunicode('/tmp/x'), b('\x85')) },
    want: ['CPI001:error'],
  },
  {
    name: "DataFrame.aggregate(frame, 'to_csv', 0, path)",
    loader: 'pickle.load (pandas/core/frame.py DataFrame.aggregate → apply_str: frame.to_csv(path))',
    files: { 'model.pkl': stringDispatch('aggregate', b('K\x00'), binunicode('/tmp/x')) },
    want: ['CPI001:error'],
  },
  {
    name: "DataFrame.transform(frame, 'to_csv', 0, path)",
    loader: 'pickle.load (pandas/core/frame.py DataFrame.transform → transform_str_or_callable: frame.to_csv(path))',
    files: { 'model.pkl': stringDispatch('transform', b('K\x00'), binunicode('/tmp/x')) },
    want: ['CPI001:error'],
  },
  {
    name: "joblib's BinaryZlibFile(path, 'wb'), as joblib.numpy_pickle keeps it, truncates the file",
    loader: 'pickle.load (joblib/compressor.py BinaryZlibFile.__init__: open(filename, "wb"))',
    files: { 'model.pkl': call('joblib.numpy_pickle', 'BinaryZlibFile', '/tmp/x', 'wb') },
    want: ['CPI001:error'],
  },
  {
    name: "torch.utils._zip's ZipFile(path, 'w') truncates the file",
    loader: 'pickle.load (torch/utils/_zip.py `from zipfile import ZipFile`; zipfile.ZipFile.__init__ mode "w")',
    files: { 'model.pkl': call('torch.utils._zip', 'ZipFile', '/tmp/x', 'w') },
    want: ['CPI001:error'],
  },
  {
    name: "scikit-learn's _open_binary(module, name) imports the module",
    loader: 'pickle.load (sklearn/utils/fixes.py _open_binary: importlib.resources.files(data_module))',
    files: { 'model.pkl': call('sklearn.utils.fixes', '_open_binary', SHIPPED, 'x') },
    want: ['CPI001:error'],
  },
  {
    name: "torch.UntypedStorage.type(storage, 'evil_mod.x') imports the module the dtype string names",
    loader: 'pickle.load (torch/storage.py _StorageBase.type = torch/_utils.py _type: _import_dotted_name(dtype))',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x04'),
        stackGlobal('torch', 'UntypedStorage.type'),
        b('(ctorch\nUntypedStorage\n(K\x04tR'),
        binunicode(`${SHIPPED}.x`),
        b('tR.'),
      ]),
    },
    want: ['CPI001:error'],
  },
  {
    name: "torch.storage._type(storage, 'evil_mod.x'), the same function under its storage module name",
    loader: 'pickle.load (torch/storage.py `from torch._utils import _type`)',
    files: { 'model.pkl': call('torch.storage', '_type', b('ctorch\nUntypedStorage\n(K\x04tR'), `${SHIPPED}.x`) },
    want: ['CPI001:error'],
  },
  {
    name: 'joblib.MemorizedResult(path, len, id) creates its store folder at path',
    loader: 'pickle.load (joblib/memory.py MemorizedResult.__init__ → _store_backend_factory → configure: mkdirp)',
    files: { 'model.pkl': call('joblib', 'MemorizedResult', '/tmp/x', b('cbuiltins\nlen\n'), 'abc') },
    want: ['CPI001:error'],
  },
  {
    name: "pandas' buffer_to_ndarray(Bunch(ptr=16, bufsize=64), (INT, 64, …), 0, 8), then arr[0] = 1",
    loader: 'pickle.load (pandas/core/interchange/from_dataframe.py buffer_to_ndarray: ctypes.cast(buffer.ptr, …))',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x02cpandas.core.interchange.from_dataframe\nbuffer_to_ndarray\n('),
        b('csklearn.utils._bunch\nBunch\n)\x81('),
        binunicode('ptr'),
        b('K\x10'),
        binunicode('bufsize'),
        b('K\x40u(K\x00K\x40'),
        binunicode('x'),
        binunicode('x'),
        b('tK\x00K\x08tRK\x00K\x01s.'),
      ]),
    },
    want: ['CPI001:error'],
  },
];
