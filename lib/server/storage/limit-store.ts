/**
 * Counts of events per key in fixed windows (sign-in attempts per address, sign-ups per client
 * address), in the database, so that every service instance on it counts them together: a
 * lockout counted on one holds on all. A window starts at its first event and lasts its length;
 * windows past their length are deleted as new events come.
 */
import { SqlDatabase } from './sql-database';

/** What a count is of; each kind has windows of its own. */
export type LimitKind = 'sign-in' | 'sign-up-client';

export interface LimitWindow {
  kind: LimitKind;
  /** Events allowed per window. */
  limit: number;
  windowSeconds: number;
}

export interface LimitStore {
  /** Counts one event for `key`; false, and nothing counted, when its window already holds `limit` events. */
  take(window: LimitWindow, key: string, now: number): Promise<boolean>;
  /** Forgets `key`'s count (a sign-in that succeeded). */
  clear(kind: LimitKind, key: string): Promise<void>;
}

export class SqlLimitStore implements LimitStore {
  constructor(private readonly db: SqlDatabase) {}

  async take(w: LimitWindow, key: string, now: number): Promise<boolean> {
    const opened = now - w.windowSeconds;
    await this.db.run('DELETE FROM limit_windows WHERE kind = ? AND since <= ?', [w.kind, opened]);
    // Checked and counted in one statement, so events arriving at once (at several instances)
    // cannot all pass the check: a window still open and full updates no row and returns none.
    const counted = await this.db.get(`INSERT INTO limit_windows (kind, key, count, since) VALUES (?, ?, 1, ?)
      ON CONFLICT (kind, key) DO UPDATE SET
        count = CASE WHEN limit_windows.since > ? THEN limit_windows.count + 1 ELSE 1 END,
        since = CASE WHEN limit_windows.since > ? THEN limit_windows.since ELSE excluded.since END
      WHERE limit_windows.since <= ? OR limit_windows.count < ?
      RETURNING count`, [w.kind, key, now, opened, opened, opened, w.limit]);
    return counted !== undefined;
  }

  async clear(kind: LimitKind, key: string): Promise<void> {
    await this.db.run('DELETE FROM limit_windows WHERE kind = ? AND key = ?', [kind, key]);
  }
}
