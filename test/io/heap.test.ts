import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { stageHeapTrimmer } from '../../src/io/heap.js';

const used = () => getHeapStatistics().used_heap_size;

describe('stageHeapTrimmer: garbage of a huge input is collected at a stage boundary', () => {
  it('collects once the heap passes the threshold, then only when it grew by half again', () => {
    const trim = stageHeapTrimmer(1024 * 1024, 0);
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

  it('before the reports it collects past the threshold even when the heap grew by less than half', () => {
    const trim = stageHeapTrimmer(1024 * 1024, 0);
    // Live for the whole test, so the heap after the first collection is large and 1.5x it is out of reach.
    const live = Array.from({ length: 200_000 }, (_, i) => `live-${i}-${'y'.repeat(64)}`);
    trim();
    const floor = used();
    let garbage: string[] | undefined = Array.from({ length: 20_000 }, (_, i) => `package-${i}-${'x'.repeat(64)}`);
    expect(garbage.length).toBe(20_000);
    garbage = undefined;
    const grown = used();
    expect(grown).toBeLessThan(floor * 1.5);
    trim();
    expect(used()).toBeGreaterThanOrEqual(grown - 1024 * 1024);
    trim(true);
    expect(grown - used()).toBeGreaterThan(1024 * 1024);
    expect(live.length).toBe(200_000);
  });

  it('a small heap is left alone', () => {
    const trim = stageHeapTrimmer(Number.MAX_SAFE_INTEGER, 0);
    let garbage: number[][] | undefined = Array.from({ length: 50_000 }, (_, i) => [i, i]);
    garbage = undefined;
    expect(garbage).toBeUndefined();
    const before = used();
    trim();
    expect(used()).toBeGreaterThanOrEqual(before - 1024 * 1024);
  });

  it('a scan started from a large heap leaves that heap alone until the scan grew it by half', () => {
    // This process's heap (modules, the test runner) is far past a 1 MiB threshold before the scan starts.
    const start = used();
    const trim = stageHeapTrimmer(1024 * 1024);
    let garbage: string[] | undefined = Array.from({ length: 2_000 }, (_, i) => `small-${i}-${'x'.repeat(64)}`);
    expect(garbage.length).toBe(2_000);
    garbage = undefined;
    expect(trim()).toBe(false);
    expect(trim(true)).toBe(false);
    // Grown by more than half since the start: now the scan's own garbage is collected.
    const grown: string[][] = [];
    while (used() < start * 1.6) grown.push(Array.from({ length: 10_000 }, (_, i) => `big-${i}-${'y'.repeat(64)}`));
    grown.length = 0;
    expect(trim()).toBe(true);
  });
});
