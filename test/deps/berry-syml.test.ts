import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSyml } from '@yarnpkg/parsers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBerrySyml, readRegular } from '../../src/deps/parsers/berry-syml.js';
import { CORPORA_ROOT, hasCorpora } from '../helpers/corpus.js';
import { REPO } from '../helpers/cli.js';

/** Every berry lockfile (a `yarn.lock`-like file with `__metadata:`) under `dir`. */
function berryFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.lock$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => /^__metadata:/m.test(readFileSync(f, 'utf8')))
    .sort();
}

const FILES = [
  ...(hasCorpora() ? berryFiles(path.join(CORPORA_ROOT, 'lockfiles')) : []),
  // A repeated key leaves the fast path on purpose (the 'duplicate key' case below): that fixture goes to parseSyml.
  ...berryFiles(path.join(REPO, 'fixtures')).filter((f) => !f.includes(`${path.sep}dup-key.berry${path.sep}`)),
];

describe('berry lockfiles read in one pass equal parseSyml', () => {
  it('finds the corpus and fixture berry lockfiles', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(hasCorpora() ? 3 : 1);
  });

  it.each(FILES.map((f) => ({ name: path.relative(path.dirname(REPO), f), f })))('$name', ({ f }) => {
    const text = readFileSync(f, 'utf8');
    const regular = readRegular(text);
    expect(regular).toBeDefined(); // the fast path took it: the comparison below is not parseSyml against itself
    expect(regular).toEqual(parseSyml(text));
  });
});

const META = '__metadata:\n  version: 8\n  cacheKey: 10\n\n';

describe('regular shapes', () => {
  it.each([
    {
      name: 'quoted key, nested block, plain and quoted values',
      text: `${META}"a@npm:^1.0.0, a@npm:^1.1":\n  version: 1.2.0\n  resolution: "a@npm:1.2.0"\n  dependencies:\n    b: "npm:^2"\n    "@s/c": "npm:1 || 2"\n  linkType: hard\n`,
    },
    {
      name: 'comments anywhere, no final newline',
      text: `# header\n\n${META}  # indented comment\n"x@npm:1":\n  version: 1\n  languageName: node`,
    },
    {
      name: 'plain scalars that look typed stay strings',
      text: `${META}k:\n  a: true\n  b: null\n  c: 0x10\n  d: ~\n  e: 1e3\n`,
    },
    { name: 'JSON escapes in quotes', text: `${META}"q\\"k":\n  v: "tab\\there \\u00e9 \\/"\n` },
    { name: 'dedent by two levels', text: `${META}a:\n  b:\n    c:\n      d: 1\n  e: 2\nf:\n  g: 3\n` },
  ])('$name', ({ text }) => {
    expect(readRegular(text)).toBeDefined();
    expect(readRegular(text)).toEqual(parseSyml(text));
  });
});

describe('anything else goes to parseSyml (same result, same error)', () => {
  it.each([
    { name: 'yarn 1 header', text: `# yarn lockfile v1\n\n${META}` },
    { name: 'empty', text: '' },
    { name: 'key with nothing under it', text: `${META}a:\nb: 1\n` },
    { name: 'odd indentation', text: `${META}a:\n   b: 1\n` },
    { name: 'over-indented block', text: `${META}a:\n    b: 1\n` },
    { name: 'multi-line plain scalar', text: `${META}a:\n  b: one\n    two\n` },
    { name: 'duplicate key', text: `${META}a:\n  b: 1\n  b: 2\n` },
    { name: 'flow mapping', text: `${META}a: {b: 1}\n` },
    { name: 'sequence', text: `${META}a:\n  - b\n` },
    { name: 'anchor and alias', text: `${META}a: &x 1\nb: *x\n` },
    { name: 'single quotes', text: `${META}a: 'b''c'\n` },
    { name: 'YAML-only escape', text: `${META}a: "\\x41"\n` },
    { name: 'quoted value then comment', text: `${META}a: "b" # c\n` },
    { name: 'plain value with comment', text: `${META}a: b # c\n` },
    { name: 'tab', text: `${META}a:\n\tb: 1\n` },
    { name: 'CRLF', text: META.replaceAll('\n', '\r\n') },
    { name: 'trailing space', text: `${META}a: b \n` },
    { name: 'merge key', text: `${META}<<: x\n` },
    { name: '__proto__ key', text: `${META}__proto__:\n  a: 1\n` },
    { name: 'not a mapping', text: `${META}just text\n` },
    { name: 'document marker', text: `---\n${META}` },
    { name: 'control character', text: `${META}a: b\u0007\n` },
  ])('$name', ({ text }) => {
    expect(readRegular(text)).toBeUndefined();
    let want: unknown;
    try {
      want = parseSyml(text);
    } catch (err) {
      expect(() => readBerrySyml(text)).toThrow((err as Error).message);
      return;
    }
    expect(readBerrySyml(text)).toEqual(want);
  });
});

// Differential: on lockfile-shaped text built from tokens that sit at the edge of the regular subset (indicators,
// quotes, escapes, colons, comments, odd indentation), the one-pass reader either declines or reads exactly what
// parseSyml reads — never a different value, so yarn and chainproof cannot see two different lockfiles.
describe('the one-pass reader never disagrees with parseSyml', () => {
  const word = fc.constantFrom(
    'a',
    'b',
    'lodash@npm:^4.17.21',
    '"@babel/core@npm:7.0.0"',
    '"a, b"',
    'version',
    'resolution',
    'checksum',
    '10c0/abc',
    '"\\u0041"',
    '"\\x41"',
    '"a\\"b"',
    "'q'",
    '&x',
    '*x',
    '!!str',
    '-',
    '? k',
    '[a]',
    '{a: 1}',
    'a #c',
    'a: b',
    'true',
    '~',
    '""',
    '|',
    '>',
    '%',
    '@x',
    '`x',
    'é',
  );
  const line = fc
    .tuple(fc.integer({ min: 0, max: 3 }), word, fc.option(word, { nil: undefined }), fc.boolean())
    .map(([depth, key, value, comment]) =>
      comment
        ? `${'  '.repeat(depth)}# ${key}`
        : `${'  '.repeat(depth)}${key}:${value === undefined ? '' : ` ${value}`}`,
    );
  it('agrees or declines', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (lines) => {
        const text = `${META}${lines.join('\n')}\n`;
        const regular = readRegular(text);
        if (regular === undefined) return;
        expect(regular).toEqual(parseSyml(text));
      }),
      { numRuns: 500 },
    );
  });
});
