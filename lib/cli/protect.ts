/**
 * `openrms protect PATH... (--template ID|NAME | --grant EMAIL:RIGHT[,RIGHT]...) [--expires
 * ISO-DATE|Nd] [--offline-days N] [--online] [--out DIR]` and `openrms unprotect PATH... [--out
 * DIR]`. Each file gets its own license and content key; licenses from --grant make the
 * signed-in user their owner (OWNER), as Office does for the author.
 */
import { mkdirSync } from 'node:fs';

import { RmsClient } from '../client/rms-client';
import { LicenseDescriptor } from '../client/license-descriptor';
import { fileSystemError, invalidArgument, RmsError } from '../errors';
import { Grant } from '../license/publishing-license';
import { CLIENT_OPTIONS, clientOptions, CommandIo, parseCommand, Parsed, report, stringOption } from './command-line';

const DAY_MS = 24 * 3600 * 1000;

export function parseGrant(value: string): Grant {
  const at = value.lastIndexOf(':');
  if (at <= 0 || at === value.length - 1) throw invalidArgument('--grant', 'EMAIL:RIGHT[,RIGHT]..., e.g. bob@contoso.com:VIEW,PRINT');
  return { who: value.slice(0, at), rights: value.slice(at + 1).split(',').map((r) => r.trim()).filter((r) => r !== '') };
}

export function parseExpires(value: string, nowMs: number): Date {
  const days = /^(\d{1,6})d$/i.exec(value);
  if (days !== null) return new Date(nowMs + Number(days[1]) * DAY_MS);
  const date = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(NaN);
  if (!Number.isFinite(date.getTime())) throw invalidArgument('--expires', 'an ISO date (2027-01-31, 2027-01-31T18:00:00Z) or a number of days (30d)');
  return date;
}

function openClient(p: Parsed, io: CommandIo): RmsClient {
  return RmsClient.open(clientOptions(p, io));
}

/** The --out folder, created when missing (the library's file API, like MSIPC's, wants it to exist). */
function outputDir(p: Parsed): string | undefined {
  const dir = stringOption(p, 'out');
  if (dir === undefined) return undefined;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw fileSystemError(error, dir);
  }
  return dir;
}

function files(command: string, p: Parsed): string[] {
  if (p.positionals.length === 0) throw new RmsError('INVALID_ARGUMENT', `${command} needs at least one PATH`);
  return p.positionals;
}

async function licenseFor(client: RmsClient, p: Parsed): Promise<LicenseDescriptor> {
  const template = stringOption(p, 'template');
  const grants = (p.values.grant as string[] | undefined) ?? [];
  if ((template === undefined) === (grants.length === 0)) throw new RmsError('INVALID_ARGUMENT', 'protect needs either --template or --grant (not both)');
  const license = template !== undefined
    ? await client.createLicenseFromTemplate(template)
    : client.createLicense({ grants: grants.map(parseGrant), autoGrantOwner: true });
  const expires = stringOption(p, 'expires');
  if (expires !== undefined) license.contentValidUntil = parseExpires(expires, Date.now());
  const offline = stringOption(p, 'offline-days');
  if (offline !== undefined) {
    if (!/^\d{1,5}$/.test(offline)) throw invalidArgument('--offline-days', 'an integer from 0 to 65535');
    license.offlineDays = Number(offline);
  }
  return license;
}

export async function runProtect(args: readonly string[], io: CommandIo): Promise<void> {
  const p = parseCommand('protect', args, {
    template: { type: 'string' }, grant: { type: 'string', multiple: true }, expires: { type: 'string' },
    'offline-days': { type: 'string' }, online: { type: 'boolean' }, out: { type: 'string' }, ...CLIENT_OPTIONS,
  });
  const inputs = files('protect', p);
  const client = openClient(p, io);
  const out = outputDir(p);
  try {
    const license = await licenseFor(client, p);
    const done: { source: string; path: string; contentId: string }[] = [];
    for (const source of inputs) {
      const serialized = await client.serializeLicense(license, { online: p.values.online === true });
      try {
        const result = await client.protectFile(source, serialized, { outputDir: out });
        done.push({ source, path: result.path, contentId: serialized.contentId });
      } finally {
        serialized.contentKey.close();
      }
    }
    report(p, io, { files: done }, done.map((d) => `protected ${d.source} -> ${d.path} (content ID ${d.contentId})`));
  } finally {
    client.close();
  }
}

export async function runUnprotect(args: readonly string[], io: CommandIo): Promise<void> {
  const p = parseCommand('unprotect', args, { out: { type: 'string' }, ...CLIENT_OPTIONS });
  const inputs = files('unprotect', p);
  const client = openClient(p, io);
  const out = outputDir(p);
  try {
    const done: { source: string; path: string; contentId: string }[] = [];
    for (const source of inputs) {
      const result = await client.unprotectFile(source, { outputDir: out });
      done.push({ source, path: result.path, contentId: result.license.contentId });
    }
    report(p, io, { files: done }, done.map((d) => `unprotected ${d.source} -> ${d.path}`));
  } finally {
    client.close();
  }
}
