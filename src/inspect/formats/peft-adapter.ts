import { lineOfKey } from './config-json.js';
import type { JsonValue } from './json.js';
import { isObject } from './json.js';
import type { Findings } from './report.js';

/**
 * Libraries whose model classes PEFT records in `auto_mapping` when it saves an adapter on their models
 * (`PeftModel.save_pretrained` writes the base class's `__module__`): importing them runs only their own code.
 * `transformers_modules` is not one of them: it is the cache of repository code transformers fetched.
 */
const MODEL_LIBRARIES = /^(transformers|timm|diffusers|torchvision|sentence_transformers|peft)(\.[A-Za-z_]\w*)*$/;

/**
 * PEFT's `adapter_config.json`: `AutoPeftModel*.from_pretrained` (peft/auto.py `_BaseAutoPeftModel`) reads
 * `auto_mapping` whenever `task_type` is null, `importlib.import_module(parent_library)` — any importable module —
 * then `getattr(module, base_model_class).from_pretrained(base_model_name_or_path)`: the file picks which loader
 * reads which model. A module outside the libraries PEFT saves from is reported.
 */
export function peftAdapterFindings(config: JsonValue | undefined, text: string, out: Findings): void {
  if (!isObject(config) || (config.task_type !== undefined && config.task_type !== null)) return;
  const mapping = config.auto_mapping;
  if (!isObject(mapping)) return;
  const library = mapping.parent_library;
  const cls = mapping.base_model_class;
  if (typeof library !== 'string' || MODEL_LIBRARIES.test(library)) return;
  const named = `${library}.${typeof cls === 'string' ? cls : '?'}`;
  const base = typeof config.base_model_name_or_path === 'string' ? config.base_model_name_or_path : undefined;
  out.add(
    'CPI126',
    `auto_mapping makes AutoPeftModel import \`${library}\` and call \`${named}.from_pretrained\`${base !== undefined ? ` on ${JSON.stringify(base)}` : ''}: the adapter, not your code, chooses the module imported and the loader that reads the base model. Load the adapter with PeftModel.from_pretrained on a base model you load yourself, or check that module.`,
    { module: library, ...(typeof cls === 'string' ? { class: cls } : {}), ...(base !== undefined ? { base } : {}) },
    undefined,
    undefined,
    lineOfKey(text, 'auto_mapping'),
  );
}
