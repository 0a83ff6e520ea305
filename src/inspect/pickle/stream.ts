import type { Steps } from './drive.js';
import { driveSync } from './drive.js';
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
export function* streamSteps(src: ByteSource, opts: StreamOptions = {}): Steps<PickleRun[]> {
  const runs: PickleRun[] = [];
  const max = opts.maxPickles ?? 10_000;
  while (!src.atEnd()) {
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
