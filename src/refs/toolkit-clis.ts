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
 * None of these but LMDeploy, ModelScope and ms-swift takes a revision: a pin is a reviewed local copy
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
