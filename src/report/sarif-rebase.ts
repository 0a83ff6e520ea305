import type { Log } from 'sarif';

/**
 * Code scanning reads relative URIs from the repository root; the scan's URIs are relative to the scanned
 * folder. When the Action scans a sub-folder, prefix every relative URI with it (URI-encoded per segment).
 */
export function rebaseSarif(log: Log, prefix: string): Log {
  if (prefix === '') return log;
  const base = prefix.split('/').map(encodeURIComponent).join('/');
  const fix = (uri: string | undefined): string | undefined =>
    uri === undefined || /^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/')
      ? uri
      : uri === '.'
        ? base
        : `${base}/${uri}`;
  const out = structuredClone(log);
  for (const run of out.runs) {
    for (const r of run.results ?? []) {
      for (const loc of r.locations ?? []) {
        const a = loc.physicalLocation?.artifactLocation;
        if (a?.uri !== undefined) a.uri = fix(a.uri)!;
      }
    }
    for (const inv of run.invocations ?? []) {
      for (const n of inv.toolExecutionNotifications ?? []) {
        for (const loc of n.locations ?? []) {
          const a = loc.physicalLocation?.artifactLocation;
          if (a?.uri !== undefined) a.uri = fix(a.uri)!;
        }
      }
    }
  }
  return out;
}
