import type { Finding } from '../../../../core/finding.js';
import { isUnder, normalizePrefix } from '../../../checks/context.js';
import type { PyProject } from '../pyproject.js';
import type { DeclaredIndex, IndexConfig } from '../pyproject-indexes.js';
import type { PyPackage, PythonLock } from '../types.js';
import { PYPI_INDEXES } from './context.js';
import { hostOf } from './indexes.js';
import { uvUnconfiguredPackages } from '../uv-remotes.js';
import { pyFileFinding } from './finding.js';

/** An index whose packages a public name can take over, and the locked packages exposed. */
interface Exposure {
  readonly index: DeclaredIndex;
  readonly why: string;
  readonly fix: string;
  readonly packages: readonly PyPackage[];
  /** False when the lockfile does not record which index a package came from (pdm.lock). */
  readonly counted: boolean;
}

/**
 * CPP075: pyproject.toml tells Poetry, PDM or uv to search a private index in an order (or a merge) that lets a name
 * registered on PyPI replace a package that comes from the private index — the lock-time counterpart of pip's
 * `--extra-index-url` (CPP012). Only the tool whose lockfile sits beside the pyproject.toml is judged; a package
 * pinned to its index (Poetry `source = "x"`, uv `[tool.uv.sources]`) is only ever looked up there and is safe.
 * One finding per exposing index, with the locked packages it serves.
 */
export function checkIndexPriority(lock: PythonLock, project: PyProject | undefined): Finding[] {
  if (!project) return [];
  const cfg = project.indexConfig;
  const exposures =
    lock.kind === 'poetry'
      ? poetryExposures(lock, cfg)
      : lock.kind === 'uv'
        ? [...uvExposures(lock, cfg), ...uvReresolveExposures(lock, cfg)]
        : lock.kind === 'pdm'
          ? pdmExposures(lock, cfg)
          : [];
  return exposures.map((e) => {
    const n = e.packages.length;
    const names = e.packages.map((p) => p.displayName);
    const served = e.counted
      ? `${n} locked package${n === 1 ? '' : 's'} come${n === 1 ? 's' : ''} from it (${names.slice(0, 5).join(', ')}${n > 5 ? ', …' : ''})`
      : `the ${n} locked index package${n === 1 ? '' : 's'} may come from either`;
    const file = e.index.file ?? project.file;
    return pyFileFinding(
      'CPP075',
      file,
      e.index.line,
      `${file}:${e.index.line}: ${e.index.tool} index "${e.index.name}" (${e.index.url}) ${e.why}; ${served}. A package of that name published on PyPI replaces it at the next lock (dependency confusion). ${e.fix}`,
      {
        tool: e.index.tool,
        index: e.index.name,
        url: e.index.url,
        count: n,
        ...(e.counted ? { packages: names.slice(0, 50).join(' ') } : {}),
      },
    );
  });
}

const isPypi = (url: string) => url !== '' && isUnder(normalizePrefix(url), PYPI_INDEXES);

/**
 * Poetry's `RepositoryPool.find_packages`: a dependency naming a source is looked up only there; otherwise every
 * primary (and legacy default / secondary) source is asked and the candidates merged — the best version wins — and
 * supplemental sources only when no primary has the name. PyPI is an implicit primary unless some source is primary
 * or default (poetry `Factory.create_pool`), or it is declared itself.
 */
function poetryExposures(lock: PythonLock, cfg: IndexConfig): Exposure[] {
  const sources = cfg.indexes.filter((i) => i.tool === 'poetry');
  if (sources.length === 0) return [];
  const declaredPypi = sources.find((s) => s.name.toLowerCase() === 'pypi' || isPypi(s.url));
  const merged = (s: DeclaredIndex) =>
    s.priority === 'primary' || s.priority === 'default' || s.priority === 'secondary';
  const pypiMerged = declaredPypi
    ? merged(declaredPypi)
    : !sources.some((s) => s.priority === 'primary' || s.priority === 'default');
  const out: Exposure[] = [];
  for (const s of sources) {
    if (s === declaredPypi || s.priority === 'explicit') continue;
    const fromIt = lock.packages.filter(
      (p) =>
        p.source === 'index' &&
        (p.indexName === s.name || (p.url !== undefined && sameIndex(p.url, s.url))) &&
        !pinned(cfg, p.name, s.name),
    );
    if (fromIt.length === 0) continue;
    // Supplemental sources are asked in order once the primaries found nothing: PyPI wins if it is primary or an
    // earlier supplemental source.
    const pypiEarlier = declaredPypi?.priority === 'supplemental' && sources.indexOf(declaredPypi) < sources.indexOf(s);
    if (s.priority === 'supplemental' && (pypiMerged || pypiEarlier)) {
      out.push({
        index: s,
        why: 'is supplemental: Poetry asks it only for names no primary source (PyPI) has',
        fix: 'Make it priority = "explicit" and name it on each of its packages (source = "…"), or serve everything from one primary index.',
        packages: fromIt,
        counted: true,
      });
    } else if (merged(s) && pypiMerged) {
      out.push({
        index: s,
        why: `is ${s.priority} beside PyPI: Poetry merges both and takes the highest version`,
        fix: 'Make it priority = "explicit" and name it on each of its packages (source = "…"), or drop PyPI and let one index proxy it.',
        packages: fromIt,
        counted: true,
      });
    }
  }
  return out;
}

/**
 * uv's `index-strategy`: the default `first-index` takes a name from the first index that has it, and declared
 * indexes come before PyPI, so a private index is safe; `unsafe-first-match` and `unsafe-best-match` look at every
 * index for every name (as pip does). An `explicit = true` index serves only packages pinned to it.
 */
function uvExposures(lock: PythonLock, cfg: IndexConfig): Exposure[] {
  const strategy = cfg.uvStrategy?.value ?? 'first-index';
  if (strategy !== 'unsafe-first-match' && strategy !== 'unsafe-best-match') return [];
  const replaced = cfg.indexes.some((i) => i.tool === 'uv' && i.priority === 'default' && !isPypi(i.url));
  if (replaced) return [];
  const out: Exposure[] = [];
  for (const i of cfg.indexes) {
    if (i.tool !== 'uv' || i.priority === 'explicit' || isPypi(i.url)) continue;
    const fromIt = lock.packages.filter(
      (p) => p.source === 'index' && p.url !== undefined && sameIndex(p.url, i.url) && !pinned(cfg, p.name, i.name),
    );
    if (fromIt.length === 0) continue;
    // Reported where the strategy is set: the pyproject.toml, or the uv.toml that wins over it.
    const { file: _declaredIn, ...index } = i;
    const at = cfg.uvStrategy?.file;
    out.push({
      index: { ...index, line: cfg.uvStrategy?.line ?? i.line, ...(at !== undefined ? { file: at } : {}) },
      why: `is searched beside PyPI for every name (index-strategy = "${strategy}")`,
      fix: 'Remove index-strategy (uv then takes each name from the first index that has it), or mark the index explicit = true and pin its packages in [tool.uv.sources].',
      packages: fromIt,
      counted: true,
    });
  }
  return out;
}

/**
 * uv's re-resolution: once the project configures any index, a package locked from a registry the configuration
 * does not name makes `uv sync` / `uv run` resolve the lock again (uvUnconfiguredPackages), looking its name up on the
 * configured indexes — PyPI among them unless a default index replaces it — so a package of that name published on
 * PyPI is what installs (`uv sync --locked` fails instead, `--frozen` installs the lock). Reported at the first index
 * the configuration declares, once per undeclared registry; a package pinned in `[tool.uv.sources]` is looked up only
 * on its index (CPP078 judges the lock against it).
 */
function uvReresolveExposures(lock: PythonLock, cfg: IndexConfig): Exposure[] {
  const declared = cfg.indexes.filter((i) => i.tool === 'uv');
  const first = declared[0];
  if (first === undefined || declared.some((i) => i.priority === 'default' && !isPypi(i.url))) return [];
  const byIndex = new Map<string, PyPackage[]>();
  for (const p of uvUnconfiguredPackages(lock, cfg)) {
    if (isPypi(p.url!) || cfg.pinnedTo.has(p.name)) continue;
    const key = normalizePrefix(p.url!);
    const group = byIndex.get(key);
    if (group) group.push(p);
    else byIndex.set(key, [p]);
  }
  return [...byIndex.values()].map((packages) => {
    const url = packages[0]!.url!;
    return {
      index: {
        tool: 'uv',
        // The lock names the registry by URL alone: its host stands for the name a declaration would give it.
        name: hostOf(url),
        url,
        line: first.line,
        priority: 'primary',
        ...(first.file ? { file: first.file } : {}),
      },
      why: `is not among the configured indexes, so uv sync and uv run resolve the lock again (Lock::satisfies: missing remote index) and look these names up on PyPI`,
      fix: 'Declare the index ([[tool.uv.index]], explicit = true) and pin its packages to it in [tool.uv.sources], then re-lock; run uv sync --locked in CI so a lock the configuration does not match fails.',
      packages,
      counted: true,
    };
  });
}

/**
 * PDM collects candidates from every source and takes the best unless `respect-source-order` is set, in which case
 * the first source that has a name wins; PyPI comes first unless a source named `pypi` is placed elsewhere (or
 * points at another URL). A source with `include_packages` is the only one asked for those names.
 */
function pdmExposures(lock: PythonLock, cfg: IndexConfig): Exposure[] {
  const sources = cfg.indexes.filter((i) => i.tool === 'pdm' && i.priority !== 'find-links');
  const pypiAt = sources.findIndex((s) => s.name.toLowerCase() === 'pypi');
  if (pypiAt >= 0 && !isPypi(sources[pypiAt]!.url)) return [];
  const fromIndex = lock.packages.filter((p) => p.source === 'index');
  const out: Exposure[] = [];
  sources.forEach((s, at) => {
    if (at === pypiAt || isPypi(s.url) || s.only !== undefined || fromIndex.length === 0) return;
    if (cfg.pdmSourceOrder && pypiAt >= 0 && at < pypiAt) return;
    out.push({
      index: s,
      why: cfg.pdmSourceOrder
        ? 'comes after PyPI with respect-source-order: PyPI is asked first for every name'
        : 'is merged with PyPI for every name (PDM takes the best candidate of all sources)',
      fix: 'List the names it serves in include_packages (PDM then asks only it for them), or serve everything from one index named "pypi".',
      packages: fromIndex,
      counted: false,
    });
  });
  return out;
}

function sameIndex(a: string, b: string): boolean {
  return b !== '' && normalizePrefix(a) === normalizePrefix(b);
}

function pinned(cfg: IndexConfig, name: string, index: string): boolean {
  return cfg.pinnedTo.get(name)?.includes(index) === true;
}
