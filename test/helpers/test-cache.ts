import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The one cache folder of the test suite, under node_modules rather than the developer's `~/.cache/chainproof`: a
 * test that filled the real cache (digests, packuments from a registry or mirror that serves no signatures) changed
 * what the developer's next `--offline` scan reported, e.g. a CPD132 that the registry itself would not give.
 */
export const TEST_CACHE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../node_modules/.cache/chainproof-test',
);

// A setup file (vitest.config.ts): every in-process caller that falls back to the default cache folder
// (src/app/cache-dir.ts `defaultCacheDir`) — runScan, runReview, the Action given process.env — lands here, and each
// spawned CLI inherits it.
process.env['CHAINPROOF_CACHE_DIR'] = TEST_CACHE_DIR;
