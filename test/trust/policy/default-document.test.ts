import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultPolicyDocument } from '../../../src/trust/policy/default.js';
import { DEFAULT_POLICY_YAML } from '../../../src/trust/policy/default-yaml.js';

describe('the embedded default policy, parsed at build time', () => {
  it('is DEFAULT_POLICY_YAML parsed (run scripts/sync-policy-assets.mjs after editing the YAML)', () => {
    const parsed = parse(DEFAULT_POLICY_YAML, { version: '1.2' }) as Record<string, unknown>;
    delete parsed['$schema'];
    expect(defaultPolicyDocument()).toEqual(parsed);
  });

  it('hands out a fresh copy each call', () => {
    const a = defaultPolicyDocument();
    (a['dependencies'] as Record<string, unknown>)['privateScopes'] = ['@mutated'];
    expect((defaultPolicyDocument()['dependencies'] as Record<string, unknown>)['privateScopes']).toEqual([]);
  });
});
