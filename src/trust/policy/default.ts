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
 * The embedded default policy: applies when no `--policy` is given and no `.chainproof/policy.yml` exists.
 * Built from DEFAULT_POLICY_YAML (one source of truth); a test validates that text against the schema.
 */
export const DEFAULT_POLICY: Policy = toPolicy(defaultPolicyDocument(), EMBEDDED_DEFAULT_SOURCE, () => undefined);
