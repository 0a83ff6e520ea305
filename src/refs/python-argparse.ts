import type { Resolved } from './calls.js';
import { boolDefault, type EnvRead, type FlagParse } from './python-env.js';
import { Constants } from './syntax.js';

/** The calls `CommandLineDefaults.call` reads, by their callee as written. */
export const COMMAND_LINE_METHOD = /\.(?:add_argument|set_defaults)$/;

/**
 * Command-line defaults: `args = parser.parse_args()` after `parser = argparse.ArgumentParser(…)` and
 * `parser.add_argument("--model-name", default="org/x")` — `args.model_name` is "org/x" unless the command line gives
 * the flag. It is read as an environment read is (python-env.ts `EnvRead`), the flag standing for the variable: the
 * default is what loads when the flag is not given, and the finding names the flag. Both Python readers (python.ts
 * over lezer, python-fast.ts without a parser) feed this the same facts.
 *
 * argparse.py, followed here:
 * - `_get_optional_kwargs`: `dest=` if given, else the first long option string (two prefix characters), else the
 *   first short one, without its leading `-`s and with `-` made `_`;
 * - `_get_positional_kwargs`: a positional's dest is its name; its default is used only when `nargs` is `?` or `*`
 *   (otherwise the argument is required);
 * - `required=True`: the default is never used, the flag's value is what the attribute holds (no default in the
 *   file); an `action` other than `store` stores no given string; a default
 *   the file does not decide, a dest added twice, a `**kwargs` call or `set_defaults` on the parser: chosen at run
 *   time (no read);
 * - `add_argument_group` / `add_mutually_exclusive_group` add to their parser's namespace;
 * - the namespace is `parser.parse_args(…)`, or a call of a function of the file whose every `return` gives one; a
 *   name is a namespace when each of its bindings is the same parser's.
 *
 * transformers' `HfArgumentParser((ModelArguments, …))` (and TRL's `TrlParser`) the same way, over dataclasses
 * (hf_argparser.py `_parse_dataclass_field`): each field is `--<field name>` with the field's default — `x: T = v`,
 * or `field(default=v)`; a `default_factory` or no default (required) is chosen at run time — and
 * `a, b = parser.parse_args_into_dataclasses()` (or `parse_json_file` / `parse_yaml_file` / `parse_dict`, which leave
 * a key the file does not set at its default; TRL's `parse_args_and_config`) binds each name to one dataclass's
 * instance, in the order the parser was given them.
 */
export class CommandLineDefaults {
  /** Names bound once to `argparse.ArgumentParser(…)`, or to a group of one (the parser's name). */
  private readonly parsers = new Map<string, string>();
  /** Names every binding of which is one parser's namespace: the parser's name. */
  private readonly namespaces = new Constants();
  /** Functions of the file that return a parser's namespace (null: defined twice, or returning another). */
  private readonly functions = new Map<string, string | null>();
  /** `<parser>:<dest>` → its read (undefined: not decided by the file). */
  private readonly defaults = new Map<string, EnvRead | undefined>();
  /** Parsers whose defaults change where this does not follow (`set_defaults`). */
  private readonly unsure = new Set<string>();
  /** `<class>:<field>` → its read (undefined: not decided by the file). */
  private readonly fields = new Map<string, EnvRead | undefined>();
  /** Names bound to a dataclass parser: its dataclasses, in order (undefined: one the file does not name). */
  private readonly dataclassParsers = new Map<string, readonly (string | undefined)[]>();
  /** `X.attr` assigned in the file. */
  private readonly reassigned = new Set<string>();
  /** Names every binding of which is one dataclass's instance: the class's name. */
  private readonly instances = new Constants();

  /**
   * A dataclass field `name: T = value` in class `cls`: `value` the default's node as the reader resolved it, `field`
   * when it is a `field(…)` call (its keywords), undefined for no value; `annotation` the `T` as written.
   */
  dataclassField(
    cls: string,
    name: string,
    value: Resolved | undefined,
    field: ReadonlyMap<string, Resolved> | undefined,
    annotation: string,
  ): void {
    const key = `${cls}:${name}`;
    const given = field ? (field.has('default_factory') ? null : (field.get('default') ?? null)) : (value ?? null);
    // No default: required, the command line gives the value (hf_argparser.py `_parse_dataclass_field`); one a
    // factory makes: chosen at run time.
    const read =
      given !== null
        ? stringOrNone(`--${name}`, given)
        : field?.has('default_factory') === true
          ? undefined
          : { variable: `--${name}` };
    const valued = given !== null && given.notString !== 'absent';
    this.fields.set(key, this.fields.has(key) ? undefined : withParse(read, fieldParse(annotation, valued)));
  }

  /** `name = HfArgumentParser(<classes>)`, bound once: the dataclasses' names in order. */
  bindDataclassParser(name: string, classes: readonly (string | undefined)[]): void {
    this.dataclassParsers.set(name, classes);
  }

  /**
   * `targets = <parser>.<method>(…)` (`targets` a tuple's names, undefined for a target that is not a plain name), or
   * `target = <parser>.<method>(…)[index]` as a single target at `index`.
   */
  bindDataclasses(targets: readonly (string | undefined)[], written: string, at = 0): void {
    const dot = written.lastIndexOf('.');
    const classes = dot > 0 ? this.dataclassParsers.get(written.slice(0, dot)) : undefined;
    const parses = classes !== undefined && DATACLASS_PARSES.has(written.slice(dot + 1));
    targets.forEach((t, i) => {
      if (t !== undefined) this.instances.set(t, parses ? classes[at + i] : undefined);
    });
  }

  /** `X.attr = …` somewhere in the file: the attribute holds what the run assigns, whatever its default. */
  attributeAssigned(dotted: string): void {
    this.reassigned.add(dotted);
  }

  /** A name assigned some other way too (in any order): no dataclass instance the file decides. */
  assignedOtherwise(name: string): void {
    this.instances.set(name, undefined);
  }

  /**
   * `name = <call>` bound once (before `assign`): `argparse.ArgumentParser(…)` by its callee with imports resolved,
   * or a group of a parser (`parser.add_argument_group(…)`) as written.
   */
  parser(name: string, called: string | undefined, written: string | undefined): void {
    if (called === 'argparse.ArgumentParser') this.parsers.set(name, name);
    else if (written !== undefined && GROUP.test(written)) {
      const parser = this.parsers.get(written.slice(0, written.lastIndexOf('.')));
      if (parser !== undefined) this.parsers.set(name, parser);
    }
  }

  /**
   * A function of the file (before `assign`) whose every `return` gives `<parser>.parse_args(…)` (each return's
   * callee as written), so a call of it is that parser's namespace (`def parse_args(): …; return parser.parse_args()`).
   */
  returnsNamespace(fn: string, returned: readonly string[]): void {
    const parsers = new Set(returned.map((w) => this.namespaceOf(w)));
    const [parser] = parsers;
    this.functions.set(fn, this.functions.has(fn) || parsers.size !== 1 || parser === undefined ? null : parser);
  }

  /**
   * Every assignment `name = value` (`written`: the callee of a call as written, undefined for any other value): a
   * name is a parser's namespace when each of its bindings is (`args = parser.parse_args()` in one function and
   * `args = parse_args()` in another).
   */
  assign(name: string, written: string | undefined): void {
    this.namespaces.set(name, written === undefined ? undefined : this.namespaceOf(written));
  }

  /** The parser whose namespace a call as written returns: `<parser>.parse_args`, or a function that returns one. */
  private namespaceOf(written: string): string | undefined {
    const dot = written.lastIndexOf('.');
    if (dot < 0) return this.functions.get(written) ?? undefined;
    return written.slice(dot + 1) === 'parse_args' ? this.parsers.get(written.slice(0, dot)) : undefined;
  }

  /** A call as written (`parser.add_argument`, `group.add_argument`, `parser.set_defaults`) with its arguments. */
  call(
    written: string,
    positional: readonly Resolved[],
    keywords: ReadonlyMap<string, Resolved>,
    splat: boolean,
  ): void {
    const dot = written.lastIndexOf('.');
    const parser = dot > 0 ? this.parsers.get(written.slice(0, dot)) : undefined;
    if (parser === undefined) return;
    const method = written.slice(dot + 1);
    if (method === 'set_defaults') this.unsure.add(parser);
    if (method !== 'add_argument') return;
    const names = positional.map((p) => (p.isString ? p.value : undefined));
    const flags = names.filter((n) => n?.startsWith('-'));
    const dest = keywordString(keywords, 'dest') ?? destOf(names);
    if (dest === undefined) return;
    const key = `${parser}:${dest}`;
    // The flag as the command line gives it; a positional argument as `<name>` (judge.ts tells the two from a variable).
    const shown = flags.find((n) => n!.startsWith('--')) ?? flags[0] ?? `<${dest}>`;
    const read = splat ? undefined : withParse(defaultRead(keywords, flags.length > 0, shown), flagParse(keywords));
    this.defaults.set(key, this.defaults.has(key) ? undefined : read);
  }

  /** `args.<attr>` on a name bound to a parser's namespace: the flag and its default. */
  read(object: string, attr: string): EnvRead | undefined {
    if (this.reassigned.has(`${object}.${attr}`)) return undefined;
    const cls = this.instances.get(object);
    if (cls) return this.fields.get(`${cls}:${attr}`);
    const parser = this.namespaces.get(object);
    if (parser === undefined || this.unsure.has(parser)) return undefined;
    return this.defaults.get(`${parser}:${attr}`);
  }
}

/** A group a parser makes: its arguments are the parser's. */
const GROUP = /\.(?:add_argument_group|add_mutually_exclusive_group)$/;

/** The parser classes of dataclasses, with imports resolved. */
export const DATACLASS_PARSERS: ReadonlySet<string> = new Set([
  'transformers.HfArgumentParser',
  'transformers.hf_argparser.HfArgumentParser',
  'trl.TrlParser',
  'trl.scripts.utils.TrlParser',
]);

/** The parser methods that return its dataclasses' instances, in order. */
const DATACLASS_PARSES: ReadonlySet<string> = new Set([
  'parse_args_into_dataclasses',
  'parse_json_file',
  'parse_yaml_file',
  'parse_dict',
  'parse_args_and_config',
]);

/** argparse's flag actions and the default each stores when the flag is not given. */
const STORE_FLAGS: ReadonlyMap<string, string> = new Map([
  ['store_true', 'False'],
  ['store_false', 'True'],
]);

/** A default as read: a string, a bool, or none for `None`; anything else is not decided by the file. */
function stringOrNone(variable: string, given: Resolved): EnvRead | undefined {
  if (given.notString === 'absent') return { variable };
  // A bool (`default=True`, `trust_remote_code: bool = False`): python-env.ts `boolDefault`.
  if (!given.isString && (given.value === 'True' || given.value === 'False')) return boolDefault(variable, given.value);
  return given.isString && given.value !== undefined ? { variable, fallback: given.value } : undefined;
}

/** A read with how a command line's value becomes the attribute's (none: the run decides it). */
function withParse(read: EnvRead | undefined, parsed: FlagParse | undefined): EnvRead | undefined {
  return read !== undefined && parsed !== undefined && read.variable.startsWith('-') ? { ...read, parsed } : read;
}

/**
 * python-env.ts `FlagParse` of an `add_argument` call (argparse.py `_StoreTrueAction`, `_get_values`): undefined for
 * a `type` function other than `str` and `bool` (a script's `str2bool`: whatever it returns), another action, or a
 * `nargs`/`const` that changes what the flag takes.
 */
function flagParse(keywords: ReadonlyMap<string, Resolved>): FlagParse | undefined {
  const action = keywords.get('action');
  const named = action === undefined ? 'store' : action.isString ? action.value : undefined;
  if (named === 'store_true') return 'switch';
  if (named !== 'store' || keywords.has('nargs') || keywords.has('const')) return undefined;
  const type = keywords.get('type');
  return type === undefined || type.name === 'str' || type.name === 'bool' ? 'string' : undefined;
}

/**
 * python-env.ts `FlagParse` of a dataclass field by its annotation (hf_argparser.py `_parse_dataclass_field`): `bool`
 * or `Optional[bool]` is `string_to_bool`'s; `str` (or `Optional[str]`) the string as given; any other type its own.
 * `valued`: the field's default is neither `None` nor missing.
 */
function fieldParse(annotation: string, valued: boolean): FlagParse | undefined {
  const written = annotation.replace(/\s+/g, '');
  const optional = /^(?:typing\.)?Optional\[(\w+)\]$|^(\w+)\|None$|^None\|(\w+)$/;
  const type = written.replace(optional, '$1$2$3');
  // hf_argparser.py `_parse_dataclass_field`: `nargs="?"` and `const=True` only where the type `is bool` or the
  // default is neither `None` nor missing.
  if (type === 'bool') return written === 'bool' || valued ? 'words' : 'word';
  return type === 'str' ? 'string' : undefined;
}

/** A keyword's string value, when the file decides it. */
function keywordString(keywords: ReadonlyMap<string, Resolved>, k: string): string | undefined {
  const r = keywords.get(k);
  return r?.isString ? r.value : undefined;
}

/** argparse.py `_get_optional_kwargs` / `_get_positional_kwargs`: the dest of an argument's names. */
function destOf(names: readonly (string | undefined)[]): string | undefined {
  if (names.length === 0 || names.some((n) => n === undefined || n === '')) return undefined;
  const strings = names as string[];
  if (!strings[0]!.startsWith('-')) return strings.length === 1 ? strings[0] : undefined;
  const chosen = strings.find((n) => n.startsWith('--') && n.length > 2) ?? strings[0]!;
  const dest = chosen.replace(/^-+/, '').replace(/-/g, '_');
  return dest === '' ? undefined : dest;
}

/**
 * The read of an argument whose flag is `flag`: its string default (or none for `None` and no default), unless the
 * default cannot be what the attribute holds when the flag is not given.
 */
function defaultRead(keywords: ReadonlyMap<string, Resolved>, optional: boolean, flag: string): EnvRead | undefined {
  const required = keywords.get('required');
  const action = keywords.get('action');
  // argparse.py `_parse_known_args`: a required argument's default never loads; the command line gives the value
  // (a required flag of the `store` action: its value is the flag's, with no default in the file).
  if (required !== undefined && !(required.value === 'False' && !required.isString))
    return optional && (action === undefined || (action.isString && action.value === 'store'))
      ? { variable: flag }
      : undefined;
  // argparse.py `_StoreTrueAction` / `_StoreFalseAction`: `default=False` / `default=True` unless given.
  const flagged = action?.isString === true ? STORE_FLAGS.get(action.value ?? '') : undefined;
  if (flagged !== undefined) {
    const given = keywords.get('default');
    return given === undefined ? boolDefault(flag, flagged) : stringOrNone(flag, given);
  }
  if (action !== undefined && !(action.isString && action.value === 'store')) return undefined;
  if (!optional) {
    // argparse.py `_get_positional_kwargs`: no `nargs`, the command line's one word (required); `?`/`*`, the default
    // where none is given; any other a list.
    if (!keywords.has('nargs')) return { variable: flag };
    const nargs = keywordString(keywords, 'nargs');
    if (nargs !== '?' && nargs !== '*') return undefined;
  }
  const given = keywords.get('default');
  return given === undefined ? { variable: flag } : stringOrNone(flag, given);
}

/** How a command line may write the options of a script's parser, beyond the option itself. */
export interface ScriptOptions {
  /**
   * The option strings of each argument of the script's one argparse parser (argparse's own `-h`/`--help` first),
   * where the file writes them all: each string of an argument is that argument (`-m` for `--model`).
   */
  readonly arguments?: readonly (readonly string[])[];
  /** The parser takes a unique prefix of a long option for it (`allow_abbrev`, True unless the file sets it). */
  readonly abbreviates?: true;
  /**
   * The parser takes no positional argument and the file parses with `parse_args` alone: a word no option consumes
   * is argparse's "unrecognized arguments" error (argparse.py `parse_args`), where `parse_known_args` returns it.
   */
  readonly noPositionals?: true;
  /**
   * transformers' `HfArgumentParser` (and TRL's `TrlParser`, its subclass) adds each field's option with its `_`s as
   * `-`s too: `--model-name-or-path` is `--model_name_or_path` (hf_argparser.py `_parse_dataclass_field`).
   */
  readonly hyphenated?: true;
  /** How the parser assigns a command line's words to its positional arguments (undefined: not decided by the file). */
  readonly words?: CommandWords;
}

/**
 * argparse.py `Action.nargs` as `_get_nargs_pattern` reads it: null for none (one word), `?`, `*`, `+`, `...`
 * (REMAINDER), `A...` (PARSER), or a count (0 for an action that takes no word: `store_true`, `count`, …).
 */
export type Nargs = null | '?' | '*' | '+' | '...' | 'A...' | number;

/** What argparse.py `_parse_known_args` needs to give a command line's words to a parser's positional arguments. */
export interface CommandWords {
  /** The nargs of each argument of `ScriptOptions.arguments`, by index (undefined: not decided by the file). */
  readonly nargs: readonly (Nargs | undefined)[];
  /** The positional arguments in the order they were added: each one's dest (its name) and nargs. */
  readonly positionals: readonly { readonly dest: string; readonly nargs: Nargs | undefined }[];
  /** The file parses with `parse_known_args`: a word no argument takes is returned, not the parser's error. */
  readonly keepsExtras: boolean;
  /** An option string looks like a negative number (argparse.py `_has_negative_number_optionals`). */
  readonly negativeOptions: boolean;
}

/**
 * How a command line may write a script's options (`ScriptOptions`); undefined: only as the finding names them.
 * Hyphenated where the file's flags are all dataclass fields: a dataclass parser, and no argparse parser of its own.
 */
export function scriptOptions(text: string): ScriptOptions | undefined {
  const parsed = parserArguments(text);
  if (parsed) {
    const { args, nargs, positionals } = parsed;
    const keepsExtras = KEEPS_EXTRAS.test(text);
    return {
      arguments: args,
      ...(allowsAbbreviations(text) ? { abbreviates: true as const } : {}),
      ...(positionals.length === 0 && !keepsExtras ? { noPositionals: true as const } : {}),
      // `parse_intermixed_args` assigns positionals another way, and `fromfile_prefix_chars` reads words from files.
      ...(UNFOLLOWED_WORDS.test(text)
        ? {}
        : { words: { nargs, positionals, keepsExtras, negativeOptions: args.some((a) => a.some(isNegative)) } }),
    };
  }
  return DATACLASS_PARSER.test(text) && !PARSER_MADE_ONE.test(text) ? { hyphenated: true } : undefined;
}

/** A dataclass parser made in the file (`DATACLASS_PARSERS`, by its class name). */
const DATACLASS_PARSER = /\b(?:HfArgumentParser|TrlParser)\s*\(/;

/** A parse that returns the words no argument consumes instead of exiting on them. */
const KEEPS_EXTRAS = /\bparse_known_(?:intermixed_)?args\b/;

/** What makes argparse give a command line's words to positionals other than `_parse_known_args` does. */
const UNFOLLOWED_WORDS = /\b(?:parse_(?:known_)?intermixed_args|fromfile_prefix_chars)\b/;

/** argparse.py `_negative_number_matcher`. */
export const isNegative = (word: string) => /^-\d+$|^-\d*\.\d+$/.test(word);

/** An argparse parser made in the file. */
const PARSER_MADE_ONE = /\bArgumentParser\s*\(/;

/**
 * The option strings of each argument of the one argparse parser a script builds (and its positionals, names with no
 * `-`), which argparse matches a command line's words against (argparse.py `_parse_optional`, `_get_option_tuples`: a
 * short option with its value joined, and with `allow_abbrev` a unique prefix of a long option). Read from the text, every `add_argument` of the file (a
 * group's too) and argparse's own `-h`/`--help`: an option of another parser, or one a comment shows, only makes more
 * words ambiguous, which is argparse's error (nothing loads). Undefined — only the option as the finding names it
 * counts — where the file may add options it does not write or match them otherwise: not exactly one
 * `ArgumentParser(…)`, other prefix characters, parent parsers or subparsers, the parser handed to a function, an
 * option name that is not a plain string literal.
 */
function parserArguments(text: string): ParserArguments | undefined {
  const parsers = [...text.matchAll(PARSER_MADE)];
  if (parsers.length !== 1 || UNFOLLOWED.test(text)) return undefined;
  // A parser bound to no name, or handed to a function (`add_model_args(parser)`), may get options elsewhere.
  const name = parsers[0]![1];
  if (name === undefined || new RegExp(`[(,=]\\s*${name}\\s*[,)]`).test(text)) return undefined;
  const args: string[][] = [['-h', '--help']];
  const nargs: (Nargs | undefined)[] = [0];
  const positionals: { dest: string; nargs: Nargs | undefined }[] = [];
  for (const call of text.matchAll(/\.add_argument\s*\(/g)) {
    const from = call.index + call[0].length;
    const names = argumentNames(text, from);
    if (names === undefined) return undefined;
    const taken = argumentNargs(text, from);
    if (names[0]?.startsWith('-')) {
      args.push(names.filter((n) => n.startsWith('-')));
      nargs.push(taken);
    } else positionals.push({ dest: names[0] ?? '', nargs: taken });
  }
  return { args, nargs, positionals };
}

interface ParserArguments {
  readonly args: readonly (readonly string[])[];
  readonly nargs: readonly (Nargs | undefined)[];
  readonly positionals: readonly { readonly dest: string; readonly nargs: Nargs | undefined }[];
}

/** `argparse.ArgumentParser(` (or a name imported from argparse), with the name it is bound to when it is. */
const PARSER_MADE = /(?:\b([A-Za-z_]\w*)\s*=\s*)?(?:\bargparse\s*\.\s*)?\bArgumentParser\s*\(/g;

/**
 * What makes a parser's options other than its `add_argument` strings: parent parsers, subparsers, other prefix
 * characters, a parser class of its own (one that overrides the matching), a dataclass parser (transformers'
 * `HfArgumentParser` adds an option per field of classes the file may import).
 */
const UNFOLLOWED =
  /\b(?:add_subparsers|prefix_chars|_get_option_tuples|_parse_optional|HfArgumentParser|TrlParser)\b|\bparents\s*=/;

/** Whether every `allow_abbrev` the file writes is `allow_abbrev=True` (argparse's default). */
function allowsAbbreviations(text: string): boolean {
  for (const m of text.matchAll(/\ballow_abbrev\b(\s*=\s*True\b)?/g)) if (m[1] === undefined) return false;
  return true;
}

/**
 * The names an `add_argument(` call gives from `from`: its leading plain string literals (an option's strings, or a
 * positional's name); undefined where its first argument is no plain string literal.
 */
function argumentNames(text: string, from: number): string[] | undefined {
  const literal = /\s*[rRuU]?(["'])([^"'\\\n]*)\1\s*([,)])/y;
  const names: string[] = [];
  for (let at = from; ;) {
    literal.lastIndex = at;
    const m = literal.exec(text);
    if (m === null) return at > from ? names : undefined;
    names.push(m[2]!);
    if (m[3] === ')') return names;
    at = literal.lastIndex;
  }
}

/** argparse.py's action classes that take no word (`nargs=0`), by their `action=` string. */
const NO_WORD_ACTIONS = new Set([
  'store_true',
  'store_false',
  'store_const',
  'append_const',
  'count',
  'help',
  'version',
]);

/** The `action=` strings whose argument takes its `nargs` (one word without it). */
const WORD_ACTIONS = new Set(['store', 'append', 'extend']);

/** argparse's nargs constants by the name a file writes (`argparse.REMAINDER`) or their string. */
const NARGS_WRITTEN: ReadonlyMap<string, Nargs> = new Map<string, Nargs>([
  ['?', '?'],
  ['*', '*'],
  ['+', '+'],
  ['...', '...'],
  ['A...', 'A...'],
  ['OPTIONAL', '?'],
  ['ZERO_OR_MORE', '*'],
  ['ONE_OR_MORE', '+'],
  ['REMAINDER', '...'],
  ['PARSER', 'A...'],
]);

/**
 * The nargs of the `add_argument(` call whose arguments start at `from` (argparse.py `_StoreAction` and the other
 * action classes), from its `action=` and `nargs=` keywords; undefined where the file does not decide it (another
 * action, a value that is no literal, `**kwargs`, a call longer than `MAX_CALL` or not closed). A keyword is read
 * only outside string literals: `help="… nargs=2 …"` is one STRING token to Python's tokenizer, no keyword.
 */
function argumentNargs(text: string, from: number): Nargs | undefined {
  const call = callArguments(text, from);
  if (call === undefined || call.code.includes('**')) return undefined;
  const action = keywordValue(call, 'action');
  const named = action === undefined ? 'store' : /^(["'])(\w+)\1$/.exec(action)?.[2];
  if (named !== undefined && NO_WORD_ACTIONS.has(named)) return 0;
  if (named === undefined || !WORD_ACTIONS.has(named)) return undefined;
  const nargs = keywordValue(call, 'nargs');
  if (nargs === undefined) return null;
  if (/^\d+$/.test(nargs)) return Number(nargs);
  return NARGS_WRITTEN.get(nargs.replace(/^(["'])(.*)\1$|^argparse\./, '$2'));
}

/**
 * The value written for keyword `name` in a call's arguments, trimmed, up to the next `,` or `)` outside a string
 * literal: found in `code` (literals blanked), read from `text` at the same offsets.
 */
function keywordValue(call: CallText, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*([^,)]*)`).exec(call.code);
  if (m === null) return undefined;
  const at = m.index + m[0].length - m[1]!.length;
  return call.text.slice(at, at + m[1]!.length).trim();
}

/** A call's arguments as written, and the same with each string literal's contents blanked (its quotes kept). */
interface CallText {
  readonly text: string;
  readonly code: string;
}

/** The longest `add_argument(…)` call read for its keywords. */
const MAX_CALL = 4_096;

/**
 * The text of a call's arguments from `from` to its closing parenthesis, over nested brackets and string literals;
 * undefined where it is not closed within `MAX_CALL` characters.
 */
function callArguments(text: string, from: number): CallText | undefined {
  let depth = 0;
  let quote: string | undefined;
  const code: string[] = [];
  const end = Math.min(text.length, from + MAX_CALL);
  for (let i = from; i < end; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      // A literal's contents, an escape's two characters too, are blanks in `code`.
      if (c === '\\') {
        i++;
        code.push('  ');
      } else if (c === quote) {
        quote = undefined;
        code.push(c);
      } else code.push(' ');
      continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return { text: text.slice(from, i), code: code.join('') };
      depth--;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    code.push(c);
  }
  return undefined;
}
