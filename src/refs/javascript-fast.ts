import { collectReference, isLoaderCall, JAVASCRIPT_LOADER_NAMES, type Resolved } from './calls.js';
import { tokenize, Unsure, type Token } from './javascript-tokens.js';
import { endsValue, Values } from './javascript-values.js';
import { javaScriptImports, requiredModule } from './javascript-imports.js';
import { Constants, resolveCallee } from './syntax.js';
import { lineIndex } from './text.js';
import type { FileReferences } from './types.js';

/**
 * Model references in JavaScript/TypeScript without a parser, for the shapes ordinary code has: loading
 * @lezer/javascript and parsing a whole file to read two calls in it cost more than the rest of the file's search
 * (bench `refs`). From the file's tokens (javascript-tokens.ts) it reads the imports and `require`s
 * (javascript-imports.ts), every call a loader could be (calls.ts `isLoaderCall` on its callee), their arguments,
 * and the `const`/`let`/`var` declarations of the names those arguments read (javascript-values.ts). Whatever it is
 * not sure of — a call that may be a method definition or in a class body, `?.` before a loader, a declaration it
 * cannot delimit, JSX, a regular expression it cannot tell from a division — gives undefined, and javascript.ts reads
 * the file with lezer as before.
 *
 * What it reports is what javascript.ts's walk over lezer's tree reports, field for field: constants evaluated in
 * the order the walk meets their declarations, calls in the tree's pre-order, each at its callee's first character
 * (test/refs/javascript-fast.test.ts holds the two together).
 */
export function findJavaScriptReferencesFast(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
): FileReferences | undefined {
  try {
    return read(path, text, tokenize(text), existsLocally);
  } catch (err) {
    if (err instanceof Unsure || err instanceof RangeError) return undefined;
    throw err;
  }
}

/** A loader call: where its callee starts, how it is written and resolved, its argument list's brackets. */
interface LoaderCall {
  readonly head: number;
  readonly written: string;
  readonly resolved: string;
  readonly open: number;
}

const DECLARES = new Set(['const', 'let', 'var']);
/** Words before a callee that make `name(…)` a definition, not a call (or a decorator): the parser decides. */
const DEFINES = new Set([
  'function',
  'get',
  'set',
  'static',
  'async',
  'class',
  'interface',
  'declare',
  'abstract',
  'override',
  'public',
  'private',
  'protected',
  'readonly',
  'accessor',
]);

function read(
  path: string,
  text: string,
  toks: readonly Token[],
  existsLocally: (p: string) => boolean,
): FileReferences {
  const isOp = (k: number, op: string) => toks[k]?.t === 'op' && toks[k].text === op;
  const imports = javaScriptImports(toks);
  const calls: LoaderCall[] = [];
  for (let k = 1; k < toks.length; k++) {
    if (!isOp(k, '(') || toks[k - 1]!.t !== 'name') continue;
    let head = k - 1;
    while (isOp(head - 1, '.') && toks[head - 2]?.t === 'name') head -= 2;
    const written = toks
      .slice(head, k)
      .filter((t) => t.t === 'name')
      .map((t) => t.text)
      .join('.');
    const last = toks[k - 1]!.text;
    const before = toks[head - 1];
    // lezer's callee `a?.b.create` is written `a.b.create`; `x().create`, `this.create`, `a[0].create` have none.
    if (before?.t === 'op' && before.text === '?.') {
      if (JAVASCRIPT_LOADER_NAMES.has(last)) throw new Unsure();
      continue;
    }
    if (before?.t === 'op' && before.text === '.') continue;
    const resolved = resolveCallee(imports, written);
    if (!isLoaderCall(written, resolved, 'javascript')) continue;
    if (Values.isKeyword(toks[head]!.text)) continue;
    if (before?.t === 'name' && before.text === 'new') continue;
    if (Values.isContextual(toks[head]!.text) || (before && definesBefore(before))) throw new Unsure();
    const after = toks[toks[k]!.match + 1];
    if (after?.t === 'op' && ['{', ':', '=>'].includes(after.text)) throw new Unsure();
    checkEnclosingBraces(toks, head);
    calls.push({ head, written, resolved, open: k });
  }

  // The arguments' values read constants: first which (the structure does not depend on their values), then their
  // declarations, evaluated in file order as the walk meets them, then the arguments.
  const constants = new Constants();
  const values = new Values(toks, (name) => constants.get(name));
  const args = calls.map((c) => argumentsOf(toks, c.open, values));
  const declarators = declaratorsOf(
    toks,
    args.flatMap((a) => a.reads),
    values,
  );
  for (const d of declarators) constants.set(d.name, values.range(d.from, d.to).value);

  const at = lineIndex(text);
  const out: FileReferences = { references: [], dynamic: [] };
  calls.forEach((call, i) => {
    const { positional, keywords, splat } = args[i]!.evaluate();
    const { line, column } = at(toks[call.head]!.from);
    collectReference(
      path,
      { written: call.written, resolved: call.resolved, positional, keywords, splat, line, column, lang: 'javascript' },
      existsLocally,
      out,
    );
  });
  return out;
}

function definesBefore(t: Token): boolean {
  return (t.t === 'name' && DEFINES.has(t.text)) || (t.t === 'op' && (t.text === '*' || t.text === '@'));
}

/**
 * A loader call in a class body, an interface, an enum or a type literal would be a method's declaration there: the
 * braces around it must be a block, a function body or an object literal.
 */
function checkEnclosingBraces(toks: readonly Token[], head: number): void {
  let u = toks[head]!.up;
  while (u >= 0 && !(toks[u]!.t === 'op' && toks[u]!.text === '{')) u = toks[u]!.up;
  if (u < 0) return;
  const b = toks[u - 1];
  if (!b) return;
  if (b.t === 'name' && ['else', 'try', 'finally', 'do', 'return', 'yield', 'await'].includes(b.text)) return;
  if (b.t !== 'op' || !['(', ')', '=>', ';', '{', '=', ',', ':', '[', '?', '&&', '||', '??', '...'].includes(b.text))
    throw new Unsure();
  // `type T = { … }`, `type T<A> = { … }`.
  if (b.text === '=' && (toks[u - 2]?.t === 'op' || toks[u - 3]?.text === 'type')) throw new Unsure();
  // The body of `class A extends mixin(B) { … }`: a class body after all.
  if (b.text === ')') {
    let k = b.match - 1;
    while (toks[k]?.t === 'name' || toks[k]?.text === '.') {
      if (toks[k]!.text === 'extends') throw new Unsure();
      k--;
    }
  }
}

interface Arguments {
  /** Constants the arguments read. */
  readonly reads: readonly string[];
  /** Their values, once the constants are known. */
  evaluate(): { positional: Resolved[]; keywords: Map<string, Resolved>; splat: boolean };
}

/** javascript.ts's reading of an `ArgList`: positional values, options objects' properties, spreads. */
function argumentsOf(toks: readonly Token[], open: number, values: Values): Arguments {
  const ranges = splitCommas(toks, open + 1, toks[open]!.match);
  const reads: string[] = [];
  const steps: ((p: Resolved[], kw: Map<string, Resolved>) => boolean)[] = [];
  for (const [a, b] of ranges) {
    const first = toks[a]!;
    if (first.t === 'op' && first.text === '...') {
      steps.push((p) => (p.push({ value: undefined, isString: false }), true));
    } else if (first.t === 'op' && first.text === '{' && first.match === b - 1) {
      const props = objectProps(toks, a, '', values, reads);
      steps.push((p, kw) => {
        for (const [name, read] of props) kw.set(name, read());
        p.push({ value: undefined, isString: false });
        return false;
      });
    } else {
      reads.push(...values.range(a, b).reads);
      steps.push((p) => {
        p.push(values.range(a, b));
        return false;
      });
    }
  }
  return {
    reads,
    evaluate() {
      const positional: Resolved[] = [];
      const keywords = new Map<string, Resolved>();
      let splat = false;
      for (const step of steps) if (step(positional, keywords)) splat = true;
      return { positional, keywords, splat };
    },
  };
}

/**
 * javascript.ts `objectProps`: `key: value` and shorthand `key` properties, nested objects flattened to `a.b`;
 * string keys and spreads are not properties it reads. Methods and accessors are left to the parser.
 */
function objectProps(
  toks: readonly Token[],
  open: number,
  prefix: string,
  values: Values,
  reads: string[],
): [string, () => Resolved][] {
  const out: [string, () => Resolved][] = [];
  for (const [a, b] of splitCommas(toks, open + 1, toks[open]!.match)) {
    const key = toks[a]!;
    const colon = toks[a + 1];
    if (key.t === 'op' && key.text === '...') continue;
    if (key.t === 'string' && colon?.t === 'op' && colon.text === ':') continue;
    if (key.t !== 'name') throw new Unsure();
    const name = prefix + key.text;
    if (b === a + 1) {
      if (Values.isKeyword(key.text) || Values.isContextual(key.text)) throw new Unsure();
      reads.push(key.text);
      out.push([name, () => ({ value: values.constant(key.text), isString: true })]);
    } else if (colon?.t === 'op' && colon.text === ':') {
      const value = toks[a + 2];
      if (value?.t === 'op' && value.text === '{' && value.match === b - 1)
        out.push(...objectProps(toks, a + 2, `${name}.`, values, reads));
      else {
        reads.push(...values.range(a + 2, b).reads);
        out.push([name, () => values.range(a + 2, b)]);
      }
    } else throw new Unsure();
  }
  return out;
}

/**
 * The comma-separated ranges between two brackets (a trailing comma allowed). A `<` among them may open type
 * arguments whose commas are not separators: left to the parser.
 */
function splitCommas(toks: readonly Token[], from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let start = from;
  for (let k = from; k < to; k++) {
    const t = toks[k]!;
    if (t.t === 'op' && t.text === ',') {
      if (k === start) throw new Unsure();
      out.push([start, k]);
      start = k + 1;
    } else if (t.t === 'op' && t.text === '<') throw new Unsure();
    else if (t.match > k) {
      k = t.match;
      // A template's fields: on to its last part.
      while (toks[k]!.t === 'tpl-mid') k = toks[k]!.match;
    }
  }
  if (start < to) out.push([start, to]);
  return out;
}

/** A `name = value` declarator javascript.ts records as a constant: its value's tokens. */
interface Declarator {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Every declarator of the names read (and of the names their values read), in the order javascript.ts's walk
 * records them. A declarator it records is `const|let|var name = value` or a later one in the same list; a value
 * that is `require('m')` or `import('m')` is an import instead (javascript-imports.ts).
 */
function declaratorsOf(toks: readonly Token[], read: readonly string[], values: Values): Declarator[] {
  const wanted = new Set<string>();
  const work = [...read];
  const found: (Declarator & { readonly declaration: number })[] = [];
  let listed: Map<number, number> | undefined;
  const byName = new Map<string, number[]>();
  toks.forEach((t, k) => {
    if (t.t !== 'name') return;
    const list = byName.get(t.text);
    if (list) list.push(k);
    else byName.set(t.text, [k]);
  });
  while (work.length > 0) {
    const name = work.pop()!;
    if (wanted.has(name)) continue;
    wanted.add(name);
    for (const k of byName.get(name) ?? []) {
      const eq = toks[k + 1];
      if (eq?.t !== 'op' || eq.text !== '=') continue;
      const before = toks[k - 1];
      let declaration: number;
      if (before?.t === 'name' && DECLARES.has(before.text)) declaration = k - 1;
      else if (before?.t === 'op' && before.text === ',') {
        listed ??= declarationLists(toks, values);
        const d = listed.get(k);
        if (d === undefined) throw new Unsure();
        declaration = d;
      } else continue;
      const required = requireAt(toks, k + 2);
      // An import (javascript-imports.ts), or a call whose value the walk records as unknown.
      if (required !== undefined && typeof requiredModule(toks, required) === 'object') continue;
      const end = required === undefined ? values.nodeEnd(k + 2) : undefined;
      const ends = end === undefined ? 'continues' : endsValue(toks[end]);
      if (ends === 'unsure') throw new Unsure();
      const to = ends === 'end' ? end! : k + 2;
      found.push({ name, from: k + 2, to, declaration });
      if (ends === 'end') work.push(...values.range(k + 2, to).reads);
    }
  }
  // The walk records a declaration's declarators when it meets the declaration, in order.
  return found.sort((a, b) => a.declaration - b.declaration || a.from - b.from);
}

/**
 * The later declarators of every `const|let|var` list whose earlier values are evaluable nodes (so where each ends
 * is known): declarator name index → declaration keyword index.
 */
function declarationLists(toks: readonly Token[], values: Values): Map<number, number> {
  const out = new Map<number, number>();
  toks.forEach((t, d) => {
    if (t.t !== 'name' || !DECLARES.has(t.text)) return;
    let k = d + 1;
    for (;;) {
      if (toks[k]?.t !== 'name') return;
      if (k > d + 1) out.set(k, d);
      const next = toks[k + 1];
      let end: number | undefined;
      if (next?.t === 'op' && next.text === ',') end = k + 1;
      else if (next?.t === 'op' && next.text === '=') {
        end = values.nodeEnd(k + 2);
        if (end === undefined || endsValue(toks[end]) !== 'end') return;
      } else return;
      if (toks[end]?.t !== 'op' || toks[end]!.text !== ',') return;
      k = end + 1;
    }
  });
  return out;
}

/** `require(…)`, `import(…)`, `await` either, at `k`: javascript.ts `requiredModule`'s shape; its name's index. */
function requireAt(toks: readonly Token[], k: number): number | undefined {
  const at = toks[k]?.text === 'await' ? k + 1 : k;
  const t = toks[at];
  const call = t?.t === 'name' && (t.text === 'require' || t.text === 'import') && toks[at + 1]?.text === '(';
  return call ? at : undefined;
}
