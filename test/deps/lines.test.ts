import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonPropertyLines, strictJsonPropertyLines, yarnHeaderLines } from '../../src/deps/lines.js';

// Every property, keyed by its container path and name, so the two readers must agree on paths too.
const everyProperty = (path: readonly (string | number)[], prop: string) => `${path.join('/')}|${prop}`;

describe('strictJsonPropertyLines agrees with the jsonc-parser reader on strict JSON', () => {
  it.each([
    {
      name: 'npm shape',
      text: '{\n  "packages": {\n    "": {},\n    "node_modules/a": {\n      "version": "1"\n    }\n  }\n}',
    },
    {
      name: 'escaped keys and quotes in values',
      text: '{"a\\"b": "x\\\\", "c\\\\": {"d": "\\"}"},\n"e": [1, {"f": 2}]}',
    },
    { name: 'keys inside arrays', text: '[{"a": 1},\n {"b": [{"c": 2}]}]' },
    { name: 'duplicate keys keep the last line', text: '{"a": 1,\n"a": 2}' },
    { name: 'a value that looks like a key', text: '{"a": "b",\n "c": ["d", "e"]}' },
  ])('$name', ({ text }) => {
    JSON.parse(text);
    expect(strictJsonPropertyLines(text, everyProperty)).toEqual(jsonPropertyLines(text, everyProperty));
  });

  it('the npm package keys at their lines', () => {
    const text = '{\n  "packages": {\n    "": {},\n    "node_modules/a": {\n      "version": "1"\n    }\n  }\n}';
    const lines = strictJsonPropertyLines(text, (path, prop) =>
      path.length === 1 && path[0] === 'packages' ? prop : undefined,
    );
    expect([...lines]).toEqual([
      ['', 3],
      ['node_modules/a', 4],
    ]);
  });

  it('a repeated key keeps the line JSON.parse keeps (the last) and is reported', () => {
    const text =
      '{\n  "packages": {\n    "node_modules/a": {},\n    "node_modules/b": {},\n    "node_modules/a": {}\n  }\n}';
    const select = (path: readonly (string | number)[], prop: string) =>
      path.length === 1 && path[0] === 'packages' ? prop : undefined;
    for (const read of [strictJsonPropertyLines, jsonPropertyLines]) {
      const repeats: [string, number][] = [];
      const lines = read(text, select, (key, line) => repeats.push([key, line]));
      expect(lines.get('node_modules/a')).toBe(5);
      expect(repeats).toEqual([['node_modules/a', 5]]);
    }
  });

  it('any JSON value, any indentation', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 3 }), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(strictJsonPropertyLines(text, everyProperty)).toEqual(jsonPropertyLines(text, everyProperty));
      }),
    );
  });
});

describe('yarnHeaderLines', () => {
  it.each([
    {
      name: 'yarn 1 entries',
      text: '# yarn lockfile v1\n\n"a@^1", a@^2:\n  version "1"\n\nb@1:\n  version "1"\n',
      want: [
        ['a@^1', 3],
        ['a@^2', 3],
        ['b@1', 6],
      ],
    },
    {
      name: 'CRLF and indented colons',
      text: 'a@1:\r\n  dependencies:\r\n    b "1"\r\nc@1:\r\n',
      want: [
        ['a@1', 1],
        ['c@1', 4],
      ],
    },
    { name: 'tab-indented and comment lines are not headers', text: '\tx:\n# y:\nz@1:\n', want: [['z@1', 3]] },
  ])('$name', ({ text, want }) => {
    expect([...yarnHeaderLines(text)]).toEqual(want);
  });
});
