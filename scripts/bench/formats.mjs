// Format analysers read through the scan's FileSource with awaited, windowed reads (issue #11). This prints what
// that I/O edge costs on a large GGUF header (20k tensor infos, 750k metadata array items, ~20 MB): CPU of the
// GGUF analyser on the file against the same parser over the bytes already in memory (the reference: parsing
// alone), alternating, medians of CPU milliseconds (user + system), and the opens and bytes the opener counted.
// Run `npx tsc -p tsconfig.build.json` first (npm run bench does). BENCH_RUNS sets the number of rounds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeLargeGguf } from './lib/gguf-file.mjs';
import { loadNote, median } from './lib/process.mjs';

const build = new URL('../../build/', import.meta.url);
const { ggufAnalyser, parseGguf } = await import(new URL('inspect/formats/gguf.js', build).href);
const { Findings, runParser } = await import(new URL('inspect/formats/report.js', build).href);
const { bufferSource } = await import(new URL('inspect/formats/source.js', build).href);
const { createFileOpener } = await import(new URL('io/file-source.js', build).href);

const runs = Number(process.env.BENCH_RUNS ?? 15);
const dir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-bench-formats-'));
const cpuMs = async (fn) => {
  const start = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

try {
  const abs = path.join(dir, 'large.gguf');
  const size = writeLargeGguf(abs);
  const file = { path: 'large.gguf', abs, size, dev: 0, ino: 0, mtimeMs: 0, ctimeMs: 0, format: 'gguf' };
  const bytes = readFileSync(abs);
  const inMemory = () => runParser(bufferSource(bytes), new Findings(file.path, 'gguf'), 'the GGUF file', parseGguf);
  const files = createFileOpener();
  const first = await ggufAnalyser.analyze(file, { files });
  if (first.status !== 'ok' || first.findings.length > 0 || inMemory().status !== 'ok')
    throw new Error(`the generated GGUF is not clean: ${JSON.stringify(first).slice(0, 300)}`);
  const { opens, bytesRead } = files.stats().byKind.plugins;
  const viaFile = [];
  const reference = [];
  for (let i = 0; i < runs; i++) {
    reference.push(await cpuMs(inMemory));
    viaFile.push(await cpuMs(() => ggufAnalyser.analyze(file, { files: createFileOpener() })));
  }
  const [ours, ref] = [median(viaFile), median(reference)];
  console.log(`GGUF analyser, ${(size / 1e6).toFixed(1)} MB file, ${runs} alternating rounds; ${loadNote()}`);
  console.log(`  through the FileSource (async windows)  cpu ${ours.toFixed(1).padStart(7)} ms (median)`);
  console.log(`  reference: same parser, bytes in memory cpu ${ref.toFixed(1).padStart(7)} ms (median)`);
  console.log(`  ratio ${(ours / ref).toFixed(2)}×; one analysis opened ${opens} file, read ${bytesRead} bytes`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
