import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import type { Policy } from '../../core/policy.js';
import { EMBEDDED_DEFAULT_SOURCE } from '../../trust/policy/default.js';
import { POLICY_FILE_CANDIDATES } from '../../trust/policy/find.js';
import type { TreeEntry } from './git.js';
import { hashWorkingFiles } from './git.js';
import { leavesBase } from '../../core/relative-path.js';

/**
 * The files that decide what a review passes: the policy and the trusted registry. A change that edits them is
 * judged by the base revision's copies — a pull request may not loosen its own gate, nor approve its own model or
 * drop the advisory that names its package — and the edit itself is reported for its owners to review on its own.
 */
export interface TrustFileChange {
  readonly kind: 'policy' | 'registry';
  readonly path: string;
  readonly status: 'added' | 'removed' | 'changed';
}

const REGISTRY_DIR = 'trusted-registry/';
const REGISTRY_FILE = /\.(ya?ml|json)$/i;

/**
 * Where the policy that judges this review may come from inside the repository: the names a policy is looked for
 * under (when it was found that way, or none was), or the in-repository file named on the command line. A policy
 * from outside the repository cannot be edited by the change.
 */
export function policyPaths(policy: Policy): string[] {
  const own = policy.source;
  if (own === EMBEDDED_DEFAULT_SOURCE || POLICY_FILE_CANDIDATES.includes(own)) return [...POLICY_FILE_CANDIDATES];
  const inside = !own.startsWith('<') && !leavesBase(own);
  return inside ? [own] : [];
}

export function isTrustFile(p: string, policyFiles: readonly string[]): 'policy' | 'registry' | undefined {
  if (policyFiles.includes(p)) return 'policy';
  if (p.startsWith(REGISTRY_DIR) && REGISTRY_FILE.test(p) && !p.endsWith('.schema.json')) return 'registry';
  return undefined;
}

/** Object ids of the trust files in a working tree (the registry folder and the policy names), as git would add them. */
export async function workingTrustIds(
  dir: string,
  candidates: readonly string[],
  registryFiles: readonly string[],
): Promise<Map<string, string>> {
  const present: string[] = [...registryFiles];
  for (const p of candidates) {
    const st = await stat(path.join(dir, ...p.split('/'))).catch(() => undefined);
    if (st?.isFile() === true) present.push(p);
  }
  return present.length > 0 ? hashWorkingFiles(dir, [...new Set(present)].sort()) : new Map();
}

export function trustFileChanges(
  base: ReadonlyMap<string, TreeEntry>,
  head: ReadonlyMap<string, string>,
  policyFiles: readonly string[],
): TrustFileChange[] {
  const paths = new Set<string>();
  for (const p of base.keys()) if (isTrustFile(p, policyFiles)) paths.add(p);
  for (const p of head.keys()) if (isTrustFile(p, policyFiles)) paths.add(p);
  const out: TrustFileChange[] = [];
  for (const p of [...paths].sort()) {
    const before = base.get(p)?.oid;
    const after = head.get(p);
    if (before === after) continue;
    const status = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    out.push({ kind: isTrustFile(p, policyFiles)!, path: p, status });
  }
  return out;
}

/** CPU019 (policy) and CPU020 (trusted registry): one finding per edited trust file, saying what judged the change. */
export function trustChangeFindings(changes: readonly TrustFileChange[], judgedBy: string): Finding[] {
  return changes.map((c) =>
    c.kind === 'policy'
      ? {
          ruleId: 'CPU019',
          message: `The change ${c.status === 'changed' ? 'edits' : c.status === 'added' ? 'adds' : 'removes'} the policy file ${c.path} that gates it; it was judged with the base revision's policy (${judgedBy}). Land policy changes in a pull request of their own, reviewed by the policy's owners.`,
          location: { path: c.path },
          evidence: { file: c.path, status: c.status, judgedWith: judgedBy },
        }
      : {
          ruleId: 'CPU020',
          message: `The change ${c.status === 'changed' ? 'edits' : c.status === 'added' ? 'adds' : 'removes'} the trusted-registry file ${c.path}; models, package pins and advisories were judged with the base revision's registry. A change may not vouch for itself: land registry entries in a pull request of their own, reviewed by the registry's owners.`,
          location: { path: c.path },
          evidence: { file: c.path, status: c.status },
        },
  );
}
