import type { UnavailableCause } from './client.js';
import { originOf } from './deadlines.js';

/** Causes that say the registry itself is in trouble; a package's own 404 or bad document never trips a breaker. */
const TRIPPING: ReadonlySet<UnavailableCause> = new Set(['unreachable', 'timeout', 'http-error', 'rate-limited']);

/**
 * The endpoints of a registry whose failures are counted apart: what npm installs from (packuments, keys, tarballs),
 * and `/-/npm/v1/attestations/`, which only `npm audit signatures` reads (pacote `verifyAttestations`) and which a
 * mirror that passes `dist.attestations` through often does not serve, or answers with 5xx: its failures say
 * nothing of the packuments, so they never stop the packuments being asked.
 */
export type Lane = 'install' | 'attestations';

/** The key one lane of one registry is counted (and its requests in flight kept) under. */
export function laneKey(registry: string, lane: Lane): string {
  return lane === 'install' ? originOf(registry) : `${originOf(registry)} ${lane}`;
}

/**
 * One circuit breaker per registry origin and lane: after `threshold` consecutive failures of a registry-level cause, stop
 * asking that registry for the rest of the scan (the remaining packages are unverifiable at once, reported as one
 * cause) instead of paying a timeout per package. A success in between resets the count.
 */
export class CircuitBreakers {
  private readonly failures = new Map<string, number>();
  private readonly open = new Map<string, UnavailableCause>();

  constructor(private readonly threshold: number) {}

  /** The cause that opened this registry's breaker, or undefined while it is closed. */
  isOpen(registry: string, lane: Lane): UnavailableCause | undefined {
    return this.open.get(laneKey(registry, lane));
  }

  /** Count one outcome; true when this outcome opened the breaker (the caller ends what still waits on it). */
  record(registry: string, lane: Lane, outcome: UnavailableCause | 'ok'): boolean {
    const key = laneKey(registry, lane);
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
