/**
 * Chat templates under names transformers does not look for. Runtimes load them by path whatever the name: vLLM and
 * SGLang `--chat-template <file>`, llama.cpp `--chat-template-file`, TGI `--tokenizer-config-path` (a tokenizer
 * config of any name), and code that reads a file and hands its text to `apply_chat_template(chat_template=…)`.
 * Discovery tells them by content: a JSON or YAML file whose bytes hold the key `chat_template`, a `.jinja` /
 * `.jinja2` / `.j2` file, or a `.template` / `.tmpl` file with Jinja syntax. The inspector then parses the candidate
 * and judges only a top-level `chat_template` (or a template that renders messages), so a candidate costs a parse,
 * never a finding by itself.
 */

/** How a candidate is read: by the extension, as the runtime that takes the file reads it. */
export type TemplateFileKind = 'json' | 'yaml' | 'jinja' | 'template';

const KIND_BY_EXTENSION: readonly (readonly [string, TemplateFileKind])[] = [
  ['json', 'json'],
  ['yaml', 'yaml'],
  ['yml', 'yaml'],
  ['jinja', 'jinja'],
  ['jinja2', 'jinja'],
  ['j2', 'jinja'],
  ['template', 'template'],
  ['tmpl', 'template'],
];

/** The last characters of the extensions, lower-cased. */
const LAST_CHARACTERS = new Set(KIND_BY_EXTENSION.map(([ext]) => ext.charCodeAt(ext.length - 1)));

/**
 * The kind of a path by its extension (any case), or undefined for names no chat template goes by. The walk asks
 * this of every file it finds nothing in: it compares in place and allocates nothing.
 */
export function templateFileKind(path: string): TemplateFileKind | undefined {
  // Source files (`.py`, `.ts`, `.js`) end in no extension's last character: one comparison lets them go.
  if (!LAST_CHARACTERS.has(path.charCodeAt(path.length - 1) | 0x20)) return undefined;
  const dot = path.lastIndexOf('.');
  if (dot < 0) return undefined;
  const length = path.length - dot - 1;
  for (let i = 0; i < KIND_BY_EXTENSION.length; i++) {
    // Indexed, not destructured: destructuring runs the array iterator, for every file the walk finds nothing in.
    const entry = KIND_BY_EXTENSION[i]!;
    if (entry[0].length === length && sameLowerCase(path, dot + 1, entry[0])) return entry[1];
  }
  return undefined;
}

/** Whether `s` at `at` spells `lower` in any case (a `/` matches no letter: a dot in a folder's name is no extension). */
function sameLowerCase(s: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) if ((s.charCodeAt(at + i) | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/**
 * Whether a file of this kind with this head may be a chat template at all: a JSON file must be an object
 * (json.load of a tokenizer config; an array or a scalar holds no top-level key), the others may be anything.
 */
export function mayBeTemplateFile(kind: TemplateFileKind, head: Buffer): boolean {
  return kind !== 'json' || head[jsonTextStart(head)] === 0x7b; /* { */
}

/**
 * Where a JSON document's first value starts: past a UTF-8 BOM (json.loads decodes bytes as `utf-8-sig`:
 * `detect_encoding`) and JSON's whitespace.
 */
export function jsonTextStart(head: Buffer): number {
  return skipJsonSpace(head, head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0);
}

/** The first byte at or past `from` that is not JSON's whitespace. */
export function skipJsonSpace(bytes: Buffer, from: number): number {
  let i = from;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return i;
}

/** Bytes a match may straddle between two reads: the longest needle, `\U0000005f`-spelled letters included. */
export const TEMPLATE_NEEDLE_OVERLAP = 16;

/**
 * The most of a file read for a chat template: the inspector reads a template file up to this size (a tokenizer
 * config is a few KiB to a few MiB, with its added-token tables) and reports a larger one as past its limit.
 */
export const MAX_TEMPLATE_FILE = 32 * 1024 * 1024;

/**
 * Whether `bytes` (a part of the file) show the candidate's sign: for JSON and YAML the key `chat_template`, literal
 * or with a letter spelled as an escape (json.load decodes `"chat\u005ftemplate"`, PyYAML `"chat\x5ftemplate"`
 * in a double-quoted key); for `.template` / `.tmpl` a Jinja delimiter (`{{`, `{%`, `{#`); a `.jinja` file is one
 * by its name.
 */
export function showsTemplateSign(kind: TemplateFileKind, bytes: Buffer): boolean {
  if (kind === 'jinja') return true;
  if (kind === 'template') return bytes.includes('{{') || bytes.includes('{%') || bytes.includes('{#');
  return (
    bytes.includes('chat_template') ||
    hasEscapedKeyLetter(bytes, TEMPLATE_KEY_CODES, kind === 'json' ? JSON_ESCAPES : YAML_ESCAPES)
  );
}

/**
 * Whether YAML bytes may carry one of PyYAML's python tags: the tag's own text (`!!python/…`, a `%TAG` prefix ending
 * in `python/`), the prefix a verbatim tag spells out (`!<tag:yaml.org,2002:…>`), a `%TAG` directive, whose handle
 * may split the name, or a tag that hides one of those with a `%XX` escape, which PyYAML's `scan_tag_uri` decodes
 * (`!!py%74hon/…`). Native searches, and a bounded look past each `!`: a YAML file without these costs no parse.
 */
export function showsPythonTagSign(bytes: Buffer): boolean {
  return bytes.includes('python/') || bytes.includes('%TAG') || bytes.includes('tag:yaml.org') || hasEscapedTag(bytes);
}

/**
 * How far past a tag's `!` an escape hiding one of the texts above starts: at most 13 bytes (`!<` and 11 letters of
 * `tag:yaml.org`; `!!` and 6 of `python/`). Within TEMPLATE_NEEDLE_OVERLAP, so the walk's chunks never split it.
 */
const ESCAPED_TAG_REACH = 14;

/** Some `!` followed, before a blank or a line break, by a `%` within ESCAPED_TAG_REACH bytes. */
function hasEscapedTag(bytes: Buffer): boolean {
  for (let i = bytes.indexOf(0x21 /* ! */); i >= 0; i = bytes.indexOf(0x21, i + 1)) {
    const end = Math.min(bytes.length, i + ESCAPED_TAG_REACH);
    for (let j = i + 1; j < end; j++) {
      const b = bytes[j]!;
      if (b === 0x25 /* % */) return true;
      if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) break;
    }
  }
  return false;
}

/** The code points of `chat_template`: an escape spelling one of them may be hiding the key. */
export const TEMPLATE_KEY_CODES = keyCodes('chat_template');

/** The code points of a key, for `hasEscapedKeyLetter`. */
export function keyCodes(key: string): ReadonlySet<number> {
  return new Set([...key].map((c) => c.charCodeAt(0)));
}

/**
 * The escapes that spell an ASCII letter, by the digits before its two: json.loads knows only `\u00XX`; PyYAML's
 * double-quoted scalars also `\xXX` and `\U000000XX`.
 */
const JSON_ESCAPES = ['\\u00'];
const YAML_ESCAPES = ['\\u00', '\\x', '\\U000000'];

/** Some `\u00XX` escape (the only one json.loads knows for a letter) spelling a letter of the key. */
export function hasJsonEscapedKeyLetter(bytes: Buffer, codes: ReadonlySet<number>): boolean {
  return hasEscapedKeyLetter(bytes, codes, JSON_ESCAPES);
}

/**
 * Some escape spelling a letter of the key. Each form is found by a native search, so a vocabulary's `\u0120`
 * escapes and a run of backslashes are passed over without a step of JavaScript per byte.
 */
function hasEscapedKeyLetter(bytes: Buffer, codes: ReadonlySet<number>, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes)
    for (let i = bytes.indexOf(prefix); i >= 0; i = bytes.indexOf(prefix, i + 1))
      if (codes.has(hexByte(bytes, i + prefix.length))) return true;
  return false;
}

/**
 * One pass over a JSON chunk's `\u00XX` escapes for two keys: `first` as soon as one spells a letter of the first
 * key, else `second` when one spelled a letter of the second, else undefined.
 */
export function escapedKeyLetterOf(
  bytes: Buffer,
  first: ReadonlySet<number>,
  second: ReadonlySet<number>,
): 'first' | 'second' | undefined {
  const prefix = JSON_ESCAPES[0]!;
  let seen = false;
  for (let i = bytes.indexOf(prefix); i >= 0; i = bytes.indexOf(prefix, i + 1)) {
    const code = hexByte(bytes, i + prefix.length);
    if (first.has(code)) return 'first';
    seen ||= second.has(code);
  }
  return seen ? 'second' : undefined;
}

/** The byte two hex digits at `at` spell, or -1. */
function hexByte(bytes: Buffer, at: number): number {
  const hi = hexDigit(bytes[at]);
  const lo = hexDigit(bytes[at + 1]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

function hexDigit(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}
