/**
 * `openrms scp register URL` and `openrms scp remove`: what the AD RMS console's "SCP" tab does,
 * against the configured directory (`Discovery\Directory`, or the `_ldap._tcp` records of
 * `DirectoryDomain`) bound with the configured credentials (`DirectoryBindDn`,
 * `DirectoryPasswordFile`): registers (or changes) the service connection point's URL, or
 * removes the service connection point. docs/discovery.md has the equivalent LDIF.
 */
import { openConfiguredDirectory, registerScp, removeScp } from '../discovery';
import { RmsError } from '../errors';
import { loadClientSettings } from '../settings';
import { CLIENT_OPTIONS, clientOptions, CommandIo, parseCommand, printable, report } from './command-line';
import { caOption } from './login';

export async function runScp(args: readonly string[], io: CommandIo): Promise<void> {
  const sub = args[0];
  if (sub !== 'register' && sub !== 'remove') throw new RmsError('INVALID_ARGUMENT', 'usage: openrms scp register URL | openrms scp remove');
  const p = parseCommand(`scp ${sub}`, args.slice(1), { ca: { type: 'string' }, ...CLIENT_OPTIONS });
  const [url, ...extra] = p.positionals;
  if (sub === 'register' ? url === undefined || extra.length > 0 : p.positionals.length > 0) {
    throw new RmsError('INVALID_ARGUMENT', sub === 'register' ? 'usage: openrms scp register URL (the licensing service, e.g. https://rms.contoso.com/_wmcs/certification)' : 'scp remove takes no arguments');
  }
  const { store, mode, account } = clientOptions(p, io);
  const settings = loadClientSettings({ mode, account, storeRoot: store, env: io.env });
  const session = await openConfiguredDirectory(settings, caOption(p));
  try {
    if (sub === 'register') {
      const { dn, created } = await registerScp(session, settings.directory.scpPath, url!);
      report(p, io, { directory: session.url, dn, url, created }, [`${created ? 'registered' : 'changed'} the service connection point ${printable(dn)} in ${session.url}: ${printable(url!)}`]);
    } else {
      const { dn, removed } = await removeScp(session, settings.directory.scpPath);
      report(p, io, { directory: session.url, dn, removed }, [removed ? `removed the service connection point ${printable(dn)} from ${session.url}` : `${session.url} has no service connection point ${printable(dn)}`]);
    }
  } finally {
    await session.close();
  }
}
