import { b, binunicode } from './pickle-bytes.js';
import type { UnseenCase } from './unseen-runner.js';

/** `module` + `name` by STACK_GLOBAL (protocol 4, where find_class walks a dotted name). */
const stackGlobal = (module: string, name: string): Buffer =>
  Buffer.concat([binunicode(module), binunicode(name), b('\x93')]);

/** `module.name(*args)` by STACK_GLOBAL and REDUCE; a string argument as BINUNICODE, a Buffer as given. */
const call = (module: string, name: string, ...args: (string | Buffer)[]): Buffer =>
  Buffer.concat([
    b('\x80\x04'),
    stackGlobal(module, name),
    b('('),
    ...args.map((a) => (typeof a === 'string' ? binunicode(a) : a)),
    b('tR.'),
  ]);

/**
 * `g = Graph(); Graph.placeholder(g, "x=<code>"); cls({}, g, *extra)`, each name from `module`: the placeholder's target
 * is written into the generated `def forward(self, x=<code>)`, which GraphModule's graph setter execs (recompile →
 * _forward_from_src).
 */
const graphModule = (module: string, cls: string, extra = ''): Buffer =>
  Buffer.concat([
    b('\x80\x04'),
    stackGlobal(module, 'Graph'),
    b(')R\x940'),
    stackGlobal(module, 'Graph.placeholder'),
    b('h\x00'),
    binunicode("x=__import__('pathlib').Path('/tmp/x').touch()"),
    b('\x86R0'),
    stackGlobal(module, cls),
    b(`(}h\x00${extra}tR.`),
  ]);

/** `Series.groupby(s, s)` of `Series([1, 2])`, kept in memo 1. */
const SERIES_GROUPBY = Buffer.concat([
  stackGlobal('pandas.core.series', 'Series'),
  b('(K\x01K\x02l\x85R\x94'),
  stackGlobal('pandas.core.series', 'Series.groupby'),
  b('h\x00h\x00\x86R\x94'),
]);

/**
 * Library helpers that exec generated code, call a method named by a string or run a test helper. Each is an unknown
 * name of a model library (a warning, CPI002) under the name the pickle uses, so before these cases each passed the
 * default gate; Debian's torch 1.13, pandas 1.5 and scikit-learn 1.2 unpickled each file and did what the case says.
 */
export const ROUND22_LIBRARY_EXEC_CASES: readonly UnseenCase[] = [
  {
    name: 'torch.fx GraphModule, as torch.ao.quantization.fx.utils keeps it, execs a placeholder named x=<code>',
    loader:
      'pickle.load (torch/fx/graph_module.py GraphModule.__init__ → graph setter → recompile → _forward_from_src)',
    files: { 'model.pkl': graphModule('torch.ao.quantization.fx.utils', 'GraphModule') },
    want: ['CPI001:error'],
  },
  {
    name: "torch.ao's FusedGraphModule(root, graph, names) is a GraphModule, with the Graph its module keeps",
    loader: 'pickle.load (torch/ao/quantization/fx/graph_module.py FusedGraphModule.__init__ → GraphModule.__init__)',
    files: { 'model.pkl': graphModule('torch.ao.quantization.fx.graph_module', 'FusedGraphModule', ')') },
    want: ['CPI001:error'],
  },
  {
    name: "torch.ao's fuse(model) copies model.graph, a Graph with a placeholder named x=<code>, into a GraphModule",
    loader: 'pickle.load (torch/ao/quantization/fx/fuse.py fuse: FusedGraphModule(model, fused_graph) → recompile)',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x04'),
        stackGlobal('torch.ao.quantization.fx.utils', 'Graph'),
        b(')R\x940'),
        stackGlobal('torch.ao.quantization.fx.utils', 'Graph.placeholder'),
        b('h\x00'),
        binunicode("x=__import__('pathlib').Path('/tmp/x').touch()"),
        b('\x86R0'),
        stackGlobal('torch.ao.quantization.fx.fuse', 'fuse'),
        b('('),
        stackGlobal('torch.nn.modules.module', 'Module'),
        b(')R}'),
        binunicode('graph'),
        b('h\x00sb\x89tR.'),
      ]),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: 'sklearn.utils keeps numpy as np: np.testing.runstring(code, {}) execs the code',
    loader: "pickle.load (find_class walks numpy's __getattr__ to numpy.testing; _private/utils.py runstring: exec)",
    files: {
      'model.pkl': call(
        'sklearn.utils',
        'np.testing.runstring',
        "__import__('pathlib').Path('/tmp/x').touch()",
        b('}'),
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: "scipy's FunctionMaker.create('f(x=<code>)', body, {}) execs a def whose default value runs",
    loader: 'pickle.load (scipy/_lib/decorator.py FunctionMaker.create → make: exec(compile(src)))',
    files: {
      'model.pkl': call(
        'scipy._lib.decorator',
        'FunctionMaker.create',
        "f(x=__import__('pathlib').Path('/tmp/x').touch())",
        'pass',
        b('}'),
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: "SeriesGroupBy.filter(groupby, 'to_csv', True, path) calls group.to_csv(path) on each group",
    loader: 'pickle.load (pandas/core/groupby/generic.py SeriesGroupBy.filter: getattr(x, func)(*args))',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x04'),
        SERIES_GROUPBY,
        stackGlobal('pandas.core.groupby.generic', 'SeriesGroupBy.filter'),
        b('(h\x01'),
        binunicode('to_csv'),
        b('\x88'),
        binunicode('/tmp/x'),
        b('tR.'),
      ]),
    },
    want: ['CPI001:error', 'CPI002:warning', 'CPI009:warning'],
  },
  {
    name: "Series.hist(series, …, 'evil_mod') imports the plotting backend a repository ships",
    loader: 'pickle.load (pandas/plotting/_core.py hist_series → _get_plot_backend → _load_backend: import_module)',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x04'),
        stackGlobal('pandas.core.series', 'Series'),
        b('(K\x01K\x02l\x85R\x940'),
        stackGlobal('pandas.core.series', 'Series.hist'),
        b('(h\x00NN\x88NNNNNK\x0a'),
        binunicode('evil_mod'),
        b('tR.'),
      ]),
    },
    want: ['CPI001:error'],
  },
  {
    name: "scikit-learn's assert_run_python_script(source), as a test module of sklearn.experimental keeps it",
    loader: 'pickle.load (sklearn/utils/_testing.py assert_run_python_script: runs the source in a new interpreter)',
    files: {
      'model.pkl': call(
        'sklearn.experimental.tests.test_enable_iterative_imputer',
        'assert_run_python_script',
        "open('/tmp/x', 'w')",
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: "pandas' test modules keep pandas._testing as tm: tm.write_to_compressed writes any path",
    loader: 'pickle.load (pandas/_testing/_io.py write_to_compressed(compression, path, data, dest))',
    files: {
      'model.pkl': call('pandas.tests.io.test_common', 'tm.write_to_compressed', 'zip', '/tmp/x', b('C\x02hi'), 'a'),
    },
    want: ['CPI001:error'],
  },
];
