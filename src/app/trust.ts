import type { Policy } from '../core/policy.js';
import type { TrustedRegistry } from '../core/trusted-registry.js';
import { loadPolicy } from '../trust/policy/load.js';
import { loadTrustedRegistry } from '../trust/registry/load.js';

/** Load policy and trusted registry once, before any scanning: a half-read policy never scans. */
export async function loadTrust(
  root: string,
  policyFile: string | undefined,
  registryFiles: readonly string[],
): Promise<{ policy: Policy; registry: TrustedRegistry }> {
  const policy = await loadPolicy(policyFile, root);
  const registry = await loadTrustedRegistry(root, registryFiles.length > 0 ? [...registryFiles] : undefined);
  return { policy, registry };
}
