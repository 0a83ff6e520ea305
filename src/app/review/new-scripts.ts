import picomatch from 'picomatch';
import type { Finding } from '../../core/finding.js';
import { packageArtifact } from '../../core/finding.js';
import type { Ecosystem } from '../../core/package-key.js';
import type { Policy } from '../../core/policy.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';

/** Whether the policy lets a package run install scripts (`dependencies.allowInstallScripts`, globs as CPD012 reads them). */
export type ScriptsAllowed = (name: string) => boolean;

export function scriptsAllowedBy(policy: Policy): ScriptsAllowed {
  const patterns = policy.dependencies.allowInstallScripts;
  return patterns.length > 0 ? picomatch([...patterns]) : () => false;
}

/**
 * Whether installing the head runs `node`'s install scripts without the policy allowing them. The parsers set
 * `buildDisabled` for a build the package manager holds back — pnpm 10's default and its build settings
 * (`createAllowBuildFunction`), Bun's `trustedDependencies`, yarn's `enableScripts` / `dependenciesMeta`, npm's
 * `allowScripts` and `ignore-scripts` — and such a script runs on no install, new or not; the change that later allows
 * it is CPU026. The same two tests as the head scan's CPD012 (deps/checks/packages.ts).
 */
export function runsUnallowedScripts(node: PackageNode, allowed: ScriptsAllowed): boolean {
  return node.buildDisabled === undefined && !allowed(node.name);
}

/**
 * The name@versions whose lockfile-recorded install script some lockfile of `graphs` runs. A package new to one
 * lockfile (a tool folder's own, a copy) that another already installed with its script at the base revision brings
 * no script the project did not run: the head scan's CPD012 for the new entry says the rest.
 */
export function scriptsRunIn(graphs: readonly DependencyGraph[]): Set<string> {
  const out = new Set<string>();
  for (const g of graphs)
    for (const p of g.packages)
      if (p.hasInstallScript === true && p.buildDisabled === undefined) out.add(`${p.name}@${p.version}`);
  return out;
}

/**
 * CPU003 for a package new to its lockfile whose install script the package manager runs: the same code at the same
 * moment (`npm ci`, `yarn install`, in CI with its secrets) as an update that gains one, so the same rule and level —
 * a dependency that appears with a `postinstall` is as much the shape of an attack as a release that gains one.
 */
export function addedScriptFinding(
  node: PackageNode,
  ecosystem: Ecosystem,
  from: { readonly source: 'lockfile' | 'registry'; readonly scripts?: readonly string[] },
): Finding {
  const what = from.scripts?.join(', ') ?? 'an install script';
  return {
    ruleId: 'CPU003',
    message: `${node.name}@${node.version} is new to ${node.lockfile} and runs ${what} (the ${from.source} says so): the package manager runs it on install, with the rights of the developer or the CI job. Read the script before merging.`,
    location: { path: node.lockfile, line: node.line },
    artifact: packageArtifact(ecosystem, node.name, node.version),
    evidence: {
      to: node.version,
      source: from.source,
      added: true,
      ...(from.scripts !== undefined ? { scripts: from.scripts.join(' ') } : {}),
    },
  };
}
