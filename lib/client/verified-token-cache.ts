/**
 * What a client remembers it verified (PLs by their text, cached ULs by their name), bounded by
 * count and by the size of the tokens it holds: a publisher can pad a PL, and with it the UL of
 * a holder of VIEWRIGHTSDATA (which carries the policy), to tens of kilobytes, and 1,024 of
 * either were 100 MiB that one client held, PLs that gave it no right included.
 */
import { LruCache } from '../lru-cache';

/** Entries at most. */
const MAX_ENTRIES = 1024;
/** The largest token kept (PLs and ULs are a few kilobytes; a larger one is verified every time). */
const MAX_TOKEN_LENGTH = 64 * 1024;
/** The token text kept in all, about twice that in memory with the decoded claims: a thousand tokens of common size. */
const BUDGET = 4 * 1024 * 1024;

export class VerifiedTokenCache<V> {
  private readonly entries: LruCache<string, V>;
  /** The length of the tokens `entries` holds. */
  private held = 0;

  constructor(private readonly tokenOf: (value: V) => string) {
    this.entries = new LruCache<string, V>(MAX_ENTRIES, (forgotten) => {
      this.held -= tokenOf(forgotten).length;
    });
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Remembers `value` unless its token is over MAX_TOKEN_LENGTH, forgetting the oldest entries while the budget is passed. */
  set(key: string, value: V): void {
    const length = this.tokenOf(value).length;
    if (length > MAX_TOKEN_LENGTH) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    this.held += length;
    while (this.held > BUDGET) this.entries.deleteOldest();
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
