import { normalizeName } from './pep508.js';
import { arrayTableLines, isTable, lineOf, strOf } from './toml.js';

/** Which tool reads an index declaration: its search order decides who wins a name two indexes both serve. */
export type IndexTool = 'poetry' | 'pdm' | 'uv';

/**
 * An index a pyproject.toml declares for its tool, at its line, with what limits the names it serves:
 * `priority` is Poetry's (`primary`, `supplemental`, `explicit`, legacy `default` / `secondary`); `explicit` also
 * marks a uv index with `explicit = true`; `only` is PDM's `include_packages`.
 */
export interface DeclaredIndex {
  readonly tool: IndexTool;
  readonly name: string;
  readonly url: string;
  readonly line: number;
  readonly priority: 'primary' | 'supplemental' | 'explicit' | 'default' | 'secondary' | 'find-links';
  /** PDM `include_packages`: the only names this source serves, and which no other source may serve. */
  readonly only?: readonly string[];
  /** PDM `verify_ssl = false`: the source's host is not TLS-checked. */
  readonly verifySsl?: false;
  /** The file declaring it when that is not the pyproject.toml (a uv.toml beside it). */
  readonly file?: string;
}

/** The index configuration of a pyproject.toml: declared indexes and the settings that change how they combine. */
export interface IndexConfig {
  readonly indexes: readonly DeclaredIndex[];
  /** uv `[tool.uv] index-strategy` (default `first-index`), its line, and its file when not the pyproject.toml. */
  readonly uvStrategy?: { readonly value: string; readonly line: number; readonly file?: string };
  /** PDM `[tool.pdm.resolution] respect-source-order`. */
  readonly pdmSourceOrder: boolean;
  /**
   * Normalised names pinned to named indexes: Poetry `source = "x"`, uv `[tool.uv.sources] n = { index = "x" }` or a
   * list of such tables chosen by marker / extra.
   */
  readonly pinnedTo: ReadonlyMap<string, readonly string[]>;
  /** The pins that hold whatever the platform, extra or group (no `marker(s)`, `extra`, `group` and no list of them). */
  readonly pinnedAlways: ReadonlyMap<string, readonly string[]>;
}

/**
 * Read `[[tool.poetry.source]]`, `[[tool.pdm.source]]`, `[[tool.uv.index]]` and `[tool.uv] extra-index-url` /
 * `index-url` / `index-strategy`, plus the per-dependency index pins, from a parsed pyproject.toml.
 */
export function readIndexConfig(doc: Record<string, unknown>, text: string): IndexConfig {
  const tool = isTable(doc.tool) ? doc.tool : {};
  const poetry = isTable(tool.poetry) ? tool.poetry : {};
  const pdm = isTable(tool.pdm) ? tool.pdm : {};
  const uv = isTable(tool.uv) ? tool.uv : {};
  const indexes: DeclaredIndex[] = [
    ...tablesOf(poetry.source, text, 'tool.poetry.source').map(([s, line]) => poetrySource(s, line)),
    ...tablesOf(pdm.source, text, 'tool.pdm.source').map(([s, line]) => pdmSource(s, line)),
    ...tablesOf(uv.index, text, 'tool.uv.index').map(([s, line]) => uvIndex(s, line)),
    ...uvUrlOptions(uv, text),
  ].filter((i): i is DeclaredIndex => i !== undefined);
  const strategy = strOf(uv['index-strategy']);
  const resolution = isTable(pdm.resolution) ? pdm.resolution : {};
  return {
    indexes,
    ...(strategy !== undefined ? { uvStrategy: { value: strategy, line: keyLine(text, 'index-strategy') } } : {}),
    pdmSourceOrder: resolution['respect-source-order'] === true,
    pinnedTo: pinnedDependencies(poetry, uv, false),
    pinnedAlways: pinnedDependencies(poetry, uv, true),
  };
}

function tablesOf(v: unknown, text: string, header: string): [Record<string, unknown>, number][] {
  const list = Array.isArray(v) ? (v as unknown[]) : [];
  const lines = arrayTableLines(text, header);
  return list.flatMap((s, i): [Record<string, unknown>, number][] =>
    isTable(s) ? [[s, lineOf(lines, list.length, i)]] : [],
  );
}

/** Poetry ≥ 1.5 `priority`; before it `default = true` / `secondary = true` (poetry `Factory.create_package_source`). */
function poetrySource(s: Record<string, unknown>, line: number): DeclaredIndex | undefined {
  const name = strOf(s.name);
  if (name === undefined) return undefined;
  const given = strOf(s.priority)?.toLowerCase();
  const priority =
    given === 'supplemental' || given === 'explicit' || given === 'default' || given === 'secondary'
      ? given
      : given === undefined && s.default === true
        ? 'default'
        : given === undefined && s.secondary === true
          ? 'secondary'
          : 'primary';
  return { tool: 'poetry', name, url: strOf(s.url) ?? '', line, priority };
}

function pdmSource(s: Record<string, unknown>, line: number): DeclaredIndex | undefined {
  const name = strOf(s.name);
  if (name === undefined) return undefined;
  const only = Array.isArray(s.include_packages) ? s.include_packages.filter((p) => typeof p === 'string') : [];
  return {
    tool: 'pdm',
    name,
    url: strOf(s.url) ?? '',
    line,
    priority: strOf(s.type) === 'find_links' ? 'find-links' : 'primary',
    ...(only.length > 0 ? { only } : {}),
    ...(s.verify_ssl === false ? { verifySsl: false as const } : {}),
  };
}

function uvIndex(s: Record<string, unknown>, line: number): DeclaredIndex | undefined {
  const url = strOf(s.url);
  if (url === undefined) return undefined;
  const priority = s.explicit === true ? 'explicit' : s.default === true ? 'default' : 'primary';
  return { tool: 'uv', name: strOf(s.name) ?? url, url, line, priority };
}

/** `[tool.uv] index-url` replaces PyPI (the default index); `extra-index-url` entries sit before it. */
function uvUrlOptions(uv: Record<string, unknown>, text: string): DeclaredIndex[] {
  const out: DeclaredIndex[] = [];
  const main = strOf(uv['index-url']);
  if (main !== undefined)
    out.push({ tool: 'uv', name: main, url: main, line: keyLine(text, 'index-url'), priority: 'default' });
  const extra = Array.isArray(uv['extra-index-url']) ? uv['extra-index-url'] : [];
  for (const url of extra.filter((u) => typeof u === 'string'))
    out.push({ tool: 'uv', name: url, url, line: keyLine(text, 'extra-index-url'), priority: 'primary' });
  return out;
}

/** Keys that make a Poetry constraint or a uv source apply only sometimes (a platform, an extra, a group). */
const CONDITIONS = ['markers', 'marker', 'platform', 'python', 'extra', 'group'];

function pinnedDependencies(
  poetry: Record<string, unknown>,
  uv: Record<string, unknown>,
  unconditionalOnly: boolean,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const pin = (dep: string, spec: unknown, key: 'source' | 'index') => {
    const list: unknown[] = Array.isArray(spec) ? spec : [spec];
    if (unconditionalOnly && list.length !== 1) return;
    for (const one of list) {
      const index = isTable(one) ? strOf(one[key]) : undefined;
      if (index === undefined || (unconditionalOnly && CONDITIONS.some((c) => isTable(one) && one[c] !== undefined)))
        continue;
      out.set(normalizeName(dep), [...(out.get(normalizeName(dep)) ?? []), index]);
    }
  };
  const fromPoetry = (table: unknown) => {
    if (!isTable(table)) return;
    // Poetry also accepts a list of constraint tables (multiple constraints dependencies), each with its source.
    for (const [dep, spec] of Object.entries(table)) pin(dep, spec, 'source');
  };
  fromPoetry(poetry.dependencies);
  fromPoetry(poetry['dev-dependencies']);
  if (isTable(poetry.group)) for (const g of Object.values(poetry.group)) if (isTable(g)) fromPoetry(g.dependencies);
  const sources = isTable(uv.sources) ? uv.sources : {};
  for (const [dep, spec] of Object.entries(sources)) pin(dep, spec, 'index');
  return out;
}

/** The first line assigning `key` (a line for the finding, not a parse); 1 when not found. */
export function keyLine(text: string, key: string): number {
  const lines = text.split('\n');
  // A package name may hold `.`: matched as itself, never as a pattern.
  const re = new RegExp(`^\\s*["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*=`);
  const i = lines.findIndex((l) => re.test(l));
  return i < 0 ? 1 : i + 1;
}
