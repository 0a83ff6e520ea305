import type { UnavailableCause } from './client.js';
import { originOf } from './deadlines.js';

/** Causes that say the registry itself is in trouble; a package's own 404 or bad document never trips a breaker. */
const TRIPPING: ReadonlySet<UnavailableCause> = new Set(['unreachable', 'timeout', 'http-error', 'rate-limited']);

/**
 * One circuit breaker per registry origin: after `threshold` consecutive failures of a registry-level cause, stop
 * asking that registry for the rest of the scan (the remaining packages are unverifiable at once, reported as one
 * cause) instead of paying a timeout per package. A success in between resets the count.
 */
export class CircuitBreakers {
  private readonly failures = new Map<string, number>();
  private readonly open = new Map<string, UnavailableCause>();

  constructor(private readonly threshold: number) {}

  /** The cause that opened this registry's breaker, or undefined while it is closed. */
  isOpen(registry: string): UnavailableCause | undefined {
    return this.open.get(originOf(registry));
  }

  /** Count one outcome; true when this outcome opened the breaker (the caller ends what still waits on it). */
  record(registry: string, outcome: UnavailableCause | 'ok'): boolean {
    const key = originOf(registry);
    if (outcome === 'ok') {
      this.failures.set(key, 0);
      return false;
    }
    if (!TRIPPING.has(outcome)) return false;
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    if (n < this.threshold || this.open.has(key)) return false;
    this.open.set(key, outcome);
    return true;
  }
}
