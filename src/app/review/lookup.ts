import type { ScanOptions } from '../../core/context.js';
import type { Policy } from '../../core/policy.js';
import { registryForPackage } from '../../registry/config.js';
import { openRegistry } from '../../registry/stage.js';
import type { RegistryLookup } from './online.js';

/**
 * The registry lookups of a review, through the same client, limits, configuration and cache as `scan`: the
 * repository's `.npmrc` may not point the review at a registry the policy does not allow.
 */
export async function registryLookup(
  root: string,
  options: ScanOptions,
  policy: Policy,
  signal: AbortSignal,
): Promise<RegistryLookup> {
  const { config, client } = await openRegistry(root, options, policy, signal);
  return {
    packument(name) {
      const registry = registryForPackage(name, config);
      const encoded = name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
      return client.getJson(new URL(encoded, registry).toString(), registry);
    },
    attestations(url, name) {
      return client.getJson(url, registryForPackage(name, config), { immutable: true });
    },
  };
}
