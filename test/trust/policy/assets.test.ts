import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { DEFAULT_POLICY_YAML } from '../../../src/trust/policy/default-yaml.js';
import { loadPolicy, parsePolicy } from '../../../src/trust/policy/load.js';
import { MODEL_FORMAT_NAMES, POLICY_SCHEMA } from '../../../src/trust/policy/schema.js';

const SHIPPED = [
  'policies/default.yml',
  ...readdirSync('policies/examples')
    .filter((f) => f.endsWith('.yml'))
    .map((f) => `policies/examples/${f}`),
];

describe('shipped policy assets', () => {
  it('policies/default.yml is the embedded default (run scripts/sync-policy-assets.mjs after editing it)', () => {
    expect(readFileSync('policies/default.yml', 'utf8')).toBe(DEFAULT_POLICY_YAML);
  });

  it('policies/policy.schema.json is the embedded schema', () => {
    expect(JSON.parse(readFileSync('policies/policy.schema.json', 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(POLICY_SCHEMA)),
    );
  });

  it('the schema is a valid draft-07 schema in strict mode', () => {
    const ajv = new Ajv({ strict: true, strictTypes: false, discriminator: true, validateFormats: false });
    ajv.addKeyword('patternErrorMessage');
    expect(() => ajv.compile(POLICY_SCHEMA)).not.toThrow();
  });

  it('the embedded default validates and is DEFAULT_POLICY', async () => {
    const { policy } = await parsePolicy(DEFAULT_POLICY_YAML, 'policies/default.yml', path.resolve('policies'));
    expect({ ...policy, source: DEFAULT_POLICY.source }).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY.source).toBe('<embedded default policy>');
  });

  it.each(SHIPPED)('%s validates and points editors at the schema', async (file) => {
    const text = readFileSync(file, 'utf8');
    const m = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text);
    expect(m).not.toBeNull();
    expect(path.resolve(path.dirname(file), m![1]!)).toBe(path.resolve('policies/policy.schema.json'));
    const policy = await loadPolicy(file, '.');
    expect(policy.source).toBe(file);
  });
});

describe('model format names', () => {
  it('the schema accepts every format and family name the models stage matches', async () => {
    const { familiesOf } = await import('../../../src/models/families.js');
    const { MODEL_FORMATS } = await import('../../../src/core/files.js');
    const names = new Set<string>();
    for (const f of [...MODEL_FORMATS, 'tfjs-manifest' as const]) {
      for (const n of familiesOf(f, { objectArrays: true })) names.add(n);
    }
    for (const n of names) expect(MODEL_FORMAT_NAMES).toContain(n);
  });
});
