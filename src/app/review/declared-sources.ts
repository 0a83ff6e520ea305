import { parse as parseToml } from 'smol-toml';
import type { Finding, Location, ResolvedFinding } from '../../core/finding.js';
import { MAX_RELATED } from '../../core/group-causes.js';
import { isRecord } from '../../core/is-record.js';
import { ecosystemOf, pep503Name } from '../../core/package-key.js';
import { listedWithMore } from '../../core/plural.js';
import type { DependencyGraph } from '../../core/records.js';
import { FULL_SHA, lockedGitRef } from '../../deps/checks/git-pin.js';
import { parseAlias } from '../../deps/parsers/npm-common.js';
import { parsePnpmWorkspace } from '../../deps/parsers/pnpm-workspace.js';
import { dirOf } from '../../deps/read.js';
import { classifySpec } from '../../deps/source.js';
import type { InstallFileChange } from './install-files.js';
import { lineOfKey, shown } from './manifest-changes.js';
import { keyLine } from '../../deps/parsers/python/pyproject-indexes.js';
import type { ProjectRole } from './project-manifests.js';
import { withoutSaidOnce } from './said-once.js';

/** The fields arborist builds edges from, peers included (npm 7+ installs them: `legacy-peer-deps` is off). */
const FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
/** At most this many dependencies are named in a message, and this many in the evidence. */
const NAMED = 5;
const EVIDENCE = 50;

type Json = Record<string, unknown>;

/** One dependency a package.json now declares from outside the registry. */
interface Declared {
  readonly name: string;
  readonly field: string;
  readonly before: string | undefined;
  readonly after: string;
  /** The package the lockfile would hold for it: the name, or the aliased package. */
  readonly installs: string;
}

/**
 * CPU002 for a project's package.json (a root or a workspace) that now declares a dependency from outside the
 * registry — a git repository, a tarball URL, or another package under the name (`npm:other@1`) — or a pyproject.toml
 * (at the root, or under a Python lockfile) a PEP 508 direct reference (`name @ git+https://…`), or a
 * pnpm-workspace.yaml catalog such a spec (what every `catalog:` dependency then installs), while no lockfile of the
 * project locks that package from anywhere but the registry or index. The lockfile comparison cannot see it:
 * nothing in the lockfile moved. A frozen install refuses the pair (npm ci `validateLockfile`, pnpm
 * `--frozen-lockfile` `satisfiesPackageManifest`, yarn `--frozen-lockfile` / `--immutable`, `uv sync --locked`,
 * Poetry's stale-lock check); every other install (`npm install`, a plain `yarn install`, `uv sync`, which re-locks,
 * `pip install .`, which reads no lock) resolves the new spec afresh — fetches the repository or URL and runs its
 * scripts or build backend. Where a lockfile does lock it from such a source, the lockfile comparison reports the
 * entry (CPU002, CPU016, CPU024): not again here.
 */
export function declaredSourceFindings(
  changes: readonly InstallFileChange[],
  projects: ReadonlyMap<string, ProjectRole>,
  headGraphs: readonly DependencyGraph[],
): Finding[] {
  const out: Finding[] = [];
  // Each lockfile's names off the registry, gathered once, and only when a manifest declares such a dependency.
  const offRegistry = new Map<DependencyGraph, Set<string>>();
  const lockedOff = (ecosystem: 'npm' | 'pypi', folder: string, name: string) =>
    headGraphs.some((g) => {
      if (ecosystemOf(g) !== ecosystem || !covers(g, folder)) return false;
      let names = offRegistry.get(g);
      if (names === undefined) offRegistry.set(g, (names = namesOffRegistry(g)));
      return names.has(name);
    });
  for (const c of changes) {
    if (c.head === undefined || c.unread !== undefined) continue;
    const name = c.path.slice(c.path.lastIndexOf('/') + 1);
    const folder = dirOf(c.path);
    let moved: Declared[] = [];
    if (name === 'package.json' && projects.has(c.path)) {
      const now = parse(c.head);
      if (now === undefined) continue; // manifest-changes.ts reports a package.json that does not parse (CPU030)
      const was = c.base === undefined ? {} : (parse(c.base) ?? {});
      const declared = offRegistryDeclarations(was, now);
      moved = declared.filter((d) => !lockedOff('npm', folder, d.installs));
      const unpinned = declared.filter(
        (d) => !moved.includes(d) && commitPinDropped(d, lockedSpec(headGraphs, folder, d.name)),
      );
      if (unpinned.length > 0) out.push(toFinding(c.path, c.head, unpinned, NPM, UNPINNED));
    } else if (name === 'pyproject.toml' && (folder === '' || pythonLockfilesOver(headGraphs, folder))) {
      const now = directReferences(c.head);
      if (now === undefined) continue; // install-settings.ts reports a pyproject.toml that does not parse (CPU030)
      const was = (c.base === undefined ? undefined : directReferences(c.base)) ?? new Map<string, Declared>();
      const declared = [...now.values()]
        .filter((d) => was.get(d.installs)?.after !== d.after)
        .map((d) => ({ ...d, before: was.get(d.installs)?.after }));
      // A source table alone installs nothing new where the lock still says the index: the head scan's CPP080.
      moved = declared.filter((d) => d.field !== 'tool.uv.sources' && !lockedOff('pypi', folder, d.installs));
      const unpinned = declared.filter((d) => !moved.includes(d) && uvCommitPinDropped(d, headGraphs, folder));
      if (unpinned.length > 0) out.push(toFinding(c.path, c.head, unpinned, PYTHON, UNPINNED));
    } else if (name === 'pnpm-workspace.yaml' && pnpmLockfilesOver(headGraphs, folder)) {
      const now = catalogSpecs(c.head);
      if (now === undefined) continue; // manifest-changes.ts reports a pnpm-workspace.yaml that does not parse (CPU030)
      const was = (c.base === undefined ? undefined : catalogSpecs(c.base)) ?? [];
      moved = offRegistryDeclarations(
        Object.fromEntries(was.map((d) => [d.field, d.specs])),
        Object.fromEntries(now.map((d) => [d.field, d.specs])),
        now.map((d) => d.field),
      ).filter((d) => !lockedOff('npm', folder, d.installs));
    }
    if (moved.length > 0) out.push(toFinding(c.path, c.head, moved, name === 'pyproject.toml' ? PYTHON : NPM));
  }
  return out;
}

function parse(text: string): Json | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isRecord(v) ? v : {};
  } catch {
    return undefined;
  }
}

/**
 * Each dependency whose head spec is new or changed and names a git repository, a URL or another package; `fields`:
 * the objects of specs to read (a package.json's dependency fields, or pnpm catalogs), the base's spec of a name taken
 * from any of them.
 */
function offRegistryDeclarations(was: Json, now: Json, fields: readonly string[] = FIELDS): Declared[] {
  const specs = (o: Json, field: string): Json => (isRecord(o[field]) ? o[field] : {});
  const out: Declared[] = [];
  for (const field of fields) {
    for (const [name, after] of Object.entries(specs(now, field))) {
      if (typeof after !== 'string') continue;
      const before = fields.map((f) => specs(was, f)[name]).find((v): v is string => typeof v === 'string');
      if (after === before) continue;
      const alias = parseAlias(after);
      if (alias ? alias[0] !== name : ['git', 'tarball'].includes(classifySpec(after)))
        out.push({ name, field, before, after, installs: alias ? alias[0] : name });
    }
  }
  return out;
}

/**
 * A git dependency whose spec named a full commit and now names a branch, tag or range, while the lockfile was still
 * written for the commit (`locked`: the spec the lockfile records for the importer). The lockfile comparison sees no
 * move, but the pair is out of step: `npm ci` refuses it (`validateLockfile`), and `npm install` resolves the new spec,
 * where pacote's GitFetcher asks the remote what the ref points to that day (only a 40-hex committish counts as
 * resolved): the code is no longer pinned.
 */
function commitPinDropped(d: Declared, locked: string | undefined): boolean {
  return (
    d.before !== undefined &&
    locked === d.before &&
    classifySpec(d.before) === 'git' &&
    classifySpec(d.after) === 'git' &&
    FULL_SHA.test(lockedGitRef(d.before)) &&
    !FULL_SHA.test(lockedGitRef(d.after))
  );
}

/**
 * The Python form of `commitPinDropped`: a git direct reference (`name @ git+https://…@<commit>`, or a
 * `[tool.uv.sources]` git table's `rev`) that named a full commit and now names a branch, tag or none, while a uv.lock
 * over the project still locks the name for that commit (uv writes the requested ref into the source URL:
 * `?rev=<commit>#<commit>`). `uv sync` sees the lock no longer satisfies the project (`Lock::satisfies`), re-locks and
 * fetches what the branch points to; `uv sync --locked` refuses.
 */
function uvCommitPinDropped(d: Declared, graphs: readonly DependencyGraph[], folder: string): boolean {
  const was = d.before === undefined ? undefined : gitRefOf(d.before);
  const now = gitRefOf(d.after);
  if (was === undefined || now === undefined || !FULL_SHA.test(was) || FULL_SHA.test(now)) return false;
  return graphs.some(
    (g) =>
      g.kind === 'uv' &&
      covers(g, folder) &&
      g.packages.some(
        (p) => pep503Name(p.name) === d.installs && p.source === 'git' && p.resolved?.includes(`rev=${was}`) === true,
      ),
  );
}

/**
 * The ref a git direct reference names — pip's `git+<url>@<ref>` (`Git.get_url_rev_and_auth`: the part after the last
 * `@` of the path) or a uv source table shown as `git+<url>@<ref>` — '' for none; undefined when it is not git.
 */
function gitRefOf(spec: string): string | undefined {
  const url = /\bgit\+\S+/.exec(spec)?.[0].replace(/#.*$/, '');
  if (url === undefined) return undefined;
  const path = url.replace(/^git\+[a-z]+:\/\/[^/]*/i, '');
  const at = path.lastIndexOf('@');
  return at < 0 ? '' : path.slice(at + 1);
}

/** The spec an npm-family lockfile over `folder` records for `name` in that folder's importer, if one does. */
function lockedSpec(graphs: readonly DependencyGraph[], folder: string, name: string): string | undefined {
  for (const g of graphs) {
    if (ecosystemOf(g) !== 'npm' || !covers(g, folder)) continue;
    const d = dirOf(g.lockfile);
    const spec = g.importers[folder === d ? '' : d === '' ? folder : folder.slice(d.length + 1)]?.[name];
    if (spec !== undefined) return spec;
  }
  return undefined;
}

/**
 * The names a lockfile locks from a source other than the registry or index, or as the package an alias installs;
 * Python names in PEP 503's form. A lockfile covers the manifests in its folder and below (a workspace's lockfile is
 * the root's).
 */
function namesOffRegistry(g: DependencyGraph): Set<string> {
  const normal = ecosystemOf(g) === 'pypi' ? pep503Name : (n: string) => n;
  const out = new Set<string>();
  for (const p of g.packages) if (p.source !== 'registry' || p.alias !== undefined) out.add(normal(p.name));
  return out;
}

const covers = (g: DependencyGraph, folder: string) => {
  const d = dirOf(g.lockfile);
  return d === '' || folder === d || folder.startsWith(`${d}/`);
};

const pythonLockfilesOver = (graphs: readonly DependencyGraph[], folder: string) =>
  graphs.some((g) => ecosystemOf(g) === 'pypi' && covers(g, folder));

const pnpmLockfilesOver = (graphs: readonly DependencyGraph[], folder: string) =>
  graphs.some((g) => g.kind === 'pnpm' && covers(g, folder));

/**
 * A pnpm-workspace.yaml's catalogs as pnpm reads them (the scan's parsePnpmWorkspace, `<<` merges applied): `catalog`
 * (the default) and each `catalogs.<name>`, whose specs every `catalog:` dependency of the workspace installs
 * (@pnpm/catalogs.config `getCatalogsFromWorkspaceManifest`); `undefined` for a file that does not parse.
 */
function catalogSpecs(text: string): { field: string; specs: Json }[] | undefined {
  const ws = parsePnpmWorkspace(text);
  if ('error' in ws) return undefined;
  const { catalog, catalogs } = ws.settings;
  return [
    ...(isRecord(catalog) ? [{ field: 'catalog', specs: catalog }] : []),
    ...Object.entries(isRecord(catalogs) ? catalogs : {}).flatMap(([n, specs]) =>
      isRecord(specs) ? [{ field: `catalogs.${n}`, specs }] : [],
    ),
  ];
}

/**
 * The PEP 508 direct references (`name @ url`, a `@` before any `;` marker) a pyproject.toml declares — in
 * `[project] dependencies`, `optional-dependencies`, PEP 735 `[dependency-groups]`, uv's legacy `dev-dependencies`
 * and its `override-dependencies` — by normalised name; `undefined` for a file that does not parse.
 */
function directReferences(text: string): Map<string, Declared> | undefined {
  let data: unknown;
  try {
    data = parseToml(text, { maxDepth: 32 });
  } catch {
    return undefined;
  }
  const at = (o: unknown, k: string): unknown => (isRecord(o) ? o[k] : undefined);
  const project = at(data, 'project');
  const lists: [string, unknown][] = [
    ['dependencies', at(project, 'dependencies')],
    ...Object.entries(
      isRecord(at(project, 'optional-dependencies')) ? (at(project, 'optional-dependencies') as Json) : {},
    ).map(([k, v]): [string, unknown] => [`optional-dependencies.${k}`, v]),
    ...Object.entries(isRecord(at(data, 'dependency-groups')) ? (at(data, 'dependency-groups') as Json) : {}).map(
      ([k, v]): [string, unknown] => [`dependency-groups.${k}`, v],
    ),
    ['tool.uv.dev-dependencies', at(at(at(data, 'tool'), 'uv'), 'dev-dependencies')],
    // uv's overrides replace every requirement of the name, deep in the tree too (as npm `overrides` do).
    ['tool.uv.override-dependencies', at(at(at(data, 'tool'), 'uv'), 'override-dependencies')],
    ['tool.uv.sources', uvGitSources(at(at(at(data, 'tool'), 'uv'), 'sources'))],
  ];
  const out = new Map<string, Declared>();
  for (const [field, list] of lists) {
    if (!Array.isArray(list)) continue;
    for (const spec of list) {
      if (typeof spec !== 'string' || !/^[^;]*@/.test(spec)) continue;
      const name = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec)?.[1];
      if (name === undefined || out.has(pep503Name(name))) continue;
      out.set(pep503Name(name), { name, field, before: undefined, after: spec.trim(), installs: pep503Name(name) });
    }
  }
  return out;
}

/**
 * `[tool.uv.sources]` git tables written as the direct references they stand for (`name @ git+<url>@<ref>`, the ref
 * uv asks for: `rev`, else `tag`, else `branch`, else none), so a source table and a PEP 508 reference compare alike.
 * A name with several sources (a list, split by markers) is read by its first git table.
 */
function uvGitSources(sources: unknown): string[] {
  if (!isRecord(sources)) return [];
  const out: string[] = [];
  for (const [name, value] of Object.entries(sources)) {
    const tables: unknown[] = Array.isArray(value) ? value : [value];
    const git = tables.find((v) => isRecord(v) && typeof v['git'] === 'string');
    if (!isRecord(git)) continue;
    const ref = [git['rev'], git['tag'], git['branch']].find((r): r is string => typeof r === 'string');
    out.push(`${name} @ git+${String(git['git'])}${ref !== undefined ? `@${ref}` : ''}`);
  }
  return out;
}

/** The head scan's manifest-against-lockfile warnings: package.json (CPD015) and pyproject.toml (CPP020). */
const OUT_OF_SYNC: ReadonlySet<string> = new Set(['CPD015', 'CPP020']);
/**
 * The head scan's findings on a package.json spec no lockfile pins (deps/checks/unlocked-manifests.ts: a git ref,
 * a git commit, an http or URL tarball): the same cause as CPU002 at that line and spec when the change brought the
 * spec in.
 */
const UNLOCKED_SPEC: ReadonlySet<string> = new Set(['CPD006', 'CPD007', 'CPD008', 'CPD023']);
const isPackageJson = (p: string) => p === 'package.json' || p.endsWith('/package.json');

/**
 * The head scan's introduced CPD015 / CPP020 (and, for a package.json no lockfile pins, CPD006 / CPD007 / CPD008 / CPD023) at
 * a manifest line this review's CPU002 (`declaredSourceFindings`) names:
 * one cause, a dependency now declared from outside the registry that the unchanged lockfile was not written for.
 * CPU002 says what each install then does (a frozen one refuses, any other fetches the new source and runs its scripts
 * or build backend), so the sync warning goes when CPU002 is reported at its level or higher.
 */
export function withoutOutOfSyncDeclarations(
  introduced: readonly ResolvedFinding[],
  reported: readonly ResolvedFinding[],
): ResolvedFinding[] {
  return withoutSaidOnce(
    introduced,
    reported,
    (f) => (f.ruleId === 'CPU002' && f.artifact?.kind === 'file' ? saidAt(f) : []),
    (f) =>
      OUT_OF_SYNC.has(f.ruleId)
        ? lineKey(f.location)
        : UNLOCKED_SPEC.has(f.ruleId) && isPackageJson(f.location.path) && f.artifact?.kind === 'package'
          ? specKey(f.location, f.artifact.name)
          : undefined,
  );
}

/**
 * The places a CPU002 names: each line (for the sync warnings, about a line), and each line with the dependency
 * declared there (for the unlocked-spec findings, about one spec: another spec on the same line, as in a package.json
 * on one line, is its own cause). Its location and related lines are its dependencies in order, whose names the
 * evidence lists for the first EVIDENCE; past those an unlocked-spec finding stays, said twice rather than hidden.
 */
function saidAt(f: ResolvedFinding): (string | undefined)[] {
  const places = [f.location, ...(f.related ?? [])];
  const names = String(f.evidence?.['dependencies'] ?? '')
    .split(' ')
    .map((d) => d.slice(d.indexOf('.') + 1));
  return [...places.map(lineKey), ...places.slice(0, names.length).map((at, i) => specKey(at, names[i]!))];
}

function specKey(at: Location, name: string): string | undefined {
  const line = lineKey(at);
  return line === undefined ? undefined : `${line}\0${name}`;
}

function lineKey(at: Location): string | undefined {
  return at.line === undefined ? undefined : `${at.path}\0${at.line}`;
}

/** What the package managers of each ecosystem do with a manifest its lockfile does not satisfy. */
const NPM =
  'A frozen install (npm ci, --frozen-lockfile, --immutable) refuses the pair; any other install (npm install, a plain yarn install) fetches the new source and runs its scripts';
const PYTHON =
  '`uv sync --locked` and `poetry install` refuse the pair; `uv sync` re-locks, and `pip install .` reads no lock: both fetch the new source and run its build backend';

/** What the declared specs are, as a finding says it. */
const UNLOCKED = 'from outside the registry that no lockfile of the project locks';
const UNPINNED =
  'from git by a branch, tag or range where it named a commit, while the lockfile was written for that commit';

function toFinding(
  file: string,
  head: string,
  moved: readonly Declared[],
  outcome: string,
  what: string = UNLOCKED,
): Finding {
  const pairs = moved.map((d) => `${d.name}: ${shown(d.before)} → ${shown(d.after)}`);
  const first = moved[0]!;
  const listed = moved.slice(0, EVIDENCE);
  // Split once: a hostile manifest's thousand related lines must not split it a thousand times.
  const lines = head.split('\n');
  return {
    ruleId: 'CPU002',
    message: `${file} now declares ${moved.length === 1 ? 'a dependency' : `${moved.length} dependencies`} ${what}: ${listedWithMore(pairs, NAMED)}. ${outcome}, and none of it was in the lockfiles this review compared. Restore the spec from the base revision, or commit the lockfile the package manager writes for it and review that.`,
    location: { path: file, line: lineOf(file, lines, first) },
    artifact: { kind: 'file', path: file },
    // The first dependency's spec at both revisions names the cause. The count, the names and specs (the first
    // EVIDENCE of a hostile manifest's thousands) and the other lines are its places, out of the fingerprint: a
    // later push that moves one more dependency keeps the alert.
    evidence: {
      before: shown(first.before),
      after: shown(first.after),
      count: moved.length,
      dependencies: listed.map((d) => `${d.field}.${d.name}`).join(' '),
      specs: listed.map((d) => `${d.name}: ${shown(d.before)} → ${shown(d.after)}`).join('\n'),
    },
    related: moved.slice(1, MAX_RELATED + 1).map((d) => ({ path: file, line: lineOf(file, lines, d) })),
  };
}

/** The 1-based line that declares `d`: its key in a package.json, its requirement in a pyproject.toml (or 1). */
function lineOf(file: string, lines: readonly string[], d: Declared): number {
  if (file.endsWith('.json')) return lineOfKey(lines, d.name);
  const i = lines.findIndex((l) => l.includes(d.after));
  if (i >= 0) return i + 1;
  // A `[tool.uv.sources]` table, shown as the reference it stands for: its key's line.
  return keyLine(lines.join('\n'), d.name);
}
