/**
 * `openrms rights PATH [--json]`: what the signed-in user may do with a protected file (acquires
 * or reuses a use license). `openrms revoke PATH|CONTENT-ID`: no new use licenses for it.
 */
import { RmsClient } from '../client/rms-client';
import { readFileLicense } from '../format/protect-file';
import { CLIENT_OPTIONS, clientOptions, CommandIo, parseCommand, report, requireOne } from './command-line';

export async function runRights(args: readonly string[], io: CommandIo): Promise<void> {
  const p = parseCommand('rights', args, { ...CLIENT_OPTIONS, offline: { type: 'boolean' } });
  const file = requireOne('rights', p, 'PATH');
  const client = RmsClient.open(clientOptions(p, io));
  try {
    const license = await client.fileLicense(file, { offlineOnly: p.values.offline === true });
    license.close();
    const facts = {
      rights: license.rights, owner: license.owner, contentId: license.contentId, user: client.identity,
      licenseValidUntil: license.licenseValidUntil.toISOString(), contentValidUntil: license.contentValidUntil?.toISOString() ?? null,
      fromCache: license.fromCache,
    };
    report(p, io, facts, [
      `${file}: ${client.identity} may ${license.rights.join(', ')}`,
      `  owner                ${facts.owner}`,
      `  content ID           ${facts.contentId}`,
      `  license valid until  ${facts.licenseValidUntil}${license.fromCache ? ' (cached license)' : ''}`,
      `  content valid until  ${facts.contentValidUntil ?? 'no limit'}`,
    ]);
  } finally {
    client.close();
  }
}

const CONTENT_ID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

export async function runRevoke(args: readonly string[], io: CommandIo): Promise<void> {
  const p = parseCommand('revoke', args, { ...CLIENT_OPTIONS });
  const target = requireOne('revoke', p, 'PATH or CONTENT-ID');
  const client = RmsClient.open(clientOptions(p, io));
  try {
    const id = CONTENT_ID.exec(target);
    const result = await client.revoke(id !== null ? { contentId: id[1]!.toLowerCase() } : { publishingLicense: await readFileLicense(target) });
    report(p, io, { contentId: result.contentId, revokedAt: result.revokedAt.toISOString() },
      [`revoked content ${result.contentId}: the service issues no new use license for it`]);
  } finally {
    client.close();
  }
}
