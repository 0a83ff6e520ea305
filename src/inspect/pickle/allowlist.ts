/**
 * The built-in safe list: globals that legitimate model pickles import (torch tensor rebuilding, numpy arrays,
 * scikit-learn estimators, joblib wrappers, plain Python containers). Everything else is a finding.
 * Names are fully qualified (`module.name`), after Python 2 → 3 renaming (see compat.ts).
 */

import { isKnownReconstructor, KNOWN_CLASS_FAMILIES, KNOWN_EXACT } from './known-libraries.js';
import { DTENSOR_CLASSES } from './weights-only.js';

const TORCH_STORAGES = [
  'FloatStorage',
  'DoubleStorage',
  'HalfStorage',
  'BFloat16Storage',
  'LongStorage',
  'IntStorage',
  'ShortStorage',
  'CharStorage',
  'ByteStorage',
  'BoolStorage',
  'ComplexFloatStorage',
  'ComplexDoubleStorage',
  'QUInt8Storage',
  'QInt8Storage',
  'QInt32Storage',
  'QUInt4x2Storage',
  'QUInt2x4Storage',
  'UntypedStorage',
  'Float8_e4m3fnStorage',
  'Float8_e5m2Storage',
];

/**
 * The legacy tensor type classes (`torch._tensor_classes`, CPU and CUDA): the oldest torch.save tar names
 * `type(tensor)` in each `tensors` record, and `_weights_only_unpickler._get_allowed_globals` admits every one of
 * them, as it admits the CUDA storage classes (`torch._storage_classes`). Class references, never given a file.
 */
const TORCH_TENSOR_TYPES = [
  'DoubleTensor',
  'FloatTensor',
  'HalfTensor',
  'BFloat16Tensor',
  'LongTensor',
  'IntTensor',
  'ShortTensor',
  'CharTensor',
  'ByteTensor',
  'BoolTensor',
];
const TORCH_LEGACY_CLASSES = [
  ...TORCH_TENSOR_TYPES.flatMap((t) => [`torch.${t}`, `torch.cuda.${t}`]),
  ...TORCH_STORAGES.filter((s) => s !== 'UntypedStorage' && !s.startsWith('Float8')).map((s) => `torch.cuda.${s}`),
];

const TORCH_DTYPES = [
  'float32',
  'float',
  'float64',
  'double',
  'float16',
  'half',
  'bfloat16',
  'complex32',
  'complex64',
  'cfloat',
  'complex128',
  'cdouble',
  'uint8',
  'int8',
  'int16',
  'short',
  'int32',
  'int',
  'int64',
  'long',
  'bool',
  'quint8',
  'qint8',
  'qint32',
  'quint4x2',
  'quint2x4',
  'float8_e4m3fn',
  'float8_e5m2',
  'uint16',
  'uint32',
  'uint64',
  // torch/storage.py `_new_dtypes`: saved as an UntypedStorage plus the dtype, which `_rebuild_tensor_v3` names as a
  // global; torch/_weights_only_unpickler.py `_get_allowed_globals` admits them and `torch.uint1`–`uint7`/`int1`–`int7`.
  'float8_e5m2fnuz',
  'float8_e4m3fnuz',
  'float8_e8m0fnu',
  'float4_e2m1fn_x2',
  'bits8',
  'bits16',
  'bits1x8',
  'bits2x4',
  'bits4x2',
  ...[1, 2, 3, 4, 5, 6, 7].flatMap((x) => [`uint${x}`, `int${x}`]),
];

const TORCH_REBUILD = [
  '_rebuild_tensor',
  '_rebuild_tensor_v2',
  '_rebuild_tensor_v3',
  '_rebuild_parameter',
  '_rebuild_parameter_with_state',
  '_rebuild_sparse_tensor',
  '_rebuild_sparse_csr_tensor',
  '_rebuild_sparse_compressed_tensor',
  '_rebuild_qtensor',
  '_rebuild_nested_tensor',
  '_rebuild_meta_tensor_no_storage',
  '_rebuild_wrapper_subclass',
  '_rebuild_device_tensor_from_numpy',
  // torch/_tensor.py `_reduce_ex_internal` for storage-less devices (xla, mtia, maia): `data.to(dtype, device)` of
  // a CPU tensor; in `_weights_only_unpickler._tensor_rebuild_functions`.
  '_rebuild_device_tensor_from_cpu_tensor',
  '_rebuild_xla_tensor',
  '_rebuild_mlc_tensor',
];

const NUMPY_SCALARS = [
  'bool_',
  // numpy >= 2 names its scalar types `bool`, `long` and `ulong` (numpy/_core/numerictypes.py); `np.bool_` is an alias
  // and a numpy 2 pickle names the class by its `__name__`.
  'bool',
  'long',
  'ulong',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float16',
  'float32',
  'float64',
  'longdouble',
  'complex64',
  'complex128',
  'clongdouble',
  'str_',
  'bytes_',
  'void',
  'datetime64',
  'timedelta64',
  'intc',
  'uintc',
  'intp',
  'uintp',
  'longlong',
  'ulonglong',
  'half',
  'single',
  'double',
  'object_',
];

const NUMPY_BIT_GENERATORS = [
  'numpy.random._mt19937.MT19937',
  'numpy.random._pcg64.PCG64',
  'numpy.random._pcg64.PCG64DXSM',
  'numpy.random._philox.Philox',
  'numpy.random._sfc64.SFC64',
];

const BUILTIN_SAFE = [
  'set',
  'frozenset',
  'list',
  'dict',
  'tuple',
  'int',
  'float',
  'complex',
  'bool',
  'str',
  'bytes',
  'bytearray',
  'slice',
  'range',
  'object',
  'len',
  'Ellipsis',
  'NotImplemented',
];

/**
 * Activation functions torch.nn modules keep as attributes: `TransformerEncoderLayer`/`DecoderLayer` store
 * `_get_activation_fn(activation)` — `F.relu`, or `F.gelu`, a builtin that pickles as `torch._C._nn.gelu` — or the
 * callable the user passed (`activation=F.silu`). Tensor math only: referenced by the pickle, never given anything
 * but tensors. (torch.load's weights_only=True still refuses them: CPI119 says so.)
 */
const TORCH_FUNCTIONAL_ACTIVATIONS = [
  'relu',
  'relu6',
  'elu',
  'selu',
  'celu',
  'gelu',
  'silu',
  'mish',
  'leaky_relu',
  'hardtanh',
  'hardswish',
  'hardsigmoid',
  'sigmoid',
  'tanh',
  'softmax',
  'softmin',
  'log_softmax',
  'softplus',
  'softsign',
  'tanhshrink',
  'softshrink',
  'hardshrink',
  'logsigmoid',
  'glu',
  'rrelu',
  'prelu',
  'threshold',
  '_threshold',
];
/** The builtins behind some of them (`F.gelu is torch._C._nn.gelu`), as pickle names them. */
const TORCH_NN_BUILTIN_ACTIVATIONS = [
  'gelu',
  'softplus',
  'log_sigmoid',
  'softshrink',
  'silu',
  'mish',
  'hardswish',
  'hardsigmoid',
  'elu',
  'leaky_relu',
  'hardtanh',
  'relu6',
];

const FUTURE_FEATURES = [
  'nested_scopes',
  'generators',
  'division',
  'absolute_import',
  'with_statement',
  'print_function',
  'unicode_literals',
  'barry_as_FLUFL',
  'generator_stop',
  'annotations',
];

const EXACT: readonly string[] = [
  ...TORCH_STORAGES.map((s) => `torch.${s}`),
  ...TORCH_DTYPES.map((s) => `torch.${s}`),
  ...TORCH_REBUILD.map((s) => `torch._utils.${s}`),
  // Exact names win over the danger list's `torch.cuda` family (isAllowedExactly is checked first).
  ...TORCH_LEGACY_CLASSES,
  'torch.Size',
  'torch.device',
  'torch.Tensor',
  'torch.strided',
  'torch.sparse_coo',
  'torch.sparse_csr',
  'torch.contiguous_format',
  'torch.channels_last',
  'torch.channels_last_3d',
  'torch.preserve_format',
  'torch.per_tensor_affine',
  'torch.per_channel_affine',
  'torch.per_tensor_symmetric',
  'torch.per_channel_symmetric',
  'torch._tensor._rebuild_from_type_v2',
  ...DTENSOR_CLASSES,
  'torch._utils._rebuild_tensor_v2',
  'torch.nn.parameter.Parameter',
  'torch.nn.parameter.Buffer',
  // Lazy modules (nn.LazyLinear…) before their first forward: torch/nn/parameter.py `UninitializedTensorMixin
  // .__reduce_ex__` is `(self.__class__, (self.requires_grad,))`, an empty placeholder; the whole module also keeps the
  // handles of its hooks, whose torch/utils/hooks.py `RemovableHandle.__setstate__` only makes weak references.
  'torch.nn.parameter.UninitializedParameter',
  'torch.nn.parameter.UninitializedBuffer',
  'torch.utils.hooks.RemovableHandle',
  'torch.storage.TypedStorage',
  'torch.storage.UntypedStorage',
  'torch.serialization._get_layout',
  'torch.torch_version.TorchVersion',
  ...TORCH_FUNCTIONAL_ACTIVATIONS.map((f) => `torch.nn.functional.${f}`),
  // Exact names win over the danger list's `torch._C` family (isAllowedExactly is checked first).
  ...TORCH_NN_BUILTIN_ACTIVATIONS.map((f) => `torch._C._nn.${f}`),
  'collections.OrderedDict',
  'collections.defaultdict',
  'collections.deque',
  'collections.Counter',
  'copyreg._reconstructor',
  'copyreg.__newobj__',
  'copyreg.__newobj_ex__',
  '_codecs.encode',
  ...BUILTIN_SAFE.map((s) => `builtins.${s}`),
  ...FUTURE_FEATURES.map((s) => `__future__.${s}`),
  ...['numpy.core', 'numpy._core'].flatMap((m) => [
    `${m}.multiarray._reconstruct`,
    `${m}.multiarray.scalar`,
    `${m}.numeric._frombuffer`,
    `${m}.multiarray._frombuffer`,
  ]),
  'numpy.ndarray',
  'numpy.dtype',
  'numpy.matrix',
  'numpy.ma.core._mareconstruct',
  'numpy.ma.core.MaskedArray',
  ...NUMPY_SCALARS.map((s) => `numpy.${s}`),
  'numpy.random._pickle.__randomstate_ctor',
  'numpy.random._pickle.__bit_generator_ctor',
  // numpy >= 2 `BitGenerator.__reduce__` passes the class itself, `__bit_generator_ctor(type(self))`, which calls
  // it with no seed (numpy/random/bit_generator.pyx, _pickle.py): a fresh generator whose state BUILD then sets.
  ...NUMPY_BIT_GENERATORS,
  'numpy.random._pickle.__generator_ctor',
  'numpy.random.__RandomState_ctor',
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'joblib.numpy_pickle.NDArrayWrapper',
  'joblib.numpy_pickle_compat.NDArrayWrapper',
  // joblib < 0.10 compressed arrays: a 'ZF' sidecar read by read_zfile (followed by joblib-sidecars.ts).
  'joblib.numpy_pickle.ZNDArrayWrapper',
  'joblib.numpy_pickle_compat.ZNDArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NDArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.ZNDArrayWrapper',
  'datetime.datetime',
  'datetime.date',
  'datetime.time',
  'datetime.timedelta',
  'datetime.timezone',
  'decimal.Decimal',
  'fractions.Fraction',
  'uuid.UUID',
  'uuid.SafeUUID',
  'pathlib.PosixPath',
  'pathlib.WindowsPath',
  'pathlib.PurePosixPath',
  'pathlib.PureWindowsPath',
  'pathlib.Path',
  // Python 3.13 defines the path classes in `pathlib._local` (Lib/pathlib/_local.py, `PurePath.__reduce__` returns
  // `self.__class__, tuple(self._raw_paths)`), so a pickle written there names that module.
  ...['PosixPath', 'WindowsPath', 'PurePosixPath', 'PureWindowsPath', 'Path', 'PurePath'].map(
    (c) => `pathlib._local.${c}`,
  ),
];

const EXACT_SET: ReadonlySet<string> = new Set([...EXACT, ...KNOWN_EXACT]);

/**
 * Module families whose *classes* (CapWords names, private `_CapWords` ones too, e.g. `_BinMapper`) are data containers restored by `__setstate__`: model
 * classes of torch.nn and its weight-norm hooks, torch optimizers, schedulers and distributions, scikit-learn
 * estimators and trees, numpy dtype classes, scipy sparse matrices.
 * Functions in these modules are not covered: a function global is reported.
 */
const CLASS_MODULES: readonly string[] = [
  'torch.nn.modules',
  // Hooks `nn.utils.weight_norm`/`spectral_norm` register on a module (`WeightNorm`, `SpectralNorm*`): plain state.
  'torch.nn.utils.weight_norm',
  'torch.nn.utils.spectral_norm',
  // Optimizers (`Optimizer.__setstate__` updates its dict) and LR schedulers (plain `__dict__`), as whole objects or
  // in a scheduler state_dict that keeps a bound method (OneCycleLR before torch 2.2, the Trainer's scheduler.pt).
  'torch.optim',
  // Distributions: tensors and flags in `__dict__`, no `__setstate__`.
  'torch.distributions',
  'sklearn',
  'numpy.dtypes',
  ...KNOWN_CLASS_FAMILIES,
];

/** TorchScript archives are read by torch.jit's own unpickler, which only resolves these besides the above. */
const TORCHSCRIPT_EXTRA: readonly string[] = ['__torch__', 'torch.jit._pickle', 'torch.classes'];

export interface AllowContext {
  /** The pickle belongs to a TorchScript archive. */
  readonly torchscript?: boolean;
  /** The pickle is in a zip torch.load refuses whole (content.ts `torchRefusedArchive`): no weights-only verdict. */
  readonly torchRefused?: boolean;
  /** Policy `models.allowedGlobals`: `module.name` or `module.*`. */
  readonly extra?: readonly string[];
}

/**
 * Whether the name is on the exact built-in list, or one of the names torch.jit's own unpickler resolves in a
 * TorchScript archive: both are checked before the gadget knowledge base (families and wildcards after it).
 */
export function isAllowedExactly(module: string, name: string, ctx: AllowContext = {}): boolean {
  if (EXACT_SET.has(`${module}.${name}`)) return true;
  return ctx.torchscript === true && isTorchScriptName(module, name);
}

/**
 * torch.jit's resolvers, not `torch.classes.load_library`: torch/_classes.py `_Classes.load_library` is
 * `torch.ops.load_library` (ctypes.CDLL), and a zip taken for TorchScript may still be unpickled by torch.load.
 */
function isTorchScriptName(module: string, name: string): boolean {
  if (`${module}.${name}`.startsWith('torch.classes.load_library')) return false;
  return TORCHSCRIPT_EXTRA.some((m) => inModule(module, m));
}

/** Whether `qualified` (module + '.' + name) is on the built-in safe list or the policy's. */
export function isAllowed(module: string, name: string, ctx: AllowContext = {}): boolean {
  const qualified = `${module}.${name}`;
  if (EXACT_SET.has(qualified)) return true;
  if (!name.includes('.') && isKnownReconstructor(module, name)) return true;
  const lastDot = qualified.lastIndexOf('.');
  const owner = qualified.slice(0, lastDot);
  const leaf = qualified.slice(lastDot + 1);
  if (/^_?[A-Z][A-Za-z0-9_]*$/.test(leaf) && !name.includes('.') && CLASS_MODULES.some((m) => inModule(module, m))) {
    return true;
  }
  if (ctx.torchscript && isTorchScriptName(module, name) && TORCHSCRIPT_EXTRA.some((m) => inModule(owner, m)))
    return true;
  return matchesPolicy(module, name, ctx.extra ?? []);
}

/** A policy entry `a.b.*` covers every name in module `a.b` (and its submodules); `a.b.c` one name. */
export function matchesPolicy(module: string, name: string, entries: readonly string[]): boolean {
  const qualified = `${module}.${name}`;
  for (const e of entries) {
    if (e === qualified) return true;
    if (e.endsWith('.*') && inModule(module, e.slice(0, -2))) return true;
  }
  return false;
}

/** Exact policy entries only: a wildcard never silences a known-dangerous global. */
export function matchesPolicyExactly(module: string, name: string, entries: readonly string[]): boolean {
  return entries.includes(`${module}.${name}`);
}

function inModule(module: string, family: string): boolean {
  return module === family || module.startsWith(`${family}.`);
}
