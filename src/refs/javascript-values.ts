import type { Resolved } from './calls.js';
import { unquote, Unsure, type Token } from './javascript-tokens.js';

/**
 * Words @lezer/javascript reads as keywords, never as a `VariableName`: a value that uses one is not a string the
 * file decides (javascript.ts `evaluate` knows `String`, `TemplateString`, `VariableName`, `BooleanLiteral`, `+`
 * and parentheses only).
 */
const KEYWORDS = new Set(
  (
    'break case catch class const continue debugger default delete do else export extends finally for function if ' +
    'import in instanceof new null return super switch this throw try typeof var void while with'
  ).split(' '),
);

/** Words that are keywords in some places and names in others: too close to call without the parser. */
const CONTEXTUAL = new Set(
  (
    'let static yield await async of get set as satisfies type declare readonly abstract keyof unique infer is ' +
    'asserts override accessor module namespace global enum implements interface package private protected public'
  ).split(' '),
);

/** Words before a name the file binds to an object or a class (javascript-members.ts). */
const DECLARES_MEMBERS = new Set(['const', 'let', 'var', 'class']);

/** A value over a token range: what javascript.ts `evaluate` gives for the one node those tokens make. */
export interface RangeValue extends Resolved {
  /** Every name the value reads, constants it depends on (only when the range is one evaluable node). */
  readonly reads: readonly string[];
}

/** A node's value and the index of the token after it. */
interface Evaluated {
  readonly value: string | undefined;
  readonly next: number;
}

const UNKNOWN: RangeValue = { value: undefined, isString: false, reads: [] };

/**
 * javascript.ts `evaluate` without the tree: the tokens `from`…`to` are one evaluable node when they are a string, a
 * template whose fields are evaluable nodes, a name, `true`/`false`, parentheses around one, or `+` between them
 * (left to right, as `BinaryExpression` nests). Anything else the range holds — another operator, a call, a member,
 * an arrow — makes the node something `evaluate` gives undefined for, and so does this.
 */
export class Values {
  constructor(
    private readonly toks: readonly Token[],
    /** A constant's value so far (javascript.ts `Constants`). */
    readonly constant: (name: string) => string | undefined,
  ) {}

  private membered: Set<string> | undefined;

  /** `this`, or a name the file declares (`const X`, `class X`): an object literal's or a class's members it may decide. */
  private holdsMembers(name: string): boolean {
    if (name === 'this') return true;
    if (!this.membered) {
      this.membered = new Set();
      this.toks.forEach((t, k) => {
        const next = this.toks[k + 1];
        if (t.t === 'name' && next?.t === 'name' && DECLARES_MEMBERS.has(t.text)) this.membered!.add(next.text);
      });
    }
    return this.membered.has(name);
  }

  /** A word lezer never reads as a name. */
  static isKeyword(word: string): boolean {
    return KEYWORDS.has(word);
  }

  /** A word lezer may read as a keyword or as a name, by context. */
  static isContextual(word: string): boolean {
    return CONTEXTUAL.has(word);
  }

  /** The range's value; `reads` lists the constants it used. */
  range(from: number, to: number): RangeValue {
    if (from >= to) return UNKNOWN;
    const reads: string[] = [];
    const got = this.sum(from, reads);
    // `gpu ? 'org/a' : 'org/b'`, `MODELS[key]`: javascript.ts reads one of a set there (`candidatesOf`).
    if (got && got.next < to && (this.isOp(got.next, '?') || this.isOp(got.next, '['))) throw new Unsure();
    if (!got || got.next !== to) return UNKNOWN;
    // javascript.ts looks through TypeScript's assertions and parentheses (javascript-members.ts `typeAsserted`).
    const [a, b] = bareRange(this.toks, from, to);
    const first = this.toks[a]!;
    // One string or template node, as lezer's `String` / `TemplateString` (`'org/' + x` is a BinaryExpression).
    const isString = ((first.t === 'string' || first.t === 'template') && b === a + 1) || this.isTemplate(a, b);
    return { value: got.value, isString, reads };
  }

  private isOp(k: number, op: string): boolean {
    const t = this.toks[k];
    return t?.t === 'op' && t.text === op;
  }

  /** Where a whole-range evaluable node ends, or undefined; for declarations, whose end is the statement's. */
  nodeEnd(from: number): number | undefined {
    return this.sum(from, [])?.next;
  }

  private isTemplate(from: number, to: number): boolean {
    const first = this.toks[from]!;
    return first.t === 'tpl-head' && this.templateEnd(from) === to - 1;
  }

  private templateEnd(head: number): number {
    let k = head;
    while (this.toks[k]!.t !== 'tpl-tail') k = this.toks[k]!.match;
    return k;
  }

  private sum(from: number, reads: string[]): Evaluated | undefined {
    let left: Evaluated | undefined = this.postfix(this.primary(from, reads));
    if (!left) return undefined;
    while (this.toks[left.next]?.t === 'op' && this.toks[left.next]!.text === '+') {
      const right: Evaluated | undefined = this.postfix(this.primary(left.next + 1, reads));
      if (!right) return undefined;
      const value: string | undefined =
        left.value !== undefined && right.value !== undefined ? left.value + right.value : undefined;
      left = { value, next: right.next };
    }
    return this.asserted(left);
  }

  /** TypeScript's non-null `x!` after an operand: erased, the operand's value (a `!` on a new line: the parser's). */
  private postfix(e: Evaluated | undefined): Evaluated | undefined {
    let next = e?.next;
    while (next !== undefined && this.isOp(next, '!')) {
      if (this.toks[next]!.nl) throw new Unsure();
      next++;
    }
    return e && next !== undefined ? { value: e.value, next } : e;
  }

  /**
   * `x as T`, `x satisfies T` after a sum (it binds looser than `+`): erased, the sum's value. The type is one name
   * (`const`, `string`, `Options`), repeated (`as unknown as string`); a longer type, a line break before `as`, or an
   * operator after the type (whose precedence against the assertion the parser decides) is the parser's.
   */
  private asserted(e: Evaluated): Evaluated {
    let next = e.next;
    for (;;) {
      const t = this.toks[next];
      if (t?.t !== 'name' || (t.text !== 'as' && t.text !== 'satisfies')) break;
      const type = this.toks[next + 1];
      if (t.nl || type?.t !== 'name' || type.nl) throw new Unsure();
      next += 2;
    }
    if (next === e.next) return e;
    const t = this.toks[next];
    if (t?.t === 'name' && (t.text === 'as' || t.text === 'satisfies')) throw new Unsure();
    if (endsValue(t) !== 'end') throw new Unsure();
    return { value: e.value, next };
  }

  private primary(at: number, reads: string[]): Evaluated | undefined {
    const tok = this.toks[at];
    if (!tok) return undefined;
    switch (tok.t) {
      case 'string':
        return { value: unquote(tok.text), next: at + 1 };
      case 'template':
        return { value: tok.text.slice(1, -1), next: at + 1 };
      case 'tpl-head': {
        // Raw text between the fields, as javascript.ts slices it; each field one evaluable node.
        let value: string | undefined = tok.text.slice(1, -2);
        let k = at;
        for (;;) {
          const part = this.toks[k]!;
          const inner = this.sum(k + 1, reads);
          if (!inner || inner.next !== part.match) return undefined;
          const next = this.toks[part.match]!;
          const raw = next.t === 'tpl-tail' ? next.text.slice(1, -1) : next.text.slice(1, -2);
          value = value !== undefined && inner.value !== undefined ? value + inner.value + raw : undefined;
          if (next.t === 'tpl-tail') return { value, next: part.match + 1 };
          k = part.match;
        }
      }
      case 'name':
        // A member (`MODELS.asr`, `this.model`): javascript.ts reads object constants and class fields
        // (javascript-members.ts); this reader leaves them to it.
        if (this.toks[at + 1]?.t === 'op' && this.toks[at + 1]!.text === '.' && this.holdsMembers(tok.text))
          throw new Unsure();
        if (tok.text === 'true' || tok.text === 'false') return { value: tok.text, next: at + 1 };
        if (CONTEXTUAL.has(tok.text)) throw new Unsure();
        if (KEYWORDS.has(tok.text)) return undefined;
        reads.push(tok.text);
        return { value: this.constant(tok.text), next: at + 1 };
      case 'op':
        if (tok.text !== '(') return undefined;
        {
          const inner = this.sum(at + 1, reads);
          // `(gpu ? 'org/a' : 'org/b')`, `(MODELS[key])`: one of a set, as without the parentheses (`range`).
          if (inner && (this.isOp(inner.next, '?') || this.isOp(inner.next, '['))) throw new Unsure();
          if (!inner || inner.next !== tok.match) return undefined;
          return { value: inner.value, next: tok.match + 1 };
        }
      case 'number':
      case 'regex':
      case 'tpl-mid':
      case 'tpl-tail':
        return undefined;
    }
  }
}

/**
 * The tokens `from`…`to` without what javascript.ts `typeAsserted` looks through: parentheses around the whole, a
 * trailing `!`, `as T` / `satisfies T` of one-name types (`Values.asserted` takes no other).
 */
export function bareRange(toks: readonly Token[], from: number, to: number): [number, number] {
  for (let a = from, b = to; ;) {
    const first = toks[a];
    const last = toks[b - 1];
    const before = toks[b - 2];
    if (b - a >= 2 && first?.t === 'op' && first.text === '(' && first.match === b - 1) [a, b] = [a + 1, b - 1];
    else if (b - a >= 2 && last?.t === 'op' && last.text === '!') b -= 1;
    else if (b - a >= 3 && last?.t === 'name' && before?.t === 'name' && ['as', 'satisfies'].includes(before.text))
      b -= 2;
    else return [a, b];
  }
}

/**
 * Whether the token after an evaluable node ends a declarator's value, makes the value a larger expression, or could
 * be either (automatic semicolon insertion, which the parser decides; @lezer/javascript inserts one only where
 * ECMAScript does: before a line break whose next token cannot go on).
 */
export function endsValue(t: Token | undefined): 'end' | 'continues' | 'unsure' {
  if (!t) return 'end';
  if (t.t === 'op' && [';', ',', '}', ')', ']'].includes(t.text)) return 'end';
  if (t.t === 'name') {
    if (t.text === 'in' || t.text === 'instanceof') return 'continues';
    return t.nl && !['as', 'satisfies'].includes(t.text) ? 'end' : 'unsure';
  }
  if (t.t === 'op') return ['++', '--', '!', '=>', '...', ':', '~', '@', '{'].includes(t.text) ? 'unsure' : 'continues';
  // A template after a value tags it; a string, number or regular expression cannot follow one.
  return t.t === 'template' || t.t === 'tpl-head' ? 'continues' : 'unsure';
}
