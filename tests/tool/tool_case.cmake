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
#   JSON       checks of its standard output, parsed as JSON; each is PATH OP VALUE with PATH a
#              '/'-separated list of member names and array indices and OP one of
#                == (the value, as string(JSON GET) gives it: ON/OFF for booleans)
#                != (not that value)
#                ~= (the value matches a regular expression)
#                #= (the length of an array or object)
#                := (the type: NULL, NUMBER, STRING, BOOLEAN, ARRAY or OBJECT)
#   FILE, FILE_REGEX  after the command, FILE must exist and its content match FILE_REGEX
#   NO_FILE    after the command, this file must not exist
cmake_minimum_required(VERSION 3.20)

set(problems "")
macro(problem text)
  string(APPEND problems "${text}\n")
endmacro()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
foreach(f IN LISTS COPY)
  file(COPY "${f}" DESTINATION "${WORK}")
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
  string(JSON top ERROR_VARIABLE json_error TYPE "${out}")
  if(json_error OR NOT top STREQUAL "OBJECT")
    problem("standard output is not a JSON object: ${json_error}")
  else()
    foreach(check IN LISTS JSON)
      string(REPLACE "@CAPTURED@" "${captured}" check "${check}")
      if(NOT check MATCHES "^([^=~#:!]*)(==|!=|~=|#=|:=)(.*)$")
        message(FATAL_ERROR "bad JSON check \"${check}\"")
      endif()
      set(path_text "${CMAKE_MATCH_1}")
      set(op "${CMAKE_MATCH_2}")
      set(expected "${CMAKE_MATCH_3}")
      string(REPLACE "/" ";" path "${path_text}")
      if(op STREQUAL "#=")
        string(JSON got ERROR_VARIABLE json_error LENGTH "${out}" ${path})
      elseif(op STREQUAL ":=")
        string(JSON got ERROR_VARIABLE json_error TYPE "${out}" ${path})
      else()
        string(JSON got ERROR_VARIABLE json_error GET "${out}" ${path})
      endif()
      if(json_error)
        problem("JSON ${path_text}: ${json_error}")
      elseif(op STREQUAL "~=")
        if(NOT got MATCHES "${expected}")
          problem("JSON ${path_text} is \"${got}\", which does not match ${expected}")
        endif()
      elseif(op STREQUAL "!=")
        if(got STREQUAL expected)
          problem("JSON ${path_text} is \"${got}\", which it must not be")
        endif()
      elseif(NOT got STREQUAL expected)
        problem("JSON ${path_text} is \"${got}\", expected \"${expected}\"")
      endif()
    endforeach()
  endif()
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
