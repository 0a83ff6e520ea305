import { cutComment, settingLineValue } from '../../core/linear-text.js';
import { DEFAULT_PNPMFILES, pnpmfilePath } from '../../deps/checks/pnpmfile.js';
import { parsePnpmWorkspace } from '../../deps/parsers/pnpm-workspace.js';
import { formatFromName } from '../../discover/catalogue/index.js';
import { isInstallEnvFile } from '../../deps/python-inputs.js';
import { installNamedPaths } from '../../deps/parsers/python/install-requirements.js';
import type { InstallTree } from '../../deps/parsers/python/install-requirements.js';
import { asInstallCommands } from '../../deps/parsers/python/tox-nox-installs.js';

/**
 * Files a review input names by path, whatever they are called: the snapshot holds them too, so the head scan reads
 * what the package manager reads. A requirements file's `-r` / `-c` includes (pip's req_file.py `_parse_and_recurse`
 * joins a relative path to the including file's folder, and parses the included file as requirements again), and the
 * pnpmfile `.npmrc` `pnpmfile=` or pnpm-workspace.yaml `pnpmfile:` names (@pnpm/pnpmfile `getPnpmfilePath`, joined to
 * the folder of the file that sets it).
 */
export type NamedKind = 'requirements' | 'code' | 'config';

export interface NamedPath {
  readonly path: string;
  readonly kind: NamedKind;
}

/** Whether a path is read as a pip requirements file by its name alone. */
export const isRequirementsName = (p: string) => formatFromName(p) === 'pip-requirements';

/** The default pnpmfile names: pnpm loads `.pnpmfile.cjs` beside the lockfile (pnpm 10 also `.pnpmfile.mjs`). */
export const isDefaultPnpmfile = (p: string) => /(^|\/)\.pnpmfile\.(c|m)?js$/.test(p);

/**
 * A file whose install commands the Python dependency stage reads (python/stage.ts `envFiles`): a Dockerfile,
 * workflow, script, tox or nox file, and pyproject.toml for its `[tool.tox]`.
 */
export const readsInstallCommands = (p: string) =>
  isInstallEnvFile(p) || p.slice(p.lastIndexOf('/') + 1) === 'pyproject.toml';

/**
 * The files of the tree (its installTree) the install commands of `p` name, located as the Python dependency stage
 * locates them (install-requirements.ts `installNamedPaths`): a requirements file under any name, a pip or uv config
 * file, a script `uv run` / `pipx run` installs the inline metadata of, a conda environment file with its `pip:` list.
 */
export function installNames(p: string, text: string, tree: InstallTree): NamedPath[] {
  return installNamedPaths(p, asInstallCommands(p, text), tree, text);
}

/** The paths `text` (the file at `p`, read as `kind`) names, repo-relative; ones outside the tree are left out. */
export function namedBy(p: string, text: string, asRequirements: boolean): NamedPath[] {
  const dir = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
  const base = p.slice(p.lastIndexOf('/') + 1);
  const out: NamedPath[] = [];
  const add = (name: string, kind: NamedKind) => {
    const resolved = pnpmfilePath(dir, name);
    if (resolved !== undefined && resolved !== '') out.push({ path: resolved, kind });
  };
  // An empty `pnpmfile` is no setting: pnpm loads its default files (@pnpm/pnpmfile `getPnpmfilePath`), the ones
  // pnpm 11+ prefers first.
  const addPnpmfile = (name: string) =>
    name.trim() === '' ? DEFAULT_PNPMFILES.forEach((d) => add(d, 'code')) : add(name, 'code');
  if (asRequirements) for (const name of requirementIncludes(text)) add(name, 'requirements');
  else if (base === '.npmrc') {
    // `/^[ \t]*pnpmfile[ \t]*=[ \t]*["']?([^"'\r\n#;]+?)["']?[ \t]*$/m`, in one pass (the expression was cubic).
    const v = settingLineValue(text, /[ \t]*pnpmfile[ \t]*=/y, 0, `"'`, `"'\r\n#;`);
    if (v !== undefined) addPnpmfile(v);
  } else if (base === 'pnpm-workspace.yaml') {
    for (const v of workspacePnpmfiles(text)) addPnpmfile(v);
  }
  return out;
}

/**
 * The `pnpmfile` pnpm-workspace.yaml sets, read as pnpm reads the file (the scan's parsePnpmWorkspace: js-yaml
 * `load`, so `<<: {pnpmfile: hooks.cjs}` sets it too, and a flow or quoted form is read whole). A file that does not
 * parse sets nothing for pnpm, which refuses it; the `pnpmfile:` line is still taken then, so the file it names is
 * read and shown rather than missed. A list gives each of its strings: at worst a file pnpm would not load is shown.
 */
function workspacePnpmfiles(text: string): string[] {
  const ws = parsePnpmWorkspace(text);
  if (!('error' in ws)) {
    const v = ws.settings['pnpmfile'];
    const list: unknown[] = Array.isArray(v) ? v : [v];
    return list.filter((x): x is string => typeof x === 'string');
  }
  // `/^pnpmfile:[ \t]*["']?([^"'\r\n#]+?)["']?[ \t]*$/m`, in one pass.
  const line = settingLineValue(text, /pnpmfile:/y, 0, `"'`, `"'\r\n#`);
  return line === undefined ? [] : [line];
}

/**
 * `-r x` / `--requirement x` / `-c x` / `--constraint x` lines (also `-rx`, `--requirement=x`), after pip's own
 * preprocessing: `\` continuations joined, `#` comments dropped. URLs are not files of the tree.
 */
export function requirementIncludes(text: string): string[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const out: string[] = [];
  for (const raw of lines) {
    const line = cutComment(raw).trim();
    const m = /^(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|(?<=^-[rc]))(\S+)/.exec(line);
    if (m && !/^[a-z][a-z0-9+.-]*:\/\//i.test(m[1]!)) out.push(m[1]!);
  }
  return out;
}
