// Whole-process timing shared by the benches that compare chainproof with another tool: each command runs as its
// own process, the two sides alternate (so load drifts hit both alike), and the median wall time is kept.
// A helper, not a bench: bench.mjs runs only the files directly in scripts/bench/.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The CLI as users run it: bin/ → the bundle (`npm run build` writes it). */
export const CHAINPROOF = [process.execPath, path.join(REPO, 'bin', 'chainproof.js')];

/** Run `argv` once; returns wall seconds. Throws when the exit code is not in `ok`. */
export function timeOnce(argv, { ok = [0], cwd = REPO, env } = {}) {
  const start = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 << 20,
  });
  const seconds = (performance.now() - start) / 1000;
  if (!ok.includes(r.status))
    throw new Error(`${argv.join(' ')} exited ${r.status}${r.error ? ` (${r.error.message})` : ''}: ${r.stderr}`);
  return seconds;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Median wall time of `ours` and of `reference`, run alternately `runs` times after one unmeasured warm-up each.
 * `before` (optional) runs before every measured `ours` run, e.g. to empty a cache for a cold run.
 */
export function sideBySide(ours, reference, { runs = 5, before, oursOpts, refOpts } = {}) {
  timeOnce(ours, oursOpts);
  timeOnce(reference, refOpts);
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    before?.();
    a.push(timeOnce(ours, oursOpts));
    b.push(timeOnce(reference, refOpts));
  }
  return { ours: median(a), reference: median(b) };
}

export const fmt = (s) => `${s.toFixed(3)} s`;
export const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

/** One line saying how busy the machine was: ratios measured side by side hold up under load, absolute times not. */
export function loadNote() {
  return `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`;
}
