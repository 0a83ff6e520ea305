import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { isLookalike, numberedSibling, splitScope } from '../../core/lookalike.js';
import type { LockfileChanges } from './diff.js';
import { packageArtifact } from '../../core/finding.js';
import { ecosystemOf, sameVersion, type Ecosystem } from '../../core/package-key.js';

/**
 * What the base trees of an ecosystem already install: every package name, and every npm scope. A look-alike typosquat
 * is a name, or a scope, new to the project; a name the base already locks (`camelcase` → `camel-case` with camel-case
 * locked under another package) or a scope it already installs from (`@nuxthq/ui` → `@nuxt/ui` beside `@nuxt/kit`)
 * is code from a publisher the project already runs. This is how typosquat detectors tell a neighbour from a squat:
 * a near name that is itself an established package is not reported.
 */
function installedBefore(
  base: readonly DependencyGraph[],
  ecosystem: Ecosystem,
): { names: Set<string>; scopes: Set<string> } {
  const names = new Set(
    base.filter((g) => ecosystemOf(g) === ecosystem).flatMap((g) => g.packages.map((p) => p.name.toLowerCase())),
  );
  return { names, scopes: new Set([...names].map((n) => splitScope(n).scope).filter((s) => s !== '')) };
}

/** A direct dependency: its path is the importer and the package (`['root', 'lodash']`). */
const direct = (p: PackageNode) => p.path.length === 2;

/**
 * CPU037: the change drops a direct dependency of a manifest and adds one whose name is a look-alike of it, in the
 * same lockfile and workspace.
 * The diff reads "removed lodash, added lodahs" two rows apart; a reviewer reads the second name as the first. The
 * package manager installs whatever the new name is on the registry: another package, another owner. With the same
 * version number on both sides (a copy of the real package's metadata, what a typosquat publishes) it is an error;
 * a look-alike at another version (`http-proxy-agent` → `https-proxy-agent`, a real neighbour) is a warning to check. Only a name
 * the workspace no longer depends on directly is paired with one it did not depend on directly before: a package
 * moved between the root and a nested folder is no rename. A lockfile added by the change has no removal to compare.
 */
export function lookalikeRenames(
  changes: readonly LockfileChanges[],
  base: readonly DependencyGraph[],
  head: readonly DependencyGraph[],
): Finding[] {
  const directIn = (gs: readonly DependencyGraph[], lockfile: string) =>
    new Set(
      gs
        .find((g) => g.lockfile === lockfile)
        ?.packages.filter(direct)
        .map((p) => `${p.workspace}\0${p.name}`),
    );
  const out: Finding[] = [];
  for (const lf of changes) {
    if (lf.status !== 'changed') continue;
    const [before, after] = [directIn(base, lf.lockfile), directIn(head, lf.lockfile)];
    const gone = lf.changes.flatMap((c) =>
      c.kind === 'removed' && direct(c.base) && !after.has(`${c.base.workspace}\0${c.name}`) ? [c.base] : [],
    );
    if (gone.length === 0) continue;
    const known = installedBefore(base, lf.ecosystem);
    const vouched = (name: string) =>
      known.names.has(name.toLowerCase()) || known.scopes.has(splitScope(name.toLowerCase()).scope);
    for (const c of lf.changes) {
      if (c.kind !== 'added' || !direct(c.head) || before.has(`${c.head.workspace}\0${c.name}`)) continue;
      if (vouched(c.name)) continue;
      const from = gone.find((p) => p.workspace === c.head.workspace && isLookalike(p.name, c.name));
      if (from === undefined) continue;
      // A PyPI version as pip reads it: `requests==2.31` swapped for `reqeusts==2.31.0` keeps the version.
      const same = from.version !== '' && sameVersion(lf.ecosystem, from.version, c.head.version);
      if (!same && numberedSibling(from.name, c.name)) continue;
      out.push({
        ruleId: 'CPU037',
        message: `The change replaces ${from.name} with ${c.name}${same ? ` at the same version ${from.version}` : ''}, a look-alike name: the package manager installs whatever is published as ${c.name}, another package from possibly another owner. Check the new name letter by letter and who publishes it before merging.`,
        location: { path: c.head.lockfile, line: c.head.line },
        artifact: packageArtifact(lf.ecosystem, c.name, c.head.version),
        ...(same ? {} : { level: 'warning' as const }),
        evidence: { from: from.name, to: c.name, fromVersion: from.version, toVersion: c.head.version },
      });
    }
  }
  return out;
}
