import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Verifier } from '@sigstore/verify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Policy } from '../../../src/core/policy.js';
import type { Stage } from '../../../src/core/stage.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { provenanceStage } from '../../../src/verify/provenance/stage.js';
import { signaturesStage } from '../../../src/verify/stage.js';
import { corpusPath } from '../../helpers/corpus.js';
import { scanWith } from '../../helpers/scan.js';
import { blockNetwork } from '../helpers.js';
import { npmProvenanceBundle, npmTarball } from './helpers.js';

beforeAll(blockNetwork);
afterEach(() => vi.restoreAllMocks());

/*
 * A model's `<file>.sigstore.json` holding build provenance is the file's signature to the signatures stage and its
 * provenance to the provenance stage. Both judge it, over one read of the file (the scan's I/O edge counts opens)
 * and one Sigstore verification (@sigstore/verify's Verifier.verify, counted through its prototype).
 */
const NPM = 'provenance-npm-test-cli-v1-prega';
const MODEL = 'models/weights.onnx';

/** Stands in for the models stage (the tarball is no model format); reads by itself, not through the I/O edge. */
const recordAsModels: Stage = {
  name: 'models (test)',
  run: (input) =>
    Promise.resolve({
      models: input.files
        .filter((f) => !f.path.endsWith('.sigstore.json'))
        .map((f) => ({
          path: f.path,
          format: f.format,
          size: f.size,
          digests: { sha256: createHash('sha256').update(readFileSync(f.abs)).digest('hex') },
        })),
    }),
};

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function repo(model: string, bundle: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cp-shared-bundle-'));
  roots.push(root);
  mkdirSync(path.join(root, 'models'));
  copyFileSync(model, path.join(root, MODEL));
  writeFileSync(path.join(root, `${MODEL}.sigstore.json`), bundle);
  return root;
}

const requireSigned: Policy = {
  ...DEFAULT_POLICY,
  source: '<test>',
  signatures: { ...DEFAULT_POLICY.signatures, require: [{ paths: [MODEL], signers: [] }] },
};

describe("a model's provenance bundle, judged by both stages", () => {
  it.each([
    {
      name: 'verified provenance',
      model: () => npmTarball(NPM),
      bundle: () => npmProvenanceBundle(NPM),
      want: { status: 'verified', rules: [] },
    },
    {
      name: 'another file than its subject',
      model: () => corpusPath('sigstore', 'conformance', 'a.txt'),
      bundle: () => npmProvenanceBundle(NPM),
      want: { status: 'failed', rules: ['CPM021'] },
    },
    {
      name: 'a broken signature',
      model: () => npmTarball(NPM),
      bundle: () => npmProvenanceBundle(`${NPM}-invalidsigprov`),
      want: { status: 'unverifiable', rules: ['CPM025'] },
    },
  ])('$name: one read, one verification', async ({ model, bundle, want }) => {
    const verify = vi.spyOn(Verifier.prototype, 'verify');
    const root = repo(model(), bundle());
    const result = await scanWith(root, [recordAsModels, provenanceStage, signaturesStage], { policy: requireSigned });
    expect(verify).toHaveBeenCalledTimes(1);
    expect(result.io?.byKind.plugins.opens).toBe(1);
    // The verdicts are those each stage gives alone (one-finding.test.ts): one finding per cause.
    expect(result.findings.map((f) => f.ruleId).sort()).toEqual(want.rules);
    expect(result.verifications.find((v) => v.key === `file:${MODEL}`)?.status).toBe(want.status);
  });
});
