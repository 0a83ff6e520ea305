/**
 * Knowledge base of pickle gadgets: callables (or whole modules) that reach code, processes, files or the network
 * when an unpickler calls them, each with where it was reported. danger.ts treats every entry like its own list
 * (an entry names a module — every name in it and its submodules — or one qualified name). Add a gadget here, with
 * its source, when an advisory names one; the allowlist stays default-deny whatever this list says.
 */
export type GadgetReach = 'code' | 'process' | 'file' | 'network' | 'import' | 'pickle';

export interface Gadget {
  readonly target: string;
  readonly reaches: GadgetReach;
  /** Advisory, CVE, or the scanner list that documents it. */
  readonly source: string;
}

const PICKLESCAN = 'mmaitre314/picklescan _unsafe_globals';

export const GADGETS: readonly Gadget[] = [
  // Standard-library gadgets of the 2025–26 picklescan advisories.
  { target: 'ensurepip._run_pip', reaches: 'process', source: 'GHSA-xp4f-hrf8-rxw7' },
  { target: 'timeit.timeit', reaches: 'code', source: 'GHSA-v7x6-rv5q-mhwc' },
  { target: 'pkgutil.resolve_name', reaches: 'import', source: 'GHSA-vvpj-8cmc-gx39' },
  { target: 'trace.Trace.run', reaches: 'code', source: 'GHSA-5qwp-399c-mjwf' },
  { target: 'trace.Trace.runctx', reaches: 'code', source: 'GHSA-g344-hcph-8vgg' },
  { target: 'profile.Profile.run', reaches: 'code', source: 'GHSA-x696-vm39-cp64' },
  { target: 'profile.Profile.runctx', reaches: 'code', source: 'GHSA-6vqj-c2q5-j97w' },
  { target: 'cProfile.runctx', reaches: 'code', source: 'GHSA-9w88-8rmg-7g2p' },
  { target: 'lib2to3.pgen2.grammar.Grammar.loads', reaches: 'pickle', source: 'GHSA-f54q-57x4-jg88' },
  { target: 'lib2to3.pgen2.pgen.ParserGenerator.make_label', reaches: 'code', source: 'GHSA-p9w7-82w4-7q8m' },
  { target: 'idlelib.debugobj.ObjectTreeItem.SetText', reaches: 'code', source: 'GHSA-3vg9-h568-4w9m' },
  { target: 'idlelib.autocomplete.AutoComplete.get_entity', reaches: 'code', source: 'GHSA-6w4w-5w54-rjvr' },
  { target: 'idlelib.autocomplete.AutoComplete.fetch_completions', reaches: 'code', source: 'GHSA-7cq8-mj8x-j263' },
  { target: 'idlelib.run.Executive.runcode', reaches: 'code', source: 'GHSA-m869-42cg-3xwr' },
  { target: 'idlelib.pyshell.ModifiedInterpreter.runcommand', reaches: 'code', source: 'GHSA-j343-8v2j-ff7w' },
  { target: 'idlelib.pyshell.ModifiedInterpreter.runcode', reaches: 'code', source: 'GHSA-3gf5-cxq9-w223' },
  { target: 'idlelib.calltip.get_entity', reaches: 'code', source: PICKLESCAN },
  { target: 'doctest.debug_script', reaches: 'code', source: 'GHSA-fqq6-7vqf-w3fg' },
  { target: 'code.InteractiveInterpreter.runcode', reaches: 'code', source: PICKLESCAN },
  { target: 'distutils.file_util.write_file', reaches: 'file', source: 'CVE-2025-10155' },
  { target: '_io.FileIO', reaches: 'file', source: 'CVE-2025-10156' },
  { target: 'asyncio.unix_events._UnixSubprocessTransport', reaches: 'process', source: 'CVE-2025-10157' },
  { target: '_posixsubprocess', reaches: 'process', source: 'CVE-2025-10157' },
  { target: '_winapi', reaches: 'process', source: 'CVE-2025-10157' },
  { target: 'operator.attrgetter', reaches: 'code', source: 'GHSA-m273-6v24-x4m4' },
  { target: '_operator.attrgetter', reaches: 'code', source: 'GHSA-955r-x9j8-7rhh' },
  { target: 'pip.main', reaches: 'process', source: 'CVE-2025-1716' },
  { target: 'pip._internal', reaches: 'process', source: 'CVE-2025-1716' },
  { target: 'pip._vendor.distlib.scripts.ScriptMaker', reaches: 'file', source: 'CVE-2025-1716' },
  { target: 'functools.partial', reaches: 'code', source: PICKLESCAN },
  { target: 'ssl.get_server_certificate', reaches: 'network', source: 'GHSA-hgrh-qx5j-jfwx' },
  { target: 'pickle.loads', reaches: 'pickle', source: 'GHSA-84r2-jw7c-4r5q' },
  { target: '_pickle.loads', reaches: 'pickle', source: 'GHSA-84r2-jw7c-4r5q' },
  { target: 'venv', reaches: 'process', source: 'GHSA-vqmv-47xg-9wpr' },
  // PyTorch internals that evaluate strings or run tools.
  { target: 'torch._dynamo.guards.GuardBuilder.get', reaches: 'code', source: PICKLESCAN },
  { target: 'torch._inductor.codecache.compile_file', reaches: 'process', source: PICKLESCAN },
  {
    target: 'torch.fx.experimental.symbolic_shapes.ShapeEnv.evaluate_guards_expression',
    reaches: 'code',
    source: PICKLESCAN,
  },
  { target: 'torch.jit.unsupported_tensor_ops.execWrapper', reaches: 'code', source: PICKLESCAN },
  { target: 'torch.utils.bottleneck', reaches: 'code', source: 'GHSA-4whj-rm5r-c2v8' },
  { target: 'torch.utils.collect_env', reaches: 'process', source: PICKLESCAN },
  { target: 'torch.utils.data.datapipes.utils.decoder.basichandlers', reaches: 'pickle', source: PICKLESCAN },
  // Scientific libraries whose functions evaluate strings.
  { target: 'numpy.f2py.crackfortran.getlincoef', reaches: 'code', source: 'trailofbits/fickling#210' },
  { target: 'numpy.f2py.crackfortran._eval_length', reaches: 'code', source: 'trailofbits/fickling#210' },
  { target: 'numpy.testing._private.utils.runstring', reaches: 'code', source: PICKLESCAN },
  { target: 'numpy.lib.utils.safe_eval', reaches: 'code', source: 'numpy lib/utils.py (ast-based evaluator)' },
  { target: 'pandas.eval', reaches: 'code', source: 'pandas core/computation/eval.py (pd.eval evaluates expressions)' },
  { target: 'pandas.core.computation', reaches: 'code', source: 'pandas core/computation (eval, expr, engines)' },
  { target: 'pandas.core.frame.DataFrame.eval', reaches: 'code', source: 'pandas DataFrame.eval' },
  { target: 'pandas.core.frame.DataFrame.query', reaches: 'code', source: 'pandas DataFrame.query' },
  { target: 'pandas.read_csv', reaches: 'file', source: 'pandas io (reads files and URLs)' },
  { target: 'numexpr', reaches: 'code', source: 'numexpr.evaluate compiles expressions' },
  { target: 'sympy', reaches: 'code', source: 'sympy.sympify evaluates strings' },
  { target: 'scipy.weave', reaches: 'code', source: 'scipy.weave compiles C code' },
  { target: 'scipy.io', reaches: 'file', source: 'scipy.io loadmat/savemat read and write files' },
  // Template engines: rendering a template runs its code.
  { target: 'jinja2', reaches: 'code', source: 'Jinja SSTI (CVE-2024-34359 shape)' },
  { target: 'mako', reaches: 'code', source: 'mako templates compile to Python' },
  { target: 'string.Template', reaches: 'code', source: 'promptfoo/modelaudit#1061 (mapping lookups)' },
  { target: 'string.Formatter', reaches: 'code', source: 'str.format attribute access' },
  // Test utilities and interactive tools that run scripts.
  { target: 'pytest', reaches: 'code', source: 'pytest.main runs test modules' },
  { target: '_pytest', reaches: 'code', source: 'pytest internals' },
  { target: 'unittest', reaches: 'code', source: 'unittest.main loads and runs modules' },
  { target: 'nose', reaches: 'code', source: 'nose runs test modules' },
  { target: 'IPython', reaches: 'code', source: 'IPython run_cell / magics' },
  { target: 'ipykernel', reaches: 'code', source: 'trailofbits/fickling UNSAFE_IMPORTS' },
  { target: 'pstats', reaches: 'file', source: 'pstats.Stats reads marshal files' },
  { target: 'cgitb', reaches: 'file', source: 'writes tracebacks to files' },
  { target: 'configparser.RawConfigParser.read', reaches: 'file', source: 'promptfoo/modelaudit#1059' },
  { target: 'argparse.FileType', reaches: 'file', source: 'promptfoo/modelaudit#1059' },
  { target: 'aifc.open', reaches: 'file', source: 'promptfoo/modelaudit#1059' },
  { target: '_pyrepl', reaches: 'process', source: 'promptfoo/modelaudit#1059 (_pyrepl.pager.pipe_pager)' },
  { target: 'xml.dom.minidom.parse', reaches: 'network', source: 'fetches files and URLs' },
  { target: 'xml.etree.ElementTree.parse', reaches: 'file', source: 'reads files' },
  { target: 'collections.namedtuple', reaches: 'code', source: 'builds a class with exec' },
  { target: 'dataclasses.make_dataclass', reaches: 'code', source: 'builds a class with exec' },
  { target: 'weakref.finalize', reaches: 'code', source: 'promptfoo/modelaudit#1061 (callbacks)' },
  { target: 'atexit.register', reaches: 'code', source: 'runs a callable at exit' },
];

const BY_TARGET: ReadonlyMap<string, Gadget> = new Map(GADGETS.map((g) => [g.target, g]));

/** The gadget entry a dotted path names exactly, if any. */
export function gadgetOf(path: string): Gadget | undefined {
  return BY_TARGET.get(path);
}
