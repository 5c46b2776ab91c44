/**
 * The CA certificates a TLS connection to a service trusts. Node trusts its bundled roots and
 * NODE_EXTRA_CA_CERTS, but a `ca` option replaces all of them; so when the client has CAs of
 * its own (a service's private CA, OPENRMS_CA or the CAFile setting, the `ca` option), the list
 * handed to the connection is Node's roots, NODE_EXTRA_CA_CERTS and those, and a private CA
 * adds to what is trusted without taking anything away.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

import { fileSystemError, invalidArgument } from '../errors';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM certificates in `pem`, each checked to be one; none is INVALID_ARGUMENT naming `what`. */
export function pemCertificates(pem: string | Buffer, what: string): string[] {
  const certificates = String(pem).match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) throw invalidArgument(what, 'PEM CA certificates (-----BEGIN CERTIFICATE-----)');
  for (const certificate of certificates) {
    try {
      new X509Certificate(certificate);
    } catch {
      throw invalidArgument(what, 'PEM CA certificates, each one readable');
    }
  }
  return certificates;
}

/** The certificates of a PEM file, `what` naming where its path came from. */
export function readCaFile(file: string, what: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw fileSystemError(error, `${file} (${what})`);
  }
  return pemCertificates(text, what);
}

let nodeExtra: string[] | undefined;

/**
 * NODE_EXTRA_CA_CERTS as Node read it when the process started: a file it could not read is
 * left out here too (Node warned about it then).
 */
function nodeExtraCertificates(): string[] {
  if (nodeExtra === undefined) {
    const file = process.env.NODE_EXTRA_CA_CERTS;
    try {
      nodeExtra = file === undefined || file === '' ? [] : readCaFile(file, 'NODE_EXTRA_CA_CERTS');
    } catch {
      nodeExtra = [];
    }
  }
  return nodeExtra;
}

/**
 * The `ca` option (PEM certificates, concatenated) for connections trusting `extra` besides
 * Node's own; undefined (Node's own) when there is none.
 */
export function trustAnchors(extra: readonly string[]): string | undefined {
  if (extra.length === 0) return undefined;
  return [...new Set([...rootCertificates, ...nodeExtraCertificates(), ...extra])].join('\n');
}
