import { describe, expect, it } from 'vitest';
import { diffGraphs, type PackageChange } from '../../../src/app/review/diff.js';
import { judgeGate } from '../../../src/app/review/gate.js';
import type { DependencyGraph, PackageNode } from '../../../src/core/records.js';

/**
 * A routine `npm update` of the actions/checkout lockfile (522 → 531 packages, 242 changes) read badly: minimatch
 * 9.0.4 → 9.0.9 with a nested 5.1.6 dropped was reported as a major update 5.1.6 → 9.0.9 (versions of one name were
 * paired oldest-to-oldest), and the gate listed every minor update again, one reason each, capped at 50, so the
 * additions and the real major moves sat among a hundred lines that repeated the change list.
 */
const F = 'package-lock.json';

function node(name: string, version: string, line = 1): PackageNode {
  return {
    name,
    version,
    lockfile: F,
    line,
    dev: false,
    optional: false,
    peer: false,
    workspace: '',
    path: ['root', name],
    source: 'registry',
    key: `node_modules/${name}`,
  };
}

function graph(pkgs: readonly [string, string][], ecosystem?: 'pypi'): DependencyGraph {
  return {
    lockfile: F,
    kind: ecosystem === 'pypi' ? 'uv' : 'npm',
    ...(ecosystem ? { ecosystem } : {}),
    formatVersion: '3',
    packages: pkgs.map(([n, v], i) => node(n, v, i + 1)),
    importers: {},
  };
}

const rows = (changes: readonly PackageChange[]) =>
  changes.map((c) =>
    c.kind === 'added'
      ? `added ${c.name}@${c.head.version}`
      : c.kind === 'removed'
        ? `removed ${c.name}@${c.base.version}`
        : `${c.kind} ${c.name} ${c.base.version} → ${c.head.version} (${c.type})`,
  );

const diff = (base: [string, string][], head: [string, string][], ecosystem?: 'pypi') =>
  rows(diffGraphs([graph(base, ecosystem)], [graph(head, ecosystem)])[0]!.changes);

describe('review change set: several versions of one name', () => {
  it('pairs a new version with the gone one of its own release line', () => {
    expect(
      diff(
        [
          ['minimatch', '3.1.2'],
          ['minimatch', '5.1.6'],
          ['minimatch', '9.0.4'],
        ],
        [
          ['minimatch', '3.1.5'],
          ['minimatch', '9.0.9'],
        ],
      ),
    ).toEqual([
      'upgraded minimatch 3.1.2 → 3.1.5 (patch)',
      'upgraded minimatch 9.0.4 → 9.0.9 (patch)',
      'removed minimatch@5.1.6',
    ]);
    // Under 1.0 the minor is the line; PEP 440 orders by its own release numbers.
    expect(
      diff(
        [
          ['x', '0.1.0'],
          ['x', '0.2.0'],
        ],
        [['x', '0.2.3']],
      ),
    ).toEqual(['upgraded x 0.2.0 → 0.2.3 (patch)', 'removed x@0.1.0']);
    expect(
      diff(
        [
          ['numpy', '1.26.4'],
          ['numpy', '2.0.0'],
        ],
        [['numpy', '2.0.2']],
        'pypi',
      ),
    ).toEqual(['upgraded numpy 2.0.0 → 2.0.2 (patch)', 'removed numpy@1.26.4']);
  });

  it('still reports a real major move, and a new line beside the old one as an addition', () => {
    expect(diff([['a', '1.2.0']], [['a', '2.0.0']])).toEqual(['upgraded a 1.2.0 → 2.0.0 (major)']);
    expect(
      diff(
        [['a', '1.2.0']],
        [
          ['a', '1.2.1'],
          ['a', '2.0.0'],
        ],
      ),
    ).toEqual(['upgraded a 1.2.0 → 1.2.1 (patch)', 'added a@2.0.0']);
    expect(
      diff(
        [
          ['a', '1.2.0'],
          ['a', '3.0.0'],
        ],
        [['a', '2.0.0']],
      ),
    ).toEqual(['upgraded a 1.2.0 → 2.0.0 (major)', 'removed a@3.0.0']);
  });
});

describe('review gate on a routine update', () => {
  it('gives one reason per kind of move with its count, additions and majors before minor updates', () => {
    const base: [string, string][] = [['big', '1.0.0']];
    const head: [string, string][] = [['big', '2.0.0']];
    for (let i = 0; i < 120; i++) {
      base.push([`m${String(i).padStart(3, '0')}`, '1.0.0']);
      head.push([`m${String(i).padStart(3, '0')}`, '1.1.0']);
    }
    for (let i = 0; i < 7; i++) head.push([`new${i}`, '1.0.0']);
    const lockfiles = diffGraphs([graph(base)], [graph(head)]);
    const gate = judgeGate('patch', lockfiles, [], []);
    expect(gate.passed).toBe(false);
    expect(gate.reasons).toEqual([
      `${F}: adds 7 packages (new0@1.0.0, new1@1.0.0, new2@1.0.0, new3@1.0.0, new4@1.0.0, … and 2 more)`,
      `${F}: major update of big 1.0.0 → 2.0.0`,
      `${F}: 120 minor updates (m000 1.0.0 → 1.1.0, m001 1.0.0 → 1.1.0, m002 1.0.0 → 1.1.0, m003 1.0.0 → 1.1.0, m004 1.0.0 → 1.1.0, … and 115 more)`,
    ]);
    // The minor gate takes the minor updates; the others still fail it.
    expect(judgeGate('minor', lockfiles, [], []).reasons).toHaveLength(2);
  });
});
