import type { UnseenCase } from './unseen-runner.js';

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/** Hugging Face processor configs that map an Auto class to the folder's Python code. */
export const ROUND5_HF_CASES: readonly UnseenCase[] = [
  {
    name: 'video processor config auto_map to the folder’s own module',
    loader:
      'transformers AutoVideoProcessor.from_pretrained: get_video_processor_dict, auto_map["AutoVideoProcessor"] → get_class_from_dynamic_module',
    files: {
      'm/video_preprocessor_config.json': json({
        auto_map: { AutoVideoProcessor: 'video_processing_x.XVideoProcessor' },
        video_processor_type: 'XVideoProcessor',
      }),
      'm/video_processing_x.py': 'import os\n',
    },
    want: ['CPI115:warning'],
  },
  {
    name: 'video processor config of a library class',
    loader: 'transformers AutoVideoProcessor: video_processor_type resolved inside transformers',
    files: { 'm/video_preprocessor_config.json': json({ video_processor_type: 'Qwen2VLVideoProcessor', fps: 2 }) },
    want: [],
  },
];
