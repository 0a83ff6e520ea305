/**
 * One code byte per memo index (0 = absent), compressed so that memory stays flat in the number of entries for the
 * streams picklers write. A pickler memoizes in order (`_pickle.c` `memo_put` uses the memo's length as the next
 * index, and so does MEMOIZE), and a stream of records repeats the same shape, so the codes of a 64 KiB page repeat
 * with a short period. A page the writes have moved past is sealed into runs — each a short pattern repeated, or
 * literal bytes — and read back by a binary search over its runs. A page that does not compress stays raw, so a
 * hostile stream costs at most the one byte per entry it cost before.
 */

/** Indices below this live in pages; a larger LONG_BINPUT index goes to a map. */
const DENSE_LIMIT = 1 << 30;
const PAGE_BITS = 16;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
/** Longest pattern a run may repeat: a record's worth of memoized values (a dict of a few dozen fields). */
const MAX_PERIOD = 64;
/** A repeat run shorter than this is cheaper as literal bytes. */
const MIN_RUN = 16;
/**
 * A page is sealed only if that makes it this many times smaller: less saves too little for the slower reads, and
 * giving up early bounds the work on codes that do not repeat (at most MAX_PERIOD comparisons for a quarter page).
 */
const KEEP_RATIO = 4;
/** Most finished pages skipped in a row after pages that did not compress (each stays raw: 64 KiB). */
const MAX_BACKOFF = 15;
/** Writes into sealed pages wait here; past this many the pages they touch are unsealed. */
const MAX_PATCHES = 1 << 16;

/** A sealed page: run i covers [runs[3i], next run's start), reading pattern[runs[3i+2] + (off - start) % runs[3i+1]]. */
interface Sealed {
  readonly runs: Uint32Array;
  readonly pattern: Uint8Array;
}

type Page = Uint8Array | Sealed;

export class MemoCodes {
  private readonly pages: (Page | undefined)[] = [];
  private readonly sparse = new Map<number, number>();
  /** Writes into sealed pages (a placeholder container that grew after its page was sealed). */
  private readonly patches = new Map<number, number>();
  /** Pages unsealed by patches, re-sealed one at a time as new pages fill (bounded work per entry). */
  private readonly unsealed: number[] = [];
  private pagesInUse = 0;
  /** Pages left to skip before trying to seal again: codes that did not repeat seldom start to (bounded work). */
  private skip = 0;
  private backoff = 0;
  /** Pages sealed so far; for tests and the bench. */
  sealedPages = 0;

  /** `entries`: how many indices are present, to tell a far LONG_BINPUT (kept in the map) from the next page. */
  constructor(private readonly entries: () => number) {}

  get(i: number): number {
    if (i < DENSE_LIMIT) {
      const page = this.pages[i >>> PAGE_BITS];
      if (page instanceof Uint8Array) {
        const c = page[i & PAGE_MASK]!;
        if (c !== 0) return c;
      } else if (page !== undefined) {
        if (this.patches.size > 0) {
          const p = this.patches.get(i);
          if (p !== undefined) return p;
        }
        const c = readSealed(page, i & PAGE_MASK);
        if (c !== 0) return c;
      }
    }
    return this.sparse.size > 0 ? (this.sparse.get(i) ?? 0) : 0;
  }

  /** `code` is never 0: entries are never removed. */
  set(i: number, code: number): void {
    if (i >= DENSE_LIMIT) {
      this.sparse.set(i, code);
      return;
    }
    const n = i >>> PAGE_BITS;
    const page = this.pages[n];
    if (page instanceof Uint8Array) {
      page[i & PAGE_MASK] = code;
    } else if (page !== undefined) {
      this.patches.set(i, code);
      if (this.patches.size > MAX_PATCHES) this.applyPatches();
    } else {
      // A LONG_BINPUT far past the entries in use would cost a page per index: keep those in the map.
      if (this.pagesInUse > this.entries() / PAGE_SIZE + 16) {
        this.sparse.set(i, code);
        return;
      }
      while (this.pages.length < n) this.pages.push(undefined);
      const fresh = new Uint8Array(PAGE_SIZE);
      fresh[i & PAGE_MASK] = code;
      this.pages[n] = fresh;
      this.pagesInUse++;
      // The writes moved on to a new page: the one before it is done (MEMOIZE and the picklers' PUTs go in order).
      if (n > 0) this.sealFrontier(n - 1);
      const back = this.unsealed.pop();
      if (back !== undefined) this.seal(back);
    }
    if (this.sparse.size > 0) this.sparse.delete(i);
  }

  /** Bytes the pages and patches hold (an estimate for tests and the bench: typed arrays, not object headers). */
  retainedBytes(): number {
    let bytes = this.patches.size * 16 + this.sparse.size * 16;
    for (const page of this.pages) {
      if (page instanceof Uint8Array) bytes += page.length;
      else if (page !== undefined) bytes += page.runs.byteLength + page.pattern.byteLength;
    }
    return bytes;
  }

  /** Seal a finished page; after pages that would not compress, try only every `backoff`-th one (up to 16). */
  private sealFrontier(n: number): void {
    if (this.skip > 0) {
      this.skip--;
      return;
    }
    if (this.seal(n)) this.backoff = 0;
    else this.skip = this.backoff = Math.min(MAX_BACKOFF, 2 * this.backoff + 1);
  }

  private seal(n: number): boolean {
    const page = this.pages[n];
    if (!(page instanceof Uint8Array)) return false;
    const sealed = compress(page);
    if (sealed === undefined) return false;
    this.pages[n] = sealed;
    this.sealedPages++;
    return true;
  }

  /** Too many patches: unseal the pages they touch (they are re-sealed one per new page, see `set`). */
  private applyPatches(): void {
    for (const [i, code] of this.patches) {
      const n = i >>> PAGE_BITS;
      let page = this.pages[n]!;
      if (!(page instanceof Uint8Array)) {
        this.pages[n] = page = expand(page);
        this.sealedPages--;
        this.unsealed.push(n);
      }
      page[i & PAGE_MASK] = code;
    }
    this.patches.clear();
  }
}

function readSealed(s: Sealed, off: number): number {
  const { runs } = s;
  let lo = 0;
  let hi = runs.length / 3 - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (runs[mid * 3]! <= off) lo = mid;
    else hi = mid - 1;
  }
  const at = lo * 3;
  return s.pattern[runs[at + 2]! + ((off - runs[at]!) % runs[at + 1]!)]!;
}

function expand(s: Sealed): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE);
  for (let off = 0; off < PAGE_SIZE; off++) page[off] = readSealed(s, off);
  return page;
}

/** How far the page repeats itself with period p from j: the end of the run (at least j + p). */
function runEnd(a: Uint8Array, j: number, p: number): number {
  let k = j + p;
  while (k < a.length && a[k] === a[k - p]) k++;
  return k;
}

/**
 * Greedy runs: at each position take the shortest period whose repeat reaches furthest (stopping at the first that
 * reaches the page's end); bytes no period covers go into literal runs. Undefined when that saves too little.
 */
function compress(a: Uint8Array): Sealed | undefined {
  const runs: number[] = [];
  const pattern: number[] = [];
  let litStart = -1;
  const closeLiteral = (end: number): void => {
    if (litStart < 0) return;
    runs.push(litStart, end - litStart, pattern.length);
    for (let k = litStart; k < end; k++) pattern.push(a[k]!);
    litStart = -1;
  };
  let j = 0;
  while (j < a.length) {
    let bestEnd = 0;
    let bestP = 0;
    for (let p = 1; p <= MAX_PERIOD && j + p <= a.length; p++) {
      const end = runEnd(a, j, p);
      if (end - j >= Math.max(MIN_RUN, 2 * p) && end > bestEnd) {
        bestEnd = end;
        bestP = p;
        if (end === a.length) break;
      }
    }
    if (bestP === 0) {
      if (litStart < 0) litStart = j;
      j++;
      if (pattern.length + (j - litStart) > a.length / KEEP_RATIO) return undefined;
      continue;
    }
    closeLiteral(j);
    runs.push(j, bestP, pattern.length);
    for (let k = j; k < j + bestP; k++) pattern.push(a[k]!);
    j = bestEnd;
    if (pattern.length + runs.length * 4 > a.length / KEEP_RATIO) return undefined;
  }
  closeLiteral(a.length);
  if (pattern.length + runs.length * 4 > a.length / KEEP_RATIO) return undefined;
  return { runs: Uint32Array.from(runs), pattern: Uint8Array.from(pattern) };
}
