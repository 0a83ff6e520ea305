import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobCache } from '../../../src/app/review/git.js';
import { inspectChangedContent, MAX_INSPECT_BYTES } from '../../../src/app/review/model-content.js';
import { GitObjects } from '../../../src/app/review/objects.js';
import { silentLogger } from '../../../src/core/context.js';
import type { DiscoveredFile } from '../../../src/core/files.js';
import { fingerprintOf } from '../../../src/core/fingerprint.js';
import { EMPTY_REGISTRY } from '../../../src/core/trusted-registry.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { testOptions } from '../../helpers/scan.js';
import { makeRepo, type Tree, reviewHead, reviewWorkTree, writeTree } from './repo.js';

/**
 * What a changed model file IS, not only that its git object moved: the review inspects the files a change added or
 * changed with the scan's own models and inspect stages. Before, each case below passed `--gate any` with no finding.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/** A minimal valid safetensors file: one F32 tensor of one element. */
function safetensors(): Buffer {
  const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, Buffer.alloc(4)]);
}
/** Protocol-0 pickle that calls os.system("id") when loaded (never loaded here: parsed only). */
const EVIL_PICKLE = "cos\nsystem\n(S'id'\ntR.";
const pointer = (fill: string) =>
  `version https://git-lfs.github.com/spec/v1\noid sha256:${fill.repeat(64)}\nsize 1234\n`;
const registryNaming = (oid: string) =>
  [
    'version: 1',
    'models:',
    '  - name: acme/enc',
    '    revision: v2',
    '    source: https://models.acme.example/enc',
    '    files:',
    '      - path: models/enc.safetensors',
    `        sha256: ${oid}`,
    '',
  ].join('\n');

interface Case {
  name: string;
  base: Tree;
  head: Tree;
  want: string[];
  models: string[];
}

const ST = 'models/enc.safetensors';
const cases: Case[] = [
  {
    name: 'a safetensors file replaced by a pickle under the same name → CPI001 and CPX005',
    base: { [ST]: safetensors() },
    head: { [ST]: EVIL_PICKLE },
    want: [`CPI001:error@${ST}`, `CPX005:warning@${ST}`],
    models: [`changed ${ST}`],
  },
  {
    name: 'a new pytorch_model.bin (no model extension) holding a pickle → CPI001, listed as a model',
    base: { 'README.md': 'model card\n' },
    head: { 'pytorch_model.bin': EVIL_PICKLE },
    want: ['CPI001:error@pytorch_model.bin'],
    models: ['added pytorch_model.bin'],
  },
  {
    name: 'an LFS pointer moved to an object no registry entry names → CPU018 (content not inspected)',
    base: { [ST]: pointer('a') },
    head: { [ST]: pointer('b') },
    want: [`CPU018:error@${ST}`],
    models: [`changed ${ST}`],
  },
  {
    name: 'an LFS pointer moved to an object the base registry already names → no CPU018',
    base: { [ST]: pointer('a'), 'trusted-registry/models.yml': registryNaming('b'.repeat(64)) },
    head: { [ST]: pointer('b') },
    want: [],
    models: [`changed ${ST}`],
  },
  {
    name: 'a safetensors file re-saved with other weights → no inspection finding',
    base: { [ST]: safetensors() },
    head: { [ST]: Buffer.concat([safetensors().subarray(0, -4), Buffer.from([0, 0, 128, 63])]) },
    want: [],
    models: [`changed ${ST}`],
  },
];

const FROM_CONTENT = /^CP[IXU]/;
const got = (r: Awaited<ReturnType<typeof reviewHead>>) =>
  r.findings
    .filter((f) => FROM_CONTENT.test(f.ruleId) && f.ruleId !== 'CPU010')
    .map((f) => `${f.ruleId}:${f.level}@${f.location.path}`)
    .sort();

describe('review inspects the model files a change adds or changes', () => {
  it.each(cases)('$name', async ({ base, head, want, models }) => {
    const repo = makeRepo(base, head);
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'any' });
    expect(got(r)).toEqual(want);
    expect(r.models.map((m) => `${m.kind} ${m.path}`)).toEqual(models);
    expect(r.gate?.passed).toBe(!want.some((w) => w.includes(':error@')));
  });

  it('a changed file the exclude globs leave out is not inspected, as the walk does not read it', async () => {
    const repo = makeRepo({ 'README.md': 'model card\n' }, { 'vendor/pytorch_model.bin': EVIL_PICKLE });
    cleanups.push(repo.cleanup);
    expect(got(await reviewHead(repo.dir, { exclude: ['vendor/**'] }))).toEqual([]);
    expect(got(await reviewHead(repo.dir, { include: ['src/**'] }))).toEqual([]);
    expect(got(await reviewHead(repo.dir))).toEqual(['CPI001:error@vendor/pytorch_model.bin']);
  });

  it('a working-tree head (the Action checkout) is inspected in place', async () => {
    const repo = makeRepo({ [ST]: safetensors() });
    cleanups.push(repo.cleanup);
    writeTree(repo.dir, { [ST]: EVIL_PICKLE });
    const r = await reviewWorkTree(repo.dir, { base: 'HEAD' });
    expect(got(r)).toEqual([`CPI001:error@${ST}`, `CPX005:warning@${ST}`]);
  });

  it('the CPU018 evidence carries both pointer digests', async () => {
    const repo = makeRepo({ [ST]: pointer('a') }, { [ST]: pointer('b') });
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    expect(r.findings.find((f) => f.ruleId === 'CPU018')?.evidence).toEqual({
      before: `sha256:${'a'.repeat(64)}`,
      after: `sha256:${'b'.repeat(64)}`,
      size: 1234,
    });
  });

  it('CPU017 keeps one fingerprint however many files it could not inspect (a SARIF alert stays one)', async () => {
    const repo = makeRepo({ 'README.md': 'model card\n' });
    cleanups.push(repo.cleanup);
    // Work-tree files the walk saw as models, each past the byte bound (the sizes are the walk's, the files small):
    // none is read, every one is reported.
    const walked = (names: readonly string[]): DiscoveredFile[] =>
      names.map((p) => {
        writeTree(repo.dir, { [p]: safetensors() });
        const abs = path.join(repo.dir, p);
        return {
          path: p,
          abs,
          size: MAX_INSPECT_BYTES + 1,
          format: 'safetensors',
          dev: 0,
          ino: 0,
          mtimeMs: 0,
          ctimeMs: 0,
        };
      });
    const notInspected = async (names: readonly string[]) => {
      const git = new GitObjects(repo.dir);
      const { notInspected } = await inspectChangedContent({
        dir: repo.dir,
        blobs: new BlobCache(git),
        base: new Map(),
        head: undefined,
        headFiles: walked(names),
        policy: DEFAULT_POLICY,
        registry: EMPTY_REGISTRY,
        options: testOptions(),
        include: [],
        exclude: [],
        logger: silentLogger,
      });
      await git.close();
      return notInspected.filter((f) => f.ruleId === 'CPU017');
    };
    const [two, three] = [
      await notInspected(['a.safetensors', 'b.safetensors']),
      await notInspected(['a.safetensors', 'b.safetensors', 'c.safetensors']),
    ];
    expect([two[0]?.evidence?.['count'], three[0]?.evidence?.['count']]).toEqual([2, 3]);
    expect(three[0]?.related).toEqual([{ path: 'b.safetensors' }, { path: 'c.safetensors' }]);
    expect(fingerprintOf(three[0]!)).toBe(fingerprintOf(two[0]!));
  });
});
