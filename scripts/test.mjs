#!/usr/bin/env node
// `npm test`: build, typecheck, lint and the vitest suite, with the independent ones at the same time.
//   build ─── vitest            (tests spawn the built CLI: the esbuild bundle, a few seconds)
//   rules doc check             (bundles src/core/rules itself)
//   typecheck + eslint          (one TypeScript program over src and test, fully type-checked, then handed to
//                                eslint's type-aware rules; tsc's emit into build/ is for `npm run build` and the
//                                benches, nothing in the suite reads it)
//   prettier                    (prettier --check with its cache)
// Each job's output is buffered and printed whole when it ends, vitest's last so its summary closes the log.
// Exits non-zero when any job fails, naming which; wall time per job is printed (the figure `npm test` is judged by),
// with its CPU seconds where Linux tells them (on a shared 2-core machine CPU is the figure that does not drift).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = (name) => path.join(REPO, 'node_modules', '.bin', name);
const PRETTIER_CACHE = path.join(REPO, 'node_modules', '.cache', 'prettier', 'check-cache.json');

/**
 * CPU seconds (user + system) of every child this process has reaped so far, their own children included:
 * cutime + cstime of /proc/self/stat, in clock ticks (100 a second on Linux). undefined elsewhere.
 */
function reapedChildCpu() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

// Each child's CPU is the growth of reapedChildCpu since the previous child was reaped (two children reaped in the
// same instant are both counted to the first: rare, and the total stays right).
let reapedSoFar = reapedChildCpu();
function cpuOfChildJustReaped() {
  const now = reapedChildCpu();
  const mine = now === undefined || reapedSoFar === undefined ? undefined : now - reapedSoFar;
  reapedSoFar = now;
  return mine;
}

/** Run one command; resolves to its exit code, combined output (stdout and stderr interleaved as written) and CPU. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO, env: process.env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let cpu;
    child.on('exit', () => (cpu = cpuOfChildJustReaped()));
    child.on('error', (err) => resolve({ code: 127, out: out + String(err) + '\n', cpu }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out, cpu }));
  });
}

/** A job is a list of steps run one after another; it stops at the first failing step. */
async function job(name, steps) {
  const start = performance.now();
  let out = '';
  let code = 0;
  let cpu = 0;
  for (const [cmd, ...args] of steps) {
    const r = await run(cmd, args);
    out += `$ ${[path.basename(cmd), ...args].join(' ')}\n${r.out}`;
    code = r.code;
    cpu = r.cpu === undefined || cpu === undefined ? undefined : cpu + r.cpu;
    if (code !== 0) break;
  }
  return { name, code, out, seconds: (performance.now() - start) / 1000, cpu };
}

/** `12.3 s` wall, plus `, 20.1 s CPU` where known. */
const timing = (r) => `${r.seconds.toFixed(1)} s${r.cpu === undefined ? '' : `, ${r.cpu.toFixed(1)} s CPU`}`;

function print(r) {
  process.stdout.write(`\n── ${r.name} (${timing(r)}, exit ${r.code}) ──\n${r.out}`);
}

const vitestArgs = process.argv.slice(2); // e.g. `npm test -- test/deps` narrows the vitest run
const wallStart = performance.now();

const built = job('build', [[process.execPath, 'scripts/bundle-cli.mjs']]);
const rulesDoc = job('rules doc', [[process.execPath, 'scripts/gen-rules-doc.mjs', '--check']]);
// One process type-checks (what `tsc --noEmit` reports) and then lints with that same TypeScript program, instead
// of tsc and eslint's type-aware rules each building and checking their own (scripts/typecheck-lint.mjs).
// The eslint cache keys on file content; a clean checkout (CI) has none and lints everything.
const typecheckLint = job('typecheck + eslint', [[process.execPath, 'scripts/typecheck-lint.mjs', '--cache']]);
// Prettier's cache likewise keys on content and options; only a rerun with unchanged files gains. A larger young
// generation: prettier's allocation-heavy printing spent about a tenth of its CPU in scavenges (22-23 s CPU → 20 s
// on a clean checkout, two runs each; the same flag did not help typecheck + eslint).
const prettier = job('prettier', [
  [
    process.execPath,
    '--max-semi-space-size=32',
    path.join(REPO, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
    '--check',
    '.',
    '--log-level',
    'warn',
    '--cache',
    '--cache-strategy',
    'content',
    '--cache-location',
    PRETTIER_CACHE,
  ],
]);
// The CLI run that waits on a never-answering registry with the default 10 s request timeouts is wall time, not CPU:
// vitest.config.ts's sequencer starts it first, while the jobs above still keep both cores busy. (It ran in a vitest
// process of its own before: ~5 s of CPU for a second vitest start-up and module graph.)
const afterBuild = built.then(async (b) =>
  b.code !== 0 ? [] : [await job('vitest', [[BIN('vitest'), 'run', ...vitestArgs]])],
);

// Print the quick jobs as they finish; vitest waits for last so its summary ends the output.
const printed = [built, rulesDoc, typecheckLint, prettier].map((p) => p.then((r) => (print(r), r)));
const results = [...(await Promise.all(printed)), ...(await afterBuild)];
for (const r of results) if (r.name.startsWith('vitest')) print(r);

const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
const wall = ((performance.now() - wallStart) / 1000).toFixed(1);
const cpuTotal = results.reduce((sum, r) => (sum === undefined || r.cpu === undefined ? undefined : sum + r.cpu), 0);
const times =
  results.map((r) => `${r.name} ${timing(r)}`).join('; ') +
  (cpuTotal === undefined ? '' : `; CPU in all ${cpuTotal.toFixed(1)} s`);
if (failed.length > 0) {
  process.stdout.write(`\nnpm test FAILED: ${failed.join(', ')} (wall ${wall} s; ${times})\n`);
  process.exitCode = 1;
} else process.stdout.write(`\nnpm test passed (wall ${wall} s; ${times})\n`);
