/**
 * Keys past Windows's limits (found by the issue 10 review): a key thousands of levels deep
 * parsed and imported, and then `openrms config export` failed with INTERNAL (the stack
 * overflowed walking it). Such a key is INVALID_REG_FILE with its line, as no registry holds it.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { exportRegFolders, importRegFile, InvalidRegFileError, loadClientSettings, parseRegFile, settingsPlace } from '../../lib/settings';
import { settingsFolders, V5 } from './temp-folders';

function regFile(keyPath: string): string {
  return [V5, '', `[HKEY_CURRENT_USER\\${keyPath}]`, '"Value"="data"', ''].join('\r\n');
}

function levels(count: number, name = 'K'): string {
  return Array.from({ length: count }, () => name).join('\\');
}

it('reads a key 512 levels deep with names of 255 characters, the most Windows allows', () => {
  const parsed = parseRegFile(regFile(`${levels(511)}\\${'n'.repeat(255)}`), 'deepest.reg');
  expect(parsed.operations.map((operation) => operation.kind)).toEqual(['key', 'value']);
});

/** What parsing `text` throws, or 'parsed'. */
function refusal(text: string): unknown {
  try {
    parseRegFile(text, 'too-deep.reg');
  } catch (error) {
    return error;
  }
  return 'parsed';
}

it('refuses a key deeper than 512 levels, or with a name over 255 characters, naming the line', () => {
  for (const keyPath of [levels(513), `Software\\${'n'.repeat(256)}`]) {
    const error = refusal(regFile(keyPath));
    expect(error).toBeInstanceOf(InvalidRegFileError);
    expect(error).toMatchObject({ code: 'INVALID_REG_FILE', file: 'too-deep.reg', line: 3 });
  }
});

it('imports nothing from a file with a key 100,000 levels deep, and export keeps working', async () => {
  const folders = settingsFolders();
  try {
    const place = settingsPlace({ storeRoot: folders.home, machineFolder: folders.machine, env: {} });
    const hostile = path.join(folders.home, '..', 'hostile.reg');
    writeFileSync(hostile, regFile(levels(100_000)));
    await expect(importRegFile(place, hostile)).rejects.toMatchObject({ code: 'INVALID_REG_FILE', line: 3 });
    await expect(exportRegFolders(place, path.join(folders.home, '..', 'out.reg'), ['HKCU'])).resolves.toMatchObject({ values: 0 });
  } finally {
    folders.remove();
  }
});

describe('settings files larger than any needs', () => {
  it('refuses a .reg file over 1 MiB in a settings folder, with the file named', () => {
    const folders = settingsFolders();
    try {
      const big = folders.machineFile('big.reg', V5, '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]', `"Blob"=hex:${'00,'.repeat(400_000)}00`);
      expect(() => loadClientSettings({ env: folders.env })).toThrow(expect.objectContaining({ code: 'INVALID_REG_FILE', file: big }));
    } finally {
      folders.remove();
    }
  });
});

describe('FileProtection and Windows names', () => {
  it('reads "report.txt." and "report.txt " as report.txt, as Windows does', () => {
    const settings = loadClientSettings({ env: {}, storeRoot: '/nonexistent-store', machineFolder: '/nonexistent-machine', overrides: { fileProtection: { txt: 'Off' } } });
    for (const name of ['report.txt', 'report.txt.', 'report.txt ', 'report.TXT. .']) expect(settings.fileProtectionFor(name)).toBe('Off');
    expect(settings.fileProtectionFor('report.md')).toBeUndefined();
  });
});
