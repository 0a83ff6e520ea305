import type { ScanContext } from '../core/context.js';
import type { DiscoveredFile, FileFormat } from '../core/files.js';
import type { Finding } from '../core/finding.js';

/**
 * A model-content analyser. It parses — never executes, imports or unpickles — and reports what loading the file
 * could do. `status` says how far it got: `partial`/`failed` always come with a finding, never read as clean.
 */
export interface ModelAnalyser {
  readonly name: string;
  /** Cheap filter: the detected formats this analyser reads. */
  readonly formats: readonly FileFormat[];
  analyze(file: DiscoveredFile, ctx: ScanContext): Promise<AnalysisReport>;
}

export interface AnalysisReport {
  readonly status: 'ok' | 'partial' | 'failed';
  readonly findings: readonly Finding[];
  /**
   * Findings of other analysers whose cause one of these findings already is (one finding per cause): the inspect
   * stage drops them. torch-package.ts: the unknown-global warning for a global the archive's own code provides.
   */
  readonly supersedes?: (f: Finding) => boolean;
}
