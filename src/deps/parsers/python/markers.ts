/**
 * PEP 508 environment markers, evaluated in three values for a partly known environment: a variable the
 * environment does not give (`extra`, `python_version`, …) is unknown, and so is any comparison on it. Enough to
 * tell whether a package can be installed on a platform at all (`sys_platform == 'win32'` is false on Linux), as
 * `packaging.markers.Marker.evaluate` would for any Python version and extra. Text that does not parse is unknown.
 */
export type Tri = true | false | undefined;

/** Marker variables of one platform; the others are unknown. */
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
    switch (op) {
      case '==':
      case '===':
        return left.v === right.v;
      case '!=':
        return left.v !== right.v;
      case 'in':
        return right.v.includes(left.v);
      case 'not in':
        return !right.v.includes(left.v);
      default:
        // Version comparisons are not needed for platforms; PEP 440 ordering is not reproduced here.
        return undefined;
    }
  };
  const r = orExpr(0);
  return r === null || i !== toks.length ? undefined : r;
}
