#!/usr/bin/env node
// The bundled CLI (scripts/bundle-cli.mjs, run by `npm run build`): one ESM entry whose commands load on demand.
import { main } from '../build/cli-bundle/chainproof.mjs';

// `chainproof rules | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
