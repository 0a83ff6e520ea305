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
  /**
   * The declaration says where the package comes from: a PEP 508 `name @ url`, a Poetry table with `git` / `url` /
   * `path` / `file` / `source` (in any of its constraints), or a uv `[tool.uv.sources]` entry. Without one the
   * installer resolves the name on an index (checks/index-asked-source.ts).
   */
  readonly sourced?: true;
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
  /** `[tool.uv]`'s build settings: which packages `uv sync` refuses to build, and which it builds whatever wheels. */
  readonly uvBuilds: UvBuilds;
  /** PEP 621 `[project] requires-python`: the Pythons a lock that records none of its own was resolved for (PDM). */
  readonly requiresPython?: string;
}

/**
 * uv's `no-build` / `no-build-package` (never build an sdist: an install that needs one fails) and `no-binary` /
 * `no-binary-package` (never install a wheel: every such package is built from its sdist), as `[tool.uv]` sets them
 * (uv-settings `ResolverInstallerOptions`; uv-configuration `NoBuild::from_args`, `NoBinary::from_args`).
 */
export interface UvBuilds {
  /** The file that sets them: the pyproject.toml (its `[tool.uv]`), or the uv.toml beside it (read instead). */
  readonly file: string;
  /** That file or table, as a message names it. */
  readonly label: string;
  readonly noBuild: boolean;
  readonly noBuildPackages: ReadonlySet<string>;
  readonly noBinary: boolean;
  readonly noBinaryPackages: ReadonlySet<string>;
}

/**
 * The dependencies a pyproject.toml declares, for lockfile sync checks: PEP 621 `[project]` dependencies and
 * optional-dependencies, PEP 735 `[dependency-groups]`, uv's `[tool.uv] dev-dependencies`, and Poetry's `[tool.poetry.dependencies]`,
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
  const uvTool = isTable(doc.tool) && isTable(doc.tool.uv) ? doc.tool.uv : {};
  const uvSources = new Set(isTable(uvTool.sources) ? Object.keys(uvTool.sources).map(normalizeName) : []);
  const addPep508 = (list: unknown, group: DeclaredDependency['group']) => {
    if (!Array.isArray(list)) return;
    for (const item of list) {
      const req = typeof item === 'string' ? parseRequirement(item) : undefined;
      if (!req) continue;
      const name = normalizeName(req.name);
      const sourced = req.url !== undefined || uvSources.has(name);
      out.push({ name, specifier: req.specifier, group, line: finder(req.name), ...(sourced ? { sourced } : {}) });
    }
  };
  addPep508(project.dependencies, 'main');
  if (isTable(project['optional-dependencies'])) {
    for (const list of Object.values(project['optional-dependencies'])) addPep508(list, 'optional');
  }
  if (isTable(doc['dependency-groups'])) {
    for (const list of Object.values(doc['dependency-groups'])) addPep508(list, 'group');
  }
  // uv's legacy `[tool.uv] dev-dependencies` (what `uv add --dev` wrote before PEP 735): uv locks it as the `dev`
  // group (`requires-dev`).
  addPep508(uvTool['dev-dependencies'], 'group');
  const addPoetry = (table: unknown, group: DeclaredDependency['group']) => {
    if (!isTable(table)) return;
    for (const [dep, spec] of Object.entries(table)) {
      if (dep.toLowerCase() === 'python') continue;
      const specifier = typeof spec === 'string' ? spec : isTable(spec) ? (strOf(spec.version) ?? '') : '';
      const optional = isTable(spec) && spec.optional === true;
      const sourced = poetrySourced(spec);
      out.push({
        name: normalizeName(dep),
        specifier,
        group: optional ? 'optional' : group,
        line: finder(dep),
        ...(sourced ? { sourced } : {}),
      });
    }
  };
  addPoetry(poetry.dependencies, 'main');
  addPoetry(poetry['dev-dependencies'], 'group');
  if (isTable(poetry.group)) {
    for (const g of Object.values(poetry.group)) if (isTable(g)) addPoetry(g.dependencies, 'group');
  }
  const contentHashes = poetryContentHashes(doc);
  const requiresPython = strOf(project['requires-python'])?.trim() || undefined;
  return {
    file,
    name,
    dependencies: out,
    indexConfig: readIndexConfig(doc, text),
    directPins: directPins(doc),
    uvBuilds: readUvBuilds(uvTool, file, `${file}'s [tool.uv]`),
    ...(contentHashes !== undefined ? { poetryContentHashes: contentHashes } : {}),
    ...(requiresPython !== undefined ? { requiresPython } : {}),
  };
}

/** The build settings of a uv settings table (`[tool.uv]`, or a uv.toml's top level) in `file`. */
export function readUvBuilds(uv: Record<string, unknown>, file: string, label: string): UvBuilds {
  const names = (v: unknown) =>
    new Set(Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string').map(normalizeName) : []);
  return {
    file,
    label,
    noBuild: uv['no-build'] === true,
    noBuildPackages: names(uv['no-build-package']),
    noBinary: uv['no-binary'] === true,
    noBinaryPackages: names(uv['no-binary-package']),
  };
}

/**
 * Poetry's `Dependency.source_type` / `source_name`: set by a `git`, `url`, `path` or `file` key (a direct origin) or
 * a `source` key (a named repository), in the table or in any table of a multiple-constraints list.
 */
function poetrySourced(spec: unknown): boolean {
  const tables = Array.isArray(spec) ? spec : [spec];
  return tables.some((t) => isTable(t) && ['git', 'url', 'path', 'file', 'source'].some((k) => t[k] !== undefined));
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
