import { describe, expect, it } from 'vitest';
import { hardLinkTargets, normPath } from '../../../src/inspect/containers/tar-links.js';

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

describe('hardLinkTargets (tarfile._find_link_target for each hard link)', () => {
  const entries = [
    { name: 'blob', type: '0' },
    { name: './blob', type: '0' },
    { name: 'storages', type: '1', linkName: 'x/../blob' },
    { name: 'blob', type: '0' },
    { name: 'tensors', type: '1', linkName: 'missing' },
    { name: 'sym', type: '2', linkName: 'blob' },
  ];
  const targets = hardLinkTargets(entries);
  it('takes the last member before the link with the same normalised name', () => {
    expect(targets.get(entries[2]!)).toBe(entries[1]);
  });
  it('finds nothing for a target that is not an earlier member, nor for a member that is no hard link', () => {
    expect([...targets.keys()]).toEqual([entries[2]]);
  });
});
