import { describe, expect, it } from 'vitest';
import { pep440Canonical, pep440String, releaseId, samePep440Version } from '../../src/core/package-key.js';

/**
 * Expected values are packaging 23.0's `canonicalize_version` (Debian's python3-packaging) on each input: the helper
 * must give exactly what pip's vendored packaging gives, or a key either splits one release or merges two.
 */
const PACKAGING: readonly [string, string][] = [
  ['1.16', '1.16'],
  ['1.16.0', '1.16'],
  ['1.0.0a1', '1a1'],
  ['1.0.0-alpha.1', '1a1'],
  ['1.0-ALPHA_1', '1a1'],
  ['1.0.post1', '1.post1'],
  ['1.0-1', '1.post1'],
  ['1.0.post', '1.post0'],
  ['1.0-r', '1.post0'],
  ['1.0rev2', '1.post2'],
  ['v1.0', '1'],
  ['V1.0', '1'],
  ['01.002.0', '1.2'],
  ['0!1.0', '1'],
  ['1!1.0', '1!1'],
  ['1!01.0.0', '1!1'],
  ['2.1.0+cpu', '2.1+cpu'],
  ['2.1.0+CPU', '2.1+cpu'],
  ['2.1.0+cu121.01', '2.1+cu121.1'],
  ['2.1.0+cu121-1', '2.1+cu121.1'],
  ['2.1.0+cu121_01', '2.1+cu121.1'],
  ['1.0.dev', '1.dev0'],
  ['1.0-dev-3', '1.dev3'],
  ['1.0c1', '1rc1'],
  ['1.0pre2', '1rc2'],
  ['1.0preview', '1rc0'],
  ['1.0rc', '1rc0'],
  ['1.0.0.0.0', '1'],
  ['0.0', '0'],
  ['0', '0'],
  [' 1.0 ', '1'],
  ['1.0a1.post2.dev3+ubuntu.1', '1a1.post2.dev3+ubuntu.1'],
  ['1.9007199254740993', '1.9007199254740993'],
  ['1.9007199254740992', '1.9007199254740992'],
  ['foo', 'foo'],
  ['1.0+', '1.0+'],
  ['1.0+a..b', '1.0+a..b'],
  ['1.0.', '1.0.'],
  ['.1', '.1'],
  ['1.0-', '1.0-'],
  ['1_0', '1_0'],
  ['1.0b', '1b0'],
  ['1.0a1-2', '1a1.post2'],
  ['1.0-a1-r3-dev4', '1a1.post3.dev4'],
];

/** `str(packaging.version.Version(v))`, undefined where packaging raises InvalidVersion. */
const VERSION_STR: readonly [string, string | undefined][] = [
  ['1.16', '1.16'],
  ['1.16.0', '1.16.0'],
  ['1.0.0a1', '1.0.0a1'],
  ['1.0.0-alpha.1', '1.0.0a1'],
  ['1.0-ALPHA_1', '1.0a1'],
  ['1.0.post1', '1.0.post1'],
  ['1.0-1', '1.0.post1'],
  ['1.0.post', '1.0.post0'],
  ['1.0-r', '1.0.post0'],
  ['1.0rev2', '1.0.post2'],
  ['v1.0', '1.0'],
  ['V1.0', '1.0'],
  ['01.002.0', '1.2.0'],
  ['0!1.0', '1.0'],
  ['1!1.0', '1!1.0'],
  ['1!01.0.0', '1!1.0.0'],
  ['2.1.0+cpu', '2.1.0+cpu'],
  ['2.1.0+CPU', '2.1.0+cpu'],
  ['2.1.0+cu121.01', '2.1.0+cu121.1'],
  ['2.1.0+cu121-1', '2.1.0+cu121.1'],
  ['2.1.0+cu121_01', '2.1.0+cu121.1'],
  ['1.0.dev', '1.0.dev0'],
  ['1.0-dev-3', '1.0.dev3'],
  ['1.0c1', '1.0rc1'],
  ['1.0pre2', '1.0rc2'],
  ['1.0preview', '1.0rc0'],
  ['1.0rc', '1.0rc0'],
  ['1.0.0.0.0', '1.0.0.0.0'],
  ['0.0', '0.0'],
  ['0', '0'],
  [' 1.0 ', '1.0'],
  ['1.0a1.post2.dev3+ubuntu.1', '1.0a1.post2.dev3+ubuntu.1'],
  ['1.9007199254740993', '1.9007199254740993'],
  ['1.9007199254740992', '1.9007199254740992'],
  ['foo', undefined],
  ['1.0+', undefined],
  ['1.0+a..b', undefined],
  ['1.0.', undefined],
  ['.1', undefined],
  ['1.0-', undefined],
  ['1_0', undefined],
  ['1.0b', '1.0b0'],
  ['1.0a1-2', '1.0a1.post2'],
  ['1.0-a1-r3-dev4', '1.0a1.post3.dev4'],
];

describe('pep440String follows str(packaging.version.Version)', () => {
  it.each(VERSION_STR)('%j → %j', (input, want) => {
    expect(pep440String(input)).toBe(want);
  });
});

describe('pep440Canonical follows packaging.utils.canonicalize_version', () => {
  it.each(PACKAGING)('%j → %j', (input, want) => {
    expect(pep440Canonical(input)).toBe(want);
  });

  it('tells apart what Version.__eq__ tells apart, local labels included', () => {
    expect(samePep440Version('2.1.0+cpu', '2.1.0')).toBe(false);
    expect(samePep440Version('2.1.0+cpu', '2.1+CPU')).toBe(true);
    expect(samePep440Version('1!1.0', '1.0')).toBe(false);
    expect(samePep440Version('1.0.post0', '1.0')).toBe(false);
    expect(samePep440Version('1.0rc0', '1.0')).toBe(false);
  });

  it('keys npm versions as written and PyPI releases by name and version as pip reads them', () => {
    expect(releaseId('npm', 'six', '1.16.0')).not.toBe(releaseId('npm', 'six', '1.16'));
    expect(releaseId('pypi', 'Six', '1.16.0')).toBe(releaseId('pypi', 'six', 'v1.16'));
  });
});
