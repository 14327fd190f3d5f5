# SPDX-License-Identifier: MIT
# Compiles one header alone: cmake -DCOMPILER=... -DHEADER=mapixx/x.hpp -DFLAGS=... -P check_header.cmake
string(RANDOM LENGTH 8 _tag)
set(_tu "${CMAKE_CURRENT_BINARY_DIR}/header_check_${_tag}.cpp")
file(WRITE ${_tu} "#include <${HEADER}>\n#include <${HEADER}>\nint main() {}\n")
execute_process(
  COMMAND ${COMPILER} ${FLAGS} -fsyntax-only ${_tu}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(REMOVE ${_tu})
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${HEADER} does not compile alone with ${COMPILER}:\n${out}${err}")
endif()
