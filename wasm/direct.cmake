# The modules built by clang-19 + wasm-ld-19 (toolchains/wasm-clang19.cmake), included by
# wasm/CMakeLists.txt in such a build (NMFKIT_WASM_DIRECT). All are Frobenius-only (the
# default module's core: dense X, beta = 2, random/custom init, mu; other fits run in
# nmfkit-simd-full.wasm), float kernels of simd_wasm_lite.cpp:
#   nmfkit-relaxed.wasm     relaxed SIMD: gemm_wasm.hpp's multiply-adds are f32x4.relaxed_madd
#                           (an FMA where the engine fuses it); one thread, no tasks; float32
#                           only (float64 fits run in nmfkit-simd-full.wasm)
#   nmfkit-relaxed-mt.wasm  the same with the solver's tasks (core/src/solver/tasks.hpp) and
#                           pool.cpp's executor: threads, one shared imported memory
#   nmfkit-simd-mt.wasm     threads without relaxed SIMD (Node 20 without its flag, engines
#                           that have SIMD128 but not relaxed SIMD)
# No binaryen pass runs on them (binaryen 108 cannot parse relaxed SIMD); LLVM's -Oz for the
# cold code and LTO do the size work.

set_source_files_properties(${PROJECT_SOURCE_DIR}/core/src/kernels/dispatch.cpp PROPERTIES
                            COMPILE_DEFINITIONS NMFKIT_KERNELS_DEFAULT_SIMD=1)
set(NMFKIT_WASM_LIBDIR ${NMFKIT_WASM_SYSROOT}/lib/wasm32-emscripten)
set_target_properties(nmfkit PROPERTIES EXCLUDE_FROM_ALL ON)  # only the copies below are built

# relaxed: ON/OFF; threads: ON/OFF
function(nmfkit_direct_core target relaxed threads)
  nmfkit_wasm_core_library(${target} COMPILE_OPTIONS)
  set(_k ${PROJECT_SOURCE_DIR}/core/src/kernels)
  target_sources(${target} PRIVATE ${_k}/scalar.cpp ${_k}/dispatch.cpp ${_k}/simd_wasm_lite.cpp)
  target_link_libraries(${target} PRIVATE nmfkit_xsimd)
  target_compile_definitions(${target} PRIVATE NMFKIT_EXTENDED=0 NMFKIT_ONE_PASS=0 NMFKIT_TASKS=$<BOOL:${threads}>)
  if(NOT threads)
    # the page's default module fits X at its own scale (700 B gzip less) and has no scalar
    # kernel set (1 085 B gzip less; kernel: 'scalar' is not_built); the wrapper sends such
    # fits to the full module (instance.js: #needsFull, modules.js: needsFull)
    target_compile_definitions(${target} PRIVATE NMFKIT_SCALE_SAFE=0 NMFKIT_SCALAR_FALLBACK=0)
  endif()
  target_compile_options(${target} PRIVATE ${NMFKIT_WASM_LITE_FLAGS})
  if(relaxed)
    target_compile_options(${target} PRIVATE -mrelaxed-simd)
  endif()
  if(threads)
    # the function-local statics (kernel tables) are first reached on the fit's own thread,
    # before any task: no guards (they would need libc++abi's __cxa_guard_*)
    target_compile_options(${target} PRIVATE -matomics -fno-threadsafe-statics)
  endif()
  nmfkit_wasm_cold_size(${target})
  nmfkit_wasm_scalar_no_unroll(${target})
endfunction()

# name: target; file: output name; core: its core copy; threads: ON/OFF
function(nmfkit_direct_module name file core relaxed threads)
  set(_sources ${_nmfkit_wasm_dir}/exports.cpp)
  if(threads)
    list(APPEND _sources ${_nmfkit_wasm_dir}/pool.cpp)
  endif()
  add_executable(${name} ${_sources})
  set_source_files_properties(${_sources} TARGET_DIRECTORY ${name} PROPERTIES COMPILE_OPTIONS -Oz)
  set_target_properties(${name} PROPERTIES OUTPUT_NAME ${file} SUFFIX ".wasm")
  target_link_libraries(${name} PRIVATE ${core})
  target_compile_options(${name} PRIVATE -fno-exceptions -fno-rtti ${NMFKIT_WASM_LITE_FLAGS})
  if(relaxed)
    target_compile_options(${name} PRIVATE -mrelaxed-simd)
  endif()
  set(_e ${NMFKIT_WASM_EXPORTS} ${NMFKIT_WASM_EXPORTS_F64})
  if(NOT threads)
    # the page's default module: float32 only (the wrapper sends float64 fits and W·H to
    # nmfkit-simd-full.wasm), 1 726 B less gzip: within the 20 KB page weight
    list(FILTER _e EXCLUDE REGEX "_f64$")
  endif()
  list(TRANSFORM _e PREPEND "--export=" OUTPUT_VARIABLE _exports)
  target_link_options(${name} PRIVATE
    --no-entry --gc-sections --strip-all
    ${_exports} --export=_initialize
    -z stack-size=1048576 --stack-first
    --initial-memory=2097152 --max-memory=2147483648
    # what emcc -sSTANDALONE_WASM links (emmalloc, libc's memcpy/memset and sbrk,
    # memory.grow with the notification the wrapper ignores)
    ${NMFKIT_WASM_LIBDIR}/crt1_reactor.o
    --allow-undefined-file=${_nmfkit_wasm_dir}/direct-imports.txt
    -O2 --lto-O2)
  if(threads)
    target_compile_options(${name} PRIVATE -matomics -fno-threadsafe-statics)
    # one memory for every thread: imported (JS creates it shared, WebAssembly.Memory
    # { shared: true }); data segments are passive and __wasm_init_memory copies them once;
    # each worker instance sets its own __stack_pointer (pool.cpp)
    target_link_options(${name} PRIVATE --shared-memory --import-memory --export-memory --export=__stack_pointer
                        --export=nmfkit_wasm_pool_init --export=nmfkit_wasm_pool_work
                        --export=nmfkit_wasm_pool_stop --export=nmfkit_solver_start_ex_f32 --export=nmfkit_solver_start_ex_f64)
  else()
    target_link_options(${name} PRIVATE --export-memory)
  endif()
  target_link_libraries(${name} PRIVATE ${NMFKIT_WASM_LIBDIR}/libemmalloc.a ${NMFKIT_WASM_LIBDIR}/libc.a
                        ${NMFKIT_WASM_LIBDIR}/libcompiler_rt.a ${NMFKIT_WASM_LIBDIR}/libstandalonewasm-memgrow.a)
endfunction()

nmfkit_direct_core(nmfkit_relaxed_core ON OFF)
nmfkit_direct_module(nmfkit_wasm_relaxed nmfkit-relaxed nmfkit_relaxed_core ON OFF)
nmfkit_direct_core(nmfkit_relaxed_mt_core ON ON)
nmfkit_direct_module(nmfkit_wasm_relaxed_mt nmfkit-relaxed-mt nmfkit_relaxed_mt_core ON ON)
nmfkit_direct_core(nmfkit_simd_mt_core OFF ON)
nmfkit_direct_module(nmfkit_wasm_simd_mt nmfkit-simd-mt nmfkit_simd_mt_core OFF ON)
set(NMFKIT_WASM_MODULES nmfkit_wasm_relaxed nmfkit_wasm_relaxed_mt nmfkit_wasm_simd_mt)
add_custom_target(nmfkit_wasm_modules ALL DEPENDS ${NMFKIT_WASM_MODULES})
