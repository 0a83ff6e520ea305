import type { Location, Log, Result } from 'sarif';
import { encodeUriComponent } from '../core/uri-component.js';

/**
 * Code scanning reads relative URIs from the repository root; the scan's URIs are relative to the scanned
 * folder. When the Action scans a sub-folder, prefix every relative URI with it (URI-encoded per segment).
 */
export function rebaseSarif(log: Log, prefix: string): Log {
  if (prefix === '') return log;
  const out = structuredClone(log);
  const fix = uriFixer(prefix);
  for (const run of out.runs) {
    for (const r of run.results ?? []) fixResult(r, fix);
    for (const inv of run.invocations ?? []) {
      for (const n of inv.toolExecutionNotifications ?? []) fixLocations(n.locations, fix);
    }
  }
  return out;
}

/** One result rebased as rebaseSarif rebases it, in place: the result is the caller's own, made for this write. */
export function rebaseResult(r: Result, prefix: string): Result {
  if (prefix !== '') fixResult(r, uriFixer(prefix));
  return r;
}

/** A result's places: where it is and the other places its cause reaches, which code scanning links alike. */
function fixResult(r: Result, fix: (uri: string) => string): void {
  fixLocations(r.locations, fix);
  fixLocations(r.relatedLocations, fix);
}

function uriFixer(prefix: string): (uri: string) => string {
  const base = prefix.split('/').map(encodeUriComponent).join('/');
  return (uri) =>
    /^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/') ? uri : uri === '.' ? base : `${base}/${uri}`;
}

function fixLocations(locations: readonly Location[] | undefined, fix: (uri: string) => string): void {
  for (const loc of locations ?? []) {
    const a = loc.physicalLocation?.artifactLocation;
    if (a?.uri !== undefined) a.uri = fix(a.uri);
  }
}
