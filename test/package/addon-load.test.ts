/**
 * An installed package whose addon file cannot load (cut short by an interrupted unpack, or
 * built for another processor) makes `require('openrms')` throw NATIVE_ADDON_UNAVAILABLE naming
 * the file and the reason, and never kills the process.
 */
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { ConsumerFolder, loadedAddon, makeConsumerFolder, runNodeIn } from '../support/consumer-folder';
import { ROOT } from '../support/built-package';

const REPORT = `
  try { require('openrms'); console.log(JSON.stringify({ loaded: true })); }
  catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }
`;

// The host addon is an ELF file only on Linux; elsewhere the system loader reports bad files itself.
const onLinux = process.platform === 'linux' ? describe : describe.skip;

onLinux('an installed addon that cannot load', () => {
  let app: ConsumerFolder;
  let addon: string;
  const original = readFileSync(loadedAddon());

  beforeEach(() => {
    app = makeConsumerFolder();
    addon = path.join(app.packageDir, path.relative(ROOT, loadedAddon()));
  });
  afterEach(() => app?.remove());

  const load = async (): Promise<{ name?: string; code?: string; message?: string; loaded?: boolean }> => {
    const outcome = await runNodeIn(app.dir, ['-e', REPORT]);
    expect({ status: outcome.status, stderr: outcome.stderr }).toEqual({ status: 0, stderr: '' });
    return JSON.parse(outcome.stdout) as { name?: string; code?: string; message?: string };
  };

  it('loads when intact (the copy the other cases damage is a working one)', async () => {
    expect(await load()).toEqual({ loaded: true });
  });

  it.each([1000, 100_000, original.length - 1])('is NATIVE_ADDON_UNAVAILABLE, not a crash, when cut to %i bytes', async (bytes) => {
    truncateSync(addon, bytes);
    const error = await load();
    expect(error.code).toBe('NATIVE_ADDON_UNAVAILABLE');
    expect(error.message).toContain(addon);
    expect(error.message).toContain(`it is truncated (${bytes} bytes`);
  });

  it('says which processor a file built for another one is for', async () => {
    const other = process.arch === 'arm64' ? { arch: 'x64', machine: 62 } : { arch: 'arm64', machine: 183 };
    const patched = Buffer.from(original);
    // e_machine, at offset 18 of the ELF header, in the file's byte order (EI_DATA).
    if (patched[5] === 1) patched.writeUInt16LE(other.machine, 18); else patched.writeUInt16BE(other.machine, 18);
    writeFileSync(addon, patched);
    const error = await load();
    expect(error.code).toBe('NATIVE_ADDON_UNAVAILABLE');
    expect(error.message).toContain(`${addon}: it is built for ${other.arch}, and this process is ${process.arch}`);
  });

  it('passes on the loader\'s reason for a file that is no library at all', async () => {
    writeFileSync(addon, 'not a shared object\n');
    const error = await load();
    expect(error.code).toBe('NATIVE_ADDON_UNAVAILABLE');
    expect(error.message).toMatch(new RegExp(`${addon.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*(invalid ELF header|too short)`));
  });
});
