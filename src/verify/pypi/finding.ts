import type { Evidence, Finding } from '../../core/finding.js';
import type { PackageNode } from '../../core/records.js';
import { redactUrls } from '../../deps/checks/finding.js';
import { packageArtifact } from '../../core/finding.js';

/** A finding on a locked Python package found against its index, at its lockfile line. */
export function pyFinding(
  ruleId: string,
  pkg: PackageNode,
  what: string,
  todo: string,
  evidence: Evidence = {},
): Finding {
  const out: Record<string, string | number | boolean> = { ecosystem: 'pypi' };
  for (const [k, v] of Object.entries(evidence)) out[k] = typeof v === 'string' ? redactUrls(v).slice(0, 500) : v;
  return {
    ruleId,
    message: redactUrls(`${pkg.name}==${pkg.version} ${what} (${pkg.lockfile}:${pkg.line}). ${todo}`),
    location: { path: pkg.lockfile, line: pkg.line },
    artifact: packageArtifact('pypi', pkg.name, pkg.version),
    evidence: out,
  };
}
