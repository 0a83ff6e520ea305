#!/usr/bin/env node
// Lockfile checks, whole process: `chainproof scan` (offline, every offline dependency check on) of a folder holding
// one corpus lockfile, against `lockfile-lint` (dev dependency) on the same file with every check it has, measured
// alternately in the same run (issue 14: faster than lockfile-lint on every corpus lockfile). lockfile-lint reads npm
// and yarn lockfiles only; pnpm ones are listed without a reference. BENCH_RUNS sets measured runs (default 5).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { corpusPath } from './lib/corpora.mjs';
import { CHAINPROOF, fmt, loadNote, median, ratio, sideBySide, timeOnce } from './lib/process.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const only = process.env.BENCH_LOCKFILE; // a substring of the file name, to check one file quickly
const LINT = [process.execPath, createRequire(import.meta.url).resolve('lockfile-lint/bin/lockfile-lint.js')];
const dir = corpusPath('lockfiles');
const work = mkdtempSync(path.join(tmpdir(), 'chainproof-bench-lockfiles-'));

/** The name the package manager gives the file (chainproof picks its parser by name), and lockfile-lint's type. */
function kindOf(file) {
  if (file.endsWith('npm-shrinkwrap.json')) return { name: 'npm-shrinkwrap.json', type: 'npm' };
  if (file.endsWith('package-lock.json')) return { name: 'package-lock.json', type: 'npm' };
  if (file.endsWith('yarn.lock')) return { name: 'yarn.lock', type: 'yarn' };
  if (file.endsWith('pnpm-lock.yaml')) return { name: 'pnpm-lock.yaml', type: undefined };
  return undefined;
}

const files = readdirSync(dir)
  .filter((f) => kindOf(f) && (!only || f.includes(only)))
  .sort();
console.log(`lockfiles, whole process, median of ${runs} alternating runs; ${loadNote()}`);
const ratios = [];
try {
  for (const file of files) {
    const { name, type } = kindOf(file);
    const repo = path.join(work, file);
    mkdirSync(repo);
    copyFileSync(path.join(dir, file), path.join(repo, name));
    // Findings are expected in real lockfiles (exit 1); only crashes and usage errors are failures.
    const ours = [...CHAINPROOF, 'scan', repo, '--offline', '--quiet', '--no-cache', '--fail-on', 'none'];
    if (!type) {
      const t = median(Array.from({ length: runs }, () => timeOnce(ours)));
      console.log(`  ${file.padEnd(48)} chainproof ${fmt(t)}  (lockfile-lint reads no pnpm lockfile)`);
      continue;
    }
    const lint = [
      ...LINT,
      ...['--path', path.join(repo, name), '--type', type, '--format', 'plain'],
      ...['--validate-https', '--validate-package-names', '--validate-integrity', '--allowed-hosts', 'npm', 'yarn'],
    ];
    const r = sideBySide(ours, lint, { runs, refOpts: { ok: [0, 1] } });
    ratios.push(r.ours / r.reference);
    console.log(
      `  ${file.padEnd(48)} chainproof ${fmt(r.ours)}  lockfile-lint ${fmt(r.reference)}  ratio ${ratio(r.ours, r.reference)}`,
    );
  }
  if (ratios.length > 0)
    console.log(
      `  median ratio ${median(ratios).toFixed(2)}× (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×; target < 1.00× on every file)`,
    );
} finally {
  rmSync(work, { recursive: true, force: true });
}
