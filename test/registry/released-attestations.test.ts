import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath } from '../helpers/corpus.js';
import { NPM_KEYS, endpointsPerTest, scanGraphs, tempDir, writeLockfile } from './scan.js';

/**
 * slsa-verifier's npm attestation sets (corpora `released/sigstore/npm-provenance-gha-unit`): one genuine set for
 * @laurentsimon/provenance-npm-test@1.0.0 and twelve made from it with a payload type, predicate type, statement
 * type, subject or signature changed. Each is served for the version its genuine set is about (the integrity its
 * publish statement names), so only the change can fail it: every changed set fails with a finding, as pacote's
 * verifyAttestations and slsa-verifier fail it; the genuine set verifies.
 */
const DIR = corpusPath('released', 'sigstore', 'npm-provenance-gha-unit');
const GENUINE = 'npm-attestations.intoto.sigstore';
const serveNpm = endpointsPerTest();

interface Served {
  attestations: {
    predicateType: string;
    bundle: { dsseEnvelope: { payload: string }; verificationMaterial: { tlogEntries: { integratedTime: string }[] } };
  }[];
}
const read = (file: string) => JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Served;

/** The version the genuine set is about: its publish statement's subject, and when it was logged. */
function attestedVersion() {
  const publish = read(GENUINE).attestations.find((a) => a.predicateType.includes('/npm/attestation/'))!;
  const statement = JSON.parse(Buffer.from(publish.bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as {
    subject: { name: string; digest: { sha512: string } }[];
  };
  const [, name, version] = /^pkg:npm\/(.+)@([^@]+)$/.exec(decodeURIComponent(statement.subject[0]!.name))!;
  const integrity = `sha512-${Buffer.from(statement.subject[0]!.digest.sha512, 'hex').toString('base64')}`;
  const seconds = Number(publish.bundle.verificationMaterial.tlogEntries[0]!.integratedTime);
  return { name: name!, version: version!, integrity, time: new Date(seconds * 1000).toISOString() };
}

async function scanServing(file: string) {
  const v = attestedVersion();
  const registry = await serveNpm({
    keys: NPM_KEYS,
    packages: [
      {
        name: v.name,
        versions: [{ version: v.version, integrity: v.integrity, time: v.time, attestations: read(file) }],
      },
    ],
  });
  const root = tempDir();
  return scanGraphs({
    root,
    graphs: [writeLockfile(root, [{ name: v.name, version: v.version, integrity: v.integrity }])],
    registry: registry.url,
    policy: { verifySignatures: false },
  });
}

const changed = readdirSync(DIR)
  .filter((f) => f !== GENUINE)
  .sort();

describe('npm attestation sets changed from a genuine one (slsa-verifier testdata)', () => {
  it('has the twelve changed sets', () => expect(changed).toHaveLength(12));

  it.each(changed)('%s fails with a finding', async (file) => {
    const result = await scanServing(file);
    expect(result.verifications.map((v) => v.status)).toEqual(['failed']);
    expect(result.findings.filter((f) => f.level === 'error').map((f) => f.ruleId)).not.toEqual([]);
  });

  it('the genuine set verifies for the version it is about', async () => {
    const result = await scanServing(GENUINE);
    expect(result.verifications.map((v) => v.status)).toEqual(['verified']);
    expect(result.findings.map((f) => f.ruleId)).toEqual([]);
  });
});
