/**
 * A real DNS server (Debian `dnsmasq`) for tests, started as a child on a loopback port with no
 * upstream servers and no hosts file: it answers the SRV records it is given and, for the domains
 * it is local for, "no such name" for everything else (as an organisation's own DNS does).
 */
import { Resolver } from 'node:dns/promises';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, requireBinary, startChildServer } from './real-binary';

export interface SrvRecord {
  /** `_rmsdisco._http._tcp.contoso.test`. */
  name: string;
  target: string;
  port: number;
  priority?: number;
  weight?: number;
}

export interface Dnsmasq {
  /** `127.0.0.1:PORT`, as the DnsServers setting takes it. */
  server: string;
  stop(): Promise<void>;
}

export async function startDnsmasq(o: { srv: SrvRecord[]; localDomains: string[] }): Promise<Dnsmasq> {
  const dnsmasq = requireBinary('dnsmasq', 'dnsmasq');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openrms-dnsmasq-'));
  // dnsmasq serves UDP and TCP on one port; a free TCP port is taken as free for both.
  const port = await freePort();
  const server = `127.0.0.1:${port}`;
  const args = [
    '--no-daemon', '--port', String(port), '--listen-address', '127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts',
    '--conf-file=/dev/null', `--pid-file=${path.join(dir, 'dnsmasq.pid')}`, '--user=root',
    ...o.localDomains.map((domain) => `--local=/${domain}/`),
    ...o.srv.map((r) => `--srv-host=${r.name},${r.target},${r.port},${r.priority ?? 0},${r.weight ?? 0}`),
  ];
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([server]);
  // Ready once it answers at all: "no such name" for a local domain is an answer.
  const child = await startChildServer(dnsmasq, args, dir, async () => {
    try {
      await resolver.resolveSrv(`_probe._tcp.${o.localDomains[0] ?? 'test'}`);
      return true;
    } catch (error) {
      const code = (error as { code?: string }).code;
      return code === 'ENOTFOUND' || code === 'ENODATA';
    }
  });
  return { server, stop: () => child.stop() };
}
