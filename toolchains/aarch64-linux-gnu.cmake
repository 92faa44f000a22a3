# Cross build for 64-bit ARM Linux (Raspberry Pi 3/4/5 class, Debian arm64) with
# Debian's g++-aarch64-linux-gnu. xsimd picks its neon64 architecture (Advanced SIMD
# is mandatory on AArch64, no flag needed). CTest runs the test executables under
# qemu-user (package qemu-user), pointed at the cross sysroot so the dynamic loader
# and the shared libraries are found.
#
#   cmake -S . -B build/aarch64 -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake \
#         -DCMAKE_BUILD_TYPE=Release
#   cmake --build build/aarch64 -j2 && ctest --test-dir build/aarch64
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(_nmfkit_triple aarch64-linux-gnu)
set(_nmfkit_qemu qemu-aarch64)
set(_nmfkit_arch_flags "")
set(_nmfkit_kernel neon64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
