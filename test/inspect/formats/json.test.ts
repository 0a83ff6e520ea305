import { describe, expect, it } from 'vitest';
import { parseJson } from '../../../src/inspect/formats/json.js';

describe('parseJson: where reported values sit', () => {
  it('names duplicate keys and float-spelled integers by their JSON path', () => {
    const r = parseJson('{"t":{"shape":[2,8.0],"data_offsets":[0,-0]},"t":{"a":{"b":1,"b":2}},"$":{"x":1e0}}');
    expect(r.duplicates).toEqual(['$.t', '$.t.a.b']);
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
