import type { ScanContext } from './context.js';
import type { DiscoveredFile, SkippedFile } from './files.js';
import type { Finding } from './finding.js';
import type { DependencyGraph, ModelRecord, ModelReference, VerificationRecord } from './records.js';

/** Something that could not be scanned, recorded in SARIF `invocations[].toolExecutionNotifications`. */
export interface Notification {
  readonly level: 'error' | 'warning' | 'note';
  readonly message: string;
  readonly path?: string;
  /** Rule the matching finding carries, if any. */
  readonly ruleId?: string;
}

/** What every stage sees: the walk's result and what earlier stages produced. */
export interface StageInput {
  readonly files: readonly DiscoveredFile[];
  readonly skipped: readonly SkippedFile[];
  readonly graphs: readonly DependencyGraph[];
  readonly models: readonly ModelRecord[];
}

export interface StageOutput {
  readonly findings?: readonly Finding[];
  readonly graphs?: readonly DependencyGraph[];
  readonly models?: readonly ModelRecord[];
  readonly verifications?: readonly VerificationRecord[];
  /** Models the code loads by name at run time. */
  readonly references?: readonly ModelReference[];
  readonly notifications?: readonly Notification[];
  /**
   * Why a fail-closed policy fails this run (what could not be verified). The scan still finishes and every report
   * is written; the run then exits 3 (cli/exit-codes.ts).
   */
  readonly failClosed?: string;
}

/**
 * A pipeline stage. Stages run in order; a stage returns data and never throws for a bad input file
 * (that is a finding). Throwing means the whole job cannot be done.
 */
export interface Stage {
  readonly name: string;
  run(input: StageInput, ctx: ScanContext): Promise<StageOutput>;
  /** What this stage checks (paths, package keys), listed as lost if it fails; default: every file and package. */
  covers?(input: StageInput): Iterable<string>;
  /**
   * Start slow work that needs only the walk's files (reading model files into the hasher, loading code) while
   * earlier stages run. It changes no result: `run` does everything itself and shares what was started. The
   * pipeline calls it once, in stage order, before the first stage; a failure here is ignored (`run` reports it).
   */
  prefetch?(input: StageInput, ctx: ScanContext): Promise<void>;
}

/**
 * A file plugin (lockfile parser, model analyser): a name, a cheap filter, and a function from the file to data.
 * The pipeline opens files; plugins never walk the tree.
 */
export interface FilePlugin<T> {
  readonly name: string;
  matches(file: DiscoveredFile): boolean;
  analyze(file: DiscoveredFile, ctx: ScanContext): Promise<T>;
}
