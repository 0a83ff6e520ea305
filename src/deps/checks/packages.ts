import semver from 'semver';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { MaliciousPackage } from '../../core/trusted-registry.js';
import type { CheckPolicy } from './context.js';
import { packageFinding } from './finding.js';
import { platformNote } from '../platforms.js';

/** CPD012 install scripts outside the allowlist; CPD013 versions on the known-malicious list. */
export function checkPackages(
  graph: DependencyGraph,
  policy: CheckPolicy,
  /** The install command that leaves an entry out (nothing declared reaches it: unreached.ts), for CPD013's words. */
  notInstalledBy: (node: PackageNode) => string | undefined = () => undefined,
): Finding[] {
  const out: Finding[] = [];
  for (const node of graph.packages) {
    // A build the package manager will not run (npm: denied by package.json allowScripts) runs no install script.
    if (
      node.hasInstallScript === true &&
      node.buildDisabled === undefined &&
      !policy.installScriptsAllowed(node.name)
    ) {
      // Built once for the rare platform-restricted package; every other one shares the literal. Message only: the
      // evidence is in the fingerprint, which must not move for a finding a baseline or code scanning already holds.
      const where = platformNote(node, graph.kind);
      out.push(
        packageFinding(
          'CPD012',
          node,
          where === undefined ? SCRIPTS : `${SCRIPTS}; ${where}`,
          'Review its scripts; add it to dependencies.allowInstallScripts if they are needed, or install with --ignore-scripts.',
        ),
      );
    }
    const advisories = policy.malicious.get(node.name);
    if (advisories) {
      const skipped = notInstalledBy(node);
      for (const adv of advisories) {
        const hit = matchAdvisory(node, adv);
        if (hit !== undefined) {
          out.push(
            packageFinding(
              'CPD013',
              node,
              `is known malicious (${adv.id}${adv.summary !== undefined ? `: ${adv.summary.slice(0, 200)}` : ''})${skipped !== undefined ? `; ${skipped} does not install it, but a known-malicious entry in the lockfile means someone put it there` : ''}`,
              skipped !== undefined
                ? 'Regenerate the lockfile to drop it, find out who added it, and check whether any machine installed it.'
                : 'Remove it or move to a version outside the advisory, regenerate the lockfile, and treat machines that installed it as compromised.',
              {
                advisory: adv.id,
                matched: hit,
                registryFile: adv.file,
              },
            ),
          );
        }
      }
    }
  }
  return out;
}

const SCRIPTS = 'runs install scripts and is not on the allowlist';

/** The exact version or range of `adv` that covers the node's version, if any. */
export function matchAdvisory(node: PackageNode, adv: MaliciousPackage): string | undefined {
  if (adv.versions.includes(node.version)) return node.version;
  const version = semver.valid(node.version, { loose: true });
  if (version === null) return undefined;
  for (const range of adv.ranges) {
    // An advisory range that does not parse cannot clear a package: only a valid range can match.
    if (semver.validRange(range, { loose: true }) === null) continue;
    if (semver.satisfies(version, range, { includePrerelease: true, loose: true })) return range;
  }
  return undefined;
}
