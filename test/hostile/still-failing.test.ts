import { describe, it } from 'vitest';

/**
 * Cases of #18 built through the CLI that still break a promise. Their fix lies in src/inspect/* (another
 * engineer's area this wave), so they are recorded here, precisely, instead of changed. Each was measured with
 * `/usr/bin/time node bin/chainproof.js scan <dir> --offline --no-cache` (figures in README.md); the exit code is
 * right in every one (the gate holds) — memory and time are not.
 */
describe('compressed archives are decompressed whole (src/inspect/containers/compression.ts decompress)', () => {
  // A gzip/zlib/zf pickle now streams into the pickle VM (content/streamed.ts, test/inspect/containers/streamed.test.ts);
  // a compressed archive is still inflated whole, within the file's 1 GiB decompression budget.
  it.todo(
    'bundle.tar.gz: a 1 GB zero member, then model.pkl with a payload → now CPI012 at the 192 MiB in-memory cap ' +
      '(exit 1, 1.6 s CPU, 269 MiB), but the payload is not found: walk the tar over the streamed gzip instead',
  );
});
