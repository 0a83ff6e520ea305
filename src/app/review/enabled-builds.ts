import { withoutScriptFindings } from './unstated-scripts.js';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { listedWithMore } from '../../core/plural.js';
import { packageArtifact } from '../../core/finding.js';
import type { ScriptsAllowed } from './new-scripts.js';

/** At most this many packages are named in a message; the evidence and `related` carry every one. */
const NAMED = 5;

/**
 * CPU026: the change lets the package manager run the install scripts of packages it locked at both revisions and
 * did not build at the base — pnpm's `onlyBuiltDependencies` / `allowBuilds` widened or `neverBuiltDependencies`
 * narrowed (pnpm `createAllowBuildFunction`), a `packageManager` pin moved to a pnpm that builds by default, Bun's
 * `trustedDependencies` widened (`Lockfile.hasTrustedDependency`), yarn berry's `dependenciesMeta.<pkg>.built`
 * dropped, npm's `allowScripts` deny lifted or (npm ≥ 12) allow added (arborist rebuild on `isScriptAllowed`). The
 * parsers already say which packages each revision leaves unbuilt (`buildDisabled`), so the class is one comparison
 * whatever setting or file did it. An npm entry that records `hasInstallScript` is named too — the lockfile then says
 * the scripts exist — and the head scan's CPD012 for it is the same cause (`withoutEnabledScripts`). `enableScripts`
 * turned on is the `.yarnrc.yml` setting's own CPU026, and a package the policy allows to run scripts is no news. One
 * finding per lockfile: one setting change, however many packages it reaches.
 */
export function enabledBuilds(
  base: readonly DependencyGraph[],
  head: readonly DependencyGraph[],
  allowed: ScriptsAllowed,
): EnabledBuilds {
  const baseByPath = new Map(base.map((g) => [g.lockfile, g]));
  const findings: Finding[] = [];
  const covered = new Set<string>();
  for (const g of head) {
    const before = baseByPath.get(g.lockfile);
    if (!before) continue;
    const wasOff = new Map<string, Block>();
    for (const p of before.packages) if (p.buildDisabled !== undefined) wasOff.set(idOf(p), p.buildDisabled);
    const built = new Map<string, { node: PackageNode; was: Block }>();
    for (const p of g.packages) {
      const was = wasOff.get(idOf(p));
      // A switch that stopped every build (yarn's enableScripts, ignore-scripts) is the settings change's own CPU026.
      if (was === undefined || was === 'enableScripts' || was === 'ignoreScripts' || p.buildDisabled !== undefined)
        continue;
      if (p.bundled === true || allowed(p.name)) continue;
      const old = built.get(idOf(p));
      if (!old || p.line < old.node.line) built.set(idOf(p), { node: p, was });
    }
    if (built.size === 0) continue;
    const items = [...built.values()].sort((a, b) => a.node.line - b.node.line);
    for (const i of items) covered.add(coveredKey(g.lockfile, idOf(i.node)));
    findings.push(toFinding(g.lockfile, items));
  }
  return { findings, covered };
}

export interface EnabledBuilds {
  readonly findings: readonly Finding[];
  /** Each package the findings name, as `coveredKey` of its lockfile and `name@version`. */
  readonly covered: ReadonlySet<string>;
}

const coveredKey = (lockfile: string, id: string) => `${lockfile}\0${id}`;

/**
 * The head scan's CPD012 (a lockfile-recorded install script outside the allowlist) for a package whose build the
 * change turned on is the CPU026 above, said once: one finding per cause.
 */
export function withoutEnabledScripts<F extends Finding>(introduced: readonly F[], enabled: EnabledBuilds): F[] {
  if (enabled.covered.size === 0) return [...introduced];
  return withoutScriptFindings(introduced, (lockfile, id) => enabled.covered.has(coveredKey(lockfile, id)));
}

const idOf = (p: PackageNode) => `${p.name}@${p.version}`;

type Block = NonNullable<PackageNode['buildDisabled']>;

/** What kept each package unbuilt at the base, in the package manager's words. */
export const BLOCKED_BY: Readonly<Record<Block, string>> = {
  dependenciesMeta: "yarn's dependenciesMeta built: false",
  enableScripts: "yarn's enableScripts: false",
  onlyBuiltDependencies: "pnpm's onlyBuiltDependencies",
  neverBuiltDependencies: "pnpm's neverBuiltDependencies",
  allowBuilds: "pnpm's allowBuilds",
  pnpmDefault: 'pnpm 10+ building no dependency by default',
  trustedDependencies: "Bun's trustedDependencies",
  bunDefaultTrusted: "Bun's default trusted list",
  npmAllowScripts: "npm's allowScripts",
  ignoreScripts: 'ignore-scripts',
};

function toFinding(lockfile: string, items: readonly { node: PackageNode; was: Block }[]): Finding {
  const first = items[0]!.node;
  const names = items.map((i) => idOf(i.node));
  const shown = listedWithMore(names, NAMED);
  const reasons = [...new Set(items.map((i) => i.was))].sort();
  const said = reasons.map((r) => BLOCKED_BY[r]);
  return {
    ruleId: 'CPU026',
    message: `${lockfile}: the change lets the package manager run the install scripts of ${names.length} package(s) it did not build at the base revision (${shown}), kept from building by ${said.join(' and ')}. ${scriptsSaid(items)}: read them (or keep them unbuilt) before merging, and land build-setting changes in a pull request of their own.`,
    location: { path: lockfile, line: first.line },
    // Builds only npm-ecosystem package managers run or hold back.
    artifact: packageArtifact('npm', first.name, first.version),
    evidence: { packages: names.join(' '), count: names.length, before: reasons.join(' ') },
    // Always, even empty: a cause finding's count and names stay out of its fingerprint from its first package on.
    related: items.slice(1).map((i) => ({ path: lockfile, line: i.node.line })),
  };
}

/** What the lockfile says of the scripts: npm v2+ records `hasInstallScript`, the others record nothing. */
function scriptsSaid(items: readonly { node: PackageNode }[]): string {
  const recorded = items.filter((i) => i.node.hasInstallScript === true).length;
  if (recorded === 0) return 'This lockfile does not record whether they have scripts';
  if (recorded === items.length) return 'The lockfile records install scripts for them';
  return `The lockfile records install scripts for ${recorded} of them and does not say for the rest`;
}
