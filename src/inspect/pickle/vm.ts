import { isPickleOpcode, opcodeName } from '../../discover/formats/pickle-opcodes.js';
import type { ByteSource } from './source.js';
import { TruncatedError } from './source.js';
import type { CallKind, CallSite, PickleBudget, PickleRun, ProblemKind } from './result.js';
import { DEFAULT_BUDGET } from './result.js';
import { noteMemberAccess } from './member-access.js';
import { noteBytes, noteText } from './nested.js';
import {
  decodeRawUnicodeEscape,
  decodeStringLine,
  decodeUtf8Strict,
  parseDecimalLine,
  parseFloatLine,
  parseIntLine,
} from './text.js';
import type { ContainerValue, GlobalRef, Value } from './values.js';
import {
  addExpanded,
  describe,
  isContainer,
  isUnhashable,
  KEEP_ITEMS,
  KEEP_STRING,
  NONE,
  originGlobal,
} from './values.js';

export interface VmOptions {
  readonly budget?: Partial<PickleBudget>;
  /**
   * Called after BUILD with the object built; a loader with a custom BUILD (joblib's NumpyUnpickler) reads more
   * bytes from the stream here. Throw to stop the pickle with a `malformed` problem.
   */
  readonly afterBuild?: (obj: Value, src: ByteSource, run: PickleRun) => void;
  /** Sees every BINPERSID id: a legacy torch file sizes its raw storages from them. */
  readonly onPersistent?: (pid: Value) => void;
}

/** Raised inside the VM: CPython would raise too (or a budget was hit), so the load stops here. */
class Stop extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
  ) {
    super(message);
  }
}

const HIGHEST_PROTOCOL = 5;

/** Payload opcodes a pickler writes outside frames when they are large. */
const PAYLOAD_OPS: ReadonlySet<number> = new Set([0x42, 0x8e, 0x58, 0x8d, 0x96]);

/** Opcodes whose callee is called directly (the others call a method of an existing object). */
const CALLS: ReadonlySet<CallKind> = new Set<CallKind>(['REDUCE', 'OBJ', 'INST', 'NEWOBJ', 'NEWOBJ_EX']);

/**
 * Run one pickle symbolically, as CPython's C unpickler would, from the source's position to its STOP.
 * Nothing is imported or called: GLOBAL/STACK_GLOBAL/INST record the import, REDUCE/BUILD/… record the call.
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
  const stack: Value[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Value>();
  let materialised = 0;
  let frameEnd = -1;
  let framed = false;
  // Picklers write large payloads outside frames and may leave a tail of < 4 bytes unframed after one.
  let looseOk = false;
  let looseBytes = 0;
  let buildEnd = -1;
  let op = 0;
  let opAt = src.pos;

  const problem = (kind: ProblemKind, message: string, offset = opAt): void => {
    if (run.problems.length < 100) run.problems.push({ kind, message, offset });
  };
  const checkLoose = (): void => {
    if (PAYLOAD_OPS.has(op)) {
      looseOk = true;
      looseBytes = 0;
      return;
    }
    looseBytes += Math.max(1, src.pos - opAt);
    if (!looseOk || looseBytes >= 4) {
      problem('frame', `${opName(op)} sits outside any FRAME after framing started; picklers never write that`);
      looseOk = false;
    }
  };
  const fail = (message: string): never => {
    throw new Stop('malformed', message);
  };
  const pop = (): Value => stack.pop() ?? fail(`stack underflow at ${opName(op)}`);
  const top = (): Value => stack[stack.length - 1] ?? fail(`stack underflow at ${opName(op)}`);
  const push = (v: Value): void => {
    if (stack.length >= budget.maxStack) throw new Stop('budget', `stack exceeded ${budget.maxStack} items`);
    stack.push(v);
  };
  const popMark = (): Value[] => {
    const m = marks.pop();
    if (m === undefined) fail(`${opName(op)} without a MARK`);
    return stack.splice(m!);
  };
  const readLine = (): Buffer => {
    const l = src.line(budget.maxLine);
    if (l === undefined) {
      if (src.remaining > budget.maxLine) throw new Stop('budget', `text argument longer than ${budget.maxLine} bytes`);
      return fail('pickle data was truncated (no newline)');
    }
    return l;
  };
  const readText = (n: number): Value => {
    if (n > src.remaining) fail(`pickle data was truncated (string of ${n} bytes)`);
    if (n > KEEP_STRING) {
      noteBytes(run, src, n, opAt);
      src.skip(n);
      return { k: 'str', s: undefined, len: n };
    }
    const s = src.text(n);
    if (n >= 4 && (s.charCodeAt(0) === 0x63 || s.charCodeAt(0) === 0x67)) noteText(run, s, opAt); // 'c…', 'gA…'
    return { k: 'str', s, len: n };
  };
  const readBytes = (n: number, mutable = false): Value => {
    if (n > src.remaining) fail(`pickle data was truncated (bytes of ${n})`);
    noteBytes(run, src, n, opAt);
    src.skip(n);
    return { k: 'bytes', len: n, mutable };
  };
  const recordGlobal = (module: string, name: string, opcode: GlobalRef['opcode']): GlobalRef => {
    const key = `${module}\u0000${name}`;
    const seen = run.globals.get(key);
    if (seen) {
      seen.count++;
      return seen;
    }
    if (run.globals.size >= budget.maxDistinct)
      throw new Stop('budget', `more than ${budget.maxDistinct} distinct globals`);
    const ref = { module, name, opcode, offset: opAt, count: 1 };
    run.globals.set(key, ref);
    return ref;
  };
  // Calls on a global are cached by (kind, GlobalRef object, onGlobal): building string keys per call dominated.
  const callCache = new Map<string, Map<GlobalRef, CallSite>>();
  const recordCall = (kind: CallKind, callee: Value): void => {
    const target = originGlobal(callee);
    const onGlobal = callee.k === 'global';
    let byRef: Map<GlobalRef, CallSite> | undefined;
    if (target) {
      const ck = onGlobal ? `${kind}!` : kind;
      byRef = callCache.get(ck);
      if (!byRef) callCache.set(ck, (byRef = new Map<GlobalRef, CallSite>()));
      const hit = byRef.get(target);
      if (hit) {
        hit.count++;
        return;
      }
    }
    const computed = CALLS.has(kind) && callee.k !== 'global';
    const key = `${kind}\u0000${target ? `${target.module}\u0000${target.name}` : describe(callee)}\u0000${onGlobal}`;
    const seen = run.calls.get(key);
    if (seen) {
      seen.count++;
      byRef?.set(target!, seen);
      return;
    }
    if (run.calls.size >= budget.maxDistinct)
      throw new Stop('budget', `more than ${budget.maxDistinct} distinct calls`);
    const site: CallSite = { kind, target, onGlobal, computed, offset: opAt, count: 1 };
    run.calls.set(key, site);
    byRef?.set(target!, site);
  };
  const makeTuple = (items: Value[]): Value => {
    const t: ContainerValue = { k: 'tuple', items: items.slice(0, KEEP_ITEMS), count: items.length, expanded: 1 };
    for (const x of items) addExpanded(t, x);
    return t;
  };
  const checkExpansion = (c: ContainerValue): void => {
    // A tree walk (repr, deepcopy, JSON) would visit `expanded` nodes; a sane pickle stays near its opcode count.
    if (c.expanded > 1e7 && c.expanded > 1000 * run.opcodes) {
      throw new Stop('expansion', `shared references expand to ${c.expanded >= 2 ** 52 ? '2^52+' : c.expanded} nodes`);
    }
  };
  const appendTo = (target: Value, items: Value[], kind: CallKind): void => {
    if (target.k === 'list') {
      for (const x of items) {
        if (target.items.length < KEEP_ITEMS) target.items.push(x);
        addExpanded(target, x);
      }
      target.count += items.length;
      checkExpansion(target);
    } else if (target.k === 'global' || target.k === 'obj') {
      recordCall(kind, target); // calls target.append / target.extend
    } else {
      fail(`${opName(op)} on ${describe(target)}`);
    }
  };
  const setItems = (target: Value, kv: Value[], kind: CallKind): void => {
    if (kv.length % 2 !== 0) fail(`odd number of items for ${opName(op)}`);
    if (target.k === 'dict') {
      for (let i = 0; i < kv.length; i += 2) {
        const key = kv[i]!;
        const val = kv[i + 1]!;
        if (isUnhashable(key)) fail(`unhashable dict key ${describe(key)}`);
        if (target.entries.length < KEEP_ITEMS) target.entries.push([key, val]);
        addExpanded(target, key);
        addExpanded(target, val);
      }
      target.count += kv.length / 2;
      checkExpansion(target);
    } else if (target.k === 'global' || target.k === 'obj') {
      recordCall(kind, target); // calls target.__setitem__
    } else {
      fail(`${opName(op)} on ${describe(target)}`);
    }
  };
  const addItems = (target: Value, items: Value[]): void => {
    if (target.k === 'set' && !target.frozen) {
      for (const x of items) {
        if (isUnhashable(x)) fail(`unhashable set member ${describe(x)}`);
        addExpanded(target, x);
      }
      target.count += items.length;
      checkExpansion(target);
    } else if (target.k === 'global' || target.k === 'obj') {
      recordCall('ADDITEMS', target);
    } else {
      fail(`ADDITEMS on ${describe(target)}`);
    }
  };
  const memoGet = (i: number | undefined): void => {
    if (i === undefined) fail('invalid GET argument');
    const v = memo.get(i!);
    if (v === undefined) fail(`memo value not found at index ${i}`);
    push(v!);
  };
  const memoPut = (i: number | undefined): void => {
    if (i === undefined || i < 0) fail('invalid or negative PUT argument');
    if (!memo.has(i!) && memo.size >= budget.maxMemo)
      throw new Stop('budget', `memo exceeded ${budget.maxMemo} entries`);
    const v = top();
    if (v.k === 'str' && v.s !== undefined) {
      // Strings the memo keeps alive are what a hostile stream can pile up; count them.
      materialised += v.s.length;
      if (materialised > budget.maxMaterialised)
        throw new Stop('budget', `memoized strings exceeded ${budget.maxMaterialised} bytes`);
    }
    memo.set(i!, v);
  };
  const doGlobal = (module: string | undefined, name: string | undefined, opcode: GlobalRef['opcode']): Value => {
    if (module === undefined || name === undefined) fail(`${opcode} module or name is not valid UTF-8 text`);
    return { k: 'global', ref: recordGlobal(module!, name!, opcode) };
  };
  const call = (kind: CallKind, callee: Value, args: Value | undefined): Value => {
    recordCall(kind, callee);
    noteMemberAccess(run, kind, callee, args, opAt);
    return { k: 'obj', callee, args, state: undefined };
  };

  try {
    for (;;) {
      opAt = src.pos;
      if (frameEnd >= 0 && opAt >= frameEnd) frameEnd = -1;
      if (++run.opcodes > budget.maxOpcodes) throw new Stop('budget', `more than ${budget.maxOpcodes} opcodes`);
      if (src.atEnd()) fail('pickle ended without STOP');
      op = src.u8();
      const unframed = framed && frameEnd < 0 && op !== 0x95;
      switch (op) {
        case 0x28: // MARK
          if (marks.length >= budget.maxMarks) throw new Stop('budget', `nesting exceeded ${budget.maxMarks} MARKs`);
          marks.push(stack.length);
          break;
        case 0x2e: {
          // STOP
          if (unframed) checkLoose();
          run.result = pop();
          if (stack.length > 0 || marks.length > 0) {
            problem('leftover', `STOP left ${stack.length} value(s) and ${marks.length} MARK(s) on the stack`);
          }
          if (frameEnd >= 0 && src.pos !== frameEnd) {
            problem('frame', `STOP inside a frame that declares ${frameEnd - src.pos} more byte(s)`);
          }
          run.stopped = true;
          run.end = src.pos;
          return run;
        }
        case 0x30: // POP: pops a MARK if one sits on top of the stack
          if (marks.length > 0 && marks[marks.length - 1] === stack.length) marks.pop();
          else pop();
          break;
        case 0x31: // POP_MARK
          popMark();
          break;
        case 0x32: // DUP
          push(top());
          break;
        case 0x46: // FLOAT
          push({ k: 'scalar', v: parseFloatLine(readLine()) ?? fail('could not convert FLOAT argument') });
          break;
        case 0x49: {
          // INT
          const v = parseIntLine(readLine(), false);
          push({ k: 'scalar', v: v ?? fail('invalid INT argument') });
          break;
        }
        case 0x4a: // BININT
          push({ k: 'scalar', v: src.i32() });
          break;
        case 0x4b: // BININT1
          push({ k: 'scalar', v: src.u8() });
          break;
        case 0x4c: // LONG
          push({ k: 'scalar', v: parseIntLine(readLine(), true) ?? fail('invalid LONG argument') });
          break;
        case 0x4d: // BININT2
          push({ k: 'scalar', v: src.u16() });
          break;
        case 0x4e: // NONE
          push(NONE);
          break;
        case 0x50: {
          // PERSID
          const pid = readLine();
          if (pid.some((b) => b > 0x7f)) fail('persistent IDs in protocol 0 must be ASCII strings');
          push({ k: 'persistent', pid: { k: 'str', s: pid.toString('latin1'), len: pid.length } });
          break;
        }
        case 0x51: {
          // BINPERSID
          const pid = pop();
          opts.onPersistent?.(pid);
          push({ k: 'persistent', pid });
          break;
        }
        case 0x52: {
          // REDUCE
          const args = pop();
          const callee = pop();
          push(call('REDUCE', callee, args));
          break;
        }
        case 0x53: {
          // STRING
          const s = decodeStringLine(readLine());
          if (s === undefined) fail('the STRING opcode argument must be quoted');
          push({ k: 'str', s: s!.length <= KEEP_STRING ? s : undefined, len: s!.length });
          break;
        }
        case 0x54: {
          // BINSTRING
          const n = src.i32();
          if (n < 0) fail('BINSTRING pickle has negative byte count');
          push(readText(n));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          push(readText(src.u8()));
          break;
        case 0x56: {
          // UNICODE
          const s = decodeRawUnicodeEscape(readLine());
          if (s === undefined) fail('invalid raw-unicode-escape in UNICODE');
          push({ k: 'str', s: s!.length <= KEEP_STRING ? s : undefined, len: s!.length });
          break;
        }
        case 0x58: // BINUNICODE
          push(readText(src.u32()));
          break;
        case 0x8d: // BINUNICODE8
          push(readText(src.u64()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          push(readText(src.u8()));
          break;
        case 0x42: // BINBYTES
          push(readBytes(src.u32()));
          break;
        case 0x43: // SHORT_BINBYTES
          push(readBytes(src.u8()));
          break;
        case 0x8e: // BINBYTES8
          push(readBytes(src.u64()));
          break;
        case 0x96: // BYTEARRAY8
          push(readBytes(src.u64(), true));
          break;
        case 0x61: {
          // APPEND
          const x = pop();
          appendTo(top(), [x], 'APPEND');
          break;
        }
        case 0x65: {
          // APPENDS
          const items = popMark();
          appendTo(top(), items, 'APPENDS');
          break;
        }
        case 0x62: {
          // BUILD
          const state = pop();
          const inst = top();
          recordCall('BUILD', inst);
          if (inst.k === 'obj') inst.state = state;
          else if (inst.k !== 'global') fail(`BUILD on ${describe(inst)}`);
          buildEnd = src.pos;
          if (opts.afterBuild) {
            try {
              opts.afterBuild(inst, src, run);
            } catch (err) {
              if (err instanceof Stop || err instanceof TruncatedError) throw err;
              throw new Stop('malformed', err instanceof Error ? err.message : String(err));
            }
          }
          break;
        }
        case 0x63: {
          // GLOBAL
          const module = decodeUtf8Strict(readLine());
          const name = decodeUtf8Strict(readLine());
          push(doGlobal(module, name, 'GLOBAL'));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = pop();
          const module = pop();
          if (module.k !== 'str' || name.k !== 'str') fail('STACK_GLOBAL requires str');
          push(
            doGlobal(
              (module as { s?: string }).s ?? '<long string>',
              (name as { s?: string }).s ?? '<long string>',
              'STACK_GLOBAL',
            ),
          );
          break;
        }
        case 0x69: {
          // INST
          const module = decodeUtf8Strict(readLine());
          const name = decodeUtf8Strict(readLine());
          const args = popMark();
          const cls = doGlobal(module, name, 'INST');
          push(call('INST', cls, makeTuple(args)));
          break;
        }
        case 0x6f: {
          // OBJ
          const items = popMark();
          const cls = items.shift() ?? fail('OBJ without a class');
          push(call('OBJ', cls, makeTuple(items)));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = pop();
          const cls = pop();
          push(call('NEWOBJ', cls, args));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          pop(); // kwargs
          const args = pop();
          const cls = pop();
          push(call('NEWOBJ_EX', cls, args));
          break;
        }
        case 0x82:
        case 0x83:
        case 0x84: {
          // EXT1/2/4: copyreg's extension registry is empty unless something registered a code at run time.
          const code = op === 0x82 ? src.u8() : op === 0x83 ? src.u16() : src.i32();
          problem(
            'extension',
            `EXT${op === 0x82 ? 1 : op === 0x83 ? 2 : 4} imports the object registered as extension code ${code}`,
          );
          if (code <= 0) fail('EXT specifies code <= 0');
          const ext = doGlobal('copyreg', `<extension ${code}>`, 'GLOBAL');
          recordCall('EXT', ext);
          push(ext);
          break;
        }
        case 0x64: {
          // DICT
          const kv = popMark();
          const d: Value = { k: 'dict', entries: [], count: 0, expanded: 1 };
          setItems(d, kv, 'SETITEMS');
          push(d);
          break;
        }
        case 0x7d: // EMPTY_DICT
          push({ k: 'dict', entries: [], count: 0, expanded: 1 });
          break;
        case 0x73: {
          // SETITEM
          const v = pop();
          const k = pop();
          setItems(top(), [k, v], 'SETITEM');
          break;
        }
        case 0x75: {
          // SETITEMS
          const kv = popMark();
          setItems(top(), kv, 'SETITEMS');
          break;
        }
        case 0x67: // GET
          memoGet(parseDecimalLine(readLine()));
          break;
        case 0x68: // BINGET
          memoGet(src.u8());
          break;
        case 0x6a: // LONG_BINGET
          memoGet(src.u32());
          break;
        case 0x70: // PUT
          memoPut(parseDecimalLine(readLine()));
          break;
        case 0x71: // BINPUT
          memoPut(src.u8());
          break;
        case 0x72: // LONG_BINPUT
          memoPut(src.u32());
          break;
        case 0x94: // MEMOIZE
          memoPut(memo.size);
          break;
        case 0x6c: {
          // LIST
          const items = popMark();
          const l: Value = { k: 'list', items: [], count: 0, expanded: 1 };
          appendTo(l, items, 'APPENDS');
          push(l);
          break;
        }
        case 0x5d: // EMPTY_LIST
          push({ k: 'list', items: [], count: 0, expanded: 1 });
          break;
        case 0x74: // TUPLE
          push(makeTuple(popMark()));
          break;
        case 0x29: // EMPTY_TUPLE
          push(makeTuple([]));
          break;
        case 0x85: // TUPLE1
          push(makeTuple([pop()]));
          break;
        case 0x86: {
          // TUPLE2
          const b = pop();
          push(makeTuple([pop(), b]));
          break;
        }
        case 0x87: {
          // TUPLE3
          const c = pop();
          const b = pop();
          push(makeTuple([pop(), b, c]));
          break;
        }
        case 0x47: // BINFLOAT
          push({ k: 'scalar', v: src.f64be() });
          break;
        case 0x80: {
          // PROTO
          const p = src.u8();
          if (p > HIGHEST_PROTOCOL) fail(`unsupported pickle protocol: ${p}`);
          run.protocol = Math.max(run.protocol, p);
          break;
        }
        case 0x88: // NEWTRUE
          push({ k: 'scalar', v: true });
          break;
        case 0x89: // NEWFALSE
          push({ k: 'scalar', v: false });
          break;
        case 0x8a: {
          // LONG1
          const n = src.u8();
          push({ k: 'scalar', v: littleLong(src.bytes(n)) });
          break;
        }
        case 0x8b: {
          // LONG4
          const n = src.i32();
          if (n < 0) fail('LONG pickle has negative byte count');
          if (n > src.remaining) fail('pickle data was truncated (LONG4)');
          if (n <= 16) push({ k: 'scalar', v: littleLong(src.bytes(n)) });
          else {
            src.skip(n);
            push({ k: 'scalar' });
          }
          break;
        }
        case 0x8f: // EMPTY_SET
          push({ k: 'set', frozen: false, count: 0, expanded: 1 });
          break;
        case 0x90: {
          // ADDITEMS
          const items = popMark();
          addItems(top(), items);
          break;
        }
        case 0x91: {
          // FROZENSET
          const items = popMark();
          const s: ContainerValue = { k: 'set', frozen: true, count: items.length, expanded: 1 };
          for (const x of items) {
            if (isUnhashable(x)) fail(`unhashable frozenset member ${describe(x)}`);
            addExpanded(s, x);
          }
          push(s);
          break;
        }
        case 0x95: {
          // FRAME: the C unpickler only checks the bytes exist; the Python one refuses opcodes that straddle.
          const n = src.u64();
          if (frameEnd >= 0) {
            problem('frame', 'a FRAME starts before the previous frame ended');
          }
          if (n > src.remaining) fail(`FRAME declares ${n} bytes but only ${src.remaining} remain`);
          frameEnd = n === 0 ? -1 : src.pos + n;
          framed = true;
          looseOk = false;
          looseBytes = 0;
          break;
        }
        case 0x97: // NEXT_BUFFER
          fail('pickle stream refers to out-of-band data but no buffers argument was given');
          break;
        case 0x98: // READONLY_BUFFER
          top();
          break;
        default:
          fail(`invalid load key ${JSON.stringify(String.fromCharCode(op))} (0x${op.toString(16).padStart(2, '0')})`);
      }
      if (unframed) checkLoose();
      const opEnd = op === 0x62 ? buildEnd : src.pos;
      if (op === 0x62 && src.pos > buildEnd) {
        // a loader's BUILD hook read raw data (joblib arrays): the pickler committed its frame before writing it
        looseOk = true;
        looseBytes = 0;
      }
      if (frameEnd >= 0 && opEnd > frameEnd) {
        problem('frame', `${opName(op)} straddles the end of its FRAME`);
        frameEnd = -1;
      } else if (frameEnd >= 0 && src.pos >= frameEnd) {
        frameEnd = -1;
      }
      const t = stack[stack.length - 1];
      if (t !== undefined && isContainer(t) && t.expanded > 1e7) checkExpansion(t);
    }
  } catch (err) {
    if (err instanceof Stop) problem(err.kind, err.message);
    else if (err instanceof TruncatedError) problem('malformed', `pickle data was truncated inside ${opName(op)}`);
    else throw err;
    run.end = src.pos;
    return run;
  }
}

/** Signed little-endian integer; exact below 2^53, approximate above (only used for naming). */
function littleLong(b: Buffer): number {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return Number(v);
}

/** Names come from the one opcode table shared with discovery's sniffer. */
export function opName(op: number): string {
  return opcodeName(op);
}

/** Whether a byte is a pickle opcode CPython knows. */
export function isOpcode(b: number): boolean {
  return isPickleOpcode(b);
}
