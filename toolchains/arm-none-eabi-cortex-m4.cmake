# Bare-metal build for an ARM Cortex-M4F microcontroller with Debian's gcc-arm-none-eabi
# and newlib (packages gcc-arm-none-eabi, libnewlib-arm-none-eabi,
# libstdc++-arm-none-eabi-newlib). Builds the core library and the firmware example in
# examples/cortex-m (runs under qemu-system-arm -M mps2-an386); the doctest suites,
# the CLI and the benchmark need an operating system and are switched off.
#
#   cmake -S . -B build/cortex-m4 -DCMAKE_TOOLCHAIN_FILE=toolchains/arm-none-eabi-cortex-m4.cmake \
#         -DCMAKE_BUILD_TYPE=MinSizeRel
#   cmake --build build/cortex-m4 -j2 && ctest --test-dir build/cortex-m4
#
# These flags go into CMAKE_<LANG>_FLAGS_INIT: a -DCMAKE_CXX_FLAGS=... on the command
# line replaces them, so repeat them there (or use CMAKE_CXX_FLAGS_<CONFIG>).
#
# The M4F FPU is single precision: float arithmetic is native, double (the core's
# accumulators and scalars) is done in software by libgcc.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
# No OS to link a test executable against: probe the compilers with a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# -ffp-contract=off: GCC contracts a*b+c into a fused multiply-add in C++ even with
# -std=c++17 (only ISO C mode turns that off), which changes the last bits of the
# scalar code's results on FMA targets. Off, the scalar path rounds like x86-64's.
set(_nmfkit_cpu_flags "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffp-contract=off")
set(CMAKE_C_FLAGS_INIT "${_nmfkit_cpu_flags} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${_nmfkit_cpu_flags}")
# Single-threaded firmware: function-local statics need no guard (no __cxa_guard_*),
# no exceptions and no RTTI anywhere.
set(CMAKE_CXX_FLAGS_INIT "${_nmfkit_cpu_flags} -ffunction-sections -fdata-sections -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit")
# newlib-nano; no nosys.specs on purpose: nothing provides _sbrk and the other system
# calls, so code that reaches malloc (or printf, files, ...) fails to link.
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=nano.specs -Wl,--gc-sections")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Need an operating system: off on bare metal (still overridable with -D).
set(NMFKIT_BUILD_TESTS OFF CACHE BOOL "Build the doctest suite (needs an OS)")
set(NMFKIT_BUILD_CLI OFF CACHE BOOL "Build the nmfkit command-line tool (needs an OS)")
set(NMFKIT_BUILD_BENCH OFF CACHE BOOL "Build the benchmark (needs an OS)")
