import type { Manifest } from '../types.js';
import { isRecord, splitDescriptor } from '../types.js';

/**
 * Which packages yarn berry will not build, and why. Yarn reads `dependenciesMeta` from the top-level workspace's
 * manifest only (`Project.getDependencyMeta`, @yarnpkg/core), keyed by package name or by `name@version`; the entry
 * for the exact version is merged over the one for the name. `extractBuildScripts` (plugin-pnp jsInstallUtils, used
 * by every linker) then skips the build when the merged meta says `built: false` ("its build has been explicitly
 * disabled through configuration"), or when `enableScripts` is false and the meta does not say `built: true` ("all
 * build scripts have been disabled"): `built: true` re-enables one package under `enableScripts: false`. The root
 * manifest is authoritative; without it, the lockfile's entry for the root workspace (`…@workspace:.`), which yarn
 * writes from that manifest, stands in.
 */
export function buildsDisabledBy(
  rootManifest: Manifest | undefined,
  rootEntry: Record<string, unknown> | undefined,
  enableScripts = true,
): (name: string, version: string) => 'dependenciesMeta' | 'enableScripts' | undefined {
  const source = rootManifest?.dependenciesMeta ?? rootEntry?.dependenciesMeta;
  const byName = new Map<string, { any?: boolean; exact: Map<string, boolean> }>();
  if (isRecord(source))
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
    const built = slot !== undefined ? (slot.exact.get(version) ?? slot.any) : undefined;
    if (built === false) return 'dependenciesMeta';
    if (!enableScripts && built !== true) return 'enableScripts';
    return undefined;
  };
}

function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  return v === 'true' ? true : v === 'false' ? false : undefined;
}
