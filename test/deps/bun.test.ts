import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockfileError, parseLockfile, parseLockfileDetailed } from '../../src/deps/index.js';
import { corpusPath } from '../helpers/corpus.js';
import { CASES, repoWith, scanDeps } from './helpers.js';

/** Package counts from the corpus INDEX.tsv ("291 packages", "1024 packages"), read independently of the parser. */
function indexCounts(): Map<string, number> {
  const rows = readFileSync(corpusPath('lockfiles', 'bun', 'INDEX.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const out = new Map<string, number>();
  for (const row of rows) {
    const [file, , , , , , packages] = row.split('\t');
    const n = /^(\d+) packages/.exec(packages ?? '');
    if (file?.endsWith('.bun.lock') && n) out.set(file, Number(n[1]));
  }
  return out;
}

/** The 1-based line of `    "key": [` in the text, found by plain search. */
function lineOfKey(text: string, key: string): number {
  const at = text.indexOf(`\n    ${JSON.stringify(key)}: [`);
  return text.slice(0, at + 1).split('\n').length;
}

describe('bun.lock: the real lockfiles in ../shared/corpora', () => {
  const counts = indexCounts();
  it('INDEX.tsv lists both lockfiles', () => {
    expect([...counts.keys()].sort()).toEqual(['elysiajs-elysia.bun.lock', 't3-oss-t3-env.bun.lock']);
  });

  it.each([...counts].map(([file, want]) => ({ file, want })))('$file has $want packages', ({ file, want }) => {
    const text = readFileSync(corpusPath('lockfiles', 'bun', file), 'utf8');
    const graph = parseLockfile('bun.lock', text);
    expect(graph.kind).toBe('bun');
    expect(graph.packages).toHaveLength(want);
    expect(graph.packages.filter((p) => p.source === 'workspace' || p.version === '')).toEqual([]);
    for (const p of graph.packages) expect(p.line, p.key).toBe(lineOfKey(text, p.key));
  });

  it('keeps the npm package elysia apart from the root project elysia, and reads parent/child keys', () => {
    const text = readFileSync(corpusPath('lockfiles', 'bun', 'elysiajs-elysia.bun.lock'), 'utf8');
    const graph = parseLockfile('bun.lock', text);
    expect(Object.keys(graph.importers)).toEqual(['']);
    expect(graph.packages.find((p) => p.key === 'elysia')).toMatchObject({ name: 'elysia', version: '1.4.16' });
    expect(graph.packages.find((p) => p.key === 'elysia/cookie')).toMatchObject({ name: 'cookie', version: '1.1.0' });
  });

  it('reads npm: aliases and workspaces of t3-env', () => {
    const text = readFileSync(corpusPath('lockfiles', 'bun', 't3-oss-t3-env.bun.lock'), 'utf8');
    const parsed = parseLockfileDetailed('bun.lock', text);
    expect(parsed.importers).toHaveLength(9);
    const graph = parseLockfile('bun.lock', text);
    expect(graph.packages.find((p) => p.key === 'string-width-cjs')).toMatchObject({
      name: 'string-width',
      version: '4.2.3',
      alias: 'string-width-cjs',
    });
    expect(graph.packages.find((p) => p.key === 'string-width-cjs/emoji-regex')).not.toHaveProperty('alias');
  });
});

describe('bun.lock nested past any real one', () => {
  it('is refused before parsing (LOCKFILE_SHAPE at line 1), not left to overflow the stack', () => {
    const n = 300_000;
    const text = `{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"x": ${'['.repeat(n)}${']'.repeat(n)}}}`;
    let err: unknown;
    try {
      parseLockfile('bun.lock', text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LockfileError);
    expect(err).toMatchObject({ code: 'LOCKFILE_SHAPE', line: 1, message: 'nests deeper than 1000 levels' });
  });
});

describe('bun.lock: hand-made cases (fixtures/lockfiles/cases)', () => {
  it.each([
    { dir: 'malformed.bun', code: 'LOCKFILE_SYNTAX', line: 14 },
    { dir: 'unknown-version.bun', code: 'LOCKFILE_UNSUPPORTED', line: 2 },
  ])('$dir throws $code at line $line', ({ dir, code, line }) => {
    const text = readFileSync(path.join(CASES, dir, 'bun.lock'), 'utf8');
    let err: unknown;
    try {
      parseLockfile(`${dir}/bun.lock`, text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LockfileError);
    expect(err).toMatchObject({ code, line });
  });

  it.each([
    { dir: 'malformed.bun', want: ['CPD001:bun.lock:14'] },
    { dir: 'unknown-version.bun', want: ['CPD001:bun.lock:2'] },
    {
      dir: 'sources.bun',
      // git at 23; a tarball URL at 25 (one rule, CPD008, whose level the policy's sources decide); a registry
      // package with no integrity at 29; the workspace project and the npm: alias are clean
      want: ['CPD002:bun.lock:29', 'CPD007:bun.lock:23', 'CPD008:bun.lock:25'],
    },
  ])('the dependency rules apply through the shared graph: $dir', async ({ dir, want }) => {
    const r = await scanDeps(path.join(CASES, dir));
    const got = r.findings.map((f) => `${f.ruleId}:${f.location.path}:${f.location.line ?? ''}`).sort();
    expect(got).toEqual(want);
  });
});

describe('bun.lock: whose lifecycle scripts Bun runs (Lockfile.hasTrustedDependency)', () => {
  const SHA = `sha512-${'A'.repeat(86)}==`;
  const lock = (extra: string) =>
    `{\n  "lockfileVersion": 1,\n  "workspaces": { "": { "name": "app", "dependencies": { "a": "1.0.0", "b": "1.0.0", "esbuild": "0.25.0" } } },${extra}\n  "packages": {\n    "a": ["a@1.0.0", "", {}, "${SHA}"],\n    "b": ["b@1.0.0", "", {}, "${SHA}"],\n    "esbuild": ["esbuild@0.25.0", "", {}, "${SHA}"],\n    "g": ["g@github:x/g#0123456", {}, "x-g-0123456"],\n  },\n}\n`;
  const disabled = (text: string, manifest?: Record<string, unknown>) =>
    Object.fromEntries(
      parseLockfile('bun.lock', text, manifest ? { manifests: { '': manifest } } : {}).packages.map((p) => [
        p.name,
        p.buildDisabled ?? null,
      ]),
    );
  it.each([
    {
      name: 'no trustedDependencies: only packages on Bun’s built-in list run scripts (git `g` is not on it)',
      extra: '',
      want: { a: 'bunDefaultTrusted', b: 'bunDefaultTrusted', esbuild: null, g: 'bunDefaultTrusted' },
    },
    {
      name: 'package.json trustedDependencies: only the listed packages run scripts, whatever their source',
      extra: '',
      manifest: { trustedDependencies: ['a', 'g'] },
      want: { a: null, b: 'trustedDependencies', esbuild: 'trustedDependencies', g: null },
    },
    {
      name: 'trustedDependencies: [] trusts nothing',
      extra: '',
      manifest: { trustedDependencies: [] },
      want: {
        a: 'trustedDependencies',
        b: 'trustedDependencies',
        esbuild: 'trustedDependencies',
        g: 'trustedDependencies',
      },
    },
    {
      name: 'without package.json, the list bun.lock repeats',
      extra: '\n  "trustedDependencies": ["b"],',
      want: { a: 'trustedDependencies', b: null, esbuild: 'trustedDependencies', g: 'trustedDependencies' },
    },
  ])('$name', ({ extra, manifest, want }) => {
    expect(disabled(lock(extra), manifest)).toEqual(want);
  });

  // The installers ask with the dependency's name (`dep.name`, the alias), so a package installed under a trusted
  // name runs its scripts whatever it is.
  const aliased = (extra: string) =>
    `{\n  "lockfileVersion": 1,\n  "workspaces": { "": { "name": "app", "dependencies": { "esbuild": "npm:evil@1.0.0", "a": "npm:worse@1.0.0" } } },${extra}\n  "packages": {\n    "a": ["worse@1.0.0", "", {}, "${SHA}"],\n    "esbuild": ["evil@1.0.0", "", {}, "${SHA}"],\n  },\n}\n`;
  // Bun 1.2 keeps the list as 32-bit name hashes (Lockfile.hasTrustedDependency): `cp-pez7ntcaa` hashes like
  // `esbuild`, and with `trustedDependencies: ["esbuild"]` Bun 1.2.0 ran its postinstall (and not its neighbour's).
  it('a package whose name hashes like a listed one is trusted, as Bun 1.2 trusts it', () => {
    const colliding = `{\n  "lockfileVersion": 1,\n  "workspaces": { "": { "name": "app", "dependencies": { "cp-pez7ntcaa": "1.0.0", "cp-pez7ntcab": "1.0.0" } } },\n  "packages": {\n    "cp-pez7ntcaa": ["cp-pez7ntcaa@1.0.0", "", {}, "${SHA}"],\n    "cp-pez7ntcab": ["cp-pez7ntcab@1.0.0", "", {}, "${SHA}"],\n  },\n}\n`;
    expect(disabled(colliding, { trustedDependencies: ['esbuild'] })).toEqual({
      'cp-pez7ntcaa': null,
      'cp-pez7ntcab': 'trustedDependencies',
    });
  });

  it.each([
    { name: 'an alias on the built-in list', extra: '', want: { evil: null, worse: 'bunDefaultTrusted' } },
    {
      name: 'an alias trustedDependencies lists',
      extra: '\n  "trustedDependencies": ["a"],',
      want: { evil: 'trustedDependencies', worse: null },
    },
  ])('a package installed under a trusted alias runs its scripts: $name', ({ extra, want }) => {
    expect(disabled(aliased(extra))).toEqual(want);
  });
});

// A `file:` folder's lifecycle scripts run when Bun trusts it: measured with Bun 1.2.0 and 1.4.5 (a trusted folder's
// postinstall ran, an untrusted one's was blocked). Bun 1.4.5 records `hasInstallScript` in the entry, 1.2.0 nothing,
// so the folder's own package.json says it. These are the lockfiles those two Bun versions wrote.
describe('bun.lock: install scripts of file: folders', () => {
  const folder = (name: string, scripts: Record<string, string>) => JSON.stringify({ name, version: '1.0.0', scripts });
  const manifest = JSON.stringify({
    name: 'app',
    private: true,
    dependencies: { good: 'file:./vendor/good', other: 'file:./vendor/other', plain: 'file:./vendor/plain' },
    trustedDependencies: ['good', 'plain'],
  });
  const lock = (version: number, info: string) =>
    `{\n  "lockfileVersion": ${version},\n  "workspaces": {\n    "": {\n      "name": "app",\n      "dependencies": {\n        "good": "file:./vendor/good",\n        "other": "file:./vendor/other",\n        "plain": "file:./vendor/plain",\n      },\n    },\n  },\n  "trustedDependencies": [\n    "good",\n    "plain",\n  ],\n  "packages": {\n    "good": ["good@file:vendor/good", ${info}],\n\n    "other": ["other@file:vendor/other", ${info}],\n\n    "plain": ["plain@file:vendor/plain", {}],\n  }\n}\n`;
  const scripts = async (bunLock: string, bom = '', more: Record<string, string> = {}) => {
    const dir = await repoWith({
      'package.json': manifest,
      'bun.lock': bunLock,
      'vendor/good/package.json': bom + folder('good', { postinstall: 'node hook.js' }),
      'vendor/other/package.json': folder('other', { preinstall: 'node hook.js' }),
      'vendor/plain/package.json': folder('plain', { test: 'node test.js' }),
      ...more,
    });
    const r = await scanDeps(dir);
    return r.findings.filter((f) => f.ruleId === 'CPD012').map((f) => `${f.location.line} ${f.message}`);
  };

  it('Bun 1.2.0 records nothing: the trusted folder package.json postinstall is CPD012', async () => {
    expect(await scripts(lock(1, '{}'))).toEqual([
      "18 good runs install scripts (postinstall) from its folder's vendor/good/package.json and is not on the allowlist at bun.lock:18 (pulled in by root > good). Review the scripts in the folder; add the package to dependencies.allowInstallScripts if they are needed, or install with --ignore-scripts.",
    ]);
  });

  // Read as every package.json of the scan is (read.ts `toLoadedManifest`, which drops a byte order mark as npm's
  // json-parse-even-better-errors does): its scripts are checked, not left as a file that could not be read.
  it('a folder package.json starting with a byte order mark is read: its postinstall is CPD012', async () => {
    expect(await scripts(lock(1, '{}'), '\uFEFF')).toEqual([
      expect.stringMatching(/^18 good runs install scripts \(postinstall\)/),
    ]);
  });

  // Measured with Bun 1.4.5 under --frozen-lockfile on an entry without hasInstallScript (`Package.Scripts.getList`):
  // a trusted folder with only a binding.gyp ran `node-gyp rebuild`, one with a postinstall ran both; an untrusted
  // one ran nothing.
  it('a trusted folder with a binding.gyp and no install or preinstall builds it with node-gyp', async () => {
    const gyp = '{ "targets": [] }';
    const got = await scripts(lock(1, '{}'), '', {
      'vendor/good/binding.gyp': gyp,
      'vendor/other/binding.gyp': gyp,
      'vendor/plain/binding.gyp': gyp,
    });
    expect(got.map((m) => m.slice(0, m.indexOf(' from its folder')))).toEqual([
      '18 good runs install scripts (postinstall, install: node-gyp rebuild for its binding.gyp)',
      '22 plain runs install scripts (install: node-gyp rebuild for its binding.gyp)',
    ]);
  });

  it('Bun 1.4.5 records hasInstallScript: the trusted folder is CPD012, the untrusted one not', async () => {
    const got = await scripts(lock(2, '{ "hasInstallScript": true }'));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(/^18 good runs install scripts and is not on the allowlist/);
  });
});

// Bun 1.4.5 (lockfileVersion 2) writes `hasInstallScript` on a registry package's entry: this is the entry it wrote
// for esbuild 0.28.2 (on Bun's built-in trusted list, so its postinstall runs), trimmed to one optional dependency.
describe('bun.lock: hasInstallScript on a registry entry', () => {
  const lock = (info: string) =>
    `{\n  "lockfileVersion": 2,\n  "configVersion": 1,\n  "workspaces": {\n    "": {\n      "name": "app",\n      "dependencies": {\n        "esbuild": "*",\n      },\n    },\n  },\n  "packages": {\n    "esbuild": ["esbuild@0.28.2", "", { "optionalDependencies": { "@esbuild/linux-x64": "0.28.2" }, ${info}"bin": { "esbuild": "bin/esbuild" } }, "sha512-HKVLS8dvII+xoKW9kmqxbRKrnWEXfJJr/FZhhJmiqIB0e053QNYFqOBouTMO/k5sID4MvCiUCvv8b9M4h32wIA=="],\n  }\n}\n`;
  const scriptLines = async (text: string) => {
    const dir = await repoWith({
      'package.json': JSON.stringify({ name: 'app', dependencies: { esbuild: '*' } }),
      'bun.lock': text,
    });
    return (await scanDeps(dir)).findings.filter((f) => f.ruleId === 'CPD012').map((f) => f.location.line);
  };

  it('a trusted package the entry marks is CPD012 offline; without the mark nothing is said here', async () => {
    expect(await scriptLines(lock('"hasInstallScript": true, '))).toEqual([13]);
    expect(await scriptLines(lock(''))).toEqual([]);
  });
});
