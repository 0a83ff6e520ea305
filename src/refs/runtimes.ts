import { posix } from 'node:path';
import { looksLikeRepoId } from './ids.js';
import { segmentWords, tokens, type ShellLine, type Token, type Where } from './shell-words.js';
import type { FileReferences } from './types.js';
import { hasLineTerminator } from '../core/linear-text.js';

/**
 * Models that local runtimes pull by name, read from shell lines (scripts, Dockerfile `RUN`, workflow `run:`) and
 * ollama Modelfiles — never run: `ollama pull|run NAME`, a Modelfile's `FROM NAME`, llama.cpp's `-hf org/repo[:quant]`;
 * and the environment settings that change where huggingface_hub downloads from (`HF_ENDPOINT`) or whether it
 * downloads at all (`HF_HUB_OFFLINE`, `TRANSFORMERS_OFFLINE`).
 */

const SEGMENT_END = /[;&|`)\n#]/;

/** The words after a command's name, up to the end of its shell segment. */
function argsAfter(command: string, end: number): Token[] {
  const rest = command.slice(end);
  const stop = rest.search(SEGMENT_END);
  return tokens(stop < 0 ? rest : rest.slice(0, stop), end);
}

/** A hub repo pulled through ollama: `hf.co/<org>/<name>[:<quant>]` (also huggingface.co, with or without https). */
const OLLAMA_HF = /^(?:https?:\/\/)?(?:hf\.co|huggingface\.co)\/([\w.-]+\/[\w.-]+?)(?::[\w.-]+)?$/;

/**
 * An ollama model name as ollama's types/model/name.go `ParseName` fills it: `[host/][namespace/]model[:tag]`,
 * the host defaulting to registry.ollama.ai, the namespace to `library`, the tag to `latest`. Undefined for a name
 * ParseName rejects (a part with other characters than letters, digits, `_`, `.` and `-`; a namespace with a dot).
 */
export function ollamaName(written: string): string {
  const s = written.replace(/^https?:\/\//, '');
  const colon = s.lastIndexOf(':');
  const slash = s.lastIndexOf('/');
  const [path, tag] = colon > slash ? [s.slice(0, colon), s.slice(colon + 1)] : [s, 'latest'];
  const parts = path.split('/');
  const [host, namespace, model] =
    parts.length === 1
      ? ['registry.ollama.ai', 'library', parts[0]!]
      : parts.length === 2
        ? ['registry.ollama.ai', parts[0]!, parts[1]!]
        : [parts[0]!, parts[1]!, parts.slice(2).join('/')];
  return `${host}/${namespace}/${model}:${tag}`;
}

const OLLAMA_PART = /^[\w.-]+$/;
function isOllamaName(written: string): boolean {
  const full = ollamaName(written);
  const [host, namespace, rest] = full.split('/', 3) as [string, string, string];
  const [model, tag] = rest.split(':') as [string, string | undefined];
  return (
    [host, namespace, model, tag ?? ''].every((p) => OLLAMA_PART.test(p)) &&
    !namespace.includes('.') &&
    full.split('/').length === 3
  );
}

/** One model name ollama pulls (ollama pull/run, a Modelfile's FROM): a hub repo, a registry tag, or run-time. */
function pulledByOllama(
  via: string,
  name: Token,
  where: Where,
  path: string,
  existsLocally: (p: string) => boolean,
  out: FileReferences,
): void {
  const place = { path, ...where(name.at), via };
  if (name.expands) {
    out.dynamic.push({ ...place, runsRemoteCode: false });
    return;
  }
  reportOllamaName(place, name.text, existsLocally, out);
}

/** A model name ollama pulls, written out: a hub repo at its default branch, a registry tag, or nothing it accepts. */
export function reportOllamaName(
  place: { path: string; line: number; column: number; via: string },
  text: string,
  existsLocally: (p: string) => boolean,
  out: FileReferences,
): void {
  const hf = OLLAMA_HF.exec(text);
  if (hf) {
    // hub-docs ollama.md: `hf.co/<org>/<repo>[:<quant>]` — the tag picks a quantization, not a revision: ollama asks
    // the hub for the repository's default branch.
    if (looksLikeRepoId(hf[1]!, existsLocally))
      out.references.push({
        ...place,
        hub: 'huggingface',
        repoId: hf[1]!,
        revisionKind: 'none',
        runsRemoteCode: false,
        takesNoRevision: true,
      });
    return;
  }
  if (isOllamaName(text)) out.dynamic.push({ ...place, runsRemoteCode: false, ollama: ollamaName(text) });
}

/** ollama cmd.go: `run` and `pull` fetch a model that is not present; the options that take a value. */
const OLLAMA_VALUE_OPTIONS = new Set(['--format', '--keepalive', '--think', '--dimensions']);

export function readOllamaCommands(line: ShellLine, created: ReadonlySet<string>): void {
  const { command, where, path, existsLocally, out } = line;
  for (const m of command.matchAll(/(?:^|[\s;&|(`"'])ollama\s+(pull|run)\s/g)) {
    const args = argsAfter(command, m.index + m[0].length);
    let name: Token | undefined;
    for (let i = 0; i < args.length && !name; i++) {
      const t = args[i]!;
      if (OLLAMA_VALUE_OPTIONS.has(t.text)) i++;
      else if (!t.text.startsWith('-')) name = t;
    }
    // A model this file builds with `ollama create` is local: its Modelfile's FROM is the pull.
    if (!name || (!name.expands && created.has(ollamaName(name.text)))) continue;
    pulledByOllama(`ollama ${m[1]!}`, name, where, path, existsLocally, out);
  }
}

/**
 * A Modelfile's `FROM` (ollama parser/parser.go; instructions are case-insensitive): a GGUF or safetensors file or
 * directory beside it is local (cmd.go CreateHandler reads what exists on disk); any other value is a model name that
 * `ollama create` pulls.
 */
export function readModelfileFrom(line: ShellLine): void {
  const { command, where, path, existsLocally, out } = line;
  // `/^(\s*from\s+)(\S.*?)\s*$/i` by hand: its lazy value and the white space after it split a long tail every way.
  const lead = /^\s*from\s+/i.exec(command)?.[0];
  const value = lead === undefined ? '' : command.slice(lead.length).trimEnd();
  if (lead === undefined || value === '' || hasLineTerminator(value)) return;
  const [name] = tokens(value, lead.length);
  if (!name) return;
  const dir = posix.dirname(path);
  const relative = posix.normalize(posix.join(dir, name.text));
  if (/^(\.{1,2}\/|\/|~)/.test(name.text) || /\.(gguf|bin|safetensors)$/i.test(name.text) || existsLocally(relative))
    return;
  pulledByOllama('Modelfile FROM', name, where, path, existsLocally, out);
}

/**
 * llama.cpp common/arg.cpp: `-hf`/`-hfr`/`--hf-repo <user>/<model>[:quant]` (and the draft and vocoder variants)
 * download a GGUF from the hub; `-hff`/`--hf-file` names the file. llama.cpp has no revision option: common.cpp asks
 * the hub's manifest for the quant tag and downloads from the default branch, so these are never pinned.
 */
const LLAMA_REPO_FLAGS = new Set([
  '-hf',
  '-hfr',
  '--hf-repo',
  '-hfd',
  '-hfrd',
  '--hf-repo-draft',
  '-hfv',
  '-hfrv',
  '--hf-repo-v',
]);
const LLAMA_FILE_FLAGS = new Set(['-hff', '--hf-file']);

export function readLlamaCpp(line: ShellLine): void {
  const { command, where, path, existsLocally, out } = line;
  for (const segment of command.matchAll(/[^;&|`]+/g)) {
    if (!/llama/.test(segment[0]) || !/[\s"']--?hf/.test(segment[0])) continue;
    // An exec-form `CMD ["llama-server", "-hf", "org/repo"]`: the brackets and commas are not words.
    const args = tokens(segment[0], segment.index, line.vars).filter((t) => !/^[[\],]+$/.test(t.text));
    llamaCppDownloads(args, (at) => ({ path, ...where(at), via: 'llama.cpp -hf' }), existsLocally, out);
  }
}

/**
 * The hub repositories llama.cpp arguments download (`LLAMA_REPO_FLAGS`, with `--hf-file` for the first), as
 * references at their places; one the run time names is a run-time choice.
 */
export function llamaCppDownloads(
  args: readonly Token[],
  place: (at: number) => { path: string; line: number; column: number; via: string },
  existsLocally: (p: string) => boolean,
  out: FileReferences,
): void {
  let file: string | undefined;
  const repos: Token[] = [];
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    const eq = t.text.startsWith('--') ? t.text.indexOf('=') : -1;
    const flag = eq > 0 ? t.text.slice(0, eq) : t.text.replace(/,$/, '');
    const value = eq > 0 ? { ...t, text: t.text.slice(eq + 1), at: t.at + eq + 1 } : args[i + 1];
    if (!LLAMA_REPO_FLAGS.has(flag) && !LLAMA_FILE_FLAGS.has(flag)) continue;
    if (eq < 0) i++;
    if (!value) continue;
    const text = value.text.replace(/,$/, '');
    if (LLAMA_FILE_FLAGS.has(flag)) file = text;
    else repos.push({ ...value, text });
  }
  repos.forEach((repo, k) => {
    const where = place(repo.at);
    if (repo.expands) {
      out.dynamic.push({ ...where, runsRemoteCode: false });
      return;
    }
    const id = repo.text.replace(/:[\w.-]+$/, '');
    if (!id.includes('/') || !looksLikeRepoId(id, existsLocally)) return;
    out.references.push({
      ...where,
      hub: 'huggingface',
      repoId: id,
      revisionKind: 'none',
      // `--hf-file` goes with the main model's repository.
      ...(k === 0 && file !== undefined ? { file } : {}),
      runsRemoteCode: false,
      // common/arg.cpp `-hf <user>/<model>[:quant]`: the tag picks a quantization; files come from the default branch.
      takesNoRevision: true,
    });
  });
}

/** mlx-lm's and mlx-vlm's commands that load a model (`mlx_lm.generate`, `python -m mlx_lm.server`, `mlx_lm lora`). */
const MLX_COMMAND =
  /(?:^|[\s;&|(`"'])(mlx_v?lm)(?:\.|\s+)(generate|server|chat|lora|fuse|convert|evaluate|cache_prompt|benchmark)(?=["',\s]|$)/g;

/**
 * mlx-lm's and mlx-vlm's command lines (mlx_lm/generate.py `setup_arg_parser`: `--model`, "the path to the local
 * model directory or Hugging Face repo"; convert.py `--hf-path`; `--trust-remote-code` for the tokenizer): utils.py
 * `load(path_or_hf_repo)` downloads the repository's default branch — the commands take no revision. A command with
 * no model loads the script's default, a name that changes between releases: not read.
 */
export function readMlxLm(line: ShellLine): void {
  const { command, where, path, existsLocally, out } = line;
  if (!command.includes('mlx_')) return;
  for (const m of command.matchAll(MLX_COMMAND)) {
    // An exec-form `CMD ["mlx_lm.server", "--model", "org/repo"]`: the brackets, quotes and commas are not words.
    const args = segmentWords(command, m.index + m[0].length, line.vars);
    const flag = m[2] === 'convert' ? '--hf-path' : '--model';
    let model: Token | undefined;
    for (let i = 0; i < args.length; i++) {
      const t = args[i]!;
      if (t.text === flag) model = args[++i];
      else if (t.text.startsWith(`${flag}=`))
        model = { ...t, text: t.text.slice(flag.length + 1), at: t.at + flag.length + 1 };
    }
    if (!model) continue;
    const place = { path, ...where(model.at), via: `${m[1]!}.${m[2]!}` };
    const runsRemoteCode =
      args.some((t) => t.text === '--trust-remote-code') || (m[1] === 'mlx_lm' && mlxTrusted(line, m.index));
    if (model.expands) {
      out.dynamic.push({ ...place, runsRemoteCode });
      continue;
    }
    if (!model.text.includes('/') || !looksLikeRepoId(model.text, existsLocally)) continue;
    out.references.push({
      ...place,
      hub: 'huggingface',
      repoId: model.text,
      revisionKind: 'none',
      runsRemoteCode,
      takesNoRevision: true,
    });
  }
}

/**
 * A container that runs mlx-lm or mlx-vlm itself (a Compose service's `command:`, a Dockerfile's exec-form CMD, a
 * Kubernetes container's `command:` and `args:`: servers.ts `readServer`), read as `readMlxLm` reads a command line,
 * in the container's environment (Compose `environment:`, the image's ENV, a pod's `env:`): mlx_lm/utils.py
 * `_trust_remote_code` reads `MLX_LM_TRUST_REMOTE_CODE` there. True when the container's program is one of them.
 */
export function readMlxContainer(
  words: readonly Token[],
  env: ReadonlyMap<string, Token>,
  sink: Pick<ShellLine, 'path' | 'existsLocally' | 'out'> & { at: Where },
): boolean {
  const program = posix.basename(words[0]?.text ?? '');
  const module = /^python[\d.]*$/.test(program) && words[1]?.text === '-m' ? words[2]?.text : program;
  if (module === undefined || !/^mlx_v?lm(?:\.|$)/.test(module)) return false;
  // The words as one command line, each where the file holds it: a word the run time expands stays an expansion,
  // one with blanks or quotes is single-quoted (its text starts a character later).
  let command = '';
  const starts: { from: number; at: number }[] = [];
  for (const w of words) {
    const quoted = !w.expands && /[\s"'\\$`;&|()<>]/.test(w.text);
    if (quoted && w.text.includes("'")) return false;
    if (command !== '') command += ' ';
    starts.push({ from: command.length + (quoted ? 1 : 0), at: w.at });
    command += quoted ? `'${w.text}'` : w.text;
  }
  const where = (offset: number) => {
    let i = starts.length - 1;
    while (i > 0 && starts[i]!.from > offset) i--;
    return sink.at(starts[i]!.at + Math.max(0, offset - starts[i]!.from));
  };
  const hubEnv = new Map([...env].filter(([, t]) => !t.expands).map(([name, t]) => [name, t.text]));
  readMlxLm({ command, where, path: sink.path, existsLocally: sink.existsLocally, out: sink.out, hubEnv });
  return true;
}

/**
 * mlx-lm's `MLX_LM_TRUST_REMOTE_CODE` (python-env.ts `readMlxTrustSetting`: mlx_lm/utils.py `_trust_remote_code`
 * reads it at each load, `1`, `true` or `yes` in any case) in the environment of the mlx_lm command a line runs. A
 * line that names the variable decides on its own (`mlxTrustedBefore`); any other runs with what earlier lines
 * exported (`hubAssignments`: a Dockerfile's `ENV`, which its RUN and CMD lines inherit, or a script's `export`).
 */
function mlxTrusted(line: ShellLine, at: number): boolean {
  if (line.command.includes(MLX_TRUST_VARIABLE)) return mlxTrustedBefore(line.command, at);
  const inherited = line.hubEnv?.get(MLX_TRUST_VARIABLE);
  return inherited !== undefined && MLX_TRUE_VALUES.has(inherited.toLowerCase());
}
/** mlx-lm's trust in a repository's code, and the values (any case) that turn it on. */
export const MLX_TRUST_VARIABLE = 'MLX_LM_TRUST_REMOTE_CODE';
export const MLX_TRUE_VALUES: ReadonlySet<string> = new Set(['1', 'true', 'yes']);

/**
 * The variable as the line itself sets it for the mlx_lm command at `at`: an assignment word of the same simple
 * command (`MLX_LM_TRUST_REMOTE_CODE=1 mlx_lm.server …`, `env VAR=1 python -m mlx_lm …`) or an `export` of it earlier
 * on the line. A plain `VAR=1;` before the command sets a shell variable the command does not see.
 */
function mlxTrustedBefore(command: string, at: number): boolean {
  const before = command.slice(0, at);
  const simple = Math.max(...[';', '&', '|', '(', '\n'].map((c) => before.lastIndexOf(c))) + 1;
  return MLX_TRUST_WORD.test(before.slice(simple)) || MLX_TRUST_EXPORT.test(before);
}
const MLX_TRUE = `(["']?)(?:1|[Tt][Rr][Uu][Ee]|[Yy][Ee][Ss])\\1`;
const MLX_TRUST_WORD = new RegExp(`(?:^|\\s)${MLX_TRUST_VARIABLE}=${MLX_TRUE}(?=\\s|$)`);
const MLX_TRUST_EXPORT = new RegExp(`(?:^|[\\s;&|(])export[ \\t]+${MLX_TRUST_VARIABLE}=${MLX_TRUE}(?=[\\s;&|)]|$)`);

/** huggingface_hub constants.py `_is_true` (and transformers' ENV_VARS_TRUE_VALUES): what turns offline mode on. */
const TRUE_VALUES = new Set(['1', 'ON', 'YES', 'TRUE']);
const DEFAULT_ENDPOINTS = new Set(['https://huggingface.co', 'https://huggingface.co/']);

/** The hub settings `reportHubSetting` judges: where huggingface_hub, vLLM and LMDeploy download from. */
export const HUB_SETTING_VARIABLES: ReadonlySet<string> = new Set([
  'HF_ENDPOINT',
  'HF_HUB_OFFLINE',
  'TRANSFORMERS_OFFLINE',
  'VLLM_USE_MODELSCOPE',
  'LMDEPLOY_USE_MODELSCOPE',
]);
/** Variables `hubAssignments` reads for the commands they reach (`ShellLine.hubEnv`), which are no hub setting. */
const SWITCHES_ONLY: ReadonlySet<string> = new Set(['USE_HF', MLX_TRUST_VARIABLE]);
const HUB_ASSIGNMENT = new RegExp(
  `(?:^|[\\s;&|(])(?:(export|ENV|ARG)\\s+)?(${[...HUB_SETTING_VARIABLES, ...SWITCHES_ONLY].join('|')})(=|:[ \\t]+|[ \\t]+(?=\\S))("[^"]*"|'[^']*'|\\$\\{\\{[^}\\n]*\\}\\}|[^\\s;&|)#]*)`,
  'g',
);

/** A variable that chooses where hub models come from, as a command line sets it (`hubAssignments`). */
export interface HubAssignment {
  readonly variable: string;
  /** Its value, quotes removed. */
  readonly value: string;
  /** The value is a shell expansion: the run time's. */
  readonly expands: boolean;
  /** Where the variable's name stands in the command. */
  readonly at: number;
  /** `export X=…` and a Dockerfile's `ENV` hold for what follows; `ARG`, `X=… command` and `X: value` do not here. */
  readonly persists: boolean;
}

/**
 * The hub variables a command line sets: `HF_ENDPOINT`, `HF_HUB_OFFLINE`, `TRANSFORMERS_OFFLINE`, vLLM's and
 * LMDeploy's switches to ModelScope's hub (`VLLM_USE_MODELSCOPE`, vllm/envs.py; `LMDEPLOY_USE_MODELSCOPE`,
 * lmdeploy/utils.py `get_model`), ms-swift's to Hugging Face's (`USE_HF`) and mlx-lm's trust in a repository's code
 * (`MLX_LM_TRUST_REMOTE_CODE`, `mlxTrusted`), where a run's environment is made:
 * `export X=…`, `X=… command`, a Dockerfile's `ENV`/`ARG` (`ENV X value`, its old form, too), a workflow's `env:` map
 * (`X: value`).
 */
export function hubAssignments(command: string): HubAssignment[] {
  const out: HubAssignment[] = [];
  for (const m of command.matchAll(HUB_ASSIGNMENT)) {
    const [, scope, variable, sep, raw] = m as unknown as [string, string | undefined, string, string, string];
    // `X value` (no `=`) is a Dockerfile ENV's old form only.
    if (sep.trim() === '' && scope !== 'ENV') continue;
    const value = raw.replace(/^(["'])(.*)\1$/, '$2');
    out.push({
      variable,
      value,
      expands: raw[0] !== "'" && value.includes('$'),
      at: m.index + m[0].indexOf(variable),
      persists: scope === 'export' || scope === 'ENV',
    });
  }
  return out;
}

/** The hub settings a command line makes that change where models come from (`reportHubSetting`). */
export function readHubSettings(
  { command, where, path, out }: ShellLine,
  assignments: readonly HubAssignment[] = hubAssignments(command),
): void {
  for (const a of assignments)
    if (!SWITCHES_ONLY.has(a.variable)) reportHubSetting({ path, ...where(a.at) }, a.variable, a.value, a.expands, out);
}

/**
 * One hub setting, if it changes anything: a mirror endpoint (not huggingface.co itself), or offline mode turned on.
 * `expands`: the value is chosen at run time (a shell expansion, a value Python computes).
 */
export function reportHubSetting(
  place: { path: string; line: number; column: number },
  variable: string,
  value: string,
  expands: boolean,
  out: FileReferences,
): void {
  if (value === '' || (!expands && variable === 'HF_ENDPOINT' && DEFAULT_ENDPOINTS.has(value))) return;
  // Both read `os.getenv(X, 'False').lower() == 'true'`: nothing else turns them on.
  if (variable.endsWith('_USE_MODELSCOPE')) {
    if (!expands && value.toLowerCase() === 'true')
      out.dynamic.push({ ...place, via: variable, runsRemoteCode: false, hubSetting: { variable, value } });
    return;
  }
  if (variable !== 'HF_ENDPOINT' && (expands || !TRUE_VALUES.has(value.toUpperCase()))) return;
  out.dynamic.push({ ...place, via: variable, runsRemoteCode: false, hubSetting: { variable, value } });
}
