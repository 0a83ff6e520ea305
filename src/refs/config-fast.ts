import {
  KSERVE_VIA,
  KUBEAI_VIA,
  RAY_LLM_VIA,
  looksLikeRepoId,
  ADAPTER_KEY,
  ownRevisionKey,
  parseModelUrl,
  revisionKind,
} from './ids.js';
import { collectReference, type CallFacts, type Resolved } from './calls.js';
import { KSERVE_STORAGE_URI, MODEL_KEYS, jsonMayNameModel } from './prefilter.js';
import { sourceExtension } from './sources.js';
import { lineIndex } from './text.js';
import type { FileReferences } from './types.js';
import { vllmConfigReferences } from './vllm-options.js';
import { lmEvalConfigReferences } from './toolkit-clis.js';

/**
 * Model references in a YAML config without the `yaml` library, when the file is the plain block mappings training
 * configs are written as: `key: value` lines, nested mappings under `key:`, lists of plain values, comments.
 * Loading `yaml` costs more CPU than the rest of source scanning (bench `refs`). Anything else — flow collections,
 * anchors, tags, block scalars, multi-line or escaped scalars, several documents, tabs, CR — gives undefined, and
 * config.ts reads the file with `yaml` as before. JSON goes there too, unless its document names no model key
 * (`jsonNamesNoModel`).
 *
 * Values are typed as `yaml` types them under its default YAML 1.2 core schema (node_modules/yaml/dist/schema/core/
 * bool.js, int.js, float.js, common/null.js `test` patterns); the mappings are walked as config.ts walks yaml's
 * nodes, in the same order (test/refs/config-fast.test.ts holds the two together).
 */
/**
 * The references of one mapping, given its string values by key (with their offsets) and whether it sets
 * `trust_remote_code: true`: each model key naming a hub repo id or model URL, with the revision set beside it.
 * Shared by both readers, so they judge a mapping alike.
 */
export function mappingReferences(
  out: FileReferences,
  path: string,
  scalars: ReadonlyMap<string, { value: string; at: number }>,
  trust: boolean,
  existsLocally: (p: string) => boolean,
  position: (offset: number) => { line: number; column: number },
  mergekit = false,
  /** The mapping's `args:` list of strings, read when asked (KubeAI's Model spec, `kubeaiModel`). */
  args: () => readonly string[] | undefined = () => undefined,
  /** The string the document holds at a dotted path from its root (`interpolatedValue`), if any. */
  atPath: (keys: readonly string[]) => string | undefined = () => undefined,
): void {
  const url = scalars.get('url');
  if (url && KUBEAI_ENGINES.has(scalars.get('engine')?.value ?? ''))
    kubeaiModel(out, path, url, args(), existsLocally, position);
  const before = out.references.length + out.dynamic.length;
  keyReferences(out, path, scalars, trust, existsLocally, position, mergekit, atPath);
  // A Hydra node whose keys name no model by a key of their own (`model:` of `transformers.pipeline`, `vllm.LLM`):
  // the call it makes, as that loader reads its arguments.
  const target = scalars.get(HYDRA_TARGET);
  if (target && out.references.length + out.dynamic.length === before)
    hydraCall(out, path, target, scalars, trust, existsLocally, position, atPath);
}

/** Hydra's key for the callable a config node instantiates. */
const HYDRA_TARGET = '_target_';

/**
 * Hydra's `instantiate` (hydra/_internal/instantiate/_instantiate2.py `instantiate_node`, `_call_target`): `_target_`
 * is the callable's dotted path (`_locate`), the node's other keys its keyword arguments (the `_…_` ones are
 * instantiate's own), each value interpolated by OmegaConf first. Read as that Python call (calls.ts), placed at
 * `_target_`; a list (`_args_`) or a nested node is left out.
 */
function hydraCall(
  out: FileReferences,
  path: string,
  target: { value: string; at: number },
  scalars: ReadonlyMap<string, { value: string; at: number }>,
  trust: boolean,
  existsLocally: (p: string) => boolean,
  position: (offset: number) => { line: number; column: number },
  atPath: (keys: readonly string[]) => string | undefined,
): void {
  const keywords = new Map<string, Resolved>();
  for (const [key, { value }] of scalars) {
    if (key.startsWith('_') && key.endsWith('_')) continue;
    const written = interpolatedValue(value, scalars, atPath);
    const env = omegaConfEnv(written);
    keywords.set(key, env ? { value: undefined, isString: true, env } : { value: written, isString: true });
  }
  // A bool the node sets (`trust_remote_code: true`) is no string: passed as Python's True.
  if (trust) keywords.set('trust_remote_code', { value: 'True', isString: false });
  const { line, column } = position(target.at);
  const facts: CallFacts = {
    written: target.value,
    resolved: target.value,
    positional: [],
    keywords,
    splat: false,
    line,
    column,
    lang: 'python',
  };
  const called: FileReferences = { references: [], dynamic: [] };
  collectReference(path, facts, existsLocally, called);
  // Pinned as that call is: by its keyword (`revision`, vLLM's `tokenizer_revision`), written as the node's key.
  for (const r of called.references) out.references.push({ inline: 'python', ...r });
  out.dynamic.push(...called.dynamic);
}

/** `mappingReferences`' reading by key: each model key's value, with the revision beside it. */
function keyReferences(
  out: FileReferences,
  path: string,
  scalars: ReadonlyMap<string, { value: string; at: number }>,
  trust: boolean,
  existsLocally: (p: string) => boolean,
  position: (offset: number) => { line: number; column: number },
  mergekit: boolean,
  atPath: (keys: readonly string[]) => string | undefined,
): void {
  for (const [key, { value: asWritten, at }] of scalars) {
    const written = interpolatedValue(asWritten, scalars, atPath);
    if (mergekit && MERGEKIT_MODEL_KEYS.has(key)) {
      mergekitReferences(out, path, key, written, position(at), existsLocally);
      continue;
    }
    if (key === KSERVE_STORAGE_URI) {
      kserveStorageUri(out, path, written, position(at));
      continue;
    }
    const axolotl = AXOLOTL_MODEL_KEYS.has(key) && scalars.has('base_model');
    if (!MODEL_KEYS.has(key) && !axolotl) continue;
    const nameEnv = omegaConfEnv(written);
    // axolotl loaders/tokenizer.py `load_tokenizer`: `from_pretrained(cfg.tokenizer_config, trust_remote_code=…)`,
    // no revision.
    const noRevision = axolotl && key === 'tokenizer_config';
    const revisionWritten = noRevision ? undefined : revisionFor(key, scalars);
    const revisionValue =
      revisionWritten === undefined ? undefined : interpolatedValue(revisionWritten, scalars, atPath);
    const revisionEnv = revisionValue === undefined ? undefined : omegaConfEnv(revisionValue);
    const revision = revisionEnv ? revisionEnv.fallback : revisionValue;
    const pos = position(at);
    if (nameEnv?.fallback === undefined && nameEnv !== undefined) {
      // `${oc.env:MODEL}` with no default: the model is whatever the run's environment names.
      out.dynamic.push({ path, line: pos.line, column: pos.column, via: key, runsRemoteCode: trust });
      continue;
    }
    const whole = nameEnv?.fallback ?? written;
    // An adapter is PEFT's `PeftModel.from_pretrained`, which drops trust_remote_code (peft_model.py / config.py
    // `_split_kwargs`) and runs no code of the adapter repo: the base model's key says whether its code runs.
    const adapter = key === ADAPTER_KEY;
    // Each adapter is placed at the value (a quoted or merged value's parts have no offset of their own to show).
    for (const value of adapter ? adapterPaths(whole) : [whole]) {
      const url = parseModelUrl(value);
      if (!url && !looksLikeRepoId(value, existsLocally)) continue;
      // A generic key (`model_name`, `model_id`) names API models as often (`gpt-4o-mini`, `text-embedding-3-small`,
      // `claude-3-5-sonnet-…`): there a name with no organisation is a hub repo only in the legacy canonical families.
      if (!url && !key.endsWith('name_or_path') && !value.includes('/') && !LEGACY_CANONICAL.test(value)) continue;
      const rev = revision ?? url?.revision;
      out.references.push({
        path,
        line: pos.line,
        column: pos.column,
        via: key,
        hub: url?.hub ?? 'huggingface',
        repoId: url ? (url.repoId ?? value) : value,
        ...(url ? { url: url.url } : {}),
        ...(rev !== undefined ? { revision: rev } : {}),
        revisionKind: url?.hub === 'url' ? 'none' : revisionKind(rev),
        ...(revisionEnv ? { revisionFrom: revisionEnv.variable } : {}),
        ...(nameEnv ? { nameFrom: nameEnv.variable } : {}),
        ...(noRevision ? { takesNoRevision: true as const } : {}),
        runsRemoteCode: trust && !adapter,
      });
    }
  }
}

/**
 * LLaMA-Factory hparams/model_args.py `ModelArguments.__post_init__`: `adapter_name_or_path` is split at `,` and each
 * part stripped — several adapters merged in order (model/adapter.py `_setup_lora_tuning` loads each with
 * `PeftModel.from_pretrained(model, adapter, revision=model_args.model_revision, …)`).
 */
function adapterPaths(value: string): string[] {
  return value.split(',').flatMap((part) => (part.trim() === '' ? [] : [part.trim()]));
}

/**
 * axolotl's keys for a second hub download beside `base_model`, read only in a mapping that names one:
 * loaders/utils.py `load_model_config` reads `AutoConfig.from_pretrained(cfg.base_model_config or cfg.base_model,
 * trust_remote_code=…, revision=cfg.revision_of_model)`; loaders/tokenizer.py `load_tokenizer` reads
 * `cfg.tokenizer_config` (the base model when unset) with the same trust_remote_code and no revision.
 */
const AXOLOTL_MODEL_KEYS: ReadonlySet<string> = new Set(['base_model_config', 'tokenizer_config']);

/**
 * kserve_storage.py `Storage._download_hf`: `hf://<repo>/<model>[:<revision>]` — exactly one `/` after the scheme,
 * neither part empty (else ValueError: nothing is downloaded) — is `snapshot_download(repo_id="<repo>/<model>",
 * revision=<revision> or None)`, the whole repository at that revision or the default branch. Other schemes (s3://,
 * gs://, pvc://…) are storage of the deployer's own.
 */
function kserveStorageUri(
  out: FileReferences,
  path: string,
  written: string,
  pos: { line: number; column: number },
): void {
  if (!written.startsWith('hf://')) return;
  const parts = written.slice('hf://'.length).split('/');
  if (parts.length !== 2 || parts[0] === '') return;
  const [repo, modelPart] = parts as [string, string];
  const colon = modelPart.indexOf(':');
  const model = colon < 0 ? modelPart : modelPart.slice(0, colon);
  const revision = colon < 0 || colon === modelPart.length - 1 ? undefined : modelPart.slice(colon + 1);
  if (model === '') return;
  out.references.push({
    path,
    line: pos.line,
    column: pos.column,
    via: KSERVE_VIA,
    hub: 'huggingface',
    repoId: `${repo}/${model}`,
    ...(revision !== undefined ? { revision } : {}),
    revisionKind: revisionKind(revision),
    runsRemoteCode: false,
  });
}

/** KubeAI's engines that load a hub model from a Model's `url: hf://…` (api/k8s/v1/model_types.go `ModelSpec.URL`). */
const KUBEAI_ENGINES: ReadonlySet<string> = new Set(['VLLM', 'FasterWhisper', 'Infinity']);

/**
 * KubeAI's Model `spec` (api/k8s/v1/model_types.go): `url: hf://<repo>/<model>` is the hub repo its server loads
 * (internal/modelcontroller/model_source.go `parseModelURL`: everything after the scheme), at the default branch
 * unless the spec's `args`, which the server gets after KubeAI's own `--model=<repo>` (engine_vllm.go
 * `vLLMPodForModel`), name a `--revision` (argparse: the last one wins); `--trust-remote-code` there runs the
 * repository's code. `pvc://`, `s3://`, `gs://` and `oss://` are the deployer's own storage; `ollama://` (the OLlama
 * engine) is not read here.
 */
function kubeaiModel(
  out: FileReferences,
  path: string,
  url: { value: string; at: number },
  args: readonly string[] | undefined,
  existsLocally: (p: string) => boolean,
  position: (offset: number) => { line: number; column: number },
): void {
  const m = /^hf:\/\/(\S+)$/.exec(url.value);
  if (!m || !looksLikeRepoId(m[1]!, existsLocally)) return;
  let revision: string | undefined;
  let trust = false;
  for (let i = 0; i < (args?.length ?? 0); i++) {
    const a = args![i]!;
    if (a === '--revision' && args![i + 1] !== undefined) revision = args![++i];
    else if (a.startsWith('--revision=')) revision = a.slice('--revision='.length);
    else if (a === '--trust-remote-code') trust = true;
  }
  out.references.push({
    path,
    ...position(url.at),
    via: KUBEAI_VIA,
    hub: 'huggingface',
    repoId: m[1]!,
    ...(revision !== undefined ? { revision } : {}),
    revisionKind: revisionKind(revision),
    runsRemoteCode: trust,
  });
}

/** Ray Serve LLM's LLMConfig key that says which model a deployment loads (`rayModelLoading`). */
export const RAY_MODEL_LOADING = 'model_loading_config';

/**
 * Ray Serve LLM's LLMConfig as YAML (a serve config's `llm_configs:` entries, or an LLMConfig file of its own): the
 * model a deployment loads is `model_loading_config.model_source` — a hub repo id, a local path, or a cloud mirror
 * (an `s3://`, `gs://`, `abfss://` or `azure://` URI, or a mirror mapping) — and when that is omitted, `model_id`
 * as a hub repo id (ray/llm/_internal/serve/configs ModelLoadingConfig); `model_id` beside a source only names the
 * model to clients. vLLM loads it with the sibling `engine_kwargs` (VLLMEngineConfig.get_initialization_kwargs:
 * `engine_kwargs["model"] = actual_hf_model_id`): its `revision` and `trust_remote_code`. `loading` holds the
 * mapping's string values, `sourceIsMap` whether `model_source` is a mapping; `engine` the engine_kwargs mapping's
 * (undefined for none).
 */
export function rayModelLoading(
  out: FileReferences,
  path: string,
  loading: ReadonlyMap<string, { value: string; at: number }>,
  sourceIsMap: boolean,
  engine: { readonly scalars: ReadonlyMap<string, { value: string }>; readonly trust: boolean } | undefined,
  existsLocally: (p: string) => boolean,
  position: (offset: number) => { line: number; column: number },
): void {
  if (sourceIsMap) return;
  const source = loading.get('model_source') ?? loading.get('model_id');
  if (!source || /^(?:s3|gs|abfss|azure):\/\//.test(source.value) || !looksLikeRepoId(source.value, existsLocally))
    return;
  const revision = engine?.scalars.get('revision')?.value;
  out.references.push({
    path,
    ...position(source.at),
    via: RAY_LLM_VIA,
    hub: 'huggingface',
    repoId: source.value,
    ...(revision !== undefined ? { revision } : {}),
    revisionKind: revisionKind(revision),
    runsRemoteCode: engine?.trust === true,
  });
}

/**
 * Whether a config's top-level keys are a mergekit config's: `mergekit-yaml`'s MergeConfiguration (mergekit/config.py,
 * `merge_method` required) or `mergekit-moe`'s MoEMergeConfig (mergekit/moe/config.py: `base_model` and `experts`).
 */
export function isMergekitConfig(keys: readonly string[]): boolean {
  return keys.includes('merge_method') || (keys.includes('experts') && keys.includes('base_model'));
}

/**
 * The keys whose string values mergekit validates as a ModelReference: `models[].model`, `slices[].sources[].model`,
 * `base_model`, `tokenizer_source` (besides "base" and "union"), and mergekit-moe's `experts[].source_model`.
 */
const MERGEKIT_MODEL_KEYS: ReadonlySet<string> = new Set(['model', 'base_model', 'source_model', 'tokenizer_source']);

/**
 * mergekit/common.py `ModelReference.validate_string`: `<model>[+<lora>]` (a third `+` part is an error), each a
 * `ModelPath` of `<path>[@<revision>]` (a second `@` is an error); `local_path` reads a path that exists and
 * otherwise `snapshot_download(path, revision=…)`s it, the LoRA through `PeftModel.from_pretrained(…, revision=…)`.
 */
function mergekitReferences(
  out: FileReferences,
  path: string,
  key: string,
  written: string,
  pos: { line: number; column: number },
  existsLocally: (p: string) => boolean,
): void {
  if (key === 'tokenizer_source' && (written === 'base' || written === 'union')) return;
  const parts = written.split('+').map((chunk) => chunk.split('@'));
  if (parts.length > 2 || parts.some((p) => p.length > 2)) return;
  parts.forEach(([repo, revision], i) => {
    if (repo === undefined || !looksLikeRepoId(repo, existsLocally)) return;
    out.references.push({
      path,
      ...pos,
      via: `mergekit ${key}${i === 1 ? ' (LoRA)' : ''}`,
      hub: 'huggingface',
      repoId: repo,
      ...(revision !== undefined && revision !== '' ? { revision } : {}),
      revisionKind: revisionKind(revision === '' ? undefined : revision),
      runsRemoteCode: false,
    });
  });
}

/**
 * transformers' model ids from before the hub had organisations (the pytorch-transformers models, moved under
 * `google-bert/`, `openai-community/`… and still served by their old names): `bert-base-uncased`, `gpt2`, `t5-small`.
 */
const LEGACY_CANONICAL =
  /^(?:albert|bart|bert|camembert|ctrl|distilbert|distilgpt2|distilroberta|gpt2|openai-gpt|roberta|t5|transfo-xl|xlm|xlnet)(?:-[\w.-]*)?$/;

/**
 * OmegaConf's node interpolation, which Hydra configs use to name one model twice (`tokenizer:
 * pretrained_model_name_or_path: ${model.pretrained_model_name_or_path}`): a value that is only `${a.b.c}` is the
 * value at that path from the config's root, `${.key}` the same mapping's `key` (omegaconf/grammar
 * `OmegaConfGrammarParser` interpolationNode, resolved by `BaseContainer._resolve_node_interpolation`). Followed
 * through a few hops to a string this document holds; anything else (a path to another config of a Hydra
 * composition, a list index, a resolver other than `oc.env`) stays as written.
 */
export function interpolatedValue(
  value: string,
  scalars: ReadonlyMap<string, { value: string }>,
  atPath: (keys: readonly string[]) => string | undefined,
): string {
  let got = value;
  for (let hop = 0; hop < 8; hop++) {
    const m = NODE_INTERPOLATION.exec(got);
    if (!m) return got;
    const keys = m[2]!.split('.');
    const next = m[1] === '.' ? (keys.length === 1 ? scalars.get(keys[0]!)?.value : undefined) : atPath(keys);
    if (next === undefined) return got;
    got = next;
  }
  return got;
}

/** `${a.b.c}` (from the root) or `${.key}` (the same mapping): keys of word characters and `-`. */
const NODE_INTERPOLATION = /^\$\{(\.?)([\w-]+(?:\.[\w-]+)*)\}$/;

/**
 * OmegaConf's `oc.env` resolver, which Hydra configs use: `${oc.env:VAR}` is the variable's value (an error when it
 * is unset), `${oc.env:VAR,default}` the default when it is unset (omegaconf/resolvers/oc/__init__.py `env`;
 * the default is a grammar value: quotes stripped, `null` is None). Anything else is not an env read.
 */
function omegaConfEnv(value: string): { readonly variable: string; readonly fallback?: string } | undefined {
  const m = /^\$\{oc\.env:\s*([A-Za-z_]\w*)\s*(?:,(.*))?\}$/.exec(value);
  if (!m) return undefined;
  const raw = m[2]?.trim();
  const fallback = raw === undefined || raw === 'null' ? undefined : raw.replace(/^(['"])(.*)\1$/, '$2');
  return fallback === undefined ? { variable: m[1]! } : { variable: m[1]!, fallback };
}

export function findConfigReferencesFast(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
): FileReferences | undefined {
  const ext = sourceExtension(path);
  if (ext === 'json') return jsonNamesNoModel(text) ? { references: [], dynamic: [] } : undefined;
  if (ext !== 'yaml' && ext !== 'yml') return undefined;
  const root = readBlocks(text);
  if (!root) return undefined;
  const at = lineIndex(text);
  const out: FileReferences = { references: [], dynamic: [] };
  const mergekit = root.kind === 'map' && isMergekitConfig(root.pairs.map((p) => p.key));
  // vLLM's config file: its top-level keys are `vllm serve` options (vllm-options.ts).
  vllmConfigReferences(out, path, root, existsLocally, at);
  // lm_eval's config file: `model_args` at its root (toolkit-clis.ts).
  lmEvalConfigReferences(out, path, root, existsLocally, at);
  // config.ts's walk: a stack (last pushed, first read), each mapping's string values by key (the last of a key
  // wins, in the place of its first), the values that are not strings pushed.
  const stack: Value[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind === 'seq') {
      stack.push(...node.items);
      continue;
    }
    if (node.kind !== 'map') continue;
    const scalars = new Map<string, { value: string; at: number }>();
    for (const { key, value } of node.pairs) {
      if (value.kind === 'scalar' && typeof value.value === 'string')
        scalars.set(key, { value: value.value, at: value.at });
      // Ray Serve LLM's model_loading_config is read with its engine_kwargs (`rayModelLoading`), not as a config.
      else if (key === RAY_MODEL_LOADING && value.kind === 'map') {
        const own = stringsOf(value);
        const engine = node.pairs.findLast((p) => p.key === 'engine_kwargs')?.value;
        rayModelLoading(
          out,
          path,
          own,
          value.pairs.some((p) => p.key === 'model_source' && p.value.kind === 'map'),
          engine?.kind === 'map' ? { scalars: stringsOf(engine), trust: trustOf(engine) } : undefined,
          existsLocally,
          at,
        );
      } else stack.push(value);
    }
    mappingReferences(
      out,
      path,
      scalars,
      trustOf(node),
      existsLocally,
      at,
      mergekit,
      () => {
        const list = node.pairs.findLast((p) => p.key === 'args')?.value;
        if (list?.kind !== 'seq') return undefined;
        return list.items.flatMap((i) => (i.kind === 'scalar' && typeof i.value === 'string' ? [i.value] : []));
      },
      (keys) => stringAt(root, keys),
    );
  }
  return out;
}

/** The string at a dotted path from the root (each key's last value, as yaml's `getIn` reads it). */
function stringAt(root: Value, keys: readonly string[]): string | undefined {
  let node: Value | undefined = root;
  for (const key of keys) node = node?.kind === 'map' ? node.pairs.findLast((p) => p.key === key)?.value : undefined;
  return node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
}

/** A block mapping's string values by key (the last of a key wins, in the place of its first), as config.ts reads. */
function stringsOf(node: Value & { kind: 'map' }): Map<string, { value: string; at: number }> {
  const scalars = new Map<string, { value: string; at: number }>();
  for (const { key, value } of node.pairs)
    if (value.kind === 'scalar' && typeof value.value === 'string')
      scalars.set(key, { value: value.value, at: value.at });
  return scalars;
}

/** config.ts: the last scalar `trust_remote_code` of the mapping decides (a later key overrides an earlier one). */
function trustOf(node: Value & { kind: 'map' }): boolean {
  const trust = node.pairs.findLast((p) => p.key === 'trust_remote_code' && p.value.kind === 'scalar');
  return trust?.value.kind === 'scalar' && trustsRemoteCode(trust.value.value, trust.value.plain);
}

/**
 * The revision beside a model key: its own (`base_model` → `base_model_revision`, `tokenizer_name` →
 * `tokenizer_revision`), else the mapping's `revision` or `model_revision`, which transformers' example scripts pass
 * to the config, tokenizer and model alike. Another key's own revision is not this one's (axolotl's
 * `base_model_revision` says nothing of the tokenizer).
 */
function revisionFor(key: string, scalars: ReadonlyMap<string, { value: string }>): string | undefined {
  // axolotl: `revision_of_model` (its validation maps `model_revision` onto it) is the revision of `base_model`
  // (loaders/model.py `model_kwargs["revision"]`) and of its config (loaders/utils.py `load_model_config`).
  const axolotl = key === 'base_model' || key === 'base_model_config' ? scalars.get('revision_of_model') : undefined;
  return (
    axolotl?.value ??
    scalars.get(ownRevisionKey(key))?.value ??
    scalars.get('revision')?.value ??
    scalars.get('model_revision')?.value
  );
}

type Value =
  | { readonly kind: 'scalar'; readonly value: unknown; readonly at: number; readonly plain: boolean }
  | { readonly kind: 'map'; readonly pairs: { readonly key: string; value: Value }[] }
  | { readonly kind: 'seq'; readonly items: Value[] };

/** A key this reader takes as written: not one `yaml` would read as a boolean, a null or a number. */
const KEY = /^[A-Za-z_][\w.-]*$/;
const TYPED_KEY = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE|[Nn]ull|NULL)$/;
/**
 * A plain scalar of ordinary characters (words, paths, URLs, numbers, single spaces between words, a `,` past the
 * first character, which only a flow collection reads as an indicator: LLaMA-Factory's adapter lists; a leading `-`
 * before one of them, as in `--flag` or `-1`: YAML's plain scalars may start with an indicator a safe character
 * follows), a `'…'` without
 * quotes inside, a `"…"` without escapes, or an OmegaConf interpolation (`${oc.env:VAR,default}`: a plain scalar
 * starting with `$`, no `: `, ` #` or nested braces); then an optional comment.
 */
const SCALAR = String.raw`(?:[\w./+~]|-(?=[\w./@+=~-]))(?:[\w./@+=~,-]|:(?=[\w./@+=~-])| (?=[\w./@+=~-]))*|'[^'\n]*'|"[^"\\\n]*"|\$\{(?:[^{}\n#:\s]|:(?=\S)| (?=[^\s#]))*\}`;
const PAIR = new RegExp(String.raw`^( *)([^\s:#][^\s:]*):(?: +(${SCALAR}))? *(?: #.*)?$`);
const ITEM = new RegExp(String.raw`^( *)- +(${SCALAR}) *(?: #.*)?$`);

/** The block structure, or undefined when a line is not one of the shapes above. */
function readBlocks(text: string): Value | undefined {
  if (/[\r\t\uFEFF]/.test(text)) return undefined;
  const lines = text.split('\n');
  // config.ts stops after MAX_NODES nodes, and yaml refuses implicit keys past 1024 characters: well inside both.
  if (lines.length > 100_000 || lines.some((l) => l.length > 1000)) return undefined;
  const stack: { indent: number; node: Value }[] = [];
  let open: { pair: { value: Value }; indent: number } | undefined;
  let offset = 0;
  for (const line of lines) {
    const start = offset;
    offset += line.length + 1;
    if (/^ *(?:#.*)?$/.test(line)) continue;
    const pair = PAIR.exec(line);
    const item = pair ? undefined : ITEM.exec(line);
    const m = pair ?? item;
    if (!m) return undefined;
    const indent = m[1]!.length;
    const kind = pair ? 'map' : 'seq';
    if (open && indent > open.indent) {
      // The block under `key:`.
      const child: Value = kind === 'map' ? { kind, pairs: [] } : { kind, items: [] };
      open.pair.value = child;
      stack.push({ indent, node: child });
    } else if (stack.length === 0) {
      if (indent !== 0 || kind !== 'map') return undefined;
      stack.push({ indent, node: { kind: 'map', pairs: [] } });
    }
    open = undefined;
    while (stack.length > 0 && stack[stack.length - 1]!.indent > indent) stack.pop();
    const top = stack[stack.length - 1];
    if (!top || top.indent !== indent || top.node.kind !== kind) return undefined;
    const raw = pair ? m[3] : m[2];
    const valueAt =
      raw === undefined ? start + line.length : start + line.indexOf(raw, indent + (pair ? m[2]!.length + 1 : 1));
    const value: Value = {
      kind: 'scalar',
      value: raw === undefined ? null : typed(raw),
      at: valueAt,
      plain: raw === undefined || !(raw.startsWith("'") || raw.startsWith('"')),
    };
    if (top.node.kind === 'seq') top.node.items.push(value);
    else if (top.node.kind === 'map') {
      const key = m[2]!;
      if (!KEY.test(key) || TYPED_KEY.test(key)) return undefined;
      const p = { key, value };
      top.node.pairs.push(p);
      if (raw === undefined) open = { pair: p, indent };
    }
  }
  return stack[0]?.node;
}

/**
 * Whether a YAML scalar sets `trust_remote_code` as Python reads the config: a boolean true, or a plain (unquoted)
 * `yes`/`on` in any of its cases, which PyYAML's SafeLoader (YAML 1.1 `bool` resolver, `yaml.safe_load`, what
 * transformers' `HfArgumentParser.parse_yaml_file` and most training scripts load configs with) reads as True,
 * where yaml's 1.2 core schema keeps a string.
 */
export function trustsRemoteCode(value: unknown, plain: boolean): boolean {
  return value === true || (plain && typeof value === 'string' && /^(?:yes|Yes|YES|on|On|ON)$/.test(value));
}

/** A scalar's value under yaml's core schema: quoted is a string; plain is null, a boolean, a number or a string. */
function typed(raw: string): unknown {
  if (raw.startsWith("'") || raw.startsWith('"')) return raw.slice(1, -1);
  if (/^(?:~|[Nn]ull|NULL)$/.test(raw)) return null;
  if (/^(?:[Tt]rue|TRUE)$/.test(raw)) return true;
  if (/^(?:[Ff]alse|FALSE)$/.test(raw)) return false;
  if (
    /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/.test(raw) ||
    /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(raw) ||
    /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(raw) ||
    /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(raw)
  )
    return 0;
  return raw;
}

/**
 * Whether a JSON config names no model for config.ts's walk, decided from JSON.parse's document (`jsonMayNameModel`)
 * without loading `yaml`. A file Python's json refuses is left to config.ts, which counts it as not searched.
 */
function jsonNamesNoModel(text: string): boolean {
  let value: unknown;
  try {
    value = parsePythonJson(text).value;
  } catch {
    return false;
  }
  return !jsonMayNameModel(value);
}

/**
 * A `.json` config's document as Python's `json.load` reads it, and the text JSON.parse read it from (offsets as in
 * `text`); throws as JSON.parse does on a text Python's json refuses too. The text is rewritten only when JSON.parse
 * refuses it (`asStrictJson` reads every string of the text).
 */
export function parsePythonJson(text: string): { value: unknown; json: string } {
  try {
    return { value: JSON.parse(text), json: text };
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
    const json = asStrictJson(text);
    return { value: JSON.parse(json), json };
  }
}

/**
 * The JSON text as JSON.parse takes what Python's `json.load` reads (transformers' `_dict_from_json_file` and training
 * scripts load `.json` configs with it): CPython's Lib/json/scanner.py `_scan_once` (and `_json.c` `scan_once_unicode`)
 * also reads the bare values `NaN`, `Infinity` and `-Infinity`, which `json.dump` writes for a float nan or inf (its
 * default `allow_nan=True`: a `max_grad_norm` or a logged loss), where JSON.parse refuses the whole file. Each is
 * made a number literal of its length, so every offset stays: `1.0e9999` and `-1.0e9999` are ±Infinity, `0.0`
 * stands for NaN (no literal is; the walk reads no number). Only a value is replaced — after `[`, `,`, `:` or
 * whitespace and before `]`, `}`, `,` or whitespace — never a string's text, a `-NaN` or a `1Infinity`, which Python
 * refuses as JSON.parse still does.
 */
function asStrictJson(text: string): string {
  return text.replace(PYTHON_CONSTANT, (m: string, constant: string | undefined) =>
    constant === undefined ? m : (STRICT_CONSTANT[constant] ?? m),
  );
}

// A string runs to its closing quote, or to the end when it has none (JSON.parse refuses that text anyway): a match
// that never fails, so no quote is tried twice.
const PYTHON_CONSTANT = /"[^"\\]*(?:\\[\s\S]?[^"\\]*)*"?|(?<![^ \t\n\r,:[])(NaN|-?Infinity)(?![^ \t\n\r,\]}])/g;
const STRICT_CONSTANT: Readonly<Record<string, string>> = {
  NaN: '0.0',
  Infinity: '1.0e9999',
  '-Infinity': '-1.0e9999',
};
