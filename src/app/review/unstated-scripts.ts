import type { Finding, ResolvedFinding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import { lockfileRecordsScripts } from '../../registry/install-scripts.js';
import { withoutSaidOnce } from './said-once.js';

/**
 * Head-scan rules that say a package runs code on install from what its lockfile records: `hasInstallScript`
 * (deps/checks/packages.ts), a Python package locked with only an sdist (python/checks/builds.ts).
 */
const FROM_INSTALL_SCRIPT: ReadonlySet<string> = new Set(['CPD012', 'CPP074']);

/**
 * A base lockfile that cannot say whether a package has install scripts: npm's lockfileVersion 1 never records
 * `hasInstallScript` (only the v2/v3 `packages` entries do, arborist's `Shrinkwrap`). Relocked to v3, an unchanged
 * package's CPD012 is new only because of the format; nothing new runs. A head finding about a name@version that such
 * a base lockfile already installed is therefore not introduced — the two sides agree on all they both state.
 * bun.lock is the same: Bun 1.2 writes no `hasInstallScript` on registry entries, Bun 1.4.5 does (deps/parsers/bun.ts),
 * so a Bun base entry without the key says nothing, and a relock that adds it runs nothing new.
 */
export function withoutUnstatedScripts(
  introduced: readonly ResolvedFinding[],
  base: readonly DependencyGraph[],
): ResolvedFinding[] {
  const unstated = new Map<string, Set<string>>();
  for (const g of base) {
    if (g.kind === 'npm' && !lockfileRecordsScripts(g))
      unstated.set(g.lockfile, new Set(g.packages.map((p) => `${p.name}@${p.version}`)));
    if (g.kind === 'bun')
      unstated.set(
        g.lockfile,
        new Set(g.packages.filter((p) => p.hasInstallScript !== true).map((p) => `${p.name}@${p.version}`)),
      );
  }
  if (unstated.size === 0) return [...introduced];
  return withoutScriptFindings(introduced, (lockfile, id) => unstated.get(lockfile)?.has(id) === true);
}

/**
 * `introduced` without the install-script findings (CPD012) of the packages `covered` accounts for otherwise, by
 * their lockfile and `name@version`: one finding per cause.
 */
export function withoutScriptFindings<F extends Finding>(
  introduced: readonly F[],
  covered: (lockfile: string, id: string, finding: F) => boolean,
): F[] {
  return introduced.filter(
    (f) =>
      !FROM_INSTALL_SCRIPT.has(f.ruleId) ||
      f.artifact?.kind !== 'package' ||
      !covered(f.location.path, `${f.artifact.name}@${f.artifact.version}`, f),
  );
}

/**
 * The head scan's CPD012 / CPP074 for a package whose install script the review's CPU003 reports as new to this version, at
 * the CPD012's level or higher (`reported`: the review's own findings after the policy): one script, said once, by
 * the finding that also says the version before had none.
 */
export function withoutNewScriptFindings(
  introduced: readonly ResolvedFinding[],
  reported: readonly ResolvedFinding[],
): ResolvedFinding[] {
  const key = (f: Finding) =>
    f.artifact?.kind === 'package' ? `${f.location.path}\0${f.artifact.name}@${f.artifact.version}` : undefined;
  return withoutSaidOnce(
    introduced,
    reported,
    (f) => (f.ruleId === 'CPU003' ? [key(f)] : []),
    (f) => (FROM_INSTALL_SCRIPT.has(f.ruleId) ? key(f) : undefined),
  );
}
