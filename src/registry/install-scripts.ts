import picomatch from 'picomatch';
import type { Finding, Level } from '../core/finding.js';
import type { Policy } from '../core/policy.js';
import type { DependencyGraph, PackageNode } from '../core/records.js';
import { packageFinding, spec, where } from './findings.js';
import type { VersionMeta } from './packument.js';
import { platformNote } from '../deps/platforms.js';

/**
 * Whether the lockfile itself says which packages run install scripts: npm lockfiles v2+ (`hasInstallScript`).
 * pnpm's `requiresBuild` (before v9) over-reports (every optional dependency) and pnpm 9 and yarn record nothing,
 * so for those the registry has to tell.
 */
export function lockfileRecordsScripts(graph: DependencyGraph): boolean {
  return graph.kind === 'npm' && Number(graph.formatVersion) >= 2;
}

/**
 * For lockfiles that do not record install scripts: the packument's version says whether `npm install` would run
 * one; outside `dependencies.allowInstallScripts` that is CPD136 (the online counterpart of CPD012).
 */
export function installScriptFinding(
  pkg: PackageNode,
  graph: DependencyGraph,
  meta: VersionMeta,
  policy: Policy,
): Finding | undefined {
  if (lockfileRecordsScripts(graph) || meta.installScripts.length === 0) return undefined;
  // The lockfile entry said it (a bun.lock of newer Bun: 1.4.5 writes it): the offline check reported it (CPD012).
  if (pkg.hasInstallScript === true) return undefined;
  // yarn berry skips the build of a package the root manifest marks `built: false`: nothing will run.
  if (pkg.buildDisabled !== undefined) return undefined;
  const allowed = policy.dependencies.allowInstallScripts;
  if (allowed.length > 0 && picomatch.isMatch(pkg.name, [...allowed])) return undefined;
  // In the message only: evidence is fingerprinted, and a finding a baseline already holds must keep its identity.
  const platforms = platformNote(pkg, graph.kind);
  return packageFinding(
    pkg,
    'CPD136',
    `${spec(pkg)} (${where(pkg)}) runs install scripts (${meta.installScripts.join(', ')}) according to its registry metadata; ${graph.lockfile} does not record install scripts, so this comes from the registry${platforms !== undefined ? `; ${platforms}` : ''}. Review what it runs and add it to dependencies.allowInstallScripts, or install with --ignore-scripts.`,
    { scripts: meta.installScripts.join(', '), source: 'packument' },
  );
}

/**
 * Offline (or with the registry unreachable), a lockfile that does not record install scripts leaves them
 * unknown: one finding per lockfile with the count, never silence.
 */
export function unknownScriptsFindings(pkgs: readonly PackageNode[], level: Level | undefined): Finding[] {
  const byLockfile = new Map<string, PackageNode[]>();
  // Appended in place: copying the list per package was quadratic (minutes for a 175k-entry yarn.lock).
  for (const p of pkgs) {
    const list = byLockfile.get(p.lockfile);
    if (list) list.push(p);
    else byLockfile.set(p.lockfile, [p]);
  }
  const out: Finding[] = [];
  for (const [lockfile, list] of byLockfile) {
    const sorted = [...list].sort((a, b) => a.line - b.line);
    const specs = [...new Set(sorted.map(spec))];
    out.push({
      ruleId: 'CPD137',
      message: `${specs.length === 1 ? `${specs[0]!} in ${lockfile}: whether it runs` : `${specs.length} packages in ${lockfile}: whether they run`} install scripts is unknown, because this lockfile format does not record it and the registry could not be asked. Scan online (or with a warm --cache-dir) to find out.`,
      location: { path: lockfile, line: sorted[0]!.line },
      ...(level !== undefined ? { level } : {}),
      evidence: { count: specs.length, packages: specs.join(' ') },
      related: sorted.map((p) => ({ path: p.lockfile, line: p.line })),
    });
  }
  return out;
}
