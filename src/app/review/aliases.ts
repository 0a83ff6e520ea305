import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { splitDescriptor } from '../../deps/types.js';
import { packageArtifact } from '../../core/finding.js';
import { ecosystemOf } from '../../core/package-key.js';

/** The name code imports (`require('x')`) → the packages installed under it, per real name (lowest line first). */
function byImportName(g: DependencyGraph): Map<string, Map<string, PackageNode>> {
  const out = new Map<string, Map<string, PackageNode>>();
  for (const p of g.packages) {
    if (p.source === 'link' || p.source === 'workspace') continue;
    for (const imported of importNames(g.kind, p)) {
      const real = out.get(imported) ?? new Map<string, PackageNode>();
      const old = real.get(p.name);
      if (!old || p.line < old.line) real.set(p.name, p);
      out.set(imported, real);
    }
  }
  return out;
}

/**
 * The names a package is installed under. npm and bun install an entry into the folder its key names and take the
 * package from the entry's own name (arborist's Node: `name` from the path, `packageName` from package.json); pnpm
 * links it under the name its edge uses (the parser's `alias`). A yarn entry serves every descriptor of its key
 * (`"good@npm:1.0.0, x@npm:good@1.0.0"`: yarn 2+ merges the descriptors that resolve alike; yarn 1 those of one
 * package), and yarn installs it under each descriptor's name (berry's `structUtils.parseDescriptor`, the name
 * before the range), so each is an import name.
 */
function importNames(kind: DependencyGraph['kind'], p: PackageNode): string[] {
  if (kind !== 'yarn-berry' && kind !== 'yarn-classic') return [p.alias ?? p.name];
  const names = new Set(p.key.split(',').map((d) => splitDescriptor(d.trim().replace(/^"|"$/g, ''))[0]));
  names.delete('');
  return names.size > 0 ? [...names] : [p.alias ?? p.name];
}

/** The lockfile kinds whose entry key says what it serves: npm's and bun's install folder, yarn's descriptors. */
const KEYED_BY_USE: ReadonlySet<DependencyGraph['kind']> = new Set(['npm', 'bun', 'yarn-classic', 'yarn-berry']);

/**
 * What the base revision installed under `imported` where the head entry `now` is: the base entry at the same key
 * (npm's `node_modules/x`, bun's `x`, yarn's `"x@npm:^2.1.1, x@npm:^2.1.3"`), else every base entry installed under
 * that name. byImportName keeps one entry per real name, the lowest line: with `js-yaml` locked at 4.2.0 on top and
 * 3.14.1 nested, or yarn's `ms@npm:2.0.0` above `ms@npm:^2.1.3`, the finding named the other version as the one the
 * swap replaced.
 */
function replaced(base: DependencyGraph, now: PackageNode, imported: string): PackageNode[] {
  const under = base.packages.filter(
    (p) => p.source !== 'link' && p.source !== 'workspace' && importNames(base.kind, p).includes(imported),
  );
  const same = KEYED_BY_USE.has(base.kind) ? under.filter((p) => p.key === now.key) : [];
  return same.length > 0 ? same : under;
}

const label = (nodes: readonly PackageNode[]) => [...new Set(nodes.map((n) => `${n.name}@${n.version}`))].sort();

/**
 * CPU024: a name the code imports now installs another package — `"x": "npm:good@1"` retargeted to `npm:evil@1`,
 * or a lockfile-only swap of what `node_modules/x` holds. Packages are diffed by their real names, so this shows
 * up there only as one package removed and an unrelated one added; here it is one finding naming both targets, at
 * the head lockfile's entry. Lockfiles new at the head (nothing to compare with) are left to the scan.
 */
export function aliasRetargets(base: readonly DependencyGraph[], head: readonly DependencyGraph[]): Finding[] {
  const baseByPath = new Map(base.map((g) => [g.lockfile, g]));
  const out: Finding[] = [];
  for (const g of head) {
    const before = baseByPath.get(g.lockfile);
    if (!before) continue;
    const was = byImportName(before);
    for (const [imported, now] of [...byImportName(g)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const old = was.get(imported);
      if (!old) continue;
      const fresh = [...now.values()].filter((n) => !old.has(n.name)).sort((a, b) => a.line - b.line);
      const first = fresh[0];
      if (!first) continue;
      const from = label(replaced(before, first, imported));
      const to = label(fresh);
      out.push({
        ruleId: 'CPU024',
        message: `${g.lockfile}: "${imported}" now installs ${to.join(', ')} where the base revision installed ${from.join(', ')}; code that imports "${imported}" loads another package. If the switch is intended, approve it by hand; otherwise restore the entry (and the manifest's alias) from the base revision.`,
        location: { path: g.lockfile, line: first.line },
        artifact: packageArtifact(ecosystemOf(g), first.name, first.version),
        evidence: { alias: imported, before: from.join(' '), after: to.join(' ') },
      });
    }
  }
  return out;
}
