#!/usr/bin/env node
// Very large inputs (issue 18): whole-process `chainproof scan --offline` of generated lockfiles, writing the JSON and
// SARIF reports, each printed with wall time, user+system CPU seconds and peak RSS (target: 10 s and 512 MiB).
// Reference, measured in the same run on the same file: a node process that reads and parses it and nothing else
// (JSON.parse for npm; for yarn.lock, splitting it into lines: berry's parseSyml overflows the stack on 50 MB) —
// the floor for reading it at all.
// BENCH_LARGE=npm,yarn picks cases; BENCH_LARGE_SCALE=0.1 shrinks them for a quick check.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { npmLock, yarnLock } from './lib/large-inputs.mjs';
import { CHAINPROOF, REPO, loadNote } from './lib/process.mjs';

const scale = Number(process.env.BENCH_LARGE_SCALE ?? 1);
const pick = process.env.BENCH_LARGE?.split(',');
const PARSE = {
  'package-lock.json': `JSON.parse(require('fs').readFileSync(f, 'utf8'))`,
  'yarn.lock': `require('fs').readFileSync(f, 'utf8').split('\\n')`,
};
const CASES = [
  ['npm', '130k-package package-lock.json', (d) => npmLock(d, Math.round(130_000 * scale))],
  ['yarn', '50 MB yarn.lock v1', (d) => yarnLock(d, 50e6 * scale)],
  [
    'findings',
    // Two findings of the package's own per package (CPD007 its own git repository, CPD012 install script). Causes
    // shared by a lockfile's packages are one grouped finding (deps/checks/systemic.ts: missing integrity, another
    // registry host), so they no longer flood.
    '300k findings (150k git dependencies, with install scripts)',
    (d) => npmLock(d, Math.round(150_000 * scale), { installScripts: true, git: true }),
  ],
];

/** One process under /usr/bin/time when present (peak RSS of the process itself), else a plain spawn. */
function measure(argv) {
  const timed = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (timed.error) throw new Error(`/usr/bin/time is needed for peak RSS: ${timed.error.message}`);
  const last = timed.stderr.trim().split('\n').at(-1) ?? '';
  const [wall, user, sys, kb] = last.split(' ').map(Number);
  if (timed.status !== 0 || kb === undefined || Number.isNaN(kb))
    throw new Error(`${argv.join(' ')} exited ${timed.status}: ${timed.stderr.slice(-2000)}`);
  return { wall, cpu: user + sys, rss: kb / 1024 };
}

/** How many findings the JSON report holds: the case must still be the flood it is named for. */
function findingCount(file) {
  return JSON.parse(readFileSync(file, 'utf8')).findings.length;
}

const row = (name, m) =>
  `  ${name.padEnd(34)} wall ${m.wall.toFixed(2).padStart(6)} s  cpu ${m.cpu.toFixed(2).padStart(6)} s  peak ${m.rss.toFixed(0).padStart(5)} MiB`;

console.log(`large inputs, whole process, scale ${scale}; ${loadNote()}`);
for (const [id, what, make] of CASES) {
  if (pick && !pick.includes(id)) continue;
  const dir = mkdtempSync(path.join(tmpdir(), `chainproof-bench-large-${id}-`));
  try {
    make(dir);
    const file = path.join(dir, readdirSync(dir)[0]);
    const out = mkdtempSync(path.join(tmpdir(), 'chainproof-bench-large-out-'));
    const ours = measure([
      ...CHAINPROOF,
      ...['scan', dir, '--offline', '--no-cache', '--quiet', '--no-progress', '--fail-on', 'none'],
      ...['-f', 'json', '-o', path.join(out, 'r.json'), '-f', 'sarif', '-o', path.join(out, 'r.sarif')],
    ]);
    const count = findingCount(path.join(out, 'r.json'));
    rmSync(out, { recursive: true, force: true });
    const ref = measure([process.execPath, '-e', `const f = ${JSON.stringify(file)}; ${PARSE[path.basename(file)]}`]);
    const ok = ours.wall <= 10 && ours.rss <= 512;
    console.log(`${id}: ${what}; ${count} findings`);
    console.log(row('chainproof scan (json + sarif)', ours) + `  ${ok ? 'within' : 'NOT within'} 10 s / 512 MiB`);
    console.log(row('reference: read + parse only', ref) + `  ratio cpu ${(ours.cpu / ref.cpu).toFixed(2)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
