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
  return byReference(r.findings)
    .filter(keep)
    .map((f) => {
      const where = `${f.location.path}:${f.location.line}:${f.location.column}`;
      const ref = refs.get(where);
      return `${f.ruleId} ${where} ${ref ? `${ref.repoId}@${ref.revision ?? '-'}` : 'dynamic'}`;
    })
    .sort();
}

/**
 * The findings with the one CPR003 of a scan whose registry records no model (causes.ts `foldUnlisted`) given back as
 * its references, each where it was found, in the order of their places (path, line, column, rule): what a test of
 * where references are found checks, not how their registry notes are folded.
 */
export function byReference(findings: readonly Finding[]): Finding[] {
  const place = (f: Finding) => [f.location.path, f.location.line ?? 0, f.location.column ?? 0] as const;
  return findings
    .flatMap((f) => (f.ruleId === 'CPR003' && f.members !== undefined ? f.members : [f]))
    .map((f, i) => ({ f, i }))
    .sort((a, b) => {
      const [pa, la, ca] = place(a.f);
      const [pb, lb, cb] = place(b.f);
      return pa < pb ? -1 : pa > pb ? 1 : la - lb || ca - cb || a.f.ruleId.localeCompare(b.f.ruleId) || a.i - b.i;
    })
    .map(({ f }) => f);
}
