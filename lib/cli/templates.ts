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
import { RmsClient, TemplateRefresh } from '../client/rms-client';
import { RmsAdministration, TemplateDefinition } from '../client/template-administration';
import { invalidArgument, RmsError } from '../errors';
import { CLIENT_OPTIONS, clientOptions, CommandIo, parseCommand, Parsed, printable, report, requireOne, stringOption } from './command-line';
import { parseGrant } from './protect';

const SUBCOMMANDS = ['list', 'refresh', 'export', 'create', 'add', 'update', 'archive'] as const;
type Subcommand = typeof SUBCOMMANDS[number];

const DEFINITION_OPTIONS = {
  name: { type: 'string' }, description: { type: 'string' }, grant: { type: 'string', multiple: true }, audience: { type: 'string', multiple: true },
  'offline-days': { type: 'string' }, 'expires-after': { type: 'string' }, 'valid-days': { type: 'string' }, 'no-expiry': { type: 'boolean' },
} as const;

function days(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,6})d?$/i.exec(value.trim());
  if (match === null) throw invalidArgument(option, 'a whole number of days, e.g. 30 or 30d');
  return Number(match[1]);
}

/**
 * `--name-fr Nom` and `--description-de-CH Text` (or `--name-fr=Nom`): per-language text, taken
 * out of the arguments before the strict parse, which knows no option whose name varies.
 */
function takeLocalized(args: readonly string[]): { rest: string[]; names: Record<string, string>; descriptions: Record<string, string> } {
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
      throw invalidArgument(`--${match[1]}-${match[2]}`, `a text after it (one starting with a dash as --${match[1]}-${match[2]}=TEXT)`);
    }
    (match[1] === 'name' ? names : descriptions)[match[2]!] = value;
  }
  return { rest, names, descriptions };
}

/** The definition fields the options give (an update changes only those). */
function definitionOf(p: Parsed, localized: ReturnType<typeof takeLocalized>): Partial<TemplateDefinition> {
  const d: Partial<TemplateDefinition> = {};
  const name = stringOption(p, 'name');
  if (name !== undefined) d.name = name;
  const description = stringOption(p, 'description');
  if (description !== undefined) d.description = description;
  if (Object.keys(localized.names).length > 0) d.names = localized.names;
  if (Object.keys(localized.descriptions).length > 0) d.descriptions = localized.descriptions;
  const grants = p.values.grant as string[] | undefined;
  if (grants !== undefined) d.grants = grants.map(parseGrant);
  const audience = p.values.audience as string[] | undefined;
  if (audience !== undefined) {
    d.audience = audience.flatMap((a) => a.split(',')).map((a) => a.trim()).filter((a) => a !== '');
    // An empty audience opens the template to every user: never what an empty value (an unset shell variable) meant.
    if (d.audience.length === 0) throw invalidArgument('--audience', 'addresses or @domains');
  }
  const offlineDays = days('--offline-days', stringOption(p, 'offline-days'));
  if (offlineDays !== undefined) d.offlineDays = offlineDays;
  const validDays = days('--expires-after', stringOption(p, 'expires-after') ?? stringOption(p, 'valid-days'));
  if (validDays !== undefined && p.values['no-expiry']) throw invalidArgument('--no-expiry', 'not with --expires-after');
  if (validDays !== undefined) d.contentValidDays = validDays;
  if (p.values['no-expiry']) d.contentValidDays = null;
  return d;
}

/** The one template ID `command` takes: a UUID, refused here rather than sent to a route that knows none but UUIDs. */
function templateId(command: string, p: Parsed): string {
  const id = requireOne(command, p, 'template ID');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw invalidArgument(command, `a template ID (a UUID, as \`openrms templates list\` shows), not ${printable(id)}`);
  }
  return id.toLowerCase();
}

function refreshLine(r: TemplateRefresh): string {
  const what = { downloaded: `${r.templates} downloaded`, current: `${r.templates} cached, not due`, unmanaged: `${r.templates} from UnmanagedTemplates`, failed: '' }[r.outcome];
  return r.outcome === 'failed' ? `${r.issuer}: failed: ${r.error!.code}: ${printable(r.error!.message)}` : `${r.issuer}: ${what}`;
}

export async function runTemplates(args: readonly string[], io: CommandIo): Promise<void> {
  const named = args[0] !== undefined && !args[0].startsWith('-');
  const sub = (named ? args[0] : 'list') as Subcommand;
  if (!SUBCOMMANDS.includes(sub)) throw new RmsError('INVALID_ARGUMENT', `unknown templates command ${printable(String(sub))}: ${SUBCOMMANDS.join(', ')}`);
  const localized = takeLocalized(named ? args.slice(1) : args);
  const p = parseCommand(`templates ${sub}`, localized.rest, {
    ...CLIENT_OPTIONS, ...DEFINITION_OPTIONS, issuer: { type: 'string' }, locale: { type: 'string' }, offline: { type: 'boolean' }, force: { type: 'boolean' },
    all: { type: 'boolean' },
  });
  // A stray word after list or refresh (a template name, a misspelt option) is a mistake, not ignored.
  if ((sub === 'list' || sub === 'refresh') && p.positionals.length > 0) {
    throw invalidArgument(`templates ${sub}`, `given no arguments (got ${printable(p.positionals[0]!)})`);
  }
  const client = RmsClient.open(clientOptions(p, io));
  const query = { issuer: stringOption(p, 'issuer'), locale: stringOption(p, 'locale') };
  try {
    if (sub === 'list' && p.values.all === true) {
      // The administrator's view of the default service: records, not signed templates; nothing cached.
      if (query.issuer !== undefined || query.locale !== undefined || p.values.offline === true) throw invalidArgument('--all', 'not with --issuer, --locale or --offline');
      const records = await new RmsAdministration(client).listTemplates();
      report(p, io, records, records.length === 0 ? ['no templates'] : records.map((t) => `${t.id}  ${printable(t.name)}${t.archived ? '  (archived)' : ''}`));
    } else if (sub === 'list') {
      const templates = await client.getTemplates({ ...query, offlineOnly: p.values.offline === true });
      // --json: an array of {id, name, description, issuer}, the shape scripts rely on.
      report(p, io, templates.map((t) => ({ id: t.id, name: t.name, description: t.description, issuer: t.issuer })),
        templates.length === 0 ? ['no templates'] : templates.map((t) => `${t.id}  ${printable(t.name)}${t.description ? ` - ${printable(t.description)}` : ''}`));
    } else if (sub === 'refresh') {
      const outcomes = await client.refreshTemplates({ issuer: query.issuer, force: p.values.force === true });
      report(p, io, outcomes.map((r) => ({ issuer: r.issuer, serviceId: r.serviceId, outcome: r.outcome, templates: r.templates,
        ...(r.error === undefined ? {} : { error: { code: r.error.code, message: r.error.message } }) })), outcomes.map(refreshLine));
      const failed = outcomes.find((r) => r.outcome === 'failed');
      if (failed !== undefined) throw failed.error!;
    } else if (sub === 'export') {
      io.out.write(await client.exportTemplate(requireOne('templates export', p, 'template ID or name'), query));
    } else if (sub === 'create' || sub === 'add') {
      const d = definitionOf(p, localized);
      if (sub === 'add') d.name = requireOne('templates add', p, 'NAME');
      else if (p.positionals.length > 0) throw invalidArgument('templates create', 'no arguments: the name is --name');
      if (d.name === undefined) throw invalidArgument('--name', "the template's name");
      if (d.grants === undefined) throw invalidArgument('--grant', 'at least one EMAIL:RIGHT[,RIGHT]...');
      const t = await new RmsAdministration(client).createTemplate(d as TemplateDefinition);
      report(p, io, t, [t.id]);
    } else if (sub === 'update') {
      const id = templateId('templates update', p);
      const d = definitionOf(p, localized);
      if (Object.keys(d).length === 0) throw invalidArgument('templates update', 'at least one change (--name, --grant, ...)');
      const t = await new RmsAdministration(client).updateTemplate(id, d);
      report(p, io, t, [`template ${printable(t.name)} updated (${t.id})`]);
    } else {
      const id = templateId('templates archive', p);
      await new RmsAdministration(client).archiveTemplate(id);
      report(p, io, { id, archived: true }, [`template ${id} archived`]);
    }
  } finally {
    client.close();
  }
}
