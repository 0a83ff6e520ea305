import type { Policy } from '../../core/policy.js';
import type { TrustedRegistry } from '../../core/trusted-registry.js';
import { EMPTY_REGISTRY } from '../../core/trusted-registry.js';
import { EMBEDDED_DEFAULT_SOURCE } from '../../trust/policy/default.js';
import { listRegistryFiles } from '../../trust/registry/files.js';
import { loadTrustedRegistry } from '../../trust/registry/load.js';
import { policyAt } from './base-policy.js';
import type { Snapshot } from './snapshot.js';
import type { TrustFileChange } from './trust-changes.js';
import { policyPaths, trustFileChanges, workingTrustIds } from './trust-changes.js';

/** What judges a change: the policy and trusted registry, the base revision's where the change edits them. */
export interface Judges {
  readonly trustChanges: readonly TrustFileChange[];
  readonly policy: Policy;
  /** Where the policy came from, for CPU019's message. */
  readonly judgedBy: string;
  readonly baseRegistry: TrustedRegistry;
  /** The registry as the head writes it (what model entries the change itself claims). */
  readonly writtenRegistry: TrustedRegistry;
  /** The registry the head is scanned with: the base's when the change edits it. */
  readonly headRegistry: TrustedRegistry;
}

/**
 * A pull request may not loosen its own gate, nor approve its own model or drop the advisory naming its package:
 * when it edits the policy or the trusted registry, the base revision's copies judge it (trust-changes.ts).
 */
export async function pickJudges(
  dir: string,
  base: Snapshot,
  head: Snapshot | undefined,
  requested: { readonly policy: Policy; readonly registry: TrustedRegistry },
  bare = false,
): Promise<Judges> {
  const policyFiles = policyPaths(requested.policy);
  const headTrustIds = head
    ? new Map([...head.entries].map(([p, e]) => [p, e.oid]))
    : await workingTrustIds(dir, policyFiles, await listRegistryFiles(dir));
  const trustChanges = trustFileChanges(base.entries, headTrustIds, policyFiles);
  const policyChanged = trustChanges.some((c) => c.kind === 'policy');
  const registryChanged = trustChanges.some((c) => c.kind === 'registry');
  // Without a work tree no policy file was found beside the repository: the base revision's own policy judges.
  const fromBase = policyChanged || (bare && requested.policy.source === EMBEDDED_DEFAULT_SOURCE);
  const basePolicy = fromBase ? await policyAt(base, requested.policy, policyFiles) : undefined;
  const baseRegistry = await loadTrustedRegistry(base.root).catch(() => EMPTY_REGISTRY);
  const writtenRegistry = head ? await loadTrustedRegistry(head.root).catch(() => EMPTY_REGISTRY) : requested.registry;
  return {
    trustChanges,
    policy: basePolicy?.policy ?? requested.policy,
    judgedBy: basePolicy?.judgedBy ?? `${requested.policy.source}, as the base could not be read`,
    baseRegistry,
    writtenRegistry,
    headRegistry: registryChanged ? baseRegistry : writtenRegistry,
  };
}
