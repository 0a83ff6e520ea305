import { closeSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapingLinkTarget } from '../../src/inspect/containers/tar-links.js';
import { readTar } from '../../src/inspect/containers/tar.js';
import { buildTar, tarHeader, type TarMember } from './helpers/tar.js';
import { inspectStage } from '../../src/inspect/stage.js';
import { scanWith } from '../helpers/scan.js';

describe('tar link members that escape the archive', () => {
  it.each([
    { name: 'symlink to /etc/passwd', member: 'x', type: '2' as const, target: '/etc/passwd', escapes: true },
    { name: 'symlink ../../..', member: 'a/link', type: '2' as const, target: '../../..', escapes: true },
    { name: 'symlink up then down out', member: 'a/b/l', type: '2' as const, target: '../x/../../../y', escapes: true },
    { name: 'symlink to a sibling', member: 'a/l', type: '2' as const, target: '../b/file', escapes: false },
    { name: 'symlink in the same folder', member: 'a/l', type: '2' as const, target: 'file', escapes: false },
    { name: 'hardlink to /etc/passwd', member: 'h', type: '1' as const, target: '/etc/passwd', escapes: true },
    { name: 'hardlink ../secret', member: 'a/b/h', type: '1' as const, target: '../secret', escapes: true },
    { name: 'hardlink to a member', member: 'a/b/h', type: '1' as const, target: 'a/file', escapes: false },
    { name: 'symlink to a Windows drive', member: 'w', type: '2' as const, target: 'C:/Windows', escapes: true },
  ])('$name → escapes: $escapes', ({ member, type, target, escapes }) => {
    const tar = readTar(
      buildTar([
        { name: 'a/file', data: Buffer.from('x') },
        { name: member, type, linkName: target },
      ]),
    );
    expect(tar.unsafeLinks.map((l) => l.name)).toEqual(escapes ? [member] : []);
    expect(escapingLinkTarget(member, target, type === '2' ? 'symlink' : 'hardlink')).toBe(escapes);
    expect(tar.entries.find((e) => e.name === member)?.linkName).toBe(target);
  });
});

describe('through the inspect stage', () => {
  it.each([
    { name: 'model.tar', file: 'model.tar' },
    { name: 'legacy torch .pt', file: 'model.pt' },
  ])('$name with a symlink to /etc/passwd → CPX025 naming the member', async ({ file }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-tar-'));
    writeFileSync(
      path.join(dir, file),
      buildTar([
        { name: 'data.pkl', data: Buffer.from('80044b012e', 'hex') },
        { name: 'passwd', type: '2', linkName: '/etc/passwd' },
      ]),
    );
    const result = await scanWith(dir, [inspectStage]);
    const hits = result.findings.filter((f) => f.ruleId === 'CPX025');
    expect(hits.map((f) => [f.location.path, f.level])).toEqual([[file, 'error']]);
    expect(hits[0]?.message).toContain('member "passwd" points outside the archive');
  });

  it('names the symlinks a target that reads as inside (d/..) leaves through', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-tar-'));
    writeFileSync(
      path.join(dir, 'model.tar'),
      buildTar([
        { name: 'x/y/d', type: '2', linkName: '../..' },
        { name: 'x/y/e', type: '2', linkName: 'd/..' },
        { name: 'x/y/e/pwned', data: Buffer.from('hi') },
      ]),
    );
    const result = await scanWith(dir, [inspectStage]);
    expect(result.findings.filter((f) => f.ruleId === 'CPX025').map((f) => f.message)).toEqual([
      'model.tar: symlink member "x/y/e" points outside the archive, to "d/.." once the symlinks on the way are followed ("x/y/d" -> "../.."); do not extract it.',
    ]);
  });

  // The naming was once one finding per link with its whole chain: a 1.7 MB tar gave a 90 MB report.
  it.each([
    { case: 'as written', links: (i: number) => [{ name: `l${i}`, type: '2', linkName: '/etc/passwd' }] },
    {
      case: 'through other links, a chain of 40 each',
      links: (i: number) =>
        i % 41 === 0
          ? [{ name: `c${i}/q/s`, type: '2', linkName: '../..' }]
          : [
              {
                name: `c${i - (i % 41)}/q/s${i % 41}`,
                type: '2',
                linkName: i % 41 === 1 ? 's/..' : `s${(i % 41) - 1}`,
              },
            ],
    },
  ])('4,100 escaping links $case: one finding that names three and counts the rest', async ({ links }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-tar-'));
    writeFileSync(path.join(dir, 'model.tar'), buildTar(Array.from({ length: 4_100 }, (_, i) => links(i)).flat()));
    const result = await scanWith(dir, [inspectStage]);
    const hits = result.findings.filter((f) => f.ruleId === 'CPX025');
    expect(hits).toHaveLength(1);
    expect(hits[0]?.message).toMatch(
      /^model\.tar: \d+ link members point outside the archive.*; and \d+ more\); do not extract it\.$/,
    );
    expect(hits[0]?.message.length).toBeLessThan(1_000);
  });
});

// A baseline or suppression matches a finding by fingerprint: one more link or device of the same cause, or one
// written before the first, is the same alert, not a new one.
describe('grouped CPX025 and CPX026 keep their fingerprint as members are added', () => {
  const fingerprints = async (members: TarMember[], rule: string): Promise<string[]> => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-tar-'));
    writeFileSync(path.join(dir, 'model.tar'), buildTar(members));
    const result = await scanWith(dir, [inspectStage]);
    return result.findings.filter((f) => f.ruleId === rule).map((f) => f.fingerprint);
  };
  const escaping = (n: number): TarMember[] =>
    Array.from({ length: n }, (_, i) => ({ name: `x${i}`, type: '2', linkName: `../../etc/x${i}` }));
  const devices = (n: number): TarMember[] =>
    Array.from({ length: n }, (_, i) => ({ name: `dev${i}`, type: i % 2 === 0 ? '4' : '3' }));
  it.each([
    { rule: 'CPX025', of: escaping },
    { rule: 'CPX026', of: devices },
  ])('$rule: one, two, three and a new first member give one fingerprint', async ({ rule, of }) => {
    const seen = new Set<string>();
    for (const members of [of(1), of(2), of(3), [...of(4)].reverse()]) {
      const prints = await fingerprints(members, rule);
      expect(prints).toHaveLength(1);
      seen.add(prints[0]!);
    }
    expect([...seen]).toHaveLength(1);
  });
});

// Python's tarfile `data` filter refuses device members (SpecialFileError); extractall without it makes the nodes.
describe('tar device members', () => {
  it('one CPX026 for the archive, three named and the rest counted; none for files and folders', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-tar-'));
    const devices = Array.from({ length: 5 }, (_, i) => ({ name: `dev${i}`, type: i % 2 === 0 ? '4' : '3' }));
    writeFileSync(
      path.join(dir, 'model.tar'),
      buildTar([{ name: 'data.pkl', data: Buffer.from('80044b012e', 'hex') }, { name: 'd/', type: '5' }, ...devices]),
    );
    writeFileSync(
      path.join(dir, 'plain.tar'),
      buildTar([{ name: 'data.pkl', data: Buffer.from('80044b012e', 'hex') }]),
    );
    const result = await scanWith(dir, [inspectStage]);
    expect(result.findings.filter((f) => f.ruleId === 'CPX026').map((f) => [f.location.path, f.message])).toEqual([
      [
        'model.tar',
        `model.tar: 5 members "dev0" (block device), "dev1" (character device), "dev2" (block device) and 2 more are devices; extracting as root without tarfile's 'data' filter makes device nodes that read the machine's disk or memory. Do not extract it.`,
      ],
    ]);
  });
});

/**
 * A FIFO member: tarfile's `data` filter refuses it (`_get_filtered_attrs` raises SpecialFileError for a member that
 * is no file, link or folder); `extractall` without it makes it (`makefifo`), and NeMo reading its config hangs. The
 * stream walk writes members it read itself as FIFOs in its image: those are not the archive's.
 */
describe('tar FIFO members', () => {
  it('a FIFO model_config.yaml in a .nemo, and one beside a large member the stream walk read, are CPX026', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-tar-'));
    const weights = { name: 'model_weights.ckpt', data: Buffer.alloc(9 << 20) };
    writeFileSync(path.join(dir, 'model.nemo'), buildTar([weights, { name: 'model_config.yaml', type: '6' }]));
    writeFileSync(path.join(dir, 'big.tar.gz'), gzipSync(buildTar([weights, { name: 'queue', type: '6' }])));
    writeFileSync(path.join(dir, 'plain.tar.gz'), gzipSync(buildTar([weights])));
    const result = await scanWith(dir, [inspectStage]);
    const fifo = (where: string, name: string) =>
      `${where}: member "${name}" (FIFO) is a special file; extracting without tarfile's 'data' filter makes FIFOs that hang whoever opens them (a loader reading one waits forever). Do not extract it.`;
    expect(result.findings.filter((f) => f.ruleId === 'CPX026').map((f) => [f.location.path, f.message])).toEqual([
      ['big.tar.gz', fifo('big.tar.gz (<gzip>)', 'queue')],
      ['model.nemo', fifo('model.nemo', 'model_config.yaml')],
    ]);
  });
  /**
   * tarfile's `_proc_gnulong` reads the next header recursively: after an 'L' then a 'K' record the member has the
   * long name. A 70 MiB member past the in-memory bound is read by the stream walk, which writes its header as a FIFO
   * in its image; that mark is the walk's, whatever the member is called, and a real FIFO named as the member's
   * ustar header is still reported under its own name. The body is a file hole: the fixture takes no disk.
   */
  it('a large member named by GNU long-name and long-link records is no FIFO; a real FIFO of its header name is', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-tar-'));
    const longName = `model/weights-${'x'.repeat(120)}.bin`;
    const size = 70 << 20;
    const head = buildTar([
      { name: '././@LongLink', type: 'L', data: Buffer.from(`${longName}\0`) },
      { name: '././@LongLink', type: 'K', data: Buffer.from('ignored\0') },
    ]).subarray(0, -1024);
    const fd = openSync(path.join(dir, 'model.tar'), 'w');
    try {
      const start = Buffer.concat([head, tarHeader({ name: 'b.bin' }, size)]);
      writeSync(fd, start, 0, start.length, 0);
      const tail = buildTar([{ name: 'b.bin', type: '6' }]);
      writeSync(fd, tail, 0, tail.length, start.length + size);
    } finally {
      closeSync(fd);
    }
    const result = await scanWith(dir, [inspectStage]);
    expect(result.findings.filter((f) => f.ruleId === 'CPX026').map((f) => f.message)).toEqual([
      `model.tar: member "b.bin" (FIFO) is a special file; extracting without tarfile's 'data' filter makes FIFOs that hang whoever opens them (a loader reading one waits forever). Do not extract it.`,
    ]);
  });
});
