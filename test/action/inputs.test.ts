import { describe, expect, it } from 'vitest';
import { ChainproofError } from '../../src/core/errors.js';
import { getBooleanInput, inputVariable, parseFormats, readInputs, splitList } from '../../src/action/inputs.js';

function usageError(fn: () => unknown): ChainproofError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ChainproofError);
    expect((err as ChainproofError).code).toBe('USAGE');
    return err as ChainproofError;
  }
  throw new Error('expected a usage error');
}

describe('action inputs', () => {
  it.each([
    { name: 'plain', input: 'path', want: 'INPUT_PATH' },
    { name: 'hyphens kept', input: 'fail-on', want: 'INPUT_FAIL-ON' },
    { name: 'spaces become underscores', input: 'cache directory', want: 'INPUT_CACHE_DIRECTORY' },
    { name: 'mixed case', input: 'Sarif-File', want: 'INPUT_SARIF-FILE' },
  ])('variable name: $name', ({ input, want }) => {
    expect(inputVariable(input)).toBe(want);
  });

  it('defaults when nothing is set (as the runner passes action.yml defaults, or nothing)', () => {
    const i = readInputs({});
    expect(i).toMatchObject({
      path: '.',
      failOn: 'error',
      offline: false,
      verifyTarballs: false,
      sarifFile: 'chainproof.sarif',
      jobSummary: true,
      annotations: true,
      maxAnnotations: 50,
    });
    expect(i.reports).toEqual([{ format: 'sarif', file: 'chainproof.sarif' }]);
    expect(i.shard).toBeUndefined();
    expect(i.cacheDirectory).toBeUndefined();
  });

  it('reads every input by its runner name', () => {
    const i = readInputs({
      INPUT_PATH: ' services/api ',
      INPUT_POLICY: 'policies/strict.yml',
      INPUT_REGISTRY: 'a.yml\nb.json, c.yml',
      'INPUT_NPM-REGISTRY': 'https://npm.example.com/',
      INPUT_FORMATS: 'json\ncyclonedx=out/bom.json',
      'INPUT_SARIF-FILE': 'out/c.sarif',
      'INPUT_FAIL-ON': 'warning',
      INPUT_OFFLINE: 'TRUE',
      'INPUT_VERIFY-TARBALLS': 'True',
      INPUT_SHARD: '2/4',
      'INPUT_CACHE-DIRECTORY': '/cache',
      INPUT_BASELINE: 'prev.sarif',
      INPUT_CATEGORY: 'deps',
      INPUT_INCLUDE: 'models/**',
      INPUT_EXCLUDE: 'test/**,docs/**',
      'INPUT_JOB-SUMMARY': 'false',
      INPUT_ANNOTATIONS: 'false',
      'INPUT_MAX-ANNOTATIONS': '7',
    });
    expect(i).toEqual({
      path: 'services/api',
      policy: 'policies/strict.yml',
      registry: ['a.yml', 'b.json', 'c.yml'],
      npmRegistry: 'https://npm.example.com/',
      reports: [
        { format: 'sarif', file: 'out/c.sarif' },
        { format: 'json', file: 'chainproof.json' },
        { format: 'cyclonedx', file: 'out/bom.json' },
      ],
      sarifFile: 'out/c.sarif',
      failOn: 'warning',
      offline: true,
      verifyTarballs: true,
      shard: { index: 2, count: 4 },
      cacheDirectory: '/cache',
      baseline: 'prev.sarif',
      category: 'deps',
      include: ['models/**'],
      exclude: ['test/**', 'docs/**'],
      jobSummary: false,
      annotations: false,
      maxAnnotations: 7,
    });
  });

  it.each([
    { name: 'fail-on', env: { 'INPUT_FAIL-ON': 'critical' }, want: /fail-on/ },
    { name: 'boolean', env: { INPUT_OFFLINE: 'yes' }, want: /offline must be true or false/ },
    { name: 'shard out of range', env: { INPUT_SHARD: '0/3' }, want: /shard/ },
    { name: 'shard not i/n', env: { INPUT_SHARD: 'two' }, want: /shard/ },
    { name: 'max-annotations', env: { 'INPUT_MAX-ANNOTATIONS': '-1' }, want: /max-annotations/ },
    { name: 'format', env: { INPUT_FORMATS: 'html' }, want: /unknown format "html"/ },
    { name: 'format twice', env: { INPUT_FORMATS: 'json,json=x.json' }, want: /twice/ },
    { name: 'format with empty file', env: { INPUT_FORMATS: 'json=' }, want: /names no file/ },
    {
      name: 'report over the SARIF file',
      env: { INPUT_FORMATS: 'json=chainproof.sarif' },
      want: /json would be written to chainproof\.sarif, the file of the sarif-file input/,
    },
    {
      name: 'two reports to one file',
      env: { INPUT_FORMATS: 'json=out/r.json, cyclonedx=./out//r.json' },
      want: /cyclonedx would be written to .*the file of the json report/,
    },
    {
      name: 'npm-registry',
      env: { 'INPUT_NPM-REGISTRY': 'registry.example.com' },
      want: /^input npm-registry: expected/,
    },
    { name: 'npm-registry scheme', env: { 'INPUT_NPM-REGISTRY': 'file:///etc/' }, want: /input npm-registry/ },
    { name: 'gate without review-base', env: { INPUT_GATE: 'patch' }, want: /input gate needs review-base/ },
    { name: 'multi-line category', env: { INPUT_CATEGORY: 'deps\nmodels' }, want: /input category must be one line/ },
    { name: 'multi-line sarif-file', env: { 'INPUT_SARIF-FILE': 'a.sarif\r\nb' }, want: /input sarif-file/ },
    { name: 'multi-line path', env: { INPUT_PATH: 'app\nlib' }, want: /input path must be one line/ },
  ])('rejects a bad $name naming the input', ({ env, want }) => {
    expect(usageError(() => readInputs(env)).message).toMatch(want);
  });

  it('never shows the credentials of a rejected npm-registry', () => {
    const err = usageError(() => readInputs({ 'INPUT_NPM-REGISTRY': 'ht!tp://ci:npm_s3cretTok@host/' }));
    expect(err.message).toMatch(/^input npm-registry:/);
    expect(err.message).not.toContain('s3cret');
  });

  it('a gate with review-base, and a trailing newline of a YAML block, are fine', () => {
    const i = readInputs({ INPUT_GATE: 'minor', 'INPUT_REVIEW-BASE': 'abc1234', INPUT_CATEGORY: 'deps\n' });
    expect([i.gate, i.reviewBase, i.category]).toEqual(['minor', 'abc1234', 'deps']);
  });

  it('sarif in formats is accepted and goes to sarif-file', () => {
    expect(parseFormats(['sarif', 'markdown'], 'x.sarif')).toEqual([
      { format: 'sarif', file: 'x.sarif' },
      { format: 'markdown', file: 'chainproof.md' },
    ]);
    expect(usageError(() => parseFormats(['sarif=y.sarif'], 'x.sarif')).message).toMatch(/sarif-file/);
  });

  it('keeps a glob brace alternation and class whole: commas there are not list separators', () => {
    const i = readInputs({
      INPUT_INCLUDE: '**/*.{pt,bin,pkl}, models/[a,b]*.onnx\nlib/**',
      INPUT_EXCLUDE: 'vendor/{x,y}/**',
    });
    expect(i.include).toEqual(['**/*.{pt,bin,pkl}', 'models/[a,b]*.onnx', 'lib/**']);
    expect(i.exclude).toEqual(['vendor/{x,y}/**']);
  });

  it.each([
    { raw: 'a{,b.yml, c.yml', want: ['a{', 'b.yml', ' c.yml'] },
    { raw: 'a\\,b, c', want: ['a\\,b', ' c'] },
    { raw: 'x}, y', want: ['x}', ' y'] },
    { raw: '{a,\nb}', want: ['{a', '', 'b}'] },
  ])('splitList $raw: an unclosed group or escaped comma', ({ raw, want }) => {
    expect(splitList(raw)).toEqual(want);
  });

  it('accepts fail-on, gate and format names in any case, as workflows copy them from the UI', () => {
    const i = readInputs({
      'INPUT_FAIL-ON': ' ERROR ',
      INPUT_GATE: 'Patch',
      'INPUT_REVIEW-BASE': 'abc1234',
      INPUT_FORMATS: 'JSON, Markdown=out/r.md',
    });
    expect([i.failOn, i.gate]).toEqual(['error', 'patch']);
    expect(i.reports.map((r) => r.format)).toEqual(['sarif', 'json', 'markdown']);
    expect(readInputs({ 'INPUT_FAIL-ON': 'Warning' }).failOn).toBe('warning');
  });

  it('refuses a CycloneDX report in review mode, as chainproof review does', () => {
    const env = { 'INPUT_REVIEW-BASE': 'abc1234', INPUT_FORMATS: 'json, cyclonedx' };
    expect(usageError(() => readInputs(env)).message).toMatch(/review mode .* not cyclonedx/);
    expect(readInputs({ INPUT_FORMATS: 'cyclonedx' }).reports[1]?.format).toBe('cyclonedx');
  });

  it.each(['true', 'True', 'TRUE', 'false', 'False', 'FALSE'])('boolean %s is YAML 1.2 core', (v) => {
    expect(getBooleanInput({ INPUT_X: v }, 'x', !v.toLowerCase().startsWith('t'))).toBe(v.toLowerCase() === 'true');
  });
});
