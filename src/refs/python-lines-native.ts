import { PYTHON_LINES_WASM } from './python-lines-wasm.js';
import type { LogicalLine } from './python-lines.js';
import { wasmApi, type WasmApi } from './wasm.js';

/**
 * A Python file's logical lines and assignment hits, from python-lines.wat: what python-lines.ts `logicalLines` and
 * python-snippet.ts `assignmentHits` give, over the file's bytes in WebAssembly. Those two ran over every character
 * of each file that names a loader, interpreted while V8 compiled them on another thread: most of the Python quick
 * finder's CPU (bench `refs`). The module reads only the common shapes (ASCII text, no carriage return, f-string
 * fields of names, calls and format specs) and says so when a file has anything else: the caller then runs the
 * JavaScript, which decides exactly (test/refs/python-lines-wasm.test.ts holds the two together).
 */
export interface NativeLines {
  /** Per logical line, two numbers: its start, and its end with bit 31 set for a block header (`lineEnd`). */
  readonly lines: Int32Array;
  /** Per assignment hit, three numbers: the logical line's index, the name's start and end. */
  readonly hits: Int32Array;
}

/** Larger files go to the JavaScript: the module's memory grows to about 21 times the file's size. */
export const NATIVE_MAX_BYTES = 1024 * 1024;
const PAGE = 65536;
/** Where the module reads the input (python-lines.wat's header: its class table comes first). */
const INPUT = 128;

interface Exports {
  lines(n: number, out: number): number;
  assignments(n: number, out: number, lines: number, hits: number): number;
}

let instance: { exports: Exports; memory: { readonly buffer: ArrayBuffer; grow(pages: number): number } } | undefined;
let compiled: object | undefined;

/** Built at the first Python file a scan reads without a parser. */
function load(api: WasmApi) {
  const memory = new api.Memory({ initial: 16 });
  compiled ??= new api.Module(Buffer.from(PYTHON_LINES_WASM, 'base64'));
  return { exports: new api.Instance(compiled, { env: { memory } }).exports as Exports, memory };
}

/**
 * The lines and hits of `text`, or undefined when the module does not read it (a character over U+007F, a carriage
 * return, a rarer shape, a file over NATIVE_MAX_BYTES, no WebAssembly): the caller's JavaScript reads it then.
 */
export function nativeLines(text: string, api: WasmApi | null = wasmApi): NativeLines | undefined {
  if (api === null || text.length > NATIVE_MAX_BYTES) return undefined;
  const m = (instance ??= load(api));
  // A character over U+007F is more than one byte in UTF-8: the module sees such a byte and gives up.
  const n = text.length;
  const out = align(INPUT + n + 16);
  const hits = out + 8 * (n + 1);
  const need = hits + 12 * n;
  if (need > m.memory.buffer.byteLength) m.memory.grow(Math.ceil((need - m.memory.buffer.byteLength) / PAGE));
  const { read } = encoder.encodeInto(text, new Uint8Array(m.memory.buffer, INPUT, n));
  if (read !== n) return undefined;
  const count = m.exports.lines(n, out);
  if (count < 0) return undefined;
  const found = m.exports.assignments(n, out, count, hits);
  return {
    lines: new Int32Array(m.memory.buffer, out, 2 * count).slice(),
    hits: new Int32Array(m.memory.buffer, hits, 3 * found).slice(),
  };
}

const align = (n: number) => (n + 7) & ~7;
const encoder = new TextEncoder();

/** Line `i`'s end offset in a `NativeLines.lines` table (bit 31 is the header flag). */
export const lineEnd = (lines: Int32Array, i: number) => lines[2 * i + 1]! & 0x7fffffff;

/** python-lines.ts's lines as a `NativeLines.lines` table. */
export function lineTable(lines: readonly LogicalLine[]): Int32Array {
  const table = new Int32Array(2 * lines.length);
  lines.forEach((l, i) => {
    table[2 * i] = l.start;
    table[2 * i + 1] = l.header ? l.end | 0x80000000 : l.end;
  });
  return table;
}
