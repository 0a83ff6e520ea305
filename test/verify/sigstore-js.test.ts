import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockNetwork } from './helpers.js';
import { verifyArtifactBundle } from '../../src/verify/artifact.js';
import { loadTrustedRoot } from '../../src/verify/trust/root.js';
import { resolveSigners } from '../../src/verify/policy/signers.js';
import { corpusPath } from '../helpers/corpus.js';

beforeAll(blockNetwork);

const DIR = corpusPath('sigstore', 'sigstore-js', 'tests', 'bundles');
const bundles = readdirSync(DIR).filter((f) => f.endsWith('.sigstore'));
const SIGNER = { kind: 'sigstore', issuer: 'https://github.com/login/oauth', subject: 'brian@dehamer.com' } as const;

describe('sigstore-js public-good bundles', () => {
  it('has all nine', () => expect(bundles).toHaveLength(9));

  it.each(bundles)('%s verifies against the embedded public-good root with the right signer', async (name) => {
    const v = verifyArtifactBundle({
      bundle: readFileSync(path.join(DIR, name)),
      trust: await loadTrustedRoot(),
      signers: await resolveSigners({ brian: SIGNER }, DIR, 'test'),
    });
    expect(v).toMatchObject({
      ok: true,
      signerName: 'brian',
      signer: { subject: 'brian@dehamer.com', issuer: 'https://github.com/login/oauth' },
    });
    if (v.ok) expect(v.statement?.subjects[0]?.name).toBe('pkg:npm/sigstore@1.0.0');
  });

  it.each(bundles)('%s fails with a wrong issuer', async (name) => {
    const v = verifyArtifactBundle({
      bundle: readFileSync(path.join(DIR, name)),
      trust: await loadTrustedRoot(),
      signers: await resolveSigners({ brian: { ...SIGNER, issuer: 'https://accounts.google.com' } }, DIR, 'test'),
    });
    expect(v).toMatchObject({ ok: false, code: 'untrusted-signer', signer: { subject: 'brian@dehamer.com' } });
  });

  it('fails when the artifact is not the statement subject', async () => {
    const v = verifyArtifactBundle({
      bundle: readFileSync(path.join(DIR, 'bundleV03-intoto.sigstore')),
      artifact: Buffer.from('not the sigstore tarball'),
      trust: await loadTrustedRoot(),
      signers: await resolveSigners({ brian: SIGNER }, DIR, 'test'),
    });
    expect(v).toMatchObject({ ok: false, code: 'digest-mismatch' });
  });
});
