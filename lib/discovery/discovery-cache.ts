/**
 * Services discovery found, remembered in the store (`<store>/discovery.json`) for the
 * `DiscoveryCacheSeconds` setting's lifetime (an hour by default; 0 keeps nothing). An entry is
 * keyed by the email domain searched and by every setting that steers discovery, so an
 * administrator's change takes effect at once rather than when the entry expires.
 */
import { createHash } from 'node:crypto';

import { ClientStore } from '../store/client-store';
import { DiscoveredService } from './discovery-steps';

interface CacheEntry {
  key: string;
  service: DiscoveredService;
}

function entriesOf(stored: unknown): CacheEntry[] {
  if (!Array.isArray(stored)) return [];
  return stored.filter((entry): entry is CacheEntry => typeof entry?.key === 'string' && typeof entry?.service?.serviceUrl === 'string'
    && typeof entry.service.serviceId === 'string' && typeof entry.service.expiresAt === 'number');
}

export class DiscoveryCache {
  constructor(private readonly store: ClientStore, private readonly lifetimeSeconds: number, private readonly now: () => number) {}

  /** The key of a search: what was searched for and with which settings, hashed. */
  static keyOf(parts: unknown): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32);
  }

  /** The service found for `key`, while it has not expired. */
  find(key: string): DiscoveredService | undefined {
    const now = this.now();
    return entriesOf(this.store.loadDiscovery()).find((entry) => entry.key === key && entry.service.expiresAt! > now)?.service;
  }

  /** Remembers `service` for `key` (nothing, when the lifetime is 0); returns it with its expiry. */
  keep(key: string, service: DiscoveredService): DiscoveredService {
    if (this.lifetimeSeconds === 0) return service;
    const kept = { ...service, expiresAt: this.now() + this.lifetimeSeconds };
    this.save([...this.live().filter((entry) => entry.key !== key), { key, service: kept }]);
    return kept;
  }

  /** Forgets what was found for `key` (it did not answer when used). */
  forget(key: string): void {
    const entries = this.live();
    const left = entries.filter((entry) => entry.key !== key);
    if (left.length !== entries.length) this.save(left);
  }

  private live(): CacheEntry[] {
    const now = this.now();
    return entriesOf(this.store.loadDiscovery()).filter((entry) => entry.service.expiresAt! > now);
  }

  private save(entries: CacheEntry[]): void {
    this.store.saveDiscovery(entries);
  }
}
