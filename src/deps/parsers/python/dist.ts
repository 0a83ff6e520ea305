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

/** A distribution from a lockfile table: `url`/`file`/`filename`, and `hash` ("alg:hex") or `hashes` ({alg: hex}). */
export function toDistribution(v: unknown): PyDistribution | undefined {
  if (!isTable(v)) return undefined;
  const url = strOf(v.url);
  // PEP 751 `path` when there is no `url` (uv's `PylockTomlWheel::to_registry_wheel` / `PylockTomlSdist::to_sdist`
  // take the url first, else `install_path.join(path)`).
  const path = url === undefined ? strOf(v.path) : undefined;
  const filename = strOf(v.file) ?? strOf(v.filename) ?? strOf(v.name) ?? fileNameOf(url) ?? path?.split(/[\\/]/).pop();
  const hashes: Record<string, string> = { ...splitHash(strOf(v.hash)) };
  if (isTable(v.hashes)) {
    for (const [alg, hex] of Object.entries(v.hashes))
      if (typeof hex === 'string') hashes[alg.toLowerCase()] = hex.toLowerCase();
  }
  return {
    ...(filename !== undefined ? { filename } : {}),
    ...(url !== undefined ? { url } : {}),
    ...(path !== undefined ? { path } : {}),
    hashes,
  };
}

export function toDistributions(list: readonly unknown[]): PyDistribution[] {
  return list.map(toDistribution).filter((d): d is PyDistribution => d !== undefined);
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
