#!/usr/bin/env node
// Source scanning, whole process (issue 15: "scanning source adds under 10 % to a scan of a repository with 5,000
// source files"). A realistic repository is generated at bench time (scripts/bench/lib/source-repo.mjs: 5,000
// Python/JS/TS files of real-world sizes, configs, a package-lock.json, requirements.txt, model files, a handful of
// model references), then `chainproof scan` runs with the refs stage on and with `--no-refs`, alternating, and the
// medians are compared. BENCH_RUNS sets measured runs (default 5); BENCH_SOURCE_FILES the number of source files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSourceRepo } from './lib/source-repo.mjs';
import { CHAINPROOF, fmt, loadNote, median, timeOnce } from './lib/process.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const sourceFiles = Number(process.env.BENCH_SOURCE_FILES ?? 5000);
const work = mkdtempSync(path.join(tmpdir(), 'chainproof-bench-refs-'));
try {
  const repo = path.join(work, 'repo');
  const c = createSourceRepo(repo, { sourceFiles });
  console.log(
    `source scanning, whole process, median of ${runs} alternating runs; ${loadNote()}\n` +
      `  repository: ${c.python} .py, ${c.javascript} .js, ${c.typescript} .ts/.tsx, ${c.config} configs, ` +
      `${c.models} model files, a lockfile; ${(c.bytes / 1e6).toFixed(1)} MB; ${c.references} model references`,
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
  timeOnce([...base, '-f', 'json', '-o', out]);
  const result = JSON.parse(readFileSync(out, 'utf8'));
  const found = (result.references ?? []).length;
  if (found !== c.references) throw new Error(`the refs stage found ${found} references, expected ${c.references}`);
  // Wall time is what the target is about; CPU time (every thread of the process, from a preload that
  // prints process.cpuUsage() at exit) says what the stage costs whatever else the machine is running.
  const on = [];
  const off = [];
  measure(base);
  measure([...base, '--no-refs']);
  for (let i = 0; i < runs; i++) {
    on.push(measure(base));
    off.push(measure([...base, '--no-refs']));
  }
  const wall = (xs) => median(xs.map((x) => x.wall));
  const cpu = (xs) => median(xs.map((x) => x.cpu));
  const pct = (a, b) => `${((a / b - 1) * 100).toFixed(1)} %`;
  console.log(
    `  wall: scan ${fmt(wall(on))}  scan --no-refs ${fmt(wall(off))}  refs add ${pct(wall(on), wall(off))} (target < 10 %)\n` +
      `  cpu:  scan ${fmt(cpu(on))}  scan --no-refs ${fmt(cpu(off))}  refs add ${pct(cpu(on), cpu(off))}\n` +
      `  ${found} references found`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** One whole-process run: wall seconds, and CPU seconds (user + system, all threads) reported by the child. */
function measure(argv) {
  const preload = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('cpu-us '+(u.user+u.system)+'\\n')})`;
  const start = performance.now();
  const r = spawnSync(argv[0], ['--import', preload, ...argv.slice(1)], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const wall = (performance.now() - start) / 1000;
  const m = /cpu-us (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: Number(m[1]) / 1e6 };
}
