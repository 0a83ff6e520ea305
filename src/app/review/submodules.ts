import type { Finding } from '../../core/finding.js';

export interface SubmoduleChange {
  readonly path: string;
  readonly from?: string;
  readonly to?: string;
}

/** Submodules the change added or moved to another commit (a removal brings nothing in). */
export function diffSubmodules(
  base: ReadonlyMap<string, string>,
  head: ReadonlyMap<string, string>,
): SubmoduleChange[] {
  const out: SubmoduleChange[] = [];
  for (const [p, to] of [...head].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const from = base.get(p);
    if (from !== to) out.push({ path: p, ...(from !== undefined ? { from } : {}), to });
  }
  return out;
}

/**
 * CPU023: a submodule is other code the review does not enter (its commit is not in this clone, and its lockfiles
 * and models are its own repository's), so a moved or new one is reported with both commits rather than passed.
 */
export function submoduleFindings(changes: readonly SubmoduleChange[]): Finding[] {
  return changes.map((c) => ({
    ruleId: 'CPU023',
    message: `The change ${c.from !== undefined ? `moves submodule ${c.path} from ${c.from.slice(0, 12)} to` : `adds submodule ${c.path} at`} ${c.to?.slice(0, 12) ?? '?'}; its content was not reviewed. Review that range in the submodule's repository (or run chainproof there) before merging.`,
    location: { path: c.path },
    evidence: { submodule: c.path, from: c.from ?? '', to: c.to ?? '' },
  }));
}
