# SPDX-License-Identifier: MIT
#
# Runs the compiler on one source and checks the outcome (the idea of fmt's compile-error-test):
#   cmake -DCOMPILER=<c++> -DFLAGS=<list> -DSOURCE=<file> -DEXPECT=fail|compile
#         [-DPATTERN=<text the diagnostic must contain when EXPECT=fail>] -P check_compile.cmake
# EXPECT=fail: the compiler must exit non-zero AND its diagnostic must contain PATTERN, so that a
# source failing for another reason (a typo, a missing include) does not count as a pass.
# EXPECT=compile: the compiler must exit zero.
foreach(var COMPILER SOURCE EXPECT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_compile.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT EXISTS "${SOURCE}")
  message(FATAL_ERROR "check_compile.cmake: ${SOURCE} does not exist")
endif()

execute_process(
  COMMAND ${COMPILER} ${FLAGS} ${SOURCE}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
set(diagnostic "${out}${err}")

if(EXPECT STREQUAL "fail")
  if(rc EQUAL 0)
    message(FATAL_ERROR "${SOURCE} compiled, but it must not:\n${COMPILER} ${FLAGS} ${SOURCE}")
  endif()
  if(NOT DEFINED PATTERN OR PATTERN STREQUAL "")
    message(FATAL_ERROR "check_compile.cmake: EXPECT=fail needs -DPATTERN=...")
  endif()
  string(FIND "${diagnostic}" "${PATTERN}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${SOURCE} failed to compile, but its diagnostic does not mention '${PATTERN}', "
                        "so it failed for another reason:\n${diagnostic}")
  endif()
  message(STATUS "${SOURCE} is rejected as expected (exit ${rc}, diagnostic mentions '${PATTERN}')")
elseif(EXPECT STREQUAL "compile")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${SOURCE} must compile, but the compiler said (exit ${rc}):\n${diagnostic}")
  endif()
  message(STATUS "${SOURCE} compiles as expected")
else()
  message(FATAL_ERROR "check_compile.cmake: EXPECT must be 'fail' or 'compile', not '${EXPECT}'")
endif()
