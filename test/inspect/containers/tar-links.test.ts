import { describe, expect, it } from 'vitest';
import { hardLinkTargets, normPath, symlinksEscapingThroughOthers } from '../../../src/inspect/containers/tar-links.js';
import { readTar } from '../../../src/inspect/containers/tar.js';
import { buildTar } from '../../hostile/helpers/tar.js';

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

/**
 * Symlinks whose target reads as inside but leaves the folder once the symlinks extracted before them are followed.
 * Each row was extracted with python3 (3.11) `tarfile.extractall`, a member written through the last link:
 * `pwned` landed beside the extraction folder for the escaping rows, inside it for the others (in either order).
 */
describe('symlinksEscapingThroughOthers (where tarfile.extractall really makes the link point)', () => {
  const link = (name: string, linkName: string) => ({ name, type: '2', linkName });
  it.each([
    {
      case: 'e -> d/.. with d -> ../.. (the root)',
      members: [link('x/y/d', '../..'), link('x/y/e', 'd/..')],
      want: ['x/y/e'],
    },
    { case: 'u -> s/t/.. with s/t -> ..', members: [link('s/t', '..'), link('u', 's/t/..')], want: ['u'] },
    { case: 'e -> d/.. with d -> x/y (stays inside)', members: [link('d', 'x/y'), link('e', 'd/..')], want: [] },
    {
      case: 'u -> s/t/.. made before s/t -> .. (the OS follows links when the path is used)',
      members: [link('u', 's/t/..'), link('s/t', '..')],
      want: ['u'],
    },
    { case: 'a loop (ELOOP)', members: [link('a', 'b'), link('b', 'a'), link('c', 'a/x')], want: [] },
  ])('$case', ({ members, want }) => {
    expect([...symlinksEscapingThroughOthers(members)].map((e) => e.name)).toEqual(want);
  });

  it('is reported as an unsafe link of the tar (CPX025 from content.ts), once, not the member written through it', () => {
    const tar = readTar(
      buildTar([
        { name: 'x/y/d', type: '2', linkName: '../..' },
        { name: 'x/y/e', type: '2', linkName: 'd/..' },
        { name: 'x/y/e/pwned', data: Buffer.from('hi') },
      ]),
    );
    expect(tar.unsafeLinks).toEqual([{ name: 'x/y/e', target: 'd/..', kind: 'symlink' }]);
    expect(tar.unsafeNames).toEqual([]);
  });
});
