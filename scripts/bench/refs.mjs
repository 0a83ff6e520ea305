#!/usr/bin/env node
// Source scanning, whole process (issue 15: "scanning source adds under 10 % to a scan of a repository with 5,000
// source files"). A realistic repository is generated at bench time (scripts/bench/lib/source-repo.mjs: 5,000
// Python/JS/TS files of real-world sizes, configs, a package-lock.json, requirements.txt, model files, a handful of
// model references), then `chainproof scan` runs with the refs stage on and with `--no-refs`, alternating.
// BENCH_RUNS sets measured pairs (default 5); when the pairs disagree widely (the machine is busy) more are run, up
// to BENCH_MAX_RUNS (default 3 × BENCH_RUNS). BENCH_SOURCE_FILES sets the number of source files.
// BENCH_INSTRUCTIONS=1 also counts the instructions of one scan and one --no-refs under valgrind's cachegrind
// (user space, every thread), as run and under `node --predictable`: two minutes more, and an answer that mostly
// repeats within a percent or two run to run (see below), where
// CPU time on a shared two-core machine swings by tens of percent within minutes. Instructions are not time (the
// kernel is not counted, and a SIMD loop does more per instruction), but a change that removes work shows there.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createSourceRepo } from './lib/source-repo.mjs';
import { CHAINPROOF, fmt, loadNote, median } from './lib/process.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const maxRuns = Number(process.env.BENCH_MAX_RUNS ?? 3 * runs);
const sourceFiles = Number(process.env.BENCH_SOURCE_FILES ?? 5000);
/** Pairs whose ratios spread wider than this (max − min, in points of percent) call for more pairs. */
const WIDE = 20;
const work = mkdtempSync(path.join(tmpdir(), 'chainproof-bench-refs-'));
try {
  const repo = path.join(work, 'repo');
  const c = createSourceRepo(repo, { sourceFiles });
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    `source scanning, whole process, alternating runs; ${loadNote()}\n` +
      `  repository: ${c.python} .py, ${c.javascript} .js, ${c.typescript} .ts/.tsx, ${c.config} configs, ` +
      `${c.models} model files, a lockfile; ${(c.bytes / 1e6).toFixed(1)} MB; ${c.references} model references\n` +
      `  source file sizes: median ${kb(c.sizes.median)}, p90 ${kb(c.sizes.p90)}, max ${kb(c.sizes.max)}; ` +
      `${c.mentions} of ${c.python + c.javascript + c.typescript} source files name a loader word; ` +
      `${c.torch} .py import torch; ${c.backslash} .js/.ts hold a backslash`,
  );
  // Findings are expected (unpinned references, unknown models): exit 1 is not a failure; --fail-on none makes it 0.
  const base = [
    ...CHAINPROOF,
    'scan',
    repo,
    '--offline',
    '--quiet',
    '--no-cache',
    '--no-progress',
    '--fail-on',
    'none',
  ];
  // The refs stage must really run and find the references, or the comparison measures nothing.
  const out = path.join(work, 'result.json');
  measure([...base, '-f', 'json', '-o', out]);
  const result = JSON.parse(readFileSync(out, 'utf8'));
  const found = (result.references ?? []).length;
  if (found !== c.references) throw new Error(`the refs stage found ${found} references, expected ${c.references}`);
  // CPU time (user + system of every thread, from a preload that prints process.resourceUsage() at exit) says what
  // the stage costs whatever else the machine runs; the main thread's share (where the refs stage runs) is printed
  // too, as the libuv and GC threads' time swings most under load. Wall time is what a user waits.
  const on = [];
  const off = [];
  measure(base);
  measure([...base, '--no-refs']);
  const pct = (a, b) => (a / b - 1) * 100;
  const spread = () => {
    const p = on.map((x, i) => pct(x.cpu, off[i].cpu));
    return Math.max(...p) - Math.min(...p);
  };
  while (on.length < runs || (on.length < maxRuns && spread() > WIDE)) {
    on.push(measure(base));
    off.push(measure([...base, '--no-refs']));
  }
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${fmt(median(s))} (min ${s[0].toFixed(3)}, max ${s[s.length - 1].toFixed(3)})`;
  };
  const line = (name, key) => {
    const a = on.map((x) => x[key]);
    const b = off.map((x) => x[key]);
    const pairs = a.map((x, i) => pct(x, b[i])).sort((x, y) => x - y);
    return (
      `  ${name} scan ${stats(a)}  --no-refs ${stats(b)}\n` +
      `  ${' '.repeat(name.length)} refs add ${pct(median(a), median(b)).toFixed(1)} % of medians; ` +
      `pairwise median ${median(pairs).toFixed(1)} % (min ${pairs[0].toFixed(1)}, max ${pairs[pairs.length - 1].toFixed(1)})`
    );
  };
  console.log(
    `  ${on.length} pairs; load average after ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n` +
      `${line('cpu: ', 'cpu')} (target < 10 %)\n${line('main:', 'main')}\n${line('wall:', 'wall')}\n` +
      `  peak RSS: scan ${median(on.map((x) => x.rss)).toFixed(0)} MiB, --no-refs ${median(off.map((x) => x.rss)).toFixed(0)} MiB\n` +
      `  ${found} references found`,
  );
  if (process.env.BENCH_INSTRUCTIONS === '1') {
    // --predictable: V8 compiles on the main thread, one GC thread, a fixed seed. Not the process as users run it;
    // its count mostly repeats within about 5 M of 4,400 M on an idle machine, where the other's swings by ±20 M,
    // but a run can land 40–90 M off (what V8 chose to compile twice; 542, 576 and 633 M of refs in three runs of
    // one session on a busy machine): compare two or three runs, and both counts.
    const steady = (argv) => [argv[0], '--predictable', ...argv.slice(1)];
    for (const [name, wrap] of [
      ['', (argv) => argv],
      [', node --predictable', steady],
    ]) {
      const [a, b] = await Promise.all([
        instructions(wrap(base), 'on'),
        instructions(wrap([...base, '--no-refs']), 'off'),
      ]);
      console.log(
        `  instructions (cachegrind${name}): scan ${(a / 1e6).toFixed(0)} M  --no-refs ${(b / 1e6).toFixed(0)} M  ` +
          `refs add ${((a - b) / 1e6).toFixed(0)} M, ${pct(a, b).toFixed(1)} %`,
      );
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** One whole-process run: wall seconds, CPU seconds (all threads; the main thread), peak RSS in MiB. */
function measure(argv) {
  // /proc/self/task/<pid>/stat fields 14 and 15: the main thread's user and system clock ticks (100 a second).
  const preload =
    `data:text/javascript,import{readFileSync}from'node:fs';process.on('exit',()=>{const u=process.cpuUsage();` +
    `let m=-1;try{const s=readFileSync('/proc/self/task/'+process.pid+'/stat','utf8');` +
    `const f=s.slice(s.lastIndexOf(')')+2).split(' ');m=(Number(f[11])+Number(f[12]))*1e4}catch{}` +
    `process.stderr.write('cpu-us '+(u.user+u.system)+' main-us '+m+' rss-kb '+process.resourceUsage().maxRSS+'\\n')})`;
  const start = performance.now();
  const r = spawnSync(argv[0], ['--import', preload, ...argv.slice(1)], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const wall = (performance.now() - start) / 1000;
  const m = /cpu-us (\d+) main-us (-?\d+) rss-kb (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: Number(m[1]) / 1e6, main: Number(m[2]) / 1e6, rss: Number(m[3]) / 1024 };
}

/** Instructions of one run under cachegrind (no cache simulation), all threads, user space. */
function instructions(argv, name) {
  const out = path.join(work, `cachegrind.${name}`);
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', ['--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}`, ...argv], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => reject(new Error(`BENCH_INSTRUCTIONS needs valgrind on PATH: ${e.message}`)));
    child.on('close', (code) => {
      const m = /I\s+refs:\s+([\d,]+)/.exec(err);
      if (code !== 0 || !m) reject(new Error(`valgrind ${argv.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      else resolve(Number(m[1].replaceAll(',', '')));
    });
  });
}
