import type { Policy } from '../../core/policy.js';
import { parse } from 'yaml';
import { DEFAULT_POLICY_YAML } from './default-yaml.js';
import { toPolicy } from './to-policy.js';

export const EMBEDDED_DEFAULT_SOURCE = '<embedded default policy>';

/** The embedded default as a plain document (what a policy file is merged over). A fresh copy each call. */
export function defaultPolicyDocument(): Record<string, unknown> {
  const doc = parse(DEFAULT_POLICY_YAML, { version: '1.2' }) as Record<string, unknown>;
  delete doc['$schema'];
  return doc;
}

/**
 * The embedded default policy: applies when no `--policy` is given and no `.chainproof/policy.yml` exists. It is the
 * converter's value for an empty document, with no YAML parse and no schema compile at start-up;
 * test/trust/policy/assets.test.ts keeps it equal to DEFAULT_POLICY_YAML validated and converted.
 */
export const DEFAULT_POLICY: Policy = toPolicy({ version: 1 }, EMBEDDED_DEFAULT_SOURCE, () => undefined);
