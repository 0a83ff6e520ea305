import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
// The member readers a scan registers: a member may be judged by its own format's reader, as in a scan, whatever ran
// before this file in the worker (isolate: false).
import '../../../src/inspect/analysers.js';
import { buildTar } from '../../hostile/helpers/tar.js';
import { inspectAtLimits, ROOMY_LIMITS, ruleAtMember } from './small-limits.js';
import { writeSparse } from './sparse-checkpoints.js';

const MiB = 1 << 20;
/** The entry bound scaled down from 100,000 as the other limits are (small-limits.ts), with room for the members. */
const LIMITS = { ...ROOMY_LIMITS, maxTotalBytes: 32 * MiB, maxEntries: 50 };
/** Past the 64 MiB from which a plain tar is read by ranges (analyser.ts), a hole on disk. */
const BY_RANGES = 70 * MiB;

const root = mkdtempSync(path.join(tmpdir(), 'cp-tar-entry-limit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Member {
  readonly name: string;
  /** Bytes at the member's start; the rest of `size` is zeros (a hole in a plain tar). */
  readonly head?: Buffer;
  /** Bytes at the member's end. */
  readonly tail?: Buffer;
  readonly size?: number;
  /** A link member: '1' hard link, '2' symlink. */
  readonly type?: string;
  readonly linkName?: string;
}

/** A ustar of `members` as bytes at offsets, and its length: large members stay holes when written sparse. */
function tarParts(members: readonly Member[]): { parts: { at: number; data: Buffer }[]; end: number } {
  const parts: { at: number; data: Buffer }[] = [];
  let at = 0;
  for (const m of members) {
    const size = m.size ?? (m.head?.length ?? 0) + (m.tail?.length ?? 0);
    // buildTar's header for a member of `size` bytes: only its first 512 bytes are kept.
    const header = {
      name: m.name,
      data: Buffer.alloc(size),
      ...(m.type ? { type: m.type } : {}),
      ...(m.linkName ? { linkName: m.linkName } : {}),
    };
    parts.push({ at, data: buildTar([header]).subarray(0, 512) });
    if (m.head) parts.push({ at: at + 512, data: m.head });
    if (m.tail) parts.push({ at: at + 512 + size - m.tail.length, data: m.tail });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return { parts, end: at + 1024 };
}

/** Write the tar as a plain file (sparse: its large members are holes) or gzipped whole. */
function writeTar(file: string, members: readonly Member[]): void {
  const { parts, end } = tarParts(members);
  if (file.endsWith('.gz')) {
    const whole = Buffer.alloc(end);
    for (const p of parts) p.data.copy(whole, p.at);
    writeFileSync(file, gzipSync(whole, { level: 1 }));
    return;
  }
  writeSparse(file, parts, end);
}

/** A pickle of `size` bytes: one BINBYTES8 value of zeros, then os.system('id'), which pickle.load runs. */
function systemAfterBytes(size: number): Member {
  const tail = Buffer.from('0cos\nsystem\nX\x02\x00\x00\x00id\x85R.', 'latin1');
  const head = Buffer.alloc(11);
  head.write('\x80\x05\x8e', 0, 'latin1');
  head.writeBigUInt64LE(BigInt(size - head.length - tail.length), 3);
  return { name: 'evil.pkl', head, tail, size };
}

/** One empty member more than the entry bound allows, after the others. */
const pastTheBound = (before: number): Member[] =>
  Array.from({ length: LIMITS.maxEntries + 1 - before }, (_, i) => ({ name: `shard/${i}` }));

const CASES = [
  { file: 'model.tar', large: BY_RANGES, at: '' },
  // A tar in a gzip stream is walked as it inflates (streamed.ts), whatever its size.
  { file: 'model.tar.gz', large: 9 * MiB, at: '<gzip>' },
];

// The walk stops one member past the bound, where readTar throws (CPI012 for the archive). The NeMo-config check
// after it re-read that image with a bound of its own: at the real 100,000 its ContainerLimitError escaped as "the
// analyser failed" (CPX003) or sent a gzip stream back to be read whole, and what the walk had found went with it;
// below it, the check read a member readTar never lists. It now reads at the walk's bound (the limits scaled here),
// and not at all once the walk stopped there.
describe('a tar read as it streams, with more members than the entry bound', () => {
  it.each(CASES)('$file keeps what the walk found before the bound', async ({ file, large, at }) => {
    const dir = mkdtempSync(path.join(root, 'pickle-'));
    // A pickle over 8 MiB is read by ranges as the walk meets it; the raw member after it is left unread.
    const members = [systemAfterBytes(9 * MiB), { name: 'weights.bin', size: large }];
    writeTar(path.join(dir, file), [...members, ...pastTheBound(members.length)]);
    const found = await inspectAtLimits(dir, LIMITS);
    const inside = at === '' ? '' : `${at}!`;
    expect(found.map(ruleAtMember).sort()).toEqual([`CPI001:${inside}evil.pkl`, `CPI012:${at}`]);
    expect(found.find((f) => f.ruleId === 'CPI012')?.message).toContain('tar has more than 50 entries');
  });

  it.each(CASES)('$file reports the bound alone, as readTar does in memory', async ({ file, large, at }) => {
    const dir = mkdtempSync(path.join(root, 'nemo-'));
    // A NeMo config that is a hard link to a member too large to keep, unread (extraction writes that member's bytes
    // as the config): inspectTar's CPI012 already says the archive was not checked.
    const members = [
      { name: 'config.bin', size: large },
      { name: 'model_config.yaml', type: '1', linkName: 'config.bin' },
    ];
    writeTar(path.join(dir, file), [...members, ...pastTheBound(members.length)]);
    expect((await inspectAtLimits(dir, LIMITS)).map(ruleAtMember)).toEqual([`CPI012:${at}`]);
  });
});
