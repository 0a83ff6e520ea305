/** Where each line of `text` starts (after each `\n`). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  // indexOf, not a character loop: the loop ran before the JIT compiled it, the scan's costliest step per file.
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** A 1-based line and column's offset in `text`; undefined past its last line. */
export function lineOffsets(text: string): (line: number, column: number) => number | undefined {
  const starts = lineStarts(text);
  return (line, column) => {
    const start = starts[line - 1];
    return start === undefined ? undefined : start + column - 1;
  };
}

/**
 * The text with each carriage return not before a line feed made a line feed, for JavaScript: ECMAScript ends a line
 * at any line terminator, a lone CR included — it ends a line comment (`SingleLineComment`), so
 * `// note<CR>await pipeline(…)` calls the loader in Node, where @lezer/javascript's `LineComment` runs to the next
 * LF. A lone CR can stand nowhere else that the change would alter (no string or regular expression literal may hold
 * one; a template literal's value reads it as LF), and every offset stays the same.
 */
export function lineFeeds(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** 1-based line and column of an offset, by binary search over line starts. */
export function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  const starts = lineStarts(text);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/**
 * Minified or generated code is not where a maintainer writes a model name, and parsing megabytes of it costs the
 * scan: skipped by size and shape, and counted. `byBytes` (JavaScript) also counts the text as minified when lines
 * over 1,000 characters hold most of the bytes of the first 2,000 lines: a bundle that keeps its template strings'
 * line breaks (onnxruntime-web's `ort.min.mjs`: shader source in thousands of short lines between a few lines of
 * hundreds of kilobytes), or compiled output with its source map inline, which a count of lines lets through.
 */
export function looksGenerated(text: string, byBytes = false, maxLength = GENERATED_LENGTH): boolean {
  if (text.length > maxLength) return true;
  let long = 0;
  let bytes = 0;
  let longBytes = 0;
  const lines = text.split('\n', 2_000);
  for (const line of lines) {
    bytes += line.length + 1;
    if (line.length <= 1_000) continue;
    long++;
    longBytes += line.length + 1;
  }
  return generatedByLines(text.length, long, lines.length, maxLength) || (byBytes && longBytes * 2 > bytes);
}

/** Characters past which JavaScript or a config is taken for generated whatever its lines (`looksGenerated`). */
export const GENERATED_LENGTH = 1_000_000;

/**
 * `looksGenerated` from the text's length and its count of long lines among the first lines (python-lines-native.ts
 * `nativeShape` counts them without splitting the text).
 */
export function generatedByLines(length: number, long: number, lines: number, maxLength = GENERATED_LENGTH): boolean {
  return length > maxLength || (long > 0 && long * 20 > lines);
}

/** Brackets nested deeper than this are not hand-written code; the parsers' tree building recurses per level. */
export const MAX_NESTING = 400;

const NO_BRACKETS = /[^()[\]{}]+/y;

/** The deepest bracket nesting in the text (strings not excluded: an over-estimate is a safe bound). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  // From bracket to bracket: the text between them in one regular-expression step, not a loop turn per character
  // (a loop over every character of each file that names a loader, run before the JIT had compiled it).
  for (let i = 0; i < text.length; i++) {
    NO_BRACKETS.lastIndex = i;
    if (NO_BRACKETS.test(text)) i = NO_BRACKETS.lastIndex;
    // Past the end, `charCodeAt` reads out of bounds: V8 threw the compiled loop away at the first file whose text
    // ends after its last bracket, to compile it again.
    if (i === text.length) break;
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return max;
}

/**
 * Where the command a pattern matched starts: past the one blank or separator the pattern takes before it (none at a
 * line's start), so the offset is on the command's own line (`CommentLines`).
 */
export const commandStart = (m: RegExpMatchArray): number => m.index! + (/^[\s;&|(`"'[,]/.test(m[0]) ? 1 : 0);

/**
 * Whether offsets, asked in increasing order, stand on a comment line (`# …` after blanks, as shell-commands.ts skips
 * them): each line is looked at once, however many matches it holds.
 */
export class CommentLines {
  private lineStart = 0;
  private lineEnd: number;
  private comment: boolean | undefined;

  constructor(private readonly text: string) {
    this.lineEnd = this.endOf(0);
  }

  at(offset: number): boolean {
    // From line end to line end by indexOf, not a loop turn per character.
    while (offset > this.lineEnd) {
      this.lineStart = this.lineEnd + 1;
      this.lineEnd = this.endOf(this.lineStart);
      this.comment = undefined;
    }
    if (this.comment === undefined) {
      let i = this.lineStart;
      while (this.text[i] === ' ' || this.text[i] === '\t') i++;
      this.comment = this.text[i] === '#';
    }
    return this.comment;
  }

  private endOf(from: number): number {
    const nl = this.text.indexOf('\n', from);
    return nl < 0 ? this.text.length : nl;
  }
}
