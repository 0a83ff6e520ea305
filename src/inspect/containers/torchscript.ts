import type { Finding } from '../../core/finding.js';

/**
 * Line patterns for what no operator resolution below covers: Python fallbacks and code built-ins, which TorchScript
 * cannot import, and loads of other archives.
 */
const DANGEROUS_CALLS: readonly [RegExp, string][] = [
  [/\btorch\.(?:jit\.)?load\s*\(/, 'loads another archive (torch.load / torch.jit.load)'],
  [/\bops\.prim\.PythonOp\b|\bprim::PythonOp\b/, 'calls back into Python (prim::PythonOp)'],
  [/\b__import__\s*\(|\beval\s*\(|\bexec\s*\(/, 'uses Python code execution built-ins'],
];

/**
 * Operators that reach files. `aten::save` (register_prim_ops_fulljit.cpp: pickles a value into `filename`) and
 * `aten::from_file` (maps `filename` into a tensor) are the two of core PyTorch; outside `aten`, an extension's op
 * named for a file (torchvision's `image::read_file` / `image::write_file`, `video_reader::read_video_from_file`,
 * torchaudio's `*_audio_file`) or starting with save/load opens the path it is given.
 */
export function fileOperator(ns: string, name: string): string | undefined {
  if (ns === 'aten' || ns === 'prim')
    return name === 'from_file'
      ? 'reads an arbitrary file'
      : name === 'save' || name === '_save'
        ? 'writes a file'
        : undefined;
  if (/(^|_)files?(_|$)/i.test(name))
    return /write|save|open/i.test(name) ? 'writes a file' : 'reads an arbitrary file';
  if (/^(save|load)(_|$)/i.test(name)) return name.startsWith('save') ? 'writes a file' : 'reads an arbitrary file';
  return undefined;
}

/** Findings (without location) for dangerous calls in one TorchScript source member. */
export function scanTorchScriptCode(source: string, member: string): Omit<Finding, 'location'>[] {
  const out: Omit<Finding, 'location'>[] = [];
  const lines = source.split('\n');
  const line = (i: number) => lines[i]!.trim();
  for (const use of operatorUses(lexTorchScript(source))) {
    out.push({
      ruleId: 'CPI017',
      message: `TorchScript code ${member} line ${use.line + 1} ${use.why} (${use.ns}::${use.name}): \`${line(use.line).slice(0, 120)}\`. Do not run this model.`,
      evidence: { member, line: use.line + 1, call: line(use.line).slice(0, 200), operator: `${use.ns}::${use.name}` },
    });
  }
  for (const [re, why] of DANGEROUS_CALLS) {
    const i = lines.findIndex((l) => re.test(l));
    if (i < 0) continue;
    out.push({
      ruleId: 'CPI017',
      message: `TorchScript code ${member} line ${i + 1} ${why}: \`${line(i).slice(0, 120)}\`. Do not run this model.`,
      evidence: { member, line: i + 1, call: line(i).slice(0, 200) },
    });
  }
  return out;
}

type Kind = 'name' | 'str' | 'op' | 'nl';
const KINDS: readonly Kind[] = ['name', 'str', 'op', 'nl'];

/**
 * The token stream in flat arrays (a member can hold millions of tokens; one object each is most of the work): a
 * name is its span of the source, a string its decoded value, an operator its text.
 */
class Tokens {
  length = 0;
  private kinds = new Uint8Array(1024);
  private starts = new Int32Array(1024);
  private ends = new Int32Array(1024);
  private lines = new Int32Array(1024);
  /** Decoded string values and operator texts, by the index `starts` holds for them. */
  private readonly texts: string[] = [];

  constructor(private readonly src: string) {}

  push(kind: Kind, start: number, end: number, line: number, text?: string): void {
    if (this.length === this.kinds.length) this.grow();
    const i = this.length++;
    this.kinds[i] = KINDS.indexOf(kind);
    this.lines[i] = line;
    if (text === undefined) {
      this.starts[i] = start;
      this.ends[i] = end;
    } else {
      this.starts[i] = this.texts.push(text) - 1;
      this.ends[i] = -1;
    }
  }

  kind(i: number): Kind | undefined {
    return i >= 0 && i < this.length ? KINDS[this.kinds[i]!] : undefined;
  }

  line(i: number): number {
    return this.lines[i]!;
  }

  text(i: number): string {
    return this.ends[i] === -1 ? this.texts[this.starts[i]!]! : this.src.slice(this.starts[i], this.ends[i]);
  }

  /** Join a string literal onto the one before it (`"a" "b"` is `"ab"`). */
  appendString(value: string): void {
    this.texts[this.starts[this.length - 1]!] += value;
  }

  is(i: number, kind: Kind, text?: string): boolean {
    if (this.kind(i) !== kind) return false;
    if (text === undefined) return true;
    if (this.ends[i] === -1) return this.texts[this.starts[i]!] === text;
    return this.ends[i]! - this.starts[i]! === text.length && this.src.startsWith(text, this.starts[i]);
  }

  private grow(): void {
    const n = this.kinds.length * 2;
    const widen = <T extends Uint8Array | Int32Array>(a: T, b: T): T => (b.set(a), b);
    this.kinds = widen(this.kinds, new Uint8Array(n));
    this.starts = widen(this.starts, new Int32Array(n));
    this.ends = widen(this.ends, new Int32Array(n));
    this.lines = widen(this.lines, new Int32Array(n));
  }
}

/**
 * Tokens as torch/csrc/jit/frontend/lexer.h makes them for the parser: comments dropped, newlines inside brackets and
 * after a backslash are whitespace, and adjacent string literals are one (parser.cpp
 * `parseConcatenatedStringLiterals`, escapes as `parseStringLiteral` decodes them).
 */
function lexTorchScript(src: string): Tokens {
  const toks = new Tokens(src);
  let depth = 0;
  let line = 0;
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      if (depth === 0 && toks.kind(toks.length - 1) !== 'nl') toks.push('nl', i, i + 1, line);
      line++;
      i++;
    } else if (c === '#') {
      const end = src.indexOf('\n', i);
      i = end < 0 ? src.length : end;
    } else if (c === '\\' && src[i + 1] === '\n') {
      line++;
      i += 2;
    } else if (c === '"' || c === "'") {
      const start = line;
      const quote = src.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      let j = i + quote.length;
      let escaped = false;
      for (; j < src.length && !src.startsWith(quote, j); j++) {
        if (src.charCodeAt(j) === 0x5c) {
          escaped = true;
          j++;
        }
        if (src.charCodeAt(j) === 0x0a) line++;
      }
      const body = src.slice(i + quote.length, j);
      const value = escaped ? decodeEscapes(body) : body;
      if (toks.kind(toks.length - 1) === 'str') toks.appendString(value);
      else toks.push('str', i, j, start, value);
      i = j + quote.length;
    } else if (isNameStart(src.charCodeAt(i))) {
      let j = i + 1;
      while (j < src.length && isNamePart(src.charCodeAt(j))) j++;
      toks.push('name', i, j, line);
      i = j;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else {
      // `==`, `!=`, `<=`, `>=` are one token so that `a == torch` is no assignment.
      const len = (src[i + 1] === '=' && '=!<>'.includes(c)) || (c === '-' && src[i + 1] === '>') ? 2 : 1;
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
      toks.push('op', i, i + len, line);
      i += len;
    }
  }
  return toks;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39);
}

/** Escapes as torch::jit::parseStringLiteral decodes them (octal `\nnn` included; `\x` and `\u` are load errors). */
function decodeEscapes(s: string): string {
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', v: '\v', t: '\t' };
  return s.replace(/\\([0-7]{3}|[\s\S])/g, (_, e: string) =>
    e.length === 3 ? String.fromCharCode(parseInt(e, 8) & 0xff) : (simple[e] ?? e),
  );
}

/** What a name evaluates to in the source importer: the `torch` builtin module, `ops`, or one operator. */
type Value = { kind: 'module'; ns: string } | { kind: 'ops' } | { kind: 'op'; ns: string; name: string };

interface Use {
  readonly ns: string;
  readonly name: string;
  readonly why: string;
  readonly line: number;
}

/** Passes over the bindings: `a = torch`, `b = a`, … resolve one link per pass (real archives have none). */
const MAX_BINDING_PASSES = 4;

/**
 * Every reference to a file operator, however it is spelled. The source importer (import_source.cpp
 * `SourceImporterImpl`) binds `torch` to `BuiltinModule("aten")` and `ops` to `OpsValue`; `BuiltinModule::attr`
 * maps `autograd` back to the module and any other field to the operator `ns::field`, `OpsValue::attr` a field to
 * `BuiltinModule(field)`; `getattr(x, "lit")` is `x.lit` (ir_emitter.cpp), and a module or operator can be bound to
 * a local name. So `torch.save`, `torch.autograd.save`, `ops.aten.save`, `getattr(torch, "sa" "ve")` and `t = torch;
 * t.save` all reach `aten::save`, and a reference is reported wherever it stands, called or not.
 *
 * Each reference is grown outwards from a bound name (`(ref)`, `getattr(ref, "lit")`, `ref.field`), so the work is
 * the size of the references, not of the brackets around other code.
 */
function operatorUses(toks: Tokens): Use[] {
  const env = new Map<string, Value>([
    ['torch', { kind: 'module', ns: 'aten' }],
    ['ops', { kind: 'ops' }],
  ]);
  const found = new Map<string, Use>();
  const attr = (v: Value, field: string, line: number): Value | undefined => {
    if (v.kind === 'ops') return { kind: 'module', ns: field };
    if (v.kind !== 'module') return undefined;
    if (field === 'autograd') return v;
    const why = fileOperator(v.ns, field);
    const key = `${v.ns}::${field}`;
    if (why !== undefined && !found.has(key)) found.set(key, { ns: v.ns, name: field, why, line });
    return { kind: 'op', ns: v.ns, name: field };
  };
  const is = (i: number, kind: Kind, text?: string) => toks.is(i, kind, text);
  const statementEdge = (i: number) => i < 0 || i >= toks.length || is(i, 'nl') || is(i, 'op', ';');
  const bindings = new Map<string, Value>();
  /** The reference around the bound name at `i`, as far as it reaches; a binding when it is a whole `x = ref`. */
  const grow = (i: number): void => {
    let v: Value | undefined = env.get(toks.text(i));
    let s = i;
    let e = i + 1;
    while (v !== undefined) {
      if (is(e, 'op', '.') && is(e + 1, 'name')) {
        v = attr(v, toks.text(e + 1), toks.line(e + 1));
        e += 2;
      } else if (is(s - 1, 'op', '(') && is(e, 'op', ')') && !is(s - 2, 'name', 'getattr')) {
        s--;
        e++;
      } else if (is(s - 2, 'name', 'getattr') && is(s - 1, 'op', '(') && is(e, 'op', ',') && is(e + 1, 'str')) {
        if (!is(e + 2, 'op', ')')) break;
        v = attr(v, toks.text(e + 1), toks.line(e + 1));
        s -= 2;
        e += 3;
      } else break;
    }
    if (v !== undefined && is(s - 1, 'op', '=') && is(s - 2, 'name') && statementEdge(s - 3) && statementEdge(e))
      bindings.set(toks.text(s - 2), v);
  };
  for (let pass = 0; pass < MAX_BINDING_PASSES; pass++) {
    const known = env.size;
    for (let i = 0; i < toks.length; i++) if (is(i, 'name') && !is(i - 1, 'op', '.') && env.has(toks.text(i))) grow(i);
    for (const [k, v] of bindings) if (!env.has(k)) env.set(k, v);
    if (env.size === known) break;
  }
  return [...found.values()].sort((a, b) => a.line - b.line || (a.ns + a.name < b.ns + b.name ? -1 : 1));
}
