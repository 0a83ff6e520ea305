import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/context.js';
import type { ScanResult } from '../../src/core/result.js';
import type { Stage } from '../../src/core/stage.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { scanRepository } from '../../src/app/scan.js';
import { parseLockfile } from '../../src/deps/index.js';
import { fakeIntegrity, routeRegistries, type RouteRegistry } from './route-registry.js';
import { TEST_STAGE, policyWith, scanGraphs, tempDir, writeLockfile, type LockEntry, type ScanSetup } from './scan.js';

/**
 * The configuration layers npm reads besides the files (@npmcli/config `load`: cli > env > project > user), as a CI
 * job sets them: `NPM_CONFIG_REGISTRY` or `npm_config_@scope:registry` in the job's environment, and a token under the
 * `//host/path/:_authToken` key. Every registry here is on loopback; a scan that asked any other host would fail.
 */
const startRegistry = routeRegistries();

function packument(name: string, version: string, dist: Record<string, unknown>): unknown {
  return { name, 'dist-tags': { latest: version }, versions: { [version]: { name, version, dist } } };
}

/** A private registry serving `names` at 1.0.0 (unsigned, no keys endpoint). */
async function privateRegistry(names: readonly string[]): Promise<{ reg: RouteRegistry; entries: LockEntry[] }> {
  const reg = await startRegistry();
  const entries = names.map((name) => {
    const integrity = fakeIntegrity(name);
    const tarball = `${reg.url}${name}/-/${name.slice(name.indexOf('/') + 1)}-1.0.0.tgz`;
    reg.route(`/${name}`, { body: packument(name, '1.0.0', { integrity, tarball }) });
    return { name, version: '1.0.0', resolved: tarball, integrity };
  });
  return { reg, entries };
}

async function scan(entries: readonly LockEntry[], setup: Partial<ScanSetup>): Promise<ScanResult> {
  const root = setup.root ?? tempDir();
  const graph = writeLockfile(root, entries);
  return scanGraphs({ root, graphs: [graph], ...setup });
}

/**
 * The user's own .npmrc naming a dead loopback port: the environment must win over it (env is above the user's file),
 * and a scan that ignored the environment asks no host beyond loopback.
 */
function deadUserNpmrc(): Record<string, string> {
  const file = path.join(tempDir('chainproof-userrc-'), '.npmrc');
  writeFileSync(file, 'registry=http://127.0.0.1:9/\n');
  return { npm_config_userconfig: file };
}

describe('npm_config_* in the environment (@npmcli/config loadEnv)', () => {
  it.each(['NPM_CONFIG_REGISTRY', 'npm_config_registry'])(
    '%s names the registry npm installs from: its packages are verified there',
    async (name) => {
      const { reg, entries } = await privateRegistry(['corp-utils', 'corp-log']);
      const result = await scan(entries, {
        env: { ...deadUserNpmrc(), [name]: reg.url },
        policy: { verifySignatures: false, allowedRegistries: [reg.url] },
      });
      expect(result.findings.map((f) => f.ruleId)).toEqual([]);
      expect(result.verifications.map((v) => v.status)).toEqual(['verified', 'verified']);
      expect(reg.seen.some((r) => r.path === '/corp-utils')).toBe(true);
    },
  );

  it('npm_config_@scope:registry maps the scope, over a repository .npmrc (env is above the project)', async () => {
    const { reg, entries } = await privateRegistry(['@corp/a']);
    const other = await startRegistry();
    const root = tempDir();
    // The repository names another allowed registry for the scope; the job's environment wins, as in npm.
    writeFileSync(path.join(root, '.npmrc'), `@corp:registry=${other.url}\n`);
    const result = await scan(entries, {
      root,
      env: { ...deadUserNpmrc(), 'npm_config_@corp:registry': reg.url },
      policy: { verifySignatures: false, allowedRegistries: [reg.url, other.url] },
    });
    expect(result.verifications.map((v) => v.status)).toEqual(['verified']);
    expect(other.seen).toEqual([]);
  });

  it('a token under npm_config_//host/:_authToken is sent to that registry and appears in no finding', async () => {
    const TOKEN = 'npm_envTOKEN0123456789abcdef';
    const reg = await startRegistry();
    reg.route('/corp-utils', { status: 401, body: { error: 'unauthorized' } });
    const result = await scan([{ name: 'corp-utils', version: '1.0.0', integrity: fakeIntegrity('corp-utils') }], {
      env: {
        ...deadUserNpmrc(),
        npm_config_registry: reg.url,
        [`npm_config_${reg.url.replace(/^http:/, '')}:_authToken`]: TOKEN,
      },
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(reg.seen.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(result.findings.map((f) => f.ruleId)).toEqual(['CPD156']);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});

describe('legacy top-level credentials (npm 9+ reads only //host/path/: keys, npm-registry-fetch regFromURI)', () => {
  const USER_TOKEN = 'npm_userTOKEN0123456789abcdef';
  const REPO_TOKEN = 'npm_repoTOKEN0123456789abcdef';

  const corpRegistry = () => privateRegistry(['corp-utils']);

  it("a repository .npmrc's top-level _authToken does not displace the user's token for that registry", async () => {
    const { reg, entries } = await corpRegistry();
    const root = tempDir();
    writeFileSync(path.join(root, '.npmrc'), `registry=${reg.url}\n_authToken=${REPO_TOKEN}\n`);
    const user = path.join(tempDir('chainproof-userrc-'), '.npmrc');
    writeFileSync(user, `registry=${reg.url}\n${reg.url.replace(/^http:/, '')}:_authToken=${USER_TOKEN}\n`);
    const result = await scan(entries, {
      root,
      env: { npm_config_userconfig: user },
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(reg.seen.length).toBeGreaterThan(0);
    expect(reg.seen.every((r) => r.authorization === `Bearer ${USER_TOKEN}`)).toBe(true);
    expect(result.verifications.map((v) => v.status)).toEqual(['verified']);
  });

  it('within one file, the scoped key wins over the top-level one', async () => {
    const { reg, entries } = await corpRegistry();
    const user = path.join(tempDir('chainproof-userrc-'), '.npmrc');
    writeFileSync(
      user,
      `registry=${reg.url}\n${reg.url.replace(/^http:/, '')}:_authToken=${USER_TOKEN}\n_authToken=${REPO_TOKEN}\n`,
    );
    await scan(entries, {
      env: { npm_config_userconfig: user },
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(reg.seen.every((r) => r.authorization === `Bearer ${USER_TOKEN}`)).toBe(true);
  });

  it('alone, a top-level token is still sent to the default registry (older npm, yarn 1) and never printed', async () => {
    const reg = await startRegistry();
    reg.route('/corp-utils', { status: 401, body: { error: 'unauthorized' } });
    const user = path.join(tempDir('chainproof-userrc-'), '.npmrc');
    writeFileSync(user, `registry=${reg.url}\n_authToken=${REPO_TOKEN}\n`);
    const result = await scan([{ name: 'corp-utils', version: '1.0.0', integrity: fakeIntegrity('corp-utils') }], {
      env: { npm_config_userconfig: user },
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(reg.seen.every((r) => r.authorization === `Bearer ${REPO_TOKEN}`)).toBe(true);
    expect(JSON.stringify(result)).not.toContain(REPO_TOKEN);
  });
});

/** The scan with file discovery on, so the subfolder's .npmrc is among the scanned files as in a real scan. */
function scanTree(root: string, graphs: ScanSetup['graphs'], setup: Partial<ScanSetup>): Promise<ScanResult> {
  const graphsStage: Stage = { name: 'graphs', run: () => Promise.resolve({ graphs }) };
  return scanRepository({
    root,
    policy: policyWith(setup.policy),
    registry: EMPTY_REGISTRY,
    options: {
      offline: false,
      concurrency: 4,
      verifyTarballs: false,
      cacheDir: undefined,
      registry: undefined,
      shard: undefined,
      env: setup.env ?? {},
    },
    include: [],
    exclude: [],
    logger: silentLogger,
    stages: [graphsStage, TEST_STAGE],
    today: '2026-01-01',
  });
}

describe("a lockfile's own project configuration: a subfolder's .npmrc (@npmcli/config loadProjectConfig), Bun's bunfig.toml", () => {
  it("its scope's packages are asked where that .npmrc maps the scope, not at the root's registry", async () => {
    const { reg, entries } = await privateRegistry(['@corp/a', '@corp/b', '@corp/c']);
    const root = tempDir();
    const user = path.join(tempDir('chainproof-userrc-'), '.npmrc');
    writeFileSync(user, 'registry=http://127.0.0.1:9/\n');
    mkdirSync(path.join(root, 'web'));
    writeFileSync(path.join(root, 'web', '.npmrc'), `@corp:registry=${reg.url}\n`);
    const graph = writeLockfile(path.join(root, 'web'), entries);
    const result = await scanTree(
      root,
      [
        {
          ...graph,
          lockfile: 'web/package-lock.json',
          packages: graph.packages.map((p) => ({ ...p, lockfile: 'web/package-lock.json' })),
        },
      ],
      {
        env: { npm_config_userconfig: user },
        policy: { verifySignatures: false, allowedRegistries: [reg.url] },
      },
    );
    expect(result.findings.map((f) => f.ruleId)).toEqual([]);
    expect(result.verifications.map((v) => v.status)).toEqual(['verified', 'verified', 'verified']);
  });

  it('a subfolder .npmrc naming a registry the policy does not allow is not followed', async () => {
    const { reg, entries } = await privateRegistry(['@corp/a']);
    const root = tempDir();
    const user = path.join(tempDir('chainproof-userrc-'), '.npmrc');
    writeFileSync(user, 'registry=http://127.0.0.1:9/\n');
    mkdirSync(path.join(root, 'web'));
    writeFileSync(path.join(root, 'web', '.npmrc'), `@corp:registry=${reg.url}\n`);
    const graph = writeLockfile(path.join(root, 'web'), entries);
    await scanTree(
      root,
      [
        {
          ...graph,
          lockfile: 'web/package-lock.json',
          packages: graph.packages.map((p) => ({ ...p, lockfile: 'web/package-lock.json' })),
        },
      ],
      {
        env: { npm_config_userconfig: user },
        policy: { verifySignatures: false, allowedRegistries: [] },
      },
    );
    expect(reg.seen).toEqual([]);
  });
  it('a bun.lock beside a bunfig.toml mapping the scope is verified at that registry (bunfig over .npmrc)', async () => {
    const { reg, entries } = await privateRegistry(['@corp/a', '@corp/b']);
    const root = tempDir();
    const user = path.join(tempDir('chainproof-userrc-'), '.npmrc');
    writeFileSync(user, 'registry=http://127.0.0.1:9/\n');
    writeFileSync(path.join(root, 'bunfig.toml'), `[install.scopes]\ncorp = "${reg.url}"\n`);
    const packages = Object.fromEntries(
      entries.map((e) => [e.name, [`${e.name}@${e.version}`, e.resolved, {}, e.integrity]]),
    );
    const deps = Object.fromEntries(entries.map((e) => [e.name, e.version]));
    const text = JSON.stringify(
      { lockfileVersion: 1, workspaces: { '': { name: 'app', dependencies: deps } }, packages },
      null,
      2,
    );
    writeFileSync(path.join(root, 'bun.lock'), text);
    const result = await scanTree(root, [parseLockfile('bun.lock', text)], {
      env: { npm_config_userconfig: user },
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(result.findings.map((f) => f.ruleId)).toEqual([]);
    expect(result.verifications.map((v) => v.status)).toEqual(['verified', 'verified']);
  });
});

describe('a token taken from a variable the scan does not have (npm env-replace leaves ${NAME} as written)', () => {
  it('CPD156 names the unset variable instead of calling the token refused', async () => {
    const reg = await startRegistry();
    reg.route('/corp-utils', { status: 401, body: { error: 'unauthorized' } });
    const user = path.join(tempDir('chainproof-userrc-'), '.npmrc');
    writeFileSync(user, `registry=${reg.url}\n${reg.url.replace(/^http:/, '')}:_authToken=\${CORP_NPM_TOKEN}\n`);
    const result = await scan([{ name: 'corp-utils', version: '1.0.0', integrity: fakeIntegrity('corp-utils') }], {
      env: { npm_config_userconfig: user },
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(reg.seen.every((r) => r.authorization === 'Bearer ${CORP_NPM_TOKEN}')).toBe(true);
    expect(result.findings.map((f) => f.ruleId)).toEqual(['CPD156']);
    expect(result.findings[0]!.message).toContain("names ${CORP_NPM_TOKEN}, unset in the scan's environment");
  });

  it('set by the environment, the variable is not said to be unset', async () => {
    const reg = await startRegistry();
    reg.route('/corp-utils', { status: 401, body: { error: 'unauthorized' } });
    const user = path.join(tempDir('chainproof-userrc-'), '.npmrc');
    writeFileSync(user, `registry=${reg.url}\n${reg.url.replace(/^http:/, '')}:_authToken=\${CORP_NPM_TOKEN}\n`);
    const result = await scan([{ name: 'corp-utils', version: '1.0.0', integrity: fakeIntegrity('corp-utils') }], {
      env: { npm_config_userconfig: user, CORP_NPM_TOKEN: 'npm_expiredTOKEN0123456789' },
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(result.findings[0]!.message).toContain('(refused, expired or without access)');
    expect(JSON.stringify(result)).not.toContain('npm_expiredTOKEN0123456789');
  });
});

describe('run by npm (npx, npm exec, npm run): @npmcli/config setEnvs exports the project .npmrc as npm_config_*', () => {
  it("an exported registry the policy does not allow is not asked: the environment is then the project's word", async () => {
    const { reg, entries } = await privateRegistry(['corp-utils']);
    const user = path.join(tempDir('chainproof-userrc-'), '.npmrc');
    writeFileSync(user, 'registry=http://127.0.0.1:9/\n');
    const result = await scan(entries, {
      env: {
        npm_config_userconfig: user,
        npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
        npm_config_registry: reg.url,
        npm_config_strict_ssl: 'false',
      },
      policy: { verifySignatures: false, allowedRegistries: [] },
    });
    expect(reg.seen).toEqual([]);
    expect(result.verifications.map((v) => v.status)).not.toContain('verified');
  });

  it('an exported registry the policy allows is still the one npm installs from', async () => {
    const { reg, entries } = await privateRegistry(['corp-utils']);
    const user = path.join(tempDir('chainproof-userrc-'), '.npmrc');
    writeFileSync(user, 'registry=http://127.0.0.1:9/\n');
    const result = await scan(entries, {
      env: { npm_config_userconfig: user, npm_execpath: '/usr/lib/npm-cli.js', npm_config_registry: reg.url },
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(result.verifications.map((v) => v.status)).toEqual(['verified']);
  });
});

describe('which .npmrc files and variables each package manager reads for a lockfile', () => {
  /** `entries` as the graph of a lockfile of `kind` at `lockfile` (the registry stage reads the graph, not the text). */
  function graphAt(
    root: string,
    lockfile: string,
    kind: 'npm' | 'pnpm' | 'yarn-classic' | 'bun',
    entries: LockEntry[],
  ) {
    const dir = path.join(root, path.dirname(lockfile));
    mkdirSync(dir, { recursive: true });
    const graph = writeLockfile(dir, entries);
    return { ...graph, kind, lockfile, packages: graph.packages.map((p) => ({ ...p, lockfile })) };
  }

  function userNpmrc(text: string): Record<string, string> {
    const file = path.join(tempDir('chainproof-userrc-'), '.npmrc');
    writeFileSync(file, text);
    return { npm_config_userconfig: file };
  }

  it("npm in a standalone project folder does not read the root's .npmrc (loadLocalPrefix stops at web/package.json)", async () => {
    const { reg, entries } = await privateRegistry(['@corp/a', '@corp/b']);
    const root = tempDir();
    // The root's file maps the scope to a dead port: npm, run in web/, never reads it.
    writeFileSync(path.join(root, '.npmrc'), '@corp:registry=http://127.0.0.1:9/\n');
    writeFileSync(path.join(root, 'package.json'), '{"name":"root"}\n');
    const graph = graphAt(root, 'web/package-lock.json', 'npm', entries);
    writeFileSync(path.join(root, 'web', 'package.json'), '{"name":"web"}\n');
    const result = await scanTree(root, [graph], {
      env: userNpmrc(`@corp:registry=${reg.url}\n`),
      policy: { verifySignatures: false, allowedRegistries: [reg.url, 'http://127.0.0.1:9/'] },
    });
    expect(result.findings.map((f) => f.ruleId)).toEqual([]);
    expect(result.verifications.map((v) => v.status)).toEqual(['verified', 'verified']);
  });

  it('npm in a subfolder without a package.json of its own reads the .npmrc of the nearest folder that has one', async () => {
    const { reg, entries } = await privateRegistry(['@corp/a']);
    const root = tempDir();
    mkdirSync(path.join(root, 'app', 'locks'), { recursive: true });
    writeFileSync(path.join(root, 'app', 'package.json'), '{"name":"app"}\n');
    writeFileSync(path.join(root, 'app', '.npmrc'), `@corp:registry=${reg.url}\n`);
    const graph = graphAt(root, 'app/locks/package-lock.json', 'npm', entries);
    const result = await scanTree(root, [graph], {
      env: userNpmrc('registry=http://127.0.0.1:9/\n'),
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(result.verifications.map((v) => v.status)).toEqual(['verified']);
  });

  it("yarn 1 ranks the user's .npmrc over a parent folder's (getPossibleConfigLocations, first found wins)", async () => {
    const user = await privateRegistry(['@corp/a']);
    const parent = await privateRegistry(['@corp/a']);
    const root = tempDir();
    writeFileSync(path.join(root, '.npmrc'), `@corp:registry=${parent.reg.url}\n`);
    const graph = graphAt(root, 'web/yarn.lock', 'yarn-classic', user.entries);
    const result = await scanTree(root, [graph], {
      env: userNpmrc(`@corp:registry=${user.reg.url}\n`),
      policy: { verifySignatures: false, allowedRegistries: [user.reg.url, parent.reg.url] },
    });
    expect(result.verifications.map((v) => v.status)).toEqual(['verified']);
    expect(user.reg.seen.some((r) => r.path === '/@corp%2fa' || r.path === '/@corp/a')).toBe(true);
    expect(parent.reg.seen).toEqual([]);
  });

  it(".yarnrc maps a scope yarn 1 installs from: it beats npm's default registry (NpmRegistry.getRegistry)", async () => {
    const { reg, entries } = await privateRegistry(['@corp/a', '@corp/b']);
    const root = tempDir();
    writeFileSync(path.join(root, '.yarnrc'), `# yarn 1\n"@corp:registry" "${reg.url}"\n`);
    const graph = graphAt(root, 'yarn.lock', 'yarn-classic', entries);
    const result = await scanTree(root, [graph], {
      env: userNpmrc('registry=http://127.0.0.1:9/\n'),
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(result.findings.map((f) => f.ruleId)).toEqual([]);
    expect(result.verifications.map((v) => v.status)).toEqual(['verified', 'verified']);
  });

  it("the user's ~/.yarnrc counts too, and a repository .yarnrc naming a registry the policy does not allow is not followed", async () => {
    const mine = await privateRegistry(['@corp/a']);
    const theirs = await privateRegistry(['@tools/x']);
    const home = tempDir('chainproof-home-');
    writeFileSync(path.join(home, '.yarnrc'), `"@corp:registry" "${mine.reg.url}"\n`);
    const root = tempDir();
    writeFileSync(path.join(root, '.yarnrc'), `"@tools:registry" "${theirs.reg.url}"\n`);
    const graph = graphAt(root, 'yarn.lock', 'yarn-classic', [...mine.entries, ...theirs.entries]);
    await scanTree(root, [graph], {
      env: { ...userNpmrc('registry=http://127.0.0.1:9/\n'), HOME: home },
      policy: { verifySignatures: false, allowedRegistries: [] },
    });
    expect(mine.reg.seen.length).toBeGreaterThan(0);
    expect(theirs.reg.seen).toEqual([]);
  });

  it('yarn 1 reads only lower-case npm_config_* names (BaseRegistry.mergeEnv looks the lower-cased name up)', async () => {
    const upper = await privateRegistry(['corp-utils']);
    const lower = await privateRegistry(['corp-utils']);
    const root = tempDir();
    const graph = graphAt(root, 'yarn.lock', 'yarn-classic', lower.entries);
    const result = await scanTree(root, [graph], {
      env: {
        ...userNpmrc('registry=http://127.0.0.1:9/\n'),
        npm_config_registry: lower.reg.url,
        // After the lower-case name: a reader taking the last of any case would pick this one.
        NPM_CONFIG_REGISTRY: upper.reg.url,
      },
      policy: { verifySignatures: false, allowedRegistries: [upper.reg.url, lower.reg.url] },
    });
    expect(result.verifications.map((v) => v.status)).toEqual(['verified']);
    expect(upper.reg.seen).toEqual([]);
  });

  it("pnpm reads the workspace root's .npmrc for a project lockfile of its own (shared-workspace-lockfile=false)", async () => {
    const { reg, entries } = await privateRegistry(['@corp/a']);
    const root = tempDir();
    writeFileSync(path.join(root, 'pnpm-workspace.yaml'), 'packages: ["packages/*"]\n');
    writeFileSync(path.join(root, 'package.json'), '{"name":"root"}\n');
    writeFileSync(path.join(root, '.npmrc'), `@corp:registry=${reg.url}\n`);
    const graph = graphAt(root, 'packages/a/pnpm-lock.yaml', 'pnpm', entries);
    const result = await scanTree(root, [graph], {
      env: userNpmrc('registry=http://127.0.0.1:9/\n'),
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(result.verifications.map((v) => v.status)).toEqual(['verified']);
  });

  it.each([
    ['registries: a scope map', (url: string) => `registries:\n  "@corp": ${url}\n`],
    [
      'registries: a declaration keyed by URL (pnpm 11.23)',
      (url: string) => `registries:\n  ${url}:\n    scopes: ["@corp"]\n`,
    ],
  ])("pnpm-workspace.yaml's %s is read over .npmrc (@pnpm/config getConfig)", async (_name, yaml) => {
    const { reg, entries } = await privateRegistry(['@corp/a']);
    const root = tempDir();
    writeFileSync(path.join(root, 'pnpm-workspace.yaml'), `packages: ["."]\n${yaml(reg.url)}`);
    const graph = graphAt(root, 'pnpm-lock.yaml', 'pnpm', entries);
    const result = await scanTree(root, [graph], {
      env: userNpmrc('@corp:registry=http://127.0.0.1:9/\n'),
      policy: { verifySignatures: false, allowedRegistries: [reg.url, 'http://127.0.0.1:9/'] },
    });
    expect(result.verifications.map((v) => v.status)).toEqual(['verified']);
  });

  it.each([
    ['a registry the policy does not allow', 'registries:\n  "@corp": URL\n', ['@corp/a'], false],
    ['a registry built from ${VAR} (pnpm 11.5.3 ignores it)', 'registry: ${CORP}\n', ['corp-utils'], true],
  ])('pnpm-workspace.yaml naming %s is not followed', async (_name, yaml, names, allowed) => {
    const { reg, entries } = await privateRegistry(names);
    const root = tempDir();
    writeFileSync(path.join(root, 'pnpm-workspace.yaml'), yaml.replace('URL', reg.url));
    const graph = graphAt(root, 'pnpm-lock.yaml', 'pnpm', entries);
    await scanTree(root, [graph], {
      env: { ...userNpmrc('registry=http://127.0.0.1:9/\n@corp:registry=http://127.0.0.1:9/\n'), CORP: reg.url },
      policy: { verifySignatures: false, allowedRegistries: ['http://127.0.0.1:9/', ...(allowed ? [reg.url] : [])] },
    });
    expect(reg.seen).toEqual([]);
  });

  it('pnpm_config_registry names the registry pnpm installs from (@pnpm/config parseEnvVars), over npm_config_registry', async () => {
    const { reg, entries } = await privateRegistry(['corp-utils']);
    const root = tempDir();
    const graph = graphAt(root, 'pnpm-lock.yaml', 'pnpm', entries);
    const result = await scanTree(root, [graph], {
      env: {
        ...userNpmrc('registry=http://127.0.0.1:9/\n'),
        npm_config_registry: 'http://127.0.0.1:9/',
        pnpm_config_registry: reg.url,
      },
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(result.verifications.map((v) => v.status)).toEqual(['verified']);
  });

  it('BUN_CONFIG_REGISTRY names the registry bun installs from, over NPM_CONFIG_REGISTRY (PackageManagerOptions.zig load)', async () => {
    const { reg, entries } = await privateRegistry(['corp-utils']);
    const root = tempDir();
    const graph = graphAt(root, 'bun.lock', 'bun', entries);
    const result = await scanTree(root, [graph], {
      env: {
        ...userNpmrc('registry=http://127.0.0.1:9/\n'),
        NPM_CONFIG_REGISTRY: 'http://127.0.0.1:9/',
        BUN_CONFIG_REGISTRY: reg.url,
      },
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(result.verifications.map((v) => v.status)).toEqual(['verified']);
  });

  it('bun reads no npm_config_@scope:registry: its scope stays on the default registry', async () => {
    const { reg, entries } = await privateRegistry(['@corp/a']);
    const root = tempDir();
    const graph = graphAt(root, 'bun.lock', 'bun', entries);
    await scanTree(root, [graph], {
      env: { ...userNpmrc('registry=http://127.0.0.1:9/\n'), 'npm_config_@corp:registry': reg.url },
      policy: { verifySignatures: false, allowedRegistries: [reg.url] },
    });
    expect(reg.seen).toEqual([]);
  });
});
