# Cross build for 64-bit ARM Linux (Raspberry Pi 3/4/5 class, Debian arm64) with
# Debian's g++-aarch64-linux-gnu. xsimd picks its neon64 architecture (Advanced SIMD
# is mandatory on AArch64, no flag needed). CTest runs the test executables under
# qemu-user (package qemu-user), pointed at the cross sysroot so the dynamic loader
# and the shared libraries are found.
#
#   cmake -S . -B build/aarch64 -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake \
#         -DCMAKE_BUILD_TYPE=Release
#   cmake --build build/aarch64 -j2 && ctest --test-dir build/aarch64
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(_nmfkit_triple aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${_nmfkit_triple}-gcc)
set(CMAKE_CXX_COMPILER ${_nmfkit_triple}-g++)

# -ffp-contract=off: GCC contracts a*b+c into a fused multiply-add in C++ even with
# -std=c++17 (only ISO C mode turns that off), which changes the last bits of the
# scalar code's results on FMA targets. Off, the scalar path rounds like x86-64's.
set(CMAKE_C_FLAGS_INIT "-ffp-contract=off")
set(CMAKE_CXX_FLAGS_INIT "-ffp-contract=off")

# Debian installs the target's libc and libstdc++ under /usr/<triple>.
set(NMFKIT_CROSS_SYSROOT /usr/${_nmfkit_triple} CACHE PATH "target root (libraries, dynamic loader)")
set(CMAKE_FIND_ROOT_PATH ${NMFKIT_CROSS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# No binfmt_misc needed: ctest prefixes every test command with this.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;${NMFKIT_CROSS_SYSROOT})

# The kernel set tests/test_arch.cpp requires: a silent scalar fallback fails.
set(NMFKIT_EXPECT_KERNEL neon64 CACHE STRING "kernel set nmfkit must select on this target")
