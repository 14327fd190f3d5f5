# SPDX-License-Identifier: MIT
#
# Fails if a doctest test case name contains ';'.
#   cmake -DROOT=<dir> -P check_test_names.cmake            every *.cpp, *.hpp and *.h under <dir>
#   cmake -DFILES=<file> -DSELF_TEST=ON -P check_test_names.cmake
#
# Why: doctest_discover_tests (doctestAddTests.cmake) reads the output of --list-test-cases as a
# CMake list, and ';' is CMake's list separator. A name "a; b" becomes two ctests, "a" and " b",
# that run --test-case=a and --test-case= b: neither filter matches a test case, doctest runs
# nothing, and both pass. The test case itself never runs. Commas are fine (the script escapes
# them).
#
# Each TEST_CASE, TEST_CASE_TEMPLATE, TEST_CASE_TEMPLATE_DEFINE, TEST_CASE_FIXTURE, TEST_CASE_CLASS,
# SCENARIO, SCENARIO_TEMPLATE, SCENARIO_TEMPLATE_DEFINE and SCENARIO_CLASS (with or without the
# DOCTEST_ prefix) is read with the string literals that make its name, also when they are
# concatenated over several lines. Every finding is reported as file:line with the name. A macro
# whose name is not a plain string literal (a raw string, a macro parameter, a variable) cannot
# be checked and is reported too: give it a literal name. SUBCASE and TEST_SUITE names are not
# ctest names and are not checked.
#
# SELF_TEST=ON checks the checker: the lines of FILES that end in "// flagged" are exactly the
# ones it must report (tests/test_names/sample_names.txt).
cmake_minimum_required(VERSION 3.20)  # list() keeps empty elements (the empty lines)

if(DEFINED ROOT)
  file(GLOB_RECURSE _files LIST_DIRECTORIES false "${ROOT}/*.cpp" "${ROOT}/*.hpp" "${ROOT}/*.h")
  list(SORT _files)
elseif(DEFINED FILES)
  set(_files "${FILES}")
else()
  message(FATAL_ERROR "check_test_names.cmake: -DROOT=<dir> or -DFILES=<file> is required")
endif()
if(NOT _files)
  message(FATAL_ERROR "check_test_names.cmake: no source file found (ROOT=${ROOT} FILES=${FILES})")
endif()

# The file text must go through CMake lists line by line, so the characters that lists treat
# specially (';' the separator, '[' and ']' that protect a ';', '\' that escapes it) are replaced
# by control characters first and put back in the report. An escaped quote \" becomes one
# character of its own so that a literal ends at the first plain '"'.
string(ASCII 1 _semi)
string(ASCII 2 _lbr)
string(ASCII 3 _rbr)
string(ASCII 4 _bsl)
string(ASCII 5 _quote)
set(_macro_re "(^|[^A-Za-z0-9_])((DOCTEST_)?(TEST_CASE_TEMPLATE_DEFINE|TEST_CASE_TEMPLATE|TEST_CASE_FIXTURE|TEST_CASE_CLASS|TEST_CASE|SCENARIO_TEMPLATE_DEFINE|SCENARIO_TEMPLATE|SCENARIO_CLASS|SCENARIO))[ \t]*\\(")
set(_window 12)  # lines read after the macro's line for a name that continues there

function(_restore out text)
  string(REPLACE "${_semi}" ";" text "${text}")
  string(REPLACE "${_lbr}" "[" text "${text}")
  string(REPLACE "${_rbr}" "]" text "${text}")
  string(REPLACE "${_quote}" "\\\"" text "${text}")
  string(REPLACE "${_bsl}" "\\" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(_findings 0)
set(_checked 0)
set(_self_test_errors "")
foreach(_file IN LISTS _files)
  file(READ "${_file}" _text)
  string(REPLACE "\\\\" "${_bsl}${_bsl}" _text "${_text}")
  string(REPLACE "\\\"" "${_quote}" _text "${_text}")
  string(REPLACE "\\" "${_bsl}" _text "${_text}")
  string(REPLACE ";" "${_semi}" _text "${_text}")
  string(REPLACE "[" "${_lbr}" _text "${_text}")
  string(REPLACE "]" "${_rbr}" _text "${_text}")
  string(REPLACE "\n" ";" _lines "${_text}")
  list(LENGTH _lines _count)
  file(RELATIVE_PATH _shown "${CMAKE_CURRENT_LIST_DIR}/../.." "${_file}")
  if(_shown MATCHES "^\\.\\./")
    set(_shown "${_file}")
  endif()

  set(_reported "")
  set(_expected "")
  set(_index 0)
  foreach(_line IN LISTS _lines)
    math(EXPR _lineno "${_index} + 1")
    if(SELF_TEST AND _line MATCHES "// flagged[ \t\r]*$")
      list(APPEND _expected ${_lineno})
    endif()
    if(NOT _line MATCHES "${_macro_re}")
      math(EXPR _index "${_index} + 1")
      continue()
    endif()
    set(_macro "${CMAKE_MATCH_2}")
    # The rest of the line after "MACRO(", and the following lines.
    string(FIND "${_line}" "${CMAKE_MATCH_0}" _at)
    string(LENGTH "${CMAKE_MATCH_0}" _len)
    math(EXPR _at "${_at} + ${_len}")
    string(SUBSTRING "${_line}" ${_at} -1 _rest)
    math(EXPR _more "${_count} - ${_index} - 1")
    if(_more GREATER _window)
      set(_more ${_window})
    endif()
    if(_more GREATER 0)
      math(EXPR _next "${_index} + 1")
      list(SUBLIST _lines ${_next} ${_more} _following)
      list(JOIN _following "\n" _following)
      string(APPEND _rest "\n${_following}")
    endif()
    if(_macro MATCHES "(FIXTURE|CLASS)$")  # the first argument is the fixture class
      string(FIND "${_rest}" "," _comma)
      if(_comma EQUAL -1)
        set(_rest "")
      else()
        math(EXPR _comma "${_comma} + 1")
        string(SUBSTRING "${_rest}" ${_comma} -1 _rest)
      endif()
    endif()
    set(_name "")
    set(_pieces 0)
    # Literals separated by white space and // comments make one name.
    while(_rest MATCHES "^([ \t\r\n]|//[^\n]*\n)*\"([^\"\n]*)\"")
      string(APPEND _name "${CMAKE_MATCH_2}")
      math(EXPR _pieces "${_pieces} + 1")
      string(LENGTH "${CMAKE_MATCH_0}" _len)
      string(SUBSTRING "${_rest}" ${_len} -1 _rest)
    endwhile()
    _restore(_name "${_name}")
    if(_pieces EQUAL 0)
      message("${_shown}:${_lineno}: ${_macro}: the name is not a string literal, so this check "
              "cannot read it; give the test case a plain \"...\" name")
      math(EXPR _findings "${_findings} + 1")
      list(APPEND _reported ${_lineno})
    elseif(_name MATCHES ";")
      message("${_shown}:${_lineno}: ${_macro}: the test case name contains ';', which splits it into "
              "ctests that run nothing: \"${_name}\"")
      math(EXPR _findings "${_findings} + 1")
      list(APPEND _reported ${_lineno})
    endif()
    math(EXPR _checked "${_checked} + 1")
    math(EXPR _index "${_index} + 1")
  endforeach()

  if(SELF_TEST AND NOT _reported STREQUAL _expected)
    string(APPEND _self_test_errors
           "${_shown}: the lines reported (${_reported}) are not the lines marked '// flagged' (${_expected})\n")
  endif()
endforeach()

if(SELF_TEST)
  if(NOT _expected)
    message(FATAL_ERROR "check_test_names.cmake: the self-test sample marks no line '// flagged'")
  endif()
  if(_self_test_errors)
    message(FATAL_ERROR "check_test_names.cmake self-test failed:\n${_self_test_errors}")
  endif()
  message(STATUS "self-test: the ${_findings} findings above are exactly the lines marked '// flagged'")
  return()
endif()

list(LENGTH _files _nfiles)
if(_findings GREATER 0)
  message(FATAL_ERROR "${_findings} test case name(s) above would be split by CTest (or cannot be "
                      "checked). Replace ';' by ',' or ' - ' in the name (${_checked} test cases in "
                      "${_nfiles} files checked).")
endif()
if(_checked EQUAL 0)
  message(FATAL_ERROR "check_test_names.cmake: no test case found in ${_nfiles} files: the check is broken")
endif()
message(STATUS "${_checked} test case names in ${_nfiles} files: none contains ';'")
