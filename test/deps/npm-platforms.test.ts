import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * An npm lockfile entry's `os` / `cpu` / `libc` restrict where npm installs the package (npm-install-checks
 * `checkPlatform`): arborist skips an optional one elsewhere and refuses a required one (EBADPLATFORM). With npm
 * 11.19.1 on Linux, `npm ci` skipped an optional `file:` tarball whose lockfile entry alone said `os: ["darwin"]` and
 * failed with EBADPLATFORM for the same entry required. Its install scripts run only on machines of those platforms,
 * which CPD012 says rather than reporting them as run everywhere.
 */
function lockWith(entry: Record<string, unknown>): string {
  return JSON.stringify(
    {
      name: 'app',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'app', dependencies: { native: '^1.0.0' } },
        'node_modules/native': {
          version: '1.0.0',
          resolved: 'https://registry.npmjs.org/native/-/native-1.0.0.tgz',
          integrity: 'sha512-' + 'A'.repeat(86) + '==',
          hasInstallScript: true,
          ...entry,
        },
      },
    },
    null,
    2,
  );
}

async function cpd012(entry: Record<string, unknown>) {
  const dir = await repoWith({
    'package.json': JSON.stringify({ name: 'app', dependencies: { native: '^1.0.0' } }),
    'package-lock.json': lockWith(entry),
  });
  const r = await scanDeps(dir);
  return r.findings.filter((f) => f.ruleId === 'CPD012');
}

describe('npm install scripts of platform-restricted packages (CPD012)', () => {
  it('names the platforms of a package npm installs nowhere else', async () => {
    const [f, ...rest] = await cpd012({ optional: true, os: ['darwin'], cpu: ['arm64', 'x64'] });
    expect(rest).toEqual([]);
    expect(f?.message).toContain('npm installs it only where the platform matches os: darwin; cpu: arm64, x64');
    expect(f?.message).toContain(
      'elsewhere it skips the package when optional dependencies alone bring it in and refuses the install otherwise (EBADPLATFORM)',
    );
  });

  it('reads a single string and `!` exclusions as npm does', async () => {
    const [f] = await cpd012({ os: '!win32', libc: ['glibc'] });
    expect(f?.message).toContain('npm installs it only where the platform matches os: !win32; libc: glibc');
  });

  it('`any` and an empty list restrict nothing (checkList): the plain message', async () => {
    const [f] = await cpd012({ os: ['any'], cpu: [] });
    expect(f?.message).toContain('runs install scripts and is not on the allowlist at package-lock.json');
    expect(f?.message).not.toContain('platform');
  });

  it('a hostile entry listing thousands of platforms gives a bounded message', async () => {
    const [f] = await cpd012({ optional: true, os: Array.from({ length: 5000 }, (_, i) => `os${i}`) });
    expect(f?.message).toContain('matches os: os0, os1, os2, os3, os4, os5, os6, os7, … (its lockfile entry');
    expect(f?.message.length).toBeLessThan(1000);
  });

  it('a real lockfile: fsevents (os: darwin, optional) is reported with its platform', async () => {
    const dir = await repoWith({ 'package-lock.json': { copy: 'npm-cli.v3-workspaces.package-lock.json' } });
    const r = await scanDeps(dir);
    const fsevents = r.findings.find((f) => f.ruleId === 'CPD012' && f.message.startsWith('fsevents@'));
    // Message only: the evidence, and so the fingerprint a baseline or code scanning holds, does not change.
    expect(fsevents?.evidence).toEqual({ lockfileKey: 'node_modules/fsevents', dependencyPath: expect.any(String) });
    expect(fsevents?.message).toContain('npm installs it only where the platform matches os: darwin');
  });

  it('a package only an off-platform optional package brings in is named with it (arborist optionalSet)', async () => {
    const entry = (extra: Record<string, unknown>) => ({
      version: '1.0.0',
      integrity: 'sha512-' + 'A'.repeat(86) + '==',
      ...extra,
    });
    const lock = {
      name: 'app',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': {
          name: 'app',
          dependencies: { shared: '1.0.0' },
          optionalDependencies: { native: '1.0.0', wrap: '1.0.0' },
        },
        // Reached through native alone: skipped with it, as is helper's own dependency.
        'node_modules/native': entry({
          optional: true,
          os: ['darwin'],
          dependencies: { helper: '1.0.0', shared: '1.0.0' },
        }),
        'node_modules/helper': entry({ optional: true, hasInstallScript: true, dependencies: { deep: '1.0.0' } }),
        'node_modules/deep': entry({ optional: true, hasInstallScript: true }),
        // The root needs shared too: npm installs it everywhere.
        'node_modules/shared': entry({ hasInstallScript: true }),
        // wrap requires sun-only (a plain dependency): its optional set reaches up to wrap and takes wrap-child too.
        'node_modules/wrap': entry({
          optional: true,
          hasInstallScript: true,
          dependencies: { 'sun-only': '1.0.0', 'wrap-child': '1.0.0' },
        }),
        'node_modules/sun-only': entry({ optional: true, os: ['sunos'] }),
        'node_modules/wrap-child': entry({ optional: true, hasInstallScript: true }),
      },
    };
    const dir = await repoWith({
      'package.json': JSON.stringify(lock.packages['']),
      'package-lock.json': JSON.stringify(lock, null, 2),
    });
    const r = await scanDeps(dir);
    const notes = Object.fromEntries(
      r.findings
        .filter((f) => f.ruleId === 'CPD012')
        .map((f) => [f.message.slice(0, f.message.indexOf('@')), /installed only with ([^,]*),/.exec(f.message)?.[1]]),
    );
    expect(notes).toEqual({
      helper: 'native@1.0.0 (os: darwin)',
      deep: 'native@1.0.0 (os: darwin)',
      shared: undefined,
      wrap: 'sun-only@1.0.0 (os: sunos)',
      'wrap-child': 'sun-only@1.0.0 (os: sunos)',
    });
  });
});
