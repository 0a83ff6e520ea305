import { describe, expect, it } from 'vitest';
import { bunTrustedNameHash } from '../../../src/deps/parsers/bun-name-hash.js';

/**
 * The hashes Bun 1.4.5 wrote into bun.lockb's `trustedDependencies` section (tag `tRuStEDd`, a list of u32) for these
 * names in package.json's `trustedDependencies`: `bun install` with `saveTextLockfile = false` in bunfig.toml, over
 * one `file:` dependency. They cover every branch of WyhashStateless.final (tails of 1 to 31 bytes) and its 32-byte
 * rounds.
 */
describe("Bun's trustedDependencies name hash (Wyhash11, low 32 bits)", () => {
  it.each([
    { name: 'a', want: 0x85d0d6e0 },
    { name: 'abc', want: 0x1f94800d },
    { name: 'esbuild', want: 0x433d2310 },
    { name: 'ten-chars!', want: 0x97dbc14b },
    { name: 'message digest', want: 0x48ffbed5 },
    { name: 'name-of-nineteen-ch', want: 0xd8b2701f },
    { name: 'twenty-five-chars-name-xx', want: 0x06009174 },
    { name: '@some-scope/a-rather-long-package-name-for-hashing-rounds-xyz', want: 0xf7530b52 },
  ])('$name', ({ name, want }) => {
    expect(bunTrustedNameHash(name)).toBe(want);
  });
});
