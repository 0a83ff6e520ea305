import { runAction } from './run.js';

/** The Action's entry point (bundled to dist/index.js): run, then exit with the code fail-on decides. */
const code = await runAction({ env: process.env, write: (text) => void process.stdout.write(text) });
process.exitCode = code;
