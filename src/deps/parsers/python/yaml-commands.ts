/**
 * A CI file's YAML (a GitHub workflow, .gitlab-ci.yml) as the shell lines its runner hands to the shell: a value
 * written as a quoted scalar on one line (`run: "pip install git+https://…"`, `- 'pip install …'`) is the string
 * YAML loads, not one quoted word, so it is written out unquoted in place; a flow sequence of quoted scalars
 * (`script: ["pip install a", "pip install b"]`) is its items, one command each. Plain scalars and block scalars
 * (`run: |`) are shell text already and stay as they are, as does a line whose scalar does not close on it. One
 * output line per input line, so findings keep their lines.
 */
export function yamlCommands(text: string): string {
  return text
    .split('\n')
    .map((line) => unquotedLine(line) ?? line)
    .join('\n');
}

/** What precedes a value: indentation, sequence dashes and one plain key (`  - run: `, `script: `, `- `). */
const VALUE_START = /^[ \t]*(?:-[ \t]+)*(?:[A-Za-z_][\w.-]*[ \t]*:[ \t]+)?(?:-[ \t]+)*/;

/** The line with its quoted value (or flow sequence of quoted values) as the loaded strings; undefined if none. */
function unquotedLine(line: string): string | undefined {
  const head = VALUE_START.exec(line)![0];
  const first = line[head.length];
  if (first === '"' || first === "'") {
    const scalar = quotedScalar(line, head.length);
    return scalar !== undefined && endsLine(line, scalar.end) ? head + scalar.value : undefined;
  }
  if (first !== '[') return undefined;
  const items: string[] = [];
  let at = skipBlanks(line, head.length + 1);
  while (line[at] !== ']') {
    const scalar = quotedScalar(line, at);
    if (scalar === undefined) return undefined;
    items.push(scalar.value);
    at = skipBlanks(line, scalar.end);
    if (line[at] === ',') at = skipBlanks(line, at + 1);
    else if (line[at] !== ']') return undefined;
  }
  return endsLine(line, at + 1) ? head + items.join(' ; ') : undefined;
}

/**
 * The quoted scalar starting at `from` (a quote): YAML's single-quoted style (`''` is one `'`) or double-quoted
 * style with its escapes (`\"`, `\\`, `\t`; `\n` is a line break, which ends a shell command as `;` does; other
 * escapes kept as written). Undefined when it does not close on the line.
 */
function quotedScalar(line: string, from: number): { value: string; end: number } | undefined {
  const quote = line[from];
  if (quote !== '"' && quote !== "'") return undefined;
  let value = '';
  for (let i = from + 1; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c !== "'") value += c;
      else if (line[i + 1] === "'") value += line[++i];
      else return { value, end: i + 1 };
    } else if (c === '"') return { value, end: i + 1 };
    else if (c === '\\' && i + 1 < line.length) {
      const e = line[++i]!;
      value += e === 'n' ? ' ; ' : e === 't' ? ' ' : e === '"' || e === '\\' || e === '/' ? e : `\\${e}`;
    } else value += c;
  }
  return undefined;
}

function skipBlanks(line: string, at: number): number {
  while (line[at] === ' ' || line[at] === '\t') at++;
  return at;
}

/** Nothing but blanks, a comment or a carriage return follows `at`. */
function endsLine(line: string, at: number): boolean {
  const end = skipBlanks(line, at);
  return end >= line.length || line[end] === '#' || line.slice(end) === '\r';
}

/** A key whose value is a block scalar (`run: |`, `- script: >-`), and the indentation of its line. */
const BLOCK_KEY = /^([ \t]*)(?:-[ \t]+)*[A-Za-z_][\w.-]*[ \t]*:[ \t]*[|>][+-]?\d*[ \t]*(?:#.*)?$/;

/**
 * The shell each line of a CI file's YAML runs in, for a `cd` that moves the lines after it: the lines of one block
 * scalar (`run: |` of a GitHub step, a GitLab `script: |`) are one script the runner hands one shell, so they share
 * an id (the key's line); any other line is a shell of its own (undefined). A block goes on while its lines are blank
 * or indented deeper than its key's line (YAML's block scalar indentation).
 */
export function yamlBlockShells(text: string): (line: number) => number | undefined {
  const owner = new Map<number, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const key = BLOCK_KEY.exec(lines[i]!.replace(/\r$/, ''));
    if (!key) continue;
    const indent = key[1]!.length;
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!.replace(/\r$/, '');
      if (l.trim() !== '' && /^[ \t]*/.exec(l)![0].length <= indent) break;
      owner.set(j + 1, i + 1);
    }
    i = j - 1;
  }
  return (line) => owner.get(line);
}
