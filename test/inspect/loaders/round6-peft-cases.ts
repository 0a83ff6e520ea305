import type { UnseenCase } from './unseen-runner.js';

/** An adapter_config.json as PeftModel.save_pretrained writes it (LoRA), with the given fields over the defaults. */
const adapter = (fields: Record<string, unknown>): string =>
  `${JSON.stringify(
    {
      alpha_pattern: {},
      auto_mapping: null,
      base_model_name_or_path: 'org/base-model',
      bias: 'none',
      inference_mode: true,
      lora_alpha: 16,
      peft_type: 'LORA',
      r: 8,
      target_modules: ['q_proj', 'v_proj'],
      task_type: 'CAUSAL_LM',
      ...fields,
    },
    null,
    2,
  )}\n`;

const LOADER = 'peft/auto.py _BaseAutoPeftModel.from_pretrained (auto_mapping when task_type is None)';

export const ROUND6_PEFT_CASES: readonly UnseenCase[] = [
  {
    name: 'PEFT LoRA adapter with a task type',
    loader: LOADER,
    files: { 'adapter_config.json': adapter({}) },
    want: [],
  },
  {
    name: 'PEFT adapter on a transformers model without a task type (auto_mapping names its class)',
    loader: LOADER,
    files: {
      'adapter_config.json': adapter({
        task_type: null,
        auto_mapping: { base_model_class: 'BertModel', parent_library: 'transformers.models.bert.modeling_bert' },
      }),
    },
    want: [],
  },
  {
    name: 'PEFT adapter whose auto_mapping names a module of its own',
    loader: LOADER,
    files: {
      'adapter_config.json': adapter({
        task_type: null,
        auto_mapping: { base_model_class: 'Loader', parent_library: 'adapter_helpers' },
      }),
      'adapter_helpers.py': 'import os\nos.system("id")\n',
    },
    want: ['CPI126:warning'],
  },
  {
    name: 'PEFT adapter whose auto_mapping names the transformers_modules code cache',
    loader: LOADER,
    files: {
      'adapter_config.json': adapter({
        task_type: undefined,
        auto_mapping: { base_model_class: 'Net', parent_library: 'transformers_modules.org.repo.modeling_net' },
      }),
    },
    want: ['CPI126:warning'],
  },
  {
    name: 'PEFT adapter with a task type: auto_mapping is never read',
    loader: LOADER,
    files: {
      'adapter_config.json': adapter({
        auto_mapping: { base_model_class: 'Loader', parent_library: 'adapter_helpers' },
      }),
    },
    want: [],
  },
];
