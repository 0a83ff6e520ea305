import { FormatError } from './source.js';

/** One AssetFileDef `filename` of a text SavedModel, where it sits and at which character. */
export interface TextAsset {
  readonly filename: string;
  readonly where: string;
  readonly at: number;
}

/** A string value and the character it starts at. */
interface TextValue {
  readonly value: string;
  readonly at: number;
}

/** A NodeDef as the op scan reads it (savedmodel-paths.ts `OpUse`): op, name, data inputs and the attrs it uses. */
export interface TextNode {
  op: string;
  name: string;
  readonly inputs: string[];
  /** Where the node's `op` is spelled, else where the node opens. */
  at: number;
  /** attr `value` → tensor → the first `string_val`: what a string Const holds. */
  constString?: string;
  /** attr `separator` → `s` (StringJoin). */
  separator?: string;
  /** attr `output_stream` → `s` (PrintV2). */
  outputStream?: string;
}

/** The nodes of one scope: a meta graph's `graph_def`, or one function of its library. */
interface TextScope {
  readonly where: string;
  readonly nodes: TextNode[];
  /** The graph's nodes the loader feeds with an asset's path (AssetFileDef `tensor_info.name`); none in a function. */
  readonly fed: ReadonlySet<string>;
}

/** What the loaders take from a text SavedModel: asset filenames and every scope's nodes. */
export interface TextSavedModel {
  readonly assets: TextAsset[];
  readonly scopes: TextScope[];
}

/** The `collection_def` key TF1 SavedModels list their assets under (`saved_model/constants.py` `ASSETS_KEY`). */
export const ASSETS_KEY = 'saved_model_assets';
/** The type an asset `Any` must name for the loaders to unpack it (`ParseAny(…, "tensorflow.AssetFileDef")`). */
export const ASSET_TYPE = 'tensorflow.AssetFileDef';
/**
 * Messages walked; deeper ones are stepped over (`skipMessage`). protobuf's text parsers read deeper: C++
 * `TextFormat::Parser` sets no recursion limit (`recursion_limit_` is INT_MAX), Python's `text_format` goes to its
 * recursion limit (about 450 levels). Nothing the walker reads sits that deep (a function's node attrs are within ten
 * levels): only the recursive values do (`AttrValue.func` → `NameAttrList.attr`, `StructuredValue`).
 */
const MAX_DEPTH = 100;
/** Bytes of a string kept: asset paths are short, and one past PATH_MAX (4096) cannot be opened. */
const MAX_KEPT = 64 * 1024;
/**
 * The fields whose values `scalar` reads; any other string (a Const's `tensor_content`, a docstring) is only stepped
 * over, never decoded.
 */
const READ_FIELDS = new Set(['key', 'op', 's', 'filename', 'name', 'input', 'string_val']);

/** The assets of one meta graph, or of one `collection_def` entry until its key is known. */
interface Assets {
  readonly files: TextAsset[];
  readonly tensors: string[];
}

interface Frame {
  readonly name: string;
  /** A `collection_def` or `attr` map entry's `key`; a meta graph's assets by where they came from. */
  key?: string;
  /** An `attr` entry's `value.s`, kept until the entry closes: a map entry may hold its value before its key. */
  s?: TextValue;
  /** An `attr` entry's `value.tensor.string_val` (the first), kept until the entry closes. */
  t?: string;
  readonly fileDefs: Assets;
  readonly collected: Assets;
  /** A `node` / `node_def` frame's node. */
  node?: TextNode;
  /** A `graph_def` or library `function` frame's nodes, and a function's name (its `signature.name`). */
  scope?: { where: string; readonly nodes: TextNode[] };
  /** A meta graph's scopes, given its asset tensors when it closes. */
  readonly scopes: { where: string; readonly nodes: TextNode[]; readonly graph: boolean }[];
}

/**
 * Where an AssetFileDef message at path `p` sits: a meta graph's `asset_file_def`, an Any of type AssetFileDef in a
 * collection entry (`ParseAnyTypeUrl`: the type name is what follows the URL's last `/`), or neither.
 */
function assetPlace(p: readonly string[]): 'fileDefs' | 'collected' | undefined {
  if (p.length === 2 && p[0] === 'meta_graphs' && p[1] === 'asset_file_def') return 'fileDefs';
  const any = p.at(-1) ?? '';
  const inCollection = p.length === 6 && p[0] === 'meta_graphs' && p[1] === 'collection_def';
  const listed = p[2] === 'value' && p[3] === 'any_list' && p[4] === 'value';
  return inCollection && listed && any.slice(any.lastIndexOf('/') + 1, -1) === ASSET_TYPE ? 'collected' : undefined;
}

const frame = (name: string): Frame => ({
  name,
  fileDefs: { files: [], tensors: [] },
  collected: { files: [], tensors: [] },
  scopes: [],
});

/**
 * A text-format SavedModel (`saved_model.pbtxt`), which the loaders read when there is no `saved_model.pb`
 * (`loader_impl.parse_saved_model` → `text_format.Parse`; C++ `ReadSavedModel` → `ReadTextProto`), read as they read
 * it. Asset filenames and tensors from the places the binary reader reads (savedmodel.ts `readAssetFile`): each meta
 * graph's `asset_file_def`, or, only when a meta graph has none, its `saved_model_assets` collection's Anys of type
 * AssetFileDef, which text format writes expanded (`[type.googleapis.com/tensorflow.AssetFileDef] { filename: "…" }`).
 * Every `node` (graph) and `node_def` (function) with its op, name, inputs and the attrs the op scan reads, however
 * the text spells them: single or double quotes, C escapes, adjacent strings joined, fields in any order. A small
 * text-format walker: field names, strings, scalars, lists and `{}`/`<>` messages, `#` comments.
 */
export function readTextSavedModel(text: string): TextSavedModel {
  const out: TextAsset[] = [];
  const scopes: TextScope[] = [];
  // Nodes outside any graph_def or function (a NodeDef elsewhere) are still judged, as the graph's.
  const loose: TextNode[] = [];
  const stack: Frame[] = [frame('')];
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
    if (stack.length > MAX_DEPTH) return skipMessage();
    const p = path();
    const f = frame(name);
    if (name === 'node' || name === 'node_def') f.node = { op: '', name: '', inputs: [], at: i };
    const graph = name === 'graph_def' && p.length === 1 && p[0] === 'meta_graphs';
    const fn = name === 'function' && p.length === 3 && p[1] === 'graph_def' && p[2] === 'library';
    if (graph || fn) {
      const scope = { where: graph ? 'graph' : 'function', nodes: [], graph };
      stack[1]!.scopes.push(scope);
      f.scope = scope;
    }
    stack.push(f);
  };
  const close = () => {
    if (stack.length === 1) throw new FormatError('a closing brace with no message open', i);
    const f = stack.pop()!;
    const p = path();
    const parent = stack.at(-1)!;
    // A `collection_def` map entry (key, value) hands its assets to the meta graph once its key is known.
    if (f.name === 'collection_def' && f.key === ASSETS_KEY) {
      parent.collected.files.push(...f.collected.files);
      parent.collected.tensors.push(...f.collected.tensors);
    }
    if (f.name === 'attr' && parent.node !== undefined) {
      if (f.key === 'output_stream' && f.s !== undefined) parent.node.outputStream = f.s.value;
      if (f.key === 'separator' && f.s !== undefined) parent.node.separator = f.s.value;
      if (f.key === 'value' && f.t !== undefined) parent.node.constString = f.t;
    }
    if (f.node !== undefined) (stack.findLast((g) => g.scope !== undefined)?.scope?.nodes ?? loose).push(f.node);
    if (f.name === 'meta_graphs' && p.length === 0) {
      const assets = f.fileDefs.files.length > 0 ? f.fileDefs : f.collected;
      out.push(...assets.files);
      const fed = new Set(assets.tensors);
      for (const s of f.scopes) scopes.push({ where: s.where, nodes: s.nodes, fed: s.graph ? fed : new Set() });
    }
  };
  const scalar = (name: string, value: string, at: number) => {
    const p = path();
    const top = stack.at(-1)!;
    if (name === 'key' && (top.name === 'collection_def' || top.name === 'attr')) top.key = value;
    // NodeDef `op`, `name` and data `input`s (a `^name` control input orders, it feeds no value).
    if (top.node !== undefined) {
      if (name === 'op') {
        top.node.op = value;
        top.node.at = at;
      } else if (name === 'name') top.node.name = value;
      else if (name === 'input' && !value.startsWith('^')) top.node.inputs.push(value);
    }
    const entry = stack.at(-2);
    // AttrValue `s` of an attr entry's `value`, and the first `string_val` of its `tensor`.
    if (name === 's' && top.name === 'value' && entry?.name === 'attr') entry.s = { value, at };
    const attr = stack.at(-3);
    if (name === 'string_val' && top.name === 'tensor' && entry?.name === 'value' && attr?.name === 'attr')
      attr.t ??= value;
    // A library function's name: `signature` (OpDef) `name`.
    if (name === 'name' && top.name === 'signature' && entry?.scope !== undefined)
      entry.scope.where = `function ${value}`;
    if (name === 'name' && top.name === 'tensor_info') {
      const place = assetPlace(p.slice(0, -1));
      if (place !== undefined) stack[place === 'fileDefs' ? 1 : 2]![place].tensors.push(value.split(':', 1)[0]!);
    }
    if (name !== 'filename') return;
    const place = assetPlace(p);
    if (place === 'fileDefs') stack[1]!.fileDefs.files.push({ filename: value, where: 'asset_file_def', at });
    else if (place === 'collected')
      stack[2]!.collected.files.push({ filename: value, where: `collection_def["${ASSETS_KEY}"]`, at });
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
      } else scalar(list.name, value(READ_FIELDS.has(list.name)), i);
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
    } else scalar(name, value(READ_FIELDS.has(name)), at);
  }
  if (stack.length > 1 || lists.length > 0) throw new FormatError('the text ends inside a message', text.length);
  if (loose.length > 0) scopes.push({ where: 'graph', nodes: loose, fed: new Set() });
  return { assets: out, scopes };

  /**
   * Past a message too deep to walk, its opening brace read: braces counted outside strings and comments, in one
   * pass (the loaders read it, and what sits beside it is still walked).
   */
  function skipMessage(): void {
    for (let depth = 1; depth > 0;) {
      skipSpace();
      if (i >= text.length) throw new FormatError('the text ends inside a message', text.length);
      const c = text[i]!;
      if (c === '"' || c === "'") skipQuoted();
      else {
        i++;
        if (c === '{' || c === '<') depth++;
        else if (c === '}' || c === '>') depth--;
      }
    }
  }
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
  /**
   * A scalar: one or more adjacent strings, joined, or a bare token (number, enum, bool). Strings of a field nobody
   * reads (`read` false) are stepped over where `quoted` would end them, and the value is empty.
   */
  function value(read: boolean): string {
    if (text[i] !== '"' && text[i] !== "'") {
      const start = i;
      while (i < text.length && !/[\s,;{}<>[\]#"']/.test(text[i]!)) i++;
      if (i === start) throw new FormatError('a field with no value', i);
      return text.slice(start, i);
    }
    const parts: Buffer[] = [];
    while (text[i] === '"' || text[i] === "'") {
      if (read) parts.push(quoted());
      else skipQuoted();
      skipSpace();
    }
    return Buffer.concat(parts).toString('utf8');
  }
  /** Past a quoted string without decoding it: its escapes are stepped over as `quoted` reads them. */
  function skipQuoted(): void {
    const quote = text[i++]!;
    const stop = /[\\\n"']/g;
    for (;;) {
      stop.lastIndex = i;
      const at = stop.exec(text)?.index ?? text.length;
      if (at >= text.length || text[at] === '\n') throw new FormatError('an unterminated string', at);
      i = at + 1;
      if (text[at] === quote) return;
      if (text[at] !== '\\') continue;
      // `\N{…}` is one escape whatever its braces hold (a quote included); every other escape ends before a quote.
      const named = text[i] === 'N' ? /^\{[^}\n]{1,100}\}/.exec(text.slice(i + 1, i + 103)) : null;
      i += named ? named[0].length + 1 : 1;
    }
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
