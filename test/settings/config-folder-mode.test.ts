/**
 * `openrms config` creates the settings folders it writes to (found by the issue 10 review):
 * created with the default mode, under the umask 002 many systems use they were group-writable,
 * and then refused by every later read, so one `config set` broke every client on the machine.
 */
import { statSync } from 'node:fs';
import path from 'node:path';

import { loadClientSettings, setSetting, settingsPlace } from '../../lib/settings';
import { settingsFolders, SettingsFolders } from './temp-folders';

let folders: SettingsFolders;
let umask: number;

beforeEach(() => {
  folders = settingsFolders();
  umask = process.umask(0o002);
});

afterEach(() => {
  process.umask(umask);
  folders.remove();
});

it('creates the machine and user folders writable by their owner only, so the settings it wrote are read back under umask 002', async () => {
  const machineFolder = path.join(folders.machine, 'registry');
  const place = settingsPlace({ storeRoot: folders.home, machineFolder, env: {} });
  await setSetting(place, 'FileProtection\\txt', 'Off');
  await setSetting(place, 'DisablePassportCertification', '1');

  expect(statSync(machineFolder).mode & 0o777).toBe(0o755);
  expect(statSync(path.join(folders.home, 'registry')).mode & 0o777).toBe(0o700);
  const settings = loadClientSettings({ storeRoot: folders.home, machineFolder, env: {} });
  expect(settings.fileProtectionFor('notes.txt')).toBe('Off');
  expect(settings.passportCertificationDisabled).toBe(true);
});
