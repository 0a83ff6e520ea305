import { describe, expect, it } from 'vitest';
import type { ModelRecord } from '../../../src/core/records.js';
import { failureFinding, failureRule, folderFailureFinding } from '../../../src/verify/provenance/failures.js';

const model: ModelRecord = {
  path: 'models/weights.onnx',
  format: 'onnx',
  size: 7,
  digests: { sha256: '0'.repeat(64) },
};
const at = { file: 'models/weights.onnx.intoto.jsonl', line: 3, text: '' };

describe('which rule a refused attestation is reported under', () => {
  it.each([
    { name: 'signature or bundle that does not verify', v: { ok: false as const, reason: 'x' }, want: 'CPM025' },
    {
      name: 'bare DSSE envelope',
      v: { ok: false as const, unverifiedFormat: true as const, reason: 'x' },
      want: 'CPM026',
    },
    {
      name: 'statement and certificate name two commits',
      v: { ok: false as const, sourceConflict: true as const, reason: 'x' },
      want: 'CPM027',
    },
  ])('$name → $want', ({ v, want }) => {
    expect(failureRule(v)).toBe(want);
  });
});

describe('findings for refused attestations', () => {
  it.each([
    { rule: 'CPM026' as const, required: false, level: undefined },
    { rule: 'CPM026' as const, required: true, level: 'error' },
    { rule: 'CPM027' as const, required: false, level: undefined },
  ])('$rule (required: $required) at the attestation and its line', ({ rule, required, level }) => {
    const f = failureFinding(model, { rule, at, reason: 'why' }, required);
    expect(f).toMatchObject({ ruleId: rule, location: { path: at.file, line: 3 }, artifact: { path: model.path } });
    expect(f.level).toBe(level);
    expect(f.evidence).toMatchObject({ reason: 'why' });
  });

  it('a CPM027 bundle in an attestations folder is one finding under its own rule', () => {
    expect(folderFailureFinding({ rule: 'CPM027', at, reason: 'why' })).toMatchObject({
      ruleId: 'CPM027',
      location: { path: at.file, line: 3 },
    });
  });
});
