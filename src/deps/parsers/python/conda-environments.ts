import { isMap, isScalar, isSeq, LineCounter } from 'yaml';
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
export function condaPipRequirements(text: string): InstallArgument[] {
  const lineCounter = new LineCounter();
  const doc = parseShallowYaml(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const root = doc.contents;
  if (doc.errors.length > 0 || !isMap(root)) return [];
  const dependencies = root.get('dependencies', true);
  const out: InstallArgument[] = [];
  for (const item of isSeq(dependencies) ? dependencies.items : []) {
    const pip = isMap(item) ? item.get('pip', true) : undefined;
    for (const line of isSeq(pip) ? pip.items : []) {
      if (!isScalar(line) || typeof line.value !== 'string' || !line.range) continue;
      const at = lineCounter.linePos(line.range[0]).line;
      const text = line.value.trim();
      const editable = /^(?:-e|--editable)(?:\s+|=)(.+)$/.exec(text)?.[1];
      if (editable !== undefined) out.push({ written: editable.trim(), line: at, editable: true });
      else if (!text.startsWith('-') && text !== '') out.push({ written: text, line: at, editable: false });
    }
  }
  return out;
}
