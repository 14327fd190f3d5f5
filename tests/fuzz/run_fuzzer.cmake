# SPDX-License-Identifier: MIT
#
# One fuzzing run (cmake -P): writes the seed corpus and dictionary of target NAME into the build
# directory, then runs FUZZER on the corpus for SECONDS. Fails when the seed writer fails or the
# fuzzer stops with anything but success (a crash, a sanitizer report, a leak, a timeout, a
# broken invariant); libFuzzer then leaves the input in ARTIFACTS/.
#
# Variables: FUZZER SEEDS NAME SECONDS MAX_LEN CORPUS ARTIFACTS DICT REPLAY INPUTS (a list).
# Extra libFuzzer options can be given in the environment: MAPIXX_FUZZ_OPTIONS="-jobs=2 ...".
foreach(v FUZZER SEEDS NAME SECONDS MAX_LEN CORPUS ARTIFACTS DICT)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "run_fuzzer.cmake: ${v} is not set")
  endif()
endforeach()

file(MAKE_DIRECTORY "${CORPUS}" "${ARTIFACTS}")
get_filename_component(_dict_dir "${DICT}" DIRECTORY)
file(MAKE_DIRECTORY "${_dict_dir}")

execute_process(COMMAND "${SEEDS}" "${NAME}" "${CORPUS}" "${DICT}" --replay "${REPLAY}" ${INPUTS}
                RESULT_VARIABLE _seed_rc)
if(NOT _seed_rc EQUAL 0)
  message(FATAL_ERROR "fuzz ${NAME}: writing the seed corpus failed (${_seed_rc})")
endif()

# A sanitizer report must stop the run with a failure, and reports should be readable.
if(NOT DEFINED ENV{ASAN_OPTIONS})
  set(ENV{ASAN_OPTIONS} "abort_on_error=0:detect_leaks=1:symbolize=1")
endif()
if(NOT DEFINED ENV{UBSAN_OPTIONS})
  set(ENV{UBSAN_OPTIONS} "halt_on_error=1:print_stacktrace=1:symbolize=1")
endif()

set(_extra "")
if(DEFINED ENV{MAPIXX_FUZZ_OPTIONS})
  separate_arguments(_extra UNIX_COMMAND "$ENV{MAPIXX_FUZZ_OPTIONS}")
endif()

set(_log "${ARTIFACTS}/../${NAME}.log")
message(STATUS "fuzz ${NAME}: ${SECONDS} s, -max_len=${MAX_LEN}, corpus ${CORPUS}, log ${_log}")
execute_process(
  COMMAND "${FUZZER}"
    -max_total_time=${SECONDS}
    -max_len=${MAX_LEN}
    -dict=${DICT}
    -timeout=30
    -rss_limit_mb=2560
    -print_final_stats=1
    -artifact_prefix=${ARTIFACTS}/
    ${_extra}
    "${CORPUS}"
  RESULT_VARIABLE _rc
  OUTPUT_FILE "${_log}"
  ERROR_FILE "${_log}")
# The summary: the corpus when loaded, the last status line, the final statistics.
file(STRINGS "${_log}" _summary REGEX "INITED|DONE|stat::|ERROR|SUMMARY|invariant broken|Test unit written")
list(JOIN _summary "\n" _summary)
message("${_summary}")
if(NOT _rc EQUAL 0)
  file(READ "${_log}" _all)
  string(LENGTH "${_all}" _len)
  if(_len GREATER 20000)
    math(EXPR _from "${_len} - 20000")
    string(SUBSTRING "${_all}" ${_from} -1 _all)
  endif()
  message("---- end of ${_log} ----\n${_all}")
  file(GLOB _found "${ARTIFACTS}/*")
  message(FATAL_ERROR "fuzz ${NAME}: the fuzzer failed (${_rc}); inputs left: ${_found}\n"
                      "Reproduce with: ${FUZZER} <input>; then add a regression test "
                      "(tests/<layer>/regression_fuzz_*.cpp) and copy the input to "
                      "tests/fuzz/regressions/${NAME}/.")
endif()
