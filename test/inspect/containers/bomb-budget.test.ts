import { deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ContentContext, ContentLimits } from '../../../src/inspect/content/content.js';
import { DEFAULT_CONTENT_LIMITS, inspectContent } from '../../../src/inspect/content/content.js';
import { buildTar, buildZip, EVAL_PICKLE } from './build.js';

/** 42.zip in small: `levels` of zips of `fanout` zips, each leaf `leaf` bytes of zeros deflated (ratio ~1000:1). */
function nestedBomb(levels: number, fanout: number, leaf: number): Buffer {
  const zeros = Buffer.alloc(leaf);
  let level = buildZip(
    Array.from({ length: fanout }, (_, i) => ({ name: `leaf${i}.bin`, data: zeros, deflate: true })),
  );
  for (let l = 1; l < levels; l++) {
    const inner = level;
    level = buildZip(
      Array.from({ length: fanout }, (_, i) => ({ name: `l${l}_${i}.zip`, data: inner, deflate: true })),
    );
  }
  return level;
}

function scan(data: Buffer, name: string, limits: Partial<ContentLimits>): ContentContext {
  const ctx: ContentContext = {
    path: name,
    allow: {},
    limits: { ...DEFAULT_CONTENT_LIMITS, ...limits },
    findings: [],
    extracted: 0,
  };
  inspectContent(data, name, undefined, 0, 'sniff', ctx);
  return ctx;
}

const MiB = 1 << 20;

/** `count` central-directory entries all pointing at one deflated member of `size` zero bytes. */
function sharedData(count: number, size: number): Buffer {
  const zip = buildZip([{ name: 'a.npy', data: Buffer.alloc(size), deflate: true }]);
  const cd = zip.indexOf('PK\x01\x02', 0, 'latin1');
  const eocd = zip.indexOf('PK\x05\x06', 0, 'latin1');
  const first = zip.subarray(cd, eocd);
  const entries = [first];
  for (let i = 1; i < count; i++) {
    const name = Buffer.from(`a${i}.npy`);
    const e = Buffer.concat([first.subarray(0, 46), name]);
    e.writeUInt16LE(name.length, 28);
    entries.push(e);
  }
  const dir = Buffer.concat(entries);
  const end = Buffer.from(zip.subarray(eocd));
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(dir.length, 12);
  return Buffer.concat([zip.subarray(0, cd), dir, end]);
}

describe('zip members sharing compressed data', () => {
  it('model.npz: 2,000 directory entries on one deflated member → read once, one CPI012 (overlap) at error', () => {
    const ctx = scan(sharedData(2000, MiB), 'model.npz', {});
    const overlap = ctx.findings.filter((f) => f.ruleId === 'CPI012' && f.evidence?.['limit'] === 'overlap');
    expect(overlap).toHaveLength(1);
    // No level of its own: CPI012's default, error.
    expect(overlap[0]?.level ?? 'error').toBe('error');
    expect(overlap[0]?.evidence?.['members']).toBe(1999);
    expect(ctx.extracted).toBe(MiB);
    // One finding for the construction, not one name mismatch per shared entry.
    expect(ctx.findings.filter((f) => f.ruleId === 'CPI014')).toHaveLength(0);
  });
});

describe('one decompression budget per file, across every nesting level', () => {
  it.each([
    // 3 levels × 10: 1,000 leaves of 2 MiB (2 GB inside a ~20 KB file); each leaf passes the 1000:1 ratio, so before
    // the budget charged failed inflations every leaf was inflated to its ratio cap and reported.
    { name: 'bomb.zip: 42.zip-style, leaves over the ratio limit', data: nestedBomb(3, 10, 2 * MiB), budget: 16 * MiB },
    // Leaves under the ratio limit: they succeed, and the total stops the walk.
    { name: 'bomb.zip: 42.zip-style, honest leaves', data: nestedBomb(3, 10, 512 * 1024), budget: 8 * MiB },
  ])('$name → one total-budget CPI012 at error, decompression stops near the budget', ({ data, budget }) => {
    const ctx = scan(data, 'bomb.zip', { maxTotalBytes: budget });
    const total = ctx.findings.filter((f) => f.ruleId === 'CPI012' && f.evidence?.['limit'] === 'total');
    expect(total).toHaveLength(1);
    expect(total[0]?.level).toBe('error');
    // Never more than the budget plus the one inflation that crossed it.
    expect(ctx.extracted).toBeLessThanOrEqual(budget + 4 * MiB);
    expect(ctx.findings.length).toBeLessThan(20);
  });

  it('gzip of gzip of zeros: both levels charge the same budget', () => {
    const data = gzipSync(gzipSync(Buffer.alloc(16 * MiB))); // twice the budget
    const ctx = scan(data, 'weights.gz', { maxTotalBytes: 8 * MiB });
    expect(ctx.findings.map((f) => f.ruleId)).toContain('CPI012');
    expect(ctx.extracted).toBeLessThanOrEqual(8 * MiB);
  });

  it('a payload found before the budget ran out is still reported', () => {
    const data = buildZip([
      { name: 'model.pkl', data: EVAL_PICKLE, deflate: true },
      { name: 'pad.bin', data: Buffer.alloc(8 * MiB), deflate: true },
      { name: 'more.bin', data: Buffer.alloc(8 * MiB), deflate: true },
    ]);
    const ids = scan(data, 'bundle.zip', { maxTotalBytes: 4 * MiB }).findings.map((f) => f.ruleId);
    expect(ids).toContain('CPI001');
    expect(ids).toContain('CPI012');
  });

  it('the deflated leaf data itself is tiny', () => {
    // Guard for the cases above: the leaves really are past the 1000:1 ratio limit.
    expect(deflateRawSync(Buffer.alloc(2 * MiB)).length * 1000).toBeLessThan(2 * MiB);
  });
});

describe('one decompression held whole in memory is capped', () => {
  it.each([
    {
      name: 'bundle.tar.gz: an 8 MiB member',
      data: gzipSync(buildTar('pad.bin', Buffer.alloc(8 * MiB))),
    },
    {
      name: 'bundle.zip: a deflated 8 MiB member',
      data: buildZip([{ name: 'pad.bin', data: Buffer.alloc(8 * MiB), deflate: true }]),
    },
  ])('$name → CPI012, nothing past the cap is decompressed', ({ name, data }) => {
    const ctx = scan(data, name.split(':')[0]!, { maxInMemory: 4 * MiB });
    expect(ctx.findings.map((f) => f.ruleId)).toContain('CPI012');
    expect(ctx.extracted).toBe(4 * MiB);
  });
});
