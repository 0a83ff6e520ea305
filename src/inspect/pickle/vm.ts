import { WEIGHTS_ONLY_OPCODES } from './weights-only.js';
import { isPickleOpcode, opcodeName } from '../../discover/formats/pickle-opcodes.js';
import type { ByteSource } from './source.js';
import { TruncatedError } from './source.js';
import type { Steps } from './drive.js';
import { driveSync } from './drive.js';
import type { PickleRun } from './result.js';
import { DEFAULT_BUDGET } from './result.js';
import { isContainer } from './values.js';
import { addCallOps, asStop } from './vm/calls.js';
import { addContainerOps, checkExpansion } from './vm/containers.js';
import {
  addFramingOps,
  checkFrameEnd,
  checkLoose,
  checkStopFrame,
  reportShortFrame,
  withShortFrame,
} from './vm/framing.js';
import { addScalarTextOps, readLongLine } from './vm/scalars-text.js';
import { addStackMemoOps } from './vm/stack-memo.js';
import type { HandlerTable, VmOptions } from './vm/state.js';
import { Stop, VmState } from './vm/state.js';

export type { NestedPickle, VmOptions } from './vm/state.js';

const STOP = 0x2e;
const FRAME = 0x95;
const BUILD = 0x62;

/** Every opcode CPython's unpickler knows except STOP, which ends the loop below. */
const HANDLERS: HandlerTable = new Array<undefined>(256).fill(undefined);
addStackMemoOps(HANDLERS);
addScalarTextOps(HANDLERS);
addContainerOps(HANDLERS);
addCallOps(HANDLERS);
addFramingOps(HANDLERS);

const STOPPED = 0;
const REFILL = 1;
const NESTED = 2;
type Outcome = typeof STOPPED | typeof REFILL | typeof NESTED;

function newRun(src: ByteSource): PickleRun {
  return {
    start: src.pos,
    end: src.pos,
    stopped: false,
    protocol: 0,
    opcodes: 0,
    globals: new Map(),
    calls: new Map(),
    problems: [],
    result: undefined,
  };
}

function newVm(src: ByteSource, opts: VmOptions): VmState {
  return new VmState(src, newRun(src), { ...DEFAULT_BUDGET, ...opts.budget }, opts);
}

/** The checks that follow every opcode (for BUILD, after any nested pickle its hook asked for). */
function afterOp(vm: VmState): void {
  if (vm.unframed) checkLoose(vm);
  if (vm.frameEnd >= 0 || vm.op === BUILD) checkFrameEnd(vm);
  const t = vm.stack[vm.stack.length - 1];
  if (t !== undefined && isContainer(t) && t.expanded > 1e7) checkExpansion(vm, t);
}

/**
 * Run opcodes until STOP or a problem that stops CPython (STOPPED), until the source must be refilled from the file
 * (REFILL, always between two opcodes), or until a BUILD hook asks for a nested pickle (NESTED).
 */
function steps(vm: VmState): Outcome {
  const { src, run, stack, budget } = vm;
  try {
    if (vm.resume) {
      const { error } = vm.resume;
      vm.resume = undefined;
      if (error !== undefined) throw asStop(error);
      afterOp(vm);
    }
    for (;;) {
      if (src.wants()) return REFILL;
      if (vm.longLine !== undefined) {
        if (!readLongLine(vm, vm.longLine)) continue;
        afterOp(vm);
      }
      const at = (vm.opAt = src.pos);
      if (vm.frameEnd >= 0 && at >= vm.frameEnd) vm.frameEnd = -1;
      if (++run.opcodes > budget.maxOpcodes) throw new Stop('budget', `more than ${budget.maxOpcodes} opcodes`);
      if (src.atEnd()) vm.ranOut('pickle ended without STOP');
      const op = (vm.op = src.u8());
      if (WEIGHTS_ONLY_OPCODES[op] === 0) run.notWeightsOnly ??= { op, offset: at };
      vm.unframed = vm.framed && vm.frameEnd < 0 && op !== FRAME;
      if (op === STOP) {
        if (vm.unframed) checkLoose(vm);
        run.result = vm.pop();
        if (stack.length > 0 || vm.marks.length > 0) {
          vm.problem('leftover', `STOP left ${stack.length} value(s) and ${vm.marks.length} MARK(s) on the stack`);
        }
        reportShortFrame(vm);
        checkStopFrame(vm);
        run.stopped = true;
        run.end = src.pos;
        return STOPPED;
      }
      (HANDLERS[op] ?? invalidOpcode)(vm);
      if (vm.nested) return NESTED;
      if (vm.longLine === undefined) afterOp(vm);
    }
  } catch (err) {
    if (err instanceof Stop && !err.ranOut) {
      reportShortFrame(vm);
      vm.problem(err.kind, err.message);
    } else if (err instanceof Stop || err instanceof TruncatedError) {
      const message = err instanceof Stop ? err.message : `pickle data was truncated inside ${vm.opName()}`;
      vm.problem('malformed', withShortFrame(vm, message), vm.opAt, true);
    } else throw err;
    run.end = src.pos;
    return STOPPED;
  }
}

/**
 * One pickle, run symbolically as CPython's C unpickler (`_pickle.c` `load`) would, from the source's position to
 * its STOP; yields whenever the source must be refilled. Nothing is imported or called: GLOBAL/STACK_GLOBAL/INST
 * record the import, REDUCE/BUILD/… record the call. The VM keeps what verdicts need — imports, calls, the memo
 * entries that hold them, sizes and counts — not a Python heap.
 */
export function* pickleSteps(src: ByteSource, opts: VmOptions = {}): Steps<PickleRun> {
  const chain = [newVm(src, opts)];
  for (;;) {
    const vm = chain[chain.length - 1]!;
    const out = steps(vm);
    if (out === REFILL) {
      yield;
      continue;
    }
    if (out === NESTED) {
      chain.push(newVm(src, vm.nested!.opts));
      continue;
    }
    chain.pop();
    const parent = chain[chain.length - 1];
    if (parent === undefined) return vm.run;
    const request = parent.nested!;
    parent.nested = undefined;
    try {
      request.done(vm.run);
      parent.resume = {};
    } catch (error) {
      parent.resume = { error };
    }
  }
}

/** One pickle from a source that never needs refilling (a buffer). */
export function runPickle(src: ByteSource, opts: VmOptions = {}): PickleRun {
  return driveSync(pickleSteps(src, opts));
}

function invalidOpcode(vm: VmState): never {
  const op = vm.op;
  return vm.fail(`invalid load key ${JSON.stringify(String.fromCharCode(op))} (0x${op.toString(16).padStart(2, '0')})`);
}

/** Names come from the one opcode table shared with discovery's sniffer. */
export function opName(op: number): string {
  return opcodeName(op);
}

/** Whether a byte is a pickle opcode CPython knows. */
export function isOpcode(b: number): boolean {
  return isPickleOpcode(b);
}
