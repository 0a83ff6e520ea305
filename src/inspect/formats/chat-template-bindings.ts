import {
  CLEAN,
  itemsOf,
  join,
  pathOf,
  sameVal,
  valueOf,
  type Env,
  type Node,
  type Val,
} from './chat-template-values.js';

/** One place the template binds a name: the target (a name or an `ns.x` path) and what flows into it. */
interface Binding {
  readonly target: string;
  readonly value: (env: Env) => Val;
}

/**
 * Every binding of the template, as Jinja makes them: `set` (names, tuples, `ns.x`), `namespace(x=…)` and `dict`
 * keywords reached as `ns.x`, `for` loop variables (an item of the iterable), and macro parameters (each argument
 * any call passes, and the defaults). Scopes are merged: a name holds the join of everything bound to it anywhere,
 * which can only over-approximate.
 */
function collect(nodes: readonly Node[], macros: ReadonlySet<string>): Binding[] {
  const out: Binding[] = [];
  const val = (e: unknown) => (env: Env) => valueOf(e as Node, env, macros);
  const item = (e: unknown) => (env: Env) => itemsOf(valueOf(e as Node, env, macros));
  const bindTarget = (target: Node, value: (env: Env) => Val) => {
    // `a, b = x` unpacks items of x.
    if (target.type === 'TupleLiteral' || target.type === 'ArrayLiteral')
      for (const t of target.value as Node[]) bindTarget(t, (env) => itemsOf(value(env)));
    else {
      const path = pathOf(target);
      if (path !== undefined) out.push({ target: path, value });
    }
  };
  const macroArgs = new Map<string, Node[]>();
  for (const n of nodes) {
    if (n.type === 'Macro') macroArgs.set((n.name as Node).value as string, n.args as Node[]);
  }
  for (const n of nodes) {
    if (n.type === 'Set') {
      const target = n.assignee as Node;
      const value = n.value as Node | null;
      // A block set (`{% set x %}…{% endset %}`) captures rendered text.
      bindTarget(target, value ? val(value) : () => ({ ...CLEAN, built: true }));
      const path = pathOf(target);
      if (path !== undefined && value?.type === 'CallExpression') bindKeywords(path, value, out, macros);
    } else if (n.type === 'For') {
      const loopvar = n.loopvar as Node;
      bindTarget(loopvar, item(n.iterable));
    } else if (n.type === 'Macro') {
      for (const a of n.args as Node[])
        if (a.type === 'KeywordArgumentExpression') bindTarget(a.key as Node, val(a.value));
    } else if (n.type === 'CallExpression' && (n.callee as Node).type === 'Identifier') {
      const params = macroArgs.get((n.callee as Node).value as string);
      if (!params) continue;
      (n.args as Node[]).forEach((arg, i) => {
        if (arg.type === 'KeywordArgumentExpression') bindTarget(arg.key as Node, val(arg.value));
        else {
          const p = params[i];
          const name = p?.type === 'KeywordArgumentExpression' ? (p.key as Node) : p;
          if (name) bindTarget(name, val(arg));
        }
      });
    }
  }
  return out;
}

/** `ns = namespace(x=…)`: the keywords become `ns.x`. */
function bindKeywords(path: string, call: Node, out: Binding[], macros: ReadonlySet<string>): void {
  const callee = call.callee as Node;
  if (callee.type !== 'Identifier' || (callee.value !== 'namespace' && callee.value !== 'dict')) return;
  for (const a of call.args as Node[])
    if (a.type === 'KeywordArgumentExpression')
      out.push({
        target: `${path}.${(a.key as Node).value as string}`,
        value: (env) => valueOf(a.value as Node, env, macros),
      });
}

/** Chains of names longer than this are not chat templates; an unsettled template is reported, not passed. */
const MAX_ROUNDS = 100;
/** Binding evaluations per template (rounds × bindings): bounded time on a hostile template. */
const MAX_EVALUATIONS = 500_000;

/** The values of all bound names, iterated to a fixpoint (values only grow; the literals are finite). */
export function bindValues(nodes: readonly Node[]): { env: Env; macros: ReadonlySet<string>; settled: boolean } {
  const macros = new Set<string>();
  for (const n of nodes) if (n.type === 'Macro') macros.add((n.name as Node).value as string);
  const bindings = collect(nodes, macros);
  const env = new Map<string, Val>();
  let changed = true;
  let evaluations = 0;
  for (let round = 0; changed && round < MAX_ROUNDS; round++) {
    changed = false;
    if ((evaluations += bindings.length) > MAX_EVALUATIONS) return { env, macros, settled: false };
    for (const b of bindings) {
      const before = env.get(b.target) ?? CLEAN;
      const after = join(before, b.value(env));
      if (!sameVal(before, after) || !env.has(b.target)) {
        env.set(b.target, after);
        changed = changed || !sameVal(before, after);
      }
    }
  }
  return { env, macros, settled: !changed };
}
