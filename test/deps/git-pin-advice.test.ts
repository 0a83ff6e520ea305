import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * CPD007's advice follows what the lockfile already pins: "pin a full commit SHA" for an entry locked to a commit is
 * advice already taken. What is left there is the code at that commit, which runs when npm fetches it (pacote
 * prepares git and directory sources by running their `prepare` script).
 */
const SHA = '0123456789abcdef0123456789abcdef01234567';

async function cpd007(ref: string): Promise<string> {
  const resolved = `git+ssh://git@github.com/o/g.git#${ref}`;
  const root = await repoWith({
    'package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { g: `github:o/g#${ref}` } }),
    'package-lock.json': JSON.stringify(
      {
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'app', version: '1.0.0', dependencies: { g: `github:o/g#${ref}` } },
          'node_modules/g': { version: '1.0.0', resolved },
        },
      },
      null,
      2,
    ),
  });
  const found = (await scanDeps(root)).findings.filter((f) => f.ruleId === 'CPD007');
  expect(found).toHaveLength(1);
  return found[0]!.message;
}

describe('CPD007 advice', () => {
  it('for a git entry locked to a full commit: review the code at it, its prepare script runs', async () => {
    const message = await cpd007(SHA);
    expect(message).not.toContain('pin a full commit SHA');
    expect(message).toContain('review the code at the locked commit');
    expect(message).toContain('prepare script');
  });
});
