// Lets a Windows addon load in any executable that exports Node-API, not only one named
// node.exe: Electron's is the application's own .exe. The addon imports Node-API from NODE.EXE
// through a delay-load import library (scripts/prebuild/build.js), and this hook answers the
// loader's request for NODE.EXE with the running executable, as node-gyp's
// win_delay_load_hook.cc does for MSVC builds (mingw-w64's delay-load helper calls the same hook).
#include <windows.h>

#include <delayimp.h>
#include <string.h>

static FARPROC WINAPI LoadHostInsteadOfNodeExe(unsigned event, PDelayLoadInfo info) {
  if (event != dliNotePreLoadLibrary || _stricmp(info->szDll, "NODE.EXE") != 0) return nullptr;
  return reinterpret_cast<FARPROC>(GetModuleHandleW(nullptr));
}

// delayimp.h declares it extern "C"; this definition replaces mingw-w64's empty one.
PfnDliHook __pfnDliNotifyHook2 = LoadHostInsteadOfNodeExe;
