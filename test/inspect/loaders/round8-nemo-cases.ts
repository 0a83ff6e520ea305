import { tar, WEIGHTS } from './round4-nemo-cases.js';
import type { UnseenCase } from './unseen-runner.js';

const CONFIG =
  'target: nemo.collections.asr.models.EncDecCTCModel\npreprocessor:\n  _target_: os.system\n  command: id\n';
const LOADER =
  'nemo SaveRestoreConnector._unpack_nemo_file: tarfile.extractall (os.path.join(out, member.name)), then <out>/model_config.yaml';

/** Other spellings of ./model_config.yaml that extract to the same file (checked with Debian python3.11 tarfile). */
export const ROUND8_NEMO_CASES: readonly UnseenCase[] = [
  {
    name: '.nemo whose config is stored as ".//model_config.yaml"',
    loader: LOADER,
    files: { 'm.nemo': tar({ './/model_config.yaml': CONFIG, './model_weights.ckpt': WEIGHTS }) },
    want: ['CPI122:error'],
  },
  {
    name: '.nemo whose config is stored as "sub/../model_config.yaml" after a member that makes sub/',
    loader: LOADER,
    files: { 'm.nemo': tar({ 'sub/keep': '', 'sub/../model_config.yaml': CONFIG, './model_weights.ckpt': WEIGHTS }) },
    want: ['CPI011:warning', 'CPI122:error'],
  },
];
