/**
 * The client's store (DESIGN decision 10): plain files under one root, owner-only (folders 0700,
 * files 0600), every write to a temporary file then renamed over the old one, so a crash never
 * leaves half a file. An entry that cannot be read is dropped and fetched again, never fatal.
 *
 *   <root>/current.json                        which service `openrms` commands use
 *   <root>/keys/<key ID>.pem                   the user's private keys (made here, never sent)
 *   <root>/services/<service ID>/account.json  service URL, pinned SLC, identity, RAC, CLC, tokens
 *   <root>/services/<service ID>/ca.pem        CA certificates given at sign-in (login --ca), trusted for this service
 *   <root>/services/<service ID>/licenses/<content ID>_<owner tag>.jws  cached use licenses
 *   <root>/locks/<name>.lock                   held while one process updates shared state
 *   <root>/discovery.json                      services discovery found, each until it expires
 *   <root>/templates/<service ID>/templates.json  the service's signed templates, last downloaded
 *   <root>/templates/<service ID>/Template.json   when they were downloaded (MSIPC's per-server
 *                                              `Template` key: delete it to download at once)
 *   <root>/UnmanagedTemplates/*.xml            template files an administrator placed (read only)
 *
 * The service ID is the thumbprint of the service's signing key, pinned at sign-in.
 *
 * On POSIX systems the root must be the user's own: checked once, when the store is first used
 * (see store-ownership.ts).
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';

import { AsymmetricKey } from '../crypto/asymmetric-key';
import { randomBytes } from '../crypto/random';
import { fileSystemError, RmsError } from '../errors';
import { IdentityKind } from '../license/certificates';
import { secureStoreRoot } from './store-ownership';

export interface StoredToken {
  accessToken: string;
  expiresAt?: number;
  refreshToken?: string;
  /** The base URL it was obtained at (absent in stores written before: the account's URL). */
  serviceUrl?: string;
  /** The authority that issued it: its refresh token is redeemed there only. */
  authority?: string;
}

export interface ServiceAccount {
  /** Base URL of the service. */
  url: string;
  /** The service's SLC, as pinned at sign-in. */
  slc: string;
  identity: string;
  kind: IdentityKind;
  /** Key ID of the user's RAC key in keys/. */
  keyId: string;
  rac: string;
  clc: string | null;
  token: StoredToken | null;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;
/** A lock older than this is from a process that died holding it, and is broken. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 60_000;

function checkId(what: string, id: string): string {
  if (!ID.test(id)) throw new RmsError('INVALID_ARGUMENT', `${what} ${id} is not a valid store name`, { argument: what });
  return id;
}

export class ClientStore {
  private secured = false;

  constructor(readonly root: string) {}

  /**
   * Checks the root once it exists (STORE_NOT_SECURE when another user owns it), before anything
   * is read from or written to it. A root that was writable by others is tightened to 0700 and
   * a process warning (code OPENRMS_STORE_TIGHTENED) says so.
   */
  private secureRoot(): void {
    if (this.secured) return;
    const tightened = secureStoreRoot(this.root);
    // Not there yet: checked again when the first write creates it.
    if (tightened === null) return;
    for (const folder of tightened) {
      process.emitWarning(`the store folder ${folder.path} was writable by other users (mode ${folder.previousMode.toString(8)}); it is now 0700`, {
        code: 'OPENRMS_STORE_TIGHTENED',
      });
    }
    this.secured = true;
  }

  private ensureDir(dir: string): void {
    try {
      if (!this.secured) mkdirSync(this.root, { recursive: true, mode: 0o700 });
      this.secureRoot();
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw fileSystemError(error, dir);
    }
  }

  /** Writes a file atomically, owner-only. */
  private write(file: string, contents: string): void {
    this.ensureDir(path.dirname(file));
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      writeFileSync(temp, contents, { mode: 0o600 });
      renameSync(temp, file);
    } catch (error) {
      rmSync(temp, { force: true });
      throw fileSystemError(error, file);
    }
  }

  /** A file's text, or null when it is missing. */
  private read(file: string): string | null {
    this.secureRoot();
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return null;
      throw fileSystemError(error, file);
    }
  }

  /** A JSON file, or null when it is missing or unreadable (then it is dropped). */
  private readJson<T>(file: string): T | null {
    const text = this.read(file);
    if (text === null) return null;
    try {
      return JSON.parse(text) as T;
    } catch {
      rmSync(file, { force: true });
      return null;
    }
  }

  private serviceDir(serviceId: string): string {
    return path.join(this.root, 'services', checkId('service ID', serviceId));
  }

  /**
   * Runs `fn` holding the store's lock `name`, so that processes sharing the store (parallel
   * `openrms protect` runs, say) take turns at read-modify-write of shared state such as the
   * sign-in's tokens. The lock is a file created exclusively; one left by a dead process is
   * broken after 30 s.
   */
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const dir = path.join(this.root, 'locks');
    this.ensureDir(dir);
    const file = path.join(dir, `${checkId('lock', name)}.lock`);
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'EEXIST') throw fileSystemError(error, file);
      }
      let age = 0;
      try {
        age = Date.now() - statSync(file).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if (age > STALE_LOCK_MS) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new RmsError('IO_ERROR', `the store lock ${file} is held by another process`);
      await sleep(10 + Math.floor(Math.random() * 40));
    }
    try {
      return await fn();
    } finally {
      rmSync(file, { force: true });
    }
  }

  saveKey(key: AsymmetricKey): string {
    const id = key.thumbprint();
    this.ensureDir(path.join(this.root, 'keys'));
    chmodSync(path.join(this.root, 'keys'), 0o700);
    this.write(path.join(this.root, 'keys', `${checkId('key ID', id)}.pem`), key.exportPem({ includePrivate: true }));
    return id;
  }

  loadKey(keyId: string): AsymmetricKey {
    const pem = this.read(path.join(this.root, 'keys', `${checkId('key ID', keyId)}.pem`));
    if (pem === null) throw new RmsError('NOT_SIGNED_IN', `the store has no key ${keyId}; sign in again`);
    return AsymmetricKey.importPem(pem);
  }

  saveAccount(serviceId: string, account: ServiceAccount): void {
    this.write(path.join(this.serviceDir(serviceId), 'account.json'), `${JSON.stringify(account, null, 2)}\n`);
  }

  loadAccount(serviceId: string): ServiceAccount | null {
    return this.readJson<ServiceAccount>(path.join(this.serviceDir(serviceId), 'account.json'));
  }

  /** Remembers the CA certificates (PEM) a service's TLS certificate is trusted under. */
  saveCa(serviceId: string, pem: string): void {
    this.write(path.join(this.serviceDir(serviceId), 'ca.pem'), pem);
  }

  /** The CA certificates remembered for a service, or null. */
  loadCa(serviceId: string): string | null {
    return this.read(path.join(this.serviceDir(serviceId), 'ca.pem'));
  }

  setCurrent(serviceId: string): void {
    this.write(path.join(this.root, 'current.json'), `${JSON.stringify({ service: checkId('service ID', serviceId) })}\n`);
  }

  current(): string | null {
    const value = this.readJson<{ service?: unknown }>(path.join(this.root, 'current.json'));
    return typeof value?.service === 'string' && ID.test(value.service) ? value.service : null;
  }

  /** The IDs of every service this store holds a sign-in for (enrolled explicitly or on demand). */
  serviceIds(): string[] {
    this.secureRoot();
    try {
      return readdirSync(path.join(this.root, 'services')).filter((name) => ID.test(name)).sort();
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return [];
      throw fileSystemError(error, path.join(this.root, 'services'));
    }
  }

  /** The discovery cache (its entries are lib/discovery/discovery-cache.ts's). */
  saveDiscovery(entries: unknown): void {
    this.write(path.join(this.root, 'discovery.json'), `${JSON.stringify(entries, null, 2)}\n`);
  }

  loadDiscovery(): unknown {
    return this.readJson<unknown>(path.join(this.root, 'discovery.json'));
  }

  private templatesDir(serviceId: string): string {
    return path.join(this.root, 'templates', checkId('service ID', serviceId));
  }

  /** A service's template cache (lib/templates/template-cache.ts reads it), or null when missing or damaged. */
  saveTemplateCache(serviceId: string, cache: unknown): void {
    this.write(path.join(this.templatesDir(serviceId), 'templates.json'), `${JSON.stringify(cache, null, 1)}\n`);
  }

  loadTemplateCache(serviceId: string): unknown {
    return this.readJson<unknown>(path.join(this.templatesDir(serviceId), 'templates.json'));
  }

  /** The per-service `Template` marker (lib/templates/refresh-schedule.ts). */
  saveTemplateMarker(serviceId: string, marker: unknown): void {
    this.write(path.join(this.templatesDir(serviceId), 'Template.json'), `${JSON.stringify(marker)}\n`);
  }

  loadTemplateMarker(serviceId: string): unknown {
    return this.readJson<unknown>(path.join(this.templatesDir(serviceId), 'Template.json'));
  }

  deleteTemplateMarker(serviceId: string): void {
    this.secureRoot();
    rmSync(path.join(this.templatesDir(serviceId), 'Template.json'), { force: true });
  }

  /** The folder of template files an administrator places (MSIPC's UnmanagedTemplates), directly under the root. */
  get unmanagedTemplatesFolder(): string {
    return path.join(this.root, 'UnmanagedTemplates');
  }

  saveUseLicense(serviceId: string, contentId: string, ul: string): void {
    this.write(path.join(this.serviceDir(serviceId), 'licenses', `${checkId('content ID', contentId)}.jws`), ul);
  }

  loadUseLicense(serviceId: string, contentId: string): string | null {
    return this.read(path.join(this.serviceDir(serviceId), 'licenses', `${checkId('content ID', contentId)}.jws`));
  }

  /**
   * What identifies the cached UL file as it is now (inode, size, change time), or null when there
   * is none: the store replaces a file by renaming a new one over it, and any change in place
   * moves its change time, so a stamp seen again is the same file with the same bytes.
   */
  useLicenseStamp(serviceId: string, contentId: string): string | null {
    const file = path.join(this.serviceDir(serviceId), 'licenses', `${checkId('content ID', contentId)}.jws`);
    try {
      const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
      return stat === undefined ? null : `${stat.ino}.${stat.size}.${stat.ctimeNs}`;
    } catch (error) {
      throw fileSystemError(error, file);
    }
  }

  dropUseLicenses(serviceId: string): void {
    this.secureRoot();
    rmSync(path.join(this.serviceDir(serviceId), 'licenses'), { recursive: true, force: true });
  }

  dropUseLicense(serviceId: string, contentId: string): void {
    this.secureRoot();
    rmSync(path.join(this.serviceDir(serviceId), 'licenses', `${checkId('content ID', contentId)}.jws`), { force: true });
  }
}
