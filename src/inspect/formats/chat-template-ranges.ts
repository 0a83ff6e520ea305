import { boundedWalk, children } from './chat-template-ast.js';
import type { Node } from './chat-template-values.js';

/** jinja2 `sandbox.MAX_RANGE`: `safe_range` raises OverflowError for a longer `range()`, ending the render. */
const MAX_RANGE = 100_000;

/** Names (`r`, `ns.r`) bound to a `range()` of literal length somewhere in a template, each to its longest. */
export type RangeBindings = ReadonlyMap<string, number>;

export const NO_BINDINGS: RangeBindings = new Map();

/** The nodes under `root`, depth first, at most MAX_NODES of them. */
export const nodesOf = (root: Node): Node[] => [...boundedWalk(root, children)];

/** A macro's parameter names in order, and the default value of each that has one. */
export function macroParameters(macro: Node): { names: string[]; defaults: Map<string, Node> } {
  const names: string[] = [];
  const defaults = new Map<string, Node>();
  for (const a of macro.args as Node[]) {
    if (a.type === 'Identifier') names.push(a.value as string);
    else if (a.type === 'KeywordArgumentExpression') {
      const name = (a.key as Node).value as string;
      names.push(name);
      defaults.set(name, a.value as Node);
    }
  }
  return { names, defaults };
}

/** What a call passes for the `index`-th parameter `name`: positionally or by keyword. */
export function argumentFor(call: Node, index: number, name: string): Node | undefined {
  const args = call.args as Node[];
  const keyword = args.find((a) => a.type === 'KeywordArgumentExpression' && (a.key as Node).value === name);
  if (keyword !== undefined) return keyword.value as Node;
  const positional = args.filter((a) => a.type !== 'KeywordArgumentExpression');
  return positional[index];
}

/**
 * The names a range of literal length reaches, anywhere in the template: `{% set r = range(…) %}`, a namespace
 * attribute (`namespace(r=range(…))`, `{% set ns.r = range(…) %}`), a macro parameter whose default is one
 * (`{% macro f(r=range(…)) %}`) or that a call passes one (`f(range(…))`). A loop over the name makes as many passes
 * as over the range. Names are not scoped: a name is taken at its longest range wherever it is bound.
 */
export function rangeBindings(program: Node): RangeBindings {
  const bound = new Map<string, number>();
  const bind = (name: string | undefined, value: Node | undefined): void => {
    const n = value === undefined ? undefined : rangeLength(value, NO_BINDINGS);
    if (name !== undefined && n !== undefined) bound.set(name, Math.max(bound.get(name) ?? 0, n));
  };
  const macros = new Map<string, string[]>();
  const calls: Node[] = [];
  for (const node of nodesOf(program)) {
    if (node.type === 'Set' && node.value !== undefined && node.value !== null) {
      const target = memberPath(node.assignee as Node);
      const value = node.value as Node;
      bind(target, value);
      if (target !== undefined && isCallOf(value, 'namespace'))
        for (const arg of value.args as Node[])
          if (arg.type === 'KeywordArgumentExpression')
            bind(`${target}.${(arg.key as Node).value as string}`, arg.value as Node);
    } else if (node.type === 'Macro') {
      const { names, defaults } = macroParameters(node);
      for (const [name, value] of defaults) bind(name, value);
      macros.set((node.name as Node).value as string, names);
    } else if (node.type === 'CallExpression') calls.push(node);
  }
  for (const call of calls) {
    const names = macros.get((call.callee as Node).value as string);
    names?.forEach((name, i) => bind(name, argumentFor(call, i, name)));
  }
  return bound;
}

/** Whether `e` calls the name `callee` (`range(…)`, `namespace(…)`). */
export const isCallOf = (e: Node, callee: string): boolean =>
  e.type === 'CallExpression' && (e.callee as Node).type === 'Identifier' && (e.callee as Node).value === callee;

/**
 * The items of `range(…)` with integer-literal arguments (Python's `len(range(start, stop, step))`), looked through
 * an `if` filter or `|list`, or a name `bound` to one; `undefined` for anything else (the caller's data decides how
 * long it is). A range past the sandbox's MAX_RANGE is none: jinja2 `sandbox.safe_range` raises before a single pass.
 */
export function rangeLength(iterable: Node, bound: RangeBindings): number | undefined {
  if (iterable.type === 'Identifier' || iterable.type === 'MemberExpression') {
    const path = memberPath(iterable);
    return path === undefined ? undefined : bound.get(path);
  }
  if (iterable.type === 'SelectExpression') return rangeLength(iterable.lhs as Node, bound);
  if (iterable.type === 'FilterExpression') return rangeLength(iterable.operand as Node, bound);
  if (!isCallOf(iterable, 'range')) return undefined;
  const args = (iterable.args as Node[]).map(integerValue);
  if (args.some((a) => a === undefined) || args.length < 1 || args.length > 3) return undefined;
  const [start, stop, step] = (args.length === 1 ? [0, args[0], 1] : [args[0], args[1], args[2] ?? 1]) as number[];
  if (step === 0) return 0;
  const length = Math.max(0, Math.ceil((stop! - start!) / step!));
  return length > MAX_RANGE ? 0 : length;
}

/** The value of an integer expression of literals (`100000`, `10 ** 5`, `-1`, `1000 * 1000`). */
export function integerValue(e: Node): number | undefined {
  if (e.type === 'IntegerLiteral') return e.value as number;
  if (e.type === 'UnaryExpression' && (e.operator as Node).value === '-') {
    const v = integerValue(e.argument as Node);
    return v === undefined ? undefined : -v;
  }
  if (e.type !== 'BinaryExpression') return undefined;
  const [l, r] = [integerValue(e.left as Node), integerValue(e.right as Node)];
  if (l === undefined || r === undefined) return undefined;
  switch ((e.operator as Node).value) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '**':
      return l ** r;
    case '//':
      return r === 0 ? undefined : Math.floor(l / r);
    default:
      return undefined;
  }
}

/** `ns.x` for a dotted attribute of a name, `x` for a name; `undefined` for anything computed. */
export function memberPath(e: Node): string | undefined {
  if (e.type === 'Identifier') return e.value as string;
  if (e.type !== 'MemberExpression' || e.computed) return undefined;
  const object = memberPath(e.object as Node);
  return object === undefined ? undefined : `${object}.${(e.property as Node).value as string}`;
}
