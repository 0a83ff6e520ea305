import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { MAX_RELATED } from '../../core/group-causes.js';
import { listedWithMore } from '../../core/plural.js';
import { packageArtifact } from '../../core/finding.js';
import { ecosystemOf } from '../../core/package-key.js';

/** At most this many packages are named in the message; the evidence carries the count. */
const NAMED = 5;

/**
 * CPU034: a yarn berry lockfile whose `__metadata.cacheKey` the change moved. yarn prefixes a bare checksum with that
 * key (`Project.setupResolutions`, @yarnpkg/core), and `Cache.fetchPackageFromCache` compares a checksum only with an
 * archive of its own cache key: `validateFile` turns `checksumBehavior` into `update` when the key of the expected
 * checksum is not the running yarn's (`getCacheKeyComponent`, "the lockfile references an old cache format") and keeps
 * whatever it downloaded. The yarn that wrote the base lockfile has the base's key, so a head whose checksums carry
 * another key, consistently with its own `__metadata`, is checked by nobody — and every checksum the change rewrote
 * is new, so none can be compared with the base (CPU001 compares one key with the same key). Checksums whose key
 * differs from the head's own `__metadata` are the head scan's (CPD integrityNotEnforced): not counted again.
 * One finding per lockfile.
 */
export function movedCacheKeys(base: readonly DependencyGraph[], head: readonly DependencyGraph[]): Finding[] {
  const baseByPath = new Map(base.map((g) => [g.lockfile, g]));
  const out: Finding[] = [];
  for (const g of head) {
    const before = baseByPath.get(g.lockfile);
    if (g.kind !== 'yarn-berry' || before?.kind !== 'yarn-berry' || before.cacheKey === undefined) continue;
    if (g.cacheKey === before.cacheKey) continue;
    const was = before.cacheKey;
    // With no cacheKey at the head, bare checksums stay bare: no key at all, never the running yarn's either.
    const lost = g.packages
      .filter((p) => p.integrity !== undefined && keyOf(p, g.cacheKey) === g.cacheKey)
      .sort((a, b) => a.line - b.line);
    if (lost.length === 0) continue;
    const names = lost.map((p) => `${p.name}@${p.version}`);
    const shown = listedWithMore(names, NAMED);
    const now = g.cacheKey ?? '(none)';
    const first = lost[0]!;
    out.push({
      ruleId: 'CPU034',
      message: `${g.lockfile} moved its yarn cacheKey from ${was} to ${now}, and the checksums of ${names.length} package(s) (${shown}) now carry it: yarn compares a checksum only with archives of its own cache key and takes any other as an old cache format, keeping whatever it downloads, so the yarn that wrote the base lockfile checks none of them. Unless this change also moves the project to another yarn release, restore the cacheKey and checksums from the base revision (yarn install regenerates them).`,
      location: { path: g.lockfile, line: first.line },
      artifact: packageArtifact(ecosystemOf(g), first.name, first.version),
      evidence: { before: `cacheKey ${was}`, after: `cacheKey ${now}`, count: names.length },
      // The other entries are places of the same cause: their count stays out of its fingerprint.
      related: lost.slice(1, MAX_RELATED + 1).map((p) => ({ path: g.lockfile, line: p.line })),
    });
  }
  return out;
}

/** The cache key yarn reads for an entry's checksum: its own prefix, else the lockfile's (`setupResolutions`). */
function keyOf(p: PackageNode, lockfileKey: string | undefined): string | undefined {
  const i = p.integrity!.indexOf('/');
  return i >= 0 ? p.integrity!.slice(0, i) : lockfileKey;
}
