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

/**
 * Zip record signatures (APPNOTE 4.3): local file header, central directory header, end of central directory, zip64
 * end record, data descriptor. A torch member read past its end (an overlapping archive) meets the latter ones.
 */
const ZIP_RECORDS: ReadonlyMap<number, string> = new Map([
  [0x04034b50, 'PK\\x03\\x04'],
  [0x02014b50, 'PK\\x01\\x02'],
  [0x06054b50, 'PK\\x05\\x06'],
  [0x06064b50, 'PK\\x06\\x06'],
  [0x08074b50, 'PK\\x07\\x08'],
]);

/**
 * Zip records after a pickle's STOP make bytes that read as two formats, not a further pickle: read as opcodes their
 * `P` is PERSID and the report spoke of persistent IDs. No model loader reads them — pickle.load and joblib.load
 * return at STOP, np.load and torch.load take a file for a zip only when it starts with one (serialization.py
 * `_is_zipfile` reads the first four bytes) — while `zipfile.ZipFile` finds an archive from its end. Said once, on the
 * pickle before them.
 */
function* appendedZip(src: ByteSource, prev: PickleRun): Steps<boolean> {
  yield* need(src, 4);
  const head = src.peekBytes(4);
  const record = head.length < 4 ? undefined : ZIP_RECORDS.get(head.readUInt32LE(0));
  if (record === undefined) return false;
  prev.problems.push({
    kind: 'malformed',
    message: `after this pickle's STOP come ${src.remaining} bytes of zip records (${record}), not another pickle: pickle.load, joblib.load and torch.load stop at the STOP and never read them, while a zip reader does (bytes crafted to read as two formats)`,
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
