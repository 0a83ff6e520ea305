/**
 * The yarn.lock v1 syntax, read as yarn 1 reads it (yarnpkg/yarn `src/lockfile/parse.js`: `tokenise` and
 * `Parser.parse`), in one linear pass with no recursion. `@yarnpkg/lockfile` took 10–28 s and 2 GB on a 20-byte
 * file; `@yarnpkg/parsers`' PEG grammar runs at about 2 µs per byte (a 490 KB lockfile in over a second, a 5 MB
 * key in 17 s), far from the 50 MB a monorepo lockfile reaches. Where yarn would silently stop reading (an
 * unexpected indent), this parser throws instead: a lockfile yarn half-reads is not a lockfile we can vouch for.
 *
 * The parser builds no tree: it tells a sink each assignment as it reads it (`Parser.parse` assigns
 * `obj[key] = value` for every key of a line), so a reader keeps only the fields it needs and a 50 MB lockfile
 * never exists twice in memory, once as text and once as 175k dictionary objects.
 */

/** A plain value as yarn reads it: a string, or an unquoted number or boolean. */
export type YarnScalar = string | number | boolean;

/**
 * Receives the assignments of a yarn.lock v1 in file order. `depth` is the object the keys belong to (0 = top
 * level; an object opened at depth d holds what comes at depth d + 1 until the next `open` at depth ≤ d).
 * `line` is the key's line counting line feeds only, as editors and GitHub number lines. `keys` is reused:
 * copy it to keep it.
 */
export interface YarnV1Sink {
  value(depth: number, keys: readonly string[], value: YarnScalar, line: number): void;
  open(depth: number, keys: readonly string[], line: number): void;
}

export class YarnSyntaxError extends Error {
  override readonly name = 'YarnSyntaxError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`${message} (line ${line})`);
  }
}

/** Lockfile entries nest three levels (entry → dependencies → name); anything far deeper is hostile. */
export const MAX_YARN_DEPTH = 32;
const SUPPORTED_VERSION = 1;

type TokenType =
  'newline' | 'colon' | 'comma' | 'eof' | 'invalid' | 'indent' | 'string' | 'number' | 'boolean' | 'comment';

const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isLineEnd = (c: number) => c === 0x0a || c === 0x0d;
/** yarn's `/^[a-zA-Z\/.-]/`: the first character of an unquoted string. */
const startsBareWord = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2f || c === 0x2e || c === 0x2d;

/**
 * yarn's tokeniser over positions (yarn re-slices the input for every token, which is quadratic), as a cursor: one
 * mutable current token (`type`, `line`, `value`) instead of an object per token, so a 50 MB lockfile allocates only
 * the strings it keeps. `value` is the indent for `indent`, the text for `string` and `comment`, the number or
 * boolean for those; after `eof` every `next()` stays at `eof`.
 */
class Tokens {
  type: TokenType = 'newline';
  line = 1;
  value: YarnScalar = '';
  /** Lone `\r` line ends so far: yarn counts them as newlines, editors do not. */
  loneCr = 0;
  private at = 0;
  private row = 1;
  private afterNewline = true; // yarn reads the first line's leading spaces as an indent too
  private ended = false;

  constructor(private readonly input: string) {}

  private set(type: TokenType, line: number, value: YarnScalar = ''): this {
    this.type = type;
    this.line = line;
    this.value = value;
    return this;
  }

  next(): this {
    const { input } = this;
    while (this.at < input.length) {
      const i = this.at;
      const c = input.charCodeAt(i);
      const startOfLine = this.afterNewline;
      this.afterNewline = false;
      if (isLineEnd(c)) {
        const crlf = c === 0x0d && input.charCodeAt(i + 1) === 0x0a;
        if (c === 0x0d && !crlf) this.loneCr++;
        this.at += crlf ? 2 : 1;
        this.row++;
        this.afterNewline = true;
        return this.set('newline', this.row - 1);
      } else if (c === 0x23 /* # */) {
        let end = i + 1;
        while (end < input.length && !isLineEnd(input.charCodeAt(end))) end++;
        this.at = end;
        return this.set('comment', this.row, input.slice(i + 1, end));
      } else if (c === SPACE) {
        let end = i + 1;
        while (input.charCodeAt(end) === SPACE) end++;
        this.at = end;
        if (startOfLine) {
          if ((end - i) % 2 !== 0) throw new YarnSyntaxError('invalid number of spaces', this.row);
          return this.set('indent', this.row, (end - i) / 2);
        }
      } else if (c === QUOTE) {
        return this.quoted(i);
      } else if (c >= 0x30 && c <= 0x39) {
        let end = i + 1;
        while (end < input.length && input.charCodeAt(end) >= 0x30 && input.charCodeAt(end) <= 0x39) end++;
        this.at = end;
        return this.set('number', this.row, Number(input.slice(i, end)));
      } else if (input.startsWith('true', i) || input.startsWith('false', i)) {
        const value = input.startsWith('true', i);
        this.at += value ? 4 : 5;
        return this.set('boolean', this.row, value);
      } else if (c === 0x3a /* : */) {
        this.at++;
        return this.set('colon', this.row);
      } else if (c === 0x2c /* , */) {
        this.at++;
        return this.set('comma', this.row);
      } else if (startsBareWord(c)) {
        let end = i + 1;
        for (; end < input.length; end++) {
          const d = input.charCodeAt(end);
          if (d === 0x3a || d === SPACE || isLineEnd(d) || d === 0x2c) break;
        }
        this.at = end;
        return this.set('string', this.row, input.slice(i, end));
      } else {
        this.at++;
        return this.set('invalid', this.row);
      }
    }
    // yarn ends the input with a newline, then eof.
    if (!this.ended) {
      this.ended = true;
      return this.set('newline', this.row);
    }
    return this.set('eof', this.row);
  }

  /** yarn ends a string at the first quote not preceded by exactly one backslash, newlines included. */
  private quoted(start: number): this {
    const { input } = this;
    const at = this.row;
    let end = start + 1;
    let plain = true; // no escape and no control character: the text between the quotes is the value
    for (; end < input.length; end++) {
      const d = input.charCodeAt(end);
      if (d === 0x0a) this.row++;
      if (d === BACKSLASH || d < 0x20) plain = false;
      if (d !== QUOTE) continue;
      const escaped = input.charCodeAt(end - 1) === BACKSLASH && input.charCodeAt(end - 2) !== BACKSLASH;
      if (!escaped) {
        end++;
        break;
      }
    }
    const closed = end - start >= 2 && input.charCodeAt(end - 1) === QUOTE;
    this.at = end;
    if (plain && closed) return this.set('string', at, input.slice(start + 1, end - 1));
    let value: unknown;
    try {
      value = JSON.parse(input.slice(start, end));
    } catch {
      return this.set('invalid', at);
    }
    return typeof value === 'string' ? this.set('string', at, value) : this.set('invalid', at);
  }
}

const isValue = (t: Tokens): boolean => t.type === 'string' || t.type === 'number' || t.type === 'boolean';

/** Read yarn.lock v1 text, telling `sink` every assignment; throws YarnSyntaxError with the line. */
export function readYarnV1(text: string, sink: YarnV1Sink): void {
  const token = new Tokens(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).next();
  // Read through a call so TypeScript does not keep a narrowing of the cursor from before next().
  const next = (): Tokens => token.next();
  const current = (): Tokens => token;
  const unexpected = (why: string): never => {
    throw new YarnSyntaxError(`${why}: unexpected ${token.type}`, token.line);
  };
  const keys: string[] = [];
  // `Parser.parse(indent)` as a loop: objects open one level deeper each, so the depth is the indent expected.
  let depth = 0;
  for (;;) {
    let close = false;
    if (token.type === 'newline') {
      const after = next();
      if (depth === 0) continue;
      if (after.type !== 'indent') close = true;
      else if (after.value === depth) next();
      else close = true;
    } else if (token.type === 'indent') {
      if (token.value === depth) next();
      else if (depth === 0 || (token.value as number) > depth)
        throw new YarnSyntaxError('unexpected indentation (yarn stops reading here)', token.line);
      else close = true;
    } else if (token.type === 'eof') {
      if (depth === 0) return;
      close = true;
    } else if (token.type === 'string') {
      const line = token.line - token.loneCr;
      keys.length = 0;
      keys.push(token.value as string);
      let t = next();
      while (t.type === 'comma') {
        const key = next();
        if (key.type !== 'string') return unexpected('expected a key after ","');
        keys.push(key.value as string);
        t = next();
      }
      const wasColon = t.type === 'colon';
      if (wasColon) t = next();
      if (isValue(t)) {
        sink.value(depth, keys, t.value, line);
        next();
      } else if (wasColon) {
        if (depth + 1 >= MAX_YARN_DEPTH)
          throw new YarnSyntaxError(`nests deeper than ${MAX_YARN_DEPTH} levels`, t.line);
        sink.open(depth, keys, line);
        depth++;
      } else unexpected('invalid value');
    } else if (token.type === 'comment') {
      const m = /^\s*yarn lockfile v(\d+)\s*$/.exec(token.value as string);
      if (m && Number(m[1]) > SUPPORTED_VERSION)
        throw new YarnSyntaxError(`lockfile version ${m[1]} is newer than yarn 1 reads`, token.line);
      next();
    } else unexpected('expected a key');
    // A closed object is done; a nested parent closes too unless the next token is an indent.
    while (close) {
      depth--;
      close = depth !== 0 && current().type !== 'indent';
    }
  }
}
