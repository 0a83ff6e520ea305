import type { Evidence, Finding, Level } from '../../core/finding.js';
import type { PackageNode } from '../../core/records.js';

/** "root > a > b": how the build reaches a package, for messages. */
export function via(node: PackageNode): string {
  return node.path.join(' > ');
}

/** `name@version` (with the alias the code imports, when it differs). */
export function label(node: PackageNode): string {
  return `${node.alias !== undefined ? `${node.alias} (npm:${node.name})` : node.name}@${node.version}`;
}

/** A finding on a lockfile entry: located at its line, about the package, with the dependency path. */
export function packageFinding(
  ruleId: string,
  node: PackageNode,
  what: string,
  todo: string,
  evidence: Evidence = {},
  level?: Level,
): Finding {
  // Built in place (no spread and entries copy per finding: a lockfile can give 300k of them), in the order the
  // spread `{ lockfileKey, dependencyPath, ...evidence }` gives: an evidence key of the same name overrides in place.
  const path = via(node);
  const safeEvidence: Record<string, string | number | boolean> = {
    lockfileKey: redactUrls(node.key),
    dependencyPath: redactUrls(path),
  };
  for (const k of Object.keys(evidence)) {
    const v = evidence[k]!;
    safeEvidence[k] = typeof v === 'string' ? redactUrls(v) : v;
  }
  return {
    ruleId,
    message: redactUrls(`${label(node)} ${what} at ${node.lockfile}:${node.line} (pulled in by ${path}). ${todo}`),
    location: { path: node.lockfile, line: node.line },
    ...(level !== undefined ? { level } : {}),
    artifact: { kind: 'package', name: node.name, version: node.version },
    evidence: safeEvidence,
  };
}

/**
 * Lockfile URLs can embed credentials (`https://user:token@host/…`, `?token=…`); a finding must never carry them.
 */
export function redactUrls(text: string): string {
  // Both patterns need "://" or a query separator; most messages and evidence values have neither.
  if (!text.includes('://') && !text.includes('?') && !text.includes('&')) return text;
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@')
    .replace(/([?&][^=&#\s]*(?:token|auth|key|secret|password|sig)[^=&#\s]*=)[^&#\s]+/gi, '$1***');
}
