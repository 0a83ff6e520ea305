import { isPickleOpcode, opcodeName } from '../../discover/formats/pickle-opcodes.js';
import type { ByteSource } from './source.js';
import { TruncatedError } from './source.js';
import type { PickleBudget, PickleRun } from './result.js';
import { DEFAULT_BUDGET } from './result.js';
import { isContainer } from './values.js';
import { addCallOps } from './vm/calls.js';
import { addContainerOps, checkExpansion } from './vm/containers.js';
import { addFramingOps, checkFrameEnd, checkLoose, checkStopFrame } from './vm/framing.js';
import { addScalarTextOps } from './vm/scalars-text.js';
import { addStackMemoOps } from './vm/stack-memo.js';
import type { HandlerTable, VmOptions } from './vm/state.js';
import { Stop, VmState } from './vm/state.js';

export type { VmOptions } from './vm/state.js';

const STOP = 0x2e;
const FRAME = 0x95;

/** Every opcode CPython's unpickler knows except STOP, which ends the loop below. */
const HANDLERS: HandlerTable = new Array<undefined>(256).fill(undefined);
addStackMemoOps(HANDLERS);
addScalarTextOps(HANDLERS);
addContainerOps(HANDLERS);
addCallOps(HANDLERS);
addFramingOps(HANDLERS);

/**
 * Run one pickle symbolically, as CPython's C unpickler (`_pickle.c` `load`) would, from the source's position to its
 * STOP. Nothing is imported or called: GLOBAL/STACK_GLOBAL/INST record the import, REDUCE/BUILD/… record the call.
 * The VM keeps what verdicts need — imports, calls, the memo entries that hold them, sizes and counts — not a heap.
 */
export function runPickle(src: ByteSource, opts: VmOptions = {}): PickleRun {
  const budget: PickleBudget = { ...DEFAULT_BUDGET, ...opts.budget };
  const run: PickleRun = {
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
  const vm = new VmState(src, run, budget, opts);
  const { stack } = vm;
  try {
    for (;;) {
      const at = (vm.opAt = src.pos);
      if (vm.frameEnd >= 0 && at >= vm.frameEnd) vm.frameEnd = -1;
      if (++run.opcodes > budget.maxOpcodes) throw new Stop('budget', `more than ${budget.maxOpcodes} opcodes`);
      if (src.atEnd()) vm.fail('pickle ended without STOP');
      const op = (vm.op = src.u8());
      const unframed = vm.framed && vm.frameEnd < 0 && op !== FRAME;
      if (op === STOP) {
        if (unframed) checkLoose(vm);
        run.result = vm.pop();
        if (stack.length > 0 || vm.marks.length > 0) {
          vm.problem('leftover', `STOP left ${stack.length} value(s) and ${vm.marks.length} MARK(s) on the stack`);
        }
        checkStopFrame(vm);
        run.stopped = true;
        run.end = src.pos;
        return run;
      }
      (HANDLERS[op] ?? invalidOpcode)(vm);
      if (unframed) checkLoose(vm);
      if (vm.frameEnd >= 0 || op === 0x62) checkFrameEnd(vm);
      const t = stack[stack.length - 1];
      if (t !== undefined && isContainer(t) && t.expanded > 1e7) checkExpansion(vm, t);
    }
  } catch (err) {
    if (err instanceof Stop) vm.problem(err.kind, err.message);
    else if (err instanceof TruncatedError) vm.problem('malformed', `pickle data was truncated inside ${vm.opName()}`);
    else throw err;
    run.end = src.pos;
    return run;
  }
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
