import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import type { CheckPolicy } from './context.js';
import { checkAliasLookalikes } from './alias-lookalike.js';
import { checkAliasSwaps } from './alias-swap.js';
import { checkBerryVersions } from './berry-version.js';
import { checkBunTrustedHashes } from './bun-trusted-hash.js';
import { checkDuplicateKeys } from './duplicate-keys.js';
import { checkGitPins } from './git-pin.js';
import { checkIntegrity } from './integrity.js';
import { checkLegacySection } from './legacy-section.js';
import { checkLocalPaths } from './local-paths.js';
import { checkLocalRefs } from './local-refs.js';
import { checkNpmShrinkwraps } from './npm-shrinkwrap.js';
import { aliasOverrides, aliasOverridesOf, checkOverrideSwaps, overrideSwaps } from './override-swap.js';
import { checkPackages } from './packages.js';
import { checkPatchScripts, patchUsesOf } from './patch-scripts.js';
import { checkPnpmMissingEntries } from './pnpm-missing.js';
import { checkPnpmSettings, patchHashMismatches } from './pnpm-settings.js';
import { targetName } from './overrides.js';
import { checkRangeSources } from './range-source.js';
import { checkScopeRegistries } from './scope-registry.js';
import { checkLockfileCredentials } from './credentials.js';
import { checkSources } from './sources.js';
import type { LoadedManifest } from './sync.js';
import { checkSync } from './sync.js';
import { checkTransitiveRanges } from './transitive-range.js';
import { unreachedFold } from './unreached.js';
import { collapseSystemic } from './systemic.js';
import { checkYarnProtocols } from './yarn-protocols.js';
import { checkYarnYaml } from './yarn-yaml.js';
import { checkVersionIntegrities } from './version-integrities.js';

export type { CheckPolicy } from './context.js';
export { toCheckPolicy } from './context.js';
export type { LoadedManifest } from './sync.js';
export { patchUsesOf } from './patch-scripts.js';

/** Every offline dependency rule over one lockfile. Pure: the stage did the reading. */
export function checkDependencies(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  policy: CheckPolicy,
  manifests: readonly LoadedManifest[],
  /** Text of the repository's patch files the lockfile applies (`patchUsesOf`), by repository path. */
  patches: ReadonlyMap<string, string> = new Map(),
  /** Findings the stage made from the disk on lockfile entries (local tarballs' and folders' install scripts). */
  fromDisk: readonly Finding[] = [],
): Finding[] {
  // One cause, one finding: an exec: entry is CPD019 (code runs at install), not also the local-path note (CPD009);
  // a registry range locked to git or a tarball is CPD020 (injection), not also the source warning (CPD007/CPD008).
  const uses = patchUsesOf(graph, parsed);
  // Entries no declared dependency reaches are never installed: their install findings fold into one (unreached.ts).
  const unreached = unreachedFold(graph, parsed);
  const protocols = checkYarnProtocols(graph, policy);
  const rangeSources = checkRangeSources(graph, parsed, manifests);
  const execAt = new Set(protocols.filter((f) => f.ruleId === 'CPD019').map((f) => f.location.line));
  const injectedAt = new Set(rangeSources.map((f) => f.location.line));
  const injectedFolders = new Set(
    rangeSources.filter((f) => f.evidence?.source === 'file').map((f) => String(f.evidence?.resolved)),
  );
  // A git entry locked to a moving ref is CPD023 (unpinned), not also the git-source warning; injection stays first.
  const gitPins = checkGitPins(graph, parsed).filter((f) => !injectedAt.has(f.location.line));
  const unpinnedAt = new Set(gitPins.map((f) => f.location.line));
  // The overrides that put another package under a name, read once: the source checks and the swap checks ask.
  const overrides = aliasOverridesOf(graph, parsed, manifests);
  const sources = unreached.keep(checkSources(graph, policy, parsed.sourceNotes, aliasOverrides(overrides))).filter(
    (f) =>
      !(f.ruleId === 'CPD009' && execAt.has(f.location.line)) &&
      !((f.ruleId === 'CPD007' || f.ruleId === 'CPD008') && injectedAt.has(f.location.line)) &&
      // A range linked to a folder (npm `link: true`) is CPD020 at the link; the folder's CPD009 is the same cause.
      !(f.ruleId === 'CPD009' && injectedFolders.has(String(f.evidence?.lockfileKey))) &&
      !(f.ruleId === 'CPD007' && unpinnedAt.has(f.location.line)),
  );
  // A version outside an override the lockfile was not resolved with is CPD026's cause (stale settings), not a
  // separate CPD015 per package. A root dependency swapped for another package is injection the package manager
  // accepts (CPD021; for yarn, a descriptor naming another package, CPD010), not drift: the sync check's CPD015 for
  // the same entry is that cause again.
  const swaps = checkAliasSwaps(graph, parsed, manifests);
  const swappedAt = new Set(
    [...sources.filter((f) => f.ruleId === 'CPD010'), ...swaps].map((f) => `${f.location.path}:${f.location.line}`),
  );
  const staleOverrides = new Set(
    (parsed.pnpmSettingMismatches ?? []).flatMap((m) => (m.keys ?? []).map((k) => targetName(k) ?? k)),
  );
  const sync = checkSync(graph, parsed, manifests).filter(
    (f) =>
      !(f.ruleId === 'CPD015' && f.artifact?.kind === 'package' && staleOverrides.has(f.artifact.name)) &&
      !(f.ruleId === 'CPD015' && swappedAt.has(`${f.location.path}:${f.location.line}`)),
  );
  // A transitive entry outside its dependant's range is the same cause as the root's CPD015 or a CPD010 there.
  const reportedAt = new Set<number | undefined>(
    [...sync, ...sources]
      .filter((f) => (f.ruleId === 'CPD015' || f.ruleId === 'CPD010') && f.location.path === graph.lockfile)
      .map((f) => f.location.line),
  );
  // An alias swap another rule reports is that rule's (CPD172 an override's, CPD021/CPD010 one nobody asked for),
  // not also a look-alike alias (CPD174).
  const byOverride = overrideSwaps(graph, parsed, overrides);
  const swapReported = new Set(byOverride.flatMap((s) => s.swapped));
  graph.packages.forEach((p, i) => {
    if (swappedAt.has(`${p.lockfile}:${p.line}`)) swapReported.add(i);
  });
  const all = unreached.keep([
    ...collapseSystemic(unreached.keep(checkIntegrity(graph, parsed)), graph),
    ...checkVersionIntegrities(graph),
    ...collapseSystemic(sources, graph),
    ...checkPackages(graph, policy, unreached.notInstalledBy),
    ...checkBunTrustedHashes(graph, parsed),
    ...checkScopeRegistries(graph, policy),
    ...checkLockfileCredentials(graph),
    ...collapseSystemic(sync, graph),
    ...checkTransitiveRanges(graph, parsed, manifests, reportedAt),
    ...swaps,
    ...checkAliasLookalikes(graph, parsed, manifests, swapReported),
    ...checkOverrideSwaps(byOverride, graph),
    ...rangeSources,
    ...checkLocalPaths(graph),
    ...checkLocalRefs(graph, parsed),
    ...protocols,
    ...gitPins,
    ...checkPatchScripts(graph, uses, patches, policy),
    ...checkLegacySection(graph, parsed),
    ...checkNpmShrinkwraps(graph, parsed),
    ...checkBerryVersions(graph, parsed),
    ...checkDuplicateKeys(graph, parsed),
    ...checkYarnYaml(graph, parsed),
    ...checkPnpmMissingEntries(graph, parsed),
    ...checkPnpmSettings(graph, parsed, graph.kind === 'pnpm' ? patchHashMismatches(uses, patches) : []),
    ...fromDisk,
  ]);
  return [...all, ...unreached.summary()];
}
