# cmake -DNM=arm-none-eabi-nm -DELF=fw.elf -P check_no_heap.cmake
# Fails if the firmware links an allocator, the C++ exception or RTTI runtime, or
# anything that needs an operating system call.
execute_process(COMMAND ${NM} --defined-only ${ELF} OUTPUT_VARIABLE syms RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${ELF}")
endif()
set(forbidden
  malloc free calloc realloc _malloc_r _free_r _calloc_r _realloc_r _sbrk _sbrk_r sbrk
  memalign aligned_alloc posix_memalign
  _Znwj _Znaj _Znwm _Znam _ZdlPv _ZdaPv                # operator new / delete
  __cxa_allocate_exception __cxa_throw __cxa_begin_catch __gxx_personality_v0
  _Unwind_Resume __cxa_guard_acquire __cxa_atexit
  _write _read _open _close _fstat _isatty _lseek _kill _getpid abort
  _ZTVN10__cxxabiv117__class_type_infoE                # RTTI
  printf puts _printf_r _vfprintf_r)
set(found "")
foreach(s IN LISTS forbidden)
  if(syms MATCHES "[ \t]${s}\n")
    list(APPEND found ${s})
  endif()
endforeach()
if(found)
  message(FATAL_ERROR "forbidden symbols in ${ELF}: ${found}")
endif()
list(LENGTH forbidden count)
message(STATUS "no heap, exception, RTTI or system-call symbol in ${ELF} (${count} names checked)")
