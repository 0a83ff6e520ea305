import { levelRank, type Evidence, type Finding, type ResolvedFinding } from '../../core/finding.js';
import { listedWithMore } from '../../core/plural.js';
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
  const facts = questions.map((q) => BASE_FACTS[q.ruleId]!(q.evidence ?? {}));
  const evidence: Record<string, string | number | boolean> = {};
  for (const q of questions) Object.assign(evidence, q.evidence);
  // The injection's own facts win a shared key; `reviewed` names the rules whose findings it stands for.
  return withReviewAdding(f, facts.join('; '), {
    ...evidence,
    ...f.evidence,
    reviewed: questions.map((q) => q.ruleId).join(' '),
  });
}

/**
 * The head-scan finding with what the review adds after its message and the given evidence. Fields are read by name
 * (core/finding.ts): a head-scan finding may be a class whose message and artifact are getters, which `{ ...f }` drops.
 */
function withReviewAdding(
  f: ResolvedFinding,
  sentence: string,
  evidence: Readonly<Record<string, string | number | boolean>>,
): ResolvedFinding {
  return {
    ruleId: f.ruleId,
    message: `${f.message} The review adds: ${sentence}.`,
    location: f.location,
    level: f.level,
    ...(f.artifact !== undefined ? { artifact: f.artifact } : {}),
    evidence,
    ...(f.related !== undefined ? { related: f.related } : {}),
    ...(f.members !== undefined ? { members: f.members } : {}),
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

/**
 * The review's CPU002 of entries whose new host CPD005 refuses (not a registry the policy allows; the head scan's, or
 * the review's group of the entries a change adds to the head's group), folded into that CPD005: one cause, an entry
 * now fetched from a disallowed host. CPD005 stands — the policy's verdict, with the scan's fingerprint, a group of
 * every entry on that host — and says where the entries came from at the base revision. A CPU002 (or a grouped one)
 * folds only when CPD005 reports each entry it names at its level or higher, so a policy that lowers one rule never
 * lowers the entry's verdict.
 */
export function foldMovesIntoDisallowedHosts(findings: readonly ResolvedFinding[]): ResolvedFinding[] {
  const refused = new Map<string, number>();
  findings.forEach((f, i) => {
    if (f.ruleId !== 'CPD005') return;
    for (const m of f.members ?? [f]) {
      const entry = entryOf(m);
      if (entry !== undefined && !refused.has(entry)) refused.set(entry, i);
    }
  });
  if (refused.size === 0) return [...findings];
  const cameFrom = new Map<number, Set<string>>();
  const folded = new Set<number>();
  findings.forEach((f, i) => {
    if (f.ruleId !== 'CPU002') return;
    const members = f.members ?? [f];
    const into = members.map((m) => refused.get(entryOf(m) ?? ''));
    if (into.some((at) => at === undefined || levelRank(findings[at]!.level) < levelRank(f.level))) return;
    folded.add(i);
    members.forEach((m, k) => {
      const sources = cameFrom.get(into[k]!) ?? new Set<string>();
      cameFrom.set(into[k]!, sources.add(String(m.evidence?.['fromSource'])));
    });
  });
  return findings.flatMap((f, i) => {
    if (folded.has(i)) return [];
    const sources = cameFrom.get(i);
    return [sources ? withBaseSources(f, [...sources].sort()) : f];
  });
}

/** CPD005 saying where its entries came from at the base revision (the folded CPU002's `fromSource`). */
function withBaseSources(f: ResolvedFinding, sources: readonly string[]): ResolvedFinding {
  const count = f.members?.length ?? f.evidence?.['count'] ?? 1;
  const who = count === 1 ? 'it' : 'they';
  return withReviewAdding(f, `${who} came from ${listedWithMore(sources, 3)} at the base revision`, {
    ...f.evidence,
    fromSource: sources.join(' '),
    reviewed: 'CPU002',
  });
}

/** A package entry of a lockfile: path, line and name (what CPU002 and the head scan's entry checks both locate). */
function entryOf(f: Finding): string | undefined {
  if (f.location.line === undefined || f.artifact?.kind !== 'package') return undefined;
  return `${f.location.path}\0${f.location.line}\0${f.artifact.name}`;
}
