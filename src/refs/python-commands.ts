import { runsCommands } from './prefilter.js';
import { logicalLines } from './python-lines.js';
import { StatementReader, type Arg, type Node } from './python-reader.js';
import { tokenize, Unsure, type StringValue } from './python-tokens.js';
import { CommandScript, type Piece } from './command-script.js';
import { boundOnce, resolveCallee } from './syntax.js';
import type { FileReferences } from './types.js';
import { readMlxTrustSetting } from './python-env.js';

/**
 * Command lines a Python file runs — `subprocess.run(["huggingface-cli", "download", "org/x"])`,
 * `os.system("hf download org/x")` — read by the shell finder (shell-commands.ts), as the CLI they start would
 * download: training and serving scripts fetch weights so as often as through the Python API. Never run.
 *
 * What each call hands the operating system, as CPython's subprocess.py and os module do:
 * - `subprocess.run` / `call` / `check_call` / `check_output` / `Popen` (`args`, first or by keyword): a sequence is
 *   the program and its arguments, word for word (`_execute_child` → `os.execvpe`); with `shell=True` its first item
 *   is the command line `/bin/sh -c` runs (the rest are the shell's own `$0`, `$1`…). A string with `shell=True` is
 *   that command line; a string without it is run as one program on POSIX (only a bare program name works there) and
 *   as a whole command line on Windows (`list2cmdline` / CreateProcess): read as a command line, the Windows meaning.
 * - `subprocess.getoutput` / `getstatusoutput`, `os.system`, `os.popen`, `asyncio.create_subprocess_shell`: a command
 *   line for the shell. `asyncio.create_subprocess_exec(program, *args)`: each positional argument one word.
 * - `shlex.split(line)` as the sequence: the line's words, as the shell splits them.
 * A value the file alone does not decide (a parameter, a call's result, an f-string field of one) stands in the
 * command as a word no repository holds: a download of it is a run-time note, never silence.
 */
export function findPythonCommandReferences(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
): FileReferences & { readonly unread: number } {
  const read = pythonCommandScript(text);
  if (read === undefined) return { references: [], dynamic: [], unread: 1 };
  const found = read.script.references(path, text, existsLocally);
  // The commands inherit the script's os.environ: a MLX_LM_TRUST_REMOTE_CODE it sets reaches an mlx_lm command.
  readMlxTrustSetting(text, found);
  return { ...found, unread: read.unread };
}

/**
 * The command lines a Python file runs, as one script with each character's place in the file, and how many calls
 * or statements that may run one were not read. Undefined: a file the line reader does not take (a lone carriage
 * return), whose commands are not read.
 */
export function pythonCommandScript(text: string): { script: CommandScript; unread: number } | undefined {
  const lines = logicalLines(text);
  if (!lines) return undefined;
  const reader = new StatementReader(text);
  let unread = 0;
  for (const line of lines) {
    const before = reader.calls.length;
    try {
      reader.statementLine(tokenize(text, line.start, line.end), line.header);
    } catch (err) {
      if (!(err instanceof Unsure || err instanceof RangeError)) throw err;
      reader.calls.length = before;
      // A statement this reader cannot read (a comprehension, a lambda): counted only where it may run a command
      // that downloads a model, which the file's other readers do not see.
      if (runsCommands(text.slice(line.start, line.end))) unread++;
    }
  }
  const imports = new Map(reader.imports);
  const once = boundOnce([...reader.assignments.map((a) => a.name), ...reader.rebound]);
  const constants = new Map<string, Node>();
  for (const a of reader.assignments) if (once.has(a.name)) constants.set(a.name, a.value);
  const script = new Script(text, constants, imports);
  for (const call of reader.calls) {
    const written = dotted(call.callee);
    const head = written?.split('.')[0];
    // A name no import binds is not the module's function (`run` of the file's own).
    if (written === undefined || !imports.has(head!)) continue;
    const kind = RUNNERS.get(resolveCallee(imports, written));
    if (kind === undefined) continue;
    if (script.full) {
      unread++;
      continue;
    }
    if (!script.command(kind, call.args, imports)) unread++;
  }
  return { script, unread };
}

/** How each runner takes its command (CPython subprocess.py, os, asyncio/subprocess.py). */
type Runner = 'args' | 'shell' | 'exec';
const RUNNERS: ReadonlyMap<string, Runner> = new Map([
  ['subprocess.run', 'args'],
  ['subprocess.call', 'args'],
  ['subprocess.check_call', 'args'],
  ['subprocess.check_output', 'args'],
  ['subprocess.Popen', 'args'],
  ['subprocess.getoutput', 'shell'],
  ['subprocess.getstatusoutput', 'shell'],
  ['os.system', 'shell'],
  ['os.popen', 'shell'],
  ['asyncio.create_subprocess_shell', 'shell'],
  ['asyncio.create_subprocess_exec', 'exec'],
]);

/** How deep a value is followed through names and `+` (a chain of constants, never a loop). */
const MAX_DEPTH = 16;

/** A dotted name (`subprocess.run`, `sp.Popen`, `system`), undefined for anything else. */
function dotted(n: Node): string | undefined {
  if (n.k === 'name') return n.name;
  if (n.k !== 'attribute') return undefined;
  const left = dotted(n.object);
  return left === undefined ? undefined : `${left}.${n.property}`;
}

/**
 * The script the shell finder reads: one line per command, with the file offset each character came from. Values
 * are the file's own constants (names bound once), as the Python finders read them.
 */
class Script extends CommandScript {
  constructor(
    private readonly file: string,
    private readonly constants: ReadonlyMap<string, Node>,
    private readonly imports: ReadonlyMap<string, string>,
  ) {
    super();
  }

  /** Adds the command a runner's call makes; false when it is too long to read. */
  command(kind: Runner, args: readonly Arg[], imports: ReadonlyMap<string, string>): boolean {
    const positional = args.filter((a) => a.k === 'positional').map((a) => a.value);
    const keyword = (name: string) => args.find((a) => a.k === 'keyword' && a.name === name)?.value;
    let line: Piece[] | undefined;
    if (kind === 'exec')
      line = this.argv(
        positional,
        args.some((a) => a.k === 'splat'),
      );
    else {
      // os.system(command), os.popen(cmd), subprocess.getoutput(cmd), create_subprocess_shell(cmd); Popen(args).
      const value = positional[0] ?? (kind === 'shell' ? (keyword('cmd') ?? keyword('command')) : keyword('args'));
      if (value === undefined) return true;
      const shell = kind === 'shell' || this.isTrue(keyword('shell'));
      const seq = this.sequence(value, imports);
      if (seq === undefined) line = this.string(value);
      else if (seq.kind === 'line') line = seq.pieces;
      // subprocess.py `_execute_child`: with shell=True, a sequence's first item is the command line.
      else if (shell) line = seq.items[0] === undefined ? undefined : this.string(seq.items[0]);
      else line = this.argv(seq.items, seq.open);
      if (seq?.kind === 'items' && seq.at !== undefined)
        line = line?.map((p) => ({ ...p, from: seq.at!, exact: false }));
    }
    return !line || this.add(line);
  }

  /** `shell=True` (any truthy constant the reader knows: `True`, a non-empty string). */
  private isTrue(n: Node | undefined): boolean {
    if (n === undefined) return false;
    if (n.k === 'bool') return n.text === 'True';
    return n.k === 'string' && n.value.kind === 'plain' && n.value.value !== '';
  }

  /** A sequence display (list or tuple, through names bound once), or `shlex.split(line)`; undefined otherwise. */
  private sequence(
    n: Node,
    imports: ReadonlyMap<string, string>,
    depth = 0,
  ):
    | { kind: 'items'; items: readonly Node[]; open: boolean; at?: number }
    | { kind: 'line'; pieces: Piece[] }
    | undefined {
    if (depth > MAX_DEPTH) return undefined;
    if (n.k === 'paren') return this.sequence(n.inner, imports, depth + 1);
    if (n.k === 'name') {
      // A constant's words stand where the call names it (as the Python finders place a constant's value).
      const bound = this.constants.get(n.name);
      const seq = bound && this.sequence(bound, imports, depth + 1);
      if (seq?.kind === 'line')
        return { kind: 'line', pieces: seq.pieces.map((p) => ({ ...p, from: n.from, exact: false })) };
      // A list the file changes in place (`cmd.append(model)`, `cmd += […]`, `cmd[1] = …`) holds more than its
      // display: what else it holds is the run time's.
      return seq && { ...seq, at: n.from, open: seq.open || this.changedInPlace(n.name) };
    }
    if (n.k === 'other' && n.items) return { kind: 'items', items: n.items, open: false };
    if (n.k === 'call') {
      const written = dotted(n.callee);
      const first = n.args[0];
      if (written !== undefined && resolveCallee(imports, written) === 'shlex.split' && first?.k === 'positional')
        return { kind: 'line', pieces: this.string(first.value) };
    }
    return undefined;
  }

  /** Whether the file changes the list `name` in place: a mutating method, `+=` or `*=`, an item or slice assigned. */
  private changedInPlace(name: string): boolean {
    // (A Python name holds no character a pattern treats specially.)
    return new RegExp(
      String.raw`(?<![\w.])${name}\s*(?:\.\s*(?:append|extend|insert|pop|remove|clear|reverse|sort)\s*\(|[+*]=|\[[^\]\n]*\]\s*=(?!=))`,
    ).test(this.file);
  }

  /** Words of a program and its arguments, each quoted for the shell where it must be (`*rest`: `open`). */
  private argv(items: readonly Node[], open: boolean): Piece[] {
    return this.words(
      items,
      (item) => this.string(item),
      (item) => item.from,
      open,
    );
  }

  /** A value's text as pieces; what the file does not decide stands as a run-time word. */
  private string(n: Node, depth = 0): Piece[] {
    const unknown = (): Piece[] => [this.unknown(n.from)];
    if (depth > MAX_DEPTH) return unknown();
    if (n.k === 'string') return this.literal(n.from, n.value);
    // Adjacent literals: one string, placed at the first part's start.
    if (n.k === 'strings')
      return n.parts.flatMap((part) => this.literal(n.from, part).map((p) => ({ ...p, exact: false })));
    if (n.k === 'paren') return this.string(n.inner, depth + 1);
    if (n.k === 'plus') return [...this.string(n.left, depth + 1), ...this.string(n.right, depth + 1)];
    // sys `executable`: the interpreter running the file, a Python one (`[sys.executable, "train.py", …]`).
    if (this.isInterpreter(n)) return [{ text: 'python', from: n.from, exact: false }];
    if (n.k !== 'name') return unknown();
    const bound = this.constants.get(n.name);
    return bound ? this.string(bound, depth + 1).map((p) => ({ ...p, from: n.from, exact: false })) : unknown();
  }

  /** Whether `n` is `sys.executable` (`import sys`, `from sys import executable`). */
  private isInterpreter(n: Node): boolean {
    const written = dotted(n);
    const head = written?.split('.')[0];
    return head !== undefined && this.imports.has(head) && resolveCallee(this.imports, written!) === 'sys.executable';
  }

  /** A literal's text, placed at its characters when it is written as its value (no escapes). */
  private literal(from: number, value: StringValue): Piece[] {
    if (value.kind === 'plain') {
      if (value.value === undefined) return [this.unknown(from)];
      const quote = this.file.slice(from, from + 4).search(/["']/);
      const open = quote < 0 ? -1 : from + quote;
      const triple = open >= 0 && this.file.startsWith(this.file[open]!.repeat(3), open);
      const body = open < 0 ? -1 : open + (triple ? 3 : 1);
      const exact = body >= 0 && this.file.startsWith(value.value, body);
      return [{ text: value.value, from: exact ? body : from, exact }];
    }
    // An f-string: its text, each `{name}` field the name's constant value, else the run time's.
    const out: Piece[] = [];
    for (const part of value.parts) {
      if (typeof part === 'string') out.push({ text: part, from, exact: false });
      else {
        const bound = this.constants.get(part.name);
        out.push(...(bound ? this.string(bound, 1) : [this.unknown(from)]));
      }
    }
    return out.map((p) => ({ ...p, from, exact: false }));
  }
}
