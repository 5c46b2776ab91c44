/**
 * The real servers both discovery test files start: a licensing service over HTTPS under a
 * test CA, an OpenLDAP slapd (test/support/slapd.ts), and a dnsmasq (test/support/dnsmasq.ts)
 * whose `_rmsdisco._http._tcp.contoso.test` record names the service and whose
 * `_ldap._tcp.corp.test` record names the directory; `empty.test` has no record at all.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Dnsmasq, startDnsmasq } from '../support/dnsmasq';
import { startTestService, TestService } from '../support/licensing-service';
import { Slapd, startSlapd } from '../support/slapd';
import { makeTestCa, TestCa } from '../support/test-ca';

export interface DiscoveryServers {
  root: string;
  ca: TestCa;
  caPem: Buffer;
  secure: TestService;
  slapd: Slapd;
  dns: Dnsmasq;
  stop(): Promise<void>;
}

export async function startDiscoveryServers(): Promise<DiscoveryServers> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'openrms-discovery-'));
  const savedEnv = { ...process.env };
  // No administrator's .reg file of this machine may steer these searches.
  process.env.OPENRMS_MACHINE_CONFIG = path.join(root, 'machine');
  const ca = makeTestCa(path.join(root, 'ca'), 'discovery');
  const secure = await startTestService({ tls: { certFile: ca.certFile, keyFile: ca.keyFile } }, path.join(root, 'secure'));
  // StartTLS offered, so an administrator's bind (openrms scp) can be made over TLS; anonymous reads stay plain.
  const slapd = await startSlapd({ tls: { certFile: ca.certFile, keyFile: ca.keyFile } });
  const dns = await startDnsmasq({
    localDomains: ['contoso.test', 'corp.test', 'empty.test'],
    srv: [
      { name: '_rmsdisco._http._tcp.contoso.test', target: 'localhost', port: Number(new URL(secure.service.url).port) },
      { name: '_ldap._tcp.corp.test', target: 'localhost', port: Number(new URL(slapd.url).port) },
    ],
  });
  return {
    root, ca, caPem: readFileSync(ca.caFile), secure, slapd, dns,
    stop: async () => {
      process.env = savedEnv;
      await dns.stop();
      await slapd.stop();
      await secure.cleanup();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
