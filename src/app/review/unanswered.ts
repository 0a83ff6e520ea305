import type { Finding, Location } from '../../core/finding.js';
import { MAX_RELATED } from '../../core/group-causes.js';
import { byCodePoint } from '../../core/order.js';
import { redactUrls } from '../../deps/checks/finding.js';

/** A changed package a registry or index question could not be asked about, and why. */
export interface Unanswered {
  readonly name: string;
  readonly version: string;
  readonly reason: string;
  /** The head lockfile's entry. */
  readonly at: Location;
}

/**
 * One CPD130 per reason a question could not be asked, in the order the reasons first come, with the count and the
 * packages (one cause, one line), and each package's entry in `related`: the count and the names are then no part of
 * its fingerprint, so one registry outage stays one alert however many packages a later push moves. A reason may
 * name an index URL: its credentials are redacted.
 */
export function unansweredByCause(
  items: readonly Unanswered[],
  message: (count: number, reason: string) => string,
): Finding[] {
  const byReason = new Map<string, Unanswered[]>();
  for (const u of items) byReason.set(u.reason, [...(byReason.get(u.reason) ?? []), u]);
  return [...byReason].map(([reason, us]) => ({
    ruleId: 'CPD130',
    message: redactUrls(message(us.length, reason)),
    location: { path: '.' },
    evidence: {
      reason: redactUrls(reason).slice(0, 300),
      count: us.length,
      packages: us
        .map((u) => `${u.name}@${u.version}`)
        .sort(byCodePoint)
        .join(' '),
    },
    // Sorted: the registry answers in any order.
    related: us
      .map((u) => u.at)
      .sort(compareLocations)
      .slice(0, MAX_RELATED),
  }));
}

function compareLocations(a: Location, b: Location): number {
  return byCodePoint(a.path, b.path) || (a.line ?? 0) - (b.line ?? 0);
}
