import { levelRank, type Finding, type ResolvedFinding } from '../../core/finding.js';

/**
 * One finding per moved entry. A version move that also changes the entry's source is CPU002 here, and the head scan
 * judges the same entry on its own: as an injection when the manifest still asks for a registry version (CPD020,
 * deps/checks/range-source.ts; Python's CPP081, checks/index-asked-source.ts), else as a git, URL or local source
 * (CPD007–CPD009, deps/checks/sources.ts; CPP014–CPP016, python/checks/sources.ts). The one that says more stands:
 * - the injection over CPU002: it names the manifest that asks for the registry and calls the entry what it is, one
 *   the package manager never writes; CPU002 would only repeat that the source changed.
 * - CPU002 over the source warning: that says where the package comes from now, CPU002 also that it came from
 *   elsewhere at the base, which is the reviewer's question.
 * The other goes only when the survivor is reported at least as high, so a policy that lowers one rule never lowers
 * the entry's verdict.
 */

const INJECTIONS: ReadonlySet<string> = new Set(['CPD020', 'CPP081']);
const SOURCE_WARNINGS: ReadonlySet<string> = new Set(['CPD007', 'CPD008', 'CPD009', 'CPP014', 'CPP015', 'CPP016']);

/** The review's questions without the CPU002 of an entry the change's injection finding reports as an error. */
export function withoutInjectedMoves(questions: readonly Finding[], introduced: readonly ResolvedFinding[]): Finding[] {
  const injected = new Set(
    introduced.filter((f) => INJECTIONS.has(f.ruleId) && f.level === 'error').flatMap((f) => entryOf(f) ?? []),
  );
  return questions.filter((f) => f.ruleId !== 'CPU002' || !injected.has(entryOf(f) ?? ''));
}

/**
 * The head scan's introduced findings without the source warning of an entry CPU002 reports at their level or higher
 * (`reported`: the review's own findings after the policy, a grouped CPU002 by its members).
 */
export function withoutMovedSourceWarnings(
  introduced: readonly ResolvedFinding[],
  reported: readonly ResolvedFinding[],
): ResolvedFinding[] {
  const moved = new Map<string, number>();
  for (const f of reported) {
    if (f.ruleId !== 'CPU002') continue;
    for (const m of f.members ?? [f]) {
      const entry = entryOf(m);
      if (entry !== undefined) moved.set(entry, levelRank(f.level));
    }
  }
  return introduced.filter(
    (f) => !SOURCE_WARNINGS.has(f.ruleId) || (moved.get(entryOf(f) ?? '') ?? 0) < levelRank(f.level),
  );
}

/** A package entry of a lockfile: path, line and name (what CPU002 and the head scan's entry checks both locate). */
function entryOf(f: Finding): string | undefined {
  if (f.location.line === undefined || f.artifact?.kind !== 'package') return undefined;
  return `${f.location.path}\0${f.location.line}\0${f.artifact.name}`;
}
