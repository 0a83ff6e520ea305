import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';
import { berryLock } from '../helpers/lockfile-text.js';

/**
 * yarn 2+ packs a git dependency its cache lacks in a temporary clone (GitFetcher `cloneFromRemote`, plugin-github's
 * fetcher likewise → scriptUtils `prepareExternalProject`: `yarn pack --install-if-needed`, or yarn 1's / npm's
 * install and pack), with an environment built without the project. The project's `enableScripts: false` gates only
 * its own build step, so the dependency's install and prepack still run: CPD007 says so instead of leaving the
 * setting to read as a safeguard.
 */
const SHA = '0123456789abcdef0123456789abcdef01234567';
const LOCK = berryLock({ g: `https://github.com/o/g.git#${SHA}` }, [
  `"g@https://github.com/o/g.git#${SHA}":`,
  '  version: 1.0.0',
  `  resolution: "g@https://github.com/o/g.git#commit=${SHA}"`,
  '  languageName: node',
  '  linkType: hard',
  '',
]);

async function gitMessage(yarnrc: string | undefined): Promise<string> {
  const root = await repoWith({
    'package.json': JSON.stringify({ name: 'app', dependencies: { g: `https://github.com/o/g.git#${SHA}` } }),
    'yarn.lock': LOCK,
    ...(yarnrc !== undefined ? { '.yarnrc.yml': yarnrc } : {}),
  });
  const r = await scanDeps(root);
  const found = r.findings.filter((f) => f.ruleId === 'CPD007');
  expect(found).toHaveLength(1);
  return found[0]!.message;
}

describe('yarn 2+: enableScripts: false does not stop a git dependency’s preparation', () => {
  it('CPD007 says the clone’s install and prepack still run', async () => {
    const message = await gitMessage('enableScripts: false\n');
    expect(message).toContain('enableScripts: false does not stop it');
    expect(message).toContain('prepareExternalProject');
  });

  it('says nothing of it where scripts are on', async () => {
    expect(await gitMessage(undefined)).not.toContain('enableScripts');
    expect(await gitMessage('enableScripts: true\n')).not.toContain('enableScripts');
  });
});
