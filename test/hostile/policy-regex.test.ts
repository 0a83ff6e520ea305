import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeForError } from '../../src/cli/exit-codes.js';
import { parsePolicy } from '../../src/trust/policy/load.js';
import { regexError } from '../../src/trust/policy/patterns.js';
import { PolicyError } from '../../src/trust/policy/problems.js';
import { toNamedSigner } from '../../src/trust/sigstore/signers.js';
import { matchesSigner } from '../../src/verify/policy/signers.js';
import { identityAllowed, matchesAnchored } from '../../src/verify/npm/identity.js';
import { publisherAllowed } from '../../src/verify/pypi/publisher.js';

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

describe('provenance builders, identities and PyPI publishers match in linear time too', () => {
  // The value comes from a certificate or attestation whoever made it chose (Build Signer URI, Source Repository
  // URI, a PyPI publisher's repository); each call would not return on V8's backtracking engine.
  const CRAFTED = `${'a'.repeat(100_000)}b`;
  const PATTERN = '(a|aa)+';

  it('npm provenance identities (identityAllowed) and model builders (matchesAnchored)', () => {
    expect(regexError(PATTERN)).toBeUndefined();
    expect(identityAllowed({ sourceRepository: CRAFTED }, [{ sourceRepository: PATTERN }])).toBe(false);
    // A repository only counts under an issuer that speaks for its host, so the pattern meets the subject here.
    expect(identityAllowed({ subject: CRAFTED }, [{ subject: PATTERN }])).toBe(false);
    expect(matchesAnchored(PATTERN, CRAFTED)).toBe(false);
    // Anchored as before: the whole value must match.
    expect(matchesAnchored('https://github\\.com/acme/app', 'https://github.com/acme/app')).toBe(true);
    expect(matchesAnchored('https://github\\.com/acme/app', 'https://github.com/acme/app-evil')).toBe(false);
  });

  it('PyPI Trusted Publishers (publisherAllowed)', () => {
    expect(publisherAllowed({ kind: 'GitHub', repository: CRAFTED }, [{ repository: PATTERN }])).toBe(false);
    expect(publisherAllowed({ kind: 'GitHub', repository: 'acme/app' }, [{ repository: 'acme/.+' }])).toBe(true);
  });

  it.each(['repository', 'workflow', 'email'])(
    'a PyPI publisher %s pattern the linear-time matcher cannot run is refused at load (exit 2, its line)',
    async (field) => {
      const text =
        'version: 1\ndependencies:\n  python:\n    requireProvenance:\n      - packages: [acme]\n' +
        `        publishers:\n          - ${field}: '(?=.*acme).+'\n`;
      const err = (await parsePolicy(text, 'policy.yml', '.').catch((e: unknown) => e)) as PolicyError;
      expect(err).toBeInstanceOf(PolicyError);
      expect(err.problems).toMatchObject([{ code: 'bad-regex', line: 7 }]);
      expect(exitCodeForError(err)).toBe(EXIT.usage);
    },
  );
});
