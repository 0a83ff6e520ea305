import type { Steps } from './drive.js';
import { driveSync, need } from './drive.js';
import { ByteSource } from './source.js';
import type { PickleBudget, PickleRun } from './result.js';
import type { VmOptions } from './vm.js';
import { pickleSteps, runPickle } from './vm.js';

export interface StreamOptions extends VmOptions {
  /** Stop after this many pickles (a legacy torch file has exactly five before its raw storages). */
  readonly count?: number;
  /** Most pickles read from one stream. */
  readonly maxPickles?: number;
}

/**
 * Read every pickle in a stream, back to back, as a loader calling `pickle.load` repeatedly would (legacy PyTorch
 * files hold several). Stops at the end of the data, after `count` pickles, or at the first pickle that fails.
 */
export function* streamSteps(src: ByteSource, opts: StreamOptions = {}, before?: PickleRun): Steps<PickleRun[]> {
  const runs: PickleRun[] = [];
  const max = opts.maxPickles ?? 10_000;
  while (!src.atEnd()) {
    const prev = runs[runs.length - 1] ?? before;
    if (prev !== undefined && (yield* appendedZip(src, prev))) break;
    if (runs.length >= max) {
      runs[runs.length - 1]?.problems.push({
        kind: 'budget',
        message: `more than ${max} pickles in one stream`,
        offset: src.pos,
      });
      break;
    }
    const run = yield* pickleSteps(src, opts);
    runs.push(run);
    if (!run.stopped || (opts.count !== undefined && runs.length >= opts.count)) break;
  }
  return runs;
}

/** A zip's local file header or (empty archive) end of central directory: `PK\x03\x04`, `PK\x05\x06`. */
const ZIP_HEADS: readonly number[] = [0x04034b50, 0x06054b50];

/**
 * A zip archive after a pickle's STOP is one file that reads as two formats, not a further pickle: read as opcodes its
 * `P` is PERSID and the report spoke of persistent IDs. No model loader reads it — pickle.load and joblib.load return
 * at STOP, np.load and torch.load take a file for a zip only when it starts with one (serialization.py `_is_zipfile`
 * reads the first four bytes) — while `zipfile.ZipFile` finds it from the end. Said once, on the pickle before it.
 */
function* appendedZip(src: ByteSource, prev: PickleRun): Steps<boolean> {
  yield* need(src, 4);
  const head = src.peekBytes(4);
  if (head.length < 4 || !ZIP_HEADS.includes(head.readUInt32LE(0))) return false;
  prev.problems.push({
    kind: 'malformed',
    message: `after this pickle's STOP the file goes on with a zip archive (${src.remaining} bytes), which pickle.load, joblib.load and torch.load never read but zipfile.ZipFile opens from its end: a file crafted to read as two formats`,
    offset: src.pos,
  });
  return true;
}

/** Every pickle of a source that never needs refilling (a buffer). */
export function runStream(src: ByteSource, opts: StreamOptions = {}): PickleRun[] {
  return driveSync(streamSteps(src, opts));
}

/** Every pickle in a buffer; the whole buffer must be pickles. An empty buffer is one malformed pickle. */
export function runBuffer(data: Buffer, opts: StreamOptions = {}): PickleRun[] {
  const src = ByteSource.fromBuffer(data);
  if (src.atEnd()) return [runPickle(src, opts)];
  return runStream(src, opts);
}

/** Budget knob re-exported for callers that only need the type. */
export type { PickleBudget };
