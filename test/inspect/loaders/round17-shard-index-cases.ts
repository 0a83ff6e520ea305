import type { UnseenCase } from './unseen-runner.js';

const LOADER =
  'transformers utils/hub.py get_checkpoint_shard_files: os.path.join(folder, subfolder, f) for each weight_map value, then load_state_dict';
const index = (weightMap: Record<string, string>) =>
  `${JSON.stringify({ metadata: { total_size: 8 }, weight_map: weightMap }, null, 2)}\n`;

/** Sharded checkpoint indexes whose shard names leave the model folder, and the genuine layout that does not. */
export const ROUND17_SHARD_INDEX_CASES: readonly UnseenCase[] = [
  {
    name: 'pytorch_model.bin.index.json naming a shard up three folders',
    loader: LOADER,
    files: {
      'm/pytorch_model.bin.index.json': index({ a: 'pytorch_model-00001-of-00002.bin', b: '../../../tmp/evil.bin' }),
    },
    want: ['CPI128:error'],
  },
  {
    name: 'model.safetensors.index.json naming an absolute shard',
    loader: `${LOADER}; os.path.join drops the folder before an absolute name`,
    files: { 'm/model.fp16.safetensors.index.json': index({ a: '/home/user/.cache/other/model.safetensors' }) },
    want: ['CPI128:error'],
  },
  {
    name: 'model.safetensors.index.json with shards beside it and one in a subfolder',
    loader: LOADER,
    files: {
      'm/model.safetensors.index.json': index({
        a: 'model-00001-of-00002.safetensors',
        b: './model-00002-of-00002.safetensors',
        c: 'sub/../model-00002-of-00002.safetensors',
      }),
    },
    want: [],
  },
];
