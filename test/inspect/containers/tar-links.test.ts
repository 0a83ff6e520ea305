import { describe, expect, it } from 'vitest';
import {
  hardLinkTargets,
  linkSteps,
  normPath,
  symlinksEscapingThroughOthers,
} from '../../../src/inspect/containers/tar-links.js';
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
    expect([...symlinksEscapingThroughOthers(members).escaping.keys()].map((e) => e.name)).toEqual(want);
  });

  it('is reported as an unsafe link of the tar (CPX025 from content.ts), once, not the member written through it', () => {
    const tar = readTar(
      buildTar([
        { name: 'x/y/d', type: '2', linkName: '../..' },
        { name: 'x/y/e', type: '2', linkName: 'd/..' },
        { name: 'x/y/e/pwned', data: Buffer.from('hi') },
      ]),
    );
    expect(tar.unsafeLinks).toEqual([
      {
        name: 'x/y/e',
        target: 'd/..',
        kind: 'symlink',
        chain: { via: [{ name: 'x/y/d', target: '../..' }], more: false },
      },
    ]);
    expect(tar.unsafeNames).toEqual([]);
  });
});

/**
 * A small hostile tar whose links chain through each other with deep targets: each step of the old walk joined the
 * whole path, and each hop walked the next link's target again, so this 130 KB file kept a scan busy for minutes.
 */
describe('following the symlinks of a hostile tar is bounded', () => {
  const deep = (n: number) => Array.from({ length: n }, () => 'd').join('/');
  const link = (name: string, linkName: string) => ({ name, type: '2', linkName });

  it('40 links each through the next with a 1,000-component target, and 5 links into them: resolved at once', () => {
    const chain = Array.from({ length: 40 }, (_, i) => link(`s${i}`, i < 39 ? `s${i + 1}/${deep(1000)}` : deep(1000)));
    const into = Array.from({ length: 5 }, (_, j) => link(`x${j}`, 's0/d'));
    const tar = readTar(buildTar([...chain, ...into]));
    expect(tar.problems).toEqual([]);
    expect(tar.unsafeLinks).toEqual([]);
  }, 10_000);

  it('a link that climbs out where 40 chained links land is found; through 41 links the OS gives up (ELOOP)', () => {
    // a/s0 -> s1 -> … -> a/s{n-1} -> .. lands on the root; `a/x -> s0/..` then climbs out through n links.
    const chainOf = (n: number) =>
      Array.from({ length: n }, (_, i) => link(`a/s${i}`, i < n - 1 ? `s${i + 1}` : '..')).concat(link('a/x', 's0/..'));
    const escaping = readTar(buildTar(chainOf(40))).unsafeLinks;
    expect(escaping.map((l) => l.name)).toEqual(['a/x']);
    // The first three links of the chain are named, and that it goes on.
    expect(escaping[0]?.chain).toEqual({
      via: [
        { name: 'a/s0', target: 's1' },
        { name: 'a/s1', target: 's2' },
        { name: 'a/s2', target: 's3' },
      ],
      more: true,
    });
    expect(readTar(buildTar(chainOf(41))).unsafeLinks).toEqual([]);
  });

  it('a link through a link that itself leaves through another names the chain in order', () => {
    // b -> a/.. leaves through a -> . (the root, then up); c -> b/x leaves through b, then a.
    const chain = readTar(buildTar([link('a', '.'), link('b', 'a/..'), link('c', 'b/x')])).unsafeLinks;
    expect(chain.map((l) => [l.name, l.chain])).toEqual([
      ['b', { via: [{ name: 'a', target: '.' }], more: false }],
      [
        'c',
        {
          via: [
            { name: 'b', target: 'a/..' },
            { name: 'a', target: '.' },
          ],
          more: false,
        },
      ],
    ]);
  });

  it('a chain of 12,000 links, each through the next, is followed without deep recursion (ELOOP past 40)', () => {
    const n = 12_000;
    const chain = Array.from({ length: n }, (_, i) => link(`s${i}`, i < n - 1 ? `s${i + 1}/x` : 'd'));
    const tar = readTar(buildTar(chain));
    expect(tar.problems).toEqual([]);
    expect(tar.unsafeLinks).toEqual([]);
  });

  it('past the step budget, says the links were not all followed (CPI013 from content.ts), never a silent pass', () => {
    const many = Array.from({ length: 50 }, (_, i) => link(`l${i}`, deep(1000)));
    const tar = readTar(buildTar([...many, link('z', 'l0/..')]), 100_000, linkSteps(10_000));
    expect(tar.problems).toEqual([
      'its symlinks were not all followed (more than 10000 path steps for the file): a link that leaves the extraction folder only through other links was not checked, here or in a tar read after it',
    ]);
  });

  it('within the budget the same tar is fully followed', () => {
    const many = Array.from({ length: 50 }, (_, i) => link(`l${i}`, deep(1000)));
    expect(readTar(buildTar([...many, link('z', 'l0/..')]), 100_000, linkSteps(200_000)).problems).toEqual([]);
  });
});
