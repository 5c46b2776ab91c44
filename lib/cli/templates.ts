/**
 * `openrms templates`: the templates this identity may protect with, and their administration
 * (docs/templates.md).
 *
 *   templates list [--issuer URL] [--locale L] [--offline] [--json]   (the default subcommand)
 *   templates list --all [--json]   (an administrator: every template's record, archived ones too)
 *   templates refresh [--force] [--issuer URL]
 *   templates export ID|NAME [--issuer URL] > Name.xml
 *   templates create --name N [--description D] [--name-LOCALE N]... [--description-LOCALE D]...
 *                    --grant EMAIL:RIGHT[,RIGHT]... [--offline-days N] [--expires-after Nd] [--audience WHO]...
 *   templates update ID [the same options: those given change]
 *   templates archive ID
 *   templates add NAME ...   (create, the name given as an argument: kept from earlier versions)
 */
import { Command, Option } from 'commander';

import { RmsClient, TemplateRefresh } from '../client/rms-client';
import { RmsAdministration, TemplateDefinition } from '../client/template-administration';
import { addClientOptions, examples } from './command-tree';
import { ClientFlags, clientOptions, CommandIo, printable, report, usageError } from './command-line';
import { collect, parseGrant } from './license-options';

function days(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,6})d?$/i.exec(value.trim());
  if (match === null) throw usageError(option, 'a whole number of days, e.g. 30 or 30d');
  return Number(match[1]);
}

/** Per-language texts taken out of the command line before commander parses it. */
export interface LocalizedTexts {
  names: Record<string, string>;
  descriptions: Record<string, string>;
}

/**
 * `--name-fr Nom` and `--description-de-CH Text` (or `--name-fr=Nom`): per-language text, taken
 * out of the arguments before commander parses them. Commander declares each option by its
 * whole name, and a language tag (BCP 47: fr, de-CH, zh-Hant-TW, ...) is open-ended, so these
 * cannot be declared; `--name-LOCALE` keeps the shape administrators know from
 * `--name`/`--description`.
 */
export function takeLocalized(args: readonly string[]): { rest: string[] } & LocalizedTexts {
  const rest: string[] = [];
  const names: Record<string, string> = {};
  const descriptions: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--(name|description)-([A-Za-z0-9-]+?)(?:=(.*))?$/s.exec(args[i]!);
    if (match === null) {
      rest.push(args[i]!);
      continue;
    }
    const value = match[3] ?? args[++i];
    // As parseArgs does for --name: a dash after --name-fr starts the next option (its text forgotten), it is not the text.
    if (value === undefined || (match[3] === undefined && value.startsWith('-'))) {
      throw usageError(`--${match[1]}-${match[2]}`, `a text after it (one starting with a dash as --${match[1]}-${match[2]}=TEXT)`);
    }
    (match[1] === 'name' ? names : descriptions)[match[2]!] = value;
  }
  return { rest, names, descriptions };
}

interface DefinitionFlags extends ClientFlags {
  name?: string;
  description?: string;
  grant?: string[];
  audience?: string[];
  offlineDays?: string;
  expiresAfter?: string;
  validDays?: string;
  /** False with --no-expiry (commander's negated option). */
  expiry?: boolean;
}

/** The definition fields the options give (an update changes only those). */
function definitionOf(flags: DefinitionFlags, localized: LocalizedTexts): Partial<TemplateDefinition> {
  const d: Partial<TemplateDefinition> = {};
  if (flags.name !== undefined) d.name = flags.name;
  if (flags.description !== undefined) d.description = flags.description;
  if (Object.keys(localized.names).length > 0) d.names = localized.names;
  if (Object.keys(localized.descriptions).length > 0) d.descriptions = localized.descriptions;
  if (flags.grant !== undefined) d.grants = flags.grant.map(parseGrant);
  if (flags.audience !== undefined) {
    d.audience = flags.audience.flatMap((a) => a.split(',')).map((a) => a.trim()).filter((a) => a !== '');
    // An empty audience opens the template to every user: never what an empty value (an unset shell variable) meant.
    if (d.audience.length === 0) throw usageError('--audience', 'addresses or @domains');
  }
  const offlineDays = days('--offline-days', flags.offlineDays);
  if (offlineDays !== undefined) d.offlineDays = offlineDays;
  const validDays = days('--expires-after', flags.expiresAfter ?? flags.validDays);
  if (validDays !== undefined) d.contentValidDays = validDays;
  if (flags.expiry === false) d.contentValidDays = null;
  return d;
}

/** The one template ID `command` takes: a UUID, refused here rather than sent to a route that knows none but UUIDs. */
function templateId(command: string, id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw usageError(command, `a template ID (a UUID, as \`openrms templates list\` shows), not ${printable(id)}`);
  }
  return id.toLowerCase();
}

function refreshLine(r: TemplateRefresh): string {
  const what = { downloaded: `${r.templates} downloaded`, current: `${r.templates} cached, not due`, unmanaged: `${r.templates} from UnmanagedTemplates`, failed: '' }[r.outcome];
  return r.outcome === 'failed' ? `${printable(r.issuer)}: failed: ${r.error!.code}: ${printable(r.error!.message)}` : `${printable(r.issuer)}: ${what}`;
}

interface ListFlags extends ClientFlags {
  issuer?: string;
  locale?: string;
  offline?: boolean;
  all?: boolean;
}

/** Runs `use` with the store's client, closed after. */
async function withClient(flags: ClientFlags, io: CommandIo, use: (client: RmsClient) => Promise<void>): Promise<void> {
  const client = RmsClient.open(clientOptions(flags, io));
  try {
    await use(client);
  } finally {
    client.close();
  }
}

async function list(flags: ListFlags, io: CommandIo): Promise<void> {
  if (flags.all === true && (flags.issuer !== undefined || flags.locale !== undefined || flags.offline === true)) {
    throw usageError('--all', 'not given with --issuer, --locale or --offline');
  }
  await withClient(flags, io, async (client) => {
    if (flags.all === true) {
      // The administrator's view of the default service: records, not signed templates; nothing cached.
      const records = await new RmsAdministration(client).listTemplates();
      report(flags, io, records, records.length === 0 ? ['no templates'] : records.map((t) => `${printable(t.id)}  ${printable(t.name)}${t.archived ? '  (archived)' : ''}`));
      return;
    }
    const templates = await client.getTemplates({ issuer: flags.issuer, locale: flags.locale, offlineOnly: flags.offline === true });
    // --json: an array of {id, name, description, issuer}, the shape scripts rely on.
    report(flags, io, templates.map((t) => ({ id: t.id, name: t.name, description: t.description, issuer: t.issuer })),
      templates.length === 0 ? ['no templates'] : templates.map((t) => `${printable(t.id)}  ${printable(t.name)}${t.description ? ` - ${printable(t.description)}` : ''}`));
  });
}

interface RefreshFlags extends ClientFlags {
  issuer?: string;
  force?: boolean;
}

async function refresh(flags: RefreshFlags, io: CommandIo): Promise<void> {
  await withClient(flags, io, async (client) => {
    const outcomes = await client.refreshTemplates({ issuer: flags.issuer, force: flags.force === true });
    report(flags, io, outcomes.map((r) => ({ issuer: r.issuer, serviceId: r.serviceId, outcome: r.outcome, templates: r.templates,
      ...(r.error === undefined ? {} : { error: { code: r.error.code, message: r.error.message } }) })), outcomes.map(refreshLine));
    const failed = outcomes.find((r) => r.outcome === 'failed');
    if (failed !== undefined) throw failed.error!;
  });
}

async function create(flags: DefinitionFlags, io: CommandIo, localized: LocalizedTexts, name?: string): Promise<void> {
  const d = definitionOf(flags, localized);
  if (name !== undefined) d.name = name;
  if (d.name === undefined) throw usageError('--name', "the template's name");
  if (d.grants === undefined) throw usageError('--grant', 'at least one EMAIL:RIGHT[,RIGHT]...');
  await withClient(flags, io, async (client) => {
    const t = await new RmsAdministration(client).createTemplate(d as TemplateDefinition);
    report(flags, io, t, [printable(t.id)]);
  });
}

async function update(id: string, flags: DefinitionFlags, io: CommandIo, localized: LocalizedTexts): Promise<void> {
  const checked = templateId('templates update', id);
  const d = definitionOf(flags, localized);
  if (Object.keys(d).length === 0) throw usageError('templates update', 'given at least one change (--name, --grant, ...)');
  await withClient(flags, io, async (client) => {
    const t = await new RmsAdministration(client).updateTemplate(checked, d);
    report(flags, io, t, [`template ${printable(t.name)} updated (${printable(t.id)})`]);
  });
}

/** The options of create, add and update: what a template says. */
function definitionOptions(command: Command): Command {
  return addClientOptions(command
    .option('--name <name>', "the template's name (default language)")
    .option('--description <text>', 'its description (default language)')
    .option('--grant <email:rights>', 'EMAIL:RIGHT[,RIGHT]... (repeat; ANYONE for everyone); update: replaces every grant', collect)
    .option('--offline-days <n>', 'days a use license is used without asking the service again')
    .option('--expires-after <days>', 'content protected with it opens for this many days (30 or 30d)')
    .option('--valid-days <days>', 'the same as --expires-after (kept from earlier versions)')
    .addOption(new Option('--no-expiry', 'content protected with it never expires').conflicts(['expiresAfter', 'validDays']))
    .option('--audience <who>', 'who may protect with it: addresses or @domains, comma-separated or repeated (default: everyone)', collect))
    .addHelpText('after', '\nPer language: --name-LOCALE TEXT and --description-LOCALE TEXT (e.g. --name-fr Confidentiel, --description-de-CH Text).');
}

/** The subcommand that reads the per-language options, when `args` runs one: create, add or update. */
export function localizedSubcommand(args: readonly string[]): boolean {
  return args[0] === 'templates' && ['create', 'add', 'update'].includes(args[1] ?? '');
}

export function templatesCommand(io: CommandIo, localized: LocalizedTexts): Command {
  const templates = new Command('templates')
    .summary('the templates you may protect with, and their administration')
    .description('The templates this identity may protect with, downloaded from each service and cached (docs/templates.md), '
      + 'and, for an administrator, creating, changing and archiving them. Without a subcommand: list.');
  examples(addClientOptions(templates.command('list', { isDefault: true })
    .summary('the templates you may protect with')
    .option('--issuer <url>', 'the templates of this service (default: your default service)')
    .option('--locale <locale>', 'names and descriptions in this language (default: the environment\'s)')
    .option('--offline', 'from the cache only')
    .option('--all', "an administrator's view: every template's record, archived ones too"))
    .action((flags: ListFlags) => list(flags, io)), ['openrms templates', 'openrms templates list --locale fr --json', 'openrms templates list --all']);
  examples(addClientOptions(templates.command('refresh')
    .summary('download the templates now when due')
    .option('--force', 'download at once, due or not')
    .option('--issuer <url>', 'only this service'))
    .action((flags: RefreshFlags) => refresh(flags, io)), ['openrms templates refresh --force']);
  examples(addClientOptions(templates.command('export')
    .summary('a template as an XML file for UnmanagedTemplates')
    .argument('<id-or-name>', 'the template')
    .option('--issuer <url>', 'a template of this service')
    .option('--locale <locale>', 'which language is the default text'))
    .action((idOrName: string, flags: ListFlags) => withClient(flags, io, async (client) => {
      const xml = await client.exportTemplate(idOrName, { issuer: flags.issuer, locale: flags.locale });
      // Meant for a file (> Name.xml); on a terminal its text (a name, a description) is escaped like any other.
      io.out.write((io.out as { isTTY?: boolean }).isTTY === true ? xml.split('\n').map(printable).join('\n') : xml);
    })), ['openrms templates export "Confidential" > Confidential.xml']);
  examples(definitionOptions(templates.command('create')
    .summary('an administrator adds a template and gets its ID'))
    .action((flags: DefinitionFlags) => create(flags, io, localized)), [
    'openrms templates create --name Confidential --description "View and print" --name-fr Confidentiel --grant bob@contoso.com:VIEW,PRINT --offline-days 3',
    'openrms templates create --name "Partners - 7 days" --grant ANYONE:VIEWER --expires-after 7d --audience @contoso.com --json',
  ]);
  examples(definitionOptions(templates.command('add')
    .summary('the same as create, the name given first (kept from earlier versions)')
    .argument('<name>', "the template's name"))
    .action((name: string, flags: DefinitionFlags) => create(flags, io, localized, name)), ['openrms templates add "Team read-only" --grant carol@contoso.com:VIEWER']);
  examples(definitionOptions(templates.command('update')
    .summary('an administrator changes a template (the options given)')
    .argument('<id>', "the template's ID"))
    .action((id: string, flags: DefinitionFlags) => update(id, flags, io, localized)), [
    'openrms templates update 6f1c2f0e-3a7b-4c1d-9e8f-0a1b2c3d4e5f --grant carol@contoso.com:VIEW --description "View only"',
  ]);
  examples(addClientOptions(templates.command('archive')
    .summary('an administrator retires a template (content protected with it still opens)')
    .argument('<id>', "the template's ID"))
    .action((id: string, flags: ClientFlags) => {
      const checked = templateId('templates archive', id);
      return withClient(flags, io, async (client) => {
        await new RmsAdministration(client).archiveTemplate(checked);
        report(flags, io, { id: checked, archived: true }, [`template ${checked} archived`]);
      });
    }), ['openrms templates archive 6f1c2f0e-3a7b-4c1d-9e8f-0a1b2c3d4e5f']);
  return templates;
}
