import type { Finding, Location } from '../../core/finding.js';
import { groupCauses, MAX_RELATED } from '../../core/group-causes.js';

/**
 * One finding per cause in a large change. A registry migration moves every package to one new host; a lockfile
 * rebuilt by hand adds dozens of unexplained entries: from GROUP_MIN findings of one rule and one cause in one
 * lockfile, they become one finding at the first entry, with the count, the packages in evidence and every entry in
 * `related` (and `members`, so the gate and the reports still see each). A few stay per package: that is what a
 * targeted edit looks like.
 */
export const GROUP_MIN = 5;

interface Cause {
  /** The members' common cause, from one of them (evidence the per-package finding carries). */
  readonly keyOf: (f: Finding) => string;
  readonly what: (key: string) => string;
  readonly todo: string;
}

const CAUSES: Readonly<Record<string, Cause>> = {
  CPU002: {
    keyOf: (f) => `${String(f.evidence?.['fromSource'] ?? '')} → ${String(f.evidence?.['toSource'] ?? '')}`,
    what: (key) => `moved source (${key})`,
    todo: 'Check that the new source is the registry the project meant to move to; if it is, approve once by hand.',
  },
  CPU015: {
    keyOf: () => '',
    what: () => 'are new to the lockfile under packages or manifests the change did not update',
    todo: 'Regenerate the lockfile from the manifests and compare; an edit of this size is a rebuilt or injected lockfile.',
  },
  CPU016: {
    keyOf: (f) => String(f.evidence?.['source'] ?? ''),
    what: (key) => `keep their version but resolve to another ${key} location without integrity`,
    todo: 'Compare the old and new commits or URLs named in each related entry.',
  },
};

export function groupByCause(findings: readonly Finding[]): Finding[] {
  const causeOf = (f: Finding) => {
    const cause = CAUSES[f.ruleId];
    return cause === undefined ? undefined : `${f.ruleId}\0${f.location.path}\0${cause.keyOf(f)}`;
  };
  return groupCauses(findings, causeOf, () => GROUP_MIN, summarise) ?? [...findings];
}

function summarise(list: readonly Finding[]): Finding {
  const first = list[0]!;
  const { keyOf, what, todo } = CAUSES[first.ruleId]!;
  const key = keyOf(first);
  const names = list.map((f) =>
    f.artifact?.kind === 'package' ? `${f.artifact.name}@${f.artifact.version}` : f.location.path,
  );
  const related: Location[] = list.slice(1, MAX_RELATED + 1).map((f) => f.location);
  return {
    ruleId: first.ruleId,
    message: `${list.length} packages in ${first.location.path} ${what(key)} (first: ${names.slice(0, 3).join(', ')} at ${first.location.path}:${first.location.line ?? 1}). ${todo}`,
    location: first.location,
    artifact: { kind: 'file', path: first.location.path },
    evidence: { count: list.length, packages: names.slice(0, 50).join(' '), ...(key !== '' ? { cause: key } : {}) },
    related,
    members: list,
  };
}
