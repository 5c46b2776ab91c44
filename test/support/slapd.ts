/**
 * A real OpenLDAP slapd (Debian `slapd`) for tests, started as a child on a loopback port with
 * its own temporary configuration: an mdb database holding `DC=contoso,DC=test` with the
 * `CN=Configuration` and `CN=Services` containers of an Active Directory forest, a root DSE
 * that names the configuration naming context as AD's does, and the small schema an AD RMS
 * service connection point needs (written below; OpenLDAP ships none of it).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort, requireBinary, startChildServer } from './real-binary';

export const SUFFIX = 'DC=contoso,DC=test';
export const CONFIGURATION_NC = `CN=Configuration,${SUFFIX}`;
export const ADMIN_DN = `CN=admin,${SUFFIX}`;
export const READER_DN = `CN=reader,${SUFFIX}`;

/*
 * AD's own OIDs for serviceBindingInformation and the classes; configurationNamingContext is a
 * root DSE attribute AD constructs, with no schema OID, so it takes one from OpenLDAP's
 * experimental arc.
 */
const SCHEMA = `
attributetype ( 1.2.840.113556.1.4.510 NAME 'serviceBindingInformation'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
attributetype ( 1.3.6.1.4.1.4203.666.11.1 NAME 'configurationNamingContext'
  EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.3.23 NAME 'container' SUP top STRUCTURAL MUST cn )
objectclass ( 1.2.840.113556.1.5.94 NAME 'connectionPoint' SUP top ABSTRACT MUST cn )
objectclass ( 1.2.840.113556.1.5.126 NAME 'serviceConnectionPoint' SUP connectionPoint STRUCTURAL
  MAY serviceBindingInformation )
`;

export interface SlapdOptions {
  /** Only a bound user may read the configuration container (anonymous reads see nothing there). */
  anonymousReadDenied?: boolean;
  /** TLS certificate and key files: StartTLS is offered. */
  tls?: { certFile: string; keyFile: string };
}

export interface Slapd {
  /** `ldap://127.0.0.1:PORT`. */
  url: string;
  adminPassword: string;
  /** The password of READER_DN, who may only read. */
  readerPassword: string;
  /** Adds LDIF entries with ldapadd (ldap-utils) as the administrator. */
  ldapadd(ldif: string): void;
  /** ldapsearch's LDIF answer for `base` (scope base), as the administrator: an independent client's view. */
  ldapsearch(base: string, attribute: string): string;
  stop(): Promise<void>;
}

function seed(readerPassword: string): string {
  return `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
dc: contoso
o: Contoso

dn: ${CONFIGURATION_NC}
objectClass: container
cn: Configuration

dn: CN=Services,${CONFIGURATION_NC}
objectClass: container
cn: Services

dn: ${READER_DN}
objectClass: container
objectClass: simpleSecurityObject
cn: reader
userPassword: ${readerPassword}
`;
}

export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  const slapd = requireBinary('slapd', 'slapd');
  const slapadd = requireBinary('slapadd', 'slapd');
  const ldapaddBinary = requireBinary('ldapadd', 'ldap-utils');
  const ldapsearchBinary = requireBinary('ldapsearch', 'ldap-utils');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openrms-slapd-'));
  const adminPassword = 'admin-secret';
  const readerPassword = 'reader-secret';
  mkdirSync(path.join(dir, 'db'));
  writeFileSync(path.join(dir, 'rms.schema'), SCHEMA);
  writeFileSync(path.join(dir, 'rootdse.ldif'), `dn:\nconfigurationNamingContext: ${CONFIGURATION_NC}\n`);
  const acl = options.anonymousReadDenied
    ? `access to dn.subtree="${CONFIGURATION_NC}" by users read by * none\naccess to * by * read\n`
    : 'access to * by * read\n';
  const tls = options.tls === undefined ? '' : `TLSCertificateFile ${options.tls.certFile}\nTLSCertificateKeyFile ${options.tls.keyFile}\n`;
  writeFileSync(path.join(dir, 'slapd.conf'), `include /etc/ldap/schema/core.schema
include ${path.join(dir, 'rms.schema')}
pidfile ${path.join(dir, 'slapd.pid')}
argsfile ${path.join(dir, 'slapd.args')}
modulepath /usr/lib/ldap
moduleload back_mdb
rootDSE ${path.join(dir, 'rootdse.ldif')}
${tls}access to dn.base="" by * read
access to dn.base="cn=Subschema" by * read
database mdb
suffix "${SUFFIX}"
rootdn "${ADMIN_DN}"
rootpw ${adminPassword}
directory ${path.join(dir, 'db')}
${acl}`);
  const conf = path.join(dir, 'slapd.conf');
  writeFileSync(path.join(dir, 'seed.ldif'), seed(readerPassword));
  execFileSync(slapadd, ['-f', conf, '-l', path.join(dir, 'seed.ldif')], { stdio: 'pipe' });
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const server = await startChildServer(slapd, ['-d', '0', '-f', conf, '-h', `${url}/`], dir, () => new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  }));
  return {
    url, adminPassword, readerPassword, stop: () => server.stop(),
    ldapadd: (ldif) => {
      execFileSync(ldapaddBinary, ['-x', '-H', url, '-D', ADMIN_DN, '-w', adminPassword], { input: ldif, stdio: ['pipe', 'pipe', 'pipe'] });
    },
    ldapsearch: (base, attribute) => {
      try {
        return execFileSync(ldapsearchBinary, ['-x', '-LLL', '-H', url, '-D', ADMIN_DN, '-w', adminPassword, '-s', 'base', '-b', base, attribute], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (error) {
        // ldapsearch exits 32 for "no such object": that is an answer too.
        if ((error as { status?: number }).status === 32) return '';
        throw error;
      }
    },
  };
}
