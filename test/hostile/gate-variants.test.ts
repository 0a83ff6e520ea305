import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, exitCodeForScan } from '../../src/cli/exit-codes.js';
import { buildZip } from '../inspect/containers/build.js';
import { corpusPath } from '../helpers/corpus.js';
import { scanAsCli } from '../helpers/scan.js';
import { buildTar } from './helpers/tar.js';

/**
 * Other shapes of the gate-bypass classes of #18 than the loader and deep-JSON tables hold, scanned as
 * `chainproof scan <dir> --offline` runs (trust from the tree, every stage): each must exit 1 under the default
 * `--fail-on error`, with the rule that says why. Figures for the same cases through the built CLI are in README.md.
 */
const root = mkdtempSync(path.join(tmpdir(), 'chainproof-gate-variants-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/hostile');
const b = (s: string): Buffer => Buffer.from(s, 'latin1');
/** `os.system('id')` without its STOP, and the protocol 2 header. */
const EVIL = b('cos\nsystem\nX\x02\x00\x00\x00id\x85R');
const P2 = (...parts: Buffer[]): Buffer => Buffer.concat([b('\x80\x02'), ...parts]);
/** One past the VM's stack budget (1,000,000). */
const flood = (opcode: string): Buffer => Buffer.alloc(1_000_001, opcode.charCodeAt(0));
/** One protocol-0 STRING line past the line budget (1 MiB), popped: `S'aaa…'\n0`. */
const LINE = Buffer.concat([b("S'"), Buffer.alloc(2 << 20, 0x61), b("'\n0")]);
/** 10,001 distinct module globals, each pushed and popped: past the distinct-globals budget (10,000). */
const GLOBALS = b(Array.from({ length: 10_001 }, (_, i) => `cpad\nname${i}\n0`).join(''));
const EVIL_ZIP = (): Buffer => buildZip([{ name: 'archive/data.pkl', data: P2(EVIL, b('.')) }]);

/** The central directory entry of a one-member zip, with its uncompressed/compressed sizes in a zip64 extra field. */
function zip64ExtraLie(): Buffer {
  const z = EVIL_ZIP();
  const cd = z.indexOf('PK\x01\x02', 0, 'latin1');
  const eocd = z.indexOf('PK\x05\x06', 0, 'latin1');
  const entry = Buffer.from(z.subarray(cd, eocd));
  entry.writeUInt32LE(0xffffffff, 20);
  entry.writeUInt32LE(0xffffffff, 24);
  entry.writeUInt16LE(20, 30);
  const extra = Buffer.alloc(20);
  extra.writeUInt16LE(1, 0);
  extra.writeUInt16LE(16, 2);
  extra.writeBigUInt64LE(1n << 62n, 4);
  extra.writeBigUInt64LE(1n << 62n, 12);
  const end = Buffer.from(z.subarray(eocd));
  end.writeUInt32LE(entry.length + extra.length, 12);
  return Buffer.concat([z.subarray(0, cd), entry, extra, end]);
}

function localSizeLie(): Buffer {
  const z = EVIL_ZIP();
  z.writeUInt32LE(0xffffffff, 18); // "see the zip64 extra field", which is not there
  z.writeUInt32LE(0xffffffff, 22);
  return z;
}

function entryCountLie(): Buffer {
  const z = EVIL_ZIP();
  const eocd = z.indexOf('PK\x05\x06', 0, 'latin1');
  z.writeUInt16LE(0xffff, eocd + 8);
  z.writeUInt16LE(0xffff, eocd + 10);
  return z;
}

const SIGNING_POLICY = (paths: string) =>
  `version: 1\nsignatures:\n  signers:\n    ibm:\n      kind: sigstore\n      issuer: https://sigstore.verify.ibm.com/oauth2\n      subject: stefanb@us.ibm.com\n  require:\n    - paths: ['${paths}']\n      signers: [ibm]\n`;

const npmLock = (name: string, resolved: string) =>
  JSON.stringify(
    {
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0', dependencies: { [name]: '1.0.0' } },
        [`node_modules/${name}`]: { version: '1.0.0', resolved, integrity: `sha512-${'A'.repeat(86)}==` },
      },
    },
    null,
    2,
  );
const EVIL_REGISTRY = 'https://npm.evil.example/';

interface Case {
  readonly name: string;
  readonly files: Record<string, Buffer | string>;
  /** Copied into the case folder first (corpora paths). */
  readonly copy?: Record<string, string>;
  /** `ruleId:level` that must be among the findings. */
  readonly want: readonly string[];
}

const CASES: Case[] = [
  // Evil then padding: the payload's finding is kept whatever budget the padding exhausts.
  {
    name: 'pickle: payload, then a NONE flood',
    files: { 'model.pkl': P2(EVIL, b('0'), flood('N'), b('.')) },
    want: ['CPI001:error'],
  },
  {
    name: 'protocol 0: payload, then a 2 MiB STRING line',
    files: { 'weights.pkl': Buffer.concat([b("cos\nsystem\n(S'id'\ntR0"), LINE, b('.')]) },
    want: ['CPI001:error'],
  },
  // Padding then evil: the budget hit itself fails the gate.
  {
    name: 'pickle: 10,001 distinct harmless globals, then the payload',
    files: { 'model.pkl': P2(GLOBALS, EVIL, b('.')) },
    want: ['CPI004:error'],
  },
  {
    name: 'joblib (bz2): an EMPTY_DICT flood, then the payload',
    files: { 'model.joblib': readFileSync(path.join(FIXTURES, 'padding-then-evil.bz2.joblib')) },
    want: ['CPI004:error'],
  },
  {
    name: 'joblib (xz): payload, then a MARK flood',
    files: { 'clf.joblib': readFileSync(path.join(FIXTURES, 'evil-then-padding.xz.joblib')) },
    want: ['CPI001:error'],
  },
  {
    name: 'joblib (LZMA_Alone): a 2 MiB line, then the payload',
    files: { 'clf.joblib': readFileSync(path.join(FIXTURES, 'padding-then-evil.lzma.joblib')) },
    // 2 MiB out of 413 bytes: past the 1000:1 ratio, within the 16 MiB any stream may produce; streamed, the
    // payload after the line is read.
    want: ['CPI001:error'],
  },
  // Cut short: bzcat / xzcat write, and BZ2File / LZMAFile.read hand the unpickler, what was decoded before the cut.
  {
    name: 'joblib (bz2): the payload in a whole first stream, then a second cut short',
    files: { 'model.joblib': readFileSync(path.join(FIXTURES, 'evil-then-cut.bz2.joblib')) },
    want: ['CPI001:error'],
  },
  {
    name: 'joblib (xz): the payload, the stream’s index and footer cut off',
    files: { 'clf.joblib': readFileSync(path.join(FIXTURES, 'evil-then-cut.xz.joblib')) },
    want: ['CPI001:error'],
  },
  {
    name: 'joblib (gzip): payload, then 10,001 distinct globals',
    files: { 'model.joblib': gzipSync(P2(EVIL, b('0'), GLOBALS, b('.'))) },
    want: ['CPI001:error'],
  },
  {
    name: 'torch zip: deflated data.pkl, payload then 10,001 distinct globals',
    files: {
      'model.pt': buildZip([{ name: 'archive/data.pkl', data: P2(EVIL, b('0'), GLOBALS, b('.')), deflate: true }]),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'torch zip: stored data.pkl, a 2 MiB line then the payload',
    files: {
      'model.pth': buildZip([{ name: 'archive/data.pkl', data: Buffer.concat([LINE, b("cos\nsystem\n(S'id'\ntR.")]) }]),
    },
    // pickle.load reads a line of any length: the VM reads it on to its newline and judges the payload after it.
    want: ['CPI001:error'],
  },
  // Zip64 and directory lies.
  {
    name: 'zip64 extra field claims 2^62 bytes for data.pkl',
    files: { 'model.pt': zip64ExtraLie() },
    want: ['CPI012:error'],
  },
  {
    name: 'local header sizes 0xffffffff without a zip64 field',
    files: { 'model.pt': localSizeLie() },
    want: ['CPI001:error'],
  },
  {
    name: 'end record claims 65,535 entries, holds one',
    files: { 'model.pt': entryCountLie() },
    want: ['CPI001:error'],
  },
  // Deep JSON beside a signing requirement.
  {
    name: 'model.sig nested [{"a": 150,000 deep',
    copy: { model: corpusPath('sigstore', 'model-signing', 'v1.0.1-sigstore') },
    files: {
      'model/model.sig': '[{"a":'.repeat(150_000) + '1' + '}]'.repeat(150_000),
      '.chainproof/policy.yml': SIGNING_POLICY('model/**'),
    },
    want: ['CPX021:error'],
  },
  {
    name: 'a .sigstore.json whose dsseEnvelope nests 300,000 objects',
    files: {
      'weights.bin': 'x'.repeat(100),
      'weights.bin.sigstore.json': `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{"payload":${'{"p":'.repeat(300_000)}0${'}'.repeat(300_000)}}}`,
      '.chainproof/policy.yml': SIGNING_POLICY('weights.bin'),
    },
    want: ['CPX021:error'],
  },
  // A pull request's own registry configuration.
  {
    name: 'workspace .npmrc (packages/web) with its own lockfile there',
    files: {
      'packages/web/.npmrc': `registry=${EVIL_REGISTRY}\n`,
      'packages/web/package-lock.json': npmLock('left-pad', `${EVIL_REGISTRY}left-pad/-/left-pad-1.0.0.tgz`),
    },
    want: ['CPD134:error', 'CPD005:error'],
  },
  {
    name: '.npmrc `registry = "…"` quoted and spaced',
    files: {
      '.npmrc': `registry = "${EVIL_REGISTRY}"\n`,
      'package-lock.json': npmLock('left-pad', `${EVIL_REGISTRY}left-pad/-/left-pad-1.0.0.tgz`),
    },
    want: ['CPD134:error', 'CPD005:error'],
  },
  {
    name: '.npmrc with an inline ca= and strict-ssl=false',
    files: {
      '.npmrc': 'ca="-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----"\nstrict-ssl=false\n',
      'package-lock.json': npmLock('left-pad', 'https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz'),
    },
    want: ['CPD135:error'],
  },
  // Tar link members inside a compressed stream.
  {
    name: 'tar.gz with a symlink to /root/.ssh/id_rsa and a hardlink to ../../../etc/shadow',
    files: {
      'weights.tar.gz': gzipSync(
        buildTar([
          { name: 'model/key', type: '2', linkName: '/root/.ssh/id_rsa' },
          { name: 'model/shadow', type: '1', linkName: '../../../etc/shadow' },
        ]),
      ),
    },
    want: ['CPX025:error'],
  },
];

describe('other shapes of each gate-bypass class exit 1 under --fail-on error', () => {
  it.each(CASES)('$name → $want', async ({ name, files, copy, want }) => {
    const dir = path.join(root, name.replace(/[^a-z0-9]+/gi, '-'));
    for (const [to, from] of Object.entries(copy ?? {})) cpSync(from, path.join(dir, to), { recursive: true });
    for (const [rel, data] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), data);
    }
    const result = await scanAsCli(dir);
    expect(result.complete).toBe(true);
    const seen = new Set(result.findings.map((f) => `${f.ruleId}:${f.level}`));
    for (const w of want) expect([...seen]).toContain(w);
    expect(exitCodeForScan(result, 'error')).toBe(EXIT.findings);
  });
});
