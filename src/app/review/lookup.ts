import { RegistryClient } from '../../registry/client.js';
import { loadRegistryConfig, registryForPackage } from '../../registry/config.js';
import type { ScanOptions } from '../../core/context.js';
import type { RegistryLookup } from './online.js';

/** The registry lookups of a review, through the same client, configuration and cache as `scan`. */
export async function registryLookup(root: string, options: ScanOptions, signal: AbortSignal): Promise<RegistryLookup> {
  const config = await loadRegistryConfig({ root, env: options.env, override: options.registry });
  const client = new RegistryClient({
    config,
    cacheDir: options.cacheDir,
    offline: options.offline,
    concurrency: options.concurrency,
    timeoutMs: 30_000,
    retries: 2,
    minRetryDelayMs: 500,
    maxJsonBytes: 128 * 1024 * 1024,
    signal,
  });
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
