import semver from 'semver';
import type { LegacyDisagreement } from '../types.js';
import { isRecord, str } from '../types.js';
import { isNpmFileTarball } from '../source.js';
import { trimEndRun } from '../../core/linear-text.js';

/** Line-map key of a legacy `dependencies` entry, kept apart from the `packages` keys it mirrors. */
export const LEGACY_LINE_PREFIX = '\0legacy:';
/** Line-map key of a top-level property (`packages`, `dependencies`…), recorded to catch a second copy of it. */
export const TOP_LEVEL_PREFIX = '\0top:';

/** A line-map key as a reader should see it: ``"dependencies" node_modules/x`` for the legacy tree. */
export function readableKey(key: string): string {
  if (key.startsWith(LEGACY_LINE_PREFIX)) return `"dependencies" ${key.slice(LEGACY_LINE_PREFIX.length)}`;
  if (key.startsWith(TOP_LEVEL_PREFIX)) return `top-level "${key.slice(TOP_LEVEL_PREFIX.length)}"`;
  return `"packages" ${key}`;
}

/**
 * Line-map selector for the legacy tree (`dependencies` → `x` → `dependencies` → `y`…): the v2 key each entry stands
 * for (`node_modules/x/node_modules/y`), prefixed. Undefined for every other property.
 */
export function legacyLineKey(path: readonly (string | number)[], prop: string): string | undefined {
  if (path.length % 2 === 0 || path[0] !== 'dependencies') return undefined;
  let key = '';
  for (let i = 0; i < path.length; i += 2) {
    if (path[i] !== 'dependencies') return undefined;
    if (i + 1 < path.length) key += `node_modules/${String(path[i + 1])}/`;
  }
  return `${LEGACY_LINE_PREFIX}${key}node_modules/${prop}`;
}

/**
 * Where the legacy `dependencies` tree of a lockfile that also has `packages` says something else. npm ≥ 7 reads
 * only `packages` when it is there (arborist `Shrinkwrap.load` migrates `dependencies` only when `!data.packages`),
 * while npm 6 and older tools read only `dependencies`: npm writes both from one tree, so any difference is an edit
 * to the half one of them does not read. Each legacy entry is read as arborist's `#metaFromLock` migrates it (a
 * `file:` folder is a link, nested entries of a link live under its target, `npm:` is an alias, a non-semver
 * version is the git or tarball source) and compared with the `packages` entry at the same place.
 *
 * `legacy` is the parsed `dependencies` object, `packages` the `packages` map (before the parser drops entries),
 * `legacyLines` the legacy entries' lines (`legacyLineKey`), asked for only once something disagrees.
 * Iterative: hostile files nest deeply.
 */
export function compareLegacySection(
  legacy: unknown,
  packages: Readonly<Record<string, unknown>>,
  legacyLines: () => ReadonlyMap<string, number>,
): LegacyDisagreement[] {
  const out: LegacyDisagreement[] = [];
  let lines: ReadonlyMap<string, number> | undefined;
  const lineOf = (key: string) => (lines ??= legacyLines()).get(key);
  const stack: { written: string; at: string; deps: unknown }[] = [{ written: '', at: '', deps: legacy }];
  while (stack.length > 0) {
    const { written, at, deps } = stack.pop()!;
    if (!isRecord(deps)) continue;
    for (const name of Object.keys(deps)) {
      const entry = isRecord(deps[name]) ? deps[name] : {};
      const key = `${at}node_modules/${name}`;
      const pkg = packages[key];
      const diff = isRecord(pkg) ? differenceOf(entry, pkg) : { field: 'entry', legacy: describe(entry), packages: '' };
      if (diff) {
        const line = lineOf(`${LEGACY_LINE_PREFIX}${written}node_modules/${name}`) ?? 1;
        out.push({ key, line, ...diff });
      }
      if (!isRecord(entry.dependencies)) continue;
      // arborist `#loadAll`: dependencies nested under a link are under the link target.
      const target = linkTarget(entry);
      stack.push({
        written: `${written}node_modules/${name}/`,
        at: target !== undefined ? `${target}/` : `${key}/`,
        deps: entry.dependencies,
      });
    }
  }
  return out.sort((a, b) => a.line - b.line || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

type Difference = Omit<LegacyDisagreement, 'key' | 'line'>;

/** The first field where npm 6 (legacy entry) and npm ≥ 7 (`packages` entry) would install different things. */
function differenceOf(entry: Record<string, unknown>, pkg: Record<string, unknown>): Difference | undefined {
  const version = str(entry.version) ?? '';
  const integrity = str(entry.integrity);
  const resolved = str(entry.resolved);
  const pVersion = str(pkg.version) ?? '';
  const pResolved = str(pkg.resolved);
  // Nearly every entry of a real file: a registry package written the same in both halves.
  if (
    version !== '' &&
    version === pVersion &&
    (integrity === undefined || integrity === pkg.integrity) &&
    (resolved === undefined || resolved === pResolved) &&
    !version.startsWith('file:')
  )
    return undefined;
  const target = linkTarget(entry);
  if (target !== undefined) {
    // A `file:` folder: a symlink in both halves, to the same folder.
    const same = pkg.link === true && pResolved !== undefined && normalPath(pResolved) === target;
    return same
      ? undefined
      : { field: 'link', legacy: version, packages: pkg.link === true ? (pResolved ?? '') : 'not a link' };
  }
  if (integrity !== undefined && integrity !== str(pkg.integrity))
    return { field: 'integrity', legacy: integrity, packages: str(pkg.integrity) ?? '' };
  if (resolved !== undefined && resolved !== pResolved)
    return { field: 'resolved', legacy: resolved, packages: pResolved ?? '' };
  if (version.startsWith('npm:')) {
    const rest = version.slice(4);
    const at = rest.indexOf('@', 1);
    const realName = at < 0 ? rest : rest.slice(0, at);
    const realVersion = at < 0 ? '' : rest.slice(at + 1);
    const pName = str(pkg.name) ?? '';
    return realName === pName && realVersion === pVersion
      ? undefined
      : { field: 'version', legacy: version, packages: `npm:${pName}@${pVersion}` };
  }
  if (version === '') return undefined;
  if (semver.valid(version, { loose: true }) !== null)
    return version === pVersion ? undefined : { field: 'version', legacy: version, packages: pVersion };
  // A git URL, a tarball URL or a `file:` tarball: v1 keeps the source in `version`, `packages` in `resolved`.
  return version === pResolved ? undefined : { field: 'version', legacy: version, packages: pResolved ?? pVersion };
}

/** The folder a legacy `file:` entry links to (arborist: a `directory` spec), or undefined. */
export function linkTarget(entry: Record<string, unknown>): string | undefined {
  const version = str(entry.version);
  if (version === undefined || !version.startsWith('file:')) return undefined;
  if (isNpmFileTarball(version)) return undefined;
  return normalPath(version.slice(5));
}

function normalPath(p: string): string {
  return trimEndRun(p.replace(/\\/g, '/').replace(/^(\.\/)+/, ''), '/');
}

function describe(entry: Record<string, unknown>): string {
  return str(entry.resolved) ?? str(entry.version) ?? '';
}
