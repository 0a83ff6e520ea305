import { isMap, isScalar, isSeq, LineCounter, Scalar, type YAMLMap } from 'yaml';
import { parseShallowYaml } from '../../../core/yaml-depth.js';
import type { InstallArgument, RunScript } from './install-arguments.js';
import { SEPARATORS, program } from './install-requirements.js';
import type { Word } from './install-requirements.js';

/** The conda front-ends whose `env create` / `env update` (micromamba also `create` / `install`) read an env file. */
const CONDA = /^(?:conda|mamba|micromamba)$/;

/**
 * The conda environment files an install file has built: `conda env create -f F` / `conda env update --file=F`
 * (`mamba` alike; without `-f`, conda's default `environment.yml`), `micromamba create|install|update -f F.yml`,
 * and a workflow's `environment-file:` (setup-miniconda, setup-micromamba). Only a `.yml` / `.yaml` file is one.
 * `commands`: the file's shellCommands.
 */
export function namedCondaEnvironments(commands: readonly (readonly Word[])[]): RunScript[] {
  const out: RunScript[] = [];
  for (const words of commands) {
    const setting = environmentFileSetting(words);
    if (setting !== undefined) out.push(setting);
    for (let i = 0; i < words.length; i++) {
      if (!CONDA.test(program(words[i]))) continue;
      const env = words[i + 1]?.text === 'env';
      const verb = words[i + (env ? 2 : 1)]?.text;
      const micromamba = program(words[i]) === 'micromamba';
      if (!(verb === 'create' || verb === 'update' || (micromamba && verb === 'install'))) continue;
      if (!env && !micromamba) continue;
      let file: RunScript | undefined;
      let j = i + (env ? 3 : 2);
      for (; j < words.length && !SEPARATORS.has(words[j]!.text); j++) {
        const w = words[j]!.text;
        const glued = /^(?:--file=|-f)(.+)$/.exec(w)?.[1];
        if (glued !== undefined) file = { written: glued, line: words[j]!.line, exact: false };
        else if ((w === '-f' || w === '--file') && words[j + 1] !== undefined)
          file = { written: words[++j]!.text, line: words[j]!.line, exact: false };
      }
      // conda env's `--file` defaults to environment.yml in the folder it runs in.
      if (file === undefined && env) file = { written: 'environment.yml', line: words[i]!.line, exact: true };
      if (file !== undefined && /\.ya?ml$/i.test(file.written)) out.push(file);
      i = j - 1;
    }
  }
  return out;
}

/**
 * A workflow step's `environment-file: F` (`- environment-file: F`) as the words of its line, the shell's quotes
 * and comment already gone; only a `.yml` / `.yaml` file.
 */
function environmentFileSetting(words: readonly Word[]): RunScript | undefined {
  const at = words[0]?.text === '-' ? 1 : 0;
  const key = words[at];
  const value = words[at + 1];
  if (key?.text !== 'environment-file:' || value === undefined || value.line !== key.line) return undefined;
  return /\.ya?ml$/i.test(value.text) ? { written: value.text, line: value.line, exact: false } : undefined;
}

/**
 * The requirements the `pip:` entry of a conda environment file's `dependencies` installs: conda's pip installer
 * (conda env/installers/pip.py `_pip_install_via_requirements`) writes the list to a requirements file beside the
 * environment file and runs `pip install -U -r` on it, so each item is a requirements-file line (`-e <location>` an
 * editable; other option lines are not requirements). Each at its line; a file that does not parse gives none.
 */
export function condaPipRequirements(environment: EnvironmentYaml | undefined): InstallArgument[] {
  const out: InstallArgument[] = [];
  for (const { line: at, text: part } of pipItems(environment)) {
    const text = part.trim();
    const editable = /^(?:-e|--editable)(?:\s+|=)(.+)$/.exec(text)?.[1];
    if (editable !== undefined) out.push({ written: editable.trim(), line: at, editable: true });
    else if (!text.startsWith('-') && text !== '') out.push({ written: text, line: at, editable: false });
  }
  return out;
}

/** The requirements file conda writes for a `pip:` list, and where each of its lines is in the environment file. */
export interface CondaPipFile {
  readonly text: string;
  /** The environment file's lines holding an option line. */
  readonly options: ReadonlySet<number>;
  /** The environment file's line of each line of `text` (index 0: line 1), where it has one. */
  readonly lineOf: readonly (number | undefined)[];
}

/**
 * The requirements file conda writes for the `pip:` list (`_pip_install_via_requirements`: the items joined by
 * newlines, in a temporary file in the environment file's folder, so a `-r` is relative to it), each item at its own
 * line of the environment file where it can be, so that what pip reads is found where it is written; `options`: the
 * lines holding an option line (`--extra-index-url`, `--trusted-host`, `-r`, …), which pip obeys as in any
 * requirements file. Undefined when no item is an option line: the list is requirements only, which
 * condaPipRequirements gives.
 */
export function condaPipRequirementsFile(environment: EnvironmentYaml | undefined): CondaPipFile | undefined {
  const lines: string[] = [];
  const lineOf: (number | undefined)[] = [];
  const options = new Set<number>();
  for (const { line, text: part } of pipItems(environment)) {
    // The lines of a quoted item holding `\n` share its line: those after the first, and the items after it, move
    // down in the file pip reads, each keeping its own line of the environment file.
    const at = Math.max(line - 1, lines.length);
    lines[at] = part;
    lineOf[at] = line;
    const trimmed = part.trim();
    if (trimmed.startsWith('-') && !/^(?:-e|--editable)(?:\s|=|$)/.test(trimmed)) options.add(line);
  }
  if (options.size === 0) return undefined;
  return { text: Array.from(lines, (l) => l ?? '').join('\n'), options, lineOf };
}

/**
 * The lines of the requirements file conda writes from the `pip:` entry of `dependencies` (its string items), each
 * with its line in the environment file; none when the file does not parse.
 */
function pipItems(environment: EnvironmentYaml | undefined): { line: number; text: string }[] {
  if (environment === undefined) return [];
  const { root, lineCounter } = environment;
  const dependencies = root.get('dependencies', true);
  const out: { line: number; text: string }[] = [];
  for (const item of isSeq(dependencies) ? dependencies.items : []) {
    const pip = isMap(item) ? item.get('pip', true) : undefined;
    for (const line of isSeq(pip) ? pip.items : []) {
      if (!isScalar(line) || typeof line.value !== 'string' || !line.range) continue;
      // A block scalar (`- |`) starts on the line after its indicator, each of its lines on its own; conda's join
      // makes each of an item's lines one of the requirements file (its final line break ends the last). A quoted
      // item's lines (`"a\nb"`) are all at the item's line.
      const block = line.type === Scalar.BLOCK_LITERAL || line.type === Scalar.BLOCK_FOLDED ? 1 : 0;
      const at = lineCounter.linePos(line.range[0]).line + block;
      const parts = line.value.replace(/(?:\r?\n|\r)$/, '').split(/\r?\n|\r/);
      parts.forEach((part, i) => out.push({ line: at + i * block, text: part }));
    }
  }
  return out;
}

/** A conda environment file's top-level map and its line counter (environmentYaml), read once per file. */
export interface EnvironmentYaml {
  readonly root: YAMLMap;
  readonly lineCounter: LineCounter;
}

/** A conda environment file's top-level map and its line counter; undefined when it does not parse to one. */
export function environmentYaml(text: string): EnvironmentYaml | undefined {
  const lineCounter = new LineCounter();
  const doc = parseShallowYaml(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const root = doc.contents;
  return doc.errors.length > 0 || !isMap(root) ? undefined : { root, lineCounter };
}
