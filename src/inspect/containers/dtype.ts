import type { Value } from '../pickle/values.js';
import { originGlobal } from '../pickle/values.js';

/** What a numpy type string says: item size in bytes and whether items are Python objects (a pickle). */
export interface DtypeInfo {
  readonly itemsize: number;
  readonly hasObject: boolean;
}

/** `<f4`, `|O`, `i8`, `U10`, `S5`, `V16`, `?`, `M8[ns]`… */
export function parseTypestr(s: string): DtypeInfo | undefined {
  const m = /^[<>|=]?([a-zA-Z?])(\d*)(?:\[\w+\])?$/.exec(s);
  if (!m) return undefined;
  const kind = m[1]!;
  const n = m[2] ? Number(m[2]) : undefined;
  switch (kind) {
    case 'O':
      return { itemsize: 8, hasObject: true };
    case '?':
      return { itemsize: 1, hasObject: false };
    case 'b':
    case 'B':
      return { itemsize: n ?? 1, hasObject: false };
    case 'i':
    case 'u':
    case 'f':
    case 'c':
    case 'M':
    case 'm':
    case 'S':
    case 'a':
    case 'V':
      return n !== undefined
        ? { itemsize: n, hasObject: false }
        : kind === 'M' || kind === 'm'
          ? { itemsize: 8, hasObject: false }
          : undefined;
    case 'U':
      return n !== undefined ? { itemsize: 4 * n, hasObject: false } : undefined;
    case 'e':
      return { itemsize: 2, hasObject: false };
    case 'd':
    case 'q':
    case 'Q':
    case 'l':
    case 'L':
      return { itemsize: 8, hasObject: false };
    case 'h':
    case 'H':
      return { itemsize: 2, hasObject: false };
    default:
      return undefined;
  }
}

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
