/**
 * `openrms keys rotate [--data DIR] [--db URL]`: a new generation of the service's keys (signing
 * and wrapping), certified by the current signing key (server/service-keys.ts), and the database
 * pinned to it. Services started afterwards sign with the new keys; running ones go on with the
 * old until restarted, and what either signs verifies at every instance that has the new folder.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { Command, Option } from 'commander';

import { RmsError } from '../errors';
import { openDataFolder } from '../server/data-folder';
import { KEY_PROFILES, KeyProfile } from '../crypto/key-profile';
import { openKeysFolder, pinKeys, rotateKeys } from '../server/service-keys';
import { openStorage } from '../server/storage/storage';
import { examples } from './command-tree';
import { CommandIo, printable, report } from './command-line';
import { DataFlags, dataDir, dataOptions, dbOption } from './service-data';

async function rotate(flags: DataFlags & { profile?: KeyProfile }, io: CommandIo): Promise<void> {
  const db = dbOption(flags, io);
  const dir = dataDir(flags.data, io);
  const keysDir = path.join(dir, 'keys');
  if (!existsSync(path.join(keysDir, 'signing.pem'))) throw new RmsError('NOT_FOUND', `${keysDir} holds no keys yet: the service has not started on ${dir}`);
  const folder = openDataFolder(dir);
  const storage = await openStorage({ dataDir: folder.dir, db: db ?? folder.settings.db ?? undefined });
  let rotation: ReturnType<typeof rotateKeys>;
  let generations: number;
  let profile: KeyProfile;
  try {
    const where = { keysDir, database: storage.location };
    // Before anything changes: the database must belong to these keys (or an earlier generation of them).
    await pinKeys(storage.keys, folder.keys, where);
    rotation = rotateKeys(keysDir, Math.floor(Date.now() / 1000), flags.profile);
    const rotated = openKeysFolder(keysDir);
    generations = rotated.succession.length + 1;
    profile = rotated.signing.type;
    await pinKeys(storage.keys, rotated, where);
  } finally {
    await storage.close();
  }
  report(flags, io, { keysDir, ...rotation, generations, profile }, [
    `${rotation.resumed ? 'finished the key rotation begun' : 'rotated the keys'} in ${printable(keysDir)}:`,
    `  signing key   ${rotation.retired.signing} -> ${rotation.current.signing}`,
    `  wrapping key  ${rotation.retired.wrapping} -> ${rotation.current.wrapping}`,
    `  profile       ${profile === 'ec' ? 'ec (P-256)' : 'rsa (RSA-2048)'}`,
    'Restart the service (every instance, each with a copy of this keys folder) to sign with the new keys. What the old keys signed still',
    'verifies, content protected before opens, and clients move to the new key when they meet it. Back up the keys folder now.',
  ]);
}

export function keysCommand(io: CommandIo): Command {
  const keys = new Command('keys')
    .summary("manage the service's keys")
    .description("The service's signing and wrapping keys live in its data folder's keys/ (docs/operations.md, \"Keys and key rotation\").");
  examples(dataOptions(keys.command('rotate')
    .summary('a new signing key and wrapping key, certified by the current signing key')
    .description('Make a new generation of the service\'s keys (signing and wrapping), certified by the current signing key, keep the current '
      + 'wrapping key under keys/retired (content protected before opens with it) and pin the new keys in the database. Licenses and certificates '
      + 'signed before still verify; clients that pinned the old key accept the new one. Restart the service to use them.')
    .addOption(new Option('--profile <profile>', "the new keys' type: ec (P-256) or rsa (RSA-2048); default: the current keys' type")
      .choices(KEY_PROFILES)))
    .action((flags: DataFlags & { profile?: KeyProfile }) => rotate(flags, io)), [
    'openrms keys rotate --data /srv/openrms',
    'openrms keys rotate --data /srv/openrms --profile ec',
    'openrms keys rotate --data /srv/openrms --db postgres://openrms@db.contoso.com/openrms --json',
  ]);
  return keys;
}
