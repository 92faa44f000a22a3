# CMake toolchain file for Debian's Emscripten (package `emscripten`, 3.1.6). Use it
# instead of `emcmake`:
#
#   cmake -S . -B build/wasm-simd -DCMAKE_TOOLCHAIN_FILE=toolchains/emscripten.cmake \
#         -DCMAKE_BUILD_TYPE=Release -DNMFKIT_BUILD_CLI=OFF -DNMFKIT_BUILD_BENCH=OFF
#
# It wraps Emscripten's own toolchain file and fixes two things that break a plain
# Debian install with a newer Node (the preinstalled v20):
#   1. emcmake sets the test emulator to "node --experimental-wasm-threads", which
#      Node 20 rejects ("bad option"), so every ctest would fail. Ours runs node with
#      --no-experimental-fetch: the 3.1.6 JS glue of the doctest executables then reads
#      its .wasm with fs instead of calling fetch() on a file path (fails in Node >= 18).
#   2. emcc's link step (at -O1 and above) runs acorn-optimizer.js with that node, which
#      does not search Debian's /usr/share/nodejs where node-acorn lives
#      ("Cannot find module 'acorn'"). Every link gets NODE_PATH through a launcher.
# Do not set EM_CACHE: Debian ships a complete, frozen prebuilt cache.

execute_process(COMMAND em-config EMSCRIPTEN_ROOT
                OUTPUT_VARIABLE _nmfkit_em_root OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET)
if(NOT _nmfkit_em_root OR NOT EXISTS "${_nmfkit_em_root}/cmake/Modules/Platform/Emscripten.cmake")
  set(_nmfkit_em_root /usr/share/emscripten)
endif()

find_program(NMFKIT_NODE_EXECUTABLE node REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${NMFKIT_NODE_EXECUTABLE};--no-experimental-fetch"
    CACHE STRING "Runs the compiled doctest executables")

include("${_nmfkit_em_root}/cmake/Modules/Platform/Emscripten.cmake")

# Debian installs node modules (node-acorn, ...) here; nodesource's node does not look there.
set(NMFKIT_EM_NODE_PATH /usr/share/nodejs CACHE PATH "NODE_PATH for emcc's link-time JS tools")
set(CMAKE_CXX_LINKER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=${NMFKIT_EM_NODE_PATH}")
set(CMAKE_C_LINKER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=${NMFKIT_EM_NODE_PATH}")
