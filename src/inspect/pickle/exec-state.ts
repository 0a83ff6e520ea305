import type { PickleRun } from './result.js';
import type { Value } from './values.js';
import { dictGet, originGlobal } from './values.js';

/** State that the class's `__setstate__` hands to `exec` while the pickle loads. */
export interface ExecState {
  /** The class whose BUILD carried the state. */
  readonly owner: string;
  readonly key: string;
  /** The text, when it is a literal string (cut to 200 characters). */
  readonly snippet: string | undefined;
  readonly offset: number;
}

/**
 * scipy.stats distributions (`rv_generic.__setstate__` → `_attach_methods` → `_attach_argparser_methods`) run
 * `exec(self._parse_arg_template, ns)` on a string restored from the pickle's state: a crafted template is code
 * that runs on load. scipy fills the template in `_construct_argparser` from `parse_arg_template` with the shape
 * names and `loc`/`scale` only, so the state is accepted when it is exactly that text for some shape names.
 */
export function checkExecState(obj: Value, run: PickleRun, offset: number): void {
  if (obj.k !== 'obj') return;
  const template = dictGet(obj.state, '_parse_arg_template');
  if (template === undefined) return;
  const text = template.k === 'str' ? template.s : undefined;
  if (text !== undefined && isScipyArgParser(text)) return;
  const g = originGlobal(obj);
  const list = (run.execState ??= []);
  if (list.length >= 64) return;
  list.push({
    owner: g ? `${g.module}.${g.name}` : 'a computed class',
    key: '_parse_arg_template',
    snippet: text?.slice(0, 200),
    offset,
  });
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
