import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead } from './repo.js';
import { type Entry, manifest, npmLock, sri } from './npm-lock.js';
import { berryLock } from '../../helpers/lockfile-text.js';
import { berryEntry } from './alias-formats.js';

/**
 * npm installs by folder: a top-level `node_modules/js-yaml` that moves 4.2.0 → 3.14.1 while a nested js-yaml@3.14.1
 * stays under another dependant is a downgrade of what `require('js-yaml')` loads, though no name@version is new.
 * The review lists the move, and the patch gate fails on it (it listed "4.2.0 removed" and passed).
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const reg = (n: string, v: string, fill: number, extra: Entry = {}): Entry => ({
  version: v,
  resolved: `https://registry.npmjs.org/${n}/-/${n}-${v}.tgz`,
  integrity: sri(fill),
  ...extra,
});
const OLD = reg('x', '3.14.1', 3);
const NEW = reg('x', '4.2.0', 4);
const B = reg('b', '1.0.0', 5, { dependencies: { x: '^3.14.1' } });
const tree = (root: Record<string, string>, pkgs: Record<string, Entry>) => ({
  'package.json': manifest(root),
  'package-lock.json': npmLock(root, pkgs),
});

async function changes(base: Record<string, string>, head: Record<string, string>) {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  const r = await reviewHead(repo.dir, { gate: 'patch' });
  const rows = r.lockfiles.flatMap((lf) =>
    lf.changes.map((c) =>
      c.kind === 'added'
        ? `added ${c.name}@${c.head.version}`
        : c.kind === 'removed'
          ? `removed ${c.name}@${c.base.version}`
          : `${c.kind} ${c.name} ${c.base.version} → ${c.head.version} (${c.type})`,
    ),
  );
  return { rows, passed: r.gate?.passed };
}

describe('review: a version moved in its folder to one already locked elsewhere', () => {
  it('top-level x 4.2.0 → 3.14.1 beside a nested x@3.14.1: a major downgrade, the patch gate fails', async () => {
    const base = tree({ x: '^4.2.0', b: '^1.0.0' }, { 'b/node_modules/x': OLD, b: B, x: NEW });
    const head = tree({ x: '^3.14.1', b: '^1.0.0' }, { b: B, x: OLD });
    expect(await changes(base, head)).toEqual({ rows: ['downgraded x 4.2.0 → 3.14.1 (major)'], passed: false });
  });

  it('top-level x 3.14.1 → 4.2.0 beside a nested x@4.2.0: a major update, the patch gate fails', async () => {
    const b4 = reg('b', '1.0.0', 5, { dependencies: { x: '^4.2.0' } });
    const base = tree({ x: '^3.14.1', b: '^1.0.0' }, { 'b/node_modules/x': NEW, b: b4, x: OLD });
    const head = tree({ x: '^4.2.0', b: '^1.0.0' }, { b: b4, x: NEW });
    expect(await changes(base, head)).toEqual({ rows: ['upgraded x 3.14.1 → 4.2.0 (major)'], passed: false });
  });

  it('the nested copy dropped while the top-level x stays: a removal, the patch gate passes', async () => {
    const bNew = reg('b', '1.0.1', 6, { dependencies: { x: '^4.2.0' } });
    const base = tree({ x: '^4.2.0', b: '^1.0.0' }, { 'b/node_modules/x': OLD, b: B, x: NEW });
    const head = tree({ x: '^4.2.0', b: '^1.0.0' }, { b: bNew, x: NEW });
    expect(await changes(base, head)).toEqual({
      rows: ['upgraded b 1.0.0 → 1.0.1 (patch)', 'removed x@3.14.1'],
      passed: true,
    });
  });
});

describe('review: a yarn descriptor moved to a version another descriptor already locked', () => {
  it('x@npm:>=0.9.0 1.0.0 → merged into the x@npm:0.9.0 entry: a downgrade, the patch gate fails', async () => {
    const deps = { x: 'npm:>=0.9.0', y: 'npm:0.9.0' };
    const entry = (key: string, version: string, fill: number) => berryEntry(key, 'x', version, fill);
    const pj = manifest(deps);
    const base = {
      'package.json': pj,
      'yarn.lock': berryLock(deps, [...entry('x@npm:0.9.0', '0.9.0', 1), ...entry('x@npm:>=0.9.0', '1.0.0', 2)]),
    };
    const head = { 'package.json': pj, 'yarn.lock': berryLock(deps, entry('x@npm:0.9.0, x@npm:>=0.9.0', '0.9.0', 1)) };
    expect(await changes(base, head)).toEqual({ rows: ['downgraded x 1.0.0 → 0.9.0 (major)'], passed: false });
  });
});
