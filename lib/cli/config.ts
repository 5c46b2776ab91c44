/**
 * `openrms config`: the administrator's settings, the MSIPC registry kept as `.reg` files
 * (docs/settings.md).
 *
 *   config [list]                     every setting, its value and where it comes from
 *   config get NAME                   one setting (NAME: Trace, FileProtection\txt, ...)
 *   config set NAME [VALUE]           write it to openrms.reg in its folder
 *   config unset NAME                 remove it from that file
 *   config import FILE.reg            HKLM keys to the machine folder, HKCU keys to the user's
 *   config export FILE.reg            what the folders hold, as a Registry Editor file
 *
 * Options: --machine or --user (which folder: for set and unset a check that the setting lives
 * there, for export which hive), --server-mode --account NAME (a service account's settings),
 * --store DIR, --json.
 */
import { Command, Option } from 'commander';

import { ClientSettings, loadClientSettings, SettingReport, SettingSource, settingsPlace, SettingsPlace } from '../settings/client-settings';
import { exportRegFolders, importRegFile, requireSetting, setSetting, settingAddress, unsetSetting } from '../settings/config-files';
import { Hive } from '../settings/hive';
import { InvalidSettingError } from '../settings/settings-errors';
import { addClientOptions, examples } from './command-tree';
import { ClientFlags, CommandIo, JsonFlag, printable, report, UsageError } from './command-line';

interface ConfigFlags extends ClientFlags {
  machine?: boolean;
  user?: boolean;
}

function chosenHive(flags: ConfigFlags): Hive | undefined {
  return flags.machine ? 'HKLM' : flags.user ? 'HKCU' : undefined;
}

function placeOf(flags: ConfigFlags, io: CommandIo): SettingsPlace {
  return settingsPlace({ mode: flags.serverMode ? 'server' : 'client', account: flags.account, storeRoot: flags.store, env: io.env });
}

function load(place: SettingsPlace): ClientSettings {
  return loadClientSettings({ mode: place.mode, account: place.account, storeRoot: place.storeRoot, machineFolder: place.machineFolder, env: place.env, arch: place.arch });
}

function describeSource(source: SettingSource): string {
  switch (source.kind) {
    case 'default': return 'default';
    case 'code': return 'code';
    case 'environment': return `environment variable ${source.variable}`;
    case 'registry': {
      const where = `${source.hive}\\${source.key}\\${source.value === '' ? '(Default)' : source.value}`;
      if (source.file === undefined) return `registry ${where}`;
      return `${source.hive === 'HKLM' ? 'machine' : 'user'} file ${source.file} line ${source.line ?? 0}`;
    }
  }
}

function errorJson(error: InvalidSettingError): Record<string, unknown> {
  const { code, message, setting, reason, hive, key, value, file, line, variable } = error;
  return Object.fromEntries(Object.entries({ code, message, setting, reason, hive, key, value, file, line, variable }).filter(([, field]) => field !== undefined));
}

function lineJson(line: SettingReport): Record<string, unknown> {
  return {
    name: line.name, value: line.value, source: line.source,
    ...(line.error === undefined ? {} : { error: errorJson(line.error) }),
    ...(line.warning === undefined ? {} : { warning: line.warning }),
  };
}

function lineText(line: SettingReport): string {
  const value = line.error !== undefined ? `error: ${line.error.code}: ${line.error.message}` : line.value === null ? '(not set)' : String(line.value);
  return `${printable(line.name).padEnd(34)} ${printable(value)}  [${printable(describeSource(line.source))}]`;
}

function placeJson(place: SettingsPlace): Record<string, unknown> {
  return { mode: place.mode, ...(place.account === undefined ? {} : { account: place.account }), storeRoot: place.storeRoot, machineFolder: place.machineFolder,
    ...(place.userFolder === undefined ? {} : { userFolder: place.userFolder }) };
}

function list(p: JsonFlag, io: CommandIo, place: SettingsPlace): void {
  const settings = load(place);
  const lines = settings.report();
  const header = `${place.mode} mode${place.account === undefined ? '' : ` (account ${place.account})`}; machine files in ${place.machineFolder}`
    + (place.userFolder === undefined ? '' : `; user files in ${place.userFolder}`);
  report(p, io, { ...placeJson(place), settings: lines.map(lineJson), warnings: settings.warnings },
    [printable(header), ...lines.map(lineText), ...settings.warnings.map((warning) => `warning: ${printable(warning)}`)]);
}

/** The report lines of `name`: one for a setting, every entry for a list name without an entry. */
function linesOf(settings: ClientSettings, name: string): SettingReport[] {
  const named = requireSetting(name);
  const wanted = (named.kind === 'list' && named.entry !== undefined ? `${named.definition.name}\\${named.entry}` : named.definition.name).toLowerCase();
  const whole = named.kind === 'list' && named.entry === undefined;
  return settings.report().filter((line) => line.name.toLowerCase() === wanted || (whole && line.name.toLowerCase().startsWith(`${wanted}\\`)));
}

function get(p: JsonFlag, io: CommandIo, place: SettingsPlace, name: string): void {
  const lines = linesOf(load(place), name);
  const refused = lines.find((line) => line.error !== undefined);
  if (refused?.error !== undefined) throw refused.error;
  const shown = lines.length > 0 ? lines : [{ name, value: null, source: { kind: 'default' } } satisfies SettingReport];
  const named = requireSetting(name);
  const stored = named.kind === 'scalar' || named.entry !== undefined ? settingAddress(place, name) : undefined;
  const where = stored === undefined ? undefined : `${stored.hive}\\${stored.key}\\${stored.value === '' ? '(Default)' : stored.value}`;
  report(p, io, { settings: shown.map(lineJson), ...(where === undefined ? {} : { registry: where }) },
    [...shown.map(lineText), ...(where === undefined ? [] : [`(read from ${printable(where)})`])]);
}

/** The line in effect for `name` after a change, and a note when it does not come from `file`. */
function effective(place: SettingsPlace, name: string, file: string): { json: Record<string, unknown>; note: string[] } {
  const line = linesOf(load(place), name)[0];
  if (line === undefined) return { json: { value: null, source: { kind: 'default' } }, note: [] };
  const fromFile = line.source.kind === 'registry' && line.source.file === file;
  const note = fromFile || line.value === null ? [] : [`note: the value in effect is ${printable(String(line.value))}, from ${printable(describeSource(line.source))}`];
  return { json: lineJson(line), note };
}

function checkHive(name: string, stored: Hive, asked: Hive | undefined): void {
  if (asked !== undefined && asked !== stored) {
    throw new UsageError(`${name} is ${stored === 'HKLM' ? 'a machine setting (HKLM): use --machine' : 'a user setting (HKCU): use --user'}, or neither`);
  }
}

async function set(p: JsonFlag, io: CommandIo, place: SettingsPlace, name: string, value: string | undefined, hive: Hive | undefined): Promise<void> {
  checkHive(name, settingAddress(place, name).hive, hive);
  const result = await setSetting(place, name, value);
  const { json, note } = effective(place, name, result.file);
  const where = `${result.hive}\\${result.key}\\${result.value === '' ? '(Default)' : result.value}`;
  report(p, io, { name, file: result.file, registry: where, data: result.data.toDisplayString(), type: result.data.typeName, effective: json },
    [`${printable(name)} set to ${printable(result.data.toDisplayString())} in ${printable(result.file)} (${printable(where)})`, ...note]);
}

async function unset(p: JsonFlag, io: CommandIo, place: SettingsPlace, name: string, hive: Hive | undefined): Promise<void> {
  checkHive(name, settingAddress(place, name).hive, hive);
  const result = await unsetSetting(place, name);
  const { json, note } = effective(place, name, result.file);
  report(p, io, { name, file: result.file, removed: true, effective: json }, [`${printable(name)} removed from ${printable(result.file)}`, ...note]);
}

async function importFile(p: JsonFlag, io: CommandIo, place: SettingsPlace, file: string): Promise<void> {
  const written = await importRegFile(place, file);
  report(p, io, { imported: file, files: written },
    written.length === 0 ? [`${printable(file)} sets nothing`] : written.map((target) => `${target.hive === 'HKLM' ? 'machine' : 'user'} settings (${target.values} values) written to ${printable(target.file)}`));
}

async function exportFile(p: JsonFlag, io: CommandIo, place: SettingsPlace, file: string, hive: Hive | undefined): Promise<void> {
  const hives: Hive[] = hive !== undefined ? [hive] : place.userFolder === undefined ? ['HKLM'] : ['HKLM', 'HKCU'];
  const result = await exportRegFolders(place, file, hives);
  report(p, io, result, [`${result.keys} keys and ${result.values} values of ${hives.join(' and ')} exported to ${printable(file)}`]);
}

export function configCommand(io: CommandIo): Command {
  const config = new Command('config')
    .summary('the settings: the MSIPC registry as .reg files (docs/settings.md)')
    .description('Read and write the settings MSIPC keeps in the registry, kept here as .reg files in a machine folder and a user folder '
      + '(docs/settings.md). Without a subcommand: list.');
  const options = (command: Command, hives = false): Command => addClientOptions(hives
    ? command.addOption(new Option('--machine', 'the machine folder (HKLM)').conflicts('user')).option('--user', "the user's folder (HKCU)")
    : command);
  examples(options(config.command('list', { isDefault: true }).summary('every setting, its value and where it comes from'))
    .action((flags: ConfigFlags) => list(flags, io, placeOf(flags, io))), ['openrms config', 'openrms config list --server-mode --account batch --json']);
  examples(options(config.command('get').summary('one setting').argument('<name>', 'a setting: Trace, FileProtection\\txt, ...'))
    .action((name: string, flags: ConfigFlags) => get(flags, io, placeOf(flags, io), name)), ['openrms config get TemplateUpdateFrequency']);
  examples(options(config.command('set').summary('write a setting to openrms.reg in its folder')
    .argument('<name>', 'the setting').argument('[value]', 'its value (none: the empty value)'), true)
    .action((name: string, value: string | undefined, flags: ConfigFlags) => set(flags, io, placeOf(flags, io), name, value, chosenHive(flags))),
  ['openrms config set Trace 1 --machine', 'openrms config set "FileProtection\\txt" Off']);
  examples(options(config.command('unset').summary('remove a setting from its file').argument('<name>', 'the setting'), true)
    .action((name: string, flags: ConfigFlags) => unset(flags, io, placeOf(flags, io), name, chosenHive(flags))), ['openrms config unset Trace']);
  examples(options(config.command('import').summary("a .reg file: HKLM keys to the machine folder, HKCU keys to the user's")
    .argument('<file>', 'a Registry Editor (.reg) file'))
    .action((file: string, flags: ConfigFlags) => importFile(flags, io, placeOf(flags, io), file)), ['openrms config import msipc.reg']);
  examples(options(config.command('export').summary('what the folders hold, as a Registry Editor file').argument('<file>', 'the .reg file to write'), true)
    .action((file: string, flags: ConfigFlags) => exportFile(flags, io, placeOf(flags, io), file, chosenHive(flags))), ['openrms config export all.reg', 'openrms config export machine.reg --machine']);
  return config;
}
