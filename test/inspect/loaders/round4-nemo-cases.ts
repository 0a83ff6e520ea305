import { gzipSync } from 'node:zlib';
import { buildTar } from '../containers/build.js';
import type { UnseenCase } from './unseen-runner.js';

/** A ustar archive of several files, as `tarfile` writes a .nemo (`./model_config.yaml`, `./model_weights.ckpt`). */
export const tar = (files: Record<string, string | Buffer>) =>
  Buffer.concat([
    ...Object.entries(files).map(([n, d]) => buildTar(n, Buffer.from(d)).subarray(0, -1024)),
    Buffer.alloc(1024),
  ]);
/** `torch.save({'w': 1})`-like weights: a plain dict pickle. */
export const WEIGHTS = Buffer.from('\x80\x02}q\x00X\x01\x00\x00\x00wq\x01K\x01s.', 'latin1');
const nemo = (config: string) => tar({ './model_config.yaml': config, './model_weights.ckpt': WEIGHTS });

const GENUINE = `target: nemo.collections.asr.models.ctc_models.EncDecCTCModel
sample_rate: 16000
preprocessor:
  _target_: nemo.collections.asr.modules.AudioToMelSpectrogramPreprocessor
  window_size: 0.025
optim:
  name: adamw
  sched:
    _target_: torch.optim.lr_scheduler.CosineAnnealingLR
`;
const LOADER = 'nemo/core/connectors/save_restore_connector.py restore_from → ModelPT.from_config_dict';

/** .nemo archives judged by what NeMo's restore_from builds from their model_config.yaml. */
export const ROUND4_NEMO_CASES: readonly UnseenCase[] = [
  {
    name: '.nemo whose preprocessor _target_ is os.system',
    loader: `${LOADER} → hydra.utils.instantiate: os.system(command=…)`,
    files: {
      'm.nemo': nemo(
        `target: nemo.collections.asr.models.EncDecCTCModel\npreprocessor:\n  _target_: os.system\n  command: id\n`,
      ),
    },
    want: ['CPI122:error'],
  },
  {
    name: '.nemo (gzip) whose root target is builtins.exec',
    loader: `${LOADER}: import_class_by_path(cfg.target)(cfg=…, trainer=…)`,
    files: { 'm.nemo': gzipSync(nemo('target: builtins.exec\n')) },
    want: ['CPI122:error'],
  },
  {
    name: '.nemo whose encoder _target_ is a class from an unknown package',
    loader: `${LOADER} → hydra.utils.instantiate imports evilpkg.layers`,
    files: { 'm.nemo': nemo(`${GENUINE}encoder:\n  _target_: evilpkg.layers.Backdoor\n`) },
    want: ['CPI122:warning'],
  },
  {
    name: '.nemo as NeMo writes it (nemo and torch targets)',
    loader: `${LOADER}: nemo.* and torch.* classes`,
    files: { 'm.nemo': nemo(GENUINE) },
    want: [],
  },
];
