import { describe, expect, it } from 'vitest';
import { hardLinkTarget, normPath } from '../../../src/inspect/containers/tar-links.js';

describe('normPath (os.path.normpath, POSIX)', () => {
  // Each row checked against Debian python3: os.path.normpath(p).
  it.each([
    ['storages', 'storages'],
    ['./storages', 'storages'],
    ['a//b/./c', 'a/b/c'],
    ['x/../storages', 'storages'],
    ['../a/../b', '../b'],
    ['/../etc', '/etc'],
    ['a/..', '.'],
    ['', '.'],
  ])('%j → %j', (p, want) => expect(normPath(p)).toBe(want));
});

describe('hardLinkTarget (tarfile._find_link_target for a hard link)', () => {
  const entries = [
    { name: 'blob' },
    { name: './blob' },
    { name: 'storages', linkName: 'x/../blob' },
    { name: 'blob' },
    { name: 'tensors', linkName: 'missing' },
  ];
  it('takes the last member before the link with the same normalised name', () => {
    expect(hardLinkTarget(entries, 2)).toBe(entries[1]);
  });
  it('finds nothing for a target that is not an earlier member, nor for a member that is no link', () => {
    expect(hardLinkTarget(entries, 4)).toBeUndefined();
    expect(hardLinkTarget(entries, 0)).toBeUndefined();
  });
});
