/**
 * PEP 508 environment markers, evaluated in three values for a partly known environment: a variable the
 * environment does not give (`extra`, `python_version`, …) is unknown, and so is any comparison on it. Enough to
 * tell whether a package can be installed on a platform at all (`sys_platform == 'win32'` is false on Linux), as
 * `packaging.markers.Marker.evaluate` would for any Python version and extra. Text that does not parse is unknown.
 */
export type Tri = true | false | undefined;

/** Marker variables of one platform or interpreter; the others are unknown. */
export type MarkerEnv = Readonly<Record<string, string>>;

const TOKEN = /\s*(?:(\()|(\))|'([^']*)'|"([^"]*)"|(===|==|!=|<=|>=|~=|<|>)|(not\s+in\b)|([A-Za-z_][A-Za-z0-9_.]*))/y;

type Tok =
  | { readonly k: 'open' | 'close' }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'op'; readonly v: string }
  | { readonly k: 'word'; readonly v: string };

function tokenize(text: string): Tok[] | undefined {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(text);
    if (!m) return undefined;
    if (m[1] !== undefined) out.push({ k: 'open' });
    else if (m[2] !== undefined) out.push({ k: 'close' });
    else if (m[3] !== undefined || m[4] !== undefined) out.push({ k: 'str', v: m[3] ?? m[4]! });
    else if (m[5] !== undefined) out.push({ k: 'op', v: m[5] });
    else if (m[6] !== undefined) out.push({ k: 'op', v: 'not in' });
    else out.push({ k: 'word', v: m[7]! });
  }
  return out;
}

/** Evaluate `text` in `env`; undefined when the answer depends on what `env` does not say (or it does not parse). */
export function evaluateMarker(text: string, env: MarkerEnv): Tri {
  const toks = tokenize(text);
  if (!toks || toks.length > 10_000) return undefined;
  let i = 0;
  const or3 = (a: Tri, b: Tri): Tri =>
    a === true || b === true ? true : a === false && b === false ? false : undefined;
  const and3 = (a: Tri, b: Tri): Tri =>
    a === false || b === false ? false : a === true && b === true ? true : undefined;
  /** `operand (word operand)*`, folded with `combine`; null when the text does not parse. */
  const joined =
    (word: string, operand: (depth: number) => Tri | null, combine: (a: Tri, b: Tri) => Tri) =>
    (depth: number): Tri | null => {
      let acc = operand(depth);
      while (acc !== null && toks[i]?.k === 'word' && (toks[i] as { v: string }).v === word) {
        i++;
        const next = operand(depth);
        if (next === null) return null;
        acc = combine(acc, next);
      }
      return acc;
    };
  const andExpr = joined('and', (depth) => atom(depth), and3);
  const orExpr = joined('or', andExpr, or3);
  const value = (): { known: boolean; v: string } | null => {
    const t = toks[i++];
    if (t?.k === 'str') return { known: true, v: t.v };
    if (t?.k === 'word' && t.v !== 'and' && t.v !== 'or' && t.v !== 'in' && t.v !== 'not') {
      const v = env[t.v];
      return v === undefined ? { known: false, v: '' } : { known: true, v };
    }
    return null;
  };
  const atom = (depth: number): Tri | null => {
    if (depth > 64) return null;
    if (toks[i]?.k === 'open') {
      i++;
      const r = orExpr(depth + 1);
      if (toks[i++]?.k !== 'close') return null;
      return r;
    }
    const left = value();
    const t = toks[i++];
    const op = t?.k === 'op' ? t.v : t?.k === 'word' && t.v === 'in' ? 'in' : undefined;
    const right = value();
    if (!left || !right || op === undefined) return null;
    if (!left.known || !right.known) return undefined;
    return compare(left.v, op, right.v);
  };
  const r = orExpr(0);
  return r === null || i !== toks.length ? undefined : r;
}

/**
 * packaging's `_eval_op`: when `op` and the right side make a PEP 440 `Specifier`, the left side is a version it
 * contains (`python_version < "3.10"` orders 3.9 before 3.10, `== "3.*"` is a prefix match); otherwise `in`, `not
 * in`, `==`, `!=` compare strings (`sys_platform == "win32"`). Only plain releases (`3`, `3.10`, `3.*`) are ordered
 * here: pre-, post- and dev-releases, local versions and epochs (whose rules packaging's versions disagree on) are
 * unknown, as is anything packaging would compare as strings but by equality.
 */
function compare(left: string, op: string, right: string): Tri {
  if (op === 'in') return right.includes(left);
  if (op === 'not in') return !right.includes(left);
  // `===` compares packaging's normal form of the left side (`3.08` is `3.8`): only the same text is sure.
  if (op === '===') return left === right ? true : undefined;
  // A right side that cannot start a version (PEP 440 `v?N…`, blanks around it allowed) makes no Specifier.
  if (!/^\s*v?\d/i.test(right)) return op === '==' ? left === right : op === '!=' ? left !== right : undefined;
  return compareReleases(left.trim(), op, right.trim());
}

const RELEASE = /^\d+(?:\.\d+)*$/;

/** packaging's `Specifier` operators on plain releases, `.*` after `==` / `!=` only; undefined for anything else. */
function compareReleases(left: string, op: string, right: string): Tri {
  const wildcard = right.endsWith('.*');
  const spec = wildcard ? right.slice(0, -2) : right;
  if (!RELEASE.test(left) || !RELEASE.test(spec) || (wildcard && op !== '==' && op !== '!=')) return undefined;
  const a = left.split('.').map(Number);
  const b = spec.split('.').map(Number);
  const order = (x: readonly number[], y: readonly number[]) => {
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const d = (x[i] ?? 0) - (y[i] ?? 0);
      if (d !== 0) return Math.sign(d);
    }
    return 0;
  };
  // `_compare_equal` with `.*`: the left side's release, padded, cut to the prefix's length.
  const equal = wildcard
    ? order(
        b.map((_, i) => a[i] ?? 0),
        b,
      ) === 0
    : order(a, b) === 0;
  switch (op) {
    case '==':
      return equal;
    case '!=':
      return !equal;
    case '<':
      return order(a, b) < 0;
    case '<=':
      return order(a, b) <= 0;
    case '>':
      return order(a, b) > 0;
    case '>=':
      return order(a, b) >= 0;
    case '~=':
      // `_compare_compatible`: `>= V` and `== V` without its last part, `.*`; V needs two parts.
      return b.length < 2
        ? undefined
        : order(a, b) >= 0 &&
            order(
              b.slice(0, -1).map((_, i) => a[i] ?? 0),
              b.slice(0, -1),
            ) === 0;
    default:
      return undefined;
  }
}

/**
 * Whether a requirement is skipped on every CPython 3 from `oldest` on, whatever the platform: pip's
 * `InstallRequirement.match_markers` evaluates a requirement line's markers with `extra` empty (no extra is asked
 * for a root requirement) and the resolver ignores the line when they are false (`Factory.collect_root_requirements`:
 * "markers … don't match your environment"), so it is never downloaded, hashed or installed there. Newer minors
 * than 3.14 count too (`python_version >= "3.15"`). A marker naming too many numbers to try is not decided.
 */
export function excludedOnEveryPython(markers: string, oldest: number): boolean {
  const runs = markers.match(/\d+/g) ?? [];
  if (runs.some((run) => run.length > 6)) return false;
  // The answer changes only at a number the marker names, or one a number of it starts with (`"3.15" in "3.150"`):
  // the minor after each such point stands for every minor up to the next one.
  const minors = new Set([oldest]);
  for (const run of runs) {
    for (let i = 1; i <= run.length; i++) {
      const point = Number(run.slice(0, i));
      for (const m of [point, point + 1]) if (m >= oldest) minors.add(m);
    }
  }
  if (minors.size > 64) return false;
  return [...minors].every((m) => evaluateMarker(markers, { python_version: `3.${m}`, extra: '' }) === false);
}
