import type { Rule } from '../rule.js';
import { byCodePoint } from '../order.js';
import { DEPS_RULES } from './deps.js';
import { HOSTILE_INPUT_RULES } from './hostile-input.js';
import { INSPECT_FORMATS_RULES } from './inspect-formats.js';
import { INSPECT_LOADER_RULES } from './inspect-loaders.js';
import { INSPECT_PICKLE_RULES } from './inspect-pickle.js';
import { MODELS_RULES } from './models.js';
import { REFS_RULES } from './refs.js';
import { PYTHON_RULES } from './python.js';
import { REGISTRY_RULES } from './registry.js';
import { REVIEW_RULES } from './review.js';
import { SCANNER_RULES } from './scanner.js';
import { SIGNATURES_RULES } from './signatures.js';

/** Every rule chainproof can report, sorted by ID. One list per area; adding a rule is one entry there. */
export const RULES: readonly Rule[] = [
  ...DEPS_RULES,
  ...PYTHON_RULES,
  ...REGISTRY_RULES,
  ...MODELS_RULES,
  ...INSPECT_PICKLE_RULES,
  ...INSPECT_FORMATS_RULES,
  ...INSPECT_LOADER_RULES,
  ...SIGNATURES_RULES,
  ...SCANNER_RULES,
  ...REVIEW_RULES,
  ...REFS_RULES,
  ...HOSTILE_INPUT_RULES,
].sort((a, b) => byCodePoint(a.id, b.id));

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

export function findRule(id: string): Rule | undefined {
  return BY_ID.get(id);
}

/** The rule's SARIF security-severity as a number; 0 for an ID the catalogue does not hold. */
export function severityOf(ruleId: string): number {
  const rule = findRule(ruleId);
  return rule !== undefined ? Number(rule.severity) : 0;
}

export function getRule(id: string): Rule {
  const rule = BY_ID.get(id);
  if (!rule) throw new Error(`unknown rule ${id}`);
  return rule;
}
