import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Scalar } from 'yaml';
import { parseLockfile } from '../../src/deps/index.js';
import { parsePnpmWorkspace } from '../../src/deps/parsers/pnpm-workspace.js';
import { depsStage } from '../../src/deps/stage.js';
import { LockfileError } from '../../src/deps/types.js';
import { scanWith } from '../helpers/scan.js';

/**
 * pnpm-lock.yaml is read in time linear in its size. `yaml`'s own duplicate-key check (`uniqueKeys`) compares each
 * key of a mapping with every earlier key: a 50k-package lockfile took 5.5 minutes (red-team rt2 item 4). The parser
 * turns it off and finds duplicate keys itself, as js-yaml (what pnpm reads with) refuses them.
 */

/** A pnpm 9 lockfile of `n` packages as pnpm writes it: importer dependencies, `packages`, `snapshots`. */
function pnpmLockOf(n: number): string {
  const importer: string[] = [];
  const packages: string[] = [];
  const snapshots: string[] = [];
  for (let i = 0; i < n; i++) {
    importer.push(`      pkg${i}:\n        specifier: 1.0.0\n        version: 1.0.0`);
    packages.push(`  pkg${i}@1.0.0:\n    resolution: {integrity: sha512-${String(i).padStart(86, 'A')}==}\n`);
    snapshots.push(`  pkg${i}@1.0.0: {}\n`);
  }
  return [
    "lockfileVersion: '9.0'\n",
    'importers:\n  .:\n    dependencies:',
    ...importer,
    '\npackages:\n',
    ...packages,
    'snapshots:\n',
    ...snapshots,
  ].join('\n');
}

/**
 * Reads of a YAML scalar's value while a lockfile is parsed: an operation count, not a time. The library's duplicate
 * check reads two per key comparison (quadratic); building the data and the parser's own checks read a few per node.
 * Scalar is the class the parser's `yaml` builds its nodes with; its constructor assigns `value`, so an accessor on
 * the prototype sees every read.
 */
function scalarReads(text: string): number {
  const store = Symbol('value');
  let reads = 0;
  Object.defineProperty(Scalar.prototype, 'value', {
    configurable: true,
    get(this: Record<symbol, unknown>) {
      reads++;
      return this[store];
    },
    set(this: Record<symbol, unknown>, v: unknown) {
      this[store] = v;
    },
  });
  try {
    const graph = parseLockfile('pnpm-lock.yaml', text);
    expect(graph.packages.length).toBeGreaterThan(0);
  } finally {
    delete (Scalar.prototype as unknown as Record<string, unknown>)['value'];
  }
  return reads;
}

function lockError(text: string): LockfileError {
  try {
    parseLockfile('pnpm-lock.yaml', text);
  } catch (err) {
    if (err instanceof LockfileError) return err;
    throw err;
  }
  throw new Error('parsed without error');
}

describe('pnpm-lock.yaml parsing is linear', () => {
  it('4× the packages costs at most ~4× the work (was ~16×: a quadratic duplicate-key check)', () => {
    const small = scalarReads(pnpmLockOf(1_000));
    const large = scalarReads(pnpmLockOf(4_000));
    expect(small).toBeGreaterThan(1_000);
    // Linear gives 4× (plus a constant); the quadratic check gave 15.9× here (48.1M reads against 3.0M).
    expect(large).toBeLessThan(5 * small);
  });
});

describe('a duplicate key is still refused, as js-yaml refuses it', () => {
  const V9 = "lockfileVersion: '9.0'\n";
  const entry = (key: string) => `  ${key}:\n    resolution: {integrity: sha512-x}\n`;
  it.each([
    { name: 'top-level section', text: `${V9}packages: {}\npackages: {}\n`, key: 'packages', line: 3 },
    {
      name: 'package entry',
      text: `${V9}packages:\n${entry('a@1.0.0')}${entry('b@1.0.0')}${entry('a@1.0.0')}`,
      key: 'a@1.0.0',
      line: 7,
    },
    {
      name: 'field of an entry',
      text: `${V9}packages:\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n    resolution: {integrity: sha512-y}\n`,
      key: 'resolution',
      line: 5,
    },
    {
      name: 'key of a flow map',
      text: `${V9}packages:\n  a@1.0.0:\n    resolution: {integrity: sha512-x, integrity: sha512-y}\n`,
      key: 'integrity',
      line: 4,
    },
    // js-yaml stores keys as strings, so 1 and '1' repeat; `yaml`'s check let the second one replace the first.
    { name: "1 and '1'", text: `${V9}packages:\n${entry('1')}${entry("'1'")}`, key: '1', line: 5 },
    {
      name: 'the first repeat in the file, at any depth',
      text: `${V9}packages:\n  a@1.0.0:\n    name: a\n    name: b\n  c@1.0.0: {}\n  c@1.0.0: {}\n`,
      key: 'name',
      line: 5,
    },
  ])('$name → LOCKFILE_SYNTAX naming the key at its line', ({ text, key, line }) => {
    const err = lockError(text);
    expect(err.code).toBe('LOCKFILE_SYNTAX');
    expect(err.line).toBe(line);
    expect(err.message).toContain(`duplicated mapping key ${JSON.stringify(key)}`);
  });

  it('a duplicate key in a 5,000-package lockfile is found at its line', () => {
    const text = `${pnpmLockOf(5_000)}  pkg7@1.0.0: {}\n`;
    const err = lockError(text);
    expect(err.code).toBe('LOCKFILE_SYNTAX');
    expect(err.line).toBe(text.split('\n').length - 1);
    expect(err.message).toContain('duplicated mapping key "pkg7@1.0.0"');
  });

  it('is a CPD001 finding through the deps stage', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-pnpm-dup-'));
    writeFileSync(path.join(dir, 'pnpm-lock.yaml'), `${V9}packages:\n${entry('1')}${entry("'1'")}`);
    const result = await scanWith(dir, [depsStage]);
    expect(result.findings.filter((f) => f.ruleId === 'CPD001').map((f) => [f.location.path, f.location.line])).toEqual(
      [['pnpm-lock.yaml', 5]],
    );
  });

  it('pnpm-workspace.yaml with a repeated key is not a map of settings (pnpm refuses it)', () => {
    const r = parsePnpmWorkspace("onlyBuiltDependencies: [a]\n'onlyBuiltDependencies': [b]\n");
    expect(r).toEqual({ error: 'not valid YAML: duplicated mapping key "onlyBuiltDependencies"' });
  });
});

describe('anchors and aliases are bounded', () => {
  // `yaml` resolves each alias by scanning every anchor and alias before it: 20,000 of each took 88 s in toJS.
  it('past 1,000 anchors and aliases the lockfile is refused (pnpm never writes them)', () => {
    const entries = Array.from(
      { length: 600 },
      (_, i) =>
        `  a${i}@1.0.0:\n    resolution: &r${i} {integrity: sha512-x}\n  b${i}@1.0.0:\n    resolution: *r${i}\n`,
    );
    const err = lockError(`lockfileVersion: '9.0'\npackages:\n${entries.join('')}`);
    expect(err.code).toBe('LOCKFILE_SHAPE');
    // The 1,001st is anchor 500, on the second of its pair's 4 lines (pairs start after the 2 header lines).
    expect(err.line).toBe(2 + 4 * 500 + 2);
  });

  it('an alias key stands for its anchored key', () => {
    const err = lockError("lockfileVersion: '9.0'\npackages:\n  &k a@1.0.0: {}\n  *k : {}\n");
    expect(err.message).toContain('duplicated mapping key "a@1.0.0"');
  });
});
