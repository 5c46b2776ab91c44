/**
 * A connection to a directory (Active Directory, or any LDAP server holding a service connection
 * point), with `ldapts`: over ldap:// (upgraded with StartTLS when asked) or ldaps://, bound
 * anonymously or as a configured DN. Failures are RmsErrors naming the directory:
 * SERVICE_UNAVAILABLE (cannot connect), AUTHENTICATION_FAILED (the bind was refused),
 * ACCESS_DENIED, NOT_FOUND, CONFLICT, SERVICE_ERROR (anything else the directory answered).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

import {
  AlreadyExistsError, Attribute, Change, Client, ConfidentialityRequiredError, InappropriateAuthError, InsufficientAccessError,
  InvalidCredentialsError, NoSuchObjectError, ResultCodeError, StrongAuthRequiredError,
} from 'ldapts';

import { fileSystemError, RmsError } from '../errors';

export interface DirectoryOptions {
  /** `ldap://host[:port]` or `ldaps://host[:port]`. */
  url: string;
  /** Upgrade an ldap:// connection with StartTLS before binding. */
  startTls?: boolean;
  /** Bind as this DN, with the first line of `passwordFile` (or `password`); anonymously without. */
  bindDn?: string;
  passwordFile?: string;
  password?: string;
  /** Extra trusted CA certificates (PEM) for the directory's TLS certificate. */
  ca?: string | Buffer;
  /** Per-operation deadline (default 10 s). */
  timeoutMs?: number;
}

/** The RmsError for what the directory at `url` answered or failed with. */
export function directoryError(error: unknown, url: string, doing: string): RmsError {
  if (error instanceof RmsError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const message = `${url}: ${doing}: ${reason}`;
  const options = { cause: error, serviceUrl: url };
  if (error instanceof InvalidCredentialsError || error instanceof InappropriateAuthError) return new RmsError('AUTHENTICATION_FAILED', message, options);
  if (error instanceof InsufficientAccessError || error instanceof StrongAuthRequiredError || error instanceof ConfidentialityRequiredError) {
    return new RmsError('ACCESS_DENIED', message, options);
  }
  if (error instanceof NoSuchObjectError) return new RmsError('NOT_FOUND', message, options);
  if (error instanceof AlreadyExistsError) return new RmsError('CONFLICT', message, options);
  if (error instanceof ResultCodeError) return new RmsError('SERVICE_ERROR', `${message} (LDAP result ${error.code})`, options);
  const code = (error as { code?: unknown } | null)?.code;
  return new RmsError('SERVICE_UNAVAILABLE', `cannot reach the directory ${url}: ${doing}: ${typeof code === 'string' ? `${code} ` : ''}${reason}`, options);
}

function passwordOf(o: DirectoryOptions): string {
  if (o.password !== undefined) return o.password;
  if (o.passwordFile === undefined) throw new RmsError('INVALID_ARGUMENT', `a bind DN (${o.bindDn}) needs a password: set DirectoryPasswordFile`, { argument: 'passwordFile' });
  try {
    return readFileSync(o.passwordFile, 'utf8').split(/\r?\n/)[0] ?? '';
  } catch (error) {
    throw fileSystemError(error, o.passwordFile);
  }
}

export class DirectorySession {
  private constructor(private readonly client: Client, readonly url: string) {}

  /** Connects, upgrades with StartTLS when asked, and binds. */
  static async open(o: DirectoryOptions): Promise<DirectorySession> {
    // A password goes only over TLS: over plain ldap:// anyone on the path, or whoever a DNS
    // answer named as the directory, would read it. Refused before any connection.
    if (o.bindDn !== undefined && !o.url.startsWith('ldaps:') && !o.startTls) {
      throw new RmsError('SERVICE_NOT_TRUSTED', `a bind as ${o.bindDn} needs TLS: ${o.url} is plain LDAP; use ldaps:// or turn DirectoryStartTls on (nothing was sent)`,
        { serviceUrl: o.url });
    }
    const timeout = o.timeoutMs ?? 10_000;
    const tlsOptions = o.ca === undefined ? {} : { ca: o.ca };
    // ldapts speaks TLS from the start whenever it is given TLS options: only for ldaps://.
    const client = new Client({ url: o.url, timeout, connectTimeout: timeout, ...(o.url.startsWith('ldaps:') ? { tlsOptions } : {}) });
    const session = new DirectorySession(client, o.url);
    try {
      if (o.startTls) {
        if (o.url.startsWith('ldaps:')) throw new RmsError('INVALID_ARGUMENT', `${o.url} is TLS already (ldaps://); StartTLS is for ldap://`, { argument: 'startTls' });
        // SNI names a host; RFC 6066 has no place for an address.
        const host = new URL(o.url).hostname;
        await client.startTLS({ ...tlsOptions, ...(isIP(host) === 0 ? { servername: host } : {}) }).catch((error: unknown) => { throw directoryError(error, o.url, 'StartTLS'); });
      }
      if (o.bindDn !== undefined) {
        const password = passwordOf(o);
        await client.bind(o.bindDn, password).catch((error: unknown) => { throw directoryError(error, o.url, `bind as ${o.bindDn}`); });
      }
      return session;
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  /**
   * The root DSE's `configurationNamingContext` (Active Directory's
   * `CN=Configuration,DC=...`); NOT_FOUND when the directory has none.
   */
  async configurationNamingContext(): Promise<string> {
    const values = await this.read('', 'configurationNamingContext', 'read the root DSE');
    const context = values?.[0];
    if (context === undefined) throw new RmsError('NOT_FOUND', `${this.url}: the root DSE has no configurationNamingContext`, { serviceUrl: this.url });
    return context;
  }

  /** The values of `attribute` of the object `dn`; null when there is no such object. */
  async read(dn: string, attribute: string, doing = `read ${dn}`): Promise<string[] | null> {
    try {
      const { searchEntries } = await this.client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [attribute] });
      const entry = searchEntries[0];
      if (entry === undefined) return null;
      const found = Object.entries(entry).find(([name]) => name.toLowerCase() === attribute.toLowerCase())?.[1];
      if (found === undefined) return [];
      return (Array.isArray(found) ? found : [found]).map((value) => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value)));
    } catch (error) {
      if (error instanceof NoSuchObjectError) return null;
      throw directoryError(error, this.url, doing);
    }
  }

  async add(dn: string, attributes: Record<string, string[]>): Promise<void> {
    await this.client.add(dn, attributes).catch((error: unknown) => { throw directoryError(error, this.url, `add ${dn}`); });
  }

  /** Sets `attribute` of `dn` to `values`, replacing what it held. */
  async replace(dn: string, attribute: string, values: string[]): Promise<void> {
    const change = new Change({ operation: 'replace', modification: new Attribute({ type: attribute, values }) });
    await this.client.modify(dn, change).catch((error: unknown) => { throw directoryError(error, this.url, `modify ${dn}`); });
  }

  async delete(dn: string): Promise<void> {
    await this.client.del(dn).catch((error: unknown) => { throw directoryError(error, this.url, `delete ${dn}`); });
  }

  async close(): Promise<void> {
    // An unbind on a connection that never opened, or already broke, has nothing to say.
    await this.client.unbind().catch(() => undefined);
  }
}
