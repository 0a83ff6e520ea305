import { parseSyml } from '@yarnpkg/parsers';

/**
 * Read a yarn berry lockfile into the object `parseSyml` (@yarnpkg/parsers) returns. parseSyml hands berry files to
 * js-yaml (`load` with the FAILSAFE schema, `json: true`: every scalar a string); cold, that costs ~150 ms and as
 * much again in garbage collection on a 1 MB lockfile. The files yarn writes (`stringifySyml`) use a small regular
 * part of YAML — `key: scalar` and `key:` + a block indented two more spaces, keys and values plain or JSON-style
 * double-quoted, comment and blank lines — and `readRegular` reads exactly that, in one pass. Any line outside it
 * (flow or block collections, anchors, tags, single quotes, multi-line scalars, odd indentation, duplicate keys,
 * control characters…) makes it give up, and parseSyml reads the file, so its results and errors stay the
 * reference (test/deps/berry-syml.test.ts compares both on every berry lockfile in the corpora and fixtures).
 */
export function readBerrySyml(text: string): Record<string, unknown> {
  return readRegular(text) ?? parseSyml(text);
}

/** parseSyml reads a file with yarn 1's header with its yarn 1 grammar instead of js-yaml. */
const YARN1_HEADER = /^(?:#.*\r?\n)*?#\s+yarn\s+lockfile\s+v1\r?\n/i;
/** Anything but LF, printable ASCII and the BMP past C1 (no tabs, CR, line separators, BOM, surrogates). */
const IRREGULAR_CHAR = /[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;
/** A plain scalar may not start with a YAML indicator (or a space); the rest is checked where it is read. */
const PLAIN_START = /^[^-?:,[\]{}#&*!|>'"%@`\s]/;

type Mapping = Record<string, unknown>;

/** The file as parseSyml would read it, or undefined when it is not in the regular part (exported for its test). */
export function readRegular(text: string): Mapping | undefined {
  if (IRREGULAR_CHAR.test(text) || YARN1_HEADER.test(text)) return undefined;
  const root: Mapping = {};
  // The open mappings, innermost last; `stack[d]` holds the keys at indent 2*d.
  const stack: Mapping[] = [root];
  /** Set after `key:`: the next content line must open its block, two spaces deeper. */
  let opened: { parent: Mapping; key: string } | undefined;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    let indent = 0;
    while (line.charCodeAt(indent) === 0x20) indent++;
    if (indent === line.length || line[indent] === '#') continue; // blank or comment line
    if (indent % 2 !== 0 || line.endsWith(' ')) return undefined;
    const depth = indent / 2;
    if (opened) {
      if (depth !== stack.length) return undefined; // `key:` with nothing under it (null), or over-indented
      const child: Mapping = {};
      opened.parent[opened.key] = child;
      stack.push(child);
      opened = undefined;
    } else if (depth >= stack.length) return undefined; // a continuation line of a multi-line scalar
    stack.length = depth + 1;
    const entry = readEntry(line, indent);
    if (!entry) return undefined;
    const mapping = stack[depth]!;
    if (Object.hasOwn(mapping, entry.key) || entry.key === '__proto__' || entry.key === '<<') return undefined;
    if (entry.value === undefined) opened = { parent: mapping, key: entry.key };
    else mapping[entry.key] = entry.value;
  }
  if (opened || Object.keys(root).length === 0) return undefined;
  return root;
}

/** `key: value` or `key:` starting at `at`; undefined when the line is anything else. */
function readEntry(line: string, at: number): { key: string; value: string | undefined } | undefined {
  let key: string | undefined;
  let rest: string;
  if (line[at] === '"') {
    const close = quotedEnd(line, at);
    if (close === -1) return undefined;
    key = readQuoted(line.slice(at, close + 1));
    rest = line.slice(close + 1);
  } else {
    const colon = line.indexOf(':', at);
    if (colon === -1) return undefined;
    key = readPlain(line.slice(at, colon));
    rest = line.slice(colon);
  }
  if (key === undefined) return undefined;
  if (rest === ':') return { key, value: undefined };
  if (!rest.startsWith(': ')) return undefined;
  const raw = rest.slice(2);
  const value = raw.startsWith('"')
    ? quotedEnd(raw, 0) === raw.length - 1
      ? readQuoted(raw)
      : undefined
    : readPlain(raw);
  return value === undefined ? undefined : { key, value };
}

/** A plain scalar on one line, kept only when YAML would read it as the same characters. */
function readPlain(s: string): string | undefined {
  if (!PLAIN_START.test(s) || s.includes(': ') || s.includes(' #') || s.endsWith(':') || s.endsWith(' ')) return;
  return s;
}

/** Index of the `"` closing the double-quoted scalar opening at `at`, or -1. */
function quotedEnd(s: string, at: number): number {
  for (let i = at + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c)
      i++; // backslash
    else if (c === 0x22) return i; // "
  }
  return -1;
}

/**
 * A double-quoted scalar through JSON.parse: JSON's escapes mean the same in YAML, and any escape JSON lacks (`\x`,
 * `\e`, `\ `…) makes it throw, so the file goes to parseSyml.
 */
function readQuoted(s: string): string | undefined {
  // Without a backslash the content is the characters themselves (control characters were refused up front).
  if (!s.includes('\\')) return s.slice(1, -1);
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
