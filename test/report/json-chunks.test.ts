import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ITEMS_PER_PIECE, MappedItems, YOUNG_OBJECT_LIMIT, jsonChunks } from '../../src/report/json-chunks.js';

const whole = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

describe('jsonChunks writes what JSON.stringify(value, null, 2) writes', () => {
  it.each([
    { name: 'empty object', value: {} },
    { name: 'empty array', value: [] },
    { name: 'scalars', value: { a: 1, b: 'x\ny', c: true, d: null } },
    { name: 'undefined and function properties left out', value: { a: undefined, b: () => 1, c: 2 } },
    { name: 'only left-out properties', value: { a: undefined } },
    { name: 'undefined array items as null', value: { list: [undefined, 1, () => 1] } },
    { name: 'nested empties', value: { a: [], b: {}, c: [[], [{}]] } },
    { name: 'deep values re-indented', value: { findings: [{ location: { path: 'a', line: 1 }, list: [1, 2] }] } },
    { name: 'keys that need escaping', value: { 'a"b': { '\u0001': 'x' } } },
  ])('$name', ({ value }) => {
    for (const depth of [0, 1, 2, 5]) expect([...jsonChunks(value, depth)].join('')).toBe(whole(value));
  });

  it('streams: a report of many findings comes in many bounded pieces', () => {
    const findings = Array.from({ length: 10_000 }, (_, i) => ({ ruleId: 'CPD002', line: i }));
    const pieces = [...jsonChunks({ findings })];
    expect(pieces.length).toBeGreaterThanOrEqual(10_000 / ITEMS_PER_PIECE);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(ITEMS_PER_PIECE * 100);
    expect(pieces.join('')).toBe(whole({ findings }));
  });

  it('a piece of flood-sized findings (about 1 KB each) stays a young-generation string', () => {
    const finding = (i: number) => ({
      ruleId: 'CPD005',
      level: 'error',
      message: `p${i}@1.0.0 resolves from mirror.example.com ${'x'.repeat(600)}`,
      location: { path: 'package-lock.json', line: i },
      evidence: { lockfileKey: `node_modules/p${i}`, dependencyPath: `root > p${i}`, resolved: 'y'.repeat(60) },
      fingerprint: 'f'.repeat(32),
    });
    const findings = new MappedItems(
      Array.from({ length: ITEMS_PER_PIECE * 4 }, (_, i) => i),
      finding,
    );
    const pieces = [...jsonChunks({ findings })];
    expect(Math.max(...pieces.map((p) => p.length))).toBeGreaterThan(ITEMS_PER_PIECE * 900);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(YOUNG_OBJECT_LIMIT / 2);
  });

  it.each([
    { name: 'no items', n: 0 },
    { name: 'one item', n: 1 },
    { name: 'one full piece', n: ITEMS_PER_PIECE },
    { name: 'a piece and one more', n: ITEMS_PER_PIECE + 1 },
    { name: 'several pieces', n: ITEMS_PER_PIECE * 3 + 7 },
  ])('MappedItems writes the mapped array: $name', ({ n }) => {
    const source = Array.from({ length: n }, (_, i) => i);
    const map = (i: number) => (i % 5 === 4 ? undefined : { i, list: [i, `${i}`], nested: { deep: { x: i } } });
    const mapped = source.map(map);
    for (const depth of [0, 1, 2, 3, 5]) {
      const value = { before: 1, items: new MappedItems(source, map), after: [mapped] };
      expect([...jsonChunks(value, depth)].join('')).toBe(whole({ before: 1, items: mapped, after: [mapped] }));
    }
    expect(JSON.stringify({ a: new MappedItems(source, map) })).toBe(JSON.stringify({ a: mapped }));
  });

  it('any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 4 }), (value, depth) => {
        expect([...jsonChunks(value, depth)].join('')).toBe(whole(value));
      }),
    );
  });
});
