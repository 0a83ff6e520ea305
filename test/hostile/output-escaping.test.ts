import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annotationCommand, escapeData, escapeProperty, withoutCommands } from '../../src/action/commands.js';
import { actionLogger } from '../../src/action/log.js';
import { annotations } from '../../src/action/run.js';
import { elideLongRuns, escapeControl, guardLineStart } from '../../src/core/escape-text.js';
import type { ResolvedFinding } from '../../src/core/finding.js';
import type { ScanResult } from '../../src/core/result.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { toSarif } from '../../src/report/sarif.js';
import { toText } from '../../src/report/text.js';

const ESC = '\u001b';
/** File names a pull request can create (POSIX allows every byte but / and NUL). */
const HOSTILE_NAMES = [
  `${ESC}[2J${ESC}[31mred.pkl`,
  'ok.pkl\r::error::forged',
  'a\n::error file=x::injected.pkl',
  '::error::at-line-start.pkl',
  '::stop-commands::x',
  'bidi\u202eLKP.exe',
  'sep\u2028line.pkl',
  'del\u007f\u009b31m.pkl',
  // Other shapes of the same classes: an OSC title sequence ended by BEL, a lone C1 CSI, a percent-encoded newline
  // the runner would decode inside a command, a command after NEL.
  `${ESC}]0;owned\u0007title.pkl`,
  '\u009b31mcsi.pkl',
  'd%0A::warning::percent.pkl',
  'nel\u0085::notice::x.pkl',
  // The runner trims leading white space before it looks for `::` (ActionCommand.TryParseV2), and reads a legacy
  // `##[command]` anywhere in a line (ActionCommand.TryParse).
  ' \u00a0::error::after-spaces.pkl',
  'mid##[error]legacy.pkl',
];

function resultWith(path: string): ScanResult {
  const finding: ResolvedFinding = {
    ruleId: 'CPI001',
    message: `${path}: calls os.system`,
    location: { path, member: `${path}/data.pkl`, line: 3 },
    level: 'error',
    fingerprint: '0'.repeat(32),
  };
  return {
    findings: [finding],
    suppressed: [],
    files: [],
    skipped: [{ path, reason: 'special-file', detail: `FIFO ${path}` }],
    graphs: [],
    models: [{ path, format: 'pickle', size: 1, digests: {} } as unknown as ScanResult['models'][number]],
    verifications: [],
    notifications: [{ level: 'warning', message: `${path} not scanned`, path }],
    summary: {
      files: 1,
      lockfiles: 0,
      packages: 0,
      models: 1,
      verified: 0,
      failed: 0,
      unverifiable: 0,
      byLevel: { error: 1, warning: 0, note: 0 },
      suppressed: 0,
    },
    policySource: '<default>',
    registryFiles: [],
    complete: true,
  };
}

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const commandLines = (text: string) =>
  text.split('\n').filter((l) => l.trimStart().startsWith('::') || l.includes('##['));

describe('hostile file names in every text output', () => {
  it.each(HOSTILE_NAMES.map((name) => ({ name })))('text output of $name', ({ name }) => {
    for (const color of [false, true]) {
      const text = toText(resultWith(name), { color });
      const stripped = color
        ? text
            .split(`${ESC}[`)
            .map((part, i) => (i === 0 ? part : part.replace(/^\d+m/, '')))
            .join('')
        : text;
      expect(stripped).not.toMatch(RAW_CONTROL);
      expect(stripped).not.toContain('\r');
      expect(commandLines(stripped)).toEqual([]);
    }
  });

  it.each(HOSTILE_NAMES.map((name) => ({ name })))('annotations of $name', ({ name }) => {
    for (const line of annotations(resultWith(name), 10, (p) => p)) {
      expect(line).not.toMatch(RAW_CONTROL);
      expect(line).not.toMatch(/[\r\n]/);
      // the properties part cannot be ended early: file=… holds no raw ':' or ','
      const props = line.slice(line.indexOf(' ') + 1, line.indexOf('::', 2));
      expect(props.split(',').map((p) => p.split('=')[0])).toEqual(['title', 'file', 'line']);
    }
  });

  it.each(HOSTILE_NAMES.map((name) => ({ name })))('SARIF messages of $name', ({ name }) => {
    const sarif = toSarif(resultWith(name), { toolVersion: '0.0.0' });
    const texts = JSON.stringify(sarif.runs.map((r) => [r.results, r.invocations]));
    expect(JSON.parse(texts) as unknown).toBeDefined();
    for (const r of sarif.runs[0]!.results ?? []) expect(r.message.text).not.toMatch(RAW_CONTROL);
  });

  it.each(HOSTILE_NAMES.map((name) => ({ name })))('markdown summary of $name', ({ name }) => {
    const md = toMarkdown(resultWith(name), { toolVersion: '0.0.0' });
    expect(md).not.toMatch(RAW_CONTROL);
    expect(md).not.toContain('\r');
    expect(commandLines(md)).toEqual([]);
  });

  it('annotations keep a percent-encoded newline literal (%25), so the runner cannot decode it into a new line', () => {
    const lines = annotations(resultWith('d%0A::warning::percent.pkl'), 10, (p) => p);
    expect(lines.join('\n')).not.toContain('%0A::');
    expect(lines.join('\n')).toContain('%250A');
  });

  it('the Action logger never writes a second line or a command for one message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (m) => {
        let out = '';
        actionLogger((t) => (out += t)).info(m);
        expect(out.endsWith('\n')).toBe(true);
        expect(out.slice(0, -1)).not.toMatch(/[\r\n]/);
        expect(out.trimStart().startsWith('::')).toBe(false);
        expect(out).not.toContain('##[');
      }),
    );
  });

  it('workflow-command escapes match @actions/core', () => {
    expect(escapeData('50%\r\n')).toBe('50%25%0D%0A');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
    expect(escapeData(`${ESC}[31m`)).toBe('\\x1b[31m');
    expect(annotationCommand({ level: 'error', message: 'm', file: 'a,b:c' })).toBe('::error file=a%2Cb%3Ac::m');
    expect(withoutCommands('::error::x\n', 'tok')).toBe('::stop-commands::tok\n::error::x\n::tok::\n');
  });

  it('escapeControl leaves printable text alone and escapes every control character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const e = escapeControl(s);
        expect(e).not.toMatch(RAW_CONTROL);
        expect(e).not.toMatch(/[\t\r\n]/);
        if (!RAW_CONTROL.test(s) && !/[\t\r\n]/.test(s)) expect(e).toBe(s);
      }),
    );
    expect(guardLineStart('::x')).toBe('\\x3a:x');
    expect(guardLineStart(' \t::x')).toBe(' \t\\x3a:x');
    expect(guardLineStart('a::x')).toBe('a::x');
    expect(guardLineStart('a ##[error]x')).toBe('a #\\x23[error]x');
  });
});

describe('a megabyte-long scanned string in a message', () => {
  // A lockfile URL of 100,000 `?` and `/` reached a message whole: 400 KB of text output for one finding.
  const long = `https://evil.example/x.tgz${'?'.repeat(100_000)}token`;
  const base = resultWith('package-lock.json');
  const result: ScanResult = {
    ...base,
    findings: [{ ...base.findings[0]!, message: `installs it from ${long} instead` }],
  };

  it('is shortened in text, Markdown and SARIF, saying how much was left out; JSON keeps it whole', () => {
    for (const out of [
      toText(result, { color: false }),
      toMarkdown(result, { toolVersion: '0.0.0' }),
      JSON.stringify(toSarif(result, { toolVersion: '0.0.0' })),
    ]) {
      expect(out).not.toContain('?'.repeat(1000));
    }
    expect(toText(result, { color: false }).length).toBeLessThan(2_000);
    expect(toText(result, { color: false })).toMatch(/…\(\d+ characters left out\)….* instead/);
    expect(JSON.stringify(result)).toContain(long);
  });

  // Spaces end a run: a pickle GLOBAL naming a module of a thousand words put 200 kB in each message.
  it('shortens a text of a hundred thousand short words too, in text and SARIF; JSON keeps it whole', () => {
    const words = Array.from({ length: 100_000 }, (_, i) => `w${i}`).join(' ');
    const wordy: ScanResult = { ...base, findings: [{ ...base.findings[0]!, message: `imports \`${words}\`` }] };
    const sarif = toSarif(wordy, { toolVersion: '0.0.0' }).runs[0]!.results![0]!.message.text!;
    for (const out of [elideLongRuns(words), toText(wordy, { color: false }), sarif]) {
      expect(out.length).toBeLessThan(3_000);
      expect(out).toMatch(/w0 w1 w2 .*…\(\d+ characters left out\)….* w99999/s);
    }
    expect(JSON.stringify(wordy)).toContain(words);
  });

  it('keeps short words as they are and counts what it leaves out', () => {
    expect(elideLongRuns('a short message')).toBe('a short message');
    const run = 'x'.repeat(1000);
    const shown = elideLongRuns(`before ${run} after`);
    expect(shown).toBe(`before ${'x'.repeat(160)}…(780 characters left out)…${'x'.repeat(60)} after`);
    // Never half a surrogate pair at a cut.
    const emoji = '😀'.repeat(300);
    expect(elideLongRuns(emoji)).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });
});
