# Cross build of the addon for linux-arm64 with Debian's cross compiler (scripts/prebuild/build.js).
# OpenSSL is Debian's multiarch libssl-dev:arm64: its arch-specific headers are in the
# compiler's own search path (/usr/include/<triplet>), the library is passed by the build script.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_STRIP aarch64-linux-gnu-strip)
