import { FormatError } from './source.js';

/** One AssetFileDef `filename` of a text SavedModel, where it sits and at which character. */
export interface TextAsset {
  readonly filename: string;
  readonly where: string;
  readonly at: number;
}

/** A NodeDef's `op`, or an `output_stream` attr's `s` (what PrintV2 appends to), and at which character. */
export interface TextValue {
  readonly value: string;
  readonly at: number;
}

/** What the loaders take from a text SavedModel: asset filenames, every node's op, every `output_stream` attr. */
export interface TextSavedModel {
  readonly assets: TextAsset[];
  readonly ops: TextValue[];
  readonly outputStreams: TextValue[];
}

/** The `collection_def` key TF1 SavedModels list their assets under (`saved_model/constants.py` `ASSETS_KEY`). */
export const ASSETS_KEY = 'saved_model_assets';
/** The type an asset `Any` must name for the loaders to unpack it (`ParseAny(…, "tensorflow.AssetFileDef")`). */
export const ASSET_TYPE = 'tensorflow.AssetFileDef';
/** protobuf's text parser refuses messages nested deeper than this (`TextFormat::Parser` recursion limit). */
const MAX_DEPTH = 100;
/** Bytes of a string kept: asset paths are short, and one past PATH_MAX (4096) cannot be opened. */
const MAX_KEPT = 64 * 1024;

interface Frame {
  readonly name: string;
  /** A `collection_def` or `attr` map entry's `key`; a meta graph's assets by where they came from. */
  key?: string;
  /** An `attr` entry's `value.s`, kept until the entry closes: a map entry may hold its value before its key. */
  s?: TextValue;
  readonly fileDefs: TextAsset[];
  readonly collected: TextAsset[];
}

/**
 * A text-format SavedModel (`saved_model.pbtxt`), which the loaders read when there is no `saved_model.pb`
 * (`loader_impl.parse_saved_model` → `text_format.Parse`; C++ `ReadSavedModel` → `ReadTextProto`), read as they read
 * it. Asset filenames from the places the binary reader reads (savedmodel.ts `readAssetFile`): each meta graph's
 * `asset_file_def`, or, only when a meta graph has none, its `saved_model_assets` collection's Anys of type
 * AssetFileDef, which text format writes expanded (`[type.googleapis.com/tensorflow.AssetFileDef] { filename: "…" }`).
 * The `op` of every `node` (graph) and `node_def` (function), and every `attr` entry `output_stream`'s `value.s`,
 * however the text spells them: single or double quotes, C escapes, adjacent strings joined, fields in any order. A
 * small text-format walker: field names, strings, scalars, lists and `{}`/`<>` messages, `#` comments.
 */
export function readTextSavedModel(text: string): TextSavedModel {
  const out: TextAsset[] = [];
  const ops: TextValue[] = [];
  const outputStreams: TextValue[] = [];
  const stack: Frame[] = [{ name: '', fileDefs: [], collected: [] }];
  const path = () => stack.slice(1).map((f) => f.name);
  let i = 0;
  const skipSpace = () => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (text[i] !== '#') return;
      while (i < text.length && text[i] !== '\n') i++;
    }
  };
  const open = (name: string) => {
    if (stack.length > MAX_DEPTH) throw new FormatError(`messages nested past ${MAX_DEPTH} levels`, i);
    stack.push({ name, fileDefs: [], collected: [] });
  };
  const close = () => {
    if (stack.length === 1) throw new FormatError('a closing brace with no message open', i);
    const f = stack.pop()!;
    const p = path();
    // A `collection_def` map entry (key, value) hands its assets to the meta graph once its key is known.
    if (f.name === 'collection_def' && f.key === ASSETS_KEY) stack.at(-1)!.collected.push(...f.collected);
    if (f.name === 'attr' && f.key === 'output_stream' && f.s !== undefined) outputStreams.push(f.s);
    if (f.name === 'meta_graphs' && p.length === 0) out.push(...(f.fileDefs.length > 0 ? f.fileDefs : f.collected));
  };
  const scalar = (name: string, value: string, at: number) => {
    const p = path();
    const top = stack.at(-1)!;
    if (name === 'key' && (top.name === 'collection_def' || top.name === 'attr')) top.key = value;
    // NodeDef `op` (graph_def.node, library.function.node_def); AttrValue `s` of an attr entry's `value`.
    if (name === 'op' && (top.name === 'node' || top.name === 'node_def')) ops.push({ value, at });
    const entry = stack.at(-2);
    if (name === 's' && top.name === 'value' && entry?.name === 'attr') entry.s = { value, at };
    if (name !== 'filename') return;
    if (p.length === 2 && p[0] === 'meta_graphs' && p[1] === 'asset_file_def') {
      stack[1]!.fileDefs.push({ filename: value, where: 'asset_file_def', at });
      return;
    }
    const any = p.at(-1) ?? '';
    const inCollection = p.length === 6 && p[0] === 'meta_graphs' && p[1] === 'collection_def';
    const listed = p[2] === 'value' && p[3] === 'any_list' && p[4] === 'value';
    // `ParseAnyTypeUrl`: the type name is what follows the URL's last `/`.
    if (inCollection && listed && any.slice(any.lastIndexOf('/') + 1, -1) === ASSET_TYPE)
      stack[2]!.collected.push({ filename: value, where: `collection_def["${ASSETS_KEY}"]`, at });
  };
  /** Open `name: [ … ]` lists: their items are messages or scalars of that field, at the depth the list opened. */
  const lists: { readonly name: string; readonly depth: number }[] = [];
  for (;;) {
    skipSpace();
    if (i >= text.length) break;
    const c = text[i]!;
    const list = lists.at(-1);
    if (list !== undefined && list.depth === stack.length) {
      if (c === ']') lists.pop();
      if (c === ']' || c === ',') i++;
      else if (c === '{' || c === '<') {
        i++;
        open(list.name);
      } else scalar(list.name, value(), i);
      continue;
    }
    if (c === '}' || c === '>') {
      i++;
      close();
      continue;
    }
    if (c === ',' || c === ';') {
      i++;
      continue;
    }
    const at = i;
    const name = c === '[' ? bracketed() : identifier();
    if (name === undefined) throw new FormatError(`unexpected ${JSON.stringify(c)}`, i);
    skipSpace();
    if (text[i] === ':') {
      i++;
      skipSpace();
    }
    if (text[i] === '{' || text[i] === '<') {
      i++;
      open(name);
    } else if (text[i] === '[') {
      i++;
      lists.push({ name, depth: stack.length });
    } else scalar(name, value(), at);
  }
  if (stack.length > 1 || lists.length > 0) throw new FormatError('the text ends inside a message', text.length);
  return { assets: out, ops, outputStreams };

  function identifier(): string | undefined {
    const m = /^[A-Za-z_][\w.]*/.exec(text.slice(i, i + 256));
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  }
  function bracketed(): string {
    const end = text.indexOf(']', i);
    if (end < 0) throw new FormatError('an unclosed [type name]', i);
    const name = text.slice(i, end + 1).replace(/\s+/g, '');
    i = end + 1;
    return name;
  }
  /** A scalar: one or more adjacent strings, joined, or a bare token (number, enum, bool). */
  function value(): string {
    if (text[i] !== '"' && text[i] !== "'") {
      const start = i;
      while (i < text.length && !/[\s,;{}<>[\]#"']/.test(text[i]!)) i++;
      if (i === start) throw new FormatError('a field with no value', i);
      return text.slice(start, i);
    }
    const parts: Buffer[] = [];
    while (text[i] === '"' || text[i] === "'") {
      parts.push(quoted());
      skipSpace();
    }
    return Buffer.concat(parts).toString('utf8');
  }
  /**
   * A quoted string with protobuf's C escapes (`CUnescape`): octal, hex, `\u`/`\U` code points (C++
   * `ParseStringAppend`; Python's `unicode_escape`), Python's `\N{…}` for the letters, digits and underscore an op
   * name is made of (any other name is kept as U+FFFD), and the usual letters. Only the first MAX_KEPT bytes are kept:
   * a longer asset path is past any file system's PATH_MAX, so opening it fails.
   */
  function quoted(): Buffer {
    const quote = text[i++]!;
    const bytes: number[] = [];
    const push = (...b: number[]) => {
      if (bytes.length < MAX_KEPT) bytes.push(...b);
    };
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
    for (;;) {
      if (i >= text.length || text[i] === '\n') throw new FormatError('an unterminated string', i);
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      i += ch.length;
      if (ch === quote) return Buffer.from(bytes);
      if (ch !== '\\') {
        push(...Buffer.from(ch, 'utf8'));
        continue;
      }
      const e = text[i++] ?? '';
      const oct = /^[0-7]{1,3}/.exec(text.slice(i - 1, i + 2));
      const hex = /^x([0-9A-Fa-f]{1,2})/.exec(text.slice(i - 1, i + 2));
      const code = /^(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))/.exec(text.slice(i - 1, i + 9));
      const named = e === 'N' ? /^\{([^}\n]{1,100})\}/.exec(text.slice(i, i + 102)) : null;
      if (code) {
        const cp = parseInt(code[1] ?? code[2]!, 16);
        push(...Buffer.from(cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd', 'utf8'));
        i += code[0].length - 1;
      } else if (named) {
        push(...Buffer.from(unicodeName(named[1]!), 'utf8'));
        i += named[0].length;
      } else if (oct) {
        push(parseInt(oct[0], 8) & 0xff);
        i += oct[0].length - 1;
      } else if (hex) {
        push(parseInt(hex[1]!, 16));
        i += hex[0].length - 1;
      } else push(simple[e] ?? e.charCodeAt(0) & 0xff);
    }
  }
}

const DIGITS = 'ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE'.split(' ');

/** The character Python's `\N{name}` names, for the names of ASCII letters, digits and `_`; else U+FFFD. */
function unicodeName(name: string): string {
  const n = name.trim().toUpperCase().replace(/\s+/g, ' ');
  const letter = /^LATIN (CAPITAL|SMALL) LETTER ([A-Z])$/.exec(n);
  if (letter) return letter[1] === 'CAPITAL' ? letter[2]! : letter[2]!.toLowerCase();
  const digit = /^DIGIT ([A-Z]+)$/.exec(n);
  if (digit && DIGITS.includes(digit[1]!)) return String(DIGITS.indexOf(digit[1]!));
  return n === 'LOW LINE' ? '_' : '\ufffd';
}
