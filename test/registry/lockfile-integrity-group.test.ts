import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { depsStage } from '../../src/deps/stage.js';
import { scanWith } from '../helpers/scan.js';
import { routeRegistries } from './route-registry.js';
import { TEST_STAGE, policyWith, scanGraphs, tempDir, writeLockfile, type LockEntry } from './scan.js';

/**
 * A lockfile written without integrities (npm rebuilding from a hidden lockfile: sigstore-js's lacks 811 of 1,062)
 * has one cause, which CPD002 reports from the lockfile alone: npm extracts such an entry from its resolved URL with
 * no integrity to check (arborist reify → pacote.extract), so "not pinned" is the cause and "cannot be compared with
 * the registry" only its consequence. The registry check makes no CPD130 for it (the session-54 sweep saw 811 CPD002
 * beside 321 CPD130); each package stays unverifiable. An integrity that is no valid SRI is the same: npm stops with
 * EINTEGRITY whatever the registry says, and CPD004 is its one finding.
 */
const startRegistry = routeRegistries();

const sri = (seed: string) => `sha512-${createHash('sha512').update(seed).digest('base64')}`;
const NAMES = ['a', 'b', 'c'];

async function registryOf(names: readonly string[]) {
  const reg = await startRegistry();
  for (const name of names)
    reg.route(`/${name}`, {
      body: {
        name,
        'dist-tags': { latest: '1.0.0' },
        versions: {
          '1.0.0': { name, version: '1.0.0', dist: { integrity: sri(name), tarball: tarballOf(reg.url, name) } },
        },
      },
    });
  return reg;
}

const tarballOf = (base: string, name: string) => `${base}${name}/-/${name}-1.0.0.tgz`;

async function scan(entries: (base: string) => LockEntry[], failClosed = false) {
  const reg = await registryOf(NAMES);
  const root = tempDir();
  const graph = writeLockfile(root, entries(reg.url));
  return scanGraphs({ root, graphs: [graph], registry: reg.url, policy: { verifySignatures: false, failClosed } });
}

const entry = (base: string, name: string, integrity?: string): LockEntry => ({
  name,
  version: '1.0.0',
  resolved: tarballOf(base, name),
  ...(integrity !== undefined ? { integrity } : {}),
});

/** A sha512 digest 40 bytes long: ssri reads it, SRI refuses it (CPD004). */
const INVALID = `sha512-${Buffer.alloc(40, 7).toString('base64')}`;

describe('packages whose lockfile integrity cannot be compared with the registry', () => {
  it('none written in any entry: no CPD130 (CPD002 is the finding), each package unverifiable', async () => {
    const result = await scan((base) => NAMES.map((n) => entry(base, n)));
    expect(result.findings.map((f) => f.ruleId)).toEqual([]);
    expect(result.verifications.map((v) => [v.status, v.detail])).toEqual(
      NAMES.map(() => ['unverifiable', expect.stringContaining('no integrity in the lockfile (CPD002)')]),
    );
  });

  it('no valid SRI in every entry: no CPD130 (CPD004 is the finding), each package unverifiable', async () => {
    const result = await scan((base) => NAMES.map((n) => entry(base, n, INVALID)));
    expect(result.findings.map((f) => f.ruleId)).toEqual([]);
    expect(result.verifications.map((v) => [v.status, v.detail])).toEqual(
      NAMES.map(() => ['unverifiable', expect.stringContaining('integrity in the lockfile not valid (CPD004)')]),
    );
  });

  it('one entry without an integrity among checked ones: unverifiable, no CPD130 of its own', async () => {
    const result = await scan((base) => [entry(base, 'a'), entry(base, 'b', sri('b')), entry(base, 'c', sri('c'))]);
    expect(result.findings.map((f) => f.ruleId)).toEqual([]);
    expect(result.verifications.map((v) => v.status)).toEqual(['unverifiable', 'verified', 'verified']);
  });

  it.each([
    { what: 'missing', integrity: undefined, rule: 'CPD002' },
    { what: 'not valid SRI', integrity: INVALID, rule: 'CPD004' },
  ])('deps and registry stages together: one finding per $what integrity, the $rule', async ({ integrity, rule }) => {
    const reg = await registryOf(NAMES);
    const root = tempDir();
    writeFileSync(
      path.join(root, 'package.json'),
      JSON.stringify({
        name: 'app',
        version: '1.0.0',
        dependencies: Object.fromEntries(NAMES.map((n) => [n, '1.0.0'])),
      }),
    );
    writeLockfile(
      root,
      NAMES.map((n) => entry(reg.url, n, integrity)),
    );
    const result = await scanWith(root, [depsStage, TEST_STAGE], {
      policy: policyWith({ verifySignatures: false, allowedRegistries: [reg.url], failClosed: true }),
      options: { offline: false, env: {}, registry: reg.url },
    });
    // (CPD006 beside them: the loopback registry is http.)
    const integrityFindings = result.findings.filter((f) => ['CPD002', 'CPD004', 'CPD130'].includes(f.ruleId));
    expect(integrityFindings.map((f) => [f.ruleId, f.artifact?.kind === 'package' ? f.artifact.name : ''])).toEqual(
      NAMES.map((n) => [rule, n]),
    );
  });

  it('a bundled entry with its own resolved and an invalid integrity: CPD130, which no CPD004 replaces', async () => {
    // The registry stage checks it (stage.ts checkableBundle); the deps stage's CPD002/CPD004 leave bundled entries be.
    const reg = await registryOf(['p', 'b']);
    const root = tempDir();
    writeFileSync(
      path.join(root, 'package.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { p: '1.0.0' } }),
    );
    const packages = {
      '': { name: 'app', version: '1.0.0', dependencies: { p: '1.0.0' } },
      'node_modules/p': {
        version: '1.0.0',
        resolved: tarballOf(reg.url, 'p'),
        integrity: sri('p'),
        bundleDependencies: ['b'],
        dependencies: { b: '1.0.0' },
      },
      'node_modules/p/node_modules/b': {
        version: '1.0.0',
        resolved: tarballOf(reg.url, 'b'),
        integrity: INVALID,
        inBundle: true,
      },
    };
    writeFileSync(
      path.join(root, 'package-lock.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2),
    );
    const result = await scanWith(root, [depsStage, TEST_STAGE], {
      policy: policyWith({ verifySignatures: false, allowedRegistries: [reg.url] }),
      options: { offline: false, env: {}, registry: reg.url },
    });
    const integrityFindings = result.findings.filter((f) => ['CPD002', 'CPD004', 'CPD130'].includes(f.ruleId));
    expect(integrityFindings.map((f) => f.ruleId)).toEqual(['CPD130']);
    expect(integrityFindings[0]!.message).toContain('b@1.0.0');
    expect(integrityFindings[0]!.message).not.toContain('(CPD004)');
  });
});

describe('yarn 2+ platform packages yarn records no checksum for', () => {
  it('one CPD130 per lockfile that says yarn installs them unchecked, not a CPD002 that never fires for them', async () => {
    const root = tempDir();
    writeFileSync(
      path.join(root, 'package.json'),
      JSON.stringify({
        name: 'app',
        version: '1.0.0',
        optionalDependencies: { 'esb-aix': '1.0.0', 'esb-arm': '1.0.0' },
      }),
    );
    // As yarn 4 writes them: a package with `conditions` reached through optional dependencies only has no checksum.
    const pkg = (name: string, conditions: string) =>
      `"${name}@npm:1.0.0":\n  version: 1.0.0\n  resolution: "${name}@npm:1.0.0"\n  conditions: ${conditions}\n  languageName: node\n  linkType: hard\n`;
    writeFileSync(
      path.join(root, 'yarn.lock'),
      [
        '__metadata:\n  version: 8\n  cacheKey: 10c0\n',
        '"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n  dependencies:\n    esb-aix: "npm:1.0.0"\n    esb-arm: "npm:1.0.0"\n  dependenciesMeta:\n    esb-aix:\n      optional: true\n    esb-arm:\n      optional: true\n  languageName: unknown\n  linkType: soft\n',
        pkg('esb-aix', 'os=aix & cpu=ppc64'),
        pkg('esb-arm', 'os=linux & cpu=arm'),
      ].join('\n'),
    );
    const reg = await registryOf(['esb-aix', 'esb-arm']);
    const result = await scanWith(root, [depsStage, TEST_STAGE], {
      policy: policyWith({ verifySignatures: false, allowedRegistries: [reg.url] }),
      options: { offline: false, env: {}, registry: reg.url },
    });
    expect(result.findings.filter((f) => f.ruleId === 'CPD002')).toEqual([]);
    const group = result.findings.filter((f) => f.ruleId === 'CPD130');
    expect(group.map((f) => [f.evidence?.reason, f.evidence?.count])).toEqual([
      ['yarn conditional package without checksum', 2],
    ]);
    expect(group[0]!.message).toContain('yarn installs their bytes unchecked');
    expect(group[0]!.message).not.toContain('CPD002');
  });
});
