# SPDX-License-Identifier: MIT
#
# Runs one example for ctest and checks both things an example promises: it exits with status
# 0, and what it prints (standard output and standard error together) matches the regular
# expression of its "// PASS_REGULAR_EXPRESSION:" line. ctest's own PASS_REGULAR_EXPRESSION
# property ignores the exit status, hence this script.
#
#   cmake -DPROGRAM=<example> [-DDRIVER=<name>.ctest.sh] -DEXPECT=<regex> -P run_example.cmake
foreach(var PROGRAM EXPECT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_example.cmake needs -D${var}=...")
  endif()
endforeach()
if(DEFINED DRIVER AND NOT DRIVER STREQUAL "")
  set(command sh "${DRIVER}" "${PROGRAM}")
else()
  set(command "${PROGRAM}")
endif()
execute_process(COMMAND ${command} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT status STREQUAL "0")
  message(FATAL_ERROR "the example exited with status ${status} (0 expected)")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "the example's output does not match: ${EXPECT}")
endif()
