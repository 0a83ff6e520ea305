import type { Token } from './shell-words.js';
import { isNegative, type CommandWords, type Nargs, type ScriptOptions } from './python-argparse.js';

/**
 * The words a command line gives each positional argument of a script's argparse parser, by its dest, as argparse.py
 * `_parse_known_args` assigns them (Python 3.11, Debian's): each word is an option (`O`) or an argument (`A`) by
 * `_parse_optional`, `--` is `-` and makes every later word an argument; then, from the left, the arguments before
 * each option go to the positionals left by `consume_positionals` (`_match_arguments_partial`: the most positionals
 * whose nargs patterns match, greedily), and each option takes its words by `consume_optional`. A word argparse
 * returns as extra is its error under `parse_args`, and so is a required positional left without words.
 *
 * `error`: the parser's error (argparse exits, nothing loads). Undefined — the command is not decided by the file —
 * for a positional or a given option whose nargs the file does not decide, or a word the shell may split (an
 * unquoted expansion: `expands` and not `quoted`); a quoted expansion is taken for one argument.
 */
export function parseCommand(
  args: readonly Token[],
  options: DecidedOptions,
  quoted: (t: Token) => boolean,
): ParsedCommand | 'error' | undefined {
  if (!boundedPatterns(options.words.positionals)) return undefined;
  if (args.some((t) => t.expands && !quoted(t))) return undefined;
  const parser = new Parser(options.arguments, options.abbreviates === true, options.words);
  const classified: Classified[] = [];
  let rest = false;
  for (const t of args) {
    const c: Classified | 'error' = rest ? 'A' : t.text === '--' ? '-' : parser.parseOptional(t.text);
    if (c === 'error') return c;
    rest ||= c === '-';
    classified.push(c);
  }
  return parser.assign(args, classified);
}

/** Each option string of the parser's arguments `all` (`ScriptOptions.arguments`), with its argument's index. */
export function optionStrings(all: readonly (readonly string[])[]): ReadonlyMap<string, number> {
  const strings = new Map<string, number>();
  all.forEach((names, index) => {
    for (const s of names) strings.set(s, index);
  });
  return strings;
}

/**
 * The option of the parser's `strings` (`optionStrings`) that argparse.py `_parse_optional` reads `word` (which starts
 * with `-`) as: an option string, one joined to its value by `=`, else the one `_get_option_tuples` match; the
 * parser's error for more than one ("ambiguous option"); undefined for none.
 */
export function optionOf(
  word: string,
  strings: ReadonlyMap<string, number>,
  abbreviates: boolean,
): Optional | 'error' | undefined {
  const exact = strings.get(word);
  if (exact !== undefined) return { index: exact, string: word };
  if (word.length === 1) return undefined;
  const eq = word.indexOf('=');
  if (eq >= 0) {
    const joined = strings.get(word.slice(0, eq));
    if (joined !== undefined) return { index: joined, string: word.slice(0, eq), explicit: word.slice(eq + 1) };
  }
  const tuples = optionTuples(word, strings, abbreviates);
  if (tuples.length > 1) return 'error';
  return tuples[0];
}

/** argparse.py `_get_option_tuples`: a long option's prefix (with `allow_abbrev`), a short option's joined value. */
function optionTuples(word: string, strings: ReadonlyMap<string, number>, abbreviates: boolean): Optional[] {
  const out: Optional[] = [];
  if (word[1] === '-') {
    if (!abbreviates) return out;
    const eq = word.indexOf('=');
    const prefix = eq < 0 ? word : word.slice(0, eq);
    for (const [s, index] of strings)
      if (s.startsWith(prefix)) out.push({ index, string: s, ...(eq < 0 ? {} : { explicit: word.slice(eq + 1) }) });
    return out;
  }
  const short = word.slice(0, 2);
  for (const [s, index] of strings)
    if (s === short) out.push({ index, string: s, explicit: word.slice(2) });
    else if (s.startsWith(word)) out.push({ index, string: s });
  return out;
}

/**
 * Whether each positional's nargs is decided by the file, and their patterns are few and small enough to match in
 * bounded time: a pattern that fails tries every way its variable-length groups can share the words before it fails,
 * so at most `MAX_VARIABLE` of those, `MAX_POSITIONALS` positionals (`_match_arguments_partial` tries a pattern per
 * count of them) and counts up to `MAX_COUNT`.
 */
function boundedPatterns(positionals: CommandWords['positionals']): boolean {
  if (positionals.length > MAX_POSITIONALS) return false;
  let variable = 0;
  for (const { nargs } of positionals) {
    if (nargs === undefined || (typeof nargs === 'number' && nargs > MAX_COUNT)) return false;
    if (nargs !== null && typeof nargs !== 'number') variable++;
  }
  return variable <= MAX_VARIABLE;
}

const MAX_POSITIONALS = 8;
const MAX_VARIABLE = 3;
const MAX_COUNT = 8;

/** A script's options where the file decides both its option strings and how its words go to positionals. */
export type DecidedOptions = ScriptOptions & Required<Pick<ScriptOptions, 'arguments' | 'words'>>;

/** Whether the file decides how `_parse_known_args` reads a command line for the script (`parseCommand`). */
export const isDecided = (options: ScriptOptions | undefined): options is DecidedOptions =>
  options?.arguments !== undefined && options.words !== undefined;

/** A word as `_parse_known_args` sees it: an option, an argument, or the first `--`. */
type Classified = Optional | 'A' | '-';

/** What a command line gives a parser: each positional's words by its dest, and the arguments of the options given. */
interface ParsedCommand {
  readonly positionals: ReadonlyMap<string, readonly Token[]>;
  /**
   * The options the command gives, by their index in `ScriptOptions.arguments`, in a cluster (`-vt`) too: the index
   * of the word of the last occurrence.
   */
  readonly options: ReadonlyMap<number, number>;
}

/** `_parse_optional`'s option: the index of its argument (-1: none of the parser's), its string and joined value. */
interface Optional {
  readonly index: number;
  readonly string: string;
  readonly explicit?: string;
}

/** argparse.py `_get_nargs_pattern`, for a positional (`optional` false) or an option. */
function nargsPattern(nargs: Nargs, optional: boolean): string {
  const pattern =
    nargs === null
      ? '(-*A-*)'
      : nargs === '?'
        ? '(-*A?-*)'
        : nargs === '*'
          ? '(-*[A-]*)'
          : nargs === '+'
            ? '(-*A[A-]*)'
            : nargs === '...'
              ? '([-AO]*)'
              : nargs === 'A...'
                ? '(-*A[-AO]*)'
                : `(-*${Array.from({ length: nargs }, () => 'A').join('-*')}-*)`;
  return optional ? pattern.replaceAll('-*', '').replaceAll('-', '') : pattern;
}

class Parser {
  /** Each option string's argument index (argparse's `_option_string_actions`). */
  private readonly strings: ReadonlyMap<string, number>;

  constructor(
    all: readonly (readonly string[])[],
    private readonly abbreviates: boolean,
    private readonly words: CommandWords,
  ) {
    this.strings = optionStrings(all);
  }

  /** argparse.py `_parse_optional`: an option, an argument (`A`), or the parser's error (an ambiguous prefix). */
  parseOptional(word: string): Optional | 'A' | 'error' {
    if (!word.startsWith('-')) return 'A';
    const option = optionOf(word, this.strings, this.abbreviates);
    if (option !== undefined) return option;
    if (word.length === 1) return 'A';
    if (isNegative(word) && !this.words.negativeOptions) return 'A';
    return word.includes(' ') ? 'A' : { index: -1, string: word };
  }

  /** argparse.py `_parse_known_args`' loop over `consume_positionals` and `consume_optional`. */
  assign(args: readonly Token[], classified: readonly Classified[]): ParsedCommand | 'error' | undefined {
    const pattern = classified.map((c) => (typeof c === 'string' ? c : 'O')).join('');
    const out = new Map<string, readonly Token[]>();
    const taken = new Map<number, number>();
    let consumed = 0;
    let extras = 0;
    const consumePositionals = (start: number): number => {
      const left = this.words.positionals.slice(consumed);
      const counts = this.matchPartial(consumed, pattern, start);
      counts.forEach((count, i) => {
        // argparse.py `_get_values`: the first `--` is no value (but REMAINDER's and PARSER's).
        const given = args.slice(start, start + count);
        const { dest, nargs } = left[i]!;
        const dash = nargs === '...' || nargs === 'A...' ? -1 : given.findIndex((t) => t.text === '--');
        out.set(dest, dash < 0 ? given : given.filter((_, j) => j !== dash));
        start += count;
      });
      consumed += counts.length;
      return start;
    };
    const options = classified.flatMap((c, i) => (typeof c === 'string' ? [] : [i]));
    let k = 0;
    let start = 0;
    while (start <= (options.at(-1) ?? -1)) {
      while (options[k]! < start) k++;
      const next = options[k]!;
      if (start !== next) {
        const end = consumePositionals(start);
        const moved = end > start;
        start = end;
        if (moved) continue;
      }
      if (start !== next) {
        extras += next - start;
        start = next;
      }
      const stop = this.consumeOptional(classified[next] as Optional, pattern, next, taken);
      if (typeof stop !== 'number') return stop;
      if (stop < 0) extras++;
      start = stop < 0 ? next + 1 : stop;
    }
    extras += args.length - consumePositionals(start);
    if (extras > 0 && !this.words.keepsExtras) return 'error';
    // argparse.py `_get_positional_kwargs`: a positional is required but where its nargs is `?` or `*`.
    if (this.words.positionals.slice(consumed).some((p) => p.nargs !== '?' && p.nargs !== '*')) return 'error';
    return { positionals: out, options: taken };
  }

  /** Compiled `_match_arguments_partial` patterns, by the positionals consumed and how many are tried. */
  private readonly partials = new Map<string, RegExp>();

  /**
   * argparse.py `_match_arguments_partial` from `start` over the positionals after the first `consumed`: the words
   * each of the most that match takes, in order.
   */
  private matchPartial(consumed: number, pattern: string, start: number): number[] {
    const left = this.words.positionals.slice(consumed);
    for (let i = left.length; i > 0; i--) {
      const key = `${consumed}:${i}`;
      let re = this.partials.get(key);
      if (re === undefined) {
        re = new RegExp(
          left
            .slice(0, i)
            .map((p) => nargsPattern(p.nargs!, false))
            .join(''),
          'y',
        );
        this.partials.set(key, re);
      }
      re.lastIndex = start;
      const m = re.exec(pattern);
      if (m !== null) return m.slice(1).map((g) => g.length);
    }
    return [];
  }

  /**
   * argparse.py `consume_optional` of the option at `at`, adding the arguments it takes to `taken`: the index after
   * its words; -1 for an option the parser does not have (an extra); the parser's error; undefined for an option
   * whose nargs the file does not decide.
   */
  private consumeOptional(
    first: Optional,
    pattern: string,
    at: number,
    taken: Map<number, number>,
  ): number | 'error' | undefined {
    let { index, string, explicit } = first;
    if (index < 0) return -1;
    for (;;) {
      const nargs = this.words.nargs[index];
      if (nargs === undefined) return undefined;
      taken.set(index, at);
      if (explicit === undefined) {
        const count = matchArgument(nargs, pattern, at + 1);
        return count === undefined ? 'error' : at + 1 + count;
      }
      const count = matchArgument(nargs, 'A', 0);
      // A single-dash option that takes no word: the rest of the word is more such options (`-vt` is `-v -t`); one
      // the parser does not have is "ignored explicit argument".
      if (count === 0 && string[1] !== '-' && explicit !== '') {
        string = `-${explicit[0]}`;
        const next = this.strings.get(string);
        if (next === undefined) return 'error';
        index = next;
        explicit = explicit.slice(1) || undefined;
      } else return count === 1 ? at + 1 : 'error';
    }
  }
}

/** Compiled `_match_argument` patterns of options, by nargs. */
const OPTION_PATTERNS = new Map<Nargs, RegExp>();

/**
 * argparse.py `_match_argument`: how many of the words from `at` (as `pattern` shows them) an option takes;
 * undefined: its error.
 */
function matchArgument(nargs: Nargs, pattern: string, at: number): number | undefined {
  let re = OPTION_PATTERNS.get(nargs);
  if (re === undefined) {
    re = new RegExp(nargsPattern(nargs, true), 'y');
    OPTION_PATTERNS.set(nargs, re);
  }
  re.lastIndex = at;
  const m = re.exec(pattern);
  return m === null ? undefined : m[1]!.length;
}
