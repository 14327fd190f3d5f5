# SPDX-License-Identifier: MIT
# Runs COMMAND (a list) and checks its exit status (EXPECT_RC) and that its standard output and
# error match the regular expressions EXPECT_OUT and EXPECT_ERR (each optional).
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(problems "")
if(NOT "${EXPECT_RC}" STREQUAL "" AND NOT rc STREQUAL "${EXPECT_RC}")
  string(APPEND problems "exit status ${rc}, expected ${EXPECT_RC}\n")
endif()
if(NOT "${EXPECT_OUT}" STREQUAL "" AND NOT out MATCHES "${EXPECT_OUT}")
  string(APPEND problems "standard output does not match: ${EXPECT_OUT}\n")
endif()
if(NOT "${EXPECT_ERR}" STREQUAL "" AND NOT err MATCHES "${EXPECT_ERR}")
  string(APPEND problems "standard error does not match: ${EXPECT_ERR}\n")
endif()
if(problems)
  message(FATAL_ERROR "${problems}--- stdout ---\n${out}--- stderr ---\n${err}")
endif()
