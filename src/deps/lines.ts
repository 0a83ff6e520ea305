import { visit } from 'jsonc-parser';
import { parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import { cutTail } from '../core/linear-text.js';

/**
 * 1-based line of every object property whose containing path `select` accepts; `select` returns the map key to
 * record under (or undefined to skip). JSON.parse has already validated the text; this only finds positions.
 * A key written twice keeps the line of its last occurrence, the one JSON.parse and jsonc-parser keep (a finding
 * must point at the entry that is installed, not at a shadowed copy); `duplicate` hears of each repeat.
 */
export function jsonPropertyLines(
  text: string,
  select: (path: readonly (string | number)[], property: string) => string | undefined,
  duplicate?: (key: string, line: number) => void,
): Map<string, number> {
  const lines = new Map<string, number>();
  // Track the container path by hand: jsonc-parser's pathSupplier copies the path on every call.
  const path: (string | number)[] = [];
  const kinds: ('o' | 'a')[] = [];
  const lastKey: (string | number)[] = [];
  const enter = (kind: 'o' | 'a') => {
    const depth = kinds.length;
    if (depth > 0) path.push(kinds[depth - 1] === 'o' ? (lastKey[depth - 1] ?? '') : 0);
    kinds.push(kind);
  };
  const leave = () => {
    kinds.pop();
    if (kinds.length > 0) path.pop();
  };
  visit(text, {
    onObjectBegin: () => enter('o'),
    onArrayBegin: () => enter('a'),
    onObjectEnd: leave,
    onArrayEnd: leave,
    onObjectProperty(property, _offset, _length, startLine) {
      lastKey[kinds.length - 1] = property;
      const key = select(path, property);
      if (key === undefined) return;
      if (duplicate !== undefined && lines.has(key)) duplicate(key, startLine + 1);
      lines.set(key, startLine + 1);
    },
  });
  return lines;
}

/**
 * jsonPropertyLines for text JSON.parse has already accepted (npm lockfiles), in one pass that skips strings with
 * indexOf and copies out only keys: jsonc-parser's visitor tokenises every value and cost seconds on a 45 MB
 * package-lock.json. Paths are tracked exactly as jsonPropertyLines does (an array level is `0`; a repeated key keeps
 * its last line), and valid JSON has no raw newline inside a string, so counting newlines outside strings gives the
 * line. Not for JSONC (comments).
 */
export function strictJsonPropertyLines(
  text: string,
  select: (path: readonly (string | number)[], property: string) => string | undefined,
  duplicate?: (key: string, line: number) => void,
): Map<string, number> {
  const lines = new Map<string, number>();
  const path: (string | number)[] = [];
  const kinds: ('o' | 'a')[] = [];
  const lastKey: (string | number)[] = [];
  let line = 1;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) line++;
    else if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (expectKey) {
        const raw = text.slice(i + 1, end);
        const property = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        lastKey[kinds.length - 1] = property;
        const key = select(path, property);
        if (key !== undefined) {
          // Last occurrence wins, as in JSON.parse (see jsonPropertyLines).
          if (duplicate !== undefined && lines.has(key)) duplicate(key, line);
          lines.set(key, line);
        }
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const depth = kinds.length;
      if (depth > 0) path.push(kinds[depth - 1] === 'o' ? (lastKey[depth - 1] ?? '') : 0);
      kinds.push(c === 0x7b ? 'o' : 'a');
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      kinds.pop();
      if (kinds.length > 0) path.pop();
    } else if (c === 0x2c /* , */) expectKey = kinds[kinds.length - 1] === 'o';
  }
  return lines;
}

/** Index of the quote closing the string that opens at `start` (the text is valid JSON). */
function stringEnd(text: string, start: number): number {
  for (let q = text.indexOf('"', start + 1); q >= 0; q = text.indexOf('"', q + 1)) {
    let slashes = 0;
    while (text.charCodeAt(q - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return q;
  }
  return text.length;
}

/** Where strict JSON parsing first fails: line (1-based) and a short reason. */
export function jsonErrorAt(text: string): { line: number; reason: string } {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === undefined) return { line: 1, reason: 'not valid JSON' };
  return { line: lineAt(text, first.offset), reason: printParseErrorCode(first.error) };
}

export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** 1-based line of the first occurrence of the first of `needles` the text holds; 1 when it holds none. */
export function lineOfFirst(text: string, ...needles: string[]): number {
  const at = needles.map((n) => text.indexOf(n)).find((i) => i >= 0);
  return at === undefined ? 1 : lineAt(text, at);
}

/**
 * Lines of yarn.lock entry headers (both yarn 1 and berry): unindented, non-comment lines ending in `:`.
 * Maps each descriptor of the header (`"a@^1", a@^2:` / `"a@npm:^1, a@npm:^2":`) to the header's line. A descriptor
 * written twice keeps its last header, the entry both yarns keep (yarn 1's lockfile `parse` and berry's syml assign
 * keys in order; berry's `setupResolutions` then maps each descriptor in order); `duplicate` hears of each repeat.
 */
export function yarnHeaderLines(
  text: string,
  duplicate?: (descriptor: string, line: number) => void,
): Map<string, number> {
  const out = new Map<string, number>();
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    line++;
    // Most lines are indented fields: decide on the first character before copying the line out.
    const c = text.charCodeAt(start);
    const raw =
      c === 32 || c === 9 || c === 35 /* # */ ? '' : text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
    if (raw.length > 1 && raw.endsWith(':')) {
      for (const d of raw.slice(0, -1).split(',')) {
        const descriptor = d.trim().replace(/^"|"$/g, '');
        if (descriptor === '') continue;
        if (duplicate !== undefined && out.has(descriptor)) duplicate(descriptor, line);
        out.set(descriptor, line);
      }
    }
    if (end < 0) break;
    start = end + 1;
  }
  return out;
}

/**
 * Lines of the second-level keys (2-space indent) under each top-level section of a pnpm-lock.yaml:
 * `packages` → key → line. Keys are unquoted as YAML would ('' → ' inside single quotes).
 */
export function yamlSectionKeyLines(text: string, sections: readonly string[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>(sections.map((s) => [s, new Map<string, number>()]));
  let current: Map<string, number> | undefined;
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const raw = text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
    line++;
    if (/^[^\s#]/.test(raw)) {
      current = out.get(cutTail(raw, ':'));
    } else if (current && /^ {2}[^\s#]/.test(raw)) {
      const key = unquoteYamlKey(raw.slice(2));
      if (key !== undefined && !current.has(key)) current.set(key, line);
    }
    if (end < 0) break;
    start = end + 1;
  }
  return out;
}

function unquoteYamlKey(s: string): string | undefined {
  if (s.startsWith("'")) {
    const m = /^'((?:[^']|'')*)':/.exec(s);
    return m?.[1]?.replace(/''/g, "'");
  }
  if (s.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)":/.exec(s);
    return m?.[1];
  }
  const m = /^(.*?):(\s|$)/.exec(s);
  return m?.[1];
}
