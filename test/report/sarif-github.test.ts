import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Log, Result } from 'sarif';
import { renderReport } from '../../src/app/render.js';
import { toSarif } from '../../src/report/sarif.js';
import { MAX_SARIF_RESULTS } from '../../src/report/sarif-limits.js';
import { rebaseSarif } from '../../src/report/sarif-rebase.js';
import { finding, makeResult, sarifValidator } from '../action/helpers.js';
import { runMain } from '../helpers/cli.js';

/** What code scanning does with the SARIF chainproof writes (docs.github.com, "SARIF support for code scanning"). */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function expectValid(log: unknown): void {
  const validate = sarifValidator();
  validate(log);
  expect(validate.errors ?? []).toEqual([]);
}

/** The SARIF of a CLI scan of a folder holding one requirements.txt. */
async function scanRequirements(text: string): Promise<Log> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-sarif-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'requirements.txt'), text);
  const r = await runMain(['scan', dir, '--offline', '--quiet', '-f', 'sarif', '--fail-on', 'none', '--no-cache']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Log;
}

const hashesOf = (log: Log, ruleId: string) =>
  (log.runs[0]!.results ?? [])
    .filter((r) => r.ruleId === ruleId)
    .map((r) => [
      r.locations?.[0]?.physicalLocation?.region?.startLine,
      r.partialFingerprints?.['primaryLocationLineHash'],
    ]);

describe('primaryLocationLineHash', () => {
  // One requirement repeated under two markers: the same rule, file and artifact on two lines, i.e. one fingerprint.
  const twice = [
    'torch @ http://example.com/torch.whl ; sys_platform == "darwin"',
    'torch @ http://example.com/torch.whl ; sys_platform == "linux"',
    '',
  ].join('\n');

  it('numbers results that share a fingerprint, as codeql-action numbers equal line hashes', async () => {
    const log = await scanRequirements(twice);
    expectValid(log);
    const hashes = hashesOf(log, 'CPP013');
    expect(hashes).toHaveLength(2);
    const [[line1, h1], [line2, h2]] = hashes as [[number, string], [number, string]];
    expect([line1, line2]).toEqual([1, 2]);
    // Equal fingerprints are one alert to code scanning: the second result would vanish into the first.
    expect(h1).not.toBe(h2);
    expect(h1.replace(/:\d+$/, '')).toBe(h2.replace(/:\d+$/, ''));
    expect([h1.slice(-2), h2.slice(-2)]).toEqual([':1', ':2']);
  });

  it('keeps every hash when lines above the findings move', async () => {
    const before = hashesOf(await scanRequirements(twice), 'CPP013');
    const after = hashesOf(await scanRequirements(`# pinned for the GPU runners\n\n${twice}`), 'CPP013');
    expect(after.map(([l]) => l)).toEqual([3, 4]);
    expect(after.map(([, h]) => h)).toEqual(before.map(([, h]) => h));
  });
});

/** The SARIF of a CLI scan of a folder holding `files` (name → bytes). */
async function scanFiles(files: Record<string, string | Uint8Array>): Promise<Log> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-sarif-'));
  dirs.push(dir);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
  const r = await runMain(['scan', dir, '--offline', '--quiet', '-f', 'sarif', '--fail-on', 'none', '--no-cache']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Log;
}

/** A minimal safetensors file: the header's length, one F32 tensor's header, its four bytes. */
function safetensors(): Uint8Array {
  const header = Buffer.from(JSON.stringify({ t: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([size, header, Buffer.alloc(4)]);
}

/** `pickle.dumps(n, protocol=2)` for a small int: PROTO 2, BININT1 n, STOP. */
const intPickle = (n: number) => Uint8Array.of(0x80, 0x02, 0x4b, n, 0x2e);

describe('one-cause alerts across edits that add to the cause', () => {
  // Code scanning keys an alert by its partialFingerprints: a new hash closes the alert (and any dismissal of it)
  // and opens another, on a pull request that only added one more member of the same cause.
  it('keeps the alert of an unpinned requirements file when one more unpinned requirement is added', async () => {
    const before = hashesOf(await scanRequirements('requests>=2\nnumpy\n'), 'CPP010');
    const log = await scanRequirements('# runtime\nrequests>=2\nnumpy\nflask<3\n');
    expectValid(log);
    const after = hashesOf(log, 'CPP010');
    expect(before).toHaveLength(1);
    expect(after.map(([, h]) => h)).toEqual(before.map(([, h]) => h));
    // The other requirements are the alert's related locations, at their lines.
    const related = log.runs[0]!.results!.find((r) => r.ruleId === 'CPP010')!.relatedLocations ?? [];
    expect(related.map((r) => r.physicalLocation?.region?.startLine)).toEqual([3, 4]);
  });

  it('keeps the alert of unrecorded model files when a file of another format joins them', async () => {
    const before = hashesOf(await scanFiles({ 'a.pkl': intPickle(1), 'b.pkl': intPickle(2) }), 'CPM001');
    const log = await scanFiles({ 'a.pkl': intPickle(1), 'b.pkl': intPickle(2), 'c.safetensors': safetensors() });
    expectValid(log);
    expect(before).toHaveLength(1);
    expect(hashesOf(log, 'CPM001').map(([, h]) => h)).toEqual(before.map(([, h]) => h));
  });

  it('keeps the alert of source files left unsearched when one more joins them', async () => {
    const site = 'venv/lib/python3.11/site-packages/p';
    const load = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/x")\n';
    const scanInstalled = async (names: string[]) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-sarif-'));
      dirs.push(dir);
      mkdirSync(path.join(dir, site), { recursive: true });
      for (const n of names) writeFileSync(path.join(dir, site, n), load);
      const r = await runMain(['scan', dir, '--offline', '--quiet', '-f', 'sarif', '--fail-on', 'none', '--no-cache']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Log;
    };
    const before = hashesOf(await scanInstalled(['m1.py', 'm2.py']), 'CPR011');
    const log = await scanInstalled(['m1.py', 'm2.py', 'm3.py']);
    expectValid(log);
    expect(before).toHaveLength(1);
    expect(hashesOf(log, 'CPR011').map(([, h]) => h)).toEqual(before.map(([, h]) => h));
  });
});

describe('locations code scanning accepts', () => {
  it('leaves out a line or column below 1 instead of writing a region the schema rejects', () => {
    const log = toSarif(
      makeResult({
        findings: [
          finding({ ruleId: 'CPD002', level: 'error', message: 'no line', location: { path: 'bun.lock', line: 0 } }),
          finding({
            ruleId: 'CPD002',
            level: 'error',
            message: 'no column',
            location: { path: 'package-lock.json', line: 4, column: 0, endLine: 2 },
            related: [{ path: 'package-lock.json', line: 0 }],
          }),
        ],
      }),
      { toolVersion: '1.0.0' },
    );
    expectValid(log);
    const regions = (log.runs[0]!.results ?? []).map((r) => r.locations?.[0]?.physicalLocation?.region);
    expect(regions).toEqual([{ startLine: 1 }, { startLine: 4 }]);
    expect(log.runs[0]!.results![1]!.relatedLocations![0]!.physicalLocation!.region).toEqual({ startLine: 1 });
  });

  it('writes a name holding an unpaired surrogate (legal in JSON and TOML) instead of throwing', () => {
    const result = makeResult({
      findings: [
        finding({ ruleId: 'CPM001', level: 'warning', message: 'x', location: { path: 'shards/a\ud800b.bin' } }),
        finding({ ruleId: 'CPM001', level: 'warning', message: 'y', location: { path: 'shards/\udc00' } }),
      ],
    });
    const log = JSON.parse(renderReport(result, 'sarif', { toolVersion: '1', color: false })) as Log;
    expectValid(log);
    const uris = (log.runs[0]!.results ?? []).map((r) => r.locations?.[0]?.physicalLocation?.artifactLocation?.uri);
    expect(uris).toEqual(['shards/a%EF%BF%BDb.bin', 'shards/%EF%BF%BD']);
  });

  it('rebases related locations with the primary one when the scanned folder is below the repository root', () => {
    const result = makeResult({
      findings: [
        finding({
          ruleId: 'CPD002',
          level: 'error',
          message: 'one cause, three lockfiles',
          location: { path: 'package-lock.json', line: 3 },
          related: [
            { path: 'package-lock.json', line: 3 },
            { path: 'web app/package-lock.json', line: 9 },
          ],
        }),
      ],
    });
    const uris = (r: Result) => [
      r.locations?.[0]?.physicalLocation?.artifactLocation?.uri,
      ...(r.relatedLocations ?? []).map((l) => l.physicalLocation?.artifactLocation?.uri),
    ];
    const want = ['ml/package-lock.json', 'ml/package-lock.json', 'ml/web%20app/package-lock.json'];
    // Both the Action's streamed reporter and rebaseSarif (review mode).
    const streamed = JSON.parse(
      renderReport(result, 'sarif', { toolVersion: '1', color: false, uriPrefix: 'ml' }),
    ) as Log;
    expect(uris(streamed.runs[0]!.results![0]!)).toEqual(want);
    const rebased = rebaseSarif(toSarif(result, { toolVersion: '1' }), 'ml');
    expect(uris(rebased.runs[0]!.results![0]!)).toEqual(want);
    expectValid(streamed);
  });
});

describe("GitHub's limit of 10 MB (gzip) per upload", () => {
  // A pickle's GLOBAL names a module of any length: 100 files naming 200,000 random letters made a 20 MB SARIF, 14.7 MB
  // gzipped, which code scanning refuses whole.
  it('shortens evidence and artifact strings as it shortens messages; the JSON report keeps them whole', () => {
    const module = Array.from({ length: 200_000 }, (_, i) => String.fromCharCode(97 + ((i * 7919) % 26))).join('');
    const result = makeResult({
      findings: [
        finding({
          ruleId: 'CPI002',
          level: 'warning',
          message: `m.pkl: the pickle imports \`${module}.system\``,
          location: { path: 'm.pkl' },
          artifact: { kind: 'model', path: 'm.pkl', format: 'pickle' },
          evidence: { global: `${module}.system`, opcode: 'GLOBAL', offset: 2 },
        }),
      ],
    });
    const log = toSarif(result, { toolVersion: '0' });
    expectValid(log);
    const written = JSON.stringify(log.runs[0]!.results![0]);
    expect(written.length).toBeLessThan(3_000);
    expect(log.runs[0]!.results![0]!.properties!['evidence']).toMatchObject({
      global: expect.stringMatching(/^[a-z]{160}…\(199\d{3} characters left out\)…[a-z]{53}\.system$/),
      opcode: 'GLOBAL',
      offset: 2,
    });
    expect(renderReport(result, 'json', { toolVersion: '0', color: false })).toContain(`${module}.system`);
  });

  // Paths of 4,000 random characters (a folder name may be 255 bytes; 16 nested make one) compress little.
  it('leaves out the least severe results past it, so code scanning takes the upload and its errors', () => {
    const noise = (i: number) =>
      Array.from({ length: 100 }, (_, k) => createHash('sha256').update(`${i}:${k}`).digest('base64url')).join('');
    const notes = Array.from({ length: 4000 }, (_, i) =>
      finding({ ruleId: 'CPM001', level: 'note', message: 'unknown model', location: { path: `a/${noise(i)}.pkl` } }),
    );
    const error = finding({ ruleId: 'CPI001', level: 'error', message: 'os.system', location: { path: 'z/evil.pkl' } });
    const result = makeResult({ findings: [...notes, error] });
    const text = renderReport(result, 'sarif', { toolVersion: '1', color: false });
    expect(gzipSync(text).length).toBeLessThan(10_000_000);
    const run = (JSON.parse(text) as Log).runs[0]!;
    expect(run.results!.length).toBeGreaterThan(1000);
    expect(run.properties?.['truncatedResults']).toBe(4001 - run.results!.length);
    expect(run.results!.at(-1)!.ruleId).toBe('CPI001');
    expect(JSON.stringify(run.invocations)).toMatch(/10 MB gzipped per upload/);
  });
});

describe("GitHub's limit of 25,000 results per run", () => {
  // A flood of notes in a folder sorted first, and the one error of the scan in a file sorted last.
  const flood = makeResult({
    findings: [
      ...Array.from({ length: MAX_SARIF_RESULTS + 2 }, (_, i) =>
        finding({
          ruleId: 'CPD002',
          level: 'note',
          message: `p${i}`,
          location: { path: 'a/package-lock.json', line: i + 1 },
          artifact: { kind: 'package', ecosystem: 'npm', name: `p${i}`, version: '1.0.0' },
        }),
      ),
      finding({ ruleId: 'CPI001', level: 'error', message: 'os.system', location: { path: 'z/evil.pkl' } }),
      finding({ ruleId: 'CPM001', level: 'warning', message: 'unknown', location: { path: 'b/m.bin' } }),
    ],
  });

  it('keeps the most severe results, not the first by path, in the order of the rest', () => {
    const log = JSON.parse(renderReport(flood, 'sarif', { toolVersion: '1', color: false })) as Log;
    const run = log.runs[0]!;
    expect(run.results).toHaveLength(MAX_SARIF_RESULTS);
    expect(run.properties?.['truncatedResults']).toBe(4);
    const at = (ruleId: string) => run.results!.findIndex((r) => r.ruleId === ruleId);
    expect(at('CPI001')).toBe(MAX_SARIF_RESULTS - 1);
    expect(at('CPM001')).toBeGreaterThan(0);
    expect(run.results![0]!.message.text).toBe('p0');
    expect(JSON.stringify(run.invocations)).toMatch(/the 25000 most severe/);
  });
});
