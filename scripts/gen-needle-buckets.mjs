// Choose the buckets of the loader needles the refs pre-filter scans for (src/refs/prefilter.ts SCANNED_NEEDLES) and
// write them to src/refs/needle-buckets.ts. Run after `npm run build` whenever LOADER_NEEDLES changes (a test fails
// while a scanned needle has no bucket). Offline because the search reads megabytes of source: at run time it would
// cost more than it saves.
//
// The scan (needle-scan.wat) tests the first four bytes of sixteen positions at once against eight buckets' nibble
// tables; a block where some bucket's tables pass goes to the compare, the slow path. The cost counted here is what
// the scan pays on ordinary source: blocks sent to the compare (each one costs about four passes) plus the buckets
// that pass. The source is not this project's bench repository (that would tune the scan to it) but source any
// development machine has: the Python standard library of Debian's python3 and the JavaScript of node_modules, read
// in a fixed order. Start from runs of the sorted needles (needle-scan.ts `bucketsOf`), then move one needle or swap
// two while the cost falls.
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
/** Per tested byte j, per byte value: the buckets whose nibble tables pass it (needle-scan.ts builds the same). */
function tables(assign) {
  const lo = new Uint8Array(TESTED * 16);
  const hi = new Uint8Array(TESTED * 16);
  needles.forEach((n, k) => {
    const bit = 1 << assign[k];
    for (let j = 0; j < TESTED; j++)
      for (let x = 0; x < 16; x++) {
        if (j >= n.length || (n[j] & 15) === x) lo[j * 16 + x] |= bit;
        if (j >= n.length || n[j] >> 4 === x) hi[j * 16 + x] |= bit;
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
function cost(assign) {
  const t = tables(assign);
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

const order = needles.map((_, k) => k).sort((a, b) => Buffer.compare(needles[a], needles[b]));
const runs = [];
order.forEach((k, i) => (runs[k] = Math.floor((i * BUCKETS) / order.length)));
const rate = (a) => `${((100 * cost(a).blocks) / (text.length / 16)).toFixed(2)} % of blocks`;
console.log(`${(text.length / 1e6).toFixed(1)} MB of source; runs of the sorted needles: ${rate(runs)}`);
// The buckets chosen before, where there are some: each needle keeps its bucket and a new needle goes where it costs
// least, so a needle added moves no other unless a move below pays (a search from the runs lands elsewhere each time,
// and the file's diff hides what changed). The search then starts from whichever costs less.
const { LOADER_NEEDLE_BUCKETS: before = {} } = await import(path.join(repo, 'build/refs/needle-buckets.js')).catch(
  () => ({}),
);
let kept = needles.map((_, k) => before[SCANNED_NEEDLES[k]] ?? -1);
if (kept.some((b) => b >= 0)) {
  for (let k = 0; k < needles.length; k++) {
    if (kept[k] >= 0) continue;
    let bestBucket = 0;
    let bestScore = Infinity;
    for (let b = 0; b < BUCKETS; b++) {
      const s = cost(kept.map((x, i) => (i === k ? b : Math.max(x, 0)))).score;
      if (s < bestScore) [bestBucket, bestScore] = [b, s];
    }
    kept = kept.with(k, bestBucket);
  }
  kept = kept.map((b) => Math.max(b, 0));
  console.log(`the buckets chosen before, new needles placed: ${rate(kept)}`);
}
let best = kept.every((b) => b >= 0) && cost(kept).score < cost(runs).score ? kept : runs;
let score = cost(best).score;
const tryMove = (a) => {
  const s = cost(a).score;
  if (s >= score) return false;
  best = a;
  score = s;
  return true;
};
for (let improved = true; improved;) {
  improved = false;
  for (let k = 0; k < needles.length; k++)
    for (let b = 0; b < BUCKETS; b++) if (b !== best[k]) improved = tryMove(best.with(k, b)) || improved;
  for (let k = 0; k < needles.length; k++)
    for (let l = k + 1; l < needles.length; l++)
      if (best[k] !== best[l]) improved = tryMove(best.with(k, best[l]).with(l, best[k])) || improved;
}
console.log(`chosen: ${rate(best)}`);

const out = path.join(repo, 'src/refs/needle-buckets.ts');
const entries = SCANNED_NEEDLES.map((n, k) => `  ${JSON.stringify(n)}: ${best[k]},`).join('\n');
const source =
  `// Generated by scripts/gen-needle-buckets.mjs; do not edit. The bucket of each needle the refs pre-filter scans\n` +
  `// for (prefilter.ts SCANNED_NEEDLES), chosen so that ordinary source sends few blocks to the compare.\n` +
  `export const LOADER_NEEDLE_BUCKETS: Readonly<Record<string, number>> = {\n${entries}\n};\n`;
const options = (await prettier.resolveConfig(out)) ?? {};
writeFileSync(out, await prettier.format(source, { ...options, filepath: out }));
console.log(`wrote ${path.relative(repo, out)}`);
