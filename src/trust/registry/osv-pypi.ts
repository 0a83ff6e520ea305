import { valid } from '@renovatebot/pep440';
import type { PypiMaliciousPackage } from '../../core/trusted-registry.js';
import type { OsvRecord } from './document-type.js';
import type { JsonPath } from './source.js';

export type PypiOsvConversion =
  { ok: true; packages: PypiMaliciousPackage[] } | { ok: false; path: JsonPath; message: string };

/**
 * The PyPI packages of an OSV record (ecosystem "PyPI"). OSV orders PyPI ECOSYSTEM events by PEP 440, so the
 * events stay versions (compared later with a PEP 440 comparator), never semver ranges. Names are PEP 503
 * normalised as the index compares them. A version PEP 440 cannot parse is a registry error, since it could
 * silently clear a package.
 */
export function osvToPypiMalicious(rec: OsvRecord, file: string, base: JsonPath): PypiOsvConversion {
  if (rec.withdrawn !== undefined) return { ok: true, packages: [] };
  const out: PypiMaliciousPackage[] = [];
  for (const [ai, aff] of rec.affected.entries()) {
    if (aff.package.ecosystem.toLowerCase() !== 'pypi') continue;
    const ranges: { introduced: string; fixed?: string; lastAffected?: string }[] = [];
    for (const [ri, r] of (aff.ranges ?? []).entries()) {
      if (r.type === 'GIT') continue;
      let start: string | undefined;
      for (const [ei, ev] of r.events.entries()) {
        const [kind, v] = Object.entries(ev)[0] ?? [];
        if (kind === undefined || v === undefined) continue;
        if (v !== '0' && valid(v) === null) {
          const path: JsonPath = [...base, 'affected', ai, 'ranges', ri, 'events', ei, kind];
          return { ok: false, path, message: `must be a PEP 440 version (got ${JSON.stringify(v)})` };
        }
        if (kind === 'introduced') {
          if (start !== undefined) ranges.push({ introduced: start });
          start = v;
        } else if (start !== undefined && (kind === 'fixed' || kind === 'last_affected')) {
          ranges.push(kind === 'fixed' ? { introduced: start, fixed: v } : { introduced: start, lastAffected: v });
          start = undefined;
        }
      }
      if (start !== undefined) ranges.push({ introduced: start });
    }
    out.push({
      id: rec.id,
      ...(rec.summary !== undefined ? { summary: rec.summary } : {}),
      name: aff.package.name.replace(/[-_.]+/g, '-').toLowerCase(),
      ranges,
      versions: [...(aff.versions ?? [])],
      file,
    });
  }
  return { ok: true, packages: out };
}
