import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResolvedFinding } from '../../../src/core/finding.js';
import type { Policy } from '../../../src/core/policy.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { scanWith } from '../../helpers/scan.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures');

/** Run only the inspect stage over a folder; findings grouped by repo-relative path. */
export async function inspectFolder(
  root: string,
  policy: Policy = DEFAULT_POLICY,
): Promise<Map<string, ResolvedFinding[]>> {
  const res = await scanWith(root, [inspectStage], { policy });
  const by = new Map<string, ResolvedFinding[]>();
  for (const f of res.findings) by.set(f.location.path, [...(by.get(f.location.path) ?? []), f]);
  return by;
}
