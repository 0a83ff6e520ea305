/* eslint-disable @typescript-eslint/no-explicit-any -- SARIF read back as untyped JSON */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sarifValidator } from '../action/helpers.js';
import { REPO, runMain } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

const validate = sarifValidator();
const PICKLES = corpusPath('pickles', 'picklescan-data');

/** A result's identity: rule, file, line and content fingerprint. */
function keysOf(sarif: any): string[] {
  return sarif.runs.flatMap((run: any) =>
    run.results.map((r: any) => {
      const loc = r.locations[0].physicalLocation;
      return `${r.ruleId}|${loc.artifactLocation.uri}|${loc.region?.startLine}|${r.partialFingerprints.primaryLocationLineHash}`;
    }),
  );
}

/** The CLI in-process (test/helpers/cli.ts runMain): 22+ scans without a process each; exit 0 expected. */
async function cli(args: string[]): Promise<void> {
  const r = await runMain(args, { cwd: REPO });
  if (r.code !== 0) throw new Error(`chainproof ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

async function scan(dir: string, extra: string[], out: string): Promise<any> {
  await cli([
    'scan',
    dir,
    '--offline',
    '--quiet',
    '--no-cache',
    '--fail-on',
    'none',
    '--format',
    'sarif',
    '--output',
    out,
    ...extra,
  ]);
  return JSON.parse(readFileSync(out, 'utf8'));
}

/**
 * Services in the generated tree: 16 still holds every kind below (each lockfile-entry problem, all twelve pickles, the
 * i % 3 / 4 / 5 extras) and 100+ findings; each run here is twelve full scans (sharding filters results, not the walk),
 * so 40 services made this the suite's slowest file for no case the smaller tree lacks.
 */
const SERVICES = 16;

/**
 * A larger tree than the demo: many folders, each with a lockfile whose entries carry the problems the
 * offline dependency checks report (no integrity, http, SHA-1 only, git), model files of several kinds, and
 * real malicious pickles from the picklescan corpus. Made at test time, not committed.
 */
function generateTree(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'chainproof-shard-tree-'));
  const pickles = readdirSync(PICKLES)
    .filter((f) => f.startsWith('malicious') && f.endsWith('.pkl'))
    .slice(0, 12);
  for (let i = 0; i < SERVICES; i++) {
    const dir = path.join(root, `svc-${String(i).padStart(2, '0')}`);
    mkdirSync(path.join(dir, 'models'), { recursive: true });
    const packages: Record<string, unknown> = { '': { name: `svc-${i}`, version: '1.0.0' } };
    for (let j = 0; j < 6; j++) {
      const name = `pkg-${(i * 7 + j) % 53}`;
      const entry: Record<string, unknown> = {
        version: `1.${j}.${i % 5}`,
        resolved: `https://registry.npmjs.org/${name}/-/${name}-1.${j}.${i % 5}.tgz`,
      };
      if (j % 3 === 1) entry['integrity'] = 'sha1-' + Buffer.alloc(20, i + j).toString('base64');
      else if (j % 3 === 2) entry['integrity'] = 'sha512-' + Buffer.alloc(64, i + j).toString('base64');
      if (j === 4) entry['resolved'] = `http://registry.npmjs.org/${name}/-/${name}-1.${j}.${i % 5}.tgz`;
      if (j === 5 && i % 4 === 0) entry['resolved'] = `git+https://github.com/example/${name}.git#${'a'.repeat(40)}`;
      packages[`node_modules/${name}`] = entry;
    }
    writeFileSync(
      path.join(dir, 'package-lock.json'),
      JSON.stringify({ name: `svc-${i}`, lockfileVersion: 3, requires: true, packages }, null, 2) + '\n',
    );
    copyFileSync(path.join(PICKLES, pickles[i % pickles.length]!), path.join(dir, 'models', `model-${i}.pkl`));
    if (i % 3 === 0)
      writeFileSync(path.join(dir, 'models', 'broken.safetensors'), Buffer.from([16, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x22]));
    if (i % 5 === 0)
      copyFileSync(path.join(PICKLES, pickles[(i + 1) % pickles.length]!), path.join(dir, 'models', 'weights.bin.pt'));
  }
  return root;
}

const TREES: { name: string; dir: () => string; min: number }[] = [
  { name: 'the demo project', dir: () => path.join(REPO, 'fixtures/demo-project'), min: 10 },
  { name: `a generated ${SERVICES}-service tree`, dir: generateTree, min: 100 },
];

describe.each(TREES)('--shard i/n over $name', ({ dir, min }) => {
  let root: string;
  let work: string;
  let wholeKeys: string[];
  const shardKeys = new Map<number, string[][]>();
  beforeAll(async () => {
    root = dir();
    work = mkdtempSync(path.join(tmpdir(), 'chainproof-shards-'));
    wholeKeys = keysOf(await scan(root, [], path.join(work, 'whole.sarif'))).sort();
  }, 300_000);

  it('the unsharded scan has findings to split, none twice', () => {
    expect(wholeKeys.length).toBeGreaterThanOrEqual(min);
    expect(new Set(wholeKeys).size).toBe(wholeKeys.length);
  });

  it.each([1, 2, 3, 4])(
    'n = %i: every finding lands in exactly one shard, and the merged SARIF is the whole',
    async (n) => {
      const files = Array.from({ length: n }, (_, i) => path.join(work, `shard-${i + 1}-of-${n}.sarif`));
      const parts: any[] = [];
      for (const [i, file] of files.entries()) parts.push(await scan(root, ['--shard', `${i + 1}/${n}`], file));
      parts.forEach((part, i) => expect(part.runs[0].automationDetails.id).toBe(`chainproof/shard-${i + 1}-of-${n}/`));
      shardKeys.set(n, parts.map(keysOf));
      expect(parts.flatMap(keysOf).sort()).toEqual(wholeKeys); // same multiset: nothing lost, nothing twice

      // Deterministic: shard 1 of n holds the same results on a second run (checked once, for the finest split).
      if (n === 4)
        expect(keysOf(await scan(root, ['--shard', `1/${n}`], path.join(work, `again-1-of-${n}.sarif`)))).toEqual(
          keysOf(parts[0]),
        );

      const mergedFile = path.join(work, `merged-${n}.sarif`);
      await cli(['sarif', 'merge', ...files, '--output', mergedFile]);
      const merged = JSON.parse(readFileSync(mergedFile, 'utf8'));
      expect(validate(merged), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
      expect(merged.runs).toHaveLength(1);
      expect(merged.runs[0].automationDetails.id).toBe('chainproof/');
      expect(keysOf(merged).sort()).toEqual(wholeKeys);
      const rules = merged.runs[0].tool.driver.rules;
      for (const res of merged.runs[0].results) expect(rules[res.ruleIndex].id).toBe(res.ruleId);
    },
    300_000,
  );

  it('no shard of 4 is empty (the partition spreads the work)', () => {
    const four = shardKeys.get(4);
    expect(four).toHaveLength(4);
    for (const keys of four!) expect(keys.length).toBeGreaterThan(0);
  });
});
