import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { redactUrls } from './finding.js';

/** How many disagreements the evidence spells out; the count and the related locations cover the rest. */
const LISTED = 5;

/**
 * CPD022: the legacy `dependencies` tree of an npm lockfile disagrees with its `packages` map (parsers/npm-legacy.ts).
 * The checks read `packages`, which npm ≥ 7 installs; npm 6 installs the other half, unchecked. One cause (an edit
 * to the half chainproof does not otherwise read), so one finding per lockfile with the count, at the first entry.
 */
export function checkLegacySection(graph: DependencyGraph, parsed: ParsedLockfile): Finding[] {
  const list = parsed.legacyDisagreements ?? [];
  const first = list[0];
  if (first === undefined) return [];
  const n = list.length;
  const say = (d: (typeof list)[number]) =>
    d.field === 'entry'
      ? `${d.key} exists only there (${d.legacy.slice(0, 200) || 'no source'})`
      : `${d.key} ${d.field} is ${d.legacy.slice(0, 200) || '(none)'} where "packages" says ${d.packages.slice(0, 200) || '(none)'}`;
  return [
    {
      ruleId: 'CPD022',
      message: redactUrls(
        `${n === 1 ? 'An entry' : `${n} entries`} of the legacy "dependencies" section of ${graph.lockfile} disagree${n === 1 ? 's' : ''} with its "packages" section (first: ${say(first)}, at ${graph.lockfile}:${first.line}). npm 7+ installs "packages" and npm 6 installs "dependencies", and npm writes both from one tree: one half was edited. Regenerate the lockfile with \`npm install --package-lock-only\` and review who changed it.`,
      ),
      location: { path: graph.lockfile, line: first.line },
      artifact: { kind: 'file', path: graph.lockfile },
      evidence: {
        count: n,
        disagreements: redactUrls(
          list
            .slice(0, LISTED)
            .map((d) => `${d.key} ${d.field}: ${d.legacy.slice(0, 200)} ≠ ${d.packages.slice(0, 200)}`)
            .join('; '),
        ),
      },
      ...(n > 1 ? { related: list.slice(1).map((d) => ({ path: graph.lockfile, line: d.line })) } : {}),
    },
  ];
}
