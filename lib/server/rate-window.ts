/**
 * A count of events per key in fixed windows (say sign-ups per client address per hour), kept
 * in the database (LimitStore) so that every service instance on it counts together.
 */
import { RmsError } from '../errors';
import { LimitStore, LimitWindow } from './storage/limit-store';

export class RateWindow {
  constructor(private readonly limits: LimitStore, private readonly window: LimitWindow, private readonly now: () => number) {}

  /** Counts one event for `key`, or throws TOO_MANY_REQUESTS (nothing counted) when its window is spent. */
  async take(key: string, what: string): Promise<void> {
    if (!(await this.limits.take(this.window, key, this.now()))) throw new RmsError('TOO_MANY_REQUESTS', `too many ${what}; try again later`);
  }
}
