import picomatch from 'picomatch';
import type { DraftImporter, DraftNode, ParsedLockfile } from '../types.js';
import { LockfileError, isRecord, str } from '../types.js';
import { strictJsonPropertyLines } from '../lines.js';
import { classifySpec } from '../source.js';
import { NodeModulesIndex, declaredOf, edgesOf, nameFromKey, npmResolvedSource } from './npm-common.js';
import { platformsOf } from '../platforms.js';
import type { BundleFacts } from './npm-bundles.js';
import { bundleFactsOf, findBundled } from './npm-bundles.js';
import { compareLegacySection, legacyLineKey, readableKey, TOP_LEVEL_PREFIX } from './npm-legacy.js';

/**
 * package-lock.json / npm-shrinkwrap.json with a `packages` map (lockfileVersion 2 and 3, or any file that has one):
 * the flat map keyed by install location. `""` is the root project, keys without `node_modules/` are workspace (or `file:`) folders, and
 * `link: true` entries point at such a folder.
 */
export function parseNpmPackages(file: string, data: Record<string, unknown>, text: string): ParsedLockfile {
  const pk = data.packages;
  if (!isRecord(pk)) throw new LockfileError('LOCKFILE_SHAPE', file, '"packages" is not an object');
  const legacy = isRecord(data.dependencies) ? data.dependencies : undefined;
  const duplicateKeys: { key: string; line: number }[] = [];
  const lines = strictJsonPropertyLines(
    text,
    (path, prop) =>
      path.length === 1 && path[0] === 'packages' ? prop : path.length === 0 ? `${TOP_LEVEL_PREFIX}${prop}` : undefined,
    (key, line) => duplicateKeys.push({ key: readableKey(key), line }),
  );
  // Compared before the loop below drops the `packages` entries. The legacy tree's lines are found only when it
  // disagrees (rarely): a second pass then, rather than a key string per legacy entry on every v2 lockfile.
  const legacyDisagreements =
    legacy !== undefined ? compareLegacySection(legacy, pk, () => strictJsonPropertyLines(text, legacyLineKey)) : [];
  const root = isRecord(pk['']) ? pk[''] : {};
  const wsGlobs = workspaceGlobs(root.workspaces);
  const isWorkspace = wsGlobs.length > 0 ? picomatch(wsGlobs) : () => false;

  const keys = Object.keys(pk).filter((k) => k !== '');
  const index = new NodeModulesIndex(keys);
  const nodes: DraftNode[] = [];
  const bundleFacts = new Map<number, BundleFacts>();
  const bundleClaims = new Set<number>();
  const importers: DraftImporter[] = [
    { path: '', declared: declaredOf(root), edges: edgesOf(root, ['prod', 'dev', 'optional', 'peer'], '', index) },
  ];
  for (const key of keys) {
    const entry = isRecord(pk[key]) ? pk[key] : {};
    const keyName = nameFromKey(key);
    const folder = keyName === undefined;
    const name = str(entry.name) ?? keyName ?? key.slice(key.lastIndexOf('/') + 1);
    const resolved = str(entry.resolved);
    const link = entry.link === true;
    const integrity = str(entry.integrity);
    const devOptional = entry.devOptional === true;
    const version = str(entry.version);
    const platforms = platformsOf(entry);
    const facts = bundleFactsOf(entry);
    if (facts.bundles !== undefined) bundleFacts.set(nodes.length, facts);
    if (entry.inBundle === true) bundleClaims.add(nodes.length);
    const source = link
      ? 'link'
      : folder
        ? isWorkspace(key)
          ? 'workspace'
          : 'file'
        : (npmResolvedSource(resolved) ?? (version !== undefined ? versionSource(version) : 'unknown'));
    const edges = link
      ? [{ name, spec: `file:${resolved ?? ''}`, kind: 'prod' as const, target: index.get(resolved ?? '') }]
      : edgesOf(entry, ['prod', 'optional', 'peer'], key, index);
    nodes.push({
      name,
      version: version ?? '',
      key,
      line: lines.get(key) ?? 1,
      ...(resolved !== undefined ? { resolved } : {}),
      ...(integrity !== undefined ? { integrity } : {}),
      source,
      ...(entry.hasInstallScript === true ? { hasInstallScript: true } : {}),
      ...(platforms !== undefined ? { platforms } : {}),
      ...(entry.hasShrinkwrap === true && !link && !folder ? { shrinkwrapped: true as const } : {}),
      ...(keyName !== undefined && str(entry.name) !== undefined && entry.name !== keyName ? { alias: keyName } : {}),
      flags: flagsOf(entry.dev === true || devOptional, entry.optional === true || devOptional, entry.peer === true),
      edges,
    });
    if (folder) {
      importers.push({
        path: key,
        declared: declaredOf(entry),
        edges: edgesOf(entry, ['prod', 'dev', 'optional', 'peer'], key, index),
      });
    }
    // The parsed document is ours alone (JSON.parse of the text): dropping each entry once its draft is built lets
    // the collector free the tree while the drafts grow, so the two never peak together on a 130k-package lockfile.
    delete pk[key];
  }
  // Bundled as npm decides it (the parents' bundleDependencies), not merely because the entry claims `inBundle`.
  const bundled = findBundled(
    keys,
    (i) => nodes[i]?.edges ?? [],
    bundleFacts,
    bundleFactsOf(root),
    (k) => index.get(k),
    bundleClaims,
  );
  for (const i of bundled) nodes[i] = { ...nodes[i]!, bundled: true };
  return {
    kind: 'npm',
    formatVersion: String(str(data.lockfileVersion) ?? ''),
    nodes,
    importers,
    resolveDeclared: (importer, name) => index.resolve(importer, name),
    ...(legacyDisagreements.length > 0 ? { legacyDisagreements } : {}),
    ...(duplicateKeys.length > 0 ? { duplicateKeys } : {}),
  };
}

type Flags = NonNullable<DraftNode['flags']>;
/** The eight possible flag sets, shared by every package (a 130k-package lockfile made 130k copies of a few). */
const FLAGS: readonly Flags[] = Array.from({ length: 8 }, (_, i) =>
  Object.freeze({ dev: (i & 4) !== 0, optional: (i & 2) !== 0, peer: (i & 1) !== 0 }),
);

function flagsOf(dev: boolean, optional: boolean, peer: boolean): Flags {
  return FLAGS[(dev ? 4 : 0) | (optional ? 2 : 0) | (peer ? 1 : 0)]!;
}

/** A version field that is not a semver version names its source (git URL, `file:`…). */
function versionSource(version: string): ReturnType<typeof classifySpec> {
  return /^\d+\.\d+\.\d+/.test(version) ? 'registry' : classifySpec(version);
}

function workspaceGlobs(v: unknown): string[] {
  const list = Array.isArray(v) ? v : isRecord(v) && Array.isArray(v.packages) ? v.packages : [];
  return list.filter((x): x is string => typeof x === 'string').map((g) => g.replace(/^\.\//, '').replace(/\/$/, ''));
}
