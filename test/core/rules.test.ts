import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/core/rules/index.js';

describe('rule catalogue', () => {
  it('has unique, well-formed IDs with help and a security-severity', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^CP[DMSIXPRU]\d{3}$/);
      expect(r.help.length).toBeGreaterThan(10);
      expect(Number(r.severity)).toBeGreaterThanOrEqual(0.1);
      expect(Number(r.severity)).toBeLessThanOrEqual(10);
    }
  });
});
