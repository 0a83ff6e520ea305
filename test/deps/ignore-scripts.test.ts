import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';
import { PNPM_FILE_TARBALL_LOCK } from '../helpers/lockfile-text.js';

/**
 * `ignore-scripts` keeps npm and pnpm from running any dependency's install scripts, so CPD012 does not stand for
 * them. Checked with a file: tarball whose postinstall writes a marker: npm 11.19.1 and pnpm 9.15.9 / 10.34.9 skipped
 * it with `ignore-scripts=true` in the project's .npmrc, pnpm 10.34.9 and 12.26.0 with `ignoreScripts: true` in
 * pnpm-workspace.yaml, while pnpm 12.26.0 ran it under the .npmrc line (with every build allowed).
 */
const SHA = `sha512-${'A'.repeat(86)}==`;
const NPM_LOCK = JSON.stringify(
  {
    name: 'p',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'p', dependencies: { 'hello-build': '1.0.0' } },
      'node_modules/hello-build': {
        version: '1.0.0',
        resolved: 'https://registry.npmjs.org/hello-build/-/hello-build-1.0.0.tgz',
        integrity: SHA,
        hasInstallScript: true,
      },
    },
  },
  null,
  2,
);
const NPM_MANIFEST = JSON.stringify({ name: 'p', dependencies: { 'hello-build': '1.0.0' } });

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function scriptFindings(files: Record<string, string>, env: Record<string, string> = {}): Promise<string[]> {
  const dir = await repoWith(files);
  dirs.push(dir);
  const r = await scanDeps(dir, { env });
  return r.findings.filter((f) => f.ruleId === 'CPD012').map((f) => `${f.location.path}:${f.location.line ?? ''}`);
}

describe('npm: ignore-scripts in the project .npmrc', () => {
  const project = (npmrc?: string, at = '') => ({
    'app/package-lock.json': NPM_LOCK,
    'app/package.json': NPM_MANIFEST,
    ...(npmrc !== undefined ? { [`${at}.npmrc`]: npmrc } : {}),
  });
  it.each([
    { name: 'not set: the install script runs', files: project(), want: ['app/package-lock.json:12'] },
    { name: 'ignore-scripts=true: nothing runs', files: project('ignore-scripts=true\n', 'app/'), want: [] },
    {
      name: 'ignore-scripts=false',
      files: project('ignore-scripts=false\n', 'app/'),
      want: ['app/package-lock.json:12'],
    },
    {
      // npm reads the project's own .npmrc (beside package.json), not one in a parent folder of the tree.
      name: 'a parent folder .npmrc is not the project config',
      files: project('ignore-scripts=true\n', ''),
      want: ['app/package-lock.json:12'],
    },
  ])('$name', async ({ files, want }) => {
    expect(await scriptFindings(files)).toEqual(want);
  });

  it('the environment (npm_config_ignore_scripts) is a layer above the project .npmrc', async () => {
    const files = project('ignore-scripts=true\n', 'app/');
    expect(await scriptFindings(files, { npm_config_ignore_scripts: 'false' })).toEqual(['app/package-lock.json:12']);
    expect(await scriptFindings(project(), { NPM_CONFIG_IGNORE_SCRIPTS: 'true' })).toEqual([]);
  });

  it('an empty npm_config_ignore_scripts is no setting: the project .npmrc decides (@npmcli/config loadEnv)', async () => {
    const files = project('ignore-scripts=true\n', 'app/');
    expect(await scriptFindings(files, { npm_config_ignore_scripts: '' })).toEqual([]);
  });
});

describe('pnpm: ignore-scripts in .npmrc (pnpm ≤ 10) and ignoreScripts in pnpm-workspace.yaml (pnpm 10+)', () => {
  const lock = PNPM_FILE_TARBALL_LOCK;
  const graphBlock = async (files: Record<string, string>) => {
    const dir = await repoWith({ 'pnpm-lock.yaml': lock, ...files });
    dirs.push(dir);
    const r = await scanDeps(dir);
    return r.graphs[0]!.packages.map((p) => p.buildDisabled ?? null);
  };
  const manifest = (pm: string) =>
    JSON.stringify({
      name: 'p',
      packageManager: `pnpm@${pm}`,
      dependencies: { 'hello-build': 'file:hello-build-1.0.0.tgz' },
    });
  const allowAll = 'dangerouslyAllowAllBuilds: true\n';
  it.each([
    { name: 'pnpm@9 reads .npmrc', pm: '9.15.9', npmrc: 'ignore-scripts=true\n', want: ['ignoreScripts'] },
    { name: 'pnpm@9 without it builds', pm: '9.15.9', want: [null] },
    {
      name: 'pnpm@10 reads .npmrc',
      pm: '10.34.9',
      yaml: allowAll,
      npmrc: 'ignore-scripts=true\n',
      want: ['ignoreScripts'],
    },
    {
      name: 'pnpm@10: the YAML key wins over .npmrc',
      pm: '10.34.9',
      yaml: `${allowAll}ignoreScripts: false\n`,
      npmrc: 'ignore-scripts=true\n',
      want: [null],
    },
    {
      name: 'pnpm@12 ignores the .npmrc line',
      pm: '12.26.0',
      yaml: allowAll,
      npmrc: 'ignore-scripts=true\n',
      want: [null],
    },
    {
      name: 'pnpm@12 reads the YAML key',
      pm: '12.26.0',
      yaml: `${allowAll}ignoreScripts: true\n`,
      want: ['ignoreScripts'],
    },
  ])('$name', async ({ pm, yaml, npmrc, want }) => {
    const files: Record<string, string> = { 'package.json': manifest(pm) };
    if (yaml !== undefined) files['pnpm-workspace.yaml'] = yaml;
    if (npmrc !== undefined) files['.npmrc'] = npmrc;
    expect(await graphBlock(files)).toEqual(want);
  });
});

/**
 * yarn 1.22.22 with the same file: tarball: the postinstall was skipped under `ignore-scripts true`, `ignore-scripts
 * "false"`, `--ignore-scripts true` / `--install.ignore-scripts true` (in the project's or a parent's .yarnrc) and
 * YARN_IGNORE_SCRIPTS=true; it ran under `ignore-scripts false`, `--ignore-scripts "true"`, a nearer
 * `--ignore-scripts false`, YARN_IGNORE_SCRIPTS=false over `ignore-scripts true`, `.npmrc` `ignore-scripts=true` and
 * npm_config_ignore_scripts=true.
 */
describe('yarn 1: ignore-scripts as Config.init reads it', () => {
  const lock = `# yarn lockfile v1


"hello-build@file:hello-build-1.0.0.tgz":
  version "1.0.0"
  resolved "file:hello-build-1.0.0.tgz#abc"
`;
  const manifest = JSON.stringify({ name: 'p', dependencies: { 'hello-build': 'file:hello-build-1.0.0.tgz' } });
  const graphBlock = async (files: Record<string, string>, env: Record<string, string> = {}) => {
    const dir = await repoWith({ 'app/yarn.lock': lock, 'app/package.json': manifest, ...files });
    dirs.push(dir);
    const r = await scanDeps(dir, { env });
    return r.graphs[0]!.packages.map((p) => p.buildDisabled ?? null);
  };
  it.each([
    { name: 'not set: yarn builds', files: {}, want: [null] },
    { name: "the project's .yarnrc", files: { 'app/.yarnrc': 'ignore-scripts true\n' }, want: ['ignoreScripts'] },
    { name: 'set false', files: { 'app/.yarnrc': 'ignore-scripts false\n' }, want: [null] },
    {
      // Boolean("false"): a quoted value is a string, and any non-empty string is truthy.
      name: 'a quoted "false" still ignores',
      files: { 'app/.yarnrc': 'ignore-scripts "false"\n' },
      want: ['ignoreScripts'],
    },
    {
      // The user's ~/.yarnrc ranks above a parent folder's (getPossibleConfigLocations), so it is not certain.
      name: "a parent folder's plain setting",
      files: { '.yarnrc': 'ignore-scripts true\n' },
      want: [null],
    },
    {
      // yarn's DEFAULTS fill `ignore-scripts: false` before getOption falls back to npm's config.
      name: '.npmrc is not read',
      files: { 'app/.npmrc': 'ignore-scripts=true\n' },
      want: [null],
    },
    {
      name: 'a --ignore-scripts line in a parent folder is a command-line flag',
      files: { '.yarnrc': '--ignore-scripts true\n' },
      want: ['ignoreScripts'],
    },
    {
      name: '--install.ignore-scripts applies to install',
      files: { 'app/.yarnrc': '--install.ignore-scripts true\n' },
      want: ['ignoreScripts'],
    },
    {
      // buildRcArgs pushes a boolean flag only for an unquoted true; the nearer file's key wins.
      name: 'the nearest --ignore-scripts wins, and only true sets the flag',
      files: { '.yarnrc': '--ignore-scripts true\n', 'app/.yarnrc': '--ignore-scripts "true"\n' },
      want: [null],
    },
  ])('$name', async ({ files, want }) => {
    expect(await graphBlock(files)).toEqual(want);
  });

  it('a git dependency is still prepared (its prepare and install scripts run) unless the environment says so', async () => {
    // GitFetcher fetchFromInstallAndPack installs the clone under a Config of its own: with yarn 1.22.22 the
    // flag and both .yarnrc forms still ran a git dependency's postinstall and prepare, YARN_IGNORE_SCRIPTS did not.
    const gitLock = `# yarn lockfile v1


"gitdep@github:me/gitdep#0123456789abcdef0123456789abcdef01234567":
  version "1.0.0"
  resolved "git+https://github.com/me/gitdep.git#0123456789abcdef0123456789abcdef01234567"
`;
    const gitManifest = JSON.stringify({ name: 'p', dependencies: { gitdep: 'github:me/gitdep' } });
    const git = { 'app/yarn.lock': gitLock, 'app/package.json': gitManifest };
    expect(await graphBlock({ ...git, 'app/.yarnrc': 'ignore-scripts true\n' })).toEqual([null]);
    expect(await graphBlock({ ...git, 'app/.yarnrc': '--ignore-scripts true\n' })).toEqual([null]);
    expect(await graphBlock(git, { YARN_IGNORE_SCRIPTS: 'true' })).toEqual(['ignoreScripts']);
    expect(
      await graphBlock({ ...git, 'app/.yarnrc': '--ignore-scripts true\n' }, { YARN_IGNORE_SCRIPTS: 'false' }),
    ).toEqual([null]);
  });

  it('YARN_IGNORE_SCRIPTS is over the files; npm_config_ignore_scripts is not read', async () => {
    expect(await graphBlock({}, { YARN_IGNORE_SCRIPTS: 'true' })).toEqual(['ignoreScripts']);
    expect(await graphBlock({ 'app/.yarnrc': 'ignore-scripts true\n' }, { yarn_ignore_scripts: 'false' })).toEqual([
      null,
    ]);
    expect(await graphBlock({}, { npm_config_ignore_scripts: 'true' })).toEqual([null]);
  });
});

/**
 * A git dependency's scripts run when npm fetches it: pacote's GitFetcher `#prepareDir` spawns `npm install` in the
 * clone, which runs the clone's own lifecycle (postinstall, prepare), before arborist's rebuild and its `allowScripts`
 * gate. Checked with a git+file: dependency whose postinstall and prepare write markers: with `ignore-scripts=true` in
 * the project .npmrc npm 11.19.1 and 11.21.3 ran neither (npm exports the setting to the child as
 * `npm_config_ignore_scripts`, @npmcli/config `setEnvs`); npm 12.2.3 (`allow-git=all`) and 11.21.3 ran both although
 * `allowScripts` left the package out or denied it ("install scripts blocked").
 */
describe('npm: a git dependency under ignore-scripts and allowScripts', () => {
  const GIT_LOCK = JSON.stringify(
    {
      name: 'p',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'p', dependencies: { gitdep: 'github:me/gitdep' } },
        'node_modules/gitdep': {
          version: '1.0.0',
          resolved: 'git+ssh://git@github.com/me/gitdep.git#0123456789abcdef0123456789abcdef01234567',
          hasInstallScript: true,
        },
      },
    },
    null,
    2,
  );
  const npm12 = { devEngines: { packageManager: { name: 'npm', version: '^12.0.0' } } };
  const project = (manifest: Record<string, unknown>, npmrc?: string) => ({
    'package-lock.json': GIT_LOCK,
    'package.json': JSON.stringify({ name: 'p', dependencies: { gitdep: 'github:me/gitdep' }, ...manifest }),
    ...(npmrc !== undefined ? { '.npmrc': npmrc } : {}),
  });
  it.each([
    { name: 'nothing set: its scripts run', files: project({}), want: ['package-lock.json:12'] },
    { name: 'ignore-scripts=true: nothing runs', files: project({}, 'ignore-scripts=true\n'), want: [] },
    {
      name: 'npm 12 allowScripts without it: its scripts run when it is fetched',
      files: project({ ...npm12, allowScripts: { 'left-pad': true } }, 'allow-git=all\n'),
      want: ['package-lock.json:12'],
    },
    {
      name: 'npm 12 allowScripts and ignore-scripts=true: nothing runs',
      files: project({ ...npm12, allowScripts: { 'left-pad': true } }, 'allow-git=all\nignore-scripts=true\n'),
      want: [],
    },
  ])('$name', async ({ files, want }) => {
    expect(await scriptFindings(files)).toEqual(want);
  });
});
