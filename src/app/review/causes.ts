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
  /** A cause spread over many files (a model reference pasted into each): grouped across files, not per lockfile. */
  readonly acrossFiles?: true;
}

/** A model reference finding's model, revision and loader (references.ts evidence). */
const referenceKey = (f: Finding) =>
  `${String(f.evidence?.['model'] ?? '?')} at ${String(f.evidence?.['revision'] ?? 'no revision')}`;

const CAUSES: Readonly<Record<string, Cause>> = {
  // A lockfile whose every entry now names other bytes (rebuilt by hand, or by a mirror that repacks tarballs) is one
  // edit: a handful stay per package, which is what a targeted republish looks like.
  CPU001: {
    keyOf: (f) => String(f.evidence?.['algorithm'] ?? 'file hash'),
    what: (key) => `keep their version but are now locked to other bytes (${key})`,
    todo: 'Restore the entries from the base revision and regenerate the lockfile against the registry; compare a few with what the registry publishes (`npm view <name>@<version> dist.integrity`, the files of the release on PyPI).',
  },
  CPU034: {
    keyOf: (f) => `${String(f.evidence?.['before'] ?? '')} → ${String(f.evidence?.['after'] ?? '')}`,
    what: (key) => `are now checked against a weaker hash (${key})`,
    todo: 'Regenerate the lockfile so every entry records sha512.',
  },
  CPU002: {
    keyOf: (f) => `${String(f.evidence?.['fromSource'] ?? '')} → ${String(f.evidence?.['toSource'] ?? '')}`,
    what: (key) => `moved source (${key})`,
    todo: 'Check that the new source is the registry the project meant to move to; if it is, approve once by hand.',
  },
  // A relock that moves many packages back (a lockfile regenerated from an older branch) is one cause.
  CPU014: {
    keyOf: () => '',
    what: () => 'are downgrades',
    todo: 'Check why the versions went down: a lockfile regenerated from an older branch, or an override that pins them back.',
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
  CPU011: {
    keyOf: (f) => `${referenceKey(f)} from ${String(f.evidence?.['from'] ?? '')} (${f.level ?? ''})`,
    what: (key) => `move a model reference to ${key}`,
    todo: 'Review the new revision once and record it in the trusted registry.',
    acrossFiles: true,
  },
  CPU012: {
    keyOf: referenceKey,
    what: (key) => `add code loading ${key}, which can move`,
    todo: 'Pin the reviewed commit in each, or load it through one pinned helper.',
    acrossFiles: true,
  },
  CPU021: {
    keyOf: referenceKey,
    what: (key) => `let a loader run code from ${key}`,
    todo: 'Read that code at a pinned commit, or load without remote code.',
    acrossFiles: true,
  },
};

export function groupByCause(findings: readonly Finding[]): Finding[] {
  const causeOf = (f: Finding) => {
    const cause = CAUSES[f.ruleId];
    if (cause === undefined) return undefined;
    return `${f.ruleId}\0${cause.acrossFiles ? '' : f.location.path}\0${cause.keyOf(f)}`;
  };
  return groupCauses(findings, causeOf, () => GROUP_MIN, summarise) ?? [...findings];
}

function summarise(list: readonly Finding[]): Finding {
  const first = list[0]!;
  const { keyOf, what, todo, acrossFiles } = CAUSES[first.ruleId]!;
  const key = keyOf(first);
  const at = `${first.location.path}:${first.location.line ?? 1}`;
  if (acrossFiles)
    return {
      ...first,
      message: `${list.length} places ${what(key)} (first: ${at}). ${todo}`,
      evidence: {
        ...first.evidence,
        count: list.length,
        files: [...new Set(list.map((f) => f.location.path))].slice(0, 50).join(' '),
      },
      related: list.slice(1, MAX_RELATED + 1).map((f) => f.location),
      members: list,
    };
  const names = list.map((f) =>
    f.artifact?.kind === 'package' ? `${f.artifact.name}@${f.artifact.version}` : f.location.path,
  );
  const related: Location[] = list.slice(1, MAX_RELATED + 1).map((f) => f.location);
  return {
    ruleId: first.ruleId,
    message: `${list.length} packages in ${first.location.path} ${what(key)} (first: ${names.slice(0, 3).join(', ')} at ${at}). ${todo}`,
    location: first.location,
    artifact: { kind: 'file', path: first.location.path },
    evidence: { count: list.length, packages: names.slice(0, 50).join(' '), ...(key !== '' ? { cause: key } : {}) },
    related,
    members: list,
  };
}
