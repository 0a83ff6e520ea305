import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/app/render.js';
import { FIXTURES } from '../helpers/npm-endpoints-server.js';
import { startVerdaccio, type Published, type Verdaccio } from '../helpers/verdaccio.js';
import { berryLockOf, scanProject } from './berry-project.js';

/**
 * A yarn 2+ project against Verdaccio as a real private registry (every route behind authentication): the
 * registry comes from the project's `.yarnrc.yml`, the token only from the user's own configuration.
 */
const PACKAGES = path.join(FIXTURES, 'registry', 'packages');
let registry: Verdaccio;
const published: Published[] = [];

beforeAll(async () => {
  registry = await startVerdaccio();
  for (const dir of ['cp-fixture-alpha', 'cp-fixture-beta'])
    published.push(await registry.publish(path.join(PACKAGES, dir)));
}, 60_000);

afterAll(async () => {
  await registry?.stop();
});

const project = () => ({
  lock: berryLockOf(published),
  yarnrc: `npmRegistryServer: "${registry.url}"\n`,
  allowed: [registry],
});

describe('berry against Verdaccio', () => {
  it.each([
    { name: 'YARN_NPM_AUTH_TOKEN', via: () => ({ env: { YARN_NPM_AUTH_TOKEN: registry.token } }) },
    { name: '~/.yarnrc.yml npmAuthToken', via: () => ({ home: `npmAuthToken: "${registry.token}"\n` }) },
    {
      name: '~/.yarnrc.yml npmRegistries entry',
      via: () => ({ home: `npmRegistries:\n  "${registry.url}":\n    npmAuthToken: "${registry.token}"\n` }),
    },
  ])('the user’s token ($name): both packages verified, the token in no report', async ({ via }) => {
    const { result, ids } = await scanProject({ ...project(), ...via() });
    expect(ids).toEqual([]);
    expect(result.summary).toMatchObject({ verified: 2, failed: 0, unverifiable: 0 });
    for (const f of ['text', 'json', 'sarif', 'markdown'] as const)
      expect(renderReport(result, f, { toolVersion: '0.0.0', color: false, verbose: true })).not.toContain(
        registry.token,
      );
  });

  it('a token only in the repository .yarnrc.yml is not used: the private registry refuses (CPD156)', async () => {
    const p = project();
    const { result, ids } = await scanProject({
      ...p,
      yarnrc: `${p.yarnrc}npmAuthToken: "\${CP_TEST_TOKEN}"\n`,
      env: { CP_TEST_TOKEN: registry.token },
    });
    // Verdaccio answers 401: the one "wants credentials" cause, not "registry down".
    expect(ids).toContain('CPD156');
    expect(result.summary).toMatchObject({ verified: 0, unverifiable: 2 });
  });
});
