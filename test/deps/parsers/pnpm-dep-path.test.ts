import { describe, expect, it } from 'vitest';
import { pinnedPnpmTrustsDepPathOnly, readPnpmPin } from '../../../src/deps/parsers/pnpm-dep-path.js';

describe('readPnpmPin: the one reader of package.json packageManager for pnpm', () => {
  it.each([
    { value: 'pnpm@10.4.1+sha512.abc', want: { major: 10, version: '10.4.1' }, depPathOnly: false },
    { value: ' pnpm@10.34.2 ', want: { major: 10, version: '10.34.2' }, depPathOnly: true },
    { value: 'pnpm@11.5.3', want: { major: 11, version: '11.5.3' }, depPathOnly: true },
    { value: 'pnpm@11.5.2', want: { major: 11, version: '11.5.2' }, depPathOnly: false },
    // A major without a release: the major decides the settings read, but the release may predate the dep-path check.
    { value: 'pnpm@10.5', want: { major: 10, version: undefined }, depPathOnly: false },
    { value: 'pnpm@12.0.0', want: { major: 12, version: '12.0.0' }, depPathOnly: true },
    { value: 'yarn@4.1.0', want: undefined, depPathOnly: false },
    { value: 'pnpm@latest', want: undefined, depPathOnly: false },
    { value: 10, want: undefined, depPathOnly: false },
  ])('$value', ({ value, want, depPathOnly }) => {
    expect(readPnpmPin(value)).toEqual(want);
    expect(pinnedPnpmTrustsDepPathOnly(readPnpmPin(value))).toBe(depPathOnly);
  });
});
