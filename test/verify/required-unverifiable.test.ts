import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.js';
import type { ScanResult } from '../../src/core/result.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { modelsStage } from '../../src/models/stage.js';
import { provenanceStage } from '../../src/verify/provenance/stage.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { scanWith } from '../helpers/scan.js';
import { corpusPath } from '../helpers/corpus.js';
import { BEACON, blockNetwork, modelsSignedBy, MS, policyRequiring, SPECS } from './helpers.js';

// A file `signatures.require` covers must carry a signature that verifies. Without it the scan fails (CPS003); an
// attacker who swaps the file used to pass instead by adding what nobody can check: a bundle chainproof cannot verify
// (CPS007, a warning elsewhere), a bare DSSE envelope under the bundle's name, or the file as a link out of the scan
// root, which the walk does not read and the loader does.

beforeAll(blockNetwork);

const CONF = corpusPath('sigstore', 'conformance', 'bundle-verify');

/**
 * sigstore-conformance's happy-path bundle over a.txt, its message digest relabelled SHA3_512, which is no
 * protobuf-specs HashAlgorithm: @sigstore/bundle refuses to read it (hashAlgorithmFromJSON) and chainproof cannot
 * check it.
 */
function unknownAlgorithmBundle(): string {
  const bundle = JSON.parse(readFileSync(path.join(CONF, 'happy-path-v0.3/bundle.sigstore.json'), 'utf8')) as {
    messageSignature: { messageDigest: { algorithm: string } };
  };
  bundle.messageSignature.messageDigest.algorithm = 'SHA3_512';
  return JSON.stringify(bundle);
}

function policy(require: Policy['signatures']['require']): Policy {
  return policyRequiring({ beacon: BEACON, ibm: SPECS.ibm }, require);
}

const levels = (r: ScanResult) => r.findings.map((f) => `${f.ruleId} ${f.level} ${f.location.path}`).sort();

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'cp-required-unverifiable-'));
  mkdirSync(path.join(root, 'artifacts'));
  cpSync(path.join(CONF, 'a.txt'), path.join(root, 'artifacts/a.txt'));
  writeFileSync(path.join(root, 'artifacts/a.txt.sigstore.json'), unknownAlgorithmBundle());
  // A model signed by `ibm`, with a folder in it the scan does not enter: model_signing would hash it, chainproof
  // cannot, so the model is not verified.
  cpSync(path.join(MS, 'v1.0.1-sigstore'), path.join(root, 'models/bert'), { recursive: true });
  rmSync(path.join(root, 'models/bert/ignore-me'));
  mkdirSync(path.join(root, 'models/bert/node_modules'));
  writeFileSync(path.join(root, 'models/bert/node_modules/x.bin'), 'x');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a required signature that cannot be checked', () => {
  it('is an error under signatures.require, one finding at the bundle, no CPS003 beside it', async () => {
    const r = await scanWith(root, [signaturesStage], {
      policy: policy([{ paths: ['artifacts/**'], signers: ['beacon'] }]),
    });
    expect(levels(r).filter((l) => l.includes('artifacts/'))).toEqual(['CPS007 error artifacts/a.txt.sigstore.json']);
    const finding = r.findings.find((f) => f.ruleId === 'CPS007')!;
    expect(finding.message).toContain('unsupported message digest algorithm SHA3_512');
    expect(finding.message).toContain('policy signatures.require[0]: artifacts/**');
  });

  it('under a trusted-registry signer, names the entry once, in message and evidence', async () => {
    const registry = {
      ...EMPTY_REGISTRY,
      files: ['trusted-registry/models.yml'],
      models: [
        {
          name: 'acme/a',
          revision: 'v1',
          source: 'https://example.com/acme/a',
          files: [{ path: 'artifacts/a.txt', sha256: 'a'.repeat(64) }],
          signer: 'beacon',
          signerAt: { line: 6, col: 13 },
          file: 'trusted-registry/models.yml',
          line: 3,
        },
      ],
    };
    const r = await scanWith(root, [signaturesStage], { policy: policy([]), registry });
    expect(levels(r).filter((l) => l.includes('artifacts/'))).toEqual(['CPS007 error artifacts/a.txt.sigstore.json']);
    const finding = r.findings.find((f) => f.ruleId === 'CPS007')!;
    const entry = 'entry acme/a@v1 at trusted-registry/models.yml:6 names signer beacon';
    expect(finding.message.split(entry)).toHaveLength(2);
    expect(finding.evidence).toMatchObject({ requiredBy: entry });
    expect(finding.evidence).not.toHaveProperty('registryEntry');
  });

  it('stays a warning where nothing requires the file to be signed', async () => {
    const r = await scanWith(root, [signaturesStage], { policy: policy([]) });
    expect(levels(r).filter((l) => l.includes('artifacts/'))).toEqual(['CPS007 warning artifacts/a.txt.sigstore.json']);
  });

  it('is an error for a required model folder its signature could not be checked over', async () => {
    const r = await scanWith(root, [signaturesStage], {
      policy: policy([{ paths: ['models/**'], signers: ['ibm'] }]),
    });
    expect(levels(r).filter((l) => l.includes('models/'))).toEqual(['CPS007 error models/bert/node_modules']);
    const unrequired = await scanWith(root, [signaturesStage], { policy: policy([]) });
    expect(levels(unrequired).filter((l) => l.includes('models/'))).toEqual([
      'CPS007 warning models/bert/node_modules',
    ]);
  });
});

// The walk does not follow a link out of the scan root; a loader does. A required path that is such a link used to
// pass with a CPX002 warning, where the same file inside the tree without a signature is CPS003.
describe('a required path the scan could not read', () => {
  let tree: string;
  let outside: string;
  beforeAll(() => {
    outside = mkdtempSync(path.join(tmpdir(), 'cp-required-outside-'));
    writeFileSync(path.join(outside, 'payload.pkl'), 'x');
  });
  afterAll(() => rmSync(outside, { recursive: true, force: true }));
  const fresh = () => {
    tree = mkdtempSync(path.join(tmpdir(), 'cp-required-link-'));
  };
  afterEach(() => rmSync(tree, { recursive: true, force: true }));
  const signatureFindings = (r: ScanResult) => levels(r).filter((l) => l.startsWith('CPS'));

  it('a link out of the scan root with no signature is CPS003', async () => {
    fresh();
    mkdirSync(path.join(tree, 'models'));
    symlinkSync(path.join(outside, 'payload.pkl'), path.join(tree, 'models/weights.pkl'));
    const r = await scanWith(tree, [signaturesStage], {
      policy: policy([{ paths: ['models/**'], signers: ['ibm'] }]),
    });
    expect(signatureFindings(r)).toEqual(['CPS003 error models/weights.pkl']);
    expect(r.findings[0]!.message).toContain('could not read it');
    expect(r.verifications.find((v) => v.key === 'file:models/weights.pkl')?.status).toBe('failed');
    // A link to nothing loads nothing: not asked to be signed.
    rmSync(path.join(tree, 'models/weights.pkl'));
    symlinkSync('nowhere', path.join(tree, 'models/weights.pkl'));
    const broken = await scanWith(tree, [signaturesStage], {
      policy: policy([{ paths: ['models/**'], signers: ['ibm'] }]),
    });
    expect(signatureFindings(broken)).toEqual([]);
  });

  it("inside a signed model folder it is the signature's finding (CPS004), once; an ignored one is exempt", async () => {
    fresh();
    cpSync(path.join(MS, 'v1.0.1-sigstore'), path.join(tree, 'models/bert'), { recursive: true });
    symlinkSync(path.join(outside, 'payload.pkl'), path.join(tree, 'models/bert/extra.pkl'));
    const signed = modelsSignedBy(['ibm'], ['ignore-me']);
    const r = await scanWith(tree, [signaturesStage], { policy: signed, today: '2025-06-01' });
    expect(signatureFindings(r)).toEqual(['CPS004 error models/bert/extra.pkl']);
    rmSync(path.join(tree, 'models/bert/extra.pkl'));
    rmSync(path.join(tree, 'models/bert/ignore-me'));
    symlinkSync(path.join(outside, 'payload.pkl'), path.join(tree, 'models/bert/ignore-me'));
    const ignored = await scanWith(tree, [signaturesStage], { policy: signed, today: '2025-06-01' });
    expect(signatureFindings(ignored)).toEqual([]);
  });
});

/** A safetensors file of one F32 tensor, and a bare DSSE envelope of SLSA provenance about it (no certificate, no log). */
function safetensorsWithBareEnvelope(dir: string): void {
  const header = Buffer.from(JSON.stringify({ t: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }).padEnd(48));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(header.length));
  const data = Buffer.concat([size, header, Buffer.alloc(4)]);
  writeFileSync(path.join(dir, 'w.safetensors'), data);
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'w.safetensors', digest: { sha256: createHash('sha256').update(data).digest('hex') } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {},
  };
  const envelope = {
    payloadType: 'application/vnd.in-toto+json',
    payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
    signatures: [{ keyid: '', sig: 'AAAA' }],
  };
  writeFileSync(path.join(dir, 'w.safetensors.sigstore.json'), JSON.stringify(envelope));
}

// The provenance stage reports a bare envelope next to a model (CPM026, a warning unless provenance is required). No
// Sigstore verifier reads it as a bundle: it signs nothing, and used to stand in for the signature the policy requires.
it('a bare DSSE envelope named as the bundle of a required model leaves it unsigned (CPS003)', async () => {
  const tree = mkdtempSync(path.join(tmpdir(), 'cp-required-bare-'));
  try {
    mkdirSync(path.join(tree, 'models'));
    safetensorsWithBareEnvelope(path.join(tree, 'models'));
    const r = await scanWith(tree, [modelsStage, signaturesStage, provenanceStage], {
      policy: policy([{ paths: ['models/**'], signers: ['ibm'] }]),
    });
    expect(levels(r).filter((l) => /^CP(S\d|M02)/.test(l))).toEqual([
      'CPM026 warning models/w.safetensors.sigstore.json',
      'CPS003 error models/w.safetensors',
    ]);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});
