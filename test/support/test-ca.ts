/**
 * A private certificate authority for TLS tests, made with the openssl CLI (as an administrator
 * would make one): a CA certificate and, signed by it, a server certificate for 127.0.0.1 and
 * localhost. Nothing in Node's own trust store vouches for either.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TestCa {
  /** The CA certificate (PEM file): what `login --ca` is given. */
  caFile: string;
  /** The server's certificate, signed by the CA, and its key (PEM files): what the service serves. */
  certFile: string;
  keyFile: string;
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`openssl ${args[0]} failed (the openssl package is needed): ${(error as Error).message}`);
  }
}

/** Makes a CA named `name` and a server certificate it signed, in `folder`. */
export function makeTestCa(folder: string, name: string): TestCa {
  mkdirSync(folder, { recursive: true });
  const file = (base: string) => path.join(folder, `${name}-${base}`);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-days', '2', '-subj', `/CN=openrms test CA ${name}`, '-keyout', file('ca.key'), '-out', file('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', ...ec, '-subj', '/CN=127.0.0.1', '-keyout', file('key.pem'), '-out', file('csr.pem')]);
  writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', file('csr.pem'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2',
    '-extfile', file('ext.cnf'), '-out', file('cert.pem')]);
  return { caFile: file('ca.pem'), certFile: file('cert.pem'), keyFile: file('key.pem') };
}
