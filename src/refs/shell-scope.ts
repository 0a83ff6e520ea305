import { interpolate, type ShellValue } from './compose-env.js';
import { withoutQuoted } from '../core/linear-text.js';
import { tokens, type Token } from './shell-words.js';

/**
 * What a shell script's or Dockerfile's own lines decide for the commands after them: the variables they set
 * (`MODEL=org/x`, `MODEL=${MODEL:-org/x}`, a Dockerfile's `ARG`/`ENV`) and the folder a command runs in (`cd`,
 * `WORKDIR`). Read in file order, as the shell and the builder run them, never run. Where the order is not the
 * file's — a branch, a loop, a function's body — a variable set there is the run time's, and so is the folder.
 */
export class ShellScope {
  /** The variables a script sets, each with the variable that decides it at run time (`ShellValue.from`). */
  private readonly vars: Map<string, ShellValue>;
  /** Nesting of `if`/`for`/`while`/`case`/function bodies at the start of the next line (scripts). */
  private depth = 0;
  /** Where the next command runs, relative to the scan's idea of the start ('.'), undefined when unknown. */
  private dir: string | undefined = '.';
  // Dockerfiles (docs.docker.com/reference/dockerfile): ARGs before the first FROM are for FROM lines and for a
  // stage's `ARG NAME` with no value; a stage's ARGs are its build's environment (RUN), its ENVs the build's and the
  // container's (CMD, ENTRYPOINT); each stage starts again, from an earlier stage's ENV when it is built `FROM` it.
  private readonly globalArgs = new Map<string, ShellValue>();
  private args = new Map<string, ShellValue>();
  private envs = new Map<string, ShellValue>();
  private readonly stages = new Map<string, Map<string, ShellValue>>();
  private inStage = false;
  private currentStage: string | undefined;
  /** Each named stage's WORKDIR, for a stage built `FROM` it. */
  private readonly stageDirs = new Map<string, string>();
  private workdir = '/';
  /**
   * The `for NAME in WORDS` loops the next line is inside (scripts), innermost last: each variable with the values it
   * takes in turn, or undefined when its list is the run time's (`"$@"`, `$(cat …)`, a glob). A loop whose `done` a
   * line closes still holds for that line (a one-line loop's body is on it).
   */
  private loops: { name: string; values: ShellValue[] | undefined; depth: number; ended: boolean }[] = [];
  /** Bash's indexed arrays the script sets (`MODELS=(org/a org/b)`), each item's value; a `for` list reads them. */
  private readonly arrays = new Map<string, ShellValue[]>();
  /** An array assignment whose `(` list goes on over the next lines (`MODELS=(` … `)`): its name and items so far. */
  private pendingArray: { name: string; items: ShellValue[] | undefined; keep: boolean } | undefined;

  /** `env`: what the script starts with (a container's environment). */
  constructor(
    private readonly kind: 'script' | 'dockerfile',
    env: ReadonlyMap<string, ShellValue> = new Map(),
  ) {
    this.vars = new Map(env);
  }

  /**
   * Read one command line (continued lines joined) and give what its commands see: the variables, and the folder it
   * starts in (the caller follows its `cd`s and `settle`s where it ends). A Dockerfile's RUN sees its stage's ARGs and
   * ENVs and its own assignments, for that RUN only; CMD and ENTRYPOINT the ENVs.
   */
  line(command: string, segments: readonly Segment[] = shellSegments(command, 0)): LineScope {
    if (this.kind === 'dockerfile') return this.dockerfileLine(command);
    if (this.loops.some((l) => l.ended)) this.loops = this.loops.filter((l) => !l.ended);
    if (this.pendingArray || ARRAY_ASSIGNMENT.test(command)) this.arrayLine(command);
    else for (const s of segments) this.scriptSegment(s, this.vars);
    const loops = new Map<string, readonly ShellValue[]>();
    for (const l of this.loops) {
      if (l.values) loops.set(l.name, l.values);
      else loops.delete(l.name);
    }
    return { vars: new Map(this.vars), dir: this.dir, ...(loops.size > 0 ? { loops } : {}) };
  }

  /**
   * A line of an indexed array's assignment (bash's `NAME=(word …)`, `NAME+=(word …)` appending, `declare -a`/`local
   * -a` before it), on one line or over several up to the `)`: each word an item, read as a `for` list's words are
   * (`loopWords`: quotes, the script's variables, blanks splitting an unquoted expansion). A glob, a command
   * substitution, a `[i]=` subscript or a variable not known here leaves the array to the run time, as does an
   * assignment in a body (depth > 0).
   */
  private arrayLine(command: string): void {
    let rest = command;
    if (!this.pendingArray) {
      const m = ARRAY_ASSIGNMENT.exec(command)!;
      const name = m[1]!;
      const start = m[2] === '+' ? this.arrays.get(name) : [];
      this.vars.delete(name);
      this.pendingArray = { name, items: start && [...start], keep: this.depth === 0 };
      rest = command.slice(m[0].length);
    }
    const pending = this.pendingArray;
    const close = closingParen(rest);
    for (const s of shellSegments(close < 0 ? rest : rest.slice(0, close), 0))
      for (const w of s.words) {
        const got = pending.items && !/^\[/.test(w.raw) ? loopWords(w, this.vars, this.arrays) : undefined;
        pending.items =
          got && pending.items!.length + got.length <= MAX_LOOP_VALUES ? [...pending.items!, ...got] : undefined;
      }
    if (close < 0) return;
    this.pendingArray = undefined;
    if (pending.keep && pending.items) this.arrays.set(pending.name, pending.items);
    else this.arrays.delete(pending.name);
  }

  /** The folder after `cd <dir>` from `from` (undefined: not known here). */
  static cd(from: string | undefined, to: Token | undefined): string | undefined {
    if (to === undefined || to.expands || to.text === '-' || to.text.startsWith('~')) return undefined;
    if (to.text.startsWith('/')) return normalize(to.text);
    return from === undefined ? undefined : normalize(`${from}/${to.text}`);
  }

  /**
   * Record where a script is after a line's commands (scripts keep it; a Dockerfile's RUN does not): a `cd` in a body
   * (a branch, a loop) leaves where the script is after it to the run time.
   */
  settle(dir: string | undefined): void {
    if (this.kind === 'script') this.dir = this.depth === 0 || dir === this.dir ? dir : undefined;
  }

  private scriptSegment(s: Segment, vars: Map<string, ShellValue>): void {
    const words = s.words;
    let i = 0;
    // `then X=1`, `do …`, `else …`: the keyword opens or continues a body; what follows is a command. A workflow
    // step's `- run: X=1` reads the same.
    while (i < words.length && (BODY_WORDS.has(words[i]!.text) || /^(?:-|run:)$/.test(words[i]!.raw))) i++;
    const head = words[i]?.text;
    if (head === undefined) return;
    if (OPENERS.has(head)) {
      if (head === 'for') this.openLoop(words.slice(i + 1), vars);
      this.depth++;
    } else if (CLOSERS.has(head)) {
      this.depth = Math.max(0, this.depth - 1);
      const loop = this.loops[this.loops.length - 1];
      if (head === 'done' && loop && !loop.ended && loop.depth === this.depth) loop.ended = true;
    } else if (head === '}' || head === ')') this.depth = Math.max(0, this.depth - 1);
    else if (head === 'function' || /^[A-Za-z_][\w-]*\(\)$/.test(head) || words[i + 1]?.text === '()') {
      this.depth++;
      return;
    } else if (head === 'unset') {
      for (const w of words.slice(i + 1)) vars.delete(w.text);
    } else this.assign(words.slice(i), vars);
    // `done`/`fi` at the end of a one-line `for …; do …; done`: counted as their segments come.
  }

  /**
   * `for NAME in WORDS` (bash's `for` compound command): the body runs once for each word WORDS expand to, NAME set to
   * it. Quoted words are one value each; an unquoted expansion of a variable the script set splits on blanks (IFS's
   * default); a glob, a brace expansion, a command substitution or a variable not known here makes the list the run
   * time's. `for NAME` with no `in` walks the script's arguments, and the C-style `for ((…))` counts: both the run
   * time's.
   */
  private openLoop(words: readonly Word[], vars: Map<string, ShellValue>): void {
    const name = words[0]?.text;
    if (name === undefined || !/^[A-Za-z_]\w*$/.test(name)) return;
    let values: ShellValue[] | undefined = words[1]?.text === 'in' ? [] : undefined;
    for (const w of words.slice(2)) {
      const got = values && loopWords(w, vars, this.arrays);
      values = got && values!.length + got.length <= MAX_LOOP_VALUES ? [...values!, ...got] : undefined;
      if (!values) break;
    }
    // A list the run time decides: the variable's value is its, and the finding says the loop chose it (not an
    // environment variable of that name).
    if (values && values.length > 0) vars.delete(name);
    else vars.set(name, { value: '', from: `for ${name}`, runTime: true });
    this.loops.push({
      name,
      values: values && values.length > 0 ? values : undefined,
      depth: this.depth,
      ended: false,
    });
  }

  /**
   * `[export|readonly|declare …|local …] NAME=value…` with no command after it: the variables are set (each value
   * read with the variables so far). In a body (depth > 0) the value is the run time's: the variable is unset here.
   */
  private assign(words: readonly Word[], vars: Map<string, ShellValue>, keep = this.depth === 0): void {
    let i = 0;
    if (words[0] && DECLARERS.has(words[0].text)) {
      i = 1;
      while (words[i]?.text.startsWith('-')) i++;
    }
    const pairs = words.slice(i).map((w) => ({ w, m: /^([A-Za-z_]\w*)=/.exec(w.raw) }));
    if (pairs.length === 0 || pairs.some((p) => p.m === null)) return;
    for (const { w, m } of pairs) {
      const name = m![1]!;
      this.arrays.delete(name);
      const value = keep ? valueOf(w, m![0].length, vars) : undefined;
      if (value === undefined) vars.delete(name);
      else vars.set(name, value);
    }
  }

  private dockerfileLine(command: string): LineScope {
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(command);
    const instruction = m?.[1]!.toUpperCase();
    const rest = m?.[2] ?? '';
    const restAt = command.length - rest.length;
    switch (instruction ?? '') {
      case 'FROM': {
        const words = tokens(rest, restAt).filter((t) => !t.text.startsWith('--'));
        const base = words[0]?.text.toLowerCase();
        const name = words[1]?.text.toLowerCase() === 'as' ? words[2]?.text.toLowerCase() : undefined;
        if (this.inStage) this.stages.set(this.currentStage ?? '', this.envs);
        this.inStage = true;
        this.currentStage = name;
        this.args = new Map();
        this.envs = new Map(base !== undefined ? (this.stages.get(base) ?? []) : []);
        this.workdir = base !== undefined && this.stageDirs.has(base) ? this.stageDirs.get(base)! : '/';
        if (name !== undefined) this.stageDirs.set(name, this.workdir);
        return { vars: new Map(this.globalArgs), dir: undefined };
      }
      case 'ARG':
        for (const w of shellSegments(rest, restAt)[0]?.words ?? []) {
          const eq = w.raw.indexOf('=');
          const name = eq > 0 ? w.raw.slice(0, eq) : w.raw;
          if (!/^[A-Za-z_]\w*$/.test(name)) continue;
          const target = this.inStage ? this.args : this.globalArgs;
          // `--build-arg NAME=…` overrides the default: the finding names the ARG.
          const given = eq > 0 ? valueOf(w, eq + 1, this.buildVars()) : this.globalArgs.get(name);
          if (given === undefined) target.delete(name);
          else target.set(name, { value: given.value, from: given.from ?? name });
        }
        return { vars: this.buildVars(), dir: undefined };
      case 'ENV': {
        const words = shellSegments(rest, restAt)[0]?.words ?? [];
        // `ENV NAME value…` (the old form): one variable, the rest of the line its value.
        if (words.length > 0 && !words[0]!.raw.includes('=')) {
          const value = rest.slice(words[0]!.raw.length).trim();
          if (/^[A-Za-z_]\w*$/.test(words[0]!.raw)) this.envs.set(words[0]!.raw, { value });
        } else
          for (const w of words) {
            const eq = w.raw.indexOf('=');
            if (eq <= 0) continue;
            const value = valueOf(w, eq + 1, this.buildVars());
            if (value === undefined) this.envs.delete(w.raw.slice(0, eq));
            else this.envs.set(w.raw.slice(0, eq), value);
          }
        return { vars: this.buildVars(), dir: undefined };
      }
      case 'WORKDIR': {
        const [dir] = tokens(rest, restAt).map((t) => interpolate(t, this.buildVars()));
        this.workdir = ShellScope.cd(this.workdir, dir) ?? this.workdir;
        if (this.currentStage !== undefined) this.stageDirs.set(this.currentStage, this.workdir);
        return { vars: this.buildVars(), dir: this.workdir };
      }
      case 'RUN': {
        const vars = this.buildVars();
        for (const s of shellSegments(rest, restAt)) this.assign(s.words, vars, true);
        return { vars, dir: this.workdir };
      }
      case 'CMD':
      case 'ENTRYPOINT':
        return { vars: new Map(this.envs), dir: this.workdir };
      default:
        return { vars: this.buildVars(), dir: this.workdir };
    }
  }

  /** A build step's environment: its stage's ARGs, then its ENVs (an ENV overrides an ARG of the same name). */
  private buildVars(): Map<string, ShellValue> {
    return new Map([...this.args, ...this.envs]);
  }
}

/** What one line's commands run with. */
export interface LineScope {
  readonly vars: ReadonlyMap<string, ShellValue>;
  /** The folder the line starts in; undefined when not known. */
  readonly dir: string | undefined;
  /** The loop variables the line is inside, each with the values its commands run with in turn (`openLoop`). */
  readonly loops?: ReadonlyMap<string, readonly ShellValue[]>;
}

/** More values than a hand-written loop lists: the list is read as the run time's. */
const MAX_LOOP_VALUES = 32;

/** The values one word of a `for` list expands to (`ShellScope.openLoop`); undefined when the run time decides. */
function loopWords(
  w: Word,
  vars: ReadonlyMap<string, ShellValue>,
  arrays: ReadonlyMap<string, readonly ShellValue[]>,
): ShellValue[] | undefined {
  // `"${NAME[@]}"` (or unquoted, or `[*]`): the array's items, as bash expands them — each one word, quoted items
  // kept whole (an item with a blank, unquoted, or `"${NAME[*]}"` joining them, is not read).
  const array = /^("?)\$\{([A-Za-z_]\w*)\[([@*])\]\}\1$/.exec(w.raw);
  if (array) {
    const items = arrays.get(array[2]!);
    if (!items || (array[3] === '*' && array[1] === '"' && items.length > 1)) return undefined;
    return items.some((i) => /\s/.test(i.value)) ? undefined : [...items];
  }
  const unquoted = withoutQuoted(w.raw);
  // Pathname expansion and brace expansion run on the unquoted parts; their results are the file system's.
  if (/[*?[{`]/.test(unquoted)) return undefined;
  if (w.raw.startsWith("'") && w.raw.endsWith("'") && w.raw.length >= 2) return [{ value: w.text }];
  if (!w.raw.includes('$')) return [{ value: w.text }];
  const t = interpolate({ text: w.text, at: 0, expands: true }, vars);
  if (t.expands) return undefined;
  const from = t.variable !== undefined ? { from: t.variable } : {};
  // A quoted expansion is one word; an unquoted one splits on blanks (one partly quoted is not read).
  if (w.raw.startsWith('"') && w.raw.endsWith('"') && w.raw.length >= 2) return [{ value: t.text, ...from }];
  if (/["'\\]/.test(w.raw)) return /\s/.test(t.text) ? undefined : [{ value: t.text, ...from }];
  return t.text
    .split(/[ \t\n]+/)
    .filter((v) => v !== '')
    .map((value) => ({ value, ...from }));
}

/** `NAME=(` or `NAME+=(` opening an indexed array's assignment (`declare -a`, `local -a`… before it). */
const ARRAY_ASSIGNMENT = /^\s*(?:(?:declare|local|typeset|readonly|export)\s+(?:-[aAgrx]+\s+)*)?([A-Za-z_]\w*)(\+?)=\(/;

/** Where an array's `)` closes it in `rest`, outside quotes; -1 when the list goes on past the line. */
function closingParen(rest: string): number {
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '"' || c === "'") {
      const close = rest.indexOf(c, i + 1);
      if (close < 0) return -1;
      i = close;
    } else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(rest[i - 1]!))) return -1;
    else if (c === ')') return i;
  }
  return -1;
}

/** A shell word as written (`raw`, quotes kept) at its offset. */
export interface Word {
  readonly raw: string;
  /** Quotes removed. */
  readonly text: string;
  readonly at: number;
}

/** One simple command of a line: between `;`, `&&`, `||`, `|`, `&`, a newline, or a `(`/`)` of a subshell. */
export interface Segment {
  readonly words: readonly Word[];
  readonly at: number;
}

/**
 * A command line's simple commands, split where the shell splits them outside quotes (a `#` at a word's start begins
 * a comment). Linear in the line.
 */
export function shellSegments(command: string, offset: number): Segment[] {
  const out: Segment[] = [];
  let words: Word[] = [];
  let segmentAt = offset;
  let raw = '';
  let text = '';
  let wordAt = -1;
  const endWord = () => {
    if (wordAt >= 0) words.push({ raw, text, at: wordAt });
    raw = '';
    text = '';
    wordAt = -1;
  };
  const endSegment = (next: number) => {
    endWord();
    if (words.length > 0) out.push({ words, at: segmentAt });
    words = [];
    segmentAt = next;
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === '"' || c === "'") {
      const close = command.indexOf(c, i + 1);
      const end = close < 0 ? command.length : close;
      if (wordAt < 0) wordAt = offset + i;
      raw += command.slice(i, end + 1);
      text += command.slice(i + 1, end);
      i = end;
    } else if (c === '\\' && i + 1 < command.length) {
      if (wordAt < 0) wordAt = offset + i;
      raw += command.slice(i, i + 2);
      text += command[i + 1];
      i++;
    } else if (c === ' ' || c === '\t') endWord();
    else if (c === '#' && wordAt < 0) {
      endSegment(offset + command.length);
      return out;
    } else if (c === ';' || c === '&' || c === '|' || c === '\n' || c === '(' || c === ')') {
      // `$(…)` and `${…}` belong to the word.
      if ((c === '(' && command[i - 1] === '$') || (c === ')' && raw.includes('$('))) {
        raw += c;
        text += c;
        continue;
      }
      endSegment(offset + i + 1);
      if (c === ')') out.push({ words: [{ raw: ')', text: ')', at: offset + i }], at: offset + i });
    } else {
      if (wordAt < 0) wordAt = offset + i;
      raw += c;
      text += c;
    }
  }
  endSegment(offset + command.length);
  return out;
}

/**
 * An assignment's value (`raw` from `from` on), read as the shell reads it: single quotes literal, double quotes and
 * bare text with their variables interpolated. Undefined when it is the run time's (`$(…)`, `$1`, a variable not
 * known here).
 */
function valueOf(w: Word, from: number, vars: ReadonlyMap<string, ShellValue>): ShellValue | undefined {
  const raw = w.raw.slice(from);
  if (raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2 && !raw.slice(1, -1).includes("'"))
    return { value: raw.slice(1, -1) };
  const unquoted = raw.replace(/^"(.*)"$/s, '$1');
  if (unquoted.includes('"') || unquoted.includes("'") || unquoted.includes('`')) return undefined;
  const t = interpolate({ text: unquoted, at: 0, expands: unquoted.includes('$') }, vars);
  if (t.expands) return undefined;
  return t.variable !== undefined ? { value: t.text, from: t.variable } : { value: t.text };
}

function normalize(p: string): string {
  const parts: string[] = [];
  const absolute = p.startsWith('/');
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!absolute) parts.push('..');
    } else parts.push(part);
  }
  return (absolute ? '/' : '') + (parts.join('/') || (absolute ? '' : '.'));
}

/** Words that start a body or a branch of one; the command follows them. */
const BODY_WORDS = new Set(['then', 'do', 'else', '{', '!']);
const OPENERS = new Set(['if', 'for', 'while', 'until', 'case', 'select']);
const CLOSERS = new Set(['fi', 'done', 'esac']);
const DECLARERS = new Set(['export', 'readonly', 'declare', 'typeset', 'local']);

/** A shell program by name or path (`sh`, `bash`, `/bin/dash`, zsh, ksh, ash): one that runs a `-c` script. */
export const SHELL_PROGRAM = /(^|\/)(?:ba|da|z|k|a)?sh$/;

/**
 * The scripts a command line hands to a shell (`sh -c "…"`, `bash -lc '…'`, a Dockerfile's or Compose file's exec
 * form `["/bin/sh", "-c", "…"]`): each script's text as written between its quotes, and its offset in the line. The
 * shell runs it as a command line of its own (bash's `-c`: the first argument after the options is the command
 * string), so the line readers read it as one.
 */
export function innerScripts(command: string): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  for (const m of command.matchAll(SHELL_C)) {
    const open = m.index + m[0].length;
    const quote = command[open];
    if (quote !== '"' && quote !== "'") continue;
    let end = open + 1;
    // A double-quoted (or JSON) string ends at the first quote no backslash escapes.
    while (end < command.length && command[end] !== quote) end += quote === '"' && command[end] === '\\' ? 2 : 1;
    out.push({ text: command.slice(open + 1, Math.min(end, command.length)), at: open + 1 });
  }
  return out;
}

/**
 * A shell program (sh, bash, dash, zsh, ksh, ash; a path to one) and options up to one with `c` (`-c`, `-lc`,
 * `-euxc`; long ones such as `--login` before it), as shell words or as an exec form's JSON strings; or `su`/`runuser`
 * with `-c` (util-linux su: `-c command` runs it with the target user's shell, wherever it stands before the user).
 * The script's opening quote follows.
 *
 * Linear on any line (redos): each option is taken whole, as an atomic group (`(?=(…))\1`: V8 has no possessive
 * quantifier), so `sh--l--l--l…` is not split 2^n ways (`--l--l` was one long option or `--l-` and `-l`: 77
 * characters held a scan for 19 s); a long option runs to its word's end, so `--rcfile-lc` is one word, as bash
 * reads it (an invalid option), not `--rcfile` and `-lc`. `su`'s words before `-c` are at most 16 (util-linux su:
 * options, `-`, the user): each `su` in `su su su …` scanned the rest of the line for a `-c` (quadratic).
 */
const SHELL_C =
  /(?<![\w./-])(?:(?:\/(?:usr\/)?(?:local\/)?bin\/)?(?:ba|da|z|k|a)?sh["']?(?:(?=(\s*(?:,\s*)?["']?(?:-[a-bd-zA-Z]+|--[a-z][a-z-]*)["']?))\1)*|(?:su|runuser)(?:\s+(?:-[a-bd-zA-Z]*|--[a-z][a-z-]*|[a-z_][\w.-]*)){0,16}?)\s*(?:,\s*)?["']?-[a-zA-Z]*c[a-zA-Z]*["']?\s*(?:,\s*)?/g;
