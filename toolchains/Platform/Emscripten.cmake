# CMake's platform file for toolchains/wasm-clang19.cmake (CMAKE_SYSTEM_NAME Emscripten without
# emcc): static libraries and .wasm executables, nothing shared.
set(CMAKE_STATIC_LIBRARY_PREFIX lib)
set(CMAKE_STATIC_LIBRARY_SUFFIX .a)
set(CMAKE_EXECUTABLE_SUFFIX .wasm)
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
