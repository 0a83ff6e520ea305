import type { Value } from './values.js';

/**
 * Callables a BUILD put into an object's attributes. An object without `__setstate__` takes its BUILD state into
 * `__dict__` (Lib/pickle.py `load_build`: the state dict, then `setattr` of each slot-state item), and what it calls
 * when the stream then calls it is often such an attribute: numpy's `vectorize.__call__` calls `self.pyfunc`,
 * torch's `Module._call_impl` calls `self.forward` — an instance attribute shadows the class's method — so
 * `Identity()` given `{'forward': numpy.memmap}` and called on a path with mode 'w+' creates or truncates it.
 * Kept over every BUILD of the object, since a later BUILD that does not name the attribute leaves it set.
 */
export interface StateCallables {
  readonly globals: Value[];
  /** A state whose keys were computed or not all kept: it may have set an attribute not seen here. */
  unread: boolean;
}

export interface StateCalls {
  readonly byObject: Map<Value, StateCallables>;
  /** More objects than kept were given globals: an object not in `byObject` may hold some. */
  overflowed: boolean;
}

/** Globals kept per object, and objects kept per pickle (a BUILD each: the opcode budget allows billions). */
const MAX_GLOBALS = 64;
const MAX_OBJECTS = 100_000;

export function newStateCalls(): StateCalls {
  return { byObject: new Map(), overflowed: false };
}

/** Record the globals a BUILD state gives `inst` as attributes (top-level values of its state and slot state). */
export function noteStateCallables(calls: StateCalls, inst: Value, state: Value): void {
  const parts = state.k === 'tuple' && state.count === 2 ? state.items : [state];
  let held = calls.byObject.get(inst);
  for (const part of parts) {
    if (part.k !== 'dict') continue;
    let unread = part.opaqueKeys === true || part.entries.length < part.count;
    for (const [, v] of part.entries) {
      if (v.k !== 'global') continue;
      held ??= { globals: [], unread: false };
      if (held.globals.includes(v)) continue;
      if (held.globals.length < MAX_GLOBALS) held.globals.push(v);
      else unread = true;
    }
    if (unread) (held ??= { globals: [], unread: false }).unread = true;
  }
  if (held === undefined || calls.byObject.has(inst)) return;
  if (calls.byObject.size < MAX_OBJECTS) calls.byObject.set(inst, held);
  else calls.overflowed = true;
}

/**
 * What calling `callee` may call through its attributes: the globals BUILD gave it, and whether some could not be
 * read (then what it calls is not known).
 */
export function stateCallablesOf(calls: StateCalls, callee: Value): StateCallables | undefined {
  const held = calls.byObject.get(callee);
  if (held !== undefined) return held;
  return calls.overflowed && callee.k === 'obj' && callee.state !== undefined
    ? { globals: [], unread: true }
    : undefined;
}
