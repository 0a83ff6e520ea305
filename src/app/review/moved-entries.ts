import type { Evidence, Finding, ResolvedFinding } from '../../core/finding.js';
import { withoutSaidOnce } from './said-once.js';

/**
 * One finding per changed entry. The review asks of an entry whether its source moved with its version (CPU002),
 * whether the same version now names other bytes (CPU001) or another location without integrity (CPU016), or whether
 * the name code imports now installs another package (CPU024); the head scan judges the same entry on its own: as an
 * injection when the manifest still asks for a registry version (CPD020, deps/checks/range-source.ts; Python's
 * CPP081, checks/index-asked-source.ts) or for the name the entry no longer holds (CPD021, an unasked alias), else as
 * a git, URL or local source (CPD007–CPD009, deps/checks/sources.ts; CPP014–CPP016, python/checks/sources.ts). The
 * one that says more stands:
 * - the injection over CPU001 / CPU002 / CPU016 / CPU024: it names the manifest (or dependant) that asks and calls the
 *   entry what it is, one the package manager never writes. What the review knew of the base revision (the old
 *   source, the old and new hashes, the package the name held) goes into the injection's message and evidence; its
 *   fingerprint stays the scan's.
 * - CPU002 over the source warning: that says where the package comes from now, CPU002 also that it came from
 *   elsewhere at the base, which is the reviewer's question.
 * The other goes only when the survivor is reported at least as high, so a policy that lowers one rule never lowers
 * the entry's verdict.
 */

const INJECTIONS: ReadonlySet<string> = new Set(['CPD020', 'CPD021', 'CPP081']);
const SOURCE_WARNINGS: ReadonlySet<string> = new Set(['CPD007', 'CPD008', 'CPD009', 'CPP014', 'CPP015', 'CPP016']);

/** The entry questions an injection finding takes in, each with what it says of the base revision (its evidence). */
const BASE_FACTS: Readonly<Record<string, (e: Evidence) => string>> = {
  CPU001: (e) =>
    `its ${String(e['algorithm'] ?? 'file hashes')} differ${e['algorithm'] !== undefined ? 's' : ''} from the base revision's, so the same version now names other bytes`,
  CPU002: (e) => `it came from ${String(e['fromSource'])} at the base revision`,
  CPU016: (e) => `the same version resolved to ${String(e['before'])} at the base revision`,
  CPU024: (e) => `"${String(e['alias'])}" installed ${String(e['before'])} at the base revision`,
};

/**
 * The review's questions without CPU001 / CPU002 / CPU016 / CPU024 of an entry the change's injection finding reports
 * as an error, and the head scan's introduced findings with those injections carrying what the dropped questions said.
 */
export function foldIntoInjections(
  questions: readonly Finding[],
  introduced: readonly ResolvedFinding[],
): { questions: Finding[]; introduced: ResolvedFinding[] } {
  const injected = new Map<string, number>();
  introduced.forEach((f, i) => {
    const entry = INJECTIONS.has(f.ruleId) && f.level === 'error' ? entryOf(f) : undefined;
    if (entry !== undefined && !injected.has(entry)) injected.set(entry, i);
  });
  const folded = new Map<number, Finding[]>();
  const kept = questions.filter((q) => {
    const at = Object.hasOwn(BASE_FACTS, q.ruleId) ? injected.get(entryOf(q) ?? '') : undefined;
    if (at === undefined) return true;
    folded.set(at, [...(folded.get(at) ?? []), q]);
    return false;
  });
  return {
    questions: kept,
    introduced: introduced.map((f, i) => {
      const qs = folded.get(i);
      return qs ? withBaseFacts(f, qs) : f;
    }),
  };
}

/** The injection finding with the dropped questions' base facts added to its message and their evidence to its own. */
function withBaseFacts(f: ResolvedFinding, questions: readonly Finding[]): ResolvedFinding {
  // Fields read by name: a head-scan finding may format them on demand. An injection finding is never grouped.
  const facts = questions.map((q) => BASE_FACTS[q.ruleId]!(q.evidence ?? {}));
  const evidence: Record<string, string | number | boolean> = {};
  for (const q of questions) Object.assign(evidence, q.evidence);
  return {
    ruleId: f.ruleId,
    message: `${f.message} The review adds: ${facts.join('; ')}.`,
    location: f.location,
    level: f.level,
    ...(f.artifact !== undefined ? { artifact: f.artifact } : {}),
    // The injection's own facts win a shared key; `reviewed` names the rules whose findings it stands for.
    evidence: { ...evidence, ...f.evidence, reviewed: questions.map((q) => q.ruleId).join(' ') },
    // The scan's identity for the entry: a SARIF alert or baseline entry of `chainproof scan` stays the same one.
    fingerprint: f.fingerprint,
  };
}

/**
 * The head scan's introduced findings without the source warning of an entry CPU002 reports at their level or higher
 * (`reported`: the review's own findings after the policy, a grouped CPU002 by its members).
 */
export function withoutMovedSourceWarnings(
  introduced: readonly ResolvedFinding[],
  reported: readonly ResolvedFinding[],
): ResolvedFinding[] {
  return withoutSaidOnce(
    introduced,
    reported,
    (f) => (f.ruleId === 'CPU002' ? (f.members ?? [f]).map(entryOf) : []),
    (f) => (SOURCE_WARNINGS.has(f.ruleId) ? entryOf(f) : undefined),
  );
}

/** A package entry of a lockfile: path, line and name (what CPU002 and the head scan's entry checks both locate). */
function entryOf(f: Finding): string | undefined {
  if (f.location.line === undefined || f.artifact?.kind !== 'package') return undefined;
  return `${f.location.path}\0${f.location.line}\0${f.artifact.name}`;
}
