import type { PyDistribution, PyPackage } from './types.js';
import { normalizeName } from './pep508.js';
import { isTable, strOf } from './toml.js';

/** The file name a distribution URL downloads (last path segment, decoded); undefined for a non-URL. */
export function fileNameOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const seg = new URL(url).pathname.split('/').pop() ?? '';
    return seg === '' ? undefined : decodeURIComponent(seg);
  } catch {
    return undefined;
  }
}

/** `sha256:abc…` → { sha256: 'abc…' }; undefined for anything else. */
export function splitHash(h: string | undefined): Record<string, string> | undefined {
  if (h === undefined) return undefined;
  const colon = h.indexOf(':');
  if (colon <= 0) return undefined;
  return { [h.slice(0, colon).toLowerCase()]: h.slice(colon + 1).toLowerCase() };
}

/** How a lockfile format's installer reads a file table. */
export interface DistributionReading {
  /**
   * A `path` beside a `url` is read too. uv's pylock.toml reader has taken either first over time
   * (`PylockTomlWheel::to_registry_wheel` / `PylockTomlSdist::to_sdist`: the url first in older releases,
   * `install_path.join(path)` first since they check `size` against the file), so both may be what installs.
   */
  readonly pathWithUrl?: boolean;
}

/**
 * A distribution from a lockfile table: `url`/`file`/`filename`/`name`, and `hash` ("alg:hex") or `hashes`
 * ({alg: hex}). The name a table declares is the file's identity where the format has one (pylock's `name`, uv's
 * `PylockTomlWheel::filename`); the URL's (or path's) last segment is the file the installer downloads, and uv.lock
 * and static-URL pdm.lock name the file by it alone (uv's `WheelWireSource` takes `url` before `filename`).
 */
export function toDistribution(v: unknown, how: DistributionReading = {}): PyDistribution | undefined {
  if (!isTable(v)) return undefined;
  const url = strOf(v.url);
  const path = url === undefined || how.pathWithUrl === true ? strOf(v.path) : undefined;
  const declared = strOf(v.file) ?? strOf(v.filename) ?? strOf(v.name);
  const fetched = fileNameOf(url) ?? path?.split(/[\\/]/).pop();
  const filename = declared ?? fetched;
  const hashes: Record<string, string> = { ...splitHash(strOf(v.hash)) };
  if (isTable(v.hashes)) {
    for (const [alg, hex] of Object.entries(v.hashes))
      if (typeof hex === 'string') hashes[alg.toLowerCase()] = hex.toLowerCase();
  }
  return {
    ...(filename !== undefined ? { filename } : {}),
    ...(fetched !== undefined && fetched !== filename ? { fetchedName: fetched } : {}),
    ...(url !== undefined ? { url } : {}),
    ...(path !== undefined ? { path } : {}),
    hashes,
  };
}

export function toDistributions(list: readonly unknown[], how: DistributionReading = {}): PyDistribution[] {
  return list.map((v) => toDistribution(v, how)).filter((d): d is PyDistribution => d !== undefined);
}

/** A full 40-hex (SHA-1) or 64-hex (SHA-256) commit id, lower-cased; anything else (a branch, a short id) is not a pin. */
export function fullCommit(ref: string | undefined): string | undefined {
  return ref !== undefined && /^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(ref) ? ref.toLowerCase() : undefined;
}

/**
 * The fields every lockfile entry shares: the name normalised and as written, the locked version ('' when the entry
 * has none; a lockfile never keeps a specifier), where it was read, and where it comes from.
 */
export function lockedEntry(e: {
  readonly name: string;
  readonly version: string | undefined;
  readonly file: string;
  readonly line: number;
  readonly source: PyPackage['source'];
  readonly url?: string | undefined;
  readonly commit?: string | undefined;
}): Pick<PyPackage, 'name' | 'displayName' | 'version' | 'specifier' | 'file' | 'line' | 'source' | 'url' | 'commit'> {
  return {
    name: normalizeName(e.name),
    displayName: e.name,
    version: e.version ?? '',
    specifier: '',
    file: e.file,
    line: e.line,
    source: e.source,
    ...(e.url !== undefined ? { url: e.url } : {}),
    ...(e.commit !== undefined ? { commit: e.commit } : {}),
  };
}
