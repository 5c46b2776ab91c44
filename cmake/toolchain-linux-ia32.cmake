# Cross build of the addon for linux-ia32 with Debian's cross compiler (scripts/prebuild/build.js).
# OpenSSL is Debian's multiarch libssl-dev:i386: its arch-specific headers are in the
# compiler's own search path (/usr/include/<triplet>), the library is passed by the build script.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_COMPILER i686-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER i686-linux-gnu-g++)
set(CMAKE_STRIP i686-linux-gnu-strip)
