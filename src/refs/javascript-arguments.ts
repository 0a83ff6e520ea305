import type { Resolved } from './calls.js';
import { Unsure, type Token } from './javascript-tokens.js';
import { bareRange, Values } from './javascript-values.js';

export interface Arguments {
  /** Constants the arguments read. */
  readonly reads: readonly string[];
  /** Their values, once the constants are known. */
  evaluate(): { positional: Resolved[]; keywords: Map<string, Resolved>; splat: boolean };
}

/** javascript.ts's reading of an `ArgList`: positional values, options objects' properties, spreads. */
export function argumentsOf(toks: readonly Token[], open: number, values: Values): Arguments {
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
        p.push({ value: undefined, isString: false, notString: 'value' });
        return false;
      });
    } else {
      checkNoHiddenObject(toks, a, b);
      reads.push(...values.range(a, b).reads);
      const notString = nonString(toks, ...bareRange(toks, a, b));
      const local = startsLocal(toks, a, b);
      steps.push((p) => {
        const value = values.range(a, b);
        p.push({ ...value, ...(notString ? { notString } : {}), ...(local ? { localPath: true } : {}) });
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
 * javascript.ts `optionsObject` reads an object literal under TypeScript's assertions (`{ … } as const`), in
 * parentheses or given to `Object.freeze`, and an array literal under them is no string (`nonString`): left to it.
 */
function checkNoHiddenObject(toks: readonly Token[], a: number, b: number): void {
  const [x, y] = bareRange(toks, a, b);
  const first = toks[x]!;
  if (first.t === 'op' && (first.text === '{' || first.text === '[') && (x !== a || y !== b)) throw new Unsure();
  if (first.t === 'op' && first.text === '(' && ['{', '['].includes(toks[x + 1]?.text ?? '')) throw new Unsure();
  if (first.t === 'name' && first.text === 'Object' && toks[x + 1]?.text === '.') throw new Unsure();
}

/** javascript.ts `nonString`: `null`/`undefined`, or a number or array literal (objects are read above). */
function nonString(toks: readonly Token[], a: number, b: number): Resolved['notString'] {
  const first = toks[a]!;
  if (b === a + 1 && first.t === 'name' && (first.text === 'null' || first.text === 'undefined')) return 'absent';
  if (b === a + 1 && first.t === 'number') return 'value';
  return first.t === 'op' && first.text === '[' && first.match === b - 1 ? 'value' : undefined;
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
    // A spread merges another object's keys (javascript.ts `objectProps`): the parser's to follow.
    if (key.t === 'op' && key.text === '...') throw new Unsure();
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
        checkNoHiddenObject(toks, a + 2, b);
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

/**
 * A value built on a local scheme: a string or template starting `file://` (tfjs-node's file system handler,
 * tfjs-node io/file_system.ts `fileSystem`), `indexeddb://` or `localstorage://` (tfjs's browser stores), with only
 * `+` after it at its top level — whatever the rest holds at run time, the model is read from this machine, never
 * downloaded: no reference and no run-time choice (calls.ts `Resolved.localPath`). Both JavaScript readers ask this of
 * an argument's tokens (javascript.ts tokenizes the argument's text).
 */
export function startsLocal(toks: readonly Token[], from: number, to: number): boolean {
  const [a, b] = bareRange(toks, from, to);
  const first = toks[a];
  if (!first || (first.t !== 'string' && first.t !== 'template' && first.t !== 'tpl-head')) return false;
  if (!LOCAL_SCHEME.test(first.text.slice(1))) return false;
  let after = a + 1;
  if (first.t === 'tpl-head') {
    let k = a;
    while (toks[k]!.t !== 'tpl-tail') k = toks[k]!.match;
    after = k + 1;
  }
  if (after < b && !(toks[after]!.t === 'op' && toks[after]!.text === '+')) return false;
  for (let k = after; k < b; k++) {
    const t = toks[k]!;
    if (t.up === first.up && t.t === 'op' && NOT_A_SUM.has(t.text)) return false;
  }
  return true;
}

const LOCAL_SCHEME = /^(?:file|indexeddb|localstorage):\/\//i;

/** Operators that make a top-level `+` chain some other expression (a choice, a comparison, a sequence). */
const NOT_A_SUM = new Set(['?', '||', '&&', '??', ',', '==', '===', '!=', '!==', '<', '>', '<=', '>=', '=>', '=']);
