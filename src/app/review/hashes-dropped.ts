import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { MAX_RELATED } from '../../core/group-causes.js';
import { listedWithMore } from '../../core/plural.js';
import { packageArtifact } from '../../core/finding.js';
import { ecosystemOf } from '../../core/package-key.js';

/** At most this many packages are named in the message; the evidence carries the count. */
const NAMED = 5;

const hashed = (p: PackageNode) => (p.distributions ?? []).some((d) => Object.keys(d.hashes).length > 0);

/**
 * CPU034: a requirements file that pinned hashes at the base and pins none at the head. pip turns hash-checking on
 * only when some requirement carries `--hash` (or `--require-hashes` is given: `req_command` `get_requirements`), so
 * dropping every hash is not a missing hash pip refuses (the head scan's CPP011) but a file pip now installs
 * unchecked: whatever the index serves for each pin. Lockfile formats that record hashes per package (uv, Poetry,
 * Pipfile.lock, pylock, PDM) have CPP011 at the head for each package that lost them. One finding per file;
 * `reportedMissing` are the files whose head scan already says hashes are missing (still in hash mode through an
 * including file).
 */
export function droppedHashes(
  base: readonly DependencyGraph[],
  head: readonly DependencyGraph[],
  reportedMissing: ReadonlySet<string>,
): Finding[] {
  const baseByPath = new Map(base.map((g) => [g.lockfile, g]));
  const out: Finding[] = [];
  for (const g of head) {
    const before = baseByPath.get(g.lockfile);
    if (!before || g.kind !== 'pip-requirements' || reportedMissing.has(g.lockfile)) continue;
    if (g.packages.some(hashed)) continue;
    const wasHashed = new Set(before.packages.filter(hashed).map((p) => p.name));
    const lost = g.packages.filter((p) => wasHashed.has(p.name)).sort((a, b) => a.line - b.line);
    if (lost.length === 0) continue;
    const names = lost.map((p) => (p.version !== '' ? `${p.name}==${p.version}` : p.name));
    const shown = listedWithMore(names, NAMED);
    const first = lost[0]!;
    out.push({
      ruleId: 'CPU034',
      message: `${g.lockfile} pinned --hash values at the base revision and pins none now, so pip leaves hash-checking mode and installs whatever the index serves for ${names.length} requirement(s) it checked before (${shown}). Restore the hashes (pip-compile --generate-hashes) before merging.`,
      location: { path: g.lockfile, line: first.line },
      artifact: packageArtifact(ecosystemOf(g), first.name, first.version),
      evidence: { before: 'hash-checking', after: 'none', count: names.length },
      // The other requirements are places of the same cause: their count stays out of its fingerprint.
      related: lost.slice(1, MAX_RELATED + 1).map((p) => ({ path: g.lockfile, line: p.line })),
    });
  }
  return out;
}
