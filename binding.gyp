{
  # The shipped addon (DESIGN 3). OpenSSL 3 libcrypto is linked statically with its symbols
  # hidden, so the same binary loads beside Node's own OpenSSL and Electron's BoringSSL.
  "targets": [
    {
      "target_name": "openrms",
      "sources": ["<!@(node scripts/native-sources.js)"],
      # Node's header folder carries Node's own OpenSSL headers, which must not shadow those
      # of the libcrypto we link: take the Node-API headers from node-api-headers instead.
      "include_dirs!": ["<(node_root_dir)/include/node"],
      "include_dirs": [
        "<!(node -p \"require('node-api-headers').include_dir\")",
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "defines!": ["NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      # No -Werror here: this file builds the addon on users' machines (when no prebuild fits),
      # whose newer compilers warn about new things. The developer build (CMakeLists.txt) keeps it.
      "cflags": ["-fvisibility=hidden", "-Wall", "-Wextra"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-fvisibility=hidden", "-fvisibility-inlines-hidden",
                    "-Wall", "-Wextra"],
      "libraries": ["<!(node scripts/find-libcrypto.js)"],
      # binding.map exports the Node-API entry points alone: libstdc++'s templates and typeinfo
      # keep default visibility whatever -fvisibility says, and would be exported otherwise.
      "ldflags": ["-Wl,--exclude-libs,ALL", "-Wl,-Bsymbolic", "-Wl,--no-undefined-version",
                  "-Wl,--version-script=<(module_root_dir)/binding.map"],
      "configurations": {
        "Release": {
          "cflags": ["-O2", "-D_FORTIFY_SOURCE=2"],
          "cflags_cc": ["-O2", "-D_FORTIFY_SOURCE=2"]
        }
      },
      "conditions": [
        ["OS=='mac'", {
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
            "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra"]
          }
        }]
      ]
    }
  ]
}
