# cmake -DSIZE=arm-none-eabi-size -DNM=arm-none-eabi-nm -DELF=fw.elf -DLIB=libnmfkit.a
#       [-DFLASH_BUDGET=bytes] [-DRAM_OVERHEAD_BUDGET=bytes] -P footprint.cmake
# Prints the footprint of the Cortex-M firmware and fails when it exceeds the budgets:
#   flash = .text (code + read-only data + the X table) + .ARM.exidx + .data initializers
#   RAM   = .data + .bss (the static buffers are in .bss) + the reserved stack;
#   RAM overhead = .data + .bss − (X + W + H + workspace buffers).
cmake_policy(SET CMP0057 NEW)  # if(... IN_LIST ...)
execute_process(COMMAND ${SIZE} -A ${ELF} OUTPUT_VARIABLE sysv RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SIZE} failed on ${ELF}")
endif()
# Exact symbol-name matches below must not be broken by ';' in demangled names.
function(section_size name out)
  set(v 0)
  string(REGEX MATCH "\n\\${name}[ \t]+([0-9]+)" m "${sysv}")
  if(m)
    set(v ${CMAKE_MATCH_1})
  endif()
  set(${out} ${v} PARENT_SCOPE)
endfunction()
section_size(.text text)
section_size(.ARM.exidx exidx)
section_size(.data data)
section_size(.bss bss)
section_size(.stack stack)
math(EXPR flash "${text} + ${exidx} + ${data}")

# Symbols by origin: the nmfkit core, the example itself, the toolchain's runtime.
# Mangled names (no -C): they hold no ';' or '[' that would upset CMake lists.
execute_process(COMMAND ${NM} -S --defined-only ${ELF} OUTPUT_VARIABLE syms)
string(REPLACE "\n" ";" lines "${syms}")
set(core_code 0)
set(example_code 0)
set(runtime_code 0)
set(buffers 0)
set(seen "")
foreach(l IN LISTS lines)
  if(NOT l MATCHES "^([0-9a-f]+) ([0-9a-f]+) ([A-Za-z]) (.*)$")
    continue()
  endif()
  set(addr ${CMAKE_MATCH_1})
  math(EXPR sz "0x${CMAKE_MATCH_2}")
  set(type ${CMAKE_MATCH_3})
  set(name "${CMAKE_MATCH_4}")
  if(addr IN_LIST seen)  # aliases (__aeabi_dadd = __adddf3, identical-code folds)
    continue()
  endif()
  list(APPEND seen ${addr})
  if(type MATCHES "^[bB]$")
    if(name MATCHES "11g_workspaceE$|3g_XE$|3g_WE$|3g_HE$")
      math(EXPR buffers "${buffers} + ${sz}")
    endif()
    continue()
  endif()
  if(NOT type MATCHES "^[tTrRwWvV]$")
    continue()
  endif()
  if(name MATCHES "^(_ZZ?N12_GLOBAL__N_1|_ZZ?N4demo|_ZZ?N8semihost|_Z13firmware_main|Reset_Handler|Fault_Handler|Default_Handler)")
    math(EXPR example_code "${example_code} + ${sz}")
  elseif(name MATCHES "6nmfkit|^nmfkit_")
    math(EXPR core_code "${core_code} + ${sz}")
  else()
    math(EXPR runtime_code "${runtime_code} + ${sz}")
  endif()
endforeach()

set(lib_text "?")
if(LIB)
  execute_process(COMMAND ${SIZE} -t ${LIB} OUTPUT_VARIABLE lib_berkeley)
  if(lib_berkeley MATCHES "\n[ \t]*([0-9]+)[ \t]+([0-9]+)[ \t]+([0-9]+)[ \t]+[0-9]+[ \t]+[0-9a-f]+[ \t]+\\(TOTALS\\)")
    set(lib_text ${CMAKE_MATCH_1})
  endif()
endif()

if(lib_text STREQUAL "0")  # link-time optimization: the archive holds GCC's IR, not machine code
  set(lib_text "n/a (LTO)")
endif()

math(EXPR ram "${data} + ${bss}")
math(EXPR overhead "${ram} - ${buffers}")
message("Cortex-M4F firmware footprint (${ELF}):
| item | bytes |
|---|---|
| flash: .text + .ARM.exidx + .data init | ${flash} |
|   of which nmfkit core code + rodata (linked) | ${core_code} |
|   of which example (startup, semihosting, data generator, main) | ${example_code} |
|   of which libgcc / newlib (soft double, sqrt, memcpy, ...) | ${runtime_code} |
| RAM: .data + .bss | ${ram} |
|   of which static buffers X, W, H, workspace | ${buffers} |
|   overhead beyond the buffers | ${overhead} |
| stack reserved (.stack) | ${stack} |
| libnmfkit.a text, all objects before --gc-sections | ${lib_text} |")

set(failed "")
if(FLASH_BUDGET AND flash GREATER FLASH_BUDGET)
  string(APPEND failed "flash ${flash} > ${FLASH_BUDGET} bytes. ")
endif()
if(RAM_OVERHEAD_BUDGET AND overhead GREATER RAM_OVERHEAD_BUDGET)
  string(APPEND failed "RAM overhead ${overhead} > ${RAM_OVERHEAD_BUDGET} bytes. ")
endif()
if(buffers EQUAL 0)
  string(APPEND failed "static buffers not found in the symbol table. ")
endif()
if(failed)
  message(FATAL_ERROR "${failed}")
endif()
