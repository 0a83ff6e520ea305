import type { Finding } from '../../src/core/finding.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { refsStage } from '../../src/refs/stage.js';
import { scanWith } from '../helpers/scan.js';

/**
 * The refs stage's findings over `dir` that `keep` keeps, each as `rule path:line:column repo@revision` (the
 * reference found at that place; `dynamic` for a model chosen at run time), sorted.
 */
export async function refFindingLines(dir: string, keep: (f: Finding) => boolean): Promise<string[]> {
  const r = await scanWith(dir, [refsStage], { registry: EMPTY_REGISTRY });
  const refs = new Map((r.references ?? []).map((x) => [`${x.path}:${x.line}:${x.column}`, x]));
  return r.findings
    .filter(keep)
    .map((f) => {
      const where = `${f.location.path}:${f.location.line}:${f.location.column}`;
      const ref = refs.get(where);
      return `${f.ruleId} ${where} ${ref ? `${ref.repoId}@${ref.revision ?? '-'}` : 'dynamic'}`;
    })
    .sort();
}
