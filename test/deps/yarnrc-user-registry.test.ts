import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { depsStage } from '../../src/deps/stage.js';
import { scanWith } from '../helpers/scan.js';
import { berryLock } from '../registry/berry-project.js';
import { policyWith, tempDir } from '../registry/scan.js';

/**
 * The offline dependency checks of a yarn 2+ project rank the user's own yarn configuration (`YARN_*`,
 * `~/.yarnrc.yml`) with the repository's `.yarnrc.yml` as yarn and the registry stage do: a private scope the
 * user maps to a private registry is not "resolved from the public registry" (CPD011). One resolver for both:
 * deps/yarnrc-registries.ts.
 */
const PRIVATE = 'https://npm.corp.example/';

describe('offline CPD011 for yarn 2+: the user configuration counts', () => {
  it.each<{ name: string; home?: string; env?: Record<string, string>; yarnrc?: string; want: string[] }>([
    { name: 'control: no configuration → yarn default, public', want: ['CPD011'] },
    {
      name: '~/.yarnrc.yml maps the scope to a private registry',
      home: `npmScopes:\n  corp:\n    npmRegistryServer: "${PRIVATE}"\n`,
      want: [],
    },
    { name: 'YARN_NPM_REGISTRY_SERVER is a private registry', env: { YARN_NPM_REGISTRY_SERVER: PRIVATE }, want: [] },
    {
      name: 'YARN_NPM_REGISTRY_SERVER over a tree .yarnrc.yml naming the public registry',
      env: { YARN_NPM_REGISTRY_SERVER: PRIVATE },
      yarnrc: 'npmRegistryServer: "https://registry.npmjs.org"\n',
      want: [],
    },
    {
      name: 'a tree scope entry hides the home one (yarn: the nearer entry wins whole)',
      home: `npmScopes:\n  corp:\n    npmRegistryServer: "${PRIVATE}"\n`,
      yarnrc: 'npmScopes:\n  corp:\n    npmRegistryServer: "https://registry.npmjs.org"\n',
      want: ['CPD011'],
    },
  ])('$name → $want', async ({ home, env, yarnrc, want }) => {
    const root = tempDir('chainproof-yarnrc-user-');
    writeFileSync(path.join(root, 'yarn.lock'), berryLock(true));
    if (yarnrc !== undefined) writeFileSync(path.join(root, '.yarnrc.yml'), yarnrc);
    const homeDir = tempDir('chainproof-yarnrc-home-');
    if (home !== undefined) writeFileSync(path.join(homeDir, '.yarnrc.yml'), home);
    const result = await scanWith(root, [depsStage], {
      policy: policyWith({ privateScopes: ['@corp'], allowedRegistries: ['https://registry.npmjs.org/', PRIVATE] }),
      options: { offline: true, env: { HOME: homeDir, ...env } },
    });
    const cpd011 = result.findings.filter((f) => f.ruleId === 'CPD011');
    expect(cpd011.map((f) => f.ruleId)).toEqual(want);
    if (want.length > 0) expect(cpd011[0]?.artifact).toMatchObject({ name: '@corp/thing' });
  });
});
