import semver from 'semver';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { DraftLocalRef, ParsedLockfile } from '../types.js';
import { strMap } from '../types.js';
import { label, redactUrls, via } from './finding.js';
import { overriddenAnywhere, overridesOf } from './overrides.js';
import { registryRange } from './transitive-range.js';
import type { LoadedManifest } from './sync.js';
import { packageArtifact } from '../../core/finding.js';
import { ecosystemOf } from '../../core/package-key.js';
import { workspaceGlobs, workspaceMatcher } from '../read.js';
import type { Manifest } from '../types.js';

const FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/**
 * The sources a range never resolves to, in the message's words. A local path counts too: npm ci installs a range's
 * entry whose `resolved` is a bare path or `file:` URL (checked with npm 11: depValid passes, pacote extracts the
 * file), but `npm install` resolves a range from the registry only.
 */
const FROM = { git: 'git', tarball: 'a tarball URL', file: 'a local path' } as const;

/**
 * CPD020: package.json asks for a registry version range (`^1.0.0`) and the lockfile installs that name from git or a
 * tarball URL or a local path. npm accepts it — arborist's `depValid` checks only that the entry's version satisfies the range, not
 * where it comes from — and yarn 1 / pnpm / bun install whatever the entry resolves to; but none of them writes such
 * an entry for a range without an override. It is an edited lockfile that keeps the version so nothing looks out of
 * sync. Workspaces (a range satisfied by a linked workspace) are normal and not reported.
 */
export function checkRangeSources(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  manifests: readonly LoadedManifest[],
): Finding[] {
  const root = manifests.find((m) => m.importer === '')?.data;
  const overrides = overridesOf(root, parsed.workspaceOverrides);
  const spoofedLink = spoofedWorkspace(graph, root);
  const out: Finding[] = [];
  const seen = new Set<number>();
  for (const m of manifests) {
    for (const field of FIELDS) {
      for (const [name, declared] of Object.entries(strMap((m.data as Record<string, unknown>)[field]))) {
        // pnpm installs a `catalog:` dependency at the catalog's range (@pnpm/catalogs.resolver `resolveFromCatalog`),
        // and frozen installs compare only the `catalog:` text: behind it, a registry range is still one.
        const catalog = declared.startsWith('catalog:') ? parsed.catalogRange?.(name, declared) : undefined;
        const spec = catalog ?? declared;
        if (overrides.has(name) || semver.validRange(spec, { loose: true }) === null) continue;
        const target = parsed.resolveDeclared(m.importer, name, spec);
        const link = target === 'unknown' ? linkOutsideWorkspace(parsed, m.importer, name) : undefined;
        if (link !== undefined) {
          const line = m.lines.get(`${field}\0${name}`);
          out.push(
            linkedOutside(graph, link, `${m.file}${line !== undefined ? `:${line}` : ''}`, `${name}@${declared}`, spec),
          );
          continue;
        }
        if (typeof target !== 'number' || seen.has(target)) continue;
        const found = graph.packages[target];
        const node = found !== undefined && spoofedLink(found) ? ({ ...found, source: 'file' } as const) : found;
        if (node === undefined || !Object.hasOwn(FROM, node.source)) continue;
        seen.add(target);
        const line = m.lines.get(`${field}\0${name}`);
        out.push(
          lockedElsewhere(
            graph,
            node,
            `${m.file}${line !== undefined ? `:${line}` : ''}`,
            `${name}@${declared}${catalog !== undefined ? ` (${catalog} in its catalog)` : ''}`,
            '',
            { declared: spec, manifest: m.file },
          ),
        );
      }
    }
  }
  // A package's own dependency asks for a registry range, and the lockfile installs it from git, a tarball URL or a
  // local path: the same edit one level down (arborist's depValid checks the version only; yarn 1 installs what the
  // entry resolves to). Not for names an override or resolution may force anywhere (npm's nested overrides too).
  if (TRANSITIVE_KINDS.has(graph.kind)) {
    const forced = overriddenAnywhere(root, parsed.workspaceOverrides);
    parsed.nodes.forEach((parent, from) => {
      for (const e of parent.edges) {
        if (e.target === undefined || seen.has(e.target) || forced.has(e.name)) continue;
        // yarn berry writes a registry range with its protocol (`npm:^2.0.0`).
        const range = graph.kind === 'yarn-berry' ? registryRange(e.name, e.spec, graph.kind)?.range : e.spec;
        if (range === undefined || semver.validRange(range, { loose: true }) === null) continue;
        const node = graph.packages[e.target];
        const up = graph.packages[from];
        if (node === undefined || up === undefined || !Object.hasOwn(FROM, node.source)) continue;
        seen.add(e.target);
        out.push(
          lockedElsewhere(
            graph,
            node,
            `${label(up)} (${graph.lockfile}:${up.line})`,
            `${e.name}@${e.spec}`,
            `, pulled in by ${redactUrls(via(node))}`,
            { declared: e.spec, dependent: label(up) },
            ' without an override',
          ),
        );
      }
    });
  }
  return out;
}

/**
 * npm: whether a `link: true` entry points at a folder the project's package.json does not list among its workspaces.
 * arborist builds the root from the package.json on disk (`loadVirtual` reads the lockfile's entries onto it), so its
 * workspaces come from there, not from the lockfile's `""` entry; and `depValid` takes a link for a range when the
 * linked folder's version satisfies it. A lockfile that links a registry range to some folder of the repository
 * (and may add that folder to its own `""` workspaces so it reads as one) installs that folder as the package.
 * Without a package.json at the root, nothing says otherwise: no judgement.
 */
function spoofedWorkspace(graph: DependencyGraph, root: Manifest | undefined): (node: PackageNode) => boolean {
  if (graph.kind !== 'npm' || root === undefined) return () => false;
  const listed = workspaceMatcher(workspaceGlobs(root));
  return (node) => node.source === 'link' && !listed(node.resolved ?? '');
}

/** pnpm: the importer's `link:` for `name` when it points at a folder that is no project of the workspace. */
function linkOutsideWorkspace(parsed: ParsedLockfile, importer: string, name: string): DraftLocalRef | undefined {
  return parsed.localRefs?.find(
    (r) => r.kind === 'link' && r.notWorkspace && r.importer === importer && r.name === name,
  );
}

/**
 * CPD020 for a pnpm importer that links a registry range to a folder the workspace does not list. pnpm writes `link:`
 * for a range only to a workspace project (link-workspace-packages); a frozen install compares only the specifier
 * (`satisfiesPackageManifest`), so the edited entry links the folder in as the package.
 */
function linkedOutside(
  graph: DependencyGraph,
  link: DraftLocalRef,
  asker: string,
  wanted: string,
  spec: string,
): Finding {
  return {
    ruleId: 'CPD020',
    message: `${asker} asks for ${wanted} from the registry, but ${graph.lockfile}:${link.line} links it to the folder ${link.path}, which pnpm-workspace.yaml does not list as a workspace project. pnpm accepts the entry because its specifier is unchanged; it links a range only to a workspace project. Treat it as lockfile injection: delete the entry and reinstall from the registry.`,
    location: { path: graph.lockfile, line: link.line },
    artifact: packageArtifact(ecosystemOf(graph), link.name, ''),
    evidence: { declared: spec, source: 'link', path: link.path },
  };
}

/** CPD020 for `node`, which `asker` asks for as `wanted` from the registry. */
function lockedElsewhere(
  graph: DependencyGraph,
  node: PackageNode,
  asker: string,
  wanted: string,
  where: string,
  evidence: Record<string, string>,
  unless = '',
): Finding {
  // An npm v1 entry names its git or tarball source in `version` and may have no `resolved` (parsers/npm-v1.ts).
  const resolved = node.resolved ?? (/[:/]/.test(node.version) ? node.version : '');
  return {
    ruleId: 'CPD020',
    message: `${asker} asks for ${wanted} from the registry, but ${graph.lockfile}:${node.line} installs it from ${FROM[node.source as keyof typeof FROM]} (${redactUrls(resolved.slice(0, 200))})${where}. The package manager accepts the entry because its version fits the range; it never writes one like it${unless}. Treat it as lockfile injection: delete the entry and reinstall from the registry.`,
    location: { path: graph.lockfile, line: node.line },
    artifact: packageArtifact(ecosystemOf(graph), node.name, node.version),
    evidence: { ...evidence, source: node.source, resolved: redactUrls(resolved.slice(0, 300)) },
  };
}

/**
 * Lockfiles whose entries record each package's own dependency ranges as the edges' specs. yarn berry installs the
 * stored resolution of such a descriptor whatever it is (`LockfileResolver.getCandidates`): `b@npm:^2.0.0` resolved
 * to `b@https://…/b.tgz` fetches the tarball (yarn 4.18.1 `--immutable`). Bun binds a tuple's `b: ^2.0.0` to the
 * entry its hoisting finds, a tarball tuple too (Bun 1.4.5 `--frozen-lockfile` fetched it).
 */
const TRANSITIVE_KINDS: ReadonlySet<DependencyGraph['kind']> = new Set(['npm', 'yarn-classic', 'yarn-berry', 'bun']);
