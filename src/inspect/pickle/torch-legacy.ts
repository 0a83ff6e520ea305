import type { Finding } from '../../core/finding.js';
import type { PickleRun } from './result.js';
import { ByteSource, TruncatedError } from './source.js';
import { toFindings } from './verdict.js';
import { originGlobal } from './values.js';
import type { Value } from './values.js';
import { runPickle } from './vm.js';
import type { PickleTarget } from './pickles.js';

/** Element sizes by dtype stem: `torch.FloatStorage` and `torch.FloatTensor` both carry `.dtype == torch.float32`. */
const STEM_SIZE: Readonly<Record<string, number>> = {
  Double: 8,
  Float: 4,
  Half: 2,
  BFloat16: 2,
  Long: 8,
  Int: 4,
  Short: 2,
  Char: 1,
  Byte: 1,
  Bool: 1,
  ComplexFloat: 8,
  ComplexDouble: 16,
  QUInt8: 1,
  QInt8: 1,
  QInt32: 4,
  QUInt4x2: 1,
  QUInt2x4: 1,
};

/** Every element size a torch dtype has: the sizes an unknown storage type could stand for. */
const ELEMENT_SIZES = [1, 2, 4, 8, 16] as const;

/**
 * The element size torch reads a storage with, from the type's class name. torch/serialization.py needs only the
 * type's `.dtype` (`_legacy_load.legacy_load`: `storage_type.dtype` → `torch._utils._element_size`; the non-tar
 * `persistent_load` the same), so the legacy typed storages (`FloatStorage`) and tensor types (`FloatTensor`, which
 * carry a dtype too) both count. Undefined for anything else.
 */
export function elementSize(type: Value): number | undefined {
  const m = /^(\w+?)(?:Storage|Tensor)$/.exec(originGlobal(type)?.name ?? '');
  return m ? STEM_SIZE[m[1]!] : undefined;
}

/**
 * The `storages` and `tensors` members of the oldest torch.save format (a tar), as torch/serialization.py
 * `_legacy_load.legacy_load` reads them: a pickled count, then for each record a pickle followed by raw bytes, and
 * in `storages` one more pickle after the last storage (the `storage_views` list). torch unpickles every one of
 * these pickles with plain `pickle_module.load`, so each is analysed; the raw bytes are skipped by the sizes the
 * records give (a storage: an int64 element count, then its elements; a tensor: int32 ndim, 4 unused bytes, ndim
 * int64 sizes and strides, an int64 offset). A storage type chainproof cannot size (anything with a `.dtype` serves
 * torch) is reported, and the records after it are read at every element size a dtype has, so none goes unjudged.
 */
export function analyseLegacyTarRecords(body: Buffer, kind: string, target: PickleTarget): Finding[] {
  const runs = new Map<number, PickleRun>();
  const src = ByteSource.fromBuffer(body);
  const head = readPickle(src, runs);
  if (head.stopped) {
    const n = recordCount(head.result);
    if (n === undefined)
      head.problems.push({
        kind: 'malformed',
        message: `record count is not a value chainproof can read as an integer (torch passes it to range(), which takes anything with __index__); every pickle after it was read as a record`,
        offset: head.start,
        fromResult: true,
      });
    // An unreadable count: torch may read any number of records, so the walk reads them until the data ends.
    walkRecords(body, src.pos, n ?? Infinity, kind, runs, false);
  }
  return toFindings([...runs.values()], {
    location: { path: target.path, ...(target.member !== undefined ? { member: target.member } : {}) },
    allow: target.allow,
    what: target.what,
  });
}

/** Integer scalar types whose call with one integer argument returns that integer (`numpy.int64(1)`, `int(3)`). */
const INTEGER_TYPES: ReadonlySet<string> = new Set([
  'builtins.int',
  'builtins.bool',
  ...['numpy', 'numpy.core.numerictypes', 'numpy._core.numerictypes'].flatMap((m) =>
    [
      'int8',
      'int16',
      'int32',
      'int64',
      'uint8',
      'uint16',
      'uint32',
      'uint64',
      'intc',
      'intp',
      'uint',
      'long',
      'ulong',
      'longlong',
      'ulonglong',
      'short',
      'ushort',
      'byte',
      'ubyte',
    ].map((t) => `${m}.${t}`),
  ),
]);

/**
 * How many records `legacy_load` reads: it runs `for i in range(num_storages)`, and `range()` takes any value with
 * `__index__` (CPython `range_new` → `PyNumber_Index`): an int, a bool (`True` is one record), a numpy integer. A
 * negative count gives an empty range. Undefined when the value is not one chainproof can read statically (a class
 * instance whose `__index__` returns anything).
 */
function recordCount(v: Value | undefined): number | undefined {
  const literal = (x: Value | undefined): number | undefined => {
    if (x?.k !== 'scalar') return undefined;
    if (typeof x.v === 'boolean') return x.v ? 1 : 0;
    return typeof x.v === 'number' && Number.isInteger(x.v) ? Math.max(0, x.v) : undefined;
  };
  if (v?.k !== 'obj') return literal(v);
  if (v.callee.k !== 'global' || !INTEGER_TYPES.has(`${v.callee.ref.module}.${v.callee.ref.name}`)) return undefined;
  return v.args?.k === 'tuple' && v.args.items.length === 1 ? literal(v.args.items[0]) : undefined;
}

/** One pickle at the source's position, kept once per offset (guessed walks may land on the same one). */
function readPickle(src: ByteSource, runs: Map<number, PickleRun>): PickleRun {
  const r = runPickle(src);
  if (!runs.has(r.start)) runs.set(r.start, r);
  return r;
}

/**
 * `left` records from `pos`, then (in `storages`) the `storage_views` pickle. `guessing`: this walk follows a guessed
 * element size, and a second unknown type ends it (reported) rather than branching again.
 */
function walkRecords(
  body: Buffer,
  pos: number,
  left: number,
  kind: string,
  runs: Map<number, PickleRun>,
  guessing: boolean,
): void {
  const src = ByteSource.fromBuffer(body, pos);
  let last: PickleRun | undefined;
  try {
    for (; left > 0; left--) {
      // A walk with no known count ends where the data does, as torch's would at its next load.
      if (left === Infinity && src.pos >= body.length) return;
      const rec = readPickle(src, runs);
      last = rec;
      if (!rec.stopped) return; // pickle.load raised: torch.load stops here
      if (kind === 'storages') {
        const t = rec.result?.k === 'tuple' ? rec.result.items[2] : undefined;
        const size = t ? elementSize(t) : undefined;
        const numel = src.u64();
        if (size === undefined) {
          rec.problems.push({
            kind: 'malformed',
            message: guessing
              ? 'storage record without a storage type chainproof can size, after a guessed element size'
              : 'storage record without a storage type chainproof can size (torch needs only its .dtype); the records after it were read at every element size',
            offset: rec.start,
            // No (key, location, type) tuple at all: what the pickle called returned it, and is the cause.
            ...(t === undefined ? { fromResult: true as const } : {}),
          });
          if (guessing) return;
          for (const s of ELEMENT_SIZES)
            if (src.pos + numel * s <= body.length) walkRecords(body, src.pos + numel * s, left - 1, kind, runs, true);
          return;
        }
        src.skip(numel * size);
      } else {
        const ndim = src.i32();
        if (ndim < 0 || ndim > 64) {
          rec.problems.push({ kind: 'malformed', message: `tensor record with ${ndim} dimensions`, offset: rec.start });
          return;
        }
        src.skip(4 + ndim * 16 + 8);
      }
    }
    if (kind === 'storages') readPickle(src, runs);
  } catch (err) {
    if (!(err instanceof TruncatedError)) throw err;
    last?.problems.push({
      kind: 'malformed',
      message: `legacy ${kind} record is truncated`,
      offset: src.pos,
      // A record pickle that returned no record tuple: torch's unpacking of it stops the load, and what it ran is the cause.
      ...(last.result?.k !== 'tuple' ? { fromResult: true as const } : {}),
    });
  }
}
