import { TF_OP_LAYER_CASES } from './tf-op-layer-cases.js';
import { describeUnseenCases } from './unseen-runner.js';

/** tf_keras op layers, each judged by the real loader named in `loader` (see unseen-attacks.test.ts). */
describeUnseenCases('tf_keras op layers (TFOpLambda, ClassMethod) naming TensorFlow symbols', [...TF_OP_LAYER_CASES]);
