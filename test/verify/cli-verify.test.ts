import path from 'node:path';
import yargs from 'yargs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyCommand } from '../../src/cli/commands/verify.js';
import { cliOutcome } from '../../src/cli/outcome.js';
import { UsageError } from '../../src/core/errors.js';
import { corpusPath } from '../helpers/corpus.js';
import { KEYS, MS } from './helpers.js';

// Relative, as a user types it: the conformance cases are read in place from ../shared/corpora.
const CONF = path.relative(process.cwd(), corpusPath('sigstore', 'conformance', 'bundle-verify'));
const BEACON_ID =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const GHA = 'https://token.actions.githubusercontent.com';

/** Run `verify …` through yargs as the CLI mounts it; returns the exit code the command set, or the error thrown. */
async function run(args: string[]): Promise<{ code: number; out: string; error?: unknown }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  cliOutcome.exitCode = -1;
  try {
    await yargs(['verify', ...args])
      .command(verifyCommand)
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .parseAsync();
    return { code: cliOutcome.exitCode, out };
  } catch (error) {
    return { code: error instanceof UsageError ? 2 : 4, out, error };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('chainproof verify', () => {
  it.each([
    {
      name: 'keyless bundle, right identity',
      args: [`${CONF}/happy-path-v0.3/bundle.sigstore.json`, `${CONF}/a.txt`, '--identity', BEACON_ID, '--issuer', GHA],
      want: 0,
      text: 'Verified OK',
    },
    {
      name: 'anchored subject pattern',
      args: [
        `${CONF}/happy-path-v0.3/bundle.sigstore.json`,
        `${CONF}/a.txt`,
        '--subject-pattern',
        'https://github\\.com/sigstore-conformance/.*',
        '--issuer',
        GHA,
      ],
      want: 0,
      text: 'Verified OK',
    },
    {
      name: 'a subject pattern that can backtrack catastrophically is refused (exit 2)',
      args: [
        `${CONF}/happy-path-v0.3/bundle.sigstore.json`,
        `${CONF}/a.txt`,
        '--subject-pattern',
        '(a+)+b',
        '--issuer',
        GHA,
      ],
      want: 2,
      text: '',
    },
    {
      name: 'a prefix of the identity does not match',
      args: [
        `${CONF}/happy-path-v0.3/bundle.sigstore.json`,
        `${CONF}/a.txt`,
        '--subject-pattern',
        'https://github\\.com',
        '--issuer',
        GHA,
      ],
      want: 1,
      text: 'untrusted-signer',
    },
    {
      name: 'wrong issuer',
      args: [
        `${CONF}/happy-path-v0.3/bundle.sigstore.json`,
        `${CONF}/a.txt`,
        '--identity',
        BEACON_ID,
        '--issuer',
        'https://accounts.google.com',
      ],
      want: 1,
      text: 'signer seen',
    },
    {
      name: 'wrong artifact',
      args: [
        `${CONF}/wrong-material_fail/bundle.sigstore.json`,
        `${CONF}/wrong-material_fail/artifact`,
        '--identity',
        BEACON_ID,
        '--issuer',
        GHA,
      ],
      want: 1,
      text: 'digest-mismatch',
    },
    {
      name: 'model folder with a key',
      args: [
        `${MS}/v1.0.1-elliptic-key/model.sig`,
        `${MS}/v1.0.1-elliptic-key`,
        '--key',
        path.join(KEYS, 'signing-key-pub.pem'),
        '--ignore',
        'ignore-me',
      ],
      want: 0,
      text: 'Verified OK',
    },
    {
      name: 'model folder with an unsigned file',
      args: [`${MS}/v1.0.1-certificate/model.sig`, `${MS}/v1.0.1-certificate`, '--ca', path.join(KEYS, 'ca-cert.pem')],
      want: 1,
      text: 'extra: ignore-me',
    },
    { name: 'no signer', args: [`${CONF}/happy-path-v0.3/bundle.sigstore.json`, `${CONF}/a.txt`], want: 2, text: '' },
    {
      name: 'identity without issuer',
      args: [`${CONF}/happy-path-v0.3/bundle.sigstore.json`, `${CONF}/a.txt`, '--identity', BEACON_ID],
      want: 2,
      text: '',
    },
    {
      name: 'missing artifact',
      args: [`${CONF}/happy-path-v0.3/bundle.sigstore.json`, 'nope.txt', '--identity', BEACON_ID, '--issuer', GHA],
      want: 2,
      text: '',
    },
  ])('$name → exit $want', async ({ args, want, text }) => {
    const r = await run(args);
    expect(r.code, r.error instanceof Error ? r.error.message : r.out).toBe(want);
    expect(r.out).toContain(text);
    // A usage error carries its reason; for the refused pattern, the reason names the danger.
    if (want === 2 && args.includes('(a+)+b'))
      expect(r.error instanceof Error ? r.error.message : '').toContain('backtrack catastrophically');
  });
});
