/**
 * The 32-bit view over each kind of registry source: the `.reg` folders' registry has its
 * HKLM MSIPC keys rewritten to Wow6432Node for an ia32 process, while a source that gives a
 * process's view itself (the Windows registry, where Windows redirects) is asked for it instead.
 */
import { Registry } from '../../lib/settings/registry';
import { RegistryEntry, RegistrySource } from '../../lib/settings/registry-source';
import { RegistryValue } from '../../lib/settings/registry-value';
import { registryView } from '../../lib/settings/wow64-view';

const KEY = 'SOFTWARE\\Microsoft\\MSIPC';

test('an ia32 process reads the .reg registry\'s HKLM MSIPC keys under Wow6432Node', () => {
  const registry = new Registry();
  registry.setValue('HKLM', KEY, 'Trace', RegistryValue.dword(0));
  registry.setValue('HKLM', 'SOFTWARE\\Wow6432Node\\Microsoft\\MSIPC', 'Trace', RegistryValue.dword(1));
  expect(registryView(registry, 'ia32').getValue('HKLM', KEY, 'Trace')?.value.asDword()).toBe(1);
  expect(registryView(registry, 'x64').getValue('HKLM', KEY, 'Trace')?.value.asDword()).toBe(0);
});

test('a source that gives a process\'s view itself is asked for it, and its key paths are left as they are', () => {
  const asked: { arch: string; keyPath: string }[] = [];
  const sourceFor = (arch: string): RegistrySource => ({
    getValue: (_hive, keyPath): RegistryEntry | undefined => {
      asked.push({ arch, keyPath });
      return undefined;
    },
    listValues: () => [],
    listSubkeys: () => [],
    viewedBy: (viewer: string) => sourceFor(viewer),
  });
  registryView(sourceFor('x64'), 'ia32').getValue('HKLM', KEY, 'Trace');
  expect(asked).toEqual([{ arch: 'ia32', keyPath: KEY }]);
});
