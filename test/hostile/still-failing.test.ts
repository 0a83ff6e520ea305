import { describe, it } from 'vitest';

/**
 * Cases of #18 built through the CLI that still break a promise. Their fix lies in src/inspect/* (another
 * engineer's area this wave), so they are recorded here, precisely, instead of changed. Each was measured with
 * `/usr/bin/time node bin/chainproof.js scan <dir> --offline --no-cache` (figures in README.md); the exit code is
 * right in every one (the gate holds) — memory and time are not.
 */
describe('compressed streams are decompressed whole (src/inspect/containers/compression.ts decompress)', () => {
  // decompress() calls gunzipSync/inflateSync with maxOutputLength = min(maxEntrySize 8 GiB, 1000 × compressed):
  // the output buffer, not a budget, bounds memory, so peak RSS grows with the input (1000×), not with a budget.
  it.todo(
    'state.pkl.gz: payload + STOP then 600 MB of zeros (583 KB gzip) → CPI001, exit 1, but 1.2 GiB peak RSS, 9.8 s CPU; ' +
      'must stay under 512 MiB: stream the inflater into the pickle VM and skip zero runs without storing them',
  );
  it.todo(
    'model.joblib: a zlib stream of 2 GB of zeros (2 MB) → CPI012, exit 1, but 1.96 GiB peak RSS, 16 s CPU; ' +
      'the ratio limit must fire while streaming, before the output is allocated',
  );
  it.todo('weights.gz: gzip of a gzip of 2 GB of zeros → CPI012, exit 1, but 1.95 GiB peak RSS, 16.3 s CPU');
  it.todo(
    'bundle.tar.gz: a 1 GB zero member, then model.pkl with a payload → CPI001, exit 1, but 1.99 GiB peak RSS, ' +
      '15 s CPU: the tar is inflated whole before its members are walked (inspect/content/content.ts)',
  );
});

describe('zip members that share data are inflated once per entry (src/inspect/content/content.ts)', () => {
  it.todo(
    'model.npz: 20,000 central-directory entries sharing one deflated 1 MB member → CPI012, exit 1, but 8.3 s CPU ' +
      '(79 s wall under load): overlapping members should be refused when their data ranges overlap, before inflating',
  );
});
