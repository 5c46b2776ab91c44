/**
 * `openrms users add EMAIL [--password-stdin] [--admin] [--super-user] [--organization | --individual] [--data DIR]`,
 * `openrms users disable|enable|remove EMAIL [--data DIR]` and
 * `openrms principals add IDENTITY [--data DIR]`: run beside the service, on its data folder
 * (SQLite in WAL mode lets both write at once).
 */
import { openDataFolder } from '../server/data-folder';
import { Accounts } from '../server/accounts';
import { openStorage } from '../server/storage/storage';
import { RmsError } from '../errors';
import { normalizeEmail } from '../license/certificates';
import { CommandIo, parseCommand, readPasswordFromStdin, report, requireOne, stringOption } from './command-line';
import { dataDir } from './serve';

async function withAccounts<T>(data: string | undefined, io: CommandIo, fn: (accounts: Accounts) => Promise<T>): Promise<T> {
  const folder = openDataFolder(dataDir(data, io));
  const storage = await openStorage({ dataDir: folder.dir });
  return fn(new Accounts(storage, () => Math.floor(Date.now() / 1000))).finally(() => storage.close());
}

const USERS_USAGE = 'usage: openrms users add EMAIL [--password-stdin] [--admin] [--super-user] [--organization | --individual] [--data DIR]\n'
  + '       openrms users disable|enable|remove EMAIL [--data DIR]';

export async function runUsers(args: readonly string[], io: CommandIo): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'disable' || sub === 'enable' || sub === 'remove') return runUserState(sub, rest, io);
  if (sub !== 'add') throw new RmsError('INVALID_ARGUMENT', USERS_USAGE);
  const p = parseCommand('users add', rest, {
    'password-stdin': { type: 'boolean' }, admin: { type: 'boolean' }, 'super-user': { type: 'boolean' },
    organization: { type: 'boolean' }, individual: { type: 'boolean' }, data: { type: 'string' },
  });
  const email = requireOne('users add', p, 'EMAIL');
  if (p.values.organization && p.values.individual) throw new RmsError('INVALID_ARGUMENT', 'users add: --organization and --individual exclude each other');
  const kind = p.values.organization ? 'organization' : p.values.individual ? 'individual' : undefined;
  const password = p.values['password-stdin'] ? await readPasswordFromStdin(io.stdin) : null;
  const update = await withAccounts(stringOption(p, 'data'), io, (accounts) =>
    accounts.addUser(email, { password, kind, admin: p.values.admin === true ? true : undefined, superUser: p.values['super-user'] === true ? true : undefined }));
  const { account, changes, state } = update;
  const roles = [account.admin ? 'administrator' : null, account.superUser ? 'super user' : null, state !== 'active' ? state : null].filter(Boolean);
  const changed = changes.length === 0 ? 'unchanged' : changes.join(', ');
  report(p, io, { ...account, state, created: update.created, changes }, [
    `user ${account.email} (${account.kind}${roles.length ? `, ${roles.join(', ')}` : ''}): ${changed}`
    + `${password === null && update.created ? ' (no password set: use --password-stdin)' : ''}`,
  ]);
}

const STATE_WORDS = { disable: 'disabled: no sign-in, and content first seen from now on that they published gets no use license',
  enable: 'enabled', remove: 'removed: account and sessions deleted; content first seen from now on that they published gets no use license' };

async function runUserState(sub: 'disable' | 'enable' | 'remove', rest: readonly string[], io: CommandIo): Promise<void> {
  const p = parseCommand(`users ${sub}`, rest, { data: { type: 'string' } });
  const email = requireOne(`users ${sub}`, p, 'EMAIL');
  const state = await withAccounts(stringOption(p, 'data'), io, async (accounts) => {
    await accounts[sub](email);
    return accounts.state(email);
  });
  report(p, io, { identity: normalizeEmail(email), state }, [`${normalizeEmail(email)} ${STATE_WORDS[sub]}`]);
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
