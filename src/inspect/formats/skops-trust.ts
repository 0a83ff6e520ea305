import { NUMPY_UFUNCS, SCIPY_SPECIAL_UFUNCS } from './skops-ufuncs.js';

/**
 * What `skops.io.load(file)` accepts without `trusted=`. skops has no global list: every node class passes its own
 * default to `Node._get_trusted(trusted, default)` and `audit_tree` refuses whatever `get_unsafe_set` returns
 * outside it (skops/io/_audit.py, _general.py, _numpy.py, _scipy.py, _sklearn.py). So a name is trusted by default
 * only together with the node kind (`__loader__`) that builds it: `numpy.log1p` is trusted in a FunctionNode,
 * `collections.OrderedDict` in a DictNode but not in an ObjectNode.
 */

const PRIMITIVES = ['builtins.int', 'builtins.float', 'builtins.str', 'builtins.bool'];
const CONTAINERS = ['builtins.list', 'builtins.set', 'builtins.map', 'builtins.tuple'];

/**
 * NUMPY_DTYPE_TYPE_NAMES: the scalar types of `np.sctypeDict` (listed from Debian's numpy 2.4.6), with the
 * numpy 1.x spellings a file written there carries.
 */
const NUMPY_SCALARS = new Set(
  [
    'bool',
    'bool_',
    'bytes_',
    'clongdouble',
    'complex64',
    'complex128',
    'datetime64',
    'float16',
    'float32',
    'float64',
    'int8',
    'int16',
    'int32',
    'int64',
    'longdouble',
    'longlong',
    'object_',
    'str_',
    'timedelta64',
    'uint8',
    'uint16',
    'uint32',
    'uint64',
    'ulonglong',
    'void',
  ].map((n) => `numpy.${n}`),
);

/** Node kinds whose default is a fixed list of names. */
const FIXED: Readonly<Record<string, readonly string[]>> = {
  DictNode: ['builtins.dict', 'collections.OrderedDict'],
  DefaultDictNode: ['collections.defaultdict'],
  ListNode: ['builtins.list'],
  SetNode: ['builtins.set'],
  TupleNode: ['builtins.tuple'],
  BytesNode: ['builtins.bytes'],
  BytearrayNode: ['builtins.bytearray'],
  MaskedArrayNode: ['numpy.ma.core.MaskedArray'],
  RandomStateNode: ['numpy.random.mtrand.RandomState'],
  RandomGeneratorNode: ['numpy.random._generator.Generator'],
  TreeNode: ['sklearn.tree._tree.Tree'],
};

/**
 * SKLEARN_INTERNAL_TYPE_NAMES: loss, link and histogram-gradient-boosting types that are not estimators but that
 * fitted models hold.
 */
const SKLEARN_INTERNAL =
  /^sklearn\.(_loss\.(link|loss)|ensemble\._hist_gradient_boosting\.(binning|predictor))\.[A-Z_]/;

/**
 * SKLEARN_ESTIMATOR_TYPE_NAMES is `sklearn.utils.all_estimators()`: public (no leading underscore) BaseEstimator
 * subclasses outside test modules. Without scikit-learn at hand the subclass test is approximated by a public
 * class name under `sklearn.`; a public non-estimator class (e.g. `sklearn.utils._bunch.Bunch`) is then taken as
 * trusted, which can only miss a "needs trusted=" warning, never a dangerous name (those are judged first).
 */
function isSklearnEstimatorLike(qualified: string): boolean {
  if (!qualified.startsWith('sklearn.') || /\.(tests?|externals)\./.test(qualified)) return false;
  const cls = qualified.slice(qualified.lastIndexOf('.') + 1);
  return /^[A-Z]/.test(cls);
}

/** `numpy.log1p`, `numpy.core._multiarray_umath.log1p`, `scipy.special._ufuncs.expit`: the module as written. */
function isDefaultUfunc(qualified: string): boolean {
  const dot = qualified.lastIndexOf('.');
  const mod = qualified.slice(0, dot);
  const fn = qualified.slice(dot + 1);
  if (mod === 'numpy' || mod.startsWith('numpy.')) return NUMPY_UFUNCS.has(fn);
  if (mod === 'scipy.special' || mod.startsWith('scipy.special.')) return SCIPY_SPECIAL_UFUNCS.has(fn);
  return false;
}

/** True when `skops.io.load` without `trusted=` accepts `qualified` in a node of kind `loader`. */
export function isSkopsTrustedByDefault(qualified: string, loader: string): boolean {
  switch (loader) {
    // JsonNode and SliceNode report an empty unsafe set whatever they name.
    case 'JsonNode':
    case 'SliceNode':
      return true;
    case 'TypeNode':
      return PRIMITIVES.includes(qualified) || CONTAINERS.includes(qualified) || NUMPY_SCALARS.has(qualified);
    case 'NdArrayNode':
      return qualified === 'numpy.ndarray' || NUMPY_SCALARS.has(qualified);
    case 'FunctionNode':
      return isDefaultUfunc(qualified);
    case 'ObjectNode':
      return isSklearnEstimatorLike(qualified) || SKLEARN_INTERNAL.test(qualified);
    // LossNode trusts sklearn's Cython loss classes (ALLOWED_LOSSES), SparseMatrixNode scipy's sparse types.
    case 'LossNode':
      return /^sklearn\.(linear_model\._sgd_fast|_loss\._loss)\.[A-Z]/.test(qualified);
    case 'SparseMatrixNode':
      return qualified.startsWith('scipy.sparse.');
    default:
      // PartialNode, MethodNode, ConstructorFromReduceNode, OperatorFuncNode, ReduceNode and DTypeNode trust nothing.
      return FIXED[loader]?.includes(qualified) ?? false;
  }
}
