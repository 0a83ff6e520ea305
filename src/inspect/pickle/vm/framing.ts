import type { PickleRun } from '../result.js';
import { lengthText } from '../source.js';
import type { HandlerTable, ShortFrame, VmState } from './state.js';

/**
 * PROTO and FRAME, and the checks around them. CPython's C unpickler only checks that a frame's bytes exist; the
 * Python one refuses opcodes that straddle a frame. Streams on which the two would disagree are reported.
 */

const HIGHEST_PROTOCOL = 5;

/** Payload opcodes a pickler writes outside frames when they are large. */
const PAYLOAD_OPS: ReadonlySet<number> = new Set([0x42, 0x8e, 0x58, 0x8d, 0x96]);

/** An opcode read outside any frame once framing started: only a large payload (and a short tail after it) may be. */
export function checkLoose(vm: VmState): void {
  if (PAYLOAD_OPS.has(vm.op)) {
    vm.looseOk = true;
    vm.looseBytes = 0;
    return;
  }
  vm.looseBytes += Math.max(1, vm.src.pos - vm.opAt);
  if (!vm.looseOk || vm.looseBytes >= 4) {
    vm.problem('frame', `${vm.opName()} sits outside any FRAME after framing started; picklers never write that`);
    vm.looseOk = false;
  }
}

/** After each opcode: did it end past its frame? */
export function checkFrameEnd(vm: VmState): void {
  const { src } = vm;
  const isBuild = vm.op === 0x62;
  if (isBuild && src.pos > vm.buildEnd) {
    // a loader's BUILD hook read raw data (joblib arrays): the pickler committed its frame before writing it
    vm.looseOk = true;
    vm.looseBytes = 0;
  }
  const opEnd = isBuild ? vm.buildEnd : src.pos;
  if (vm.frameEnd >= 0 && opEnd > vm.frameEnd) {
    vm.problem('frame', `${vm.opName()} straddles the end of its FRAME`);
    vm.frameEnd = -1;
  } else if (vm.frameEnd >= 0 && src.pos >= vm.frameEnd) {
    vm.frameEnd = -1;
  }
}

/** At STOP: a frame must not declare bytes past it. */
export function checkStopFrame(vm: VmState): void {
  if (vm.frameEnd >= 0 && vm.src.pos !== vm.frameEnd) {
    vm.run.stopFrameRest = vm.frameEnd - vm.src.pos;
    vm.problem('frame', `STOP inside a frame that declares ${vm.run.stopFrameRest} more byte(s)`);
  }
}

/**
 * The bytes the FRAME holding STOP declares past it (checkStopFrame), for a reader that goes on after the pickle
 * (joblib's object arrays, torch's legacy records) and says that once, as what it leaves unchecked: the STOP's
 * frame problem is that cause, so it is taken out of the run's problems.
 */
export function takeStopFrame(run: PickleRun): number | undefined {
  if (run.stopFrameRest === undefined) return undefined;
  const stop = run.end - 1;
  const at = run.problems.findIndex((p) => p.kind === 'frame' && p.offset === stop);
  if (at >= 0) run.problems.splice(at, 1);
  return run.stopFrameRest;
}

/** The pickle ended other than by running out of data: a short FRAME it declared is a problem of its own. */
export function reportShortFrame(vm: VmState): void {
  const f = vm.shortFrame;
  if (f === undefined) return;
  vm.shortFrame = undefined;
  vm.problem('frame', shortFrameText(f), f.offset);
}

/** The pickle ran out of data: a short FRAME is the same cut, so the truncation says both (one cause, one finding). */
export function withShortFrame(vm: VmState, truncation: string): string {
  const f = vm.shortFrame;
  if (f === undefined) return truncation;
  vm.shortFrame = undefined;
  return `${truncation}; its ${shortFrameText(f)}`;
}

function shortFrameText(f: ShortFrame): string {
  return `FRAME at byte ${f.offset} declares ${lengthText(f.declared)} bytes but only ${f.remaining} remain`;
}

export function addFramingOps(t: HandlerTable): void {
  t[0x80] = (vm) => {
    // PROTO
    const p = vm.src.u8();
    if (p > HIGHEST_PROTOCOL) vm.fail(`unsupported pickle protocol: ${p}`);
    vm.run.protocol = Math.max(vm.run.protocol, p);
  };
  t[0x95] = (vm) => {
    // FRAME
    const { src } = vm;
    const n = src.u64();
    if (vm.frameEnd >= 0) vm.problem('frame', 'a FRAME starts before the previous frame ended');
    // The C unpickler stops here (`load_frame` reads the whole frame first); `Lib/pickle.py` `_Unframer.load_frame`
    // takes the short read and runs what is there — and joblib.load unpickles with that one (`pickle._Unpickler`).
    // Said when the pickle ends (vm.ts): in a stream that runs out before STOP it is that truncation.
    if (n > src.remaining && vm.shortFrame === undefined) {
      vm.shortFrame = { offset: vm.opAt, declared: n, remaining: src.remaining };
    }
    vm.frameEnd = n === 0 ? -1 : src.pos + Math.min(n, src.remaining);
    vm.framed = true;
    vm.looseOk = false;
    vm.looseBytes = 0;
  };
}
