import { whereOf, type Finding } from '../core/finding.js';
import { groupCauses, MAX_RELATED } from '../core/group-causes.js';
import { suppresses } from '../core/apply-policy.js';
import { listedWithMore, plural } from '../core/plural.js';
import type { Suppression } from '../core/policy.js';
import { foldUnknownGlobals } from './pickle/unknown-globals.js';
import { WEIGHTS_ONLY_TEXT, WEIGHTS_ONLY_TEXT_MANY } from './pickle/weights-only.js';

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
 * weights-only refusal of the same names or opcode (CPI119), and the same code-shaped text in the metadata or config
 * of several files (CPI133: a kohya trainer writes one `ss_training_comment` into every epoch's LoRA). The keys listed
 * per rule are the evidence that says what the cause is; the rest (byte offset, pickle index, the opcodes that call
 * it) is per file.
 */
const CAUSE_KEYS: Readonly<Record<string, readonly string[]>> = {
  // Whether torch.load refuses the global is a fact about each file (a checkpoint or a plain pickle), not about the
  // global: the open question and its one allowlist entry are the same, so the files are one finding (`refusedIn`).
  // A file's several unlisted globals are one finding first (unknown-globals.ts): files share it when all agree.
  CPI002: ['global', 'globals', 'globalCount', 'namesSha256'],
  CPI119: ['globals', 'opcode', 'torchLoad'],
  CPI133: ['check', 'code'],
};

/**
 * One key's part of a finding's cause. torch.load's refusal of a checkpoint's globals (CPI119 with `globals`) is one
 * cause whichever safe classes each file imports: a folder of experiments that each `torch.save(model)` a different
 * model gave one note per file, all saying "save a state_dict instead". The union is named on the grouped finding.
 */
function causeValue(f: Finding, key: string): string {
  const value = f.evidence?.[key];
  if (f.ruleId === 'CPI119' && key === 'globals') return value === undefined ? '' : 'outside the allowlist';
  return String(value ?? '');
}

/** Files (or archive members) named in a grouped finding's message; the rest are counted and in `related`. */
const SHOWN = 3;

/**
 * The inspect stage's findings with a file's unlisted globals made one finding (unknown-globals.ts), then each
 * cross-file cause made one finding. A finding a policy suppression names (by
 * rule and path, live or expired) stays on its own: a suppression goes by file, so grouping it would either hide the
 * other files with it or keep it from being suppressed.
 */
export function groupAcrossFiles(findings: readonly Finding[], suppressions: readonly Suppression[]): Finding[] {
  const causeOf = (f: Finding): string | undefined => {
    const keys = CAUSE_KEYS[f.ruleId];
    if (keys === undefined || suppressions.some((s) => suppresses(s, f))) return undefined;
    let key = `${f.ruleId}\0${f.level ?? ''}`;
    for (const k of keys) key += `\0${k}=${causeValue(f, k)}`;
    return key;
  };
  const folded = foldUnknownGlobals(findings);
  return groupCauses(folded, causeOf, () => 2, summarise) ?? folded;
}

/** Members arrive in the stage's order (path, then member): the first is the first file, on every machine. */
function summarise(list: readonly Finding[]): Finding {
  const first = list[0]!;
  const keys = CAUSE_KEYS[first.ruleId]!;
  const files = new Set(list.map((f) => f.location.path)).size;
  const evidence: Record<string, string | number | boolean> = { count: list.length, first: whereOf(first) };
  for (const k of keys) if (first.evidence?.[k] !== undefined) evidence[k] = first.evidence[k];
  const refused = refusedIn(list);
  let message = `The same in ${plural(files, 'model file')}${list.length > files ? ` (${list.length} pickles)` : ''}: ${listedWithMore(list.map(whereOf), SHOWN)}. The first: ${first.message}`;
  Object.assign(evidence, refused.evidence);
  const differ = new Set(list.map((f) => f.evidence?.['globals'])).size > 1;
  if (differ && first.ruleId === 'CPI119') {
    const globals = globalsUnion(list);
    evidence['globals'] = globals.join(',');
    evidence['globalCount'] = globals.length;
    message += ` Together they import ${listedWithMore(
      globals.map((g) => `\`${g}\``),
      10,
    )}, outside torch's weights-only allowlist (all on chainproof's safe list).`;
  }
  if (refused.text !== '')
    message = message.replace(` ${WEIGHTS_ONLY_TEXT}`, '').replace(` ${WEIGHTS_ONLY_TEXT_MANY}`, '') + refused.text;
  return {
    ruleId: first.ruleId,
    message,
    location: first.location,
    ...(first.level !== undefined ? { level: first.level } : {}),
    ...(first.artifact !== undefined ? { artifact: first.artifact } : {}),
    evidence,
    related: list.slice(1, MAX_RELATED + 1).map((f) => f.location),
    members: list,
  };
}

/**
 * A global some files of the group load through torch.load and others through pickle.load: the first file's sentence
 * about torch's refusal would hold for only some of them, so the grouped finding says in which (CPI002's
 * `torchLoad` evidence, verdict.ts). When every file agrees, the first message holds for all and only the evidence is
 * carried over.
 */
function refusedIn(list: readonly Finding[]): { text: string; evidence: Record<string, string | number> } {
  const refused = list.filter((f) => f.evidence?.['torchLoad'] !== undefined);
  if (refused.length === 0) return { text: '', evidence: {} };
  const torchLoad = String(refused[0]!.evidence!['torchLoad']);
  if (refused.length === list.length) return { text: '', evidence: { torchLoad } };
  const sentence = WEIGHTS_ONLY_TEXT.replace(/^torch\.load refuses this global/, 'torch.load refuses it');
  return {
    text: ` In ${refused.length} of them, ${listedWithMore(refused.map(whereOf), SHOWN)}, ${sentence}`,
    evidence: {
      torchLoad: `${torchLoad} (in ${refused.length} of ${list.length})`,
      torchLoadRefusedIn: refused.length,
    },
  };
}

/** Every global the group's findings name (their `globals` evidence), sorted, once each. */
function globalsUnion(list: readonly Finding[]): string[] {
  const all = new Set<string>();
  for (const f of list) {
    const names = f.evidence?.['globals'];
    if (typeof names === 'string' && names !== '') for (const n of names.split(',')) all.add(n);
  }
  return [...all].sort();
}
