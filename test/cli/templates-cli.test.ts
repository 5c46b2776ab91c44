/**
 * `openrms templates` as administrators and users run it (issue 12; docs/templates.md): a
 * service started with `openrms serve`, an administrator creating, editing and archiving
 * templates, users listing, refreshing and exporting them, an UnmanagedTemplates folder, and
 * protection with a template while the service is down.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { SaxesParser, SaxesTagNS } from 'saxes';

import { CliOutcome, CliRunOptions, CliService } from '../support/cli-service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TEMPLATE_XML_NAMESPACE = 'urn:openrms:template:1';
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

let cli: CliService;

/** Runs as `who`, in the POSIX locale unless the command says --locale: template names are then the default ones. */
function as(who: string, env: NodeJS.ProcessEnv = {}): CliRunOptions {
  return { as: who, env: { LC_ALL: 'C', ...env } };
}

function ok(args: string[], who: string, env: NodeJS.ProcessEnv = {}): string {
  return cli.ok(['templates', ...args], as(who, env));
}

/** A command that must fail: nothing on stdout but what `stdout` allows, the error on stderr. */
function failure(command: string[], who: string): CliOutcome {
  const r = cli.run(command, as(who));
  expect(r.status).not.toBe(0);
  return r;
}

interface Listed {
  id: string;
  name: string;
  description: string;
  issuer: string;
}

function list(who: string, ...options: string[]): Listed[] {
  return JSON.parse(ok(['list', '--json', ...options], who)) as Listed[];
}

interface Refresh {
  issuer: string;
  serviceId: string;
  outcome: string;
  templates?: number;
  error?: { code: string };
}

/** `templates refresh --json`: one outcome per issuer, here always the one service. */
function refresh(who: string, ...options: string[]): Omit<Refresh, 'issuer' | 'serviceId'> {
  const outcomes = JSON.parse(ok(['refresh', '--json', ...options], who)) as Refresh[];
  expect(outcomes).toHaveLength(1);
  const [{ issuer, serviceId, ...outcome }] = outcomes as [Refresh];
  expect(issuer).toBe(cli.url);
  expect(serviceId).toBe(serviceIdOf(who));
  return outcome;
}

/** The service's ID, as the user's store names the service's folder (`openrms login --json` prints it too). */
function serviceIdOf(who: string): string {
  return (JSON.parse(readFileSync(path.join(cli.storeOf(who), 'current.json'), 'utf8')) as { service: string }).service;
}

/** An element of a parsed XML document: namespace and local name, attributes by qualified name, text. */
interface Element {
  uri: string;
  local: string;
  attributes: Record<string, { uri: string; value: string }>;
  text: string;
  depth: number;
}

/** Parses `xml` as one namespace-well-formed XML document (saxes throws on anything else). */
function parseDocument(xml: string): Element[] {
  const parser = new SaxesParser({ xmlns: true });
  const elements: Element[] = [];
  const open: Element[] = [];
  parser.on('error', (error) => { throw error; });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const attributes = Object.fromEntries(Object.entries(tag.attributes).map(([name, a]) => [name, { uri: a.uri, value: a.value }]));
    const e: Element = { uri: tag.uri, local: tag.local, attributes, text: '', depth: open.length };
    elements.push(e);
    open.push(e);
  });
  parser.on('text', (text) => { if (open.length > 0) open[open.length - 1]!.text += text; });
  parser.on('closetag', () => { open.pop(); });
  parser.write(xml).close();
  return elements;
}

/** The protected file `protect --json` wrote: its first line is the one file's outcome. */
function protectedPath(stdout: string): string {
  const [file] = stdout.split('\n').map((line) => (line === '' ? null : JSON.parse(line)));
  expect(file).toMatchObject({ status: 'protected' });
  return file.path as string;
}

const ADMIN = 'admin@contoso.com';
const ALICE = 'alice@contoso.com';
const BOB = 'bob@contoso.com';
const CAROL = 'carol@contoso.com';
const EVE = 'eve@fabrikam.com';

let confidential: string;
let partners: string;
let team: string;

beforeAll(async () => {
  cli = await CliService.start([{ email: ADMIN, admin: true }, { email: ALICE }, { email: BOB }, { email: CAROL }, { email: EVE }]);
  writeFileSync(path.join(cli.root, 'plan.txt'), 'the plan\n');
}, 120_000);

afterAll(async () => {
  await cli?.cleanup();
});

describe('openrms templates', () => {
  it('reports a first refresh as a download, even of a service that has no template yet', () => {
    expect(refresh(CAROL)).toEqual({ outcome: 'downloaded', templates: 0 });
    expect(ok(['refresh'], CAROL)).toBe(`${cli.url}: 0 cached, not due\n`);
  });

  it('creates a template with per-language text, an audience and validity, printing its new ID alone', () => {
    const out = ok(['create', '--name', 'Confidential', '--description', 'View and print', '--name-fr', 'Confidentiel',
      '--description-fr', 'Lecture et impression', '--grant', `${BOB}:VIEW,PRINT`, '--offline-days', '3', '--expires-after', '30d',
      '--audience', '@contoso.com'], ADMIN);
    expect(out).toMatch(/^[0-9a-f-]{36}\n$/);
    confidential = out.trim();
    expect(confidential).toMatch(UUID);
  });

  it('prints the record as the service keeps it with --json', () => {
    const record = JSON.parse(ok(['create', '--name', 'Partners - 7 days', '--grant', 'ANYONE:VIEW', '--offline-days', '7', '--json'], ADMIN));
    expect(record).toEqual({
      id: expect.stringMatching(UUID), name: 'Partners - 7 days', description: '', names: {}, descriptions: {},
      grants: [{ who: 'ANYONE', rights: ['VIEW'] }], contentValidDays: null, offlineDays: 7, audience: [],
      archived: false, archivedAt: null, updatedAt: expect.any(Number),
    });
    partners = record.id;
  });

  it('keeps `templates add NAME` as the name-first form of create', () => {
    const out = ok(['add', 'Team read-only', '--grant', `${CAROL}:VIEWER`], ADMIN);
    expect(out).toMatch(/^[0-9a-f-]{36}\n$/);
    team = out.trim();
  });

  it('refuses a user who is not an administrator: ACCESS_DENIED on stderr, nothing on stdout', () => {
    for (const command of [
      ['create', '--name', 'Mine', '--grant', `${BOB}:VIEW`], ['add', 'Mine', '--grant', `${BOB}:VIEW`],
      ['update', confidential, '--grant', `${ALICE}:OWNER`], ['archive', confidential],
    ]) {
      const r = failure(['templates', ...command], ALICE);
      expect(r.stderr).toMatch(/^error: ACCESS_DENIED: /);
      expect(r.stdout).toBe('');
    }
  });

  it('refuses usage mistakes as INVALID_ARGUMENT with exit 2: a name where an ID goes, a word after list or refresh', () => {
    const usage = (command: string[], who: string): string => {
      const r = failure(command, who);
      expect(r.status).toBe(2);
      return r.stderr;
    };
    expect(usage(['templates', 'archive', 'Confidential'], ADMIN)).toMatch(/^error: INVALID_ARGUMENT: templates archive must be a template ID/);
    expect(usage(['templates', 'update', 'Confidential', '--name', 'X'], ADMIN)).toMatch(/^error: INVALID_ARGUMENT: templates update must be a template ID/);
    expect(usage(['templates', 'list', 'Confidential'], ALICE)).toMatch(/^error: INVALID_ARGUMENT: templates list: too many arguments for 'list'\. Expected 0 arguments but got 1\./);
    expect(usage(['templates', 'refresh', 'now'], ALICE)).toMatch(/^error: INVALID_ARGUMENT: templates refresh: too many arguments for 'refresh'/);
    expect(usage(['templates', 'create', '--name', 'X'], ADMIN)).toMatch(/^error: INVALID_ARGUMENT: --grant must be at least one/);
    expect(usage(['templates', 'create', '--name', 'X', '--grant', `${BOB}:VIEW`, '--expires-after', '3', '--no-expiry'], ADMIN))
      .toMatch(/^error: INVALID_ARGUMENT: templates create: option '--no-expiry' cannot be used with option '--expires-after <days>'/);
  });

  it('lists as JSON an array of exactly {id, name, description, issuer}', () => {
    const templates = list(ALICE);
    for (const t of templates) expect(Object.keys(t).sort()).toEqual(['description', 'id', 'issuer', 'name']);
    expect(templates).toEqual(expect.arrayContaining([
      { id: confidential, name: 'Confidential', description: 'View and print', issuer: cli.url },
      { id: partners, name: 'Partners - 7 days', description: '', issuer: cli.url },
      { id: team, name: 'Team read-only', description: '', issuer: cli.url },
    ]));
    expect(templates).toHaveLength(3);
  });

  it('lists only the templates whose audience includes the user', () => {
    expect(list(EVE).map((t) => t.id).sort()).toEqual([partners, team].sort());
  });

  it('gives names and descriptions in the language --locale asks for, the language of a region too', () => {
    expect(list(ALICE, '--locale', 'fr').find((t) => t.id === confidential)).toMatchObject({ name: 'Confidentiel', description: 'Lecture et impression' });
    expect(ok(['list', '--locale', 'fr-CA'], ALICE)).toContain(`${confidential}  Confidentiel - Lecture et impression\n`);
    expect(list(ALICE, '--locale', 'de').find((t) => t.id === confidential)?.name).toBe('Confidential');
  });

  it('refuses --issuer of a service the user is not enrolled at: NOT_SIGNED_IN', () => {
    const r = failure(['templates', 'list', '--issuer', 'https://rms.fabrikam.example'], ALICE);
    expect(r.stderr).toMatch(/^error: NOT_SIGNED_IN: .*https:\/\/rms\.fabrikam\.example/);
    expect(r.stdout).toBe('');
  });

  it('updates only what the options give: new grants, the same name, text, audience and validity', () => {
    const record = JSON.parse(ok(['update', confidential, '--grant', `${CAROL}:VIEW`, '--json'], ADMIN));
    expect(record).toMatchObject({
      id: confidential, name: 'Confidential', description: 'View and print', names: { fr: 'Confidentiel' }, descriptions: { fr: 'Lecture et impression' },
      grants: [{ who: CAROL, rights: ['VIEW'] }], offlineDays: 3, contentValidDays: 30, audience: ['@contoso.com'],
    });
    expect(ok(['update', confidential, '--description', 'View only'], ADMIN)).toBe(`template Confidential updated (${confidential})\n`);
  });

  it('keeps listing from the cache until the refresh interval passes; refresh --force downloads now and an archived template is gone', () => {
    expect(ok(['archive', partners], ADMIN)).toBe(`template ${partners} archived\n`);
    // Downloaded at the listing above: not due again for a day (TemplateUpdateFrequency's default).
    expect(refresh(ALICE)).toEqual({ outcome: 'current', templates: 3 });
    expect(list(ALICE).map((t) => t.id)).toContain(partners);
    expect(refresh(ALICE, '--force')).toEqual({ outcome: 'downloaded', templates: 2 });
    const after = list(ALICE);
    expect(after.map((t) => t.id).sort()).toEqual([confidential, team].sort());
    expect(after.find((t) => t.id === confidential)?.description).toBe('View only');
    expect(ok(['refresh', '--force'], ALICE)).toBe(`${cli.url}: 2 downloaded\n`);
  });

  it('downloads at the next refresh when the Template marker is deleted, as MSIPC does when its Template key is', () => {
    const marker = path.join(cli.storeOf(ALICE), 'templates', serviceIdOf(ALICE), 'Template.json');
    expect(refresh(ALICE).outcome).toBe('current');
    rmSync(marker);
    expect(refresh(ALICE)).toEqual({ outcome: 'downloaded', templates: 2 });
    expect(existsSync(marker)).toBe(true);
    expect(refresh(ALICE).outcome).toBe('current');
  });

  describe('export and the UnmanagedTemplates folder', () => {
    let xml: string;

    it('exports a template as a well-formed XML document a person can read, carrying the signed template', () => {
      xml = ok(['export', 'Confidential'], ALICE);
      const elements = parseDocument(xml);
      const root = elements[0]!;
      expect(root).toMatchObject({ uri: TEMPLATE_XML_NAMESPACE, local: 'RightsPolicyTemplate', depth: 0 });
      expect(root.attributes.id?.value).toBe(confidential);
      expect(root.attributes.issuer?.value).toBe(cli.url);
      expect(elements.every((e) => e.uri === TEMPLATE_XML_NAMESPACE)).toBe(true);
      const child = (local: string) => elements.filter((e) => e.local === local && e.depth === 1);
      expect(child('Name').map((e) => [e.attributes['xml:lang']?.value ?? null, e.text])).toEqual([[null, 'Confidential'], ['fr', 'Confidentiel']]);
      expect(child('Name')[1]!.attributes['xml:lang']!.uri).toBe(XML_NAMESPACE);
      expect(child('Description').map((e) => e.text)).toEqual(['View only', 'Lecture et impression']);
      expect(elements.filter((e) => e.local === 'Grant').map((e) => [e.attributes.to?.value, e.text])).toEqual([[CAROL, 'VIEW']]);
      expect(child('ContentValidity')[0]!.attributes.days?.value).toBe('30');
      expect(child('OfflineAccess')[0]!.attributes.days?.value).toBe('3');
      expect(elements.filter((e) => e.local === 'Member').map((e) => e.text)).toEqual(['@contoso.com']);
      expect(child('SignedTemplate')[0]!.text).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      // The same template by its ID.
      expect(ok(['export', confidential], ALICE)).toBe(xml);
    });

    it('lists what the folder holds instead of the default service\'s templates, skipping a tampered copy with a traced reason', () => {
      const folder = path.join(cli.storeOf(BOB), 'UnmanagedTemplates');
      mkdirSync(folder);
      // Any name ending in .xml, whatever its case.
      writeFileSync(path.join(folder, 'Confidential policy.XML'), xml);
      writeFileSync(path.join(folder, 'Tampered.xml'), xml.replace(`<Grant to="${CAROL}">VIEW</Grant>`, `<Grant to="${CAROL}">VIEW EDIT</Grant>`));
      expect(list(BOB)).toEqual([{ id: confidential, name: 'Confidential', description: 'View only', issuer: cli.url }]);
      expect(refresh(BOB, '--force')).toEqual({ outcome: 'unmanaged', templates: 1 });
      ok(['list'], BOB, { OPENRMS_TRACE: '1' });
      const trace = readFileSync(path.join(cli.storeOf(BOB), 'logs', 'trace.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      expect(trace).toContainEqual(expect.objectContaining({ event: 'template-skipped', file: 'Tampered.xml', code: 'LICENSE_SPLICED' }));
      expect(trace.filter((e) => e.event === 'template-skipped' && e.file !== 'Tampered.xml')).toEqual([]);
    });

    it('protects with a template from the folder, and the service applies the template\'s grants', () => {
      const file = protectedPath(cli.ok(['protect', 'plan.txt', '--template', 'Confidential', '--out', 'bob-out', '--json'], as(BOB)));
      expect(JSON.parse(cli.ok(['rights', file, '--json'], as(CAROL))).rights).toEqual(['VIEW']);
      expect(failure(['rights', file], ALICE).stderr).toMatch(/^error: RIGHT_NOT_GRANTED: /);
    });

    it('refuses to protect with a template whose audience leaves the user out: TEMPLATE_NOT_ENABLED_FOR_USER', () => {
      // eve@fabrikam.com is given the file of a template for @contoso.com.
      const folder = path.join(cli.storeOf(EVE), 'UnmanagedTemplates');
      mkdirSync(folder);
      writeFileSync(path.join(folder, 'Confidential.xml'), xml);
      const r = failure(['protect', 'plan.txt', '--template', 'Confidential', '--out', 'eve-out'], EVE);
      expect(r.stderr).toMatch(/^error: TEMPLATE_NOT_ENABLED_FOR_USER: eve@fabrikam\.com may not protect with template Confidential/);
      expect(existsSync(path.join(cli.root, 'eve-out', 'plan.ptxt'))).toBe(false);
    });
  });

  it('refuses online protection with a cached template the service has since closed to the user: TEMPLATE_NOT_ENABLED_FOR_USER', () => {
    // Alice's cache still offers Team read-only to everyone; the service now offers it to carol only.
    ok(['update', team, '--audience', CAROL], ADMIN);
    expect(list(ALICE).map((t) => t.id)).toContain(team);
    const r = failure(['protect', 'plan.txt', '--template', 'Team read-only', '--online', '--out', 'alice-online'], ALICE);
    expect(r.stderr).toMatch(/^error: TEMPLATE_NOT_ENABLED_FOR_USER: /);
  });

  it('shows an administrator every template with list --all: archived ones, and ones whose audience leaves the administrator out', () => {
    const records = JSON.parse(ok(['list', '--all', '--json'], ADMIN)) as { id: string; archived: boolean; audience: string[] }[];
    expect(records.map((r) => r.id).sort()).toEqual([confidential, partners, team].sort());
    expect(records.find((r) => r.id === partners)).toMatchObject({ archived: true });
    expect(records.find((r) => r.id === team)).toMatchObject({ archived: false, audience: [CAROL] });
    expect(ok(['list', '--all'], ADMIN)).toContain(`${partners}  Partners - 7 days  (archived)\n`);
    expect(failure(['templates', 'list', '--all'], ALICE).stderr).toMatch(/^error: ACCESS_DENIED: /);
  });

  it('with the service stopped, refresh --force fails naming SERVICE_UNAVAILABLE, and protect --template still protects from the cache', async () => {
    await cli.stop();
    const r = failure(['templates', 'refresh', '--force'], ALICE);
    expect(r.stderr).toMatch(/^error: SERVICE_UNAVAILABLE: /);
    expect(r.stdout).toMatch(new RegExp(`^${cli.url.replace(/[.]/g, '\\.')}: failed: SERVICE_UNAVAILABLE: `));
    expect(list(ALICE).map((t) => t.id)).toContain(confidential);
    const file = protectedPath(cli.ok(['protect', 'plan.txt', '--template', 'Confidential', '--out', 'alice-offline', '--json'], as(ALICE)));
    expect(existsSync(file)).toBe(true);
    const inspected = JSON.parse(cli.ok(['inspect', file, '--json']));
    expect(inspected.license.owner).toBe(ALICE);
    // The template's 30 days of validity.
    const days = (Date.parse(inspected.license.validUntil) - Date.parse(inspected.license.issuedTime)) / 86_400_000;
    expect(days).toBe(30);
  });
});
