import type { Finding, Location } from '../core/finding.js';
import { groupCauses, MAX_RELATED } from '../core/group-causes.js';
import { listedWithMore } from '../core/plural.js';
import { suppresses } from '../core/apply-policy.js';
import type { Suppression } from '../core/policy.js';

/**
 * One finding per cause in a file. A test module that loads `bert-base-uncased` unpinned in forty tests, or a script
 * that reads its model from the command line at a thousand call sites, has one problem per model (or one run-time
 * choice), not forty or a thousand lines: from FILE_GROUP_MIN findings of one rule and one cause in one file, they
 * become one finding at the first call, with the count, the lines in its message and every other call in `related`
 * (`members` keeps each, so `review` still sees a call a change adds). Grouped within a file only: a suppression by
 * path, a shard and a pull request's annotations all go by file, and a handful of calls stays per call.
 */
export const FILE_GROUP_MIN = 5;

/**
 * Evidence that says how one call reaches its model (the loader, where a name or revision is read from), not which
 * model or revision it is: left out of the cause, so every unpinned load of one model in a file is one cause whatever
 * the class (`AutoModel`, `AutoTokenizer`) or the variable, and every run-time choice (CPR010) of a file is one.
 */
const PER_CALL: ReadonlySet<string> = new Set(['via', 'nameFrom', 'revisionFrom', 'definedIn', 'oneOf', 'argumentOf']);

/** Lines named in a grouped finding's message; the rest are counted (all are in `related`). */
const LINES_SHOWN = 5;

/** The refs findings of one file, with each cause met at FILE_GROUP_MIN calls or more made one finding. */
export function groupFileCauses(findings: readonly Finding[]): readonly Finding[] {
  if (findings.length < FILE_GROUP_MIN) return findings;
  return groupCauses(findings, causeOf, () => FILE_GROUP_MIN, summarise) ?? findings;
}

/** What the calls of one cause share: rule, level, and the evidence that names the model, revision or setting. */
function causeOf(f: Finding): string {
  let key = `${f.ruleId}\0${f.level ?? ''}`;
  for (const [k, v] of Object.entries(stableEvidence(f))) key += `\0${k}=${String(v)}`;
  return key;
}

function stableEvidence(f: Finding): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const k of Object.keys(f.evidence ?? {}).sort()) if (!PER_CALL.has(k)) out[k] = f.evidence![k]!;
  return out;
}

function summarise(list: readonly Finding[]): Finding {
  const first = list[0]!;
  const lines = list.map((f) => f.location.line ?? 1);
  const shown = lines.slice(0, LINES_SHOWN).join(', ');
  const more = lines.length > LINES_SHOWN ? ` and ${lines.length - LINES_SHOWN} more` : '';
  // The modules a name or revision is imported from (judge.ts `relatedModules`) first, then the other calls.
  const modules = new Map<string, Location>();
  for (const f of list) for (const r of f.related ?? []) modules.set(r.path, r);
  const related = [...modules.values(), ...list.slice(1).map((f) => f.location)].slice(0, MAX_RELATED);
  return {
    ruleId: first.ruleId,
    message: `${list.length} calls in this file (lines ${shown}${more}), the first: ${first.message}`,
    location: first.location,
    ...(first.level !== undefined ? { level: first.level } : {}),
    evidence: { ...stableEvidence(first), count: list.length },
    related,
    members: list,
  };
}

/**
 * CPR003 once when the trusted registry records no model at all: then every reference is unlisted for that one reason,
 * and a note beside each CPR001 (two lines a load, the second the same for every model) said it again and again. One
 * finding for the scan, at the policy's `models.unknownModel` level, naming the models and counting the references;
 * every reference stays in `members` (so `review` still sees one a change adds) and the first ones in `related`. The
 * same rule as models/stage.ts `unknownModelFindings` for model files. With entries in the registry, an unlisted
 * model is that model's own gap and keeps its finding.
 *
 * The folded finding is located at the scan root (`.`), not at the first reference: suppressions match by path
 * (apply-policy.ts `suppresses`), so one scoped to `tests/**` placed on a first reference in tests/ hid train.py's
 * note too, and the fingerprint (path included) changed whenever a load was added in a file that sorts first. A
 * reference a suppression names leaves the fold and stays its own finding, for apply-policy to suppress, as the
 * CPS007 fold does (verify/stage/findings.ts `foldUnchecked`): the fold is only ever matched by a suppression of all.
 */
export function foldUnlisted(unlisted: readonly Finding[], suppressions: readonly Suppression[]): readonly Finding[] {
  const named = new Set(unlisted.filter((f) => suppressions.some((s) => suppresses(s, f))));
  const folded = named.size === 0 ? unlisted : unlisted.filter((f) => !named.has(f));
  if (folded.length < 2) return unlisted;
  const sorted = [...folded].sort(byPlace);
  const first = sorted[0]!;
  const models = [...new Set(sorted.map(modelOf))].sort();
  return [
    ...named,
    {
      ruleId: 'CPR003',
      message: `The trusted registry records no model, so ${models.length === 1 ? 'the model' : `none of the ${models.length} models`} the code loads by name (${sorted.length === 1 ? 'one reference' : `${sorted.length} references`}) ${models.length === 1 ? 'has no' : 'has a'} recorded review: ${listedWithMore(models, LINES_SHOWN)}, the first at ${first.location.path}:${first.location.line ?? 1}. Review each at a commit, pin that commit in the code and record it (chainproof registry add --ref hf:<org>/<name>@<commit>, or --from-refs . for the pinned ones), or set models.unknownModel to off where origins are not tracked.`,
      location: { path: '.' },
      ...(first.level !== undefined ? { level: first.level } : {}),
      // No tally of the models beside the count (fingerprint.ts CAUSE_TALLIES) and no reference's path: one more
      // model, or a load in a file that sorts first, keeps the alert's identity.
      evidence: { expected: 'a trusted-registry entry', count: sorted.length },
      related: sorted.slice(0, MAX_RELATED).map((f) => f.location),
      members: sorted,
    },
  ];
}

/** What an unlisted reference names: its repo id, else the URL of a download pinned by digest. */
const modelOf = (f: Finding) => String(f.evidence?.['repoId'] ?? f.evidence?.['url'] ?? f.evidence?.['sha256'] ?? '?');

const byPlace = (a: Finding, b: Finding) =>
  a.location.path < b.location.path
    ? -1
    : a.location.path > b.location.path
      ? 1
      : (a.location.line ?? 0) - (b.location.line ?? 0) || (a.location.column ?? 0) - (b.location.column ?? 0);
