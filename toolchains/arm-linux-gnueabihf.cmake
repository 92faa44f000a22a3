# Cross build for 32-bit ARMv7-A Linux with NEON (Raspberry Pi 2/3 running a 32-bit
# OS, BeagleBone, i.MX6, Debian armhf) with Debian's g++-arm-linux-gnueabihf.
#
# Debian armhf's default FPU is vfpv3-d16 (no NEON): xsimd would then find no
# architecture and nmfkit would silently run its scalar kernels. -mfpu=neon-vfpv4
# enables NEON and defines __ARM_FEATURE_FMA, so xsimd's neon fma is a real vfma.
# -Wno-psabi silences GCC's "parameter passing ... changed in GCC 7.1" notes.
#
#   cmake -S . -B build/armhf -DCMAKE_TOOLCHAIN_FILE=toolchains/arm-linux-gnueabihf.cmake \
#         -DCMAKE_BUILD_TYPE=Release
#   cmake --build build/armhf -j2 && ctest --test-dir build/armhf
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(_nmfkit_triple arm-linux-gnueabihf)
set(CMAKE_C_COMPILER ${_nmfkit_triple}-gcc)
set(CMAKE_CXX_COMPILER ${_nmfkit_triple}-g++)

# -ffp-contract=off: GCC contracts a*b+c into a fused multiply-add in C++ even with
# -std=c++17 (only ISO C mode turns that off), which changes the last bits of the
# scalar code's results on FMA targets. Off, the scalar path rounds like x86-64's.
set(_nmfkit_arch_flags "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard -Wno-psabi -ffp-contract=off")
set(CMAKE_C_FLAGS_INIT "${_nmfkit_arch_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_nmfkit_arch_flags}")

set(NMFKIT_CROSS_SYSROOT /usr/${_nmfkit_triple} CACHE PATH "target root (libraries, dynamic loader)")
set(CMAKE_FIND_ROOT_PATH ${NMFKIT_CROSS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm;-L;${NMFKIT_CROSS_SYSROOT})

set(NMFKIT_EXPECT_KERNEL neon CACHE STRING "kernel set nmfkit must select on this target")
