import { describe, expect, it } from 'vitest';
import { MAX_NPMRC_BYTES } from '../../src/deps/read.js';
import { repoWith, scanDeps } from './helpers.js';

const LOCK = { copy: 'cases/yarnrc-untrusted.berry/yarn.lock' };
const MANIFEST = { copy: 'cases/yarnrc-untrusted.berry/package.json' };
const ids = (r: Awaited<ReturnType<typeof scanDeps>>) =>
  r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? ''}`).sort();

describe('.yarnrc.yml files in the deps stage', () => {
  it('a root .yarnrc.yml shared by two yarn projects is reported once', async () => {
    const root = await repoWith({
      '.yarnrc.yml': 'enableStrictSsl: false\n',
      'a/yarn.lock': LOCK,
      'a/package.json': MANIFEST,
      'b/yarn.lock': LOCK,
      'b/package.json': MANIFEST,
    });
    expect(ids(await scanDeps(root))).toEqual(['CPD151@.yarnrc.yml:1']);
  });

  it('each project sees what is in effect for it: a setting one project overrides is still reported for the other', async () => {
    const root = await repoWith({
      '.yarnrc.yml': 'npmRegistryServer: https://npm.evil.example/\n',
      'a/.yarnrc.yml': 'npmRegistryServer: https://registry.yarnpkg.com\n',
      'a/yarn.lock': LOCK,
      'a/package.json': MANIFEST,
      'b/yarn.lock': LOCK,
      'b/package.json': MANIFEST,
    });
    expect(ids(await scanDeps(root))).toEqual(['CPD150@.yarnrc.yml:1']);
  });

  it('no yarn.lock: a .yarnrc.yml is not read (npm and pnpm never do)', async () => {
    const root = await repoWith({
      '.yarnrc.yml': 'enableStrictSsl: false\n',
      'package-lock.json': { copy: 'cases/in-sync.v3/package-lock.json' },
      'package.json': { copy: 'cases/in-sync.v3/package.json' },
    });
    expect(ids(await scanDeps(root))).toEqual([]);
  });

  it('a .yarnrc.yml over the size bound is CPD169 (and not CPD153 too), never a silent pass', async () => {
    const root = await repoWith({
      '.yarnrc.yml': `enableScripts: false\n${'# padding\n'.repeat(MAX_NPMRC_BYTES / 10 + 1)}`,
      'yarn.lock': LOCK,
      'package.json': MANIFEST,
    });
    expect(ids(await scanDeps(root))).toEqual(['CPD169@.yarnrc.yml:']);
  });

  it('a registry URL built from the environment is checked expanded but printed as written', async () => {
    const root = await repoWith({
      '.yarnrc.yml': 'npmRegistryServer: "https://npm-proxy.example/${FURY_TOKEN}/team/"\n',
      'yarn.lock': LOCK,
      'package.json': MANIFEST,
    });
    const r = await scanDeps(root, { env: { FURY_TOKEN: 'tok_PATHsecret789' } });
    expect(ids(r)).toEqual(['CPD150@.yarnrc.yml:1']);
    expect(JSON.stringify(r)).not.toContain('tok_PATHsecret789');
    expect(r.findings[0]?.message).toContain('FURY_TOKEN');
  });
});
