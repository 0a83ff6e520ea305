import { formatsReadBy } from '../../discover/catalogue/index.js';
import type { ModelAnalyser } from '../analyser.js';
import { configOf, lineOfKey } from './config-json.js';
import { analyseDiffusersIndex } from './diffusers-index.js';
import { isObject } from './json.js';
import type { JsonValue } from './json.js';
import { isKerasDirConfig } from './keras-dir.js';
import { checkKerasConfig, unreadKerasDeep } from './keras-config.js';
import { analyseKerasHubPreset } from './keras-hub-preset.js';
import { kerasJsonFileSteps } from './keras-json-file.js';
import { mlflowFindings } from './mlflow-model.js';
import { nemo2ContextFindings } from './nemo2-context.js';
import { nemoExtractedConfigFindings } from './nemo-extracted.js';
import { speechbrainHparamsFindings } from './speechbrain-hparams.js';
import { yamlPythonTagFindings } from './yaml-python-tags.js';
import { shardIndexSteps } from './shard-index.js';
import { peftAdapterFindings } from './peft-adapter.js';
import type { Findings } from './report.js';
import { analyseWith } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError, readAt } from './source.js';

/** Model and tokenizer configs are KiB to a few MiB (added-token tables); past this it is a limit finding. */
const MAX_FILE = 32 * 1024 * 1024;
/** References listed in one finding's evidence, at most. */
const MAX_LISTED = 20;

/** One class a config makes transformers import from Python code of a repository. */
interface CodeReference {
  /** Where the config names it: `auto_map.AutoModel`, `custom_pipelines.my-task.impl`. */
  readonly key: string;
  /** `module.Class` as written, after any `repo--` prefix. */
  readonly reference: string;
  /** The other repository the code is fetched from (`repo--module.Class`), if any. */
  readonly repo?: string;
}

/**
 * transformers (`dynamic_module_utils.get_class_from_dynamic_module`) splits `repo--module.Class` at `--` and
 * fetches `module.py` from that repository; without it, from the model's own folder or repository.
 */
function toReference(key: string, value: string): CodeReference {
  const i = value.indexOf('--');
  return i < 0 ? { key, reference: value } : { key, reference: value.slice(i + 2), repo: value.slice(0, i) };
}

/**
 * `auto_map` (config.json, tokenizer_config.json, processor configs): `Auto*` → `module.Class`, or for
 * tokenizers a `[slow, fast]` pair that may hold null. `custom_pipelines` (config.json): task → `{ impl, … }`,
 * read by `transformers.pipeline` (`PIPELINE_REGISTRY` lookups of `custom_tasks`). Both are imported only with
 * `trust_remote_code=True` (`resolve_trust_remote_code` raises otherwise).
 */
function referencesOf(config: JsonValue | undefined): CodeReference[] {
  const out: CodeReference[] = [];
  if (!isObject(config)) return out;
  const autoMap = config.auto_map;
  if (isObject(autoMap))
    for (const [name, v] of Object.entries(autoMap)) {
      for (const s of Array.isArray(v) ? v : [v])
        if (typeof s === 'string' && s.length > 0) out.push(toReference(`auto_map.${name}`, s));
    }
  const pipelines = config.custom_pipelines;
  if (isObject(pipelines))
    for (const [task, v] of Object.entries(pipelines)) {
      const impl = isObject(v) ? v.impl : undefined;
      if (typeof impl === 'string' && impl.length > 0) out.push(toReference(`custom_pipelines.${task}.impl`, impl));
    }
  return out;
}

/** Which JSON config: PEFT's adapter_config.json, a folder's config.json (Hugging Face or Keras), or another one. */
type ConfigKind = 'adapter' | 'config' | 'other';

function* hfConfigSteps(src: RandomAccess, out: Findings, kind: ConfigKind = 'other'): ParseSteps<void> {
  if (src.size > MAX_FILE) throw new FormatError(`file of ${src.size} bytes is past the limit`, 0, 'limit');
  const text = (yield* readAt(src, 0, src.size)).toString('utf8').replace(/^\uFEFF/, '');
  const parsed = configOf(text);
  const config = parsed?.value;
  if (Array.isArray(config)) return sentenceTransformerModules(config, text, out);
  if (kind === 'adapter') return peftAdapterFindings(config, text, out);
  // A Keras 3 model saved unzipped (or pulled from the Hub with `hf://`) is a folder whose config.json Keras
  // deserializes exactly as it does the archive's member (`saving_lib._load_model_from_dir`).
  // KerasHub presets keep their backbone there too (`KerasPresetLoader.load_backbone`).
  if (kind === 'config' && isKerasDirConfig(config)) {
    unreadKerasDeep(parsed?.deep, out);
    checkKerasConfig(config, out, undefined, true);
  }
  const refs = referencesOf(config);
  if (refs.length === 0) return;
  const remote = refs.filter((r) => r.repo !== undefined);
  const listed = refs
    .slice(0, MAX_LISTED)
    .map((r) => `${r.key} → ${r.repo !== undefined ? `${r.repo}--` : ''}${r.reference}`);
  const modules = [...new Set(refs.filter((r) => r.repo === undefined).map((r) => moduleFile(r.reference)))];
  const where =
    remote.length > 0
      ? `code from other repositories (${[...new Set(remote.map((r) => r.repo!))].join(', ')})`
      : `the folder's own ${modules.join(', ')}`;
  out.add(
    'CPI115',
    `the config maps ${listed.slice(0, 3).join(', ')}${refs.length > 3 ? ` and ${refs.length - 3} more` : ''} to Python code: transformers imports and runs ${where} when this model is loaded with trust_remote_code=True (it refuses without). Review that code and pin it, or use a model class transformers implements.`,
    {
      references: listed.join('; '),
      ...(modules.length ? { modules: modules.join(', ') } : {}),
      ...(remote.length ? { repositories: [...new Set(remote.map((r) => r.repo!))].join(', ') } : {}),
    },
    undefined,
    // Code from another repository is not even in the folder that was reviewed and hashed.
    remote.length > 0 ? 'error' : undefined,
    lineOfKey(text, refs[0]!.key.split('.')[0]!),
  );
}

/**
 * sentence-transformers' `modules.json` (`[{ idx, name, path, type }]`): `SentenceTransformer._load_sbert_model`
 * resolves each `type` with `_load_module_class_from_ref`, which imports `sentence_transformers.*` directly and
 * anything else with `get_class_from_dynamic_module` whenever the model is a local folder — no
 * trust_remote_code needed — falling back to `import_from_string` (any installed module).
 */
function sentenceTransformerModules(modules: readonly JsonValue[], text: string, out: Findings): void {
  const foreign: string[] = [];
  for (const m of modules) {
    if (!isObject(m) || typeof m.idx !== 'number' || typeof m.type !== 'string') continue;
    if (!m.type.startsWith('sentence_transformers.')) foreign.push(m.type);
  }
  if (foreign.length === 0) return;
  out.add(
    'CPI115',
    `modules.json names module types outside sentence-transformers (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ` and ${foreign.length - 3} more` : ''}): SentenceTransformer imports them from the model folder's Python files when it is loaded from a local folder, without trust_remote_code, or else as installed modules. Review that code before loading, or use sentence-transformers' own modules.`,
    { types: foreign.slice(0, MAX_LISTED).join(', ') },
    undefined,
    'error',
    lineOfKey(text, 'type'),
  );
}

/** `modeling_x.XModel` → `modeling_x.py` (the module is everything before the last dot). */
function moduleFile(reference: string): string {
  const i = reference.lastIndexOf('.');
  return `${i < 0 ? reference : reference.slice(0, i)}.py`;
}

export const repoCodeAnalyser: ModelAnalyser = {
  name: 'repo-code',
  formats: formatsReadBy('repo-code'),
  analyze(file, ctx) {
    if (file.claimed === 'keras-json-file')
      return analyseWith(file, 'the Keras model JSON', (src, out) => kerasJsonFileSteps(src, out), ctx.files);
    if (file.format === 'diffusers-index') return analyseDiffusersIndex(file, ctx);
    if (file.format === 'keras-hub-preset') return analyseKerasHubPreset(file, ctx);
    if (file.format === 'mlflow-model')
      return analyseWith(file, 'the MLmodel file', (src, out) => mlflowFindings(src, out), ctx.files);
    if (file.format === 'nemo2-context')
      return analyseWith(
        file,
        'the NeMo 2 context',
        (src, out) => nemo2ContextFindings(src, out, { extra: ctx.policy.models.allowedGlobals }),
        ctx.files,
      );
    if (file.format === 'nemo-extracted-config')
      return analyseWith(
        file,
        'the NeMo model config',
        (src, out) => nemoExtractedConfigFindings(src, out, { extra: ctx.policy.models.allowedGlobals }),
        ctx.files,
      );
    if (file.format === 'speechbrain-hparams')
      return analyseWith(
        file,
        'the SpeechBrain hyperparams',
        (src, out) => speechbrainHparamsFindings(src, out, { extra: ctx.policy.models.allowedGlobals }),
        ctx.files,
      );
    if (file.claimed === 'yaml-python-tags')
      return analyseWith(
        file,
        'the YAML python tags',
        (src, out) => yamlPythonTagFindings(src, out, { extra: ctx.policy.models.allowedGlobals }),
        ctx.files,
      );
    if (file.format === 'shard-index') return analyseWith(file, 'the shard index', shardIndexSteps, ctx.files);
    // chat_template.jinja files share the tokenizer config's catalogue entry; only JSON configs have an auto_map.
    if (!/\.json$/i.test(file.path)) return Promise.resolve({ status: 'ok', findings: [] });
    const kind: ConfigKind = /(^|\/)adapter_config\.json$/.test(file.path)
      ? 'adapter'
      : /(^|\/)config\.json$/.test(file.path)
        ? 'config'
        : 'other';
    return analyseWith(file, 'the model config', (src, out) => hfConfigSteps(src, out, kind), ctx.files);
  },
};
