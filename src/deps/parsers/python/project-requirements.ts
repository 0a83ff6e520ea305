import type { InstallArgument } from './install-arguments.js';
import { directPins } from './pyproject-direct-pins.js';
import { isTable, parseToml } from './toml.js';

/**
 * The requirements a pyproject.toml gives the next install when no lockfile beside it pins them: `pip install .`
 * fetches `[build-system] requires` into the isolated build environment (pip's `BuildEnvironment.install_requirements`)
 * and then `[project] dependencies` (an extra's `optional-dependencies` when asked for), `uv sync` and `poetry install`
 * lock them afresh, with PEP 735 `[dependency-groups]` and the git / URL sources of `[tool.uv.sources]` and Poetry's
 * dependency tables. Each as an install argument at the line its string is on. A file that is no TOML throws
 * parseToml's PyLockError (with its line): pip's `load_pyproject_toml` and uv refuse such a project, and nothing in it
 * was checked, which the caller reports.
 */
export function projectRequirements(file: string, text: string): InstallArgument[] {
  const doc = parseToml(file, text);
  const lineOf = lineFinder(text);
  const project = isTable(doc.project) ? doc.project : {};
  const build = isTable(doc['build-system']) ? doc['build-system'] : {};
  const written = [
    ...strings(build.requires),
    ...strings(project.dependencies),
    ...tableLists(project['optional-dependencies']),
    ...tableLists(doc['dependency-groups']),
  ];
  const out = written.map((w) => ({ written: w, line: lineOf(w), editable: false }));
  for (const [name, pin] of directPins(doc)) {
    const url = pin.kind === 'git' ? `git+${pin.url}${pin.commit !== undefined ? `@${pin.commit}` : ''}` : pin.url;
    out.push({ written: `${name} @ ${url}`, line: lineOf(pin.url), editable: false });
  }
  for (const [name, path] of pathSources(doc)) {
    out.push({ written: `${name} @ file:${path}`, line: lineOf(path), editable: false });
  }
  return out;
}

/**
 * The local folders and archives a pyproject.toml's tool tables install a dependency from: uv's `[tool.uv.sources]`
 * `{ path = … }` (uv-workspace `Source::Path`, joined to the project's folder) and Poetry's `{ path = … }` dependency
 * tables (`PathDependency`, relative to the pyproject.toml), in a list of marker-chosen tables too, since the path is
 * what some platform installs. Each as its name and the path as written.
 */
function pathSources(doc: Record<string, unknown>): [string, string][] {
  const tool = isTable(doc.tool) ? doc.tool : {};
  const poetry = isTable(tool.poetry) ? tool.poetry : {};
  const uv = isTable(tool.uv) ? tool.uv : {};
  const groups = isTable(poetry.group)
    ? Object.values(poetry.group).map((g) => (isTable(g) ? g.dependencies : {}))
    : [];
  const out: [string, string][] = [];
  for (const table of [uv.sources, poetry.dependencies, poetry['dev-dependencies'], ...groups]) {
    if (!isTable(table)) continue;
    for (const [name, spec] of Object.entries(table)) {
      for (const t of Array.isArray(spec) ? spec : [spec]) {
        if (isTable(t) && typeof t.path === 'string' && t.path !== '') out.push([name, t.path]);
      }
    }
  }
  return out;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The strings of a table of lists (extras, groups; a group's `{ include-group = … }` names another group). */
function tableLists(v: unknown): string[] {
  return isTable(v) ? Object.values(v).flatMap(strings) : [];
}

/**
 * The line of the first place each string is written between quotes on one line (one pass over the text, whatever
 * the number of requirements); line 1 for one written otherwise (escapes, a multi-line string).
 */
export function lineFinder(text: string): (s: string) => number {
  const lines = new Map<string, number>();
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '"' || c === "'") {
      let end = i + 1;
      const escapes = c === '"';
      while (end < text.length && text[end] !== c && text[end] !== '\n') {
        end += escapes && text[end] === '\\' && text[end + 1] !== '\n' ? 2 : 1;
      }
      // A string that does not close on its line: the rest of the line is no place to look again (linear).
      if (text[end] !== c) {
        i = end - 1;
        continue;
      }
      const value = text.slice(i + 1, end);
      if (!lines.has(value)) lines.set(value, line);
      i = end;
    }
  }
  return (s) => lines.get(s) ?? 1;
}
