import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that wait on the wall clock, not the CPU (the CLI held on a never-answering registry's default 10 s request
 * timeouts): run first, while typecheck, eslint and prettier (scripts/test.mjs) still keep both cores busy, so the
 * worker they hold costs no wall time. Last in the order they would leave one core idle at the end.
 */
const WAIT_FIRST = ['test/registry/deadline-cli.test.ts'];

/**
 * Files that start hundreds of child processes (git for every review, the Action's dist): next, while the workers'
 * heaps are small. A worker forks its whole address space for each child, and with isolate: false its heap grows to
 * 400-650 MB over the run; a fork from Node costs 2.4 ms of CPU at 170 MB, 3.7 ms at 550 MB and 25 ms at 1 GB of
 * touched buffers (measured here).
 */
const SPAWN_EARLY = ['test/app/review/', 'test/action/'];

class WaitFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const id = (f: TestSpecification) => f.moduleId.replaceAll('\\', '/');
    const rank = (f: TestSpecification) =>
      WAIT_FIRST.some((w) => id(f).endsWith(w)) ? 0 : SPAWN_EARLY.some((d) => id(f).includes(`/${d}`)) ? 1 : 2;
    // Array.prototype.sort is stable: the base order holds within each rank.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/fast-check-seed.ts', 'test/helpers/test-cache.ts'],
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
    sequence: { sequencer: WaitFirstSequencer },
  },
});
