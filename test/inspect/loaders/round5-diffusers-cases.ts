import type { UnseenCase } from './unseen-runner.js';

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
/** The model_index.json `save_pretrained` writes for a Stable Diffusion pipeline: library classes only. */
const SD_INDEX = {
  _class_name: 'StableDiffusionPipeline',
  _diffusers_version: '0.30.0',
  feature_extractor: ['transformers', 'CLIPImageProcessor'],
  safety_checker: ['stable_diffusion', 'StableDiffusionSafetyChecker'],
  scheduler: ['diffusers', 'PNDMScheduler'],
  text_encoder: ['transformers', 'CLIPTextModel'],
  tokenizer: ['transformers', 'CLIPTokenizer'],
  unet: ['diffusers', 'UNet2DConditionModel'],
  vae: ['diffusers', 'AutoencoderKL'],
  image_encoder: [null, null],
  requires_safety_checker: true,
};
const PIPELINE = 'diffusers DiffusionPipeline.from_pretrained → _resolve_custom_pipeline_and_cls';
const COMPONENT = 'diffusers load_sub_model → get_class_obj_and_candidates (custom component file)';

/**
 * diffusers pipeline folders: `model_index.json` names the pipeline class and each component's library and class;
 * a `[module, Class]` pipeline or a component whose `<component>/<library>.py` exists is imported from the folder by
 * `get_class_from_dynamic_module`, with no opt-in for a local folder.
 */
export const ROUND5_DIFFUSERS_CASES: readonly UnseenCase[] = [
  {
    name: 'Stable Diffusion index: diffusers and transformers classes only',
    loader: 'diffusers get_class_obj_and_candidates: importlib.import_module(library)',
    files: {
      'sd/model_index.json': json(SD_INDEX),
      'sd/unet/config.json': json({ _class_name: 'UNet2DConditionModel' }),
    },
    want: [],
  },
  {
    name: 'custom pipeline class from a file in the folder',
    loader: PIPELINE,
    files: {
      'p/model_index.json': json({ ...SD_INDEX, _class_name: ['pipeline_evil', 'EvilPipeline'] }),
      'p/pipeline_evil.py': 'import os\nos.system("id")\n',
    },
    want: ['CPI125:error'],
  },
  {
    name: 'custom pipeline class whose file is not in the folder (fetched from the Hub)',
    loader: `${PIPELINE} / download: trust_remote_code required for the Hub file`,
    files: { 'p/model_index.json': json({ ...SD_INDEX, _class_name: ['pipeline_evil', 'EvilPipeline'] }) },
    want: ['CPI125:warning'],
  },
  {
    name: 'custom component file beside the component',
    loader: COMPONENT,
    files: {
      'c/model_index.json': json({ ...SD_INDEX, unet: ['my_unet', 'MyUNet'] }),
      'c/unet/my_unet.py': 'import os\n',
    },
    want: ['CPI125:error'],
  },
  {
    name: 'component named after a module that is not in the folder (an installed library)',
    loader: 'diffusers get_class_obj_and_candidates: no file → importlib.import_module(library)',
    files: { 'c/model_index.json': json({ ...SD_INDEX, unet: ['my_unet', 'MyUNet'] }) },
    want: [],
  },
  {
    name: 'pipeline module path climbing out of the folder to an existing file',
    loader: `${PIPELINE}: os.path.join(folder, f"{module}.py")`,
    files: {
      'a/b/model_index.json': json({ _class_name: ['../evil', 'EvilPipeline'] }),
      'a/evil.py': 'import os\n',
    },
    want: ['CPI125:error'],
  },
];
