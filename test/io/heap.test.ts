import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { stageHeapTrimmer } from '../../src/io/heap.js';

const used = () => getHeapStatistics().used_heap_size;

describe('stageHeapTrimmer: garbage of a huge input is collected at a stage boundary', () => {
  it('collects once the heap passes the threshold, then only when it grew by half again', () => {
    const trim = stageHeapTrimmer(1024 * 1024);
    // Unreachable as soon as it is built: what a parsed lockfile leaves behind.
    let garbage: string[] | undefined = Array.from({ length: 200_000 }, (_, i) => `package-${i}-${'x'.repeat(64)}`);
    expect(garbage.length).toBe(200_000);
    garbage = undefined;
    const before = used();
    trim();
    const after = used();
    expect(before - after).toBeGreaterThan(10 * 1024 * 1024);
    // Right after a collection the heap is under 1.5× what was live: nothing to do.
    trim();
    expect(used()).toBeLessThanOrEqual(after * 1.5);
  });

  it('a small heap is left alone', () => {
    const trim = stageHeapTrimmer(Number.MAX_SAFE_INTEGER);
    let garbage: number[][] | undefined = Array.from({ length: 50_000 }, (_, i) => [i, i]);
    garbage = undefined;
    expect(garbage).toBeUndefined();
    const before = used();
    trim();
    expect(used()).toBeGreaterThanOrEqual(before - 1024 * 1024);
  });
});
