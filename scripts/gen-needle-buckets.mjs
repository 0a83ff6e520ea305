// Choose the buckets and windows of the loader needles the refs pre-filter scans for (src/refs/prefilter.ts
// SCANNED_NEEDLES) and write them to src/refs/needle-buckets.ts. Run after `npm run build` whenever LOADER_NEEDLES
// changes (a test fails while a scanned needle has no bucket). Offline because the search reads megabytes of source:
// at run time it would cost more than it saves.
//
// The scan (needle-scan.wat) tests four bytes of each needle (its window) at sixteen positions at once against eight
// buckets' nibble tables; a block where some bucket's tables pass goes to the compare, the slow path. The cost
// counted here is what the scan pays on ordinary source: blocks sent to the compare (each one costs about four
// passes) plus the buckets that pass. The source is not this project's bench repository (that would tune the scan to
// it) but source any development machine has: the Python standard library of Debian's python3 and the JavaScript of
// node_modules, read in a fixed order. Start from the choice before (or from runs of the sorted needles, needle-scan.ts
// `bucketsOf`, each at its rarest four bytes), then move one needle to another bucket or window, or swap two, while
// the cost falls.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { SCANNED_NEEDLES } = await import(path.join(repo, 'build/refs/prefilter.js'));
const BUCKETS = 8;
const TESTED = 4;

/** Up to `cap` bytes of files ending in `ext` under `dir`, in name order, test folders and large files left out. */
function read(dir, ext, cap, out = { parts: [], bytes: 0 }) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch {
    return out;
  }
  for (const e of entries) {
    if (out.bytes >= cap) break;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'test' && e.name !== 'tests') read(p, ext, cap, out);
    } else if (ext.some((x) => e.name.endsWith(x)) && statSync(p).size < 200_000) {
      out.parts.push(readFileSync(p), Buffer.from('\n'));
      out.bytes += statSync(p).size;
    }
  }
  return out;
}
const python = readdirSync('/usr/lib')
  .filter((d) => /^python3\.\d+$/.test(d))
  .sort()
  .pop();
const sources = [
  python && read(path.join('/usr/lib', python), ['.py'], 3e6),
  read(path.join(repo, 'node_modules'), ['.js', '.ts'], 3e6),
].filter((s) => s && s.bytes > 0);
if (sources.length < 2) throw new Error('needs /usr/lib/python3.X (Debian python3) and node_modules (npm ci)');
const text = Buffer.concat(sources.flatMap((s) => s.parts));

const needles = SCANNED_NEEDLES.map((n) => Buffer.from(n, 'latin1'));
/**
 * Per tested byte j, per byte value: the buckets whose nibble tables pass it (needle-scan.ts builds the same), for
 * each needle's bucket (`assign`) and window (`windows`: where its four tested bytes start).
 */
function tables(assign, windows) {
  const lo = new Uint8Array(TESTED * 16);
  const hi = new Uint8Array(TESTED * 16);
  needles.forEach((n, k) => {
    const bit = 1 << assign[k];
    const o = windows[k];
    for (let j = 0; j < TESTED; j++)
      for (let x = 0; x < 16; x++) {
        if (o + j >= n.length || (n[o + j] & 15) === x) lo[j * 16 + x] |= bit;
        if (o + j >= n.length || n[o + j] >> 4 === x) hi[j * 16 + x] |= bit;
      }
  });
  const t = new Uint8Array(TESTED * 256);
  for (let j = 0; j < TESTED; j++)
    for (let c = 0; c < 256; c++) t[j * 256 + c] = lo[j * 16 + (c & 15)] & hi[j * 16 + (c >> 4)];
  return t;
}
const bits = (m) => {
  let c = 0;
  for (; m; m &= m - 1) c++;
  return c;
};
function cost({ assign, windows }) {
  const t = tables(assign, windows);
  let passes = 0;
  let blocks = 0;
  const end = text.length - TESTED;
  for (let p = 0; p < end; p += 16) {
    let hit = 0;
    for (let i = p, e = Math.min(p + 16, end); i < e; i++) {
      const m = t[text[i]] & t[256 + text[i + 1]] & t[512 + text[i + 2]] & t[768 + text[i + 3]];
      if (m) {
        hit = 1;
        passes += bits(m);
      }
    }
    blocks += hit;
  }
  return { blocks, passes, score: 4 * blocks + passes };
}

// Each needle's rarest four bytes in the source: where its window starts when it has none yet.
const source = text.toString('latin1');
const occurrences = (w) => {
  let c = 0;
  for (let i = source.indexOf(w); i >= 0; i = source.indexOf(w, i + 1)) c++;
  return c;
};
const rarest = needles.map((n) => {
  const s = n.toString('latin1');
  let best = 0;
  for (let o = 1; o + TESTED <= s.length; o++)
    if (occurrences(s.slice(o, o + TESTED)) < occurrences(s.slice(best, best + TESTED))) best = o;
  return best;
});
const order = needles.map((_, k) => k).sort((a, b) => Buffer.compare(needles[a], needles[b]));
const runs = { assign: [], windows: rarest };
order.forEach((k, i) => (runs.assign[k] = Math.floor((i * BUCKETS) / order.length)));
const rate = (a) => `${((100 * cost(a).blocks) / (text.length / 16)).toFixed(2)} % of blocks`;
console.log(
  `${(text.length / 1e6).toFixed(1)} MB of source; runs of the sorted needles at their rarest windows: ${rate(runs)}`,
);
// The buckets and windows chosen before, where there are some: each needle keeps its own and a new needle goes to its
// rarest window, in the bucket where it costs least — so a needle added moves no other unless a move below pays (a
// search from the runs lands elsewhere each time, and the file's diff hides what changed). The search then starts
// from whichever costs less.
const before = await import(path.join(repo, 'build/refs/needle-buckets.js')).catch(() => ({}));
const oldBuckets = before.LOADER_NEEDLE_BUCKETS ?? {};
const oldWindows = before.LOADER_NEEDLE_WINDOWS ?? {};
let best = runs;
if (needles.some((_, k) => oldBuckets[SCANNED_NEEDLES[k]] !== undefined)) {
  let kept = {
    assign: needles.map((_, k) => oldBuckets[SCANNED_NEEDLES[k]] ?? 0),
    windows: needles.map((_, k) => {
      const o = oldWindows[SCANNED_NEEDLES[k]];
      return oldBuckets[SCANNED_NEEDLES[k]] === undefined || !(o + TESTED <= needles[k].length) ? rarest[k] : o;
    }),
  };
  for (let k = 0; k < needles.length; k++) {
    if (oldBuckets[SCANNED_NEEDLES[k]] !== undefined) continue;
    let placed = kept;
    for (let b = 0; b < BUCKETS; b++) {
      const a = { ...kept, assign: kept.assign.with(k, b) };
      if (cost(a).score < cost(placed).score || placed === kept) placed = a;
    }
    kept = placed;
  }
  console.log(`the buckets and windows chosen before, new needles placed: ${rate(kept)}`);
  if (cost(kept).score < cost(runs).score) best = kept;
}
let score = cost(best).score;
const tryMove = (a) => {
  const s = cost(a).score;
  if (s >= score) return false;
  best = a;
  score = s;
  return true;
};
// Move one needle to another bucket or window, or swap two needles' buckets, while the cost falls.
for (let improved = true; improved;) {
  improved = false;
  for (let k = 0; k < needles.length; k++) {
    for (let b = 0; b < BUCKETS; b++)
      if (b !== best.assign[k]) improved = tryMove({ ...best, assign: best.assign.with(k, b) }) || improved;
    for (let o = 0; o + TESTED <= needles[k].length; o++)
      if (o !== best.windows[k]) improved = tryMove({ ...best, windows: best.windows.with(k, o) }) || improved;
  }
  for (let k = 0; k < needles.length; k++)
    for (let l = k + 1; l < needles.length; l++)
      if (best.assign[k] !== best.assign[l])
        improved =
          tryMove({ ...best, assign: best.assign.with(k, best.assign[l]).with(l, best.assign[k]) }) || improved;
}
console.log(`chosen: ${rate(best)}`);

const out = path.join(repo, 'src/refs/needle-buckets.ts');
const record = (values) => SCANNED_NEEDLES.map((n, k) => `  ${JSON.stringify(n)}: ${values[k]},`).join('\n');
const generated =
  `// Generated by scripts/gen-needle-buckets.mjs; do not edit. The bucket of each needle the refs pre-filter scans\n` +
  `// for (prefilter.ts SCANNED_NEEDLES), and its window (needle-scan.ts: where its four tested bytes start), chosen\n` +
  `// so that ordinary source sends few blocks to the compare.\n` +
  `export const LOADER_NEEDLE_BUCKETS: Readonly<Record<string, number>> = {\n${record(best.assign)}\n};\n` +
  `export const LOADER_NEEDLE_WINDOWS: Readonly<Record<string, number>> = {\n${record(best.windows)}\n};\n`;
const options = (await prettier.resolveConfig(out)) ?? {};
writeFileSync(out, await prettier.format(generated, { ...options, filepath: out }));
console.log(`wrote ${path.relative(repo, out)}`);
