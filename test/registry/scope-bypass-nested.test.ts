import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { depsStage } from '../../src/deps/stage.js';
import { scanWith } from '../helpers/scan.js';
import { fakeIntegrity, routeRegistries } from './route-registry.js';
import { TEST_STAGE, policyWith, tempDir, writeLockfile } from './scan.js';

const startRegistry = routeRegistries();
/** npm fetches a resolved URL under the scope registry from there: no bypassed scope mapping to name (CPD107/CPD157). */
it('a scope registry below the default one: a URL under it is not called a bypass of the scope mapping', async () => {
  const a = await startRegistry();
  const b = `${a.url}private/`;
  const name = '@corp/a';
  a.route(`/private/${name}`, {
    body: {
      name,
      'dist-tags': { latest: '1.0.0' },
      versions: {
        '1.0.0': {
          name,
          version: '1.0.0',
          dist: { integrity: fakeIntegrity(name), tarball: `${b}${name}/-/a-1.0.0.tgz` },
        },
      },
    },
  });
  const root = tempDir();
  const home = tempDir();
  writeFileSync(path.join(home, '.npmrc'), `registry=${a.url}\n@corp:registry=${b}\n`);
  writeFileSync(
    path.join(root, 'package.json'),
    JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { [name]: '1.0.0' } }),
  );
  writeFileSync(path.join(root, '.npmrc'), '');
  writeLockfile(root, [
    { name, version: '1.0.0', resolved: `${b}${name}/-/a-1.0.1.tgz`, integrity: fakeIntegrity(name) },
  ]);
  const r = await scanWith(root, [depsStage, TEST_STAGE], {
    policy: policyWith({ verifySignatures: false, allowedRegistries: [a.url, b] }),
    options: { offline: false, env: { npm_config_userconfig: path.join(home, '.npmrc') } },
  });
  for (const f of r.findings) expect(f.message).not.toContain('from the default registry');
  expect(r.findings.some((f) => f.evidence?.['scopeRegistry'] !== undefined)).toBe(false);
});
