import { boundedWalk, children, MAX_NODES, parseTemplate } from './chat-template-ast.js';
import type { RangeBindings } from './chat-template-ranges.js';
import {
  argumentFor,
  integerValue,
  isCallOf,
  macroParameters,
  memberPath,
  nodesOf,
  rangeBindings,
  rangeLength,
} from './chat-template-ranges.js';
import type { Node } from './chat-template-values.js';

/**
 * Loops that keep a chat template's renderer busy or growing without bound, in what Jinja's sandbox lets through:
 * jinja2 `sandbox.safe_range` refuses one `range()` of more than MAX_RANGE (100,000) items, but nothing bounds loops
 * nested in one another, and `{% set ns.x = … %}` (a namespace attribute, which keeps its value from one pass of a
 * loop to the next, unlike a plain `set`) may double itself on each pass. No benign chat template does either.
 */
export interface LoopWork {
  readonly indicator: string;
  /** A pattern of the template text where the work starts, to point the finding at. */
  readonly near: RegExp;
}

/** Iterations of nested loops past which one render takes minutes of CPU (Jinja runs ~10^7 steps a second). */
const HUGE_ITERATIONS = 100_000_000;
/** Doublings past which a value outgrows any memory: 2^32 bytes and up. */
const HUGE_DOUBLINGS = 32;

export const NESTED_RANGES = 'nested range() loops';
export const DOUBLING_IN_LOOP = 'namespace value doubled in a loop';
export const MACRO_RECURSION = 'macro calling itself exponentially';

/** The first loop-work shape of the template, if any (an unparsed template is the injection checks' to report). */
export function loopWork(template: string): LoopWork | undefined {
  const program = parseTemplate(template);
  if (program === undefined) return undefined;
  const bound = rangeBindings(program);
  const macros = macroFacts(program, bound);
  const recursing = exponentialMacro(program, macros);
  if (recursing !== undefined)
    return { indicator: MACRO_RECURSION, near: new RegExp(`\\{%[-+]?\\s*macro\\s+${recursing}\\b`) };
  const near = rangeLoopNear(bound);
  const sequences = sequencePaths(program);
  return walkLoops(program, bound, (node, passes) => {
    const { iterations, counted, inLoop } = passes;
    if (bodyPasses(node, passes, bound).iterations >= HUGE_ITERATIONS) return { indicator: NESTED_RANGES, near };
    // A macro called inside a loop runs its own loops on every pass (one level: what the macro calls is not followed).
    const called =
      node.type === 'CallExpression' ? macros.get((node.callee as Node).value as string)?.passes : undefined;
    if (called !== undefined && iterations * called >= HUGE_ITERATIONS) return { indicator: NESTED_RANGES, near };
    if (node.type === 'Set' && inLoop && (!counted || iterations >= HUGE_DOUBLINGS) && doublesItself(node, sequences))
      return { indicator: DOUBLING_IN_LOOP, near: /\{%[-+]?\s*set\s+\w+\.\w+\s*=/ };
    return undefined;
  });
}

/** Where a range loop starts: `for … range(`, or `for … in NAME` for a name bound to a range. */
function rangeLoopNear(bound: RangeBindings): RegExp {
  const names = [...bound.keys()].map((name) => name.replace(/[^\w]/g, '\\$&')).join('|');
  return new RegExp(`\\{%[-+]?\\s*for\\b[^%]*\\b(?:range\\s*\\(${names === '' ? '' : `|in\\s+(?:${names})\\b`})`);
}

interface Passes {
  /** The product of the lengths of the loops around a node, a loop over the caller's data counting 1. */
  readonly iterations: number;
  /** Whether every loop around the node runs over a literal range. */
  readonly counted: boolean;
  readonly inLoop: boolean;
  /** Whether an `if` or a conditional expression stands around the node: it may not run at all. */
  readonly guarded: boolean;
}

/** Nodes whose parts run only on a condition: `{% if %}`, `a if c else b`, and `and` / `or` (short-circuit). */
const isGuard = (node: Node): boolean =>
  node.type === 'If' ||
  node.type === 'Ternary' ||
  (node.type === 'BinaryExpression' && ['and', 'or'].includes((node.operator as Node).value as string));

/** Each node under `root` (bounded) with the passes its enclosing loops make, until `visit` finds something. */
function walkLoops<T>(
  root: Node,
  bound: RangeBindings,
  visit: (node: Node, passes: Passes) => T | undefined,
): T | undefined {
  const start: PlacedNode = { node: root, passes: { iterations: 1, counted: true, inLoop: false, guarded: false } };
  for (const { node, passes } of boundedWalk(start, (placed) => placedUnder(placed, bound))) {
    const found = visit(node, passes);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A node with the passes its enclosing loops make. */
interface PlacedNode {
  readonly node: Node;
  readonly passes: Passes;
}

/** The nodes directly under `node`: a `For`'s body runs once per item, the parts of a guard may not run at all. */
function placedUnder({ node, passes }: PlacedNode, bound: RangeBindings): PlacedNode[] {
  const at = (nodes: Node[], p: Passes): PlacedNode[] => nodes.map((c) => ({ node: c, passes: p }));
  if (node.type === 'For')
    return [
      ...at(node.body as Node[], bodyPasses(node, passes, bound)),
      ...at([node.iterable as Node, ...(node.defaultBlock as Node[])], passes),
    ];
  return at(children(node), isGuard(node) ? { ...passes, guarded: true } : passes);
}

/** The passes of the nodes in a `For`'s body, given the passes of the `For`; of any other node, its own. */
function bodyPasses(node: Node, passes: Passes, bound: RangeBindings): Passes {
  if (node.type !== 'For') return passes;
  const n = rangeLength(node.iterable as Node, bound);
  return {
    ...passes,
    iterations: passes.iterations * (n ?? 1),
    counted: passes.counted && n !== undefined,
    inLoop: true,
  };
}

interface MacroFacts {
  readonly macro: Node;
  /** The most passes the macro's own loops make in one call. */
  readonly passes: number;
  /** Where the macro calls itself, with the passes of the loops around each call. */
  readonly selfCalls: { readonly call: Node; readonly passes: Passes }[];
}

/**
 * What each macro of the template does in one call: its loops' passes and its calls to itself. Macros nested in
 * macros walk a body more than once, so all the walks share one node budget.
 */
function macroFacts(program: Node, bound: RangeBindings): Map<string, MacroFacts> {
  const macros = new Map<string, MacroFacts>();
  let budget = MAX_NODES;
  walkLoops(program, bound, (node) => {
    if (node.type !== 'Macro') return undefined;
    const name = (node.name as Node).value as string;
    let most = 1;
    const selfCalls: MacroFacts['selfCalls'][number][] = [];
    walkLoops({ type: 'Program', body: node.body }, bound, (inner, passes) => {
      most = Math.max(most, bodyPasses(inner, passes, bound).iterations);
      if (isCallOf(inner, name)) selfCalls.push({ call: inner, passes });
      return --budget <= 0 ? true : undefined;
    });
    macros.set(name, { macro: node, passes: most, selfCalls });
    return undefined;
  });
  return macros;
}

/**
 * Python's default recursion limit (`sys.getrecursionlimit()`): a chain of macro calls deeper than that raises
 * RecursionError on its first way down, which ends the render at once.
 */
const RECURSION_LIMIT = 1000;
/** Macro calls past which one render takes minutes: Jinja2 3.1 makes some 60,000 macro calls a second. */
const HUGE_CALLS = 10_000_000;

/**
 * The name of a macro that calls itself at two places or more (or in a loop), each time with a parameter less a
 * literal and under a condition, started from a literal: `{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}
 * {% endif %}{% endmacro %}{{ f(40) }}` makes 2^41 calls, and Jinja's sandbox counts no calls. A macro that recurses
 * over parts of the caller's data (a JSON-schema renderer) starts from no literal and is left alone, as is one that
 * recurses unconditionally or deeper than Python's recursion limit (RecursionError ends it at once).
 */
function exponentialMacro(program: Node, macros: ReadonlyMap<string, MacroFacts>): string | undefined {
  const calls = nodesOf(program).filter((n) => n.type === 'CallExpression');
  for (const [name, { macro, selfCalls }] of macros) {
    const branching = selfCalls.reduce((sum, site) => sum + site.passes.iterations, 0);
    if (branching < 2 || !selfCalls.every((site) => site.passes.guarded)) continue;
    const own = new Set(selfCalls.map((site) => site.call));
    const { names, defaults } = macroParameters(macro);
    for (const [i, parameter] of names.entries()) {
      const steps = selfCalls.map((site) => decrement(argumentFor(site.call, i, parameter), parameter));
      if (steps.some((step) => step === undefined)) continue;
      const step = Math.min(...(steps as number[]));
      const starts = calls
        .filter((call) => isCallOf(call, name) && !own.has(call))
        .map((call) => argumentFor(call, i, parameter) ?? defaults.get(parameter))
        .map((arg) => (arg === undefined ? undefined : integerValue(arg)) ?? 0);
      const depth = Math.floor(Math.max(0, ...starts) / step);
      if (depth <= RECURSION_LIMIT && depth * Math.log(branching) >= Math.log(HUGE_CALLS)) return name;
    }
  }
  return undefined;
}

/** `c` when `arg` is `parameter - c` for a positive literal `c`. */
function decrement(arg: Node | undefined, parameter: string): number | undefined {
  if (arg?.type !== 'BinaryExpression' || (arg.operator as Node).value !== '-') return undefined;
  const left = arg.left as Node;
  if (left.type !== 'Identifier' || left.value !== parameter) return undefined;
  const c = integerValue(arg.right as Node);
  return c !== undefined && c > 0 ? c : undefined;
}

/**
 * `{% set ns.x = ns.x ~ ns.x %}`, `ns.x + ns.x`, `ns.x * 2`: the attribute at least twice in a `~`/`+`/`*` chain, on
 * a value shown to be a string or a list (a `~`, a string or list literal in the chain, or one the attribute is set
 * to: `sequences`). A Python int doubled on each pass grows by one bit: no memory to speak of.
 */
function doublesItself(set: Node, sequences: ReadonlySet<string>): boolean {
  const target = memberPath(set.assignee as Node);
  if (target === undefined || !target.includes('.')) return false;
  let copies = 0;
  let sequence = sequences.has(target);
  const operands = [set.value as Node];
  while (operands.length > 0) {
    const e = operands.pop()!;
    const op = e.type === 'BinaryExpression' ? ((e.operator as Node).value as string) : undefined;
    if (op === '~') sequence = true;
    if (isSequenceLiteral(e)) sequence = true;
    if (op === '~' || op === '+') operands.push(e.left as Node, e.right as Node);
    else if (op === '*') {
      const factor = integerValue(e.right as Node) ?? integerValue(e.left as Node);
      const other = integerValue(e.right as Node) !== undefined ? (e.left as Node) : (e.right as Node);
      if (factor !== undefined && factor >= 2 && memberPath(other) === target) copies += 2;
    } else if (memberPath(e) === target) copies++;
  }
  return copies >= 2 && sequence;
}

/** The `{% set target = value %}` nodes of the template (a block `set` has no value). */
const valueSets = (program: Node): Node[] =>
  nodesOf(program).filter((n) => n.type === 'Set' && n.value !== undefined && n.value !== null);

const isSequenceLiteral = (e: Node): boolean => e.type === 'StringLiteral' || e.type === 'ArrayLiteral';

/**
 * The namespace attributes (`ns.x`) the template sets to a string or list literal: in `namespace(x='…')` or
 * `{% set ns.x = [] %}`, anywhere in the template.
 */
function sequencePaths(program: Node): ReadonlySet<string> {
  const paths = new Set<string>();
  for (const set of valueSets(program)) {
    const target = memberPath(set.assignee as Node);
    const value = set.value as Node;
    if (target === undefined) continue;
    if (isSequenceLiteral(value)) paths.add(target);
    if (value.type !== 'CallExpression' || (value.callee as Node).value !== 'namespace') continue;
    for (const arg of value.args as Node[])
      if (arg.type === 'KeywordArgumentExpression' && isSequenceLiteral(arg.value as Node))
        paths.add(`${target}.${(arg.key as Node).value as string}`);
  }
  return paths;
}
