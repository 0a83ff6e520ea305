import type { ResolvedFinding } from '../../core/finding.js';
import { countByLevel, type ScanResult } from '../../core/result.js';
import { leftOutBy } from '../../discover/walk.js';
import { judgeGate } from './gate.js';
import type { ReviewResult } from './index.js';

/** The Action's `include` / `exclude` globs, relative to the reviewed folder as the scan's walk reads them. */
export interface ReviewSelection {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/**
 * A finished review narrowed as the Action's scan mode narrows a scan. The review read its lockfiles and changed files
 * through the scan's walk with the same globs (ReviewRequest `include` / `exclude`), so what they leave out was never
 * parsed, compared nor asked about. The checks that read the revisions' trees directly (model files, references,
 * install and settings files) are narrowed here by the walk's own test (discover/walk.ts `leftOutBy`), with the
 * findings located at paths it leaves out; a finding of no one file (`.`: a registry outage, a count of packages, made
 * from the selected lockfiles only) stays. Then the baseline hides the findings a previous SARIF already holds
 * (report/baseline.ts `filterNewFindings`, which says how many). The gate is judged again on what is left: a change the
 * workflow excluded must not fail it, and a finding already accepted in the baseline no more fails the review than it
 * fails the scan.
 */
export function narrowReview(
  r: ReviewResult,
  selection: ReviewSelection,
  baseline: ((scan: ScanResult) => ScanResult) | undefined,
): ReviewResult {
  const leftOut = leftOutBy({ ...selection, skipDirs: [] });
  const kept = (p: string) => p === '.' || !leftOut(p);
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
    models,
    references,
    findings,
    scan,
    ...(r.gate !== undefined ? { gate: judgeGate(r.gate.kind, r.lockfiles, models, findings, references) } : {}),
  };
}

function withFindings(scan: ScanResult, findings: readonly ResolvedFinding[]): ScanResult {
  return { ...scan, findings: [...findings], summary: { ...scan.summary, byLevel: countByLevel(findings) } };
}
