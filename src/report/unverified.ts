import type { VerificationRecord, VerificationStatus } from '../core/records.js';
import { byCodePoint } from '../core/order.js';

/** Artifacts that share a status and a reason: one row of the job summary's "Not verified" table. */
export interface UnverifiedGroup {
  readonly status: VerificationStatus;
  readonly detail: string;
  /** The artifacts' keys, in code-point order. */
  readonly keys: readonly string[];
}

const STATUS_RANK: Readonly<Record<VerificationStatus, number>> = { failed: 2, unverifiable: 1, verified: 0 };

/**
 * The records that were not verified, one group per status and reason. One cause (offline, a registry down, no
 * trusted-registry entry) leaves hundreds of artifacts unverified: a row each said the same thing hundreds of times
 * and pushed a failed artifact past the row limit. Failed first, then the largest group, then the reason.
 */
export function groupUnverified(records: readonly VerificationRecord[]): UnverifiedGroup[] {
  const groups = new Map<string, { status: VerificationStatus; detail: string; keys: string[] }>();
  for (const r of records) {
    if (r.status === 'verified') continue;
    const detail = r.detail ?? '';
    const id = `${r.status}\0${detail}`;
    const g = groups.get(id);
    if (g) g.keys.push(r.key);
    else groups.set(id, { status: r.status, detail, keys: [r.key] });
  }
  const out = [...groups.values()].map((g) => ({ ...g, keys: g.keys.sort(byCodePoint) }));
  return out.sort(
    (a, b) =>
      STATUS_RANK[b.status] - STATUS_RANK[a.status] || b.keys.length - a.keys.length || byCodePoint(a.detail, b.detail),
  );
}
