# SPDX-License-Identifier: MIT
# One test of the mapixx tool, run with `cmake -P`. Every test gets its own empty work
# directory (WORK, deleted and created again here), so tests are independent and can run in
# parallel. "@WORK@" in ARGS, SETUP, ENV and FILE stands for that directory, "@CAPTURED@" in
# ARGS and JSON for the value CAPTURE took.
#
#   TOOL       the mapixx executable
#   WORK       the test's work directory; the profile store is WORK/store
#   NO_STORE   if true, "--store WORK/store" is not put before the commands
#   COPY       files copied into WORK first
#   ENV        NAME=VALUE pairs set for the tool; UNSET_ENV: names removed
#   SETUP      commands run first, separated by "&&"; each must exit with status 0
#   CAPTURE    a JSON path ("services/0/uid") read from the standard output of the last
#              SETUP command, for @CAPTURED@
#   ARGS       the command under test
#   RC         its expected exit status
#   OUT, ERR   regular expressions its standard output / error must match
#   REJECT     a regular expression that neither output may match
#   JSON       checks of its standard output, which must be one JSON object; each is PATH OP
#              VALUE (json_check.cmake says which)
#   FILE, FILE_REGEX  after the command, FILE must exist and its content match FILE_REGEX
#   NO_FILE    after the command, this file must not exist
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/json_check.cmake)

set(problems "")
macro(problem text)
  string(APPEND problems "${text}\n")
endmacro()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
foreach(f IN LISTS COPY)
  # Copied as a store of the tool's own would be: private (0700 directories, 0600 files), so
  # that the tool's warning about a store others can read does not come first on stderr.
  file(COPY "${f}" DESTINATION "${WORK}"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE
       DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
endforeach()

foreach(pair IN LISTS ENV)
  string(REPLACE "@WORK@" "${WORK}" pair "${pair}")
  string(FIND "${pair}" "=" eq)
  string(SUBSTRING "${pair}" 0 ${eq} name)
  math(EXPR from "${eq} + 1")
  string(SUBSTRING "${pair}" ${from} -1 value)
  set(ENV{${name}} "${value}")
endforeach()
foreach(name IN LISTS UNSET_ENV)
  unset(ENV{${name}})
endforeach()

set(prefix "")
if(NOT NO_STORE)
  set(prefix --store "${WORK}/store")
endif()

# SETUP: split at "&&" and run each command.
set(setup_out "")
set(current "")
list(APPEND SETUP "&&")
foreach(word IN LISTS SETUP)
  if(word STREQUAL "&&")
    if(current)
      string(REPLACE "@WORK@" "${WORK}" current "${current}")
      execute_process(COMMAND "${TOOL}" ${prefix} ${current}
                      RESULT_VARIABLE rc OUTPUT_VARIABLE setup_out ERROR_VARIABLE setup_err)
      if(NOT rc STREQUAL "0")
        message(FATAL_ERROR "setup command failed (exit status ${rc}): mapixx ${current}\n"
                            "--- stdout ---\n${setup_out}--- stderr ---\n${setup_err}")
      endif()
    endif()
    set(current "")
  else()
    list(APPEND current "${word}")
  endif()
endforeach()

set(captured "")
if(CAPTURE)
  string(REPLACE "/" ";" path "${CAPTURE}")
  string(JSON captured ERROR_VARIABLE json_error GET "${setup_out}" ${path})
  if(json_error)
    message(FATAL_ERROR "CAPTURE ${CAPTURE}: ${json_error}\n--- setup stdout ---\n${setup_out}")
  endif()
endif()

string(REPLACE "@WORK@" "${WORK}" ARGS "${ARGS}")
string(REPLACE "@CAPTURED@" "${captured}" ARGS "${ARGS}")
execute_process(COMMAND "${TOOL}" ${prefix} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)

if(NOT "${RC}" STREQUAL "" AND NOT rc STREQUAL "${RC}")
  problem("exit status ${rc}, expected ${RC}")
endif()
if(NOT "${OUT}" STREQUAL "" AND NOT out MATCHES "${OUT}")
  problem("standard output does not match: ${OUT}")
endif()
if(NOT "${ERR}" STREQUAL "" AND NOT err MATCHES "${ERR}")
  problem("standard error does not match: ${ERR}")
endif()
if(NOT "${REJECT}" STREQUAL "" AND ("${out}" MATCHES "${REJECT}" OR "${err}" MATCHES "${REJECT}"))
  problem("the output matches what it must not: ${REJECT}")
endif()

if(JSON)
  string(REPLACE "@CAPTURED@" "${captured}" JSON "${JSON}")
  mapixx_json_checks("${out}" "${JSON}" json_problems)
  string(APPEND problems "${json_problems}")
endif()

if(FILE)
  string(REPLACE "@WORK@" "${WORK}" FILE "${FILE}")
  if(NOT EXISTS "${FILE}")
    problem("${FILE} does not exist")
  elseif(NOT "${FILE_REGEX}" STREQUAL "")
    file(READ "${FILE}" content)
    if(NOT content MATCHES "${FILE_REGEX}")
      problem("${FILE} does not match: ${FILE_REGEX}\n--- ${FILE} ---\n${content}")
    endif()
  endif()
endif()
if(NO_FILE)
  string(REPLACE "@WORK@" "${WORK}" NO_FILE "${NO_FILE}")
  if(EXISTS "${NO_FILE}")
    problem("${NO_FILE} exists")
  endif()
endif()

if(problems)
  string(REPLACE ";" " " shown "${ARGS}")
  message(FATAL_ERROR "mapixx ${shown}\n${problems}--- stdout ---\n${out}--- stderr ---\n${err}")
endif()
