import { interpolate } from './compose-env.js';
import { pyYamlBool, type ConfigNode } from './vllm-options.js';
import type { FileReferences } from './types.js';
import { LM_EVAL_CONFIG_VIA } from './ids.js';
import {
  commandArguments,
  commandDownload,
  modelScopeHub,
  segmentWords,
  type ShellLine,
  type Token,
} from './shell-words.js';

/**
 * Hub downloads by the command lines of training, serving and local-runtime toolkits, read from shell lines
 * (scripts, Dockerfile `RUN`, workflow `run:`) as each tool's own parser reads them — never run:
 * - torchtune `tune download <repo>` (torchtune/_cli/download.py `Download`): `snapshot_download(repo_id, …)` with no
 *   revision; `--source kaggle` names a Kaggle model instead.
 * - LitGPT `litgpt download <repo>` (litgpt/scripts/download.py `download_from_hub`: `snapshot_download` with no
 *   revision), and `litgpt chat|generate|serve|finetune…|evaluate <model>`, which download the same way when the
 *   name is no folder (litgpt/utils.py `auto_download_checkpoint`: not under `checkpoints/`, not absolute).
 * - LMDeploy `lmdeploy chat|serve api_server|serve gradio|lite … <model>` with `--revision` (lmdeploy/cli
 *   `ArgumentHelper.revision`, `get_model` → `snapshot_download(revision=…)`). Every load reads the model's config
 *   through lmdeploy/archs.py `get_model_arch`, which calls `AutoConfig.from_pretrained(model_path,
 *   trust_remote_code=True)` with no way to turn it off: the repository's code runs whenever its config names some.
 * - MLC LLM `mlc_llm serve|chat|compile|… HF://<org>/<name>` (mlc_llm/support/download_cache.py: a git clone of the
 *   repository's default branch).
 * - Docker Model Runner `docker model pull|run hf.co/<org>/<name>[:<quant>]` and RamaLama `ramalama
 *   pull|run|serve|… hf://<org>/<name>` (also `huggingface://`): the default branch; a `:tag` picks a quantisation.
 * - ModelScope `modelscope download --model <org>/<name> [--revision R] [files…]` (modelscope/cli/download.py): a
 *   repository of ModelScope's hub, at the revision given; `--dataset` downloads a dataset instead.
 * - ModelScope's ms-swift `swift sft|pt|rlhf|infer|deploy|export|eval|sample|app --model <id>` (`--model_id_or_path`
 *   before 3.0) at `--model_revision` (swift/llm/argument/base_args/model_args.py `ModelArguments`): from ModelScope's
 *   hub unless `--use_hf` or `USE_HF` (transformers' strtobool) says Hugging Face's.
 * - lm-evaluation-harness `lm_eval|lm-eval [run] --model hf|vllm|… --model_args pretrained=<repo>,revision=R,…`
 *   (also `python -m lm_eval`; `readLmEval`): the model, its tokenizer and PEFT adapter, at `revision`.
 * - LLaMA-Factory `llamafactory-cli|lmf train|chat|eval|export|api|webchat --model_name_or_path <repo>
 *   [--adapter_name_or_path a,b] [--model_revision R] [--trust_remote_code]` (also its older `src/train_bash.py`;
 *   `readLlamaFactory`): the model at `--model_revision` with its code, each adapter at the same revision.
 * None of these but LMDeploy, ModelScope, ms-swift, lm_eval and LLaMA-Factory takes a revision: a pin is a reviewed local copy
 * (`takesNoRevision`).
 */
export function readToolkitClis(line: ShellLine): void {
  const { command } = line;
  if (command.includes('tune')) readTune(line);
  if (command.includes('litgpt')) readLitgpt(line);
  if (command.includes('lmdeploy')) readLmdeploy(line);
  if (/HF:\/\//i.test(command)) readMlcLlm(line);
  if (command.includes('docker') || command.includes('ramalama')) readModelRunners(line);
  if (command.includes('modelscope')) readModelScope(line);
  if (command.includes('swift')) readSwift(line);
  if (/lm[-_]eval/.test(command)) readLmEval(line);
  if (/llamafactory-cli|\blmf\b|train_bash\.py/.test(command)) readLlamaFactory(line);
}

/** Before a command's name: the line's start, a separator, or an exec-form array's bracket or quote. */
const BEFORE = '(?:^|[\\s;&|(`"\'\\[])';
/** Between a command's words: blanks, and in an exec-form array its quotes and commas. */
const GAP = `["',]*\\s+["',]*`;

/** The command `name` (a pattern) and one of its `subcommands` (a pattern, captured last), wherever it starts. */
const commandPattern = (name: string, subcommands: string) =>
  new RegExp(`${BEFORE}${name}${GAP}(${subcommands})(?=["',\\s]|$)`, 'g');

/** One download of the default branch (no revision to give): a hub repo, a run-time name, or nothing. */
function defaultBranch(line: ShellLine, repo: Token | undefined, via: string, runsRemoteCode = false): void {
  if (!repo) return;
  const { path, where, existsLocally, out } = line;
  commandDownload({ path, ...where(repo.at), via }, repo, undefined, existsLocally, out, {
    runsRemoteCode,
    takesNoRevision: true,
  });
}

const TUNE = commandPattern('tune', 'download');

function readTune(line: ShellLine): void {
  for (const m of line.command.matchAll(TUNE)) {
    const { positional, values } = commandArguments(
      segmentWords(line.command, m.index + m[0].length, line.vars),
      new Set(),
    );
    // `--source kaggle` (torchtune 0.4+): a Kaggle model handle, not a hub repository.
    if ((values.get('--source')?.text ?? 'huggingface') !== 'huggingface') continue;
    defaultBranch(line, positional[0], 'tune download');
  }
}

/** LitGPT's commands that load a checkpoint by name (litgpt/__main__.py's parser map). */
const LITGPT = commandPattern(
  'litgpt',
  'download|chat|generate|serve|finetune(?:_lora|_full|_adapter(?:_v2)?)?|evaluate',
);

function readLitgpt(line: ShellLine): void {
  for (const m of line.command.matchAll(LITGPT)) {
    const sub = m[1]!;
    // jsonargparse: every option takes a value (`--tokenizer_only true`), written `--x v` or `--x=v`.
    const { positional, values } = commandArguments(
      segmentWords(line.command, m.index + m[0].length, line.vars),
      new Set(),
    );
    const model =
      positional[0] ?? values.get(sub === 'download' ? '--repo_id' : '--checkpoint_dir') ?? values.get('--repo_id');
    // `litgpt download list` lists the names it knows; a folder under checkpoints/ (or an absolute path) is read,
    // never downloaded (auto_download_checkpoint).
    if (!model || (sub === 'download' && model.text === 'list')) continue;
    if (sub !== 'download' && !model.expands && /^(?:checkpoints\/|\/|\.)/.test(model.text)) continue;
    defaultBranch(line, model, `litgpt ${sub}`);
  }
}

/** LMDeploy's commands whose first positional is a model (lmdeploy/cli/{chat,serve,lite}.py). */
const LMDEPLOY = commandPattern(
  'lmdeploy',
  `chat|serve${GAP}(?:api_server|gradio)|lite${GAP}(?:auto_awq|auto_gptq|calibrate|smooth_quant)`,
);
/** LMDeploy's options that take no value (`store_true`), and those that take several (`nargs='+'`). */
const LMDEPLOY_FLAGS = new Set([
  '--allow-credentials',
  '--ssl',
  '--disable-fastapi-docs',
  '--allow-terminate-by-client',
  '--enable-prefix-caching',
  '--eager-mode',
  '--share',
  '--trust-remote-code',
  '--enable-microbatch',
  '--enable-eplb',
]);
const LMDEPLOY_LISTS = new Set(['--allow-origins', '--allow-methods', '--allow-headers', '--api-keys', '--adapters']);

function readLmdeploy(line: ShellLine): void {
  const { path, where, existsLocally, out } = line;
  for (const m of line.command.matchAll(LMDEPLOY)) {
    const sub = m[1]!.replace(/["',]/g, '').replace(/\s+/g, ' ');
    const args = segmentWords(line.command, m.index + m[0].length, line.vars);
    const { positional, values } = commandArguments(args, LMDEPLOY_FLAGS, LMDEPLOY_LISTS);
    const model = positional[0];
    // `serve gradio` also takes a running server's address (`0.0.0.0:23333`, `http://…`): no model then.
    if (!model || (!model.expands && model.text.includes(':'))) continue;
    commandDownload(
      { path, ...where(model.at), via: `lmdeploy ${sub}` },
      model,
      values.get('--revision'),
      existsLocally,
      out,
      {
        runsRemoteCode: true,
        remoteCodeByDefault: true,
        ...modelScopeHub('lmdeploy', (name) => line.hubEnv?.get(name)),
      },
    );
  }
}

/** MLC LLM's model argument (mlc_llm/support/auto_config.py): `HF://<org>/<name>` is a hub repository. */
const MLC_MODEL = /^HF:\/\/([\w.-]+\/[\w.-]+)\/?$/i;
const MLC = commandPattern('mlc_llm', 'serve|chat|compile|gen_config|convert_weight|bench|calibrate|package');

function readMlcLlm(line: ShellLine): void {
  for (const m of line.command.matchAll(MLC)) {
    for (const t of segmentWords(line.command, m.index + m[0].length, line.vars)) {
      const repo = MLC_MODEL.exec(t.text);
      if (!repo || t.expands) continue;
      const at = t.at + t.text.indexOf('//') + 2;
      defaultBranch(line, { ...t, text: repo[1]!, at }, `mlc_llm ${m[1]!}`);
    }
  }
}

/** `docker model pull|run …` and `ramalama pull|run|serve|…`: their model references. */
const RUNNERS = commandPattern(`(docker${GAP}model|ramalama)`, 'pull|run|serve|bench|perplexity|convert|inspect');
/** A hub repository as Docker Model Runner (`hf.co/…`) and RamaLama (`hf://…`, `huggingface://…`) write it. */
const RUNNER_MODEL =
  /^(?:(?:https?:\/\/)?(?:hf\.co|huggingface\.co)\/|(?:hf|huggingface):\/\/)([\w.-]+\/[\w.-]+?)(?:\/[^:\s]+)?(?::[\w.-]+)?$/;

function readModelRunners(line: ShellLine): void {
  for (const m of line.command.matchAll(RUNNERS)) {
    const tool = m[1]!.startsWith('docker') ? 'docker model' : 'ramalama';
    const model = segmentWords(line.command, m.index + m[0].length, line.vars).find((t) => !t.text.startsWith('-'));
    if (!model) continue;
    if (model.expands) {
      defaultBranch(line, model, `${tool} ${m[2]!}`);
      continue;
    }
    const repo = RUNNER_MODEL.exec(model.text);
    if (!repo) continue;
    const at = model.at + model.text.indexOf(repo[1]!);
    defaultBranch(line, { ...model, text: repo[1]!, at }, `${tool} ${m[2]!}`);
  }
}

const MODELSCOPE = commandPattern('modelscope', 'download');

/** `modelscope download`'s options that take several values (argparse `nargs='*'`). */
const MODELSCOPE_LISTS = new Set(['--include', '--exclude']);

function readModelScope(line: ShellLine): void {
  const { path, where, existsLocally, out } = line;
  for (const m of line.command.matchAll(MODELSCOPE)) {
    const { values } = commandArguments(
      segmentWords(line.command, m.index + m[0].length, line.vars),
      new Set(),
      MODELSCOPE_LISTS,
    );
    const model = values.get('--model');
    if (!model) continue;
    commandDownload(
      { path, ...where(model.at), via: 'modelscope download' },
      model,
      values.get('--revision'),
      existsLocally,
      out,
      {
        runsRemoteCode: false,
        hub: 'modelscope',
      },
    );
  }
}

/** ms-swift's commands that load a model (swift/cli/main.py's route map), not Apple's `swift build|run|test`. */
const SWIFT = commandPattern('swift', 'sft|pt|rlhf|infer|deploy|export|eval|sample|app|merge-lora');
/** transformers' `strtobool` (what ms-swift's `use_hf_hub` reads USE_HF with, and HfArgumentParser a bool with). */
const STRTOBOOL_TRUE = new Set(['y', 'yes', 't', 'true', 'on', '1']);

function readSwift(line: ShellLine): void {
  const { path, where, existsLocally, out } = line;
  for (const m of line.command.matchAll(SWIFT)) {
    const args = segmentWords(line.command, m.index + m[0].length, line.vars);
    const { values } = commandArguments(args, new Set());
    const model = values.get('--model') ?? values.get('--model_id_or_path');
    if (!model) continue;
    // `--use_hf` alone is true (HfArgumentParser gives a bool `nargs='?'`); else `USE_HF` as the script set it
    // (`export USE_HF=1`, or `USE_HF=1 swift …`).
    const flag = values.get('--use_hf');
    const alone = flag === undefined && args.some((t) => t.text === '--use_hf');
    const env = line.hubEnv?.get('USE_HF');
    const hf =
      alone ||
      (flag !== undefined
        ? STRTOBOOL_TRUE.has(flag.text.toLowerCase())
        : STRTOBOOL_TRUE.has((env ?? '').toLowerCase()));
    commandDownload(
      { path, ...where(model.at), via: `swift ${m[1]!}` },
      model,
      values.get('--model_revision'),
      existsLocally,
      out,
      { runsRemoteCode: false, ...(hf ? {} : { hub: 'modelscope' as const }) },
    );
  }
}

/** lm_eval's console script (`lm_eval`, `lm-eval`) or module (`python -m lm_eval`), anywhere on the line. */
const LM_EVAL = new RegExp(`${BEFORE}(?:[\\w./-]*/)?lm[-_]eval(?=["',\\s]|$)`, 'g');
/** lm_eval/__main__.py `setup_parser`: its `store_true` options (the rest take a value; `--apply_chat_template` one if given). */
const LM_EVAL_FLAGS = new Set([
  '--check_integrity',
  '--write_out',
  '-w',
  '--log_samples',
  '-s',
  '--fewshot_as_multiturn',
  '--show_config',
  '--predict_only',
  '-x',
  '--trust_remote_code',
  '--confirm_run_unsafe_code',
]);
/**
 * lm_eval's model types that load a hub repository by `pretrained` (lm_eval/models: `HFLM` is registered as `hf`,
 * `hf-auto`, `huggingface`; `HFMultimodalLM` as `hf-multimodal`; `VLLM` as `vllm`, `VLLM_VLM` as `vllm-vlm`). The
 * API models (`local-completions`, `openai-chat-completions`…) name a served model, not a download.
 */
const LM_EVAL_HUB_MODELS = new Set(['hf', 'hf-auto', 'huggingface', 'hf-multimodal', 'vllm', 'vllm-vlm']);

/**
 * `lm_eval --model hf --model_args pretrained=org/x,revision=R,trust_remote_code=True,tokenizer=org/t,peft=org/a`
 * (lm_eval/__main__.py `cli_evaluate`): `--model_args` is read by utils.py `simple_parse_args_string` (split on `,`,
 * each on its first `=`, `handle_arg_string` making `true`/`false` booleans and digits numbers) or, when it is
 * JSON, `try_parse_json`. `--trust_remote_code` appends `,trust_remote_code=True` to it. HFLM.__init__
 * (models/huggingface.py) loads `pretrained` at `revision` (default `main`) with `trust_remote_code`, the
 * `tokenizer` (if named) and the `delta` weights at the same revision and trust, and the `peft` adapter
 * (`PeftModel.from_pretrained(…, revision=revision)`) at that revision, which runs no code of the repository's. VLLM
 * (models/vllm_causallms.py) reads the tokenizer at `tokenizer_revision` instead.
 */
function readLmEval(line: ShellLine): void {
  const { path, where, existsLocally, out } = line;
  for (const m of line.command.matchAll(LM_EVAL)) {
    const at = m.index + m[0].length;
    const { values } = commandArguments(segmentWords(line.command, at, line.vars), LM_EVAL_FLAGS);
    const model = values.get('--model') ?? values.get('-m');
    if (model?.expands) continue;
    // The arguments' raw words: each `key=value` of `--model_args` is expanded on its own (`pretrained=$MODEL`).
    const raw = commandArguments(segmentWords(line.command, at), LM_EVAL_FLAGS).values;
    const written = raw.get('--model_args') ?? raw.get('-a');
    if (!written) continue;
    // A quoted word's place is its quote's.
    const quoted = /["']/.test(line.command[written.at] ?? '');
    const args = lmEvalModelArgs(written, quoted, line.vars);
    lmEvalDownloads(model?.text ?? 'hf', args, values.has('--trust_remote_code'), existsLocally, out, (at, part) => ({
      path,
      ...where(at),
      via: `lm_eval --model ${model?.text ?? 'hf'}${part}`,
    }));
  }
}

/**
 * What lm_eval loads for a model type and its `model_args` (HFLM.__init__, VLLM; `readLmEval`), each placed by
 * `place` with the part of the model it is (`' (tokenizer)'`…). `trusted`: the run's own trust_remote_code (the
 * CLI flag, a config file's top-level key), which lm_eval adds to the model's arguments.
 */
function lmEvalDownloads(
  model: string,
  args: ReadonlyMap<string, Token>,
  trusted: boolean,
  existsLocally: (p: string) => boolean,
  out: FileReferences,
  place: (at: number, part: string) => { path: string; line: number; column: number; via: string },
): void {
  if (!LM_EVAL_HUB_MODELS.has(model)) return;
  const pretrained = args.get('pretrained');
  if (!pretrained) return;
  const trust = args.get('trust_remote_code');
  const runsRemoteCode = trusted || (trust !== undefined && (trust.expands || pythonTruthy(trust.text)));
  const vllm = model.startsWith('vllm');
  const download = (repo: Token, rev: Token | undefined, remote: boolean, part = '') =>
    commandDownload(place(repo.at, part), repo, rev, existsLocally, out, { runsRemoteCode: remote });
  const revision = args.get('revision');
  download(pretrained, revision, runsRemoteCode);
  const tokenizer = args.get('tokenizer');
  const tokenizerRevision = vllm ? args.get('tokenizer_revision') : revision;
  if (tokenizer) download(tokenizer, tokenizerRevision, runsRemoteCode, ' (tokenizer)');
  const delta = vllm ? undefined : args.get('delta');
  if (delta) download(delta, revision, runsRemoteCode, ' (delta)');
  const peft = vllm ? undefined : args.get('peft');
  if (peft) download(peft, revision, false, ' (peft)');
}

/**
 * lm_eval's YAML config file (`lm_eval run --config eval.yaml`; lm_eval/config/evaluate_config.py
 * `EvaluatorConfig.load_yaml_config`: `yaml.safe_load`, a mapping at the root, its keys the dataclass's fields):
 * `model` (default `hf`), `model_args` as a mapping or as the CLI's `key=value,…` string (`_parse_dict_args` →
 * `simple_parse_args_string`), and a top-level `trust_remote_code` that `_set_trust_remote_code` copies into the
 * model's arguments. Read as the same arguments on the command line are (`lmEvalDownloads`). A root without
 * `model_args` naming `pretrained` is not lm_eval's (no other config of this kind has the key).
 */
export function lmEvalConfigReferences(
  out: FileReferences,
  path: string,
  root: ConfigNode,
  existsLocally: (p: string) => boolean,
  position: (offset: number) => { line: number; column: number },
): void {
  if (root.kind !== 'map') return;
  // yaml.safe_load's dict: the last of a key wins.
  const top = new Map(root.pairs.map((p) => [p.key, p.value] as const));
  const written = top.get('model_args');
  const model = top.get('model');
  const trust = top.get('trust_remote_code');
  let args: Map<string, Token>;
  if (written?.kind === 'scalar' && typeof written.value === 'string')
    args = lmEvalModelArgs({ text: written.value, at: written.at, expands: false }, !written.plain);
  else if (written?.kind === 'map') {
    // A mapping's values as HFLM gets them: a bool as Python's (read as `True`/`False`), a string as written.
    args = new Map();
    for (const { key, value } of written.pairs) {
      if (value.kind !== 'scalar') continue;
      const bool = pyYamlBool(value);
      const text = bool !== undefined ? (bool ? 'True' : 'False') : value.value;
      if (typeof text === 'string') args.set(key, { text, at: value.at, expands: false });
    }
  } else return;
  const type = model === undefined ? 'hf' : model.kind === 'scalar' ? model.value : undefined;
  if (typeof type !== 'string') return;
  // `if self.trust_remote_code:` — Python's truth of what PyYAML made of it (a quoted "false" is a non-empty string).
  const bool = trust?.kind === 'scalar' ? pyYamlBool(trust) : undefined;
  const trusted = trust?.kind === 'scalar' && (bool ?? (typeof trust.value === 'string' ? trust.value !== '' : false));
  lmEvalDownloads(type, args, trusted, existsLocally, out, (at, part) => ({
    path,
    ...position(at),
    via: `${LM_EVAL_CONFIG_VIA} (model: ${type})${part}`,
  }));
}

/**
 * `--model_args` as lm_eval reads it (`try_parse_json`, then `simple_parse_args_string`): each key's value as a
 * token at its place in the line, expanded with the script's variables. A later key wins, as in the dict it builds.
 */
function lmEvalModelArgs(written: Token, quoted: boolean, vars?: ShellLine['vars']): Map<string, Token> {
  const out = new Map<string, Token>();
  const text = written.text.trim();
  const start = written.at + (quoted ? 1 : 0);
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return out; // try_parse_json: an argparse error, nothing runs.
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return out;
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== 'string' && typeof value !== 'boolean' && typeof value !== 'number') continue;
      const found = written.text.indexOf(JSON.stringify(value));
      const at = start + (found < 0 ? 0 : found + (typeof value === 'string' ? 1 : 0));
      out.set(key, { text: String(value === true ? 'True' : value === false ? 'False' : value), at, expands: false });
    }
    return out;
  }
  let from = 0;
  for (const part of written.text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) {
      const value: Token = {
        text: part.slice(eq + 1),
        at: start + from + eq + 1,
        expands: written.expands && part.slice(eq + 1).includes('$'),
      };
      out.set(part.slice(0, eq).trim(), value.expands && vars ? interpolate(value, vars) : value);
    }
    from += part.length + 1;
  }
  return out;
}

/** Python's truth of a value `handle_arg_string` made: `False`, a zero number and `''` are false. */
function pythonTruthy(text: string): boolean {
  if (/^false$/i.test(text) || text === '') return false;
  const n = Number(text.trim());
  return text.trim() === '' || Number.isNaN(n) || n !== 0;
}

/**
 * LLaMA-Factory's commands that parse ModelArguments (cli.py's command map; `lmf` is the same console script), and its
 * older launcher script `src/train_bash.py`.
 */
const LLAMA_FACTORY = new RegExp(
  `${BEFORE}(?:(?:llamafactory-cli|lmf)${GAP}(?:train|chat|eval|export|api|webchat)|(?:[\\w./-]*/)?train_bash\\.py)(?=["',\\s]|$)`,
  'g',
);

/**
 * `llamafactory-cli train --model_name_or_path org/x --adapter_name_or_path org/a,org/b --model_revision R
 * --trust_remote_code` (hparams/parser.py `read_args`: a first argument naming a .yaml/.yml/.json is a config file,
 * read where it is by the config finder, and the rest OmegaConf overrides; else HfArgumentParser reads the flags).
 * model/loader.py `_get_init_kwargs` loads the tokenizer, config and model at `model_revision` (default `main`) with
 * `trust_remote_code`, a bool HfArgumentParser reads with transformers' `string_to_bool` (alone: True). model_args.py
 * `ModelArguments.__post_init__` splits `adapter_name_or_path` at `,`, and model/adapter.py `_setup_lora_tuning` loads
 * each with `PeftModel.from_pretrained(model, adapter, revision=model_revision, …)`: no code of the adapter's runs.
 */
function readLlamaFactory(line: ShellLine): void {
  const { path, where, existsLocally, out } = line;
  for (const m of line.command.matchAll(LLAMA_FACTORY)) {
    const args = segmentWords(line.command, m.index + m[0].length, line.vars);
    const { positional, values } = commandArguments(args, new Set());
    if (/\.(?:ya?ml|json)$/.test(positional[0]?.text ?? '')) continue;
    const model = values.get('--model_name_or_path');
    const revision = values.get('--model_revision');
    const trust = values.get('--trust_remote_code');
    const runsRemoteCode =
      trust !== undefined
        ? trust.expands || STRTOBOOL_TRUE.has(trust.text.toLowerCase())
        : args.some((t) => t.text === '--trust_remote_code');
    const via = m[0].includes('train_bash') ? 'llamafactory train_bash.py' : 'llamafactory-cli';
    if (model)
      commandDownload({ path, ...where(model.at), via }, model, revision, existsLocally, out, { runsRemoteCode });
    const adapters = values.get('--adapter_name_or_path');
    for (const adapter of adapters ? adapterTokens(adapters, line.command) : [])
      commandDownload({ path, ...where(adapter.at), via: `${via} (adapter)` }, adapter, revision, existsLocally, out, {
        runsRemoteCode: false,
      });
  }
}

/**
 * `--adapter_name_or_path a,b`'s parts (`ModelArguments.__post_init__`), each at its place; a part holding an
 * expansion is chosen at run time. The parts of a word that expands are placed at the word (its text is not the
 * line's, so offsets in it are not offsets in the line).
 */
function adapterTokens(written: Token, command: string): Token[] {
  if (!written.text.includes(',')) return [written];
  // A quoted word's place is its quote's.
  const start = written.at + (/["']/.test(command[written.at] ?? '') ? 1 : 0);
  const parts: Token[] = [];
  let from = 0;
  for (const part of written.text.split(',')) {
    // segmentWords keeps the quotes of a word that expands (`a,"$B` for `a,"$B"`): a part is read without them.
    const text = (written.expands ? part.replace(/["']/g, '') : part).trim();
    const expands = written.expands && text.includes('$');
    // A part that is one variable is read from it, as a whole word is (`"$ADAPTER"`).
    const variable = expands ? /^\$\{?(\w+)\}?$/.exec(text)?.[1] : undefined;
    const at = written.expands ? written.at : start + from + part.indexOf(text);
    if (text !== '') parts.push({ text, at, expands, ...(variable !== undefined ? { variable } : {}) });
    from += part.length + 1;
  }
  return parts;
}
