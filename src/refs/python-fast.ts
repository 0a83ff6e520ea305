import {
  MODULE_RETURNS_SELF,
  SavedFolders,
  buildsModel,
  collectReference,
  notePassedLoader,
  unpickledCalls,
  unpicklerOf,
  type Resolved,
} from './calls.js';
import { StatementReader, type Arg, type Node } from './python-reader.js';
import { dictUseCheck, listUseCheck } from './python-dict-uses.js';
import { remoteCodeWrites } from './python-remote-code-writes.js';
import { keptStatements } from './python-snippet.js';
import { boundNames, plainName, pythonScopes, scopedTokens, type PythonScopes } from './python-scopes.js';
import { tokenize, Unsure, type StringValue, type Token } from './python-tokens.js';
import {
  BuiltNames,
  Constants,
  DictBuilder,
  DictConstants,
  PARTIAL,
  bindAliases,
  boundOnce,
  throughPartial,
  type PartialBinding,
  loaderClassOf,
  resolveCallee,
  resolveMethod,
  spreadKeywords,
  readsFreeAttribute,
  readsInstanceAttribute,
  readsLocalCallAttribute,
  isSelfAttribute,
  mayBindInClassBody,
  unbind,
  loopChoices,
  importedDict,
  CandidateConstants,
  choiceCandidates,
  ListConstants,
  dictItemOrDefault,
  HF_HUB_URL_CALLS,
  pythonFormat,
  pythonHubUrl,
  pythonPercent,
  dictCandidates,
  type DictValue,
  KEYWORD_RECORDS,
  CHOSEN_MEMBER,
} from './syntax.js';
import { lineIndex } from './text.js';
import { nativeLineIndex } from './python-lines-native.js';
import {
  EnvConstants,
  envRead,
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
import { LOCAL_PATH_CALLS, MAY_UNPICKLE, pythonAndOr, pythonNot, pythonTruth } from './python-loaders.js';
import { torchLoadUnpicklesByDefault } from './python-torch-load-default.js';
import { COMMAND_LINE_METHOD, CommandLineDefaults } from './python-argparse.js';
import type { FileReferences, ImportedValue, ImportedValues } from './types.js';

/**
 * Model references in Python without a parser, when every statement that matters (python-snippet.ts) has one of the
 * shapes ordinary code has: imports, assignments, calls with literal, named or concatenated arguments, block
 * headers, `return` (python-reader.ts). Loading @lezer/python and its first parse cost more CPU than the rest of
 * source scanning (bench `refs`); most files that name a loader never need it. Anything else — a lambda, a
 * comprehension, a starred target, a soft keyword, an f-string field that is more than a name — gives undefined,
 * and python.ts reads the file with lezer as before.
 *
 * What it reports is what python.ts's walk over lezer's tree reports, field for field: the same statements count as
 * string constants, evaluated in file order; the same calls are followed in the tree's pre-order, each at its
 * callee's first character (test/refs/python-fast.test.ts holds the two together).
 */
export function findPythonReferencesFast(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
  imported?: ImportedValues,
): FileReferences | undefined {
  const kept = keptStatements(text);
  if (!kept) return undefined;
  const reader = new StatementReader(text);
  let scopes: PythonScopes | undefined;
  try {
    // Each kept statement tokenized once, for the scopes and the reader.
    const tokenized = kept.map((line) => tokenize(text, line.start, line.end));
    // python-scopes.ts: names with more than one meaning are read by their scope's key.
    scopes = pythonScopes(text, kept, tokenized);
    for (const [k, line] of kept.entries()) {
      const tokens = tokenized[k]!;
      reader.statementLine(scopes ? scopedLine(tokens, line.start, scopes) : tokens, line.header);
    }
  } catch (err) {
    // A RangeError: operators chained deeper than the stack (`- - - … x`); lezer reads that iteratively.
    if (err instanceof Unsure || err instanceof RangeError) return undefined;
    throw err;
  }
  const imports = new Map(reader.imports);
  const once = boundOnce([...reader.assignments.map((a) => a.name), ...reader.rebound]);
  bindAliases(
    imports,
    reader.assignments.map((a) => [
      a.name,
      a.value.k === 'name' || a.value.k === 'attribute' ? calleeName(a.value) : undefined,
    ]),
    once,
  );
  const constants = new Constants();
  const dicts = new DictConstants(dictUseCheck(text, scopes), remoteCodeWrites(text, scopes));
  const built = new BuiltNames();
  const paths = new BuiltNames();
  const envs = new EnvConstants();
  const instances = new Constants();
  // python-argparse.ts: filled after the names below are bound, as python.ts does.
  const cli = new CommandLineDefaults();
  const choices = new CandidateConstants();
  const values = new Values(constants, dicts, built, imports, envs, paths, cli, imported, choices);
  // python.ts: names imported from a module of the repository are bound before the statements that use them.
  for (const [name, v] of imported ?? []) {
    constants.set(name, v.value);
    envs.set(name, v.env);
    if (v.dict) dicts.set(name, importedDict(v.dict));
  }
  // lezer's walk records each assignment when it meets it: a constant built from another sees its value so far.
  for (const a of reader.assignments) {
    constants.set(a.name, values.evaluate(a.value));
    dicts.set(a.name, values.dict(a.value));
    built.set(a.name, values.isLoaderCall(a.value));
    paths.set(a.name, values.isPathCall(a.value));
    values.truths.set(a.name, a.value.k === 'other' && a.value.truth === true);
    instances.set(a.name, a.value.k === 'call' ? loaderClassOf(calledName(a.value, imports)) : undefined);
  }
  // python.ts reads env reads after its walk, parameters' defaults first.
  const clicked = clickDefaults(reader.decorated, imports, values);
  for (const p of reader.parameters) {
    const written = p.value ?? clicked.get(`${plainName(p.fn)}\0${plainName(p.name)}`);
    const value = written && typerDefault(written, imports);
    envs.set(
      p.name,
      parameterDefault(
        p.fn,
        p.name,
        value && values.evaluate(value),
        value?.k === 'other' && value.none === true,
        value && values.env(value),
        value?.k === 'bool',
      ),
    );
  }
  for (const a of reader.assignments) {
    // python.ts: `x = x or "org/x"` refines x's binding so far.
    if (a.value.k === 'or' && a.value.left.k === 'name' && a.value.left.name === a.name)
      envs.refine(a.name, values.env(a.value));
    else envs.set(a.name, values.env(a.value));
    choices.set(a.name, values.candidates(a.value));
  }
  for (const a of reader.attributeAssignments) {
    const dotted = calleeName(a.target);
    if (dotted === undefined) continue;
    built.set(dotted, values.isLoaderCall(a.value));
    cli.attributeAssigned(dotted);
    // python.ts: `self.model_name = model_name` binds the instance attribute, read back as `self.model_name`.
    if (isSelfAttribute(dotted)) {
      constants.set(dotted, values.evaluate(a.value));
      envs.set(dotted, values.env(a.value));
    }
  }
  // python.ts: `name, rev = pick()`, `for name in names:`, `with … as name`, `name += …` leave the value to run time.
  for (const name of reader.rebound)
    unbind(name, { values: [constants, dicts, envs, choices, instances], flags: [built, paths, values.truths] });
  // python.ts: a name only a `for` over a display, a list or dict constant binds is one of its items.
  // python.ts: `LIST[0]` of a list constant, read once every binding is known: in calls, loops and `name = LIST[0]`.
  const lists = listConstants(reader, text, once, scopes);
  values.lists.know(lists);
  for (const a of reader.assignments)
    if (a.value.k === 'index' && once.has(a.name) && !reader.rebound.includes(a.name))
      constants.replace(a.name, values.evaluate(a.value));
  if (reader.loops.length > 0) bindLoopNames(reader, imports, dicts, choices, values, lists);
  values.lists.settle();
  // keptStatements left the text in the lines module when it read it there.
  const at = nativeLineIndex(text) ?? lineIndex(text);
  const out: FileReferences = { references: [], dynamic: [] };
  // The tree's pre-order: a call before the calls inside its callee and arguments.
  const calls = [...reader.calls].sort((a, b) => a.from - b.from || b.to - a.to);
  readCommandLine(reader, imports, once, cli, values);
  const partials = partialsOf(reader, imports, once, values);
  const saved = new SavedFolders(existsLocally);
  // python.ts: calls handed to an unpickler, by where they start (calls.ts `unpickledCalls`).
  let unsure = false;
  let torchUnpickles: boolean | undefined;
  const unpickled = unpickledCalls(
    calls.flatMap((call) => {
      const written = calleeName(call.callee);
      const resolved = written === undefined ? undefined : resolveCallee(imports, written);
      if (resolved === undefined || !MAY_UNPICKLE.includes(resolved)) return [];
      const unpickler = unpicklerOf(
        {
          written: written!,
          resolved,
          ...argumentFacts(values, call.args),
          line: 0,
          column: 0,
          lang: 'python',
        },
        () => (torchUnpickles ??= torchLoadUnpicklesByDefault(text)),
      );
      return unpickler === undefined
        ? []
        : [[unpickler, { k: 'call' as const, from: call.from, callee: call.callee, args: call.args }] as const];
    }),
    reader.assignments.map((a) => [a.name, a.value] as const),
    (name) => once.has(name),
    {
      callee: (n) => (n.k === 'call' ? calledName(n, imports) : undefined),
      argument: (n, keyword) => (n.k === 'call' ? firstOrKeyword(n.args, keyword) : undefined),
      bytesOf: (n) =>
        n.k === 'attribute' && n.property === 'content'
          ? n.object
          : n.k === 'call' &&
              n.args.length === 0 &&
              n.callee.k === 'attribute' &&
              (n.callee.property === 'read' || n.callee.property === 'read_bytes')
            ? n.callee.object
            : undefined,
      callStart: (n) => (n.k === 'call' ? n.from : undefined),
      name: (n) => (n.k === 'name' ? n.name : undefined),
      // The kept statements hold no block structure: lezer finds the `with` around the call.
      boundAround: () => undefined,
    },
    () => {
      unsure = true;
    },
  );
  // An unpickler given a name no kept statement binds once (a `with open(…) as f:`, a parameter): lezer decides.
  if (unsure) return undefined;
  for (const call of calls) {
    const written = calleeName(call.callee);
    if (written === undefined) continue;
    const { line, column } = at(call.from);
    const object = call.callee.k === 'attribute' ? call.callee.object : undefined;
    const called = object?.k === 'call' ? loaderClassOf(calledName(object, imports)) : undefined;
    const bound = partials.get(written);
    const by = unpickled.get(call.from);
    const facts = {
      written,
      ...argumentFacts(values, call.args),
      line,
      column,
      lang: 'python' as const,
      ...(by !== undefined ? { unpickledBy: by } : {}),
    };
    const resolved = bound ? resolveCallee(imports, bound.target) : resolveMethod(imports, instances, written, called);
    const reached = { ...(bound ? throughPartial(facts, bound) : facts), resolved };
    collectReference(path, reached, saved.exists, out);
    saved.note(reached);
    if (resolveCallee(imports, written) !== PARTIAL)
      for (const a of call.args) {
        if (a.k === 'splat' || (a.value.k !== 'name' && a.value.k !== 'attribute')) continue;
        const passed = calleeName(a.value);
        if (passed !== undefined) notePassedLoader(path, passed, resolveCallee(imports, passed), at(a.value.from), out);
      }
  }
  // `X.attr` of a name no statement read here binds may be a class attribute, which python.ts reads over the whole file.
  const assigned = values.attributeReads.size > 0 ? reader.assignments.map((a) => [a.name, a.value] as const) : [];
  if (
    readsFreeAttribute(values.attributeReads, imports, assigned, text) ||
    // python.ts `instanceAttribute`: `args.model_name` of `args = ModelArgs()` reads the class over the whole file.
    readsInstanceAttribute(
      values.attributeReads,
      imports,
      assigned,
      (v) => (v.k === 'call' && v.callee.k === 'name' ? v.callee.name : undefined),
      text,
    ) ||
    [...values.selfReads].some((attr) => mayBindInClassBody(text, attr)) ||
    readsLocalCallAttribute(values.callAttributeReads, imports, text)
  )
    return undefined;
  readPythonHubSettings(path, text, at, out, existsLocally);
  return out;
}

/**
 * python-env.ts `CLICK_PARAMETERS`: `@click.option("--model", default="org/x")` above a `def` gives the parameter it
 * fills that default, by function and parameter name.
 */
function clickDefaults(
  decorated: StatementReader['decorated'],
  imports: ReadonlyMap<string, string>,
  values: Values,
): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const { fn, decorators } of decorated)
    for (const d of decorators) {
      const kind = d.k === 'call' ? CLICK_PARAMETERS.get(calledName(d, imports) ?? '') : undefined;
      if (d.k !== 'call' || kind === undefined) continue;
      const decls = d.args.filter((a) => a.k === 'positional').map((a) => values.evaluate(a.value));
      const name = decls.every((x) => x !== undefined) ? clickParameterName(kind, decls) : undefined;
      const fallback = keywordArgument(d.args, 'default');
      if (name !== undefined && fallback !== undefined) out.set(`${fn}\0${name}`, fallback);
    }
  return out;
}

/** python-env.ts `TYPER_PARAMETERS`: `typer.Option("org/x")` defaults to its first argument or `default=`. */
function typerDefault(n: Node, imports: ReadonlyMap<string, string>): Node | undefined {
  if (n.k !== 'call' || !TYPER_PARAMETERS.has(calledName(n, imports) ?? '')) return n;
  return firstOrKeyword(n.args, 'default');
}

/** A call's first argument when it is positional, else its argument `keyword=`. */
function firstOrKeyword(args: readonly Arg[], keyword: string | undefined): Node | undefined {
  const first = args[0];
  if (first?.k === 'positional') return first.value;
  return keyword === undefined ? undefined : keywordArgument(args, keyword);
}

/** The value of a call's argument `keyword=`. */
function keywordArgument(args: readonly Arg[], keyword: string): Node | undefined {
  return args.find((a) => a.k === 'keyword' && a.name === keyword)?.value;
}

/** A call's arguments as calls.ts reads them: positional values, keywords (with `**dict` spread in), a splat. */
function argumentFacts(values: Values, args: readonly Arg[]) {
  const positional: Resolved[] = [];
  const keywords = new Map<string, Resolved>();
  let splat = false;
  const spreads: (DictValue | undefined)[] = [];
  for (const a of args) {
    if (a.k === 'keyword') keywords.set(a.name, values.resolve(a.value));
    else if (a.k === 'splat') {
      if (a.double) spreads.push(values.dict(a.value));
      else splat = true;
    } else positional.push(values.resolve(a.value, false));
  }
  for (const d of spreads) if (spreadKeywords(keywords, d)) splat = true;
  return { positional, keywords, splat };
}

/** python-argparse.ts: the parsers, the namespaces they return and the arguments they add, as python.ts reads them. */
function readCommandLine(
  reader: StatementReader,
  imports: ReadonlyMap<string, string>,
  once: ReadonlySet<string>,
  cli: CommandLineDefaults,
  values: Values,
): void {
  for (const a of reader.assignments)
    if (once.has(a.name) && a.value.k === 'call')
      cli.parser(a.name, calledName(a.value, imports), calleeName(a.value.callee));
  // (python.ts also reads functions that return a namespace: python-snippet.ts leaves such files to it.)
  for (const a of reader.assignments) cli.assign(a.name, a.value.k === 'call' ? calleeName(a.value.callee) : undefined);
  for (const call of reader.calls) {
    const written = calleeName(call.callee);
    if (written === undefined || !COMMAND_LINE_METHOD.test(written)) continue;
    const f = argumentFacts(values, call.args);
    cli.call(written, f.positional, f.keywords, f.splat);
  }
}

/** python.ts: a name bound once to `functools.partial(loader, …)` calls the loader with the bound arguments. */
function partialsOf(
  reader: StatementReader,
  imports: ReadonlyMap<string, string>,
  once: ReadonlySet<string>,
  values: Values,
): Map<string, PartialBinding> {
  const partials = new Map<string, PartialBinding>();
  for (const a of reader.assignments) {
    if (!once.has(a.name) || a.value.k !== 'call' || calledName(a.value, imports) !== PARTIAL) continue;
    const first = a.value.args[0];
    const target = first?.k === 'positional' ? calleeName(first.value) : undefined;
    if (target === undefined) continue;
    const f = argumentFacts(values, a.value.args);
    partials.set(a.name, { ...f, target, positional: f.positional.slice(1) });
  }
  return partials;
}

/**
 * python.ts's loop names: a name only one `for` binds, over a list or tuple display, a list constant the file binds
 * once and changes nowhere (`listUseCheck`, the text searched last: most loops go over no such list), `enumerate` of
 * either, or a dict constant's values, is one of those items; a name also assigned, or a parameter's, is not.
 */
function bindLoopNames(
  reader: StatementReader,
  imports: ReadonlyMap<string, string>,
  dicts: DictConstants,
  choices: CandidateConstants,
  values: Values,
  listItems: (list: string) => readonly Node[] | undefined,
): void {
  const plain = new Set(reader.assignments.map((a) => a.name));
  const parameterNames = new Set(reader.parameters.map((p) => p.name));
  const bindings = new Map<string, number>();
  for (const n of reader.rebound) bindings.set(n, (bindings.get(n) ?? 0) + 1);
  for (const loop of reader.loops) {
    if (plain.has(loop.name) || parameterNames.has(loop.name)) continue;
    if (bindings.get(loop.name) !== 1) continue;
    if (loop.enumerated && imports.has('enumerate')) continue;
    if (loop.valuesOf !== undefined) {
      choices.replace(loop.name, dictCandidates(dicts.get(loop.valuesOf)));
      continue;
    }
    const items = loop.items ?? (loop.iterates === undefined ? undefined : listItems(loop.iterates));
    if (items !== undefined)
      choices.replace(
        loop.name,
        loopChoices(items, (i) => values.evaluate(i) ?? values.candidates(i)),
      );
  }
}

/**
 * python.ts `listItems`: the items of a list or tuple display a name is bound to once and that nothing changes
 * (`listUseCheck`, the text searched once, on the first list asked about: most files ask about none).
 */
function listConstants(
  reader: StatementReader,
  text: string,
  once: ReadonlySet<string>,
  scopes: PythonScopes | undefined,
): (list: string) => readonly Node[] | undefined {
  let changed: ((name: string) => boolean) | undefined;
  let assignedValues: Map<string, Node> | undefined;
  return (list) => {
    if (!once.has(list) || reader.rebound.includes(list)) return undefined;
    const value = (assignedValues ??= new Map(reader.assignments.map((a) => [a.name, a.value]))).get(list);
    if (value?.k !== 'other' || value.items === undefined || (text[value.from] !== '[' && text[value.from] !== '('))
      return undefined;
    return (changed ??= listUseCheck(text, scopes))(list) ? undefined : value.items;
  };
}

/** python.ts `calleeName`: a dotted name, `()` standing for a call in it; undefined for anything else. */
function calleeName(n: Node): string | undefined {
  if (n.k === 'name') return n.name;
  // python.ts `calleeName`: a module's member picked at run time (`m.__dict__[k]`, `getattr(m, k)`).
  if (n.k === 'index' && n.object.k === 'attribute' && n.object.property === '__dict__')
    return memberOf(calleeName(n.object.object));
  if (n.k === 'call' && n.callee.k === 'name' && n.callee.name === 'getattr' && n.args.length >= 2)
    return n.args[0]!.k === 'positional' && n.args[1]!.k === 'positional'
      ? memberOf(calleeName(n.args[0]!.value))
      : undefined;
  if (n.k !== 'attribute') return undefined;
  const left = n.object.k === 'call' ? '()' : calleeName(n.object);
  return left === undefined ? undefined : `${left}.${n.property}`;
}

const memberOf = (left: string | undefined) => (left === undefined ? undefined : `${left}.${CHOSEN_MEMBER}`);

/** python.ts `calledName`: a call's callee with imports resolved. */
function calledName(call: Node & { k: 'call' }, imports: ReadonlyMap<string, string>): string | undefined {
  const written = calleeName(call.callee);
  return written === undefined ? undefined : resolveCallee(imports, written);
}

/** python.ts `isStringish`, near enough: `collectReference` never reads it (any binary operator counts there). */
function stringish(n: Node): boolean {
  return n.k === 'string' || n.k === 'strings' || n.k === 'plus' || n.k === 'name';
}

/** python.ts `evaluate` over the reader's nodes: string values the file alone decides. */
class Values {
  constructor(
    private readonly constants: Constants,
    private readonly dicts: DictConstants,
    private readonly built: BuiltNames,
    private readonly imports: ReadonlyMap<string, string>,
    private readonly envs: EnvConstants,
    private readonly paths: BuiltNames,
    private readonly cli: CommandLineDefaults,
    /** python.ts `importedAttribute`: `config.MODEL_ID` of a module the file imports. */
    private readonly imported: ImportedValues | undefined,
    private readonly choices: CandidateConstants,
  ) {}

  /** python.ts `comparedSide`: a comparison's side, through `.lower()` and the like. */
  private side(n: Node): { value: string | undefined; env: EnvRead | undefined } {
    const change =
      n.k === 'call' && n.args.length === 0 && n.callee.k === 'attribute'
        ? STRING_CASE_METHODS.get(n.callee.property)
        : undefined;
    if (!change || n.k !== 'call' || n.callee.k !== 'attribute') return { value: this.evaluate(n), env: this.env(n) };
    const inner = this.side(n.callee.object);
    const fallback = inner.env?.fallback;
    return {
      value: inner.value === undefined ? undefined : change(inner.value),
      env: inner.env && (fallback === undefined ? inner.env : { ...inner.env, fallback: change(fallback) }),
    };
  }

  /** python.ts `truths`: names only ever bound to a comparison or `not`, bools. */
  readonly truths = new BuiltNames();

  /** python.ts `lists`: list constants' items by value, once every binding is known. */
  readonly lists = new ListConstants<Node>(
    (n) => this.evaluate(n),
    (n) => this.candidates(n),
  );

  /** python.ts `candidatesOf`: one of a known set of strings, where no single value is known. */
  candidates(n: Node): readonly string[] | undefined {
    switch (n.k) {
      case 'name':
        return this.choices.get(n.name);
      case 'paren':
        return this.candidates(n.inner);
      case 'choice':
        return choiceCandidates(n.options.map((o) => this.evaluate(o) ?? this.candidates(o)));
      case 'index':
        // python.ts `candidatesOf`: `LIST[5]` past its end is an IndexError, `LIST[0.5]` a TypeError: no item.
        if (this.evaluate(n) !== undefined || this.evaluate(n.key) !== undefined) return undefined;
        if (n.object.k !== 'name' || (n.key.k === 'other' && n.key.numeric)) return undefined;
        return dictCandidates(this.dicts.get(n.object.name)) ?? this.lists.candidates(n.object.name);
      case 'string':
      case 'strings':
      case 'bool':
      case 'plus':
      case 'attribute':
      case 'call':
      case 'dict':
      case 'or':
      case 'other':
        return undefined;
    }
  }

  /** python.ts `selfAttribute`: what the file binds `self.<attr>` to. */
  private selfAttribute<T>(n: Node, read: (dotted: string) => T | undefined): T | undefined {
    const dotted = calleeName(n);
    return dotted !== undefined && isSelfAttribute(dotted) ? read(dotted) : undefined;
  }

  private importedAttribute(n: Node): ImportedValue | undefined {
    if (!this.imported) return undefined;
    const dotted = calleeName(n);
    return dotted === undefined ? undefined : this.imported.get(dotted);
  }

  /** Names whose attribute a value read (`X.attr`). */
  readonly attributeReads = new Set<string>();
  /** Bare callees an attribute was read off (`f().attr`). */
  readonly callAttributeReads = new Set<string>();
  /** Attributes read as `self.attr` / `cls.attr` with no instance binding here. */
  readonly selfReads = new Set<string>();

  /** python.ts `isPathCall`: a call that builds a path, or a name only ever bound to one. */
  isPathCall(n: Node): boolean {
    if (n.k === 'name') return this.paths.has(n.name);
    if (n.k !== 'call') return false;
    const written = calleeName(n.callee);
    const called = written === undefined ? undefined : resolveCallee(this.imports, written);
    // `str(Path(…))`: the same path as text.
    if (called === 'str')
      return n.args.length === 1 && n.args[0]!.k === 'positional' && this.isPathCall(n.args[0]!.value);
    return called !== undefined && LOCAL_PATH_CALLS.has(called);
  }

  /** python.ts `orRight`: the right side of an `or`, its value and env read each read once. */
  private orRight(n: Node): [Pick<Resolved, 'value' | 'isString'>, EnvRead | undefined] {
    const value = this.evaluate(n);
    return [{ value, isString: n.k === 'string' || (value !== 'True' && value !== 'False') }, this.env(n)];
  }

  /** python.ts `envOf`: `os.environ.get("X", "main")`, or a name only ever assigned that. */
  env(n: Node): EnvRead | undefined {
    if (n.k === 'name') return this.envs.get(n.name);
    // python.ts `envOf`: `args.model_name` on a namespace argparse returns.
    if (n.k === 'attribute') {
      const env = this.importedAttribute(n)?.env ?? this.selfAttribute(n, (d) => this.envs.get(d));
      if (env) return env;
      return n.object.k === 'name' ? this.cli.read(n.object.name, n.property) : undefined;
    }
    if (n.k === 'or') return orDefault(this.env(n.left), ...this.orRight(n.right));
    if (n.k === 'choice') {
      const [body, orElse] = n.options;
      const tested = calleeName(body);
      if (tested === undefined || tested !== calleeName(n.test)) return undefined;
      return orDefault(this.env(body), ...this.orRight(orElse));
    }
    if (n.k !== 'call') return undefined;
    const written = calleeName(n.callee);
    if (written === undefined) return undefined;
    const values = n.args.every((a) => a.k === 'positional') ? n.args.map((a) => this.evaluate(a.value)) : undefined;
    return envRead(resolveCallee(this.imports, written), values);
  }

  /** An argument's value; a positional one carries no dict entries (python.ts reads those for keywords only). */
  resolve(n: Node, withEntries = true): Resolved {
    const entries = withEntries ? this.dict(n)?.entries : undefined;
    const env = this.env(n);
    const value = this.evaluate(n);
    const candidates = value === undefined ? this.candidates(n) : undefined;
    const truth = value === undefined && env === undefined ? this.truth(n) : undefined;
    return {
      value,
      // A name the file binds to True or False is that bool (constants hold it as its text), not a string, unless the
      // environment gives it (`os.getenv("X", "False")` is a non-empty string): python.ts `resolve`.
      isString:
        stringish(n) &&
        !(n.k === 'name' && env === undefined && (value === 'True' || value === 'False' || this.truths.has(n.name))),
      ...(candidates ? { candidates } : {}),
      ...(entries ? { entries } : {}),
      ...(this.isBuilt(n) ? { built: true } : {}),
      ...(env ? { env } : {}),
      ...(this.isPathCall(n) ? { localPath: true } : {}),
      ...(n.k === 'other' && n.none === true ? { notString: 'absent' as const } : {}),
      ...(truth !== undefined ? { truth } : {}),
      ...(n.k === 'name' ? { name: n.name } : {}),
    };
  }

  /** python.ts `truthOf`: calls.ts `Resolved.truth` of a value that is no string the file decides. */
  private truth(n: Node): boolean | 'run-time' | undefined {
    switch (n.k) {
      case 'paren':
        return pythonTruth(this.resolve(n.inner, false));
      case 'other':
        if (n.negated !== undefined) return pythonNot(pythonTruth(this.resolve(n.negated, false)));
        if (n.and !== undefined)
          return pythonAndOr(
            'and',
            pythonTruth(this.resolve(n.and[0], false)),
            pythonTruth(this.resolve(n.and[1], false)),
          );
        if (n.integer !== undefined) return n.integer !== 0;
        return n.truth === true ? 'run-time' : undefined;
      case 'call': {
        // builtins `bool(x)`: x's truth; `bool()` is False.
        if (calledName(n, this.imports) === 'bool' && n.args.every((a) => a.k === 'positional')) {
          if (n.args.length === 0) return false;
          if (n.args.length === 1) return pythonTruth(this.resolve(n.args[0]!.value, false));
        }
        return 'run-time';
      }
      case 'or':
        return pythonAndOr('or', pythonTruth(this.resolve(n.left, false)), pythonTruth(this.resolve(n.right, false)));
      case 'name':
      case 'attribute':
      case 'index':
        return 'run-time';
      // A string or bool the file decides has its value; a choice, a dict, `+`: python.ts `truthOf` leaves them too.
      case 'bool':
      case 'choice':
      case 'dict':
      case 'plus':
      case 'string':
      case 'strings':
        return undefined;
    }
  }

  /** python.ts `isLoaderCall`: a call to a loader, through the file's imports. */
  isLoaderCall(n: Node): boolean {
    if (n.k !== 'call') return false;
    if (n.callee.k === 'attribute' && n.callee.object.k === 'call' && MODULE_RETURNS_SELF.has(n.callee.property))
      return this.isLoaderCall(n.callee.object);
    const written = calleeName(n.callee);
    return written !== undefined && buildsModel(written, resolveCallee(this.imports, written), 'python');
  }

  /** python.ts `isBuilt`: a loader call, or a name (or dotted attribute) only ever bound to one. */
  private isBuilt(n: Node): boolean {
    if (n.k === 'name') return this.built.has(n.name);
    // `self.model = AutoModel.from_pretrained(…)` then `pipeline(model=self.model)`.
    if (n.k === 'attribute') {
      const dotted = calleeName(n);
      return dotted !== undefined && this.built.has(dotted);
    }
    return this.isLoaderCall(n);
  }

  /** python.ts `evaluateDict`: a dict display or `dict(…)` with the keys the file names. */
  dict(n: Node): DictValue | undefined {
    if (n.k === 'name') return this.dicts.spread(n.name);
    const d = new DictBuilder();
    if (n.k === 'dict') {
      for (const item of n.items) {
        if (item.k === 'spread') d.spread(this.dict(item.value));
        else {
          // lezer's String node: a plain literal key (an f-string is a FormatString there, a key it cannot name).
          const plain = item.key.k === 'string' && item.key.value.kind === 'plain';
          d.item(plain ? this.evaluate(item.key) : undefined, this.resolve(item.value));
        }
      }
      return d.build();
    }
    if (n.k !== 'call' || n.callee.k !== 'name' || !KEYWORD_RECORDS.has(n.callee.name)) return undefined;
    for (const a of n.args) {
      if (a.k === 'keyword') d.item(a.name, this.resolve(a.value));
      else if (a.k === 'splat' && a.double) d.spread(this.dict(a.value));
      else d.unknown();
    }
    return d.build();
  }

  evaluate(n: Node): string | undefined {
    switch (n.k) {
      case 'string':
        return this.literal(n.value);
      case 'strings': {
        const parts = n.parts.map((p) => this.literal(p));
        return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
      }
      case 'name':
        return this.constants.get(n.name);
      case 'bool':
        return n.text;
      case 'plus': {
        const l = this.evaluate(n.left);
        const r = this.evaluate(n.right);
        return l !== undefined && r !== undefined ? l + r : undefined;
      }
      case 'paren':
        return this.evaluate(n.inner);
      case 'attribute': {
        const value = this.importedAttribute(n)?.value ?? this.selfAttribute(n, (d) => this.constants.get(d));
        if (value !== undefined) return value;
        // python.ts reads `Class.attr` through the class body over the whole file: see `readsFreeAttribute`; and
        // `self.attr` with no instance binding (`inheritedAttribute`).
        if (n.object.k === 'name')
          if (n.object.name === 'self' || n.object.name === 'cls') this.selfReads.add(n.property);
          else this.attributeReads.add(n.object.name);
        // python.ts `callObjectClass`: `get_settings().model_id` reads the file's functions and classes.
        else if (n.object.k === 'call' && n.object.callee.k === 'name')
          this.callAttributeReads.add(n.object.callee.name);
        return undefined;
      }
      case 'index': {
        // python.ts `evaluate`: an item of a dict constant by a key the file decides, or of a list constant by an
        // integer literal (once every binding is known, `lists`).
        const key = this.evaluate(n.key);
        if (n.object.k !== 'name') return undefined;
        if (key !== undefined) return this.dicts.get(n.object.name)?.entries.get(key)?.value;
        return n.key.k === 'other' && n.key.integer !== undefined
          ? this.lists.item(n.object.name, n.key.integer)
          : undefined;
      }
      case 'call':
        return this.dictGet(n) ?? this.formatCall(n) ?? this.hubUrl(n);
      case 'other':
        if (n.compare) return comparedDefault(this.side(n.compare.left), n.compare.op, this.side(n.compare.right));
        return n.percent && this.percentFormat(n.percent.left, n.percent.right);
      case 'choice':
      case 'or':
      case 'dict':
        return undefined;
    }
  }

  /** python.ts `percentFormat`: `"org/%s" % NAME`, `"%s/%s" % (ORG, NAME)` (syntax.ts `pythonPercent`). */
  private percentFormat(left: Node, right: Node): string | undefined {
    const template = this.evaluate(left);
    if (template === undefined) return undefined;
    const items = right.k === 'other' && right.tuple ? right.items : undefined;
    return pythonPercent(template, items ? items.map((i) => this.evaluate(i)) : [this.evaluate(right)]);
  }

  /** python.ts `formatCall`: `"org/{}".format(name)` (syntax.ts `pythonFormat`). */
  private formatCall(n: Node & { k: 'call' }): string | undefined {
    const { callee, args } = n;
    if (callee.k !== 'attribute' || callee.property !== 'format' || callee.object.k !== 'string') return undefined;
    const template = this.evaluate(callee.object);
    if (template === undefined || args.some((a) => a.k === 'splat')) return undefined;
    const positional = args.flatMap((a) => (a.k === 'positional' ? [this.evaluate(a.value)] : []));
    const keywords = new Map(
      args.flatMap((a) => (a.k === 'keyword' ? [[a.name, this.evaluate(a.value)] as const] : [])),
    );
    return pythonFormat(template, positional, keywords);
  }

  /** python.ts `hubUrl`: huggingface_hub's `hf_hub_url(…)` of arguments the file decides (syntax.ts `pythonHubUrl`). */
  private hubUrl(n: Node & { k: 'call' }): string | undefined {
    const called = calledName(n, this.imports);
    if (called === undefined || !HF_HUB_URL_CALLS.has(called) || n.args.some((a) => a.k === 'splat')) return undefined;
    const positional = n.args.flatMap((a) => (a.k === 'positional' ? [this.evaluate(a.value)] : []));
    const keywords = new Map(
      n.args.flatMap((a) => (a.k === 'keyword' ? [[a.name, this.evaluate(a.value)] as const] : [])),
    );
    return pythonHubUrl(positional, keywords);
  }

  /** python.ts `dictGet`: `CONFIG.get("model")` / `CONFIG.get("model", "org/default")` of a dict constant. */
  private dictGet(n: Node & { k: 'call' }): string | undefined {
    const { callee, args } = n;
    if (callee.k !== 'attribute' || callee.property !== 'get' || callee.object.k !== 'name') return undefined;
    if (args.length < 1 || args.length > 2 || args.some((a) => a.k !== 'positional')) return undefined;
    const [key, fallback] = args.map((a) => (a.k === 'positional' ? this.evaluate(a.value) : undefined));
    return key === undefined
      ? undefined
      : dictItemOrDefault(this.dicts.get(callee.object.name), key, args.length === 2, fallback);
  }

  /** python.ts `formatString`: the text between fields as written, fields by value, then `{{`/`}}` undoubled. */
  private literal(v: StringValue): string | undefined {
    if (v.kind === 'plain') return v.value;
    let out = '';
    for (const part of v.parts) {
      if (typeof part === 'string') out += part;
      else {
        const value = this.constants.get(part.name);
        if (value === undefined) return undefined;
        out += value;
      }
    }
    return out.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
  }
}

/**
 * A kept line's tokens with contested names keyed by scope (python-scopes.ts). An import in a function or class
 * body that binds one is left to python.ts, which reads import names as written.
 */
function scopedLine(tokens: Token[], start: number, scopes: PythonScopes): Token[] {
  const first = tokens[0];
  if (first?.t === 'name' && (first.text === 'import' || first.text === 'from')) {
    if (scopes.nested(start) && boundNames(tokens).some(([name]) => scopes.contested.has(name))) throw new Unsure();
    return tokens;
  }
  return scopedTokens(tokens, scopes);
}
