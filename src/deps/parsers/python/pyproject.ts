import { normalizeName, parseRequirement } from './pep508.js';
import type { IndexConfig } from './pyproject-indexes.js';
import { readIndexConfig } from './pyproject-indexes.js';
import type { PoetryContentHashes } from './poetry-content-hash.js';
import { poetryContentHashes } from './poetry-content-hash.js';
import { isTable, parseToml, strOf } from './toml.js';
import type { DirectPin } from './pyproject-direct-pins.js';
import { directPins } from './pyproject-direct-pins.js';

/** A dependency `pyproject.toml` declares, at its line. */
export interface DeclaredDependency {
  readonly name: string;
  readonly specifier: string;
  readonly group: 'main' | 'optional' | 'group';
  readonly line: number;
}

export interface PyProject {
  readonly file: string;
  /** Normalised project name, '' when none. */
  readonly name: string;
  readonly dependencies: readonly DeclaredDependency[];
  /** The indexes Poetry / PDM / uv are told to use, and how they combine. */
  readonly indexConfig: IndexConfig;
  /** Dependencies tied to one git repository or archive URL (Poetry `git` / `url`, uv `[tool.uv.sources]`). */
  readonly directPins: ReadonlyMap<string, DirectPin>;
  /** The poetry.lock `content-hash` Poetry would write for this file; absent when it cannot be reproduced. */
  readonly poetryContentHashes?: PoetryContentHashes;
}

/**
 * The dependencies a pyproject.toml declares, for lockfile sync checks: PEP 621 `[project]` dependencies and
 * optional-dependencies, PEP 735 `[dependency-groups]`, and Poetry's `[tool.poetry.dependencies]`,
 * `dev-dependencies` and `group.<g>.dependencies` (whose keys are names and values specs; `python` is not a
 * package). Throws PyLockError for TOML that does not parse.
 */
export function parsePyproject(file: string, text: string): PyProject {
  const doc = parseToml(file, text);
  const project = isTable(doc.project) ? doc.project : {};
  const poetry = isTable(doc.tool) && isTable(doc.tool.poetry) ? doc.tool.poetry : {};
  const name = normalizeName(strOf(project.name) ?? strOf(poetry.name) ?? '');
  const finder = lineFinder(text);
  const out: DeclaredDependency[] = [];
  const addPep508 = (list: unknown, group: DeclaredDependency['group']) => {
    if (!Array.isArray(list)) return;
    for (const item of list) {
      const req = typeof item === 'string' ? parseRequirement(item) : undefined;
      if (req) out.push({ name: normalizeName(req.name), specifier: req.specifier, group, line: finder(req.name) });
    }
  };
  addPep508(project.dependencies, 'main');
  if (isTable(project['optional-dependencies'])) {
    for (const list of Object.values(project['optional-dependencies'])) addPep508(list, 'optional');
  }
  if (isTable(doc['dependency-groups'])) {
    for (const list of Object.values(doc['dependency-groups'])) addPep508(list, 'group');
  }
  const addPoetry = (table: unknown, group: DeclaredDependency['group']) => {
    if (!isTable(table)) return;
    for (const [dep, spec] of Object.entries(table)) {
      if (dep.toLowerCase() === 'python') continue;
      const specifier = typeof spec === 'string' ? spec : isTable(spec) ? (strOf(spec.version) ?? '') : '';
      const optional = isTable(spec) && spec.optional === true;
      out.push({ name: normalizeName(dep), specifier, group: optional ? 'optional' : group, line: finder(dep) });
    }
  };
  addPoetry(poetry.dependencies, 'main');
  addPoetry(poetry['dev-dependencies'], 'group');
  if (isTable(poetry.group)) {
    for (const g of Object.values(poetry.group)) if (isTable(g)) addPoetry(g.dependencies, 'group');
  }
  const contentHashes = poetryContentHashes(doc);
  return {
    file,
    name,
    dependencies: out,
    indexConfig: readIndexConfig(doc, text),
    directPins: directPins(doc),
    ...(contentHashes !== undefined ? { poetryContentHashes: contentHashes } : {}),
  };
}

/** The first line where a dependency name appears quoted or as a key: a line for the finding, not a parse. */
function lineFinder(text: string): (name: string) => number {
  const lines = text.split('\n');
  return (name) => {
    const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`(["']${esc}\\s*[\\[<>=!~;@ "']|["']${esc}["']|^\\s*${esc}\\s*=)`, 'i');
    const i = lines.findIndex((l) => re.test(l));
    return i < 0 ? 1 : i + 1;
  };
}
