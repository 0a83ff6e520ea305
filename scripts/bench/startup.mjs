#!/usr/bin/env node
// Start-up bench: `chainproof --version` and a scan of an empty folder, whole process, against `node -e 0` measured
// alternately in the same run (issue 14: --version within 0.05 s of node, an empty scan within 0.15 s).
// BENCH_RUNS sets the number of measured runs (default 11).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHAINPROOF, fmt, loadNote, ratio, sideBySide } from './lib/process.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 11);
const empty = mkdtempSync(path.join(tmpdir(), 'chainproof-bench-empty-'));
const node = [process.execPath, '-e', '0'];
try {
  console.log(`start-up, whole process, median of ${runs} alternating runs; ${loadNote()}`);
  const rows = [
    ['chainproof --version', [...CHAINPROOF, '--version'], 0.05],
    ['chainproof scan <empty> --offline', [...CHAINPROOF, 'scan', empty, '--offline', '--quiet', '--no-cache'], 0.15],
  ];
  for (const [name, argv, budget] of rows) {
    const r = sideBySide(argv, node, { runs });
    const over = r.ours - r.reference;
    console.log(
      `  ${name.padEnd(36)} ${fmt(r.ours)}  node -e 0 ${fmt(r.reference)}  ratio ${ratio(r.ours, r.reference)}  ` +
        `+${fmt(over)} (target +${budget.toFixed(2)} s: ${over <= budget ? 'met' : 'NOT met'})`,
    );
  }
} finally {
  rmSync(empty, { recursive: true, force: true });
}
