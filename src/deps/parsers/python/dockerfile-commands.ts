/**
 * A Dockerfile as the shell lines its `RUN` instructions make, one output line per input line, so findings keep their
 * lines. It follows BuildKit's parser (frontend/dockerfile/parser `Parse`):
 * - Inside an instruction the escape token at a line's end continues it (`trimContinuationCharacter`), and each
 *   following line that is blank or a comment is dropped (`isEmptyContinuationLine`) where a shell would end the
 *   command: `RUN pip install \` + `# pinned` + `git+https://…` installs the URL. Such a line is written as a bare
 *   `\`, which continues the command for the shell-line readers.
 * - A `# escape=\`` directive at the top (`possibleParserDirective`) makes the backtick the escape token: a line
 *   ending in one continues (written with a `\`), a line ending in `\` ends the instruction.
 * - The lines after a `RUN` / `COPY` / `ADD` holding `<<EOF` words, up to each terminator, are here-documents, read
 *   raw (no continuation, no comment dropping). A body a program of another language reads (`RUN python3 <<EOF`,
 *   `#!/usr/bin/env python3`) is no shell lines and is left out (`instructionHeredocs`).
 */
export function dockerfileCommands(text: string): string {
  const lines = text.split('\n');
  const escape = escapeToken(lines);
  // BuildKit's `lineContinuationRegex`: the token last on the line, not itself escaped.
  const token = escape === '\\' ? '\\\\' : '`';
  const continues = new RegExp(`(^|[^${token}])${token}[ \\t]*\\r?$`);
  const out: string[] = [];
  let instruction: string[] = [];
  let heredocs: Heredoc[] = [];
  // The heredoc whose body is being read: an index, not `shift()`, which would copy a long list once per body.
  let next = 0;
  for (const line of lines) {
    const doc = heredocs[next];
    if (doc) {
      const body = doc.chomp ? line.replace(/^\t+/, '') : line;
      const closes = body.replace(/\r$/, '') === doc.name;
      if (closes) next++;
      // A lone heredoc's first line decides what runs it.
      doc.script ??= shebangScript(body);
      // A builder without heredocs (the classic builder, a `# syntax=` frontend before 1.4) reads the body as
      // instructions: a `RUN` line there is a command even in a body no shell reads.
      out.push(!closes && (doc.script || /^\s*run\s/i.test(line)) ? line : '');
      continue;
    }
    // A comment or blank line: dropped inside an instruction, on its own no instruction (`processLine` makes it "").
    if (/^\s*(#|\r?$)/.test(line)) {
      out.push(instruction.length > 0 ? '\\' : line);
      continue;
    }
    instruction.push(line);
    if (continues.test(line)) {
      out.push(escape === '\\' ? line : line.replace(/`[ \t]*\r?$/, '\\'));
      continue;
    }
    // With the backtick as escape token a trailing `\` is text, not a continuation: the instruction ends here.
    out.push(escape === '\\' ? line : line.replace(/\\+[ \t]*\r?$/, ''));
    heredocs = instructionHeredocs(instruction.join('\n'));
    next = 0;
    instruction = [];
  }
  return out.join('\n');
}

/** BuildKit's `reDirectives`: a `# key=value` line; directives are read only before anything else. */
const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;

/**
 * The escape token the file's parser directives set (BuildKit `possibleParserDirective`, `setEscapeToken`): they are
 * the leading lines of the file, and the first line that is no known directive ends them.
 */
function escapeToken(lines: readonly string[]): '\\' | '`' {
  let escape: '\\' | '`' = '\\';
  for (const [i, raw] of lines.entries()) {
    const line = (i === 0 ? raw.replace(/^\uFEFF/, '') : raw).replace(/\r$/, '').trimStart();
    const m = DIRECTIVE.exec(line);
    const key = m?.[1]!.toLowerCase();
    // BuildKit's `validDirectives`; any other line ends them.
    if (key !== 'escape' && key !== 'syntax' && key !== 'check') return escape;
    if (key === 'escape' && m![2] === '`') escape = '`';
  }
  return escape;
}

interface Heredoc {
  /** The terminator line. */
  readonly name: string;
  /** `<<-`: leading tabs are stripped from the body and the terminator (BuildKit `Heredoc.Chomp`). */
  readonly chomp: boolean;
  /**
   * Whether the body is read as shell lines: false where a program of another language reads it, or nothing does;
   * undefined for a lone `RUN <<EOF`, whose first line tells.
   */
  script: boolean | undefined;
}

/** BuildKit's `reHeredoc`: a word `[fd]<<[-]name`. */
const HEREDOC_WORD = /^(\d*)<<(-?)([^<]+)$/;

/**
 * Interpreters of other languages, which run the program they read on stdin (`python3 <<EOF`) or a `#!` line names
 * them for as that language.
 */
const OTHER_LANGUAGE = /^(?:\S*\/)?(?:python[\d.]*|pypy[\d.]*|node|perl|ruby|php)$/;

/**
 * The here-documents of one instruction (BuildKit `heredocsFromLine`, for the instructions `canContainHeredoc`
 * allows: `RUN`, `COPY`, `ADD`, also after `ONBUILD`; not the JSON form), in the order their bodies follow it.
 */
function instructionHeredocs(instruction: string): Heredoc[] {
  const m = /^\s*(?:onbuild\s+)?(run|copy|add)\s+(.*)$/is.exec(instruction);
  if (!m || /^\s*(--\S+\s+)*\[/.test(m[2]!)) return [];
  const run = m[1]!.toLowerCase() === 'run';
  // BuildKit's `extractBuilderFlags` takes the leading `--mount=…` / `--network=…` flags off the command.
  const words = shellWords(m[2]!.replace(/^(\s*--\S+)+/, ''));
  const lone = words.length === 1;
  const readers = stdinReaders(words);
  const docs: Heredoc[] = [];
  words.forEach((word, i) => {
    const h = HEREDOC_WORD.exec(word);
    if (!h) return;
    const name = h[3]!.replace(/\\(.)|["']/g, '$1');
    // BuildKit's `dispatchRun`: a `RUN` that is one heredoc alone runs its body with the shell, unless it starts
    // `#!` (see `shebangScript`); otherwise the whole text goes to the shell and a body is the stdin of its command.
    // A `COPY` / `ADD` body is a file, which a later `RUN` may run as a script: kept, as a file written by
    // `cat > f <<EOF` is.
    const stdin = h[1] === '' || h[1] === '0';
    const script = !run || !stdin ? true : lone ? undefined : readers[i]!;
    docs.push({ name, chomp: h[2] === '-', script });
  });
  return docs;
}

/**
 * For each word, whether what its simple command (between `&&`, `||`, `;`, `|`, `&`) reads on stdin is shell lines:
 * not for an interpreter of another language (`python3 <<EOF`), nor where there is no command and so no reader
 * (`RUN <<A <<B`: the shell only opens the redirections); a shell (`bash <<EOF`) or a command that writes it to a
 * file (`cat > f <<EOF`) keeps it. The command is the first word that is no heredoc and no `NAME=value`. One pass:
 * a hostile line of many heredoc words is not read once per word.
 */
function stdinReaders(words: readonly string[]): boolean[] {
  const out: boolean[] = [];
  let from = 0;
  const close = (to: number) => {
    const command = words.slice(from, to).find((w) => !HEREDOC_WORD.test(w) && !/^[A-Za-z_]\w*=/.test(w));
    const kept = command !== undefined && !OTHER_LANGUAGE.test(command);
    for (let i = from; i <= to && i < words.length; i++) out.push(kept);
    from = to + 1;
  };
  words.forEach((w, i) => {
    if (/^(&&|\|\||;|\||&)$/.test(w)) close(i);
  });
  close(words.length);
  return out;
}

/**
 * Whether the first line of a lone `RUN <<EOF` body leaves it shell lines: BuildKit's `dispatchRun` runs a body
 * starting `#!` as a file, by that interpreter (`#!/usr/bin/env python3` is a Python script, not shell lines).
 */
function shebangScript(first: string): boolean {
  if (!first.startsWith('#!')) return true;
  const words = first.slice(2).trim().split(/\s+/);
  const interpreter = /(^|\/)env$/.test(words[0]!) ? words.find((w, i) => i > 0 && !w.startsWith('-')) : words[0];
  return !OTHER_LANGUAGE.test(interpreter ?? '');
}

/**
 * Words of a shell line with quotes kept (BuildKit lexes heredoc words with `RawQuotes`), operators `&&`, `||`, `;`,
 * `|` and `&` as words of their own (a redirection's `>&` / `<&` is no operator: `2>&1` is one word).
 */
function shellWords(line: string): string[] {
  return line.match(/(?:[<>]&|[^\s"'&|;\\]|\\.|"(?:[^"\\]|\\.)*"?|'[^']*'?)+|&&|\|\||[;|&]/g) ?? [];
}
