# The win32-x64 addon, with mingw-w64 (scripts/prebuild/build.js).
set(OPENRMS_MINGW_TRIPLET x86_64-w64-mingw32)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-w64.cmake)
