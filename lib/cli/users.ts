/**
 * `openrms users add EMAIL [--password | --password-stdin] [--admin] [--super-user] [--organization | --individual]`,
 * `openrms users list`, `openrms users disable|enable|remove EMAIL`, and
 * `openrms principals add IDENTITY`, `openrms principals list`, `openrms principals remove CLIENT-ID|IDENTITY`,
 * each with `--data DIR` and `--db URL` (service-data.ts): run beside the service, on its data
 * (SQLite in WAL mode, or PostgreSQL, lets both write at once).
 */
import { Command, Option } from 'commander';

import { Accounts } from '../server/accounts';
import { normalizeEmail } from '../license/certificates';
import { examples } from './command-tree';
import { CommandIo, printable, report } from './command-line';
import { isTerminal, readPassword } from './password-prompt';
import { DataFlags, dataOptions, withServiceData } from './service-data';

function withAccounts<T>(flags: DataFlags, io: CommandIo, fn: (accounts: Accounts) => Promise<T>): Promise<T> {
  return withServiceData(flags, io, ({ storage, now }) => fn(new Accounts(storage, now)));
}

/** A time for people and JSON alike: ISO 8601 in UTC, to the second. */
export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

interface AddFlags extends DataFlags {
  password?: boolean;
  passwordStdin?: boolean;
  admin?: boolean;
  superUser?: boolean;
  organization?: boolean;
  individual?: boolean;
}

async function addUser(email: string, flags: AddFlags, io: CommandIo): Promise<void> {
  const kind = flags.organization ? 'organization' : flags.individual ? 'individual' : undefined;
  const ask = (): Promise<string> => readPassword(io, { command: 'users add --password', fromStdin: flags.passwordStdin === true, confirm: true });
  let password = flags.password === true || flags.passwordStdin === true ? await ask() : null;
  const update = await withAccounts(flags, io, async (accounts) => {
    // A new user added at a terminal is asked for a password (without one they cannot sign in);
    // an existing one keeps theirs unless --password or --password-stdin says otherwise.
    if (password === null && isTerminal(io.stdin) && (await accounts.find(email)) === null) password = await ask();
    return accounts.addUser(email, { password, kind, admin: flags.admin === true ? true : undefined, superUser: flags.superUser === true ? true : undefined });
  });
  const { account, changes, state } = update;
  const roles = [account.admin ? 'administrator' : null, account.superUser ? 'super user' : null, state !== 'active' ? state : null].filter(Boolean);
  const changed = changes.length === 0 ? 'unchanged' : changes.join(', ');
  report(flags, io, { ...account, state, created: update.created, changes }, [
    `user ${printable(account.email)} (${account.kind}${roles.length ? `, ${roles.join(', ')}` : ''}): ${changed}`
    + `${password === null && update.created ? ' (no password set: use --password or --password-stdin)' : ''}`,
  ]);
}

const STATE_WORDS = { disable: 'disabled: no sign-in, and content first seen from now on that they published gets no use license',
  enable: 'enabled', remove: 'removed: account and sessions deleted; content first seen from now on that they published gets no use license' };

const STATE_SUMMARIES = { disable: "stop a user's sign-in and their new content's licenses", enable: 'undo disable', remove: 'delete a user and their sessions' };

async function changeState(sub: 'disable' | 'enable' | 'remove', email: string, flags: DataFlags, io: CommandIo): Promise<void> {
  const state = await withAccounts(flags, io, async (accounts) => {
    await accounts[sub](email);
    return accounts.state(email);
  });
  report(flags, io, { identity: normalizeEmail(email), state }, [`${printable(normalizeEmail(email))} ${STATE_WORDS[sub]}`]);
}

async function listUsers(flags: DataFlags, io: CommandIo): Promise<void> {
  const users = await withAccounts(flags, io, (accounts) => accounts.listUsers());
  const json = users.map((u) => ({ ...u, createdAt: isoTime(u.createdAt) }));
  report(flags, io, { users: json }, users.length === 0 ? ['no users'] : users.map((u) => {
    const notes = [u.kind, u.admin ? 'administrator' : null, u.superUser ? 'super user' : null, u.state === 'active' ? null : u.state,
      u.hasPassword ? null : 'no password'].filter(Boolean);
    return `${printable(u.email)}  (${notes.join(', ')})  since ${isoTime(u.createdAt)}`;
  }));
}

async function listPrincipals(flags: DataFlags, io: CommandIo): Promise<void> {
  const principals = await withAccounts(flags, io, (accounts) => accounts.listPrincipals());
  report(flags, io, { principals: principals.map((p) => ({ ...p, createdAt: isoTime(p.createdAt) })) }, principals.length === 0 ? ['no service principals']
    : principals.map((p) => `${printable(p.identity)}  client ID ${p.clientId}${p.state === 'active' ? '' : `  (${p.state})`}  since ${isoTime(p.createdAt)}`));
}

async function removePrincipal(which: string, flags: DataFlags, io: CommandIo): Promise<void> {
  const identity = await withAccounts(flags, io, (accounts) => accounts.removePrincipal(which));
  report(flags, io, { identity, state: 'removed' }, [`the service principal of ${printable(identity)} is removed: its secret no longer signs in`]);
}

async function addPrincipal(identity: string, flags: DataFlags, io: CommandIo): Promise<void> {
  const credentials = await withAccounts(flags, io, async (accounts) => accounts.addServicePrincipal(identity));
  report(flags, io, { identity, ...credentials }, [
    `service principal for ${printable(identity)}`, `  client ID:     ${credentials.clientId}`, `  client secret: ${credentials.clientSecret}`,
    'The secret is shown once; the service keeps only its hash.',
  ]);
}

export function usersCommands(io: CommandIo): Command[] {
  const users = new Command('users')
    .summary("manage the service's users (run beside it, on its data folder)")
    .description("Add, list, change, disable, enable or remove the licensing service's users, on its data (beside a running service too).");
  examples(dataOptions(users.command('add')
    .summary('add a user, or change one (says what changed)')
    .description('Add a user or change an existing one: password, roles, kind. At a terminal a new user is asked for a password '
      + '(typed twice, not echoed); --password asks for an existing one\'s, --password-stdin reads it from stdin (scripts).')
    .argument('<email>', "the user's address")
    .option('--password', 'set the password: typed at the terminal')
    .option('--password-stdin', 'set the password: the first line of stdin')
    .option('--admin', 'may administer templates and revoke any content')
    .option('--super-user', 'may open all content (MSIPC super user)')
    .addOption(new Option('--organization', 'an organization user (may protect)').conflicts('individual'))
    .option('--individual', 'an individual (signs up; protects only where the service allows)'))
    .action((email: string, flags: AddFlags) => addUser(email, flags, io)), [
    'openrms users add alice@contoso.com',
    'echo "$PASSWORD" | openrms users add alice@contoso.com --password-stdin --admin --data /srv/openrms',
    'openrms users add ivy@example.org --organization',
  ]);
  examples(dataOptions(users.command('list')
    .summary('list the users, their roles and state')
    .description('List every user (by address): kind, roles, state (active or disabled), whether a password is set, when added.'))
    .action((flags: DataFlags) => listUsers(flags, io)), ['openrms users list --data /srv/openrms', 'openrms users list --db postgres://openrms@db.contoso.com/openrms --json']);
  for (const sub of ['disable', 'enable', 'remove'] as const) {
    examples(dataOptions(users.command(sub)
      .summary(STATE_SUMMARIES[sub])
      .description(`The identity is ${STATE_WORDS[sub]}.`)
      .argument('<email>', "the user's address"))
      .action((email: string, flags: DataFlags) => changeState(sub, email, flags, io)), [`openrms users ${sub} jo@contoso.com --data /srv/openrms`]);
  }
  const principals = new Command('principals').summary("manage the service's service principals (server applications)")
    .description('Add, list or remove the service principals (client ID and secret) of server applications, on the service\'s data.');
  examples(dataOptions(principals.command('add')
    .summary('a client ID and secret for a server application')
    .description('Create a service principal acting as IDENTITY: prints its client ID and secret (shown once).')
    .argument('<identity>', 'the identity the application acts as'))
    .action((identity: string, flags: DataFlags) => addPrincipal(identity, flags, io)), ['openrms principals add batch@contoso.com --data /srv/openrms']);
  examples(dataOptions(principals.command('list')
    .summary('list the service principals (never their secrets)')
    .description('List every service principal: the identity it acts as, its client ID, its state, when made.'))
    .action((flags: DataFlags) => listPrincipals(flags, io)), ['openrms principals list --data /srv/openrms']);
  examples(dataOptions(principals.command('remove')
    .summary('remove a service principal')
    .description('Remove a service principal, by client ID or by the identity it acts as: its secret no longer signs in, its tokens are refused, '
      + 'and content it publishes offline from now on gets no use license.')
    .argument('<client-id-or-identity>', 'its client ID, or the identity it acts as'))
    .action((which: string, flags: DataFlags) => removePrincipal(which, flags, io)), ['openrms principals remove batch@contoso.com --data /srv/openrms']);
  return [users, principals];
}
