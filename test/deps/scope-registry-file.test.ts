import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIDELITY } from './fidelity-cases.js';
import { scanDeps } from './helpers.js';

/**
 * CPD162 names the file that maps the scope: Bun reads `[install.scopes]` of bunfig.toml as well as `.npmrc`, and a
 * reviewer told ".npmrc" looks in the wrong file (or finds none).
 */
describe('CPD162 names the configuration file of the scope mapping', () => {
  it.each([
    ['scope-registry.bunfig', 'bunfig.toml'],
    ['scope-registry.bun', '.npmrc'],
  ])('%s: %s', async (dir, file) => {
    const r = await scanDeps(path.join(FIDELITY, dir));
    const found = r.findings.filter((f) => f.ruleId === 'CPD162');
    expect(found.map((f) => `${f.location.path}:${f.location.line ?? ''}`)).toEqual(['bun.lock:13']);
    expect(found[0]!.message).toContain(`the registry ${file} names for @corp`);
  });
});
