import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ContentContext } from '../../../src/inspect/content/content.js';
import { DEFAULT_CONTENT_LIMITS, inspectContent } from '../../../src/inspect/content/content.js';
import { readZip } from '../../../src/inspect/containers/zip.js';
import { BENIGN_PICKLE, buildTar, buildZip, EVAL_PICKLE } from './build.js';

function inspect(data: Buffer, limits = DEFAULT_CONTENT_LIMITS) {
  const ctx: ContentContext = { path: 'model.bin', allow: {}, limits, findings: [], extracted: 0 };
  inspectContent(data, 'model.bin', undefined, 0, 'sniff', ctx);
  return ctx.findings;
}

const rules = (fs: { ruleId: string }[]) => [...new Set(fs.map((f) => f.ruleId))].sort();

describe('readZip', () => {
  it('reads stored and deflated members through the central directory', () => {
    const zip = readZip(
      buildZip([
        { name: 'a/data.pkl', data: BENIGN_PICKLE },
        { name: 'b.txt', data: Buffer.from('hello'), deflate: true },
      ]),
    );
    expect(zip.entries.map((e) => [e.name, e.read().length])).toEqual([
      ['a/data.pkl', BENIGN_PICKLE.length],
      ['b.txt', 5],
    ]);
    expect(zip.problems).toEqual([]);
  });

  it('finds members by local headers when the central directory is missing', () => {
    const zip = readZip(buildZip([{ name: 'data.pkl', data: EVAL_PICKLE }], { centralDirectory: false }));
    expect(zip.entries.map((e) => e.name)).toEqual(['data.pkl']);
    expect(zip.problems.join()).toMatch(/no readable central directory/);
  });

  it('reports a member the central directory does not list', () => {
    const zip = readZip(
      buildZip([
        { name: 'ok.pkl', data: BENIGN_PICKLE },
        { name: 'evil.pkl', data: EVAL_PICKLE, hidden: true },
      ]),
    );
    expect(zip.entries.map((e) => [e.name, e.hidden ?? false])).toEqual([
      ['ok.pkl', false],
      ['evil.pkl', true],
    ]);
    expect(zip.mismatches?.join()).toMatch(/not listed in the central directory/);
  });

  it.each([
    { name: '../escape.pkl', unsafe: true },
    { name: '/abs/data.pkl', unsafe: true },
    { name: 'dir\\data.pkl', unsafe: true },
    { name: 'archive/data.pkl', unsafe: false },
  ])('flags unsafe member name $name', ({ name, unsafe }) => {
    const zip = readZip(buildZip([{ name, data: BENIGN_PICKLE }]));
    expect(zip.unsafeNames).toEqual(unsafe ? [name] : []);
  });

  it('stops a deflate bomb at the ratio cap with a typed error', () => {
    // 8 MiB of zeros deflate ~1000:1, ten times the 100:1 allowed (and past any 1 MiB floor).
    const zip = readZip(buildZip([{ name: 'bomb.pkl', data: Buffer.alloc(8 << 20), deflate: true }]), {
      maxRatio: 100,
    });
    expect(() => zip.entries[0]!.read()).toThrow(expect.objectContaining({ name: 'ContainerLimitError' }));
  });
});

describe('inspectContent', () => {
  it.each([
    {
      name: 'pickle in a zip member',
      input: buildZip([{ name: 'x/data.pkl', data: EVAL_PICKLE, deflate: true }]),
      want: ['CPI001'],
    },
    {
      name: 'pickle hidden from the central directory',
      input: buildZip([
        { name: 'a.txt', data: Buffer.from('x') },
        { name: 'p.bin', data: EVAL_PICKLE, hidden: true },
      ]),
      want: ['CPI001', 'CPI014'],
    },
    { name: 'gzip of a pickle', input: gzipSync(EVAL_PICKLE), want: ['CPI001'] },
    {
      name: 'zip inside a tar inside gzip',
      input: gzipSync(buildTar('inner.zip', buildZip([{ name: 'data.pkl', data: EVAL_PICKLE }]))),
      want: ['CPI001'],
    },
    { name: 'benign pickle in a tar', input: buildTar('model.pkl', BENIGN_PICKLE), want: [] },
    {
      name: 'path traversal in a zip',
      input: buildZip([{ name: '../../etc/cron.d/x', data: Buffer.from('x') }]),
      want: ['CPI011'],
    },
    {
      name: 'encrypted member named .pkl',
      input: buildZip([{ name: 'w.pkl', data: Buffer.from('\x11\x22\x33\x44', 'latin1'), flags: 1 }]),
      want: ['CPI015'],
    },
    {
      name: 'encrypted flag over a plain pickle',
      input: buildZip([{ name: 'w.pkl', data: EVAL_PICKLE, flags: 1 }]),
      want: ['CPI001'],
    },
    { name: '7z bytes', input: Buffer.from('377abcaf271c0004', 'hex'), want: ['CPI015'] },
  ])('$name → $want', ({ input, want }) => {
    expect(rules(inspect(input))).toEqual(want);
  });

  it('names an unreadable member once, in the path (member) form, inside a nested archive too', () => {
    const inner = buildZip([{ name: 'w.pkl', data: Buffer.from('\x11\x22\x33\x44', 'latin1'), flags: 1 }]);
    const found = inspect(buildTar('release/bundle.zip', inner));
    expect(found.map((f) => [f.ruleId, f.message, f.location.member])).toEqual([
      [
        'CPI015',
        'model.bin (release/bundle.zip!w.pkl): the member is encrypted; it was not checked.',
        'release/bundle.zip!w.pkl',
      ],
    ]);
  });

  it('stops nesting at the depth limit', () => {
    let data = buildZip([{ name: 'data.pkl', data: BENIGN_PICKLE }]);
    for (let i = 0; i < 5; i++) data = buildZip([{ name: `n${i}.zip`, data }]);
    expect(rules(inspect(data, { ...DEFAULT_CONTENT_LIMITS, maxDepth: 3 }))).toEqual(['CPI012']);
  });

  it('reports a gzip bomb past the size cap', () => {
    const bomb = gzipSync(Buffer.alloc(4 << 20)); // four times the 1 MiB size cap
    expect(rules(inspect(bomb, { ...DEFAULT_CONTENT_LIMITS, maxRatio: 10, maxEntrySize: 1 << 20 }))).toEqual([
      'CPI012',
    ]);
  });
});
