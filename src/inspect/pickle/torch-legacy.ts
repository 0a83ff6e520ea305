import type { Finding } from '../../core/finding.js';
import type { PickleRun } from './result.js';
import { ByteSource, TruncatedError } from './source.js';
import { toFindings } from './verdict.js';
import { originGlobal } from './values.js';
import { runPickle } from './vm.js';
import type { PickleTarget } from './pickles.js';

export const ELEMENT_SIZE: Readonly<Record<string, number>> = {
  DoubleStorage: 8,
  FloatStorage: 4,
  HalfStorage: 2,
  BFloat16Storage: 2,
  LongStorage: 8,
  IntStorage: 4,
  ShortStorage: 2,
  CharStorage: 1,
  ByteStorage: 1,
  BoolStorage: 1,
  ComplexFloatStorage: 8,
  ComplexDoubleStorage: 16,
  QUInt8Storage: 1,
  QInt8Storage: 1,
  QInt32Storage: 4,
  QUInt4x2Storage: 1,
  QUInt2x4Storage: 1,
};

/**
 * The `storages` and `tensors` members of the oldest torch.save format (a tar), as torch/serialization.py
 * `_legacy_load.legacy_load` reads them: a pickled count, then for each record a pickle followed by raw bytes, and
 * in `storages` one more pickle after the last storage (the `storage_views` list). torch unpickles every one of
 * these pickles, so each is analysed; the raw bytes are skipped by the sizes the records give (a storage: an int64
 * element count, then its elements; a tensor: int32 ndim, 4 unused bytes, ndim int64 sizes and strides, an int64
 * offset).
 */
export function analyseLegacyTarRecords(body: Buffer, kind: string, target: PickleTarget): Finding[] {
  const src = ByteSource.fromBuffer(body);
  const runs: PickleRun[] = [];
  const next = (): PickleRun => {
    const r = runPickle(src);
    runs.push(r);
    return r;
  };
  try {
    const head = next();
    const n = head.result?.k === 'scalar' && typeof head.result.v === 'number' ? head.result.v : -1;
    if (head.stopped && (n < 0 || n > 1_000_000))
      head.problems.push({ kind: 'malformed', message: `record count ${n} is not valid`, offset: head.start });
    for (let i = 0; head.stopped && i < n && runs.every((r) => r.stopped); i++) {
      const rec = next();
      if (!rec.stopped) break;
      if (kind === 'storages') {
        const t = rec.result?.k === 'tuple' ? rec.result.items[2] : undefined;
        const size = t ? ELEMENT_SIZE[originGlobal(t)?.name ?? ''] : undefined;
        if (size === undefined) {
          rec.problems.push({
            kind: 'malformed',
            message: 'storage record without a known storage type',
            offset: rec.start,
          });
          break;
        }
        const numel = src.u64();
        src.skip(numel * size);
      } else {
        const ndim = src.i32();
        if (ndim < 0 || ndim > 64) {
          rec.problems.push({ kind: 'malformed', message: `tensor record with ${ndim} dimensions`, offset: rec.start });
          break;
        }
        src.skip(4 + ndim * 16 + 8);
      }
    }
    if (kind === 'storages' && head.stopped && runs.length === n + 1 && runs.every((r) => r.stopped)) next();
  } catch (err) {
    if (!(err instanceof TruncatedError)) throw err;
    const last = runs[runs.length - 1];
    last?.problems.push({ kind: 'malformed', message: `legacy ${kind} record is truncated`, offset: src.pos });
  }
  return toFindings(runs, {
    location: { path: target.path, ...(target.member !== undefined ? { member: target.member } : {}) },
    allow: target.allow,
    what: target.what,
  });
}
