import type { FileReferences } from './types.js';
import { commandDownload, tokens, type ShellLine, type Token, type Variables, type Where } from './shell-words.js';
import { innerScripts, shellSegments, ShellScope } from './shell-scope.js';
import { GitClones } from './shell-git.js';
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
import { readComposeServers, readDockerfileServers, readLlamaEnv, readModelServers } from './servers.js';
import { readToolkitClis } from './toolkit-clis.js';
import { isComposeFile, isDockerfile, isMakefile, isModelfile, isWorkflowFile } from './sources.js';
import { workflowRunEnv } from './workflow-env.js';
import { interpolate, type ShellValue } from './compose-env.js';
import type { EnvFileValues } from './compose-env-files.js';
import type { DockerEnvFiles } from './docker-env-file.js';
import { SPACY_MODELS, hubFileUrl, revisionKind, spacyReleaseTag } from './ids.js';
import { lineIndex } from './text.js';
import { makeAssignments } from '../core/make-assignment.js';

/**
 * Model downloads in shell scripts and Dockerfiles (`RUN` lines are shell): the Hugging Face CLI
 * (`huggingface-cli download`, and `hf download` since huggingface_hub 0.34), `git clone` of a hub repository and
 * `wget`/`curl` of a hub file's URL;
 * ollama, llama.cpp and the hub's endpoint settings (runtimes.ts), model servers (servers.ts: vLLM, TGI,
 * `LLAMA_ARG_HF_REPO`), and ollama Modelfiles' `FROM`.
 * Read as huggingface_hub/commands/download.py's argparse reads them: the first positional is the repo id, the rest
 * file names; `--revision`, `--repo-type` (`dataset` and `space` name their repos as a URL of them does, as a Python
 * `repo_type=` download is named), and `--include`/`--exclude`, which take every value up to the next option. Never
 * run.
 */
export function findShellReferences(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
  /** A Compose project's `.env` values (compose-dotenv.ts), for a compose file. */
  dotenv?: ReadonlyMap<string, string>,
  /** The variables a script starts with (a container's environment, `readContainerScript`). */
  env?: ReadonlyMap<string, ShellValue>,
  /** The variables of the env files a compose file's services name (compose-env-files.ts), by repository path. */
  envFiles?: EnvFileValues,
  /** The files a script's `docker run --env-file` options name (docker-env-file.ts), as written. */
  dockerEnvFiles?: DockerEnvFiles,
): FileReferences {
  const out: FileReferences = { references: [], dynamic: [] };
  // A Compose file's services are read from its YAML (servers.ts), their command lines with them; a script one of
  // them runs (`env` set) is shell.
  const served: FileReferences = { references: [], dynamic: [] };
  // Built once, for the first script: a file of many services is read in one pass of its lines.
  let at: Where | undefined;
  const searches = scriptSearches();
  const compose =
    isComposeFile(path) &&
    env === undefined &&
    readComposeServers(
      path,
      text,
      existsLocally,
      served,
      dotenv,
      (script, vars) =>
        readContainerScript(script, vars, {
          path,
          text,
          at: (at ??= lineIndex(text)),
          existsLocally,
          out: served,
          searches,
        }),
      envFiles,
    );
  // A Dockerfile's image starts its last stage's ENTRYPOINT and CMD, maybe the base image's server (servers.ts).
  const dockerfile = isDockerfile(path) && env === undefined;
  if (dockerfile) readDockerfileServers(path, text, existsLocally, served);
  const lines = text.split('\n');
  const modelfile = isModelfile(path);
  // A Makefile's variables set to plain values (so a finding names the variable); one that expands anything is not read.
  const makeVariables = isMakefile(path) ? makeAssignments(lines, (value) => value.includes('$')) : undefined;
  // What a script's or Dockerfile's lines set for the commands after them: variables, the folder (shell-scope.ts).
  const scope =
    makeVariables || compose || modelfile
      ? undefined
      : new ShellScope(isDockerfile(path) ? 'dockerfile' : 'script', env);
  const clones = new GitClones(path, out);
  // A workflow's `env:` maps, for the `run:` script each line is in (workflow-env.ts).
  const stepEnv = isWorkflowFile(path) ? workflowRunEnv(text) : undefined;
  // `ollama create NAME -f Modelfile`: NAME is a model built here, not pulled (its Modelfile's FROM is what pulls).
  const created = new Set<string>();
  for (const m of text.matchAll(/(?:^|[\s;&|(`])ollama\s+create\s+([\w.:/-]+)/g)) created.add(ollamaName(m[1]!));
  // The hub switches the script has set from here on (`export VLLM_USE_MODELSCOPE=True`, a Dockerfile's `ENV`); a
  // container's environment is exported to every command of the script it runs.
  const exported = new Map([...(env ?? [])].filter(([, v]) => v.runTime !== true).map(([k, v]) => [k, v.value]));
  const file: FileContext = { exported, created, modelfile };
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
    const where = (offset: number) => {
      let k = starts.length - 1;
      while (k > 0 && starts[k]! > offset) k--;
      return { line: first + k + 1, column: offset - starts[k]! + 1 };
    };
    // The scripts the line hands to a shell (`sh -c "…"`, an exec form's `["sh", "-c", "…"]`) are read as command
    // lines of their own, in the folder the line has reached, and blanked out of it so nothing is read twice (and
    // their assignments, a child shell's, set nothing for the lines after).
    const inner = innerScripts(command);
    let outer = command;
    for (const s of inner) outer = outer.slice(0, s.at) + ' '.repeat(s.text.length) + outer.slice(s.at + s.text.length);
    const outerSegments = shellSegments(outer, 0);
    const here = scope?.line(outer, outerSegments);
    const env = stepEnv?.(first + 1);
    const lineVars: Variables =
      makeVariables ?? (env ? new Map([...env, ...(here?.vars ?? [])]) : here?.vars) ?? NO_VARIABLES;
    // Inside `for NAME in a b; do …`, the line's commands run once with each value (shell-scope.ts `openLoop`).
    const runs = here?.loops ? loopRuns(command, lineVars, here.loops) : [lineVars];
    let after: string | undefined;
    for (const [r, vars] of runs.entries()) {
      // A Makefile's variables are make's, expanded whatever the shell's quotes; a script's where the shell expands.
      const words = (args: string, at: number) =>
        makeVariables ? tokens(args, at).map((t) => interpolate(t, vars)) : tokens(args, at, vars);
      let dir = here ? here.dir : '.';
      for (const [k, part] of [{ text: outer, at: 0 }, ...inner].entries()) {
        const at = (offset: number) => where(part.at + offset);
        const line = { command: part.text, where: at, path, existsLocally, out, vars };
        readCommand(dockerEnvFiles ? { ...line, dockerEnvFiles } : line, words, file);
        dir = clones.walk(k === 0 ? outerSegments : shellSegments(part.text, 0), dir, vars, at);
      }
      // A `cd` to a different folder each time round leaves where the script is to the run time.
      after = r === 0 || dir === after ? dir : undefined;
    }
    scope?.settle(after);
  }
  return compose || dockerfile ? withServed(served, out) : out;
}

/**
 * A Compose file's services as servers.ts reads them (with their image, environment and `.env`), then what its lines
 * start that no service's reading found: a server in a `sh -c` script or a block scalar. A line both read (a
 * service's `command:` that names its server) is reported once, as the service's: the line reader knows neither the
 * image nor the `.env`, and places a quoted word at its quote.
 */
function withServed(served: FileReferences, lines: FileReferences): FileReferences {
  const taken = new Set([...served.references, ...served.dynamic].map((r) => r.line));
  const fresh = (r: { line: number }) => !taken.has(r.line);
  return {
    references: [...served.references, ...lines.references.filter(fresh)],
    dynamic: [...served.dynamic, ...lines.dynamic.filter(fresh)],
  };
}

/**
 * Lines of containers' scripts not found in the file that `readContainerScript` still searches for, over one file
 * (`ScriptSearches`): each miss reads the rest of the file.
 */
const MAX_MISSED_LINES = 8;

/** What is left of a file's `MAX_MISSED_LINES`, shared by the scripts of its containers. */
export interface ScriptSearches {
  misses: number;
}

/** A fresh budget of script-line searches for one file. */
export const scriptSearches = (): ScriptSearches => ({ misses: MAX_MISSED_LINES });

/**
 * A script a Kubernetes container or Compose service hands to a shell (servers.ts `readPodContainers`: `command:
 * ["/bin/sh", "-c"]`, `args: ["vllm serve …"]`; `readComposeServers`: `command: sh -c "…"`), read as a shell script of
 * its own with the container's environment; each finding at its place in the file (each line of a block scalar found
 * in the file from the token on).
 */
export function readContainerScript(
  script: Token,
  env: ReadonlyMap<string, ShellValue>,
  sink: {
    path: string;
    text: string;
    at: Where;
    existsLocally: (p: string) => boolean;
    out: FileReferences;
    searches: ScriptSearches;
  },
): void {
  const found = findShellReferences(sink.path, script.text, sink.existsLocally, undefined, env);
  // The file offset of each of the script's lines: where the file holds it from the token on (a block scalar's first
  // line stands past its `|`), else at the token (a line whose escapes the file spells otherwise). A line missed
  // searches to the end of the file: past the file's MAX_MISSED_LINES of them the rest stand at the token (bounded
  // work, however many containers).
  const starts: number[] = [];
  let from = script.at;
  for (const line of script.text.split('\n')) {
    const held = sink.searches.misses > 0 ? sink.text.indexOf(line, from) : -1;
    starts.push(held < 0 ? script.at : held);
    if (held >= 0) from = held + line.length;
    else sink.searches.misses--;
  }
  const place = <T extends { line: number; column: number }>(r: T): T => ({
    ...r,
    ...sink.at((starts[r.line - 1] ?? script.at) + r.column - 1),
  });
  for (const r of found.references) sink.out.references.push(place(r));
  for (const d of found.dynamic) sink.out.dynamic.push(place(d));
}

/** Arguments up to a quote that no later quote closes: the end of the string the command stands in. */
function ownQuotes(args: string): string {
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!;
    if (c !== '"' && c !== "'") continue;
    const close = args.indexOf(c, i + 1);
    if (close < 0) return args.slice(0, i);
    i = close;
  }
  return args;
}

/** What the line readers share across a file's lines. */
interface FileContext {
  readonly exported: Map<string, string>;
  readonly created: ReadonlySet<string>;
  readonly modelfile: boolean;
}

/** Every line reader over one command line (a file's, or a script it hands to a shell). */
function readCommand(
  base: Omit<ShellLine, 'hubEnv'>,
  words: (args: string, at: number) => Token[],
  file: FileContext,
): void {
  const { command, where, path, existsLocally, out } = base;
  // A command inside a YAML or JSON string (`command: ["… && hf download org/x"]`) ends at the string's closing quote.
  const args = (text: string, at: number) => words(ownQuotes(text), at);
  for (const m of command.matchAll(/(?:^|[\s;&|(`])(huggingface-cli|hf)\s+download\s+([^;&|`)\n#]*)/g)) {
    const argsAt = m.index + m[0].length - m[2]!.length;
    readDownload(m[1]!, args(m[2]!, argsAt), where, path, existsLocally, out);
  }
  for (const m of command.matchAll(/(?:^|[\s;&|(`])(?:python[\d.]*\s+-m\s+)?spacy\s+download\s+([^;&|`)\n#]*)/g)) {
    const argsAt = m.index + m[0].length - m[1]!.length;
    readSpacyDownload(args(m[1]!, argsAt), where, path, out);
  }
  for (const m of command.matchAll(/(?:^|[\s;&|(`])(wget|curl)\s+([^;&|`)\n#]*)/g)) {
    const argsAt = m.index + m[0].length - m[2]!.length;
    readHttpGet(m[1]!, args(m[2]!, argsAt), where, path, out);
  }
  const assignments = hubAssignments(command);
  const line = { ...base, hubEnv: hubSwitches(assignments, file.exported) };
  readOllamaCommands(line, file.created);
  readLlamaCpp(line);
  readMlxLm(line);
  readToolkitClis(line);
  readHubSettings(line, assignments);
  readModelServers(line);
  readLlamaEnv(line);
  if (file.modelfile) readModelfileFrom(line);
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
 * The variables a line is read with, once for each value of the loop variables its command expands (every
 * combination, nested loops' too, up to MAX_LOOP_RUNS; past that the line is read once, those variables left to the
 * run time). A line that expands none is read once.
 */
function loopRuns(command: string, vars: Variables, loops: ReadonlyMap<string, readonly ShellValue[]>): Variables[] {
  let runs: Map<string, string | ShellValue>[] = [new Map(vars)];
  for (const [name, values] of loops) {
    if (!new RegExp(`\\$\\{?${name}(?![\\w])`).test(command)) continue;
    if (runs.length * values.length > MAX_LOOP_RUNS) return [withoutLoops(vars, loops)];
    runs = runs.flatMap((run) => values.map((v) => new Map(run).set(name, v)));
  }
  return runs;
}

const MAX_LOOP_RUNS = 64;

/** `vars` with the loop variables' values left to the run time (shell-scope.ts `openLoop`). */
function withoutLoops(vars: Variables, loops: ReadonlyMap<string, readonly ShellValue[]>): Variables {
  const out = new Map(vars);
  for (const name of loops.keys()) out.set(name, { value: '', from: `for ${name}`, runTime: true });
  return out;
}

/** No variable set: what a Compose file's or Modelfile's lines are read with. */
const NO_VARIABLES: ReadonlyMap<string, string> = new Map();

/** `--repo-type` values other than `model`, and the prefix a URL of such a repo has. */
const REPO_TYPES: ReadonlyMap<string, 'datasets/' | 'spaces/'> = new Map([
  ['dataset', 'datasets/'],
  ['space', 'spaces/'],
]);

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
  // huggingface_hub/cli download.py: `--repo-type` is one of model, dataset, space (argparse `choices`; typer's
  // RepoType enum in `hf`): any other value is refused, and one the shell expands is left to the run time.
  const type = options.get('--repo-type');
  const repoType = type === undefined || type.text === 'model' ? '' : REPO_TYPES.get(type.text);
  const repo = positional[0];
  if (!repo || repoType === undefined || type?.expands) return;
  const via = `${cli} download`;
  const place = { path, ...where(repo.at), via };
  commandDownload(place, repo, options.get('--revision'), existsLocally, out, {
    runsRemoteCode: false,
    ...(positional.length === 2 ? { file: positional[1]!.text } : {}),
    ...(repoType !== '' ? { repoType } : {}),
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
