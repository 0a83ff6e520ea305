import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/javascript';
import { lineFeeds, lineIndex } from './text.js';
import {
  CandidateConstants,
  Constants,
  childrenOf,
  subscriptOf,
  ListConstants,
  MAX_ONE_OF,
  fromRepository,
  importedValue,
  candidatesIn,
  evaluateShared,
  resolveCallee,
  walkTree,
  unbind,
  loopChoices,
} from './syntax.js';
import { TransformersJsEnvReader } from './transformersjs-env.js';
import {
  JAVASCRIPT_CONSTRUCTED_LOADERS,
  collectReference,
  isLoaderCall,
  JAVASCRIPT_LOADER_NAMES,
  isTfjsFileSystemHandler,
  isTfjsHttpHandler,
  isTfjsLoader,
  type CallFacts,
  type Resolved,
} from './calls.js';
import { ITERATING_METHODS, tokenize, unquote, Unsure } from './javascript-tokens.js';
import { startsLocal } from './javascript-arguments.js';
import { componentScript } from './javascript-components.js';
import { moduleSpecifier } from './javascript-imports.js';
import { ClassMembers, displayOf, objectLiteral, objectMembers, typeAsserted } from './javascript-members.js';
import { onlyReadAsOptions } from './javascript-options.js';
import { EnvConstants, type EnvRead } from './python-env.js';
import { EVERY_NAME, type FileReferences, type ImportedValue, type ImportedValues } from './types.js';

const TS = parser.configure({ dialect: 'ts jsx' });
/**
 * A `.ts` / `.mts` / `.cts` file: TypeScript without JSX, where tsc reads `<string>'org/x'` as a type assertion (a
 * JSX element only in `.tsx`).
 */
const TS_ONLY = parser.configure({ dialect: 'ts' });
const parserFor = (path: string) => (/\.[cm]?ts$/i.test(path) ? TS_ONLY : TS);

/**
 * syntax.ts `resolveCallee`, first by a namespace's member bound on its own (`ml.pipeline`, `recordImport`): a module
 * of the repository that passes a package's member on decides what that one member is, not the namespace's others.
 */
function resolveImported(imports: ReadonlyMap<string, string>, written: string): string {
  const second = written.indexOf('.', written.indexOf('.') + 1);
  const member = imports.get(second < 0 ? written : written.slice(0, second));
  return member !== undefined && written.includes('.')
    ? member + (second < 0 ? '' : written.slice(second))
    : resolveCallee(imports, written);
}

/**
 * Model references in JavaScript/TypeScript, from @lezer/javascript's syntax tree. ES imports, `require`
 * destructuring and `const` string constants (template literals over constants, `+`) are resolved in the file.
 */
export function findJavaScriptReferences(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
  imported?: ImportedValues,
): FileReferences {
  return referencesIn(path, text, existsLocally, imported);
}

/**
 * What a module exports, as another file that imports it sees it: `export const X = …` (a `const` at the top
 * level), `export { x as X }`, `export default …`, each with the string constant and env read the file decides, and
 * an object constant's members (`MODELS.asr`; the default export's as `default.asr`). A member the file assigns is
 * left out; so is anything re-exported from elsewhere.
 */
export function javaScriptModuleValues(
  path: string,
  text: string,
  imported?: ImportedValues,
): Map<string, ImportedValue> {
  const values = new Map<string, ImportedValue>();
  referencesIn(path, text, () => false, imported, values);
  return values;
}

/**
 * The names a module exports itself (`export function pipeline`, `export const X`, `export { a as b }`, `export
 * default`), or undefined when it exports in a shape not read here (`export =`, CommonJS `module.exports`): a star
 * export passes a package's names on only where the module gives none of its own (ECMA-262 ResolveExport reads
 * local exports first), so imported-values.ts asks this of a module with one.
 */
export function javaScriptOwnExports(path: string, source: string): Set<string> | undefined {
  const text = componentScript(path, source);
  if (/\b(?:module\.)?exports\s*[.[=]/.test(text)) return undefined;
  const src = (n: SyntaxNode) => text.slice(n.from, n.to);
  const names = new Set<string>();
  for (const statement of childrenOf(parserFor(path).parse(lineFeeds(text)).topNode)) {
    if (statement.name !== 'ExportDeclaration') continue;
    const kids = childrenOf(statement);
    if (kids[1]?.name === 'Star') continue;
    const group = kids.find((k) => k.name === 'ExportGroup');
    if (group) for (const [, as] of groupNames(group, src)) names.add(as);
    else if (kids[1]?.name === 'default') names.add('default');
    else {
      const declared = childrenOf(kids[1] ?? statement).filter((k) =>
        /^(?:VariableDefinition|TypeDefinition)$/.test(k.name),
      );
      if (declared.length === 0) return undefined;
      for (const d of declared) names.add(src(d));
    }
  }
  return names;
}

/**
 * The names a file's ES imports bind to the modules of the repository it names (`./…`, `../…`): `import { a as b }`
 * (b → export a), `import * as ns` (ns.X → export X), `import d` (d → the default export, d.X → its members); and
 * what it re-exports (`reexport`): `export { a as b } from`, `export * as ns from`, `export * from` (local '').
 * A component's are its `<script>` elements' (`componentScript`).
 */
export function javaScriptImportBindings(path: string, source: string): ImportBinding[] {
  const text = componentScript(path, source);
  const out: ImportBinding[] = [];
  const src = (n: SyntaxNode) => text.slice(n.from, n.to);
  walkTree(TS.parse(lineFeeds(text)), {
    ImportDeclaration: (n) => {
      if (!childrenOf(n).some((k) => k.name === '\u26a0')) out.push(...importBindings(n, src));
    },
    ExportDeclaration: (n) => out.push(...reexportBindings(n, src)),
    VariableDeclaration: (n) => out.push(...requireBindings(n, src)),
  });
  return out;
}

/**
 * An ExportDeclaration with a `from`: the exports it takes from that module (ECMA-262 ExportDeclaration: `export
 * { a as b } from 'm'` exports m's a as b, `export * as ns from 'm'` the namespace as ns, `export * from 'm'` each
 * of m's names but `default`). It binds no name in the file itself.
 */
function reexportBindings(n: SyntaxNode, src: (n: SyntaxNode) => string): ImportBinding[] {
  const kids = childrenOf(n);
  const from = kids.findIndex((k) => k.name === 'from');
  const modNode = kids[from + 1];
  if (from === -1 || modNode?.name !== 'String' || kids.some((k) => k.name === '\u26a0')) return [];
  const module = unquote(src(modNode));
  if (module === undefined) return [];
  if (kids[1]?.name === 'Star') {
    const ns = kids[2]?.name === 'as' && kids[3]?.name === 'VariableName' ? src(kids[3]) : '';
    return [{ local: ns, module, name: '*', reexport: true }];
  }
  const group = kids.find((k) => k.name === 'ExportGroup');
  if (!group) return [];
  const out: ImportBinding[] = [];
  const g = childrenOf(group);
  for (let j = 0; j < g.length; j++) {
    const e = g[j]!;
    if (e.name !== 'VariableName' && e.name !== 'default') continue;
    const alias = g[j + 1]?.name === 'as' ? g[j + 2] : undefined;
    // `export { default } from 'm'` re-exports m's default as the default.
    out.push({ local: alias ? src(alias) : src(e), module, name: src(e), reexport: true });
    if (alias) j += 2;
  }
  return out;
}

/**
 * CommonJS: `const cfg = require('./config')` (cfg.X → its export X, as `import * as cfg`), `const { X, Y: y } =
 * require('./config')` (X → export X, y → export Y), `const X = require('./config').X` (X → export X).
 */
function requireBindings(n: SyntaxNode, src: (n: SyntaxNode) => string): ImportBinding[] {
  const [keyword, target, equals, value, ...rest] = childrenOf(n);
  // `require('./config').X`: the call, and the export its member names.
  const [object, dot, property] = value?.name === 'MemberExpression' ? childrenOf(value) : [];
  const member = dot?.name === '.' && property?.name === 'PropertyName' ? src(property) : undefined;
  const call = member !== undefined ? object : value;
  if (!keyword || !target || equals?.name !== 'Equals' || call?.name !== 'CallExpression') return [];
  if (rest.some((k) => k.name !== ';')) return [];
  const [callee, args] = childrenOf(call);
  const inner = args ? childrenOf(args).filter((k) => k.name !== '(' && k.name !== ')') : [];
  if (callee?.name !== 'VariableName' || src(callee) !== 'require' || inner.length !== 1 || inner[0]!.name !== 'String')
    return [];
  const module = unquote(src(inner[0]!));
  if (module === undefined) return [];
  if (target.name === 'VariableDefinition') return [{ local: src(target), module, name: member ?? '*' }];
  if (target.name !== 'ObjectPattern' || member !== undefined) return [];
  const out: ImportBinding[] = [];
  for (const p of childrenOf(target).filter((c) => c.name === 'PatternProperty')) {
    const parts = childrenOf(p);
    if (parts.length === 1 && parts[0]!.name === 'VariableDefinition')
      out.push({ local: src(parts[0]!), module, name: src(parts[0]!) });
    else if (parts.length === 3 && parts[0]!.name === 'PropertyName' && parts[2]!.name === 'VariableDefinition')
      out.push({ local: src(parts[2]!), module, name: src(parts[0]!) });
  }
  return out;
}

interface ImportBinding {
  /** The name it binds in the file, or the name it exports as (`reexport`; '' for `export * from`). */
  readonly local: string;
  readonly module: string;
  /** The export it binds: a name, `default`, or `*` for the namespace. */
  readonly name: string;
  /** An `export … from`: the file exports the value and binds no name of its own. */
  readonly reexport?: true;
}

/** One ImportDeclaration's bindings: `import d, * as ns, { a, b as c } from 'm'`. */
function importBindings(n: SyntaxNode, src: (n: SyntaxNode) => string): ImportBinding[] {
  const kids = childrenOf(n);
  const modNode = kids.find((k) => k.name === 'String');
  const module = modNode ? moduleSpecifier(src(modNode)) : undefined;
  if (module === undefined) return [];
  const out: ImportBinding[] = [];
  kids.forEach((k, i) => {
    if (k.name === 'VariableDefinition')
      out.push({ local: src(k), module, name: kids[i - 1]?.name === 'as' ? '*' : 'default' });
    if (k.name === 'ImportGroup') for (const [name, local] of groupNames(k, src)) out.push({ local, module, name });
  });
  return out;
}

/** `{ a, b as c }` of an import or export: each name with what it is called on the other side (`[a, a]`, `[b, c]`). */
function groupNames(group: SyntaxNode, src: (n: SyntaxNode) => string): [string, string][] {
  const g = childrenOf(group);
  const out: [string, string][] = [];
  for (let j = 0; j < g.length; j++) {
    const e = g[j]!;
    if (e.name !== 'VariableName' && e.name !== 'VariableDefinition') continue;
    const alias = g[j + 1]?.name === 'as' ? g[j + 2] : undefined;
    out.push([src(e), alias ? src(alias) : src(e)]);
    if (alias) j += 2;
  }
  return out;
}

function referencesIn(
  path: string,
  source: string,
  existsLocally: (p: string) => boolean,
  imported: ImportedValues | undefined,
  moduleValues?: Map<string, ImportedValue>,
): FileReferences {
  const text = componentScript(path, source);
  // A lone CR ends a line comment in ECMAScript (`SingleLineComment`), where lezer's `LineComment` runs to the next LF.
  const lines = lineFeeds(text);
  const tree = parserFor(path).parse(lines);
  const at = lineIndex(lines);
  const src = (n: SyntaxNode) => text.slice(n.from, n.to);
  const constants = new Constants();
  const envs = new EnvConstants();
  // One of a set of strings (`gpu ? 'org/a' : 'org/b'`), and each object constant's values when they are all
  // strings the file decides (`MODELS[key]` by a run-time key); python.ts `candidatesOf` reads Python alike.
  const choices = new CandidateConstants();
  const objects = new CandidateConstants();
  // Names imported from a module of the repository (imported-values.ts): bound before the declarations.
  for (const [name, v] of imported ?? []) {
    constants.set(name, v.value);
    envs.set(name, v.env);
  }
  const imports = new Map<string, string>();
  // `import * as hf from '@huggingface/transformers'`: names bound to a module's namespace object itself.
  const namespaces = new Set<string>();
  const calls: SyntaxNode[] = [];
  const constructed: SyntaxNode[] = [];
  const assignments: SyntaxNode[] = [];
  // Declarations and classes are read after the walk, in file order, once every member assignment is known
  // (javascript-members.ts: a member written anywhere is no constant).
  const declared: SyntaxNode[] = [];
  // Every function's parameters: a default is what loads when the caller passes none (`recordParameters`).
  const parameterLists: SyntaxNode[] = [];
  const members = new ClassMembers(src, (n) => evaluate(n));
  // Names assigned after their declaration (`model = pick()`, `model += …`, `model++`, `for (model of …)`, `[model]
  // = …`): the value is the run time's (javascript-fast.ts leaves every file that may do this here).
  const rebound = new Set<string>();
  // A loop's name and what it goes over: an array display, a name (`for (const m of MODELS)`), or an object
  // constant's values (`Object.values(MODELS)`, the second name of `Object.entries(MODELS)`'s pairs).
  const loops: [string, SyntaxNode | string | { readonly valuesOf: string } | undefined][] = [];
  const declaredNames: string[] = [];
  const definitions = new Map<string, number>();
  // Names declared with an array display (`const MODELS = ['org/a', 'org/b']`), for loops over them.
  const arrays = new Map<string, SyntaxNode>();
  // Every declared name's value, for an options object passed by name (`optionsObject`).
  const declaredValues = new Map<string, SyntaxNode>();
  // `const name = X[…]` declarations, read again once every declaration is known (`arrayItems.know`).
  const indexed: [string, SyntaxNode][] = [];
  // `objectCandidates`' answers, kept once every declaration is known.
  let objectsSettled: Map<string, readonly string[] | undefined> | undefined = undefined;
  // `MODELS[0]`, `MODELS.at(-1)`: an array constant's items by value (`arrayOf`: declared once with an array display,
  // nothing else changes it), once every declaration is known; holes counted (`[, 'org/a']`), none for an array with
  // a spread (`[...BASE, 'org/a']`).
  const arrayItems = new ListConstants<SyntaxNode>((n) => evaluate(n));
  const reboundIn = (n: SyntaxNode | undefined) => {
    if (n?.name === 'VariableName') rebound.add(src(n));
    else if (n?.name === 'ArrayPattern' || n?.name === 'ObjectPattern')
      for (const stack = [n]; stack.length > 0;) {
        const c = stack.pop()!;
        if (c.name === 'VariableDefinition') rebound.add(src(c));
        else stack.push(...childrenOf(c));
      }
  };
  walkTree(tree, {
    ImportDeclaration: recordImport,
    VariableDeclaration: (n) => declared.push(n),
    ClassDeclaration: (n) => declared.push(n),
    ClassExpression: (n) => declared.push(n),
    CallExpression: (n) => calls.push(n),
    // `new X(…)` of a class that loads a model (calls.ts JAVASCRIPT_CONSTRUCTED_LOADERS), read as a call of X.
    NewExpression: (n) => constructed.push(n),
    AssignmentExpression: (n) => {
      assignments.push(n);
      reboundIn(childrenOf(n)[0]);
    },
    PostfixExpression: (n) => updated(n),
    UnaryExpression: (n) => updated(n),
    ForOfSpec: (n) => loopHead(n),
    ForInSpec: (n) => loopHead(n),
    // Every name a declaration, parameter, function or catch clause defines: a loop's name defined anywhere else is
    // no longer only the loop's (this reader has no scopes).
    VariableDefinition: (n) => definitions.set(src(n), (definitions.get(src(n)) ?? 0) + 1),
    ParamList: (n) => parameterLists.push(n),
  });
  /**
   * A `for (… of|in …)` head: a name without a declaration keyword is rebound; one it declares (`const m`, `let [a]`)
   * is the loop's, and over an array display (`for (const m of ['org/a', 'org/b'])`) takes each item (python.ts
   * `loopItems`).
   */
  function loopHead(n: SyntaxNode): void {
    const kids = childrenOf(n);
    if (kids[2] && ['const', 'let', 'var'].includes(kids[1]?.name ?? '')) {
      const over = kids[3]?.name === 'of' && kids.length === 6 ? kids[4] : undefined;
      const array = over?.name === 'ArrayExpression' ? over : over?.name === 'VariableName' ? src(over) : undefined;
      const pair = kids[2].name === 'ArrayPattern' ? childrenOf(kids[2]).filter((k) => k.name !== ',') : undefined;
      const entries =
        over && pair?.length === 4 && pair[1]!.name === 'VariableDefinition'
          ? objectWalked(over, 'entries', src)
          : undefined;
      if (kids[2].name === 'VariableDefinition') {
        const values = over && objectWalked(over, 'values', src);
        loops.push([src(kids[2]), values !== undefined ? { valuesOf: values } : array]);
      } else if (entries !== undefined && pair?.[2]!.name === 'VariableDefinition') {
        loops.push([src(pair[2]), { valuesOf: entries }]);
        loops.push([src(pair[1]!), undefined]);
      } else reboundIn(kids[2].name === 'ArrayPattern' || kids[2].name === 'ObjectPattern' ? kids[2] : undefined);
    } else reboundIn(kids[1]);
  }

  /**
   * A function's parameters, as python-env.ts `parameterDefault` reads Python's: `model = 'org/x'` (or `{ model =
   * 'org/x' } = {}`) is what loads when the caller passes none (undefined: ECMAScript's
   * IteratorBindingInitialization evaluates the default only then), named `fn(model)` as the run time's choice; a
   * parameter with no default is the caller's alone. This reader has no scopes: a name bound elsewhere differently is
   * unknown (`EnvConstants`).
   */
  function recordParameters(list: SyntaxNode): void {
    const fn = functionName(list.parent);
    const bind = (kids: readonly SyntaxNode[]) => {
      for (let i = 0; i < kids.length; i++) {
        const k = kids[i]!;
        if (k.name === 'ObjectPattern') {
          for (const p of childrenOf(k).filter((c) => c.name === 'PatternProperty')) bind(childrenOf(p));
          continue;
        }
        if (k.name !== 'VariableDefinition') continue;
        // TypeScript's `model: string = 'org/x'`: the annotation says nothing of the value.
        const equals = kids[i + 1]?.name === 'TypeAnnotation' ? i + 2 : i + 1;
        const value = kids[equals]?.name === 'Equals' ? kids[equals + 1] : undefined;
        const fallback = value && evaluate(value);
        const variable = `${fn}(${src(k)})`;
        envs.set(src(k), fallback !== undefined ? { variable, fallback } : value && envOf(value));
      }
    };
    bind(childrenOf(list));
  }

  /** A function's name as its declaration, method or `const name = (…) =>` gives it; else `function`. */
  function functionName(fn: SyntaxNode | null): string {
    if (!fn) return 'function';
    const own = childrenOf(fn).find((c) => c.name === 'VariableDefinition' || c.name === 'PropertyDefinition');
    if (own && (fn.name === 'FunctionDeclaration' || fn.name === 'MethodDeclaration')) return src(own);
    const holder = fn.parent;
    if (holder?.name === 'VariableDeclaration') {
      const kids = childrenOf(holder);
      const at = kids.findIndex((c) => c.from === fn.from);
      const named = kids
        .slice(0, at)
        .reverse()
        .find((c) => c.name === 'VariableDefinition');
      if (named) return src(named);
    }
    return 'function';
  }

  function updated(n: SyntaxNode): void {
    const kids = childrenOf(n);
    if (kids.some((k) => k.name === 'ArithOp' && (src(k) === '++' || src(k) === '--')))
      reboundIn(kids.find((k) => k.name === 'VariableName'));
  }
  for (const a of assignments) {
    const target = childrenOf(a)[0];
    if (target) members.addAssignment(target, a);
  }
  for (const n of declared) {
    if (n.name === 'VariableDeclaration') recordDeclaration(n);
    else members.addClass(n);
  }
  for (const list of parameterLists) recordParameters(list);
  for (const name of rebound) unbind(name, { values: [constants, envs, choices, objects], flags: [] });
  // A name only one such loop binds (no declaration elsewhere: this reader has no scopes) is one of its items; over a
  // name, the items of the one array display it is declared with, while nothing else can change it (`onlyLooped`);
  // over an object constant's values, each value (as `MODELS[key]`: `objectCandidates`).
  const declaredCounts = new Map<string, number>();
  for (const n of declaredNames) declaredCounts.set(n, (declaredCounts.get(n) ?? 0) + 1);
  // Each name's answer once (one search of the text), however many loops go over it.
  const looped = new Map<string, SyntaxNode | undefined>();
  const arrayOf = (name: string): SyntaxNode | undefined => {
    if (!looped.has(name))
      looped.set(
        name,
        arrays.has(name) && declaredCounts.get(name) === 1 && !rebound.has(name) && onlyLooped(text, name)
          ? arrays.get(name)
          : undefined,
      );
    return looped.get(name);
  };
  // `MODELS[0]`: from here on (syntax.ts `ListConstants`, as python.ts reads lists), in the calls and in
  // `const name = MODELS[0]` declared once.
  // Each array's items by position once, however many reads ask.
  const positions = new Map<string, (SyntaxNode | undefined)[] | undefined>();
  arrayItems.know((name) => {
    if (!positions.has(name)) {
      const array = arrayOf(name);
      positions.set(name, array && itemsByPosition(array));
    }
    return positions.get(name);
  });
  // Every declaration is read: an object constant's candidates are kept from here on (thousands of `MODELS[key]`).
  objectsSettled = new Map();
  for (const [name, value] of indexed)
    if (declaredCounts.get(name) === 1 && !rebound.has(name)) constants.replace(name, evaluate(value));
  // `MODELS.map((m) => pipeline('x', m))`: the callback's first parameter takes each item, as a `for…of` name does.
  for (const call of calls) {
    const walked = arrayCallback(call, src);
    if (walked) loops.push(walked);
  }
  const globalObject = !imports.has('Object') && !declaredNames.includes('Object');
  for (const [name, over] of loops) {
    // The loop head's own definition only (every loop name is one): no declaration, parameter or second loop of it.
    const only = !rebound.has(name) && definitions.get(name) === 1;
    if (over !== undefined && typeof over === 'object' && 'valuesOf' in over) {
      const values = only && globalObject ? objectCandidates(over.valuesOf) : undefined;
      if (values) choices.set(name, values);
      else unbind(name, { values: [constants, envs, choices, objects], flags: [] });
      continue;
    }
    const array = typeof over === 'string' ? arrayOf(over) : over;
    if (array !== undefined && only) {
      const items = childrenOf(array).filter((k) => !['[', ']', ','].includes(k.name));
      choices.set(
        name,
        loopChoices(items, (i) => evaluate(i) ?? candidatesOf(i)),
      );
    } else unbind(name, { values: [constants, envs, choices, objects], flags: [] });
  }

  function recordImport(n: SyntaxNode): void {
    // A default or namespace import is bound to the module itself; a name a module of the repository takes from a
    // package (imported-values.ts `ImportedValue.binding`), to that package's member.
    for (const b of importBindings(n, src)) {
      imports.set(
        b.local,
        imported?.get(b.local)?.binding ??
          (b.name === 'default' || b.name === '*' ? b.module : `${b.module}.${b.name}`),
      );
      if (b.name === '*') bindPassedOnMembers(b.local);
      if (b.name === '*') namespaces.add(b.local);
    }
  }

  /**
   * `import * as ml from './ml.js'`, `const ml = require('./ml')`: a member ml.js passes on from a package
   * (`ml.pipeline`), by its dotted name.
   */
  function bindPassedOnMembers(local: string): void {
    for (const [key, v] of imported ?? [])
      if (v.binding !== undefined && key.startsWith(`${local}.`) && !key.includes('.', local.length + 1))
        imports.set(key, v.binding);
  }

  function recordDeclaration(n: SyntaxNode): void {
    const kids = childrenOf(n);
    for (let i = 0; i < kids.length; i++) {
      const target = kids[i]!;
      // TypeScript's `const name: T = value`: the annotation says nothing of the value.
      const equals = kids[i + 1]?.name === 'TypeAnnotation' ? i + 2 : i + 1;
      if (kids[equals]?.name !== 'Equals') continue;
      const value = kids[equals + 1];
      if (!value) continue;
      const required = requiredModule(value);
      if (target.name === 'VariableDefinition') {
        declaredNames.push(src(target));
        declaredValues.set(src(target), value);
        const array = displayOf(value, 'ArrayExpression');
        if (array) arrays.set(src(target), array);
        if (subscriptOf(value)) indexed.push([src(target), value]);
        if (required !== undefined) {
          // CommonJS as `recordImport`: a name a module of the repository passes on from a package is that package's.
          imports.set(src(target), imported?.get(src(target))?.binding ?? required);
          bindPassedOnMembers(src(target));
        } else {
          constants.set(src(target), evaluate(value));
          envs.set(src(target), envOf(value));
          choices.set(src(target), candidatesOf(value));
          const frozen = frozenArgument(value);
          const obj = objectLiteral(value) ?? (frozen && objectLiteral(frozen));
          if (obj) for (const [k, v] of objectMembers(obj, src(target), src, evaluate)) constants.set(k, v);
          objects.set(src(target), obj && objectValues(obj));
        }
      } else if (target.name === 'ObjectPattern' && required !== undefined) {
        for (const p of childrenOf(target).filter((c) => c.name === 'PatternProperty')) {
          const defs = childrenOf(p).filter((c) => c.name === 'VariableDefinition' || c.name === 'PropertyName');
          const local = defs[defs.length - 1];
          const name = defs[0];
          if (local && name) imports.set(src(local), imported?.get(src(local))?.binding ?? `${required}.${src(name)}`);
        }
      } else if (target.name === 'ObjectPattern') destructure(target, value);
      i = equals + 1;
    }
  }

  /**
   * `const { model, task: t } = CONFIG`: each name bound to the member of the object constant it names (`CONFIG.model`,
   * as the file decides it); a default (`{ model = 'org/x' }`), a nested pattern or a rest element binds the run time's.
   */
  function destructure(pattern: SyntaxNode, value: SyntaxNode): void {
    const from = value.name === 'VariableName' ? src(value) : undefined;
    for (const p of childrenOf(pattern)) {
      if (p.name !== 'PatternProperty') continue;
      const parts = childrenOf(p);
      const [key, colon, local] =
        parts.length === 1
          ? [parts[0], undefined, parts[0]]
          : parts.length === 3
            ? parts
            : [undefined, undefined, undefined];
      if (local?.name !== 'VariableDefinition') continue;
      declaredNames.push(src(local));
      const member =
        from !== undefined && key && (colon === undefined || (colon.name === ':' && key.name === 'PropertyName'))
          ? `${from}.${src(key)}`
          : undefined;
      constants.set(src(local), member === undefined || members.isAssigned(member) ? undefined : constants.get(member));
    }
  }

  /** `require('mod')` and `await import('mod')` (lezer's `DynamicImport`: `import`, `(`, the argument, `)`). */
  function requiredModule(n: SyntaxNode): string | undefined {
    // `require('m').x`, `(await import('m')).x`: that member of the module (javascript-imports.ts `requiredMember`).
    if (n.name === 'MemberExpression') {
      const [object, dot, property] = childrenOf(n);
      if (!object || dot?.name !== '.' || property?.name !== 'PropertyName') return undefined;
      const inner = object.name === 'ParenthesizedExpression' ? childrenOf(object)[1] : object;
      const awaited = inner?.name === 'AwaitExpression' && childrenOf(inner)[1]?.name === 'DynamicImport';
      if (!inner || (object === inner ? inner.name !== 'CallExpression' : !awaited)) return undefined;
      const module = requiredModule(inner);
      return module === undefined ? undefined : `${module}.${src(property)}`;
    }
    const call = n.name === 'AwaitExpression' ? childrenOf(n)[1] : n;
    if (call?.name === 'DynamicImport') {
      const arg = childrenOf(call).find((c) => c.name === 'String');
      return arg ? moduleSpecifier(src(arg)) : undefined;
    }
    if (call?.name !== 'CallExpression') return undefined;
    const [callee, args] = childrenOf(call);
    if (!callee || !args || !['require', 'import'].includes(src(callee))) return undefined;
    const arg = childrenOf(args).find((c) => c.name === 'String');
    return arg ? moduleSpecifier(src(arg)) : undefined;
  }

  function evaluate(n: SyntaxNode): string | undefined {
    switch (n.name) {
      case 'String':
        return unquote(src(n));
      case 'TemplateString': {
        let out = '';
        let pos = n.from + 1;
        for (const part of childrenOf(n).filter((c) => c.name === 'Interpolation')) {
          out += text.slice(pos, part.from);
          const inner = childrenOf(part).filter(
            (c) => c.name !== 'InterpolationStart' && c.name !== 'InterpolationEnd',
          );
          const v = inner.length === 1 ? evaluate(inner[0]!) : undefined;
          if (v === undefined) return undefined;
          out += v;
          pos = part.to;
        }
        return out + text.slice(pos, n.to - 1);
      }
      case 'VariableName':
        return constants.get(src(n));
      case 'BooleanLiteral':
        return src(n);
      case 'MemberExpression': {
        const item = subscriptOf(n);
        if (item?.object.name === 'VariableName') {
          // `MODELS[0]`: an item of an array constant (`arrayItems`, once every declaration is known).
          const index = item.key.name === 'Number' ? arrayIndex(src(item.key)) : undefined;
          if (index !== undefined) return arrayItems.item(src(item.object), index);
          // `MODELS["asr"]`: the member by a key the file decides (javascript-fast.ts leaves such files here).
          const key = evaluate(item.key);
          const member = `${src(item.object)}.${key}`;
          return key === undefined || members.isAssigned(member) || members.isAssigned(`${src(item.object)}[]`)
            ? undefined
            : constants.get(member);
        }
        const dotted = calleeName(n);
        if (dotted !== undefined && members.isAssigned(dotted)) return undefined;
        return (dotted !== undefined ? constants.get(dotted) : undefined) ?? members.value(n);
      }
      case 'CallExpression':
        return arrayAt(n);
      case 'BinaryExpression':
      case 'PrefixCast':
      case 'PostfixExpression': {
        // `'org/x' as const`, `<string>'org/x'`, `'org/x' satisfies string`, `MODEL!`: erased by tsc, the value itself.
        const inner = typeAsserted(n);
        return inner === n ? evaluateShared(n, src, evaluate) : evaluate(inner);
      }
      default:
        return evaluateShared(n, src, evaluate);
    }
  }

  /** `Object.freeze(x)` of the global Object (it returns `x` itself): `x`; undefined for anything else. */
  function frozenArgument(n: SyntaxNode): SyntaxNode | undefined {
    const [callee, args, ...rest] = n.name === 'CallExpression' ? childrenOf(n) : [];
    if (!callee || args?.name !== 'ArgList' || rest.length > 0 || calleeName(callee) !== 'Object.freeze')
      return undefined;
    if (imports.has('Object') || definitions.has('Object')) return undefined;
    const inner = childrenOf(args).filter((k) => k.name !== '(' && k.name !== ')');
    return inner.length === 1 && inner[0]!.name !== 'Spread' ? inner[0] : undefined;
  }

  /** `tf.io.http(url, …)` (calls.ts `isTfjsHttpHandler`): the URL the handler fetches; undefined for anything else. */
  function tfjsHttpPath(n: SyntaxNode): SyntaxNode | undefined {
    const [callee, args] = typeAsserted(n).name === 'CallExpression' ? childrenOf(typeAsserted(n)) : [];
    const written = callee && calleeName(callee);
    if (written === undefined || args?.name !== 'ArgList') return undefined;
    if (!isTfjsHttpHandler(written, resolveImported(imports, written))) return undefined;
    const first = childrenOf(args).find((k) => k.name !== '(');
    return first && !['Spread', ')', ','].includes(first.name) ? first : undefined;
  }

  /** `tf.io.fileSystem(paths)` (calls.ts `isTfjsFileSystemHandler`): a handler that reads local files. */
  function isTfjsFileSystem(n: SyntaxNode): boolean {
    const [callee, args] = typeAsserted(n).name === 'CallExpression' ? childrenOf(typeAsserted(n)) : [];
    const written = callee && calleeName(callee);
    return (
      written !== undefined &&
      args?.name === 'ArgList' &&
      isTfjsFileSystemHandler(written, resolveImported(imports, written))
    );
  }

  /**
   * The object literal an options argument is, as the loader gets it: written in place (`{ revision }`, under
   * TypeScript's assertions or `Object.freeze`), or a name declared once with one (`const opts = { revision }` …
   * `from_pretrained(id, opts)`) that nothing but loader calls, spreads and member reads touch (`onlyReadAsOptions`:
   * an object a function is handed, or whose member is assigned, may hold other keys when the call runs). `open`: an
   * object whose keys are the run time's (such a name, a deep chain); undefined: no object the file shows.
   */
  function optionsObject(n: SyntaxNode, depth: number): SyntaxNode | 'open' | undefined {
    // Objects spread into objects declared from each other: a cycle (or a deep chain) is the run time's.
    if (depth > MAX_OPTIONS_DEPTH) return 'open';
    const bare = typeAsserted(n);
    if (bare.name === 'ObjectExpression') return bare;
    const frozen = frozenArgument(bare);
    if (frozen) return optionsObject(frozen, depth + 1);
    if (bare.name !== 'VariableName') return undefined;
    const name = src(bare);
    const value = declaredValues.get(name);
    // Declared again or bound anew (`opts = …`): not even an object, as far as the file shows.
    if (!value || definitions.get(name) !== 1 || rebound.has(name)) return undefined;
    const object = optionsObject(value, depth + 1);
    if (object === undefined) return undefined;
    return onlyReadAsOptions(text, name, optionArguments()) ? object : 'open';
  }

  /** Where a name is a whole argument of a loader call or of `Object.freeze` (`onlyReadAsOptions`), found once. */
  let optionArgumentsFound: Set<number> | undefined;
  function optionArguments(): ReadonlySet<number> {
    if (optionArgumentsFound) return optionArgumentsFound;
    optionArgumentsFound = new Set();
    for (const call of [...calls, ...constructed]) {
      const kids = childrenOf(call);
      const [callee, args] = call.name === 'NewExpression' ? kids.slice(1) : kids;
      const written = callee && calleeName(callee);
      if (written === undefined || args?.name !== 'ArgList') continue;
      if (written !== 'Object.freeze' && !isLoaderCall(written, resolveImported(imports, written), 'javascript'))
        continue;
      for (const a of childrenOf(args)) addOptionValue(a, optionArgumentsFound, 0);
    }
    return optionArgumentsFound;
  }

  /**
   * A name handed whole to a loader: an argument, or a property's value in an options object written in the call
   * (`downloadFile({ repo: REPO, path })`, @huggingface/hub's `RepoDesignation`), which `objectProps` reads as that
   * object's keys (`repo.name`, `repo.type`) just as the loader does.
   */
  function addOptionValue(n: SyntaxNode, into: Set<number>, depth: number): void {
    const bare = typeAsserted(n);
    if (bare.name === 'VariableName') into.add(bare.from);
    if (bare.name !== 'ObjectExpression' || depth > MAX_OPTIONS_DEPTH) return;
    for (const p of childrenOf(bare).filter((c) => c.name === 'Property')) {
      const [key, , value] = childrenOf(p);
      if (key?.name === 'PropertyDefinition' && value) addOptionValue(value, into, depth + 1);
    }
  }

  /** `MODELS.at(0)`, `MODELS.at(-1)` (counted from the end, as `Array.prototype.at` does): `arrayItems`. */
  function arrayAt(n: SyntaxNode): string | undefined {
    const [callee, args, ...rest] = childrenOf(n);
    const [object, dot, property] = callee?.name === 'MemberExpression' ? childrenOf(callee) : [];
    if (rest.length > 0 || object?.name !== 'VariableName' || dot?.name !== '.' || property?.name !== 'PropertyName')
      return undefined;
    if (src(property) !== 'at' || args?.name !== 'ArgList') return undefined;
    const inner = childrenOf(args).filter((k) => k.name !== '(' && k.name !== ')');
    const [op, number, ...more] =
      inner.length === 1 && inner[0]!.name === 'UnaryExpression' ? childrenOf(inner[0]!) : [];
    const negative = op?.name === 'ArithOp' && src(op) === '-' && number?.name === 'Number' && more.length === 0;
    const written = inner.length === 1 && inner[0]!.name === 'Number' ? inner[0]! : negative ? number : undefined;
    const index = written && arrayIndex(src(written));
    if (index === undefined) return undefined;
    return arrayItems.item(src(object), negative ? -index : index);
  }

  /** Every value of an object literal whose properties are all `key: <string the file decides>`. */
  function objectValues(obj: SyntaxNode): string[] | undefined {
    const props = childrenOf(obj).filter((c) => c.name !== '{' && c.name !== '}' && c.name !== ',');
    const out: string[] = [];
    for (const p of props) {
      const [key, colon, value, ...rest] = childrenOf(p);
      const v =
        p.name === 'Property' && key?.name === 'PropertyDefinition' && colon?.name === ':' && value && rest.length === 0
          ? evaluate(value)
          : undefined;
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out.length > 0 ? out : undefined;
  }

  /**
   * syntax.ts `candidatesIn`: `gpu ? 'org/a' : 'org/b'`, a member of an object constant by a run-time key
   * (`MODELS[size]`: every value, unless a member is assigned).
   */
  function candidatesOf(n: SyntaxNode): readonly string[] | undefined {
    return candidatesIn(typeAsserted(n), {
      src,
      evaluate,
      choices,
      branches: [2, 4],
      containerValues: objectCandidates,
    });
  }

  function objectCandidates(name: string): readonly string[] | undefined {
    if (objectsSettled?.has(name)) return objectsSettled.get(name);
    const values = objects.get(name);
    // syntax.ts `MAX_ONE_OF`: a longer choice is the run time's, and is not searched for assigned members either.
    const unique = values && new Set(values).size <= MAX_ONE_OF ? [...new Set(values)] : undefined;
    const assigned = unique && [...constants.names()].some((k) => k.startsWith(`${name}.`) && members.isAssigned(k));
    const got = unique && !assigned && !members.isAssigned(`${name}[]`) ? unique : undefined;
    objectsSettled?.set(name, got);
    return got;
  }

  /**
   * `process.env.MODEL ?? 'org/x'` (or `||`, or `process.env['MODEL']`), or a name only ever bound to one: the
   * fallback is what loads when the variable is unset (python-env.ts `EnvRead`). javascript-fast.ts leaves such a
   * file to this reader.
   */
  function envOf(n: SyntaxNode): EnvRead | undefined {
    n = typeAsserted(n);
    if (n.name === 'VariableName') return envs.get(src(n));
    if (n.name === 'ParenthesizedExpression') {
      const inner = childrenOf(n).filter((c) => c.name !== '(' && c.name !== ')');
      return inner.length === 1 ? envOf(inner[0]!) : undefined;
    }
    if (n.name !== 'BinaryExpression') return undefined;
    const [left, op, right] = childrenOf(n);
    if (!left || !op || !right || (src(op) !== '??' && src(op) !== '||')) return undefined;
    const variable = envVariable(left);
    const fallback = evaluate(right);
    return variable !== undefined && fallback !== undefined ? { variable, fallback } : undefined;
  }

  /**
   * The variable `process.env.X` / `process.env['X']` reads, or Vite's `import.meta.env.X` (replaced at build time
   * from the build's environment, else the project's `.env` files: the variable's value either way).
   */
  function envVariable(n: SyntaxNode): string | undefined {
    n = typeAsserted(n);
    if (n.name !== 'MemberExpression') return undefined;
    const kids = childrenOf(n);
    const obj = kids[0];
    if (!obj || (calleeName(obj) !== 'process.env' && !isImportMetaEnv(obj))) return undefined;
    const prop = kids[kids.length - 1]!;
    if (prop.name === 'PropertyName') return src(prop);
    const key = kids.find((k) => k.name === 'String');
    return kids.length === 4 && key ? unquote(src(key)) : undefined;
  }

  /** `import.meta.env` (lezer's ImportMeta, then `.env`). */
  function isImportMetaEnv(n: SyntaxNode): boolean {
    const [meta, dot, prop] = n.name === 'MemberExpression' ? childrenOf(n) : [];
    return meta?.name === 'ImportMeta' && dot?.name === '.' && prop?.name === 'PropertyName' && src(prop) === 'env';
  }

  function calleeName(n: SyntaxNode): string | undefined {
    if (n.name === 'VariableName') return src(n);
    if (n.name !== 'MemberExpression') return undefined;
    const kids = childrenOf(n);
    const obj = kids[0];
    const prop = kids[kids.length - 1];
    if (!obj || !prop || prop.name !== 'PropertyName') return undefined;
    const left = calleeName(obj);
    return left === undefined ? undefined : `${left}.${src(prop)}`;
  }

  /**
   * Properties of an options object, `repo: { name }` flattened to `repo.name`; shorthand reads the constant. A
   * spread merges in source order, as the object is built: one `optionsObject` finds is its properties, later ones
   * overriding earlier ones (`{ ...opts, revision }`); any other may bring or override any key, so the keys before
   * it are unknown and the result is open (true: calls.ts `CallFacts.splat`, as python.ts reads `**extra`).
   */
  function objectProps(obj: SyntaxNode, prefix: string, into: Map<string, Resolved>, depth = 0): boolean {
    let open = false;
    for (const p of childrenOf(obj).filter((c) => c.name === 'Property')) {
      const parts = childrenOf(p);
      const key = parts[0];
      if (key?.name === 'Spread') {
        const spread = parts[1] && optionsObject(parts[1], depth + 1);
        if (spread && spread !== 'open' && !objectProps(spread, prefix, into, depth + 1)) continue;
        for (const k of into.keys()) if (k.startsWith(prefix)) into.set(k, { value: undefined, isString: false });
        open = true;
        continue;
      }
      if (!key || key.name !== 'PropertyDefinition') continue;
      const name = prefix + src(key);
      const value = parts[2];
      const nested = value && optionsObject(value, depth + 1);
      if (!value) {
        into.set(name, { value: constants.get(src(key)), isString: true });
      } else if (nested === 'open') open = true;
      else if (nested) {
        if (objectProps(nested, `${name}.`, into, depth + 1)) open = true;
      } else {
        const env = envOf(value);
        const v = evaluate(value);
        const candidates = v === undefined ? candidatesOf(value) : undefined;
        const bare = typeAsserted(value);
        into.set(name, {
          value: v,
          isString: bare.name === 'String' || bare.name === 'TemplateString',
          ...(candidates ? { candidates } : {}),
          ...(env ? { env } : {}),
        });
      }
    }
    return open;
  }

  // transformers.js `env.<setting> = <literal>` (transformersjs-env.ts); read once every import is known.
  const envReader = new TransformersJsEnvReader();
  for (const a of assignments) {
    const [target, op, value] = childrenOf(a);
    const written = target && calleeName(target);
    if (written === undefined || !value) continue;
    const literal =
      op?.name === 'Equals' && value.name === 'String'
        ? unquote(src(value))
        : op?.name === 'Equals' && value.name === 'BooleanLiteral'
          ? src(value)
          : undefined;
    envReader.assign(resolveImported(imports, written), literal, a.from);
  }
  const env = envReader.result();

  /** javascript-arguments.ts `startsLocal`, over the argument's own tokens (text it cannot tokenize: no). */
  function argumentStartsLocal(a: SyntaxNode): boolean {
    if (!/^[\s(]*[`'"](?:file|indexeddb|localstorage):/i.test(src(a))) return false;
    try {
      const toks = tokenize(src(a));
      return startsLocal(toks, 0, toks.length);
    } catch (err) {
      if (err instanceof Unsure) return false;
      throw err;
    }
  }

  /** calls.ts `Resolved.notString` (javascript-arguments.ts reads the same tokens). */
  function nonString(a: SyntaxNode): Resolved['notString'] {
    if (a.name === 'null' || (a.name === 'VariableName' && src(a) === 'undefined')) return 'absent';
    return a.name === 'Number' || a.name === 'ArrayExpression' || a.name === 'ObjectExpression' ? 'value' : undefined;
  }

  const out: FileReferences = { references: [], dynamic: [] };
  let loaderFromRepository = false;
  for (const call of [...calls, ...constructed].sort((a, b) => a.from - b.from)) {
    const kids = childrenOf(call);
    const [callee, args] = call.name === 'NewExpression' ? kids.slice(1) : kids;
    if (!callee || !args || args.name !== 'ArgList') continue;
    const written = calleeName(callee);
    if (written === undefined) continue;
    const resolved = resolveImported(imports, written);
    if (fromRepository(resolved) && JAVASCRIPT_LOADER_NAMES.has(resolved.slice(resolved.lastIndexOf('.') + 1)))
      loaderFromRepository = true;
    if (
      call.name === 'NewExpression' &&
      !JAVASCRIPT_CONSTRUCTED_LOADERS.has(resolved.slice(resolved.lastIndexOf('.') + 1))
    )
      continue;
    const positional: Resolved[] = [];
    const keywords = new Map<string, Resolved>();
    let splat = false;
    let spreading = false;
    const tfjs = isTfjsLoader(written, resolved);
    for (const arg of childrenOf(args).filter((c) => !['(', ')', ','].includes(c.name))) {
      // tfjs `loadGraphModel(tf.io.http(url))` loads the URL as `loadGraphModel(url)` does (`tfjsHttpPath`).
      const a: SyntaxNode = (tfjs && !spreading && tfjsHttpPath(arg)) || arg;
      // `f(...args)`: lezer gives the Spread and then its operand, an iterable's items (no options object).
      const options = a.name === 'Spread' || spreading ? undefined : optionsObject(a, 0);
      spreading = a.name === 'Spread';
      if (a.name === 'Spread' || options === 'open') splat = true;
      else if (options && objectProps(options, '', keywords)) splat = true;
      const bare = typeAsserted(a);
      // An object the call is given by name is no model name either (`nonString` of a literal).
      const notString = nonString(bare) ?? (options ? 'value' : undefined);
      const env = envOf(a);
      const value = evaluate(a);
      const candidates = value === undefined ? candidatesOf(a) : undefined;
      positional.push({
        value,
        isString: bare.name === 'String' || bare.name === 'TemplateString',
        ...(candidates ? { candidates } : {}),
        ...(notString ? { notString } : {}),
        ...(env ? { env } : {}),
        ...(argumentStartsLocal(a) || (tfjs && isTfjsFileSystem(a)) ? { localPath: true } : {}),
      });
    }
    const { line, column } = at(call.from);
    const facts: CallFacts = { written, resolved, positional, keywords, splat, line, column, lang: 'javascript' };
    collectReference(path, facts, existsLocally, out, env);
  }
  envReader.settings(path, at, out);
  if (moduleValues) readExports(moduleValues);
  return loaderFromRepository ? { ...out, loaderFromRepository } : out;

  /** `javaScriptModuleValues`: the module's exports, read once its constants are known. */
  function readExports(into: Map<string, ImportedValue>): void {
    const topConst = new Set<string>();
    const exported: [local: string, as: string][] = [];
    for (const statement of childrenOf(tree.topNode)) {
      const kids = childrenOf(statement);
      const declaration = statement.name === 'ExportDeclaration' ? kids[1] : statement;
      if (declaration?.name === 'VariableDeclaration' && childrenOf(declaration)[0]?.name === 'const') {
        const names = childrenOf(declaration).filter((k) => k.name === 'VariableDefinition');
        for (const d of names) topConst.add(src(d));
        if (declaration !== statement) for (const d of names) exported.push([src(d), src(d)]);
      }
      if (statement.name !== 'ExportDeclaration' || kids.some((k) => k.name === 'from')) continue;
      const group = kids.find((k) => k.name === 'ExportGroup');
      if (group) exported.push(...groupNames(group, src));
      if (kids[1]?.name === 'default' && kids[2]) {
        const value = kids[2];
        if (value.name === 'VariableName') exported.push([src(value), 'default']);
        else {
          add('default', evaluate(value), undefined);
          const obj = objectLiteral(value);
          if (obj) for (const [k, mv] of objectMembers(obj, 'default', src, evaluate)) add(k, mv, undefined);
        }
      }
    }
    // CommonJS: `module.exports = { MODEL: … }`, `module.exports.MODEL = …`, `exports.MODEL = …` — what `require()`
    // returns, its members read as named exports. A member set twice is the run time's.
    const commonJs = new Map<string, string | undefined>();
    // `module.exports = { pipeline }`, `exports.make = pipeline`: a package's loader passed on, as `export {
    // pipeline }` passes it (what `require()` returns holds the package's function itself).
    const passedOn = new Map<string, string | null>();
    const passOn = (k: string, v: SyntaxNode | undefined) => {
      // A name (`pipeline`) or a member of an imported module (`tf.pipeline`), as a call of it resolves.
      const local = v?.name === 'PropertyDefinition' ? src(v) : v && calleeName(v);
      const head = local?.split('.')[0];
      const binding = head !== undefined && imports.has(head) ? resolveImported(imports, local!) : undefined;
      const loader = binding !== undefined && !fromRepository(binding) && !rebound.has(head!);
      if (loader || passedOn.has(k)) passedOn.set(k, loader && !passedOn.has(k) ? binding : null);
    };
    // `module.exports = require('@huggingface/transformers')`: each assignment's packages passed on whole.
    const wholes: { packages: string[]; own: string[] | undefined }[] = [];
    for (const statement of childrenOf(tree.topNode)) {
      const assignment = statement.name === 'ExpressionStatement' ? childrenOf(statement)[0] : undefined;
      const [target, equals, value] = assignment?.name === 'AssignmentExpression' ? childrenOf(assignment) : [];
      if (!target || equals?.name !== 'Equals' || !value) continue;
      const written = calleeName(target);
      const member = written && /^(?:module\.exports|exports)\.([\w$]+)$/.exec(written)?.[1];
      const set = (k: string, v: string | undefined) => commonJs.set(k, commonJs.has(k) ? undefined : v);
      if (member) {
        set(member, evaluate(value));
        passOn(member, value);
      } else if (written === 'module.exports') {
        wholes.push(wholePackages(value));
        const obj = objectLiteral(value);
        if (obj) for (const [k, mv] of objectMembers(obj, '', src, evaluate)) set(k.slice(1), mv);
        for (const p of obj ? childrenOf(obj).filter((c) => c.name === 'Property') : []) {
          const [key, colon, v] = childrenOf(p);
          if (key?.name === 'PropertyDefinition') passOn(src(key), colon ? v : key);
        }
      }
    }
    if (!declaredNames.includes('module') && !declaredNames.includes('exports')) {
      for (const [k, v] of commonJs) add(k, v, undefined);
      for (const [k, binding] of passedOn) if (binding !== null) into.set(k, { binding });
      // What `require()` returns is the package's exports object (Node's Module._load returns `module.exports`), or
      // a copy of it with the module's own members (`{ ...require(pkg), embed }`): every name the module does not
      // set itself is the package's, as `export * from pkg` passes it on. One assignment of one package only: which
      // of two gives a name is the run time's (a later spread wins), so then none is followed.
      const [whole] = wholes.length === 1 ? wholes : [];
      if (whole?.packages.length === 1 && whole.own !== undefined)
        into.set(EVERY_NAME, {
          binding: whole.packages[0]!,
          besides: [...new Set([...whole.own, ...commonJs.keys(), ...passedOn.keys()])].sort(),
        });
    }
    const names = [...constants.names()];
    // An imported binding is immutable (ECMA-262 CreateImportBinding): `import { X } from './a'; export { X }`
    // exports what the module it names gives (imported-values.ts binds it and its members).
    const importedName = (local: string) =>
      imported !== undefined && [...imported.keys()].some((k) => k === local || k.startsWith(`${local}.`));
    for (const [local, as] of exported) {
      // `import { pipeline } from '@huggingface/transformers'; export { pipeline }`: the package's loader.
      const binding = imports.get(local);
      if (binding !== undefined && !fromRepository(binding) && !topConst.has(local)) into.set(as, { binding });
      if (!topConst.has(local) && !importedName(local)) continue;
      add(as, constants.get(local), envs.get(local));
      for (const n of names)
        if (n.startsWith(`${local}.`) && !members.isAssigned(n))
          add(as + n.slice(local.length), constants.get(n), undefined);
    }
    /**
     * The packages a value assigned to `module.exports` is the exports of: `require(pkg)`, a name bound to one once
     * (`const hf = require(pkg)`, `import * as hf from pkg`), or an object literal's spreads of such (`{
     * ...require(pkg) }`). A module of the repository (`require('./ml')`) is no package. `own`: the literal's other
     * keys, which the package's names do not give; undefined when a key is computed (`[k]: v`, `get x()`).
     */
    function wholePackages(value: SyntaxNode): { packages: string[]; own: string[] | undefined } {
      const obj = objectLiteral(value);
      if (!obj) {
        const pkg = wholePackage(value);
        return { packages: pkg === undefined ? [] : [pkg], own: [] };
      }
      const packages: string[] = [];
      let own: string[] | undefined = [];
      for (const p of childrenOf(obj).filter((c) => c.name === 'Property')) {
        const [first, second] = childrenOf(p);
        const pkg = first?.name === 'Spread' && second ? wholePackage(second) : undefined;
        if (pkg !== undefined) packages.push(pkg);
        else if (first?.name === 'PropertyDefinition') own?.push(src(first));
        else if (first?.name === 'String' && unquote(src(first)) !== undefined) own?.push(unquote(src(first))!);
        else if (first?.name !== 'Spread') own = undefined;
      }
      return { packages, own };
    }
    function wholePackage(n: SyntaxNode): string | undefined {
      const name = n.name === 'VariableName' ? src(n) : undefined;
      // A name declared once and never assigned again (a parameter of the same name counts: then not followed).
      const once = name !== undefined && !rebound.has(name) && definitions.get(name) === 1 && !imported?.has(name);
      const declaredAs = once ? declaredValues.get(name) : undefined;
      const module =
        name === undefined
          ? n.name === 'CallExpression'
            ? requiredModule(n)
            : undefined
          : once && namespaces.has(name)
            ? imports.get(name)
            : declaredAs?.name === 'CallExpression'
              ? requiredModule(declaredAs)
              : undefined;
      return module !== undefined && !fromRepository(module) ? module : undefined;
    }
    function add(name: string, value: string | undefined, env: EnvRead | undefined): void {
      const got = importedValue(value, env);
      if (got) into.set(name, got);
    }
  }
}

/** How many names and spreads an options object is followed through (`optionsObject`). */
const MAX_OPTIONS_DEPTH = 8;

/** After a member or an item: no assignment, compound or not, and no `++` or `--`. */
const NOT_ASSIGNED = '\\s*(?:(?:[-+*/%&|^]|\\*\\*|<<|>>>?|&&|\\|\\||\\?\\?)?=(?!=)|\\+\\+|--)';
const INDEX_READ = new RegExp(`^\\[\\s*\\d[\\d_]*\\s*\\](?!${NOT_ASSIGNED})`);

/** javascript-tokens.ts `ITERATING_METHODS`, and what else reads an array without changing it (`onlyLooped`). */
const ITERATING = ITERATING_METHODS.join('|');
const READ_ONLY_MEMBER = new RegExp(
  `^\\s*\\??\\.\\s*(?:length\\b(?!${NOT_ASSIGNED})|(?:${ITERATING}|includes|indexOf|lastIndexOf|join|slice|at|concat|entries|keys|values|toString)\\s*\\()`,
);

/**
 * `NAME.map((m) => …)`, `[…].forEach(function (m) {…})`, `Object.values(NAME).map(m => …)`: the callback's first
 * parameter and what it takes each item of (javascript.ts `loops`); undefined for any other call. A parameter that
 * is a pattern (`({ id }) => …`) is no name.
 */
function arrayCallback(
  call: SyntaxNode,
  src: (n: SyntaxNode) => string,
): [string, SyntaxNode | string | { valuesOf: string }] | undefined {
  const [callee, args] = childrenOf(call);
  if (callee?.name !== 'MemberExpression' || args?.name !== 'ArgList') return undefined;
  const [object, dot, property] = childrenOf(callee);
  if (!object || (dot?.name !== '.' && dot?.name !== '?.') || property?.name !== 'PropertyName') return undefined;
  if (!ITERATING_METHODS.includes(src(property))) return undefined;
  const fn = childrenOf(args).find((k) => k.name !== '(');
  if (fn?.name !== 'ArrowFunction' && fn?.name !== 'FunctionExpression') return undefined;
  const params = childrenOf(fn).find((k) => k.name === 'ParamList');
  const first = params && childrenOf(params).find((k) => k.name !== '(');
  if (first?.name !== 'VariableDefinition') return undefined;
  // `reduce` hands the accumulator first: its callback's second parameter is the item.
  if (src(property).startsWith('reduce')) return undefined;
  if (object.name === 'VariableName') return [src(first), src(object)];
  if (object.name === 'ArrayExpression') return [src(first), object];
  const values = objectWalked(object, 'values', src);
  return values === undefined ? undefined : [src(first), { valuesOf: values }];
}

/**
 * An array display's items by position (`ListConstants`): holes undefined, as long as the array (its commas, and one
 * more when an item follows the last: a trailing comma adds none); undefined for an array with a spread.
 */
function itemsByPosition(array: SyntaxNode): (SyntaxNode | undefined)[] | undefined {
  const items: (SyntaxNode | undefined)[] = [];
  let at = 0;
  let tail = false;
  for (const k of childrenOf(array)) {
    if (k.name === 'Spread') return undefined;
    if (k.name === ',') {
      at++;
      tail = false;
    } else if (k.name !== '[' && k.name !== ']') {
      items[at] ??= k;
      tail = true;
    }
  }
  items.length = at + (tail ? 1 : 0);
  return items;
}

/** A JavaScript array index written as a decimal integer literal (`0`, `1_0`); undefined for anything else. */
function arrayIndex(text: string): number | undefined {
  return /^(?:0|[1-9](?:_?\d)*)$/.test(text) ? Number(text.replaceAll('_', '')) : undefined;
}

/**
 * Whether every place `name` stands in the text (comments and strings too: a mention there only makes the reader
 * claim less) is its declaration (`const name =`), a loop over it (`of name`), an item read (`name[0]`) or a method
 * that changes nothing (`READ_ONLY_MEMBER`): an array anything else touches — `name.push(…)`, `name[0] = …`,
 * handing it to a function — may hold other items when the loop runs.
 */
function onlyLooped(text: string, name: string): boolean {
  const word = /[\w$\u00a1-\uffff]/;
  for (let k = text.indexOf(name); k >= 0; k = text.indexOf(name, k + name.length)) {
    if (word.test(text[k - 1] ?? '') || word.test(text[k + name.length] ?? '')) continue;
    const before = text.slice(Math.max(0, k - 8), k);
    const after = text.slice(k + name.length, k + name.length + 64);
    // `const name =`, or with a plain type (`: string[]`, `: readonly string[]`, `: Array<string>`).
    const declares =
      /(?:^|[^\w$.])(?:const|let|var)\s+$/.test(before) && /^\s*(?::[\s\w$.<>[\],|'"]*)?=(?!=)/.test(after);
    // `MODELS[0]` read: not assigned, updated or deleted; `MODELS.map(…)`, `MODELS.length`.
    const readsItem = INDEX_READ.test(after) && !/(?:\+\+|--|(?:^|[^\w$.])delete)\s*$/.test(before);
    if (!declares && !readsItem && !READ_ONLY_MEMBER.test(after) && !/(?:^|[^\w$.])of\s+$/.test(before)) return false;
  }
  return true;
}

/** `Object.values(NAME)` / `Object.entries(NAME)` (the method given): NAME. */
function objectWalked(n: SyntaxNode, method: 'values' | 'entries', src: (n: SyntaxNode) => string): string | undefined {
  const [callee, args] = childrenOf(n);
  if (n.name !== 'CallExpression' || callee?.name !== 'MemberExpression' || args?.name !== 'ArgList') return undefined;
  const [object, dot, property] = childrenOf(callee);
  const inner = childrenOf(args).filter((k) => k.name !== '(' && k.name !== ')');
  if (object?.name !== 'VariableName' || src(object) !== 'Object' || dot?.name !== '.') return undefined;
  if (property?.name !== 'PropertyName' || src(property) !== method) return undefined;
  return inner.length === 1 && inner[0]!.name === 'VariableName' ? src(inner[0]!) : undefined;
}
