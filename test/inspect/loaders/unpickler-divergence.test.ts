import { zip } from '../formats/build.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const short = (s: string): string => `\x8c${String.fromCharCode(s.length)}${s}`;
const global = (module: string, name: string): string => `c${module}\n${name}\n`;
/** BYTEARRAY8 of `n` bytes (protocol 5). */
const bytearray = (n: number): string => `\x96${String.fromCharCode(n)}\x00\x00\x00\x00\x00\x00\x00${'x'.repeat(n)}`;

/** numpy/core/__init__.py `_ufunc_reconstruct(module, name)` = `getattr(__import__(module), name)`, then called. */
const HELPER = global('numpy.core', '_ufunc_reconstruct');
const VIA_HELPER = `${HELPER}${short('os')}${short('system')}\x86R${short('id')}\x85R`;
/** BUILD with a state on an empty list: both unpicklers raise here (no `__dict__`), the machine stops. */
const REAL_STOP = ']}K\x01K\x02sb0';

/** A torch.save zip whose data.pkl is `body` after a storage's persistent id (as torch 1.13 writes it). */
function torchZip(body: string): Buffer {
  const pid = `(${short('storage')}${global('torch', 'FloatStorage')}${short('0')}${short('cpu')}K\x02tQ`;
  return zip([
    { name: 'archive/data.pkl', data: b(`\x80\x02${pid}${body}.`) },
    { name: 'archive/data/0', data: Buffer.alloc(8) },
    { name: 'archive/version', data: '3\n' },
  ]);
}

/**
 * Streams the unpicklers read on where the machine used to stop: a payload after such a point ran unseen, as the
 * lexical tail read only names imports and `_ufunc_reconstruct` is on the safe list. Each was checked with an inert
 * payload (`_ufunc_reconstruct('builtins', 'len')('abc')` returned 3) against Debian's Python 3.11 `pickle.loads`,
 * `pickle._Unpickler` and torch 1.13 `torch.load(weights_only=False)`.
 */
const CONTINUES: readonly UnseenCase[] = [
  {
    name: 'APPEND on a bytearray, then a helper imports os.system',
    loader: '_pickle.c do_append: `extend` of a non-list (Lib/pickle.py load_append: its `append`)',
    files: { 'm.pkl': b(`\x80\x05${bytearray(0)}KAa0${VIA_HELPER}.`) },
    want: ['CPI001:error'],
  },
  {
    name: 'APPENDS on a bytearray, then a helper imports os.system',
    loader: '_pickle.c do_append / Lib/pickle.py load_appends: bytearray.extend(items)',
    files: { 'm.pkl': b(`\x80\x05${bytearray(0)}(KAKBe0${VIA_HELPER}.`) },
    want: ['CPI001:error'],
  },
  {
    name: 'SETITEM on a bytearray, then a helper imports os.system',
    loader: '_pickle.c do_setitems: PyObject_SetItem (bytearray[0] = 65)',
    files: { 'm.pkl': b(`\x80\x05${bytearray(1)}K\x00KAs0${VIA_HELPER}.`) },
    want: ['CPI001:error'],
  },
  {
    name: 'a bytearray filled by APPENDS and SETITEM, nothing else',
    loader: 'pickle.loads returns bytearray(b"BB")',
    files: { 'm.pkl': b(`\x80\x05${bytearray(0)}(KAKBeK\x00KBs.`) },
    want: [],
  },
  {
    name: 'SETITEM on the storage torch.load made from a persistent id, then a helper imports os.system',
    loader: 'torch/serialization.py _load persistent_load returns a TypedStorage; TypedStorage.__setitem__',
    files: { 'model.pt': torchZip(`K\x00K\x01s0${VIA_HELPER}`) },
    want: ['CPI001:error'],
  },
];

/**
 * Where the machine stops with CPython, the bytes after the stop are read lexically: what a call there does with
 * the stack cannot be read, so a helper that imports what its arguments name may import anything, and a
 * numpy.memmap imported may be called. The stop is our reading of CPython's rules; a loader that goes on runs these.
 */
const PAST_A_STOP: readonly UnseenCase[] = [
  {
    name: 'past a stop, a helper imports os.system by its arguments',
    loader: 'numpy/core/__init__.py _ufunc_reconstruct: getattr(__import__(module), name)',
    files: { 'm.pkl': b(`\x80\x02${REAL_STOP}${VIA_HELPER}.`) },
    want: ['CPI001:error', 'CPI003:warning'],
  },
  {
    name: 'the helper memoized before the stop, called past it',
    loader: 'numpy/core/__init__.py _ufunc_reconstruct, fetched by BINGET',
    files: {
      'm.pkl': b(`\x80\x02${HELPER}q\x000${REAL_STOP}h\x00${short('os')}${short('system')}\x86R${short('id')}\x85R.`),
    },
    want: ['CPI001:error', 'CPI003:warning'],
  },
  {
    name: 'past a stop, numpy.memmap called on a path',
    loader: 'numpy/core/memmap.py memmap.__new__ opens the file (mode w+ creates or truncates it)',
    files: { 'm.pkl': b(`\x80\x02${REAL_STOP}${global('numpy', 'memmap')}${short('/tmp/x')}${short('w+')}\x86R.`) },
    want: ['CPI001:error', 'CPI003:warning'],
  },
  {
    name: 'getattr fetching a class method before the stop, then called past it on pathlib.Path.write_text',
    loader: 'builtins.getattr(pathlib.Path, "write_text"), fetched by BINGET past the stop',
    files: {
      'm.pkl': b(
        `\x80\x02${global('builtins', 'getattr')}q\x00${global('collections', 'OrderedDict')}${short('fromkeys')}\x86R0` +
          `${REAL_STOP}h\x00${global('pathlib', 'Path')}${short('write_text')}\x86R.`,
      ),
    },
    want: ['CPI001:error', 'CPI003:warning'],
  },
  {
    name: 'a truncated pickle that calls the helper with numpy.sqrt: nothing past the stop',
    loader: 'pickle.load raises at the truncation',
    files: { 'm.pkl': b(`\x80\x02${HELPER}${short('numpy')}${short('sqrt')}\x86R`) },
    want: ['CPI003:warning'],
  },
];

/** BINUNICODE: a string of any length. */
const unicode = (s: string): string => {
  const n = s.length;
  return `X${String.fromCharCode(n & 255, (n >> 8) & 255, 0, 0)}${s}`;
};
/**
 * torch/nn/modules/module.py `import torch`, so `torch.nn.modules.module.torch` is torch: a protocol 4 name can walk
 * that loop as long as it likes before it ends at `os.system`. Checked inert (ending at `os.path.join`, called with
 * 'a', 'b' it returned 'a/b') with Debian's Python 3.11 `pickle.loads` and torch 1.13.
 */
const LONG_PATH = `nn.${'modules.module.torch.nn.'.repeat(50)}modules.module.torch.serialization.os.system`;
const LONG_GLOBAL = `${unicode('torch')}${unicode(LONG_PATH)}\x93${short('id')}\x85R`;

/** Names longer than the machine keeps (1024 characters): unread, so judged as reaching any global. */
const LONG_NAMES: readonly UnseenCase[] = [
  {
    name: 'STACK_GLOBAL of torch with a 1,250-character dotted name ending at os.system',
    loader: 'Lib/pickle.py find_class → _getattribute (_pickle.c get_deep_attribute): every part, any length',
    files: { 'm.pkl': b(`\x80\x04${LONG_GLOBAL}.`) },
    want: ['CPI001:error'],
  },
  {
    name: 'the same name past a stop (read lexically)',
    loader: 'Lib/pickle.py find_class → _getattribute',
    files: { 'm.pkl': b(`\x80\x04${REAL_STOP}${LONG_GLOBAL}.`) },
    want: ['CPI001:error', 'CPI003:warning'],
  },
];

/**
 * Lib/pickle.py `load_reduce` is `func(*args)`: joblib.load (NumpyUnpickler, a `pickle._Unpickler`) calls with a
 * list where `_pickle.c` demands a tuple, and pandas.read_pickle, when `pickle.load` raises that TypeError, reads
 * the file again with pandas/compat/pickle_compat.py `Unpickler` (a `pickle._Unpickler`). Checked inert:
 * `__randomstate_ctor` given the list `['MT19937', builtins.len]` returned a RandomState from joblib.load,
 * `pickle._Unpickler` and pandas 1.5.3 read_pickle; `pickle.loads` raised.
 */
const LIST_ARGS: readonly UnseenCase[] = [
  {
    name: 'numpy.random.__randomstate_ctor called with a list: it calls numpy.memmap on a path',
    loader: 'numpy/random/_pickle.py __randomstate_ctor: bit_generator_ctor(name), via Lib/pickle.py load_reduce',
    files: {
      'm.joblib': b(
        `\x80\x02${global('numpy.random._pickle', '__randomstate_ctor')}(${short('/tmp/x')}${global('numpy', 'memmap')}lR.`,
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'torch._rebuild_from_type_v2 called with a list: it calls numpy.memmap with mode w+',
    loader: 'torch/_tensor.py _rebuild_from_type_v2: func(*args), via Lib/pickle.py load_reduce',
    files: {
      'm.joblib': b(
        `\x80\x02${global('torch._tensor', '_rebuild_from_type_v2')}(${global('numpy', 'memmap')}` +
          `${global('torch', 'Tensor')}(${short('/tmp/x')}${short('uint8')}${short('w+')}t}lR.`,
      ),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'a scipy distribution made by copyreg._reconstructor from a list, its template past the kept entries',
    loader: 'copyreg._reconstructor → rv_generic.__setstate__ exec(_parse_arg_template), via Lib/pickle.py',
    files: {
      'dist.joblib': b(
        `\x80\x02${global('copyreg', '_reconstructor')}(${global('scipy.stats._continuous_distns', 'norm_gen')}` +
          `${global('builtins', 'object')}NlR}(${Array.from({ length: 70 }, (_, i) => `${short(`junk${i}`)}N`).join('')}` +
          `${short('_parse_arg_template')}${short('import os')}ub.`,
      ),
    },
    want: ['CPI111:error'],
  },
];

/** joblib's caches make their directory when made: a CPI002 warning, which passes the gate, let a pickle mkdir. */
const MAKES_DIRECTORIES: readonly UnseenCase[] = [
  {
    name: 'joblib.Memory called on a path',
    loader: 'joblib/memory.py Memory.__init__ → _store_backends.py configure: mkdirp(<location>/joblib)',
    files: { 'm.pkl': b(`\x80\x02${global('joblib', 'Memory')}${short('/tmp/x')}\x85R.`) },
    want: ['CPI001:error'],
  },
  {
    name: 'joblib.memory.MemorizedFunc called on a function and a path',
    loader: 'joblib/memory.py MemorizedFunc.__init__ → _store_backend_factory: mkdirp(<location>/builtins)',
    files: {
      'm.pkl': b(
        `\x80\x02${global('joblib.memory', 'MemorizedFunc')}${global('builtins', 'len')}${short('/tmp/x')}\x86R.`,
      ),
    },
    want: ['CPI001:error'],
  },
];

describeUnseenCases('pickles the unpicklers read on where the machine did not: stops, long names, list arguments', [
  ...LIST_ARGS,
  ...MAKES_DIRECTORIES,
  ...CONTINUES,
  ...PAST_A_STOP,
  ...LONG_NAMES,
]);
