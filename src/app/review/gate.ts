import type { ResolvedFinding } from '../../core/finding.js';
import { pushAll } from '../../core/push-all.js';
import { versionLabel, type LockfileChanges } from './diff.js';
import type { ModelChange } from './models.js';
import type { ReferenceChange } from './references.js';

/** `--gate`: the largest update an auto-merge may take without a human. */
export type GateKind = 'patch' | 'minor' | 'any';

export const GATE_KINDS: readonly GateKind[] = ['patch', 'minor', 'any'];

export interface GateVerdict {
  readonly kind: GateKind;
  readonly passed: boolean;
  /** Why it failed, one line each, most serious first; empty when it passed. */
  readonly reasons: readonly string[];
}

/**
 * A clean update of kind K: for `patch`, only patch-level upgrades of packages already locked (`minor` also allows
 * minor ones), nothing added, no downgrade, no prerelease, no model file touched, and no finding at warning or
 * above — which covers moved hosts, new install scripts, lost provenance and versions too fresh. Removals pass:
 * dropping a package cannot bring code in. `any` allows every version move and fails only on errors.
 */
export function judgeGate(
  kind: GateKind,
  lockfiles: readonly LockfileChanges[],
  models: readonly ModelChange[],
  findings: readonly ResolvedFinding[],
  references: readonly ReferenceChange[] = [],
): GateVerdict {
  const reasons: string[] = [];
  const errors = findings.filter((f) => f.level === 'error');
  const warnings = findings.filter((f) => f.level === 'warning');
  if (errors.length > 0) reasons.push(`${errors.length} error finding(s): ${ruleList(errors)}`);
  if (kind !== 'any') {
    if (warnings.length > 0) reasons.push(`${warnings.length} warning finding(s): ${ruleList(warnings)}`);
    const allowed = kind === 'patch' ? new Set(['patch']) : new Set(['patch', 'minor']);
    for (const lf of lockfiles) {
      if (lf.status === 'added') reasons.push(`${lf.lockfile} is a new lockfile`);
      // Another package manager installs from now on (its own defaults for scripts, links, registries): not routine,
      // however few packages moved.
      if (lf.migrated)
        reasons.push(`${lf.lockfile} replaces ${lf.movedFrom ?? 'another lockfile'} (a package manager migration)`);
      pushAll(reasons, versionReasons(lf, allowed));
    }
    for (const m of models) reasons.push(`model file ${m.path} ${m.kind}`);
    for (const c of references)
      reasons.push(
        `${c.kind === 'moved' ? 'moves' : 'adds'} model reference ${c.reference.repoId ?? c.reference.url ?? '?'} (${c.reference.path}:${c.reference.line})`,
      );
  }
  const capped = reasons.length > 50 ? [...reasons.slice(0, 50), `… and ${reasons.length - 50} more`] : reasons;
  return { kind, passed: reasons.length === 0, reasons: capped };
}

/** Packages named in one grouped reason; the count says how many more. */
const NAMED = 5;

/**
 * What in one lockfile goes past the gate's kind, one reason per kind of move (added, downgraded, then upgrades from
 * the largest type down), each with its count and first packages: a routine 300-package update read as a hundred
 * reasons that repeated the change list, and the one major update or the additions sat among them.
 */
function versionReasons(lf: LockfileChanges, allowed: ReadonlySet<string>): string[] {
  const groups = new Map<string, string[]>();
  const add = (key: string, text: string) => groups.set(key, [...(groups.get(key) ?? []), text]);
  for (const c of lf.changes) {
    // By versionLabel, as the change list: a git, tarball or folder entry may record no version (bun).
    if (c.kind === 'added') add('added', `${c.name}@${versionLabel(c.head)}`);
    else if (c.kind === 'downgraded') add('downgraded', `${c.name} ${versionLabel(c.base)} → ${versionLabel(c.head)}`);
    else if (c.kind === 'upgraded' && !allowed.has(c.type))
      add(c.type, `${c.name} ${versionLabel(c.base)} → ${versionLabel(c.head)}`);
  }
  const order = ['added', 'downgraded', 'major', 'prerelease', 'other', 'minor', 'patch'];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return [...groups]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([key, items]) => {
      if (items.length === 1) {
        const [one] = items as [string];
        return `${lf.lockfile}: ${key === 'added' ? `adds ${one}` : key === 'downgraded' ? `downgrades ${one}` : `${key} update of ${one}`}`;
      }
      const listed =
        items.slice(0, NAMED).join(', ') + (items.length > NAMED ? `, … and ${items.length - NAMED} more` : '');
      const what =
        key === 'added'
          ? `adds ${items.length} packages`
          : key === 'downgraded'
            ? `downgrades ${items.length} packages`
            : `${items.length} ${key} updates`;
      return `${lf.lockfile}: ${what} (${listed})`;
    });
}

function ruleList(fs: readonly ResolvedFinding[]): string {
  const counts = new Map<string, number>();
  for (const f of fs) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([id, n]) => (n > 1 ? `${id}×${n}` : id))
    .join(', ');
}
