import type { CodeText } from './code-text.js';
import type { ExecState } from './exec-state.js';
import type { KerasUnpickle } from './keras-object.js';
import type { MemberAccess } from './member-access.js';
import type { DillCall } from './dill-calls.js';
import type { NestedBlob } from './nested.js';
import type { TorchBytesLoad } from './torch-bytes.js';
import type { GlobalRef, Value } from './values.js';

/** Limits on one pickle; each exhaustion is reported as a `budget` problem. */
export interface PickleBudget {
  readonly maxOpcodes: number;
  readonly maxMemo: number;
  readonly maxStack: number;
  /** Open MARKs at once: the nesting depth of tuples, lists and dicts under construction. */
  readonly maxMarks: number;
  /**
   * Estimated bytes of values the memo keeps whole (vm/memo.ts); past it, entries become one-byte placeholder codes
   * (compressed as they fill, vm/memo-codes.ts) and a placeholder used where its content matters is a budget problem.
   */
  readonly maxMaterialised: number;
  /** Longest protocol-0 text line. */
  readonly maxLine: number;
  /** Distinct globals/call targets recorded. */
  readonly maxDistinct: number;
}

export const DEFAULT_BUDGET: PickleBudget = {
  maxOpcodes: 2_000_000_000,
  maxMemo: 100_000_000, // at most one byte each past the whole-value budget (vm/memo-codes.ts)
  maxStack: 1_000_000,
  maxMarks: 100_000,
  maxMaterialised: 4 << 20,
  maxLine: 1 << 20,
  maxDistinct: 10_000,
};

/** Opcodes that hand control to a callable: the unpickler calls it (or a method of it) while loading. */
export type CallKind =
  | 'REDUCE'
  | 'BUILD'
  | 'OBJ'
  | 'INST'
  | 'NEWOBJ'
  | 'NEWOBJ_EX'
  | 'EXT'
  | 'APPEND'
  | 'APPENDS'
  | 'SETITEM'
  | 'SETITEMS'
  | 'ADDITEMS';

/** Calls aggregated by (kind, target). `target` is undefined when the callee was computed at load time. */
export interface CallSite {
  readonly kind: CallKind;
  readonly target: GlobalRef | undefined;
  /** The callee (or receiver) is itself the imported global, not an instance of it: e.g. BUILD on a class. */
  readonly onGlobal: boolean;
  /** The callee is a value computed by an earlier call (`getattr(...)(...)`), not a global. */
  readonly computed: boolean;
  readonly offset: number;
  count: number;
}

export type ProblemKind =
  /** CPython would raise here: the load stops (what ran before still ran). */
  | 'malformed'
  /** A chainproof limit was reached; the rest was not analysed. */
  | 'budget'
  /** Opcodes straddle or violate FRAME boundaries: parsers disagree on such streams. */
  | 'frame'
  /** Shared references make the value tree explode when walked. */
  | 'expansion'
  /** STOP left values or marks behind: never produced by a real pickler. */
  | 'leftover';

export interface PickleProblem {
  readonly kind: ProblemKind;
  readonly message: string;
  readonly offset: number;
  /** The data ended where the reading needed more (CPython: "pickle data was truncated", "ran out of input"). */
  readonly ranOut?: true;
  /**
   * The pickle itself was read whole; what it returned is not the record the loader expects (torch's storage keys,
   * a tar storage record). When one of its own globals is reported, that payload is the cause and this adds nothing.
   */
  readonly fromResult?: true;
}

/** One pickle (one STOP) of a stream. */
export interface PickleRun {
  /** Absolute offset of the first opcode. */
  readonly start: number;
  /** Absolute offset after STOP, or where analysis stopped. */
  end: number;
  /** Reached STOP without a problem that stops CPython. */
  stopped: boolean;
  protocol: number;
  opcodes: number;
  readonly globals: Map<string, GlobalRef & { count: number }>;
  readonly calls: Map<string, CallSite>;
  readonly problems: PickleProblem[];
  /** The value STOP returned. */
  result: Value | undefined;
  /** `getattr(owner, attr)` calls, for the enum-member shape (member-access.ts). */
  memberAccesses?: MemberAccess[];
  /** Bytes/string values that start like a pickle (nested.ts), analysed by the verdict. */
  nested?: NestedBlob[];
  /** Pickle-like values past the per-pickle cap: not analysed, reported. */
  nestedSkipped?: number;
  /** The first string shaped like code (code-text.ts), and the characters looked at for it. */
  codeText?: CodeText;
  codeTextRead?: number;
  /** Object state a class's `__setstate__` executes as code (exec-state.ts). */
  execState?: ExecState[];
  /** Keras 3 `_unpickle_model` calls and their embedded archives (keras-object.ts). */
  kerasModels?: KerasUnpickle[];
  /** `torch.storage._load_from_bytes(<bytes>)` calls and their embedded torch files (torch-bytes.ts). */
  torchBytes?: TorchBytesLoad[];
  /** Calls of dill's data helpers (`_create_array`, `_load_type`, `_eval_repr`) and their arguments (dill-calls.ts). */
  dillCalls?: DillCall[];
  /** Calls of `builtins.type`: on a singleton (`type(None)`, as CPython writes it) or anything else (singleton-types.ts). */
  typeCalls?: { singleton: number; other: number };
  /**
   * The first bytes after the first joblib NumpyArrayWrapper's BUILD, where its data begins: joblib skips them, a
   * plain `pickle.load` reads them as opcodes (joblib.ts, pickles.ts `addPlainLoad`).
   */
  arrayData?: { readonly at: number; readonly bytes: Buffer };
  /** Bytes the FRAME holding STOP declares past it (vm/framing.ts `checkStopFrame`): a reader may consume them. */
  stopFrameRest?: number;
  /** The first opcode torch's weights-only unpickler does not implement (weights-only.ts `WEIGHTS_ONLY_OPCODES`). */
  notWeightsOnly?: { readonly op: number; readonly offset: number };
}
