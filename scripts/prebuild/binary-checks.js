// What a prebuilt addon may show of itself: only the Node-API entry points are exported (the
// static libcrypto stays private, so it never answers for, or is answered by, the host's
// OpenSSL or BoringSSL), and a Windows one loads with nothing beside it: it imports from
// Windows's own DLLs only, and takes Node-API from NODE.EXE through its delay-load hook, never
// at load time, which would fail in a host executable of another name (Electron's).
'use strict';
const { execFileSync } = require('node:child_process');

const ENTRY_POINTS = ['napi_register_module_v1', 'node_api_module_get_api_version_v1'];
const OPENSSL_SYMBOL = /^(EVP|OPENSSL|CRYPTO|RSA|BN|EC|ERR|OSSL|SHA\d*|HMAC|RAND)_/;
// KERNEL32 and the C runtime for any program; ADVAPI32, CRYPT32, USER32 and WS2_32 for libcrypto
// (its Windows entropy, certificate store and socket code).
const WINDOWS_DLLS = new Set(['KERNEL32.DLL', 'MSVCRT.DLL', 'ADVAPI32.DLL', 'CRYPT32.DLL', 'USER32.DLL', 'WS2_32.DLL', 'BCRYPT.DLL']);

function tool(target, name) {
  return target.triplet === 'x86_64-linux-gnu' ? name : `${target.triplet}-${name}`;
}

function exportedNames(binary, target) {
  if (!target.windows) {
    const lines = execFileSync(tool(target, 'nm'), ['-D', '--defined-only', binary], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n');
    // A, the absolute symbols the linker adds (_edata, _end, __bss_start), are not code.
    return lines.map((line) => line.trim().split(/\s+/)).filter((f) => f.length === 3 && f[1] !== 'A').map((f) => f[2]);
  }
  const dump = execFileSync(tool(target, 'objdump'), ['-p', binary], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const table = /\[Ordinal\/Name Pointer\] Table\n([\s\S]*?)\n\s*\n/.exec(dump);
  return table ? table[1].split('\n').map((line) => line.trim().split(/\s+/).pop()) : [];
}

function importedNames(binary, target) {
  if (target.windows) return [];
  const lines = execFileSync(tool(target, 'nm'), ['-D', '--undefined-only', binary], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n');
  return lines.map((line) => line.trim().split(/\s+/).pop()).filter(Boolean);
}

function checkExports(binary, target) {
  const exported = exportedNames(binary, target).map((name) => name.replace(/@.*$/, ''));
  const extra = exported.filter((name) => !ENTRY_POINTS.includes(name));
  if (extra.length > 0) throw new Error(`${binary} exports more than the Node-API entry points: ${extra.slice(0, 10).join(', ')}`);
  if (!exported.includes('napi_register_module_v1')) throw new Error(`${binary} does not export napi_register_module_v1`);
  const fromHost = importedNames(binary, target).filter((name) => OPENSSL_SYMBOL.test(name));
  if (fromHost.length > 0) throw new Error(`${binary} takes OpenSSL symbols from the host: ${fromHost.slice(0, 10).join(', ')}`);
}

/** The DLLs a Windows binary imports from. */
function importedDlls(binary, target) {
  const dump = execFileSync(tool(target, 'objdump'), ['-p', binary], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return [...dump.matchAll(/DLL Name: (\S+)/g)].map((match) => match[1]);
}

function checkWindowsImports(binary, target) {
  const foreign = importedDlls(binary, target).filter((dll) => !WINDOWS_DLLS.has(dll.toUpperCase()));
  if (foreign.length > 0) throw new Error(`${binary} imports at load time from DLLs that are not part of Windows: ${foreign.join(', ')}`);
}

module.exports = { checkExports, checkWindowsImports, ENTRY_POINTS, importedDlls };
