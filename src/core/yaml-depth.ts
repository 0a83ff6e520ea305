import {
  Document,
  parse,
  parseDocument,
  YAMLParseError,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
  type ToJSOptions,
} from 'yaml';

/**
 * `yaml` builds its tree recursively, and its CST parser's cost grows faster than the text with the nesting: a
 * 2 MB line of `[` took 24 s and 1.2 GB before failing with "Maximum call stack size exceeded" (500 KB of `{a: `
 * 8 s, 2 MB of `- - - ` 11 s), so a hostile pnpm-lock.yaml, policy or model config held the whole scan. The
 * lockfiles, policies and configs chainproof reads nest a few levels; past a few hundred the parser itself
 * overflows the stack (about 780 flow levels on Node 20), so nothing readable is refused. One linear pre-scan
 * closes every reader at once.
 */
export const MAX_YAML_DEPTH = 256;

/** Options parseShallowYaml passes on to `yaml`'s parseDocument. */
export type YamlParseOptions = ParseOptions & DocumentOptions & SchemaOptions & { prettyErrors?: boolean };

/**
 * parseDocument, except that a text nested deeper than MAX_YAML_DEPTH is not parsed: the document comes back empty
 * with one RESOURCE_EXHAUSTION error at the place the limit was passed, so each caller's own `doc.errors` handling
 * names the file and line as for any syntax error.
 */
export function parseShallowYaml(text: string, options: YamlParseOptions = {}): Document.Parsed {
  const at = yamlTooDeepAt(text);
  if (at === undefined) return parseDocument(text, options);
  const doc = new Document(null, options) as Document.Parsed;
  const error = tooDeep(at);
  const lines = options.lineCounter;
  if (lines !== undefined) {
    // parseDocument would have fed the counter; a caller turns offsets into lines with it.
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    // As yaml's prettifyError (not exported) would: the position, and the line in the message.
    const pos = lines.linePos(at);
    error.linePos = [pos];
    if (options.prettyErrors !== false) error.message += ` at line ${pos.line}, column ${pos.col}`;
  }
  doc.errors.push(error);
  return doc;
}

/**
 * `yaml`'s `parse` (the value, throwing on the first error), except that a text nested deeper than MAX_YAML_DEPTH
 * throws without being parsed, a YAMLParseError like any other the caller already handles.
 */
export function parseShallowYamlValue(text: string, options: YamlParseOptions & ToJSOptions = {}): unknown {
  const at = yamlTooDeepAt(text);
  if (at !== undefined) throw tooDeep(at);
  return parse(text, options);
}

/** The error both readers give at offset `at`, where the nesting passed MAX_YAML_DEPTH. */
const tooDeep = (at: number) =>
  new YAMLParseError(
    [at, at + 1],
    'RESOURCE_EXHAUSTION',
    `YAML nests deeper than ${MAX_YAML_DEPTH} levels; not parsed`,
  );

/**
 * Offset where the YAML's nesting first passes `limit`, or undefined. Counts what makes `yaml` recurse: flow
 * brackets, block indentation levels and compact indicators (`- - x`, `? ? x`). Quoted scalars, comments and
 * block scalars (`|`, `>`) are skipped as the YAML 1.2 grammar delimits them; a bracket inside a block-context plain
 * scalar (`key: a[0]`) is not a flow indicator there and is not counted. Linear: each character is looked at once.
 */
export function yamlTooDeepAt(text: string, limit = MAX_YAML_DEPTH): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let i = 0;
  while (i < text.length) {
    // Start of a line.
    const lineStart = i;
    while (text.charCodeAt(i) === 0x20) i++;
    const indent = i - lineStart;
    const c = text.charCodeAt(i);
    if (i >= text.length) break;
    if (c === 0x0a || c === 0x0d || c === 0x23) {
      i = endOfLine(text, i);
      continue;
    }
    if (flow === 0) {
      if (indent === 0 && (text.startsWith('---', i) || text.startsWith('...', i))) indents.length = 0;
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= indent) indents.pop();
      indents.push(indent);
    }
    let compact = 0;
    while (flow === 0 && isIndicator(text, i)) {
      if (indents.length + ++compact + flow > limit) return i;
      i++;
      while (text.charCodeAt(i) === 0x20) i++;
    }
    if (indents.length + compact + flow > limit) return i;
    const line = scanLine(text, i, flow, limit - indents.length - compact);
    if (line.deep) return line.end;
    flow = line.flow;
    i = line.end;
    if (line.blockScalar) i = skipBlockScalar(text, i, indent);
  }
  return undefined;
}

/** `-`, `?` or `:` followed by a space, tab or line end: a block indicator opening one more level. */
function isIndicator(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c !== 0x2d && c !== 0x3f && c !== 0x3a) return false;
  const next = text.charCodeAt(i + 1);
  return next === 0x20 || next === 0x09;
}

interface LineScan {
  end: number;
  flow: number;
  deep: boolean;
  blockScalar: boolean;
}

/** The rest of one line from `i`: flow depth after it, and whether it opens a block scalar. Ends after the newline. */
function scanLine(text: string, i: number, flowIn: number, room: number): LineScan {
  let flow = flowIn;
  // A quote opens a quoted scalar only where a scalar can start (line start, after `: `, `- `, `[`, `{`, `,`);
  // inside a plain scalar (`it's`) it is text.
  let scalarStart = true;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) return { end: i + 1, flow, deep: false, blockScalar: false };
    if (c === 0x20 || c === 0x09) {
      if (text.charCodeAt(i + 1) === 0x23) return { end: endOfLine(text, i), flow, deep: false, blockScalar: false };
      i++;
      continue;
    }
    if (scalarStart && (c === 0x26 || c === 0x21)) {
      // An anchor or tag (`&a`, `!!seq`) comes before the node it names: the node still starts after it.
      while (i < text.length && !/[\s,[\]{}]/.test(text.charAt(i))) i++;
      continue;
    }
    if (scalarStart && (c === 0x22 || c === 0x27)) {
      i = closingQuote(text, i, c);
      scalarStart = false;
      continue;
    }
    if (scalarStart && flow === 0 && (c === 0x7c || c === 0x3e)) {
      return { end: endOfLine(text, i), flow, deep: false, blockScalar: true };
    }
    if ((c === 0x5b || c === 0x7b) && (scalarStart || flow > 0)) {
      if (++flow > room) return { end: i, flow, deep: true, blockScalar: false };
      scalarStart = true;
    } else if ((c === 0x5d || c === 0x7d) && flow > 0) {
      flow--;
      scalarStart = false;
    } else if (c === 0x2c && flow > 0) scalarStart = true;
    else if ((c === 0x3a || c === 0x2d || c === 0x3f) && isIndicatorAt(text, i, flow)) scalarStart = true;
    else scalarStart = false;
    i++;
  }
  return { end: i, flow, deep: false, blockScalar: false };
}

/** `:` (or `-`, `?`) followed by a space, tab, line end — or, in a flow collection, a flow indicator. */
function isIndicatorAt(text: string, i: number, flow: number): boolean {
  const next = text.charCodeAt(i + 1);
  if (next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d || Number.isNaN(next)) return true;
  return flow > 0 && (next === 0x2c || next === 0x5d || next === 0x7d);
}

/** Index just past the quoted scalar opened at `open` (`"` with backslash escapes, `'` with `''`), or the end. */
function closingQuote(text: string, open: number, quote: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote === 0x22 && c === 0x5c) i++;
    else if (c === quote) {
      if (quote === 0x27 && text.charCodeAt(i + 1) === 0x27) i++;
      else return i + 1;
    }
  }
  return text.length;
}

/** Index just past the line holding `i`. */
function endOfLine(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl + 1;
}

/** Index of the first line after a block scalar's content: lines indented past `parent`, and blank lines. */
function skipBlockScalar(text: string, i: number, parent: number): number {
  while (i < text.length) {
    let j = i;
    while (text.charCodeAt(j) === 0x20) j++;
    const c = text.charCodeAt(j);
    const blank = j >= text.length || c === 0x0a || c === 0x0d;
    if (!blank && j - i <= parent) return i;
    i = endOfLine(text, j);
  }
  return i;
}

/** What a Python loader does with a YAML file too deep to read (CPI051's message). */
export interface DeepYaml {
  readonly what: string;
  /** The loader's YAML reader. */
  readonly reader: string;
  /** What the loader does with the file, and what was not checked. */
  readonly then: string;
  /** What not to load ("it" unless given). */
  readonly not?: string;
}

/** CPI051's text for a YAML file nested past MAX_YAML_DEPTH at byte `offset`. */
export function deepYamlMessage({ what, reader, then, not = 'it' }: DeepYaml, offset: number): string {
  return `${what} nests deeper than ${MAX_YAML_DEPTH} levels (at byte ${offset}); ${reader} reads it and ${then}. Do not load ${not} until you know why it nests this deep.`;
}
