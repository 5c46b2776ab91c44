/**
 * `openrms backup --out FILE [--data DIR]` and `openrms restore FILE [--data DIR]`: the SQLite
 * database of the service's data folder, backed up online while the service runs, and restored
 * while it is stopped (server/backups.ts). A PostgreSQL database is backed up with pg_dump and
 * restored with pg_restore (docs/operations.md).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { Command } from 'commander';

import { RmsError } from '../errors';
import { backupDatabase, restoreDatabase } from '../server/backups';
import { openDataFolder } from '../server/data-folder';
import { examples } from './command-tree';
import { CommandIo, printable, report, usageError } from './command-line';
import { DataFlags, dataDir, dbOption } from './service-data';

interface BackupFlags extends DataFlags {
  out?: string;
}

/** The data folder, refusing a service whose database is PostgreSQL (which has its own tools). */
function sqliteFolder(flags: DataFlags, io: CommandIo, command: string): ReturnType<typeof openDataFolder> {
  const postgres = dbOption(flags, io);
  const dir = dataDir(flags.data, io);
  const keys = path.join(dir, 'keys', 'signing.pem');
  if (!existsSync(keys)) {
    throw new RmsError('NOT_FOUND', command === 'backup' ? `${dir} is not a service's data folder (it has no keys)`
      : `${dir} has no keys: copy the keys folder the backup was made with into it first`);
  }
  const folder = openDataFolder(dir);
  if (postgres !== undefined || folder.settings.db !== null) {
    const tool = command === 'backup' ? 'pg_dump' : 'pg_restore';
    throw usageError(postgres === undefined ? 'service.json db' : '--db', `absent: ${command} works on SQLite; a PostgreSQL database takes ${tool} (docs/operations.md)`);
  }
  return folder;
}

async function backup(flags: BackupFlags, io: CommandIo): Promise<void> {
  if (flags.out === undefined) throw usageError('--out', 'given: the file to write the backup to');
  const folder = sqliteFolder(flags, io, 'backup');
  const summary = await backupDatabase(folder.dir, flags.out);
  report(flags, io, { ...summary, dataDir: folder.dir }, [
    `backed up ${printable(path.join(folder.dir, 'service.db'))} to ${printable(summary.file)} (${summary.bytes} bytes, schema ${summary.schema})`,
    `It holds no key: keep a copy of ${printable(path.join(folder.dir, 'keys'))} too (after each key rotation), somewhere as safe as the keys.`,
  ]);
}

async function restore(file: string, flags: DataFlags, io: CommandIo): Promise<void> {
  const folder = sqliteFolder(flags, io, 'restore');
  const summary = await restoreDatabase(folder.dir, file, folder.keys);
  const counts = Object.entries(summary.rows).filter(([, n]) => n > 0).map(([table, n]) => `${table} ${n}`).join(', ');
  report(flags, io, { ...summary, dataDir: folder.dir }, [
    `restored ${printable(summary.file)} (schema ${summary.schema}) into ${printable(path.join(folder.dir, 'service.db'))}: ${counts || 'no rows'}`,
    ...(summary.previous === null ? [] : [`The database as it was is in ${printable(summary.previous)}.`]),
  ]);
}

export function backupCommands(io: CommandIo): Command[] {
  const backupCommand = examples(new Command('backup')
    .summary("back up the service's SQLite database (while it runs)")
    .description('Copy the data folder\'s SQLite database to FILE, consistently, while the service runs and writes (SQLite\'s online backup). '
      + 'The copy holds no key: back up the keys folder on its own. A PostgreSQL database is backed up with pg_dump.')
    .option('--out <file>', 'the file to write (must not exist)')
    .option('--data <dir>', "the service's data folder (default: OPENRMS_DATA, else ./openrms-data)")
    .option('--db <url>', 'refused: a PostgreSQL database is backed up with pg_dump')
    .option('--json', 'print JSON')
    .action((flags: BackupFlags) => backup(flags, io)), [
    'openrms backup --data /srv/openrms --out /var/backups/openrms/service-$(date +%F).db',
  ]);
  const restoreCommand = examples(new Command('restore')
    .summary("restore the service's SQLite database from a backup (service stopped)")
    .description('Replace the data folder\'s database with the backup FILE, in one transaction, after copying it as it is beside it. Refused while '
      + 'anything has the database open (stop the service first), and for a backup made with other keys than the data folder\'s.')
    .argument('<file>', 'a backup made by openrms backup')
    .option('--data <dir>', "the service's data folder (default: OPENRMS_DATA, else ./openrms-data)")
    .option('--db <url>', 'refused: a PostgreSQL database is restored with pg_restore')
    .option('--json', 'print JSON')
    .action((file: string, flags: DataFlags) => restore(file, flags, io)), [
    'systemctl stop openrms && openrms restore /var/backups/openrms/service-2025-03-01.db --data /srv/openrms && systemctl start openrms',
  ]);
  return [backupCommand, restoreCommand];
}
