import type { PickleRun } from './result.js';
import type { GlobalRef, Value } from './values.js';
import { argItems, dictGet, originGlobal } from './values.js';

/** State that the class's `__setstate__` hands to `exec` while the pickle loads. */
export interface ExecState {
  /** The class whose BUILD carried the state. */
  readonly owner: string;
  readonly key: string;
  /** The text, when it is a literal string (cut to 200 characters). */
  readonly snippet: string | undefined;
  readonly offset: number;
  /** The state holds more than chainproof kept, so whether it sets the key could not be read. */
  readonly unread?: true;
}

const KEY = '_parse_arg_template';

/**
 * scipy.stats distributions (`rv_generic.__setstate__` → `_attach_methods` → `_attach_argparser_methods`) run
 * `exec(self._parse_arg_template, ns)` on a string restored from the pickle's state: a crafted template is code
 * that runs on load. scipy fills the template in `_construct_argparser` from `parse_arg_template` with the shape
 * names and `loc`/`scale` only, so the state is accepted when it is exactly that text for some shape names.
 * `__setstate__` applies the state with `self.__dict__.update(state)`, so it is read as `dict.update` reads it
 * (updateValue); a scipy.stats object whose state holds more than the VM kept is reported as not readable.
 */
export function checkExecState(obj: Value, run: PickleRun, offset: number): void {
  if (obj.k !== 'obj') return;
  const { value: template, complete } = updateValue(obj.state, KEY);
  const g = classOf(obj);
  if (template === undefined && (complete || !isScipyStats(g))) return;
  const text = template?.k === 'str' ? template.s : undefined;
  if (text !== undefined && isScipyArgParser(text)) return;
  const list = (run.execState ??= []);
  if (list.length >= 64) return;
  list.push({
    owner: g ? `${g.module}.${g.name}` : 'a computed class',
    key: KEY,
    snippet: text?.slice(0, 200),
    offset,
    ...(template === undefined ? { unread: true as const } : {}),
  });
}

/** copyreg's helpers that make an instance of their first argument (`object.__new__(cls)`, `cls.__new__(cls, …)`). */
const INSTANCE_MAKERS = new Set(['copyreg._reconstructor', 'copyreg.__newobj__', 'copyreg.__newobj_ex__']);

/** The class an object is an instance of: the callee, or the class copyreg's helpers were given. */
function classOf(obj: Value & { k: 'obj' }): GlobalRef | undefined {
  const g = originGlobal(obj);
  const cls = argItems(obj.args)?.items[0];
  if (g && INSTANCE_MAKERS.has(`${g.module}.${g.name}`) && cls?.k === 'global') return cls.ref;
  return g;
}

function isScipyStats(g: GlobalRef | undefined): boolean {
  return g !== undefined && (g.module === 'scipy.stats' || g.module.startsWith('scipy.stats.'));
}

/**
 * The value `dict.update(state)` leaves at `key`: a dict's entry (the VM keeps the last value of a repeated key),
 * or the last pair naming it in a list or tuple of pairs — each item a 2-item tuple or list, or a 2-key dict (its
 * keys are the pair). `complete` is false when some item or entry was not kept or cannot be read as a pair.
 */
function updateValue(state: Value | undefined, key: string): { value: Value | undefined; complete: boolean } {
  if (state === undefined || (state.k === 'scalar' && state.v === null)) return { value: undefined, complete: true };
  if (state.k === 'dict') {
    const complete = state.count === state.entries.length && state.opaqueKeys !== true;
    return { value: dictGet(state, key), complete };
  }
  if (state.k !== 'list' && state.k !== 'tuple') return { value: undefined, complete: false };
  let value: Value | undefined;
  let complete = state.count === state.items.length;
  for (const item of state.items) {
    const pair = pairOf(item);
    if (pair === undefined) complete = false;
    else if (pair[0].k === 'str' && pair[0].s === key) value = pair[1];
  }
  return { value, complete };
}

function pairOf(v: Value): readonly [Value, Value] | undefined {
  if ((v.k === 'tuple' || v.k === 'list') && v.count === 2 && v.items.length === 2) return [v.items[0]!, v.items[1]!];
  if (v.k === 'dict' && v.count === 2 && v.entries.length === 2) return [v.entries[0]![0], v.entries[1]![0]];
  // A 2-character string pairs two characters: never a key of the state that matters here.
  if (v.k === 'str' && v.len === 2) return [v, v];
  return undefined;
}

/** The first line gives the shape names and the loc/scale signature; the rest must follow from them exactly. */
const HEAD = /^\ndef _parse_args\(self, ((?:[A-Za-z_][A-Za-z0-9_]{0,63}, ){0,32}) (loc=0, scale=1|loc=0)\):\n/;

function isScipyArgParser(text: string): boolean {
  const m = HEAD.exec(text);
  if (!m) return false;
  const shapes = m[1]!;
  const locIn = m[2]!;
  const locOut = locIn === 'loc=0' ? 'loc, 1' : 'loc, scale';
  // scipy/stats/_distn_infrastructure.py `parse_arg_template`, filled as `_construct_argparser` fills it.
  const expected =
    `\ndef _parse_args(self, ${shapes} ${locIn}):\n    return (${shapes}), ${locOut}\n\n` +
    `def _parse_args_rvs(self, ${shapes} ${locIn}, size=None):\n    return self._argcheck_rvs(${shapes} ${locOut}, size=size)\n\n` +
    `def _parse_args_stats(self, ${shapes} ${locIn}, moments='mv'):\n    return (${shapes}), ${locOut}, moments\n`;
  return text === expected;
}
