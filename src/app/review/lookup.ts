import type { ScanOptions } from '../../core/context.js';
import type { Policy } from '../../core/policy.js';
import { RegistryClient } from '../../registry/client.js';
import { loadRegistryConfig, registryForPackage } from '../../registry/config.js';
import { DEFAULT_REGISTRY_STAGE_OPTIONS } from '../../registry/stage.js';
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
  const config = await loadRegistryConfig({
    root,
    env: options.env,
    override: options.registry,
    allowed: [...policy.dependencies.allowedRegistries, ...(policy.dependencies.trustedMirrors ?? [])],
  });
  const o = DEFAULT_REGISTRY_STAGE_OPTIONS;
  const client = new RegistryClient({
    config,
    cacheDir: options.cacheDir,
    offline: options.offline,
    concurrency: Math.max(options.concurrency, 16),
    timeoutMs: o.timeoutMs,
    retries: o.retries,
    minRetryDelayMs: o.minRetryDelayMs,
    maxJsonBytes: o.maxJsonBytes,
    budgetMs: o.budgetMs,
    breakerThreshold: o.breakerThreshold,
    ...(o.freshMs !== undefined ? { freshMs: o.freshMs } : {}),
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
