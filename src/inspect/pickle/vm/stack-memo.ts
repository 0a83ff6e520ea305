import { pickleDecimalArg } from '../../../discover/formats/pickle-numbers.js';
import type { HandlerTable, VmState } from './state.js';
import { Stop } from './state.js';

/** MARK, the stack shufflers and the memo opcodes (GET/PUT families and MEMOIZE). */

function memoGet(vm: VmState, i: number | undefined): void {
  if (i === undefined) vm.fail('invalid GET argument');
  const v = vm.memo.get(i);
  if (v === undefined) vm.fail(`memo value not found at index ${i}`);
  vm.push(v);
}

function memoPut(vm: VmState, i: number | undefined): void {
  if (i === undefined || i < 0) vm.fail('invalid or negative PUT argument');
  const { memo, budget } = vm;
  if (!memo.has(i) && memo.size >= budget.maxMemo) throw new Stop('budget', `memo exceeded ${budget.maxMemo} entries`);
  if (!memo.put(i, vm.top())) throw new Stop('budget', 'too many huge containers in the memo');
}

export function addStackMemoOps(t: HandlerTable): void {
  t[0x28] = (vm) => {
    // MARK
    if (vm.marks.length >= vm.budget.maxMarks) throw new Stop('budget', `nesting exceeded ${vm.budget.maxMarks} MARKs`);
    vm.marks.push(vm.stack.length);
  };
  t[0x30] = (vm) => {
    // POP: pops a MARK if one sits on top of the stack
    const { marks } = vm;
    if (marks.length > 0 && marks[marks.length - 1] === vm.stack.length) marks.pop();
    else vm.pop();
  };
  t[0x31] = (vm) => void vm.popMark(); // POP_MARK
  t[0x32] = (vm) => vm.push(vm.top()); // DUP
  t[0x67] = (vm) => memoGet(vm, pickleDecimalArg(vm.readLine())); // GET
  t[0x68] = (vm) => memoGet(vm, vm.src.u8()); // BINGET
  t[0x6a] = (vm) => memoGet(vm, vm.src.u32()); // LONG_BINGET
  t[0x70] = (vm) => memoPut(vm, pickleDecimalArg(vm.readLine())); // PUT
  t[0x71] = (vm) => memoPut(vm, vm.src.u8()); // BINPUT
  t[0x72] = (vm) => memoPut(vm, vm.src.u32()); // LONG_BINPUT
  t[0x94] = (vm) => memoPut(vm, vm.memo.size); // MEMOIZE
}
