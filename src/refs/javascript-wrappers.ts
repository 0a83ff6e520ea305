import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/javascript';
import { javaScriptImportBindings } from './javascript.js';
import { importedJavaScriptModule } from './module-paths.js';
import { argumentGroups, childrenOf } from './syntax.js';
import { lineOffsets } from './text.js';
import { rewriteCalls, sameLines, type CallEdit, type ExpandedWrapperCalls } from './wrapper-calls.js';

/**
 * JavaScript / TypeScript loader wrappers, one hop (python-wrappers.ts's design): a module exports `function load(id) {
 * return pipeline('feature-extraction', id) }` (or `export const load = (id, opts) => …`, `export default`, CommonJS
 * `exports.load = …`), a run-time note there, and another file calls `load('org/x')` imported or required from it.
 * ECMAScript binds a call's arguments to the parameters by place (ECMA-262 FunctionDeclarationInstantiation /
 * IteratorBindingInitialization: a missing one is undefined, then its default), so the loader sees the caller's
 * literals. The caller's call is read as the loader call it makes, rewritten in place (same line and column), the
 * loader's import appended, and the ordinary JavaScript finder reads it. Not followed: rest or destructured
 * parameters, a spread argument, a parameter the body assigns, a loader that is not a package's import.
 */

export interface JavaScriptWrapper {
  readonly module: string;
  /** The export it is: a name, or `default`. */
  readonly name: string;
  readonly line: number;
  readonly column: number;
  readonly callee: string;
  readonly importStatement: string;
  readonly params: readonly { readonly name: string; readonly default?: string }[];
  /**
   * The loader call's arguments in order: a parameter passed through, or text with the parameters it names as slots
   * (`{ revision }` is `{ revision: <the caller's> }`).
   */
  readonly args: readonly ({ readonly param: string } | { readonly parts: readonly (string | { param: string })[] })[];
}

const TS = parser.configure({ dialect: 'ts jsx' });
const TS_ONLY = parser.configure({ dialect: 'ts' });
const parserFor = (path: string) => (/\.[cm]?ts$/i.test(path) ? TS_ONLY : TS);

/**
 * The loader wrappers a module exports, one per run-time note (`dynamic`) that sits in an exported function and per
 * name it is exported as.
 */
export function javaScriptLoaderWrappers(
  path: string,
  text: string,
  dynamic: readonly { readonly line: number; readonly column: number }[],
): JavaScriptWrapper[] {
  if (dynamic.length === 0 || !/\bexports?\b/.test(text)) return [];
  const offsetOf = lineOffsets(text);
  // A loader call in a function is on an indented line or an arrow's / function's own line: most notes are neither
  // (a top-level `await pipeline(task, process.env.MODEL)`), and the file is not parsed again.
  const lineOf = (d: { line: number }) => text.slice(offsetOf(d.line, 1) ?? 0, offsetOf(d.line + 1, 1) ?? text.length);
  if (!dynamic.some((d) => /^[ \t]|=>|\bfunction\b/.test(lineOf(d)))) return [];
  const tree = parserFor(path).parse(text);
  const src = (n: SyntaxNode) => text.slice(n.from, n.to);
  let bindings: ReturnType<typeof javaScriptImportBindings> | undefined;
  let exports: Map<string, string[]> | undefined;
  const out: JavaScriptWrapper[] = [];
  for (const d of dynamic) {
    const offset = offsetOf(d.line, d.column);
    if (offset === undefined) continue;
    let call: SyntaxNode | null = tree.resolveInner(offset, 1);
    while (call && !(call.name === 'CallExpression' && call.from === offset)) call = call.parent;
    const fn = call ? enclosingFunction(call) : undefined;
    const direct = fn && exportName(fn, src);
    const local = fn && direct === undefined ? localName(fn, src) : undefined;
    const names =
      direct !== undefined ? [direct] : local ? ((exports ??= localExports(tree.topNode, src)).get(local) ?? []) : [];
    if (!call || !fn || names.length === 0) continue;
    const wrapper = readWrapper(text, call, fn, src, (bindings ??= javaScriptImportBindings(path, text)));
    if (wrapper)
      for (const name of new Set(names)) out.push({ ...wrapper, module: path, name, line: d.line, column: d.column });
  }
  return out;
}

/** The name a top-level `function f(…)` or `const f = (…) => …` / `function (…)` binds in its module. */
function localName(fn: SyntaxNode, src: (n: SyntaxNode) => string): string | undefined {
  const up = fn.parent;
  if (fn.name === 'FunctionDeclaration' && up?.name === 'Script') {
    const name = fn.getChild('VariableDefinition');
    return name ? src(name) : undefined;
  }
  if (up?.name !== 'VariableDeclaration' || up.parent?.name !== 'Script') return undefined;
  const kids = childrenOf(up);
  return kids.length <= 5 && kids[1]?.name === 'VariableDefinition' && kids[3]?.from === fn.from
    ? src(kids[1])
    : undefined;
}

/**
 * The names a module exports its own bindings as, by local name: `export { f, g as h }` (no `from`: ECMA-262
 * ExportDeclaration : export NamedExports), CommonJS `module.exports = { f, h: g }` and `exports.h = g` /
 * `module.exports.h = g` (what `require` returns is `module.exports`, Node's Module.prototype._compile).
 */
function localExports(script: SyntaxNode, src: (n: SyntaxNode) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (local: string, exported: string) => out.set(local, [...(out.get(local) ?? []), exported]);
  for (const statement of childrenOf(script)) {
    const kids = childrenOf(statement);
    if (statement.name === 'ExportDeclaration' && !kids.some((k) => k.name === 'from')) {
      const group = kids.find((k) => k.name === 'ExportGroup');
      const items = group ? childrenOf(group) : [];
      items.forEach((k, i) => {
        if (k.name !== 'VariableName' || items[i - 1]?.name === 'as') return;
        add(src(k), items[i + 1]?.name === 'as' && items[i + 2] ? src(items[i + 2]!) : src(k));
      });
    }
    const assign = statement.name === 'ExpressionStatement' ? kids[0] : undefined;
    const [target, eq, value] = assign?.name === 'AssignmentExpression' ? childrenOf(assign) : [];
    if (!target || eq?.name !== 'Equals' || !value) continue;
    const member = /^(?:module\.)?exports\.([A-Za-z_$][\w$]*)$/.exec(src(target));
    if (member && value.name === 'VariableName') add(src(value), member[1]!);
    if (src(target) !== 'module.exports' || value.name !== 'ObjectExpression') continue;
    for (const property of childrenOf(value).filter((k) => k.name === 'Property')) {
      const [key, colon, local] = childrenOf(property);
      if (key?.name !== 'PropertyDefinition') continue;
      if (!colon) add(src(key), src(key));
      else if (colon.name === ':' && local?.name === 'VariableName') add(src(local), src(key));
    }
  }
  return out;
}

const FUNCTION = /^(?:FunctionDeclaration|FunctionExpression|ArrowFunction)$/;

function enclosingFunction(n: SyntaxNode): SyntaxNode | undefined {
  for (let p = n.parent; p; p = p.parent) if (FUNCTION.test(p.name)) return p;
  return undefined;
}

/**
 * The name a module exports a function as: `export function f`, `export const f = …`, `export default …`,
 * `exports.f = …` / `module.exports.f = …`; undefined for any other place.
 */
function exportName(fn: SyntaxNode, src: (n: SyntaxNode) => string): string | undefined {
  const up = fn.parent;
  if (!up) return undefined;
  if (up.name === 'ExportDeclaration') {
    if (childrenOf(up).some((k) => k.name === 'default')) return 'default';
    const name = fn.getChild('VariableDefinition');
    return name ? src(name) : undefined;
  }
  if (up.name === 'VariableDeclaration' && up.parent?.name === 'ExportDeclaration') {
    const kids = childrenOf(up);
    return kids.length <= 5 && kids[1]?.name === 'VariableDefinition' && kids[3]?.from === fn.from
      ? src(kids[1])
      : undefined;
  }
  if (up.name === 'AssignmentExpression' && up.parent?.parent?.name === 'Script') {
    const m = /^(?:module\.)?exports\.([A-Za-z_$][\w$]*)$/.exec(src(up.firstChild!));
    return m?.[1];
  }
  return undefined;
}

/** The wrapper's parameters and loader call, or undefined where a call's binding is not read here. */
function readWrapper(
  text: string,
  call: SyntaxNode,
  fn: SyntaxNode,
  src: (n: SyntaxNode) => string,
  bindings: ReturnType<typeof javaScriptImportBindings>,
): Omit<JavaScriptWrapper, 'module' | 'name' | 'line' | 'column'> | undefined {
  const list = fn.getChild('ParamList');
  const [callee, argList] = childrenOf(call);
  if (!list || !callee || argList?.name !== 'ArgList') return undefined;
  const params: { name: string; default?: string }[] = [];
  // TypeScript's `id: string` / `id?: string` types nothing the call binds.
  for (const group of argumentGroups(list).map((g) =>
    g.filter((k) => k.name !== 'TypeAnnotation' && k.name !== 'Optional'),
  )) {
    const [name, eq, value] = group;
    if (name?.name !== 'VariableDefinition' || (eq && (eq.name !== 'Equals' || !value || group.length > 3)))
      return undefined;
    if (!eq && group.length > 1) return undefined;
    // A default is evaluated in the wrapper's module: only a literal reads the same pasted at the caller.
    if (value && !/^(?:String|Number|BooleanLiteral|null)$/.test(value.name)) return undefined;
    params.push({ name: src(name), ...(value ? { default: src(value) } : {}) });
  }
  const calleeText = src(callee);
  const head = /^[A-Za-z_$][\w$]*/.exec(calleeText)?.[0];
  const binding = bindings.find((b) => b.local === head && !b.reexport);
  if (!binding || binding.module.startsWith('.') || !/^[\w$.]+$/.test(calleeText)) return undefined;
  const names = new Set(params.map((p) => p.name));
  const args: JavaScriptWrapper['args'][number][] = [];
  for (const group of argumentGroups(argList)) {
    if (group.length !== 1 || group[0]!.name === 'Spread') return undefined;
    const written = src(group[0]!);
    if (group[0]!.name === 'VariableName' && names.has(written)) args.push({ param: written });
    else if (/\n/.test(written) || readsOtherNames(group[0]!, names, src)) return undefined;
    else args.push({ parts: withSlots(text, group[0]!, names) });
  }
  const passed = args.flatMap((a) =>
    'param' in a ? [a.param] : a.parts.flatMap((p) => (typeof p === 'string' ? [] : [p.param])),
  );
  // The body only: the parameter list's own `revision = 'main'` is a default, not an assignment.
  const body = text.slice(list.to, fn.to);
  // A parameter the body assigns is not the caller's value as passed.
  if (
    passed.length === 0 ||
    passed.some((p) => new RegExp(`(?<![\\w$.])${p}\\s*(?:[-+*/|&?]?=(?!=)|\\+\\+|--)`).test(body))
  )
    return undefined;
  return { callee: calleeText, importStatement: importOf(binding), params, args };
}

/** Whether an argument reads a name other than the parameters: the wrapper module's, not the caller's. */
function readsOtherNames(node: SyntaxNode, params: ReadonlySet<string>, src: (n: SyntaxNode) => string): boolean {
  const cursor = node.cursor();
  do {
    const n = cursor.node;
    if (n.name === 'VariableName' && !params.has(src(n))) return true;
    const kids = n.name === 'Property' ? childrenOf(n) : [];
    if (kids.length === 1 && kids[0]!.name === 'PropertyDefinition' && !params.has(src(kids[0]!))) return true;
  } while (cursor.next() && cursor.from < node.to);
  return false;
}

/**
 * An argument's text with each parameter it reads as a slot: a variable (`{ revision: rev }`) or an object's shorthand
 * property (`{ revision }`, which reads the variable of that name: ECMA-262 PropertyDefinition : IdentifierReference).
 */
function withSlots(text: string, node: SyntaxNode, params: ReadonlySet<string>): (string | { param: string })[] {
  const src = (n: { from: number; to: number }) => text.slice(n.from, n.to);
  const slots: { from: number; to: number; key?: string; param: string }[] = [];
  const cursor = node.cursor();
  do {
    const n = cursor.node;
    if (n.name === 'VariableName' && params.has(src(n))) slots.push({ from: n.from, to: n.to, param: src(n) });
    const kids = n.name === 'Property' ? childrenOf(n) : [];
    if (kids.length === 1 && kids[0]!.name === 'PropertyDefinition' && params.has(src(kids[0]!)))
      slots.push({ from: n.from, to: n.to, key: src(kids[0]!), param: src(kids[0]!) });
  } while (cursor.next() && cursor.from < node.to);
  const out: (string | { param: string })[] = [];
  let at = node.from;
  for (const s of slots) {
    out.push(text.slice(at, s.from) + (s.key === undefined ? '' : `${s.key}: `), { param: s.param });
    at = s.to;
  }
  out.push(text.slice(at, node.to));
  return out;
}

/** JavaScript that binds the loader's name as the wrapper module does. */
function importOf(b: { local: string; module: string; name: string }): string {
  const from = JSON.stringify(b.module);
  if (b.name === '*') return `import * as ${b.local} from ${from};`;
  if (b.name === 'default') return `import ${b.local} from ${from};`;
  return `import { ${b.name === b.local ? b.name : `${b.name} as ${b.local}`} } from ${from};`;
}

export type ExpandedJavaScriptCalls = ExpandedWrapperCalls<JavaScriptWrapper>;

/**
 * `text` (the file at `importer`) with each call of a wrapper it imports or requires (`load(…)`, `ml.load(…)` of `import
 * * as ml` / `const ml = require(…)`) rewritten to the loader call it makes; undefined when it calls none.
 */
export function expandJavaScriptWrapperCalls(
  importer: string,
  text: string,
  wrapperOf: (module: string, name: string) => JavaScriptWrapper | undefined,
  exists: (p: string) => boolean,
): ExpandedJavaScriptCalls | undefined {
  const bound = new Map<string, { file: string; name: string } | null>();
  for (const b of javaScriptImportBindings(importer, text)) {
    if (b.reexport || !b.module.startsWith('.')) continue;
    const file = importedJavaScriptModule(importer, b.module, exists);
    const target = file && file !== importer ? { file, name: b.name } : null;
    bound.set(b.local, bound.has(b.local) ? null : target);
  }
  if (bound.size === 0) return undefined;
  const src = (n: SyntaxNode) => text.slice(n.from, n.to);
  const edits: CallEdit<JavaScriptWrapper>[] = [];
  const used = (n: SyntaxNode): JavaScriptWrapper | undefined => {
    if (n.name === 'VariableName') {
      const t = bound.get(src(n));
      return t ? wrapperOf(t.file, t.name) : undefined;
    }
    const parts = n.name === 'MemberExpression' ? childrenOf(n) : [];
    if (parts.length !== 3 || parts[0]!.name !== 'VariableName' || parts[1]!.name !== '.') return undefined;
    const t = bound.get(src(parts[0]!));
    return t && t.name === '*' ? wrapperOf(t.file, src(parts[2]!)) : undefined;
  };
  // Every use of a wrapper by where it starts; a call read here takes its own out.
  const uses = new Map<number, JavaScriptWrapper>();
  const cursor = parserFor(importer).parse(text).cursor();
  do {
    const use = cursor.name === 'VariableName' || cursor.name === 'MemberExpression' ? used(cursor.node) : undefined;
    if (use) uses.set(cursor.from, use);
    if (cursor.name !== 'CallExpression') continue;
    const node = cursor.node;
    const [callee, argList] = childrenOf(node);
    if (!callee || argList?.name !== 'ArgList') continue;
    const wrapper = used(callee);
    const call = wrapper && loaderCall(wrapper, argList, src);
    if (call === undefined) continue;
    const padded = sameLines(src(node), call);
    if (padded !== undefined) edits.push({ from: node.from, to: node.to, call: padded, wrapper: wrapper! });
  } while (cursor.next());
  return rewriteCalls(text, edits, uses);
}

/** The loader call a wrapper makes given a call's arguments, bound by place; undefined where the call spreads one. */
function loaderCall(
  wrapper: JavaScriptWrapper,
  argList: SyntaxNode,
  src: (n: SyntaxNode) => string,
): string | undefined {
  const given = argumentGroups(argList);
  if (given.some((g) => g.length !== 1 || g[0]!.name === 'Spread')) return undefined;
  const valueOf = (name: string) => {
    const i = wrapper.params.findIndex((p) => p.name === name);
    return given[i] ? src(given[i][0]!) : wrapper.params[i]?.default;
  };
  // A parameter with neither is `undefined` to the loader, as no argument at its place is (trailing ones dropped).
  const out = wrapper.args.map((a) =>
    'param' in a
      ? valueOf(a.param)
      : a.parts.map((p) => (typeof p === 'string' ? p : (valueOf(p.param) ?? 'undefined'))).join(''),
  );
  while (out.length > 0 && out.at(-1) === undefined) out.pop();
  return `${wrapper.callee}(${out.map((v) => v ?? 'undefined').join(', ')})`;
}
