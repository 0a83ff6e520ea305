import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { RegistryLookup } from '../../../src/app/review/online.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { corpusPath } from '../../helpers/corpus.js';
import { testOptions } from '../../helpers/scan.js';
import { npmLock, sri } from './npm-lock.js';
import { makeRepo, reviewHead, type Tree } from './repo.js';

/**
 * npm runs the install scripts of every package it installs (arborist `rebuild`, on `npm ci` too) unless something
 * holds the build back: a package new to the lockfile runs its script on the same install as an update that gains
 * one, so both are CPU003 (error), and neither is reported when the package manager would not run the script. Built on
 * the real actions/checkout js-yaml update (../shared/corpora/lockfiles/update-pairs).
 */
const F = 'package-lock.json';
const read = (side: string) =>
  readFileSync(corpusPath('lockfiles', 'update-pairs', `actions-checkout-130a169.${side}.${F}`), 'utf8');
const BEFORE = read('before');
const AFTER = read('after');
const JS_YAML = '"node_modules/js-yaml": {\n      "version": "4.2.0",\n';

/** The head lockfile with a new transitive entry, `js-yaml-helper`, that records an install script. */
const withNewScripted = AFTER.replace(
  '    "node_modules/js-yaml": {',
  `    "node_modules/js-yaml-helper": {
      "version": "1.0.0",
      "resolved": "https://registry.npmjs.org/js-yaml-helper/-/js-yaml-helper-1.0.0.tgz",
      "integrity": "sha512-${Buffer.alloc(64, 3).toString('base64')}",
      "dev": true,
      "hasInstallScript": true
    },
    "node_modules/js-yaml": {`,
);
/** The head lockfile where the js-yaml update gains an install script. */
const withUpgradeScripted = AFTER.replace(JS_YAML, `${JS_YAML}      "hasInstallScript": true,\n`);

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function review(base: Tree, head: Tree, allow: readonly string[] = []) {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  const policy = { ...DEFAULT_POLICY, dependencies: { ...DEFAULT_POLICY.dependencies, allowInstallScripts: allow } };
  const r = await reviewHead(repo.dir, { gate: 'any', policy });
  const scripts = r.findings.filter((f) => f.ruleId === 'CPU003' || f.ruleId === 'CPD012');
  return { r, scripts: scripts.map((f) => `${f.ruleId}:${f.level}@${f.location.path}:${f.location.line ?? '-'}`) };
}

describe('review: a package that runs an install script, new or updated', () => {
  it('the fixtures change what they say they change', () => {
    expect(withNewScripted).not.toBe(AFTER);
    expect(withUpgradeScripted).not.toBe(AFTER);
  });

  it('a new transitive package with an install script → CPU003 (error) alone, as an update that gains one', async () => {
    const { r, scripts } = await review({ [F]: BEFORE }, { [F]: withNewScripted });
    expect(scripts).toEqual([`CPU003:error@${F}:${lineOf(withNewScripted, '"node_modules/js-yaml-helper": {')}`]);
    expect(r.findings.find((f) => f.ruleId === 'CPU003')?.evidence?.['added']).toBe(true);
    expect(r.gate?.passed).toBe(false);
  });

  it('an update that gains one → CPU003 (error) at its line', async () => {
    const { scripts } = await review({ [F]: BEFORE }, { [F]: withUpgradeScripted });
    expect(scripts).toEqual([`CPU003:error@${F}:${lineOf(withUpgradeScripted, '"node_modules/js-yaml": {')}`]);
  });

  it.each([
    { name: 'a new package', head: withNewScripted },
    { name: 'an update', head: withUpgradeScripted },
  ])('$name whose script npm does not run (ignore-scripts in .npmrc at both revisions) → nothing', async ({ head }) => {
    const npmrc = 'ignore-scripts=true\n';
    const { r, scripts } = await review({ [F]: BEFORE, '.npmrc': npmrc }, { [F]: head, '.npmrc': npmrc });
    expect(scripts).toEqual([]);
    expect(r.gate?.passed).toBe(true);
  });

  it.each([
    { name: 'a new package', head: withNewScripted, allow: ['js-yaml-helper'] },
    { name: 'an update', head: withUpgradeScripted, allow: ['js-yaml'] },
  ])('$name the policy allows to run install scripts → nothing', async ({ head, allow }) => {
    const { scripts } = await review({ [F]: BEFORE }, { [F]: head }, allow);
    expect(scripts).toEqual([]);
  });
});

describe('review online: a package new to a lockfile that does not record install scripts', () => {
  const yarnLock = (entries: string) => `# yarn lockfile v1\n\n${entries}`;
  const entry = (n: string) =>
    `\n${n}@^1.0.0:\n  version "1.0.0"\n  resolved "https://registry.yarnpkg.com/${n}/-/${n}-1.0.0.tgz"\n  integrity ${sri(4)}\n`;
  const pkg = (deps: Record<string, string>) => JSON.stringify({ name: 'app', version: '1.0.0', dependencies: deps });
  /** A registry whose `helper@1.0.0` runs a postinstall (yarn 1 runs it: its `Install` builds every package). */
  const lookup: RegistryLookup = {
    packument: (name) =>
      Promise.resolve({
        kind: 'ok',
        value: {
          name,
          versions: {
            '0.9.0': {
              name,
              version: '0.9.0',
              dist: { integrity: sri(5), tarball: `https://x.example/${name}-0.9.0.tgz` },
            },
            '1.0.0': {
              name,
              version: '1.0.0',
              dist: { integrity: sri(4), tarball: `https://registry.yarnpkg.com/${name}/-/${name}-1.0.0.tgz` },
              ...(name === 'helper' ? { scripts: { postinstall: 'node setup.js' } } : {}),
            },
          },
          time: { '0.9.0': '2025-06-01T00:00:00Z', '1.0.0': '2026-01-01T00:00:00Z' },
        },
      }),
    attestations: () => Promise.resolve({ kind: 'not-found', status: 404 }),
  };

  async function reviewOnline(base: Tree, head: Tree) {
    const repo = makeRepo(base, head);
    cleanups.push(repo.cleanup);
    return reviewHead(repo.dir, {
      options: testOptions({ offline: false }),
      lookup,
      now: new Date('2026-06-16T12:00:00Z'),
      gate: 'any',
    });
  }

  it('the registry says it runs a postinstall → CPU003 (error) from the registry', async () => {
    const r = await reviewOnline(
      { 'package.json': pkg({ a: '^1.0.0' }), 'yarn.lock': yarnLock(entry('a')) },
      { 'package.json': pkg({ a: '^1.0.0', helper: '^1.0.0' }), 'yarn.lock': yarnLock(entry('a') + entry('helper')) },
    );
    const found = r.findings.filter((f) => f.ruleId === 'CPU003');
    expect(found.map((f) => `${f.level}@${f.location.path}:${f.location.line ?? '-'}`)).toEqual(['error@yarn.lock:9']);
    expect(found[0]?.evidence).toMatchObject({ source: 'registry', scripts: 'postinstall', added: true });
    expect(r.gate?.passed).toBe(false);
  });

  /** A pnpm 9.0 lockfile (pnpm 9, 10 and 11 write it) locking `names` at 1.0.0, or `name@version`. */
  const pnpmLock = (specs: readonly string[]) => {
    const pins = specs.map((s) => (s.includes('@') ? s.split('@') : [s, '1.0.0']) as [string, string]);
    return [
      "lockfileVersion: '9.0'",
      '',
      'importers:',
      '',
      '  .:',
      '    dependencies:',
      ...pins.flatMap(([n, v]) => [`      ${n}:`, `        specifier: ^${v}`, `        version: ${v}`]),
      '',
      'packages:',
      '',
      ...pins.flatMap(([n, v]) => [`  ${n}@${v}:`, `    resolution: {integrity: ${sri(4)}}`, '']),
      'snapshots:',
      '',
      ...pins.flatMap(([n, v]) => [`  ${n}@${v}: {}`, '']),
    ].join('\n');
  };
  const pnpmProject = (names: readonly string[], packageManager: string) => ({
    'package.json': JSON.stringify({
      name: 'app',
      version: '1.0.0',
      packageManager,
      dependencies: Object.fromEntries(names.map((n) => [n.split('@')[0], '*'])),
    }),
    'pnpm-lock.yaml': pnpmLock(names),
  });

  // pnpm 10 builds only what onlyBuiltDependencies / allowBuilds name (`createAllowBuildFunction`); pnpm 9 builds all.
  it.each([
    { pm: 'pnpm@10.4.1', want: [] },
    { pm: 'pnpm@9.15.0', want: ['error@pnpm-lock.yaml:19'] },
  ])('the same new package under $pm → $want', async ({ pm, want }) => {
    const r = await reviewOnline(pnpmProject(['a'], pm), pnpmProject(['a', 'helper'], pm));
    const found = r.findings.filter((f) => f.ruleId === 'CPU003');
    expect(found.map((f) => `${f.level}@${f.location.path}:${f.location.line ?? '-'}`)).toEqual(want);
  });

  it.each([
    { pm: 'pnpm@10.4.1', want: [] },
    { pm: 'pnpm@9.15.0', want: ['error@pnpm-lock.yaml:13'] },
  ])('an update that gains a postinstall under $pm → $want', async ({ pm, want }) => {
    const r = await reviewOnline(pnpmProject(['helper@0.9.0'], pm), pnpmProject(['helper'], pm));
    const found = r.findings.filter((f) => f.ruleId === 'CPU003');
    expect(found.map((f) => `${f.level}@${f.location.path}:${f.location.line ?? '-'}`)).toEqual(want);
  });
});

describe('review of an update relocked from a lockfile that records no install scripts', () => {
  // npm's lockfileVersion 1 never records `hasInstallScript` (arborist Shrinkwrap writes it only in `packages`).
  const v1 = (version: string) =>
    JSON.stringify(
      {
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 1,
        requires: true,
        dependencies: {
          native: {
            version,
            resolved: `https://registry.npmjs.org/native/-/native-${version}.tgz`,
            integrity: sri(6),
          },
        },
      },
      null,
      2,
    ) + '\n';
  const v3 = npmLock(
    { native: '^1.0.0' },
    {
      native: {
        version: '1.0.1',
        resolved: 'https://registry.npmjs.org/native/-/native-1.0.1.tgz',
        integrity: sri(7),
        hasInstallScript: true,
      },
    },
  );

  it('says nothing of what the version before ran: the head scan’s CPD012 (warning), no CPU003', async () => {
    const { scripts } = await review({ [F]: v1('1.0.0') }, { [F]: v3 });
    expect(scripts).toEqual([`CPD012:warning@${F}:${lineOf(v3, '"node_modules/native": {')}`]);
  });
});
