import semver from 'semver';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { DraftEdge, EdgeKind, ParsedLockfile } from '../types.js';
import { packageArtifact } from '../../core/finding.js';
import { ecosystemOf } from '../../core/package-key.js';
import { parseAlias } from '../parsers/npm-common.js';
import { label, redactUrls, via } from './finding.js';
import { overriddenAnywhere } from './overrides.js';
import type { LoadedManifest } from './sync.js';

/**
 * What the package manager does with an entry outside the range a package's own dependency asks for (checked with
 * a loopback registry). yarn 1 ignores it: `PackageResolver.find` drops an entry `isLockfileEntryOutdated` calls
 * outdated ("Lockfile has incorrect entry … Ignoring it") and resolves the range on the registry, `--frozen-lockfile`
 * included (1.22.22 installed b@2.0.0 for an entry locking b@^2.0.0 at 1.0.0, and left the lockfile as it was).
 * yarn berry installs it: `LockfileResolver.getCandidates` returns the package `storedResolutions` records for the
 * descriptor (4.18.1 `--immutable` installed b@1.0.0). Bun installs it too: a package tuple's dependency is bound to
 * the entry its hoisting finds, and nothing compares the version (1.4.5 `--frozen-lockfile` installed b@1.0.0 and kept
 * the lockfile). npm is not here: `npm ci` queues the invalid edge in
 * buildIdealTree and `validateLockfile` refuses the lockfile; pnpm records exact versions, not ranges, for a
 * package's dependencies.
 */
const CONSEQUENCE: Partial<Record<DependencyGraph['kind'], string>> = {
  'yarn-classic':
    'yarn 1 ignores such an entry (PackageResolver.find: isLockfileEntryOutdated) and resolves the range on the registry at every install, --frozen-lockfile included: what installs is whatever the registry serves then, pinned by nothing in the lockfile',
  'yarn-berry':
    'yarn installs the locked entry without comparing it with the range (LockfileResolver.getCandidates), --immutable included',
  bun: 'Bun installs the locked entry without comparing it with the range, --frozen-lockfile included',
};

/** The edges a package's entry installs for it: its `dependencies` and `optionalDependencies`. */
const INSTALLED: ReadonlySet<EdgeKind> = new Set(['prod', 'optional']);

/**
 * CPD015 one level down: a locked package asks for `b@^2.0.0` (its entry's `dependencies`) and the entry for that
 * descriptor locks a version outside the range (CONSEQUENCE says what each yarn then installs). neither yarn nor Bun
 * writes such an entry unless a root `resolutions` or `overrides` field forces the version, so names one may force
 * are not judged.
 * One finding per entry, at its line; entries the root sync check already reports there (`reportedAt`) are that
 * cause.
 */
export function checkTransitiveRanges(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  manifests: readonly LoadedManifest[],
  reportedAt: ReadonlySet<number | undefined> = new Set(),
): Finding[] {
  const consequence = CONSEQUENCE[graph.kind];
  if (consequence === undefined) return [];
  const forced = overriddenAnywhere(manifests.find((m) => m.importer === '')?.data, parsed.workspaceOverrides);
  const out: Finding[] = [];
  const seen = new Set<number>();
  parsed.nodes.forEach((parent, from) => {
    for (const edge of parent.edges) {
      // A peer range is met by whatever the tree holds (a mismatch is a warning; Bun leaves `optionalPeers` out).
      if (!INSTALLED.has(edge.kind) || edge.target === undefined || seen.has(edge.target) || forced.has(edge.name))
        continue;
      const node = graph.packages[edge.target];
      const up = graph.packages[from];
      if (node === undefined || up === undefined || node.source !== 'registry' || reportedAt.has(node.line)) continue;
      const wanted = registryRange(edge.name, edge.spec, graph.kind);
      if (wanted === undefined || wanted.name !== node.name || fits(node.version, wanted.range, graph.kind)) continue;
      seen.add(edge.target);
      out.push(outsideRange(graph, node, up, edge, consequence));
    }
  });
  return out;
}

/**
 * The package and semver range a dependency `name: spec` asks the registry for; undefined for a tag, git, a path or
 * another protocol.
 */
export function registryRange(
  name: string,
  written: string,
  kind: DependencyGraph['kind'],
): { name: string; range: string } | undefined {
  let spec = written;
  if (kind === 'yarn-berry') {
    // yarn berry writes a registry range with the `npm:` protocol (`npm:^2.0.0`), an alias as `npm:real@^2.0.0`;
    // its first lockfiles wrote the bare range.
    if (!/^[a-z]+:/i.test(spec)) spec = `npm:${spec}`;
    if (!spec.startsWith('npm:')) return undefined;
  }
  const alias = parseAlias(spec);
  const [asked, range] = alias === undefined ? [name, spec] : alias[1] === '' ? [name, alias[0]] : alias;
  return semver.validRange(range, { loose: true }) === null ? undefined : { name: asked, range };
}

/**
 * yarn 1 compares as `isLockfileEntryOutdated` does (strict semver, prereleases only where the range names them);
 * yarn berry and Bun install any version, so it is compared as the root sync check (sync.ts) does, leniently. A version
 * that is no semver version is judged elsewhere.
 */
function fits(version: string, range: string, kind: DependencyGraph['kind']): boolean {
  if (kind === 'yarn-classic')
    return semver.valid(version) === null || semver.validRange(range) === null || semver.satisfies(version, range);
  const valid = semver.valid(version, { loose: true });
  return valid === null || semver.satisfies(valid, range, { includePrerelease: true, loose: true });
}

function outsideRange(
  graph: DependencyGraph,
  node: PackageNode,
  up: PackageNode,
  edge: DraftEdge,
  consequence: string,
): Finding {
  return {
    ruleId: 'CPD015',
    message: `${label(up)} (${graph.lockfile}:${up.line}) asks for ${edge.name}@${edge.spec.slice(0, 200)}, but ${graph.lockfile}:${node.line} locks ${node.name}@${node.version}, outside that range, pulled in by ${redactUrls(via(node))}. ${consequence}; the package manager never writes such an entry unless a resolution or override forces the version. Delete the entry and reinstall so the range is resolved and locked again, and review who edited the lockfile.`,
    location: { path: graph.lockfile, line: node.line },
    artifact: packageArtifact(ecosystemOf(graph), node.name, node.version),
    evidence: {
      declared: edge.spec.slice(0, 300),
      dependent: label(up),
      locked: node.version,
      lockfile: graph.lockfile,
    },
  };
}
