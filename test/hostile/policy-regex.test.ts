import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeForError } from '../../src/cli/exit-codes.js';
import { parsePolicy } from '../../src/trust/policy/load.js';
import { regexError } from '../../src/trust/policy/patterns.js';
import { PolicyError } from '../../src/trust/policy/problems.js';

const signer = (pattern: string) =>
  `version: 1\nsignatures:\n  signers:\n    ci: {kind: sigstore, issuer: https://x.example, subjectPattern: '${pattern}'}\n`;

describe('policy regexes that backtrack catastrophically are refused at load', () => {
  it.each([
    { name: 'nested plus', pattern: '(a+)+b' },
    { name: 'nested star', pattern: '(a*)*' },
    { name: 'repeated group of pluses', pattern: '(x+x+)+y' },
    { name: 'word groups', pattern: '(\\w+\\s?)+' },
    { name: 'too long', pattern: 'a'.repeat(2000) },
  ])('$name → bad-regex at line 4, exit 2', async ({ pattern }) => {
    const err = (await parsePolicy(signer(pattern), 'policy.yml', '.').catch((e: unknown) => e)) as PolicyError;
    expect(err).toBeInstanceOf(PolicyError);
    expect(err.problems).toMatchObject([{ code: 'bad-regex', line: 4 }]);
    expect(exitCodeForError(err)).toBe(EXIT.usage);
  });

  it.each([
    {
      name: 'GitHub workflow identity',
      pattern: 'https://github\\.com/acme/.+/\\.github/workflows/release\\.yml@refs/tags/v.*',
    },
    {
      name: 'character-class parts',
      pattern: 'https://github\\.com/[^/]+/[^/]+/\\.github/workflows/[^@]+@refs/heads/main',
    },
    { name: 'email', pattern: '[a-z]+@us\\.ibm\\.com' },
  ])('$name is accepted', ({ pattern }) => {
    expect(regexError(pattern)).toBeUndefined();
  });
});
