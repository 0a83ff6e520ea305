import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead, reviewWorkTree, type Tree } from './repo.js';

/**
 * yarn 4 loads `.env.yarn` (or the files `injectEnvironmentFiles` lists) into the environment of every script and
 * binary it starts: a `NODE_OPTIONS=--require ./x.js` there runs code in every lifecycle script of the install, as
 * `.npmrc` `node-options` does for npm (already CPU026). Before, adding or rewriting that file, or pointing the
 * setting at another file, passed the review silently. Each is CPU026 now.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const LOCK = `__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n  languageName: unknown\n  linkType: soft\n`;
const PROJECT: Tree = { 'package.json': '{"name":"app","packageManager":"yarn@4.5.0"}', 'yarn.lock': LOCK };
const EVIL = 'NODE_OPTIONS=--require ./scripts/hook.js\n';

async function cpu026(base: Tree, head: Tree, workTree = false) {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  const r = await (workTree ? reviewWorkTree : reviewHead)(repo.dir, { gate: 'any' });
  return r.findings.filter((f) => f.ruleId === 'CPU026').map((f) => `${f.location.path}:${f.location.line ?? '-'}`);
}

describe('review of yarn environment files', () => {
  it('a new .env.yarn beside the lockfile (yarn default) → CPU026 at it', async () => {
    expect(await cpu026(PROJECT, { '.env.yarn': EVIL })).toEqual(['.env.yarn:1']);
  });

  it('the same in the working tree (what the Action reviews)', async () => {
    expect(await cpu026(PROJECT, { '.env.yarn': EVIL }, true)).toEqual(['.env.yarn:1']);
  });

  it('a rewritten file that .yarnrc.yml names → CPU026 at that file', async () => {
    const base = { ...PROJECT, '.yarnrc.yml': 'injectEnvironmentFiles:\n  - ci/build.env?\n', 'ci/build.env': 'A=1\n' };
    expect(await cpu026(base, { 'ci/build.env': EVIL })).toEqual(['ci/build.env:1']);
  });

  it('injectEnvironmentFiles pointed at another file → CPU026 at the setting', async () => {
    const base = { ...PROJECT, '.yarnrc.yml': 'nodeLinker: node-modules\n', '.env': EVIL };
    expect(
      await cpu026(base, { '.yarnrc.yml': 'nodeLinker: node-modules\ninjectEnvironmentFiles: [".env"]\n' }),
    ).toEqual(['.yarnrc.yml:2']);
  });

  it('a .env that yarn does not load changed → nothing', async () => {
    expect(await cpu026({ ...PROJECT, '.env': 'A=1\n' }, { '.env': EVIL })).toEqual([]);
  });
});
