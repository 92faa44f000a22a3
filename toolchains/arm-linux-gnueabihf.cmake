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
set(CMAKE_SYSTEM_PROCESSOR arm)
set(_nmfkit_triple arm-linux-gnueabihf)
set(_nmfkit_qemu qemu-arm)
set(_nmfkit_arch_flags "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard -Wno-psabi")
set(_nmfkit_kernel neon)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
