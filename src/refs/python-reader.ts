import { KEYWORDS, Unsure, type StringValue, type Token } from './python-tokens.js';

/**
 * The syntax of the Python statements python-fast.ts reads without a parser: a recursive-descent reader over one
 * logical line's tokens for the shapes ordinary code has, which builds only what python.ts's lezer walk looks at —
 * imports (as lezer's ImportStatement children), `name = <one expression>` assignments (lezer's AssignStatement of
 * exactly three children), and every call with its callee and arguments. Expressions keep their kind only where
 * `evaluate` reads it (strings, names, booleans, `+`, parentheses); anything it does not know throws `Unsure`.
 * It recurses per bracket and per prefix operator: the search refuses text nested deeper than MAX_NESTING, and
 * python-fast.ts gives a stack overflow (a long run of `-`) back to lezer.
 */
/** The expression nodes whose kind `evaluate` (python.ts) looks at; everything else is `other`. */
export type Node =
  | { readonly k: 'string'; readonly from: number; readonly value: StringValue }
  | { readonly k: 'strings'; readonly from: number; readonly parts: readonly StringValue[] }
  | { readonly k: 'name'; readonly from: number; readonly name: string }
  | { readonly k: 'bool'; readonly from: number; readonly text: string }
  | { readonly k: 'plus'; readonly from: number; readonly left: Node; readonly right: Node }
  | { readonly k: 'paren'; readonly from: number; readonly inner: Node }
  | { readonly k: 'call'; readonly from: number }
  | { readonly k: 'attribute'; readonly from: number; readonly object: Node; readonly property: string }
  | { readonly k: 'other'; readonly from: number };

export type Arg =
  | { readonly k: 'keyword'; readonly name: string; readonly value: Node }
  | { readonly k: 'splat' }
  | { readonly k: 'positional'; readonly value: Node };

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
const COMPARISONS = new Set(['<', '>', '==', '>=', '<=', '!=', 'in', 'not', 'is']);
const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '@=', '&=', '|=', '^=', '>>=', '<<=', '**=']);
/** Statement openers whose lines this reader does not follow (soft keywords among them): lezer reads the file. */
const REFUSED_OPENERS = new Set(['match', 'case', 'type']);

export class StatementReader {
  /** `[bound name, what it stands for]` in file order, as python.ts `recordImport` reads them. */
  readonly imports: [string, string][] = [];
  /** `name = value` statements in file order. */
  readonly assignments: { readonly name: string; readonly value: Node }[] = [];
  readonly calls: Call[] = [];
  private toks: Token[] = [];
  private p = 0;

  constructor(private readonly text: string) {}

  /** One kept logical line: an import, a block header, a decorator, or simple statements separated by `;`. */
  statementLine(toks: Token[], header: boolean): void {
    this.toks = toks;
    this.p = 0;
    const first = this.peekText();
    if (first === 'import' || first === 'from') this.importStatement();
    else if (header) this.header();
    else if (first === '@') {
      this.p++;
      this.expression();
    } else {
      for (;;) {
        this.simpleStatement();
        if (!this.eat(';') || this.p === this.toks.length) break;
      }
    }
    if (this.p !== this.toks.length) throw new Unsure();
  }

  // ---- statements ----

  /** `import a.b as c, d` / `from m import (x as y, z)`, recorded as python.ts `recordImport` reads lezer's children. */
  private importStatement(): void {
    const kids = this.toks;
    for (const k of kids) {
      if (k.t === 'name' ? KEYWORDS.has(k.text) && !['import', 'from', 'as'].includes(k.text) : k.t !== 'op')
        throw new Unsure();
      if (k.t === 'op' && !['.', ',', '(', ')', '*'].includes(k.text)) throw new Unsure();
    }
    const isWord = (k: Token | undefined, w: string) => k?.t === 'name' && k.text === w;
    const isName = (k: Token | undefined) => k?.t === 'name' && !KEYWORDS.has(k.text);
    // Only the shapes Python accepts: relative imports of more than one dot are left to lezer.
    if (isWord(kids[0], 'from')) {
      const at = kids.findIndex((k) => isWord(k, 'import'));
      if (at < 2 || (kids[1]!.t === 'op' && kids[2]?.t === 'op' && kids[2].text === '.')) throw new Unsure();
      this.p = 1;
      if (this.peekText() === '.') this.p++;
      if (this.p < at) this.dotted();
      if (this.p !== at) throw new Unsure();
      this.p++;
      if (this.eat('*')) return this.done();
      const paren = this.eat('(');
      this.aliases(paren);
      if (paren) this.expect(')');
    } else {
      this.p = 1;
      for (;;) {
        this.dotted();
        if (this.eatWord('as')) this.nameToken();
        if (!this.eat(',')) break;
      }
    }
    this.done();
    const from = isWord(kids[0], 'from') ? kids[1] : undefined;
    const module = from ? this.src(from) : undefined;
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (!isName(k) || k === from) continue;
      const alias = isWord(kids[i + 1], 'as') ? kids[i + 2] : undefined;
      const full = module !== undefined ? `${module}.${this.src(k)}` : this.src(k);
      this.imports.push([alias ? this.src(alias) : this.src(k), full]);
      if (alias) i += 2;
    }
  }

  private dotted(): void {
    this.nameToken();
    while (this.eat('.')) this.nameToken();
  }

  private aliases(paren: boolean): void {
    for (;;) {
      this.nameToken();
      if (this.eatWord('as')) this.nameToken();
      if (!this.eat(',')) return;
      if (paren && this.peekText() === ')') return;
    }
  }

  /** A block header ending in `:`: `def`, `class`, `if`/`elif`/`while`, `else`, `try`, `finally`, `except`, `for`, `with`. */
  private header(): void {
    const word = this.nameWord();
    switch (word) {
      case 'def':
        this.nameToken();
        this.params();
        if (this.eat('->')) this.expression();
        break;
      case 'class':
        this.nameToken();
        if (this.eat('(')) this.args(false);
        break;
      case 'if':
      case 'elif':
      case 'while':
        this.expression();
        break;
      case 'else':
      case 'try':
      case 'finally':
        break;
      case 'except':
        if (this.peekText() !== ':') {
          this.expression();
          if (this.eatWord('as')) this.nameToken();
        }
        break;
      case 'for':
        this.list(() => this.binary(0));
        if (!this.eatWord('in')) throw new Unsure();
        this.list(() => this.expression());
        break;
      case 'with':
        do {
          this.expression();
          if (this.eatWord('as')) this.binary(0);
        } while (this.eat(','));
        break;
      default:
        throw new Unsure();
    }
    this.expect(':');
  }

  private params(): void {
    this.expect('(');
    while (!this.eat(')')) {
      if (this.eat('/')) {
        /* positional-only marker */
      } else if (this.eat('**') || this.eat('*')) {
        if (this.peek()?.t === 'name') this.param(false);
      } else this.param(true);
      if (!this.eat(',')) this.expectNext(')');
    }
  }

  private param(withDefault: boolean): void {
    this.nameToken();
    if (this.eat(':')) this.expression();
    if (withDefault && this.eat('=')) this.expression();
  }

  private simpleStatement(): void {
    const first = this.peek();
    if (first?.t === 'name' && REFUSED_OPENERS.has(first.text)) throw new Unsure();
    const word = first?.t === 'name' && KEYWORDS.has(first.text) ? first.text : undefined;
    if (word !== undefined && word !== 'not' && word !== 'True' && word !== 'False' && word !== 'None') {
      this.p++;
      switch (word) {
        case 'pass':
        case 'break':
        case 'continue':
          return;
        case 'return':
        case 'del':
          if (!this.atStatementEnd()) this.list(() => this.expression());
          return;
        case 'raise':
          if (!this.atStatementEnd()) {
            this.expression();
            if (this.eatWord('from')) this.expression();
          }
          return;
        case 'assert':
          this.expression();
          if (this.eat(',')) this.expression();
          return;
        case 'global':
        case 'nonlocal':
          do this.nameToken();
          while (this.eat(','));
          return;
        default:
          throw new Unsure();
      }
    }
    const start = this.p;
    const targets = this.list(() => this.expression());
    if (this.atStatementEnd()) return;
    const op = this.peekText();
    if (op === ':') {
      this.p++;
      this.expression();
      if (this.eat('=')) this.list(() => this.expression());
      return;
    }
    if (op !== undefined && AUGMENTED.has(op)) {
      this.p++;
      this.list(() => this.expression());
      return;
    }
    let count = 0;
    let value: { items: Node[]; comma: boolean } | undefined;
    while (this.eat('=')) {
      count++;
      value = this.list(() => this.expression());
    }
    if (count === 0 || !this.atStatementEnd()) throw new Unsure();
    // lezer's AssignStatement with exactly three children: `name = <one expression>`.
    const target = targets.items[0]!;
    if (
      count === 1 &&
      this.p - start > 0 &&
      targets.items.length === 1 &&
      !targets.comma &&
      target.k === 'name' &&
      value!.items.length === 1 &&
      !value!.comma
    )
      this.assignments.push({ name: target.name, value: value!.items[0]! });
  }

  private atStatementEnd(): boolean {
    return this.p === this.toks.length || this.peekText() === ';';
  }

  // ---- expressions ----

  /** Comma-separated expressions (a tuple without brackets, or one expression). */
  private list(item: () => Node): { items: Node[]; comma: boolean } {
    const items = [item()];
    let comma = false;
    while (this.eat(',')) {
      comma = true;
      if (this.atListEnd()) break;
      items.push(item());
    }
    return { items, comma };
  }

  private atListEnd(): boolean {
    const t = this.peekText();
    return t === undefined || [';', '=', ')', ']', '}', ':'].includes(t) || (t !== undefined && AUGMENTED.has(t));
  }

  private expression(): Node {
    const from = this.here();
    const n = this.or();
    if (this.eatWord('if')) {
      this.or();
      if (!this.eatWord('else')) throw new Unsure();
      this.expression();
      return { k: 'other', from };
    }
    return n;
  }

  private or(): Node {
    const from = this.here();
    let n = this.and();
    while (this.eatWord('or')) {
      this.and();
      n = { k: 'other', from };
    }
    return n;
  }

  private and(): Node {
    const from = this.here();
    let n = this.not();
    while (this.eatWord('and')) {
      this.not();
      n = { k: 'other', from };
    }
    return n;
  }

  private not(): Node {
    const from = this.here();
    if (this.eatWord('not')) {
      this.not();
      return { k: 'other', from };
    }
    let n = this.binary(0);
    for (let op = this.peekText(); op !== undefined && COMPARISONS.has(op); op = this.peekText()) {
      this.p++;
      if (op === 'not' && !this.eatWord('in')) throw new Unsure();
      if (op === 'is') this.eatWord('not');
      this.binary(0);
      n = { k: 'other', from };
    }
    return n;
  }

  /** Left-associative binary operators from BINARY_LEVELS[level] down; only `+` keeps its operands. */
  private binary(level: number): Node {
    if (level === BINARY_LEVELS.length) return this.unary();
    const from = this.here();
    let n = this.binary(level + 1);
    for (let op = this.peekText(); op !== undefined && BINARY_LEVELS[level]!.includes(op); op = this.peekText()) {
      this.p++;
      const right = this.binary(level + 1);
      n = op === '+' ? { k: 'plus', from, left: n, right } : { k: 'other', from };
    }
    return n;
  }

  private unary(): Node {
    const from = this.here();
    const op = this.peekText();
    if (op === '-' || op === '+' || op === '~') {
      this.p++;
      this.unary();
      return { k: 'other', from };
    }
    const n = this.primary();
    if (this.eat('**')) {
      this.unary();
      return { k: 'other', from };
    }
    return n;
  }

  private primary(): Node {
    let n = this.atom();
    for (;;) {
      if (this.eat('.')) n = { k: 'attribute', from: n.from, object: n, property: this.nameToken() };
      else if (this.eat('(')) {
        const args = this.args(true);
        this.calls.push({ from: n.from, to: this.toks[this.p - 1]!.to, callee: n, args });
        n = { k: 'call', from: n.from };
      } else if (this.eat('[')) {
        this.subscript();
        n = { k: 'other', from: n.from };
      } else return n;
    }
  }

  /** An argument list after its `(`, through its `)`. */
  private args(call: boolean): Arg[] {
    const out: Arg[] = [];
    while (!this.eat(')')) {
      const t = this.peek();
      if (this.eat('*') || this.eat('**')) {
        this.expression();
        out.push({ k: 'splat' });
      } else if (t?.t === 'name' && !KEYWORDS.has(t.text) && isOp(this.toks[this.p + 1], '=')) {
        this.p += 2;
        out.push({ k: 'keyword', name: t.text, value: this.expression() });
      } else out.push({ k: 'positional', value: this.expression() });
      if (!this.eat(',')) this.expectNext(')');
    }
    return call ? out : [];
  }

  private subscript(): void {
    while (!this.eat(']')) {
      const t = this.peekText();
      if (t === ':' || t === ',') this.p++;
      else this.expression();
    }
  }

  private atom(): Node {
    const t = this.peek();
    if (!t) throw new Unsure();
    const from = t.from;
    if (t.t === 'number') return (this.p++, { k: 'other', from });
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
      if (t.text === 'None') return { k: 'other', from };
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
          : { k: 'other', from };
      }
      case '[':
        if (!this.eat(']')) {
          this.list(() => this.expression());
          this.expect(']');
        }
        return { k: 'other', from };
      case '{':
        while (!this.eat('}')) {
          if (this.eat('**')) this.binary(0);
          else {
            this.expression();
            if (this.eat(':')) this.expression();
          }
          if (!this.eat(',')) this.expectNext('}');
        }
        return { k: 'other', from };
      default:
        throw new Unsure();
    }
  }

  // ---- tokens ----

  private peek(): Token | undefined {
    return this.toks[this.p];
  }

  private peekText(): string | undefined {
    const t = this.toks[this.p];
    return t && (t.t === 'op' || t.t === 'name') ? t.text : undefined;
  }

  private here(): number {
    const t = this.toks[this.p];
    if (!t) throw new Unsure();
    return t.from;
  }

  private eat(op: string): boolean {
    const t = this.toks[this.p];
    if (t?.t !== 'op' || t.text !== op) return false;
    this.p++;
    return true;
  }

  private eatWord(word: string): boolean {
    const t = this.toks[this.p];
    if (t?.t !== 'name' || t.text !== word) return false;
    this.p++;
    return true;
  }

  private expect(op: string): void {
    if (!this.eat(op)) throw new Unsure();
  }

  /** The next token must be `op`, left for the caller's loop to take. */
  private expectNext(op: string): void {
    if (!isOp(this.peek(), op)) throw new Unsure();
  }

  private done(): void {
    if (this.p !== this.toks.length) throw new Unsure();
  }

  private nameWord(): string {
    const t = this.toks[this.p];
    if (t?.t !== 'name') throw new Unsure();
    this.p++;
    return t.text;
  }

  /** A name that is not a keyword. */
  private nameToken(): string {
    const t = this.toks[this.p];
    if (t?.t !== 'name' || KEYWORDS.has(t.text)) throw new Unsure();
    this.p++;
    return t.text;
  }

  private src(t: Token): string {
    return this.text.slice(t.from, t.to);
  }
}

const isOp = (t: Token | undefined, op: string) => t?.t === 'op' && t.text === op;
