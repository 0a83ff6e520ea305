import type { ScanOptions } from '../../core/context.js';
import type { Policy } from '../../core/policy.js';
import { refusedRegistry, registryForPackage, type NpmProject } from '../../registry/config.js';
import { openRegistry } from '../../registry/stage.js';
import type { BerryProject } from '../../registry/yarn-config.js';
import type { RegistryLookup } from './online.js';
import { encodeUriComponent } from '../../core/uri-component.js';

/**
 * The registry lookups of a review, through the same client, limits, configuration and cache as `scan`: the
 * repository's `.npmrc` may not point the review at a registry the policy does not allow, and a yarn 2+ lockfile's
 * packages are asked where yarn fetches them (`berry`: its `.yarnrc.yml` files, the user's yarn configuration),
 * never where `.npmrc` points.
 */
export async function registryLookup(
  root: string,
  options: ScanOptions,
  policy: Policy,
  signal: AbortSignal,
  berry: readonly BerryProject[] = [],
  npmProjects: readonly NpmProject[] = [],
): Promise<RegistryLookup> {
  const { config, client } = await openRegistry(root, options, policy, signal, undefined, false, berry, {
    npmProjects,
  });
  return {
    refused(name, lockfile) {
      const registry = registryForPackage(name, config, lockfile);
      const setBy = refusedRegistry(config, lockfile, registry);
      return setBy !== undefined ? { registry, setBy } : undefined;
    },
    packument(name, lockfile) {
      const registry = registryForPackage(name, config, lockfile);
      const encoded = name.startsWith('@') ? `@${encodeUriComponent(name.slice(1))}` : encodeUriComponent(name);
      return client.getJson(new URL(encoded, registry).toString(), registry);
    },
    attestations(url, name, lockfile) {
      return client.getJson(url, registryForPackage(name, config, lockfile), { immutable: true });
    },
  };
}
