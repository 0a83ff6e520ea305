import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ssriVerdict } from '../../../src/deps/checks/ssri-verdict.js';

const sri = (alg: string, data: string) => `${alg}-${createHash(alg).update(data).digest('base64')}`;

/** Verdicts checked against npm's own ssri 13 (`parse` + `checkData`) on the same strings. */
describe('ssriVerdict reads integrity as npm and yarn 1 check it', () => {
  it.each([
    { name: 'one sha512', value: sri('sha512', 'x'), want: { kind: 'ok' } },
    { name: 'sha512 and a malformed sha1', value: `${sri('sha512', 'x')} sha1-bogus`, want: { kind: 'ok' } },
    { name: 'an algorithm node lacks is dropped', value: `foo-bar ${sri('sha512', 'x')}`, want: { kind: 'ok' } },
    { name: 'options after ?', value: `${sri('sha512', 'x')}?foo`, want: { kind: 'ok' } },
    { name: 'sha1 only', value: sri('sha1', 'x'), want: { kind: 'weak', algorithm: 'sha1' } },
    { name: 'md5 only', value: sri('md5', 'x'), want: { kind: 'weak', algorithm: 'md5' } },
    { name: 'sha1 and a malformed sha512', value: `${sri('sha1', 'x')} sha512-AAAA`, want: { kind: 'invalid' } },
    {
      name: 'unpadded digest never equals node base64',
      value: sri('sha512', 'x').replace(/=+$/, ''),
      want: { kind: 'invalid' },
    },
    {
      name: 'upper-case algorithm (ssri: no hashes)',
      value: sri('sha512', 'x').replace('sha512', 'SHA512'),
      want: { kind: 'invalid' },
    },
    {
      name: 'two sha512 digests',
      value: `${sri('sha512', 'x')} ${sri('sha512', 'y')}`,
      want: { kind: 'several', algorithm: 'sha512', count: 2 },
    },
    { name: 'one digest written twice', value: `${sri('sha512', 'x')} ${sri('sha512', 'x')}`, want: { kind: 'ok' } },
  ])('$name', ({ value, want }) => expect(ssriVerdict(value)).toEqual(want));
});
