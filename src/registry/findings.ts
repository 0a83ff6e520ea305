import type { Evidence, Finding, Level } from '../core/finding.js';
import type { PackageNode } from '../core/records.js';
import { packageArtifact } from '../core/finding.js';

/** Rules whose finding means the package failed verification (the others: unverifiable, or advice). */
export const FAILING_RULES: ReadonlySet<string> = new Set([
  'CPD100',
  'CPD101',
  'CPD103',
  'CPD104',
  'CPD105',
  'CPD107',
  'CPD110',
  'CPD111',
  'CPD112',
  'CPD120',
  'CPD121',
  'CPD122',
  'CPD123',
  'CPD124',
  'CPD157',
  'CPD158',
  'CPD159',
]);
export const UNVERIFIABLE_RULES: ReadonlySet<string> = new Set(['CPD106', 'CPD130']);

/** A finding on the package's lockfile line. */
export function packageFinding(
  pkg: PackageNode,
  ruleId: string,
  message: string,
  evidence: Evidence,
  level?: Level,
): Finding {
  return {
    ruleId,
    message,
    location: { path: pkg.lockfile, line: pkg.line },
    artifact: packageArtifact('npm', pkg.name, pkg.version),
    evidence,
    ...(level !== undefined ? { level } : {}),
  };
}

export function spec(pkg: PackageNode): string {
  return `${pkg.name}@${pkg.version}`;
}

export function where(pkg: PackageNode): string {
  return `${pkg.lockfile}:${pkg.line}`;
}

/** CPD112: where a key a signature names was looked for and not found (`RegistrySources.registryKeys`). */
export function unknownKeyWhere(source: 'registry' | 'embedded', registry: string): string {
  return source === 'registry'
    ? `${registry} does not publish`
    : "is not among npm's keys in Sigstore's TUF repository as this chainproof embeds it (npm trusts no other key for this registry; if npm rotated its key, update chainproof)";
}
