/**
 * When a service's templates are downloaded again (docs/templates.md). MSIPC keeps, per server,
 * a `Template` key recording the last download; templates older than the refresh interval are
 * downloaded at the next publishing request, and deleting the key forces it. openrms keeps the
 * same marker as a file in the store. A failed download keeps what is cached and is retried
 * after a growing delay (1 minute, doubling, at most the interval and at most 6 hours), so a
 * service that is down is not asked at every protection.
 *
 * Pure functions of the marker and the clock: the tests give them any time they like.
 */

/** What the marker file records. */
export interface RefreshMarker {
  /** When the templates were last downloaded (seconds since the epoch). */
  refreshedAt: number;
  /** Downloads failed in a row since then. */
  failures: number;
  /** No new attempt before this time (seconds), after a failure; null when none failed. */
  retryAt: number | null;
}

const FIRST_RETRY_SECONDS = 60;
const LONGEST_RETRY_SECONDS = 6 * 3600;

/** The longest delay markFailed sets with this interval. */
function longestRetrySeconds(intervalSeconds: number): number {
  return Math.min(Math.max(intervalSeconds, FIRST_RETRY_SECONDS), LONGEST_RETRY_SECONDS);
}

/**
 * Whether the templates are due for download at `now`: no marker (never downloaded, or the
 * marker was deleted); older than `intervalSeconds`; a clock set back before the last download
 * (the age cannot be trusted); in every case not while a retry delay runs. A retry time further
 * off than any delay markFailed sets was recorded while the clock ran ahead: it holds nothing
 * (otherwise a failure with the clock a year on would stop downloads for a year).
 */
export function refreshDue(marker: RefreshMarker | null, now: number, intervalSeconds: number): boolean {
  if (marker === null) return true;
  const retryHolds = marker.retryAt !== null && now < marker.retryAt && marker.retryAt - now <= longestRetrySeconds(intervalSeconds);
  if (retryHolds && now >= marker.refreshedAt) return false;
  return now < marker.refreshedAt || now - marker.refreshedAt >= intervalSeconds;
}

/** The marker after a successful download at `now`. */
export function markRefreshed(now: number): RefreshMarker {
  return { refreshedAt: now, failures: 0, retryAt: null };
}

/**
 * The marker after a failed download at `now`: the last success stays (the cache is that old),
 * and the next attempt waits 1, 2, 4... minutes, never longer than the interval or 6 hours.
 * Without a previous success (`marker` null), the download time is 0: due, once the delay ends.
 */
export function markFailed(marker: RefreshMarker | null, now: number, intervalSeconds: number): RefreshMarker {
  const failures = (marker?.failures ?? 0) + 1;
  const delay = Math.min(FIRST_RETRY_SECONDS * 2 ** Math.min(failures - 1, 20), longestRetrySeconds(intervalSeconds));
  return { refreshedAt: marker?.refreshedAt ?? 0, failures, retryAt: now + delay };
}

/** A marker read from a file, or null when it is not one (a hand-edited or damaged file counts as deleted). */
export function parseMarker(value: unknown): RefreshMarker | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  const time = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!time(m.refreshedAt) || !time(m.failures) || !(m.retryAt === null || time(m.retryAt))) return null;
  return { refreshedAt: m.refreshedAt, failures: m.failures, retryAt: m.retryAt as number | null };
}
