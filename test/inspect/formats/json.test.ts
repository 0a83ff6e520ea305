import { describe, expect, it } from 'vitest';
import { parseJson } from '../../../src/inspect/formats/json.js';

describe('parseJson: where reported values sit', () => {
  it('names duplicate keys and float-spelled integers by their JSON path', () => {
    const r = parseJson('{"t":{"shape":[2,8.0],"data_offsets":[0,-0]},"t":{"a":{"b":1,"b":2}},"$":{"x":1e0}}');
    expect(r.duplicates).toEqual(['$.t', '$.t.a.b']);
    expect(r.duplicateKeys).toEqual([['t'], ['t', 'a', 'b']]);
    expect(r.floats).toEqual(['$.t.shape[1]', '$.t.data_offsets[1]', '$.$.x']);
  });

  it('a top-level float is at $', () => {
    expect(parseJson('1.5').floats).toEqual(['$']);
  });

  it('literals, non-finite numbers only when asked for', () => {
    expect(parseJson('[true,false,null]').value).toEqual([true, false, null]);
    expect(parseJson('[NaN,-Infinity]', { allowNonFinite: true }).value).toEqual([NaN, -Infinity]);
    expect(() => parseJson('[NaN]')).toThrow(/unexpected "N"/);
  });
});

describe('parseJson: skipDeeper', () => {
  const nested = (depth: number, inner = '') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

  it('fails past maxDepth unless asked to skip', () => {
    expect(() => parseJson(nested(4), { maxDepth: 2 })).toThrow(/nesting deeper than 2/);
  });

  it('skips containers past maxDepth to their end, keeps what sits beside them, and says where', () => {
    const text = `{"a":${nested(3, '"]}[{\\"", {"x": 1}')},"b":[1,{"c":{}}],"d":${nested(3)}}`;
    const r = parseJson(text, { maxDepth: 2, skipDeeper: true });
    expect(r.value).toEqual({ a: [[null]], b: [1, { c: null }], d: [[null]] });
    expect(r.deep).toEqual({ offset: text.indexOf('[[[') + 2, count: 3, limit: 2 });
  });

  it('reads any depth without recursion, in one pass over the text', () => {
    const r = parseJson(`{"k":${nested(1_000_000)},"v":"x"}`, { maxDepth: 1, skipDeeper: true });
    expect(r.value).toEqual({ k: [null], v: 'x' });
    expect(r.deep).toEqual({ offset: 6, count: 1, limit: 1 });
  });

  it('a skipped value cut short, or holding a string JSON refuses, is still invalid JSON', () => {
    expect(() => parseJson(`{"k":${'['.repeat(5)}`, { maxDepth: 1, skipDeeper: true })).toThrow(/unexpected end/);
    expect(() => parseJson(`[[["\u0001"]]]`, { maxDepth: 1, skipDeeper: true })).toThrow(/control character/);
  });

  it('leaves no deep mark when nothing was skipped', () => {
    expect(parseJson(nested(3), { maxDepth: 3, skipDeeper: true }).deep).toBeUndefined();
  });
});
