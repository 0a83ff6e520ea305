import type { ScanOptions } from '../../src/core/context.js';
import { offlineScanOptions, silentLogger } from '../../src/core/context.js';
import type { Policy } from '../../src/core/policy.js';
import type { ScanResult } from '../../src/core/result.js';
import type { Stage } from '../../src/core/stage.js';
import type { TrustedRegistry } from '../../src/core/trusted-registry.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { scanRepository } from '../../src/app/scan.js';
import { loadTrust } from '../../src/app/trust.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';

/** Scan options for tests: offline, no cache, no shard, an empty environment. */
export function testOptions(over: Partial<ScanOptions> = {}): ScanOptions {
  return { ...offlineScanOptions({}), ...over };
}

/** Run only the given stages over a folder, with a pinned date for suppression expiry. */
export function scanWith(
  root: string,
  stages: readonly Stage[],
  opts: { policy?: Policy; registry?: TrustedRegistry; options?: Partial<ScanOptions>; today?: string } = {},
): Promise<ScanResult> {
  return scanRepository({
    root,
    policy: opts.policy ?? DEFAULT_POLICY,
    registry: opts.registry ?? EMPTY_REGISTRY,
    options: testOptions(opts.options),
    include: [],
    exclude: [],
    logger: silentLogger,
    stages,
    today: opts.today ?? '2025-01-01',
  });
}

/**
 * A scan as `chainproof scan <root> --offline` runs it: trust looked up under the root (policy, registry files),
 * every stage unless `stages` names them.
 */
export async function scanAsCli(
  root: string,
  opts: { stages?: readonly Stage[]; today?: string } = {},
): Promise<ScanResult> {
  const trust = await loadTrust(root, undefined, []);
  return scanRepository({
    root,
    trust,
    options: testOptions(),
    include: [],
    exclude: [],
    logger: silentLogger,
    ...(opts.stages ? { stages: opts.stages } : {}),
    today: opts.today ?? '2025-01-01',
  });
}
