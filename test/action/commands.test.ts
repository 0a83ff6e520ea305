import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  annotationCommand,
  escapeData,
  escapeProperty,
  fileCommandEntry,
  withoutCommands,
  writeOutputs,
} from '../../src/action/commands.js';
import { actionLogger, redactor } from '../../src/action/log.js';
import { rebaseSarif } from '../../src/action/rebase.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { toSarif } from '../../src/report/sarif.js';
import { finding, makeResult, sampleResult } from './helpers.js';
import { parseAnnotations, parseOutputFile } from './run-dist.js';

describe('workflow commands', () => {
  it.each([
    { name: 'percent first', input: '100%', data: '100%25', prop: '100%25' },
    { name: 'newlines', input: 'a\r\nb', data: 'a%0D%0Ab', prop: 'a%0D%0Ab' },
    { name: 'colon and comma only in properties', input: 'a:b,c', data: 'a:b,c', prop: 'a%3Ab%2Cc' },
    { name: 'already-encoded text stays literal', input: '%0A', data: '%250A', prop: '%250A' },
  ])('escape $name', ({ input, data, prop }) => {
    expect(escapeData(input)).toBe(data);
    expect(escapeProperty(input)).toBe(prop);
  });

  it('an annotation carries file, line, col and title, escaped', () => {
    const line = annotationCommand({
      level: 'error',
      title: 'CPD002 MissingIntegrity',
      file: 'app/a,b:c.json',
      line: 12,
      col: 3,
      message: 'bad\n::warning::injected',
    });
    expect(line).toBe(
      '::error title=CPD002 MissingIntegrity,file=app/a%2Cb%3Ac.json,line=12,col=3::bad%0A::warning::injected',
    );
    expect(line.split('\n')).toHaveLength(1);
    expect(parseAnnotations(line)).toEqual([
      {
        level: 'error',
        props: { title: 'CPD002 MissingIntegrity', file: 'app/a,b:c.json', line: '12', col: '3' },
        message: 'bad\n::warning::injected',
      },
    ]);
  });

  it('an annotation without a place has no properties', () => {
    expect(annotationCommand({ level: 'notice', message: 'm' })).toBe('::notice::m');
  });

  it('GITHUB_OUTPUT entries use a heredoc delimiter a value cannot contain', async () => {
    expect(fileCommandEntry('n', 'a\nb', 'EOF1')).toBe('n<<EOF1\na\nb\nEOF1\n');
    expect(() => fileCommandEntry('n', 'x\nEOF1\ninjected=1', 'EOF1')).toThrow(/delimiter/);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cp-out-')), 'out');
    await writeOutputs(file, { one: '1', multi: 'x\ny', evil: 'v\ninjected=1' });
    await writeOutputs(file, { two: '2' });
    expect(parseOutputFile(readFileSync(file, 'utf8'))).toEqual({
      one: '1',
      multi: 'x\ny',
      evil: 'v\ninjected=1',
      two: '2',
    });
  });

  it('scanned text is printed with commands stopped', () => {
    const out = withoutCommands('::error::from a file name\n', 'tok');
    expect(out).toBe('::stop-commands::tok\n::error::from a file name\n::tok::\n');
    expect(parseAnnotations(out)).toEqual([]);
  });

  it('the logger keeps plain lines plain and escapes warnings', () => {
    const lines: string[] = [];
    const log = actionLogger((t) => lines.push(t));
    log.info('::error::x');
    log.warn('w\nx');
    log.debug('d');
    expect(lines).toEqual(['\\x3a:error::x\n', '::warning::w%0Ax\n', '::debug::d\n']);
  });

  it('redacts secret-looking environment values everywhere', () => {
    const redact = redactor({
      NPM_TOKEN: 'npm_abcdef123456',
      NODE_AUTH_TOKEN: 'xyz',
      HOME: '/home/runner',
      MY_PASSWORD: 'hunter22',
    });
    expect(redact('token npm_abcdef123456 and hunter22 at /home/runner, xyz')).toBe(
      'token *** and *** at /home/runner, xyz',
    );
  });

  it('redacts secrets in the job summary, where Markdown escaping changed their spelling', () => {
    const token = 'npm_Ab1-cd2:ef3';
    const summary = toMarkdown(
      makeResult({
        findings: [
          finding({
            ruleId: 'CPD002',
            level: 'error',
            message: `resolved from https://registry.example.com/${token}/lodash.tgz`,
            location: { path: `models/${token}.pkl` },
          }),
        ],
      }),
      { toolVersion: '0' },
    );
    expect(summary).toContain('npm\\_Ab1-cd2\\:ef3');
    const redacted = redactor({ NPM_TOKEN: token })(summary);
    expect(redacted).not.toContain('Ab1-cd2');
    expect(redacted).toContain('models/***.pkl');
  });

  it('rebases SARIF URIs onto the scanned folder', () => {
    const log = toSarif(sampleResult(), { toolVersion: '0' });
    const rebased = rebaseSarif(log, 'sub dir/app');
    const uris = rebased.runs[0]!.results!.map((r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri);
    expect(uris.every((u) => u!.startsWith('sub%20dir/app/'))).toBe(true);
    expect(rebaseSarif(log, '')).toBe(log);
    expect(log.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri).not.toMatch(/^sub/);
  });
});
