import { posix } from 'node:path';
import { shellSplit } from './shell-split.js';

/** The lines (1-based, inclusive; `to < from` when empty) of the Dockerfile a heredoc writes as a file. */
export interface HeredocBody {
  readonly from: number;
  readonly to: number;
}

/** A file a heredoc of the Dockerfile writes whole: its image path and the lines of its body. */
export interface HeredocFile {
  readonly path: string;
  readonly body: HeredocBody;
}

/**
 * The files a `COPY` / `ADD` of heredocs writes (BuildKit `dispatchCopy`: each heredoc is a file named after it,
 * copied to the destination as any one source is), with the Dockerfile lines of each body: one heredoc onto a file
 * destination is that file, otherwise each lands as its name in the destination folder (`COPY <<a.txt <<b.txt
 * /d/`: /d/a.txt, /d/b.txt). Undefined when the copy also takes files from the context, or a body does not close.
 */
export function copyHeredocFiles(
  rest: string,
  dest: string,
  lines: readonly string[],
  at: number,
): HeredocFile[] | undefined {
  const words = rest
    .trim()
    .split(/\s+/)
    .filter((w) => !w.startsWith('--'));
  const docs = words.slice(0, -1).map(heredocWord);
  if (docs.length === 0 || docs.some((d) => d === undefined)) return undefined;
  const bodies = heredocBodies(docs as HeredocWord[], lines, at);
  const written = words.at(-1)!;
  const intoFolder = docs.length > 1 || written.endsWith('/') || written === '.';
  return bodies?.map((body, k) => ({ path: intoFolder ? posix.join(dest, docs[k]!.name) : dest, body }));
}

/** The commands of a `RUN` that copy their stdin whole into the file they name. */
const STDIN_WRITERS = new Set(['cat', 'tee']);
/** The words that end one simple command of a `RUN` line. */
const OPERATORS = new Set(['&&', '||', ';', '|', '&', '(', ')']);
/** Operators after which the next command may not run, or runs elsewhere: what a write there does is not known. */
const UNSURE_OPERATORS = new Set(['||', '|', '&', '(', ')']);
/** Shell words that start or belong to a compound command (`if`, `for`, …): a command inside may not run. */
const COMPOUND_WORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
  '!',
  '{',
  '}',
]);
/** The programs of a RUN that read a requirements file without changing it (pip, uv, python -m pip). */
const READERS = /^(pip[\d.]*|python[\d.]*|uv)$/;

/**
 * What a `RUN`'s heredoc write leaves in its file. `own`: for the installs of the same RUN — `body` when they run
 * after a write that surely ran, `before` when they all come before the write (they read what was there),
 * `unsure` otherwise. `later`: for the instructions after it — `body` when the RUN cannot succeed without the write
 * and nothing else of the RUN names the file, `unsure` otherwise (a conditional write, `>> f`, `sed -i f`, `mv f`).
 */
export interface RunHeredocFile extends HeredocFile {
  readonly own: 'body' | 'before' | 'unsure';
  readonly later: 'body' | 'unsure';
  /**
   * The body is an install's stdin, which it reads as `/dev/stdin` (`pip install -r /dev/stdin <<EOF`, `cat <<EOF |
   * pip install -r /dev/stdin`): what that one command reads, never a file of the image.
   */
  readonly stdin?: true;
}

/** The path an install reads its stdin by. */
const STDIN_PATH = '/dev/stdin';

/** One simple command of a RUN: its words, its program, and the operator that joins it to the command before. */
interface SimpleCommand {
  readonly words: readonly string[];
  readonly program: string | undefined;
  readonly joined: string | undefined;
}

/**
 * The files a `RUN`'s heredocs are written to (`RUN cat > /tmp/r.txt <<EOF`, `cat <<EOF >r.txt`, `tee r.txt
 * <<EOF`): BuildKit's `dispatchRun` hands an instruction that is more than one heredoc to the shell with the bodies
 * after it, where each heredoc is its command's stdin, and `cat` / `tee` write it whole into the file. A relative
 * path is taken from the WORKDIR. A write after a `cd` of the instruction, an append (`>>`, `tee -a`), a heredoc on
 * another descriptor (`3<<EOF`) or a file a variable names is left out (nothing says what the file holds). The shell
 * runs the commands in order, so each file says whether the write surely precedes the RUN's own installs and survives
 * the RUN (runWriteEffect). Undefined when a body does not close or the instruction is not shell words.
 */
export function runHeredocFiles(
  rest: string,
  workdir: string | undefined,
  lines: readonly string[],
  at: number,
): RunHeredocFile[] | undefined {
  // BuildKit's `extractBuilderFlags` takes the leading `--mount=…` / `--network=…` flags off the command.
  const command = rest.replace(/^(\s*--\S+)+/, '');
  if (!command.includes('<<') || command.trimStart().startsWith('[')) return undefined;
  const words = shellSplit(command);
  if (words === undefined) return undefined;
  const docs: HeredocWord[] = [];
  const targets: (string | undefined)[] = [];
  // The heredocs that are an install's stdin, by index into docs.
  const stdin = new Set<number>();
  const writers: number[] = [];
  const commands: SimpleCommand[] = [];
  let moved = false;
  let simple: string[] = [];
  let joined: string | undefined;
  const close = (operator: string | undefined) => {
    const heredocs = simple.filter((w) => heredocWord(w) !== undefined);
    const program = simple.find(
      (w) => heredocWord(w) === undefined && !/^[A-Za-z_]\w*=/.test(w) && !/^\d*[<>]/.test(w),
    );
    if (program === 'cd' || program === 'pushd' || program === 'popd') moved = true;
    const target = moved || program === undefined ? undefined : stdinTarget(program, simple);
    for (const w of heredocs) {
      if (/^0?<</.test(w) && readsStdin(program, simple)) stdin.add(docs.length);
      docs.push(heredocWord(w)!);
      targets.push(/^0?<</.test(w) ? target : undefined);
      writers.push(commands.length);
    }
    commands.push({ words: simple, program, joined });
    joined = operator;
    simple = [];
  };
  for (const w of words) {
    if (OPERATORS.has(w)) close(w);
    else simple.push(w);
  }
  close(undefined);
  // `cat <<EOF | pip install -r /dev/stdin`: a bare cat's heredoc is the stdin of the command its pipe feeds.
  docs.forEach((_, k) => {
    const c = commands[writers[k]!]!;
    const next = commands[writers[k]! + 1];
    const bareCat = c.program !== undefined && posix.basename(c.program) === 'cat' && c.words.length === 2;
    if (bareCat && next?.joined === '|' && readsStdin(next.program, next.words)) stdin.add(k);
  });
  const bodies = docs.length > 0 ? heredocBodies(docs, lines, at) : undefined;
  return bodies?.flatMap((body, k) => {
    if (stdin.has(k))
      return [{ path: STDIN_PATH, body, own: 'body' as const, later: 'unsure' as const, stdin: true as const }];
    const target = targets[k];
    if (target === undefined || /[$`]/.test(target) || (workdir === undefined && !target.startsWith('/'))) return [];
    const path = posix.resolve(workdir ?? '/', target);
    return [{ path, body, ...runWriteEffect(commands, writers[k]!, path, workdir) }];
  });
}

/**
 * Whether the write of command `at` is what pip reads, as the shell runs the RUN (`a && b` runs b only when a
 * succeeded, `a; b` runs b anyway, a RUN fails when its last command does). Any `||`, pipe, background, subshell or
 * compound command makes it unsure; so does any later command that names the file and is not pip / uv reading it.
 */
function runWriteEffect(
  commands: readonly SimpleCommand[],
  at: number,
  path: string,
  workdir: string | undefined,
): Pick<RunHeredocFile, 'own' | 'later'> {
  const unsure = { own: 'unsure', later: 'unsure' } as const;
  if (
    commands.some(
      (c) => (c.joined !== undefined && UNSURE_OPERATORS.has(c.joined)) || COMPOUND_WORDS.has(c.program ?? ''),
    )
  )
    return unsure;
  const names = (c: SimpleCommand) => c.words.some((w) => namedPath(w, workdir) === path);
  const readers: number[] = [];
  let moved = false;
  for (let i = 0; i < commands.length; i++) {
    const c = commands[i]!;
    if (c.program === 'cd' || c.program === 'pushd' || c.program === 'popd') moved ||= i > at;
    if (i === at || !names(c)) continue;
    const reads = READERS.test(posix.basename(c.program ?? '')) && !c.words.some((w) => /^\d*>/.test(w));
    if (!reads && i > at) return unsure;
    if (reads) readers.push(i);
  }
  // Joined by `;` (or first), the write runs whatever came before; joined by `&&`, only when every `&&` after it
  // up to a command ties that command's running (or the RUN's success) to the write having run.
  const startsChain = at === 0 || commands[at]!.joined === ';';
  const tiedUpTo = (end: number) => startsChain || commands.slice(at + 1, end + 1).every((c) => c.joined === '&&');
  const later = tiedUpTo(commands.length - 1) ? 'body' : 'unsure';
  if (readers.length === 0 || readers.every((r) => r < at)) return { own: 'before', later };
  const own = readers.every((r) => r > at) && !moved && tiedUpTo(readers[0]!) ? 'body' : 'unsure';
  return { own, later };
}

/** Whether a command is pip / uv reading its stdin as a requirements file (`-r /dev/stdin`, `--requirement=/dev/stdin`). */
function readsStdin(program: string | undefined, words: readonly string[]): boolean {
  return (
    program !== undefined &&
    READERS.test(posix.basename(program)) &&
    words.some((w) => w.replace(/^(-[rc](?=[^-])|--[\w-]+=)/, '') === STDIN_PATH)
  );
}

/** The image path a word of a command names (`r.txt`, `-r r.txt`, `--requirement=r.txt`, `>>r.txt`), if a plain one. */
export function namedPath(word: string, workdir: string | undefined): string | undefined {
  const bare = word.replace(/^(\d*[<>]+\|?|-[rc](?=[^-])|--[\w-]+=)/, '');
  if (bare === '' || /[$`*?[]/.test(bare) || (workdir === undefined && !bare.startsWith('/'))) return undefined;
  return posix.resolve(workdir ?? '/', bare);
}

/**
 * The file a `cat` / `tee` simple command writes its stdin to whole: cat's `>` / `>|` redirection (the last one,
 * as the shell opens them in order and the last is stdout), tee's one file operand. Undefined for another program,
 * an append, or more than one file.
 */
function stdinTarget(program: string, words: readonly string[]): string | undefined {
  const name = posix.basename(program);
  if (!STDIN_WRITERS.has(name)) return undefined;
  let target: string | undefined;
  const operands: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (/^1?>>/.test(w) || (name === 'tee' && /^-\w*a|^--append$/.test(w))) return undefined;
    const redirect = /^1?>\|?(.*)$/.exec(w);
    if (redirect) {
      target = redirect[1] !== '' ? redirect[1] : words[++i];
      continue;
    }
    if (w === program || heredocWord(w) !== undefined || /^\d*[<>]/.test(w) || w.startsWith('-')) continue;
    if (!/^[A-Za-z_]\w*=/.test(w)) operands.push(w);
  }
  if (name === 'cat') return operands.length === 0 ? target : undefined;
  return operands.length === 1 ? operands[0] : undefined;
}

/** A heredoc word (`<<EOF`, `<<-'END'`): its terminator, and whether leading tabs are stripped (BuildKit `reHeredoc`). */
interface HeredocWord {
  readonly name: string;
  readonly chomp: boolean;
}

function heredocWord(word: string): HeredocWord | undefined {
  const m = /^\d*<<(-?)([^<].*)$/.exec(word);
  return m ? { chomp: m[1] === '-', name: m[2]!.replace(/\\(.)|["']/g, '$1') } : undefined;
}

/**
 * The bodies of an instruction's heredocs, one after another past its continued lines, each up to its terminator
 * (`<<-NAME`: tabs before it stripped; a quoted name is the same terminator). Undefined when one does not close.
 */
function heredocBodies(docs: readonly HeredocWord[], lines: readonly string[], at: number): HeredocBody[] | undefined {
  let start = at;
  while (start + 1 < lines.length && /\\\s*\r?$/.test(lines[start]!)) start++;
  const out: HeredocBody[] = [];
  for (const { name, chomp } of docs) {
    let end = start + 1;
    const closes = (l: string) => (chomp ? l.replace(/^\t+/, '') : l).replace(/\r$/, '') === name;
    while (end < lines.length && !closes(lines[end]!)) end++;
    if (end >= lines.length) return undefined;
    out.push({ from: start + 2, to: end });
    start = end;
  }
  return out;
}
