import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yargs from 'yargs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyCommand } from '../../src/cli/commands/verify.js';
import { cliOutcome } from '../../src/cli/outcome.js';
import { UsageError } from '../../src/core/errors.js';
import { corpusPath } from '../helpers/corpus.js';
import { copyToTemp, KEYS, MS, signFiles } from './helpers.js';

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

/*
 * A file given as the artifact is the model, as model_signing's `verify(model_path=<file>)` takes it: it serializes
 * that file alone into a one-item manifest (`.`) and compares items only (manifest.py `Manifest.__eq__`; the model
 * name is "only informative"). So the file named is what must match, whatever the subject calls it, and a folder
 * signature never verifies a single file.
 */
describe('chainproof verify <model.sig> <file>', () => {
  const KEY = ['--key', path.join(KEYS, 'signing-key-pub.pem')];
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  /** The single-file sample (subject `signme-1`) in a temp folder, edited. */
  function singleFile(edit: (dir: string) => void): string {
    const dir = copyToTemp(path.join(MS, 'v1.0.0-elliptic-key'));
    dirs.push(dir);
    edit(dir);
    return dir;
  }

  it('another file next to the signed one is not verified by its signature', async () => {
    const dir = singleFile((d) => writeFileSync(path.join(d, 'evil.bin'), 'not the signed bytes'));
    const r = await run([path.join(dir, 'model.sig'), path.join(dir, 'evil.bin'), ...KEY]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('changed: evil.bin');
  });

  it('the signed bytes under another name verify, as the model name is only informative', async () => {
    const dir = singleFile((d) => renameSync(path.join(d, 'signme-1'), path.join(d, 'renamed.bin')));
    const r = await run([path.join(dir, 'model.sig'), path.join(dir, 'renamed.bin'), ...KEY]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Verified OK');
  });

  it('a model signature under another name than model.sig is still read as one (model_signing --signature)', async () => {
    const dir = singleFile((d) => renameSync(path.join(d, 'model.sig'), path.join(d, 'signme-1.sig')));
    const r = await run([path.join(dir, 'signme-1.sig'), path.join(dir, 'signme-1'), ...KEY]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Verified OK');
  });

  it('the signed file itself verifies', async () => {
    const r = await run([`${MS}/v1.0.0-elliptic-key/model.sig`, `${MS}/v1.0.0-elliptic-key/signme-1`, ...KEY]);
    expect(r.code, r.out).toBe(0);
  });

  it('a file of a folder signature, here one the signer excluded, is not verified alone', async () => {
    const r = await run([
      `${MS}/v1.0.1-elliptic-key/model.sig`,
      `${MS}/v1.0.1-elliptic-key/ignore-me`,
      ...KEY,
      '--ignore',
      'ignore-me',
    ]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('not over this one file');
  });
});

/**
 * Links in a model folder: model_signing follows them only when the signature records `allow_symlinks`
 * (`_filesystem.check_path_within_model`), so the signature decides, not the listing.
 */
describe('chainproof verify <model.sig> <folder> with a symbolic link in it', () => {
  const KEY = ['--key', path.join(KEYS, 'signing-key-pub.pem')];
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  /** A folder whose weights.bin links to a file outside it, signed by the corpus key. */
  function linked(allowSymlinks: boolean): string {
    const top = mkdtempSync(path.join(tmpdir(), 'cp-verify-links-'));
    dirs.push(top);
    const dir = path.join(top, 'model');
    mkdirSync(dir);
    writeFileSync(path.join(top, 'weights.bin'), 'weights');
    writeFileSync(path.join(dir, 'config.json'), '{}');
    symlinkSync('../weights.bin', path.join(dir, 'weights.bin'));
    signFiles(dir, ['config.json', 'weights.bin'], allowSymlinks);
    return dir;
  }

  it('a signature made with allow_symlinks verifies the link by its target', async () => {
    const dir = linked(true);
    const r = await run([path.join(dir, 'model.sig'), dir, ...KEY]);
    expect(r.code, r.out).toBe(0);
    writeFileSync(path.join(dir, '..', 'weights.bin'), 'changed');
    expect((await run([path.join(dir, 'model.sig'), dir, ...KEY])).out).toContain('changed: weights.bin');
  });

  it('a signature made without it refuses the link, naming it', async () => {
    const dir = linked(false);
    const r = await run([path.join(dir, 'model.sig'), dir, ...KEY]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('symlink: weights.bin');
  });
});

/*
 * model_signing leaves out the model root's .git alone (hashing.py `Config.hash` joins `.git/` to the model path;
 * `serialization.should_ignore` is `is_relative_to`): a .git folder deeper in the model is hashed like any folder.
 */
describe('chainproof verify <model.sig> <folder> with .git folders in it', () => {
  const KEY = ['--key', path.join(KEYS, 'signing-key-pub.pem')];
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  /** A signed folder (weights.bin) with `extra` written into it after signing. */
  function signedWith(extra: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'cp-verify-git-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'weights.bin'), 'weights');
    signFiles(dir, ['weights.bin'], false);
    mkdirSync(path.dirname(path.join(dir, extra)), { recursive: true });
    writeFileSync(path.join(dir, extra), 'x');
    return dir;
  }

  it('a file in the root .git does not count', async () => {
    const dir = signedWith('.git/HEAD');
    const r = await run([path.join(dir, 'model.sig'), dir, ...KEY]);
    expect(r.code, r.out).toBe(0);
  });

  it('a file in a .git below the root is an unsigned file', async () => {
    const dir = signedWith('sub/.git/hooks/post-checkout');
    const r = await run([path.join(dir, 'model.sig'), dir, ...KEY]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('extra: sub/.git/hooks/post-checkout');
  });
});
