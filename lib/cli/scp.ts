/**
 * `openrms scp register URL` and `openrms scp remove`: what the AD RMS console's "SCP" tab does,
 * against the configured directory (`Discovery\Directory`, or the `_ldap._tcp` records of
 * `DirectoryDomain`) bound with the configured credentials (`DirectoryBindDn`,
 * `DirectoryPasswordFile`): registers (or changes) the service connection point's URL, or
 * removes the service connection point. docs/discovery.md has the equivalent LDIF.
 */
import { Command } from 'commander';

import { openConfiguredDirectory, registerScp, removeScp } from '../discovery';
import { loadClientSettings } from '../settings';
import { addClientOptions, examples } from './command-tree';
import { ClientFlags, clientOptions, CommandIo, printable, report } from './command-line';
import { caOption } from './login';

interface ScpFlags extends ClientFlags {
  ca?: string;
}

async function withDirectory(flags: ScpFlags, io: CommandIo, use: (session: Awaited<ReturnType<typeof openConfiguredDirectory>>, scpPath: string) => Promise<void>): Promise<void> {
  const { store, mode, account } = clientOptions(flags, io);
  const settings = loadClientSettings({ mode, account, storeRoot: store, env: io.env });
  const session = await openConfiguredDirectory(settings, caOption(flags.ca));
  try {
    await use(session, settings.directory.scpPath);
  } finally {
    await session.close();
  }
}

export function scpCommand(io: CommandIo): Command {
  const scp = new Command('scp')
    .summary('set or remove the AD RMS service connection point in the configured directory')
    .description('The service connection point (SCP) clients of the directory find the service by (docs/discovery.md). '
      + 'The directory and its credentials are settings: Discovery\\Directory or DirectoryDomain, DirectoryBindDn, DirectoryPasswordFile.');
  const options = (command: Command): Command => addClientOptions(command.option('--ca <file>', "the directory's private CA (PEM), for ldaps"));
  examples(options(scp.command('register')
    .summary('register (or change) the service connection point')
    .argument('<url>', 'the licensing service, e.g. https://rms.contoso.com/_wmcs/certification'))
    .action((url: string, flags: ScpFlags) => withDirectory(flags, io, async (session, scpPath) => {
      const { dn, created } = await registerScp(session, scpPath, url);
      report(flags, io, { directory: session.url, dn, url, created },
        [`${created ? 'registered' : 'changed'} the service connection point ${printable(dn)} in ${printable(session.url)}: ${printable(url)}`]);
    })), ['openrms scp register https://rms.contoso.com/_wmcs/certification']);
  examples(options(scp.command('remove').summary('remove the service connection point'))
    .action((flags: ScpFlags) => withDirectory(flags, io, async (session, scpPath) => {
      const { dn, removed } = await removeScp(session, scpPath);
      report(flags, io, { directory: session.url, dn, removed },
        [removed ? `removed the service connection point ${printable(dn)} from ${printable(session.url)}` : `${printable(session.url)} has no service connection point ${printable(dn)}`]);
    })), ['openrms scp remove']);
  return scp;
}
