/**
 * Templates on the licensing service (issue 12), against a real service on loopback and real
 * clients: the template's current rights apply when a use license is issued (for content
 * published online and offline from it), archiving, audiences, per-language names, templates
 * the service does not have, and a database from before templates had any of that.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';

import { decodeJws, RmsClient } from '../../lib';
import { LicenseDescriptor } from '../../lib/client/license-descriptor';
import { TemplateClaims } from '../../lib/license/templates';
import { Template } from '../../lib/server';
import { MIGRATIONS } from '../../lib/server/database';
import { codeOf } from '../support/error-code';
import { startTestService, TestService } from '../support/licensing-service';
import { rightsOf } from '../support/rights-of';

const DAY = 86400;

/** The service's clock: real time moved by `shift` seconds, so a test can archive "before" or "after" a PL. */
let shift = 0;
const serviceNow = (): number => Math.floor(Date.now() / 1000) + shift;

let t: TestService;
let admin: RmsClient;
let alice: RmsClient;
let bob: RmsClient;
let carol: RmsClient;
let dave: RmsClient;

beforeAll(async () => {
  t = await startTestService({ now: serviceNow });
  await t.addUser('admin@contoso.com', { admin: true });
  for (const who of ['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'dave@fabrikam.com']) await t.addUser(who);
  admin = await t.signIn('admin@contoso.com');
  alice = await t.signIn('alice@contoso.com');
  bob = await t.signIn('bob@contoso.com');
  carol = await t.signIn('carol@contoso.com');
  dave = await t.signIn('dave@fabrikam.com');
}, 60_000);

afterAll(async () => {
  for (const c of [admin, alice, bob, carol, dave]) c?.close();
  await t?.cleanup();
});

afterEach(() => { shift = 0; });

/** A call of the service's protocol as `client`'s signed-in identity, over HTTP. */
function call(client: RmsClient, method: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
  return client.defaultSession().connection.callAuthenticated(method, route, body);
}

let counter = 0;
async function createTemplate(definition: Record<string, unknown>): Promise<Template> {
  counter += 1;
  const answer = await call(admin, 'POST', '/_wmcs/licensing/templates', { name: `Template ${counter}`, ...definition });
  return answer.template as Template;
}

async function updateTemplate(id: string, changes: Record<string, unknown>): Promise<Template> {
  return (await call(admin, 'PUT', `/_wmcs/licensing/templates/${id}`, changes)).template as Template;
}

async function archiveTemplate(id: string): Promise<Template> {
  return (await call(admin, 'DELETE', `/_wmcs/licensing/templates/${id}`)).template as Template;
}

/** The claims of the signed templates `client` is offered. */
async function offered(client: RmsClient): Promise<TemplateClaims[]> {
  const answer = await call(client, 'GET', '/_wmcs/licensing/templates');
  return (answer.templates as string[]).map((token) => decodeJws<TemplateClaims>(token).payload);
}

/**
 * A license from template `template` as a client makes one (IpcCreateLicenseFromTemplateID):
 * the template's grants at this moment copied into it, OWNER for the owner, the template named.
 * Made by hand so the template need not be one the client is offered.
 */
function fromTemplate(client: RmsClient, template: Pick<Template, 'id' | 'grants' | 'offlineDays'>): LicenseDescriptor {
  return { ...client.createLicense({ grants: template.grants, offlineDays: template.offlineDays, autoGrantOwner: true }), template: template.id };
}

/** A PL from `template`: signed by alice's CLC (offline, no request) or by the service (online). */
async function publish(client: RmsClient, template: Pick<Template, 'id' | 'grants' | 'offlineDays'>, online: boolean): Promise<string> {
  const serialized = await client.serializeLicense(fromTemplate(client, template), { online });
  serialized.contentKey.close();
  return serialized.publishingLicense;
}

function cidOf(pl: string): string {
  return decodeJws<{ cid: string }>(pl).payload.cid;
}

describe("the template's current rights apply when a use license is issued", () => {
  it.each([['online', true], ['offline', false]])('changes who may open content published %s from it when the template is edited; the owner keeps OWNER', async (_, online) => {
    const template = await createTemplate({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 });
    const pl = await publish(alice, template, online);
    expect(await rightsOf(bob, pl)).toEqual(['VIEW']);
    expect(await rightsOf(carol, pl)).toBe('RIGHT_NOT_GRANTED');

    await updateTemplate(template.id, { grants: [{ who: 'carol@contoso.com', rights: ['VIEW', 'EDIT'] }] });
    expect(await rightsOf(bob, pl)).toBe('RIGHT_NOT_GRANTED');
    expect(await rightsOf(carol, pl)).toEqual(['EDIT', 'VIEW']);
    const owner = await alice.getContentKey(pl);
    expect(owner.rights).toEqual(['OWNER']);
    // The owner is told the policy that now applies, not the one copied into the PL.
    expect(owner.policy).toMatchObject({ template: template.id, grants: [{ who: 'carol@contoso.com', rights: ['EDIT', 'VIEW'] }, { who: 'alice@contoso.com', rights: ['OWNER'] }] });
    owner.close();
  });

  it("gives use licenses the template's current offline days", async () => {
    const template = await createTemplate({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 });
    const pl = await publish(alice, template, false);
    const online = await bob.getContentKey(pl);
    expect(online.licenseValidUntil.getTime()).toBeLessThan(Date.now() + DAY * 1000);
    online.close();
    await updateTemplate(template.id, { offlineDays: 2 });
    const offline = await bob.getContentKey(pl);
    expect(offline.licenseValidUntil.getTime()).toBeGreaterThan(Date.now() + DAY * 1000);
    offline.close();
  });

  it('refuses, and audits, a PL naming a template this service does not have', async () => {
    const unknown = { id: '6f1c1f64-8a6b-4d3e-9f0a-2b7c5d9e8a11', grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 };
    const pl = await publish(alice, unknown, false);
    expect(await rightsOf(bob, pl)).toBe('TEMPLATE_NOT_FOUND');
    expect((await t.service.audit.recent(10, cidOf(pl)))[0]).toMatchObject({ actor: 'bob@contoso.com', action: 'use-license', outcome: 'refused', reason: 'TEMPLATE_NOT_FOUND' });
    expect(await codeOf(publish(alice, unknown, true))).toBe('TEMPLATE_NOT_FOUND');
  });
});

describe('an archived template', () => {
  it('protects nothing new online; content protected with it still opens, under its current grants', async () => {
    const template = await createTemplate({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 });
    const before = await publish(alice, template, true);
    const archived = await archiveTemplate(template.id);
    expect(archived).toMatchObject({ archived: true, archivedAt: expect.any(Number) });
    expect((await offered(alice)).map((x) => x.id)).not.toContain(template.id);

    expect(await codeOf(publish(alice, template, true))).toBe('TEMPLATE_ARCHIVED');
    expect((await t.service.audit.recent(20)).find((e) => e.action === 'publish' && e.outcome === 'refused')).toMatchObject({ actor: 'alice@contoso.com', reason: 'TEMPLATE_ARCHIVED' });
    expect(await rightsOf(bob, before)).toEqual(['VIEW']);
    await updateTemplate(template.id, { grants: [{ who: 'carol@contoso.com', rights: ['VIEW'] }] });
    expect(await rightsOf(bob, before)).toBe('RIGHT_NOT_GRANTED');
    expect(await rightsOf(carol, before)).toEqual(['VIEW']);
  });

  it('admits content published offline from it before it was archived, first seen after', async () => {
    const template = await createTemplate({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 });
    const madeBefore = await publish(alice, template, false);
    shift = 120; // archived two minutes after madeBefore was published (and never seen)
    await archiveTemplate(template.id);
    shift = 0;
    const archivedAt = (await call(admin, 'GET', '/_wmcs/licensing/templates?all=1')).templates as Template[];
    expect(archivedAt.find((x) => x.id === template.id)?.archivedAt).toBeGreaterThan(decodeJws<{ iat: number }>(madeBefore).payload.iat);

    expect(await rightsOf(bob, madeBefore)).toEqual(['VIEW']);
    // The archive time is the first one: archiving again does not make madeBefore late.
    await archiveTemplate(template.id);
    expect(await rightsOf(bob, madeBefore)).toEqual(['VIEW']);
  });

  it('refuses a PL whose issue time is after the archive time', async () => {
    const template = await createTemplate({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 });
    shift = -120; // the archive time is two minutes before the PL's issue time
    await archiveTemplate(template.id);
    shift = 0;
    const madeAfter = await publish(alice, template, false);
    expect(await rightsOf(bob, madeAfter)).toBe('TEMPLATE_ARCHIVED');
    expect(await rightsOf(alice, madeAfter)).toBe('TEMPLATE_ARCHIVED');
    expect((await t.service.audit.recent(10, cidOf(madeAfter)))[0]).toMatchObject({ actor: 'alice@contoso.com', outcome: 'refused', reason: 'TEMPLATE_ARCHIVED' });
  });
});

describe('audience', () => {
  let forAlice: Template;
  let forEveryone: Template;
  let forFabrikam: Template;
  beforeAll(async () => {
    forAlice = await createTemplate({ grants: [{ who: 'carol@contoso.com', rights: ['VIEW'] }], audience: ['Alice@Contoso.com'], offlineDays: 0 });
    forEveryone = await createTemplate({ grants: [{ who: 'carol@contoso.com', rights: ['VIEW'] }], offlineDays: 0 });
    forFabrikam = await createTemplate({ grants: [{ who: 'carol@contoso.com', rights: ['VIEW'] }], audience: ['@Fabrikam.com', 'alice@contoso.com'], offlineDays: 0 });
  });

  it('offers each user only the live templates enabled for them, with their audience', async () => {
    const ids = async (client: RmsClient) => (await offered(client)).map((x) => x.id).filter((id) => [forAlice.id, forEveryone.id, forFabrikam.id].includes(id));
    expect(new Set(await ids(alice))).toEqual(new Set([forAlice.id, forEveryone.id, forFabrikam.id]));
    expect(new Set(await ids(dave))).toEqual(new Set([forEveryone.id, forFabrikam.id]));
    expect(await ids(bob)).toEqual([forEveryone.id]);
    expect((await offered(alice)).find((x) => x.id === forFabrikam.id)?.audience).toEqual(['@fabrikam.com', 'alice@contoso.com']);
  });

  it('refuses, and audits, online publishing by a user the template is not enabled for; an @domain entry enables its domain', async () => {
    expect(await codeOf(publish(bob, forAlice, true))).toBe('TEMPLATE_NOT_ENABLED_FOR_USER');
    expect((await t.service.audit.recent(20)).find((e) => e.actor === 'bob@contoso.com' && e.action === 'publish')).toMatchObject({ outcome: 'refused', reason: 'TEMPLATE_NOT_ENABLED_FOR_USER' });
    expect(await codeOf(publish(bob, forFabrikam, true))).toBe('TEMPLATE_NOT_ENABLED_FOR_USER');
    expect(await rightsOf(carol, await publish(dave, forFabrikam, true))).toEqual(['VIEW']);
    expect(await rightsOf(carol, await publish(alice, forAlice, true))).toEqual(['VIEW']);
  });

  it('refuses content published offline by a user the template is not enabled for, on first sight', async () => {
    const pl = await publish(bob, forAlice, false);
    expect(await rightsOf(carol, pl)).toBe('TEMPLATE_NOT_ENABLED_FOR_USER');
    expect(await rightsOf(bob, pl)).toBe('TEMPLATE_NOT_ENABLED_FOR_USER');
    expect(await rightsOf(carol, await publish(dave, forFabrikam, false))).toEqual(['VIEW']);
  });
});

describe('definitions', () => {
  it('keeps names and descriptions per language through create, update and list, tags in canonical form', async () => {
    const created = await createTemplate({
      name: 'Confidential', description: 'Staff only',
      names: { 'en-us': 'Confidential', fr: 'Confidentiel', 'ZH-hant-tw': '機密' }, descriptions: { 'fr-ca': 'Personnel seulement' },
      grants: [{ who: 'bob@contoso.com', rights: ['VIEWER'] }],
    });
    expect(created).toMatchObject({ names: { 'en-US': 'Confidential', fr: 'Confidentiel', 'zh-Hant-TW': '機密' }, descriptions: { 'fr-CA': 'Personnel seulement' } });

    // A partial update: only the fields given change.
    const updated = await updateTemplate(created.id, { names: { de: 'Vertraulich' } });
    expect(updated).toMatchObject({ name: 'Confidential', description: 'Staff only', names: { de: 'Vertraulich' }, descriptions: { 'fr-CA': 'Personnel seulement' }, grants: created.grants });
    const signed = (await offered(alice)).find((x) => x.id === created.id);
    expect(signed).toMatchObject({ name: 'Confidential', names: { de: 'Vertraulich' }, descriptions: { 'fr-CA': 'Personnel seulement' }, audience: [] });
  });

  it('keeps names unique whatever their case', async () => {
    const first = await createTemplate({ name: 'Partners - 7 days', grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] });
    expect(await codeOf(createTemplate({ name: 'PARTNERS - 7 DAYS', grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] }))).toBe('CONFLICT');
    const other = await createTemplate({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] });
    expect(await codeOf(updateTemplate(other.id, { name: 'partners - 7 days' }))).toBe('CONFLICT');
    expect((await t.service.templates.find('partners - 7 DAYS')).id).toBe(first.id);
  });

  it.each([
    ['a locale tag that is not BCP 47', { names: { 'not a tag!': 'x' } }, 'template.names.not a tag!'],
    ['an oversized description in a language', { descriptions: { fr: 'x'.repeat(2001) } }, 'template.descriptions.fr'],
    ['an oversized default description', { description: 'x'.repeat(2001) }, 'template.description'],
    ['an oversized name in a language', { names: { fr: 'x'.repeat(201) } }, 'template.names.fr'],
    ['an audience entry that is no address', { audience: ['alice@contoso.com', 'nobody'] }, 'template.audience[1]'],
    ['an audience that is no list', { audience: 'alice@contoso.com' }, 'template.audience'],
    ['a grant to no address', { grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }, { who: 'bob', rights: ['VIEW'] }] }, 'template.grants[1]'],
    ['negative offline days', { offlineDays: -1 }, 'template.offlineDays'],
    ['a field no template has', { audiences: ['alice@contoso.com'] }, 'template.audiences'],
  ])('refuses %s as INVALID_ARGUMENT naming it', async (_, fields, argument) => {
    const definition = { name: 'Refused', grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], ...fields };
    await expect(t.service.templates.create(definition as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument });
    expect(await codeOf(call(admin, 'POST', '/_wmcs/licensing/templates', definition))).toBe('INVALID_ARGUMENT');
    const existing = await createTemplate({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] });
    expect(await codeOf(updateTemplate(existing.id, fields))).toBe('INVALID_ARGUMENT');
  });

  it('lists every template, archived too, to administrators only', async () => {
    const archived = await createTemplate({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] });
    await archiveTemplate(archived.id);
    const all = (await call(admin, 'GET', '/_wmcs/licensing/templates?all=1')).templates as Template[];
    expect(all.find((x) => x.id === archived.id)).toMatchObject({ archived: true, grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] });
    expect(await codeOf(call(alice, 'GET', '/_wmcs/licensing/templates?all=1'))).toBe('ACCESS_DENIED');
  });
});

describe('a database from before templates had languages and audiences (schema 2)', () => {
  it('opens with its templates, names that differ only in case kept apart, archived ones still archived', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'openrms-templates-v2-'));
    mkdirSync(path.join(root, 'service'), { mode: 0o700 });
    const db = new Database(path.join(root, 'service', 'service.db'));
    for (const migration of MIGRATIONS.slice(0, 2)) db.exec(migration);
    db.pragma('user_version = 2');
    const policy = JSON.stringify({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], contentValidDays: null, offlineDays: 0 });
    const insert = db.prepare('INSERT INTO templates (id, name, description, policy, archived, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run('11111111-1111-4111-8111-111111111111', 'Legal', 'legal team', policy, 0, 1_700_000_000);
    insert.run('22222222-2222-4222-8222-222222222222', 'LEGAL', '', policy, 0, 1_700_000_001);
    insert.run('33333333-3333-4333-8333-333333333333', 'Old', '', policy, 1, 1_700_000_002);
    db.close();

    const old = await startTestService({}, root);
    try {
      expect(await old.service.templates.list(true)).toEqual([
        expect.objectContaining({
          id: '11111111-1111-4111-8111-111111111111', name: 'Legal', description: 'legal team', names: {}, descriptions: {}, audience: [],
          grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], archived: false, archivedAt: null,
        }),
        expect.objectContaining({ id: '22222222-2222-4222-8222-222222222222', name: 'LEGAL (22222222-2222-4222-8222-222222222222)' }),
        expect.objectContaining({ id: '33333333-3333-4333-8333-333333333333', archived: true, archivedAt: 1_700_000_002 }),
      ]);
      await old.addUser('alice@contoso.com');
      await old.addUser('bob@contoso.com');
      const oldAlice = await old.signIn('alice@contoso.com');
      const oldBob = await old.signIn('bob@contoso.com');
      const pl = await publish(oldAlice, await old.service.templates.find('legal'), true);
      expect(await rightsOf(oldBob, pl)).toEqual(['VIEW']);
      oldAlice.close();
      oldBob.close();
    } finally {
      await old.cleanup();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
