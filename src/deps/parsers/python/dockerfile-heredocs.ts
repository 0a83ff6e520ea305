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

/**
 * The files a `RUN`'s heredocs are written to (`RUN cat > /tmp/r.txt <<EOF`, `cat <<EOF >r.txt`, `tee r.txt
 * <<EOF`): BuildKit's `dispatchRun` hands an instruction that is more than one heredoc to the shell with the bodies
 * after it, where each heredoc is its command's stdin, and `cat` / `tee` write it whole into the file. A relative
 * path is taken from the WORKDIR. A write after a `cd` of the instruction, an append (`>>`, `tee -a`), a heredoc on
 * another descriptor (`3<<EOF`) or a file a variable names is left out (nothing says what the file holds). Undefined
 * when a body does not close or the instruction is not shell words.
 */
export function runHeredocFiles(
  rest: string,
  workdir: string | undefined,
  lines: readonly string[],
  at: number,
): HeredocFile[] | undefined {
  // BuildKit's `extractBuilderFlags` takes the leading `--mount=…` / `--network=…` flags off the command.
  const command = rest.replace(/^(\s*--\S+)+/, '');
  if (!command.includes('<<') || command.trimStart().startsWith('[')) return undefined;
  const words = shellSplit(command);
  if (words === undefined) return undefined;
  const docs: HeredocWord[] = [];
  const targets: (string | undefined)[] = [];
  let moved = false;
  let simple: string[] = [];
  const close = () => {
    const heredocs = simple.filter((w) => heredocWord(w) !== undefined);
    const program = simple.find(
      (w) => heredocWord(w) === undefined && !/^[A-Za-z_]\w*=/.test(w) && !/^\d*[<>]/.test(w),
    );
    if (program === 'cd' || program === 'pushd' || program === 'popd') moved = true;
    const target = moved || program === undefined ? undefined : stdinTarget(program, simple);
    for (const w of heredocs) {
      docs.push(heredocWord(w)!);
      targets.push(/^0?<</.test(w) ? target : undefined);
    }
    simple = [];
  };
  for (const w of words) {
    if (OPERATORS.has(w)) close();
    else simple.push(w);
  }
  close();
  const bodies = docs.length > 0 ? heredocBodies(docs, lines, at) : undefined;
  return bodies?.flatMap((body, k) => {
    const target = targets[k];
    if (target === undefined || /[$`]/.test(target) || (workdir === undefined && !target.startsWith('/'))) return [];
    return [{ path: posix.resolve(workdir ?? '/', target), body }];
  });
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
