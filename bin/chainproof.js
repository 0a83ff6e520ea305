#!/usr/bin/env node
// The bundled CLI (scripts/bundle-cli.mjs, run by `npm run build`): one ESM entry whose commands load on demand.
import module from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';

// Node 22.1+ keeps V8's compiled code of the bundle between runs (module.enableCompileCache; Node 20 has none):
// most of start-up is compiling it. The cache goes in chainproof's own cache folder (src/app/cache-dir.ts), never
// in the scanned tree, and is skipped with --no-cache. It must be on before the bundle is imported.
// Whoever can write that folder can run code in chainproof: V8 takes a code cache whose version, flags and source
// length match (SerializedCodeData::SanityCheck, with at most a checksum), Node one whose crc32s of the source and
// of the cache match (CompileCacheHandler): checks anyone can recompute, no signature. So the folder follows
// $CHAINPROOF_CACHE_DIR, set by the user, and not --cache-dir, which may name a folder in the repository scanned or
// one restored through actions/cache: the digests and registry answers kept there are checked, compiled code is not.
if (typeof module.enableCompileCache === 'function' && !process.argv.includes('--no-cache')) {
  try {
    const base = process.env.CHAINPROOF_CACHE_DIR ?? path.join(homedir(), '.cache', 'chainproof');
    module.enableCompileCache(path.join(path.resolve(base), 'v8-compile'));
  } catch {
    // A cache that cannot be written costs speed, nothing else.
  }
}

// Node 20's V8 (11.x, no Maglev tier) hands a function to TurboFan once it has run an "interrupt budget" of bytecode
// (67,584 bytes by default). A scan is a short process: most of what TurboFan compiled for it (on a second thread)
// ran a few times more and never paid the compile back. Four times the budget, measured on `scan` with Node 20: CPU
// -21 % and wall -10 % on a repository of three real lockfiles; instructions (all threads, cachegrind) -5 % on bench
// `refs`'s 5,000-file repository; -3.5 % CPU on a scan of fixtures/ (11 s); even on model files and the demo. Node
// 22+ (V8 12+) tiers through Maglev first, and a later TurboFan cost CPU there: left as it is. Set before the bundle
// loads, so every function of it gets the budget.
if (process.versions.v8.startsWith('11.')) {
  v8.setFlagsFromString('--interrupt-budget=270336');
  // Relaxed SIMD (a finished WebAssembly standard, on by default from V8 11.4) is behind a flag in Node 20's V8 11.3:
  // the refs pre-filter's scan (src/refs/needle-scan.ts `compile`) uses its swizzle where the runtime has it, and the
  // strict one where not. -27 M instructions on bench `refs`.
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

const { main } = await import('../build/cli-bundle/chainproof.mjs');

// `chainproof rules | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
