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
