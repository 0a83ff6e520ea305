import { readNumberAtom, readStringAtom } from './py-tokens.js';

/**
 * A bounded reader for the Python literals `ast.literal_eval` accepts (numpy's `safe_eval` of a .npy header):
 * strings and bytes (prefixes, escapes, implicit concatenation), numbers with an optional sign (and `a+bj`),
 * True/False/None, tuples, lists, sets and dicts with any hashable keys. A dict with a repeated key keeps the first
 * key's position and the LAST value, as a Python dict display does. Iterative over an explicit stack, so hostile
 * nesting costs no call-stack depth. Attacker-controlled text: every form not read here is a reason string.
 */
export type PyLiteral =
  | { readonly k: 'str' | 'bytes'; readonly v: string }
  | { readonly k: 'int' | 'float' | 'complex'; readonly v: number }
  | { readonly k: 'const'; readonly v: boolean | null }
  | { readonly k: 'tuple' | 'list' | 'set'; readonly items: PyLiteral[] }
  | { readonly k: 'dict'; readonly entries: Map<string, DictEntry>; readonly duplicates: string[] };

export interface DictEntry {
  readonly key: PyLiteral;
  readonly value: PyLiteral;
}

export interface LiteralOptions {
  /** Drop a Python 2 `L` after a number first (numpy `format._filter_header`, for .npy versions 1.0 and 2.0). */
  readonly py2Long?: boolean;
}

const MAX_DEPTH = 64;

type Expect = 'item' | 'sep' | 'colon' | 'value';
type Frame =
  | { kind: 'paren' | 'list'; items: PyLiteral[]; expect: Expect; comma: boolean }
  | {
      kind: 'brace';
      mode?: 'dict' | 'set';
      items: PyLiteral[];
      dict: DictBuild;
      expect: Expect;
      key?: PyLiteral | undefined;
    };
interface DictBuild {
  entries: Map<string, DictEntry>;
  duplicates: string[];
}

/** The identity of a hashable literal as a dict key or set element (`1 == 1.0 == True`); undefined: unhashable. */
export function keyOf(v: PyLiteral): string | undefined {
  switch (v.k) {
    case 'str':
    case 'bytes':
      return `${v.k[0]}${v.v}`;
    case 'int':
    case 'float':
    case 'complex':
      return Number.isInteger(v.v) && v.k !== 'complex' ? `n${v.v}` : `${v.k[0]}${v.v}`;
    case 'const':
      return v.v === null ? 'N' : `n${v.v ? 1 : 0}`;
    case 'tuple': {
      const keys = v.items.map(keyOf);
      return keys.every((x) => x !== undefined) ? `t${JSON.stringify(keys)}` : undefined;
    }
    case 'list':
    case 'set':
    case 'dict':
      return undefined;
  }
}

/** The value of a dict's string key. */
export function entryOf(dict: Extract<PyLiteral, { k: 'dict' }>, name: string): PyLiteral | undefined {
  return dict.entries.get(keyOf({ k: 'str', v: name })!)?.value;
}

/** Parse `text` as one literal; returns a reason string when it is not one `literal_eval` would accept. */
export function parsePyLiteral(text: string, opts: LiteralOptions = {}): PyLiteral | string {
  let p = 0;
  const stack: Frame[] = [];
  let done: PyLiteral | undefined;
  const ws = (): void => {
    for (;;) {
      if (p < text.length && ' \t\n\r\f'.includes(text[p]!)) p++;
      else if (text[p] === '\\' && text[p + 1] === '\n') p += 2;
      else if (text[p] === '#') while (p < text.length && text[p] !== '\n') p++;
      else return;
    }
  };
  const emit = (v: PyLiteral): string | undefined => {
    const top = stack.at(-1);
    if (!top) {
      done = v;
      return undefined;
    }
    if (top.expect !== 'item' && top.expect !== 'value') return 'missing ","';
    top.expect = 'sep';
    if (top.kind !== 'brace') {
      top.items.push(v);
      return undefined;
    }
    if (top.key !== undefined) return putEntry(top.dict, top.key, v, () => (top.key = undefined));
    ws();
    const isKey = text[p] === ':';
    if (top.mode === (isKey ? 'set' : 'dict')) return isKey ? 'unexpected ":"' : 'expected ":" in dict';
    top.mode = isKey ? 'dict' : 'set';
    if (keyOf(v) === undefined) return 'unhashable dict key or set element';
    if (isKey) {
      p++;
      top.key = v;
      top.expect = 'value';
    } else if (!top.items.some((x) => keyOf(x) === keyOf(v))) top.items.push(v);
    return undefined;
  };
  for (;;) {
    ws();
    if (done !== undefined) return p === text.length ? done : 'trailing characters after the literal';
    const c = text[p];
    if (c === undefined) return 'literal ends early';
    const top = stack.at(-1);
    if (top && c === ',') {
      if (top.expect !== 'sep') return 'unexpected ","';
      top.expect = 'item';
      if (top.kind === 'paren') top.comma = true;
      p++;
      continue;
    }
    if (top && (c === ')' || c === ']' || c === '}')) {
      p++;
      const closed = close(top, c);
      if (typeof closed === 'string') return closed;
      stack.pop();
      const err = emit(closed);
      if (err) return err;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      if (top && top.expect !== 'item' && top.expect !== 'value') return 'missing ","';
      if (stack.length >= MAX_DEPTH) return 'literal nests too deeply';
      p++;
      stack.push(
        c === '{'
          ? { kind: 'brace', items: [], dict: { entries: new Map(), duplicates: [] }, expect: 'item' }
          : { kind: c === '(' ? 'paren' : 'list', items: [], expect: 'item', comma: false },
      );
      continue;
    }
    const atom = readValue();
    if (typeof atom === 'string') return atom;
    const err = emit(atom);
    if (err) return err;
  }

  /** A string (with adjacent ones joined), a signed number or complex sum, or a name. */
  function readValue(): PyLiteral | string {
    const s = readStringAtom(text, p);
    if (s !== undefined) {
      if (typeof s === 'string') return s;
      const k = s.k;
      let v = s.v;
      p = s.end;
      for (;;) {
        const at = p;
        ws();
        const next = readStringAtom(text, p);
        if (next === undefined) {
          p = at;
          return { k, v };
        }
        if (typeof next === 'string') return next;
        if (next.k !== k) return 'cannot mix bytes and nonbytes literals';
        v += next.v;
        p = next.end;
      }
    }
    const name = /^[A-Za-z_]\w*/.exec(text.slice(p, p + 64))?.[0];
    if (name !== undefined) {
      p += name.length;
      if (name === 'True' || name === 'False') return { k: 'const', v: name === 'True' };
      if (name === 'None') return { k: 'const', v: null };
      return `name ${JSON.stringify(name)} is not a literal`;
    }
    const left = readSigned();
    if (typeof left === 'string') return left;
    // `a+bj` / `a-bj`: a real, then an unsigned imaginary number (`literal_eval`'s BinOp rule).
    const at = p;
    ws();
    const op = text[p];
    if ((op === '+' || op === '-') && left.k !== 'complex') {
      p++;
      ws();
      const right = readNumber();
      if (typeof right !== 'string' && right.k === 'complex') return { k: 'complex', v: right.v };
      return typeof right === 'string' ? right : 'only a complex number may be added to a number';
    }
    p = at;
    return left;
  }

  function readSigned(): Extract<PyLiteral, { k: 'int' | 'float' | 'complex' }> | string {
    const sign = text[p] === '-' ? -1 : 1;
    if (text[p] === '-' || text[p] === '+') {
      p++;
      ws();
    }
    const n = readNumber();
    return typeof n === 'string' ? n : { k: n.k, v: sign * n.v };
  }

  function readNumber(): Extract<PyLiteral, { k: 'int' | 'float' | 'complex' }> | string {
    const n = readNumberAtom(text, p);
    if (n === undefined) return `unexpected ${JSON.stringify(text[p])}`;
    if (typeof n === 'string') return n;
    p = n.end;
    // `_filter_header` drops a NAME token `L` right after a NUMBER token (spaces between are no token).
    const long = /^[ \t]*L(?![\w])/.exec(text.slice(p, p + 256));
    if (opts.py2Long === true && long) p += long[0].length;
    if (/^\w/.test(text.slice(p, p + 1))) return 'invalid number';
    return { k: n.k, v: n.v };
  }
}

function putEntry(dict: DictBuild, key: PyLiteral, value: PyLiteral, done: () => void): undefined {
  const id = keyOf(key)!;
  const prior = dict.entries.get(id);
  if (prior) dict.duplicates.push(key.k === 'str' ? key.v : id);
  // The first key object stays (and its position); the last value wins.
  dict.entries.set(id, { key: prior?.key ?? key, value });
  done();
  return undefined;
}

function close(top: Frame, c: string): PyLiteral | string {
  const want = top.kind === 'paren' ? ')' : top.kind === 'list' ? ']' : '}';
  if (c !== want) return `unexpected "${c}"`;
  if (top.expect === 'colon' || top.expect === 'value') return 'dict key without a value';
  if (top.kind !== 'brace') {
    if (top.kind === 'list') return { k: 'list', items: top.items };
    // `(x)` is x itself; `()` and anything with a comma is a tuple.
    return top.items.length === 1 && !top.comma ? top.items[0]! : { k: 'tuple', items: top.items };
  }
  if (top.mode === 'set') return { k: 'set', items: top.items };
  return { k: 'dict', entries: top.dict.entries, duplicates: top.dict.duplicates };
}
