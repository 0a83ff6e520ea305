import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSyml } from '@yarnpkg/parsers';
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
  ...berryFiles(path.join(REPO, 'fixtures')),
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
