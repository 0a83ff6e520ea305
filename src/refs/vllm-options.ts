import { commandDownload, type Token } from './shell-words.js';
import type { FileReferences } from './types.js';
import { VLLM_CONFIG_KEYS } from './prefilter.js';
import { VLLM_CONFIG_VIA } from './ids.js';

/**
 * vLLM's and SGLang's options beyond the model they serve (its tokenizer, draft model and LoRA adapters), read the
 * same from a command line (servers.ts) and from vLLM's YAML config file (`vllmConfigReferences`). Here, apart from
 * servers.ts, so that config-fast.ts reads a vLLM config without loading the `yaml` library.
 */

/** A server's options as argparse reads them (`--name` → its value, '' for a flag alone) and its words as written. */
export interface ServerOptions {
  readonly via: string;
  readonly model?: Token;
  readonly options: Map<string, Token>;
  /** vLLM's and SGLang's arguments as written: their LoRA options take several words (`readLoraModules`). */
  readonly args?: readonly Token[];
}

/**
 * LoRA adapters a server loads at start-up, each at its default branch (no revision can be given):
 * - vLLM's `--lora-modules` (vllm/entrypoints/openai/cli_args.py: `nargs='+'`, `LoRAParserAction`): each word is
 *   `name=path` when it has a `=` and no `,` (split at `=`: a second `=` is an error), else JSON with a `path`. The
 *   server loads each (serving_models.py `init_static_loras` → `LoRARequest(…, lora_path=path)`), and
 *   vllm/lora/utils.py `get_adapter_absolute_path` keeps a path that is absolute, starts with `~` or exists, and
 *   `huggingface_hub.snapshot_download(repo_id=path)`s anything else; VLLM_USE_MODELSCOPE does not change this call.
 * - SGLang's `--lora-paths` (`nargs='*'`, argparse_actions.py `LoRAPathAction`, then server_args.py): JSON with a
 *   `lora_path`, `name=path` split at the first `=`, or a path that is its own name; lora/lora_config.py
 *   `LoRAConfig` `snapshot_download`s a path that is no local folder.
 */
export function readLoraModules(
  found: ServerOptions,
  place: (at: number, option: string) => { path: string; line: number; column: number; via: string },
  existsLocally: (p: string) => boolean,
  out: FileReferences,
): void {
  const server = LORA_SERVERS.find(([prefix]) => found.via.startsWith(prefix));
  if (!server || !found.args) return;
  const [, option, pathOf] = server;
  for (const path of loraPaths(found.args, option, pathOf))
    commandDownload(place(path.at, option), path, undefined, existsLocally, out, {
      runsRemoteCode: false,
      takesNoRevision: true,
    });
}

/** Each server's LoRA option and how one of its words names the adapter's path. */
const LORA_SERVERS: readonly (readonly [via: string, option: string, pathOf: (item: Token) => Token | undefined])[] = [
  ['vllm', '--lora-modules', vllmLoraPath],
  ['sglang', '--lora-paths', sglangLoraPath],
];

/** The adapter paths an option's words name (`--option=x` takes that one word, as argparse does). */
function loraPaths(args: readonly Token[], option: string, pathOf: (item: Token) => Token | undefined): Token[] {
  const paths: Token[] = [];
  const add = (item: Token) => {
    const path = pathOf(item);
    if (path) paths.push(path);
  };
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    if (t.text.startsWith(`${option}=`))
      add({ ...t, text: t.text.slice(option.length + 1), at: t.at + option.length + 1 });
    else if (t.text === option) while (args[i + 1] && !args[i + 1]!.text.startsWith('-')) add(args[++i]!);
  }
  return paths;
}

/** One `--lora-modules` word's path (vLLM's `LoRAParserAction`); undefined for a word vLLM would refuse. */
function vllmLoraPath(item: Token): Token | undefined {
  const { text } = item;
  if (text.includes('=') && !text.includes(',')) {
    const parts = text.split('=');
    if (parts.length !== 2) return undefined;
    return wordPart(item, parts[0]!.length + 1);
  }
  return jsonPath(item, 'path');
}

/** The rest of a word from `from` on: an expansion only if that part holds one (`$NAME=org/x` names org/x). */
function wordPart(item: Token, from: number): Token {
  const text = item.text.slice(from);
  const expands = item.expands && text.includes('$');
  return { text, at: item.at + from, expands, ...(expands && item.variable ? { variable: item.variable } : {}) };
}

/** One `--lora-paths` word's path (SGLang's `LoRAPathAction` and ServerArgs). */
function sglangLoraPath(item: Token): Token | undefined {
  const text = item.text.trim();
  if (text.startsWith('{') && text.endsWith('}')) return jsonPath(item, 'lora_path');
  const eq = item.text.indexOf('=');
  return eq < 0 ? item : wordPart(item, eq + 1);
}

/** A string field of a word that is a JSON object; undefined for anything else. */
function jsonPath(item: Token, key: string): Token | undefined {
  // JSON the shell expands into: what it names is the run time's.
  if (item.expands) return item;
  let config: unknown;
  try {
    // Text from the scanned file: parsed as untrusted data, one string field read.
    config = JSON.parse(item.text);
  } catch {
    return undefined;
  }
  const path = typeof config === 'object' && config !== null ? (config as Record<string, unknown>)[key] : undefined;
  return typeof path === 'string' ? { text: path, at: item.at, expands: false } : undefined;
}

/**
 * vLLM's other downloads at start-up, by the rules python-vllm.ts `vllmShape` follows (vllm/config/model.py
 * `ModelConfig.__post_init__`; EngineArgs `add_cli_args` gives each field its flag):
 * - `--tokenizer <name>` (the model's own when unset) at `--tokenizer-revision`, which defaults to `--revision`
 *   whether or not a tokenizer is named; `--tokenizer-revision` alone fetches the model repo's tokenizer files at that
 *   revision. Loaded with the same trust_remote_code (vllm/transformers_utils/tokenizer.py `get_tokenizer`).
 * - the draft model of `--speculative-config '{"model": …, "revision": …}'` (JSON, or the dotted
 *   `--speculative-config.model`): its own revision, never the target's, with the target's trust_remote_code
 *   (vllm/config/speculative.py `SpeculativeConfig.__post_init__`).
 */
export function readTokenizer(
  found: { via: string; model?: Token; options: Map<string, Token> },
  place: (at: number) => { path: string; line: number; column: number; via: string },
  existsLocally: (p: string) => boolean,
  out: FileReferences,
  hub: { hub?: 'modelscope' },
): void {
  if (!found.via.startsWith('vllm')) return;
  const { options, model } = found;
  const more = { runsRemoteCode: options.has('--trust-remote-code'), ...hub };
  const revision = options.get('--revision');
  const tokenizerRevision = options.get('--tokenizer-revision');
  const tokenizer = options.get('--tokenizer');
  const sameRevision = tokenizerRevision === undefined || tokenizerRevision.text === revision?.text;
  if (tokenizer && (tokenizer.text !== model?.text || tokenizer.expands || !sameRevision)) {
    const where = place(tokenizer.at);
    commandDownload(
      { ...where, via: `${where.via} --tokenizer` },
      tokenizer,
      tokenizerRevision ?? revision,
      existsLocally,
      out,
      more,
    );
  } else if (!tokenizer && model && !sameRevision) {
    const where = place(model.at);
    commandDownload(
      { ...where, via: `${where.via} --tokenizer-revision` },
      model,
      tokenizerRevision,
      existsLocally,
      out,
      more,
    );
  }
  const draft = speculativeModel(options);
  if (draft) {
    const where = place(draft.model.at);
    commandDownload(
      { ...where, via: `${where.via} --speculative-config` },
      draft.model,
      draft.revision,
      existsLocally,
      out,
      more,
    );
  }
}

/**
 * The draft model and revision of vLLM's `--speculative-config`: JSON (arg_utils.py parses it with `json.loads`) or
 * its dotted keys. JSON that does not parse, or whose model is no string, names nothing (vLLM would refuse it).
 */
function speculativeModel(options: Map<string, Token>): { model: Token; revision?: Token } | undefined {
  const dotted = options.get('--speculative-config.model');
  if (dotted) {
    const revision = options.get('--speculative-config.revision');
    return { model: dotted, ...(revision ? { revision } : {}) };
  }
  const json = options.get('--speculative-config');
  if (!json || json.expands) return undefined;
  let config: unknown;
  try {
    // Text from the scanned file: parsed as untrusted data, only two string fields read.
    config = JSON.parse(json.text);
  } catch {
    return undefined;
  }
  if (typeof config !== 'object' || config === null) return undefined;
  const { model, revision } = config as { model?: unknown; revision?: unknown };
  if (typeof model !== 'string') return undefined;
  return {
    model: { text: model, at: json.at, expands: false },
    ...(typeof revision === 'string' ? { revision: { text: revision, at: json.at, expands: false } } : {}),
  };
}

/** A YAML node as both config readers give it (config-fast.ts's block values; config.ts's yaml nodes, made alike). */
export type ConfigNode =
  | { readonly kind: 'scalar'; readonly value: unknown; readonly at: number; readonly plain: boolean }
  | { readonly kind: 'map'; readonly pairs: readonly { readonly key: string; readonly value: ConfigNode }[] }
  | { readonly kind: 'seq'; readonly items: readonly ConfigNode[] };

/** prefilter.ts `VLLM_CONFIG_KEYS`: a top-level key that makes a config vLLM's. */
const VLLM_KEYS: ReadonlySet<string> = new Set(VLLM_CONFIG_KEYS);
/**
 * Keys vLLM has no option for, which other tools' configs beside the same option names hold: ms-swift's InferArguments
 * (`infer_backend`, `train_type`, `use_hf`, with VllmArguments' unprefixed `gpu_memory_utilization`,
 * `max_model_len`… before 3.5; its model comes from ModelScope unless `use_hf`) and transformers-style training
 * configs (`model_name_or_path`). argparse refuses an unknown option, so vLLM itself would stop on such a file.
 */
const NOT_VLLM_KEYS: ReadonlySet<string> = new Set(['infer-backend', 'train-type', 'use-hf', 'model-name-or-path']);

/** PyYAML's SafeLoader (YAML 1.1 `bool`): the plain scalars it reads as True and as False. */
const YAML11_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const YAML11_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;

/** A scalar as PyYAML's SafeLoader types a bool (YAML 1.1: a plain `yes`, `on`…); undefined for any other value. */
export function pyYamlBool(node: ConfigNode & { kind: 'scalar' }): boolean | undefined {
  if (typeof node.value === 'boolean') return node.value;
  if (!node.plain || typeof node.value !== 'string') return undefined;
  return YAML11_TRUE.test(node.value) ? true : YAML11_FALSE.test(node.value) ? false : undefined;
}

/**
 * vLLM's YAML config file (`vllm serve [model] --config cfg.yaml`): vllm/utils/argparse_utils.py
 * FlexibleArgumentParser `load_config_file` reads it with `yaml.safe_load` and makes each top-level key an option —
 * `--key value`, `--key` alone for a true bool (nothing, or `--no-key`, for a false one), `--key` and each item for
 * a list, `--key '<json>'` for a mapping — which `_pull_args_from_config` puts before the command line's own (the
 * command line wins), and `parse_args` turns the key's underscores into dashes. `model` is the model `vllm serve`
 * loads when the command line names none. The model, its tokenizer, draft model and LoRA adapters are then read as
 * the same options on a command line are (`readTokenizer`, `readLoraModules`), placed at their values. The command
 * line that passes the file is not followed: the file says what it loads whoever starts the server with it.
 */
export function vllmConfigReferences(
  out: FileReferences,
  path: string,
  root: ConfigNode,
  existsLocally: (p: string) => boolean,
  position: (offset: number) => { line: number; column: number },
): void {
  if (root.kind !== 'map') return;
  const options = new Map<string, Token>();
  const args: Token[] = [];
  let vllm = false;
  for (const { key, value } of root.pairs) {
    // parse_args: underscores become dashes up to the first `.` (a dotted key sets one field of a JSON option).
    const dot = key.indexOf('.');
    const name = `--${dot < 0 ? key.replaceAll('_', '-') : key.slice(0, dot).replaceAll('_', '-') + key.slice(dot)}`;
    if (NOT_VLLM_KEYS.has(name.slice(2))) return;
    if (VLLM_KEYS.has(name.slice(2))) vllm = true;
    if (value.kind === 'scalar') {
      const bool = pyYamlBool(value);
      if (bool === true) options.set(name, { text: '', at: value.at, expands: false });
      else if (bool === false) options.delete(name);
      // A string for the flag (`"true"`, quoted) is a word argparse refuses after it: vLLM stops, running nothing.
      else if (name === '--trust-remote-code') options.delete(name);
      else if (typeof value.value === 'string') {
        const token = { text: value.value, at: value.at, expands: false };
        options.set(name, token);
        args.push({ ...token, text: name }, token);
      }
    } else if (value.kind === 'map') {
      // json.dumps of the mapping: read as its dotted keys are (`--speculative-config.model`), each at its value.
      for (const field of value.pairs)
        if (field.value.kind === 'scalar' && typeof field.value.value === 'string')
          options.set(`${name}.${field.key}`, { text: field.value.value, at: field.value.at, expands: false });
    } else {
      // A list's items follow the option as words (`--lora-modules a=org/x b=org/y`); a mapping item is `str(dict)`,
      // Python's repr, which LoRAParserAction's json.loads refuses.
      const items = value.items.flatMap((i) =>
        i.kind === 'scalar' && typeof i.value === 'string' ? [{ text: i.value, at: i.at, expands: false }] : [],
      );
      if (items.length > 0) args.push({ text: name, at: items[0]!.at, expands: false }, ...items);
    }
  }
  const model = options.get('--model');
  if (!vllm || !model) return;
  const found: ServerOptions = { via: VLLM_CONFIG_VIA, model, options, args };
  const place = (at: number) => ({ path, ...position(at), via: VLLM_CONFIG_VIA });
  commandDownload(place(model.at), model, options.get('--revision'), existsLocally, out, {
    runsRemoteCode: options.has('--trust-remote-code'),
  });
  readTokenizer(found, place, existsLocally, out, {});
  readLoraModules(found, (at, option) => ({ ...place(at), via: `${VLLM_CONFIG_VIA} ${option}` }), existsLocally, out);
}
