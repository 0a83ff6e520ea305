/**
 * The names Keras resolves on its own in a legacy config (no `module`): the tables `deserialize_keras_object` is
 * handed as `module_objects`. Kept as the union over the Keras that write legacy `.h5` files — Keras 2.x, tf_keras
 * (`layers/serialization.py` `populate_deserializable_objects`: every Layer subclass of the layer modules, plus
 * Functional, Model, Sequential, DenseFeatures…) and Keras 3 (`keras.src.layers`, `losses.ALL_OBJECTS_DICT`,
 * `metrics.ALL_OBJECTS_DICT`) — so that no Keras release's own name is taken for a custom one. Compared after
 * `normalName`, so a snake-case alias (`metrics.ALL_OBJECTS_DICT` adds `to_snake_case` of every class) matches too.
 */

/** Lowercase without `_`: `MeanSquaredError`, `mean_squared_error` and `MEAN_SQUARED_ERROR` are one name. */
export function normalName(name: string): string {
  return name.toLowerCase().replace(/_/g, '');
}

const names = (text: string): ReadonlySet<string> => new Set(text.trim().split(/\s+/).map(normalName));

/** Layers and models (a nested model is a layer of its parent). */
export const KERAS_LAYERS = names(`
  Layer InputLayer Input InputSpec Sequential Functional Model LinearModel WideDeepModel SequenceFeatures DenseFeatures
  TensorFlowOpLayer TFOpLambda SlicingOpLambda ClassMethod InstanceMethod InstanceProperty AddLoss AddMetric
  Activation ELU LeakyReLU PReLU ReLU Softmax ThresholdedReLU ParametricSoftplus SReLU
  AdditiveAttention Attention MultiHeadAttention GroupedQueryAttention GroupQueryAttention BaseDenseAttention
  Conv Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose Conv3DTranspose Convolution1D Convolution2D Convolution3D
  Convolution1DTranspose Convolution2DTranspose Convolution3DTranspose Deconvolution2D Deconvolution3D
  AtrousConvolution1D AtrousConvolution2D DepthwiseConv1D DepthwiseConv2D SeparableConv1D SeparableConv2D
  SeparableConvolution1D SeparableConvolution2D ReflectionPadding1D ReflectionPadding2D ReflectionPadding3D
  Dense EinsumDense Embedding ReversibleEmbedding Identity Lambda Masking Wrapper Merge Highway MaxoutDense
  TimeDistributedDense LocallyConnected1D LocallyConnected2D RandomFourierFeatures
  Add Average Concatenate Dot Maximum Minimum Multiply Subtract
  BatchNormalization BatchNormalizationV1 BatchNormalizationV2 SyncBatchNormalization GroupNormalization
  LayerNormalization RMSNormalization SpectralNormalization UnitNormalization
  AveragePooling1D AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D MaxPooling1D MaxPooling2D
  MaxPooling3D MaxPool1D MaxPool2D MaxPool3D GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D
  GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D
  GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D AdaptiveAveragePooling1D AdaptiveAveragePooling2D
  AdaptiveAveragePooling3D AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D
  PreprocessingLayer CategoryCrossing CategoryEncoding Discretization HashedCrossing Hashing IndexLookup IntegerLookup StringLookup
  TextVectorization Normalization Rescaling Resizing CenterCrop Pipeline MelSpectrogram STFTSpectrogram
  AugMix AutoContrast ContrastLimitedAdaptiveHistogramEqualization CutMix Equalization MaxNumBoundingBoxes MixUp
  RandAugment RandomBrightness RandomColorDegeneration RandomColorJitter RandomContrast RandomCrop
  RandomElasticTransform RandomErasing RandomFlip RandomGaussianBlur RandomGrayscale RandomHeight RandomHue
  RandomInvert RandomPerspective RandomPosterization RandomRotation RandomSaturation RandomSharpness RandomShear
  RandomTranslation RandomWidth RandomZoom Solarization
  ActivityRegularization AlphaDropout Dropout GaussianDropout GaussianNoise SpatialDropout1D SpatialDropout2D
  SpatialDropout3D
  Cropping1D Cropping2D Cropping3D Flatten Permute RepeatVector Reshape UpSampling1D UpSampling2D UpSampling3D
  ZeroPadding1D ZeroPadding2D ZeroPadding3D ReconstructPatches2D ReconstructPatches3D
  RNN SimpleRNN SimpleRNNCell GRU GRUCell GRUV1 GRUV2 GRUCellV1 GRUCellV2 LSTM LSTMCell LSTMV1 LSTMV2 LSTMCellV1
  LSTMCellV2 PeepholeLSTMCell CuDNNGRU CuDNNLSTM ConvLSTM1D ConvLSTM2D ConvLSTM3D ConvLSTM2DCell ConvRNN2D
  StackedRNNCells AbstractRNNCell Bidirectional TimeDistributed DeviceWrapper DropoutWrapper ResidualWrapper
  Recurrent TFSMLayer FlaxLayer JaxLayer TorchModuleWrapper
`);

/**
 * Losses and metrics, classes and functions: tf_keras and Keras 2 `metrics.deserialize` look names up in the
 * metrics module's globals, which import the loss functions too, so one table serves both.
 */
export const KERAS_LOSSES_AND_METRICS = names(`
  Loss LossFunctionWrapper KLDivergence Poisson BinaryCrossentropy BinaryFocalCrossentropy CategoricalCrossentropy
  CategoricalFocalCrossentropy SparseCategoricalCrossentropy MeanSquaredError MeanAbsoluteError
  MeanAbsolutePercentageError MeanSquaredLogarithmicError CosineSimilarity LogCosh Huber Hinge SquaredHinge
  CategoricalHinge Dice IoU Tversky Circle CTC CategoricalGeneralizedCrossEntropy
  kl_divergence kullback_leibler_divergence poisson binary_crossentropy binary_focal_crossentropy
  categorical_crossentropy categorical_focal_crossentropy sparse_categorical_crossentropy mean_squared_error
  mean_absolute_error mean_absolute_percentage_error mean_squared_logarithmic_error cosine_similarity
  cosine_proximity log_cosh logcosh huber huber_loss hinge squared_hinge categorical_hinge dice iou tversky circle ctc
  categorical_generalized_cross_entropy bce kld mae mse mape msle
  Metric Mean Sum MeanMetricWrapper MeanTensor Reduce RootMeanSquaredError LogCoshError R2Score AUC FalseNegatives
  FalsePositives TrueNegatives TruePositives Precision Recall PrecisionAtRecall RecallAtPrecision
  SensitivityAtSpecificity SpecificityAtSensitivity Accuracy BinaryAccuracy CategoricalAccuracy
  SparseCategoricalAccuracy TopKCategoricalAccuracy SparseTopKCategoricalAccuracy F1Score FBetaScore BinaryIoU
  MeanIoU OneHotIoU OneHotMeanIoU MeanRelativeError PearsonCorrelation ConcordanceCorrelation
  accuracy acc crossentropy ce binary_accuracy categorical_accuracy sparse_categorical_accuracy
  top_k_categorical_accuracy sparse_top_k_categorical_accuracy
`);

/**
 * Activation functions: Keras 3 `activations.ALL_OBJECTS_DICT` (with its `swish`/`hard_swish` aliases) and tf_keras
 * `activations.deserialize`'s module globals.
 */
const ACTIVATION_FUNCTIONS = names(`
  celu elu exponential gelu glu hard_shrink hard_sigmoid hard_silu hard_swish hard_tanh leaky_relu linear log_sigmoid
  log_softmax mish relu relu6 selu sigmoid silu soft_shrink softmax softplus softsign sparse_plus sparse_sigmoid
  sparsemax squareplus swish tanh tanh_shrink threshold
`);

/**
 * What a layer's `activation` resolves to: the functions, and the activation layers tf_keras
 * `activations.deserialize` adds from `advanced_activations` (a layer instance is saved as its `class_name`).
 */
export const KERAS_ACTIVATIONS: ReadonlySet<string> = new Set([
  ...ACTIVATION_FUNCTIONS,
  ...names('ELU LeakyReLU PReLU ReLU Softmax ThresholdedReLU'),
]);

/**
 * Initializers: Keras 3 `initializers.ALL_OBJECTS_DICT` (classes, their snake-case names, `uniform`/`normal`/`one`/
 * `zero` aliases) and tf_keras `initializers.populate_deserializable_objects` (v1 classes, the `…V2` compatibility
 * names, the functional aliases).
 */
export const KERAS_INITIALIZERS = names(`
  Initializer Constant Identity Ones Zeros GlorotNormal GlorotUniform HeNormal HeUniform LecunNormal LecunUniform
  RandomNormal RandomUniform TruncatedNormal VarianceScaling Orthogonal OrthogonalInitializer STFT STFTInitializer
  uniform normal one zero
  ConstantV2 GlorotNormalV2 GlorotUniformV2 HeNormalV2 HeUniformV2 IdentityV2 LecunNormalV2 LecunUniformV2 OnesV2
  OrthogonalV2 RandomNormalV2 RandomUniformV2 TruncatedNormalV2 VarianceScalingV2 ZerosV2
`);

/** Regularizers: Keras 3 `regularizers.ALL_OBJECTS_DICT` and tf_keras `regularizers` (classes and function aliases). */
export const KERAS_REGULARIZERS = names('Regularizer L1 L2 L1L2 OrthogonalRegularizer');

/** Constraints: Keras 3 `constraints.ALL_OBJECTS_DICT` and tf_keras `constraints` (with `maxnorm`-style aliases). */
export const KERAS_CONSTRAINTS = names('Constraint MaxNorm MinMaxNorm NonNeg UnitNorm RadialConstraint');

/**
 * The functions `serialization_lib._retrieve_class_or_fn` finds for `module: "builtins"`: Keras's own in
 * `BUILTIN_MODULES` (activations, constraints, initializers, losses, metrics, regularizers; tf_keras 2.13+ wrote
 * them this way), then Python's builtins.
 */
export const BUILTINS_MODULE_FUNCTIONS: ReadonlySet<string> = new Set([
  ...KERAS_LOSSES_AND_METRICS,
  ...ACTIVATION_FUNCTIONS,
  ...KERAS_INITIALIZERS,
  ...KERAS_REGULARIZERS,
  ...KERAS_CONSTRAINTS,
  ...names(`
    abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex copyright
    credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals hasattr hash
    help hex id input int isinstance issubclass iter len license list locals map max memoryview min next object oct
    open ord pow print property quit range repr reversed round set setattr slice sorted staticmethod str sum super
    tuple type vars zip __import__ __build_class__
  `),
]);
