import type { SyntaxNode } from '@lezer/common';
import { statementImports } from './python.js';
import { childrenOf } from './syntax.js';

/**
 * The names a Python scope binds, over lezer's tree, as CPython's symtable decides it (symtable.c
 * `symtable_visit_stmt` / `symtable_visit_params`): a name bound anywhere in a function's body — an assignment or
 * annotated target, `+=`, `:=`, a `for`, `with … as`, `except … as` target, `del`, an import, a nested `def` or
 * `class` — or one of its parameters is local to it for the whole body, unless `global` / `nonlocal` says otherwise.
 * A nested function's, class's, lambda's or comprehension's own body is its own scope and is not read. The loader
 * wrapper passes ask it whether a name a caller calls is the import it seems to be (python-wrappers.ts).
 */

/** How a scope binds a name: only by import statements, or (also) otherwise. */
export type BindingKind = 'import' | 'other';

/** Nodes whose inside is a scope of its own (their name, for a def or class, is the enclosing scope's). */
const OWN_SCOPE = new Set([
  'FunctionDefinition',
  'ClassDefinition',
  'LambdaExpression',
  'ArrayComprehensionExpression',
  'DictionaryComprehensionExpression',
  'SetComprehensionExpression',
  'ComprehensionExpression',
]);

/** Targets of a statement: names, and the names inside tuple / list / parenthesised targets. */
function targetNames(n: SyntaxNode, src: (n: SyntaxNode) => string, out: string[]): void {
  if (n.name === 'VariableName') out.push(src(n));
  else if (n.name === 'TupleExpression' || n.name === 'ArrayExpression' || n.name === 'ParenthesizedExpression')
    for (const k of childrenOf(n)) targetNames(k, src, out);
}

/** The names one statement or expression node binds in the scope it stands in (not those of nested scopes). */
function nodeBindings(n: SyntaxNode, src: (n: SyntaxNode) => string): { names: string[]; kind: BindingKind } {
  const names: string[] = [];
  const kids = childrenOf(n);
  switch (n.name) {
    case 'FunctionDefinition':
    case 'ClassDefinition': {
      const name = n.getChild('VariableName');
      if (name) names.push(src(name));
      break;
    }
    case 'AssignStatement':
    case 'UpdateStatement': {
      // Every target before the last `=` (`a = b = f()`); an annotation (`x: int = 1`) binds x.
      const last = kids.findLastIndex((k) => k.name === 'AssignOp' || k.name === 'UpdateOp');
      const upTo = last < 0 ? kids.length : last;
      kids.slice(0, upTo).forEach((k) => targetNames(k, src, names));
      break;
    }
    case 'NamedExpression':
      if (kids[0]) targetNames(kids[0], src, names);
      break;
    case 'ForStatement': {
      const from = kids.findIndex((k) => k.name === 'for');
      const to = kids.findIndex((k) => k.name === 'in');
      kids.slice(from + 1, to < 0 ? from + 1 : to).forEach((k) => targetNames(k, src, names));
      break;
    }
    case 'WithStatement':
    case 'TryStatement':
      kids.forEach((k, i) => i > 0 && kids[i - 1]!.name === 'as' && targetNames(k, src, names));
      break;
    case 'MatchClause': {
      // `case name:`, `[a, *rest]`, `{**kw}`, `P(q) as r` bind (symtable.c `symtable_visit_pattern`): every
      // CapturePattern's name and each `as` target of the pattern (not a ClassPattern's class or a literal).
      const pattern = kids[1];
      if (pattern) patternNames(pattern, src, names);
      break;
    }
    case 'DeleteStatement':
      kids.forEach((k) => targetNames(k, src, names));
      break;
    case 'ImportStatement':
      return { names: statementImports(n, src).map(([bound]) => bound), kind: 'import' };
  }
  return { names, kind: 'other' };
}

/**
 * The names `scope` (a `def`, `lambda`, `class` or the module's `Script`) binds in its own body, each with how, once
 * per binding: its parameters and every binding statement, less the names it declares `global` / `nonlocal`. A
 * comprehension's are its `for` targets (a `:=` inside it binds in the enclosing function: PEP 572).
 */
export function scopeBindings(scope: SyntaxNode, src: (n: SyntaxNode) => string): Map<string, BindingKind[]> {
  const bound = new Map<string, BindingKind[]>();
  const declared = new Set<string>();
  const bind = (name: string, kind: BindingKind) => {
    const kinds = bound.get(name);
    if (kinds) kinds.push(kind);
    else bound.set(name, [kind]);
  };
  if (isComprehension(scope)) {
    for (const name of comprehensionTargets(scope, src)) bind(name, 'other');
    return bound;
  }
  const params = scope.name === 'Script' || scope.name === 'ClassDefinition' ? null : scope.getChild('ParamList');
  // A parameter is the name itself, or after `*` / `**`; a default (after `=`) or an annotation binds nothing.
  if (params)
    childrenOf(params).forEach((k, i, all) => {
      const before = all[i - 1]?.name;
      if (k.name === 'VariableName' && (before === undefined || /^(?:\(|,|\*|\*\*)$/.test(before)))
        bind(src(k), 'other');
    });
  const body = scope.name === 'Script' ? scope : (scope.getChild('Body') ?? scope.lastChild);
  const visit = (n: SyntaxNode) => {
    for (const k of childrenOf(n)) {
      if (k.name === 'ScopeStatement') childrenOf(k).forEach((d) => d.name === 'VariableName' && declared.add(src(d)));
      const { names, kind } = nodeBindings(k, src);
      for (const name of names) bind(name, kind);
      if (!OWN_SCOPE.has(k.name)) visit(k);
      // A `:=` inside a comprehension binds in the scope the comprehension stands in (PEP 572; symtable.c
      // `symtable_extend_namedexpr_scope`).
      else if (COMPREHENSIONS.has(k.name)) walrusTargets(k, src).forEach((name) => bind(name, 'other'));
    }
  };
  if (body && body !== params) visit(body);
  for (const name of declared) bound.delete(name);
  return bound;
}

/**
 * How the name `name` used at `use` is bound, as Python looks it up (the language reference's "Resolution of
 * names"): `'local'` where an enclosing function, lambda or (directly) class body binds it otherwise than by import —
 * another object than any module-level import; `'module'` where the module binds it otherwise than by import too
 * (which one a call sees depends on the order things run in); `'import'` where only imports bind it. `bindingsOf`
 * gives a scope's bindings (scopeBindings, kept by the caller: a file asks of the same scopes many times).
 */
export function nameBinding(
  use: SyntaxNode,
  name: string,
  bindingsOf: (scope: SyntaxNode) => ReadonlyMap<string, readonly BindingKind[]>,
): 'local' | 'module' | 'import' {
  // A parameter's own name binds it, and a keyword argument's (`f(load_model=…)`) names no variable at all.
  const up = use.parent?.name;
  if (up === 'ParamList' && use.prevSibling?.name !== 'AssignOp') return 'local';
  if (up === 'ArgList' && use.nextSibling?.name === 'AssignOp') return 'local';
  let inFunction = false;
  for (let p = use.parent; p; p = p.parent) {
    if (p.name === 'Script') return bindingsOf(p).get(name)?.includes('other') ? 'module' : 'import';
    if (isComprehension(p)) {
      const first = firstIterable(p);
      // The outermost iterable is evaluated in the enclosing scope (symtable.c `symtable_handle_comprehension`).
      if (first && use.from >= first.from && use.to <= first.to) continue;
      inFunction = true;
      if (bindingsOf(p).has(name)) return 'local';
      continue;
    }
    const isFunction = p.name === 'FunctionDefinition' || p.name === 'LambdaExpression';
    // A def's defaults and decorators are evaluated in the enclosing scope, not its body.
    const body = isFunction || p.name === 'ClassDefinition' ? (p.getChild('Body') ?? p.lastChild) : null;
    if (!body || use.from < body.from || (p.name === 'ClassDefinition' && inFunction)) continue;
    inFunction ||= isFunction;
    if (bindingsOf(p).get(name)?.includes('other')) return 'local';
  }
  return 'import';
}

/** A comprehension or generator expression: a scope of its own, whose `for` targets are its locals. */
const COMPREHENSIONS = new Set([
  'ArrayComprehensionExpression',
  'DictionaryComprehensionExpression',
  'SetComprehensionExpression',
  'ComprehensionExpression',
]);

/** A comprehension, or a generator expression that is a call's sole argument (lezer: an ArgList with a `for`). */
const isComprehension = (n: SyntaxNode) =>
  COMPREHENSIONS.has(n.name) || (n.name === 'ArgList' && n.getChild('for') !== null);

/** The names a comprehension's `for … in` clauses bind (`[f(x) for f, x in pairs for y in f]`: f, x, y). */
function comprehensionTargets(n: SyntaxNode, src: (n: SyntaxNode) => string): string[] {
  const names: string[] = [];
  let inTarget = false;
  for (const k of childrenOf(n)) {
    if (k.name === 'for') inTarget = true;
    else if (k.name === 'in') inTarget = false;
    else if (inTarget) targetNames(k, src, names);
  }
  return names;
}

/** The node right after a comprehension's first `in`: its outermost iterable. */
function firstIterable(n: SyntaxNode): SyntaxNode | undefined {
  const kids = childrenOf(n);
  const at = kids.findIndex((k) => k.name === 'in');
  return at < 0 ? undefined : kids[at + 1];
}

/** Nodes a `:=` inside a comprehension does not bind through: functions and classes are scopes of their own. */
const WALRUS_STOPS = new Set(['FunctionDefinition', 'ClassDefinition', 'LambdaExpression']);

/** The names `:=` binds inside a comprehension (nested comprehensions too), for the scope it stands in. */
function walrusTargets(n: SyntaxNode, src: (n: SyntaxNode) => string): string[] {
  const names: string[] = [];
  const visit = (at: SyntaxNode) => {
    for (const k of childrenOf(at)) {
      if (WALRUS_STOPS.has(k.name)) continue;
      const first = k.name === 'NamedExpression' ? k.firstChild : null;
      if (first) targetNames(first, src, names);
      visit(k);
    }
  };
  visit(n);
  return names;
}

/**
 * The names a function nested anywhere in `scope`'s body declares `nonlocal`: an assignment there rebinds the
 * enclosing function's variable (symtable.c: a `nonlocal` name is a free variable of the child, bound to the
 * enclosing cell), so `scope`'s own bindings do not show every value such a name takes.
 */
export function nestedNonlocals(scope: SyntaxNode, src: (n: SyntaxNode) => string): Set<string> {
  const names = new Set<string>();
  const visit = (n: SyntaxNode, nested: boolean) => {
    for (const k of childrenOf(n)) {
      if (nested && k.name === 'ScopeStatement' && k.firstChild?.name === 'nonlocal')
        childrenOf(k).forEach((d) => d.name === 'VariableName' && names.add(src(d)));
      visit(k, nested || k.name === 'FunctionDefinition');
    }
  };
  const body = scope.getChild('Body') ?? scope.lastChild;
  if (body) visit(body, false);
  return names;
}

/** The names a `case` pattern captures: CapturePattern names and `as` targets, nested patterns too. */
function patternNames(n: SyntaxNode, src: (n: SyntaxNode) => string, out: string[]): void {
  if (n.name === 'CapturePattern') {
    const name = n.getChild('VariableName');
    if (name) out.push(src(name));
    return;
  }
  const kids = childrenOf(n);
  kids.forEach((k, i) => {
    if (n.name === 'AsPattern' && kids[i - 1]?.name === 'as' && k.name === 'VariableName') out.push(src(k));
    else if (k.name.endsWith('Pattern') || k.name === 'PatternArgList') patternNames(k, src, out);
  });
}
