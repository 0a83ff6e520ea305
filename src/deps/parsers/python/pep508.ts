import picomatch from 'picomatch';

/** PEP 503: runs of `-`, `_`, `.` become one `-`, lower-cased — the name an index and pip compare. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/**
 * Policy project names or globs matched as PyPI and pip tell projects apart (`packaging.utils.canonicalize_name` on
 * both sides): `PyYAML`, `pyyaml` and `PYYAML` are one project, `Py_YAML` and `py-yaml` another, and `my.*` covers
 * `my-plugin`. A name matched as written would let `requireProvenance: [PyYAML]` require nothing of the locked
 * `pyyaml`.
 */
export function projectMatcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => false;
  const match = picomatch(patterns.map(normalizeName));
  return (name) => match(normalizeName(name));
}

/** A PEP 508 requirement, split as `packaging.requirements.Requirement` splits it. */
export interface Requirement {
  readonly name: string;
  readonly extras: readonly string[];
  /** Version specifier without parentheses, '' when none. */
  readonly specifier: string;
  /** The URL of a `name @ url` requirement. */
  readonly url?: string;
  readonly markers?: string;
}

// PEP 508 names: letters/digits, with `.`, `-`, `_` inside.
const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*/;

/**
 * One clause of a version specifier as packaging's tokenizer reads it (`SPECIFIER`): an operator, optional white
 * space, then a version holding none — `==1.0 bar` or `===1 .0` is no requirement (pip: InvalidRequirement, the whole
 * file refused), not the version `1.0bar`.
 */
const CLAUSE = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*[^\s,;()]+\s*$/;

/**
 * Parse `name[extras] specifier ; markers` or `name[extras] @ url ; markers`. Follows the grammar of PEP 508 as
 * `packaging.requirements.Requirement` does: for a URL requirement the marker must be preceded by whitespace
 * (a `;` inside a URL is part of it). Returns undefined when the text is not a requirement.
 */
export function parseRequirement(text: string): Requirement | undefined {
  const m = NAME.exec(text);
  if (!m) return undefined;
  const name = m[1]!;
  let rest = text.slice(m[0].length);
  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return undefined;
    extras = rest
      .slice(1, close)
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    rest = rest.slice(close + 1).trimStart();
  }
  if (rest.startsWith('@')) {
    const body = rest.slice(1).trimStart();
    const sep = /\s;/.exec(body);
    const url = (sep ? body.slice(0, sep.index) : body).trim();
    if (url === '') return undefined;
    const markers = sep ? body.slice(sep.index + 2).trim() : '';
    return { name, extras, specifier: '', url, ...(markers !== '' ? { markers } : {}) };
  }
  const semi = rest.indexOf(';');
  let spec = (semi < 0 ? rest : rest.slice(0, semi)).trim();
  const markers = semi < 0 ? '' : rest.slice(semi + 1).trim();
  if (spec.startsWith('(') && spec.endsWith(')')) spec = spec.slice(1, -1).trim();
  if (spec !== '' && !spec.split(',').every((clause) => CLAUSE.test(clause))) return undefined;
  return { name, extras, specifier: spec.replace(/\s+/g, ''), ...(markers !== '' ? { markers } : {}) };
}

/**
 * The one version a specifier allows, or '' when it allows more: `==1.2` and `===1.2` pin, `==1.*` does not
 * (PEP 440 prefix matching), neither does any range or a list of clauses.
 */
export function pinnedVersion(specifier: string): string {
  const m = /^(===?)([^,*]+)$/.exec(specifier.trim());
  return m ? m[2]!.trim() : '';
}
