/**
 * `openrms templates [--json]`: the service's templates. Administrators also have
 * `templates add NAME --grant EMAIL:RIGHTS... [--description TEXT] [--valid-days N]
 * [--offline-days N]` and `templates archive ID`.
 */
import { RmsClient } from '../client/rms-client';
import { RmsAdministration } from '../client/template-administration';
import { invalidArgument, RmsError } from '../errors';
import { CLIENT_OPTIONS, clientOptions, CommandIo, parseCommand, report, requireOne, stringOption } from './command-line';
import { parseGrant } from './protect';

function count(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,6}$/.test(value)) throw invalidArgument(option, 'a whole number of days');
  return Number(value);
}

export async function runTemplates(args: readonly string[], io: CommandIo): Promise<void> {
  const sub = args[0] !== undefined && !args[0].startsWith('--') ? args[0] : 'list';
  const rest = sub === 'list' && args[0] !== 'list' ? args : args.slice(1);
  const p = parseCommand(`templates ${sub}`, rest, {
    ...CLIENT_OPTIONS, grant: { type: 'string', multiple: true }, description: { type: 'string' },
    'valid-days': { type: 'string' }, 'offline-days': { type: 'string' },
  });
  const client = RmsClient.open(clientOptions(p, io));
  try {
    if (sub === 'list') {
      const templates = await client.getTemplates();
      report(p, io, { templates: templates.map((t) => ({ id: t.id, name: t.name, description: t.description })) },
        templates.length === 0 ? ['no templates'] : templates.map((t) => `${t.id}  ${t.name}${t.description ? ` - ${t.description}` : ''}`));
    } else if (sub === 'add') {
      const name = requireOne('templates add', p, 'NAME');
      const grants = ((p.values.grant as string[] | undefined) ?? []).map(parseGrant);
      const t = await new RmsAdministration(client).createTemplate({
        name, description: stringOption(p, 'description'), grants,
        contentValidDays: count('--valid-days', stringOption(p, 'valid-days')) ?? null, offlineDays: count('--offline-days', stringOption(p, 'offline-days')),
      });
      report(p, io, t, [`template ${t.name} added (${t.id})`]);
    } else if (sub === 'archive') {
      const id = requireOne('templates archive', p, 'ID');
      await new RmsAdministration(client).archiveTemplate(id);
      report(p, io, { id, archived: true }, [`template ${id} archived`]);
    } else {
      throw new RmsError('INVALID_ARGUMENT', `unknown templates command ${sub}: list, add or archive`);
    }
  } finally {
    client.close();
  }
}
