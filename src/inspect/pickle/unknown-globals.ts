import { hash } from 'node:crypto';
import { whereOf, type Finding } from '../../core/finding.js';
import { groupCauses } from '../../core/group-causes.js';
import { listedWithMore } from '../../core/plural.js';
import { byCodePoint } from '../../core/order.js';
import { WEIGHTS_ONLY_REFUSED, WEIGHTS_ONLY_TEXT_MANY } from './weights-only.js';

/** Names a folded finding's message shows; the evidence lists up to LISTED, and the count says how many in all. */
const SHOWN = 10;
const LISTED = 50;

/**
 * One CPI002 per file or archive member (one finding per cause): a pickle importing ten thousand distinct names
 * nobody listed gave ten thousand warnings, and the few dangerous globals beside them (CPI001, CPI100, each still
 * its own finding) were lost in the list. Two or more unlisted globals of one place become one finding naming the
 * first of them — called ones first, as the ones that do something while loading — with the count. A place with one
 * unlisted global keeps its finding as it was, message, evidence and fingerprint.
 *
 * Run on the stage's findings after the supersessions (torch-package-shipped.ts drops the CPI002 of a class the
 * archive ships by its `global`), so that still goes name by name. The folded findings come after the others
 * (groupCauses), each place's in the order of its first finding, so the cross-file grouping (causes.ts) still meets
 * the files in path order; the report sorts the findings (apply-policy.ts).
 */
export function foldUnknownGlobals(findings: readonly Finding[]): Finding[] {
  const placeOf = (f: Finding): string | undefined =>
    f.ruleId === 'CPI002' && typeof f.evidence?.['global'] === 'string'
      ? `${f.location.path}\0${f.location.member ?? ''}\0${f.level ?? ''}`
      : undefined;
  return groupCauses(findings, placeOf, () => 2, fold) ?? [...findings];
}

const nameOf = (f: Finding): string => String(f.evidence!['global']);
const isCalled = (f: Finding): boolean => f.evidence?.['calls'] !== undefined;

function fold(list: readonly Finding[]): Finding {
  const first = list[0]!;
  const where = whereOf(first);
  const ordered = [...list].sort(
    (a, b) => Number(isCalled(b)) - Number(isCalled(a)) || byCodePoint(nameOf(a), nameOf(b)),
  );
  const names = [...new Set(ordered.map(nameOf))];
  const called = new Set(ordered.filter(isCalled).map(nameOf)).size;
  const refused = list.filter((f) => f.evidence?.['torchLoad'] !== undefined).length;
  const calledText = called > 0 ? ` (${called} of them called while loading)` : '';
  return {
    ruleId: 'CPI002',
    message: `${where}: the pickle imports ${names.length} globals that are not on the safe list${calledText}: ${listedWithMore(
      names.map((n) => `\`${n}\``),
      SHOWN,
    )}. Check them and add the ones you trust to models.allowedGlobals (\`module.*\` covers a module).${refusedText(refused, list.length)}`,
    location: first.location,
    ...(first.level !== undefined ? { level: first.level } : {}),
    ...(first.artifact !== undefined ? { artifact: first.artifact } : {}),
    evidence: {
      globals: names.slice(0, LISTED).join(','),
      globalCount: names.length,
      ...(called > 0 ? { called } : {}),
      // Which names, all of them, in few bytes: two files are the same cause across files (causes.ts) only when
      // every name agrees, not just the listed ones.
      namesSha256: hash('sha256', [...names].sort(byCodePoint).join('\n'), 'hex'),
      ...(refused === list.length ? WEIGHTS_ONLY_REFUSED : {}),
      ...(refused > 0 && refused < list.length
        ? { torchLoad: `${WEIGHTS_ONLY_REFUSED.torchLoad} (${refused} of ${list.length})` }
        : {}),
    },
  };
}

/** torch.load's refusal (verdict.ts): of every name (a torch checkpoint), or of some (torch.distributed's allowed). */
function refusedText(refused: number, of: number): string {
  if (refused === 0) return '';
  if (refused === of) return ` ${WEIGHTS_ONLY_TEXT_MANY}`;
  return ` ${WEIGHTS_ONLY_TEXT_MANY.replace(/^torch\.load refuses these globals/, `torch.load refuses ${refused} of them`)}`;
}
