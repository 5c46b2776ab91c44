/**
 * `openrms rights PATH [--offline] [--json]`: what the signed-in user may do with a protected file
 * (acquires or reuses a use license). `openrms revoke PATH|CONTENT-ID`: no new use licenses for it.
 */
import { Command } from 'commander';

import { RmsClient } from '../client/rms-client';
import { readFileLicense } from '../format/protect-file';
import { addClientOptions, examples } from './command-tree';
import { ClientFlags, clientOptions, CommandIo, printable, report } from './command-line';

interface RightsFlags extends ClientFlags {
  offline?: boolean;
}

async function rights(file: string, flags: RightsFlags, io: CommandIo): Promise<void> {
  const client = RmsClient.open(clientOptions(flags, io));
  try {
    const license = await client.fileLicense(file, { offlineOnly: flags.offline === true });
    license.close();
    const facts = {
      rights: license.rights, owner: license.owner, contentId: license.contentId, user: client.identity,
      licenseValidUntil: license.licenseValidUntil.toISOString(), contentValidUntil: license.contentValidUntil?.toISOString() ?? null,
      fromCache: license.fromCache,
    };
    // The owner and the rights come from the license (custom rights are an application's words).
    report(flags, io, facts, [
      `${printable(file)}: ${printable(client.identity)} may ${printable(license.rights.join(', '))}`,
      `  owner                ${printable(facts.owner)}`,
      `  content ID           ${printable(facts.contentId)}`,
      `  license valid until  ${facts.licenseValidUntil}${license.fromCache ? ' (cached license)' : ''}`,
      `  content valid until  ${facts.contentValidUntil ?? 'no limit'}`,
    ]);
  } finally {
    client.close();
  }
}

const CONTENT_ID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

async function revoke(target: string, flags: ClientFlags, io: CommandIo): Promise<void> {
  const client = RmsClient.open(clientOptions(flags, io));
  try {
    const id = CONTENT_ID.exec(target);
    const result = await client.revoke(id !== null ? { contentId: id[1]!.toLowerCase() } : { publishingLicense: await readFileLicense(target) });
    report(flags, io, { contentId: result.contentId, revokedAt: result.revokedAt.toISOString() },
      [`revoked content ${printable(result.contentId)}: the service issues no new use license for it`]);
  } finally {
    client.close();
  }
}

export function rightsCommands(io: CommandIo): Command[] {
  const rightsCommand = addClientOptions(new Command('rights')
    .summary('what you may do with a protected file')
    .description('Get (or reuse) your use license for a protected file and print your rights, its owner and how long the license and the content are valid.')
    .argument('<path>', 'a protected file')
    .option('--offline', 'only from a cached use license: never ask the service'))
    .action((file: string, flags: RightsFlags) => rights(file, flags, io));
  examples(rightsCommand, ['openrms rights plan.ptxt', 'openrms rights plan.ptxt --json | jq -r ".rights[]"']);
  const revokeCommand = addClientOptions(new Command('revoke')
    .summary('stop the service issuing licenses for content')
    .description('Revoke content (its owner or an administrator): the service issues no new use license for it; licenses cached for offline use run out.')
    .argument('<path-or-content-id>', 'a protected file, or its content ID (openrms inspect shows it)'))
    .action((target: string, flags: ClientFlags) => revoke(target, flags, io));
  examples(revokeCommand, ['openrms revoke plan.ptxt', 'openrms revoke 6f1c2f0e-3a7b-4c1d-9e8f-0a1b2c3d4e5f']);
  return [rightsCommand, revokeCommand];
}
