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
  /** Values walked below called objects so far, over the whole pickle (each call of a big state walks it again). */
  walked: number;
}

/** Globals kept per object, and objects kept per pickle (a BUILD each: the opcode budget allows billions). */
const MAX_GLOBALS = 64;
const MAX_OBJECTS = 100_000;

export function newStateCalls(): StateCalls {
  return { byObject: new Map(), overflowed: false, walked: 0 };
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
 * Values walked below one called object and how deep, and below all of them in a pickle, before what it may call
 * is given up as not read (a budget problem: a stream calling one big object a million times stays linear).
 */
const MAX_WALK = 4096;
const MAX_DEPTH = 16;
const MAX_WALKED = 100_000;
/** Distinct globals one call may reach that way; past it, the rest is given up as not read. */
const MAX_REACHED = 256;

/**
 * What calling `callee` may call through its attributes and the objects its state holds: sklearn/pipeline.py
 * `Pipeline.transform` calls `transform.transform(Xt)` of each step, a FunctionTransformer in `steps` whose
 * `self.func` BUILD set (Debian's scikit-learn 1.2 created the file of `Pipeline.transform(<[FunctionTransformer(
 * func=numpy.memmap…)]>, path)`). Undefined when nothing reachable was given a global.
 */
export function reachableStateCallables(calls: StateCalls, callee: Value): StateCallables | undefined {
  if (calls.byObject.size === 0 && !calls.overflowed) return undefined; // no BUILD gave any object a global
  const globals = new Set<Value>();
  let unread = false;
  const seen = new Set<Value>();
  const stack: [Value, number][] = [[callee, 0]];
  let any = false;
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, depth] = next;
    if (seen.has(v)) continue;
    if (seen.size >= MAX_WALK || depth > MAX_DEPTH || calls.walked >= MAX_WALKED || globals.size > MAX_REACHED) {
      unread = true;
      break;
    }
    seen.add(v);
    calls.walked++;
    const held = v.k === 'obj' ? stateCallablesOf(calls, v) : undefined;
    if (held !== undefined) {
      any = true;
      unread ||= held.unread;
      for (const g of held.globals) globals.add(g);
    }
    for (const child of stateChildren(v)) stack.push([child, depth + 1]);
  }
  return any || unread ? { globals: [...globals], unread } : undefined;
}

/** The values a state holds: an object's BUILD state, the items of a list or tuple, the values of a dict. */
function stateChildren(v: Value): readonly Value[] {
  switch (v.k) {
    case 'obj':
      return v.state !== undefined ? [v.state] : [];
    case 'tuple':
    case 'list':
      return v.items;
    case 'dict':
      return v.entries.map(([, value]) => value);
    case 'set':
    case 'scalar':
    case 'str':
    case 'bytes':
    case 'global':
    case 'persistent':
    case 'buffer':
      return [];
  }
}

/**
 * What calling `callee` may call through its attributes: the globals BUILD gave it, and whether some could not be
 * read (then what it calls is not known).
 */
function stateCallablesOf(calls: StateCalls, callee: Value): StateCallables | undefined {
  const held = calls.byObject.get(callee);
  if (held !== undefined) return held;
  return calls.overflowed && callee.k === 'obj' && callee.state !== undefined
    ? { globals: [], unread: true }
    : undefined;
}
