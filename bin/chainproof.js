#!/usr/bin/env node
// The bundled CLI (scripts/bundle-cli.mjs, run by `npm run build`): one ESM entry whose commands load on demand.
import module from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';

// Node 22.1+ keeps V8's compiled code of the bundle between runs (module.enableCompileCache; Node 20 has none):
// most of start-up is compiling it. The cache goes in chainproof's own cache folder (src/app/cache-dir.ts), never
// in the scanned tree, and is skipped with --no-cache. It must be on before the bundle is imported.
if (typeof module.enableCompileCache === 'function' && !process.argv.includes('--no-cache')) {
  try {
    const base = process.env.CHAINPROOF_CACHE_DIR ?? path.join(homedir(), '.cache', 'chainproof');
    module.enableCompileCache(path.join(path.resolve(base), 'v8-compile'));
  } catch {
    // A cache that cannot be written costs speed, nothing else.
  }
}

const { main } = await import('../build/cli-bundle/chainproof.mjs');

// `chainproof rules | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
