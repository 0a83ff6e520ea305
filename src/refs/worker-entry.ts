import { existsSync } from 'node:fs';

/**
 * Where the refs worker's entry module is (worker.ts, bundled as `refs-worker.mjs` beside the CLI's entry by
 * scripts/bundle-cli.mjs), or undefined where there is none: run from TypeScript (vitest), from tsc's build/, or
 * from the Action's single-file bundle, the refs stage searches every file in the scan's thread. Light: the walk's
 * caller asks it. This module is bundled into the entry file or a chunk beside it (`chunks/`): both are looked at.
 *
 * `CHAINPROOF_TEST_REFS_IN_THREAD=1` (tests only): no worker, so a test can compare the two ways of searching on one
 * repository through the built binary. It changes where the work runs, never what it finds.
 */
export function refsWorkerEntry(): URL | undefined {
  if (process.env['CHAINPROOF_TEST_REFS_IN_THREAD'] === '1') return undefined;
  if (entry === null) {
    entry = undefined;
    for (const rel of ['./refs-worker.mjs', '../refs-worker.mjs']) {
      const url = new URL(rel, import.meta.url);
      if (url.protocol === 'file:' && existsSync(url)) {
        entry = url;
        break;
      }
    }
  }
  return entry;
}
let entry: URL | undefined | null = null;
