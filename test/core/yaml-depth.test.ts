import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument, YAMLParseError } from 'yaml';
import { MAX_YAML_DEPTH, parseShallowYaml, parseShallowYamlValue, yamlTooDeepAt } from '../../src/core/yaml-depth.js';
import { topLevelString } from '../../src/app/review/yarn-settings.js';
import { parsePnpm } from '../../src/deps/parsers/pnpm.js';
import { parseConfigYaml } from '../../src/trust/config/yaml.js';
import { CORPORA_ROOT, hasCorpora } from '../helpers/corpus.js';

// Hostile nesting, each a few MB at most: before the pre-scan `yaml` spent seconds and hundreds of MB on each
// (superlinear in the depth) before failing with "Maximum call stack size exceeded".
const n = 200_000;
const hostile: [string, string][] = [
  ['flow sequences', 'a: ' + '['.repeat(n) + ']'.repeat(n) + '\n'],
  ['flow mappings', 'a: ' + '{a: '.repeat(n) + '1' + '}'.repeat(n) + '\n'],
  ['compact sequences', "lockfileVersion: '9.0'\npackages:\n" + '- '.repeat(n) + 'x\n'],
  ['compact keys', '? '.repeat(n) + 'x\n'],
  ['indentation', Array.from({ length: 400 }, (_, i) => ' '.repeat(i) + 'k:').join('\n') + '\n'],
  ['anchored flow', 'a: &x ' + '[&y '.repeat(n) + ']'.repeat(n)],
];

describe('yamlTooDeepAt', () => {
  it.each(hostile)('stops at the limit on %s', (_name, text) => {
    const at = yamlTooDeepAt(text);
    expect(at).toBeDefined();
    // Found where the limit is passed, not at the end of the text.
    expect(at!).toBeLessThan(MAX_YAML_DEPTH * 400 + 100);
  });

  it('does not count brackets in plain scalars, quotes, comments or block scalars', () => {
    const deep = '['.repeat(MAX_YAML_DEPTH + 10);
    const text = [
      `plain: a${deep}`,
      `double: "${deep}\\"${deep}"`,
      `single: '${deep}''${deep}'`,
      `# ${deep}`,
      `apostrophe: it's ${deep.replace(/\[/g, 'x')}`,
      'literal: |',
      `  ${deep}`,
      `    "${deep}`,
      `folded: >-`,
      `  '${deep}`,
      'after: [1, [2, {b: 3}]]',
    ].join('\n');
    expect(parseDocument(text).errors).toEqual([]);
    expect(yamlTooDeepAt(text)).toBeUndefined();
  });

  it('counts a quote that hides nothing: `it’s` is text, the brackets after it still count', () => {
    const text = `a: it's\nb: ${'['.repeat(MAX_YAML_DEPTH + 1)}\nc: '`;
    expect(yamlTooDeepAt(text)).toBeDefined();
  });

  it('accepts nesting at the limit and refuses one past it', () => {
    const at = (d: number) => yamlTooDeepAt('a: ' + '['.repeat(d - 1) + ']'.repeat(d - 1));
    expect(at(MAX_YAML_DEPTH)).toBeUndefined();
    expect(at(MAX_YAML_DEPTH + 1)).toBe(3 + MAX_YAML_DEPTH - 1);
  });

  it.runIf(hasCorpora())('refuses none of the YAML in the corpora and fixtures', () => {
    const files = [...yamlFiles(CORPORA_ROOT), ...yamlFiles('fixtures'), ...yamlFiles('.github')];
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect([file, yamlTooDeepAt(readFileSync(file, 'utf8'))]).toEqual([file, undefined]);
  });
});

describe('parseShallowYaml', () => {
  it('gives the callers one error with a line, without parsing', () => {
    const lines = new LineCounter();
    const doc = parseShallowYaml('ok: 1\nb: ' + '['.repeat(n), { lineCounter: lines });
    expect(doc.toJS()).toBeNull();
    expect(doc.errors).toHaveLength(1);
    expect(doc.errors[0]!.code).toBe('RESOURCE_EXHAUSTION');
    expect(doc.errors[0]!.linePos?.[0]).toEqual({ line: 2, col: MAX_YAML_DEPTH + 3 });
    expect(doc.errors[0]!.message).toBe(
      `YAML nests deeper than ${MAX_YAML_DEPTH} levels; not parsed at line 2, column ${MAX_YAML_DEPTH + 3}`,
    );
    expect(lines.linePos(0)).toEqual({ line: 1, col: 1 });
  });

  it('a pnpm lockfile nested past the limit is a lockfile error naming the line', () => {
    const text = "lockfileVersion: '9.0'\npackages:\n" + '- '.repeat(n) + 'x\n';
    let error: unknown;
    try {
      parsePnpm('pnpm-lock.yaml', text);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ file: 'pnpm-lock.yaml', line: 3 });
    expect((error as Error).message).toMatch(/nests deeper than 256 levels; not parsed at line 3, column 511$/);
  });

  it('a policy on one line nested past the limit names line 1', () => {
    const result = parseConfigYaml('{"a":' + '['.repeat(n) + ']'.repeat(n) + '}', { maxBytes: 10e6, what: 'policy' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ line: 1, col: 260, code: 'yaml-syntax' });
  });
});

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('parseShallowYamlValue (the review and ~/.yarnrc.yml readers)', () => {
  it.each(hostile)('throws a YAMLParseError without parsing %s', (_name, text) => {
    let thrown: unknown;
    try {
      parseShallowYamlValue(text, { maxAliasCount: 100 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(YAMLParseError);
    expect((thrown as YAMLParseError).code).toBe('RESOURCE_EXHAUSTION');
  });

  it('reads a shallow document as parse does', () => {
    expect(parseShallowYamlValue('a:\n  - [1, {b: c}]\n', { maxAliasCount: 100 })).toEqual({ a: [[1, { b: 'c' }]] });
  });

  it('a review reads a hostile .yarnrc.yml as it reads one yarn refuses: no setting', () => {
    const deep = 'cacheFolder: x\n' + hostile[0]![1];
    expect(topLevelString(deep, 'cacheFolder')).toBeUndefined();
    expect(topLevelString('cacheFolder: x\n', 'cacheFolder')).toBe('x');
  });
});
