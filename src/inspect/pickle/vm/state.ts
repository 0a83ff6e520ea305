import { opcodeName } from '../../../discover/formats/pickle-opcodes.js';
import type { ByteSource } from '../source.js';
import type { CallSite, PickleBudget, PickleRun, ProblemKind } from '../result.js';
import type { GlobalRef, Value } from '../values.js';
import { Memo } from './memo.js';
import type { StateCalls } from '../state-calls.js';
import { newStateCalls } from '../state-calls.js';

export interface VmOptions {
  readonly budget?: Partial<PickleBudget>;
  /**
   * Called after BUILD with the object built and how many bytes of the current FRAME are left after it; a loader
   * with a custom BUILD (joblib's NumpyUnpickler) reads more bytes from the stream here. Throw to stop the pickle
   * with a `malformed` problem.
   */
  readonly afterBuild?: (obj: Value, src: ByteSource, run: PickleRun, frameRest: number) => NestedPickle | void;
  /** Sees every BINPERSID id: a legacy torch file sizes its raw storages from them. */
  readonly onPersistent?: (pid: Value) => void;
  /**
   * What the loader's `persistent_load` returns for an id, when it returns a value the pickle itself named (a
   * legacy torch file's module class); undefined keeps the opaque persistent value.
   */
  readonly resolvePersistent?: (pid: Value) => Value | undefined;
}

/**
 * A BUILD hook asks for a whole pickle to be read next (joblib's object arrays): the driver runs it as a nested VM,
 * with refills as needed, then calls `done`, which may throw to stop the outer pickle as malformed.
 */
export interface NestedPickle {
  readonly opts: VmOptions;
  readonly done: (nested: PickleRun) => void;
}

/** Raised inside the VM: CPython would raise too (or a budget was hit), so the load stops here. */
export class Stop extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
    /** The data ended before the opcode's argument or the STOP (CPython: "pickle data was truncated"). */
    readonly ranOut = false,
  ) {
    super(message);
  }
}

/** A FRAME that declares more bytes than the stream has (framing.ts), reported when the pickle ends (vm.ts). */
export interface ShortFrame {
  readonly offset: number;
  readonly declared: number;
  readonly remaining: number;
}

/**
 * Everything one pickle run carries between opcodes: the symbolic stack, MARKs, the lean memo, framing state and
 * what the run has recorded so far. Opcode handlers (stack-memo.ts, calls.ts, scalars-text.ts, containers.ts,
 * framing.ts) read and change it; none of them keeps state of its own.
 */
export class VmState {
  readonly stack: Value[] = [];
  readonly marks: number[] = [];
  readonly memo: Memo;
  /** Calls on a global, cached by (kind, GlobalRef, onGlobal): building string keys per call dominated. */
  readonly callCache = new Map<string, Map<GlobalRef, CallSite>>();
  /** One shared value per imported global, so memo entries and stack slots that hold it cost nothing more. */
  readonly globalValues = new Map<GlobalRef, Value>();
  frameEnd = -1;
  framed = false;
  /** The first FRAME that declared more bytes than the stream holds, until the pickle ends (vm.ts). */
  shortFrame: ShortFrame | undefined;
  /** Picklers write large payloads outside frames and may leave a tail of < 4 bytes unframed after one. */
  looseOk = false;
  looseBytes = 0;
  buildEnd = -1;
  /** The opcode being run and where it starts. */
  op = 0;
  opAt: number;
  /** Framing had started and the current opcode is outside any frame. */
  unframed = false;
  /** A nested pickle the current BUILD asked for; the VM resumes after it with `resume`. */
  nested: NestedPickle | undefined;
  /** Set by the driver when a nested pickle ended: finish the BUILD (or fail with the error `done` threw). */
  resume: { readonly error?: unknown } | undefined;
  /** A dropped memo entry was used where its content matters: reported once. */
  lostReported = false;
  /** A UNICODE or STRING line longer than `maxLine`, read on to its newline over refills (scalars-text.ts). */
  longLine: LongLine | undefined;
  /** Globals that BUILD gave objects as attributes, called if the stream calls the object (state-calls.ts). */
  readonly stateCalls: StateCalls = newStateCalls();

  constructor(
    readonly src: ByteSource,
    readonly run: PickleRun,
    readonly budget: PickleBudget,
    readonly opts: VmOptions,
  ) {
    this.memo = new Memo(budget.maxMaterialised);
    this.opAt = src.pos;
  }

  problem(kind: ProblemKind, message: string, offset = this.opAt, ranOut = false): void {
    if (this.run.problems.length < 100)
      this.run.problems.push({ kind, message, offset, ...(ranOut ? { ranOut: true as const } : {}) });
  }

  fail(message: string): never {
    throw new Stop('malformed', message);
  }

  /** The stream ended where the opcode needs more bytes. */
  ranOut(message: string): never {
    throw new Stop('malformed', message, true);
  }

  /** A value whose content was dropped with its memo entry decided something: the rest is not known to be safe. */
  lost(what: string): void {
    if (this.lostReported) return;
    this.lostReported = true;
    this.problem(
      'budget',
      `${what} reads a memo entry dropped past the ${this.budget.maxMaterialised}-byte memo budget; it could not be checked`,
    );
  }

  opName(): string {
    return opcodeName(this.op);
  }

  pop(): Value {
    return this.stack.pop() ?? this.fail(`stack underflow at ${this.opName()}`);
  }

  top(): Value {
    return this.stack[this.stack.length - 1] ?? this.fail(`stack underflow at ${this.opName()}`);
  }

  push(v: Value): void {
    if (this.stack.length >= this.budget.maxStack)
      throw new Stop('budget', `stack exceeded ${this.budget.maxStack} items`);
    this.stack.push(v);
  }

  popMark(): Value[] {
    const m = this.marks.pop();
    if (m === undefined) this.fail(`${this.opName()} without a MARK`);
    return this.stack.splice(m);
  }

  /** A protocol-0 text argument: bytes up to the newline. */
  readLine(): Buffer {
    const l = this.src.line(this.budget.maxLine);
    if (l === undefined) {
      if (this.src.remaining > this.budget.maxLine)
        throw new Stop('budget', `text argument longer than ${this.budget.maxLine} bytes`);
      return this.ranOut('pickle data was truncated (no newline)');
    }
    return l;
  }
}

/** A long UNICODE or STRING line being read: where it starts, STRING's opening quote, its last byte so far. */
export interface LongLine {
  readonly from: number;
  readonly quote: number | undefined;
  last: number | undefined;
}

/** One opcode's effect on the state. */
export type Handler = (vm: VmState) => void;
/** Opcode byte → handler; a hole is an opcode CPython does not know. */
export type HandlerTable = (Handler | undefined)[];
