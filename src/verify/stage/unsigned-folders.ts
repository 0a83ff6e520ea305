import { suppresses } from '../../core/apply-policy.js';
import type { Finding } from '../../core/finding.js';
import { groupCauses } from '../../core/group-causes.js';
import { byCodePoint } from '../../core/order.js';
import { listedWithMore } from '../../core/plural.js';
import type { Suppression } from '../../core/policy.js';

/** Files a folded CPS003 names in its message; the rest are counted. */
const SHOWN = 3;
/** Files a folded CPS003 lists as related locations (reporters show them; the count says the rest). */
const MAX_RELATED = 50;

/**
 * One CPS003 per folder: the unsigned files of one folder under the same requirements are one cause (nothing signs
 * the folder), fixed by one `model_signing sign <folder>`, not one finding per shard of a model. The finding sits at
 * the folder, so one more unsigned file keeps its fingerprint (`files` is a tally once `related` is set,
 * core/fingerprint.ts). A file a suppression names stays a finding of its own, as the other folds do
 * (findings.ts `foldUnchecked`), so no suppression hides more than it names. A file the scan could not read is not
 * foldable: its reason is its own. Files at the scan root are not folded (no folder to point at).
 */
export function foldUnsignedByFolder(
  findings: readonly Finding[],
  /** The foldable CPS003s, each with the requirements it breaks in words (setup.ts `policyWhere`, `registryWhere`). */
  foldable: ReadonlyMap<Finding, string>,
  suppressions: readonly Suppression[],
): Finding[] {
  const causeOf = (f: Finding): string | undefined => {
    if (!foldable.has(f)) return undefined;
    const folder = folderOf(f.location.path);
    if (folder === undefined || suppressions.some((s) => suppresses(s, f))) return undefined;
    return `${folder}\0${requirementKey(f)}`;
  };
  const ordered = [...findings].sort((a, b) => byCodePoint(a.location.path, b.location.path));
  const summarise = (list: readonly Finding[]) => folderFinding(list, foldable.get(list[0]!)!);
  return groupCauses(ordered, causeOf, () => 2, summarise) ?? [...findings];
}

const folderOf = (path: string): string | undefined => {
  const slash = path.lastIndexOf('/');
  return slash > 0 ? path.slice(0, slash) : undefined;
};

/** The requirements a finding breaks, as its evidence names them: files under other requirements are another cause. */
const requirementKey = (f: Finding): string =>
  ['requirement', 'registryEntry', 'expectedSigner'].map((k) => String(f.evidence?.[k] ?? '')).join('\0');

function folderFinding(list: readonly Finding[], where: string): Finding {
  const first = list[0]!;
  const folder = folderOf(first.location.path)!;
  const paths = list.map((f) => f.location.path);
  const names = paths.map((p) => p.slice(folder.length + 1));
  return {
    ruleId: 'CPS003',
    message: `${list.length} files in ${folder}/ must be signed (${where}) but no signature covers them: ${listedWithMore(names, SHOWN)}. Sign the folder (model_signing sign ${folder}) or each file (cosign sign-blob --bundle <file>.sigstore.json <file>) and commit the signatures.`,
    location: { path: folder },
    artifact: { kind: 'file', path: folder },
    evidence: { ...first.evidence, files: list.length },
    related: paths.slice(0, MAX_RELATED).map((path) => ({ path })),
    members: list,
  };
}
