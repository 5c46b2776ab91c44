# What the two Windows toolchains share; each sets OPENRMS_MINGW_TRIPLET and the processor.
# node-gyp cannot cross-build for Windows, so scripts/prebuild/build.js drives CMake with these.
# The posix flavour of the compiler, for std::thread.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_C_COMPILER ${OPENRMS_MINGW_TRIPLET}-gcc-posix)
set(CMAKE_CXX_COMPILER ${OPENRMS_MINGW_TRIPLET}-g++-posix)
set(CMAKE_RC_COMPILER ${OPENRMS_MINGW_TRIPLET}-windres)
set(CMAKE_STRIP ${OPENRMS_MINGW_TRIPLET}-strip)
set(CMAKE_FIND_ROOT_PATH /usr/${OPENRMS_MINGW_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# The addon must load with nothing beside it: libstdc++, libgcc and winpthreads go inside the
# .node rather than next to it as DLLs. libssp provides the checks of _FORTIFY_SOURCE.
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
set(CMAKE_CXX_STANDARD_LIBRARIES_INIT "-lssp")
