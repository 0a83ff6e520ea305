import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decompress, sniffCompression } from '../../../src/inspect/containers/compression.js';
import type { ContentContext, Expectation } from '../../../src/inspect/containers/content.js';
import { DEFAULT_CONTENT_LIMITS, inspectContent } from '../../../src/inspect/containers/content.js';
import { ContainerLimitError } from '../../../src/inspect/containers/errors.js';
import { inspectFolder } from '../pickle/scan-folder.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/pickles/cases/compressed');
const fixture = (name: string): Buffer => readFileSync(path.join(DIR, name));

function inspect(data: Buffer, name: string, expect: Expectation) {
  const ctx: ContentContext = { path: name, allow: {}, limits: DEFAULT_CONTENT_LIMITS, findings: [], extracted: 0 };
  inspectContent(data, name, undefined, 0, expect, ctx);
  return ctx;
}

const rules = (fs: { ruleId: string }[]) => [...new Set(fs.map((f) => f.ruleId))].sort();

describe('bzip2, xz and lzma content is decompressed and analysed', () => {
  it.each([
    { name: 'logreg.joblib.bz2', kind: 'bzip2', expect: 'claimed' as const },
    { name: 'logreg.joblib.xz', kind: 'xz', expect: 'claimed' as const },
    { name: 'logreg.joblib.lzma', kind: 'lzma', expect: 'claimed' as const },
  ])('benign joblib $name → no findings', ({ name, kind, expect: ex }) => {
    const data = fixture(name);
    expect(sniffCompression(data)).toBe(kind);
    const ctx = inspect(data, name, ex);
    expect(ctx.findings).toEqual([]);
    expect(ctx.extracted).toBeGreaterThan(data.length);
  });

  it.each([
    { name: 'evil.pkl.bz2', kind: 'bzip2', expect: 'sniff' as const },
    { name: 'evil.pkl.xz', kind: 'xz', expect: 'sniff' as const },
    { name: 'evil.pkl.lzma', kind: 'lzma', expect: 'sniff' as const },
  ])('malicious $name → CPI001 os.system inside the stream', ({ name, kind, expect: ex }) => {
    const f = inspect(fixture(name), name, ex).findings;
    expect(rules(f)).toContain('CPI001');
    const hit = f.find((x) => x.ruleId === 'CPI001')!;
    expect(hit.location.member).toBe(`<${kind}>`);
    expect(JSON.stringify(hit.evidence)).toMatch(/os|posix/);
    expect(JSON.stringify(hit.evidence)).toMatch(/system/);
  });

  it.each([
    { name: 'bomb.pkl.bz2', kind: 'bzip2' },
    { name: 'bomb.pkl.xz', kind: 'xz' },
  ])('200 MB of zeros in $name → CPI012 limit, output capped', ({ name, kind }) => {
    const data = fixture(name);
    const f = inspect(data, name, 'sniff').findings;
    expect(rules(f)).toEqual(['CPI012']);
    expect(f[0]!.message).toMatch(new RegExp(`${kind} stream decompresses past`));
    const cap = Math.max(1 << 20, data.length * DEFAULT_CONTENT_LIMITS.maxRatio);
    expect(() => decompress(kind as 'bzip2' | 'xz', data, { maxOutput: 1 << 30, maxRatio: 1000 })).toThrow(
      ContainerLimitError,
    );
    expect(cap).toBeLessThan(200 * 1024 * 1024);
  });

  it.each([
    { name: 'logreg.joblib.bz2', cut: 0.5 },
    { name: 'logreg.joblib.bz2', cut: 0.95 },
    { name: 'logreg.joblib.xz', cut: 0.5 },
    { name: 'logreg.joblib.xz', cut: 0.97 },
    { name: 'logreg.joblib.lzma', cut: 0.5 },
    { name: 'logreg.joblib.lzma', cut: 0.97 },
    { name: 'evil.pkl.bz2', cut: 0.8 },
    { name: 'evil.pkl.xz', cut: 0.8 },
  ])('truncated $name at $cut → a finding, never clean', ({ name, cut }) => {
    const data = fixture(name);
    const f = inspect(data.subarray(0, Math.floor(data.length * cut)), name, 'claimed').findings;
    expect(f.length).toBeGreaterThan(0);
    expect(rules(f).some((r) => ['CPI001', 'CPI012', 'CPI013'].includes(r))).toBe(true);
  });

  it.each([
    { name: 'pickle-shaped', head: '5d0000' },
    { name: 'odd dictionary size', head: '5d0000123400ffffffffffffffff' },
    { name: 'implausible size', head: '5d000040000000000000000001' },
  ])('does not take $name bytes for an lzma stream', ({ head }) => {
    expect(sniffCompression(Buffer.concat([Buffer.from(head, 'hex'), Buffer.alloc(16)]))).toBeUndefined();
  });

  it('a corrupted bzip2 block is a read error (CPI013), not a pass', () => {
    const data = Buffer.from(fixture('logreg.joblib.bz2'));
    for (let i = 20; i < 60; i++) data[i] = data[i]! ^ 0x55;
    expect(rules(inspect(data, 'x.bz2', 'claimed').findings)).toEqual(['CPI013']);
  });
});

describe('end to end over fixtures/pickles/cases/compressed (detect + analyser)', () => {
  let findings: Awaited<ReturnType<typeof inspectFolder>>;
  beforeAll(async () => {
    findings = await inspectFolder(DIR);
  });
  it.each([
    { name: 'logreg.joblib.bz2', want: [] },
    { name: 'logreg.joblib.xz', want: [] },
    { name: 'logreg.joblib.lzma', want: [] },
    { name: 'evil.pkl.bz2', want: ['CPI001'] },
    { name: 'evil.pkl.xz', want: ['CPI001'] },
    { name: 'evil.pkl.lzma', want: ['CPI001'] },
    { name: 'evil_lzma_content.joblib', want: ['CPI001'] },
    { name: 'bomb.pkl.bz2', want: ['CPI012'] },
    { name: 'bomb.pkl.xz', want: ['CPI012'] },
  ])('$name → $want', ({ name, want }) => {
    expect(rules(findings.get(name) ?? [])).toEqual(want);
  });
});
