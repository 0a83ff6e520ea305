#!/usr/bin/env node
// Source scanning, whole process (issue 15: "scanning source adds under 10 % to a scan of a repository with 5,000
// source files"). A realistic repository is generated at bench time (scripts/bench/lib/source-repo.mjs: 5,000
// Python/JS/TS files of real-world sizes, configs, a package-lock.json, requirements.txt, model files, a handful of
// model references), then `chainproof scan` runs with the refs stage on and with `--no-refs`, alternating, and the
// medians are compared. BENCH_RUNS sets measured runs (default 5); BENCH_SOURCE_FILES the number of source files.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSourceRepo } from './lib/source-repo.mjs';
import { CHAINPROOF, fmt, loadNote, sideBySide, timeOnce } from './lib/process.mjs';

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
  const r = sideBySide(base, [...base, '--no-refs'], { runs });
  const overhead = (r.ours / r.reference - 1) * 100;
  console.log(
    `  scan ${fmt(r.ours)}  scan --no-refs ${fmt(r.reference)}  refs add ${overhead.toFixed(1)} % ` +
      `(${found} references found; target < 10 %)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
