import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/fast-check-seed.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One worker process runs many files instead of a fresh process per file: importing src/ (sigstore, yargs, ajv…)
    // anew for every file was about half of the suite's CPU (test/verify: 38 s CPU isolated, 18 s not). Files that
    // change process-wide state undo it themselves (runMain restores cwd/env/stdout; blockNetwork returns a teardown).
    isolate: false,
    // vitest's default is cores - 1, i.e. ONE worker on the 2-core CI machine. Many files wait on loopback servers
    // (Verdaccio, the npm-endpoints server) and child processes rather than the CPU, so use every core.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
