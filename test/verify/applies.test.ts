import { describe, expect, it } from 'vitest';
import type { DiscoveredFile } from '../../src/core/files.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { signaturesApply } from '../../src/verify/stage/applies.js';
import { cosignFiles } from '../../src/verify/stage/cosign-names.js';

/** Scanned files by name only: signaturesApply and cosignFiles read nothing else. */
const files = (...paths: string[]) => paths.map((p) => ({ path: p, format: 'other' }) as unknown as DiscoveredFile);

// The pipeline asks before loading the stage, with a cheap look at the names first; the answer must be the one the
// full cosignFiles gives, for every name it reads (`.bundle`, `.sig`, the certificates `.pem`, `.crt`, `.cert`).
describe('signaturesApply: cosign files by name', () => {
  it.each([
    { paths: ['model.bin', 'model.bin.sig'], want: true },
    { paths: ['model.bin', 'model.bin.bundle'], want: true },
    { paths: ['model.bin', 'model.bin.pem'], want: false },
    { paths: ['model.bin', 'model.bin.crt', 'model.bin.cert'], want: false },
    { paths: ['model.bin.sig'], want: false },
    { paths: ['model.bin', 'other.sig'], want: false },
  ])('$paths → $want', ({ paths, want }) => {
    const input = { files: files(...paths) };
    expect(signaturesApply(input, DEFAULT_POLICY, [])).toBe(want);
    expect(signaturesApply(input, DEFAULT_POLICY, [], cosignFiles(input.files))).toBe(want);
  });
});
