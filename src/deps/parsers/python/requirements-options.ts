/** What an option of a requirements file line does for chainproof (pip's option `dest`, or `ignored`). */
export type ReqOptionKind =
  | 'index-url'
  | 'extra-index-url'
  | 'find-links'
  | 'no-index'
  | 'trusted-host'
  | 'requirement'
  | 'constraint'
  | 'editable'
  | 'require-hashes'
  | 'hash'
  | 'no-binary'
  | 'only-binary'
  | 'ignored';

interface OptionSpec {
  readonly kind: ReqOptionKind;
  readonly takesValue: boolean;
}

/**
 * Every option of pip's requirements-file line parser (`req_file.build_parser`: SUPPORTED_OPTIONS plus
 * SUPPORTED_OPTIONS_REQ, by their `cmdoptions` spellings; `--pypi-url` is an old alias of `--index-url` pip still
 * accepts).
 */
const LONG: ReadonlyMap<string, OptionSpec> = new Map([
  ['--index-url', { kind: 'index-url', takesValue: true }],
  ['--pypi-url', { kind: 'index-url', takesValue: true }],
  ['--extra-index-url', { kind: 'extra-index-url', takesValue: true }],
  ['--no-index', { kind: 'no-index', takesValue: false }],
  ['--constraint', { kind: 'constraint', takesValue: true }],
  ['--requirement', { kind: 'requirement', takesValue: true }],
  ['--editable', { kind: 'editable', takesValue: true }],
  ['--find-links', { kind: 'find-links', takesValue: true }],
  ['--no-binary', { kind: 'no-binary', takesValue: true }],
  ['--only-binary', { kind: 'only-binary', takesValue: true }],
  ['--prefer-binary', { kind: 'ignored', takesValue: false }],
  ['--require-hashes', { kind: 'require-hashes', takesValue: false }],
  ['--pre', { kind: 'ignored', takesValue: false }],
  ['--trusted-host', { kind: 'trusted-host', takesValue: true }],
  ['--use-feature', { kind: 'ignored', takesValue: true }],
  ['--global-option', { kind: 'ignored', takesValue: true }],
  ['--hash', { kind: 'hash', takesValue: true }],
  ['--config-settings', { kind: 'ignored', takesValue: true }],
]);
const SHORT: ReadonlyMap<string, string> = new Map([
  ['-i', '--index-url'],
  ['-c', '--constraint'],
  ['-r', '--requirement'],
  ['-e', '--editable'],
  ['-f', '--find-links'],
  ['-C', '--config-settings'],
]);

export interface ReqOption {
  readonly kind: ReqOptionKind;
  readonly value: string;
}

export type ParsedOptions = { readonly options: ReqOption[] } | { readonly error: string };

/**
 * The options of one line as optparse's `OptionParser.parse_args` reads them for pip: every option on the line
 * (pip applies them all), a long option by any unambiguous prefix (`--extra` is `--extra-index-url`, optparse's
 * `_match_abbrev`), `--opt=value` or `--opt value`, a short option glued to its value (`-ihttps://…`), words that
 * are not options skipped, `--` ending the options. An unknown, ambiguous or valueless option is an error, as it is
 * for pip.
 */
export function parseOptions(words: readonly string[]): ParsedOptions {
  const options: ReqOption[] = [];
  for (let i = 0; i < words.length; i++) {
    const arg = words[i]!;
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const typed = eq < 0 ? arg : arg.slice(0, eq);
      const name = matchLong(typed);
      if (typeof name !== 'string') return { error: name.error };
      const spec = LONG.get(name)!;
      if (!spec.takesValue) {
        if (eq >= 0) return { error: `${name} option does not take a value` };
        options.push({ kind: spec.kind, value: '' });
        continue;
      }
      const value = eq >= 0 ? arg.slice(eq + 1) : words[++i];
      if (value === undefined) return { error: `${name} option requires 1 argument` };
      const bad = valueError(spec.kind, value);
      if (bad !== undefined) return { error: bad };
      options.push({ kind: spec.kind, value });
    } else if (arg.startsWith('-') && arg.length > 1) {
      // Every short option of the parser takes a value: the rest of the word, or the next word.
      const name = SHORT.get(arg.slice(0, 2));
      if (name === undefined) return { error: `no such option: ${arg.slice(0, 2)}` };
      const value = arg.length > 2 ? arg.slice(2) : words[++i];
      if (value === undefined) return { error: `${arg} option requires 1 argument` };
      options.push({ kind: LONG.get(name)!.kind, value });
    }
  }
  return { options };
}

/** optparse's `_match_abbrev` over `names`: the typed word if it is one, else every name it is a prefix of. */
export function abbrevMatches(typed: string, names: Iterable<string>): string[] {
  const all = [...names];
  return all.includes(typed) ? [typed] : all.filter((k) => k.startsWith(typed));
}

/** optparse's `_match_abbrev`: an exact name, else the only long option the text is a prefix of. */
function matchLong(typed: string): string | { error: string } {
  const hits = abbrevMatches(typed, LONG.keys());
  if (hits.length === 1) return hits[0]!;
  return {
    error:
      hits.length === 0
        ? `no such option: ${typed.slice(0, 60)}`
        : `ambiguous option: ${typed.slice(0, 60)} (${hits.join(', ')}?)`,
  };
}

/** What pip's option callback refuses in the value of the option: it aborts the whole install. */
function valueError(kind: ReqOptionKind, value: string): string | undefined {
  if (kind === 'hash') return hashValueError(value);
  // `FormatControl.handle_mutual_excludes` raises CommandError for a value that looks like an option.
  if ((kind === 'no-binary' || kind === 'only-binary') && value.startsWith('-'))
    return '--no-binary / --only-binary option requires 1 argument.';
  return undefined;
}

/** pip's `STRONG_HASHES` (pip/_internal/utils/hashes.py), spelt as pip compares them: lower case only. */
export const STRONG_HASHES: readonly string[] = ['sha256', 'sha384', 'sha512'];

/**
 * pip's `cmdoptions._handle_merge_hash`, the callback of `--hash`: the value must be `name:digest`, and the name one of
 * `STRONG_HASHES` exactly (`SHA256`, `md5`, `sha1` are refused). Its `parser.error` makes the whole requirements file
 * a `RequirementsFileParseError`: pip installs nothing from it (checked with pip 23.0.1).
 */
function hashValueError(value: string): string | undefined {
  const colon = value.indexOf(':');
  if (colon < 0) return 'Arguments to --hash must be a hash name followed by a value, like --hash=sha256:abcde...';
  if (!STRONG_HASHES.includes(value.slice(0, colon)))
    return `Allowed hash algorithms for --hash are ${STRONG_HASHES.join(', ')}.`;
  return undefined;
}
