import type { SyntaxNode, Tree } from '@lezer/common';
import { parser } from '@lezer/python';
import { lineIndex } from './text.js';
import {
  BuiltNames,
  Constants,
  DictBuilder,
  DictConstants,
  childrenOf,
  evaluateShared,
  PARTIAL,
  bindAliases,
  boundOnce,
  importBindings,
  throughPartial,
  type PartialBinding,
  loaderClassOf,
  resolveMethod,
  resolveCallee,
  spreadKeywords,
  readsFreeAttribute,
  readsInstanceAttribute,
  readsLocalCallAttribute,
  isSelfAttribute,
  mayBindInClassBody,
  unbind,
  loopChoices,
  importedDict,
  exportedDict,
  importedValue,
  subscriptOf,
  ListConstants,
  dictItemOrDefault,
  HF_HUB_URL_CALLS,
  pythonFormat,
  pythonHubUrl,
  pythonPercent,
  pythonInteger,
  CandidateConstants,
  candidatesIn,
  dictCandidates,
  walkTree,
  type DictValue,
  type ImportPart,
  KEYWORD_RECORDS,
  CHOSEN_MEMBER,
} from './syntax.js';
import {
  MODULE_RETURNS_SELF,
  buildsModel,
  collectReference,
  SavedFolders,
  notePassedLoader,
  unpickledCalls,
  unpicklerOf,
  type CallFacts,
  type Resolved,
} from './calls.js';
import { dictUseCheck, listUseCheck } from './python-dict-uses.js';
import { remoteCodeWrites } from './python-remote-code-writes.js';
import { pythonSnippet } from './python-snippet.js';
import { plainName, pythonScopes, type PythonScopes } from './python-scopes.js';
import { inFunctionBody } from './python-lines-native.js';
import { unquote } from './python-literals.js';
import { findPythonReferencesFast } from './python-fast.js';
import { LOCAL_PATH_CALLS, MAY_UNPICKLE, pythonAndOr, pythonNot, pythonTruth } from './python-loaders.js';
import { torchLoadUnpicklesByDefault } from './python-torch-load-default.js';
import {
  EnvConstants,
  envRead,
  boolDefault,
  orDefault,
  comparedDefault,
  STRING_CASE_METHODS,
  parameterDefault,
  TYPER_PARAMETERS,
  CLICK_PARAMETERS,
  clickParameterName,
  readPythonHubSettings,
  type EnvRead,
} from './python-env.js';
import { COMMAND_LINE_METHOD, CommandLineDefaults, DATACLASS_PARSERS } from './python-argparse.js';
import type { FileReferences, ImportedValue, ImportedValues } from './types.js';

type Position = (offset: number) => { line: number; column: number };

/**
 * Model references in Python source, from @lezer/python's syntax tree — never by importing or running it. Import
 * aliases (`from transformers import AutoModel as M`) and string constants assigned in the file (`MODEL = "org/x"`,
 * f-strings over such constants, `+` concatenation) are resolved; anything else is a run-time choice.
 *
 * Only the statements that can matter are read (python-snippet.ts): without a parser when they have the shapes
 * python-fast.ts knows, else parsed; when they do not parse cleanly on their own, or the file is one the snippet
 * lexer cannot vouch for, the whole file is parsed instead.
 */
export function findPythonReferences(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
  imported?: ImportedValues,
): FileReferences {
  return (
    findPythonReferencesFast(path, text, existsLocally, imported) ??
    findPythonReferencesWithParser(path, text, existsLocally, imported)
  );
}

/** The same search with @lezer/python (the scan's stage tries python-fast.ts first, without loading this module). */
export function findPythonReferencesWithParser(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
  imported?: ImportedValues,
): FileReferences {
  return (
    findPythonReferencesInSnippet(path, text, existsLocally, imported) ??
    findPythonReferencesInWholeFile(path, text, existsLocally, imported)
  );
}

/** The search over the snippet's syntax tree alone (python-snippet.ts); undefined when the whole file must decide. */
export function findPythonReferencesInSnippet(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
  imported?: ImportedValues,
): FileReferences | undefined {
  const snippet = pythonSnippet(text);
  if (!snippet) return undefined;
  const lines = lineIndex(text);
  const at: Position = (offset) => lines(snippet.original(offset));
  const got = referencesInTree(parser.parse(snippet.text), snippet.text, text, at, path, existsLocally, {
    strict: true,
    imported,
  });
  if (got) readPythonHubSettings(path, text, lines, got, existsLocally);
  return got;
}

/** The same search over the whole file's syntax tree (the fallback, and what the snippet is tested against). */
export function findPythonReferencesInWholeFile(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
  imported?: ImportedValues,
): FileReferences {
  const at = lineIndex(text);
  const got = referencesInTree(parser.parse(text), text, text, at, path, existsLocally, { strict: false, imported })!;
  readPythonHubSettings(path, text, at, got, existsLocally);
  return got;
}

interface TreeOptions {
  /** A snippet: undefined when it has a syntax error or reads what only the whole file decides. */
  readonly strict: boolean;
  /** `Class.attr` read through the class body (default: over the whole file). */
  readonly classAttributes?: boolean;
  readonly imported?: ImportedValues | undefined;
  /** Filled with the values of the names the module binds at its top level (`pythonModuleValues`). */
  readonly moduleValues?: Map<string, ImportedValue>;
}

/**
 * References in a parsed text (a snippet of `wholeFile`, or all of it); undefined when `strict` and the text has a
 * syntax error or reads what only the whole file decides.
 */
function referencesInTree(
  tree: Tree,
  text: string,
  wholeFile: string,
  at: Position,
  path: string,
  existsLocally: (p: string) => boolean,
  options: TreeOptions,
): FileReferences | undefined {
  const { strict, imported, moduleValues } = options;
  const classAttributes = options.classAttributes ?? !strict;
  const raw = (n: SyntaxNode) => text.slice(n.from, n.to);
  // python-scopes.ts: a name with more than one meaning in the file is keyed by the scope its binding is in.
  const scopes = pythonScopes(wholeFile);
  const src = scopes ? (n: SyntaxNode) => scopedName(n, raw(n), scopes, wholeOffset) : raw;
  // An offset of the tree's text in the whole file (the tree may be a snippet's), by its line and column.
  let lineStarts: number[] | undefined;
  const wholeOffset = (offset: number) => {
    const { line, column } = at(offset);
    lineStarts ??= [0, ...[...wholeFile.matchAll(/\n/g)].map((m) => m.index + 1)];
    return lineStarts[line - 1]! + column - 1;
  };
  const constants = new Constants();
  // Uses of a dict name are read over the whole file: the statements that change a dict are not in the snippet.
  const dicts = new DictConstants(dictUseCheck(wholeFile, scopes), remoteCodeWrites(wholeFile, scopes));
  const imports = new Map<string, string>();
  const calls: SyntaxNode[] = [];
  const assigned: [string, SyntaxNode][] = [];
  const built = new BuiltNames();
  const paths = new BuiltNames();
  // Names only ever bound to a comparison or `not`: bools (`isTruthValue`).
  const truths = new BuiltNames();
  const envs = new EnvConstants();
  const instances = new Constants();
  const choices = new CandidateConstants();
  // python-argparse.ts: filled after the names above are bound, as python-fast.ts does.
  const cli = new CommandLineDefaults();
  // Dataclass fields `name: T = value` ([class, field, value]) and tuple assignments `a, b = value`, for
  // python-argparse.ts's HfArgumentParser reading.
  const fieldDefs: [string, string, SyntaxNode | undefined, string][] = [];
  const tupleBinds: [(string | undefined)[], SyntaxNode][] = [];
  const functions: SyntaxNode[] = [];
  const lambdas: SyntaxNode[] = [];
  // Class attributes read as `Class.attr` (the `CFG.model_name` of notebooks): `Class.attr` → its value so far (null:
  // bound twice), and how many classes of each name the file defines.
  const classAttrs = new Map<string, string | undefined | null>();
  // The class attributes bound to `True` / `False` (their text in `classAttrs`): bools, not strings.
  const classBools = new Set<string>();
  const classNames = new Map<string, number>();
  const dottedAssigned = new Set<string>();
  // Names whose attribute a value reads (`X.attr`): read through a class body only over the whole file.
  const attributeReads = new Set<string>();
  // Bare callees an attribute was read off (`f().attr`, `callObjectClass`): read through the whole file.
  const callAttributeReads = new Set<string>();
  // Class names a value was read through.
  const throughClasses = new Set<string>();
  // `self.attr` read where no statement read binds it on the instance (`inheritedAttribute`).
  const selfReads = new Set<string>();
  let broken = false;
  const classDefinitions = new Map<string, SyntaxNode>();
  // `args.model_name` of `args = ModelArgs()`: the class an instance name is bound to (`instanceOf`, set once every
  // binding is known, with class attributes read).
  let instanceOf: ((name: string) => string | undefined) | undefined = undefined;
  // pydantic-settings classes of the file, by name: how their fields' variables are named (`settingsVariables`).
  const settings = new Map<string, { readonly prefix: string; readonly caseSensitive: boolean }>();
  // `LIST[0]`, `LIST[i]`: a list constant's items by value, once every binding is known (`listItems` below); none for
  // a list with a starred item (`[*A, "x"]`).
  const lists = new ListConstants<SyntaxNode>(
    (n) => evaluate(n),
    (n) => candidatesOf(n),
  );
  // Names imported from a module of the repository (module-paths.ts): bound where the file imports them, before
  // the statements that use them.
  for (const [name, v] of imported ?? []) {
    constants.set(name, v.value);
    if (v.dict) dicts.set(name, importedDict(v.dict));
  }
  walkTree(tree, {
    AssignStatement: recordConstant,
    ImportStatement: recordImport,
    CallExpression: (n) => calls.push(n),
    FunctionDefinition: (n) => functions.push(n),
    LambdaExpression: (n) => lambdas.push(n),
    ClassDefinition: (n) => {
      const name = childrenOf(n).find((c) => c.name === 'VariableName');
      if (name) classNames.set(src(name), (classNames.get(src(name)) ?? 0) + 1);
      if (name) classDefinitions.set(src(name), n);
    },
    // lezer's error recovery node: a snippet statement that does not parse alone.
    '\u26a0': (n) => {
      if (!isFloatWithoutFraction(n)) broken = true;
    },
  });
  if (strict && broken) return undefined;
  // After the walk, with every import known (python-fast.ts reads them all first too).
  const rebound = reboundNames(tree, src, new Set(assigned.map(([name]) => name)), !imports.has('enumerate'));
  const once = boundOnce([
    ...assigned.map(([name]) => name),
    ...[...rebound].flatMap(([name, { count }]) => Array<string>(count).fill(name)),
  ]);
  bindAliases(
    imports,
    assigned.map(([name, value]) => [
      name,
      value.name === 'VariableName' || value.name === 'MemberExpression' ? calleeName(value) : undefined,
    ]),
    once,
  );
  for (const [name, v] of imported ?? []) envs.set(name, v.env);
  // Parameters bind their names: a default is what loads when a caller passes none (python-env.ts `parameterDefault`).
  // A loop's name that is also a parameter is not the loop's alone (below): this reader has no scopes.
  const parameterNames = new Set<string>();
  for (const fn of functions) {
    const fnName = childrenOf(fn).find((c) => c.name === 'VariableName');
    const params = childrenOf(fn).find((c) => c.name === 'ParamList');
    if (!params) continue;
    const clicked = fnName ? clickDefaults(fn) : new Map<string, SyntaxNode>();
    for (const [name, given] of parameters(params)) {
      parameterNames.add(name);
      const written = given ?? clicked.get(plainName(name));
      const value = written && typerDefault(written);
      envs.set(
        name,
        fnName
          ? parameterDefault(
              src(fnName),
              name,
              value && evaluate(value),
              value?.name === 'None',
              value && envOf(value),
              value?.name === 'Boolean',
            )
          : undefined,
      );
    }
  }
  for (const lambda of lambdas) {
    const params = childrenOf(lambda).find((c) => c.name === 'ParamList');
    if (params)
      for (const [name] of parameters(params)) {
        parameterNames.add(name);
        envs.set(name, undefined);
      }
  }
  for (const [name, value] of assigned) {
    built.set(name, isLoaderCall(value));
    paths.set(name, isPathCall(value));
    truths.set(name, isTruthValue(value));
    // A dotted target (`self.x = …`) is no constant as the walk records them (`recordConstant`).
    if (!name.includes('.')) {
      // `x = x or "org/x"` refines x's binding so far (python-env.ts `EnvConstants.refine`).
      const [left, op] = value.name === 'BinaryExpression' ? childrenOf(value) : [];
      if (op?.name === 'or' && left?.name === 'VariableName' && src(left) === name) envs.refine(name, envOf(value));
      else envs.set(name, envOf(value));
      choices.set(name, candidatesOf(value));
      instances.set(name, value.name === 'CallExpression' ? loaderClassOf(calledName(value)) : undefined);
    }
  }
  // `self.model_name = model_name` binds the instance attribute (python-fast.ts reads it after the names too).
  for (const [name, value] of assigned)
    if (isSelfAttribute(name)) {
      constants.set(name, evaluate(value));
      envs.set(name, envOf(value));
    }
  // `name, rev = pick()`, `for name in names:`, `with … as name`, `name += …`: the value is the run time's.
  for (const name of rebound.keys())
    unbind(name, { values: [constants, dicts, envs, choices, instances], flags: [built, paths, truths] });
  // A name only one loop binds — over a display, a list constant nothing else changes, `enumerate` of either, a dict
  // constant's values — is one of its items (python-fast.ts `bindLoopNames` reads the same). A list's uses are
  // searched for last, once per list however many loops go over it.
  const plainNames = new Set(assigned.map(([name]) => name));
  let changedList: ((name: string) => boolean) | undefined;
  let assignedValues: Map<string, SyntaxNode> | undefined;
  // Each list's items once, however many loops and reads ask (a file of thousands of `MODELS[i]`).
  const itemsOf = new Map<string, readonly SyntaxNode[] | undefined>();
  const listItems = (list: string): readonly SyntaxNode[] | undefined => {
    if (itemsOf.has(list)) return itemsOf.get(list);
    let items: readonly SyntaxNode[] | undefined;
    if (once.has(list) && !rebound.has(list)) {
      const value = (assignedValues ??= new Map(assigned)).get(list);
      const display =
        value && (value.name === 'ArrayExpression' || (value.name === 'TupleExpression' && src(value).startsWith('(')));
      items = display && !(changedList ??= listUseCheck(wholeFile, scopes))(list) ? loopItems([value]) : undefined;
    }
    itemsOf.set(list, items);
    return items;
  };
  // `LIST[0]`: read once every binding is known (python-fast.ts sets its `lists` at the same point), in the calls and
  // in `name = LIST[0]` bound once.
  lists.know((list) => {
    const items = listItems(list);
    return items && !items.some((k) => k.name === '*') ? items : undefined;
  });
  if (classAttributes) {
    const bound = new Map(assigned);
    const classOf = new Map<string, string | undefined>();
    instanceOf = (name) => {
      if (!classOf.has(name))
        classOf.set(name, once.has(name) && !rebound.has(name) ? instanceClass(name, bound) : undefined);
      return classOf.get(name);
    };
  }
  for (const [name, value] of assigned)
    if (subscriptOf(value) && once.has(name) && !rebound.has(name)) constants.replace(name, evaluate(value));
  for (const [name, { count, items, iterates, valuesOf }] of rebound) {
    if (count !== 1 || plainNames.has(name) || parameterNames.has(name)) continue;
    if (valuesOf !== undefined) {
      choices.replace(name, dictCandidates(dicts.get(valuesOf)));
      continue;
    }
    const shown = items ?? (iterates === undefined ? undefined : listItems(iterates));
    if (shown !== undefined)
      choices.replace(
        name,
        loopChoices(shown, (i) => evaluate(i) ?? candidatesOf(i)),
      );
  }
  lists.settle();

  /** The callee of a call, with imports resolved. */
  function calledName(call: SyntaxNode): string | undefined {
    const callee = childrenOf(call)[0];
    const written = callee && calleeName(callee);
    return written === undefined ? undefined : resolveCallee(imports, written);
  }

  /** A ParamList's names, each with its default (`name: T = value`, `*args`, `**kw`). */
  /**
   * python-env.ts `CLICK_PARAMETERS`: the defaults `@click.option("--model", default="org/x")` decorators above a `def`
   * give its parameters (lezer's Decorator: the dotted name and its ArgList, in a DecoratedStatement), by name.
   */
  function clickDefaults(fn: SyntaxNode): Map<string, SyntaxNode> {
    const out = new Map<string, SyntaxNode>();
    const decorators = fn.parent?.name === 'DecoratedStatement' ? childrenOf(fn.parent) : [];
    for (const d of decorators) {
      if (d.name !== 'Decorator') continue;
      const kids = childrenOf(d);
      const args = kids.find((k) => k.name === 'ArgList');
      const dotted = kids
        .filter((k) => k.name === 'VariableName' || k.name === '.')
        .map(src)
        .join('');
      const kind = args ? CLICK_PARAMETERS.get(resolveCallee(imports, dotted)) : undefined;
      if (!args || kind === undefined) continue;
      const groups = argGroups(args);
      const decls = groups.filter((g) => g.length === 1).map((g) => evaluate(g[0]!));
      const name = decls.every((x) => x !== undefined) ? clickParameterName(kind, decls) : undefined;
      const fallback = keywordArgument(groups, 'default', src);
      if (name !== undefined && fallback) out.set(name, fallback);
    }
    return out;
  }

  /** python-env.ts `TYPER_PARAMETERS`: `typer.Option("org/x")` defaults to its first argument or `default=`. */
  function typerDefault(n: SyntaxNode): SyntaxNode | undefined {
    if (n.name !== 'CallExpression' || !TYPER_PARAMETERS.has(calledName(n) ?? '')) return n;
    return firstOrKeyword(n, 'default', src);
  }

  function parameters(list: SyntaxNode): [string, SyntaxNode | undefined][] {
    const out: [string, SyntaxNode | undefined][] = [];
    // One group per parameter, between commas: `*`/`**`, the name, a TypeDef, `=` and the default.
    for (const group of argGroups(list)) {
      const at = group.findIndex((k) => k.name === 'VariableName');
      if (at < 0) continue;
      const op = group.findIndex((k) => k.name === 'AssignOp');
      out.push([src(group[at]!), op > at ? group[op + 1] : undefined]);
    }
    return out;
  }

  /** python-env.ts: `os.environ.get("X", "main")`, or a name only ever assigned that. */
  function envOf(n: SyntaxNode): EnvRead | undefined {
    if (n.name === 'VariableName') return envs.get(src(n));
    if (n.name === 'MemberExpression') {
      const env = importedAttribute(n)?.env ?? selfAttribute(n, (d) => envs.get(d));
      if (env) return env;
      // `args.model_name` on a namespace argparse returns: the flag and its default.
      const [obj, , prop] = childrenOf(n);
      if (prop?.name !== 'PropertyName') return undefined;
      // `get_settings().model_name`, `Settings().model_name` (`callClass`).
      if (obj?.name === 'CallExpression') {
        const cls = callObjectClass(obj);
        return cls === undefined ? undefined : settingsField(cls, src(prop));
      }
      if (obj?.name !== 'VariableName') return undefined;
      return cli.read(src(obj), src(prop)) ?? settingsAttribute(src(obj), src(prop));
    }
    if (n.name === 'BinaryExpression') {
      const [left, op, right] = childrenOf(n);
      return left && op?.name === 'or' && right ? orDefault(envOf(left), ...orRight(right)) : undefined;
    }
    if (n.name === 'ConditionalExpression') {
      // `a if a else b` (transformers' examples: `model_args.tokenizer_name if model_args.tokenizer_name else
      // model_args.model_name_or_path`) is `a or b`: the same test of a's truth.
      const [body, , test, , orElse] = childrenOf(n);
      if (!body || !test || !orElse) return undefined;
      const tested = calleeName(body);
      if (tested === undefined || tested !== calleeName(test)) return undefined;
      return orDefault(envOf(body), ...orRight(orElse));
    }
    if (n.name !== 'CallExpression') return undefined;
    const [callee, args] = childrenOf(n);
    const dotted = callee && calleeName(callee);
    if (dotted === undefined || args?.name !== 'ArgList') return undefined;
    const groups = argGroups(args);
    const values = groups.every((g) => g.length === 1) ? groups.map((g) => evaluate(g[0]!)) : undefined;
    return envRead(resolveCallee(imports, dotted), values);
  }

  /**
   * `orDefault`'s right side: its value (a bool's text is no string, as `resolve` reads it) and its env read — each
   * read once: `a or (b or (c or …))` costs a pass per level, not two (which doubled at every level).
   */
  function orRight(n: SyntaxNode): [Pick<Resolved, 'value' | 'isString'>, EnvRead | undefined] {
    const value = evaluate(n);
    return [{ value, isString: n.name === 'String' || (value !== 'True' && value !== 'False') }, envOf(n)];
  }

  function recordConstant(n: SyntaxNode): void {
    const kids = childrenOf(n);
    const cls = n.parent?.name === 'Body' ? n.parent.parent : undefined;
    const className =
      cls?.name === 'ClassDefinition' ? childrenOf(cls).find((c) => c.name === 'VariableName') : undefined;
    if (kids[1]?.name === 'TypeDef' && kids[0]!.name === 'VariableName') {
      const value = kids[2]?.name === 'AssignOp' ? kids[3] : undefined;
      if (className) {
        fieldDefs.push([raw(className), raw(kids[0]!), value, raw(kids[1]).replace(/^:\s*/, '')]);
        if (value) recordClassAttr(`${raw(className)}.${raw(kids[0]!)}`, value);
      }
      // `NAME: str = "org/x"` binds NAME as `NAME = "org/x"` does (a tuple after `=` is `rebound`) — at the left margin
      // or in a function's body: one in a class body is a field (a dataclass's, python-argparse.ts), no name.
      if (value && kids.length === 4 && (at(n.from).column === 1 || inFunctionBody(wholeFile, wholeOffset(n.from))))
        bindName(src(kids[0]!), value);
      return;
    }
    if (className && kids.length === 3 && kids[0]!.name === 'VariableName' && kids[1]!.name === 'AssignOp')
      recordClassAttr(`${raw(className)}.${raw(kids[0]!)}`, kids[2]!);
    // `model_name, revision = "acme/x", "main"`: each name bound to its value.
    const pairs = pairedNames(kids, src);
    if (pairs) {
      for (const [name, value] of pairs) bindName(name, value);
      return;
    }
    const targets = tupleTargets(kids, src);
    if (targets) {
      tupleBinds.push([targets, kids[kids.length - 1]!]);
      return;
    }
    if (kids.length === 3 && kids[0]!.name === 'MemberExpression' && kids[1]!.name === 'AssignOp') {
      const dotted = calleeName(kids[0]!);
      if (dotted !== undefined) {
        assigned.push([dotted, kids[2]!]);
        dottedAssigned.add(dotted);
        cli.attributeAssigned(dotted);
      }
      return;
    }
    // `a = b = value`: each name bound to the value, as a plain assignment binds one.
    const chain = chainedNames(kids, src);
    if (chain) for (const name of chain) bindName(name, kids[kids.length - 1]!);
  }

  function bindName(name: string, value: SyntaxNode): void {
    // Assigned twice with different values: which one the call sees depends on run time.
    constants.set(name, evaluate(value));
    dicts.set(name, evaluateDict(value));
    assigned.push([name, value]);
  }

  /** syntax.ts `candidatesIn`: `"org/a" if big else "org/b"`, `MODELS[size]` of a dict constant (every value). */
  function candidatesOf(n: SyntaxNode): readonly string[] | undefined {
    // `LIST[5]` past its end is an IndexError, `LIST[0.5]` a TypeError: not one of the items.
    const item = subscriptOf(n);
    if (item && numberLiteral(item.key, src)) return undefined;
    return candidatesIn(n, {
      src,
      evaluate,
      choices,
      branches: [0, 4],
      containerValues: (name) => dictCandidates(dicts.get(name)) ?? lists.candidates(name),
    });
  }

  /** syntax.ts `isSelfAttribute`: what the file binds `self.<attr>` to. */
  function selfAttribute<T>(n: SyntaxNode, read: (dotted: string) => T | undefined): T | undefined {
    const dotted = calleeName(n);
    return dotted !== undefined && isSelfAttribute(dotted) ? read(dotted) : undefined;
  }

  /** `config.MODEL_ID` of a module the file imports (`import config`): what that module binds (imported-values.ts). */
  function importedAttribute(n: SyntaxNode): ImportedValue | undefined {
    if (!imported) return undefined;
    const dotted = calleeName(n);
    return dotted === undefined ? undefined : imported.get(dotted);
  }

  /** `"org/%s" % NAME`, `"%s/%s" % (ORG, NAME)` (syntax.ts `pythonPercent`): a tuple's items one by one. */
  function percentFormat(left: SyntaxNode, right: SyntaxNode): string | undefined {
    const template = evaluate(left);
    if (template === undefined) return undefined;
    const items = right.name === 'TupleExpression' && src(right).startsWith('(') ? loopItems([right]) : undefined;
    return pythonPercent(template, items ? items.map(evaluate) : [evaluate(right)]);
  }

  /** `"org/{}".format(name)`, `"{org}/{name}".format(org=…, name=…)` of a string literal (syntax.ts `pythonFormat`). */
  function formatCall(n: SyntaxNode): string | undefined {
    const [callee, args] = childrenOf(n);
    const [obj, dot, prop] = callee?.name === 'MemberExpression' ? childrenOf(callee) : [];
    if (obj?.name !== 'String' || dot?.name !== '.' || prop?.name !== 'PropertyName' || src(prop) !== 'format')
      return undefined;
    const template = evaluate(obj);
    if (template === undefined || args?.name !== 'ArgList') return undefined;
    const values = argumentValues(args);
    return values && pythonFormat(template, values.positional, values.keywords);
  }

  /**
   * huggingface_hub's `hf_hub_url(repo_id, filename, …)` of arguments the file decides: the URL it makes (syntax.ts
   * `pythonHubUrl`), which a loader given it fetches as any URL written out.
   */
  function hubUrl(n: SyntaxNode): string | undefined {
    const called = calledName(n);
    if (called === undefined || !HF_HUB_URL_CALLS.has(called)) return undefined;
    const args = childrenOf(n)[1];
    if (args?.name !== 'ArgList') return undefined;
    const values = argumentValues(args);
    return values && pythonHubUrl(values.positional, values.keywords);
  }

  /** A call's arguments as the file decides them: positional, then `name=value`; undefined for `*a`, `**k`. */
  function argumentValues(
    args: SyntaxNode,
  ): { positional: (string | undefined)[]; keywords: Map<string, string | undefined> } | undefined {
    const positional: (string | undefined)[] = [];
    const keywords = new Map<string, string | undefined>();
    for (const g of argGroups(args)) {
      if (g.length === 1) positional.push(evaluate(g[0]!));
      else if (g.length === 3 && g[0]!.name === 'VariableName' && g[1]!.name === 'AssignOp')
        keywords.set(src(g[0]!), evaluate(g[2]!));
      else return undefined;
    }
    return { positional, keywords };
  }

  /** `CONFIG.get("model")` / `CONFIG.get("model", "org/default")` of a dict constant (syntax.ts `dictItemOrDefault`). */
  function dictGet(n: SyntaxNode): string | undefined {
    const [callee, args] = childrenOf(n);
    const [obj, dot, prop] = callee?.name === 'MemberExpression' ? childrenOf(callee) : [];
    if (obj?.name !== 'VariableName' || dot?.name !== '.' || prop?.name !== 'PropertyName' || src(prop) !== 'get')
      return undefined;
    const groups = args?.name === 'ArgList' ? argGroups(args) : [];
    if (groups.length < 1 || groups.length > 2 || groups.some((g) => g.length !== 1)) return undefined;
    const [key, fallback] = groups.map((g) => evaluate(g[0]!));
    return key === undefined ? undefined : dictItemOrDefault(dicts.get(src(obj)), key, groups.length === 2, fallback);
  }

  function recordClassAttr(key: string, value: SyntaxNode): void {
    // A dataclass field's `field(default=…)`: the dataclass makes the default the class attribute.
    const field = fieldDefault(value);
    classAttrs.set(key, classAttrs.has(key) ? null : evaluate(field ?? value));
    if ((field ?? value).name === 'Boolean') classBools.add(key);
  }

  /** `field(default=X)` / `dataclasses.field(default=X)`: X. */
  function fieldDefault(value: SyntaxNode): SyntaxNode | undefined {
    const [callee, args] = value.name === 'CallExpression' ? childrenOf(value) : [];
    const dotted = callee && calleeName(callee);
    if (dotted === undefined || resolveCallee(imports, dotted) !== 'dataclasses.field' || args?.name !== 'ArgList')
      return undefined;
    const groups = argGroups(args);
    const d = groups.find((g) => g.length === 3 && g[0]!.name === 'VariableName' && src(g[0]!) === 'default');
    return d?.[2];
  }

  /**
   * `Class.attr` for a class the file defines once, whose body binds `attr` once (plainly or annotated) and which no
   * statement of the file assigns (`Class.attr = …`): the value bound there, as far as the file decides it.
   */
  function classAttribute(n: SyntaxNode): string | undefined {
    const [obj, dot, prop] = childrenOf(n);
    if (obj?.name === 'CallExpression' && dot?.name === '.' && prop?.name === 'PropertyName') {
      // `Config().model_name`, `get_config().model_name` (`callClass`).
      const cls = callObjectClass(obj);
      return cls === undefined || settings.has(cls) ? undefined : instanceAttribute(cls, src(prop));
    }
    if (obj?.name !== 'VariableName' || dot?.name !== '.' || prop?.name !== 'PropertyName') return undefined;
    if (src(obj) === 'self' || src(obj) === 'cls') return inheritedAttribute(src(prop));
    attributeReads.add(src(obj));
    const cls = instanceOf?.(src(obj));
    if (cls !== undefined) return settings.has(cls) ? undefined : instanceAttribute(cls, src(prop));
    const key = `${src(obj)}.${src(prop)}`;
    if (!classAttributes || classNames.get(src(obj)) !== 1 || dottedAssigned.has(key)) return undefined;
    const value = classAttrs.get(key) ?? undefined;
    if (value !== undefined) throughClasses.add(src(obj));
    return value;
  }

  /**
   * `self.attr` / `cls.attr` that no statement binds on the instance: the class attribute — Python's attribute lookup
   * finds the class's when the instance has none — when every class of the file whose body binds `attr` binds it
   * once, all to one value the file decides, and no statement assigns `X.attr` (a subclass in another file may still
   * override it, as a caller may pass another value for a parameter's default). A snippet holds no class bodies: the
   * read is noted (`selfReads`) and the whole file decides.
   */
  function inheritedAttribute(attr: string): string | undefined {
    if (!classAttributes) {
      selfReads.add(attr);
      return undefined;
    }
    let value: string | undefined;
    for (const [key, v] of classAttrs) {
      if (key.slice(key.indexOf('.') + 1) !== attr) continue;
      if (v === null || v === undefined || (value !== undefined && v !== value)) return undefined;
      value = v;
    }
    if (value === undefined) return undefined;
    for (const d of dottedAssigned) if (d.slice(d.lastIndexOf('.') + 1) === attr) return undefined;
    return value;
  }

  /**
   * `args.model_name` of an instance made with no arguments (`args = ModelArgs()`) of a class whose instances
   * start with nothing of their own (`plainClass`): the class attribute, a dataclass field's default among them —
   * while no statement of the file assigns `.model_name` of anything (a method may set it on the instance).
   */
  function instanceAttribute(cls: string, attr: string): string | undefined {
    for (const d of dottedAssigned) if (d.slice(d.lastIndexOf('.') + 1) === attr) return undefined;
    const value = classAttrs.get(`${cls}.${attr}`) ?? undefined;
    if (value !== undefined) throughClasses.add(cls);
    return value;
  }

  /**
   * The class a name is bound to an instance of, made with no arguments, where what the instance reads is its
   * class's attributes: bound once (`name = C()`), C a class the file defines once, with no base class but
   * `object`, no decorator but `@dataclass` (with or without options), and no method that makes or changes an
   * instance's attributes (`__init__`, `__post_init__`, `__new__`, `__getattr__`, `__getattribute__`, `__setattr__`).
   */
  function instanceClass(name: string, bound: ReadonlyMap<string, SyntaxNode>): string | undefined {
    const value = bound.get(name);
    return value && callClass(value);
  }

  /**
   * `instanceClass` of a call: `C()`, or `f()` of a settings factory the file defines (`factoryClass`), FastAPI's
   * `@lru_cache def get_settings(): return Settings()`.
   */
  function callClass(value: SyntaxNode): string | undefined {
    const [callee, args, ...rest] = value.name === 'CallExpression' ? childrenOf(value) : [];
    if (callee?.name !== 'VariableName' || args?.name !== 'ArgList' || rest.length > 0) return undefined;
    if (childrenOf(args).some((k) => k.name !== '(' && k.name !== ')')) return undefined;
    const cls = classNames.has(src(callee)) ? src(callee) : factoryClass(src(callee));
    if (cls === undefined) return undefined;
    const def = classNames.get(cls) === 1 && !imports.has(cls) ? classDefinitions.get(cls) : undefined;
    if (!def) return undefined;
    const bases = childrenOf(def).find((k) => k.name === 'ArgList');
    const named = bases ? childrenOf(bases).filter((k) => k.name !== '(' && k.name !== ')' && src(k) !== 'object') : [];
    // A pydantic-settings class (`settingsVariables`): its fields are env reads, read by `settingsAttribute`.
    if (named.length > 0 && !(named.length === 1 && settingsVariables(cls, def, named[0]!))) return undefined;
    const decorated = def.parent?.name === 'DecoratedStatement' ? childrenOf(def.parent) : [];
    const decorators = decorated.filter((k) => k.name === 'Decorator');
    if (decorators.some((d) => !/^@\s*(?:dataclasses\s*\.\s*)?dataclass\s*(?:\(|$)/.test(src(d)))) return undefined;
    const body = childrenOf(def).find((k) => k.name === 'Body');
    const methods = body ? childrenOf(body) : [];
    for (const m of methods) {
      const fn = m.name === 'DecoratedStatement' ? childrenOf(m).find((k) => k.name === 'FunctionDefinition') : m;
      const fnName =
        fn?.name === 'FunctionDefinition' ? childrenOf(fn).find((k) => k.name === 'VariableName') : undefined;
      if (fnName && INSTANCE_MAKERS.has(src(fnName))) return undefined;
    }
    return cls;
  }

  /**
   * The class a function of the file returns a new instance of, made with no arguments, when that is all it does: a
   * top-level `def f():` taking nothing, defined once and bound nowhere else, whose body is `return C()` (a docstring
   * before it), decorated with nothing but functools' `lru_cache`/`cache` — which hand back the first call's instance,
   * made the same way. `f().attr` then reads what `C().attr` reads.
   */
  function factoryClass(fn: string): string | undefined {
    if (imports.has(fn) || rebound.has(fn) || assigned.some(([name]) => name === fn)) return undefined;
    const defs = functions.filter((d) => nameOf(d) === fn);
    const def = defs.length === 1 ? defs[0]! : undefined;
    const decorated = def?.parent?.name === 'DecoratedStatement' ? def.parent : undefined;
    if (!def || (decorated ?? def).parent?.name !== 'Script') return undefined;
    for (const d of decorated ? childrenOf(decorated).filter((k) => k.name === 'Decorator') : []) {
      // The blanks before the arguments sit in their group: with `\s*` on both sides of it, an unmatched end
      // (`@lru_cache` + blanks + `\` and a continued line) re-read the blanks for every split (quadratic).
      const m = DECORATOR_CALL.exec(src(d));
      if (!m || !CACHING_DECORATORS.has(resolveCallee(imports, m[1]!))) return undefined;
    }
    const params = childrenOf(def).find((k) => k.name === 'ParamList');
    if (!params || childrenOf(params).some((k) => k.name !== '(' && k.name !== ')')) return undefined;
    const body = childrenOf(def).find((k) => k.name === 'Body');
    const statements = body ? childrenOf(body).filter((k) => k.name !== ':') : [];
    const docstring = statements[0]?.name === 'ExpressionStatement' && childrenOf(statements[0])[0]?.name === 'String';
    const [ret, ...more] = docstring ? statements.slice(1) : statements;
    const [keyword, made, ...after] = ret?.name === 'ReturnStatement' ? childrenOf(ret) : [];
    if (more.length > 0 || keyword?.name !== 'return' || !made || after.length > 0) return undefined;
    const [callee, args, ...rest] = made.name === 'CallExpression' ? childrenOf(made) : [];
    if (callee?.name !== 'VariableName' || args?.name !== 'ArgList' || rest.length > 0) return undefined;
    if (childrenOf(args).some((k) => k.name !== '(' && k.name !== ')')) return undefined;
    return classNames.has(src(callee)) ? src(callee) : undefined;
  }

  /**
   * `callClass` of a call an attribute is read off (`get_settings().model_id`): over the whole file only; a snippet,
   * which holds no function or class bodies, notes the callee (`callAttributeReads`) and leaves the file to it.
   */
  function callObjectClass(obj: SyntaxNode): string | undefined {
    if (instanceOf) return callClass(obj);
    const callee = bareCallee(obj, src);
    if (callee !== undefined) callAttributeReads.add(callee);
    return undefined;
  }

  function nameOf(def: SyntaxNode): string | undefined {
    const name = childrenOf(def).find((k) => k.name === 'VariableName');
    return name && src(name);
  }

  /**
   * pydantic-settings (pydantic_settings/sources `EnvSettingsSource`): a field of a `BaseSettings` instance is read
   * from the environment variable `<env_prefix><field name>` — any case unless `case_sensitive=True` — and is the
   * default the class body gives it when that is unset: `settings.model_id` of `settings = Settings()` is an env read
   * as `os.getenv("MODEL_ID", "org/x")` is. An alias (`Field(alias=…)`) or a value of no string the file decides is
   * not read (`instanceAttribute`); a `.env` file the class names is the deployment's, as for any env read.
   */
  function settingsAttribute(obj: string, attr: string): EnvRead | undefined {
    const cls = instanceOf?.(obj);
    return cls === undefined ? undefined : settingsField(cls, attr);
  }

  /** `settingsAttribute` of an instance of `cls`. */
  function settingsField(cls: string, attr: string): EnvRead | undefined {
    const naming = settings.get(cls);
    if (!naming) return undefined;
    const fallback = instanceAttribute(cls, attr);
    if (fallback === undefined) return undefined;
    const named = `${naming.prefix}${attr}`;
    const variable = naming.caseSensitive ? named : named.toUpperCase();
    // `trust_remote_code: bool = False`: a bool (pydantic parses the variable's `1`/`true`/`yes`/`on` as True).
    return classBools.has(`${cls}.${attr}`) ? boolDefault(variable, fallback) : { variable, fallback };
  }

  /**
   * Whether a class's one base is pydantic-settings' `BaseSettings` (pydantic 1's too) and how it names the variables
   * its fields are read from: `model_config = SettingsConfigDict(env_prefix=…, case_sensitive=…)` (or a dict of
   * them), or pydantic 1's `class Config: env_prefix = …`. Settings the file does not decide: no settings read.
   */
  function settingsVariables(cls: string, def: SyntaxNode, base: SyntaxNode): boolean {
    const dotted = calleeName(base);
    if (dotted === undefined || !SETTINGS_BASES.has(resolveCallee(imports, dotted))) return false;
    const options = new Map<string, Resolved>();
    const body = childrenOf(def).find((k) => k.name === 'Body');
    for (const statement of body ? childrenOf(body) : []) {
      const kids = childrenOf(statement);
      const target = kids[0] && src(kids[0]);
      if (statement.name === 'AssignStatement' && target === 'model_config' && kids.length === 3) {
        const dict = evaluateDict(kids[2]!) ?? configCall(kids[2]!);
        if (!dict || dict.open) return false;
        for (const [k, v] of dict.entries) options.set(k, v);
      } else if (statement.name === 'ClassDefinition' && kids[1] && src(kids[1]) === 'Config') {
        const inner = childrenOf(statement).find((k) => k.name === 'Body');
        for (const a of inner ? childrenOf(inner) : []) {
          const [name, op, value] = a.name === 'AssignStatement' ? childrenOf(a) : [];
          if (name?.name === 'VariableName' && op?.name === 'AssignOp' && value) options.set(src(name), resolve(value));
        }
      }
    }
    const prefix = options.get('env_prefix');
    const sensitive = options.get('case_sensitive');
    if (prefix && !(prefix.isString && prefix.value !== undefined)) return false;
    if (sensitive && sensitive.value !== 'True' && sensitive.value !== 'False') return false;
    settings.set(cls, { prefix: prefix?.value ?? '', caseSensitive: sensitive?.value === 'True' });
    return true;
  }

  /** `SettingsConfigDict(…)` / `ConfigDict(…)` (TypedDicts: their keywords are the dict's items). */
  function configCall(n: SyntaxNode): DictValue | undefined {
    const called = n.name === 'CallExpression' ? calledName(n) : undefined;
    if (called === undefined || !SETTINGS_CONFIGS.has(called)) return undefined;
    const f = facts(n);
    return f && f.positional.length === 0 ? { entries: f.keywords, open: f.splat } : undefined;
  }

  function isLoaderCall(n: SyntaxNode): boolean {
    if (n.name !== 'CallExpression') return false;
    const callee = childrenOf(n)[0];
    if (callee?.name === 'MemberExpression') {
      const [obj, , prop] = childrenOf(callee);
      if (obj?.name === 'CallExpression' && prop && MODULE_RETURNS_SELF.has(src(prop))) return isLoaderCall(obj);
    }
    const written = callee && calleeName(callee);
    return written !== undefined && buildsModel(written, resolveCallee(imports, written), 'python');
  }

  /** A call that builds a path (python-loaders.ts `LOCAL_PATH_CALLS`), or a name only ever bound to one. */
  function isPathCall(n: SyntaxNode): boolean {
    if (n.name === 'VariableName') return paths.has(src(n));
    const called = n.name === 'CallExpression' ? calledName(n) : undefined;
    if (called === 'str') {
      // `str(Path(…))`: the same path as text.
      const args = childrenOf(n)[1];
      const groups = args?.name === 'ArgList' ? argGroups(args) : [];
      return groups.length === 1 && groups[0]!.length === 1 && isPathCall(groups[0]![0]!);
    }
    return called !== undefined && LOCAL_PATH_CALLS.has(called);
  }

  /** A loader call, or a name (or dotted attribute) only ever bound to one (calls.ts `Resolved.built`). */
  function isBuilt(n: SyntaxNode): boolean {
    if (n.name === 'VariableName') return built.has(src(n));
    // `self.model = AutoModel.from_pretrained(…)` then `pipeline(model=self.model)`.
    if (n.name === 'MemberExpression') {
      const dotted = calleeName(n);
      return dotted !== undefined && built.has(dotted);
    }
    return isLoaderCall(n);
  }

  /** `{…}` or `dict(…)` with the keys the file names (python-fast.ts `Values.dict` reads the same shapes). */
  function evaluateDict(n: SyntaxNode): DictValue | undefined {
    if (n.name === 'VariableName') return dicts.spread(src(n));
    const d = new DictBuilder();
    if (n.name === 'DictionaryExpression') {
      const items = childrenOf(n).filter((c) => c.name !== '{' && c.name !== '}');
      for (let i = 0; i < items.length; i++) {
        const c = items[i]!;
        if (c.name === ',') continue;
        if (c.name === '**') d.spread(items[i + 1] && evaluateDict(items[++i]!));
        else if (items[i + 1]?.name === ':' && items[i + 2]) {
          d.item(c.name === 'String' ? evaluate(c) : undefined, resolve(items[i + 2]!));
          i += 2;
        } else return undefined;
      }
      return d.build();
    }
    if (n.name !== 'CallExpression') return undefined;
    const [callee, args] = childrenOf(n);
    if (callee?.name !== 'VariableName' || !KEYWORD_RECORDS.has(src(callee)) || args?.name !== 'ArgList')
      return undefined;
    for (const group of argGroups(args)) {
      if (group.length === 3 && group[0]!.name === 'VariableName' && group[1]!.name === 'AssignOp')
        d.item(src(group[0]!), resolve(group[2]!));
      else if (group.length === 2 && src(group[0]!) === '**') d.spread(evaluateDict(group[1]!));
      else d.unknown();
    }
    return d.build();
  }

  function resolve(n: SyntaxNode, withEntries = true): Resolved {
    const entries = withEntries ? evaluateDict(n)?.entries : undefined;
    const env = envOf(n);
    const value = evaluate(n);
    const candidates = value === undefined ? candidatesOf(n) : undefined;
    const truth = value === undefined && env === undefined ? truthOf(n) : undefined;
    return {
      value,
      // A name the file binds to True or False is that bool (constants hold it as its text), not a string, unless the
      // environment gives it (`os.getenv("X", "False")` is a non-empty string): `trust_remote_code=TRC` with
      // `TRC = False` trusts nothing (python-loaders.ts `pythonTruthy`).
      // A name only ever bound to a comparison (`TRC = os.getenv("X", "0") == "1"`) is a bool too.
      isString:
        isStringish(n) &&
        !(
          n.name === 'VariableName' &&
          env === undefined &&
          (value === 'True' || value === 'False' || truths.has(src(n)))
        ),
      ...(candidates ? { candidates } : {}),
      ...(entries ? { entries } : {}),
      ...(isBuilt(n) ? { built: true } : {}),
      ...(env ? { env } : {}),
      ...(isPathCall(n) ? { localPath: true } : {}),
      // `None`: the loader's default, as if not given (calls.ts `Resolved.notString`).
      ...(n.name === 'None' ? { notString: 'absent' as const } : {}),
      ...(truth !== undefined ? { truth } : {}),
      ...(n.name === 'VariableName' ? { name: src(n) } : {}),
    };
  }

  /**
   * calls.ts `Resolved.truth` of a value that is no string the file decides (python-loaders.ts `pythonTruth`): an
   * integer literal, `not x` and `bool(x)` by the truth of `x`, `x and y` / `x or y` by their sides'; a name,
   * attribute, subscript, call or comparison the file does not decide, `run-time`. python-fast.ts `Values.truth` reads the same shapes.
   */
  function truthOf(n: SyntaxNode): boolean | 'run-time' | undefined {
    const kids = childrenOf(n);
    switch (n.name) {
      case 'Number': {
        const i = pythonInteger(src(n));
        return i === undefined ? undefined : i !== 0;
      }
      case 'ParenthesizedExpression':
        return kids.length === 3 ? pythonTruth(resolve(kids[1]!, false)) : undefined;
      case 'UnaryExpression':
        if (kids[0]?.name === 'not' && kids.length === 2) return pythonNot(pythonTruth(resolve(kids[1]!, false)));
        // `-1`, `+0`: a sign right before an integer literal.
        if (kids.length === 2 && /^[-+]$/.test(src(kids[0]!)) && kids[1]!.name === 'Number') return truthOf(kids[1]!);
        return undefined;
      case 'CallExpression': {
        // builtins `bool(x)`: x's truth; `bool()` is False.
        const args = kids[1]?.name === 'ArgList' ? argGroups(kids[1]) : undefined;
        if (calledName(n) === 'bool' && args !== undefined && args.every((g) => g.length === 1)) {
          if (args.length === 0) return false;
          if (args.length === 1) return pythonTruth(resolve(args[0]![0]!, false));
        }
        return 'run-time';
      }
      case 'BinaryExpression': {
        const op = kids.length === 3 ? kids[1]!.name : undefined;
        if (op === 'and' || op === 'or')
          return pythonAndOr(op, pythonTruth(resolve(kids[0]!, false)), pythonTruth(resolve(kids[2]!, false)));
        return isTruthValue(n) ? 'run-time' : undefined;
      }
      case 'VariableName':
      case 'MemberExpression':
      case 'SubscriptExpression':
        return 'run-time';
      default:
        return undefined;
    }
  }

  function recordImport(n: SyntaxNode): void {
    // An import's names are read as written (python-fast.ts leaves a nested import of a scoped name to this reader).
    for (const [bound, full] of statementImports(n, raw)) imports.set(bound, full);
  }

  function evaluate(n: SyntaxNode): string | undefined {
    switch (n.name) {
      case 'String':
        return /^[rRbBuU]*["']/.test(src(n)) ? unquote(src(n)) : undefined;
      case 'ContinuedString': {
        const parts = childrenOf(n).map(evaluate);
        return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
      }
      case 'FormatString':
        return formatString(n);
      case 'VariableName':
        return constants.get(src(n));
      case 'Boolean':
        return src(n);
      case 'CallExpression':
        return dictGet(n) ?? formatCall(n) ?? hubUrl(n);
      case 'BinaryExpression': {
        const [left, op, right, ...rest] = childrenOf(n);
        if (left && op && right && rest.length === 0 && src(op) === '%') return percentFormat(left, right);
        // python-env.ts `comparedDefault`: one comparison, not a chain (python-fast.ts reads the same).
        if (
          left &&
          op &&
          right &&
          rest.length === 0 &&
          op.name === 'CompareOp' &&
          (src(op) === '==' || src(op) === '!=')
        )
          return comparedDefault(comparedSide(left), src(op) as '==' | '!=', comparedSide(right));
        return evaluateShared(n, src, evaluate);
      }
      case 'MemberExpression': {
        const item = subscriptOf(n);
        if (item) {
          // An item of a dict constant by a key the file decides, or of a list constant by an integer literal once
          // every binding is known (`lists`; python-fast.ts reads the same).
          const key = evaluate(item.key);
          if (item.object.name !== 'VariableName') return undefined;
          if (key !== undefined) return dicts.get(src(item.object))?.entries.get(key)?.value;
          const i = integerOf(item.key, src);
          return i === undefined ? undefined : lists.item(src(item.object), i);
        }
        return importedAttribute(n)?.value ?? selfAttribute(n, (d) => constants.get(d)) ?? classAttribute(n);
      }
      default:
        return evaluateShared(n, src, evaluate);
    }
  }

  /** A comparison's side as it stands with its env unset, through `.lower()` and the like (python-fast.ts `side`). */
  function comparedSide(n: SyntaxNode): { value: string | undefined; env: EnvRead | undefined } {
    const [callee, args] = n.name === 'CallExpression' ? childrenOf(n) : [];
    const [object, dot, property] = callee?.name === 'MemberExpression' ? childrenOf(callee) : [];
    const change =
      args?.name === 'ArgList' && argGroups(args).length === 0 && dot?.name === '.' && property?.name === 'PropertyName'
        ? STRING_CASE_METHODS.get(src(property))
        : undefined;
    if (!change || !object) return { value: evaluate(n), env: envOf(n) };
    const inner = comparedSide(object);
    const fallback = inner.env?.fallback;
    return {
      value: inner.value === undefined ? undefined : change(inner.value),
      env: inner.env && (fallback === undefined ? inner.env : { ...inner.env, fallback: change(fallback) }),
    };
  }

  function formatString(n: SyntaxNode): string | undefined {
    const raw = src(n);
    const m = /^([rRfF]*)("""|'''|"|')/.exec(raw);
    if (!m) return undefined;
    const body0 = n.from + m[0].length;
    const body1 = n.to - m[2]!.length;
    let out = '';
    let pos = body0;
    for (const r of childrenOf(n).filter((c) => c.name === 'FormatReplacement')) {
      out += text.slice(pos, r.from);
      const inner = childrenOf(r).filter((c) => c.name !== '{' && c.name !== '}');
      const v = inner.length === 1 ? evaluate(inner[0]!) : undefined;
      if (v === undefined) return undefined;
      out += v;
      pos = r.to;
    }
    out += text.slice(pos, body1);
    return out.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
  }

  // Its arguments read at once (the spread asks every getter): for calls read during the walk, whose arguments may
  // name bindings the walk has yet to change.
  const facts = (call: SyntaxNode): CallFacts | undefined => {
    const lazy = lazyFacts(call);
    return lazy && { ...lazy };
  };

  /**
   * `facts`, its arguments read when first asked: most calls of a file are no loader, and `shapeOf` asks a call's
   * arguments only once its name is one (resolving every argument of every call was most of a large file's time).
   * For the calls read after the walk, when every binding the arguments may name is final.
   */
  const lazyFacts = (call: SyntaxNode): CallFacts | undefined => {
    const [callee, args] = childrenOf(call);
    if (!callee || !args || args.name !== 'ArgList') return undefined;
    const dotted = calleeName(callee);
    if (dotted === undefined) return undefined;
    const object = callee.name === 'MemberExpression' ? childrenOf(callee)[0] : undefined;
    const called = object?.name === 'CallExpression' ? loaderClassOf(calledName(object)) : undefined;
    let read: ReturnType<typeof argumentsOf> | undefined;
    const given = () => (read ??= argumentsOf(args));
    return {
      written: dotted,
      resolved: resolveMethod(imports, instances, dotted, called),
      get positional() {
        return given().positional;
      },
      get keywords() {
        return given().keywords;
      },
      get splat() {
        return given().splat;
      },
      ...at(call.from),
      lang: 'python',
    };
  };

  /** A call's arguments, resolved (`facts`). */
  function argumentsOf(args: SyntaxNode) {
    const positional: Resolved[] = [];
    const keywords = new Map<string, Resolved>();
    let splat = false;
    const spreads: (DictValue | undefined)[] = [];
    for (const group of argGroups(args)) {
      if (group.length === 3 && group[0]!.name === 'VariableName' && group[1]!.name === 'AssignOp') {
        keywords.set(src(group[0]!), resolve(group[2]!));
      } else if (group.length === 2 && src(group[0]!) === '**') spreads.push(evaluateDict(group[1]!));
      else if (group.length >= 1 && (src(group[0]!) === '*' || src(group[0]!) === '**')) splat = true;
      else if (group.length === 1) positional.push(resolve(group[0]!, false));
      else positional.push({ value: undefined, isString: false });
    }
    // `**options` after every explicit keyword: a known dict adds its keys; one the file cannot read is a splat.
    for (const d of spreads) if (spreadKeywords(keywords, d)) splat = true;
    return { positional, keywords, splat };
  }

  /**
   * What each `return` of a function gives, as the callee of a call written there or bound to the name returned in
   * the function ('' for anything else); undefined when it has no `return`. Nested functions and classes are their own.
   */
  function returnedCalls(fn: SyntaxNode): string[] | undefined {
    const body = childrenOf(fn).find((c) => c.name === 'Body');
    if (!body) return undefined;
    const returns: SyntaxNode[] = [];
    const bound = new Map<string, string[]>();
    // An explicit stack: an expression can nest deeper than the call stack.
    for (const stack = [body]; stack.length > 0;) {
      for (const c of childrenOf(stack.pop()!)) {
        if (c.name === 'FunctionDefinition' || c.name === 'ClassDefinition' || c.name === 'LambdaExpression') continue;
        if (c.name === 'ReturnStatement') returns.push(c);
        if (c.name === 'AssignStatement') {
          const kids = childrenOf(c);
          if (kids.length === 3 && kids[0]!.name === 'VariableName' && kids[1]!.name === 'AssignOp') {
            const list = bound.get(src(kids[0]!)) ?? [];
            list.push(kids[2]!.name === 'CallExpression' ? calleeOf(kids[2]!) : '');
            bound.set(src(kids[0]!), list);
          }
        }
        stack.push(c);
      }
    }
    if (returns.length === 0) return undefined;
    return returns.flatMap((r) => {
      const value = childrenOf(r)[1];
      if (value?.name === 'CallExpression') return [calleeOf(value)];
      if (value?.name === 'VariableName') return bound.get(src(value)) ?? [''];
      return [''];
    });
  }

  /** A call's callee as written ('' for none). */
  function calleeOf(call: SyntaxNode): string {
    const callee = childrenOf(call)[0];
    return (callee && calleeName(callee)) ?? '';
  }

  function calleeName(n: SyntaxNode): string | undefined {
    if (n.name === 'VariableName') return src(n);
    // A module's member picked at run time: `m.__dict__[k]` (one expression in the brackets), `getattr(m, k, …)`.
    if (n.name === 'CallExpression') {
      const [fn, args] = childrenOf(n);
      if (fn?.name !== 'VariableName' || src(fn) !== 'getattr' || args?.name !== 'ArgList') return undefined;
      const groups = argGroups(args);
      if (groups.length < 2 || groups[0]!.length !== 1 || groups[1]!.length !== 1) return undefined;
      return memberOf(calleeName(groups[0]![0]!));
    }
    if (n.name !== 'MemberExpression') return undefined;
    const kids = childrenOf(n);
    if (kids[1]?.name === '[') {
      const [dict, , attr] = kids[0]?.name === 'MemberExpression' ? childrenOf(kids[0]) : [];
      return kids.length === 4 && attr?.name === 'PropertyName' && src(attr) === '__dict__'
        ? memberOf(dict && calleeName(dict))
        : undefined;
    }
    const [obj, , prop] = kids;
    if (!obj || !prop || prop.name !== 'PropertyName') return undefined;
    const left = obj.name === 'CallExpression' ? '()' : calleeName(obj);
    return left === undefined ? undefined : `${left}.${src(prop)}`;
  }

  function memberOf(left: string | undefined): string | undefined {
    return left === undefined ? undefined : `${left}.${CHOSEN_MEMBER}`;
  }

  for (const [name, value] of assigned)
    if (once.has(name) && !name.includes('.') && value.name === 'CallExpression') {
      const callee = childrenOf(value)[0];
      cli.parser(name, calledName(value), callee && calleeName(callee));
    }
  for (const fn of functions) {
    const name = childrenOf(fn).find((c) => c.name === 'VariableName');
    const returned = name && returnedCalls(fn);
    if (returned) cli.returnsNamespace(src(name), returned);
  }
  for (const [name, value] of assigned)
    if (!name.includes('.')) cli.assign(name, value.name === 'CallExpression' ? calleeOf(value) : undefined);
  for (const call of calls) {
    const f = COMMAND_LINE_METHOD.test(calleeOf(call)) ? facts(call) : undefined;
    if (f) cli.call(f.written, f.positional, f.keywords, f.splat);
  }
  readDataclassParsers();

  /** python-argparse.ts: HfArgumentParser's dataclasses, their fields' defaults, and the names bound to instances. */
  function readDataclassParsers(): void {
    if (fieldDefs.length === 0) return;
    for (const [name, value] of assigned) {
      const classes = once.has(name) ? parserClasses(value) : undefined;
      if (classes) cli.bindDataclassParser(name, classes);
    }
    for (const [targets, value] of tupleBinds)
      if (value.name === 'CallExpression') cli.bindDataclasses(targets, parseCallee(value));
    for (const [name, value] of assigned) {
      // `args = parser.parse_args_into_dataclasses()[0]`.
      const [call, open, index, close] = value.name === 'MemberExpression' ? childrenOf(value) : [];
      if (
        call?.name === 'CallExpression' &&
        open?.name === '[' &&
        index?.name === 'Number' &&
        close?.name === ']' &&
        /^\d+$/.test(src(index))
      )
        cli.bindDataclasses([name], parseCallee(call), Number(src(index)));
      else cli.assignedOtherwise(name);
    }
    for (const [cls, name, value, annotation] of fieldDefs) {
      const field =
        value?.name === 'CallExpression' && calledName(value) === 'dataclasses.field' ? facts(value) : undefined;
      cli.dataclassField(cls, name, value && !field ? resolve(value) : undefined, field?.keywords, annotation);
    }
  }

  /** `HfArgumentParser(<classes>)`: the dataclasses' names in order (undefined for one not named); else undefined. */
  function parserClasses(value: SyntaxNode): (string | undefined)[] | undefined {
    if (value.name !== 'CallExpression' || !DATACLASS_PARSERS.has(calledName(value) ?? '')) return undefined;
    const first = argGroups(childrenOf(value)[1]!)[0];
    const only = first?.length === 1 ? first[0]! : undefined;
    const items =
      only?.name === 'TupleExpression' || only?.name === 'ArrayExpression'
        ? childrenOf(only).filter((c) => !['(', ')', '[', ']', ','].includes(c.name))
        : only
          ? [only]
          : [];
    return items.map((c) => (c.name === 'VariableName' ? src(c) : undefined));
  }

  /**
   * The callee of a parse as `bindDataclasses` reads it: as written (`parser.parse_args_into_dataclasses`), or for a
   * parser made in place (`HfArgumentParser((A, B)).parse_args_into_dataclasses()`, which many training scripts
   * write) a name of its own, bound to its classes here — parentheses keep it apart from any name the file binds.
   */
  function parseCallee(call: SyntaxNode): string {
    const callee = childrenOf(call)[0];
    const [parser, dot, method] = callee?.name === 'MemberExpression' ? childrenOf(callee) : [];
    const classes = parser && parserClasses(parser);
    if (!classes || dot?.name !== '.' || method?.name !== 'PropertyName') return calleeOf(call);
    const name = `(${parser.from})`;
    cli.bindDataclassParser(name, classes);
    return `${name}.${src(method)}`;
  }

  // `loader = functools.partial(AutoModel.from_pretrained, revision=…)`, bound once: calls of `loader` are calls of
  // the loader with the bound arguments (syntax.ts throughPartial).
  const partials = new Map<string, PartialBinding>();
  for (const [name, value] of assigned) {
    if (!once.has(name) || value.name !== 'CallExpression') continue;
    if (calledName(value) !== PARTIAL) continue;
    const f = facts(value);
    const first = argGroups(childrenOf(value)[1]!)[0];
    const target = first?.length === 1 ? calleeName(first[0]!) : undefined;
    if (f && target !== undefined) {
      partials.set(name, { target, positional: f.positional.slice(1), keywords: f.keywords, splat: f.splat });
    }
  }

  const out: FileReferences = { references: [], dynamic: [] };
  const saved = new SavedFolders(existsLocally);
  // Calls handed to an unpickler, by where they start (calls.ts `unpickledCalls`).
  let unresolvedFile = false;
  let torchUnpickles: boolean | undefined;
  const unpickled = unpickledCalls(
    calls.flatMap((call) => {
      if (!MAY_UNPICKLE.includes(calledName(call) ?? '')) return [];
      const read = facts(call);
      const unpickler = read && unpicklerOf(read, () => (torchUnpickles ??= torchLoadUnpicklesByDefault(wholeFile)));
      return unpickler === undefined ? [] : [[unpickler, call] as const];
    }),
    assigned,
    (name) => once.has(name),
    {
      callee: (n) => (n.name === 'CallExpression' ? calledName(n) : undefined),
      argument: (n, keyword) => (n.name === 'CallExpression' ? firstOrKeyword(n, keyword, src) : undefined),
      bytesOf: (n) => {
        if (n.name === 'MemberExpression') {
          const [object, dot, property] = childrenOf(n);
          return dot?.name === '.' && property?.name === 'PropertyName' && src(property) === 'content'
            ? object
            : undefined;
        }
        const [callee, args] = n.name === 'CallExpression' ? childrenOf(n) : [];
        const [object, dot, property] = callee?.name === 'MemberExpression' ? childrenOf(callee) : [];
        const read = property?.name === 'PropertyName' && (src(property) === 'read' || src(property) === 'read_bytes');
        return read && dot?.name === '.' && argGroups(args!).length === 0 ? object : undefined;
      },
      callStart: (n) => (n.name === 'CallExpression' ? n.from : undefined),
      name: (n) => (n.name === 'VariableName' ? src(n) : undefined),
      boundAround: (call, name) => withItem(call, name, src),
    },
    () => {
      unresolvedFile = true;
    },
  );
  // A snippet holds no blocks: the `with open(…) as f:` around an unpickler is read in the whole file.
  if (strict && unresolvedFile) return undefined;
  for (const call of calls) {
    const read = lazyFacts(call);
    const f = read && unpickled.has(call.from) ? { ...read, unpickledBy: unpickled.get(call.from)! } : read;
    const bound = f && partials.get(f.written);
    const reached = f && bound ? { ...throughPartial(f, bound), resolved: resolveCallee(imports, bound.target) } : f;
    if (reached) {
      collectReference(path, reached, saved.exists, out);
      saved.note(reached);
    }
    if (f && calledName(call) !== PARTIAL)
      for (const group of argGroups(childrenOf(call)[1]!)) {
        const value = group.length === 1 ? group[0] : group[1]?.name === 'AssignOp' ? group[2] : undefined;
        if (value?.name !== 'VariableName' && value?.name !== 'MemberExpression') continue;
        const written = calleeName(value);
        if (written !== undefined)
          notePassedLoader(path, written, resolveCallee(imports, written), at(value.from), out);
      }
  }
  if (moduleValues) readModuleValues(moduleValues);

  /** `pythonModuleValues`: the top-level bindings of names the module binds once, with what the file decides of them. */
  function readModuleValues(into: Map<string, ImportedValue>): void {
    const bindings = bindingCounts(tree, src);
    const top: [string, SyntaxNode][] = [];
    for (const statement of childrenOf(tree.topNode)) {
      const kids = statement.name === 'AssignStatement' ? childrenOf(statement) : [];
      if (kids[0]?.name !== 'VariableName') continue;
      if (kids.length === 3 && kids[1]!.name === 'AssignOp') top.push([src(kids[0]), kids[2]!]);
      else if (kids.length === 4 && kids[1]!.name === 'TypeDef' && kids[2]!.name === 'AssignOp')
        top.push([src(kids[0]), kids[3]!]);
    }
    // A name the module imports from another module of the repository, bound only by that import: it passes on.
    for (const [name, v] of imported ?? []) if (!name.includes('.') && bindings.get(name) === 1) into.set(name, v);
    for (const [name, value] of top) {
      if (bindings.get(name) !== 1) continue;
      const got = importedValue(evaluate(value), envOf(value), exportedDict(dicts.get(name)));
      if (got) into.set(name, got);
      // `settings = Settings()` of a pydantic-settings class: its fields, as `from .config import settings` reads
      // them (`settings.model_id`, `settingsAttribute`).
      const cls = instanceOf?.(name);
      if (cls === undefined || !settings.has(cls)) continue;
      for (const key of classAttrs.keys()) {
        if (!key.startsWith(`${cls}.`)) continue;
        const env = settingsAttribute(name, key.slice(cls.length + 1));
        if (env) into.set(`${name}.${key.slice(cls.length + 1)}`, { env });
      }
    }
  }

  // A snippet does not hold class bodies: `X.attr` of a name no statement here binds may be a class attribute
  // (`CFG.model_name`), which the whole file decides (python-fast.ts `readsFreeAttribute` asks the same).
  if (
    strict &&
    (readsFreeAttribute(attributeReads, imports, assigned, wholeFile) ||
      readsInstanceAttribute(attributeReads, imports, assigned, (v) => bareCallee(v, src), wholeFile) ||
      readsLocalCallAttribute(callAttributeReads, imports, wholeFile) ||
      [...selfReads].some((attr) => mayBindInClassBody(wholeFile, attr)))
  )
    return undefined;
  // A class name the file also imports or assigns is no class the value is read through (known only now): again
  // without class attributes, as python-fast.ts reads it.
  if (throughClasses.size > 0) {
    const bound = new Set(assigned.map(([name]) => name));
    if ([...throughClasses].some((x) => imports.has(x) || bound.has(x)))
      return referencesInTree(tree, text, wholeFile, at, path, existsLocally, { ...options, classAttributes: false });
  }
  return out;
}

/**
 * How many times each name is bound anywhere in a file (a count of 2 for `+=`, which reads it first): assignment
 * targets (tuples and chains included), `:=`, `for` targets, `as` names, imports, `def` and `class` names. Nested
 * scopes count too: a function's `global X` makes its assignment the module's, and a module constant needs none.
 */
function bindingCounts(tree: Tree, src: (n: SyntaxNode) => string): Map<string, number> {
  const counts = new Map<string, number>();
  visitBindings(tree, src, (name, _plain, n = 1) => counts.set(name, (counts.get(name) ?? 0) + n));
  return counts;
}

/**
 * The names a tree binds otherwise than `name = value`, `name: T = value` or `a = b = value` (python-reader.ts
 * `rebound` reads the same statements): tuple and list targets, `for` targets, `as` names, `+=`, `:=`. Whatever
 * value a plain assignment gave such a name, the call may see another: it is unknown (syntax.ts `unbind`). Imports,
 * `def` and `class` are left out: imported values are bound apart, and a snippet keeps no class header.
 */
function reboundNames(
  tree: Tree,
  src: (n: SyntaxNode) => string,
  assignedNames: ReadonlySet<string>,
  /** `enumerate` is the builtin (no import binds the name). */
  builtinEnumerate: boolean,
): Map<string, { count: number; items?: readonly SyntaxNode[]; iterates?: string; valuesOf?: string }> {
  const out = new Map<string, { count: number; items?: readonly SyntaxNode[]; iterates?: string; valuesOf?: string }>();
  visitBindings(tree, src, (name, plain, _n, kind) => {
    if (!plain && kind === 'target') out.set(name, { count: (out.get(name)?.count ?? 0) + 1 });
  });
  // `for name in ["org/a", "org/b"]:` (python-reader.ts `loops`): a single name over a list or tuple display, or
  // over a name.
  walkTree(tree, {
    ForStatement: (n) => {
      const kids = childrenOf(n);
      const at = kids.findIndex((k) => k.name === 'in');
      const end = kids.findIndex((k) => k.name === 'Body');
      const targets = kids.slice(1, at < 0 ? 1 : at).filter((k) => k.name !== ',');
      const iterable = kids.slice(at + 1, end < 0 ? kids.length : end);
      // `for i, name in enumerate(…)` (python-reader.ts `enumerated`): the second name takes the items.
      const pairNames = targets.length === 2 && targets.every((k) => k.name === 'VariableName');
      const counted =
        builtinEnumerate && pairNames && iterable.length === 1 ? enumerated(iterable[0]!, src) : undefined;
      // `for key, name in D.items():` / `for name in D.values():` (python-reader.ts `dictWalked`).
      const walked = (method: string) => (iterable.length === 1 ? dictWalked(iterable[0]!, method, src) : undefined);
      const dict = pairNames ? walked('items') : undefined;
      const values = targets.length === 1 && targets[0]!.name === 'VariableName' ? walked('values') : undefined;
      if (dict !== undefined || values !== undefined) {
        const entry = out.get(src(dict !== undefined ? targets[1]! : targets[0]!));
        const valuesOf = dict ?? values;
        if (entry && valuesOf !== undefined) entry.valuesOf = valuesOf;
        return;
      }
      if (counted) {
        const entry = out.get(src(targets[1]!));
        const items = loopItems([counted]);
        if (entry && items) entry.items = items;
        else if (entry && counted.name === 'VariableName') entry.iterates = src(counted);
        return;
      }
      const target = at === 2 && kids[1]!.name === 'VariableName' ? src(kids[1]!) : undefined;
      const items = loopItems(iterable);
      const entry = target === undefined ? undefined : out.get(target);
      if (entry && items) entry.items = items;
      // `for name in MODELS:`: a name, read as a list constant where the file has one (`listItems`).
      else if (entry && iterable.length === 1 && iterable[0]!.name === 'VariableName')
        entry.iterates = src(iterable[0]!);
    },
  });
  // A comprehension's `for name in …` clauses (`[pipeline(m) for m in MODELS]`): its names are the comprehension's
  // own, so a name a plain assignment binds keeps that value (this reader has no scopes); any other is counted like a
  // loop's, and takes the items of a display or list constant when one clause alone binds it. python-fast.ts leaves
  // every comprehension to this reader.
  const comprehension = (n: SyntaxNode) => {
    const kids = childrenOf(n);
    kids.forEach((k, i) => {
      if (k.name !== 'for') return;
      const at = kids.findIndex((x, j) => j > i && x.name === 'in');
      if (at < 0) return;
      const targets = kids.slice(i + 1, at).filter((x) => x.name === 'VariableName');
      const iterable = kids[at + 1];
      for (const t of targets) {
        const name = src(t);
        if (assignedNames.has(name)) continue;
        const entry = out.get(name);
        if (entry) {
          entry.count++;
          continue;
        }
        const single = targets.length === 1 && at === i + 2;
        const items = single && iterable ? loopItems([iterable]) : undefined;
        const iterates = single && !items && iterable?.name === 'VariableName' ? src(iterable) : undefined;
        out.set(name, { count: 1, ...(items ? { items } : {}), ...(iterates ? { iterates } : {}) });
      }
    });
  };
  walkTree(tree, {
    ArrayComprehensionExpression: comprehension,
    DictionaryComprehensionExpression: comprehension,
    SetComprehensionExpression: comprehension,
    ComprehensionExpression: comprehension,
    // A generator as a call's only argument: `list(load(m) for m in MODELS)`.
    ArgList: comprehension,
  });
  return out;
}

/** `D.items()` / `D.values()` with no arguments, `D` a name: the name (python-reader.ts `dictWalked`). */
function dictWalked(n: SyntaxNode, method: string, src: (n: SyntaxNode) => string): string | undefined {
  const [callee, args] = childrenOf(n);
  if (n.name !== 'CallExpression' || callee?.name !== 'MemberExpression' || args?.name !== 'ArgList') return undefined;
  if (childrenOf(args).some((k) => k.name !== '(' && k.name !== ')')) return undefined;
  const [object, dot, property] = childrenOf(callee);
  if (object?.name !== 'VariableName' || dot?.name !== '.' || property?.name !== 'PropertyName') return undefined;
  return src(property) === method ? src(object) : undefined;
}

/**
 * The iterable `enumerate(x)`, `enumerate(x, 1)` or `enumerate(x, start=1)` goes over: `x` (python-reader.ts
 * `enumerated`: no splat, no third argument). lezer lays the arguments out flat: `start=1` is three nodes.
 */
function enumerated(n: SyntaxNode, src: (n: SyntaxNode) => string): SyntaxNode | undefined {
  const [callee, args] = childrenOf(n);
  if (n.name !== 'CallExpression' || callee?.name !== 'VariableName' || args?.name !== 'ArgList') return undefined;
  if (src(callee) !== 'enumerate') return undefined;
  const raw = childrenOf(args).filter((k) => k.name !== '(' && k.name !== ')');
  if (raw[raw.length - 1]?.name === ',') raw.pop();
  const [first, comma, ...rest] = raw;
  const value = (k: SyntaxNode | undefined) => k !== undefined && k.name !== '*' && k.name !== '**' && k.name !== ',';
  if (!value(first) || (comma !== undefined && comma.name !== ',')) return undefined;
  const second =
    rest.length === 0 ||
    (rest.length === 1 && value(rest[0])) ||
    (rest.length === 3 && rest[0]!.name === 'VariableName' && rest[1]!.name === 'AssignOp' && value(rest[2]));
  return second ? first : undefined;
}

/** pydantic-settings' `BaseSettings` (pydantic 1 kept it in pydantic itself), with imports resolved. */
const SETTINGS_BASES: ReadonlySet<string> = new Set([
  'pydantic_settings.BaseSettings',
  'pydantic_settings.main.BaseSettings',
  'pydantic.BaseSettings',
  'pydantic.v1.BaseSettings',
]);

/** The TypedDicts a settings class's `model_config` is built with. */
const SETTINGS_CONFIGS: ReadonlySet<string> = new Set([
  'pydantic_settings.SettingsConfigDict',
  'pydantic_settings.main.SettingsConfigDict',
  'pydantic.ConfigDict',
]);

/** Methods that make or change an instance's attributes: an instance of a class with one is not read. */
/**
 * @lezer/python (1.1.19) reads a float written without its fraction — `1.`, `[1., 2.]`, numpy code's everyday
 * literal — as a member of the number with its name missing: `MemberExpression(Number, ".", ⚠)`. The statement is
 * otherwise whole, and the tree is the same in a snippet and in the whole file, so the snippet reads it as the file
 * does; any other error node is a statement that does not parse alone.
 */
function isFloatWithoutFraction(n: SyntaxNode): boolean {
  const parent = n.parent;
  return (
    n.from === n.to &&
    parent?.name === 'MemberExpression' &&
    parent.firstChild?.name === 'Number' &&
    parent.lastChild?.from === n.from &&
    parent.firstChild.nextSibling?.name === '.'
  );
}

/** A decorator `@name` or `@name(arguments)` with no nested brackets (`factoryClass`). */
export const DECORATOR_CALL = /^@\s*([\w.]+)(?:\s*\(([^()]*)\))?\s*$/;

/** functools' caches a settings factory wears (`factoryClass`): each call after the first gives the first's result. */
const CACHING_DECORATORS: ReadonlySet<string> = new Set(['functools.lru_cache', 'functools.cache']);

const INSTANCE_MAKERS = new Set([
  '__init__',
  '__post_init__',
  '__new__',
  '__getattr__',
  '__getattribute__',
  '__setattr__',
]);

/**
 * A node's text, or for a contested name (python-scopes.ts) its key: a parameter's in the function it names, a
 * keyword argument's name and a lambda's parameter as written, anything else by where it is read.
 */
function scopedName(
  n: SyntaxNode,
  text: string,
  scopes: PythonScopes,
  wholeOffset: (offset: number) => number,
): string {
  if (n.name !== 'VariableName' || !scopes.contested.has(text)) return text;
  const parent = n.parent;
  if (parent?.name === 'ArgList' && n.nextSibling?.name === 'AssignOp') return text;
  if (parent?.name === 'ParamList' && n.prevSibling?.name !== 'AssignOp')
    return parent.parent?.name === 'FunctionDefinition' ? scopes.parameterKey(text, wholeOffset(n.from)) : text;
  return scopes.key(text, wholeOffset(n.from));
}

/** `C(…)`'s callee when it is a bare name (`C`), for `readsInstanceAttribute`. */
function bareCallee(value: SyntaxNode, src: (n: SyntaxNode) => string): string | undefined {
  const callee = value.name === 'CallExpression' ? childrenOf(value)[0] : undefined;
  return callee?.name === 'VariableName' ? src(callee) : undefined;
}

/** `0`, `-1.5`, `+2`: a number literal, signed or not (python-expressions.ts `numeric`): its sign and digits. */
function numberLiteral(n: SyntaxNode, src: (n: SyntaxNode) => string): { sign: 1 | -1; digits: string } | undefined {
  if (n.name === 'Number') return { sign: 1, digits: src(n) };
  const [op, number, ...rest] = n.name === 'UnaryExpression' ? childrenOf(n) : [];
  if (rest.length > 0 || op?.name !== 'ArithOp' || number?.name !== 'Number') return undefined;
  if (src(op) !== '-' && src(op) !== '+') return undefined;
  return { sign: src(op) === '-' ? -1 : 1, digits: src(number) };
}

/** `0`, `-1`, `+2`: an integer literal, signed or not (python-expressions.ts `integer`); undefined otherwise. */
function integerOf(n: SyntaxNode, src: (n: SyntaxNode) => string): number | undefined {
  const literal = numberLiteral(n, src);
  const i = literal && pythonInteger(literal.digits);
  return i === undefined ? undefined : literal!.sign * i;
}

/** The items of a `for`'s iterable when it is a list or tuple display (`[…]`, `(…, …)`, `a, b`), else undefined. */
function loopItems(iterable: readonly SyntaxNode[]): readonly SyntaxNode[] | undefined {
  const PUNCT = ['[', ']', '(', ')', ','];
  if (iterable.some((k) => k.name === ',')) return iterable.filter((k) => k.name !== ',');
  const only = iterable.length === 1 ? iterable[0]! : undefined;
  if (only?.name !== 'ArrayExpression' && only?.name !== 'TupleExpression') return undefined;
  return childrenOf(only).filter((k) => !PUNCT.includes(k.name));
}

/**
 * Every binding in a tree: assignment targets (tuples and chains included), `:=`, `for` targets, `as` names (weight
 * 1), `+=` (2: it reads the name first), imports, `def` and `class` names. `plain` for the targets of a plain, an
 * annotated or a chained assignment of names.
 */
function visitBindings(
  tree: Tree,
  src: (n: SyntaxNode) => string,
  visit: (name: string, plain: boolean, weight?: number, kind?: 'target' | 'import' | 'definition') => void,
): void {
  // Explicit stacks: a target can nest deeper than the call stack.
  const targets = (first: SyntaxNode, plain = false) => {
    for (const stack = [first]; stack.length > 0;) {
      const t = stack.pop()!;
      if (t.name === 'VariableName') visit(src(t), plain, 1, 'target');
      else if (TARGET_GROUPS.has(t.name)) stack.push(...childrenOf(t));
    }
  };
  walkTree(tree, {
    AssignStatement: (n) => {
      const kids = childrenOf(n);
      const plain =
        (kids[1]?.name === 'TypeDef' && kids[0]!.name === 'VariableName' && kids.length === 4) ||
        chainedNames(kids, src) !== undefined ||
        pairedNames(kids, src) !== undefined;
      const last = kids.map((k) => k.name).lastIndexOf('AssignOp');
      for (const k of kids.slice(0, Math.max(last, 0))) targets(k, plain);
    },
    NamedExpression: (n) => targets(childrenOf(n)[0]!),
    UpdateStatement: (n) => {
      const target = childrenOf(n)[0];
      if (target?.name === 'VariableName') visit(src(target), false, 2, 'target');
    },
    ForStatement: (n) => {
      const kids = childrenOf(n);
      for (const k of kids.slice(
        1,
        kids.findIndex((k) => k.name === 'in'),
      ))
        targets(k);
    },
    WithStatement: (n) => asNames(n),
    TryStatement: (n) => asNames(n),
    ImportStatement: (n) => statementImports(n, src).forEach(([name]) => visit(name, false, 1, 'import')),
    FunctionDefinition: (n) => defined(n),
    ClassDefinition: (n) => defined(n),
  });
  function asNames(n: SyntaxNode): void {
    const kids = childrenOf(n);
    kids.forEach((k, i) => i > 0 && kids[i - 1]!.name === 'as' && targets(k));
  }
  function defined(n: SyntaxNode): void {
    const name = childrenOf(n).find((c) => c.name === 'VariableName');
    if (name) visit(src(name), false, 1, 'definition');
  }
}

/**
 * The names of `a = value` or `a = b = value` (names only, one value, no tuple): an AssignStatement's children
 * `VariableName AssignOp (VariableName AssignOp)* value`. Undefined for any other shape.
 */
function chainedNames(kids: readonly SyntaxNode[], src: (n: SyntaxNode) => string): string[] | undefined {
  if (kids.length < 3 || kids.length % 2 === 0) return undefined;
  const names: string[] = [];
  for (let i = 0; i < kids.length - 1; i += 2) {
    if (kids[i]!.name !== 'VariableName' || kids[i + 1]!.name !== 'AssignOp') return undefined;
    names.push(src(kids[i]!));
  }
  return isValueNode(kids[kids.length - 1]!) ? names : undefined;
}

/**
 * `a, b = x, y` (python-reader.ts reads the same): names only on the left, as many values on the right, both sides
 * tuples without brackets — each name and its value. Undefined for any other shape (`a, b = pair()`, `a, = "xy"`).
 */
function pairedNames(kids: readonly SyntaxNode[], src: (n: SyntaxNode) => string): [string, SyntaxNode][] | undefined {
  const at = kids.findIndex((k) => k.name === 'AssignOp');
  if (at < 0 || kids.slice(at + 1).some((k) => k.name === 'AssignOp')) return undefined;
  const left = kids.slice(0, at);
  const right = kids.slice(at + 1);
  if (!left.some((k) => k.name === ',') || !right.some((k) => k.name === ',')) return undefined;
  const names = left.filter((k) => k.name !== ',');
  const values = right.filter((k) => k.name !== ',');
  if (names.length !== values.length || !names.every((k) => k.name === 'VariableName')) return undefined;
  if (values.some((k) => k.name === 'StarExpression' || k.name === '\u26a0')) return undefined;
  return names.map((k, i) => [src(k), values[i]!]);
}

/** Not a target group's punctuation: a value lezer puts last in an AssignStatement. */
const isValueNode = (n: SyntaxNode) => n.name !== ',' && n.name !== 'AssignOp';

const TARGET_GROUPS: ReadonlySet<string> = new Set([
  'TupleExpression',
  'ArrayExpression',
  'ParenthesizedExpression',
  'StarExpression',
]);

/** syntax.ts `importBindings` of an ImportStatement node. */
export function statementImports(n: SyntaxNode, src: (n: SyntaxNode) => string): [string, string][] {
  const parts: ImportPart[] = childrenOf(n).map((k) => ({
    kind: k.name === 'VariableName' || k.name === 'from' || k.name === 'import' || k.name === 'as' ? 'name' : 'punct',
    text: src(k),
  }));
  return importBindings(parts);
}

/**
 * Every name a file's import statements bind, with what it is bound to (`from .config import MODEL_ID as M` →
 * `['M', '.config.MODEL_ID']`), in file order; and the dotted names the file assigns (`config.MODEL_ID = …`,
 * `+=` too). The refs stage asks it of a file whose references a value defined in another module of the repository
 * may decide (imported-values.ts).
 */
export function pythonImports(
  text: string,
  tree: Tree = parser.parse(text),
): { bindings: [string, string][]; assignedAttributes: Set<string> } {
  const bindings: [string, string][] = [];
  const assignedAttributes = new Set<string>();
  const src = (n: SyntaxNode) => text.slice(n.from, n.to);
  const assigned = (n: SyntaxNode) => {
    for (const target of childrenOf(n)) {
      if (target.name === 'AssignOp' || target.name === 'UpdateOp') break;
      if (target.name === 'MemberExpression') assignedAttributes.add(src(target).replace(/\s+/g, ''));
    }
  };
  walkTree(tree, {
    ImportStatement: (n) => bindings.push(...statementImports(n, src)),
    AssignStatement: assigned,
    UpdateStatement: assigned,
  });
  return { bindings, assignedAttributes };
}

/**
 * The values a module binds at its top level, as another file that imports them sees them: string constants
 * (`MODEL_ID = "org/x"`, annotated `MODEL_ID: str = "org/x"`, f-strings and `+` over such constants) and env reads
 * with their defaults (`os.environ.get("MODEL_ID", "org/x")`). A name the module binds more than once, anywhere
 * (in a branch, a loop, a function with `global`, by `+=`, by an import), is decided at run time and left out.
 */
export function pythonModuleValues(path: string, text: string, imported?: ImportedValues): Map<string, ImportedValue> {
  const values = new Map<string, ImportedValue>();
  referencesInTree(parser.parse(text), text, text, lineIndex(text), path, () => false, {
    strict: false,
    imported,
    moduleValues: values,
  });
  return values;
}

/**
 * The names of a tuple assignment's targets (`a, b = …`, `(a,) = …`, `[a, b] = …`; undefined for a target that is
 * no plain name), or undefined for any other assignment.
 */
function tupleTargets(kids: readonly SyntaxNode[], src: (n: SyntaxNode) => string): (string | undefined)[] | undefined {
  if (kids.length < 3 || kids[kids.length - 2]!.name !== 'AssignOp') return undefined;
  let targets = kids.slice(0, -2);
  const only = targets.length === 1 ? targets[0]! : undefined;
  if (only?.name === 'TupleExpression' || only?.name === 'ArrayExpression') targets = childrenOf(only).slice(1, -1);
  else if (!targets.some((t) => t.name === ',')) return undefined;
  if (targets.some((t) => t.name === 'AssignOp')) return undefined;
  return targets.filter((t) => t.name !== ',').map((t) => (t.name === 'VariableName' ? src(t) : undefined));
}

/**
 * The expression a `with … as name:` around `node` binds `name` to, the nearest such statement's (`open(…)`, whose
 * `__enter__` returns the file itself: CPython io). Undefined when none does.
 */
function withItem(node: SyntaxNode, name: string, src: (n: SyntaxNode) => string): SyntaxNode | undefined {
  for (let up = node.parent; up; up = up.parent) {
    if (up.name !== 'WithStatement') continue;
    const kids = childrenOf(up);
    const body = kids.find((k) => k.name === 'Body');
    if (!body || node.from < body.from) continue;
    for (let i = 2; i < kids.length; i++)
      if (kids[i - 1]!.name === 'as' && kids[i]!.name === 'VariableName' && src(kids[i]!) === name) return kids[i - 2];
  }
  return undefined;
}

/** A call's first argument when it is positional, else its argument `keyword=`. */
function firstOrKeyword(
  call: SyntaxNode,
  keyword: string | undefined,
  src: (n: SyntaxNode) => string,
): SyntaxNode | undefined {
  const groups = argGroups(childrenOf(call)[1]!);
  if (groups[0]?.length === 1) return groups[0][0];
  return keyword === undefined ? undefined : keywordArgument(groups, keyword, src);
}

/** The value of the argument `keyword=` among a call's argument groups. */
function keywordArgument(
  groups: readonly SyntaxNode[][],
  keyword: string,
  src: (n: SyntaxNode) => string,
): SyntaxNode | undefined {
  return groups.find((g) => g.length === 3 && g[1]!.name === 'AssignOp' && src(g[0]!) === keyword)?.[2];
}

function argGroups(args: SyntaxNode): SyntaxNode[][] {
  const groups: SyntaxNode[][] = [[]];
  for (const c of childrenOf(args)) {
    if (c.name === '(' || c.name === ')') continue;
    if (c.name === ',') groups.push([]);
    else groups[groups.length - 1]!.push(c);
  }
  return groups.filter((g) => g.length > 0);
}

function isStringish(n: SyntaxNode): boolean {
  if (n.name === 'BinaryExpression') return !isTruthValue(n);
  return ['String', 'FormatString', 'ContinuedString', 'VariableName'].includes(n.name);
}

/**
 * A comparison (`==`, `<`, `in`, `is`, chained or not) or `not x`: a bool made at run time, never a string, so
 * `trust_remote_code=os.getenv("X", "0") == "1"` is no non-empty string (python-fast.ts reads these as `truth`).
 */
function isTruthValue(n: SyntaxNode): boolean {
  if (n.name === 'UnaryExpression') return n.firstChild?.name === 'not';
  if (n.name !== 'BinaryExpression') return false;
  return childrenOf(n).some((c) => c.name === 'CompareOp' || c.name === 'in' || c.name === 'is');
}
