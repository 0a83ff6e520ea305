import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.js';
import type { ScanResult } from '../../src/core/result.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { signaturesStage } from '../../src/verify/stage.js';
import {
  MAX_CANDIDATES,
  MAX_FILE_BYTES,
  MAX_TOTAL_BYTES,
  bundleClaim,
} from '../../src/verify/stage/nearby-artifact.js';
import { MESSAGE_DIGEST_HASHES, tryParseBundle } from '../../src/verify/bundle/parse.js';

const signedDigests = (bundle: Buffer) => bundleClaim(tryParseBundle(bundle)).digests;
import { corpusPath } from '../helpers/corpus.js';
import { scanWith } from '../helpers/scan.js';
import { BEACON, blockNetwork } from './helpers.js';

beforeAll(blockNetwork);

// sigstore-conformance's layout: a folder per case holding `bundle.sigstore.json`, over one shared `a.txt`.
const CONF = corpusPath('sigstore', 'conformance', 'bundle-verify');
const A_TXT = readFileSync(path.join(CONF, 'a.txt'));
const bundleOf = (c: string) => path.join(CONF, c, 'bundle.sigstore.json');

function policy(sig: Partial<Policy['signatures']>): Policy {
  return { ...DEFAULT_POLICY, source: '<test>', signatures: { ...DEFAULT_POLICY.signatures, ...sig } };
}
const scan = (root: string, p: Policy = policy({ signers: { beacon: BEACON } })): Promise<ScanResult> =>
  scanWith(root, [signaturesStage], { policy: p, registry: EMPTY_REGISTRY, today: '2025-06-01' });
const ids = (r: ScanResult) => r.findings.map((f) => `${f.ruleId} ${f.location.path}`).sort();
const status = (r: ScanResult) => Object.fromEntries(r.verifications.map((v) => [v.key, v.status]));

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});
function tree(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cp-nearby-'));
  root = dir;
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    if (typeof body === 'string' && body.startsWith('corpus:')) cpSync(body.slice(7), path.join(dir, rel));
    else writeFileSync(path.join(dir, rel), body);
  }
  return dir;
}

describe('bundleClaim: the digests a bundle signs', () => {
  it("reads a message signature's digest and an in-toto statement's subjects", () => {
    const sha256 = createHash('sha256').update(A_TXT).digest('hex');
    expect([...signedDigests(readFileSync(bundleOf('happy-path-v0.3')))]).toEqual([`sha256:${sha256}`]);
    expect([...signedDigests(readFileSync(bundleOf('happy-path-intoto-in-dsse-v3')))].length).toBeGreaterThan(0);
  });

  it('gives none for a bundle that does not parse', () => {
    expect(signedDigests(readFileSync(bundleOf('bundle-malformed-json_fail'))).size).toBe(0);
    expect(signedDigests(Buffer.from('{}')).size).toBe(0);
  });
});

describe('a detached bundle whose name points at no file', () => {
  it('is checked against the file near it with the digest it signs (a folder above it)', async () => {
    const r = await scan(
      tree({ 'conf/a.txt': A_TXT, 'conf/case/bundle.sigstore.json': `corpus:${bundleOf('happy-path-v0.3')}` }),
    );
    expect(ids(r)).toEqual([]);
    expect(status(r)).toMatchObject({ 'file:conf/a.txt': 'verified' });
    const detail = r.verifications.find((v) => v.key === 'file:conf/a.txt')!.detail;
    expect(detail).toContain('conf/case/bundle.sigstore.json, which names no file but signs this one');
  });

  it("reports the bundle's own failure against the file it found, not a missing file", async () => {
    const r = await scan(
      tree({
        'conf/a.txt': A_TXT,
        'conf/case/bundle.sigstore.json': `corpus:${bundleOf('bundle-from-wrong-instance_fail')}`,
      }),
    );
    expect(ids(r)).toEqual(['CPS001 conf/case/bundle.sigstore.json']);
    expect(status(r)).toMatchObject({ 'file:conf/a.txt': 'failed' });
  });

  it('gives the worst of several bundles for one file, whatever order they finish in', async () => {
    const files = {
      'conf/a.txt': A_TXT,
      'conf/good/bundle.sigstore.json': `corpus:${bundleOf('happy-path-v0.3')}`,
      'conf/bad/bundle.sigstore.json': `corpus:${bundleOf('bundle-from-wrong-instance_fail')}`,
    };
    const first = await scan(tree(files));
    expect(status(first)).toMatchObject({ 'file:conf/a.txt': 'failed' });
    rmSync(root!, { recursive: true, force: true });
    const again = await scan(tree(files));
    expect(again.verifications).toEqual(first.verifications);
  });

  it('does not count as the signature a policy requires of that file (it vouches for bytes, not a place)', async () => {
    const r = await scan(
      tree({ 'conf/a.txt': A_TXT, 'conf/case/bundle.sigstore.json': `corpus:${bundleOf('happy-path-v0.3')}` }),
      policy({ signers: { beacon: BEACON }, require: [{ paths: ['conf/*.txt'], signers: ['beacon'] }] }),
    );
    expect(ids(r)).toEqual(['CPS003 conf/a.txt']);
  });

  it('is a signed file missing when no file near it has the digest', async () => {
    const r = await scan(
      tree({
        'conf/a.txt': 'other bytes',
        'elsewhere/a.txt': A_TXT,
        'conf/case/bundle.sigstore.json': `corpus:${bundleOf('happy-path-v0.3')}`,
      }),
    );
    expect(ids(r)).toEqual(['CPS005 conf/case/bundle.sigstore.json']);
    expect(r.findings[0]!.message).toContain('no file near it has the digest it signs');
  });

  it('is a malformed bundle (CPS008) when it does not parse, and says its file is missing too', async () => {
    const r = await scan(
      tree({
        'conf/a.txt': A_TXT,
        'conf/case/bundle.sigstore.json': `corpus:${bundleOf('bundle-malformed-json_fail')}`,
      }),
    );
    expect(ids(r)).toEqual(['CPS008 conf/case/bundle.sigstore.json']);
    expect(r.findings[0]!.message).toContain('cannot read the bundle');
    expect(r.findings[0]!.message).toContain('Its file, conf/case/bundle, does not exist either.');
    expect(status(r)).toMatchObject({ 'file:conf/case/bundle': 'failed' });
  });

  it('says so when the bundle names no digest to find its file by (a DSSE payload that is no in-toto statement)', async () => {
    const bundle = JSON.parse(readFileSync(bundleOf('happy-path-intoto-in-dsse-v3'), 'utf8'));
    bundle.dsseEnvelope.payloadType = 'application/vnd.example+json';
    const r = await scan(tree({ 'conf/a.txt': A_TXT, 'conf/case/bundle.sigstore.json': JSON.stringify(bundle) }));
    expect(ids(r)).toEqual(['CPS005 conf/case/bundle.sigstore.json']);
    expect(r.findings[0]!.message).toContain('the bundle names no digest to find it by');
  });

  it(`hashes at most ${MAX_CANDIDATES} files for one bundle`, async () => {
    const many: Record<string, string | Buffer> = {
      'conf/case/bundle.sigstore.json': `corpus:${bundleOf('happy-path-v0.3')}`,
    };
    for (let i = 0; i < MAX_CANDIDATES; i++) many[`conf/${String(i).padStart(3, '0')}.txt`] = `filler ${i}`;
    // `a.txt` sorts after every filler, so the bound is reached first.
    const r = await scan(tree({ ...many, 'conf/a.txt': A_TXT }));
    expect(ids(r)).toEqual(['CPS005 conf/case/bundle.sigstore.json']);
  });

  it(`reads at most ${MAX_TOTAL_BYTES / 1024 / 1024} MiB in all, however many digest algorithms the bundles name`, async () => {
    // Eight candidates of the largest size searched (sparse: no disk), and one bundle per message digest algorithm,
    // each signing a digest no file has: every bundle would hash every candidate with its own algorithm.
    const dir = tree({});
    mkdirSync(path.join(dir, 'm'));
    for (let i = 0; i < MAX_TOTAL_BYTES / MAX_FILE_BYTES; i++) {
      const candidate = path.join(dir, `m/f${i}.bin`);
      writeFileSync(candidate, '');
      truncateSync(candidate, MAX_FILE_BYTES);
    }
    const bundle = JSON.parse(readFileSync(bundleOf('happy-path-v0.3'), 'utf8'));
    for (const algorithm of Object.keys(MESSAGE_DIGEST_HASHES)) {
      bundle.messageSignature.messageDigest = { algorithm, digest: Buffer.alloc(32, 7).toString('base64') };
      writeFileSync(path.join(dir, `m/gone-${algorithm}.bin.sigstore.json`), JSON.stringify(bundle));
    }
    const r = await scan(dir);
    expect(ids(r)).toHaveLength(Object.keys(MESSAGE_DIGEST_HASHES).length);
    expect(ids(r).every((id) => id.startsWith('CPS005 '))).toBe(true);
    expect(r.io?.byKind.hash.bytesRead).toBeLessThanOrEqual(MAX_TOTAL_BYTES);
  });
});
