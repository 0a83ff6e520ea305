import type { Finding } from '../core/finding.js';
import { groupCauses, MAX_RELATED } from '../core/group-causes.js';
import { suppresses } from '../core/apply-policy.js';
import { listedWithMore, plural } from '../core/plural.js';
import type { Suppression } from '../core/policy.js';

/**
 * One finding per cause across files. A folder of training checkpoints that each pickle the same class of the
 * project's own (every `checkpoint-N/training_args.bin` holds `TrainingArguments`), or a test folder of forty joblib
 * pickles of one numpy subclass, has one open question — is that global trusted? — and one answer, a single
 * `models.allowedGlobals` entry; it gave one CPI002 per file, forty text blocks and forty SARIF results around the
 * finding that mattered. From two files on, such findings are one finding at the first file (in path order), with
 * the count, the first files named, every other place in `related` and each file's own finding in `members`.
 *
 * Only findings whose whole cause is a fact shared by every file are grouped: an unlisted global that nothing calls
 * (CPI002; one that is called is CPI100, an error, and stays per file, as does every CPI001) and torch.load's
 * weights-only refusal of the same names or opcode (CPI119). The keys listed per rule are the evidence that says
 * what the cause is; the rest (byte offset, pickle index, the opcodes that call it) is per file.
 */
const CAUSE_KEYS: Readonly<Record<string, readonly string[]>> = {
  CPI002: ['global', 'torchLoad'],
  CPI119: ['globals', 'opcode', 'torchLoad'],
};

/** Files (or archive members) named in a grouped finding's message; the rest are counted and in `related`. */
const SHOWN = 3;

/**
 * The inspect stage's findings with each cross-file cause made one finding. A finding a policy suppression names (by
 * rule and path, live or expired) stays on its own: a suppression goes by file, so grouping it would either hide the
 * other files with it or keep it from being suppressed.
 */
export function groupAcrossFiles(findings: readonly Finding[], suppressions: readonly Suppression[]): Finding[] {
  const causeOf = (f: Finding): string | undefined => {
    const keys = CAUSE_KEYS[f.ruleId];
    if (keys === undefined || suppressions.some((s) => suppresses(s, f))) return undefined;
    let key = `${f.ruleId}\0${f.level ?? ''}`;
    for (const k of keys) key += `\0${k}=${String(f.evidence?.[k] ?? '')}`;
    return key;
  };
  return groupCauses(findings, causeOf, () => 2, summarise) ?? [...findings];
}

const whereOf = (f: Finding) =>
  f.location.member !== undefined ? `${f.location.path} (${f.location.member})` : f.location.path;

/** Members arrive in the stage's order (path, then member): the first is the first file, on every machine. */
function summarise(list: readonly Finding[]): Finding {
  const first = list[0]!;
  const keys = CAUSE_KEYS[first.ruleId]!;
  const files = new Set(list.map((f) => f.location.path)).size;
  const evidence: Record<string, string | number | boolean> = { count: list.length, first: whereOf(first) };
  for (const k of keys) if (first.evidence?.[k] !== undefined) evidence[k] = first.evidence[k];
  return {
    ruleId: first.ruleId,
    message: `The same in ${plural(files, 'model file')}${list.length > files ? ` (${list.length} pickles)` : ''}: ${listedWithMore(list.map(whereOf), SHOWN)}. The first: ${first.message}`,
    location: first.location,
    ...(first.level !== undefined ? { level: first.level } : {}),
    ...(first.artifact !== undefined ? { artifact: first.artifact } : {}),
    evidence,
    related: list.slice(1, MAX_RELATED + 1).map((f) => f.location),
    members: list,
  };
}
