import path from 'node:path';
import { isCommandArgument, isFlag, type DynamicReference, type FileReferences, type ModelReference } from './types.js';
import type { EnvRead, FlagParse } from './python-env.js';
import type { ScriptOptions } from './python-argparse.js';
import { execFormWords, type Token } from './shell-words.js';
import { isDecided, optionOf, optionStrings, parseCommand } from './script-positionals.js';
import { looksLikeRepoId, revisionKind } from './ids.js';
import { CommentLines, commandStart, lineIndex } from './text.js';
import { isComposeFile, isDockerfile, isInstalledPackage, languageOf } from './sources.js';
import { dockerfileStart } from './dockerfile-start.js';
import { CommandScript } from './command-script.js';
import { PYTHON_RUNNER_WORD } from './prefilter.js';

/**
 * A model a Python script loads by a command-line argument (python-argparse.ts: `--model_name_or_path` with its
 * default, or with none), given its value by a command line elsewhere in the repository: a shell script, a Makefile
 * recipe, a workflow's `run:` step or a Dockerfile's `RUN`/`CMD` that runs `python train.py --model_name_or_path
 * org/x` loads org/x, whatever the script's default. Each such argument is reported at the command's line, as the
 * loader it reaches judges it. Never run.
 *
 * argparse.py, followed here (`_parse_known_args` / `consume_optional`): an option's value is the next word, or what
 * follows `=` in `--flag=value`; a later occurrence overrides an earlier one; after `--` every word is positional; a
 * unique prefix of a long option is that option (`_parse_optional` / `_get_option_tuples`, `allow_abbrev`), where the
 * script's options are known (python-argparse.ts `scriptOptions`); a dataclass parser's field option with its `_`s
 * written `-`. A positional argument (`<model>`), and a switch in a cluster of short options (`-vt`), as argparse
 * gives the command's words to the parser's arguments (script-positionals.ts), where the script's file decides its
 * parser. What is not followed (left to the script's own finding, which names the default): a short alias the
 * finding does not name.
 */

/** A load whose model name or revision a script's command-line flag decides. */
interface ArgumentLoad {
  /** The load with a default name (`nameFrom` the flag) or a name fixed by the file (`revisionFrom` the flag). */
  readonly ref?: ModelReference;
  /** The load with no default name (`nameFrom` the flag). */
  readonly dynamic?: DynamicReference;
  /** How a command line may write the script's options other than as the load names them. */
  readonly options?: ScriptOptions;
}

/**
 * The loads of Python scripts (not inline code) that read a name or revision from a flag, by the script's path, each
 * with its parser's options where `options` (by the script's path) knows them.
 */
export function argumentLoads(
  references: readonly ModelReference[],
  dynamic: readonly DynamicReference[],
  options: ReadonlyMap<string, ScriptOptions>,
): Map<string, ArgumentLoad[]> {
  const out = new Map<string, ArgumentLoad[]>();
  // Loads of one script that differ only in their place give every command line the same reference: one is kept, so
  // that a script of thousands of `from_pretrained(args.model)` lines costs each command one reference, not thousands.
  const seen = new Set<string>();
  const add = (p: string, load: { ref: ModelReference } | { dynamic: DynamicReference }, key: object) => {
    if (!p.endsWith('.py')) return;
    const id = JSON.stringify([p, key]);
    if (seen.has(id)) return;
    seen.add(id);
    const known = options.get(p);
    const full = known ? { ...load, options: known } : load;
    const list = out.get(p);
    if (list) list.push(full);
    else out.set(p, [full]);
  };
  for (const ref of references)
    if (
      ref.inline === undefined &&
      ref.url === undefined &&
      (isCommandArgument(ref.nameFrom) || isCommandArgument(ref.revisionFrom))
    )
      add(ref.path, { ref }, givenOf(ref));
  for (const d of dynamic)
    if (isCommandArgument(d.nameFrom) && HUB_LOADS.test(d.via))
      add(d.path, { dynamic: d }, [d.nameFrom, d.via, d.runsRemoteCode, d.remoteCodeFrom ?? null]);
  return out;
}

/** What `given` takes from a load with a default: all of it but its place, which the command line's replaces. */
function givenOf(ref: ModelReference): object {
  const { repoId, nameFrom, revision, revisionFrom } = ref;
  return [withoutName(ref), repoId, nameFrom ?? null, revision ?? null, revisionFrom ?? null];
}

/**
 * The loaders that take a Hugging Face hub id where a load with no default name is made a reference (a load with a
 * default keeps its own hub): transformers' and diffusers' `from_pretrained`, `pipeline`, sentence-transformers, and
 * huggingface_hub's downloads.
 */
const HUB_LOADS =
  /(?:^|\.)(?:from_pretrained|pipeline|SentenceTransformer|CrossEncoder|hf_hub_download|snapshot_download)$/;

/** Whether the refs stage reads `p` for command lines that run scripts: the shell finder's files, Compose's aside. */
export function runsScripts(p: string): boolean {
  return languageOf(p) === 'shell' && !isComposeFile(p) && !isInstalledPackage(p);
}

/**
 * A Python interpreter or a launcher that runs a script with its arguments (`torchrun`, `accelerate launch`,
 * `deepspeed`, `uv run`: "a file ending in .py is run with a Python interpreter"), at the start of a command or after
 * a separator, a path's slash or an exec form's bracket or quote.
 */
const RUNNER =
  /(?:^|[\s;&|(`"'[,/])(?:python[\d.]*|torchrun|deepspeed|accelerate["',\s]+launch|uv["',\s]+run)(?=["',\s])/g;

/** `python -m <module>` modules that run a script given after their own options. */
const LAUNCH_MODULES = new Set(['torch.distributed.run', 'torch.distributed.launch', 'accelerate.commands.launch']);

/** The references the command lines of `text` (a file at `p`) give the scripts of `loads`. */
export function findScriptArgumentReferences(
  p: string,
  text: string,
  loads: ReadonlyMap<string, readonly ArgumentLoad[]>,
  existsLocally: (p: string) => boolean,
  runTime?: (word: string) => boolean,
): FileReferences {
  const out: FileReferences = { references: [], dynamic: [] };
  const where = lineIndex(text);
  const comments = new CommentLines(text);
  const scripts = [...loads.keys()];
  // A runner inside a command already read is one of its words (`python python …`): each segment is read once, and
  // the work is linear in the text.
  let read = 0;
  // The image's start command, read (the whole Dockerfile parsed) only once a runner is found.
  let image: ReturnType<typeof imageCommand> | null = null;
  for (const m of text.matchAll(RUNNER)) {
    // A comment line (`# python train.py …`) runs nothing.
    if (m.index < read || comments.at(commandStart(m))) continue;
    const from = m.index + m[0].length;
    if (image === null) image = isDockerfile(p) ? imageCommand(text) : undefined;
    const command =
      image !== undefined && from > image.from && from <= image.to
        ? { words: [...image.entry.filter((w) => w.at >= from), ...image.cmd], end: image.to }
        : commandWords(text, from);
    read = command.end;
    // A value a Python program's command takes at run time (python-commands.ts) is one word the run time chooses.
    const words = runTime ? command.words.map((w) => (runTime(w.text) ? { ...w, expands: true } : w)) : command.words;
    const at = scriptAt(words);
    if (at < 0) continue;
    const script = resolveScript(p, words[at]!.text, loads, scripts);
    if (script === undefined) continue;
    const scriptLoads = loads.get(script)!;
    // The loads of one script share its parser's options.
    // A word the shell does not split: quoted, or a Python command's run-time value.
    const args = lastOptions(
      words.slice(at + 1),
      scriptLoads[0]?.options,
      (t) => text[t.at] === '"' || (runTime?.(t.text) ?? false),
    );
    for (const load of scriptLoads) given(load, args, script, p, where, existsLocally, out);
  }
  return out;
}

/**
 * The command a Dockerfile's image runs where its exec-form ENTRYPOINT has an exec-form CMD (written before or after
 * it): the ENTRYPOINT's words (from `from` to `to`) with the CMD's after them (docs.docker.com reference/dockerfile
 * "Understand how CMD and ENTRYPOINT interact", as servers.ts reads it: dockerfile-start.ts). Undefined where either
 * is missing or in shell form: each line is then read as its own command.
 */
function imageCommand(
  text: string,
): { from: number; to: number; entry: readonly Token[]; cmd: readonly Token[] } | undefined {
  const start = dockerfileStart(text);
  const [entry, cmd] = [start?.entrypoint, start?.cmd];
  if (typeof entry !== 'object' || typeof cmd !== 'object' || entry.length === 0 || cmd.length === 0) return undefined;
  const last = entry[entry.length - 1]!;
  return { from: entry[0]!.at, to: last.at + last.text.length, entry, cmd };
}

/**
 * The words of a command from `from` to the end of its shell segment, over the lines a trailing backslash continues
 * it onto (each backslash-newline blanked, so every word keeps its offset).
 */
function commandWords(text: string, from: number): { words: Token[]; end: number } {
  const separator = /[;&|`\n]/g;
  separator.lastIndex = from;
  let end = text.length;
  for (let m = separator.exec(text); m; m = separator.exec(text))
    if (!(m[0] === '\n' && /\\\r?$/.test(text.slice(Math.max(from, m.index - 2), m.index)))) {
      end = m.index;
      break;
    }
  const segment = text.slice(from, end).replace(/\\\r?\n/g, (c) => ' '.repeat(c.length));
  return { words: execFormWords(segment, from), end };
}

/**
 * The index of the script a runner's words name: the first word that ends in `.py`, with only options before it;
 * -1 for `python -c`, or `-m` of a module that is no launcher (`python -m pytest tests/x.py` runs pytest).
 */
function scriptAt(words: readonly Token[]): number {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!.text;
    if (w === '-c') return -1;
    if (w === '-m') {
      if (!LAUNCH_MODULES.has(words[i + 1]?.text ?? '')) return -1;
      i++;
      continue;
    }
    if (w.endsWith('.py')) return words[i]!.expands ? -1 : i;
  }
  return -1;
}

/**
 * The repository path of a script a command names: relative to the command file's folder or to the repository's root
 * (a workflow step's and, usually, a Makefile's or a script's working folder); else the one script whose path ends in
 * what is written, or that what is written ends in (`python /app/train.py` after `COPY . /app`); else the one script
 * of that file name (`COPY scripts /app`). Undefined: none, or several.
 */
function resolveScript(
  p: string,
  written: string,
  loads: ReadonlyMap<string, unknown>,
  scripts: readonly string[],
): string | undefined {
  const rel = written.replace(/^\.\//, '');
  for (const base of [path.posix.dirname(p), '.']) {
    const joined = path.posix.normalize(path.posix.join(base, rel));
    if (loads.has(joined)) return joined;
  }
  const tail = `/${rel.replace(/^\/+/, '')}`;
  const ends = scripts.filter((s) => `/${s}`.endsWith(tail) || tail.endsWith(`/${s}`));
  if (ends.length > 0) return ends.length === 1 ? ends[0] : undefined;
  const named = scripts.filter((s) => path.posix.basename(s) === path.posix.basename(rel));
  return named.length === 1 ? named[0] : undefined;
}

/** What one command line gives one load: a reference, a name chosen at run time, or nothing (the default stands). */
function given(
  load: ArgumentLoad,
  args: LastOptions,
  script: string,
  p: string,
  where: (offset: number) => { line: number; column: number },
  existsLocally: (p: string) => boolean,
  out: FileReferences,
): void {
  const base: (ModelReference | DynamicReference) & { readonly remoteCodeFrom?: EnvRead } = load.ref ?? load.dynamic!;
  // argparse's value of each flag, the last occurrence's; a flag followed by an option, or by nothing, has none:
  // argparse exits with an error, and nothing loads.
  const name = isCommandArgument(base.nameFrom) ? args(base.nameFrom)?.value : undefined;
  const rev = load.ref && isCommandArgument(load.ref.revisionFrom) ? args(load.ref.revisionFrom)?.value : undefined;
  const trust = trustGiven(base, args);
  const token = name ?? rev ?? trust?.flag;
  if (token === undefined) return;
  const remote = trust?.setting ?? {
    runsRemoteCode: base.runsRemoteCode,
    ...(base.remoteCodeFrom !== undefined ? { remoteCodeFrom: base.remoteCodeFrom } : {}),
  };
  const place = { path: p, ...where(token.at), via: base.via, ...remote };
  const own = load.ref;
  // A name the shell expands, or one the script has no default for and the command does not give: the run time's.
  if (name?.expands || (name === undefined && own === undefined)) {
    const from = name ? name.variable : base.nameFrom;
    out.dynamic.push({ ...place, ...(from !== undefined ? { nameFrom: from } : {}) });
    return;
  }
  const repoId = name?.text ?? own?.repoId;
  // A value that names a folder or a file: transformers' `from_pretrained` reads it from disk (`os.path.isdir`).
  if (repoId === undefined || (name !== undefined && !looksLikeRepoId(repoId, existsLocally))) return;
  const revision = rev ? (rev.expands ? undefined : rev.text) : own?.revision;
  out.references.push({
    ...(own ? withoutName(own) : {}),
    ...place,
    hub: own?.hub ?? 'huggingface',
    repoId,
    ...(revision !== undefined ? { revision } : {}),
    revisionKind: rev ? (rev.expands ? 'ref' : revisionKind(revision)) : (own?.revisionKind ?? 'none'),
    // The default name stands where the command gives only the revision; a revision flag the command does not give
    // leaves its default.
    ...(name === undefined && own?.nameFrom !== undefined ? { nameFrom: own.nameFrom } : {}),
    ...(rev === undefined && own?.revisionFrom !== undefined ? { revisionFrom: own.revisionFrom } : {}),
    argumentOf: `${script} ${name ? base.nameFrom! : rev ? own!.revisionFrom! : trust!.setting.remoteCodeFrom.variable}`,
  });
}

/**
 * The command's trust flag, where it turns the load's `trust_remote_code` on (calls.ts `remoteCodeFrom`: a flag whose
 * default leaves it off), as the script's parser reads it (`FlagParse`, the flag's `parsed`); a value the shell
 * expands, or one a function of the script converts (`type=str2bool`), is the run time's (judge.ts
 * `RemoteCodeAtRunTime`). Undefined: the flag is not given, turns nothing on, or is the parser's error (nothing loads).
 */
function trustGiven(
  load: { readonly runsRemoteCode: boolean; readonly remoteCodeFrom?: EnvRead },
  args: LastOptions,
):
  | { flag: Token; setting: { runsRemoteCode: boolean; remoteCodeAtRunTime?: true; remoteCodeFrom: EnvRead } }
  | undefined {
  const from = load.remoteCodeFrom;
  if (load.runsRemoteCode || from === undefined || !isFlag(from.variable)) return undefined;
  const at = args(from.variable, from.parsed === 'switch');
  if (at === undefined) return undefined;
  const { flag, value } = at;
  const on = flagTruth(from.parsed, value);
  if (on === true) return { flag, setting: { runsRemoteCode: true, remoteCodeFrom: { variable: from.variable } } };
  return on === 'run-time'
    ? { flag, setting: { runsRemoteCode: false, remoteCodeAtRunTime: true, remoteCodeFrom: from } }
    : undefined;
}

/**
 * What a flag given with `value` (joined, or the next word; none for the flag alone) makes the attribute, by its
 * parser's `FlagParse`: true, false (or the parser's error), or only the run's.
 */
function flagTruth(parsed: FlagParse | undefined, value: Token | undefined): boolean | 'run-time' {
  // argparse.py `consume_optional`: a `store_true` flag takes no word after it; one joined to it by `=` is an error.
  if (parsed === 'switch') return value === undefined;
  if (value?.expands || parsed === undefined) return 'run-time';
  // argparse.py `_match_argument`: the flag alone is "expected one argument", unless `nargs="?"` gives `const=True`.
  if (value === undefined) return parsed === 'words';
  if (parsed === 'string') return value.text !== '';
  // hf_argparser.py `string_to_bool`.
  return TRUE_WORDS.has(value.text.toLowerCase());
}

/** hf_argparser.py `string_to_bool`'s true strings, lowered. */
const TRUE_WORDS: ReadonlySet<string> = new Set(['yes', 'true', 't', 'y', '1']);

/**
 * A command's options before `--`: the last occurrence of a flag, and its value, as argparse reads the words. A flag
 * that takes no value (`alone`, argparse's `store_true`) has none but one joined by `=` (argparse.py
 * `consume_optional`: `-tv` is `-t -v`), or the word after it where the parser takes no positional (its error). A
 * positional argument (`<dest>`): its one word, where it takes one.
 */
type LastOptions = (flag: string, alone?: boolean) => { flag: Token; value?: Token } | undefined;

/**
 * The last occurrence of each option in `args` before `--`, and where its value is (joined to it, or a next word no
 * option), read in one pass: each load then looks its flags up, where reading the words again per load was loads ×
 * words. A word counts under what it is written as, and, where the parser's options are known, under the argument
 * argparse reads it as (`argumentOf`: an option string of it, or the one option a prefix or a short option's head
 * matches).
 */
function lastOptions(
  args: readonly Token[],
  options: ScriptOptions | undefined,
  quoted: (t: Token) => boolean,
): LastOptions {
  const all = options?.arguments;
  const found = new Map<string, { at: number; valueAt?: number }>();
  const resolved = new Map<string, { index: number; valueAt?: number } | undefined>();
  const strings = all && optionStrings(all);
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    if (t.text === '--') break;
    const eq = t.text.indexOf('=');
    const written = eq < 0 ? t.text : t.text.slice(0, eq);
    found.set(written, eq < 0 ? { at: i } : { at: i, valueAt: eq + 1 });
    if (strings === undefined || !t.text.startsWith('-')) continue;
    if (!resolved.has(t.text)) resolved.set(t.text, argumentOf(t.text, strings, options!.abbreviates === true));
    const r = resolved.get(t.text);
    if (r !== undefined)
      found.set(`\0${r.index}`, { at: i, ...(r.valueAt !== undefined ? { valueAt: r.valueAt } : {}) });
  }
  const occurrence = (o: { at: number; valueAt?: number }, alone: boolean): { flag: Token; value?: Token } => {
    const t = args[o.at]!;
    if (o.valueAt === undefined) {
      const next = args[o.at + 1];
      const bare = next !== undefined && !next.text.startsWith('-');
      // A flag that takes no value leaves the word after it to the positionals; a parser with none exits on it
      // (argparse.py `consume_optional`, then `parse_args`: "unrecognized arguments"), which the word's value shows
      // (`flagTruth`: a switch given a value is the parser's error). A word the shell expands may be an option, or
      // none.
      if (alone) return bare && options?.noPositionals && !next.expands ? { flag: t, value: next } : { flag: t };
      return bare ? { flag: t, value: next } : { flag: t };
    }
    if (alone && t.text[o.valueAt - 1] !== '=') return { flag: t };
    return { flag: t, value: { ...t, text: t.text.slice(o.valueAt), at: t.at + o.valueAt } };
  };
  const flagOccurrence = (flag: string, alone: boolean): { flag: Token; value?: Token } | undefined => {
    const index = all?.findIndex((names) => names.includes(flag)) ?? -1;
    const hit = index >= 0 ? found.get(`\0${index}`) : found.get(flag);
    // HfArgumentParser's hyphenated alias of a field's option: the later of the two spellings.
    const alias =
      index < 0 && options?.hyphenated && flag.startsWith('--') ? found.get(flag.replace(/_/g, '-')) : undefined;
    const last = alias && (!hit || alias.at > hit.at) ? alias : hit;
    return last && occurrence(last, alone);
  };
  // The whole command as the parser reads it (script-positionals.ts), where the file decides it: with a quoted
  // expansion taken for one argument, and without.
  const decided = isDecided(options) ? options : undefined;
  const parsed = new Map<boolean, ReturnType<typeof parseCommand>>();
  const parse = (lenient: boolean) => {
    if (!parsed.has(lenient))
      parsed.set(
        lenient,
        parseCommand(args, decided!, (t) => lenient && quoted(t)),
      );
    return parsed.get(lenient);
  };
  return (flag, alone = false) => {
    if (decided === undefined) return flag.startsWith('<') ? undefined : flagOccurrence(flag, alone);
    if (flag.startsWith('<')) {
      // The one word of a positional whose nargs is none or `?` (a list for any other); none given, its default
      // stands.
      const command = parse(true);
      const dest = flag.slice(1, -1);
      const nargs = decided.words.positionals.find((p) => p.dest === dest)?.nargs;
      const given = typeof command === 'object' ? command.positionals.get(dest) : undefined;
      return given?.length === 1 && (nargs === null || nargs === '?')
        ? { flag: given[0]!, value: given[0]! }
        : undefined;
    }
    // A switch the parser reads in a cluster (`-vt` is `-v -t`), and none where the command is the parser's error
    // (`-tX`: "ignored explicit argument"); a word the shell may make an option leaves it to the words as written.
    const command = alone ? parse(false) : undefined;
    if (command === 'error') return undefined;
    if (command !== undefined) {
      const at = command.options.get(decided.arguments.findIndex((names) => names.includes(flag)));
      return at === undefined ? undefined : { flag: args[at]! };
    }
    return flagOccurrence(flag, alone);
  };
}

/**
 * The argument of the parser's option `strings` that argparse reads `word` as (script-positionals.ts `optionOf`, after
 * argparse.py `_parse_optional`), and where in it a value joined to it starts (`--flag=value`, `-mVALUE`); none for
 * no option or argparse's "ambiguous option" error.
 */
function argumentOf(
  word: string,
  strings: ReadonlyMap<string, number>,
  abbreviates: boolean,
): { index: number; valueAt?: number } | undefined {
  const option = optionOf(word, strings, abbreviates);
  if (option === undefined || option === 'error') return undefined;
  const { index, explicit } = option;
  return explicit === undefined ? { index } : { index, valueAt: word.length - explicit.length };
}

/** A reference without what named its default: its place, name and revision, and where they were read from. */
function withoutName(
  ref: ModelReference,
): Omit<
  ModelReference,
  'path' | 'line' | 'column' | 'repoId' | 'nameFrom' | 'revision' | 'revisionFrom' | 'definedIn' | 'oneOf'
> {
  const {
    path: _path,
    line: _line,
    column: _column,
    repoId: _repoId,
    nameFrom: _nameFrom,
    revision: _revision,
    revisionFrom: _revisionFrom,
    definedIn: _definedIn,
    oneOf: _oneOf,
    ...rest
  } = ref;
  return rest;
}

/**
 * Whether the refs stage reads `p` for the command lines it runs: the shell finder's files, notebooks, and Python
 * programs (`subprocess.run(["python", "train.py", …])`).
 */
export function readsCommandLines(p: string): boolean {
  const language = languageOf(p);
  return runsScripts(p) || language === 'notebook' || language === 'python';
}

/**
 * What the command lines of a file at `p` give the scripts of `loads`: a notebook's shell escapes (`!python train.py
 * --model …` runs in a shell, IPython `InteractiveShell.system`, as a script's line does), each placed in the
 * notebook's JSON text; a shell finder's file whole. Undefined: a file that runs no command line.
 */
export async function commandLineArguments(
  p: string,
  text: string,
  loads: ReadonlyMap<string, readonly ArgumentLoad[]>,
  existsLocally: (p: string) => boolean,
): Promise<FileReferences | undefined> {
  if (languageOf(p) === 'notebook') {
    // Loaded on need: the notebook reader brings the Python parser with it.
    const cells = (await import('./python-notebook.js')).notebookShell(text);
    return cells?.placed(findScriptArgumentReferences(p, cells.shell, loads, existsLocally));
  }
  if (languageOf(p) === 'python') return pythonCommandLines(p, text, loads, existsLocally);
  return runsScripts(p) ? findScriptArgumentReferences(p, text, loads, existsLocally) : undefined;
}

/**
 * The command lines a Python program runs (python-commands.ts `pythonCommandScript`: `subprocess.run([sys.executable,
 * "train.py", "--model", "org/x"])`, `os.system("python train.py …")`, a list as argv word for word, a string with
 * `shell=True` as `/bin/sh` reads it), read as a shell file's, each found argument placed at the call's words. A
 * value the file does not decide is the run time's. Loaded on need: the reader brings the Python parser with it.
 */
async function pythonCommandLines(
  p: string,
  text: string,
  loads: ReadonlyMap<string, readonly ArgumentLoad[]>,
  existsLocally: (p: string) => boolean,
): Promise<FileReferences | undefined> {
  if (!PYTHON_RUNNER_WORD.test(text)) return undefined;
  const { pythonCommandScript } = await import('./python-commands.js');
  const script = pythonCommandScript(text)?.script;
  if (script === undefined || script.commands === 0) return undefined;
  const found = findScriptArgumentReferences(p, script.text, loads, existsLocally, (w) => CommandScript.isRunTime(w));
  return script.placed(found, text);
}
