import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { routeRegistries } from './route-registry.js';
import { scanGraphs, tempDir, writeLockfile } from './scan.js';

/**
 * The lockfile's integrity is held against the registry's on the one algorithm the package manager checks a download
 * with: ssri's IntegrityStream picks the strongest of the lockfile's value (`sri.pickAlgorithm`) and never looks at
 * the others. With npm 11.19 and a loopback server, `"integrity": "sha1-<the published tarball's> sha384-<another
 * tarball's>"` installed the other tarball, and so did the same with sha224 in place of sha384.
 */
const startRegistry = routeRegistries();

const digest = (algorithm: string, seed: string) =>
  `${algorithm}-${createHash(algorithm).update(seed).digest('base64')}`;
const published = { integrity: digest('sha512', 'good'), shasum: createHash('sha1').update('good').digest('hex') };

describe('the integrity npm checks, not one that merely matches', () => {
  it.each([
    {
      name: 'the published sha512 beside another sha1: npm checks the sha512',
      integrity: `${digest('sha512', 'good')} ${digest('sha1', 'evil')}`,
      want: [],
      status: 'verified',
    },
    {
      name: 'the published sha1 beside another sha384: npm checks the sha384',
      integrity: `${digest('sha1', 'good')} ${digest('sha384', 'evil')}`,
      want: ['CPD130'],
      status: 'unverifiable',
    },
    {
      name: 'the published sha1 beside a sha224 (ssri ranks it above sha1)',
      integrity: `${digest('sha1', 'good')} ${digest('sha224', 'evil')}`,
      want: ['CPD130'],
      status: 'unverifiable',
    },
    {
      name: 'the published sha1 beside another sha512: npm checks the sha512',
      integrity: `${digest('sha1', 'good')} ${digest('sha512', 'evil')}`,
      want: ['CPD100'],
      status: 'failed',
    },
  ])('$name', async ({ integrity, want, status }) => {
    const { reg, tarball } = await leftPadRegistry();
    const root = tempDir();
    const graph = writeLockfile(root, [{ name: 'left-pad', version: '1.3.0', resolved: tarball, integrity }]);
    const result = await scanGraphs({ root, graphs: [graph], registry: reg.url, policy: { verifySignatures: false } });
    expect(result.findings.map((f) => f.ruleId).sort()).toEqual(want);
    expect(result.verifications.map((v) => v.status)).toEqual([status]);
    if (want.includes('CPD130'))
      expect(result.findings[0]?.evidence).toMatchObject({ checked: integrity.split(' ')[1]!.split('-')[0] });
  });
});

/** A loopback registry publishing left-pad 1.3.0 with `published` as its dist, and the tarball URL it names. */
async function leftPadRegistry() {
  const reg = await startRegistry();
  const tarball = `${reg.url}left-pad/-/left-pad-1.3.0.tgz`;
  reg.route('/left-pad', {
    body: {
      name: 'left-pad',
      'dist-tags': { latest: '1.3.0' },
      versions: { '1.3.0': { name: 'left-pad', version: '1.3.0', dist: { ...published, tarball } } },
    },
  });
  return { reg, tarball };
}

describe('a lockfile integrity that is no valid SRI', () => {
  it('is unverifiable as not valid, not as missing', async () => {
    const { reg, tarball } = await leftPadRegistry();
    const root = tempDir();
    // A sha512 digest 40 bytes long: ssri reads it (npm then fails the download with EINTEGRITY), SRI refuses it.
    const integrity = `sha512-${Buffer.alloc(40, 7).toString('base64')}`;
    const graph = writeLockfile(root, [{ name: 'left-pad', version: '1.3.0', resolved: tarball, integrity }]);
    const result = await scanGraphs({ root, graphs: [graph], registry: reg.url, policy: { verifySignatures: false } });
    // The deps stage's CPD004 is the one finding for it (lockfile-integrity-group.test.ts); here it is only the detail.
    expect(result.findings.map((f) => f.ruleId)).toEqual([]);
    expect(result.verifications.map((v) => [v.status, v.detail])).toEqual([
      ['unverifiable', expect.stringContaining('integrity in the lockfile not valid (CPD004)')],
    ]);
    expect(result.verifications[0]?.detail).not.toContain('no integrity');
  });
});
