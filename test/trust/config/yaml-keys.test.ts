import { describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../../../src/trust/config/yaml.js';

const LIMITS = { maxBytes: 16 * 1024 * 1024, what: 'policy' };

/**
 * A policy or registry file can come with the pull request being scanned: its keys are checked for repeats in one
 * walk (core/yaml-key-problems.ts), not by yaml's uniqueKeys, which compares each key with every earlier one.
 */
describe('parseConfigYaml: repeated keys and anchors in large files', () => {
  const big = (n: number, last: string) =>
    `rules:\n${Array.from({ length: n }, (_, i) => `  K${i}: off\n`).join('')}  ${last}: off\n`;

  it('a repeat after 50,000 keys is found at its line and column', () => {
    const r = parseConfigYaml(big(50_000, 'K7'), LIMITS);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual([
      '50002:3: YAML syntax error: Map keys must be unique',
    ]);
  });

  it('50,000 distinct keys parse', () => {
    expect(parseConfigYaml(big(50_000, 'K50000'), LIMITS).ok).toBe(true);
  });

  it('more than 1,000 anchors and aliases are refused', () => {
    const text = `a: &x 1\nlist:\n${Array.from({ length: 1200 }, () => '  - *x\n').join('')}`;
    const r = parseConfigYaml(text, LIMITS);
    expect(!r.ok && r.problems[0]!.message).toContain('more than 1000 anchors and aliases');
  });
});
