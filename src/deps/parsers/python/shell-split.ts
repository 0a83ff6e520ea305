/**
 * One line of a shell command as sh splits it into words and control operators (POSIX "Token Recognition"): quotes
 * group and are removed (a backslash escapes outside single quotes, inside double quotes only before `"`, `\`, `$`
 * and a backquote), and the unquoted operators `&&`, `||`, `;`, `|`, `&`, `(` and `)` are words of their own even
 * when nothing spaces them (`(cd app&&pip install -r a.lst)`); bash's `;;`, `|&` are read as `;` and `|`. What an
 * expansion holds stays in its word, whatever it spans: `$(…)`, `$((…))`, `${…}` (a workflow's `${{ … }}` too) and
 * a backquoted command, nested. A redirection's `&` or `|` is no operator (`2>&1`, `&>log`, `>|f` stay words).
 * Undefined when a quote or an expansion does not close on the line (a YAML block's, an apostrophe's); with `quotes`
 * false such a line is split all the same, its quotes and unclosed openings kept as text (the caller's fallback).
 */
export function shellSplit(line: string, quotes = true): string[] | undefined {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let expanding = true;
  const end = () => {
    if (inWord) out.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      end();
      continue;
    }
    const operator = operatorAt(line, i, inWord);
    if (operator !== undefined) {
      end();
      out.push(operator.word);
      i += operator.length - 1;
      continue;
    }
    inWord = true;
    if (quotes && c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) return undefined;
      word += line.slice(i + 1, close);
      i = close;
    } else if (quotes && c === '"') {
      const close = doubleQuoted(line, i + 1);
      if (close === undefined) return undefined;
      word += close.text;
      i = close.end;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
    } else if (c === '\\') {
      if (quotes) return undefined;
      word += c;
    } else if (expanding && ((c === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) || c === '`')) {
      const close = expansionEnd(line, c === '`' ? i : i + 1);
      if (close === undefined && quotes) return undefined;
      // Past one opening that does not close, the rest are text: one scan to the end, not one per opening.
      if (close === undefined) expanding = false;
      word += line.slice(i, (close ?? i) + 1);
      i = close ?? i;
    } else word += c;
  }
  end();
  return out;
}

/** The control operator at `i`, if one starts there: not the `&` / `|` of a redirection (`2>&1`, `&>f`, `>|f`). */
function operatorAt(line: string, i: number, inWord: boolean): { word: string; length: number } | undefined {
  const c = line[i]!;
  const next = line[i + 1];
  if (c === '(' || c === ')') return { word: c, length: 1 };
  if (c === ';') return { word: ';', length: next === ';' ? 2 : 1 };
  // The character before, not the word built so far: asking a string grown by `+=` would flatten it each time.
  const redirect = inWord && (line[i - 1] === '>' || line[i - 1] === '<');
  if (c === '|') {
    if (redirect) return undefined;
    return next === '|' ? { word: '||', length: 2 } : { word: '|', length: next === '&' ? 2 : 1 };
  }
  if (c === '&') {
    if (redirect || next === '>') return undefined;
    return next === '&' ? { word: '&&', length: 2 } : { word: '&', length: 1 };
  }
  return undefined;
}

/** The text of a double-quoted string opening before `from`, and the index of its closing quote. */
function doubleQuoted(line: string, from: number): { text: string; end: number } | undefined {
  let text = '';
  for (let i = from; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') return { text, end: i };
    if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) text += line[++i];
    else if ((c === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) || c === '`') {
      const close = expansionEnd(line, c === '`' ? i : i + 1);
      if (close === undefined) return undefined;
      text += line.slice(i, close + 1);
      i = close;
    } else text += c;
  }
  return undefined;
}

/**
 * The index of what closes the expansion whose opening `(`, `{` or backquote is at `open`: its brackets counted, its
 * quotes skipped. Bounded by the line.
 */
function expansionEnd(line: string, open: number): number | undefined {
  const opener = line[open]!;
  if (opener === '`') {
    for (let i = open + 1; i < line.length; i++) {
      if (line[i] === '\\') i++;
      else if (line[i] === '`') return i;
    }
    return undefined;
  }
  const closer = opener === '(' ? ')' : '}';
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\') i++;
    else if (c === "'" && opener === '(') {
      const close = line.indexOf("'", i + 1);
      if (close < 0) return undefined;
      i = close;
    } else if (c === opener) depth++;
    else if (c === closer && --depth === 0) return i;
  }
  return undefined;
}
