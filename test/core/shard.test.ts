import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { inShard, MAX_SHARDS, parseShardSpec } from '../../src/core/shard.js';

describe('parseShardSpec: the shard option of the CLI and the Action', () => {
  it.each([
    ['1/1', { index: 1, count: 1 }],
    ['3/4', { index: 3, count: 4 }],
    [`${MAX_SHARDS}/${MAX_SHARDS}`, { index: MAX_SHARDS, count: MAX_SHARDS }],
  ])('%s', (raw, want) => {
    expect(parseShardSpec(raw, '--shard')).toEqual(want);
  });

  it.each(['0/4', '5/4', '1/0', '-1/4', '1/4/2', 'a/b', '', '1 / 4', `1/${MAX_SHARDS + 1}`, '1/99999999999999999999'])(
    'refuses %j on the command line',
    (raw) => {
      expect(() => parseShardSpec(raw, '--shard')).toThrow(UsageError);
      expect(() => parseShardSpec(raw, '--shard')).toThrow(/--shard must be i\/n/);
    },
  );

  it('the Action allows blanks around the slash and takes an empty input for none', () => {
    expect(parseShardSpec('2 / 4', 'input shard', true)).toEqual({ index: 2, count: 4 });
    expect(parseShardSpec('', 'input shard', true)).toBeUndefined();
    expect(() => parseShardSpec('1/99999999999999999999', 'input shard', true)).toThrow(/input shard must be/);
  });

  it('every key lands in exactly one shard of any count it allows', () => {
    for (const count of [2, 7, MAX_SHARDS])
      for (const key of ['a', 'package-lock.json', 'models/x.pt'])
        expect(
          Array.from({ length: count }, (_, i) => inShard(key, { index: i + 1, count })).filter(Boolean),
        ).toHaveLength(1);
  });
});
