# CMake toolchain file for the WebAssembly modules that Emscripten 3.1.6 cannot produce
# (relaxed SIMD, threads over one shared memory): Debian's clang-19 compiles, and
# wasm-ld-19 is called directly for the link (packages clang-19, lld-19; llvm-19 for llvm-ar-19).
#
#   cmake -S . -B build/wasm-direct -DCMAKE_TOOLCHAIN_FILE=toolchains/wasm-clang19.cmake \
#         -DCMAKE_BUILD_TYPE=Release
#
# (the wasm-simd build does this by itself, into build/wasm-simd/direct: wasm/CMakeLists.txt).
# Why not emcc: it always runs binaryen 108 (wasm-emscripten-finalize, wasm-opt), which
# cannot parse the standard relaxed-SIMD opcodes (`invalid code after SIMD prefix: 261`), and
# clang-19 driving the link itself would run the same wasm-opt from PATH. Nothing rewrites
# opcodes here: what LLVM 19 emits is what ships.
#
# The target is wasm32-unknown-emscripten with Emscripten's own sysroot (Debian's frozen,
# prebuilt cache): its libc++/musl headers, and from its libraries only memcpy/memset, sbrk,
# emmalloc and compiler-rt, linked as plain objects. So the C++ sources compile as they do
# under em++ (`__EMSCRIPTEN__`, `EMSCRIPTEN` in CMake), and the modules are standalone like
# emcc's -sSTANDALONE_WASM ones: one import, env.emscripten_notify_memory_growth.
#
# Flags every object gets:
#   -msimd128                   these modules are SIMD modules only
#   -mno-reference-types        wasm-ld-19 / clang-19 turn reference types on by default;
#                               call_indirect then encodes its table in a form engines without
#                               reference types reject
#   -D__SSE*__ + include/compat what emcc makes of -msse4.1 (xsimd 8.1 has no wasm arch: it
#                               picks sse4_1, whose intrinsics Emscripten's compat headers
#                               implement over SIMD128)
# Per module (wasm/CMakeLists.txt): -mrelaxed-simd; -matomics -mbulk-memory for threads.
set(CMAKE_SYSTEM_NAME Emscripten)  # Platform/Emscripten.cmake beside this file
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(EMSCRIPTEN 1)
set(NMFKIT_WASM_DIRECT ON)

find_program(NMFKIT_CLANG19 NAMES clang++-19 REQUIRED)
find_program(NMFKIT_WASM_LD19 NAMES wasm-ld-19 REQUIRED)
find_program(NMFKIT_NODE_EXECUTABLE node REQUIRED)
execute_process(COMMAND em-config CACHE OUTPUT_VARIABLE _nmfkit_em_cache OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET)
if(NOT _nmfkit_em_cache OR NOT EXISTS "${_nmfkit_em_cache}/sysroot/lib/wasm32-emscripten/libc.a")
  set(_nmfkit_em_cache /usr/share/emscripten/cache)
endif()
set(NMFKIT_WASM_SYSROOT "${_nmfkit_em_cache}/sysroot" CACHE PATH "Emscripten's sysroot (headers, libc, emmalloc)")

set(CMAKE_CXX_COMPILER "${NMFKIT_CLANG19}")
set(CMAKE_CXX_COMPILER_TARGET wasm32-unknown-emscripten)
set(CMAKE_SYSROOT "${NMFKIT_WASM_SYSROOT}")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)  # no link in CMake's compiler checks
find_program(NMFKIT_LLVM_AR19 NAMES llvm-ar-19 REQUIRED)
set(CMAKE_AR "${NMFKIT_LLVM_AR19}" CACHE FILEPATH "" FORCE)
find_program(NMFKIT_LLVM_RANLIB19 NAMES llvm-ranlib-19 REQUIRED)
set(CMAKE_RANLIB "${NMFKIT_LLVM_RANLIB19}" CACHE FILEPATH "" FORCE)
set(CMAKE_CXX_FLAGS_INIT
    "-msimd128 -mno-reference-types -D__SSE__=1 -D__SSE2__=1 -D__SSE3__=1 -D__SSSE3__=1 -D__SSE4_1__=1 -Xclang -iwithsysroot/include/compat")

# The link: wasm-ld-19 itself (<LINK_FLAGS> are the target's link options, wasm-ld's own).
set(CMAKE_CXX_LINK_EXECUTABLE
    "${NMFKIT_WASM_LD19} <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_EXECUTABLE_SUFFIX .wasm)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
