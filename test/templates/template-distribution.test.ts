/**
 * Templates as a client gets them from a real licensing service on loopback: downloaded and
 * cached per issuer, downloaded again on the schedule (an injected clock), kept when a refresh
 * fails while the service is down, replaced by UnmanagedTemplates files (tampered, foreign and
 * unsigned ones skipped, the trace saying why), a damaged cache recovered, the Template marker's
 * deletion forcing a download, server mode with its own folders and keys, the background timer.
 */
import { spawn } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import net from 'node:net';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { clientCredentialsTokenProvider, decodeJws, passwordTokenProvider, RmsClient, RmsClientOptions } from '../../lib';
import { startService } from '../../lib/server';
import { TraceEvent } from '../../lib/client/trace';
import { ClientStore } from '../../lib/store/client-store';
import { requireBuilt, ROOT } from '../support/built-package';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';
import { settingsFolders, SettingsFolders, V5 } from '../settings/temp-folders';

const T0 = Math.floor(Date.now() / 1000);
const staff = [{ who: 'staff@contoso.com', rights: ['VIEW'] }];

/** Template list downloads the service answered (a challenge and its retry count once). */
function downloads(t: TestService): number {
  return t.logs.filter((e) => e.event === 'request' && e.method === 'GET' && e.path === '/_wmcs/licensing/templates' && e.status === 200).length;
}

/** The trace events published while `fn` runs. */
async function traced<T>(fn: () => Promise<T>): Promise<{ result: T; events: TraceEvent[] }> {
  const events: TraceEvent[] = [];
  const listener = (message: unknown) => events.push(message as TraceEvent);
  subscribe('openrms:trace', listener);
  try {
    return { result: await fn(), events };
  } finally {
    unsubscribe('openrms:trace', listener);
  }
}

describe('templates on a client', () => {
  let t: TestService;
  let clock = T0;
  const now = () => clock;
  const storeOf = (email: string) => path.join(t.root, 'users', email);
  const reopen = (email: string, o: RmsClientOptions = {}) => RmsClient.open({ store: storeOf(email), now, settings: { trace: true }, ...o });

  beforeAll(async () => {
    t = await startTestService();
    await t.addUser('alice@contoso.com');
    await t.addUser('bob@contoso.com');
    await (await t.signIn('alice@contoso.com')).close();
    await (await t.signIn('bob@contoso.com')).close();
    await t.service.templates.create({ name: 'Confidential', names: { fr: 'Confidentiel' }, description: 'staff may view', grants: staff });
  });
  afterAll(() => t.cleanup());
  beforeEach(() => {
    clock = T0;
  });

  /** Runs `fn` with the service stopped (and `stand-in` listening on its port instead, if given), then starts it again on the same port and data. */
  async function whileServiceDown(fn: () => Promise<void>, standIn?: net.Server): Promise<void> {
    const port = Number(new URL(t.service.url).port);
    await t.stop();
    try {
      if (standIn !== undefined) await new Promise<void>((resolve) => standIn.listen(port, '127.0.0.1', resolve));
      await fn();
    } finally {
      if (standIn !== undefined) await new Promise((resolve) => standIn.close(resolve));
      // The same data folder and port: the clients find their service again.
      const service = await startService({ dataDir: path.join(t.root, 'service'), port, log: (e) => t.logs.push(e) });
      t = { ...t, service, stop: () => service.close(), cleanup: async () => { await service.close(); rmSync(t.root, { recursive: true, force: true }); } };
    }
  }

  it('downloads, caches per issuer, answers from the cache within the interval and downloads again after it', async () => {
    const alice = reopen('alice@contoso.com', { settings: { trace: true, templateUpdateFrequencyInSeconds: 3600 } });
    const before = downloads(t);
    const first = await alice.getTemplates({ locale: 'fr-FR' });
    expect(first.map((x) => [x.name, x.source, x.issuer])).toEqual([['Confidentiel', 'service', t.service.url]]);
    expect(downloads(t)).toBe(before + 1);
    const folder = path.join(storeOf('alice@contoso.com'), 'templates', alice.serviceId);
    expect(JSON.parse(readFileSync(path.join(folder, 'templates.json'), 'utf8'))).toMatchObject({ serviceId: alice.serviceId, issuer: t.service.url });
    expect(JSON.parse(readFileSync(path.join(folder, 'Template.json'), 'utf8'))).toEqual({ refreshedAt: T0, failures: 0, retryAt: null });

    const added = await t.service.templates.create({ name: 'Partners', grants: staff });
    clock = T0 + 3599;
    expect((await alice.getTemplates({ locale: 'en' })).map((x) => [x.name, x.source])).toEqual([['Confidential', 'cache']]);
    expect(downloads(t)).toBe(before + 1);
    clock = T0 + 3600;
    expect((await alice.getTemplates({ locale: 'en' })).map((x) => x.name).sort()).toEqual(['Confidential', 'Partners']);
    expect(downloads(t)).toBe(before + 2);
    await t.service.templates.archive(added.id);
    await alice.refreshTemplates({ force: true });
    alice.close();
  });

  it('at a publishing request, deleting the Template marker downloads at once; otherwise the cache serves', async () => {
    const alice = reopen('alice@contoso.com');
    await alice.getTemplates({ forceDownload: true });
    const before = downloads(t);
    (await alice.serializeLicense(await alice.createLicenseFromTemplate('confidential'))).contentKey.close();
    expect(downloads(t)).toBe(before);
    rmSync(path.join(storeOf('alice@contoso.com'), 'templates', alice.serviceId, 'Template.json'));
    (await alice.serializeLicense(await alice.createLicenseFromTemplate('Confidential'))).contentKey.close();
    expect(downloads(t)).toBe(before + 1);
    alice.close();
  });

  it('recovers from a damaged cache file: it is ignored and downloaded again', async () => {
    const alice = reopen('alice@contoso.com');
    await alice.getTemplates({ forceDownload: true });
    const file = path.join(storeOf('alice@contoso.com'), 'templates', alice.serviceId, 'templates.json');
    writeFileSync(file, '{"serviceId": "half-writ');
    const before = downloads(t);
    expect((await alice.getTemplates({ locale: 'en' })).map((x) => [x.name, x.source])).toEqual([['Confidential', 'service']]);
    expect(downloads(t)).toBe(before + 1);
    expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();

    // A template edited in the cache file no longer verifies: left out, and the trace says why.
    const cache = JSON.parse(readFileSync(file, 'utf8'));
    const [h, p, s] = cache.templates[0].split('.');
    const edited = JSON.parse(Buffer.from(p, 'base64url').toString());
    edited.grants = [{ who: 'mallory@contoso.com', rights: ['OWNER'] }];
    cache.templates[0] = [h, Buffer.from(JSON.stringify(edited)).toString('base64url'), s].join('.');
    writeFileSync(file, JSON.stringify(cache));
    const { result, events } = await traced(() => alice.getTemplates({ offlineOnly: true }));
    expect(result).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ event: 'template-skipped', code: 'INVALID_SIGNATURE' }));
    await alice.refreshTemplates({ force: true });
    alice.close();
  });

  it('a refresh that fails while the service is down keeps the cache, protects from it, and retries with backoff', async () => {
    const alice = reopen('alice@contoso.com', { settings: { trace: true, templateUpdateFrequencyInSeconds: 60 } });
    await alice.getTemplates({ forceDownload: true });
    await whileServiceDown(async () => {
      clock = T0 + 61;
      const license = await alice.createLicenseFromTemplate('Confidential');
      const serialized = await alice.serializeLicense(license);
      serialized.contentKey.close();
      const marker = () => JSON.parse(readFileSync(path.join(storeOf('alice@contoso.com'), 'templates', alice.serviceId, 'Template.json'), 'utf8'));
      expect(marker()).toEqual({ refreshedAt: T0, failures: 1, retryAt: T0 + 61 + 60 });
      // Within the retry delay nothing is attempted (the marker is untouched); after it, again.
      clock = T0 + 100;
      expect((await alice.getTemplates({ locale: 'en' }))[0]!.source).toBe('cache');
      expect(marker().failures).toBe(1);
      clock = T0 + 121;
      const { result, events } = await traced(() => alice.getTemplates({ locale: 'en' }));
      expect(result[0]!.source).toBe('cache');
      expect(marker()).toEqual({ refreshedAt: T0, failures: 2, retryAt: T0 + 121 + 60 });
      expect(events).toContainEqual(expect.objectContaining({ event: 'templates-download', code: 'SERVICE_UNAVAILABLE' }));
      // Asked for explicitly, the failure is reported.
      expect(await alice.refreshTemplates({ force: true })).toEqual([expect.objectContaining({ outcome: 'failed', error: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }) })]);
      // With nothing cached, there is nothing to protect with: the reason, not an empty list.
      const bob = reopen('bob@contoso.com');
      await expect(bob.getTemplates()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      await expect(bob.getTemplates({ offlineOnly: true })).rejects.toMatchObject({ code: 'NEEDS_ONLINE' });
      bob.close();
    });
    clock = T0 + 200;
    expect((await alice.getTemplates({ locale: 'en' }))[0]!.source).toBe('service');
    alice.close();
  });

  it('lists the issuers this identity is enrolled at, and downloads and publishes at each one', async () => {
    const other = await startTestService();
    try {
      await other.addUser('alice@contoso.com');
      await other.service.templates.create({ name: 'Partners only', grants: staff });
      (await RmsClient.signIn({ store: storeOf('alice@contoso.com'), serviceUrl: other.service.url,
        tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) })).close();
      const alice = reopen('alice@contoso.com', { service: t.service.url });
      expect(alice.getTemplateIssuers().map((i) => [i.url, i.isDefault])).toEqual([[t.service.url, true], [other.service.url, false]]);
      // An UnmanagedTemplates file stands in for the default service only.
      const folder = path.join(storeOf('alice@contoso.com'), 'UnmanagedTemplates');
      mkdirSync(folder);
      writeFileSync(path.join(folder, 'confidential.xml'), await alice.exportTemplate('Confidential', { offlineOnly: true }));
      try {
        const theirs = await alice.getTemplates({ issuer: other.service.url, locale: 'en' });
        expect(theirs.map((x) => [x.name, x.issuer, x.source])).toEqual([['Partners only', other.service.url, 'service']]);
        const outcomes = await alice.refreshTemplates({ force: true });
        expect(outcomes.map((o) => [o.issuer, o.outcome])).toEqual([[t.service.url, 'unmanaged'], [other.service.url, 'downloaded']]);
        // A license from another issuer's template is published at that issuer.
        const serialized = await alice.serializeLicense(await alice.createLicenseFromTemplate('partners only', { issuer: other.service.url }));
        expect(decodeJws<{ iss: string }>(serialized.publishingLicense).payload.iss).not.toBe(alice.serviceId);
        serialized.contentKey.close();
        await expect(alice.createLicenseFromTemplate('Partners only')).rejects.toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
        await expect(alice.getTemplates({ issuer: 'https://unknown.example' })).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
      } finally {
        rmSync(folder, { recursive: true, force: true });
        // Signing in elsewhere made that service the store's default: the other tests want this one.
        new ClientStore(storeOf('alice@contoso.com')).setCurrent(alice.serviceId);
        alice.close();
      }
    } finally {
      await other.cleanup();
    }
  });

  it('a stalled service does not hold up protection with cached templates: the cache answers, the download goes on', async () => {
    const alice = reopen('alice@contoso.com', { settings: { trace: true, templateUpdateFrequencyInSeconds: 60 } });
    await alice.getTemplates({ forceDownload: true });
    const marker = () => JSON.parse(readFileSync(path.join(storeOf('alice@contoso.com'), 'templates', alice.serviceId, 'Template.json'), 'utf8'));
    const held: net.Socket[] = [];
    // Accepts connections and never answers.
    const stalled = net.createServer((socket) => {
      held.push(socket);
      socket.on('error', () => {});
    });
    await whileServiceDown(async () => {
      clock = T0 + 61;
      const license = await alice.createLicenseFromTemplate('Confidential');
      expect(license.template).not.toBeNull();
      // Answered while the download is still waiting on the stalled service: nothing recorded yet.
      expect(held.length).toBeGreaterThan(0);
      expect(marker()).toEqual({ refreshedAt: T0, failures: 0, retryAt: null });
      for (const socket of held) socket.destroy();
      const deadline = Date.now() + 10_000;
      while (marker().failures === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(marker()).toMatchObject({ refreshedAt: T0, failures: 1 });
    }, stalled);
    alice.close();
  });

  describe('UnmanagedTemplates', () => {
    const folder = () => path.join(storeOf('alice@contoso.com'), 'UnmanagedTemplates');
    afterEach(() => rmSync(folder(), { recursive: true, force: true }));

    it('files in the folder replace the default service\'s templates: no download, and other issuers still download', async () => {
      const alice = reopen('alice@contoso.com');
      const xml = await alice.exportTemplate('Confidential');
      await t.service.templates.create({ name: 'Only online', grants: staff });
      mkdirSync(folder());
      writeFileSync(path.join(folder(), 'Company policy.XML'), xml);
      const before = downloads(t);
      const listed = await alice.getTemplates({ forceDownload: true, locale: 'en' });
      expect(listed.map((x) => [x.name, x.source])).toEqual([['Confidential', 'unmanaged']]);
      expect(downloads(t)).toBe(before);
      (await alice.serializeLicense(await alice.createLicenseFromTemplate('Confidential'))).contentKey.close();
      await expect(alice.createLicenseFromTemplate('Only online')).rejects.toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
      expect(await alice.refreshTemplates({ issuer: t.service.url })).toEqual([expect.objectContaining({ outcome: 'unmanaged', templates: 1 })]);
      await t.service.templates.archive((await t.service.templates.find('Only online')).id);
      alice.close();
    });

    it('files are listed only to users in their audience, as the service lists templates', async () => {
      const bobs = await t.service.templates.create({ name: 'For Bob', grants: staff, audience: ['bob@contoso.com'] });
      const bob = reopen('bob@contoso.com');
      await bob.getTemplates({ forceDownload: true });
      const xml = await bob.exportTemplate('For Bob');
      bob.close();
      const alice = reopen('alice@contoso.com');
      const confidential = await alice.exportTemplate('Confidential');
      mkdirSync(folder());
      writeFileSync(path.join(folder(), 'for-bob.xml'), xml);
      writeFileSync(path.join(folder(), 'confidential.xml'), confidential);
      expect((await alice.getTemplates({ locale: 'en' })).map((x) => [x.name, x.source])).toEqual([['Confidential', 'unmanaged']]);
      await expect(alice.createLicenseFromTemplate('For Bob')).rejects.toMatchObject({ code: 'TEMPLATE_NOT_ENABLED_FOR_USER', hresult: 0x8004021a });
      await t.service.templates.archive(bobs.id);
      alice.close();
    });

    it('tampered, foreign-issuer and unsigned files are skipped, and the trace names each file and why', async () => {
      const alice = reopen('alice@contoso.com');
      const xml = await alice.exportTemplate('Confidential');
      const other = await startTestService();
      try {
        await other.addUser('alice@contoso.com');
        await other.service.templates.create({ name: 'Foreign', grants: staff });
        const elsewhere = await RmsClient.signIn({ store: path.join(other.root, 'alice'), serviceUrl: other.service.url,
          tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) });
        const foreign = await elsewhere.exportTemplate('Foreign');
        elsewhere.close();
        mkdirSync(folder());
        writeFileSync(path.join(folder(), 'tampered.xml'), xml.replace('>VIEW<', '>VIEW EDIT EXPORT<'));
        writeFileSync(path.join(folder(), 'foreign.xml'), foreign);
        writeFileSync(path.join(folder(), 'foreign-renamed.xml'), foreign.replace(other.service.url, t.service.url));
        writeFileSync(path.join(folder(), 'unsigned.xml'), xml.replace(/\s*<SignedTemplate>[^<]*<\/SignedTemplate>/, ''));
        writeFileSync(path.join(folder(), 'readme.txt'), 'not a template');
        const { result, events } = await traced(() => alice.getTemplates());
        expect(result).toEqual([]);
        const skipped = Object.fromEntries(events.filter((e) => e.event === 'template-skipped').map((e) => [e.file, e.code]));
        expect(skipped).toEqual({
          'tampered.xml': 'LICENSE_SPLICED', 'foreign.xml': 'BROKEN_CERT_CHAIN', 'foreign-renamed.xml': 'BROKEN_CERT_CHAIN', 'unsigned.xml': 'INVALID_FORMAT',
        });
        expect(readFileSync(path.join(storeOf('alice@contoso.com'), 'logs', 'trace.log'), 'utf8')).toContain('"file":"tampered.xml"');
      } finally {
        await other.cleanup();
        alice.close();
      }
    });
  });

  it('runs the opt-in background refresh on a timer that does not keep the process alive', async () => {
    requireBuilt();
    const alice = RmsClient.open({ store: storeOf('alice@contoso.com'), settings: { templateUpdateFrequencyInSeconds: 1 }, refreshTemplatesInBackground: true });
    // Earlier tests left a retry delay on the real clock's future: start afresh.
    rmSync(path.join(storeOf('alice@contoso.com'), 'templates', alice.serviceId, 'Template.json'), { force: true });
    const before = downloads(t);
    const deadline = Date.now() + 10_000;
    while (downloads(t) < before + 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(downloads(t)).toBeGreaterThanOrEqual(before + 2);
    alice.close();
    const stopped = downloads(t);
    await new Promise((r) => setTimeout(r, 1500));
    expect(downloads(t)).toBe(stopped);

    // A process that opens a client with the timer and does nothing else ends by itself (status 0, not killed by the timeout).
    const child = spawn(process.execPath, ['-e', `const { RmsClient } = require('./dist');
      RmsClient.open({ store: ${JSON.stringify(storeOf('alice@contoso.com'))}, refreshTemplatesInBackground: true });`], { cwd: ROOT });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code, signal] = await once(child, 'exit');
    clearTimeout(killer);
    expect([code, signal]).toEqual([0, null]);
  });
});

describe('templates in server mode', () => {
  let t: TestService;
  let folders: SettingsFolders;
  const saved = { ...process.env };
  let clock = T0;
  beforeAll(async () => {
    t = await startTestService();
    await t.service.templates.create({ name: 'Records', grants: staff });
    folders = settingsFolders();
    // The machine's .reg folder and the service accounts' stores: what a server's administrator sets.
    process.env.OPENRMS_MACHINE_CONFIG = folders.machine;
    process.env.OPENRMS_SERVER_HOME = path.join(folders.home, 'server');
    process.env.OPENRMS_HOME = path.join(folders.home, 'user-store');
  });
  afterAll(async () => {
    process.env = saved;
    folders.remove();
    await t.cleanup();
  });

  it('keeps templates, marker and UnmanagedTemplates under the service account\'s store, on the schedule of its own key', async () => {
    folders.machineFile('server.reg', V5, '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\Server\\records]', '"TemplateUpdateFrequencyInSeconds"=dword:00000078');
    // The user's key says otherwise: a service account reads no HKCU settings.
    folders.userFile('user.reg', V5, '[HKEY_CURRENT_USER\\Software\\Classes\\Local Settings\\Software\\Microsoft\\MSIPC]', '"TemplateUpdateFrequencyInSeconds"=dword:00000001');
    const { clientId, clientSecret } = await t.service.accounts.addServicePrincipal('records-app@contoso.com');
    const signedIn = await RmsClient.signIn({ mode: 'server', account: 'records', serviceUrl: t.service.url, tokenProvider: clientCredentialsTokenProvider(clientId, clientSecret) });
    signedIn.close();
    const app = RmsClient.open({ mode: 'server', account: 'records', now: () => clock });
    const root = path.join(folders.home, 'server', 'records');
    expect(app.storeRoot).toBe(root);
    expect(app.settings.templateUpdateIntervalSeconds).toBe(120);

    const before = downloads(t);
    expect((await app.getTemplates({ locale: 'en' })).map((x) => [x.name, x.source])).toEqual([['Records', 'service']]);
    expect(existsSync(path.join(root, 'templates', app.serviceId, 'templates.json'))).toBe(true);
    expect(existsSync(path.join(root, 'templates', app.serviceId, 'Template.json'))).toBe(true);
    expect(existsSync(path.join(folders.home, 'user-store', 'templates'))).toBe(false);
    clock = T0 + 119;
    expect((await app.getTemplates({ locale: 'en' }))[0]!.source).toBe('cache');
    clock = T0 + 120;
    expect((await app.getTemplates({ locale: 'en' }))[0]!.source).toBe('service');
    expect(downloads(t)).toBe(before + 2);

    // Its own UnmanagedTemplates folder, under the account's store; a user's folder does nothing for it.
    const xml = await app.exportTemplate('Records');
    mkdirSync(path.join(folders.home, 'user-store', 'UnmanagedTemplates'), { recursive: true });
    writeFileSync(path.join(folders.home, 'user-store', 'UnmanagedTemplates', 'records.xml'), xml);
    expect((await app.getTemplates({ forceDownload: true }))[0]!.source).toBe('service');
    mkdirSync(path.join(root, 'UnmanagedTemplates'));
    writeFileSync(path.join(root, 'UnmanagedTemplates', 'records.xml'), xml);
    expect((await app.getTemplates({ forceDownload: true }))[0]!.source).toBe('unmanaged');
    app.close();
  });
});
