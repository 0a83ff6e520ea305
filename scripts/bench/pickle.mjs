// The pickle VM against CPython's own C unpickler on the same benign, opcode-heavy stream (issue #14): Debian's
// /usr/bin/python3 (not a pyenv python first on PATH) runs pickle.Unpickler with a find_class that admits only the
// stream's two harmless globals. The stream is what `pickle.dumps(records, protocol=4)` writes for a list of
// OrderedDict records (scripts/bench/lib/pickle-records.mjs; checked byte for byte against Python first), at
// 1 MB, 65 MB and 1 GB, generated in a temp dir. Each side runs alone in its own process, so each peak RSS is its
// own; times are CPU seconds (user + system), which a loaded machine disturbs less than wall time.
// Run `npx tsc -p tsconfig.build.json` first (npm run bench does).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RECORD_GLOBALS, RECORD_PY, writeRecordStream } from './lib/pickle-records.mjs';

const MB = 1e6;
const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
/** CPython's heap for this stream is ~13× the file: past this size the reference would not fit in memory. */
const CPYTHON_MAX = 200 * MB;
const SIZES = (process.env.PICKLE_BENCH_SIZES ?? '1,65,1000').split(',').map((s) => Number(s) * MB);

function child(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-bench-pickle-'));
const rows = [];
try {
  const python = existsSync(PYTHON);
  if (python) {
    // The generator must write what CPython's pickler writes, or the comparison means nothing.
    const small = path.join(dir, 'check.pkl');
    const { count } = writeRecordStream(small, 300_000);
    const py = `${RECORD_PY}\nimport pickle, sys\nsys.stdout.buffer.write(pickle.dumps([record(i) for i in range(${count})], protocol=4))`;
    if (!execFileSync(PYTHON, ['-c', py], { maxBuffer: 1 << 26 }).equals(readFileSync(small)))
      throw new Error('pickle-records.mjs no longer writes what pickle.dumps writes');
  } else console.log(`${PYTHON} is missing: CPython columns are left empty`);

  for (const target of SIZES) {
    const file = path.join(dir, `records-${target / MB}.pkl`);
    const { size } = writeRecordStream(file, target);
    const ours = child([process.execPath, '--expose-gc', path.join(here, 'lib/pickle-child.mjs'), file]);
    if (ours.rules.length !== 0) throw new Error(`expected a clean stream, got ${ours.rules.join(',')}`);
    if (ours.bytesRead !== size) throw new Error(`the I/O edge counted ${ours.bytesRead} of ${size} bytes`);
    const globals = RECORD_GLOBALS.map(([m, n]) => `${m}.${n}`);
    const ref =
      python && size <= CPYTHON_MAX
        ? child([PYTHON, path.join(here, 'lib/pickle-child.py'), file, ...globals])
        : undefined;
    rows.push({
      'size MB': (size / MB).toFixed(size < 10 * MB ? 1 : 0),
      'ours CPU s': ours.cpu.toFixed(2),
      'CPython CPU s': ref ? ref.cpu.toFixed(2) : '-',
      'ours/CPython time': ref ? (ours.cpu / ref.cpu).toFixed(2) : '-',
      'ours peak MiB': ours.peakMiB.toFixed(0),
      'CPython peak MiB': ref ? ref.peakMiB.toFixed(0) : '-',
      'ours peak/file': (ours.peakMiB / (size / 2 ** 20)).toFixed(2),
      'ours wall s': ours.wall.toFixed(2),
    });
    rmSync(file);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.table(rows);
console.log('time ratio < 1.00: the VM is faster than CPython unpickling the same file (CPU seconds).');
console.log(
  `peak MiB includes each runtime's own start-up (node ≈ 45 MiB); CPython is skipped past ${CPYTHON_MAX / MB} MB.`,
);
