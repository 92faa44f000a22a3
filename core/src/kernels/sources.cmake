# Kernel sources of the nmfkit core, with per-source ISA flags.
#
# x86-64 with NMFKIT_SIMD and NMFKIT_DISPATCH: one translation unit per instruction
# set (SSE2 baseline, AVX2+FMA, AVX-512F); dispatch.cpp (baseline flags) picks one at
# run time from CPUID + XCR0. Every other target (aarch64, armhf, Emscripten, x86 with
# NMFKIT_DISPATCH=OFF) compiles simd_default.cpp for whatever arch the toolchain flags
# give xsimd; where there is none (Cortex-M, wasm without -msimd128) it yields no
# table and only the scalar set exists. NMFKIT_SIMD=OFF: scalar.cpp + dispatch.cpp only.
set(_nmfkit_kernel_dir ${CMAKE_CURRENT_LIST_DIR})

function(nmfkit_add_kernel_sources target)
  set(_dir ${_nmfkit_kernel_dir})
  target_sources(${target} PRIVATE ${_dir}/scalar.cpp ${_dir}/dispatch.cpp)
  if(NOT NMFKIT_SIMD)
    return()
  endif()
  # BUILD_INTERFACE: xsimd is header-only and private, so the installed package names neither.
  target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:nmfkit_xsimd>)
  # Lets consumers (tests, bench) know SIMD kernel sets were built.
  target_compile_definitions(${target} INTERFACE $<BUILD_INTERFACE:NMFKIT_HAVE_XSIMD=1>)

  set(_x86_64 OFF)
  if(NOT EMSCRIPTEN AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|x64)$"
     AND CMAKE_SIZEOF_VOID_P EQUAL 8)
    set(_x86_64 ON)
  endif()

  if(_x86_64 AND NMFKIT_DISPATCH)
    target_sources(${target} PRIVATE ${_dir}/simd_sse2.cpp ${_dir}/simd_avx2.cpp
                                     ${_dir}/simd_avx512.cpp)
    set_source_files_properties(${_dir}/simd_avx2.cpp TARGET_DIRECTORY ${target}
                                PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma")
    # xsimd 8.1's avx512f hadd uses an AVX512DQ intrinsic (_mm512_extractf32x8_ps), and
    # -mavx512f alone does not define __FMA__. dispatch.cpp requires avx512f, avx512dq
    # and fma3_avx2 before using this set (every AVX-512 CPU since Skylake-SP has all).
    set_source_files_properties(${_dir}/simd_avx512.cpp TARGET_DIRECTORY ${target}
                                PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx512dq;-mavx2;-mfma")
    set_source_files_properties(${_dir}/dispatch.cpp TARGET_DIRECTORY ${target}
                                PROPERTIES COMPILE_DEFINITIONS NMFKIT_KERNELS_X86_DISPATCH=1)
  else()
    target_sources(${target} PRIVATE ${_dir}/simd_default.cpp)
    set_source_files_properties(${_dir}/dispatch.cpp TARGET_DIRECTORY ${target}
                                PROPERTIES COMPILE_DEFINITIONS NMFKIT_KERNELS_DEFAULT_SIMD=1)
  endif()
endfunction()
