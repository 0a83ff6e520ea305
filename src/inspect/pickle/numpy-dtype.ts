import type { DtypeInfo } from '../containers/dtype.js';
import { parseTypestr } from '../containers/dtype.js';
import type { Value } from './values.js';
import { originGlobal } from './values.js';

/**
 * A dtype rebuilt by a pickle: `numpy.dtype(typestr, False, True)` then BUILD with
 * `(version, endian, subdescr, names, fields, elsize, alignment, flags)`.
 */
export function dtypeFromPickle(v: Value | undefined): DtypeInfo | undefined {
  if (v?.k !== 'obj') return undefined;
  const g = originGlobal(v);
  if (!g || g.name !== 'dtype' || !g.module.startsWith('numpy')) return undefined;
  const typestr = v.args?.k === 'tuple' && v.args.items[0]?.k === 'str' ? v.args.items[0].s : undefined;
  const base = typestr !== undefined ? parseTypestr(typestr) : undefined;
  const state = v.state?.k === 'tuple' ? v.state.items : [];
  const fields = state[4];
  const elsize = state[5]?.k === 'scalar' && typeof state[5].v === 'number' && state[5].v > 0 ? state[5].v : undefined;
  const structured = fields !== undefined && fields.k === 'dict';
  let hasObject = base?.hasObject ?? false;
  if (structured) {
    for (const [, f] of fields.entries) {
      const sub = f.k === 'tuple' ? dtypeFromPickle(f.items[0]) : undefined;
      if (!sub || sub.hasObject) hasObject = true; // unknown field types are treated as objects: never under-read
    }
  }
  const itemsize = elsize ?? base?.itemsize;
  return itemsize !== undefined ? { itemsize, hasObject } : undefined;
}
