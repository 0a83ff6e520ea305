import { numpyArrayWrapper, SYSTEM_OPS } from '../pickle/joblib-wrapper.js';
import { b, short, binunicode } from './pickle-bytes.js';
import type { UnseenCase } from './unseen-runner.js';

const JOBLIB = 'joblib.load (NumpyUnpickler.load_build → NumpyArrayWrapper.read_array: reads prod(self.shape) items)';
const PICKLE = 'pickle.load (_pickle.c load_reduce)';
const SCIPY =
  'pickle.load (scipy rv_generic.__setstate__: self.__dict__.update(state), then exec(_parse_arg_template))';

/**
 * A top-level joblib uint8 array whose wrapper state says `shape` twice: (200,), then (1,) — a dict keeps the last,
 * so joblib reads one byte of data and runs the 199 after it as opcodes: `os.system`, then `N0` (push None, pop it)
 * up to where 200 bytes of data would end. `viaMemo`: the state dict is memoized and its `shape` rewritten through
 * BINGET + SETITEM before BUILD, the same dict by another path.
 */
function twoShapes(how: 'repeated' | 'memo' | 'computed key' | 'slot state'): Buffer {
  const wrapper = numpyArrayWrapper('u1', 200, false);
  const upToState = wrapper.subarray(0, -2); // the state dict's items, before SETITEMS and BUILD
  const state = {
    repeated: () => Buffer.concat([upToState, short('shape'), b('K\x01\x85ub')]),
    memo: () =>
      Buffer.concat([
        b(wrapper.subarray(0, -1).toString('latin1').replace('\x81}(', '\x81}q\x05(')),
        b('h\x05'),
        short('shape'),
        b('K\x01\x85s0b'),
      ]),
    // builtins.str('shape') is the key 'shape' once called
    'computed key': () => Buffer.concat([upToState, b('cbuiltins\nstr\n'), short('shape'), b('\x85RK\x01\x85ub')]),
    // load_build's (state, slotstate): the slot dict is applied last
    'slot state': () => Buffer.concat([upToState, b('u}('), short('shape'), b('K\x01\x85u\x86b')]),
  }[how]();
  const data = Buffer.concat([b('\x07'), SYSTEM_OPS, b('N0'.repeat((199 - SYSTEM_OPS.length) / 2))]);
  return Buffer.concat([b('\x80\x04'), state, data, b('.')]);
}

/** What scipy 1.10 writes as norm_gen's `_parse_arg_template` (`_construct_argparser`, no shapes). */
const NORM_TEMPLATE =
  '\ndef _parse_args(self,  loc=0, scale=1):\n    return (), loc, scale\n\n' +
  'def _parse_args_rvs(self,  loc=0, scale=1, size=None):\n    return self._argcheck_rvs( loc, scale, size=size)\n\n' +
  "def _parse_args_stats(self,  loc=0, scale=1, moments='mv'):\n    return (), loc, scale, moments\n";
const EXEC_TEMPLATE = `import os\nos.system('id')\n${NORM_TEMPLATE}`;
const NORM_GEN = b('\x80\x02cscipy.stats._continuous_distns\nnorm_gen\n)\x81');
const KEY = binunicode('_parse_arg_template');

/** `os.system('id')` pickled with protocol 2, as the bytes value of another pickle. */
const INNER = b('\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.');

/** A bytes value as protocols 0–2 pickle it (Lib/pickle.py save_bytes): `_codecs.encode(<Latin-1 text>, 'latin1')`. */
const codecsBytes = (data: Buffer): Buffer =>
  Buffer.concat([b('c_codecs\nencode\n'), binunicode(data.toString('latin1')), binunicode('latin1'), b('\x86R')]);

/**
 * Pickle states read as the library reads them, and names a model library keeps for a loader or writer of another
 * library (each confirmed with Debian's joblib 1.2, numpy 1.24, scipy 1.10, CPython 3.11).
 */
export const ROUND17_PICKLE_STATE_CASES: readonly UnseenCase[] = [
  ...(
    [
      ['repeats `shape`: joblib sizes the data by the last one', 'repeated', ['CPI001:error']],
      ['is memoized and gets a new `shape` before BUILD', 'memo', ['CPI001:error']],
      ['is (state, slot state), the slot dict saying `shape` last', 'slot state', ['CPI001:error']],
      // what builtins.str returns is not known without running it: not checked (was a CPI003 warning)
      ['has a second `shape` key made by builtins.str', 'computed key', ['CPI004:error']],
    ] as const
  ).map(([what, how, want]) => ({
    name: `joblib wrapper whose state ${what}`,
    loader: JOBLIB,
    files: { 'model.joblib': twoShapes(how) },
    want: [...want],
  })),
  {
    name: "scipy distribution state repeating `_parse_arg_template`: scipy's own text, then code",
    loader: SCIPY,
    files: {
      'dist.pkl': Buffer.concat([
        NORM_GEN,
        b('}('),
        KEY,
        binunicode(NORM_TEMPLATE),
        KEY,
        binunicode(EXEC_TEMPLATE),
        b('ub.'),
      ]),
    },
    want: ['CPI111:error'],
  },
  {
    name: 'scipy distribution state as a list of (key, value) pairs, which dict.update takes',
    loader: SCIPY,
    files: { 'dist.pkl': Buffer.concat([NORM_GEN, b(']('), KEY, binunicode(EXEC_TEMPLATE), b('\x86eb.')]) },
    want: ['CPI111:error'],
  },
  {
    name: 'scipy distribution state with the template past the entries chainproof keeps',
    loader: SCIPY,
    files: {
      'dist.pkl': Buffer.concat([
        NORM_GEN,
        b('}('),
        ...Array.from({ length: 70 }, (_, i) => Buffer.concat([binunicode(`junk${i}`), b('N')])),
        KEY,
        binunicode(EXEC_TEMPLATE),
        b('ub.'),
      ]),
    },
    want: ['CPI111:error'],
  },
  {
    name: "joblib.parallel.loads (joblib's import of cloudpickle's loads, pickle.loads) on _codecs.encode text",
    loader: PICKLE,
    files: { 'model.pkl': Buffer.concat([b('\x80\x02cjoblib.parallel\nloads\n'), codecsBytes(INNER), b('\x85R.')]) },
    want: ['CPI001:error', 'CPI101:error'],
  },
  {
    name: "numpy.lib.savetxt (npyio's savetxt as numpy.lib re-exports it) writing a file",
    loader: PICKLE,
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x02cnumpy.lib\nsavetxt\n('),
        binunicode('/tmp/x'),
        b(']'),
        binunicode('%s'),
        binunicode(','),
        binunicode('\n'),
        binunicode('echo hi'),
        b('tR.'),
      ]),
    },
    want: ['CPI001:error'],
  },
  // STACK_GLOBAL takes any exact str from the stack (_pickle.c load_stack_global): a safe-listed call can make
  // the name, so `os`.`system` is imported though no opcode spells it (was a CPI003 warning: "requires str").
  ...(
    [
      ['builtins.str', b('cbuiltins\nstr\n'), ['os', 'system'], ''],
      ["_codecs.encode(…, 'rot13')", b('c_codecs\nencode\n'), ['bf', 'flfgrz'], 'rot13'],
    ] as const
  ).map(([how, fn, [mod, name], codec]) => ({
    name: `STACK_GLOBAL on names ${how} returns`,
    loader: 'pickle.load (_pickle.c load_stack_global: PyUnicode_CheckExact)',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x04'),
        ...[mod, name].map((s) =>
          Buffer.concat([fn, short(s), codec ? Buffer.concat([short(codec), b('\x86')]) : b('\x85'), b('R')]),
        ),
        b('\x93'),
        short('id'),
        b('\x85R.'),
      ]),
    },
    want: ['CPI001:error'],
  })),
  // numpy/core/__init__.py `_ufunc_reconstruct(module, name)` is getattr(__import__(module), name): os.system
  // called through it was a CPI006 warning, and a mere reference (a FunctionTransformer's func) nothing at all.
  ...(
    [
      ['called', ['os', 'system'], b('\x86R'), b('\x85R'), ['CPI001:error']],
      ['kept as a value', ['os', 'system'], b('\x86R'), b('0'), ['CPI001:error']],
      [
        'naming a numpy ufunc, as old numpy pickled them',
        ['numpy.core._multiarray_umath', 'log1p'],
        b('\x86R'),
        b('0'),
        [],
      ],
    ] as const
  ).map(([how, names, tuple, then, want]) => ({
    name: `numpy.core._ufunc_reconstruct ${how}`,
    loader: 'pickle.load (numpy.core._ufunc_reconstruct: __import__ + getattr)',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x02cnumpy.core\n_ufunc_reconstruct\n'),
        ...names.map(binunicode),
        tuple,
        binunicode('id'),
        then,
        b('.'),
      ]),
    },
    want: [...want],
  })),
  // numpy.memmap(path, mode='w+') truncates path; it is safe-listed as a reference and judged when an opcode calls
  // it — but a callable object can call it too (each was only a CPI006 warning).
  {
    name: 'numpy.vectorize(numpy.memmap) called with a path and mode w+',
    loader: 'pickle.load (numpy vectorize.__call__ → pyfunc(*args))',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x02cnumpy\nvectorize\ncnumpy\nmemmap\n\x85R('),
        ...['/tmp/x', 'u1', 'w+'].map(binunicode),
        b('K\x00K\x04tR.'),
      ]),
    },
    want: ['CPI001:error', 'CPI006:warning'],
  },
  {
    name: "scikit-learn's Parallel(n_jobs=1) called on a (numpy.memmap, args, kwargs) task",
    loader: 'pickle.load (joblib Parallel.__call__ → BatchedCalls: func(*args, **kwargs))',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x02csklearn.utils.parallel\nParallel\nK\x01\x85R](cnumpy\nmemmap\n'),
        binunicode('/tmp/x'),
        b('\x85}('),
        ...['mode', 'w+', 'shape'].map(binunicode),
        b('K\x04\x85u\x87e\x85R.'),
      ]),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'a pickle kept as a bytes value of a protocol 2 dict (pickle.dumps({"blob": ...}, protocol=2))',
    loader: 'pickle.loads of the value by the code that loads the dict',
    files: { 'state.pkl': Buffer.concat([b('\x80\x02}'), binunicode('blob'), codecsBytes(INNER), b('s.')]) },
    want: ['CPI101:error'],
  },
];
