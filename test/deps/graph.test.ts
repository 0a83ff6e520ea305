import { describe, expect, it } from 'vitest';
import { toDependencyGraph } from '../../src/deps/graph.js';
import { parseNpmPackages } from '../../src/deps/parsers/npm.js';
import { packageFinding } from '../../src/deps/checks/finding.js';
import type { DraftEdge, DraftNode, ParsedLockfile } from '../../src/deps/types.js';

const edge = (target: number): DraftEdge => ({ name: `p${target}`, spec: '^1.0.0', kind: 'prod', target });

/** `n` packages p0 → p1 → … → p(n-1), p0 a dependency of the importer at `importer`. */
function chain(n: number, importer = '', alias?: string): ParsedLockfile {
  const nodes: DraftNode[] = Array.from({ length: n }, (_, i) => ({
    name: `p${i}`,
    version: '1.0.0',
    key: `node_modules/p${i}`,
    line: i + 2,
    source: 'registry',
    edges: i + 1 < n ? [edge(i + 1)] : [],
    ...(alias !== undefined && i === 1 ? { alias } : {}),
  }));
  return {
    kind: 'npm',
    formatVersion: '3',
    nodes,
    importers: [{ path: importer, declared: { p0: '^1.0.0' }, edges: [edge(0)] }],
    resolveDeclared: () => undefined,
  };
}

const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `p${from + i}`);

describe('toDependencyGraph: the dependency path of each package', () => {
  it.each([
    { name: 'a direct dependency', parsed: chain(1), at: 0, want: ['root', 'p0'] },
    { name: 'three deep', parsed: chain(3), at: 2, want: ['root', 'p0', 'p1', 'p2'] },
    { name: 'in a workspace', parsed: chain(2, 'packages/a'), at: 1, want: ['packages/a', 'p0', 'p1'] },
    {
      name: 'an alias is the name the code imports',
      parsed: chain(3, '', 'b'),
      at: 2,
      want: ['root', 'p0', 'b', 'p2'],
    },
    { name: 'exactly 32 names', parsed: chain(32), at: 31, want: ['root', ...names(0, 32)] },
    {
      name: 'past 32 names, the nearest 32 and a gap',
      parsed: chain(40),
      at: 39,
      want: ['root', '…', ...names(8, 40)],
    },
    { name: 'unreachable: its own name', parsed: { ...chain(2), importers: [] }, at: 1, want: ['p1'] },
  ])('$name', ({ parsed, at, want }) => {
    const path = toDependencyGraph('package-lock.json', parsed).packages[at]!.path;
    expect(path).toEqual(want);
    expect(path.every((p) => typeof p === 'string')).toBe(true);
  });
});

describe('toDependencyGraph: an npm link and its folder', () => {
  /** package-lock.json as npm 11.19.1 writes it for `"<as>": "file:vendor/nat"` (a folder named nat). */
  const lockfile = (as: string) =>
    JSON.stringify({
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'app', version: '1.0.0', dependencies: { [as]: 'file:vendor/nat' } },
        [`node_modules/${as}`]: { resolved: 'vendor/nat', link: true },
        'vendor/nat': { name: 'nat', version: '1.0.0', hasInstallScript: true },
      },
    });
  const folderPath = (as: string) => {
    const text = lockfile(as);
    const graph = toDependencyGraph('package-lock.json', parseNpmPackages('package-lock.json', JSON.parse(text), text));
    return graph.packages.find((p) => p.key === 'vendor/nat')!.path;
  };

  it('names the package once: the link is the folder in node_modules', () => {
    expect(folderPath('nat')).toEqual(['root', 'nat']);
  });

  it('keeps a link of another name: the name the code imports', () => {
    expect(folderPath('native')).toEqual(['root', 'native', 'nat']);
  });
});

describe('a package no importer reaches, as a message says it', () => {
  it('names no chain: nothing the project declares depends on it', () => {
    const graph = toDependencyGraph('package-lock.json', { ...chain(2), importers: [] });
    const f = packageFinding('CPD012', graph.packages[1]!, 'runs install scripts', 'Review it.');
    expect(f.message).toBe(
      'p1@1.0.0 runs install scripts at package-lock.json:3 (nothing the project declares depends on it). Review it.',
    );
    // The evidence keeps the path as it was: it feeds the fingerprint.
    expect(f.evidence?.['dependencyPath']).toBe('p1');
  });
});
