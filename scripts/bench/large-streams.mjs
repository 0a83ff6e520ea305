#!/usr/bin/env node
// Real-size streams at the default content limits (issue 14 moved them out of `npm test`, which proves the same code
// paths at limits scaled down to MiBs: test/inspect/content/small-limits.ts). Each case is a whole-process
// `chainproof scan --offline` of one generated or committed model file, checked for its exact CPI findings
// (`rule:member`) and exit code, and printed with pass/fail, wall time, user+system CPU seconds and peak RSS.
// Reference, where a command-line decoder exists, measured on the same file: decompressing it to nothing (`xz -dc`,
// `bzip2 -dc`, node's zlib) — the floor for reading the stream at all.
// Inputs come from the suite's own generators (test/inspect/**), bundled with esbuild into a temp module.
// BENCH_STREAMS=joblib-zlib,member picks cases (by id prefix).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync, deflateSync } from 'node:zlib';
import { build } from 'esbuild';
import { CHAINPROOF, REPO, loadNote } from './lib/process.mjs';

const MiB = 1 << 20;
const GiB = 1 << 30;
const LARGE = path.join(REPO, 'fixtures', 'large-compressed');
const pick = process.env.BENCH_STREAMS?.split(',');

/** The suite's generators (TypeScript) as one ESM module in a temp folder. */
async function loadGenerators(work) {
  const out = path.join(work, 'generators.mjs');
  await build({
    stdin: {
      contents: [
        "export { compressedJoblib } from './test/inspect/content/compressed-joblib.ts';",
        "export { sparseZip } from './test/inspect/content/sparse-checkpoints.ts';",
        "export { npy, buildZip } from './test/inspect/containers/build.ts';",
      ].join('\n'),
      resolveDir: REPO,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'warning',
  });
  return import(pathToFileURL(out).href);
}

/** `builtins.eval('1')`, its result popped: hand-written pickle bytes, never loaded. */
const EVAL = Buffer.from('\x8c\x08builtins\x8c\x04eval\x93\x8c\x011\x85R0', 'latin1');

/** A pickle holding one `bytes` value of `n` zeros (BINBYTES8), payload after it (test/inspect/content/member-stream). */
function bigBytesPickle(n, evil) {
  const head = Buffer.alloc(11);
  head.write('\x80\x05\x8e', 0, 'latin1');
  head.writeBigUInt64LE(BigInt(n), 3);
  return Buffer.concat([head, Buffer.alloc(n), Buffer.from('0'), evil ? EVAL : Buffer.alloc(0), Buffer.from('N.')]);
}

const node = (script, file) => [process.execPath, '-e', script, file];
const INFLATE = `require('fs').createReadStream(process.argv[1]).pipe(require('zlib').createInflate()).resume()`;
const INFLATE_RAW_ZIP_MEMBER = undefined; // no decoder reads one zip member by itself from the command line

/** [id, what, make(dir, gen) → file name, expected `rule:member` CPI findings, reference argv(file) or undefined] */
const CASES = [
  [
    'joblib-zlib',
    'joblib.dump(compress=zlib) of 1.1 GiB of arrays (past the 1 GiB budget)',
    async (dir, gen) => {
      writeFileSync(path.join(dir, 'model.joblib'), await gen.compressedJoblib('zlib', 1.1 * GiB, false));
      return 'model.joblib';
    },
    [],
    (file) => node(INFLATE, file),
  ],
  ...['bz2', 'xz', 'lzma'].flatMap((codec) => {
    const member = codec === 'bz2' ? '<bzip2>' : `<${codec}>`;
    const ref =
      codec === 'bz2'
        ? (file) => ['bzip2', '-dc', file]
        : (file) => ['xz', ...(codec === 'lzma' ? ['--format=lzma'] : []), '-dc', file];
    return [false, true].map((evil) => [
      `joblib-${codec}${evil ? '-evil' : ''}`,
      `joblib.dump(compress=${codec}) of 256 MiB of arrays (past 192 MiB held in memory)${evil ? ', payload after' : ''}`,
      (dir) => {
        copyFileSync(
          path.join(LARGE, `zeros-256mib${evil ? '-then-evil' : ''}.${codec}.joblib`),
          path.join(dir, 'model.joblib'),
        );
        return 'model.joblib';
      },
      evil ? [`CPI001:${member}`] : [],
      ref,
    ]);
  }),
  ...[false, true].map((evil) => [
    `member-stream${evil ? '-evil' : ''}`,
    `torch zip, deflated data.pkl of 200 MiB (past 192 MiB held in memory)${evil ? ', payload after' : ''}`,
    (dir, gen) => {
      const pickle = bigBytesPickle(200 * MiB, evil);
      gen.sparseZip(path.join(dir, 'model.pt'), [
        { name: 'archive/data.pkl', method: 8, data: deflateRawSync(pickle, { level: 1 }), size: pickle.length },
        { name: 'archive/data/0', size: 100 * MiB },
        { name: 'archive/version', data: Buffer.from('3\n') },
      ]);
      return 'model.pt';
    },
    evil ? ['CPI001:archive/data.pkl'] : [],
    INFLATE_RAW_ZIP_MEMBER,
  ]),
  [
    'npz-zeros',
    'np.savez_compressed of 200 MiB of zeros (only the head is inflated)',
    (dir, gen) => {
      const n = 200 << 17;
      const data = gen.npy("'<f8'", `(${n},)`, Buffer.alloc(n * 8));
      writeFileSync(path.join(dir, 'arrays.npz'), gen.buildZip([{ name: 'z.npy', data, deflate: true }]));
      return 'arrays.npz';
    },
    [],
    undefined,
  ],
];

/** One process under /usr/bin/time: exit code, wall, user+system CPU and peak RSS. */
function measure(argv) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 << 20,
  });
  if (r.error) throw new Error(`/usr/bin/time is needed for peak RSS: ${r.error.message}`);
  const [wall, user, sys, kb] = (r.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  return { status: r.status, wall, cpu: user + sys, rss: kb / 1024, stderr: r.stderr };
}

const row = (name, m) =>
  `  ${name.padEnd(28)} wall ${m.wall.toFixed(2).padStart(6)} s  cpu ${m.cpu.toFixed(2).padStart(6)} s  peak ${m.rss.toFixed(0).padStart(5)} MiB`;

console.log(`real-size streams at the default limits, whole process; ${loadNote()}`);
const work = mkdtempSync(path.join(tmpdir(), 'chainproof-bench-streams-'));
let failed = 0;
try {
  const gen = await loadGenerators(work);
  for (const [id, what, make, want, reference] of CASES) {
    if (pick && !pick.some((p) => id.startsWith(p))) continue;
    const dir = path.join(work, id);
    mkdirSync(dir);
    try {
      const file = await make(dir, gen);
      const report = path.join(work, `${id}.json`);
      const ours = measure([
        ...CHAINPROOF,
        ...['scan', dir, '--offline', '--no-cache', '--no-refs', '--quiet', '--no-progress', '--fail-on', 'error'],
        ...['-f', 'json', '-o', report],
      ]);
      const exit = want.length > 0 ? 1 : 0;
      let got = [];
      try {
        got = JSON.parse(readFileSync(report, 'utf8'))
          .findings.filter((f) => f.ruleId.startsWith('CPI') && f.location.path === file)
          .map((f) => `${f.ruleId}:${f.location.member ?? ''}`);
      } catch {
        got = [`(no report; exit ${ours.status}: ${ours.stderr.slice(-300)})`];
      }
      const ok = ours.status === exit && JSON.stringify(got) === JSON.stringify(want);
      if (!ok) failed++;
      console.log(`${id}: ${what}`);
      console.log(
        row('chainproof scan', ours) +
          `  ${ok ? 'PASS' : 'FAIL'} (exit ${ours.status}, want ${exit}; CPI ${JSON.stringify(got)}, want ${JSON.stringify(want)})`,
      );
      if (reference) {
        const ref = measure(reference(path.join(dir, file)));
        console.log(
          row(`reference: ${path.basename(reference('')[0])} decode only`, ref) +
            `  ratio cpu ${(ours.cpu / ref.cpu).toFixed(2)}×`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failed > 0) {
  console.log(`${failed} case(s) FAILED`);
  process.exitCode = 1;
}
