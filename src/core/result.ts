import type { IoStats } from './file-source.js';
import type { DiscoveredFile, SkippedFile } from './files.js';
import type { Level, ResolvedFinding } from './finding.js';
import type { DependencyGraph, ModelRecord, ModelReference, VerificationRecord } from './records.js';
import type { Notification } from './stage.js';

export interface ScanSummary {
  readonly files: number;
  readonly lockfiles: number;
  readonly packages: number;
  readonly models: number;
  readonly verified: number;
  readonly failed: number;
  readonly unverifiable: number;
  readonly byLevel: Readonly<Record<Level, number>>;
  readonly suppressed: number;
  /**
   * Findings left out because the `--baseline` SARIF already holds them (report/baseline.ts); absent without a
   * baseline. Every view states it beside the level counts, so a report of only new findings never reads as a clean
   * tree.
   */
  readonly baselined?: number;
}

/** How many findings there are of each level: a summary's `byLevel` for the findings it reports. */
export function countByLevel(findings: readonly Pick<ResolvedFinding, 'level'>[]): Record<Level, number> {
  const byLevel: Record<Level, number> = { error: 0, warning: 0, note: 0 };
  for (const f of findings) byLevel[f.level]++;
  return byLevel;
}

/** Everything a scan produced, sorted and deterministic; reporters only read it. */
export interface ScanResult {
  readonly findings: readonly ResolvedFinding[];
  readonly suppressed: readonly ResolvedFinding[];
  readonly files: readonly DiscoveredFile[];
  readonly skipped: readonly SkippedFile[];
  /**
   * Folders skipped by name that no lockfile describes (app/scan.ts `undescribedFolders`), repo-relative; absent when
   * none. Counted beside the files, as `skipped` is, so a partly scanned tree does not read as scanned whole.
   */
  readonly unwalked?: readonly string[];
  readonly graphs: readonly DependencyGraph[];
  readonly models: readonly ModelRecord[];
  readonly verifications: readonly VerificationRecord[];
  /** Models the code loads by name at run time, sorted by path and line (absent when no stage looked). */
  readonly references?: readonly ModelReference[];
  readonly notifications: readonly Notification[];
  readonly summary: ScanSummary;
  readonly policySource: string;
  readonly registryFiles: readonly string[];
  /** The shard this result covers, when sharded. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** False when a stage could not run at all (its error is in notifications). */
  readonly complete: boolean;
  /** Why a fail-closed policy fails the run (exit 3 once the reports are written); absent when it does not. */
  readonly failClosed?: readonly string[];
  /**
   * What the stages opened and read through the I/O edge (`npm run bench` prints it). The hash workers read by path
   * and are not counted here yet.
   */
  readonly io?: IoStats;
}
