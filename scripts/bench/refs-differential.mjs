#!/usr/bin/env node
// The source-scanning differentials at offline scale (issue 14): the suite tries 100 generated programs per property
// (test/refs/differential-runs.ts); this runs the same three properties (JavaScript and Python fast paths, the Python
// snippet reader, each against the whole-file parse) over REFS_DIFFERENTIAL_RUNS programs each, 28,000 by default,
// in one vitest process, and prints pass/fail with wall time, user+system CPU seconds and peak RSS.
// REFS_DIFFERENTIAL_RUNS=2000 npm run bench -- refs-differential for a quicker pass.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO, loadNote } from './lib/process.mjs';

const runs = process.env.REFS_DIFFERENTIAL_RUNS ?? '28000';
const FILES = [
  'test/refs/javascript-fast.test.ts',
  'test/refs/python-fast.test.ts',
  'test/refs/python-snippet.test.ts',
];

console.log(`refs differentials, ${runs} programs per property; ${loadNote()}`);
const r = spawnSync(
  '/usr/bin/time',
  ['-f', '%e %U %S %M', path.join(REPO, 'node_modules', '.bin', 'vitest'), 'run', ...FILES, '-t', 'generated programs'],
  {
    cwd: REPO,
    env: { ...process.env, REFS_DIFFERENTIAL_RUNS: runs, NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  },
);
if (r.error) throw new Error(`/usr/bin/time is needed for peak RSS: ${r.error.message}`);
const [wall, user, sys, kb] = (r.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
const tests = /Tests\s+(.*)/.exec(r.stdout)?.[1]?.trim() ?? '(no summary)';
const ok = r.status === 0;
console.log(
  `  3 properties × ${runs}  wall ${wall.toFixed(1)} s  cpu ${(user + sys).toFixed(1)} s  peak ${(kb / 1024).toFixed(0)} MiB  ${ok ? 'PASS' : 'FAIL'} (${tests})`,
);
if (!ok) {
  process.stdout.write(r.stdout.slice(-4000));
  process.exitCode = 1;
}
