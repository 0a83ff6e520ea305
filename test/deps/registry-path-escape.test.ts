import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { berryLock, pnpmLock9 } from '../helpers/lockfile-text.js';
import { policyWith, repoWith, scanDeps } from './helpers.js';

/**
 * A registry package's `resolved` written as a path is fetched against the package's registry: pnpm's
 * `pkgSnapshotToResolution` (`new URL(tarball, registry + '/')`), yarn 1's `NpmRegistry.getRequestUrl`
 * (`url.resolve`). `..` climbs out of the registry's path, to another repository of the same host. Fixture:
 * fixtures/lockfiles/install-agreement/README.md.
 */
const DIR = path.resolve(import.meta.dirname, '../../fixtures/lockfiles/install-agreement/registry-path-escape.pnpm9');
const VIRTUAL = 'https://npm.corp.example/artifactory/api/npm/npm-virtual/';
const policy = policyWith({ allowedRegistries: [...DEFAULT_POLICY.dependencies.allowedRegistries, VIRTUAL] });
const cpd005 = (r: Awaited<ReturnType<typeof scanDeps>>) => r.findings.filter((f) => f.ruleId === 'CPD005');

describe('a registry-relative resolved path that climbs out of the registry', () => {
  it('pnpm: two tarballs fetched from another repository of the allowed host are one CPD005 naming it', async () => {
    const found = cpd005(await scanDeps(DIR, { policy }));
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('https://npm.corp.example/artifactory/api/npm/npm-untrusted/');
    expect(found[0]!.evidence?.count).toBe(2);
    // left-pad's `left-pad/-/left-pad-1.3.0.tgz` stays under the registry: not among them.
    expect(JSON.stringify(found[0]!.evidence)).not.toContain('left-pad');
  });

  it('is no finding when the repository it lands in is allowed too', async () => {
    const wider = policyWith({
      allowedRegistries: [...DEFAULT_POLICY.dependencies.allowedRegistries, 'https://npm.corp.example/artifactory/'],
    });
    expect(cpd005(await scanDeps(DIR, { policy: wider }))).toEqual([]);
  });

  // `new URL('https:../npm-untrusted/…', 'https://…/npm-virtual/')` is a reference relative to the registry (a special
  // scheme equal to the base's, no `//`): pnpm fetches it from npm-untrusted as it does the scheme-less path. Before,
  // the value had no source at all and passed with no finding.
  it('pnpm: an https: path without // is taken against the registry the same way', async () => {
    const integrity = 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQHHlX5mJ5/bY6VVcZ1D3T0SXdC4cNuDgp5RX8RsfFuv3XrQ==';
    const dir = await repoWith({
      'package.json': '{"name":"app","version":"1.0.0","dependencies":{"is-odd":"^3.0.1","left-pad":"^1.3.0"}}',
      '.npmrc': `registry=${VIRTUAL}\n`,
      'pnpm-lock.yaml': pnpmLock9({ 'is-odd': '3.0.1', 'left-pad': '1.3.0' }, [
        `  is-odd@3.0.1:\n    resolution: {integrity: ${integrity}, tarball: 'https:../npm-untrusted/is-odd/-/is-odd-3.0.1.tgz'}\n`,
        `  left-pad@1.3.0:\n    resolution: {integrity: ${integrity}, tarball: 'https:left-pad/-/left-pad-1.3.0.tgz'}\n`,
      ]),
    });
    const r = await scanDeps(dir, { policy });
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.line ?? ''}`)).toEqual(['CPD005@11']);
    expect(r.findings[0]!.evidence?.fetched).toBe(
      'https://npm.corp.example/artifactory/api/npm/npm-untrusted/is-odd/-/is-odd-3.0.1.tgz',
    );
    expect(r.graphs[0]?.packages.map((p) => p.source)).toEqual(['registry', 'registry']);
  });

  // yarn 1's TarballFetcher reads a `resolved` starting `./`, `../` or `/` as a local path (CPD009, its "legacy
  // support for local paths"); any other path goes to `NpmRegistry.request`, where `..` inside it climbs the same way.
  it('yarn 1: a resolved path is taken against the registry the same way', async () => {
    const dir = await repoWith({
      'package.json': '{"name":"app","version":"1.0.0","dependencies":{"left-pad":"^1.3.0"}}',
      '.npmrc': `registry=${VIRTUAL}\n`,
      'yarn.lock':
        '# yarn lockfile v1\n\n\nleft-pad@^1.3.0:\n  version "1.3.0"\n' +
        '  resolved "left-pad/../../npm-untrusted/left-pad/-/left-pad-1.3.0.tgz#5b8a3a7765dfe001261dde915589e782f8c94d1e"\n' +
        '  integrity sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQHHlX5mJ5/bY6VVcZ1D3T0SXdC4cNuDgp5RX8RsfFuv3XrQ==\n',
    });
    const found = cpd005(await scanDeps(dir, { policy }));
    expect(found.map((f) => f.location.line)).toEqual([4]);
    expect(found[0]!.evidence?.fetched).toBe(
      'https://npm.corp.example/artifactory/api/npm/npm-untrusted/left-pad/-/left-pad-1.3.0.tgz',
    );
  });

  // yarn berry's `__archiveUrl` that is no URL is requested at `registry + path` (npmHttpUtils `get`).
  it('yarn berry: an __archiveUrl path is taken against npmRegistryServer the same way', async () => {
    const dir = await repoWith({
      'package.json': '{"name":"app","version":"1.0.0","dependencies":{"left-pad":"^1.3.0"}}',
      '.yarnrc.yml': `npmRegistryServer: "${VIRTUAL.slice(0, -1)}"\n`,
      'yarn.lock': berryLock({ 'left-pad': 'npm:^1.3.0' }, [
        '"left-pad@npm:^1.3.0":',
        '  version: 1.3.0',
        '  resolution: "left-pad@npm:1.3.0::__archiveUrl=%2F..%2Fnpm-untrusted%2Fleft-pad%2F-%2Fleft-pad-1.3.0.tgz"',
        `  checksum: 10c0/${'b'.repeat(128)}`,
        '  languageName: node',
        '  linkType: hard',
        '',
      ]),
    });
    const found = cpd005(await scanDeps(dir, { policy }));
    expect(found.map((f) => f.evidence?.fetched)).toEqual([
      'https://npm.corp.example/artifactory/api/npm/npm-untrusted/left-pad/-/left-pad-1.3.0.tgz',
    ]);
  });
});
