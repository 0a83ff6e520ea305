import type { Finding, Level } from '../core/finding.js';
import type { DependencyGraph, PackageNode } from '../core/records.js';
import { packageFinding } from './findings.js';

/** Shared state of one package's check: findings so far and notes for the verification record. */
export interface CheckState {
  readonly pkg: PackageNode;
  readonly graph: DependencyGraph;
  readonly registry: string;
  readonly findings: Finding[];
  readonly notes: string[];
  unreachable: boolean;
  /** Level for "could not verify": error when the policy is fail-closed. */
  readonly unverifiableLevel: Level | undefined;
}

/** Record that something could not be checked: a finding, never a silent pass. */
export function unverifiable(
  state: CheckState,
  message: string,
  evidence: Record<string, string>,
  unreachable = false,
): void {
  if (unreachable) state.unreachable = true;
  state.findings.push(packageFinding(state.pkg, 'CPD130', message, evidence, state.unverifiableLevel));
}
