import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { parseSri } from '../../core/sri.js';
import { packageFinding } from './finding.js';
import { checkSri } from './integrity.js';

/**
 * CPD173: one package version locked more than once from one registry, with integrities that cannot both hold. A
 * registry publishes one tarball per name@version and never replaces it (npm's unpublish policy: a version number is
 * never reused), and npm (pacote `RegistryFetcher`, ssri `checkData`) and yarn 1 (`TarballFetcher` integrity
 * validation) check each entry's bytes against its own integrity. Two entries whose digests share no value under a
 * common algorithm therefore mean the lockfile was edited: one of them was never what the registry serves. Offline
 * this is the only sign (the registry comparison, CPD100, needs the packument). Registry entries with an SRI integrity
 * only; entries from different registries are not compared (another registry, on another host or another path of
 * one host, may publish another package under the name, which the source rules judge). One finding per version, at the first entry that disagrees with the first one.
 */
export function checkVersionIntegrities(graph: DependencyGraph): Finding[] {
  const byVersion = new Map<string, PackageNode[]>();
  for (const node of graph.packages) {
    if (node.source !== 'registry' || node.integrity === undefined || node.bundled === true) continue;
    // An integrity that is not valid SRI is CPD004's, one finding for that cause.
    if (checkSri(node.integrity) === 'invalid') continue;
    const key = `${node.name}@${node.version}\0${registryOf(node.resolved, node.name)}`;
    const list = byVersion.get(key);
    if (list) list.push(node);
    else byVersion.set(key, [node]);
  }
  const out: Finding[] = [];
  for (const nodes of byVersion.values()) {
    const first = nodes[0]!;
    const other = nodes.find((n) => disagree(first.integrity!, n.integrity!));
    if (other === undefined) continue;
    out.push(
      packageFinding(
        'CPD173',
        other,
        `is locked with integrity ${short(other.integrity!)}, but ${graph.lockfile}:${first.line} locks the same version from the same registry with ${short(first.integrity!)}`,
        'A registry publishes one tarball per version: one of these entries was edited. Delete both and reinstall so the package manager records the registry’s integrity, and find out who changed the lockfile.',
        {
          firstLine: first.line,
          firstIntegrity: first.integrity!.slice(0, 200),
          integrity: other.integrity!.slice(0, 200),
        },
      ),
    );
  }
  return out;
}

/** Whether two integrities name different bytes: they share an algorithm and no digest under it. */
function disagree(a: string, b: string): boolean {
  const [x, y] = [parseSri(a, 'strict').hashes, parseSri(b, 'strict').hashes];
  const common = new Set(x.map((h) => h.algorithm).filter((alg) => y.some((h) => h.algorithm === alg)));
  for (const alg of common) {
    const digests = new Set(x.filter((h) => h.algorithm === alg).map((h) => h.digest));
    if (!y.some((h) => h.algorithm === alg && digests.has(h.digest))) return true;
  }
  return false;
}

/**
 * The registry a tarball URL is served by: its origin and the path before `/<name>/-/` (Artifactory, Nexus and
 * GitLab serve many npm registries on one host, told apart by that path). registry.yarnpkg.com is a proxy of
 * registry.npmjs.org (yarn 1 writes it for the npm registry), so both are one. A URL without the registry layout
 * is keyed by its host.
 */
function registryOf(resolved: string | undefined, name: string): string {
  if (resolved === undefined) return '';
  let url: URL;
  try {
    url = new URL(resolved);
  } catch {
    return '';
  }
  const host = url.host.toLowerCase() === 'registry.yarnpkg.com' ? 'registry.npmjs.org' : url.host.toLowerCase();
  const dash = url.pathname.lastIndexOf('/-/');
  if (dash < 0) return host;
  const before = url.pathname.slice(0, dash);
  const encoded = [`/${name}`, `/${name.replace('/', '%2f')}`, `/${name.replace('/', '%2F')}`];
  const suffix = encoded.find((e) => before.endsWith(e));
  return `${host}${suffix === undefined ? before : before.slice(0, -suffix.length)}`;
}

function short(integrity: string): string {
  return integrity.length > 30 ? `${integrity.slice(0, 30)}…` : integrity;
}
