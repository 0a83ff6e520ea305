import { AUGMENTED, ExpressionReader, type Node } from './python-expressions.js';
import { KEYWORDS, Unsure, type Token } from './python-tokens.js';
import { importBindings } from './syntax.js';
import { inFunctionBody } from './python-lines-native.js';

export type { Arg, Call, Node } from './python-expressions.js';

/** Statement openers whose lines this reader does not follow (soft keywords among them): lezer reads the file. */
const REFUSED_OPENERS = new Set(['match', 'case', 'type']);

/**
 * The syntax of the Python statements python-fast.ts reads without a parser: a recursive-descent reader over one
 * logical line's tokens for the shapes ordinary code has, which builds only what python.ts's lezer walk looks at —
 * imports (as lezer's ImportStatement children), `name = <one expression>` assignments (lezer's AssignStatement of
 * exactly three children), and every call (python-expressions.ts reads the expressions). Anything it does not know
 * throws `Unsure`.
 * It recurses per bracket and per prefix operator: the search refuses text nested deeper than MAX_NESTING, and
 * python-fast.ts gives a stack overflow (a long run of `-`) back to lezer.
 */
export class StatementReader extends ExpressionReader {
  /** `[bound name, what it stands for]` in file order, as python.ts `recordImport` reads them. */
  readonly imports: [string, string][] = [];
  /** `name = value` statements in file order. */
  readonly assignments: { readonly name: string; readonly value: Node }[] = [];
  /** `a.b = <one expression>` statements (lezer's AssignStatement with a MemberExpression target), in file order. */
  readonly attributeAssignments: { readonly target: Node; readonly value: Node }[] = [];
  /** Each `def` with the decorators written above it (their expressions), in file order. */
  readonly decorated: { readonly fn: string; readonly decorators: readonly Node[] }[] = [];
  /** Decorators read since the last statement, for the `def` they decorate. */
  private decorators: Node[] = [];
  /** Each `def`'s parameters in file order (lezer's ParamList children), with their defaults. */
  readonly parameters: { readonly fn: string; readonly name: string; readonly value: Node | undefined }[] = [];
  /**
   * Names bound otherwise than `name = value`, `name: T = value` or `a = b = value` — tuple and list targets, `for`
   * targets, `as` names, `+=` — as python.ts `reboundNames` reads them: their value is the run time's.
   */
  readonly rebound: string[] = [];
  /**
   * `for name in ["org/a", "org/b"]:` — a single name over a list or tuple display: its items (python.ts
   * `loopItems`); or over a name (`for name in MODELS:`), which python-fast.ts reads as a list constant.
   */
  readonly loops: {
    readonly name: string;
    readonly items?: readonly Node[];
    readonly iterates?: string;
    /** Through `enumerate(…)` (the builtin only: python-fast.ts checks no import binds the name). */
    readonly enumerated?: true;
    /** The dict constant whose values the name takes (`for k, name in D.items()`, `for name in D.values()`). */
    readonly valuesOf?: string;
  }[] = [];

  /** One kept logical line: an import, a block header, a decorator, or simple statements separated by `;`. */
  statementLine(toks: Token[], header: boolean): void {
    this.toks = toks;
    this.p = 0;
    const first = this.peekText();
    // A decorator stays pending for the `def` that follows it; any other statement drops them.
    const pending = this.decorators;
    this.decorators = [];
    if (first === 'import' || first === 'from') this.importStatement();
    else if (header) this.header(pending);
    else if (first === '@') {
      this.p++;
      this.decorators = [...pending, this.expression()];
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
    const parts = kids.map((k) => ({
      kind: k.t === 'name' ? ('name' as const) : ('punct' as const),
      text: this.src(k),
    }));
    this.imports.push(...importBindings(parts));
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
  private header(decorators: readonly Node[]): void {
    const word = this.nameWord();
    switch (word) {
      case 'def': {
        const fn = this.nameToken();
        if (decorators.length > 0) this.decorated.push({ fn, decorators });
        this.params(fn);
        if (this.eat('->')) this.expression();
        break;
      }
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
          if (this.eatWord('as')) this.rebound.push(this.nameToken());
        }
        break;
      case 'for': {
        const from = this.p;
        const targets = this.list(() => this.binary(0));
        this.rebind(from, this.p);
        if (!this.eatWord('in')) throw new Unsure();
        const iterable = this.list(() => this.expression());
        const target = targets.items.length === 1 && !targets.comma ? targets.items[0] : undefined;
        const display = iterable.items.length === 1 && !iterable.comma ? iterable.items[0] : undefined;
        const items = iterable.comma ? iterable.items : display?.k === 'other' ? display.items : undefined;
        // `for i, name in …`: the second name, when both are plain names.
        const [first, second] = targets.items;
        const paired = targets.items.length === 2 && first?.k === 'name' && second?.k === 'name' ? second : undefined;
        // `for i, name in enumerate(…)`: the second name takes the items (python.ts `reboundNames`).
        const counted = paired && enumerated(display);
        // `for key, name in D.items():` / `for name in D.values():`: the dict constant's values (python.ts the same).
        const dict = paired && dictWalked(display, 'items');
        const values = target?.k === 'name' ? dictWalked(display, 'values') : undefined;
        if (dict !== undefined && paired) this.loops.push({ name: paired.name, valuesOf: dict });
        else if (values !== undefined && target?.k === 'name') this.loops.push({ name: target.name, valuesOf: values });
        else if (counted && paired) {
          const over = counted.k === 'other' ? counted.items : undefined;
          if (over) this.loops.push({ name: paired.name, items: over, enumerated: true });
          else if (counted.k === 'name')
            this.loops.push({ name: paired.name, iterates: counted.name, enumerated: true });
        } else if (target?.k === 'name' && items !== undefined) this.loops.push({ name: target.name, items });
        else if (target?.k === 'name' && display?.k === 'name')
          this.loops.push({ name: target.name, iterates: display.name });
        break;
      }
      case 'with':
        do {
          this.expression();
          if (this.eatWord('as')) {
            const from = this.p;
            this.binary(0);
            this.rebind(from, this.p);
          }
        } while (this.eat(','));
        break;
      default:
        throw new Unsure();
    }
    this.expect(':');
  }

  private params(fn: string): void {
    this.expect('(');
    while (!this.eat(')')) {
      if (this.eat('/')) {
        /* positional-only marker */
      } else if (this.eat('**') || this.eat('*')) {
        if (this.peek()?.t === 'name') this.param(fn, false);
      } else this.param(fn, true);
      if (!this.eat(',')) this.expectNext(')');
    }
  }

  private param(fn: string, withDefault: boolean): void {
    const name = this.nameToken();
    if (this.eat(':')) this.expression();
    const value = withDefault && this.eat('=') ? this.expression() : undefined;
    this.parameters.push({ fn, name, value });
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
    const only = targets.items.length === 1 && !targets.comma ? targets.items[0]! : undefined;
    if (op === ':') {
      this.p++;
      this.expression();
      if (this.eat('=')) {
        const value = this.list(() => this.expression());
        // `NAME: str = "org/x"`: bound as `NAME = "org/x"` is (python.ts `bindName`), at the left margin or in a
        // function's body (not a class's: a field); `NAME: T = a, b` is rebound.
        const margin =
          only !== undefined &&
          (this.text.lastIndexOf('\n', only.from - 1) + 1 === only.from || inFunctionBody(this.text, only.from));
        if (only?.k === 'name' && (margin || value.items.length !== 1 || value.comma))
          if (value.items.length === 1 && !value.comma)
            this.assignments.push({ name: only.name, value: value.items[0]! });
          else this.rebound.push(only.name);
      }
      return;
    }
    if (op !== undefined && AUGMENTED.has(op)) {
      this.p++;
      this.list(() => this.expression());
      if (only?.k === 'name') this.rebound.push(only.name);
      return;
    }
    let count = 0;
    let value: { items: Node[]; comma: boolean } | undefined;
    // Every list before the last `=` is a target list (`a = b = value`), each with its tokens' range.
    const lists = [{ list: targets, from: start, to: this.p }];
    while (this.eat('=')) {
      count++;
      const from = this.p;
      value = this.list(() => this.expression());
      lists.push({ list: value, from, to: this.p });
    }
    if (count === 0 || !this.atStatementEnd()) throw new Unsure();
    const single = (l: { items: Node[]; comma: boolean }) => l.items.length === 1 && !l.comma;
    const names = lists.slice(0, -1);
    if (count > 1 && single(value!) && names.every((l) => single(l.list) && l.list.items[0]!.k === 'name')) {
      // `a = b = value`: each name bound to the value (python.ts `chainedNames`).
      for (const l of names)
        this.assignments.push({ name: (l.list.items[0] as { name: string }).name, value: value!.items[0]! });
      return;
    }
    if (
      count === 1 &&
      targets.comma &&
      value!.comma &&
      value!.items.length === targets.items.length &&
      targets.items.every((t) => t.k === 'name')
    ) {
      // `a, b = x, y`: each name bound to its value (python.ts `pairedNames`).
      targets.items.forEach((t, i) =>
        this.assignments.push({ name: (t as { name: string }).name, value: value!.items[i]! }),
      );
      return;
    }
    if (!(count === 1 && single(targets) && single(value!) && (only?.k === 'name' || only?.k === 'attribute')))
      for (const l of names) this.rebind(l.from, l.to);
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
    else if (
      count === 1 &&
      targets.items.length === 1 &&
      !targets.comma &&
      target.k === 'attribute' &&
      value!.items.length === 1 &&
      !value!.comma
    )
      this.attributeAssignments.push({ target, value: value!.items[0]! });
  }

  /**
   * The names a target list binds, as python.ts's `visitBindings` reads them: names standing alone or in brackets
   * that group targets (`a, (b, *c)`), not those of an attribute, a subscript or a call (`x.y`, `a[i]`, `f(a)`).
   */
  private rebind(from: number, to: number): void {
    // Per open bracket: whether it applies to what stands before it (a call or a subscript), not a group.
    const applied: boolean[] = [];
    for (let i = from; i < to; i++) {
      const t = this.toks[i]!;
      const before = i > from ? this.toks[i - 1] : undefined;
      if (t.t === 'op' && (t.text === '(' || t.text === '[' || t.text === '{')) {
        const onValue =
          t.text === '{' ||
          (before !== undefined &&
            ((before.t === 'name' && !KEYWORDS.has(before.text)) ||
              before.t === 'string' ||
              (before.t === 'op' && (before.text === ')' || before.text === ']'))));
        applied.push(onValue);
        continue;
      }
      if (t.t === 'op' && (t.text === ')' || t.text === ']' || t.text === '}')) {
        applied.pop();
        continue;
      }
      if (t.t !== 'name' || KEYWORDS.has(t.text) || applied.some((a) => a)) continue;
      const after = i + 1 < to ? this.toks[i + 1] : undefined;
      if (before?.t === 'op' && before.text === '.') continue;
      if (after?.t === 'op' && (after.text === '.' || after.text === '[' || after.text === '(')) continue;
      this.rebound.push(t.text);
    }
  }

  private atStatementEnd(): boolean {
    return this.p === this.toks.length || this.peekText() === ';';
  }
}

/** The iterable `enumerate(x)`, `enumerate(x, 1)` or `enumerate(x, start=1)` goes over: `x` (python.ts `enumerated`). */
function enumerated(n: Node | undefined): Node | undefined {
  if (n?.k !== 'call' || n.callee.k !== 'name' || n.callee.name !== 'enumerate') return undefined;
  const [first, second, ...rest] = n.args;
  if (first?.k !== 'positional' || rest.length > 0 || second?.k === 'splat') return undefined;
  return first.value;
}

/** `D.items()` / `D.values()` with no arguments, `D` a name: the name. */
function dictWalked(n: Node | undefined, method: 'items' | 'values'): string | undefined {
  if (n?.k !== 'call' || n.args.length > 0 || n.callee.k !== 'attribute' || n.callee.property !== method)
    return undefined;
  return n.callee.object.k === 'name' ? n.callee.object.name : undefined;
}
