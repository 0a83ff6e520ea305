#!/usr/bin/env node
// `npm test`: build, typecheck, lint and the vitest suite, with the independent ones at the same time.
//   build ─┬─ rules doc check
//          └─ vitest            (tests spawn the built CLI)
//   typecheck                   (tsc --noEmit, independent of the build)
//   lint                        (eslint with its cache, then prettier --check)
// Each job's output is buffered and printed whole when it ends, vitest's last so its summary closes the log.
// Exits non-zero when any job fails, naming which; wall time per job is printed (the figure `npm test` is judged by).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = (name) => path.join(REPO, 'node_modules', '.bin', name);
const ESLINT_CACHE = path.join(REPO, 'node_modules', '.cache', 'eslint', '');

/** Run one command; resolves to its exit code and combined output (stdout and stderr interleaved as written). */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO, env: process.env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (err) => resolve({ code: 127, out: out + String(err) + '\n' }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out }));
  });
}

/** A job is a list of steps run one after another; it stops at the first failing step. */
async function job(name, steps) {
  const start = performance.now();
  let out = '';
  let code = 0;
  for (const [cmd, ...args] of steps) {
    const r = await run(cmd, args);
    out += `$ ${[path.basename(cmd), ...args].join(' ')}\n${r.out}`;
    code = r.code;
    if (code !== 0) break;
  }
  return { name, code, out, seconds: (performance.now() - start) / 1000 };
}

function print(r) {
  process.stdout.write(`\n── ${r.name} (${r.seconds.toFixed(1)} s, exit ${r.code}) ──\n${r.out}`);
}

const vitestArgs = process.argv.slice(2); // e.g. `npm test -- test/deps` narrows the vitest run
const wallStart = performance.now();

const built = job('build', [
  [BIN('tsc'), '-p', 'tsconfig.build.json'],
  [process.execPath, 'scripts/bundle-cli.mjs'],
]);
const typecheck = job('typecheck', [[BIN('tsc'), '-p', 'tsconfig.json', '--noEmit']]);
const lint = job('lint', [
  // The cache keys on file content; a clean checkout (CI) has none and lints everything.
  [
    BIN('eslint'),
    '.',
    '--max-warnings',
    '0',
    '--cache',
    '--cache-strategy',
    'content',
    '--cache-location',
    ESLINT_CACHE,
  ],
  [BIN('prettier'), '--check', '.', '--log-level', 'warn'],
]);
const afterBuild = built.then(async (b) => {
  if (b.code !== 0) return [];
  return Promise.all([
    job('rules doc', [[process.execPath, 'scripts/gen-rules-doc.mjs', '--check']]),
    job('vitest', [[BIN('vitest'), 'run', ...vitestArgs]]),
  ]);
});

// Print the quick jobs as they finish; vitest waits for last so its summary ends the output.
const printed = [built, typecheck, lint].map((p) => p.then((r) => (print(r), r)));
const results = [...(await Promise.all(printed)), ...(await afterBuild)];
for (const r of results.filter((x) => x.name !== 'build' && x.name !== 'typecheck' && x.name !== 'lint'))
  if (r.name !== 'vitest') print(r);
const vitest = results.find((r) => r.name === 'vitest');
if (vitest) print(vitest);

const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
const wall = ((performance.now() - wallStart) / 1000).toFixed(1);
const times = results.map((r) => `${r.name} ${r.seconds.toFixed(1)} s`).join(', ');
if (failed.length > 0) {
  process.stdout.write(`\nnpm test FAILED: ${failed.join(', ')} (wall ${wall} s; ${times})\n`);
  process.exitCode = 1;
} else process.stdout.write(`\nnpm test passed (wall ${wall} s; ${times})\n`);
