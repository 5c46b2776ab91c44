/**
 * SRV lookups (RFC 2782) for discovery, through node:dns's `Resolver`: the system's DNS servers,
 * or the ones the `DnsServers` setting (OPENRMS_DNS_SERVERS) names, so a client can be pointed at
 * its organisation's DNS (and tests at a local dnsmasq).
 */
import { randomInt } from 'node:crypto';
import { Resolver } from 'node:dns/promises';

/** One SRV answer: where a service runs. */
export interface SrvTarget {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** How long one DNS question may take, retries included. */
const DNS_TIMEOUT_MS = 2000;
const DNS_TRIES = 2;

export class SrvResolver {
  private readonly resolver: Resolver;

  /** `servers`: `ip[:port]` each, or undefined for the system's DNS servers. */
  constructor(servers: readonly string[] | undefined) {
    this.resolver = new Resolver({ timeout: DNS_TIMEOUT_MS / DNS_TRIES, tries: DNS_TRIES });
    if (servers !== undefined) this.resolver.setServers([...servers]);
  }

  /** The servers asked, for reports. */
  get servers(): string {
    return this.resolver.getServers().join(', ');
  }

  /**
   * The targets of `name`'s SRV records in the order RFC 2782 says to try them: lowest priority
   * first, and within one priority a weighted random order. An empty list when the name has no
   * SRV record; a DNS server that does not answer is an error (ECONNREFUSED, ETIMEOUT, ...).
   */
  async lookup(name: string): Promise<SrvTarget[]> {
    let records: SrvTarget[];
    try {
      records = await this.resolver.resolveSrv(name);
    } catch (error) {
      if (isNoRecord(error)) return [];
      throw error;
    }
    // RFC 2782: a single record with target "." means the service is decidedly not available here.
    const usable = records.filter((record) => record.name !== '' && record.name !== '.');
    const priorities = [...new Set(usable.map((record) => record.priority))].sort((a, b) => a - b);
    return priorities.flatMap((priority) => weightedOrder(usable.filter((record) => record.priority === priority)));
  }
}

/** The answers that mean "no such record", as opposed to a DNS server that failed. */
function isNoRecord(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOTFOUND' || code === 'ENODATA' || code === 'ENONAME';
}

/** RFC 2782's selection: repeatedly pick a record with probability proportional to its weight (weight 0 last among equals). */
function weightedOrder(records: SrvTarget[]): SrvTarget[] {
  const left = [...records].sort((a, b) => a.weight - b.weight);
  const ordered: SrvTarget[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, record) => sum + record.weight, 0);
    let pick = total === 0 ? 0 : randomInt(total + 1);
    let index = left.findIndex((record) => (pick -= record.weight) <= 0);
    if (index === -1) index = left.length - 1;
    ordered.push(...left.splice(index, 1));
  }
  return ordered;
}

/**
 * The most SRV targets tried per name: each costs a connection attempt with its own timeout, and
 * a DNS answer naming hundreds of silent hosts must not stall a sign-in for minutes.
 */
export const MAX_SRV_TARGETS = 10;
