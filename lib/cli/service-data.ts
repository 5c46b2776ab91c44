/**
 * Where the commands run beside the licensing service (`users`, `principals`, `groups`, `keys`,
 * `audit`, `backup`, `restore`) find its data: the data folder (`--data`, else OPENRMS_DATA,
 * else ./openrms-data: keys, settings, and SQLite's service.db) and the database, which is
 * SQLite in that folder unless a PostgreSQL URL is given by `--db`, else OPENRMS_DB, else the
 * settings file's `db`. `serve` resolves them the same way.
 */
import path from 'node:path';

import { Command } from 'commander';

import { DataFolder, openDataFolder } from '../server/data-folder';
import { openStorage, Storage } from '../server/storage/storage';
import { CommandIo, JsonFlag, usageError } from './command-line';

/** Where the service's data is unless told: ./openrms-data. */
export const DEFAULT_DATA_DIR = 'openrms-data';

export function dataDir(value: string | undefined, io: CommandIo): string {
  return path.resolve(value ?? io.env.OPENRMS_DATA ?? DEFAULT_DATA_DIR);
}
export interface DataFlags extends JsonFlag {
  data?: string;
  db?: string;
}

/** The PostgreSQL URL the command line or the environment gives, checked; undefined for the settings file's choice. */
export function dbOption(flags: { db?: string }, io: CommandIo): string | undefined {
  const db = flags.db ?? (io.env.OPENRMS_DB === '' ? undefined : io.env.OPENRMS_DB);
  if (db !== undefined && !/^postgres(ql)?:\/\/./.test(db)) throw usageError(flags.db === undefined ? 'OPENRMS_DB' : '--db', 'a postgres://user@host:port/database URL');
  return db;
}

/** `--data`, `--db` and `--json`. */
export function dataOptions(command: Command): Command {
  return command
    .option('--data <dir>', "the service's data folder: keys, settings, SQLite database (default: OPENRMS_DATA, else ./openrms-data)")
    .option('--db <url>', "the service's PostgreSQL database, postgres://user@host:port/name (default: OPENRMS_DB, else service.json's db, else SQLite in --data)")
    .option('--json', 'print JSON');
}

export interface ServiceData {
  folder: DataFolder;
  storage: Storage;
  now: () => number;
}

/** Runs `fn` on the service's data folder and database, closed after. */
export async function withServiceData<T>(flags: DataFlags, io: CommandIo, fn: (data: ServiceData) => Promise<T>): Promise<T> {
  const db = dbOption(flags, io);
  const folder = openDataFolder(dataDir(flags.data, io));
  const storage = await openStorage({ dataDir: folder.dir, db: db ?? folder.settings.db ?? undefined });
  try {
    return await fn({ folder, storage, now: () => Math.floor(Date.now() / 1000) });
  } finally {
    await storage.close();
  }
}
