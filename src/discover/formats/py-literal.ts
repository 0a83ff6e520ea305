/**
 * A bounded reader for the Python literals `ast.literal_eval` accepts in a .npy header: strings, integers, floats,
 * True/False/None, tuples, lists and dicts. A dict with a repeated key keeps the LAST value, as a Python dict
 * display does. Iterative over an explicit stack, so hostile nesting costs no call-stack depth.
 */
export type PyLiteral =
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'int'; readonly v: number }
  | { readonly k: 'float'; readonly v: number }
  | { readonly k: 'const'; readonly v: boolean | null }
  | { readonly k: 'tuple' | 'list'; readonly items: PyLiteral[] }
  | { readonly k: 'dict'; readonly entries: Map<string, PyLiteral>; readonly duplicates: string[] };

const MAX_DEPTH = 64;

type Frame =
  | { kind: 'tuple' | 'list'; items: PyLiteral[]; close: string }
  | { kind: 'dict'; entries: Map<string, PyLiteral>; duplicates: string[]; key: string | undefined };

/** Parse `text` as one literal; returns a reason string when it is not one `literal_eval` would accept. */
export function parsePyLiteral(text: string): PyLiteral | string {
  let p = 0;
  const stack: Frame[] = [];
  const ws = (): void => {
    while (p < text.length && ' \t\n\r'.includes(text[p]!)) p++;
  };
  let done: PyLiteral | undefined;
  const emit = (v: PyLiteral): string | undefined => {
    const top = stack[stack.length - 1];
    if (!top) {
      done = v;
      return undefined;
    }
    if (top.kind !== 'dict') top.items.push(v);
    else if (top.key === undefined) {
      if (v.k !== 'str') return 'dict key is not a string';
      top.key = v.v;
      ws();
      if (text[p] !== ':') return 'expected ":" in dict';
      p++;
    } else {
      if (top.entries.has(top.key)) top.duplicates.push(top.key);
      top.entries.delete(top.key); // re-insert: a Python dict keeps the first key's position, the last value
      top.entries.set(top.key, v);
      top.key = undefined;
    }
    return undefined;
  };
  for (;;) {
    ws();
    if (done !== undefined) return p === text.length ? done : 'trailing characters after the literal';
    const c = text[p];
    if (c === undefined) return 'literal ends early';
    const top = stack[stack.length - 1];
    // Separators and closers.
    if (top && (c === ',' || c === ')' || c === ']' || c === '}')) {
      if (c === ',') {
        p++;
        continue;
      }
      p++;
      const want = top.kind === 'dict' ? '}' : top.close;
      if (c !== want) return `unexpected "${c}"`;
      stack.pop();
      const v: PyLiteral =
        top.kind === 'dict'
          ? top.key !== undefined
            ? { k: 'dict', entries: new Map(), duplicates: [] } // a dangling key: reported below
            : { k: 'dict', entries: top.entries, duplicates: top.duplicates }
          : { k: top.kind, items: top.items };
      if (top.kind === 'dict' && top.key !== undefined) return 'dict key without a value';
      const err = emit(v);
      if (err) return err;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      if (stack.length >= MAX_DEPTH) return 'literal nests too deeply';
      p++;
      stack.push(
        c === '{'
          ? { kind: 'dict', entries: new Map(), duplicates: [], key: undefined }
          : { kind: c === '(' ? 'tuple' : 'list', items: [], close: c === '(' ? ')' : ']' },
      );
      continue;
    }
    const atom = readAtom();
    if (typeof atom === 'string') return atom;
    const err = emit(atom);
    if (err) return err;
  }

  function readAtom(): PyLiteral | string {
    const c = text[p]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, p + 1);
      if (end < 0) return 'unterminated string';
      const raw = text.slice(p + 1, end);
      if (raw.includes('\\') || raw.includes('\n')) return 'string escapes are not supported in a .npy header';
      p = end + 1;
      return { k: 'str', v: raw };
    }
    const m = /^(?:True|False|None|[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+))/.exec(text.slice(p, p + 64));
    if (!m) return `unexpected "${c}"`;
    p += m[0].length;
    if (m[0] === 'True' || m[0] === 'False') return { k: 'const', v: m[0] === 'True' };
    if (m[0] === 'None') return { k: 'const', v: null };
    return /[.eE]/.test(m[0]) ? { k: 'float', v: Number(m[0]) } : { k: 'int', v: Number(m[0]) };
  }
}
