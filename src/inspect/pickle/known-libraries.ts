/**
 * What the default-deny allowlist knows about the libraries models are saved with, beyond torch (allowlist.ts):
 * the reconstructors and data classes that pandas, scipy, scikit-learn, numpy and the Hugging Face Trainer write
 * into ordinary files. Each entry was seen in a file of the benign corpus (fixtures/models-benign) made by the real
 * library; none of them runs code, starts processes, or touches files or the network when the unpickler calls it.
 */

/** numpy ufuncs pickle by name (`numpy.core._multiarray_umath.log1p`); FunctionTransformer and scorers keep them. */
const NUMPY_UFUNCS = [
  'absolute',
  'add',
  'arccos',
  'arcsin',
  'arctan',
  'arctan2',
  'cbrt',
  'ceil',
  'clip',
  'cos',
  'cosh',
  'divide',
  'exp',
  'exp2',
  'expm1',
  'fabs',
  'floor',
  'log',
  'log10',
  'log1p',
  'log2',
  'maximum',
  'minimum',
  'multiply',
  'negative',
  'power',
  'reciprocal',
  'rint',
  'sign',
  'sin',
  'sinh',
  'sqrt',
  'square',
  'subtract',
  'tan',
  'tanh',
  'true_divide',
  'trunc',
];

/** scikit-learn score functions that SelectKBest / SelectPercentile keep a reference to (never called on load). */
const SKLEARN_SCORE_FUNCS = [
  'f_classif',
  'f_regression',
  'chi2',
  'mutual_info_classif',
  'mutual_info_regression',
  'r_regression',
];

/** Enums and dataclasses of `transformers.TrainingArguments` (training_args.bin of every Trainer checkpoint). */
const HF_TRAINING = [
  'transformers.training_args.TrainingArguments',
  'transformers.training_args_seq2seq.Seq2SeqTrainingArguments',
  'transformers.training_args.OptimizerNames',
  'transformers.training_args.ParallelMode',
  'transformers.trainer_utils.IntervalStrategy',
  'transformers.trainer_utils.SaveStrategy',
  'transformers.trainer_utils.HubStrategy',
  'transformers.trainer_utils.SchedulerType',
  'transformers.trainer_utils.EvaluationStrategy',
  'transformers.trainer_utils.FSDPOption',
  'transformers.debug_utils.DebugOption',
  'transformers.trainer_pt_utils.AcceleratorConfig',
  'transformers.utils.generic.ExplicitEnum',
  // `distributed_state.distributed_type` (the PartialState itself: instantiated-classes.ts).
  'accelerate.utils.dataclasses.DistributedType',
];

/**
 * A PyTorch Distributed Checkpoint's `.metadata`: `FileSystemWriter.finish` pickles the `Metadata` dataclass
 * (torch/distributed/checkpoint/filesystem.py) and `FileSystemReader.read_metadata` reads it back with
 * `pickle.load`. Plain dataclasses of sizes, names and offsets (torch/distributed/checkpoint/metadata.py; before
 * torch 2.2 `TensorProperties` lived in `_shard.sharded_tensor.metadata`), named exactly because the rest of
 * `torch.distributed` (rpc, elastic launchers, stores, the checkpoint loaders themselves) stays dangerous.
 */
const TORCH_DCP_METADATA = [
  ...[
    'Metadata',
    'MetadataIndex',
    'StorageMeta',
    'TensorStorageMetadata',
    'BytesStorageMetadata',
    'ChunkStorageMetadata',
    'TensorProperties',
    '_MEM_FORMAT_ENCODING',
  ].map((c) => `torch.distributed.checkpoint.metadata.${c}`),
  'torch.distributed._shard.sharded_tensor.metadata.TensorProperties',
  'torch.distributed._shard.sharded_tensor.metadata.MEM_FORMAT_ENCODING',
  'torch.distributed.checkpoint.filesystem._StorageInfo',
];

/**
 * OmegaConf containers: a Hydra-configured Lightning checkpoint keeps its `DictConfig` in `hyper_parameters`.
 * `BaseContainer.__setstate__` (omegaconf/basecontainer.py) fills in missing metadata types and updates `__dict__`;
 * the nodes hold plain values, the metadata `typing.Any` and the types of a structured config, which are globals
 * judged on their own. Interpolations (`${...}`) resolve only when a value is read, never by unpickling.
 */
const OMEGACONF = [
  'omegaconf.dictconfig.DictConfig',
  'omegaconf.listconfig.ListConfig',
  'omegaconf.base.ContainerMetadata',
  'omegaconf.base.Metadata',
  ...['AnyNode', 'StringNode', 'IntegerNode', 'FloatNode', 'BooleanNode', 'BytesNode', 'PathNode', 'EnumNode'].map(
    (n) => `omegaconf.nodes.${n}`,
  ),
  'typing.Any',
];

/**
 * Lightning's `AttributeDict`, which `save_hyperparameters()` keeps as a checkpoint's `hyper_parameters` and Fabric's
 * `save(state)` pickles: a `dict` subclass whose only methods route attribute access to its items
 * (lightning/fabric/utilities/data.py; pytorch_lightning/utilities/parsing.py before Lightning 2.0, where
 * `lightning.pytorch.utilities.parsing` now re-exports it). Unpickled as NEWOBJ and SETITEMS, like argparse.Namespace
 * is by NEWOBJ and BUILD; its `__setattr__` stores an item, so a BUILD slot state does no more.
 */
const LIGHTNING_ATTRIBUTE_DICT = [
  'lightning.fabric.utilities.data.AttributeDict',
  'lightning_fabric.utilities.data.AttributeDict',
  'pytorch_lightning.utilities.parsing.AttributeDict',
  'lightning.pytorch.utilities.parsing.AttributeDict',
];

export const KNOWN_EXACT: readonly string[] = [
  // argparse.Namespace: research checkpoints (fairseq, Lightning < 1.0) store their command line; NEWOBJ + BUILD.
  'argparse.Namespace',
  'numpy.recarray',
  // a pickled memmap is `_reconstruct(numpy.memmap, …)` (ndarray.__new__, no file); calling it is judged in danger.ts
  'numpy.memmap',
  'numpy.core.memmap.memmap',
  'numpy._core.memmap.memmap',
  'numpy.record',
  'numpy.core.records.recarray',
  'numpy.core.records.record',
  'numpy.core._ufunc_reconstruct',
  // scipy.fft's uarray multimethods pickle as `unpickle_function(mod_name, qname, self_)`; the import it makes is
  // recorded and judged as its own global (vm/calls.ts IMPORTING_HELPERS)
  'scipy._lib._uarray._backend.unpickle_function',
  ...['numpy.core._multiarray_umath', 'numpy._core._multiarray_umath', 'numpy'].flatMap((m) =>
    NUMPY_UFUNCS.map((u) => `${m}.${u}`),
  ),
  // pandas' own reconstructors (pandas/core/indexes/base.py _new_Index, pandas/_libs/internals.pyx _unpickle_block…).
  'pandas._libs.internals._unpickle_block',
  'pandas.core.internals.blocks.new_block',
  'pandas.core.indexes.base._new_Index',
  'pandas.core.indexes.interval._new_IntervalIndex',
  'pandas.core.indexes.period._new_PeriodIndex',
  'pandas._libs.tslibs.timestamps._unpickle_timestamp',
  'pandas._libs.tslibs.timedeltas._timedelta_unpickle',
  'pandas._libs.tslibs.nattype.__nat_unpickle',
  'pandas._libs.sparse.IntIndex',
  'pandas._libs.sparse.BlockIndex',
  'pandas.core.indexes.datetimes._new_DatetimeIndex',
  // pandas DateOffset keeps a dateutil relativedelta (a plain value class; dateutil ships with pandas).
  'dateutil.relativedelta.relativedelta',
  // ColumnTransformer column selectors (a lowercase class: sklearn/compose/_column_transformer.py).
  'sklearn.compose._column_transformer.make_column_selector',
  // numpy's abstract scalar types, kept as dtype filters (`make_column_selector(dtype_include=np.number)`).
  ...['number', 'integer', 'signedinteger', 'unsignedinteger', 'inexact', 'floating', 'complexfloating', 'generic'].map(
    (t) => `numpy.${t}`,
  ),
  // interp1d keeps the bound evaluator it picked as a plain function reference (never called by the unpickler).
  ...['_call_linear_np', '_call_linear', '_call_nearest', '_call_previousnext', '_call_spline', '_call_nan_spline'].map(
    (m) => `scipy.interpolate._interpolate.interp1d.${m}`,
  ),
  'scipy.stats._kde.gaussian_kde',
  // Function references fitted estimators keep by default (never called by the unpickler):
  // sklearn/cluster/_agglomerative.py `FeatureAgglomeration(pooling_func=np.mean)`, and
  // sklearn/cluster/_bisect_k_means.py `BisectingKMeans.fit`, which keeps `_kmeans_single_lloyd` or `_elkan`.
  'numpy.mean',
  'sklearn.cluster._kmeans._kmeans_single_lloyd',
  'sklearn.cluster._kmeans._kmeans_single_elkan',
  // scipy.stats discrete distributions keep `vectorize(self._entropy)`: a class, instantiated (NEWOBJ + BUILD).
  'numpy.vectorize',
  'numpy.lib.function_base.vectorize',
  'scipy.interpolate._interpolate.interp1d',
  'scipy.interpolate.interpolate.interp1d',
  // pytz restores its timezones through these (a UTC singleton; a zone looked up by name in its own data).
  'pytz._UTC',
  'pytz._p',
  // Scorers GridSearchCV keeps (sklearn/metrics/_scorer.py); they hold a metric function, called only on score().
  'sklearn.metrics._scorer._PredictScorer',
  'sklearn.metrics._scorer._ProbaScorer',
  'sklearn.metrics._scorer._ThresholdScorer',
  'sklearn.metrics._scorer._Scorer',
  'sklearn.metrics._scorer._MultimetricScorer',
  'sklearn.metrics._scorer._passthrough_scorer',
  'scipy.spatial._ckdtree.cKDTree',
  'scipy.spatial.ckdtree.cKDTree',
  ...SKLEARN_SCORE_FUNCS.map((f) => `sklearn.feature_selection._univariate_selection.${f}`),
  ...SKLEARN_SCORE_FUNCS.map((f) => `sklearn.feature_selection._mutual_info.${f}`),
  ...HF_TRAINING,
  ...TORCH_DCP_METADATA,
  ...OMEGACONF,
  ...LIGHTNING_ATTRIBUTE_DICT,
];

/**
 * Module families whose CapWords classes are data containers; checked only after the gadget knowledge base, so a
 * listed family never whitelists one of its known gadgets (e.g. `pandas.core.computation`).
 */
export const KNOWN_CLASS_FAMILIES: readonly string[] = [
  'pandas.core',
  'pandas._libs',
  'scipy.sparse',
  'scipy.spatial',
  // Splines and interpolators (BSpline, CubicSpline, RegularGridInterpolator, LSQUnivariateSpline): plain state.
  'scipy.interpolate',
  'numpy.polynomial',
];

/**
 * Names in the known libraries that are not CapWords yet are safe reconstructors: Cython's generated
 * `__pyx_unpickle_<Class>`, scikit-learn's Cython `newObj` (`obj.__new__(obj)`), scipy's lowercase sparse classes,
 * and scikit-learn metric functions a scorer keeps (referenced, never called by the unpickler).
 */
export function isKnownReconstructor(module: string, name: string): boolean {
  const lib = module.split('.', 1)[0]!;
  // numpy.random's SeedSequence is a Cython class too (`numpy.random.bit_generator.__pyx_unpickle_SeedSequence`).
  if (lib === 'numpy' && module.startsWith('numpy.random.')) return /^(__pyx_unpickle_)?SeedSequence$/.test(name);
  if (!['pandas', 'sklearn', 'scipy'].includes(lib)) return false;
  if (/^__pyx_unpickle_[A-Z][A-Za-z0-9_]*$/.test(name)) return true;
  if (lib === 'sklearn' && name === 'newObj') return true;
  if (module.startsWith('scipy.sparse') && /^(csr|csc|coo|bsr|dia|dok|lil)_(matrix|array)$/.test(name)) return true;
  // scipy.stats distributions (`norm_gen`, `randint_gen`, `rv_continuous_frozen`): their __setstate__ execs
  // `_parse_arg_template`, which the VM checks against the text scipy generates (exec-state.ts, CPI111).
  if (
    module.startsWith('scipy.stats.') &&
    /^([a-z][a-z0-9_]*_gen|rv_(continuous|discrete)_frozen|rv_histogram)$/.test(name)
  )
    return true;
  if (SKLEARN_METRIC_MODULES.has(module) || SKLEARN_SCORER_FUNCS.has(`${module}.${name}`)) return /^[a-z]/.test(name);
  return (
    (module === 'sklearn.metrics' || module.startsWith('sklearn.metrics.')) &&
    /^[a-z][a-z0-9_]*_(score|error|loss|deviance)$/.test(name)
  );
}

/**
 * The modules that define scikit-learn's metrics, each a function of `(y_true, y_pred)` or of labels that only
 * computes: `make_scorer(matthews_corrcoef)` and a GridSearchCV over `scoring='matthews_corrcoef'` keep the function
 * as the scorer's `_score_func`, which joblib.load only references (sklearn/metrics/_scorer.py `_BaseScorer`). Every
 * public function there is a metric or a check of its inputs (read in sklearn 1.2's modules): `det_curve`,
 * `class_likelihood_ratios`, `contingency_matrix`… The pairwise module is not one of them: `pairwise_distances` and
 * `pairwise_kernels` call a `metric` argument.
 */
const SKLEARN_METRIC_MODULES: ReadonlySet<string> = new Set([
  'sklearn.metrics._classification',
  'sklearn.metrics._ranking',
  'sklearn.metrics._regression',
  'sklearn.metrics.cluster._supervised',
  'sklearn.metrics.cluster._bicluster',
]);

/**
 * The metrics defined in `_scorer.py` itself (`get_scorer('positive_likelihood_ratio')` keeps them); not the rest of
 * that module, whose `_cached_call` calls `getattr(estimator, method)(*args)` with a method named by the pickle.
 */
const SKLEARN_SCORER_FUNCS: ReadonlySet<string> = new Set([
  'sklearn.metrics._scorer.positive_likelihood_ratio',
  'sklearn.metrics._scorer.negative_likelihood_ratio',
]);

/**
 * Libraries models are saved with. An unknown global from one of them that the unpickler calls stays a warning
 * (CPI002: most likely a new reconstructor); an unknown callable from anywhere else that is called is an error
 * (CPI100). See docs/detection.md "Unknown globals at the default gate".
 */
export const MODEL_LIBRARIES: readonly string[] = [
  'torch',
  'numpy',
  'scipy',
  'sklearn',
  'pandas',
  'joblib',
  'transformers',
  'keras',
  'tf_keras',
  'tensorflow',
  'xgboost',
  'lightgbm',
  'catboost',
  'lightning',
  'pytorch_lightning',
  'lightning_fabric',
  'timm',
  'tokenizers',
  'sentencepiece',
  'statsmodels',
  'skorch',
  'accelerate',
  'diffusers',
  'peft',
  'keras_hub',
  'keras_nlp',
  'pytz',
];

export function isModelLibrary(module: string): boolean {
  return MODEL_LIBRARIES.includes(module.split('.', 1)[0]!);
}
