import { createHash, createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stage } from '../../src/core/stage.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { scanWith } from '../helpers/scan.js';
import { blockNetwork, KEYS } from './helpers.js';

beforeAll(blockNetwork);

/** A key-signed message-signature bundle without a log entry (cosign sign-blob --key --tlog-upload=false). */
function keySignedBundle(data: Buffer): string {
  const key = createPrivateKey(readFileSync(path.join(KEYS, 'signing-key.pem')));
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_384', digest: createHash('sha384').update(data).digest('base64') },
      signature: sign('sha384', data, key).toString('base64'),
    },
  });
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'cp-sig-gone-'));
  for (const name of ['a.bin', 'b.bin']) {
    const data = Buffer.from(`artifact ${name}\n`);
    writeFileSync(path.join(root, name), data);
    writeFileSync(path.join(root, `${name}.sigstore.json`), keySignedBundle(data));
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Removes one bundle after the walk listed it and before the signatures stage reads it. */
const removeBundle: Stage = {
  name: 'remove-bundle',
  prefetch: () => {
    rmSync(path.join(root, 'a.bin.sigstore.json'));
    return Promise.resolve();
  },
  run: () => Promise.resolve({}),
};

describe('a bundle that cannot be read at check time', () => {
  it('is its own CPS007 and the other bundles are still checked', async () => {
    const result = await scanWith(root, [removeBundle, signaturesStage]);
    expect(result.findings.filter((f) => f.ruleId === 'CPX020')).toEqual([]);
    // One finding for the one cause: the bundle, naming the file whose signature went unchecked.
    const gone = result.findings.filter((f) => f.location?.path === 'a.bin.sigstore.json');
    expect(gone.map((f) => f.ruleId)).toEqual(['CPS007']);
    expect(gone[0]?.message).toMatch(
      /^a\.bin\.sigstore\.json could not be read \(ENOENT; changed since the scan listed it\?\), so the signature over a\.bin was not checked\. Scan again/,
    );
    expect(result.verifications.find((v) => v.key === 'file:a.bin')?.status).toBe('unverifiable');
    // The other bundle is still judged: a public key the policy does not name.
    expect(result.verifications.find((v) => v.key === 'file:b.bin')?.detail).toMatch(
      /^b\.bin\.sigstore\.json: signed with a public key/,
    );
  });
});
