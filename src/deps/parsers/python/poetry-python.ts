/**
 * poetry.lock's `[metadata] python-versions` (the project's `python` constraint, which `Locker._get_lock_data` writes
 * as poetry-core prints it) as a PEP 440 specifier set, so the wheel check can narrow the Pythons the lock is for.
 * Read as poetry-core `parse_constraint` / `parse_single_constraint` read it: `,` or a space joins, `^` is a caret
 * range up to `Version.next_breaking`, `~` (not `~=`) a tilde range, `3.10.*` an X range, a bare version exact.
 * A union (`||` / `|`) has no PEP 440 form and anything else unrecognised is not guessed at: undefined, so every
 * CPython 3 minor stays in range, as for a lock that records no Python.
 */
export function poetryPythonSpecifier(constraint: string | undefined): string | undefined {
  const text = constraint?.trim().replace(/,+$/, '').trim() ?? '';
  if (text === '' || /\|/.test(text)) return undefined;
  // `>= 3.8` is one term: poetry-core's and-split never splits after an operator.
  const terms = text.replace(/(<>|[<>=!~^]=?=?)\s+/g, '$1').split(/[\s,]+/);
  const out: string[] = [];
  for (const term of terms) {
    const specs = termSpecifiers(term);
    if (specs === undefined) return undefined;
    out.push(...specs);
  }
  return out.length > 0 ? out.join(',') : undefined;
}

const RELEASE = String.raw`v?(\d+(?:\.\d+)*)`;

/** One poetry-core single constraint as PEP 440 clauses; [] for any version, undefined when not recognised. */
function termSpecifiers(term: string): string[] | undefined {
  if (/^v?[x*](\.[x*])*$/i.test(term)) return [];
  const tilde = new RegExp(`^~(?!=)${RELEASE}$`).exec(term);
  if (tilde !== null) return [`>=${tilde[1]!}`, `<${tildeUpper(tilde[1]!)}`];
  const caret = new RegExp(`^\\^${RELEASE}$`).exec(term);
  if (caret !== null) return [`>=${caret[1]!}`, `<${nextBreaking(caret[1]!)}`];
  const xRange = /^(==|!=)?v?(\d+(?:\.\d+){0,2})(?:\.[x*])+$/i.exec(term);
  if (xRange !== null) return [`${xRange[1] ?? '=='}${xRange[2]!}.*`];
  const basic = new RegExp(`^(<>|!=|~=|>=?|<=?|==?)?${RELEASE}$`).exec(term);
  if (basic === null) return undefined;
  const op = basic[1] === undefined || basic[1] === '=' ? '==' : basic[1] === '<>' ? '!=' : basic[1];
  return [`${op}${basic[2]!}`];
}

/** poetry-core `parse_single_constraint` tilde: the next minor, or the next major when only a major is given. */
function tildeUpper(version: string): string {
  const [major, minor] = version.split('.').map(Number);
  return minor === undefined ? `${major! + 1}` : `${major!}.${minor + 1}`;
}

/** poetry-core `Version.next_breaking`: the next major, unless the major is 0 (then the next minor, or patch). */
function nextBreaking(version: string): string {
  const [major, minor, patch] = version.split('.').map(Number);
  if (major! > 0 || minor === undefined) return `${major! + 1}`;
  if (minor > 0 || patch === undefined) return `0.${minor + 1}`;
  return `0.0.${patch + 1}`;
}
