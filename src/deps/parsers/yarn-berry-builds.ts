import type { Manifest } from '../types.js';
import { isRecord, splitDescriptor } from '../types.js';

/**
 * Which packages yarn berry will not build. Yarn reads `dependenciesMeta` from the top-level workspace's manifest
 * only (`Project.getDependencyMeta`, @yarnpkg/core), keyed by package name or by `name@version`; the entry for
 * the exact version is merged over the one for the name. A package whose merged meta says `built: false` has its
 * build scripts skipped (`extractBuildRequest`, plugin-pnp jsInstallUtils: "its build has been explicitly
 * disabled through configuration"). The root manifest is authoritative; without it, the lockfile's entry for the
 * root workspace (`…@workspace:.`), which yarn writes from that manifest, stands in.
 */
export function buildsDisabledBy(
  rootManifest: Manifest | undefined,
  rootEntry: Record<string, unknown> | undefined,
): (name: string, version: string) => boolean {
  const source = rootManifest?.dependenciesMeta ?? rootEntry?.dependenciesMeta;
  if (!isRecord(source)) return () => false;
  const byName = new Map<string, { any?: boolean; exact: Map<string, boolean> }>();
  for (const [key, meta] of Object.entries(source)) {
    // The lockfile is syml (every scalar a string); the manifest is JSON.
    const built = isRecord(meta) ? toBool(meta.built) : undefined;
    if (built === undefined) continue;
    const [name, version] = splitDescriptor(key);
    const slot = byName.get(name) ?? { exact: new Map<string, boolean>() };
    if (version === '') slot.any = built;
    else slot.exact.set(version.replace(/^npm:/, ''), built);
    byName.set(name, slot);
  }
  return (name, version) => {
    const slot = byName.get(name);
    if (!slot) return false;
    return (slot.exact.get(version) ?? slot.any) === false;
  };
}

function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  return v === 'true' ? true : v === 'false' ? false : undefined;
}
