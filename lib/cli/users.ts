/**
 * `openrms users add EMAIL [--password-stdin] [--admin] [--super-user] [--data DIR]` and
 * `openrms principals add IDENTITY [--data DIR]`: run beside the service, on its data folder
 * (SQLite in WAL mode lets both write at once).
 */
import { openDataFolder } from '../server/data-folder';
import { Accounts } from '../server/accounts';
import { RmsError } from '../errors';
import { CommandIo, parseCommand, readPasswordFromStdin, report, requireOne, stringOption } from './command-line';
import { dataDir } from './serve';

function withAccounts<T>(data: string | undefined, io: CommandIo, fn: (accounts: Accounts) => Promise<T>): Promise<T> {
  const folder = openDataFolder(dataDir(data, io));
  return fn(new Accounts(folder.db, () => Math.floor(Date.now() / 1000))).finally(() => folder.db.close());
}

export async function runUsers(args: readonly string[], io: CommandIo): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'add') throw new RmsError('INVALID_ARGUMENT', 'usage: openrms users add EMAIL [--password-stdin] [--admin] [--super-user] [--data DIR]');
  const p = parseCommand('users add', rest, {
    'password-stdin': { type: 'boolean' }, admin: { type: 'boolean' }, 'super-user': { type: 'boolean' }, data: { type: 'string' },
  });
  const email = requireOne('users add', p, 'EMAIL');
  const password = p.values['password-stdin'] ? await readPasswordFromStdin(io.stdin) : null;
  const account = await withAccounts(stringOption(p, 'data'), io, (accounts) =>
    accounts.addUser(email, { password, admin: p.values.admin === true ? true : undefined, superUser: p.values['super-user'] === true ? true : undefined }));
  const roles = [account.admin ? 'administrator' : null, account.superUser ? 'super user' : null].filter(Boolean);
  report(p, io, account, [`user ${account.email} (${account.kind}${roles.length ? `, ${roles.join(', ')}` : ''})${password === null ? ' (no password set: use --password-stdin)' : ''}`]);
}

export async function runPrincipals(args: readonly string[], io: CommandIo): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'add') throw new RmsError('INVALID_ARGUMENT', 'usage: openrms principals add IDENTITY [--data DIR]');
  const p = parseCommand('principals add', rest, { data: { type: 'string' } });
  const identity = requireOne('principals add', p, 'IDENTITY');
  const credentials = await withAccounts(stringOption(p, 'data'), io, async (accounts) => accounts.addServicePrincipal(identity));
  report(p, io, { identity, ...credentials }, [
    `service principal for ${identity}`, `  client ID:     ${credentials.clientId}`, `  client secret: ${credentials.clientSecret}`,
    'The secret is shown once; the service keeps only its hash.',
  ]);
}
