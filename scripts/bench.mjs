#!/usr/bin/env node
// Runs every scripts/bench/*.mjs in turn (each prints its own table of ratios against a reference measured in
// the same run). `npm run bench -- hash` runs only the benches whose name contains "hash".
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench');
const filter = process.argv[2];
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs') && (!filter || f.includes(filter)))
  .sort();
let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(dir, b)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`(${b} exited ${r.status})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
