import type { Level } from './finding.js';

/**
 * A rule of the catalogue. IDs are stable: `CP` + area letter + three digits
 * (D dependencies, M models, S signatures, I content inspection, X scanner health, P Python dependencies).
 */
export interface Rule {
  readonly id: string;
  /** PascalCase name, e.g. `MissingIntegrity`. */
  readonly name: string;
  /** One line. */
  readonly short: string;
  /** A paragraph: what the rule checks and why it matters. */
  readonly full: string;
  /** Markdown: how to fix it. */
  readonly help: string;
  readonly level: Level;
  /** SARIF `security-severity`, "0.1"–"10.0". */
  readonly severity: string;
  readonly tags: readonly string[];
}

export function defineRules<const T extends readonly Rule[]>(rules: T): T {
  for (const rule of rules) {
    if (!/^CP[DMSIXP]\d{3}$/.test(rule.id)) throw new Error(`bad rule id ${rule.id}`);
    const sev = Number(rule.severity);
    if (!(sev >= 0.1 && sev <= 10)) throw new Error(`bad security-severity for ${rule.id}`);
  }
  return rules;
}
