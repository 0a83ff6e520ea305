import { describe, expect, it } from 'vitest';
import { MAX_SUMMARY_BYTES, escapeMd, toMarkdown } from '../../src/report/markdown.js';
import { finding, makeResult, sampleResult } from '../action/helpers.js';

const OPTS = { toolVersion: '9.9.9' };

/** The data rows of the table under a heading. */
function tableRows(md: string, heading: string): string[][] {
  const start = md.indexOf(`### ${heading}\n`);
  expect(start, `no "${heading}" section`).toBeGreaterThanOrEqual(0);
  const lines = md.slice(start).split('\n').slice(2);
  const rows: string[][] = [];
  for (const line of lines.slice(2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(2, -2)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe('markdown job summary', () => {
  const md = toMarkdown(sampleResult(), OPTS);

  it('heads with the counts by level and a totals table', () => {
    expect(md.split('\n')[0]).toBe('## chainproof: 3 errors, 1 warning, 1 note');
    expect(md).toContain('| 10 | 1 | 3 | 2 | 1 | 1 | 1 | 0 |');
  });

  it('adds the model references, and how many are pinned, when the refs stage found some', () => {
    const ref = {
      path: 'a.py',
      line: 1,
      column: 1,
      via: 'pipeline',
      hub: 'huggingface' as const,
      runsRemoteCode: false,
    };
    const out = toMarkdown(
      {
        ...sampleResult(),
        references: [
          { ...ref, revisionKind: 'commit' },
          { ...ref, revisionKind: 'none' },
        ],
      },
      OPTS,
    );
    expect(out).toContain('| Model files | Model references (pinned) | Verified |');
    expect(out).toContain('| 10 | 1 | 3 | 2 | 2 (1) | 1 | 1 | 1 | 0 |');
  });

  it('has one row per rule, worst level first, with the count and the top files', () => {
    const rows = tableRows(md, 'Findings by rule');
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      ['`CPI001` DangerousPickleGlobal', 'error', '1'],
      ['`CPD002` MissingIntegrity', 'error', '2'],
      ['`CPM001` UnknownModel', 'warning', '1'],
      ['`CPX001` UnreadableFile', 'note', '1'],
    ]);
    expect(rows[1]![3]).toBe('package-lock.json (2)');
  });

  it('puts the gravest rule of a level first, however many findings a lesser one has', () => {
    const at = (line: number) => ({ path: 'package-lock.json', line });
    const unsigned = Array.from({ length: 40 }, (_, i) =>
      finding({ ruleId: 'CPD111', level: 'error', message: 'no signature', location: at(10 + i) }),
    );
    const poisoned = finding({ ruleId: 'CPD100', level: 'error', message: 'other bytes', location: at(90) });
    const rows = tableRows(toMarkdown(makeResult({ findings: [...unsigned, poisoned] }), OPTS), 'Findings by rule');
    expect(rows.map((r) => [r[0], r[2]])).toEqual([
      ['`CPD100` RegistryIntegrityMismatch', '1'],
      ['`CPD111` MissingRegistrySignature', '40'],
    ]);
    const listed = tableRows(toMarkdown(makeResult({ findings: [...unsigned, poisoned] }), OPTS), 'Findings');
    expect(listed.map((r) => r[2]).slice(0, 3)).toEqual([
      'package-lock.json\\:90',
      'package-lock.json\\:10',
      'package-lock.json\\:11',
    ]);
  });

  it('lists every finding with its location, errors first', () => {
    const rows = tableRows(md, 'Findings');
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => r[1])).toEqual(['`CPI001`', '`CPD002`', '`CPD002`', '`CPM001`', '`CPX001`']);
    expect(rows[0]![2]).toBe('models/evil.pkl \\(data.pkl\\)');
  });

  it('never hides an error behind warnings: 300 warnings and 3 errors → every error shown, header agrees', () => {
    const warnings = Array.from({ length: 300 }, (_, i) =>
      finding({ ruleId: 'CPD130', level: 'warning', message: 'w', location: { path: `a/${i}/package-lock.json` } }),
    );
    const errors = ['x', 'y', 'z'].map((d) =>
      finding({
        ruleId: 'CPD100',
        level: 'error',
        message: 'e',
        location: { path: `z/${d}/package-lock.json`, line: 7 },
      }),
    );
    const result = makeResult({ findings: [...warnings, ...errors] });
    const out = toMarkdown(result, OPTS);
    const listed = tableRows(out, 'Findings');
    expect(listed.filter((r) => r[0] === 'error')).toHaveLength(3);
    expect(listed.slice(0, 3).map((r) => r[1])).toEqual(['`CPD100`', '`CPD100`', '`CPD100`']);
    expect(tableRows(out, 'Findings by rule')[0]?.slice(0, 3)).toEqual([
      '`CPD100` RegistryIntegrityMismatch',
      'error',
      '3',
    ]);
    expect(out.split('\n')[0]).toBe(
      `## chainproof: ${result.summary.byLevel.error} errors, ${result.summary.byLevel.warning} warnings, 0 notes`,
    );
  });

  it('lists a few findings of a rule, in different files first, and counts the rest in one row', () => {
    const pickles = Array.from({ length: 36 }, (_, i) =>
      finding({
        ruleId: 'CPI001',
        level: 'error',
        message: 'imports builtins.eval',
        location: { path: `ckpt/m${String(Math.floor(i / 3)).padStart(2, '0')}.pkl`, member: `g${i % 3}` },
      }),
    );
    const other = finding({ ruleId: 'CPI005', level: 'error', message: 'mutates', location: { path: 'z.pkl' } });
    const warn = finding({ ruleId: 'CPX005', level: 'warning', message: 'renamed', location: { path: 'a.pt' } });
    const out = toMarkdown(makeResult({ findings: [...pickles, other, warn] }), OPTS);
    const rows = tableRows(out, 'Findings');
    expect(rows.map((r) => [r[1], r[2]])).toEqual([
      ['`CPI001`', 'ckpt/m00.pkl \\(g0\\)'],
      ['`CPI001`', 'ckpt/m01.pkl \\(g0\\)'],
      ['`CPI001`', 'ckpt/m02.pkl \\(g0\\)'],
      ['`CPI001`', 'ckpt/m03.pkl \\(g0\\)'],
      ['`CPI001`', 'ckpt/m04.pkl \\(g0\\)'],
      ['`CPI001`', '…31 more'],
      ['`CPI005`', 'z.pkl'],
      ['`CPX005`', 'a.pt'],
    ]);
    expect(rows[5]).toEqual([
      'error',
      '`CPI001`',
      '…31 more',
      '31 more `CPI001` errors, in 7 more files; see the SARIF or JSON report.',
    ]);
    expect(tableRows(out, 'Findings by rule')[0]?.slice(0, 3)).toEqual([
      '`CPI001` DangerousPickleGlobal',
      'error',
      '36',
    ]);
    expect(out).not.toContain('more findings (see');
  });

  it('does not repeat the place a message opens with beside its Location cell', () => {
    const at = { path: 'ckpt/a.zip', member: 'data.pkl' };
    const own = finding({
      ruleId: 'CPI001',
      level: 'error',
      message: 'ckpt/a.zip (data.pkl): imports os.system',
      location: at,
    });
    const other = finding({ ruleId: 'CPI005', level: 'error', message: 'ckpt/b.pkl: mutates', location: at });
    const rows = tableRows(toMarkdown(makeResult({ findings: [own, other] }), OPTS), 'Findings');
    expect(rows.map((r) => [r[2], r[3]])).toEqual([
      ['ckpt/a.zip \\(data.pkl\\)', 'imports os.system'],
      ['ckpt/a.zip \\(data.pkl\\)', 'ckpt/b.pkl\\: mutates'],
    ]);
  });

  it('says what could not be verified or scanned', () => {
    const rows = tableRows(md, 'Not verified');
    expect(rows).toEqual([
      ['failed', 'digest mismatch', '1', 'file\\:models/evil.pkl'],
      ['unverifiable', 'registry unreachable', '1', 'pkg\\:npm/lodash\\@4.17.20'],
    ]);
    expect(md).toContain('| link-out | symlink-outside-root\\: -\\> /etc/passwd |');
  });

  it('lists what was not verified once per reason, failed first, however many artifacts share a reason', () => {
    const offline = Array.from({ length: 300 }, (_, i) => ({
      key: `pkg:npm/a${String(i).padStart(3, '0')}@1.0.0`,
      status: 'unverifiable' as const,
      detail: 'offline, and the cache holds no answer',
    }));
    const models = ['file:m/b.pt', 'file:m/a.pt'].map((key) => ({
      key,
      status: 'unverifiable' as const,
      detail: 'no trusted-registry entry',
    }));
    const failed = { key: 'pkg:npm/zz@1.0.0', status: 'failed' as const, detail: 'CPD100' };
    const out = toMarkdown(makeResult({ verifications: [...offline, ...models, failed] }), { ...OPTS, maxRows: 2 });
    expect(tableRows(out, 'Not verified')).toEqual([
      ['failed', 'CPD100', '1', 'pkg\\:npm/zz\\@1.0.0'],
      [
        'unverifiable',
        'offline, and the cache holds no answer',
        '300',
        'pkg\\:npm/a000\\@1.0.0, pkg\\:npm/a001\\@1.0.0, pkg\\:npm/a002\\@1.0.0, …297 more',
      ],
    ]);
    expect(out).toContain('…and 1 more reasons (see the JSON report).');
  });

  it('says a scanner note once for every file it is the same for', () => {
    const partly = Array.from({ length: 30 }, (_, i) => ({
      level: 'warning' as const,
      message: `ml/broken/b${i}.pkl was only partly inspected by pickle`,
      path: `ml/broken/b${i}.pkl`,
    }));
    const link = { level: 'warning' as const, message: 'm/l.pt not scanned: symlink', path: 'm/l.pt' };
    const failClosed = { level: 'error' as const, message: 'registry unreachable (fail-closed)' };
    const out = toMarkdown(makeResult({ notifications: [...partly, link, failClosed, failClosed] }), OPTS);
    const notes = out.split('\n').filter((l) => l.startsWith('- '));
    expect(notes).toEqual([
      '- warning: ml/broken/b0.pkl was only partly inspected by pickle \\(the same for 29 more files: ml/broken/b1.pkl, ml/broken/b2.pkl, ml/broken/b3.pkl and 26 more\\)',
      '- warning: m/l.pt not scanned\\: symlink',
      '- error: registry unreachable \\(fail-closed\\)',
    ]);
  });

  it.each([
    { name: 'table pipe', input: 'a|b', want: 'a\\|b' },
    { name: 'html', input: '<img src=x onerror=alert(1)>', want: '\\<img src=x onerror=alert\\(1\\)\\>' },
    { name: 'link', input: '[x](https://evil)', want: '\\[x\\]\\(https\\://evil\\)' },
    { name: 'emphasis and code', input: '*a* _b_ `c`', want: '\\*a\\* \\_b\\_ \\`c\\`' },
    { name: 'mention', input: '@org/team', want: '\\@org/team' },
  ])('escapes $name', ({ input, want }) => {
    expect(escapeMd(input)).toBe(want);
  });

  it('keeps a hostile file name inside its cell and on one line', () => {
    const evil = 'x|y\n## injected\r<script>.pkl';
    const out = toMarkdown(
      makeResult({
        findings: [finding({ ruleId: 'CPI001', level: 'error', message: 'bad', location: { path: evil } })],
      }),
      OPTS,
    );
    expect(out).not.toContain('\n## injected');
    expect(out).not.toContain('<script>');
    const rows = tableRows(out, 'Findings by rule');
    expect(rows[0]).toHaveLength(4);
  });

  it('links files when given a URL maker, and only to https URLs', () => {
    const out = toMarkdown(sampleResult(), {
      ...OPTS,
      fileUrl: (p, line) => `https://github.com/o/r/blob/abc/${p}${line ? `#L${line}` : ''}`,
    });
    expect(out).toContain('](https://github.com/o/r/blob/abc/package-lock.json#L12)');
    const js = toMarkdown(sampleResult(), { ...OPTS, fileUrl: () => 'javascript:alert(1)' });
    expect(js).not.toContain('javascript:');
  });

  it('says "no findings" for a clean scan and warns when the scan was incomplete', () => {
    const clean = toMarkdown(makeResult({ complete: false, shard: { index: 2, count: 3 } }), OPTS);
    expect(clean.split('\n')[0]).toBe('## chainproof: no findings');
    expect(clean).toContain('Incomplete scan');
    expect(clean).toContain('Shard 2 of 3');
    expect(clean).not.toContain('### Findings');
  });

  it('caps rows and total size', () => {
    // A rule each: one rule's findings past a few are already one row.
    const many = Array.from({ length: 5000 }, (_, i) =>
      finding({
        ruleId: `CPZ${i}`,
        level: 'warning',
        message: 'm'.repeat(1000),
        location: { path: `dir${i}/package-lock.json`, line: 1 },
      }),
    );
    const out = toMarkdown(makeResult({ findings: many }), { ...OPTS, maxRows: 50 });
    expect(tableRows(out, 'Findings')).toHaveLength(50);
    expect(out).toContain('…and 4950 more findings');
    const big = toMarkdown(makeResult({ findings: many }), { ...OPTS, maxRows: 100_000 });
    expect(Buffer.byteLength(big)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES + 200);
    expect(big).toContain('summary truncated');
  });
});
