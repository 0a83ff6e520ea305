import { b, binunicode } from './pickle-bytes.js';
import type { UnseenCase } from './unseen-runner.js';

/** `{'filename': path, 'mode': 'w+', 'shape': (4,)}`: the keyword arguments of `numpy.memmap(...)`. */
const MEMMAP_KWARGS = Buffer.concat([
  b('}('),
  ...['filename', '/tmp/x', 'mode', 'w+', 'shape'].map(binunicode),
  b('K\x04\x85u'),
]);

/** `helper(cls, d)` by REDUCE, protocol 2. */
const helperCall = (module: string, name: string, cls: string, d: Buffer): Buffer =>
  Buffer.concat([b(`\x80\x02c${module}\n${name}\nc${cls}\n`), d, b('\x86R.')]);

/** `vectorize(len)` given `state` by BUILD, then called with a path, a dtype, mode w+, offset 0 and shape 4. */
const rebuiltVectorize = (state: Buffer): Buffer =>
  Buffer.concat([
    b('\x80\x02cnumpy\nvectorize\ncbuiltins\nlen\n\x85R'),
    state,
    b('b('),
    ...['/tmp/x', 'u1', 'w+'].map(binunicode),
    b('K\x00K\x04tR.'),
  ]);
const PYFUNC_MEMMAP = Buffer.concat([b('}'), binunicode('pyfunc'), b('cnumpy\nmemmap\ns')]);
const VECTORIZE = 'pickle.load (Lib/pickle.py load_build updates vectorize.__dict__; vectorize.__call__ → self.pyfunc)';

/**
 * Safe-listed reconstructors that call the class they are given. Debian's pandas 1.5 unpickled the first case and
 * created /tmp/x (4 zero bytes) while chainproof reported nothing.
 */
export const ROUND18_PICKLE_HELPER_CASES: readonly UnseenCase[] = [
  {
    name: "pandas' _new_DatetimeIndex(numpy.memmap, {filename, mode: 'w+', shape}) creates or truncates the file",
    loader: 'pickle.load (pandas/core/indexes/datetimes.py _new_DatetimeIndex: cls.__new__(cls, **d) without "data")',
    files: {
      'index.pkl': helperCall('pandas.core.indexes.datetimes', '_new_DatetimeIndex', 'numpy\nmemmap', MEMMAP_KWARGS),
    },
    want: ['CPI001:error'],
  },
  {
    name: "control: pandas' _new_DatetimeIndex of a DatetimeIndex (how a DatetimeIndex pickles)",
    loader: 'pickle.load (pandas DatetimeIndex.__reduce__: (_new_DatetimeIndex, (type(self), d)))',
    files: {
      'index.pkl': helperCall(
        'pandas.core.indexes.datetimes',
        '_new_DatetimeIndex',
        'pandas.core.indexes.datetimes\nDatetimeIndex',
        Buffer.concat([b('}('), binunicode('name'), b('Nu')]),
      ),
    },
    want: [],
  },
  // Callable objects whose function a BUILD state replaces. Debian's numpy 1.24 and scikit-learn 1.2 created /tmp/x
  // from the first two while chainproof said only CPI006 (a warning: the default gate passed them).
  {
    name: 'functools.partial kept by scikit-learn, rebuilt by BUILD as partial(numpy.memmap, path, mode="w+") and called',
    loader: 'pickle.load (sklearn/metrics/_ranking.py imports partial; _functoolsmodule.c partial_setstate)',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x02csklearn.metrics._ranking\npartial\ncbuiltins\nlen\n\x85R(cnumpy\nmemmap\n('),
        binunicode('/tmp/x'),
        b('t}('),
        ...['mode', 'w+', 'shape'].map(binunicode),
        b('K\x04\x85uNtb)R.'),
      ]),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'numpy.vectorize(len) whose BUILD state sets pyfunc to numpy.memmap, called with a path and mode w+',
    loader: VECTORIZE,
    files: { 'model.pkl': rebuiltVectorize(PYFUNC_MEMMAP) },
    want: ['CPI001:error', 'CPI006:warning'],
  },
  {
    name: 'numpy.vectorize(len) whose BUILD slot state sets pyfunc to numpy.memmap, then called',
    loader: VECTORIZE,
    files: { 'model.pkl': rebuiltVectorize(Buffer.concat([b('N'), PYFUNC_MEMMAP, b('\x86')])) },
    want: ['CPI001:error', 'CPI006:warning'],
  },
  {
    name: 'numpy.vectorize(len) whose BUILD state sets pyfunc past the entries chainproof keeps, then called',
    loader: VECTORIZE,
    files: {
      'model.pkl': rebuiltVectorize(
        Buffer.concat([
          b('}('),
          ...Array.from({ length: 64 }, (_, i) => Buffer.concat([binunicode(`k${i}`), b('N')])),
          binunicode('pyfunc'),
          b('cnumpy\nmemmap\nu'),
        ]),
      ),
    },
    want: ['CPI004:error', 'CPI006:warning'],
  },
  {
    name: 'numpy.vectorize(len) given pyfunc by a first BUILD and other state by a second, then called',
    loader: VECTORIZE,
    files: {
      'model.pkl': rebuiltVectorize(
        Buffer.concat([PYFUNC_MEMMAP, b('b}'), binunicode('otypes'), binunicode('d'), b('s')]),
      ),
    },
    want: ['CPI001:error', 'CPI006:warning'],
  },
  {
    // An instance attribute shadows the class's method: torch/nn/modules/module.py `_call_impl` calls self.forward.
    name: 'torch.nn.Identity whose BUILD state sets forward to numpy.memmap, called with a path and mode w+',
    loader:
      'pickle.load / torch.load(weights_only=False) (Module.__setstate__ updates __dict__; _call_impl → self.forward)',
    files: {
      'model.pt': Buffer.concat([
        b('\x80\x02ctorch.nn.modules.linear\nIdentity\n)\x81}('),
        binunicode('forward'),
        b('cnumpy\nmemmap\n'),
        ...['_parameters', '_buffers', '_modules', '_forward_hooks', '_forward_pre_hooks', '_backward_hooks'].flatMap(
          (k) => [binunicode(k), b('ccollections\nOrderedDict\n)R')],
        ),
        binunicode('training'),
        b('\x89ub('),
        ...['/tmp/x', 'u1', 'w+'].map(binunicode),
        b('K\x00K\x04tR.'),
      ]),
    },
    want: ['CPI001:error', 'CPI006:warning'],
  },
  {
    name: "torch's _rebuild_from_type_v2 calling a numpy.vectorize whose BUILD state sets pyfunc to numpy.memmap",
    loader: 'pickle.load (torch/_tensor.py _rebuild_from_type_v2: func(*args))',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x02ctorch._tensor\n_rebuild_from_type_v2\n(cnumpy\nvectorize\ncbuiltins\nlen\n\x85R'),
        PYFUNC_MEMMAP,
        b('bctorch\nTensor\n('),
        ...['/tmp/x', 'u1', 'w+'].map(binunicode),
        b('K\x00K\x04t}tR.'),
      ]),
    },
    want: ['CPI001:error', 'CPI006:warning'],
  },
  {
    name: 'control: numpy.vectorize(len) whose BUILD state sets only otypes, then called',
    loader: VECTORIZE,
    files: { 'model.pkl': rebuiltVectorize(Buffer.concat([b('}'), binunicode('otypes'), binunicode('d'), b('s')])) },
    want: ['CPI006:warning'],
  },
];
