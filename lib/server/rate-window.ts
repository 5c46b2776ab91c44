/**
 * A count of events per key in fixed windows (say sign-ups per client address per hour), in
 * memory and bounded: past `maxKeys` the oldest key is forgotten, so a flood of distinct keys
 * costs memory up to the bound and no more.
 */
import { RmsError } from '../errors';

export class RateWindow {
  private readonly windows = new Map<string, { count: number; since: number }>();

  constructor(private readonly limit: number, private readonly windowSeconds: number, private readonly now: () => number,
    private readonly maxKeys = 100_000) {}

  /** Counts one event for `key`, or throws TOO_MANY_REQUESTS (nothing counted) when its window is spent. */
  take(key: string, what: string): void {
    const now = this.now();
    const entry = this.windows.get(key);
    if (entry !== undefined && now - entry.since < this.windowSeconds) {
      if (entry.count >= this.limit) throw new RmsError('TOO_MANY_REQUESTS', `too many ${what}; try again later`);
      entry.count++;
      return;
    }
    this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
    this.windows.set(key, { count: 1, since: now });
  }
}
