import { ROUND6_PEFT_CASES } from './round6-peft-cases.js';
import { ROUND6_TORCH_FUNCTION_CASES } from './round6-torch-function-cases.js';
import { ROUND6_TORCH_TAR_CASES } from './round6-torch-tar-cases.js';
import { ROUND7_JOBLIB_CASES } from './round7-joblib-cases.js';
import { ROUND7_NPY_CASES } from './round7-npy-cases.js';
import { ROUND8_GGUF_CASES } from './round8-gguf-cases.js';
import { ROUND8_KERAS_CASES } from './round8-keras-cases.js';
import { ROUND8_KERAS_METADATA_CASES } from './round8-keras-metadata-cases.js';
import { ROUND8_NEMO_CASES } from './round8-nemo-cases.js';
import { ROUND8_PT2_CASES } from './round8-pt2-cases.js';
import { LLAMAFILE_CASES } from './llamafile-cases.js';
import { ROUND8_SAFETENSORS_CASES } from './round8-safetensors-cases.js';
import { ROUND8_ZIP_NAME_CASES } from './round8-zip-name-cases.js';
import { ROUND9_NPZ_KEY_CASES } from './round9-npz-key-cases.js';
import { ROUND9_TAR_TYPE_CASES } from './round9-tar-type-cases.js';
import { ROUND9_ZLIB_PREFIX_CASES } from './round9-zlib-prefix-cases.js';
import { ROUND14_JOBLIB_OBJECT_CASES } from './round14-joblib-object-cases.js';
import { ROUND14_WEIGHTS_ONLY_CASES } from './round14-weights-only-cases.js';
import { ROUND15_PICKLE_SNIFF_CASES } from './round15-pickle-sniff-cases.js';
import { ROUND16_PICKLE_NUMBER_CASES } from './round16-pickle-number-cases.js';
import { ROUND17_PICKLE_STATE_CASES } from './round17-pickle-state-cases.js';
import { ROUND18_PICKLE_HELPER_CASES } from './round18-pickle-helper-cases.js';
import { INSTANTIATED_CLASS_CASES } from './instantiated-class-cases.js';
import { TORCH_ROOT_CASES } from './torch-root-cases.js';
import { ROUND19_LIBRARY_GADGET_CASES } from './round19-library-gadget-cases.js';
import { ROUND20_CALLABLE_HELPER_CASES } from './round20-callable-helper-cases.js';
import { ROUND21_IMPORT_HELPER_CASES } from './round21-import-helper-cases.js';
import { ROUND22_LIBRARY_EXEC_CASES } from './round22-library-exec-cases.js';
import { CODE_TEXT_CASES } from './code-text-cases.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/**
 * Rounds 6 to 22 of cases nobody showed us, each judged by the real loader named in `loader` (see
 * unseen-attacks.test.ts). One file for both: each test file pays the inspect stage's cold load once.
 */
const CASES: readonly UnseenCase[] = [
  ...ROUND6_TORCH_TAR_CASES,
  ...ROUND6_TORCH_FUNCTION_CASES,
  ...ROUND6_PEFT_CASES,
  ...ROUND7_JOBLIB_CASES,
  ...ROUND7_NPY_CASES,
  ...ROUND8_GGUF_CASES,
  ...ROUND8_KERAS_CASES,
  ...ROUND8_KERAS_METADATA_CASES,
  ...ROUND8_NEMO_CASES,
  ...ROUND8_PT2_CASES,
  ...LLAMAFILE_CASES,
  ...ROUND8_SAFETENSORS_CASES,
  ...ROUND8_ZIP_NAME_CASES,
  ...ROUND9_TAR_TYPE_CASES,
  ...ROUND9_ZLIB_PREFIX_CASES,
  ...ROUND9_NPZ_KEY_CASES,
  ...ROUND14_JOBLIB_OBJECT_CASES,
  ...ROUND14_WEIGHTS_ONLY_CASES,
  ...ROUND15_PICKLE_SNIFF_CASES,
  ...ROUND16_PICKLE_NUMBER_CASES,
  ...ROUND17_PICKLE_STATE_CASES,
  ...ROUND18_PICKLE_HELPER_CASES,
  ...INSTANTIATED_CLASS_CASES,
  ...TORCH_ROOT_CASES,
  ...CODE_TEXT_CASES,
  ...ROUND19_LIBRARY_GADGET_CASES,
  ...ROUND20_CALLABLE_HELPER_CASES,
  ...ROUND21_IMPORT_HELPER_CASES,
  ...ROUND22_LIBRARY_EXEC_CASES,
];

describeUnseenCases('rounds 6 to 22: verdicts on unseen model files agree with the real loader', CASES);
