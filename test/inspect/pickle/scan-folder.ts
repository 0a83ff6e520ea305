import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanRepository } from '../../../src/app/scan.js';
import { silentLogger } from '../../../src/core/context.js';
import type { ResolvedFinding } from '../../../src/core/finding.js';
import type { Policy } from '../../../src/core/policy.js';
import { EMPTY_REGISTRY } from '../../../src/core/trusted-registry.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures');

/** Run only the inspect stage over a folder; findings grouped by repo-relative path. */
export async function inspectFolder(
  root: string,
  policy: Policy = DEFAULT_POLICY,
): Promise<Map<string, ResolvedFinding[]>> {
  const res = await scanRepository({
    root,
    policy,
    registry: EMPTY_REGISTRY,
    options: {
      offline: true,
      concurrency: 2,
      verifyTarballs: false,
      cacheDir: undefined,
      registry: undefined,
      shard: undefined,
      env: {},
    },
    include: [],
    exclude: [],
    logger: silentLogger,
    stages: [inspectStage],
    today: '2025-01-01',
  });
  const by = new Map<string, ResolvedFinding[]>();
  for (const f of res.findings) by.set(f.location.path, [...(by.get(f.location.path) ?? []), f]);
  return by;
}
