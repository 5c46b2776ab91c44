/**
 * `openrms protect PATH... (--template ID|NAME | --grant EMAIL:RIGHT[,RIGHT]...) [--expires
 * ISO-DATE|Nd] [--offline-days N] [--online] [--out DIR]` and `openrms unprotect PATH... [--out
 * DIR]`. Each file gets its own license and content key; licenses from --grant make the
 * signed-in user their owner (OWNER), as Office does for the author. Every path is tried: a file
 * that fails is reported and the next one goes on (file-outcomes.ts).
 */
import { mkdirSync } from 'node:fs';

import { Command } from 'commander';

import { LicenseDescriptor } from '../client/license-descriptor';
import { RmsClient } from '../client/rms-client';
import { fileSystemError, RmsError } from '../errors';
import { fileProtectionStatus } from '../format/protect-file';
import { Grant } from '../license/publishing-license';
import { addBulkOptions, BulkFlags, isBulk, runBulkCommand } from './bulk-command';
import { addClientOptions, examples } from './command-tree';
import { ClientFlags, clientOptions, CommandIo, printable, UsageError } from './command-line';
import { FileOutcomes } from './file-outcomes';
import { collect, parseExpires, parseGrant, parseOfflineDays } from './license-options';

/** What the license of a new file is to say, checked on the command line before any client opens. */
export interface LicenseRequest {
  template?: string;
  grants?: Grant[];
  expires?: Date;
  offlineDays?: number;
}

export interface ProtectFlags extends ClientFlags {
  template?: string;
  grant?: string[];
  expires?: string;
  offlineDays?: string;
  online?: boolean;
  out?: string;
}

export function licenseRequest(flags: ProtectFlags): LicenseRequest {
  const grants = flags.grant ?? [];
  if ((flags.template === undefined) === (grants.length === 0)) throw new UsageError('protect needs either --template or --grant (not both)', { argument: '--grant' });
  return {
    template: flags.template,
    grants: grants.length === 0 ? undefined : grants.map(parseGrant),
    expires: flags.expires === undefined ? undefined : parseExpires(flags.expires, Date.now()),
    offlineDays: flags.offlineDays === undefined ? undefined : parseOfflineDays(flags.offlineDays),
  };
}

export async function createLicense(client: RmsClient, request: LicenseRequest): Promise<LicenseDescriptor> {
  const license = request.template !== undefined
    ? await client.createLicenseFromTemplate(request.template)
    : client.createLicense({ grants: request.grants!, autoGrantOwner: true });
  if (request.expires !== undefined) license.contentValidUntil = request.expires;
  if (request.offlineDays !== undefined) license.offlineDays = request.offlineDays;
  return license;
}

/** The --out folder, created when missing (the library's file API, like MSIPC's, wants it to exist). */
export function outputDir(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw fileSystemError(error, dir);
  }
  return dir;
}

export interface ProtectedFile {
  path: string;
  contentId: string;
}

/**
 * Protects one file under a new content key and publishing license. A file already protected (by
 * openrms or another issuer) is refused with FILE_ALREADY_PROTECTED before anything is written:
 * protecting it again would make a file that opens only to another protected file.
 */
export async function protectOne(client: RmsClient, license: LicenseDescriptor, source: string, o: { online: boolean; outputDir?: string }): Promise<ProtectedFile> {
  if (await fileProtectionStatus(source) !== 'not-protected') {
    throw new RmsError('FILE_ALREADY_PROTECTED', `${source} is already protected (openrms inspect shows its license)`);
  }
  const serialized = await client.serializeLicense(license, { online: o.online });
  try {
    const result = await client.protectFile(source, serialized, { outputDir: o.outputDir });
    return { path: result.path, contentId: serialized.contentId };
  } finally {
    serialized.contentKey.close();
  }
}

/** What one run of `protect` does to a list of paths (the options parsed and checked). */
export interface ProtectRun {
  paths: string[];
  license: LicenseDescriptor;
  online: boolean;
  outputDir?: string;
}

/** Protects each path in turn, reporting each; a failure is reported and the next path goes on. */
export async function protectPaths(client: RmsClient, run: ProtectRun, outcomes: FileOutcomes): Promise<void> {
  for (const source of run.paths) {
    try {
      const done = await protectOne(client, run.license, source, run);
      outcomes.done(source, { path: done.path, contentId: done.contentId }, `${printable(source)} -> ${printable(done.path)} (content ID ${done.contentId})`);
    } catch (error) {
      outcomes.failed(source, error);
    }
  }
}

async function protect(paths: string[], flags: ProtectFlags & BulkFlags, io: CommandIo): Promise<void> {
  if (flags.rules !== undefined && (flags.template !== undefined || flags.grant !== undefined)) {
    throw new UsageError('protect takes --rules, or --template or --grant, not both', { argument: '--rules' });
  }
  // With rules, each file's license comes from them; otherwise the command line says it.
  const request = flags.rules === undefined ? licenseRequest(flags) : null;
  const client = RmsClient.open(clientOptions(flags, io));
  try {
    if (isBulk(flags)) {
      await runBulkCommand(client, 'protect', paths, flags, {
        license: request === null ? undefined : () => createLicense(client, request), online: flags.online === true, outputDir: outputDir(flags.out),
      }, io);
      return;
    }
    const run: ProtectRun = { paths, license: await createLicense(client, request!), online: flags.online === true, outputDir: outputDir(flags.out) };
    const outcomes = new FileOutcomes(io, { done: 'protected', json: flags.json === true, paths: paths.length });
    await protectPaths(client, run, outcomes);
    outcomes.finish();
  } finally {
    client.close();
  }
}

/** Writes a plaintext copy of each path (needs EXPORT or OWNER), reporting each. */
export async function unprotectPaths(client: RmsClient, paths: string[], o: { outputDir?: string }, outcomes: FileOutcomes): Promise<void> {
  for (const source of paths) {
    try {
      const result = await client.unprotectFile(source, { outputDir: o.outputDir });
      outcomes.done(source, { path: result.path, contentId: result.license.contentId }, `${printable(source)} -> ${printable(result.path)}`);
    } catch (error) {
      outcomes.failed(source, error);
    }
  }
}

interface UnprotectFlags extends ClientFlags {
  out?: string;
}

async function unprotect(paths: string[], flags: UnprotectFlags & BulkFlags, io: CommandIo): Promise<void> {
  const client = RmsClient.open(clientOptions(flags, io));
  try {
    if (isBulk(flags)) {
      await runBulkCommand(client, 'unprotect', paths, flags, { online: false, outputDir: outputDir(flags.out) }, io);
      return;
    }
    const outcomes = new FileOutcomes(io, { done: 'unprotected', json: flags.json === true, paths: paths.length });
    await unprotectPaths(client, paths, { outputDir: outputDir(flags.out) }, outcomes);
    outcomes.finish();
  } finally {
    client.close();
  }
}

/** The options `protect` and `share` share: what the license says besides who may do what. */
export function addLicenseOptions(command: Command): Command {
  return command
    .option('--expires <when>', 'nobody opens the content after this: an ISO date (2027-01-31) or a number of days (30d); not in the past')
    .option('--offline-days <n>', 'days a use license is used without asking the service again (0: online every time)')
    .option('--out <dir>', 'write the protected files there (created when missing; default: beside each file)');
}

export function protectCommands(io: CommandIo): Command[] {
  const protectCommand = addBulkOptions(addClientOptions(addLicenseOptions(new Command('protect')
    .summary('protect files with a template or grants')
    .description('Protect each file to a new protected file (report.docx -> report.docx.pfile, notes.txt -> notes.ptxt), each with '
      + 'its own content key and license. With --grant, you are the owner (OWNER). A file already protected is refused '
      + '(FILE_ALREADY_PROTECTED); a file that fails does not stop the others, and the command exits 1 when any failed.\n\n'
      + 'Rights: OWNER, VIEW, EDIT, EXTRACT, EXPORT, PRINT, COMMENT, VIEWRIGHTSDATA, EDITRIGHTSDATA, FORWARD, REPLY, REPLYALL; '
      + 'roles VIEWER, REVIEWER, AUTHOR, COOWNER; an application\'s own right as custom:NAME.\n\n'
      + 'Bulk (--recursive, --jobs, --in-place, --rules, --dry-run; docs/bulk.md): folders and many files at once, a progress line on a '
      + 'terminal; already protected files are skipped; the files share one license (or one per rule or template), so '
      + 'unprotecting them asks the service once; a run killed at any moment is finished by running it again.')
    .argument('<paths...>', 'the files (or, with --recursive, folders) to protect')
    .option('--template <id-or-name>', 'the template to protect with (openrms templates list)')
    .option('--grant <email:rights>', 'EMAIL:RIGHT[,RIGHT]... (repeat for each person; ANYONE for everyone)', collect)
    .option('--online', 'have the service sign the license now (default: signed here with your publishing certificate)'))), 'protect')
    .action((paths: string[], flags: ProtectFlags & BulkFlags) => protect(paths, flags, io));
  examples(protectCommand, [
    'openrms protect plan.txt --grant bob@contoso.com:VIEW --grant carol@contoso.com:VIEW,EDIT',
    'openrms protect q3.xlsx --template "Confidential - View only" --out protected/',
    'openrms protect ledger.csv --grant audit@contoso.com:VIEW,custom:READ_LEDGER --expires 30d',
    'openrms protect *.pdf --grant bob@contoso.com:VIEWER --json | jq -c \'select(.status == "failed")\'',
    'openrms protect share/ --recursive --template Confidential --jobs 8',
    'openrms protect share/ --recursive --rules rules.yaml --dry-run',
    'openrms protect share/ --recursive --rules rules.yaml --in-place',
  ]);
  const unprotectCommand = addBulkOptions(addClientOptions(new Command('unprotect')
    .summary('write plaintext copies of protected files (needs EXPORT or OWNER)')
    .description('Write a plaintext copy of each protected file under its original name (needs EXPORT or OWNER). '
      + 'A file that fails does not stop the others; the command exits 1 when any failed.')
    .argument('<paths...>', 'the protected files')
    .option('--out <dir>', 'write the copies there (created when missing; default: beside each file)')), 'unprotect')
    .action((paths: string[], flags: UnprotectFlags & BulkFlags) => unprotect(paths, flags, io));
  examples(unprotectCommand, ['openrms unprotect plan.ptxt --out copies/', 'openrms unprotect a.ptxt b.docx.pfile --json',
    'openrms unprotect archive/ --recursive --out plain/']);
  return [protectCommand, unprotectCommand];
}
