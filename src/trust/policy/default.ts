import type { Policy } from '../../core/policy.js';
import { DEFAULT_POLICY_DOCUMENT } from './default-document.js';
import { toPolicy } from './to-policy.js';

export const EMBEDDED_DEFAULT_SOURCE = '<embedded default policy>';

/**
 * The embedded default as a plain document (what a policy file is merged over). A fresh copy each call. It is
 * DEFAULT_POLICY_YAML parsed at build time (default-document.ts), so start-up parses no YAML.
 */
export function defaultPolicyDocument(): Record<string, unknown> {
  return structuredClone(DEFAULT_POLICY_DOCUMENT);
}

/**
 * The embedded default policy: applies when no `--policy` is given and no `.chainproof/policy.yml` exists. It is the
 * converter's value for an empty document, with no YAML parse and no schema compile at start-up;
 * test/trust/policy/assets.test.ts keeps it equal to DEFAULT_POLICY_YAML validated and converted.
 */
export const DEFAULT_POLICY: Policy = toPolicy({ version: 1 }, EMBEDDED_DEFAULT_SOURCE, () => undefined);
