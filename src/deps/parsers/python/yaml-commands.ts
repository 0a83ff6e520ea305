import { posix } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, type YAMLMap } from 'yaml';
import { parseShallowYaml } from '../../../core/yaml-depth.js';

/**
 * A CI file's YAML (a GitHub workflow, .gitlab-ci.yml) as the shell lines its runner hands to the shell: a value
 * written as a quoted scalar on one line (`run: "pip install git+https://…"`, `- 'pip install …'`) is the string
 * YAML loads, not one quoted word, so it is written out unquoted in place; a flow sequence of quoted scalars
 * (`script: ["pip install a", "pip install b"]`) is its items, one command each. Plain scalars and block scalars
 * (`run: |`) are shell text already and stay as they are, as does a line whose scalar does not close on it. One
 * output line per input line, so findings keep their lines.
 */
export function yamlCommands(text: string): string {
  return text
    .split('\n')
    .map((line) => unquotedLine(line) ?? line)
    .join('\n');
}

/** What precedes a value: indentation, sequence dashes and one plain key (`  - run: `, `script: `, `- `). */
const VALUE_START = /^[ \t]*(?:-[ \t]+)*(?:[A-Za-z_][\w.-]*[ \t]*:[ \t]+)?(?:-[ \t]+)*/;

/** The line with its quoted value (or flow sequence of quoted values) as the loaded strings; undefined if none. */
function unquotedLine(line: string): string | undefined {
  const head = VALUE_START.exec(line)![0];
  const first = line[head.length];
  if (first === '"' || first === "'") {
    const scalar = quotedScalar(line, head.length);
    return scalar !== undefined && endsLine(line, scalar.end) ? head + scalar.value : undefined;
  }
  if (first !== '[') return undefined;
  const items: string[] = [];
  let at = skipBlanks(line, head.length + 1);
  while (line[at] !== ']') {
    const scalar = quotedScalar(line, at);
    if (scalar === undefined) return undefined;
    items.push(scalar.value);
    at = skipBlanks(line, scalar.end);
    if (line[at] === ',') at = skipBlanks(line, at + 1);
    else if (line[at] !== ']') return undefined;
  }
  return endsLine(line, at + 1) ? head + items.join(' ; ') : undefined;
}

/**
 * The quoted scalar starting at `from` (a quote): YAML's single-quoted style (`''` is one `'`) or double-quoted
 * style with its escapes (`\"`, `\\`, `\t`; `\n` is a line break, which ends a shell command as `;` does; other
 * escapes kept as written). Undefined when it does not close on the line.
 */
function quotedScalar(line: string, from: number): { value: string; end: number } | undefined {
  const quote = line[from];
  if (quote !== '"' && quote !== "'") return undefined;
  let value = '';
  for (let i = from + 1; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c !== "'") value += c;
      else if (line[i + 1] === "'") value += line[++i];
      else return { value, end: i + 1 };
    } else if (c === '"') return { value, end: i + 1 };
    else if (c === '\\' && i + 1 < line.length) {
      const e = line[++i]!;
      value += e === 'n' ? ' ; ' : e === 't' ? ' ' : e === '"' || e === '\\' || e === '/' ? e : `\\${e}`;
    } else value += c;
  }
  return undefined;
}

function skipBlanks(line: string, at: number): number {
  while (line[at] === ' ' || line[at] === '\t') at++;
  return at;
}

/** Nothing but blanks, a comment or a carriage return follows `at`. */
function endsLine(line: string, at: number): boolean {
  const end = skipBlanks(line, at);
  return end >= line.length || line[end] === '#' || line.slice(end) === '\r';
}

/** A key whose value is a block scalar (`run: |`, `- script: >-`), and the indentation of its line. */
const BLOCK_KEY = /^([ \t]*)(?:-[ \t]+)*[A-Za-z_][\w.-]*[ \t]*:[ \t]*[|>][+-]?\d*[ \t]*(?:#.*)?$/;

/**
 * The shell each line of a CI file's YAML runs in, for a `cd` that moves the lines after it: the lines of one block
 * scalar (`run: |` of a GitHub step, a GitLab `script: |`) are one script the runner hands one shell, so they share
 * an id (the key's line); any other line is a shell of its own (undefined). A block goes on while its lines are blank
 * or indented deeper than its key's line (YAML's block scalar indentation).
 */
function yamlBlockShells(text: string): (line: number) => number | undefined {
  const owner = new Map<number, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const key = BLOCK_KEY.exec(lines[i]!.replace(/\r$/, ''));
    if (!key) continue;
    const indent = key[1]!.length;
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!.replace(/\r$/, '');
      if (l.trim() !== '' && /^[ \t]*/.exec(l)![0].length <= indent) break;
      owner.set(j + 1, i + 1);
    }
    i = j - 1;
  }
  return (line) => owner.get(line);
}

/** A CI file whose run scripts ciShells reads (a GitHub workflow, .gitlab-ci.yml). */
export const CI_YAML = /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$|(^|\/)\.gitlab-ci\.ya?ml$/;

/**
 * The shell a line of a CI file runs in: lines of one `id` are one script a shell runs in order, so a `cd` moves the
 * lines after it; `folder` is where that shell starts, relative to the repository root (null: a folder only the run
 * knows, `${{ … }}`; absent: the root).
 */
export interface CiShell {
  readonly id: number;
  readonly folder?: string | null;
}

/**
 * The shell each line of a CI file (`path`, its text as written) runs in (CiShell); undefined for a line outside any
 * script. A GitHub workflow: each step's `run:` is one shell, started in the step's `working-directory`, else the
 * job's `defaults.run.working-directory`, else the workflow's (GitHub Actions' "defaults.run" and
 * "jobs.<id>.steps[*].working-directory", relative to the workspace). A .gitlab-ci.yml job: gitlab-runner writes its
 * `before_script` and `script` items, in that order, into one script for one shell (shells/abstract.go
 * `writeUserScript`), so a `cd` item moves every item after it; `after_script` runs in a shell of its own. A file that
 * does not parse falls back to its block scalars (yamlBlockShells), each one shell started at the root.
 */
export function ciShells(path: string, text: string): (line: number) => CiShell | undefined {
  const lines = new LineCounter();
  const doc = parseShallowYaml(text, { uniqueKeys: false, prettyErrors: false, lineCounter: lines });
  const root = doc.contents;
  if (doc.errors.length > 0 || !isMap(root)) {
    const block = yamlBlockShells(text);
    return (line) => {
      const id = block(line);
      return id === undefined ? undefined : { id };
    };
  }
  const owner = new Map<number, CiShell>();
  const lineAt = (offset: number) => lines.linePos(offset).line;
  const cover = (node: unknown, shell: (first: number) => CiShell) => {
    const range = (node as Node | null)?.range;
    if (range == null) return;
    const first = lineAt(range[0]);
    // A block scalar's or sequence's range ends past its last line break: the last line is the one before.
    const last = lineAt(Math.max(range[0], range[1] - 1));
    const s = shell(first);
    for (let l = first; l <= last; l++) owner.set(l, s);
  };
  if (/(^|\/)\.github\/workflows\//.test(path)) githubShells(root, cover);
  else gitlabShells(root, cover);
  return (line) => owner.get(line);
}

type Cover = (node: unknown, shell: (first: number) => CiShell) => void;

/** Each step's `run:` of each job, one shell started in its working directory. */
function githubShells(root: YAMLMap, cover: Cover): void {
  const workflow = defaultWorkingDirectory(root, undefined);
  const jobs = root.get('jobs', true);
  for (const job of isMap(jobs) ? jobs.items : []) {
    if (!isMap(job.value)) continue;
    const inJob = defaultWorkingDirectory(job.value, workflow);
    const steps = job.value.get('steps', true);
    for (const step of isSeq(steps) ? steps.items : []) {
      if (!isMap(step)) continue;
      const folder = workingDirectory(step.get('working-directory', true), inJob);
      cover(step.get('run', true), (id) => (folder === undefined ? { id } : { id, folder }));
    }
  }
}

/** A job's (or the workflow's) `defaults.run.working-directory`, else `outer`. */
function defaultWorkingDirectory(node: YAMLMap, outer: string | null | undefined): string | null | undefined {
  const defaults = node.get('defaults', true);
  const run = isMap(defaults) ? defaults.get('run', true) : undefined;
  return isMap(run) ? workingDirectory(run.get('working-directory', true), outer) : outer;
}

/** A `working-directory` value as a repository folder; null when an expression chooses it; `outer` when unset. */
function workingDirectory(value: unknown, outer: string | null | undefined): string | null | undefined {
  if (!isScalar(value) || (typeof value.value !== 'string' && typeof value.value !== 'number')) return outer;
  const written = String(value.value);
  if (/\$\{\{|^~|[$`*?]/.test(written)) return null;
  return posix.normalize(written).replace(/\/+$/, '') || '.';
}

/** Each job's `before_script` + `script` as one shell, its `after_script` as another. */
function gitlabShells(root: YAMLMap, cover: Cover): void {
  for (const job of root.items) {
    if (!isMap(job.value)) continue;
    const key = job.key as Node | null;
    const id = key?.range ? key.range[0] + 1 : undefined;
    if (id === undefined) continue;
    // One id for the job's main shell (its key's offset, past 0), another for after_script (negative).
    cover(job.value.get('before_script', true), () => ({ id }));
    cover(job.value.get('script', true), () => ({ id }));
    cover(job.value.get('after_script', true), () => ({ id: -id }));
  }
}
