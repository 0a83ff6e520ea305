import type { Level, ResolvedFinding } from '../../core/finding.js';
import type { ScanResult } from '../../core/result.js';
import { leftOutBy } from '../../discover/walk.js';
import { judgeGate } from './gate.js';
import type { ReviewResult } from './index.js';

/** The Action's `include` / `exclude` globs, relative to the reviewed folder as the scan's walk reads them. */
export interface ReviewSelection {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/**
 * A finished review narrowed as the Action's scan mode narrows a scan. The lockfiles, model files and references at
 * paths the globs leave out (the walk's own test, discover/walk.ts `leftOutBy`) are not part of the review, nor the
 * findings located there; a finding of no one file (`.`: a registry outage, a count of packages) stays. Then the
 * baseline hides the findings a previous SARIF already holds (report/baseline.ts `filterNewFindings`, which says how
 * many). The gate is judged again on what is left: a change the workflow excluded must not fail it, and a finding
 * already accepted in the baseline no more fails the review than it fails the scan.
 */
export function narrowReview(
  r: ReviewResult,
  selection: ReviewSelection,
  baseline: ((scan: ScanResult) => ScanResult) | undefined,
): ReviewResult {
  const leftOut = leftOutBy({ ...selection, skipDirs: [] });
  const kept = (p: string) => p === '.' || !leftOut(p);
  const lockfiles = r.lockfiles.filter((lf) => kept(lf.lockfile));
  const models = r.models.filter((m) => kept(m.path));
  const references = r.references.filter((c) => kept(c.reference.path));
  const inSelection = withFindings(
    r.scan,
    r.scan.findings.filter((f) => kept(f.location.path)),
  );
  const scan = baseline !== undefined ? baseline(inSelection) : inSelection;
  const findings = scan.findings;
  return {
    ...r,
    lockfiles,
    models,
    references,
    findings,
    scan,
    ...(r.gate !== undefined ? { gate: judgeGate(r.gate.kind, lockfiles, models, findings, references) } : {}),
  };
}

function withFindings(scan: ScanResult, findings: readonly ResolvedFinding[]): ScanResult {
  const byLevel: Record<Level, number> = { error: 0, warning: 0, note: 0 };
  for (const f of findings) byLevel[f.level]++;
  return { ...scan, findings: [...findings], summary: { ...scan.summary, byLevel } };
}
