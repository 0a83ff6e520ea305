import { describe, expect, it } from 'vitest';
import { parseLockfile } from '../../src/deps/index.js';
import { platformNote } from '../../src/deps/platforms.js';

/**
 * A package only an off-platform optional package brings in is skipped with it: npm marks the package's whole
 * `optionalSet` inert (build-ideal-tree `#checkEngineAndPlatform`; with npm 11.19.1 on Linux, `npm ci` of the
 * npm-platforms.test.ts shape ran the scripts of the shared package alone), pnpm skips an optional package under an
 * uninstallable parent (filterLockfileByImportersAndEngine `pkgAllDeps`). Their script findings name the package
 * they come with.
 */
const INTEGRITY = 'sha512-' + 'A'.repeat(86) + '==';

const PNPM = `lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      shared:
        specifier: 1.0.0
        version: 1.0.0
    optionalDependencies:
      native:
        specifier: 1.0.0
        version: 1.0.0

packages:

  helper@1.0.0:
    resolution: {integrity: ${INTEGRITY}}

  native@1.0.0:
    resolution: {integrity: ${INTEGRITY}}
    os: [darwin]

  shared@1.0.0:
    resolution: {integrity: ${INTEGRITY}}

snapshots:

  helper@1.0.0:
    optional: true

  native@1.0.0:
    dependencies:
      helper: 1.0.0
      shared: 1.0.0
    optional: true

  shared@1.0.0: {}
`;

function gated(file: string, text: string): Record<string, string | undefined> {
  const graph = parseLockfile(file, text, {});
  return Object.fromEntries(graph.packages.map((p) => [p.name, p.installedWith]));
}

describe('packages installed only with an off-platform optional package', () => {
  it('pnpm: what only the skipped package brings in is skipped with it; a package the root needs is not', () => {
    expect(gated('pnpm-lock.yaml', PNPM)).toEqual({
      helper: 'native@1.0.0 (os: darwin)',
      native: undefined,
      shared: undefined,
    });
    const helper = parseLockfile('pnpm-lock.yaml', PNPM, {}).packages.find((p) => p.name === 'helper')!;
    expect(platformNote(helper, 'pnpm')).toContain('installed only with native@1.0.0 (os: darwin)');
  });

  it('npm: a cycle under the skipped package stays with it; a dependency an importer names does not', () => {
    const lock = {
      name: 'app',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'app', dependencies: { b: '1.0.0' }, optionalDependencies: { native: '1.0.0' } },
        'node_modules/native': {
          version: '1.0.0',
          integrity: INTEGRITY,
          optional: true,
          os: ['win32'],
          dependencies: { a: '1.0.0' },
        },
        'node_modules/a': {
          version: '1.0.0',
          integrity: INTEGRITY,
          optional: true,
          dependencies: { c: '1.0.0', b: '1.0.0' },
        },
        'node_modules/c': { version: '1.0.0', integrity: INTEGRITY, optional: true, dependencies: { a: '1.0.0' } },
        'node_modules/b': { version: '1.0.0', integrity: INTEGRITY },
      },
    };
    expect(gated('package-lock.json', JSON.stringify(lock))).toEqual({
      native: undefined,
      a: 'native@1.0.0 (os: win32)',
      c: 'native@1.0.0 (os: win32)',
      b: undefined,
    });
  });

  it('bun: what only an off-platform package brings in is skipped with it, required or optional', () => {
    // Tree.zig processSubtree: a disabled package is not placed, so its dependencies are never queued.
    const lock = {
      lockfileVersion: 1,
      workspaces: { '': { name: 'app', dependencies: { native: '1.0.0', shared: '1.0.0' } } },
      packages: {
        native: ['native@1.0.0', '', { os: 'darwin', dependencies: { helper: '1.0.0', shared: '1.0.0' } }, INTEGRITY],
        helper: ['helper@1.0.0', '', { dependencies: { deep: '1.0.0' } }, INTEGRITY],
        deep: ['deep@1.0.0', '', {}, INTEGRITY],
        shared: ['shared@1.0.0', '', {}, INTEGRITY],
      },
    };
    const text = JSON.stringify(lock);
    expect(gated('bun.lock', text)).toEqual({
      native: undefined,
      helper: 'native@1.0.0 (os: darwin)',
      deep: 'native@1.0.0 (os: darwin)',
      shared: undefined,
    });
    const helper = parseLockfile('bun.lock', text, {}).packages.find((p) => p.name === 'helper')!;
    expect(platformNote(helper, 'bun')).toContain(
      'installed only with native@1.0.0 (os: darwin), a package installed only where its platform matches; bun skips',
    );
  });

  it('yarn 2+: the dependencies of a disabled conditional package are still linked and built: no note', () => {
    // Project.resolveEverything disables the conditional package alone (disabledLocators); what it depends on stays.
    const berry = `__metadata:
  version: 8
  cacheKey: 10c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    native: "npm:1.0.0"
  dependenciesMeta:
    native:
      optional: true
  languageName: unknown
  linkType: soft

"helper@npm:1.0.0":
  version: 1.0.0
  resolution: "helper@npm:1.0.0"
  checksum: 10c0/${'ab'.repeat(64)}
  languageName: node
  linkType: hard

"native@npm:1.0.0":
  version: 1.0.0
  resolution: "native@npm:1.0.0"
  dependencies:
    helper: "npm:1.0.0"
  checksum: 10c0/${'cd'.repeat(64)}
  conditions: os=darwin
  languageName: node
  linkType: hard
`;
    expect(gated('yarn.lock', berry)).toEqual({ app: undefined, helper: undefined, native: undefined });
  });

  it('a hostile lockfile of many platform packages is bounded: past the first 256 no note is worked out', () => {
    const packages: Record<string, unknown> = { '': { name: 'app', optionalDependencies: {} } };
    const root = packages[''] as { optionalDependencies: Record<string, string> };
    for (let g = 0; g < 300; g++) {
      root.optionalDependencies[`g${g}`] = '1.0.0';
      packages[`node_modules/g${g}`] = {
        version: '1.0.0',
        optional: true,
        os: ['darwin'],
        dependencies: { [`c${g}`]: '1.0.0' },
      };
      packages[`node_modules/c${g}`] = { version: '1.0.0', optional: true };
    }
    const notes = gated('package-lock.json', JSON.stringify({ name: 'app', lockfileVersion: 3, packages }));
    expect(notes.c0).toBe('g0@1.0.0 (os: darwin)');
    expect(notes.c255).toBe('g255@1.0.0 (os: darwin)');
    expect(notes.c256).toBeUndefined();
  });
});
