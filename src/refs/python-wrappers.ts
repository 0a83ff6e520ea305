import type { SyntaxNode, Tree } from '@lezer/common';
import { parser } from '@lezer/python';
import { importedModule, importedModuleFile } from './module-paths.js';
import { pythonImports } from './python.js';
import { nameBinding, nestedNonlocals, scopeBindings, type BindingKind } from './python-bindings.js';
import { argumentGroups, childrenOf } from './syntax.js';
import { lineOffsets } from './text.js';
import { rewriteCalls, sameLines, type CallEdit, type ExpandedWrapperCalls } from './wrapper-calls.js';
import type { ImportedValues } from './types.js';

/**
 * Python loader wrappers, one hop: a module of the repository defines `def load_model(name, revision=None): return
 * AutoModel.from_pretrained(name, revision=revision)` (a run-time note there, as the name is the caller's), and another
 * file calls `load_model("org/x", revision="main")` imported from it. Python binds the call's arguments to the def's
 * parameters (positional by place, then keywords by name, the rest to `**kwargs`, defaults for the unbound: the
 * language reference's "Calls"), so the loader sees the caller's literals. The caller's call is read as the loader call
 * it makes: its text is rewritten in place to that call (same line and column), the loader's import added at the end,
 * and the ordinary Python finder reads it. One hop only; a wrapper that forwards `*args` or rebinds a parameter it
 * passes is not followed, and its note stays.
 */

/** A parameter of a wrapper's `def`: `kind` is how a call may bind it. */
interface Param {
  readonly name: string;
  readonly kind: 'positional-only' | 'positional' | 'keyword' | 'kwargs';
  /** The default as written (a single line), or undefined for none. */
  readonly default?: string;
}

/** An argument of the wrapper's loader call: a parameter passed straight through, `**kwargs`, or other text. */
type LoaderArgument =
  | { readonly keyword: string | undefined; readonly param: string }
  | { readonly keyword: string | undefined; readonly text: string }
  | { readonly kwargs: true };

export interface PythonWrapper {
  /** The module that defines it, and the name it defines. */
  readonly module: string;
  readonly name: string;
  /** Where the loader call is in the module: the run-time note the module gives there is the wrapper's. */
  readonly line: number;
  readonly column: number;
  /** The loader as the module calls it (`AutoModel.from_pretrained`), and the import that binds its first name. */
  readonly callee: string;
  readonly importStatement: string;
  readonly params: readonly Param[];
  readonly args: readonly LoaderArgument[];
  /**
   * The parameter whose literal default names the model (`def load(name="org/x")`): the module's own reference is
   * that default, so a call that leaves it unbound loads what the def's finding already says and is not read again.
   */
  readonly defaultName?: string;
  /** The module uses the def itself: those uses are not read, so its note stands. */
  readonly selfUsed?: true;
}

/** Where a loader call sits (1-based), and for a reference named by a parameter's default, that parameter. */
export interface LoaderCallPlace {
  readonly line: number;
  readonly column: number;
  readonly nameFrom?: string;
}

/**
 * The loader wrappers a module defines: a top-level `def` (decorated or not) holding a loader call the first reading
 * left to run time (`dynamic`), or named by a parameter's default (a reference whose `nameFrom` is `load(name)`), that
 * passes at least one parameter straight through. `values`: the module's own string
 * constants (imported-values.ts), written into the call in place of their names (`revision=REVISION`).
 */
export function pythonLoaderWrappers(
  path: string,
  text: string,
  dynamic: readonly LoaderCallPlace[],
  values?: ImportedValues,
): PythonWrapper[] {
  if (dynamic.length === 0 || !text.includes('def ')) return [];
  const offsetOf = lineOffsets(text);
  // A loader call in a def's body is on an indented line: most notes are not, and the file is not parsed again.
  const indented = (d: LoaderCallPlace) => /[ \t]/.test(text[offsetOf(d.line, 1) ?? -1] ?? '');
  if (!dynamic.some(indented)) return [];
  const tree = parsed(text);
  const imports = new Map(pythonImports(text, tree).bindings);
  // A name the module binds more than once (a second `def`, `load = cache(load)`): which one a caller gets is the run's.
  const moduleBound = scopeBindings(tree.topNode, (n) => text.slice(n.from, n.to));
  const out: PythonWrapper[] = [];
  for (const d of dynamic) {
    const offset = offsetOf(d.line, d.column);
    if (offset === undefined) continue;
    let call: SyntaxNode | null = tree.resolveInner(offset, 1);
    while (call && !(call.name === 'CallExpression' && call.from === offset)) call = call.parent;
    const def = call && topLevelDef(call, text);
    const name = def?.getChild('VariableName');
    if (!call || !def || !name || moduleBound.get(text.slice(name.from, name.to))?.length !== 1) continue;
    const wrapper = readWrapper(path, text, call, def, imports, values);
    if (!wrapper) continue;
    // python.ts names a parameter `fn(param)`: the def's default is the reference only when the parameter is this def's.
    const defaultName = d.nameFrom === undefined ? undefined : defaultParameter(d.nameFrom, wrapper);
    if (d.nameFrom !== undefined && defaultName === undefined) continue;
    out.push({ ...wrapper, line: d.line, column: d.column, ...(defaultName === undefined ? {} : { defaultName }) });
  }
  return out;
}

let last: { readonly text: string; readonly tree: Tree } | undefined;

/** `text`'s tree, kept for the next question of the same module (the refs stage asks again with its constants). */
function parsed(text: string): Tree {
  if (last?.text !== text) last = { text, tree: parser.parse(text) };
  return last.tree;
}

/**
 * Whether a wrapper read with no constants (`values` undefined) passes a name of its module to the loader, which its
 * constants may decide (`revision=REVISION`): only then is the module's constants' reading worth its cost.
 */
export function readsModuleNames(w: PythonWrapper): boolean {
  const named = (t: string | undefined) => t !== undefined && !LITERAL.test(t);
  return w.args.some((a) => 'text' in a && named(a.text)) || w.params.some((p) => named(p.default));
}

/** The parameter of `wrapper` that python.ts's `fn(param)` names, when it is the wrapper's own. */
function defaultParameter(nameFrom: string, wrapper: Omit<PythonWrapper, 'line' | 'column'>): string | undefined {
  const m = /^([A-Za-z_]\w*)\(([A-Za-z_]\w*)\)$/.exec(nameFrom);
  return m && m[1] === wrapper.name && wrapper.params.some((p) => p.name === m[2]) ? m[2] : undefined;
}

/**
 * Decorators that return a function calling the def with the arguments it is given (functools `lru_cache` / `cache`,
 * torch's `no_grad` / `inference_mode`): any other may replace the function, its arguments or its model.
 */
const KEEPS_CALL = /^(?:functools\.)?(?:lru_cache|cache)(?:\([^()]*\))?$|^torch\.(?:no_grad|inference_mode)\(\)$/;

/** Whether every decorator written (`@a\n@b(…)\n`) is one that keeps the call as made. */
function keepsCall(decorators: string): boolean {
  return decorators
    .split(/^\s*@/m)
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .every((d) => KEEPS_CALL.test(d));
}

/** The top-level `def` (at the module's level, decorated or not) a node is in. */
function topLevelDef(n: SyntaxNode, text: string): SyntaxNode | undefined {
  for (let p = n.parent; p; p = p.parent) {
    if (p.name !== 'FunctionDefinition') continue;
    const decorated = p.parent?.name === 'DecoratedStatement' ? p.parent : undefined;
    const up = decorated ? decorated.parent : p.parent;
    if (decorated && !keepsCall(text.slice(decorated.from, p.from))) return undefined;
    return up?.name === 'Script' ? p : undefined;
  }
  return undefined;
}

function readWrapper(
  path: string,
  text: string,
  call: SyntaxNode,
  def: SyntaxNode,
  imports: ReadonlyMap<string, string>,
  values: ImportedValues | undefined,
): Omit<PythonWrapper, 'line' | 'column'> | undefined {
  const src = (n: SyntaxNode) => text.slice(n.from, n.to);
  const [name, paramList, body] = ['VariableName', 'ParamList', 'Body'].map((k) => def.getChild(k));
  const [callee, argList] = childrenOf(call);
  if (!name || !paramList || !body || !callee || argList?.name !== 'ArgList') return undefined;
  const params = readParams(paramList, src);
  const calleeText = src(callee);
  const head = /^[A-Za-z_]\w*/.exec(calleeText)?.[0];
  const target = head === undefined ? undefined : imports.get(head);
  if (!params || head === undefined || !/^[\w.]+$/.test(calleeText) || !target || target.startsWith('.'))
    return undefined;
  const byName = new Map(params.map((p) => [p.name, p]));
  const args: LoaderArgument[] = [];
  for (const group of argumentGroups(argList)) {
    const [first, op, value] = group;
    if (group.length === 2 && src(first!) === '**' && byName.get(src(group[1]!))?.kind === 'kwargs') {
      args.push({ kwargs: true });
      continue;
    }
    // `*args` / `**other`: what the loader gets is not the caller's to read.
    if (src(first!) === '*' || src(first!) === '**') return undefined;
    const keyword = op?.name === 'AssignOp' && first!.name === 'VariableName' ? src(first!) : undefined;
    const expr = keyword === undefined ? first! : value;
    if (!expr || (keyword === undefined && group.length > 1)) return undefined;
    const written = src(expr);
    const param = expr.name === 'VariableName' ? byName.get(written) : undefined;
    if (param && param.kind !== 'kwargs') args.push({ keyword, param: param.name });
    else {
      // Any other argument is evaluated in the def's module, not the caller's: only a literal or a module string
      // constant reads the same pasted at the caller (`trust_remote_code=TRUST` is the module's TRUST).
      const text = moduleValue(written, values);
      if (text === undefined) return undefined;
      args.push({ keyword, text });
    }
  }
  // A default is evaluated once, in the def's module (language reference, "Function definitions"): the same rule.
  const resolved: Param[] = [];
  for (const p of params) {
    const text = p.default === undefined ? undefined : moduleValue(p.default, values);
    if (p.default !== undefined && text === undefined) return undefined;
    resolved.push(text === undefined ? p : { ...p, default: text });
  }
  const passed = args.flatMap((a) => ('param' in a ? [a.param] : []));
  // The module's own uses of the def (`DEFAULT = load_model("org/x")`, `__all__`) are not read as a caller's: the
  // def's note stands (only the `def` line names it).
  const selfUsed = (text.match(new RegExp(`\\b${src(name)}\\b`, 'g'))?.length ?? 0) > 1;
  // A parameter the body binds again (`name = name.strip()`, a `:=` in a comprehension, a nested function's
  // `nonlocal name; name = …`) is not the caller's value as passed.
  const bound = scopeBindings(def, src);
  const nonlocals = nestedNonlocals(def, src);
  if (passed.length === 0 || passed.some((p) => (bound.get(p)?.length ?? 0) > 1 || nonlocals.has(p))) return undefined;
  return {
    module: path,
    name: src(name),
    callee: calleeText,
    importStatement: importStatement(head, target),
    params: resolved,
    args,
    ...(selfUsed ? { selfUsed } : {}),
  };
}

/** A Python literal (not an f-string) as written. */
const LITERAL = /^(?:[rRuUbB]{0,2}(?:"[^"\n\\]*"|'[^'\n\\]*')|-?\d[\d_.eE]*|True|False|None)$/;

/**
 * An expression of the def's module as text that reads the same anywhere: a literal, or a module string constant
 * (imported-values.ts) written as its value. `values` undefined (the cheap first look): any name may be one.
 */
function moduleValue(written: string, values: ImportedValues | undefined): string | undefined {
  if (LITERAL.test(written)) return written;
  if (!/^[A-Za-z_]\w*$/.test(written)) return undefined;
  if (values === undefined) return written;
  // A constant the environment may set (`os.environ.get("REV", "main")`) is the run's, not its default.
  const constant = values.get(written);
  return constant?.value === undefined || constant.env !== undefined ? undefined : JSON.stringify(constant.value);
}

/** A `def`'s parameters, or undefined where a call's binding to them is not read here (`*args`, one-line defaults). */
function readParams(list: SyntaxNode, src: (n: SyntaxNode) => string): Param[] | undefined {
  const params: Param[] = [];
  let keywordOnly = false;
  // Every parameter before PEP 570's `/` is positional-only. lezer's tree holds no node for it: it is the text after
  // a comma that no parameter follows.
  const kids = childrenOf(list);
  const slash = kids.find(
    (k, i) =>
      k.name === ',' && /^\s*\/\s*$/.test(src(list).slice(k.to - list.from, (kids[i + 1]?.from ?? k.to) - list.from)),
  );
  for (const group of argumentGroups(list)) {
    const first = src(group[0]!);
    if (first === '*') {
      if (group.length > 1) return undefined;
      keywordOnly = true;
      continue;
    }
    if (first === '**') {
      if (group[1]?.name !== 'VariableName') return undefined;
      params.push({ name: src(group[1]), kind: 'kwargs' });
      continue;
    }
    if (group[0]!.name !== 'VariableName') return undefined;
    const assign = group.findIndex((n) => n.name === 'AssignOp');
    const dflt = assign < 0 ? undefined : group[assign + 1];
    if (dflt && /\n/.test(src(dflt))) return undefined;
    params.push({
      name: first,
      kind: keywordOnly ? 'keyword' : slash && group[0]!.from < slash.from ? 'positional-only' : 'positional',
      ...(dflt ? { default: src(dflt) } : {}),
    });
  }
  return params;
}

/** Python that binds `local` as the module's import does (`from transformers import AutoModel as AM`). */
function importStatement(local: string, target: string): string {
  const dot = target.lastIndexOf('.');
  if (dot < 0) return target === local ? `import ${target}` : `import ${target} as ${local}`;
  const name = target.slice(dot + 1);
  return `from ${target.slice(0, dot)} import ${name}${name === local ? '' : ` as ${local}`}`;
}

/**
 * Words one of which a file that imports from one of `modules` holds: the module's name (`from .models import`,
 * `import pkg.models`), for a package's `__init__.py` its folder's and `from .` (a relative import from inside).
 */
export function pythonModuleWords(modules: Iterable<string>): string[] {
  const words = new Set<string>();
  for (const m of modules) {
    const parts = m.split('/');
    const stem = parts.at(-1)!.replace(/\.pyi?$/, '');
    if (stem !== '__init__') words.add(stem);
    else {
      words.add('from .');
      if (parts.length > 1) words.add(parts.at(-2)!);
    }
  }
  return [...words].sort();
}

/** A caller's text with its calls of wrappers rewritten (wrapper-calls.ts). */
export type ExpandedCalls = ExpandedWrapperCalls<PythonWrapper>;

/**
 * `text` (the Python file at `importer`) with each call of a wrapper it imports (`from .models import load_model`,
 * `import pkg.models as m` then `m.load_model(…)`) rewritten to the loader call the wrapper makes with its arguments;
 * undefined when it calls none. `wrapperOf`: the wrapper a module defines under a name.
 */
export function expandWrapperCalls(
  importer: string,
  text: string,
  wrapperOf: (module: string, name: string) => PythonWrapper | undefined,
  exists: (p: string) => boolean,
  holdsWrappers: (module: string) => boolean,
): ExpandedCalls | undefined {
  const tree = parser.parse(text);
  const { bindings } = pythonImports(text, tree);
  const targets = new Map<string, string | null>();
  for (const [local, target] of bindings)
    targets.set(local, targets.has(local) && targets.get(local) !== target ? null : target);
  const byName = (local: string): PythonWrapper | undefined => {
    const target = targets.get(local);
    const at = target ? importedModuleFile(importer, target, exists) : undefined;
    return at && at.file !== importer ? wrapperOf(at.file, at.name) : undefined;
  };
  const byMember = (local: string, name: string): PythonWrapper | undefined => {
    const target = targets.get(local);
    const file = target ? importedModule(importer, target, exists) : undefined;
    return file && file !== importer ? wrapperOf(file, name) : undefined;
  };
  // Most files holding a wrapper's word (`json.load`) import no wrapper module: not parsed.
  const importsWrapper = [...targets.values()].some((t) => {
    if (!t) return false;
    const at = importedModuleFile(importer, t, exists);
    const file = importedModule(importer, t, exists);
    return (
      (at !== undefined && wrapperOf(at.file, at.name) !== undefined) || (file !== undefined && holdsWrappers(file))
    );
  });
  if (!importsWrapper) return undefined;
  const edits: CallEdit<PythonWrapper>[] = [];
  const src = (n: SyntaxNode) => text.slice(n.from, n.to);
  const scopes = new Map<string, Map<string, BindingKind[]>>();
  const bindingsOf = (scope: SyntaxNode) => {
    const key = `${scope.name}@${scope.from}`;
    let bound = scopes.get(key);
    if (!bound) scopes.set(key, (bound = scopeBindings(scope, src)));
    return bound;
  };
  /**
   * The wrapper a name or `module.name` at `n` stands for, and whether this call of it can be read: a parameter or
   * local of the same name is another object (not a use), a module that also defines or assigns the name may mean
   * either (a use, not read here: the note stands).
   */
  const wrapperAt = (n: SyntaxNode): { wrapper: PythonWrapper; readable: boolean } | undefined => {
    const parts = n.name === 'MemberExpression' ? childrenOf(n) : [];
    const head =
      n.name === 'VariableName' ? n : parts.length === 3 && parts[0]!.name === 'VariableName' ? parts[0]! : undefined;
    const wrapper = !head ? undefined : head === n ? byName(src(n)) : byMember(src(head), src(parts[2]!));
    if (!wrapper || !head) return undefined;
    const binding = nameBinding(head, src(head), bindingsOf);
    return binding === 'local' ? undefined : { wrapper, readable: binding === 'import' };
  };
  // Every use of a wrapper's name outside an import, by where it starts; a call read here takes its own out.
  const uses = new Map<number, PythonWrapper>();
  const cursor = tree.cursor();
  let importEnd = -1;
  do {
    if (cursor.name === 'ImportStatement') importEnd = cursor.to;
    if (cursor.from < importEnd) continue;
    const use =
      cursor.name === 'VariableName' || cursor.name === 'MemberExpression' ? wrapperAt(cursor.node) : undefined;
    if (use) uses.set(cursor.from, use.wrapper);
    if (cursor.name !== 'CallExpression') continue;
    const node = cursor.node;
    const [callee, argList] = childrenOf(node);
    if (!callee || argList?.name !== 'ArgList') continue;
    const at = wrapperAt(callee);
    const call = at?.readable ? loaderCall(at.wrapper, argList, src) : undefined;
    if (call === undefined) continue;
    const padded = sameLines(src(node), call);
    if (padded !== undefined) edits.push({ from: node.from, to: node.to, call: padded, wrapper: at!.wrapper });
  } while (cursor.next());
  return rewriteCalls(text, edits, uses);
}

/**
 * The loader call a wrapper makes given a call's arguments, bound as Python binds them; undefined where the call
 * passes `*x` / `**x` or does not bind as the def asks (a missing argument, an unknown keyword, a positional-only
 * parameter by keyword, a parameter given twice: each a TypeError, CPython's ceval.c `initialize_locals`).
 */
function loaderCall(wrapper: PythonWrapper, argList: SyntaxNode, src: (n: SyntaxNode) => string): string | undefined {
  const bound = new Map<string, string>();
  const extra: string[] = [];
  const positional = wrapper.params.filter((p) => p.kind === 'positional' || p.kind === 'positional-only');
  const kwargs = wrapper.params.some((p) => p.kind === 'kwargs');
  let index = 0;
  for (const group of argumentGroups(argList)) {
    const [first, op, value] = group;
    const written = src(first!);
    if (written === '*' || written === '**') return undefined;
    if (op?.name === 'AssignOp' && value) {
      // A positional-only parameter's name given as a keyword goes to `**kwargs`, else is a TypeError.
      const param = wrapper.params.find(
        (p) => p.name === written && p.kind !== 'kwargs' && p.kind !== 'positional-only',
      );
      if (param && !bound.has(param.name)) bound.set(param.name, src(value));
      else if (kwargs && !param) extra.push(`${written}=${src(value)}`);
      else return undefined;
      continue;
    }
    if (group.length > 1) return undefined;
    const param = positional[index++];
    if (!param) return undefined;
    bound.set(param.name, written);
  }
  // A parameter with no default the call leaves unbound: Python raises TypeError before the body runs.
  if (wrapper.params.some((p) => p.kind !== 'kwargs' && p.default === undefined && !bound.has(p.name)))
    return undefined;
  // The model the def's default names: the def's own reference says it (one finding for the one cause).
  if (wrapper.defaultName !== undefined && !bound.has(wrapper.defaultName)) return undefined;
  const valueOf = (name: string) => bound.get(name) ?? wrapper.params.find((p) => p.name === name)?.default;
  const out: string[] = [];
  for (const a of wrapper.args) {
    if ('kwargs' in a) {
      out.push(...extra);
      continue;
    }
    const value = 'param' in a ? valueOf(a.param) : a.text;
    if (value === undefined) return undefined;
    out.push(a.keyword === undefined ? value : `${a.keyword}=${value}`);
  }
  return `${wrapper.callee}(${out.join(', ')})`;
}
