import { KeyedConstants } from './syntax.js';
import { plainName } from './python-scopes.js';
import { logicalLines } from './python-lines.js';
import { MLX_TRUE_VALUES, reportHubSetting } from './runtimes.js';
import { looksLikeRepoId } from './ids.js';
import { sentenceTransformersRepo } from './sentence-transformers.js';
import type { FileReferences } from './types.js';
import type { Resolved } from './calls.js';

/**
 * `os.environ.get("X", "main")` / `os.getenv("X")`: a value read from the environment at run time, with the default
 * the file gives. Both Python readers (python.ts over lezer, python-fast.ts without a parser) read it the same way.
 */
export interface EnvRead {
  readonly variable: string;
  /** The default when the variable is unset; none: `None`, which a loader's `revision` takes as its default branch. */
  readonly fallback?: string;
  /**
   * The default is a Python bool, not a string (`def load(trust=False)`, argparse `action="store_true"`, a dataclass
   * field `trust: bool = False`): `fallback` is its text, and its truth is this (python-loaders.ts `pythonTruth`).
   */
  readonly truth?: boolean;
  /**
   * A command-line flag's: what the attribute holds when a command line gives it (python-argparse.ts `FlagParse`);
   * none where a function the script names (`type=str2bool`) or a form this does not follow decides it.
   */
  readonly parsed?: FlagParse;
}

/**
 * How a parser turns a flag a command line gives into the attribute's value (script-arguments.ts `trustGiven`):
 * - `switch`: argparse `store_true` (argparse.py `_StoreTrueAction`) takes no value: the flag alone is True, and
 *   `--flag=value` is argparse's "ignored explicit argument" error;
 * - `string`: one value, as given (no `type`, or `type=str`) or `bool(value)` (`type=bool`): true unless empty
 *   (argparse.py `_get_values`; transformers takes a non-empty string as a true `trust_remote_code`);
 * - `words`: transformers' `HfArgumentParser` bool field (hf_argparser.py `_parse_dataclass_field`: `type=string_to_bool`,
 *   `nargs="?"`, `const=True`): the flag alone is True, `yes`/`true`/`t`/`y`/`1` (any case) True, `no`/`false`/`f`/`n`/`0`
 *   False, anything else an error;
 * - `word`: the same over one value that must be given: an `Optional[bool]` field whose default is `None` or none
 *   gets neither `nargs="?"` nor `const=True`, and the flag alone is argparse's "expected one argument" error.
 */
export type FlagParse = 'switch' | 'string' | 'words' | 'word';

/** CPython os.py: `getenv(key, default=None)` is `environ.get(key, default)`. */
const ENV_READERS: ReadonlySet<string> = new Set(['os.environ.get', 'os.getenv']);

/**
 * The env read a call makes, given its callee with imports resolved and its arguments' string values (undefined
 * for an argument whose value the file does not decide, or when any argument is not positional). A default the file
 * does not decide (`None`, a name chosen at run time) is no read: the revision stays a run-time choice.
 */
export function envRead(resolved: string, args: readonly (string | undefined)[] | undefined): EnvRead | undefined {
  if (!ENV_READERS.has(resolved) || !args || args.length < 1 || args.length > 2) return undefined;
  const [variable, fallback] = args;
  if (variable === undefined || (args.length === 2 && fallback === undefined)) return undefined;
  return fallback === undefined ? { variable } : { variable, fallback };
}

/**
 * Typer's parameter declarations (typer/params.py `Option(default, *param_decls, …)`, `Argument(default, …)`): a
 * parameter whose default is one of these calls defaults to the call's first argument (or `default=`), what the
 * command line gives when the option is not passed. `...` (required) is no default.
 */
export const TYPER_PARAMETERS: ReadonlySet<string> = new Set(['typer.Option', 'typer.Argument']);

/** click's parameter decorators (click/decorators.py `option`, `argument`), by what each declares. */
export const CLICK_PARAMETERS: ReadonlyMap<string, 'option' | 'argument'> = new Map([
  ['click.option', 'option'],
  ['click.decorators.option', 'option'],
  ['click.argument', 'argument'],
  ['click.decorators.argument', 'argument'],
]);

/**
 * The name of the function parameter a click option or argument fills (click/core.py `Option._parse_decls`,
 * `Argument._parse_decls`): an identifier among an option's declarations is the name; else the declaration with the
 * longest prefix (`--model-name` before `-m`, the first of equals), its dashes made underscores, lowercased. An
 * argument's one declaration is its name, the same way. Undefined where click would raise or name none.
 */
export function clickParameterName(kind: 'option' | 'argument', decls: readonly string[]): string | undefined {
  const valid = (name: string) => (/^[A-Za-z_]\w*$/.test(name) ? name : undefined);
  if (kind === 'argument') return decls.length === 1 ? valid(decls[0]!.replace(/-/g, '_').toLowerCase()) : undefined;
  const explicit = decls.filter((d) => /^[A-Za-z_]\w*$/.test(d));
  if (explicit.length > 0) return explicit[explicit.length - 1];
  // click/parser.py `_split_opt`: a prefix of one non-alphanumeric character, or two of the same.
  const split = (opt: string): [string, string] => {
    const first = opt.slice(0, 1);
    if (/^[A-Za-z0-9]$/.test(first)) return ['', opt];
    return opt.slice(1, 2) === first ? [opt.slice(0, 2), opt.slice(2)] : [first, opt.slice(1)];
  };
  // `--shout/--no-shout`: the first half names the parameter (`;` splits a declaration that starts with `/`).
  const names = decls.map((d) => split(d.split(d.startsWith('/') ? ';' : '/')[0]!));
  const best = names.reduce<[string, string] | undefined>(
    (a, b) => (a === undefined || b[0].length > a[0].length ? b : a),
    undefined,
  );
  return best && valid(best[1].replace(/-/g, '_').toLowerCase());
}

/**
 * A function parameter's default (`def load(model_id="org/x")`), read as an env read is: what loads when a caller
 * does not pass it, named `load(model_id)` (judge.ts words it so). `None` reads as an unset variable does (no
 * fallback: `model_id or "org/x"` then gives the string); an env read, that read. A parameter with no default, or one
 * the file does not decide, binds the name to nothing known.
 */
export function parameterDefault(
  fn: string,
  name: string,
  value: string | undefined,
  none: boolean,
  env: EnvRead | undefined,
  bool = false,
): EnvRead | undefined {
  const variable = `${plainName(fn)}(${plainName(name)})`;
  // A default that is itself read at run time (`revision=os.getenv("REV", "main")`, an imported env read): that read.
  if (value !== undefined) return bool ? boolDefault(variable, value) : { variable, fallback: value };
  return env ?? (none ? { variable } : undefined);
}

/** A default that is a Python bool (`True`/`False` as written): EnvRead `truth`. */
export function boolDefault(variable: string, text: string): EnvRead {
  return { variable, fallback: text, truth: text === 'True' };
}

/**
 * `X or Y` with X read at run time (an env read, a flag, a parameter): Python's `or` gives the first truthy operand,
 * so a truthy default of X's own is what loads when X is unset (Y is never evaluated), and otherwise Y: a string the
 * file decides, or Y's own default when Y is read at run time too (`args.tokenizer_name or args.model_name_or_path`,
 * `os.getenv("TOKENIZER") or MODEL_ID` — what loads when neither is set). The finding names X, the first variable the
 * value reads, as a Compose default that reads another variable names its outer one (compose-env.ts `interpolate`).
 */
export function orDefault(
  left: EnvRead | undefined,
  right: Pick<Resolved, 'value' | 'isString'>,
  rightEnv?: EnvRead,
): EnvRead | undefined {
  if (!left) return undefined;
  if (left.fallback !== undefined && left.fallback !== '' && left.truth !== false) return left;
  // `args.trust or False`: a bool, not the string "False" (which Python takes as true).
  if (right.value !== undefined && !right.isString)
    return right.value === 'True' || right.value === 'False' ? boolDefault(left.variable, right.value) : undefined;
  if (right.value !== undefined) return { variable: left.variable, fallback: right.value };
  // A bool default on the right is a trust_remote_code's to read (pythonTruth), not a name's.
  if (!rightEnv || rightEnv.truth !== undefined) return undefined;
  return rightEnv.fallback === undefined
    ? { variable: left.variable }
    : { variable: left.variable, fallback: rightEnv.fallback };
}

/**
 * `os.getenv("X", "0") == "1"` as it stands when X is unset: each side a string the file decides or an env read's
 * default; 'True' or 'False' when both are known. What the variable, once set, makes of it is the run time's, as for a
 * revision's default (`EnvRead`): the default is what runs unless the deployment says otherwise.
 */
/** `str` methods a comparison's side is often passed through (`os.getenv("X", "false").lower() == "true"`). */
export const STRING_CASE_METHODS: ReadonlyMap<string, (s: string) => string> = new Map([
  ['lower', (s: string) => s.toLowerCase()],
  ['upper', (s: string) => s.toUpperCase()],
  ['casefold', (s: string) => s.toLowerCase()],
  ['strip', (s: string) => s.trim()],
]);

export function comparedDefault(
  left: { readonly value: string | undefined; readonly env: EnvRead | undefined },
  op: '==' | '!=',
  right: { readonly value: string | undefined; readonly env: EnvRead | undefined },
): 'True' | 'False' | undefined {
  const l = left.value ?? left.env?.fallback;
  const r = right.value ?? right.env?.fallback;
  if (l === undefined || r === undefined || (left.env === undefined && right.env === undefined)) return undefined;
  return (l === r) === (op === '==') ? 'True' : 'False';
}

/** Names assigned an env read (`REVISION = os.getenv("MODEL_REVISION", "main")`); assigned twice differently: unknown. */
export class EnvConstants extends KeyedConstants<EnvRead> {
  constructor() {
    super((read) => JSON.stringify([read.variable, read.fallback ?? null]));
  }

  /**
   * `x = x or "org/x"`: the statement reads the one binding `x` has so far (a parameter, an env read) and gives its
   * default, as `orDefault` reads it; the name then holds that instead of a second, different binding. With no
   * binding known it is an ordinary one.
   */
  refine(name: string, read: EnvRead | undefined): void {
    if (this.get(name) !== undefined) this.replace(name, read);
    else this.set(name, read);
  }
}

/**
 * `os.environ["HF_ENDPOINT"] = "…"` / `os.environ.setdefault("HF_HUB_OFFLINE", "1")` in Python, the hub settings
 * runtimes.ts reads in shell: set before huggingface_hub is imported (constants.py reads them at import), they send
 * every download of the run to a mirror or turn downloads off. Each is a statement of its own: the match must start a
 * logical line (python-lines.ts), so a docstring or a comment that shows one is not read. A value that is not a
 * plain string literal is chosen at run time.
 */
const PYTHON_HUB_SETTING =
  /^[ \t]*(?:os\.)?environ(?:\[\s*(["'])(HF_ENDPOINT|HF_HUB_OFFLINE|TRANSFORMERS_OFFLINE)\1\s*\]\s*=(?!=)\s*|\.setdefault\(\s*(["'])(HF_ENDPOINT|HF_HUB_OFFLINE|TRANSFORMERS_OFFLINE)\3\s*,\s*)(?:"([^"\\\n]*)"|'([^'\\\n]*)'|([^\s#)][^#\n]*))/gm;

export function readPythonHubSettings(
  path: string,
  text: string,
  at: (offset: number) => { line: number; column: number },
  out: FileReferences,
  existsLocally: (p: string) => boolean,
): void {
  readLlamaIndexSettings(path, text, at, out, existsLocally);
  readMlxTrustSetting(text, out);
  if (!text.includes('HF_ENDPOINT') && !text.includes('OFFLINE')) return;
  for (const { m, first } of statementMatches(text, PYTHON_HUB_SETTING)) {
    const variable = (m[2] ?? m[4])!;
    const literal = m[5] ?? m[6];
    reportHubSetting({ path, ...at(first) }, variable, literal ?? m[7]!.trim(), literal === undefined, out);
  }
}

/**
 * `os.environ["MLX_LM_TRUST_REMOTE_CODE"] = "1"` (or `.setdefault(…)`): mlx_lm/utils.py `load_model` runs
 * `_trust_remote_code(trust_remote_code)`, true when the argument is or when `os.environ.get(
 * "MLX_LM_TRUST_REMOTE_CODE", "").lower() in ("1", "true", "yes")`, and then `exec_module`s the `model_file` the
 * repository's config.json names. `load`, `sharded_load`, `convert` and every mlx_lm command reach it, reading
 * `os.environ` at the call: so every mlx_lm load of the file runs the repository's code, wherever the setting stands.
 * A command the script starts, `subprocess.run(["mlx_lm.generate", …])`, inherits the script's `os.environ` (subprocess
 * passes it when no `env=` is given; one given is marked all the same, the cautious side): python-commands.ts marks
 * its references with this too. `os.putenv` leaves `os.environ` unchanged, so it is not read. A literal followed by more of the
 * expression (`"1" if x else "0"`), or any other value, is chosen at run time; one that ends the statement (a
 * comment, `;`, a CRLF line end) is the value.
 */
const MLX_TRUST_SETTING =
  /^[ \t]*(?:os\.)?environ(?:\[\s*(["'])MLX_LM_TRUST_REMOTE_CODE\1\s*\]\s*=(?!=)\s*|\.setdefault\(\s*(["'])MLX_LM_TRUST_REMOTE_CODE\2\s*,\s*)(?:(?:"([^"\\\n]*)"|'([^'\\\n]*)')(?=[ \t]*(?:[#);\r]|$))|([^\s#)][^#\n]*))/gm;

/** What the file's setting of `MLX_LM_TRUST_REMOTE_CODE` does to its mlx_lm loads (`MLX_TRUST_SETTING`). */
export function readMlxTrustSetting(text: string, out: FileReferences): void {
  if (!text.includes('MLX_LM_TRUST_REMOTE_CODE')) return;
  let trusts = false;
  let atRunTime = false;
  for (const { m } of statementMatches(text, MLX_TRUST_SETTING)) {
    const literal = m[3] ?? m[4];
    if (literal === undefined) atRunTime = true;
    else if (MLX_TRUE_VALUES.has(literal.toLowerCase())) trusts = true;
  }
  if (!trusts && !atRunTime) return;
  // The vias of mlx-lm's loads: python-loaders.ts `MLX_LOADS` / `MLX_SHARDED_LOADS` / `MLX_CONVERTS` (`mlx_lm.…`)
  // and runtimes.ts `readMlxLm`'s commands (`mlx_lm.generate`); mlx-vlm's (`mlx_vlm.…`) read no such variable.
  const setting = trusts ? { runsRemoteCode: true as const } : { remoteCodeAtRunTime: true as const };
  out.references.forEach((r, i) => {
    if (r.via.startsWith('mlx_lm.') && !r.runsRemoteCode) out.references[i] = { ...r, ...setting };
  });
  out.dynamic.forEach((d, i) => {
    if (d.via.startsWith('mlx_lm.') && !d.runsRemoteCode) out.dynamic[i] = { ...d, ...setting };
  });
}

/**
 * The matches of a global pattern whose text (past leading blanks, `first`) starts a logical line: a statement of
 * its own, not a string's or a continued line's text. The lines are read on the first match only.
 */
function statementMatches(text: string, re: RegExp): { m: RegExpExecArray; first: number }[] {
  const out: { m: RegExpExecArray; first: number }[] = [];
  let starts: Set<number> | undefined;
  for (const m of text.matchAll(re)) {
    const first = m.index + m[0].length - m[0].trimStart().length;
    starts ??= new Set((logicalLines(text) ?? []).map((l) => l.start));
    if (starts.has(first)) out.push({ m, first });
  }
  return out;
}

/**
 * LlamaIndex's global `Settings.embed_model = "local:org/name"`: the setter (llama_index/core/settings.py
 * `_Settings.embed_model`) calls `resolve_embed_model` (llama_index/core/embeddings/utils.py), which splits the string
 * at its first `:` and, for `local`, builds `HuggingFaceEmbedding(model_name=…, cache_folder=…)`: a SentenceTransformer
 * download at the default branch, no revision passed (python-loaders.ts `llamaIndexLocalEmbedShape`, the same string
 * given to a call). An assignment, not a call: read here, as the hub settings are, the same way by every reader. The
 * statement must start a logical line, and `Settings` must be LlamaIndex's (an import of it from llama_index).
 * After `import`, one blank starts the unparenthesised list (its characters include blanks): `import[ \t]+[^\n#(]*`
 * split a run of blanks every way, quadratic (60 KB of them held a scan for 3 s of CPU).
 */
const LLAMA_INDEX_EMBED_SETTING = /^[ \t]*Settings\.embed_model[ \t]*=(?!=)[ \t]*(["'])local:([^"'\\\s]+)\1/gm;
const LLAMA_INDEX_SETTINGS_IMPORT =
  /^[ \t]*from[ \t]+llama_index(?:\.core(?:\.settings)?)?[ \t]+import(?:[ \t]+\([^)]*\bSettings\b(?![ \t]+as\b)|[ \t][^\n#(]*\bSettings\b(?![ \t]+as\b))/m;

function readLlamaIndexSettings(
  path: string,
  text: string,
  at: (offset: number) => { line: number; column: number },
  out: FileReferences,
  existsLocally: (p: string) => boolean,
): void {
  if (!text.includes('embed_model') || !LLAMA_INDEX_SETTINGS_IMPORT.test(text)) return;
  for (const { m, first } of statementMatches(text, LLAMA_INDEX_EMBED_SETTING)) {
    const name = m[2]!;
    if (!looksLikeRepoId(name, existsLocally)) continue;
    out.references.push({
      path,
      ...at(first),
      via: 'Settings.embed_model',
      hub: 'huggingface',
      repoId: sentenceTransformersRepo(name),
      revisionKind: 'none',
      runsRemoteCode: false,
      takesNoRevision: true,
    });
  }
}
