import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseLockfile } from '../../src/deps/index.js';
import { sri, startNpmEndpoints, type EndpointsServer } from '../helpers/npm-endpoints-server.js';
import { scanGraphs, tempDir } from './scan.js';

/**
 * Install scripts the registry reports (CPD136) for platform-restricted packages: pnpm (`packageIsInstallable`) and
 * yarn 2+ (a conditional locator) skip an optional one whose platforms do not match, so its scripts run only on
 * machines of those platforms, which the finding says; a required one they install everywhere, scripts included.
 */
let servers: EndpointsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const TIME = '2022-01-01T00:00:00Z';
const SCRIPTED = [
  {
    name: 'mac-only',
    versions: [
      {
        version: '2.0.0',
        integrity: sri('sha512', Buffer.from('m')),
        time: TIME,
        scripts: { install: 'node-gyp rebuild' },
      },
    ],
  },
  {
    name: 'linux-native',
    versions: [
      {
        version: '1.0.0',
        integrity: sri('sha512', Buffer.from('l')),
        time: TIME,
        scripts: { postinstall: 'node build.js' },
      },
    ],
  },
];

/** mac-only: an optional dependency restricted to darwin; linux-native: a required one restricted to linux. */
const PNPM = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      linux-native:
        specifier: ^1.0.0
        version: 1.0.0
    optionalDependencies:
      mac-only:
        specifier: ^2.0.0
        version: 2.0.0

packages:

  linux-native@1.0.0:
    resolution: {integrity: ${sri('sha512', Buffer.from('l'))}}
    os: [linux]

  mac-only@2.0.0:
    resolution: {integrity: ${sri('sha512', Buffer.from('m'))}}
    os: [darwin]
    cpu: [arm64, x64]

snapshots:

  linux-native@1.0.0: {}

  mac-only@2.0.0: {}
`;

const BERRY = `__metadata:
  version: 8
  cacheKey: 10c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    linux-native: "npm:^1.0.0"
    mac-only: "npm:^2.0.0"
  dependenciesMeta:
    mac-only:
      optional: true
  languageName: unknown
  linkType: soft

"linux-native@npm:^1.0.0":
  version: 1.0.0
  resolution: "linux-native@npm:1.0.0"
  checksum: 10c0/${'ef'.repeat(64)}
  conditions: os=linux
  languageName: node
  linkType: hard

"mac-only@npm:^2.0.0":
  version: 2.0.0
  resolution: "mac-only@npm:2.0.0"
  conditions: os=darwin & cpu=arm64
  languageName: node
  linkType: hard
`;

/**
 * bun.lock keeps `os` / `cpu` in an entry's info object, as bun writes them (a string or a list); bun.lock.zig reads
 * them into `Package.Meta`, and `libc` not at all.
 */
const BUN = JSON.stringify(
  {
    lockfileVersion: 1,
    workspaces: {
      '': {
        name: 'app',
        dependencies: { 'linux-native': '^1.0.0' },
        optionalDependencies: { 'mac-only': '^2.0.0' },
      },
    },
    trustedDependencies: ['linux-native', 'mac-only'],
    packages: {
      'linux-native': ['linux-native@1.0.0', '', { os: 'linux', libc: 'glibc' }, sri('sha512', Buffer.from('l'))],
      'mac-only': ['mac-only@2.0.0', '', { os: 'darwin', cpu: ['arm64', 'x64'] }, sri('sha512', Buffer.from('m'))],
    },
  },
  null,
  2,
);

async function scriptFindings(file: string, text: string, manifest: Record<string, unknown>) {
  const server = await startNpmEndpoints({ keys: undefined, packages: SCRIPTED, abbreviated: true });
  servers.push(server);
  const root = tempDir();
  writeFileSync(path.join(root, file), text);
  const graph = parseLockfile(file, text, { manifests: { '': manifest } });
  const result = await scanGraphs({ root, graphs: [graph], registry: server.url, policy: { verifySignatures: false } });
  const byName = new Map(
    result.findings
      .filter((f) => f.ruleId === 'CPD136')
      .map((f) => [f.artifact?.kind === 'package' ? f.artifact.name : '', f]),
  );
  return { mac: byName.get('mac-only'), linux: byName.get('linux-native') };
}

describe('install scripts of platform-restricted packages, from the registry (CPD136)', () => {
  it('pnpm: an optional darwin package names where its scripts run; a required one is built everywhere', async () => {
    const { mac, linux } = await scriptFindings('pnpm-lock.yaml', PNPM, {
      name: 'app',
      packageManager: 'pnpm@9.15.9',
    });
    expect(mac?.message).toContain(
      'pnpm installs this optional package only where the platform matches os: darwin; cpu: arm64, x64',
    );
    // pnpm installs a required package whatever its platforms say (with a warning): nothing to add.
    expect(linux?.message).not.toContain('platform');
  });

  it('yarn 2+: an optional package with conditions names them; a required one is built everywhere', async () => {
    const { mac, linux } = await scriptFindings('yarn.lock', BERRY, { name: 'app' });
    expect(mac?.message).toContain(
      'yarn installs this optional package only where the platform matches os=darwin & cpu=arm64',
    );
    expect(linux?.message).not.toContain('platform');
  });

  it('bun: os and cpu of bun.lock name where scripts run, optional or required (bun skips it elsewhere)', async () => {
    const manifest = { name: 'app', trustedDependencies: ['linux-native', 'mac-only'] };
    const { mac, linux } = await scriptFindings('bun.lock', BUN, manifest);
    expect(mac?.message).toContain('bun installs it only where the platform matches os: darwin; cpu: arm64, x64');
    // lockfile.zig isResolvedDependencyDisabled: a required package off the target is skipped too; libc is not read.
    expect(linux?.message).toContain('bun installs it only where the platform matches os: linux (its bun.lock entry');
    expect(linux?.message).toContain('skips it on any other platform, required or optional');
  });
});
