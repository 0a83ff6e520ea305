import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

/**
 * `registry add` records the source a file was verifiably built from (sourceRepository, sourceCommit), read from its
 * attestation as the scan will check it. The genuine npm provenance of sigstore-js' test package (slsa-verifier
 * testdata, subject sha512 = the tarball) stands in for a model's: built from sigstore/sigstore-js at 46e7056.
 */
const GHA = corpusPath('sigstore', 'npm-provenance', 'gha');
const REPO = 'https://github.com/sigstore/sigstore-js';
const COMMIT = '46e7056ff9912ebfee5298d94024895a9fea76c0';

function provenance(name: string): string {
  const json = JSON.parse(readFileSync(path.join(GHA, `${name}.tgz.json`), 'utf8')) as {
    attestations: { predicateType: string; bundle: unknown }[];
  };
  return JSON.stringify(
    json.attestations.find((a) => a.predicateType.startsWith('https://slsa.dev/provenance/'))!.bundle,
  );
}

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A repository holding models/pkg.tgz (the tarball of `tarball`) and, when given, its attestation next to it. */
function repo(tarball: string, attestation?: string, extra: Record<string, Buffer> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cp-registry-provenance-'));
  roots.push(root);
  mkdirSync(path.join(root, 'models'));
  copyFileSync(path.join(GHA, `${tarball}.tgz`), path.join(root, 'models/pkg.tgz'));
  if (attestation !== undefined) writeFileSync(path.join(root, 'models/pkg.tgz.sigstore.json'), attestation);
  for (const [rel, bytes] of Object.entries(extra)) writeFileSync(path.join(root, rel), bytes);
  return root;
}

async function add(root: string, target: string) {
  const r = await runCliAsync([
    'registry',
    'add',
    path.join(root, target),
    '--root',
    root,
    '--name',
    'acme/pkg',
    '--revision',
    'v1',
    '--source',
    'https://example.com/acme/pkg',
  ]);
  return { ...r, registry: readFileSync(path.join(root, 'trusted-registry/models.yml'), 'utf8') };
}

/** A minimal genuine safetensors file (8-byte header length, JSON header, data). */
function safetensors(): Buffer {
  const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, Buffer.alloc(4)]);
}

describe('registry add records verified provenance', () => {
  const V1 = 'provenance-npm-test-cli-v1-prega';

  it('records sourceRepository and sourceCommit from a verified attestation, and says so', async () => {
    const root = repo(V1, provenance(V1));
    const r = await add(root, 'models/pkg.tgz');
    expect(r.code).toBe(0);
    expect(r.registry).toContain(`    sourceRepository: ${REPO}\n    sourceCommit: ${COMMIT}\n`);
    expect(r.stdout).toContain(`built from ${REPO} at ${COMMIT} (verified: models/pkg.tgz.sigstore.json)`);
    // The scan then holds the file to that source, and it passes.
    const scan = await runCliAsync(['scan', root, '--offline', '--format', 'json', '--fail-on', 'error']);
    expect(scan.code).toBe(0);
  });

  it('records neither when the attestation does not verify, and says why', async () => {
    // The same package's provenance with its DSSE signature broken (slsa-verifier's -invalidsigprov).
    const bad = `${V1}-invalidsigprov`;
    const root = repo(bad, provenance(bad));
    const r = await add(root, 'models/pkg.tgz');
    expect(r.code).toBe(0);
    expect(r.registry).not.toMatch(/sourceCommit|sourceRepository/);
    expect(r.stdout).toContain(
      'sourceRepository and sourceCommit not recorded: models/pkg.tgz has no verified build provenance (models/pkg.tgz.sigstore.json: Sigstore verification failed',
    );
  });

  it('records neither when an attestation is about other content', async () => {
    const root = repo(V1, provenance('provenance-npm-test-cli-v02-prega'));
    const r = await add(root, 'models/pkg.tgz');
    expect(r.registry).not.toMatch(/sourceCommit|sourceRepository/);
    expect(r.stdout).toContain('models/pkg.tgz.sigstore.json: its subject is not the file (sha256 ');
  });

  it('records neither for a folder whose model file has no provenance, naming it', async () => {
    const root = repo(V1, provenance(V1), { 'models/w.safetensors': safetensors() });
    const r = await add(root, 'models');
    expect(r.registry).not.toMatch(/sourceCommit|sourceRepository/);
    expect(r.stdout).toContain(
      'not recorded: models/w.safetensors has no verified build provenance (no attestation about it)',
    );
  });

  it('says there is nothing to record when nothing is attested', async () => {
    const root = repo(V1);
    const r = await add(root, 'models/pkg.tgz');
    expect(r.registry).not.toMatch(/sourceCommit|sourceRepository/);
    expect(r.stdout).toContain('not recorded: no model file among them and no attestation about one');
  });
});
