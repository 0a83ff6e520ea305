import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * npm 12.0.0 defaults `allow-git` and `allow-remote` to "none" (changelog: "set them to \"all\" (or \"root\") to
 * install git or user-supplied tarball-URL dependencies"; npm/cli#9466) and stops with EALLOWGIT / EALLOWREMOTE. A
 * project whose package.json makes npm ≥ 12 install (devEngines, onFail error) installs its git and tarball-URL
 * dependencies only where the command line or the user's .npmrc allows them: CPD007 / CPD008 say so.
 */
const SHA = '0123456789abcdef0123456789abcdef01234567';
const SHA512 = 'sha512-CpaNbkMJrSIrixyZDRxzShMj1s5MhZcoVdEs8t0gfnejS4lyqiyaYUFS8+1bOSErGJtay0xWkH6EnqwlU8Ua/g==';
const dependencies = { g: `github:o/g#${SHA}`, t: 'https://example.com/t-1.0.0.tgz' };

function files(npm: string, npmrc?: string): Record<string, string> {
  const devEngines = { packageManager: { name: 'npm', version: npm, onFail: 'error' } };
  return {
    'package.json': JSON.stringify({ name: 'app', version: '1.0.0', devEngines, dependencies }),
    'package-lock.json': JSON.stringify({
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'app', version: '1.0.0', dependencies },
        'node_modules/g': { version: '1.0.0', resolved: `git+ssh://git@github.com/o/g.git#${SHA}` },
        'node_modules/t': { version: '1.0.0', resolved: dependencies.t, integrity: SHA512 },
      },
    }),
    ...(npmrc !== undefined ? { '.npmrc': npmrc } : {}),
  };
}

async function sourceMessages(repo: Record<string, string>, env: Record<string, string> = {}) {
  const r = await scanDeps(await repoWith(repo), { env });
  const of = (rule: string) => r.findings.find((f) => f.ruleId === rule)?.message ?? '';
  return { git: of('CPD007'), tarball: of('CPD008') };
}

describe('npm ≥ 12 refuses git and tarball-URL dependencies unless allowed', () => {
  it('says so when package.json pins npm 12 and the repository allows neither', async () => {
    const m = await sourceMessages(files('>=12.0.0'));
    expect(m.git).toContain('npm ≥ 12 (package.json devEngines) refuses it (EALLOWGIT)');
    expect(m.git).toContain('only --allow-git or the user');
    expect(m.tarball).toContain('refuses it (EALLOWREMOTE)');
  });

  it('says nothing of a source the project .npmrc or the environment allows', async () => {
    const m = await sourceMessages(files('>=12.0.0', 'allow-git=all\n'), { npm_config_allow_remote: 'root' });
    expect(m.git).toMatch(/is installed from git/);
    expect(m.git).not.toContain('EALLOWGIT');
    expect(m.tarball).toMatch(/is installed from a tarball URL/);
    expect(m.tarball).not.toContain('EALLOWREMOTE');
  });

  it('says nothing when the pinned npm may be 11 (allow-git and allow-remote default to "all")', async () => {
    const m = await sourceMessages(files('>=11.9.0'));
    expect(m.git).toMatch(/is installed from git/);
    expect(m.git).not.toContain('EALLOWGIT');
    expect(m.tarball).not.toContain('EALLOWREMOTE');
  });
});
