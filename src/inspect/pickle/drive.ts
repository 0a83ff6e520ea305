import type { ByteSource } from './source.js';

/**
 * Pickle readers are written once, as generators that yield when their source must be refilled from the file
 * (ByteSource.wants). A buffer never wants more, so `driveSync` runs them to the end; a file source is refilled
 * between yields by `driveAsync`, with bounded, awaited reads through the I/O edge.
 */
export type Steps<T> = Generator<void, T, void>;

export function driveSync<T>(steps: Steps<T>): T {
  const r = steps.next();
  if (!r.done) throw new Error('a pickle reader over a file source must be driven by driveAsync');
  return r.value;
}

export async function driveAsync<T>(steps: Steps<T>, src: ByteSource): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await src.refill();
  }
}

/** Yield until `n` bytes are buffered (or the region ends): before reads that follow a skip. */
export function* need(src: ByteSource, n: number): Steps<void> {
  while (src.wants(n)) yield;
}
