# Shared part of the Debian cross toolchain files for ARM Linux (aarch64-linux-gnu.cmake,
# arm-linux-gnueabihf.cmake). Those set, before including this file:
#   _nmfkit_triple       the GNU triple of Debian's cross compiler package
#   _nmfkit_qemu         the qemu-user binary that runs the target's executables
#   _nmfkit_arch_flags   extra compiler flags of the target (may be empty)
#   _nmfkit_kernel       the kernel set nmfkit must select there
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${_nmfkit_triple}-gcc)
set(CMAKE_CXX_COMPILER ${_nmfkit_triple}-g++)

# -ffp-contract=off: GCC contracts a*b+c into a fused multiply-add in C++ even with
# -std=c++17 (only ISO C mode turns that off), which changes the last bits of the
# scalar code's results on FMA targets. Off, the scalar path rounds like x86-64's.
set(CMAKE_C_FLAGS_INIT "${_nmfkit_arch_flags} -ffp-contract=off")
set(CMAKE_CXX_FLAGS_INIT "${_nmfkit_arch_flags} -ffp-contract=off")

# Debian installs the target's libc and libstdc++ under /usr/<triple>.
set(NMFKIT_CROSS_SYSROOT /usr/${_nmfkit_triple} CACHE PATH "target root (libraries, dynamic loader)")
set(CMAKE_FIND_ROOT_PATH ${NMFKIT_CROSS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# No binfmt_misc needed: ctest prefixes every test command with this.
set(CMAKE_CROSSCOMPILING_EMULATOR ${_nmfkit_qemu};-L;${NMFKIT_CROSS_SYSROOT})

# The kernel set tests/test_arch.cpp requires: a silent scalar fallback fails.
set(NMFKIT_EXPECT_KERNEL ${_nmfkit_kernel} CACHE STRING "kernel set nmfkit must select on this target")
