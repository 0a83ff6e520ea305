import { describe, expect, it } from 'vitest';
import { NodeModulesIndex } from '../../../src/deps/parsers/npm-common.js';

/** Node's search spelled out: `from/node_modules/name`, then each parent folder's, up to the root. */
function naive(keys: readonly string[], from: string, name: string): number | undefined {
  for (let loc = from; ; loc = loc.includes('/') ? loc.slice(0, loc.lastIndexOf('/')) : '') {
    const i = keys.indexOf(loc === '' ? `node_modules/${name}` : `${loc}/node_modules/${name}`);
    if (i >= 0) return i;
    if (loc === '') return undefined;
  }
}

const TREE = [
  'node_modules/a',
  'node_modules/b',
  'node_modules/a/node_modules/b',
  'node_modules/a/node_modules/b/node_modules/c',
  'node_modules/c',
  'node_modules/@s/d',
  'node_modules/a/node_modules/@s/d',
  'packages/ws',
  'packages/ws/node_modules/b',
];

const CASES: { name: string; keys: readonly string[]; from: string; dep: string; want: string | undefined }[] = [
  { name: 'root finds a top-level package', keys: TREE, from: '', dep: 'a', want: 'node_modules/a' },
  {
    name: 'nested copy wins over the top-level one',
    keys: TREE,
    from: 'node_modules/a',
    dep: 'b',
    want: 'node_modules/a/node_modules/b',
  },
  {
    name: 'a sibling without its own copy climbs to the root',
    keys: TREE,
    from: 'node_modules/b',
    dep: 'c',
    want: 'node_modules/c',
  },
  {
    name: 'two levels down climbs one level',
    keys: TREE,
    from: 'node_modules/a/node_modules/b/node_modules/c',
    dep: 'b',
    want: 'node_modules/a/node_modules/b',
  },
  {
    name: 'deepest nesting first',
    keys: TREE,
    from: 'node_modules/a/node_modules/b',
    dep: 'c',
    want: 'node_modules/a/node_modules/b/node_modules/c',
  },
  {
    name: 'scoped name nested',
    keys: TREE,
    from: 'node_modules/a',
    dep: '@s/d',
    want: 'node_modules/a/node_modules/@s/d',
  },
  { name: 'scoped name from the root', keys: TREE, from: 'node_modules/b', dep: '@s/d', want: 'node_modules/@s/d' },
  {
    name: 'workspace folder has its own copy',
    keys: TREE,
    from: 'packages/ws',
    dep: 'b',
    want: 'packages/ws/node_modules/b',
  },
  { name: 'workspace folder climbs to the root', keys: TREE, from: 'packages/ws', dep: 'a', want: 'node_modules/a' },
  { name: 'missing everywhere', keys: TREE, from: 'node_modules/a', dep: 'zz', want: undefined },
  {
    name: 'a flat lockfile (no nested folder at all)',
    keys: ['node_modules/a', 'node_modules/b'],
    from: 'node_modules/a',
    dep: 'b',
    want: 'node_modules/b',
  },
  // Attacker-controlled names: a "name" with node_modules in it resolves only where the plain string search would.
  {
    name: 'name spelling a nested path',
    keys: TREE,
    from: '',
    dep: 'a/node_modules/b',
    want: 'node_modules/a/node_modules/b',
  },
  {
    name: 'from a folder named node_modules',
    keys: ['node_modules/node_modules/x', 'node_modules/x'],
    from: 'node_modules/y',
    dep: 'x',
    want: 'node_modules/node_modules/x',
  },
  {
    name: 'empty name',
    keys: ['node_modules/', 'node_modules/a'],
    from: 'node_modules/a',
    dep: '',
    want: 'node_modules/',
  },
];

describe('NodeModulesIndex.resolve', () => {
  it.each(CASES)('$name', ({ keys, from, dep, want }) => {
    const got = new NodeModulesIndex(keys).resolve(from, dep);
    expect(got === undefined ? undefined : keys[got]).toBe(want);
    expect(got).toBe(naive(keys, from, dep));
  });
});
