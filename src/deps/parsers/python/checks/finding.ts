import type { Evidence, Finding, Level } from '../../../../core/finding.js';
import { redactUrls } from '../../../checks/finding.js';
import type { PyPackage } from '../types.js';
import { packageArtifact } from '../../../../core/finding.js';

/**
 * `name==version`, or `name<spec>` when not pinned, as pip writes it; a bare URL or path (no `#egg=`, no wheel name:
 * its name is known only once pip builds it) is its location alone.
 */
export function pyLabel(pkg: PyPackage): string {
  if (pkg.version !== '') return `${pkg.displayName}==${pkg.version}`;
  if (pkg.url !== undefined && pkg.source !== 'index')
    return namedByLocation(pkg) ? pkg.url : `${pkg.displayName} @ ${pkg.url}`;
  return `${pkg.displayName}${pkg.specifier}`;
}

/** Whether the entry's only name is its location (requirements.ts `readRequirement` of a bare URL or path). */
export function namedByLocation(pkg: PyPackage): boolean {
  return pkg.url !== undefined && pkg.displayName === pkg.url;
}

/** A finding on one package entry, at its file and line; URLs are stripped of credentials. */
export function pyPackageFinding(
  ruleId: string,
  pkg: PyPackage,
  what: string,
  todo: string,
  evidence: Evidence = {},
  level?: Level,
): Finding {
  return {
    ruleId,
    message: redactUrls(`${pyLabel(pkg)} ${what} at ${pkg.file}:${pkg.line}. ${todo}`),
    location: { path: pkg.file, line: pkg.line },
    ...(level !== undefined ? { level } : {}),
    artifact: packageArtifact('pypi', pkg.name, pkg.version),
    evidence: redactEvidence({ ecosystem: 'pypi', ...evidence }),
  };
}

/** A finding about a file (an option line, an include): located at the line, no package artifact. */
export function pyFileFinding(
  ruleId: string,
  file: string,
  line: number | undefined,
  message: string,
  evidence: Evidence = {},
): Finding {
  return {
    ruleId,
    message: redactUrls(message),
    location: { path: file, ...(line !== undefined ? { line } : {}) },
    artifact: { kind: 'file', path: file },
    evidence: redactEvidence({ ecosystem: 'pypi', ...evidence }),
  };
}

/** The first names of a list, for a message (a hostile file may name thousands). */
export function shown(names: readonly string[]): string {
  const first = names.slice(0, 3).map((n) => (n.length > 80 ? `${n.slice(0, 80)}…` : n));
  return first.join(', ') + (names.length > 3 ? `, … (${names.length - 3} more)` : '');
}

function redactEvidence(e: Evidence): Evidence {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(e)) out[k] = typeof v === 'string' ? redactUrls(v).slice(0, 500) : v;
  return out;
}
