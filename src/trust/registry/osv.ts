import semver from 'semver';
import type { MaliciousPackage } from '../../core/trusted-registry.js';
import type { OsvRecord } from './document-type.js';
import type { JsonPath } from './source.js';

export type OsvConversion = { ok: true; packages: MaliciousPackage[] } | { ok: false; path: JsonPath; message: string };

/**
 * Turn an OSV record into one entry per affected npm package. SEMVER/ECOSYSTEM events become semver ranges:
 * `introduced A` + `fixed B` → `>=A <B`, + `last_affected B` → `>=A <=B`, open → `>=A`; `introduced: "0"` is
 * every version. Consumers match with `includePrerelease: true`. Withdrawn records and other ecosystems are skipped.
 */
export function osvToMalicious(rec: OsvRecord, file: string, base: JsonPath): OsvConversion {
  if (rec.withdrawn !== undefined) return { ok: true, packages: [] };
  const out: MaliciousPackage[] = [];
  for (const [ai, aff] of rec.affected.entries()) {
    if (aff.package.ecosystem.toLowerCase() !== 'npm') continue;
    const ranges: string[] = [];
    for (const [ri, r] of (aff.ranges ?? []).entries()) {
      if (r.type === 'GIT') continue;
      let start: string | undefined;
      for (const [ei, ev] of r.events.entries()) {
        const [kind, raw] = Object.entries(ev)[0] ?? [];
        const at: JsonPath = [...base, 'affected', ai, 'ranges', ri, 'events', ei, kind ?? ''];
        if (kind === undefined || raw === undefined) continue;
        const v = raw === '0' ? '0.0.0' : raw;
        if (!semver.valid(v))
          return { ok: false, path: at, message: `must be a semver version (got ${JSON.stringify(raw)})` };
        if (kind === 'introduced') {
          if (start !== undefined) ranges.push(`>=${start}`);
          start = v;
        } else if (start !== undefined) {
          ranges.push(kind === 'last_affected' ? `>=${start} <=${v}` : `>=${start} <${v}`);
          start = undefined;
        }
      }
      if (start !== undefined) ranges.push(`>=${start}`);
    }
    out.push({
      id: rec.id,
      ...(rec.summary !== undefined ? { summary: rec.summary } : {}),
      name: aff.package.name,
      ranges,
      versions: [...(aff.versions ?? [])],
      file,
    });
  }
  return { ok: true, packages: out };
}
