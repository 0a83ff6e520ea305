import { posix } from 'node:path';
import { namedPath } from './dockerfile-heredocs.js';
import { shellSplit } from './shell-split.js';

/**
 * A file a `RUN` writes or changes by a command (not a heredoc it writes whole: runHeredocFiles): what the file holds
 * after it is not in the Dockerfile, so an install that reads it later cannot be judged by the file a COPY put there.
 */
export interface RunWrite {
  /** The image path, resolved against the WORKDIR. */
  readonly path: string;
  /** `changes`: the old content is kept and altered (`>>`, `sed -i`, `tee -a`); `writes`: replaced whole. */
  readonly how: 'writes' | 'changes';
  /** A command of the same RUN after the write names the file (`echo x >> r.txt && pip install -r r.txt`). */
  readonly readAfter: boolean;
}

/** The words that end one simple command of a RUN line. */
const OPERATORS = new Set(['&&', '||', ';', '|', '&', '(', ')']);
/** Programs that edit their file operands in place with `-i` (GNU sed, perl -i / -pi). */
const IN_PLACE_EDITORS = new Set(['sed', 'perl']);
/** Programs whose last operand is where they put the files before it. */
const COPIERS = new Set(['cp', 'mv', 'install', 'ln', 'rsync']);
/** Options that name the file a downloader writes (curl `-o` / `--output`, wget `-O` / `--output-document`). */
const DOWNLOAD_OUTPUTS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['curl', new Set(['-o', '--output'])],
  ['wget', new Set(['-O', '--output-document'])],
]);

/**
 * The files a `RUN` instruction (its shell form, continuations joined) writes or changes, as the shell runs it:
 * every redirection of output (`>`, `>|`, `&>`, `N>`: replaced; `>>`: appended to), GNU sed's and perl's `-i` edits,
 * tee's file operands, the destination of cp / mv / install / ln / rsync (the file itself, or the source's name in
 * it when it is a folder), and a download's `-o` / `-O`. A path with a variable, a glob or no WORKDIR to place a
 * relative one is left out: nothing says which file it is.
 */
export function runWrites(rest: string, workdir: string | undefined): RunWrite[] {
  // BuildKit's `extractBuilderFlags` takes the leading `--mount=…` / `--network=…` flags off the command.
  const command = rest.replace(/^(\s*--\S+)+/, '');
  if (command.trimStart().startsWith('[')) return [];
  const words = shellSplit(command) ?? shellSplit(command, false) ?? [];
  const commands: string[][] = [[]];
  for (const w of words) {
    if (OPERATORS.has(w)) commands.push([]);
    else commands.at(-1)!.push(w);
  }
  const out = new Map<string, { how: RunWrite['how']; at: number }>();
  commands.forEach((c, at) => {
    for (const { written, how } of commandWrites(c)) {
      const path = imagePath(written, workdir);
      if (path === undefined) continue;
      const before = out.get(path);
      if (before === undefined) out.set(path, { how, at });
      else if (how === 'changes') before.how = 'changes';
    }
  });
  // The last command naming each path, found in one pass: a hostile RUN of thousands of writes stays linear.
  const lastNamed = new Map<string, number>();
  commands.forEach((c, i) => {
    for (const w of c) {
      const named = namedPath(w, workdir);
      if (named !== undefined) lastNamed.set(named, i);
    }
  });
  return [...out].map(([path, { how, at }]) => ({ path, how, readAfter: (lastNamed.get(path) ?? -1) > at }));
}

/** The files one simple command writes, as written. */
function commandWrites(words: readonly string[]): { written: string; how: RunWrite['how'] }[] {
  const out: { written: string; how: RunWrite['how'] }[] = [];
  const operands: string[] = [];
  const options: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const redirect = /^(?:\d*|&)(>>?)\|?(.*)$/.exec(w);
    if (redirect) {
      const target = redirect[2] !== '' ? redirect[2]! : words[++i];
      // `2>&1`, `>&2` duplicate a descriptor: no file.
      if (target !== undefined && !target.startsWith('&'))
        out.push({ written: target, how: redirect[1] === '>>' ? 'changes' : 'writes' });
      continue;
    }
    if (/^\d*</.test(w)) {
      if (/^\d*<$/.test(w)) i++;
      continue;
    }
    if (w.startsWith('-')) options.push(w);
    else operands.push(w);
  }
  // Leading `NAME=value` words set the environment of the command; the program follows them.
  while (operands.length > 0 && /^[A-Za-z_]\w*=/.test(operands[0]!)) operands.shift();
  const program = operands.shift();
  if (program === undefined) return out;
  const name = posix.basename(program);
  const files = operands.filter((o) => o !== '');
  // The first operand is the script (or `-e`'s value, which splits the same way): the files follow it.
  if (IN_PLACE_EDITORS.has(name) && options.some((o) => /^-\w*i|^--in-place/.test(o)))
    for (const f of files.slice(1)) out.push({ written: f, how: 'changes' });
  if (name === 'tee') {
    const append = options.some((o) => /^-\w*a|^--append$/.test(o));
    for (const f of files) out.push({ written: f, how: append ? 'changes' : 'writes' });
  }
  if (COPIERS.has(name) && files.length >= 2) {
    const dest = files.at(-1)!;
    out.push({ written: dest, how: 'writes' });
    for (const source of files.slice(0, -1))
      out.push({ written: posix.join(dest, posix.basename(source)), how: 'writes' });
  }
  const outputs = DOWNLOAD_OUTPUTS.get(name);
  if (outputs !== undefined) {
    for (let i = 0; i < words.length; i++) {
      const [option, glued] = words[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
      if (!outputs.has(option)) continue;
      const value = glued ?? words[i + 1];
      if (value !== undefined) out.push({ written: value, how: 'writes' });
    }
  }
  return out;
}

/** The absolute image path a written file name is, when it names one plainly. */
function imagePath(written: string, workdir: string | undefined): string | undefined {
  if (written === '' || written === '-' || /[$`*?[~]/.test(written) || written.startsWith('/dev/')) return undefined;
  if (workdir === undefined && !written.startsWith('/')) return undefined;
  return posix.resolve(workdir ?? '/', written);
}
