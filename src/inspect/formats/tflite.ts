import type { ModelAnalyser } from '../analyser.js';
import type { Findings } from './report.js';
import { analyseWith } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { driveSync, FormatError, readAt } from './source.js';

const BUILTIN_CUSTOM = 32;
const MAX_OPCODES = 100_000;

/** Flatbuffer tables read with every offset checked against the file; each read loads its bytes first. */
class Flat {
  constructor(readonly src: RandomAccess) {}
  *u32(at: number): ParseSteps<number> {
    return (yield* readAt(this.src, at, 4)).readUInt32LE(0);
  }
  /** Absolute position of a table field's data, or undefined when the field is absent. */
  *field(table: number, index: number): ParseSteps<number | undefined> {
    const vtable = table - (yield* readAt(this.src, table, 4)).readInt32LE(0);
    if (vtable < 0 || vtable + 4 > this.src.size) throw new FormatError('flatbuffer vtable out of bounds', table);
    const vsize = (yield* readAt(this.src, vtable, 2)).readUInt16LE(0);
    const slot = 4 + 2 * index;
    if (slot + 2 > vsize) return undefined;
    const off = (yield* readAt(this.src, vtable + slot, 2)).readUInt16LE(0);
    return off === 0 ? undefined : table + off;
  }
  /** Follow a uoffset stored at `at`. */
  *deref(at: number): ParseSteps<number> {
    const target = at + (yield* this.u32(at));
    if (target >= this.src.size) throw new FormatError('flatbuffer offset out of bounds', at);
    return target;
  }
  *string(at: number, max = 4096): ParseSteps<string> {
    const s = yield* this.deref(at);
    const len = yield* this.u32(s);
    if (len > max) throw new FormatError(`flatbuffer string of ${len} bytes is past the limit`, s, 'limit');
    return (yield* readAt(this.src, s + 4, len)).toString('utf8');
  }
}

/** Check a TFLite flatbuffer's identifier and root, and list the custom operators it needs. */
export function* tfliteSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  if (src.size < 8) throw new FormatError(`file is ${src.size} bytes, too short for a TFLite model`, 0);
  if ((yield* readAt(src, 4, 4)).toString('latin1') !== 'TFL3') throw new FormatError('no TFL3 file identifier', 4);
  const fb = new Flat(src);
  const root = yield* fb.u32(0);
  if (root < 8 || root + 4 > src.size) throw new FormatError(`root table offset ${root} is out of bounds`, 0);
  const codesField = yield* fb.field(root, 1);
  if (codesField === undefined) return;
  const vec = yield* fb.deref(codesField);
  const n = yield* fb.u32(vec);
  if (n > MAX_OPCODES || vec + 4 + 4 * n > src.size)
    throw new FormatError(`operator_codes claims ${n} entries`, vec, n > MAX_OPCODES ? 'limit' : 'malformed');
  const custom = new Set<string>();
  for (let i = 0; i < n; i++) {
    const code = yield* fb.deref(vec + 4 + 4 * i);
    const dep = yield* fb.field(code, 0);
    const full = yield* fb.field(code, 3);
    const builtin = Math.max(
      dep === undefined ? 0 : (yield* readAt(src, dep, 1)).readInt8(0),
      full === undefined ? 0 : (yield* readAt(src, full, 4)).readInt32LE(0),
    );
    if (builtin !== BUILTIN_CUSTOM) continue;
    const name = yield* fb.field(code, 1);
    custom.add(name === undefined ? '(unnamed)' : yield* fb.string(name));
  }
  if (custom.size > 0) {
    const names = [...custom].sort();
    out.add(
      'CPI075',
      `the model uses custom operators ${names.slice(0, 10).join(', ')}; the application must provide their implementation. Make sure it comes from a trusted library.`,
      { operators: names.slice(0, 50).join(',') },
    );
  }
}

/** `tfliteSteps` over bytes in memory. */
export function parseTflite(src: RandomAccess, out: Findings): void {
  driveSync(tfliteSteps(src, out));
}

export const tfliteAnalyser: ModelAnalyser = {
  name: 'tflite',
  formats: ['tflite'],
  analyze: (file, ctx) => analyseWith(file, 'the TFLite model', tfliteSteps, ctx.files),
};
