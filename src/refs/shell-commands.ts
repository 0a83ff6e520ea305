import type { FileReferences } from './types.js';
import { commandDownload, tokens, type Token, type Where } from './shell-words.js';
import {
  ollamaName,
  hubAssignments,
  readHubSettings,
  type HubAssignment,
  readLlamaCpp,
  readMlxLm,
  readModelfileFrom,
  readOllamaCommands,
} from './runtimes.js';
import { readComposeServers, readLlamaEnv, readModelServers } from './servers.js';
import { readToolkitClis } from './toolkit-clis.js';
import { isComposeFile, isMakefile, isModelfile } from './sources.js';
import { interpolate } from './compose-env.js';
import { SPACY_MODELS, hubFileUrl, revisionKind, spacyReleaseTag } from './ids.js';

/**
 * Model downloads in shell scripts and Dockerfiles (`RUN` lines are shell): the Hugging Face CLI
 * (`huggingface-cli download`, and `hf download` since huggingface_hub 0.34), `git clone` of a hub repository and
 * `wget`/`curl` of a hub file's URL;
 * ollama, llama.cpp and the hub's endpoint settings (runtimes.ts), model servers (servers.ts: vLLM, TGI,
 * `LLAMA_ARG_HF_REPO`), and ollama Modelfiles' `FROM`.
 * Read as huggingface_hub/commands/download.py's argparse reads them: the first positional is the repo id, the rest
 * file names; `--revision`, `--repo-type` (only `model` is a model), and `--include`/`--exclude`, which take every
 * value up to the next option. Never run.
 */
export function findShellReferences(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
  /** A Compose project's `.env` values (compose-dotenv.ts), for a compose file. */
  dotenv?: ReadonlyMap<string, string>,
): FileReferences {
  const out: FileReferences = { references: [], dynamic: [] };
  // A Compose file's services are read from its YAML (servers.ts), their command lines with them.
  const compose = isComposeFile(path) && readComposeServers(path, text, existsLocally, out, dotenv);
  const lines = text.split('\n');
  const modelfile = isModelfile(path);
  const makeVariables = isMakefile(path) ? makeAssignments(lines) : undefined;
  // `ollama create NAME -f Modelfile`: NAME is a model built here, not pulled (its Modelfile's FROM is what pulls).
  const created = new Set<string>();
  for (const m of text.matchAll(/(?:^|[\s;&|(`])ollama\s+create\s+([\w.:/-]+)/g)) created.add(ollamaName(m[1]!));
  // The hub switches the script has set from here on (`export VLLM_USE_MODELSCOPE=True`, a Dockerfile's `ENV`).
  const exported = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    // A backslash at the end continues the command on the next line.
    let command = lines[i]!;
    const first = i;
    const starts = [0];
    while (command.endsWith('\\') && i + 1 < lines.length) {
      command = command.slice(0, -1) + ' ';
      starts.push(command.length);
      command += lines[++i]!;
    }
    if (/^\s*#/.test(command)) continue;
    // Make writes a variable `$(NAME)` or `${NAME}`: the same length as the `${NAME}` interpolate() reads.
    if (makeVariables) command = command.replace(/\$\(([A-Za-z_]\w*)\)/g, '$${$1}');
    const words = (args: string, at: number) =>
      makeVariables ? tokens(args, at).map((t) => interpolate(t, makeVariables)) : tokens(args, at);
    const where = (offset: number) => {
      let k = starts.length - 1;
      while (k > 0 && starts[k]! > offset) k--;
      return { line: first + k + 1, column: offset - starts[k]! + 1 };
    };
    for (const m of command.matchAll(/(?:^|[\s;&|(`])(huggingface-cli|hf)\s+download\s+([^;&|`)\n#]*)/g)) {
      const argsAt = m.index + m[0].length - m[2]!.length;
      readDownload(m[1]!, words(m[2]!, argsAt), where, path, existsLocally, out);
    }
    for (const m of command.matchAll(/(?:^|[\s;&|(`])(?:python[\d.]*\s+-m\s+)?spacy\s+download\s+([^;&|`)\n#]*)/g)) {
      const argsAt = m.index + m[0].length - m[1]!.length;
      readSpacyDownload(words(m[1]!, argsAt), where, path, out);
    }
    for (const m of command.matchAll(/(?:^|[\s;&|(`])(wget|curl)\s+([^;&|`)\n#]*)/g)) {
      const argsAt = m.index + m[0].length - m[2]!.length;
      readHttpGet(m[1]!, words(m[2]!, argsAt), where, path, out);
    }
    for (const m of command.matchAll(/(?:^|[\s;&|(`])git\s+clone\s+([^;&|`)\n#]*)/g)) {
      const argsAt = m.index + m[0].length - m[1]!.length;
      readClone(words(m[1]!, argsAt), where, path, out);
    }
    const assignments = hubAssignments(command);
    const hubEnv = hubSwitches(assignments, exported);
    const line = { command, where, path, existsLocally, out, hubEnv };
    readOllamaCommands(line, created);
    readLlamaCpp(line);
    readMlxLm(line);
    readToolkitClis(line);
    readHubSettings(line, assignments);
    if (!compose) readModelServers(line);
    readLlamaEnv(line);
    if (modelfile) readModelfileFrom(line);
  }
  return out;
}

/**
 * What the hub switches are for one command line (runtimes.ts `hubAssignments`): vLLM's and LMDeploy's to ModelScope
 * (both `.lower() == 'true'`), ms-swift's `USE_HF` to Hugging Face (transformers' strtobool). Exported or a
 * Dockerfile's `ENV`, for the rest of the file (`exported`, changed in place); before a command alone, for that
 * command.
 */
function hubSwitches(
  assignments: readonly HubAssignment[],
  exported: Map<string, string>,
): ReadonlyMap<string, string> {
  const here = new Map(exported);
  for (const a of assignments) {
    here.set(a.variable, a.value);
    if (a.persists) exported.set(a.variable, a.value);
  }
  return here;
}

/**
 * A Makefile's variables set to plain values at the top level (`MODEL ?= org/x`, `REV := main`, `X = y`; GNU make's
 * recursive, simple and conditional assignments, `override`/`export` before them): what a recipe's `$(MODEL)` expands
 * to unless `make MODEL=…` (or, for `?=`, the environment) sets another — so the finding names the variable. A value
 * that expands anything itself is not read; for `?=` the first assignment holds, for the others the last.
 */
function makeAssignments(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = /^(?:(?:override|export)\s+)?([A-Za-z_]\w*)\s*(\?=|:{0,3}=)\s*([^#]*?)\s*(?:#.*)?$/.exec(line);
    if (!m || m[3]!.includes('$')) continue;
    if (m[2] === '?=' && out.has(m[1]!)) continue;
    out.set(m[1]!, m[3]!);
  }
  return out;
}

const VALUE_OPTIONS = new Set(['--revision', '--repo-type', '--local-dir', '--cache-dir', '--token', '--max-workers']);
const LIST_OPTIONS = new Set(['--include', '--exclude']);

function readDownload(
  cli: string,
  args: Token[],
  where: Where,
  path: string,
  existsLocally: (p: string) => boolean,
  out: FileReferences,
): void {
  const positional: Token[] = [];
  const options = new Map<string, Token>();
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    const eq = t.text.indexOf('=');
    const name = t.text.startsWith('--') && eq > 0 ? t.text.slice(0, eq) : t.text;
    if (VALUE_OPTIONS.has(name)) {
      const value = eq > 0 ? { ...t, text: t.text.slice(eq + 1) } : args[++i];
      if (value) options.set(name, value);
    } else if (LIST_OPTIONS.has(name)) {
      while (args[i + 1] && !args[i + 1]!.text.startsWith('-')) i++;
    } else if (!t.text.startsWith('-')) positional.push(t);
  }
  const repoType = options.get('--repo-type')?.text ?? 'model';
  const repo = positional[0];
  if (!repo || repoType !== 'model') return;
  const via = `${cli} download`;
  const place = { path, ...where(repo.at), via };
  commandDownload(place, repo, options.get('--revision'), existsLocally, out, {
    runsRemoteCode: false,
    ...(positional.length === 2 ? { file: positional[1]!.text } : {}),
  });
}

/**
 * `spacy download <name> [--direct] [--sdist] [--url <base>] [pip args…]` (spacy/cli/download.py `download_cli`):
 * pip installs the package from the explosion/spacy-models release `<name>-<version>`, as python-loaders.ts reads
 * `spacy.cli.download`: the version a compatibility table read at run time picks, or with `--direct` the name's own.
 */
function readSpacyDownload(args: Token[], where: Where, path: string, out: FileReferences): void {
  const flags = new Set(args.filter((t) => t.text.startsWith('-')).map((t) => t.text));
  const model = args.find((t, i) => !t.text.startsWith('-') && !['--url', '-U'].includes(args[i - 1]?.text ?? ''));
  if (!model) return;
  const place = { path, ...where(model.at), via: 'spacy download', runsRemoteCode: true };
  // A name the shell expands, or a base URL of the caller's own: where the package comes from is the run time's.
  if (model.expands || flags.has('--url') || flags.has('-U') || [...flags].some((f) => f.startsWith('--url='))) {
    out.dynamic.push(place);
    return;
  }
  const tag = spacyReleaseTag(model.text, flags.has('--direct') || flags.has('-d') || flags.has('-D'));
  if (tag === undefined) return;
  out.references.push({ ...place, hub: 'github', repoId: SPACY_MODELS, revision: tag, revisionKind: 'ref' });
}

/**
 * `wget URL` / `curl -L -o FILE URL`: a hub file's URL (`/resolve/<rev>/<file>`) is that file at that revision, as
 * a plain HTTP download in Python or JavaScript is (calls.ts `hubUrlOnly`); any other URL says nothing of a model.
 */
function readHttpGet(tool: string, args: Token[], where: Where, path: string, out: FileReferences): void {
  for (const t of args) {
    if (t.expands || t.text.startsWith('-')) continue;
    const url = hubFileUrl(t.text);
    if (!url) continue;
    out.references.push({
      path,
      ...where(t.at),
      via: tool,
      hub: 'huggingface',
      url: url.url,
      repoId: url.repoId,
      revision: url.revision,
      revisionKind: revisionKind(url.revision),
      ...(url.file !== undefined ? { file: url.file } : {}),
      runsRemoteCode: false,
    });
  }
}

/** `git clone [--branch X] https://huggingface.co/<org>/<name>`: the repository at that branch, or its default. */
function readClone(args: Token[], where: Where, path: string, out: FileReferences): void {
  let branch: string | undefined;
  let url: Token | undefined;
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    if (t.text === '--branch' || t.text === '-b') branch = args[++i]?.text;
    else if (t.text.startsWith('--branch=')) branch = t.text.slice('--branch='.length);
    else if (t.text === '--depth' || t.text === '--filter' || t.text === '-c') i++;
    else if (!t.text.startsWith('-')) {
      url = t;
      break;
    }
  }
  const m = url && /^https?:\/\/(?:www\.)?(?:huggingface\.co|hf\.co)\/([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/.exec(url.text);
  // Datasets and Spaces live under /datasets/ and /spaces/: not models.
  if (!url || !m || /^(datasets|spaces)\//.test(m[1]!)) return;
  out.references.push({
    path,
    ...where(url.at),
    via: 'git clone',
    hub: 'huggingface',
    repoId: m[1]!,
    url: url.text,
    ...(branch !== undefined ? { revision: branch } : {}),
    // git clone --branch takes a branch or a tag, never a commit.
    revisionKind: branch !== undefined ? 'ref' : 'none',
    runsRemoteCode: false,
  });
}
