import { describe, expect, it } from 'vitest';
import type { ModelProvenance, ModelRecord } from '../../../src/core/records.js';
import { chooseProvenance, compileProvenanceRequirements } from '../../../src/verify/provenance/judge.js';

/*
 * Several verified attestations about the same weights (gh attestation download writes every one of a digest into
 * one .jsonl): `gh attestation verify --signer-workflow …` passes when any of them meets the policy, so the choice
 * must not depend on which the file lists first.
 */
const model: ModelRecord = {
  path: 'models/model.safetensors',
  format: 'safetensors',
  size: 8,
  digests: { sha256: 'ab'.repeat(32) },
};
const REPO = 'https://github.com/acme/models';
const attest = (builder: string, commit: string): ModelProvenance => ({
  repository: REPO,
  commit,
  builder,
  predicateType: 'https://slsa.dev/provenance/v1',
  attestation: 'models/model.safetensors.intoto.jsonl',
});
const TRAIN = attest(`${REPO}/.github/workflows/train.yml@refs/heads/main`, '1'.repeat(40));
const RELEASE = attest(`${REPO}/.github/workflows/release.yml@refs/tags/v1`, '2'.repeat(40));
const reqs = compileProvenanceRequirements([
  { paths: ['models/**'], builders: ['https://github\\.com/acme/models/\\.github/workflows/release\\.yml@.*'] },
]);

describe('chooseProvenance', () => {
  it.each([
    { name: 'the allowed builder listed second', matched: [TRAIN, RELEASE] },
    { name: 'the allowed builder listed first', matched: [RELEASE, TRAIN] },
  ])('$name is taken', ({ matched }) => {
    const r = chooseProvenance(model, matched, reqs, undefined);
    expect(r.problems).toEqual([]);
    expect(r.provenance).toBe(RELEASE);
  });

  it('with no acceptable one, the first is reported with its problem', () => {
    const other = attest(`${REPO}/.github/workflows/nightly.yml@refs/heads/main`, '3'.repeat(40));
    const r = chooseProvenance(model, [TRAIN, other], reqs, undefined);
    expect(r.provenance).toBe(TRAIN);
    expect(r.problems.map((f) => f.ruleId)).toEqual(['CPM022']);
  });

  it('the registry commit picks the attestation of the recorded build', () => {
    const expected = { commit: '2'.repeat(40), entry: 'acme/models@v1', file: '.chainproof/registry.yml' };
    const r = chooseProvenance(model, [TRAIN, RELEASE], [], expected);
    expect(r.provenance).toBe(RELEASE);
    expect(r.problems).toEqual([]);
  });

  // gh attestation verify: "Predicate type must match: https://slsa.dev/provenance/v1" unless told otherwise.
  const SBOM: ModelProvenance = {
    ...RELEASE,
    predicateType: 'https://cyclonedx.org/bom',
    attestation: 'models/model.safetensors.sbom.sigstore.json',
  };

  it('an allowed workflow attestation that is no build provenance never meets a requirement', () => {
    const r = chooseProvenance(model, [SBOM], reqs, undefined);
    expect(r.problems.map((f) => f.ruleId)).toEqual(['CPM020']);
    expect(r.problems[0]!.message).toContain('https://cyclonedx.org/bom statement, not SLSA build provenance');
    expect(r.problems[0]!.evidence?.['predicateType']).toBe('https://cyclonedx.org/bom');
  });

  it('nor a registry commit, even when it names that commit', () => {
    const expected = { commit: '2'.repeat(40), entry: 'acme/models@v1', file: '.chainproof/registry.yml' };
    const r = chooseProvenance(model, [SBOM], [], expected);
    expect(r.problems.map((f) => f.ruleId)).toEqual(['CPM020']);
  });

  it('beside it, the build provenance of the same file is taken', () => {
    const r = chooseProvenance(model, [SBOM, RELEASE], reqs, undefined);
    expect(r.problems).toEqual([]);
    expect(r.provenance).toBe(RELEASE);
  });

  it('where nothing requires provenance it is shown as it is', () => {
    const r = chooseProvenance(model, [SBOM], [], undefined);
    expect(r.problems).toEqual([]);
    expect(r.provenance).toBe(SBOM);
  });

  it('SLSA provenance of an older version still counts', () => {
    const v02 = { ...RELEASE, predicateType: 'https://slsa.dev/provenance/v0.2' };
    expect(chooseProvenance(model, [v02], reqs, undefined).problems).toEqual([]);
  });

  // gh and slsa-verifier compare the predicate type whole: one that only begins like SLSA's is another claim.
  it.each(['https://slsa.dev/provenance/v1-scan', 'https://slsa.dev/provenance/v1/sbom'])(
    'a predicate type that only begins like SLSA provenance (%s) does not meet a requirement',
    (predicateType) => {
      const r = chooseProvenance(model, [{ ...RELEASE, predicateType }], reqs, undefined);
      expect(r.problems.map((f) => f.ruleId)).toEqual(['CPM020']);
    },
  );

  it('a registry repository: the same commit built in a fork is CPM024', () => {
    const fork = { ...RELEASE, repository: 'https://github.com/mallory/models' };
    const expected = {
      commit: '2'.repeat(40),
      repository: REPO,
      entry: 'acme/models@v1',
      file: '.chainproof/registry.yml',
      line: 4,
    };
    const r = chooseProvenance(model, [fork], [], expected);
    expect(r.problems.map((f) => f.ruleId)).toEqual(['CPM024']);
    expect(r.problems[0]!.message).toContain(`records commit ${'2'.repeat(40)} of ${REPO}`);
    expect(r.problems[0]!.evidence).toMatchObject({ expectedRepository: REPO, repository: fork.repository });
    // The recorded repository's own build of it is taken, spelled as the forge allows.
    expect(chooseProvenance(model, [fork, RELEASE], [], { ...expected, repository: `${REPO}.git` }).problems).toEqual(
      [],
    );
  });
});
