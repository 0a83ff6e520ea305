import { KEYWORDS, Unsure, type StringValue, type Token } from './python-tokens.js';
import { pythonInteger } from './syntax.js';

/**
 * Python expressions for python-reader.ts: a recursive-descent reader over one logical line's tokens that keeps
 * an expression's kind only where python-fast.ts's `evaluate` reads it (strings, names, booleans, `+`, parentheses)
 * and records every call with its callee and arguments. What it does not know throws `Unsure`.
 */
/** The expression nodes whose kind `evaluate` (python.ts) looks at; everything else is `other`. */
export type Node =
  | { readonly k: 'string'; readonly from: number; readonly value: StringValue }
  | { readonly k: 'strings'; readonly from: number; readonly parts: readonly StringValue[] }
  | { readonly k: 'name'; readonly from: number; readonly name: string }
  | { readonly k: 'bool'; readonly from: number; readonly text: string }
  | { readonly k: 'plus'; readonly from: number; readonly left: Node; readonly right: Node }
  | { readonly k: 'paren'; readonly from: number; readonly inner: Node }
  | { readonly k: 'call'; readonly from: number; readonly callee: Node; readonly args: readonly Arg[] }
  | { readonly k: 'dict'; readonly from: number; readonly items: readonly DictItem[] }
  | { readonly k: 'attribute'; readonly from: number; readonly object: Node; readonly property: string }
  | { readonly k: 'choice'; readonly from: number; readonly options: readonly [Node, Node]; readonly test: Node }
  | { readonly k: 'or'; readonly from: number; readonly left: Node; readonly right: Node }
  | { readonly k: 'index'; readonly from: number; readonly object: Node; readonly key: Node }
  /**
   * `items`: a list or tuple display's items (a `for` over them, python-reader.ts `loops`); `integer`: an integer
   * literal, signed or not (`0`, `-1`: an index, syntax.ts `pythonInteger`).
   */
  | {
      readonly k: 'other';
      readonly from: number;
      readonly none?: true;
      readonly items?: readonly Node[];
      readonly integer?: number;
      /** A number literal, signed or not (`0.5`, `-1`): no key of a dict or list constant's candidates. */
      readonly numeric?: true;
      /** A tuple display in parentheses (`items`): `%`'s values one by one. */
      readonly tuple?: true;
      /** `left % right`: Python's printf-style formatting when `left` is a string (syntax.ts `pythonPercent`). */
      readonly percent?: { readonly left: Node; readonly right: Node };
      /** A comparison or `not`: a bool made at run time, never a string (python.ts `isTruthValue`). */
      readonly truth?: true;
      /** `x and y`: its operands (python-fast.ts `Values.truth`). */
      readonly and?: readonly [Node, Node];
      /** `not x`: its operand (python-fast.ts `Values.truth`). */
      readonly negated?: Node;
      /** `left == right` / `left != right`, not chained: python.ts `comparedDefault` reads it. */
      readonly compare?: { readonly left: Node; readonly op: '==' | '!='; readonly right: Node };
    };

export type Arg =
  | { readonly k: 'keyword'; readonly name: string; readonly value: Node }
  | { readonly k: 'splat'; readonly double: boolean; readonly value: Node }
  | { readonly k: 'positional'; readonly value: Node };

/** An item of a dict display: `key: value`, or `**other`. */
export type DictItem =
  { readonly k: 'pair'; readonly key: Node; readonly value: Node } | { readonly k: 'spread'; readonly value: Node };

export interface Call {
  readonly from: number;
  readonly to: number;
  readonly callee: Node;
  readonly args: readonly Arg[];
}

/** Binary operators by precedence level, loosest first (`or`, `and` and comparisons are handled apart). */
const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['|'],
  ['^'],
  ['&'],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '//', '%', '@'],
];
/** Each binary operator's level in BINARY_LEVELS. */
const BINARY_LEVEL: ReadonlyMap<string, number> = new Map(
  BINARY_LEVELS.flatMap((ops, level) => ops.map((op) => [op, level] as const)),
);
const COMPARISONS = new Set(['<', '>', '==', '>=', '<=', '!=', 'in', 'not', 'is']);
export const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '@=', '&=', '|=', '^=', '>>=', '<<=', '**=']);

export class ExpressionReader {
  readonly calls: Call[] = [];
  protected toks: Token[] = [];
  protected p = 0;

  constructor(protected readonly text: string) {}

  // ---- expressions ----

  /** Comma-separated expressions (a tuple without brackets, or one expression). */
  protected list(item: () => Node): { items: Node[]; comma: boolean } {
    const items = [item()];
    let comma = false;
    while (this.eat(',')) {
      comma = true;
      if (this.atListEnd()) break;
      items.push(item());
    }
    return { items, comma };
  }

  protected atListEnd(): boolean {
    // Past the last token, or before a closing token; a string or a number (no `peekText`) starts another item.
    if (this.p >= this.toks.length) return true;
    const t = this.peekText();
    return t !== undefined && ([';', '=', ')', ']', '}', ':'].includes(t) || AUGMENTED.has(t));
  }

  protected expression(): Node {
    const from = this.here();
    const n = this.or();
    if (this.eatWord('if')) {
      const test = this.or();
      if (!this.eatWord('else')) throw new Unsure();
      // `a if c else b`: one of the two (python.ts `candidatesOf`); `a if a else b` is `a or b` (python.ts `envOf`).
      return { k: 'choice', from, options: [n, this.expression()], test };
    }
    return n;
  }

  protected or(): Node {
    const from = this.here();
    let n = this.and();
    // Left to right, as lezer nests BinaryExpression (python-env.ts `orDefault` reads it).
    while (this.eatWord('or')) n = { k: 'or', from, left: n, right: this.and() };
    return n;
  }

  protected and(): Node {
    const from = this.here();
    let n = this.not();
    while (this.eatWord('and')) n = { k: 'other', from, and: [n, this.not()] };
    return n;
  }

  protected not(): Node {
    const from = this.here();
    if (this.eatWord('not')) {
      const negated = this.not();
      return { k: 'other', from, truth: true, negated };
    }
    let n = this.binary(0);
    let first = true;
    for (let op = this.peekText(); op !== undefined && COMPARISONS.has(op); op = this.peekText()) {
      this.p++;
      if (op === 'not' && !this.eatWord('in')) throw new Unsure();
      if (op === 'is') this.eatWord('not');
      const right = this.binary(0);
      // A chain (`a == b == c`) is no one comparison: its second link keeps no operands.
      const equality: '==' | '!=' | undefined = op === '==' || op === '!=' ? op : undefined;
      const compare = first && equality ? { left: n, op: equality, right } : undefined;
      n = { k: 'other', from, truth: true, ...(compare ? { compare } : {}) };
      first = false;
    }
    return n;
  }

  /**
   * Left-associative binary operators of BINARY_LEVELS[level] and tighter; only `+` keeps its operands. Precedence
   * climbing: one call per operand, not one per level (a level's call for every name and literal was most of the
   * reader's time, run interpreted on the few statements of each file that it reads). The tree is the one a call per
   * level builds: an operator's right operand is read from the next level up.
   */
  protected binary(level: number): Node {
    const from = this.here();
    let n = this.unary();
    for (;;) {
      const op = this.peekText();
      const at = op === undefined ? undefined : BINARY_LEVEL.get(op);
      if (at === undefined || at < level) return n;
      this.p++;
      const right = this.binary(at + 1);
      n =
        op === '+'
          ? { k: 'plus', from, left: n, right }
          : op === '%'
            ? { k: 'other', from, percent: { left: n, right } }
            : { k: 'other', from };
    }
  }

  protected unary(): Node {
    const from = this.here();
    const op = this.peekText();
    if (op === '-' || op === '+' || op === '~') {
      this.p++;
      // `-1`: a sign right before an integer literal (python.ts: a UnaryExpression of an ArithOp and a Number).
      const number = this.peek()?.t === 'number';
      const operand = this.unary();
      const numeric = op !== '~' && number && operand.k === 'other' && operand.numeric === true;
      if (!numeric) return { k: 'other', from };
      const integer = operand.k === 'other' ? operand.integer : undefined;
      return integer === undefined
        ? { k: 'other', from, numeric }
        : { k: 'other', from, numeric, integer: op === '-' ? -integer : integer };
    }
    const n = this.primary();
    if (this.eat('**')) {
      this.unary();
      return { k: 'other', from };
    }
    return n;
  }

  protected primary(): Node {
    let n = this.atom();
    for (;;) {
      if (this.eat('.')) n = { k: 'attribute', from: n.from, object: n, property: this.nameToken() };
      else if (this.eat('(')) {
        const args = this.args(true);
        this.calls.push({ from: n.from, to: this.toks[this.p - 1]!.to, callee: n, args });
        n = { k: 'call', from: n.from, callee: n, args };
      } else if (this.eat('[')) {
        // `X[key]`, one expression: an item of a dict constant (python.ts `evaluate`, `candidatesOf`).
        const start = this.p;
        this.subscript();
        const one = this.p - start >= 2 ? this.single(start, this.p - 1) : undefined;
        n = one ? { k: 'index', from: n.from, object: n, key: one } : { k: 'other', from: n.from };
      } else return n;
    }
  }

  /** An argument list after its `(`, through its `)`. */
  protected args(call: boolean): Arg[] {
    const out: Arg[] = [];
    while (!this.eat(')')) {
      const t = this.peek();
      if (this.peekText() === '*' || this.peekText() === '**') {
        const double = this.eat('**');
        if (!double) this.p++;
        out.push({ k: 'splat', double, value: this.expression() });
      } else if (t?.t === 'name' && !KEYWORDS.has(t.text) && isOp(this.toks[this.p + 1], '=')) {
        this.p += 2;
        out.push({ k: 'keyword', name: t.text, value: this.expression() });
      } else out.push({ k: 'positional', value: this.expression() });
      if (!this.eat(',')) this.expectNext(')');
    }
    return call ? out : [];
  }

  /** The one expression the tokens [from, to) hold (no slice, no tuple), read again; undefined for anything else. */
  private single(from: number, to: number): Node | undefined {
    const end = this.p;
    const calls = this.calls.length;
    this.p = from;
    try {
      const n = this.expression();
      return this.p === to ? n : undefined;
    } finally {
      // The calls in it were recorded on the first reading.
      this.calls.length = calls;
      this.p = end;
    }
  }

  protected subscript(): void {
    while (!this.eat(']')) {
      const t = this.peekText();
      if (t === ':' || t === ',') this.p++;
      else this.expression();
    }
  }

  protected atom(): Node {
    const t = this.peek();
    if (!t) throw new Unsure();
    const from = t.from;
    if (t.t === 'number') {
      this.p++;
      const integer = pythonInteger(this.text.slice(t.from, t.to));
      return integer === undefined ? { k: 'other', from, numeric: true } : { k: 'other', from, numeric: true, integer };
    }
    if (t.t === 'string') {
      const parts: StringValue[] = [];
      for (let s = this.peek(); s?.t === 'string'; s = this.peek()) {
        parts.push(s.value);
        this.p++;
      }
      return parts.length === 1 ? { k: 'string', from, value: parts[0]! } : { k: 'strings', from, parts };
    }
    if (t.t === 'name') {
      this.p++;
      if (t.text === 'True' || t.text === 'False') return { k: 'bool', from, text: t.text };
      if (t.text === 'None') return { k: 'other', from, none: true };
      if (KEYWORDS.has(t.text)) throw new Unsure();
      return { k: 'name', from, name: t.text };
    }
    this.p++;
    switch (t.text) {
      case '(': {
        if (this.eat(')')) return { k: 'other', from };
        const inner = this.list(() => this.expression());
        this.expect(')');
        return inner.items.length === 1 && !inner.comma
          ? { k: 'paren', from, inner: inner.items[0]! }
          : { k: 'other', from, items: inner.items, tuple: true };
      }
      case '[': {
        if (this.eat(']')) return { k: 'other', from, items: [] };
        const inner = this.list(() => this.expression());
        this.expect(']');
        return { k: 'other', from, items: inner.items };
      }
      case '{': {
        // A dict display keeps its items (python.ts `evaluateDict`); a set is `other`.
        const items: DictItem[] = [];
        let set = false;
        while (!this.eat('}')) {
          if (this.eat('**')) items.push({ k: 'spread', value: this.binary(0) });
          else {
            const key = this.expression();
            if (this.eat(':')) items.push({ k: 'pair', key, value: this.expression() });
            else set = true;
          }
          if (!this.eat(',')) this.expectNext('}');
        }
        return set ? { k: 'other', from } : { k: 'dict', from, items };
      }
      default:
        throw new Unsure();
    }
  }

  // ---- tokens ----

  protected peek(): Token | undefined {
    return this.toks[this.p];
  }

  protected peekText(): string | undefined {
    const t = this.toks[this.p];
    return t && (t.t === 'op' || t.t === 'name') ? t.text : undefined;
  }

  protected here(): number {
    const t = this.toks[this.p];
    if (!t) throw new Unsure();
    return t.from;
  }

  protected eat(op: string): boolean {
    const t = this.toks[this.p];
    if (t?.t !== 'op' || t.text !== op) return false;
    this.p++;
    return true;
  }

  protected eatWord(word: string): boolean {
    const t = this.toks[this.p];
    if (t?.t !== 'name' || t.text !== word) return false;
    this.p++;
    return true;
  }

  protected expect(op: string): void {
    if (!this.eat(op)) throw new Unsure();
  }

  /** The next token must be `op`, left for the caller's loop to take. */
  protected expectNext(op: string): void {
    if (!isOp(this.peek(), op)) throw new Unsure();
  }

  protected done(): void {
    if (this.p !== this.toks.length) throw new Unsure();
  }

  protected nameWord(): string {
    const t = this.toks[this.p];
    if (t?.t !== 'name') throw new Unsure();
    this.p++;
    return t.text;
  }

  /** A name that is not a keyword. */
  protected nameToken(): string {
    const t = this.toks[this.p];
    if (t?.t !== 'name' || KEYWORDS.has(t.text)) throw new Unsure();
    this.p++;
    return t.text;
  }

  protected src(t: Token): string {
    return this.text.slice(t.from, t.to);
  }
}

export const isOp = (t: Token | undefined, op: string) => t?.t === 'op' && t.text === op;
