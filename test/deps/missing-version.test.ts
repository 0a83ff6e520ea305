import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/** An npm entry without a version is an incomplete entry (CPD010 says so), not a package swapped for another. */
describe('a lockfile entry without a version', () => {
  it('is CPD010 at its line, worded as incomplete rather than injection', async () => {
    const lock = {
      name: 'x',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'x', version: '1.0.0', dependencies: { 'left-pad': '^1.3.0' } },
        'node_modules/left-pad': {
          resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz',
          integrity: 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEuc4HgtHyg7RHuGtDoSJu7kE2nGibyAurvsMAgc3BOV1gA==',
        },
      },
    };
    const root = await repoWith({ 'package-lock.json': JSON.stringify(lock, null, 2) });
    const text = readFileSync(`${root}/package-lock.json`, 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('"node_modules/left-pad"')) + 1;
    const r = await scanDeps(root);
    const f = r.findings.filter((x) => x.ruleId === 'CPD010');
    expect(f.map((x) => x.location.line)).toEqual([line]);
    expect(f[0]?.message).toContain('has no version in the lockfile');
    expect(f[0]?.message).not.toContain('injection');
  });
});
