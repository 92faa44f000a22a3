# cmake -DQEMU=qemu-system-arm -DELF=fw.elf -DOUT=output.txt [-DHOST_REF=host_reference]
#       [-DCHECKSUM=committed init checksum] -P run_firmware.cmake
# Runs the firmware on qemu's MPS2 AN386 model (Cortex-M4F) with semihosting, which
# carries its output and its exit status, then has host_reference compare the output
# with the natively computed result.
execute_process(
  COMMAND ${QEMU} -M mps2-an386 -nographic -monitor none -serial none
          -semihosting-config enable=on,target=native -kernel ${ELF}
  TIMEOUT 60
  OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
file(WRITE ${OUT} "${out}")
message("---- firmware output (qemu exit: ${rc})\n${out}----")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the firmware failed or did not finish (qemu exit: ${rc})")
endif()
if(NOT out MATCHES "\nDONE ok\n")
  message(FATAL_ERROR "the firmware did not report 'DONE ok'")
endif()
if(CHECKSUM AND NOT out MATCHES "\ninit_checksum ${CHECKSUM}\n")
  message(FATAL_ERROR "init checksum differs from the committed ${CHECKSUM}")
endif()
if(HOST_REF)
  execute_process(COMMAND ${HOST_REF} ${OUT} ${CHECKSUM} OUTPUT_VARIABLE cmp RESULT_VARIABLE rc)
  message("---- native reference\n${cmp}----")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "firmware and native results disagree")
  endif()
else()
  message(WARNING "no native compiler: init checksum checked, relative error not compared")
endif()
