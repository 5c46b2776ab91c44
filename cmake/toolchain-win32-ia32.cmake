# The win32-ia32 addon, with mingw-w64 (scripts/prebuild/build.js).
set(OPENRMS_MINGW_TRIPLET i686-w64-mingw32)
set(CMAKE_SYSTEM_PROCESSOR i686)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-w64.cmake)
