import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTrustMaterial, loadTrust } from '../../src/app/trust.js';
import { initRepository } from '../../src/app/init.js';
import { exitCodeForError } from '../../src/cli/exit-codes.js';
import {
  ChainproofError,
  ConfigError,
  IoError,
  OperationalError,
  UsageError,
  errorArea,
  type ErrorCode,
} from '../../src/core/errors.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { loadRegistryFile, parseRegistryText } from '../../src/trust/registry/load.js';
import { loadTrustedRoot } from '../../src/trust/sigstore/root.js';
import { parsePublicKey } from '../../src/trust/sigstore/keys.js';
import { toModelManifest } from '../../src/verify/model/manifest.js';
import { parseStatement } from '../../src/verify/bundle/intoto.js';

const KEYS = path.resolve('fixtures/policies/keys');

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-errors-'));
  writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
}

async function codeOf(run: () => unknown): Promise<{ code: ErrorCode; exit: number; cause: unknown }> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(ChainproofError);
    const e = err as ChainproofError;
    return { code: e.code, exit: exitCodeForError(e), cause: e.cause };
  }
  throw new Error('did not throw');
}

describe('typed errors: every failure carries a code; the exit code follows its area', () => {
  it.each([
    {
      name: 'a policy that breaks the schema',
      run: () =>
        loadTrust(path.dirname(tempFile('p.yml', 'x')), tempFile('policy.yml', 'version: 1\nmodels: [a]\n'), []),
      code: 'CONFIG_POLICY_INVALID',
      exit: 2,
    },
    {
      name: 'a policy file that does not exist',
      run: () => loadTrust(os.tmpdir(), path.join(os.tmpdir(), 'no-such-chainproof-policy.yml'), []),
      code: 'CONFIG_FILE_UNREADABLE',
      exit: 2,
    },
    {
      name: 'a trusted registry file with an unknown field',
      run: () => parseRegistryText('version: 1\nmodelz: []\n', 'trusted-registry/x.yml'),
      code: 'CONFIG_REGISTRY_INVALID',
      exit: 2,
    },
    {
      // `-r https://…` where --npm-registry was meant: said so, the URL's credentials masked.
      name: 'a trusted registry given as a URL',
      run: async () => {
        const err = await loadRegistryFile(os.tmpdir(), 'https://user:s3cret@npm.example/').catch((e: unknown) => e);
        expect(String((err as Error).message)).toContain('--npm-registry');
        expect(String((err as Error).message)).not.toContain('s3cret');
        throw err;
      },
      code: 'CONFIG_FILE_UNREADABLE',
      exit: 2,
    },
    {
      name: 'a trusted root that is not JSON',
      run: () => loadTrustedRoot(tempFile('trusted_root.json', 'not json')),
      code: 'CONFIG_TRUSTED_ROOT_INVALID',
      exit: 2,
    },
    {
      name: 'a trusted root that is missing',
      run: () => loadTrustedRoot(path.join(os.tmpdir(), 'no-such-trusted-root.json')),
      code: 'CONFIG_FILE_UNREADABLE',
      exit: 2,
    },
    {
      name: 'a private key given as a signer key (policy built in code)',
      run: () =>
        buildTrustMaterial(
          {
            ...DEFAULT_POLICY,
            signatures: {
              ...DEFAULT_POLICY.signatures,
              signers: { k: { kind: 'key', key: path.join(KEYS, 'p384-private.pem') } },
            },
          },
          EMPTY_REGISTRY,
          os.tmpdir(),
        ),
      code: 'CONFIG_KEY_INVALID',
      exit: 2,
    },
    {
      name: 'init over a policy that differs',
      run: async () => {
        const root = path.dirname(tempFile('README.md', '#'));
        await initRepository(root, {}, false);
        writeFileSync(path.join(root, '.chainproof', 'policy.yml'), 'version: 1\n');
        await initRepository(root, {}, false);
      },
      code: 'USAGE_BAD_ARGUMENT',
      exit: 2,
    },
    {
      name: 'an RSA key',
      run: () => parsePublicKey(readFileSync(path.join(KEYS, 'rsa-public.pem'), 'utf8')),
      code: 'INPUT_KEY_INVALID',
      exit: 4,
    },
    {
      name: 'an in-toto payload that is not JSON',
      run: () => parseStatement('application/vnd.in-toto+json', Buffer.from('{')),
      code: 'INPUT_STATEMENT_INVALID',
      exit: 4,
    },
    {
      name: 'a model_signing manifest of the wrong shape',
      run: () => toModelManifest({ _type: 'x' } as never),
      code: 'INPUT_MANIFEST_INVALID',
      exit: 4,
    },
  ])('$name → $code, exit $exit', async ({ run, code, exit }) => {
    const got = await codeOf(run);
    expect(got.code).toBe(code);
    expect(got.exit).toBe(exit);
  });

  it.each([
    { err: new UsageError('x'), area: 'USAGE', exit: 2 },
    { err: new ConfigError('x', 'f', { code: 'CONFIG_POLICY_INVALID' }), area: 'CONFIG', exit: 2 },
    { err: new IoError('/p', 'x', { code: 'IO_WRITE_FAILED' }), area: 'IO', exit: 3 },
    { err: new OperationalError('x', { code: 'OPERATIONAL_REGISTRY_UNREACHABLE' }), area: 'OPERATIONAL', exit: 3 },
    { err: new ChainproofError('INTERNAL_BUG', 'x'), area: 'INTERNAL', exit: 4 },
  ])('$err.code is area $area, exit $exit', ({ err, area, exit }) => {
    expect(err.area).toBe(area);
    expect(errorArea(err.code)).toBe(area);
    expect(exitCodeForError(err)).toBe(exit);
  });

  it('keeps the cause', () => {
    const cause = new Error('EACCES');
    expect(new ConfigError('x', 'f', { cause, code: 'CONFIG_FILE_UNREADABLE' }).cause).toBe(cause);
    expect(exitCodeForError(new Error('plain'))).toBe(4);
  });
});
