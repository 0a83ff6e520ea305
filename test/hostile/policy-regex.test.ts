import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeForError } from '../../src/cli/exit-codes.js';
import { parsePolicy } from '../../src/trust/policy/load.js';
import { regexError } from '../../src/trust/policy/patterns.js';
import { PolicyError } from '../../src/trust/policy/problems.js';
import { toNamedSigner } from '../../src/trust/sigstore/signers.js';
import { matchesSigner } from '../../src/verify/policy/signers.js';

const signer = (pattern: string) =>
  `version: 1\nsignatures:\n  signers:\n    ci: {kind: sigstore, issuer: https://x.example, subjectPattern: '${pattern}'}\n`;

describe('policy regexes that backtrack catastrophically are refused at load', () => {
  it.each([
    { name: 'nested plus', pattern: '(a+)+b' },
    { name: 'nested star', pattern: '(a*)*' },
    { name: 'repeated group of pluses', pattern: '(x+x+)+y' },
    { name: 'word groups', pattern: '(\\w+\\s?)+' },
    { name: 'too long', pattern: 'a'.repeat(2000) },
    // What V8 accepts but the linear-time matcher cannot run: refused at load, never a silent non-match.
    { name: 'lookahead', pattern: '(?=.*@acme)[a-z@.]+' },
    { name: 'backreference', pattern: '([a-z]+)@\\1\\.com' },
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

describe('identity patterns the star-height check passes still match in linear time', () => {
  const ISSUER = 'https://token.actions.githubusercontent.com';
  // Exponential (overlapping alternation) or high-degree polynomial on V8's backtracking engine, yet star height 1.
  it.each([
    { name: 'overlapping alternation', pattern: '(a|aa)+$', subject: `${'a'.repeat(100_000)}b` },
    { name: 'overlapping alternation, word form', pattern: '(?:ab|a|b)+c', subject: 'ab'.repeat(50_000) },
    { name: 'four dot-stars', pattern: 'a.*b.*c.*d.*e', subject: 'abcd'.repeat(25_000) },
  ])('$name: accepted at load, a crafted 100k-character subject is refused at once', ({ pattern, subject }) => {
    expect(regexError(pattern)).toBeUndefined();
    const signer = toNamedSigner(
      'ci',
      { kind: 'sigstore', issuer: ISSUER, subjectPattern: pattern },
      undefined,
      'p.yml',
    );
    // On V8 this call would not return in the lifetime of the test run.
    expect(matchesSigner({ kind: 'sigstore', issuer: ISSUER, subject }, signer)).toBe(false);
  });

  it.each([
    {
      pattern: 'https://github\\.com/acme/.+/\\.github/workflows/release\\.yml@refs/tags/v.*',
      subject: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3',
      want: true,
    },
    {
      pattern: 'https://github\\.com/acme/.+/\\.github/workflows/release\\.yml@refs/tags/v.*',
      subject: 'https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1',
      want: false,
    },
    { pattern: '[a-z]+@us\\.ibm\\.com', subject: 'stefanb@us.ibm.com', want: true },
    { pattern: '[a-z]+@us\\.ibm\\.com', subject: 'stefanb@us.ibm.com.evil.example', want: false },
    { pattern: 'ci/[0-9]+', subject: 'ci/42\nx', want: false },
  ])('$pattern on $subject → $want (anchored, as before)', ({ pattern, subject, want }) => {
    const signer = toNamedSigner(
      'ci',
      { kind: 'sigstore', issuer: ISSUER, subjectPattern: pattern },
      undefined,
      'p.yml',
    );
    expect(matchesSigner({ kind: 'sigstore', issuer: ISSUER, subject }, signer)).toBe(want);
  });
});
