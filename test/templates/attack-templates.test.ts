/**
 * Templates (issue 12) attacked, with a real licensing service on loopback and real clients:
 * an offline publisher trying to use a template the service would refuse them, a client clock
 * that ran ahead and came back, and a careless administrator on the command line.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import { decodeJws, RmsClient } from '../../lib';
import { main } from '../../lib/cli/main';
import { verifyClc } from '../../lib/license/certificates';
import { publishOffline } from '../../lib/license/publishing-license';
import { Template } from '../../lib/server';
import { markFailed, refreshDue } from '../../lib/templates/refresh-schedule';
import { internals } from '../support/client-internals';
import { startTestService, TestService } from '../support/licensing-service';
import { rightsOf } from '../support/rights-of';

const DAY = 86400;
const CAROL_VIEWS = [{ who: 'carol@contoso.com', rights: ['VIEW'] }];

/** The service's clock: real time moved by `shift` seconds. */
let shift = 0;
const serviceNow = (): number => Math.floor(Date.now() / 1000) + shift;

let t: TestService;
let admin: RmsClient;
let bob: RmsClient;
let carol: RmsClient;

beforeAll(async () => {
  t = await startTestService({ now: serviceNow });
  await t.addUser('admin@contoso.com', { admin: true });
  for (const who of ['alice', 'bob', 'carol', 'late']) await t.addUser(`${who}@contoso.com`);
  [admin, bob, carol] = await Promise.all([t.signIn('admin@contoso.com'), t.signIn('bob@contoso.com'), t.signIn('carol@contoso.com')]);
}, 60_000);

afterAll(async () => {
  for (const c of [admin, bob, carol]) c?.close();
  await t?.cleanup();
});

afterEach(() => { shift = 0; });

let counter = 0;
function createTemplate(definition: Partial<Template> = {}): Promise<Template> {
  counter += 1;
  return t.service.templates.create({ name: `Attacked ${counter}`, grants: CAROL_VIEWS, offlineDays: 0, ...definition });
}

describe('offline publishing from a template the service would refuse', () => {
  it('refuses a PL dated before its own CLC was issued, to slip under the archive time of its template', async () => {
    const template = await createTemplate();
    await t.service.templates.archive(template.id);
    const archivedAt = (await t.service.templates.find(template.id)).archivedAt!;
    // The user gets a CLC after the archive (the service's clock 200 s on), then dates an
    // offline PL 60 s before the archive: within the clock skew a CLC is checked with.
    shift = 200;
    const late = await t.signIn('late@contoso.com', { now: () => archivedAt - 60 });
    try {
      const clcIssued = decodeJws<{ iat: number }>(internals(late).account.clc!).payload.iat;
      expect(clcIssued).toBeGreaterThan(archivedAt);
      const serialized = await late.serializeLicense({ ...late.createLicense({ grants: CAROL_VIEWS, autoGrantOwner: true }), template: template.id });
      serialized.contentKey.close();
      expect(decodeJws<{ iat: number }>(serialized.publishingLicense).payload.iat).toBeLessThan(archivedAt);
      // No PL can have been issued before its CLC: the archive time is compared with the CLC's.
      expect(await rightsOf(carol, serialized.publishingLicense)).toBe('TEMPLATE_ARCHIVED');
    } finally {
      late.close();
    }
  });

  /**
   * NOT FIXED (see the report of brief A1): the template checks of an offline PL run only when
   * the service first sees its content key. An owner whose content is on record re-signs its key
   * and content ID under a PL naming a template he may not use (not in its audience, or
   * archived): the key is known, nothing is checked, and the template's grantees are licensed.
   * A fix records the template with the content (a schema change). `it.failing` passes while
   * the hole is open, and fails the day it is closed: then make it an `it`.
   */
  it.failing.each([
    ['whose audience leaves him out', () => createTemplate({ audience: ['alice@contoso.com'] }), 'TEMPLATE_NOT_ENABLED_FOR_USER'],
    ['archived', async () => t.service.templates.archive((await createTemplate()).id), 'TEMPLATE_ARCHIVED'],
  ])('refuses content already on record re-signed by its owner under a template %s', async (_, make, code) => {
    const template = await make();
    const original = await bob.serializeLicense(bob.createLicense({ grants: [], autoGrantOwner: true }));
    try {
      expect(await rightsOf(bob, original.publishingLicense)).toEqual(['OWNER']);
      const { account, slc, key } = internals(bob);
      const clc = verifyClc(account.clc!, slc, { now: serviceNow() });
      const resigned = publishOffline({
        owner: 'bob@contoso.com', policy: { template: template.id, grants: CAROL_VIEWS, contentValidUntil: null, offlineDays: 0 },
        contentKey: original.contentKey, contentId: original.contentId, wrappingKey: clc.wrappingKey, urls: clc.claims.urls,
        iat: serviceNow(), autoGrantOwner: true,
      }, key(), clc.token);
      expect(await rightsOf(carol, resigned)).toBe(code);
    } finally {
      original.contentKey.close();
    }
  });
});

describe('the template refresh schedule when the clock comes back', () => {
  const T0 = 1_750_000_000;

  it('downloads again when due after a failure recorded while the clock ran years ahead', () => {
    const failedAhead = markFailed({ refreshedAt: T0, failures: 0, retryAt: null }, T0 + 10 * 365 * DAY, DAY);
    // The clock set right again, two intervals after the last download: due, not held for ten years.
    expect(refreshDue(failedAhead, T0 + 2 * DAY, DAY)).toBe(true);
    // A retry delay that is real still holds.
    const failedNow = markFailed({ refreshedAt: T0, failures: 0, retryAt: null }, T0 + 2 * DAY, DAY);
    expect(refreshDue(failedNow, T0 + 2 * DAY + 30, DAY)).toBe(false);
  });

  it('a client whose marker holds a retry time a year ahead (a failure while its clock ran ahead) downloads when due', async () => {
    const alice = await t.signIn('alice@contoso.com', { settings: { templateUpdateFrequencyInSeconds: 3600 } });
    try {
      await alice.getTemplates({ locale: 'en' });
      const now = Math.floor(Date.now() / 1000);
      // What markFailed wrote when a download failed with the clock a year on: the store's own file.
      writeFileSync(path.join(alice.storeRoot, 'templates', alice.serviceId, 'Template.json'),
        JSON.stringify(markFailed({ refreshedAt: now - 7200, failures: 0, retryAt: null }, now + 365 * DAY, 3600)));
      const added = await createTemplate();
      expect((await alice.getTemplates({ locale: 'en' })).map((x) => x.id)).toContain(added.id);
    } finally {
      alice.close();
    }
  });
});

describe('templates create and update on the command line, by a careless administrator', () => {
  async function run(args: string[]): Promise<string> {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    await main(['templates', ...args, '--store', `${t.root}/users/admin@contoso.com`], { out, stdin: new PassThrough(), env: {} });
    return text;
  }

  it.each([
    ['update', '--no-expiry'],
    ['update', '--grant'],
    ['create', '--description-fr'],
  ])('refuses `templates %s --name-fr` followed by the option %s rather than naming the template after it', async (sub, next) => {
    const template = await createTemplate({ names: { fr: 'Avant' } });
    const args = sub === 'update' ? ['update', template.id, '--name-fr', next, ...(next === '--grant' ? ['carol@contoso.com:VIEW'] : [])]
      : ['create', '--name', 'Careless', '--grant', 'carol@contoso.com:VIEW', '--name-fr', next, 'Texte'];
    await expect(run(args)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: '--name-fr' });
    expect((await t.service.templates.find(template.id)).names).toEqual({ fr: 'Avant' });
    expect((await t.service.templates.list(true)).map((x) => x.name)).not.toContain('Careless');
  });

  it.each([[''], [' , ']])('refuses --audience %j (an unset shell variable, say) rather than opening the template to every user', async (value) => {
    const template = await createTemplate({ audience: ['alice@contoso.com'] });
    await expect(run(['update', template.id, '--audience', value])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: '--audience' });
    expect((await t.service.templates.find(template.id)).audience).toEqual(['alice@contoso.com']);
  });

  it('still takes a French name that starts with a dash when given with =', async () => {
    const template = await createTemplate();
    await run(['update', template.id, '--name-fr=-10 % partenaires']);
    expect((await t.service.templates.find(template.id)).names).toEqual({ fr: '-10 % partenaires' });
  });
});
