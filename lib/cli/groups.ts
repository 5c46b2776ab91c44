/**
 * `openrms groups add GROUP MEMBER...`, `openrms groups remove GROUP [MEMBER...]`,
 * `openrms groups members GROUP` and `openrms groups list`, with `--data` and `--db`: the
 * service's own groups, which grants to a group address reach (server/groups.ts). Run beside the
 * service; a change applies to the next use license at every instance.
 */
import { Command } from 'commander';

import { normalizeEmail } from '../license/certificates';
import { Groups } from '../server/groups';
import { examples } from './command-tree';
import { CommandIo, printable, report } from './command-line';
import { DataFlags, dataOptions, withServiceData } from './service-data';
import { isoTime } from './users';

function withGroups<T>(flags: DataFlags, io: CommandIo, fn: (groups: Groups) => Promise<T>): Promise<T> {
  return withServiceData(flags, io, ({ storage, now }) => fn(new Groups(storage.groups, now)));
}

async function addMembers(group: string, members: string[], flags: DataFlags, io: CommandIo): Promise<void> {
  const { added, count } = await withGroups(flags, io, async (groups) => {
    const n = await groups.add(group, members);
    return { added: n, count: (await groups.members(group)).length };
  });
  const name = normalizeEmail(group);
  report(flags, io, { group: name, added, members: count }, [`${printable(name)}: ${added} added, ${count} member${count === 1 ? '' : 's'}`]);
}

async function removeMembers(group: string, members: string[], flags: DataFlags, io: CommandIo): Promise<void> {
  const { removed, count } = await withGroups(flags, io, async (groups) => {
    const n = await groups.remove(group, members);
    return { removed: n, count: (await groups.members(group)).length };
  });
  const name = normalizeEmail(group);
  const left = count === 0 ? 'the group is gone' : `${count} member${count === 1 ? '' : 's'} left`;
  report(flags, io, { group: name, removed, members: count }, [`${printable(name)}: ${removed} removed, ${left}`]);
}

async function listMembers(group: string, flags: DataFlags, io: CommandIo): Promise<void> {
  const members = await withGroups(flags, io, (groups) => groups.members(group));
  report(flags, io, { group: normalizeEmail(group), members: members.map((m) => ({ member: m.member, addedAt: isoTime(m.addedAt) })) },
    members.length === 0 ? [`${printable(group)} has no members`] : members.map((m) => printable(m.member)));
}

async function listGroups(flags: DataFlags, io: CommandIo): Promise<void> {
  const groups = await withGroups(flags, io, (g) => g.list());
  report(flags, io, { groups }, groups.length === 0 ? ['no groups'] : groups.map((g) => `${printable(g.group)}  ${g.members} member${g.members === 1 ? '' : 's'}`));
}

export function groupsCommand(io: CommandIo): Command {
  const groups = new Command('groups')
    .summary("manage the service's groups, which grants to a group address reach")
    .description('A grant to a group address gives its rights to the group\'s members, resolved at each use license. '
      + 'Members are addresses: users, service principals\' identities, external identities, or other groups (followed 8 levels deep).');
  examples(dataOptions(groups.command('add')
    .summary('add members to a group (made by its first member)')
    .argument('<group>', "the group's address, as grants name it")
    .argument('<member...>', 'addresses to add'))
    .action((group: string, members: string[], flags: DataFlags) => addMembers(group, members, flags, io)), [
    'openrms groups add finance@contoso.com alice@contoso.com bob@contoso.com --data /srv/openrms',
    'openrms groups add staff@contoso.com finance@contoso.com   # a group in a group',
  ]);
  examples(dataOptions(groups.command('remove')
    .summary('remove members from a group, or the whole group')
    .description('Remove the members named from the group; with none named, every member (the group is gone). A removed member gets no further use license through the group.')
    .argument('<group>', "the group's address")
    .argument('[member...]', 'addresses to remove (none: all)'))
    .action((group: string, members: string[], flags: DataFlags) => removeMembers(group, members, flags, io)), [
    'openrms groups remove finance@contoso.com bob@contoso.com --data /srv/openrms',
    'openrms groups remove old-team@contoso.com',
  ]);
  examples(dataOptions(groups.command('members')
    .summary("list a group's direct members")
    .argument('<group>', "the group's address"))
    .action((group: string, flags: DataFlags) => listMembers(group, flags, io)), ['openrms groups members finance@contoso.com --json']);
  examples(dataOptions(groups.command('list')
    .summary('list the groups and their number of members'))
    .action((flags: DataFlags) => listGroups(flags, io)), ['openrms groups list --data /srv/openrms']);
  return groups;
}
