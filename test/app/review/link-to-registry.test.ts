import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead, type Tree } from './repo.js';

/**
 * One of the repository's own packages (a workspace) swapped for a registry package of the same name: the
 * dependency-confusion shape. The diff leaves workspace links out, so before it read as a plain addition with no
 * finding (only the patch gate's "adds"); `--gate any` passed it. It is CPU002 at the head entry, as the other
 * direction (registry → link) already was.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const sri = (n: number) => `sha512-${Buffer.alloc(64, n).toString('base64')}`;
const ROOT = { name: 'app', version: '1.0.0', workspaces: ['packages/*'], dependencies: { '@corp/x': '^1.0.0' } };
const npmLock = (packages: Record<string, unknown>) =>
  JSON.stringify(
    { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': ROOT, ...packages } },
    null,
    2,
  ) + '\n';
const WORKSPACE = {
  'packages/x': { name: '@corp/x', version: '1.0.0' },
  'node_modules/@corp/x': { resolved: 'packages/x', link: true },
};
const REGISTRY_X = {
  version: '1.0.0',
  resolved: 'https://registry.npmjs.org/@corp/x/-/x-1.0.0.tgz',
  integrity: sri(3),
};
const files: Tree = {
  'package.json': JSON.stringify(ROOT),
  'packages/x/package.json': '{"name":"@corp/x","version":"1.0.0"}',
};

const berry = (entry: string) =>
  `__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n  dependencies:\n    "@corp/x": "npm:^1.0.0"\n  languageName: unknown\n  linkType: soft\n\n${entry}`;
const BERRY_WS = `"@corp/x@npm:^1.0.0, @corp/x@workspace:packages/x":\n  version: 0.0.0-use.local\n  resolution: "@corp/x@workspace:packages/x"\n  languageName: unknown\n  linkType: soft\n`;
const BERRY_NPM = `"@corp/x@npm:^1.0.0":\n  version: 1.0.0\n  resolution: "@corp/x@npm:1.0.0"\n  checksum: 10c0/${'ab'.repeat(64)}\n  languageName: node\n  linkType: hard\n`;

/** 1-based line of the first line of `text` that contains `needle`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

async function cpu002(base: Tree, head: Tree) {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  const r = await reviewHead(repo.dir, { gate: 'any' });
  return {
    found: r.findings
      .filter((f) => f.ruleId === 'CPU002')
      .map((f) => `${f.location.path}:${f.location.line}:${f.level}`),
    any: r.gate?.passed,
  };
}

describe('review of a workspace package swapped for a registry one', () => {
  it('npm: the workspace link replaced by @corp/x from the registry → CPU002 at the entry; the any gate fails', async () => {
    const head = npmLock({ 'node_modules/@corp/x': REGISTRY_X });
    const r = await cpu002({ ...files, 'package-lock.json': npmLock(WORKSPACE) }, { 'package-lock.json': head });
    expect(r).toEqual({ found: [`package-lock.json:${lineOf(head, '"node_modules/@corp/x"')}:error`], any: false });
  });

  it('yarn berry: the workspace: entry replaced by npm: → CPU002', async () => {
    const r = await cpu002({ ...files, 'yarn.lock': berry(BERRY_WS) }, { 'yarn.lock': berry(BERRY_NPM) });
    expect(r.found).toEqual([`yarn.lock:${lineOf(berry(BERRY_NPM), '"@corp/x@npm:^1.0.0":')}:error`]);
  });

  it('the workspace stays and a dependency also takes the published one → nothing', async () => {
    const nested = { 'node_modules/dep/node_modules/@corp/x': REGISTRY_X };
    const r = await cpu002(
      { ...files, 'package-lock.json': npmLock(WORKSPACE) },
      { 'package-lock.json': npmLock({ ...WORKSPACE, ...nested }) },
    );
    expect(r.found).toEqual([]);
  });
});

/**
 * npm locks a `file:` folder as a link and the folder entry it points at (`vendor/x: {name, version}`), whose name and
 * version are whatever package.json the change committed there. That entry read as the registry package still being
 * installed, so a registry package moved into the repository (or a vendored one moved to the registry) at the same
 * version passed `--gate patch` as "No dependency or model change".
 */
describe('review of an npm file: folder swapped with a registry package of the same version', () => {
  const FOLDER = {
    'node_modules/@corp/x': { resolved: 'vendor/x', link: true },
    'vendor/x': { name: '@corp/x', version: '1.0.0' },
  };
  const vendored: Tree = {
    'package.json': JSON.stringify({ ...ROOT, workspaces: undefined, dependencies: { '@corp/x': 'file:vendor/x' } }),
    'vendor/x/package.json': '{"name":"@corp/x","version":"1.0.0"}',
  };

  it('registry → a folder of the repository → CPU002 at the link entry; the any gate fails', async () => {
    const head = npmLock(FOLDER);
    const r = await cpu002(
      { ...files, 'package-lock.json': npmLock({ 'node_modules/@corp/x': REGISTRY_X }) },
      { ...vendored, 'package-lock.json': head },
    );
    expect(r).toEqual({ found: [`package-lock.json:${lineOf(head, '"node_modules/@corp/x"')}:error`], any: false });
  });

  it('a folder of the repository → the registry → CPU002 at the entry', async () => {
    const head = npmLock({ 'node_modules/@corp/x': REGISTRY_X });
    const r = await cpu002({ ...vendored, 'package-lock.json': npmLock(FOLDER) }, { 'package-lock.json': head });
    expect(r).toEqual({ found: [`package-lock.json:${lineOf(head, '"node_modules/@corp/x"')}:error`], any: false });
  });
});
