import { createHash } from 'node:crypto';
import fc from 'fast-check';
import ssri from 'ssri';
import { describe, expect, it } from 'vitest';
import { digestBytes, parseSri, toSriString, type ParsedSri, type SriMode } from '../../src/core/sri.js';
import { checkSri } from '../../src/deps/checks/integrity.js';
import { sriToHashes } from '../../src/report/cyclonedx.js';
import { parseSri as comparableSri } from '../../src/verify/npm/sri.js';

const b64 = (alg: string, data = 'x') => createHash(alg).update(data).digest('base64');
const SHA512 = `sha512-${b64('sha512')}`;
const SHA384 = `sha384-${b64('sha384')}`;
const SHA256 = `sha256-${b64('sha256')}`;
const SHA1 = `sha1-${b64('sha1')}`;

/** Our result in ssri's shape: algorithm → [{ digest, options }] in the order written; no hash → null. */
function grouped(p: ParsedSri): Record<string, { digest: string; options: string[] }[]> | null {
  if (p.hashes.length === 0) return null;
  const out: Record<string, { digest: string; options: string[] }[]> = {};
  for (const h of p.hashes) (out[h.algorithm] ??= []).push({ digest: h.digest, options: [...h.options] });
  return out;
}

function ssriGrouped(text: string, strict: boolean): Record<string, { digest: string; options: string[] }[]> | null {
  const parsed = ssri.parse(text, { strict });
  if (!parsed) return null;
  const out: Record<string, { digest: string; options: string[] }[]> = {};
  for (const [alg, hashes] of Object.entries(parsed)) {
    out[alg] = hashes.map((h: ssri.HashLike) => ({ digest: h.digest, options: [...(h.options ?? [])] }));
  }
  return out;
}

describe('toSriString agrees with String(ssri.parse(text)), what pacote signs over', () => {
  it.each([
    { name: 'one hash', text: SHA512 },
    { name: 'padded with whitespace', text: `  ${SHA512}\n` },
    { name: 'algorithms interleaved', text: `${SHA1} ${SHA512} ${SHA1.replace('sha1-', 'sha1-A')}?opt` },
    { name: 'options kept', text: `${SHA512}?a?b` },
    { name: 'tokens ssri drops', text: `junk ${SHA256} nope-x?` },
  ])('$name', ({ text }) => {
    expect(toSriString(parseSri(text, 'lenient'))).toBe(String(ssri.parse(text)));
  });
});

describe('parseSri: malformed and edge cases', () => {
  it.each<{ name: string; text: string; mode: SriMode; hashes: string[]; rejected: string[] }>([
    { name: 'one sha512', text: SHA512, mode: 'strict', hashes: ['sha512'], rejected: [] },
    {
      name: 'several, any whitespace',
      text: ` ${SHA512}\t${SHA1}\n`,
      mode: 'strict',
      hashes: ['sha512', 'sha1'],
      rejected: [],
    },
    { name: 'options after ?', text: `${SHA256}?foo?bar`, mode: 'strict', hashes: ['sha256'], rejected: [] },
    { name: 'empty', text: '', mode: 'strict', hashes: [], rejected: [] },
    { name: 'blank', text: ' \t ', mode: 'lenient', hashes: [], rejected: [] },
    {
      name: 'digest one byte short',
      text: `sha512-${b64('sha384')}`,
      mode: 'strict',
      hashes: [],
      rejected: [`sha512-${b64('sha384')}`],
    },
    {
      name: 'unpadded',
      text: SHA512.replace(/=+$/, ''),
      mode: 'strict',
      hashes: [],
      rejected: [SHA512.replace(/=+$/, '')],
    },
    {
      name: 'url-safe base64',
      text: 'sha256-' + b64('sha256', 'ab?').replace(/\//g, '_'),
      mode: 'strict',
      hashes: [],
      rejected: ['sha256-' + b64('sha256', 'ab?').replace(/\//g, '_')],
    },
    {
      name: 'uppercase algorithm',
      text: SHA512.toUpperCase(),
      mode: 'lenient',
      hashes: [],
      rejected: [SHA512.toUpperCase()],
    },
    {
      name: 'md5: ssri keeps it, the spec does not',
      text: 'md5-XrY7u+Ae7tCTyyK7j1rNww==',
      mode: 'lenient',
      hashes: ['md5'],
      rejected: [],
    },
    {
      name: 'md5 in strict mode',
      text: 'md5-XrY7u+Ae7tCTyyK7j1rNww==',
      mode: 'strict',
      hashes: [],
      rejected: ['md5-XrY7u+Ae7tCTyyK7j1rNww=='],
    },
    {
      name: 'lenient keeps a digest that is not base64',
      text: 'sha512-not*base64',
      mode: 'lenient',
      hashes: ['sha512'],
      rejected: [],
    },
    { name: 'no digest', text: 'sha512-', mode: 'lenient', hashes: [], rejected: ['sha512-'] },
    { name: 'unknown algorithm', text: 'sha999-AAAA', mode: 'lenient', hashes: [], rejected: ['sha999-AAAA'] },
    {
      name: 'control character in options',
      text: `${SHA256}?a\u0001`,
      mode: 'strict',
      hashes: [],
      rejected: [`${SHA256}?a\u0001`],
    },
    {
      name: 'good and bad together',
      text: `${SHA512} sha512-garbage`,
      mode: 'strict',
      hashes: ['sha512'],
      rejected: ['sha512-garbage'],
    },
  ])('$name ($mode)', ({ text, mode, hashes, rejected }) => {
    const got = parseSri(text, mode);
    expect(got.hashes.map((h) => h.algorithm)).toEqual(hashes);
    expect(got.rejected).toEqual(rejected);
  });

  it('digestBytes: known algorithm, base64 alphabet, exact length', () => {
    expect(digestBytes('sha512', b64('sha512'))?.length).toBe(64);
    expect(digestBytes('sha512', b64('sha256'))).toBeUndefined();
    expect(digestBytes('md5', 'XrY7u+Ae7tCTyyK7j1rNww==')).toBeUndefined();
    expect(digestBytes('sha256', `${b64('sha256').slice(0, -2)}-_`)).toBeUndefined();
  });
});

describe('what each caller does with an unparseable integrity (a finding, never a pass)', () => {
  it.each([
    { name: 'sha512', text: SHA512, verdict: 'ok' },
    { name: 'sha384 and sha1', text: `${SHA384} ${SHA1}`, verdict: 'ok' },
    { name: 'sha1 only', text: SHA1, verdict: 'weak' },
    { name: 'one bad token among good ones', text: `${SHA512} sha512-AAAA`, verdict: 'invalid' },
    { name: 'md5', text: 'md5-XrY7u+Ae7tCTyyK7j1rNww==', verdict: 'invalid' },
    { name: 'garbage', text: 'not an integrity', verdict: 'invalid' },
  ])('lockfile check (CPD003/CPD004): $name → $verdict', ({ text, verdict }) => {
    expect(checkSri(text)).toBe(verdict);
  });

  it.each([
    { name: 'garbage', text: 'sha512-garbage' },
    { name: 'md5 only', text: 'md5-XrY7u+Ae7tCTyyK7j1rNww==' },
    { name: 'wrong length', text: `sha512-${b64('sha256')}` },
  ])('registry check: $name has nothing comparable, so it is reported as unverifiable', ({ text }) => {
    expect(comparableSri(text).size).toBe(0);
  });

  it('the CycloneDX reporter lists only hashes it can state, in hex', () => {
    expect(sriToHashes(`${SHA512} sha512-garbage md5-XrY7u+Ae7tCTyyK7j1rNww==`)).toEqual([
      { alg: 'SHA-512', content: createHash('sha512').update('x').digest('hex') },
    ]);
  });
});

// Tokens built from the pieces that matter to the grammar, so the properties reach the interesting corners.
const algorithm = fc.constantFrom(
  'sha512',
  'sha384',
  'sha256',
  'sha1',
  'md5',
  'SHA512',
  'sha3',
  'sha999',
  '',
  'sha-512',
);
const digestText = fc.oneof(
  fc.constantFrom(b64('sha512'), b64('sha384'), b64('sha256'), b64('sha1'), b64('sha512').replace(/=+$/, '')),
  fc.string({ unit: fc.constantFrom('A', 'z', '0', '+', '/', '=', '-', '_', '?', '*', 'é', '\u0001') }),
);
const options = fc.oneof(
  fc.constant(''),
  fc.string({ unit: fc.constantFrom('?', 'a', '=', '~', '*', '\u007f', 'é') }).map((s) => `?${s}`),
);
const token = fc.oneof(
  fc.tuple(algorithm, digestText, options).map(([a, d, o]) => `${a}-${d}${o}`),
  fc.string({ maxLength: 12 }),
);
const separator = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', '\u2028', '\ufeff');
const integrity = fc
  .tuple(fc.array(fc.tuple(token, separator), { maxLength: 5 }), separator, separator)
  .map(([parts, lead, tail]) => `${lead}${parts.map(([t, s]) => `${t}${s}`).join('')}${tail}`);

describe('agreement with ssri (npm)', () => {
  it('lenient mode accepts exactly what ssri.parse accepts, with the same digests and options', () => {
    fc.assert(
      fc.property(integrity, (text) => {
        expect(grouped(parseSri(text, 'lenient'))).toEqual(ssriGrouped(text, false));
      }),
      { numRuns: 1000 },
    );
  });

  it('strict mode accepts nothing ssri strict refuses (sha1 aside), and every padded right-length hash it keeps', () => {
    fc.assert(
      fc.property(integrity, (text) => {
        const ours = parseSri(text, 'strict').hashes.filter((h) => h.algorithm !== 'sha1');
        const theirs: ssri.HashLike[] = Object.values<ssri.HashLike[]>(ssri.parse(text, { strict: true }) ?? {}).flat();
        for (const h of ours) {
          expect(theirs.some((t) => t.algorithm === h.algorithm && t.digest === h.digest)).toBe(true);
        }
        const spec = theirs.filter(
          (t) => t.digest.length % 4 === 0 && digestBytes(t.algorithm, t.digest) !== undefined,
        );
        for (const t of spec) {
          expect(ours.some((h) => h.algorithm === t.algorithm && h.digest === t.digest)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
