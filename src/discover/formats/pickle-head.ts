/**
 * Recognise a pickle that has no PROTO header (protocols 0 and 1, and streams that start with another opcode)
 * by walking its first opcodes: every opcode must exist, its argument must be well formed, and stack and mark
 * usage must be consistent. Text files fail within a few bytes. Recognition only: nothing is unpickled.
 */

type Arg =
  | 'none'
  | 'line' // text argument up to \n
  | 'line2' // two lines (module, name)
  | 'int-line'
  | 'u1'
  | 'u2'
  | 'i4'
  | 'u8'
  | 'f8'
  | 'len1' // 1-byte length + bytes
  | 'len4'
  | 'len8';

/** opcode → [argument, items popped, items pushed]; -1 pops to the last MARK. */
const OPS: Record<string, readonly [Arg, number, number]> = {
  '(': ['none', 0, 0], // MARK (tracked separately)
  '.': ['none', 1, 0], // STOP
  '0': ['none', 1, 0], // POP
  '1': ['none', -1, 0], // POP_MARK
  '2': ['none', 1, 2], // DUP
  F: ['line', 0, 1],
  I: ['int-line', 0, 1],
  J: ['i4', 0, 1],
  K: ['u1', 0, 1],
  L: ['int-line', 0, 1],
  M: ['u2', 0, 1],
  N: ['none', 0, 1],
  P: ['line', 0, 1],
  Q: ['none', 1, 1],
  R: ['none', 2, 1],
  S: ['line', 0, 1],
  T: ['len4', 0, 1],
  U: ['len1', 0, 1],
  V: ['line', 0, 1],
  X: ['len4', 0, 1],
  a: ['none', 2, 1],
  b: ['none', 2, 1],
  c: ['line2', 0, 1],
  d: ['none', -1, 1],
  '}': ['none', 0, 1],
  e: ['none', -1, 0],
  g: ['int-line', 0, 1],
  h: ['u1', 0, 1],
  i: ['line2', -1, 1],
  j: ['i4', 0, 1],
  l: ['none', -1, 1],
  ']': ['none', 0, 1],
  o: ['none', -1, 1],
  p: ['int-line', 1, 1],
  q: ['u1', 1, 1],
  r: ['i4', 1, 1],
  s: ['none', 3, 1],
  t: ['none', -1, 1],
  ')': ['none', 0, 1],
  u: ['none', -1, 0],
  G: ['f8', 0, 1],
};

/** How many opcodes must validate before a headerless stream counts as a pickle (unless it ends sooner). */
const MIN_OPS = 3;

export function looksLikeHeaderlessPickle(head: Buffer, wholeFile: boolean): boolean {
  let p = 0;
  let depth = 0;
  const marks: number[] = [];
  let ops = 0;
  while (p < head.length) {
    const op = String.fromCharCode(head[p]!);
    const spec = OPS[op];
    if (!spec) return false;
    p++;
    const [arg, pops, pushes] = spec;
    const after = skipArg(head, p, arg);
    if (after === 'invalid') return false;
    if (after === 'short') return !wholeFile && ops >= MIN_OPS;
    p = after;
    ops++;
    if (op === '(') {
      marks.push(depth);
      continue;
    }
    if (pops === -1) {
      const m = marks.pop();
      if (m === undefined) return false;
      depth = m;
      // `e`, `u` and `i` also consume the item below the mark (list, dict); `i` pushes the instance.
      if (op === 'e' || op === 'u') {
        if (depth < 1) return false;
      }
    } else {
      if (depth - (marks.at(-1) ?? 0) < pops) return false;
      depth -= pops;
    }
    depth += pushes;
    if (op === '.') return ops >= 2 && depth === 0 && marks.length === 0;
  }
  return !wholeFile && ops >= MIN_OPS;
}

function skipArg(b: Buffer, p: number, arg: Arg): number | 'short' | 'invalid' {
  const need = (n: number) => (p + n <= b.length ? p + n : 'short');
  switch (arg) {
    case 'none':
      return p;
    case 'u1':
      return need(1);
    case 'u2':
      return need(2);
    case 'i4':
      return need(4);
    case 'u8':
    case 'f8':
      return need(8);
    case 'len1':
      return p + 1 > b.length ? 'short' : need(1 + b[p]!);
    case 'len4':
      return p + 4 > b.length ? 'short' : need(4 + b.readUInt32LE(p));
    case 'len8':
      return p + 8 > b.length ? 'short' : need(8 + Number(b.readBigUInt64LE(p)));
    case 'line':
    case 'int-line': {
      const nl = b.indexOf(0x0a, p);
      if (nl < 0) return b.length - p > 256 ? 'invalid' : 'short';
      const text = b.subarray(p, nl).toString('latin1');
      if (arg === 'int-line' && !/^-?\d+L?$/.test(text) && text !== '00' && text !== '01') return 'invalid';
      return nl + 1;
    }
    case 'line2': {
      let q = p;
      for (let k = 0; k < 2; k++) {
        const nl = b.indexOf(0x0a, q);
        if (nl < 0) return b.length - q > 256 ? 'invalid' : 'short';
        if (!/^[A-Za-z_][\w.]*$/.test(b.subarray(q, nl).toString('latin1'))) return 'invalid';
        q = nl + 1;
      }
      return q;
    }
  }
}
