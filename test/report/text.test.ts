import { describe, expect, it } from 'vitest';
import { reportChunks } from '../../src/report/reporters.js';
import { textChunks, toText } from '../../src/report/text.js';
import { packageArtifact } from '../../src/core/finding.js';
import { groupSystemic } from '../../src/deps/checks/systemic.js';
import { finding, makeResult, sampleResult } from '../action/helpers.js';

function manyFindings(n: number) {
  return makeResult({
    findings: Array.from({ length: n }, (_, i) =>
      finding({
        ruleId: 'CPD002',
        level: 'error',
        message: `p${i}@1.0.0 has no integrity hash.`,
        location: { path: `lock${i % 3}/package-lock.json`, line: i + 2 },
      }),
    ),
  });
}

describe('text reporter', () => {
  it.each([
    { name: 'sample', result: sampleResult(), verbose: false },
    { name: 'sample, verbose', result: sampleResult(), verbose: true },
    { name: 'empty', result: makeResult(), verbose: false },
    { name: 'many findings over several files', result: manyFindings(1000), verbose: false },
  ])('streams the same text in whole lines: $name', ({ result, verbose }) => {
    const opts = { color: false, verbose };
    const pieces = [...reportChunks(result, 'text', { toolVersion: '0', ...opts })];
    expect(pieces.join('')).toBe(toText(result, opts));
    for (const p of pieces) expect(p.endsWith('\n')).toBe(true);
    if (result.findings.length >= 1000) expect(pieces.length).toBeGreaterThan(3);
  });

  it('--verbose lists a cause reaching 150k places without overflowing the call stack', () => {
    const related = Array.from({ length: 150_000 }, (_, i) => ({ path: 'package-lock.json', line: i + 1 }));
    const result = makeResult({
      findings: [
        finding({
          ruleId: 'CPS010',
          level: 'warning',
          message: 'registry unreachable',
          location: { path: 'package-lock.json' },
          related,
        }),
      ],
    });
    const text = [...textChunks(result, { color: false, verbose: true })].join('');
    expect(text.split('\n').filter((l) => l.startsWith('         package-lock.json:'))).toHaveLength(150_000);
  });

  it('--verbose shows control characters in related paths and package names, never sends them to the terminal', () => {
    // A lockfile in a folder named with an OSC 8 hyperlink, a package named with a colour escape and a CR.
    const folder = 'x\u001b]8;;https://evil.example\u0007y';
    const result = makeResult({
      findings: [
        finding({
          ruleId: 'CPS010',
          level: 'warning',
          message: 'registry unreachable',
          location: { path: 'package-lock.json' },
          related: [
            { path: 'package-lock.json', line: 2 },
            { path: `${folder}/package-lock.json`, line: 7 },
          ],
          evidence: { count: 2, packages: 'ok@1.0.0 \u001b[2Jwipe\r@1.0.0' },
        }),
      ],
    });
    for (const color of [false, true]) {
      const text = toText(result, { color, verbose: true });
      // eslint-disable-next-line no-control-regex -- our own colour codes, taken out to look at the rest
      const raw = color ? text.replace(/\u001b\[\d+m/g, '') : text;
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      expect(raw).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      expect(raw).toContain('x\\x1b]8;;https://evil.example\\x07y/package-lock.json:7  \\x1b[2Jwipe\\x0d@1.0.0');
    }
  });

  it('--verbose names each place of a lockfile group after the package there', () => {
    // 51 packages: the group's evidence names 50 and its `related` holds the 50 places after the first, so pairing by
    // position named line 6 after the package on line 2.
    const members = Array.from({ length: 51 }, (_, i) => ({
      ruleId: 'CPD002',
      message: `p${i}@1.0.0 has no integrity hash.`,
      location: { path: 'package-lock.json', line: 4 * i + 2 },
      artifact: packageArtifact('npm', `p${i}`, '1.0.0'),
    }));
    const [group] = groupSystemic(members, { lockfile: 'package-lock.json' });
    const result = makeResult({ findings: [finding({ ...group!, level: 'error' })] });
    const lines = toText(result, { color: false, verbose: true }).split('\n');
    expect(lines).toContain('         package-lock.json:6  p1@1.0.0');
    expect(lines).toContain('         package-lock.json:202  p50@1.0.0');
  });

  it('counts the models the code loads by name beside the model files, and how many are pinned', () => {
    const ref = (revisionKind: 'commit' | 'ref' | 'none') => ({
      path: 'train.py',
      line: 1,
      column: 1,
      via: 'AutoModel.from_pretrained',
      hub: 'huggingface' as const,
      repoId: 'org/a',
      revisionKind,
      runsRemoteCode: false,
    });
    const summary = (result: ReturnType<typeof makeResult>) =>
      toText(result, { color: false })
        .split('\n')
        .find((l) => l.startsWith('  files '));
    expect(summary({ ...makeResult(), references: [ref('commit'), ref('ref'), ref('none')] })).toBe(
      '  files 10, lockfiles 0, packages 0, model files 0, model references 3 (1 pinned to a commit or digest)',
    );
    // No refs stage (--no-refs): nothing said about references.
    expect(summary(makeResult())).toBe('  files 10, lockfiles 0, packages 0, model files 0');
  });

  it('ends a long report with a digest by rule, errors first, with the files holding most of each', () => {
    const flood = manyFindings(1000);
    const result = makeResult({
      findings: [
        ...flood.findings,
        finding({ ruleId: 'CPM001', level: 'note', message: 'unknown', location: { path: 'm.pt' } }),
      ],
    });
    const text = toText(result, { color: false });
    const digest = text.slice(text.indexOf('Findings by rule\n'), text.indexOf('Summary\n')).split('\n');
    expect(digest.slice(0, 3)).toEqual([
      'Findings by rule',
      '  error   CPD002 MissingIntegrity: 1000 in 3 files (lock0/package-lock.json 334, lock1/package-lock.json 333, …)',
      '  note    CPM001 UnknownModel: 1 in 1 file (m.pt 1)',
    ]);
    // A short report has none: every finding is on screen already.
    expect(toText(sampleResult(), { color: false })).not.toContain('Findings by rule');
  });

  it('lists the first 20 files not scanned, the rest on ask, and a path past the system limit by its ends', () => {
    const long = `${'d/'.repeat(1500)}model.pkl`;
    const skipped = [
      { path: long, reason: 'path-too-long' as const, detail: 'ENAMETOOLONG' },
      ...Array.from({ length: 59 }, (_, i) => ({
        path: `links/l${String(i).padStart(2, '0')}.pkl`,
        reason: 'symlink-outside-root' as const,
        detail: 'target outside root',
      })),
    ];
    const result = makeResult({ skipped });
    const section = (verbose: boolean) => {
      const text = toText(result, { color: false, verbose });
      return text.slice(text.indexOf('Not scanned'), text.indexOf('Summary')).trimEnd().split('\n');
    };
    const brief = section(false);
    expect(brief.length).toBe(1 + 20 + 1);
    expect(brief.at(-1)).toBe('  … and 40 more (--verbose or -f json lists every one)');
    expect(brief.every((l) => l.length < 300)).toBe(true);
    expect(brief.some((l) => l.includes('…') && l.includes('/model.pkl  path-too-long'))).toBe(true);
    expect(section(true).length).toBe(1 + 60);
  });
});
