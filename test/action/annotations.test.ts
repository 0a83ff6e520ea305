import { describe, expect, it } from 'vitest';
import { ANNOTATIONS_PER_KIND, annotations } from '../../src/action/run.js';
import type { Level } from '../../src/core/finding.js';
import { finding, makeResult } from './helpers.js';
import { parseAnnotations } from './run-dist.js';

/** `n` findings of each level, one per line of one lockfile. */
function findings(counts: Record<Level, number>) {
  return makeResult({
    findings: (['error', 'warning', 'note'] as const).flatMap((level) =>
      Array.from({ length: counts[level] }, (_, i) =>
        finding({
          ruleId: 'CPD002',
          level,
          message: `${level} ${i}`,
          location: { path: 'package-lock.json', line: i + 1 },
          artifact: { kind: 'package', ecosystem: 'npm', name: `${level}${i}`, version: '1.0.0' },
        }),
      ),
    ),
  });
}

const kinds = (lines: string[]) => {
  const found = parseAnnotations(lines.join('\n') + '\n');
  const count = (k: string, title?: boolean) =>
    found.filter((a) => a.level === k && (title === undefined || (a.props['title'] === 'chainproof') === title)).length;
  return {
    error: count('error'),
    warning: count('warning'),
    notice: count('notice', false),
    more: found.filter((a) => a.props['title'] === 'chainproof'),
  };
};

describe('annotations GitHub shows', () => {
  it('masks URL credentials a finding quotes, as every report does', () => {
    // A repository .npmrc `@acme:registry=https://u:pw@host/` line, quoted by CPD134.
    const result = makeResult({
      findings: [
        finding({
          ruleId: 'CPD134',
          level: 'error',
          message: '.npmrc:2 sets @acme:registry to https://u:pw_Leak999999@npm.acme.example/?token=tok_Leak8888',
          location: { path: '.npmrc', line: 2 },
          artifact: { kind: 'file', path: '.npmrc' },
        }),
      ],
    });
    const text = annotations(result, 50, (p) => `app/${p}`).join('\n');
    expect(text).not.toMatch(/pw_Leak|tok_Leak/);
    expect(parseAnnotations(text + '\n')[0]!.message).toContain('https://***@npm.acme.example/');
  });

  // The runner drops line and endLine both when endLine < line (ActionCommandManager.cs ValidateLinesAndColumns).
  it.each([
    { name: 'a line of 0', location: { line: 0, column: 4 }, want: {} },
    {
      name: 'an end line before the line',
      location: { line: 9, endLine: 3, column: 2 },
      want: { line: '9', col: '2' },
    },
    { name: 'a column of 0', location: { line: 9, endLine: 11, column: 0 }, want: { line: '9', endLine: '11' } },
    {
      name: 'a whole place',
      location: { line: 9, endLine: 9, column: 2 },
      want: { line: '9', endLine: '9', col: '2' },
    },
  ])('places a finding with $name where the runner keeps it, as the SARIF region does', ({ location, want }) => {
    const result = makeResult({
      findings: [
        finding({ ruleId: 'CPD010', level: 'error', message: 'x', location: { path: 'a.json', ...location } }),
      ],
    });
    const [a] = parseAnnotations(annotations(result, 50, (p) => p).join('\n') + '\n');
    const { line, endLine, col } = a!.props;
    expect(Object.fromEntries(Object.entries({ line, endLine, col }).filter(([, v]) => v !== undefined))).toEqual(want);
    expect(a!.props['file']).toBe('a.json');
  });

  it('stays within GitHub\'s per-step limit of each kind, leaving room for the verdict error and the "more" notice', () => {
    const lines = annotations(findings({ error: 30, warning: 30, note: 30 }), 50, (p) => p);
    const k = kinds(lines);
    // The eleventh error annotation of a step is dropped by GitHub, and with it the step's own verdict.
    expect(k.error).toBe(ANNOTATIONS_PER_KIND - 1);
    expect(k.warning).toBe(ANNOTATIONS_PER_KIND);
    expect(k.notice).toBe(ANNOTATIONS_PER_KIND - 1);
    expect(k.more).toHaveLength(1);
    expect(k.more[0]!.level).toBe('notice');
    expect(k.more[0]!.message).toMatch(/^62 more findings are not annotated/);
  });

  it('max-annotations still caps the total, the most severe first', () => {
    const k = kinds(annotations(findings({ error: 3, warning: 30, note: 0 }), 5, (p) => p));
    expect([k.error, k.warning, k.notice]).toEqual([3, 2, 0]);
    expect(k.more[0]!.message).toMatch(/^28 more findings are not annotated/);
  });

  it('gives every rule of a level a slot before any rule a second: a flood of one rule hides no other', () => {
    // As a repository with a vendored joblib test-data folder: 40 pickles with the same unknown global sort before
    // the lockfile whose install-script warnings come after them.
    const pickles = Array.from({ length: 40 }, (_, i) =>
      finding({
        ruleId: 'CPI002',
        level: 'warning',
        message: `pickle ${i}`,
        location: { path: `a/test/data/p${String(i).padStart(2, '0')}.pkl` },
      }),
    );
    const scripts = [7087, 19057, 22367].map((line) =>
      finding({
        ruleId: 'CPD012',
        level: 'warning',
        message: `scripts ${line}`,
        location: { path: 'web/npm-shrinkwrap.json', line },
      }),
    );
    const found = parseAnnotations(
      annotations(makeResult({ findings: [...pickles, ...scripts] }), 50, (p) => p).join('\n') + '\n',
    );
    const warnings = found.filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(ANNOTATIONS_PER_KIND);
    expect(warnings.filter((a) => a.props['title']!.startsWith('CPD012'))).toHaveLength(3);
    // Still in the report's order: by file.
    const files = warnings.map((a) => a.props['file']!);
    expect(files).toEqual([...files].sort());
  });

  it('a few findings are all annotated, with no "more" notice', () => {
    const k = kinds(annotations(findings({ error: 2, warning: 1, note: 9 }), 50, (p) => p));
    expect([k.error, k.warning, k.notice, k.more.length]).toEqual([2, 1, 9, 0]);
  });
});
