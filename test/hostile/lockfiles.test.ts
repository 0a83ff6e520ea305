import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLockfile } from '../../src/deps/index.js';
import { depsStage } from '../../src/deps/stage.js';
import { LockfileError } from '../../src/deps/types.js';
import { scanWith } from '../helpers/scan.js';

const V1 = '# yarn lockfile v1\n\n';

function lockError(name: string, text: string): LockfileError {
  try {
    parseLockfile(name, text);
  } catch (err) {
    if (err instanceof LockfileError) return err;
    throw err;
  }
  throw new Error('parsed without error');
}

/** A yarn v1 entry as yarn writes it. */
const yarnEntry = (i: number) =>
  `"pkg-${i}@^1.0.0":\n  version "1.0.${i}"\n  resolved "https://registry.yarnpkg.com/pkg-${i}/-/pkg-${i}-1.0.${i}.tgz#${'a'.repeat(40)}"\n  integrity sha512-${'A'.repeat(86)}==\n  dependencies:\n    dep-${i} "^2.0.0"\n\n`;

describe('hostile yarn.lock v1', () => {
  it.each([
    // `]` ends the small texts so YAML, which yarn 1 falls back to, refuses them too and the grammar's error stands.
    { name: '20 bytes, no header', text: 'a@^1:\n  version "1\n]\n', code: 'LOCKFILE_SYNTAX', line: 2 },
    { name: '20 bytes after the header', text: `${V1}a@^1:\n  version "1\n]\n`, code: 'LOCKFILE_SYNTAX', line: 4 },
    { name: 'huge key without a colon', text: `${V1}${'a'.repeat(5_000_000)}\n`, code: 'LOCKFILE_SYNTAX', line: 3 },
    { name: 'huge unterminated string', text: `${V1}"${'a'.repeat(5_000_000)}\n`, code: 'LOCKFILE_SYNTAX', line: 3 },
    { name: 'entry that is a plain value', text: `${V1}"a@^1" true\n`, code: 'LOCKFILE_SHAPE', line: 3 },
    {
      name: 'entries pointing at each other',
      text: `${V1}"a@^1" "b@^1"\n"b@^1" "a@^1"\n`,
      code: 'LOCKFILE_SHAPE',
      line: 3,
    },
    {
      name: 'indent yarn stops reading at',
      text: `${V1}a@^1:\n  version "1.0.0"\n      hidden "x"\n${yarnEntry(1)}`,
      code: 'LOCKFILE_SYNTAX',
      line: 5,
    },
    { name: 'odd indentation', text: `${V1}a@^1:\n   version "1.0.0"\n]\n`, code: 'LOCKFILE_SYNTAX', line: 4 },
    {
      name: 'newer lockfile version',
      text: '# yarn lockfile v2\n\na@^1:\n  version "1"\n]\n',
      code: 'LOCKFILE_SYNTAX',
      line: 1,
    },
    {
      name: 'nesting past the depth cap',
      text: V1 + Array.from({ length: 100 }, (_, d) => `${'  '.repeat(d)}k${d}:\n`).join(''),
      code: 'LOCKFILE_SYNTAX',
      line: undefined,
    },
  ])('$name → $code', ({ text, code, line }) => {
    const err = lockError('yarn.lock', text);
    expect(err.code).toBe(code);
    if (line !== undefined) expect(err.line).toBe(line);
  });

  it('a 5 MB key parses as one entry at its line', () => {
    const key = `huge-${'k'.repeat(5_000_000)}@^1.0.0`;
    const parsed = parseLockfile('yarn.lock', `${V1}"${key}":\n  version "1.0.0"\n`);
    expect(parsed.packages.map((p) => [p.version, p.line])).toEqual([['1.0.0', 3]]);
  });

  // 10 MB here keeps the shared test run short; test/hostile/README.md records the 50 MB figures.
  it('10 MB of entries parse with every package and line', () => {
    const n = Math.ceil(10e6 / yarnEntry(0).length);
    const parts = [V1];
    for (let i = 0; i < n; i++) parts.push(yarnEntry(i));
    const parsed = parseLockfile('yarn.lock', parts.join(''));
    expect(parsed.packages).toHaveLength(n);
    expect(parsed.packages.at(-1)?.line).toBe(3 + (n - 1) * 7);
  }, 300_000);
});

describe('hostile pnpm-lock.yaml', () => {
  const bomb =
    "lockfileVersion: '9.0'\na: &a [x, x, x, x, x, x, x, x, x, x]\n" +
    Array.from({ length: 9 }, (_, i) => {
      const prev = i === 0 ? 'a' : `l${i - 1}`;
      return `l${i}: &l${i} [${Array(10).fill(`*${prev}`).join(', ')}]\n`;
    }).join('') +
    'packages:\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n';
  it.each([
    { name: 'alias bomb', text: bomb, code: 'LOCKFILE_SHAPE', line: 2 },
    { name: 'packages is a list', text: "lockfileVersion: '9.0'\npackages: [a, b]\n", code: 'LOCKFILE_SHAPE', line: 2 },
    { name: 'packages is a string', text: "lockfileVersion: '9.0'\npackages: lots\n", code: 'LOCKFILE_SHAPE', line: 2 },
    {
      name: 'snapshots is a number',
      text: "lockfileVersion: '9.0'\npackages: {}\nsnapshots: 3\n",
      code: 'LOCKFILE_SHAPE',
      line: 3,
    },
    {
      name: 'a package entry is a string',
      text: "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: yes\n",
      code: 'LOCKFILE_SHAPE',
      line: 3,
    },
    {
      name: 'lockfileVersion is a word',
      text: 'lockfileVersion: latest\npackages: {}\n',
      code: 'LOCKFILE_SHAPE',
      line: 1,
    },
    { name: 'importers is a list', text: "lockfileVersion: '9.0'\nimporters: [x]\n", code: 'LOCKFILE_SHAPE', line: 2 },
    {
      name: 'duplicate keys',
      text: "lockfileVersion: '9.0'\npackages: {}\npackages: {}\n",
      code: 'LOCKFILE_SYNTAX',
      line: 3,
    },
  ])('$name → $code at line $line', ({ text, code, line }) => {
    const err = lockError('pnpm-lock.yaml', text);
    expect(err.code).toBe(code);
    expect(err.line).toBe(line);
  });

  it('a few aliases, as js-yaml would read them, are fine', () => {
    const text =
      "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: &r {integrity: sha512-x}\n  b@1.0.0:\n    resolution: *r\n";
    expect(parseLockfile('pnpm-lock.yaml', text).packages.map((p) => p.integrity)).toEqual(['sha512-x', 'sha512-x']);
  });
});

describe('through the deps stage', () => {
  it.each([
    { name: 'yarn.lock', text: 'a@^1:\n  version "1\n]\n' },
    { name: 'pnpm-lock.yaml', text: "lockfileVersion: '9.0'\npackages: [a]\n" },
  ])('a hostile $name is a CPD001 finding naming the file', async ({ name, text }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-lock-'));
    writeFileSync(path.join(dir, name), text);
    const result = await scanWith(dir, [depsStage]);
    expect(result.complete).toBe(true);
    expect(result.findings.filter((f) => f.ruleId === 'CPD001').map((f) => f.location.path)).toEqual([name]);
  });

  // Past the ~125k arguments a push(...spread) takes: this threw a RangeError inside the stage before.
  it('a 130,000-package package-lock.json is parsed and counted', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-lock-'));
    // Unindented: the count is what overflowed, not the layout; npm's two-space indent made this 25 MB and its
    // writing and line-mapping cost ~2 s CPU more for the same 130,000 packages. The text is joined directly (what
    // JSON.stringify of the same object gives): building and stringifying 130,000 objects was ~0.9 s of the test.
    const integrity = `sha512-${'A'.repeat(86)}==`;
    const entries = Array.from(
      { length: 130_000 },
      (_, i) =>
        `"node_modules/p${i}":{"version":"1.0.0","resolved":"https://registry.npmjs.org/p${i}/-/p${i}-1.0.0.tgz","integrity":"${integrity}"}`,
    );
    const text = `{"lockfileVersion":3,"packages":{"":{"name":"root","version":"1.0.0"},${entries.join(',')}}}`;
    writeFileSync(path.join(dir, 'package-lock.json'), text);
    const result = await scanWith(dir, [depsStage]);
    expect(result.complete).toBe(true);
    expect(result.summary.packages).toBe(130_000);
  }, 300_000);
});

describe('many packages offline through the registry stage', () => {
  // Grouping these per lockfile was quadratic (a list copied per package): a 175k-entry yarn.lock ran for minutes.
  it('a 5,000-entry yarn.lock leaves one CPD137 with every package counted', async () => {
    const { registryStage } = await import('../../src/registry/stage.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-lock-'));
    const n = 5_000;
    const parts = [V1];
    for (let i = 0; i < n; i++) parts.push(yarnEntry(i));
    writeFileSync(path.join(dir, 'yarn.lock'), parts.join(''));
    const result = await scanWith(dir, [depsStage, registryStage]);
    expect(result.complete).toBe(true);
    expect(result.summary.packages).toBe(n);
    const unknown = result.findings.filter((f) => f.ruleId === 'CPD137');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.evidence?.['count']).toBe(n);
    expect(unknown[0]!.location.line).toBe(3);
  }, 300_000);
});

describe('dependency chains', () => {
  // Unbounded, every path held all its ancestors (100k chained packages: 5e9 names). The path-length assertion fails
  // on that at any depth past 34, and the walk is a loop, not recursion: 5,000 is as strong as 100k here.
  it('a 5,000-package chain keeps every package and bounded paths', () => {
    const n = 5_000;
    const parts = [V1];
    for (let i = 0; i < n; i++)
      parts.push(`"c${i}@1.0.0":\n  version "1.0.0"\n${i + 1 < n ? `  dependencies:\n    c${i + 1} "1.0.0"\n` : ''}\n`);
    const graph = parseLockfile('yarn.lock', parts.join(''));
    expect(graph.packages).toHaveLength(n);
    const last = graph.packages.find((p) => p.name === `c${n - 1}`)!;
    expect(last.path.slice(0, 2)).toEqual(['root', '…']);
    expect(last.path.at(-1)).toBe(`c${n - 1}`);
    expect(last.path.length).toBeLessThanOrEqual(34);
  }, 300_000);
});
