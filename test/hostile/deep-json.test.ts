import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeForScan } from '../../src/cli/exit-codes.js';
import { jsonNestingDepth, parseShallowJson, JsonTooDeepError } from '../../src/core/json-depth.js';
import type { Policy } from '../../src/core/policy.js';
import { depsStage } from '../../src/deps/stage.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { corpusPath } from '../helpers/corpus.js';
import { scanWith } from '../helpers/scan.js';

const DEPTH = 200_000;
const deep = (open: string, close: string) => open.repeat(DEPTH) + close.repeat(DEPTH);
const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

const IBM = {
  kind: 'sigstore',
  issuer: 'https://sigstore.verify.ibm.com/oauth2',
  subject: 'stefanb@us.ibm.com',
} as const;
const policy: Policy = {
  ...DEFAULT_POLICY,
  source: '<test>',
  signatures: {
    ...DEFAULT_POLICY.signatures,
    signers: { ibm: IBM },
    require: [{ paths: ['model/**'], signers: ['ibm'] }],
  },
};

function signedModel(sig: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'chainproof-deep-'));
  cpSync(corpusPath('sigstore', 'model-signing', 'v1.0.1-sigstore'), path.join(root, 'model'), { recursive: true });
  writeFileSync(path.join(root, 'model', 'model.sig'), sig);
  return root;
}

describe('deeply nested JSON is a finding, never a crash', () => {
  it.each([
    { name: 'deep-array.model.sig', sig: deep('[', ']') },
    { name: 'deep-object.model.sig', sig: '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH) },
    {
      name: 'deep-verification-material.model.sig',
      sig: `{"mediaType":"${BUNDLE_TYPE}","verificationMaterial":{"x":${deep('[', ']')}}}`,
    },
  ])('$name beside a signing requirement → CPX021 and exit 1', async ({ sig }) => {
    const result = await scanWith(signedModel(sig), [signaturesStage], { policy });
    expect(result.complete).toBe(true);
    const hits = result.findings.filter((f) => f.ruleId === 'CPX021');
    expect(hits.map((f) => [f.location.path, f.level])).toEqual([['model/model.sig', 'error']]);
    expect(exitCodeForScan(result, 'error')).toBe(EXIT.findings);
    expect(result.verifications.filter((v) => v.status === 'verified')).toEqual([]);
  });

  it('a shallow malformed signature with brackets in strings is CPS008, not CPX021', async () => {
    const sig = JSON.stringify({ mediaType: BUNDLE_TYPE, note: '['.repeat(1000) });
    const result = await scanWith(signedModel(sig), [signaturesStage], { policy });
    const ids = result.findings.map((f) => f.ruleId);
    expect(ids).toContain('CPS008');
    expect(ids).not.toContain('CPX021');
  });

  it('a detached .sigstore.json nested deep → CPX021', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'chainproof-deep-'));
    writeFileSync(path.join(root, 'a.txt'), 'hello');
    writeFileSync(path.join(root, 'a.txt.sigstore.json'), deep('[', ']'));
    const p: Policy = {
      ...policy,
      signatures: { ...policy.signatures, require: [{ paths: ['a.txt'], signers: ['ibm'] }] },
    };
    const result = await scanWith(root, [signaturesStage], { policy: p });
    expect(result.findings.filter((f) => f.ruleId === 'CPX021').map((f) => f.location.path)).toEqual([
      'a.txt.sigstore.json',
    ]);
    expect(exitCodeForScan(result, 'error')).toBe(EXIT.findings);
  });

  it.each([
    { name: 'package-lock.json', file: 'package-lock.json' },
    { name: 'npm-shrinkwrap.json', file: 'npm-shrinkwrap.json' },
  ])('a deep $name is CPD001 at line 1, not a stage crash', async ({ file }) => {
    const root = mkdtempSync(path.join(tmpdir(), 'chainproof-deep-'));
    writeFileSync(path.join(root, file), `{"lockfileVersion":3,"packages":${deep('[', ']')}}`);
    writeFileSync(path.join(root, 'package.json'), `{"name":"x","deps":${deep('[', ']')}}`);
    const result = await scanWith(root, [depsStage]);
    expect(result.complete).toBe(true);
    expect(result.findings.filter((f) => f.ruleId === 'CPD001').map((f) => [f.location.path, f.location.line])).toEqual(
      [[file, 1]],
    );
  });
});

describe('jsonNestingDepth', () => {
  it.each([
    { name: 'flat', text: '{"a":1}', want: 1 },
    { name: 'brackets in strings', text: '{"a":"[[[{{{"}', want: 1 },
    { name: 'escaped quote', text: '{"a":"\\"[[["}', want: 1 },
    { name: 'nested', text: '[[{"a":[1]}]]', want: 4 },
    { name: 'scalar', text: '1', want: 0 },
  ])('$name → $want', ({ text, want }) => {
    expect(jsonNestingDepth(text)).toBe(want);
  });

  it('parseShallowJson refuses past the limit and parses at it', () => {
    expect(() => parseShallowJson('[[[]]]', 2)).toThrow(JsonTooDeepError);
    expect(parseShallowJson('[[[]]]', 3)).toEqual([[[]]]);
  });
});
