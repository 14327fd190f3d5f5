# SPDX-License-Identifier: MIT
# One consumer test (tests/consumer/CMakeLists.txt), run with `cmake -P`. MODE is one of:
#   install           configure mapixx from SOURCE_DIR in WORK/build (library and tool only),
#                     build it, `cmake --install` it into PREFIX, check what was installed and
#                     run the installed tool; install it again elsewhere to check that the tool
#                     still finds its MAPISVC.INF
#   find_package      configure, build and run APP_DIR with find_package(mapixx) against PREFIX
#   add_subdirectory  the same with add_subdirectory(SOURCE_DIR mapixx)
#   pkg-config        compile APP_DIR/main.cpp with the flags `pkg-config --cflags mapixx` gives
#                     for PREFIX, and run it
# Every mode works in its own directory WORK, which it empties first; only `install` writes
# PREFIX (the other modes need it: a ctest fixture orders them).
#
# Also: GENERATOR, MAKE_PROGRAM, CXX (the compiler), DEPS (-D options that find mapixx's
# dependencies), PKG_CONFIG, VERSION (mapixx's), APP_REGEX (what the program must print).
cmake_minimum_required(VERSION 3.20)

# Runs a command; fails the test with its output unless it exits with 0. The output is left in
# `run_output`.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "0")
    string(REPLACE ";" " " shown "${ARGN}")
    message(FATAL_ERROR "${what} failed (exit status ${rc}): ${shown}\n--- stdout ---\n${out}--- stderr ---\n${err}")
  endif()
  set(run_output "${out}${err}" PARENT_SCOPE)
endfunction()

function(expect what text regex)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what} does not match ${regex}:\n${text}")
  endif()
endfunction()

set(generator -G "${GENERATOR}")
if(MAKE_PROGRAM)
  list(APPEND generator "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
set(configure_common ${generator} "-DCMAKE_CXX_COMPILER=${CXX}" ${DEPS})
string(REPLACE "." "\\." version_regex "${VERSION}")

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  run("configuring mapixx" ${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK}/build" ${configure_common}
      "-DCMAKE_INSTALL_PREFIX=${PREFIX}" -DMAPIXX_BUILD_TESTS=OFF -DMAPIXX_BUILD_EXAMPLES=OFF
      -DMAPIXX_BUILD_TOOLS=ON -DMAPIXX_BUILD_BENCHMARKS=OFF)
  run("building mapixx" ${CMAKE_COMMAND} --build "${WORK}/build")
  run("installing mapixx" ${CMAKE_COMMAND} --install "${WORK}/build")
  foreach(f IN ITEMS include/mapixx/mapixx.hpp include/mapixx/version.hpp
                     include/mapixx/profile/profile_admin.hpp include/mapixx/profile/detail/atomic_file.hpp
                     share/cmake/mapixx/mapixx-config.cmake share/cmake/mapixx/mapixx-config-version.cmake
                     share/cmake/mapixx/mapixx-targets.cmake share/pkgconfig/mapixx.pc
                     bin/mapixx share/mapixx/mapisvc.inf)
    if(NOT EXISTS "${PREFIX}/${f}")
      message(FATAL_ERROR "the install has no ${f} (prefix ${PREFIX})")
    endif()
  endforeach()
  file(READ "${PREFIX}/share/pkgconfig/mapixx.pc" pc)
  # The prefix is relative to the .pc file, so a moved install keeps working.
  expect("mapixx.pc" "${pc}" "\nprefix=\\\${pcfiledir}/\\.\\./\\.\\.\n.*Version: ${version_regex}\n")
  run("the installed tool" "${PREFIX}/bin/mapixx" --version)
  expect("mapixx --version" "${run_output}" "^mapixx ${version_regex}\n$")
  run("the installed tool" "${PREFIX}/bin/mapixx" --store "${WORK}/store" profile create Consumer --default-services)
  expect("mapixx profile create" "${run_output}" "with 2 message services:\n  MXXSTORE  [0-9a-f]+\n  MXXLOCAL")
  # Installed somewhere else, the tool finds its MAPISVC.INF beside itself, not at PREFIX.
  run("installing mapixx again" ${CMAKE_COMMAND} --install "${WORK}/build" --prefix "${WORK}/moved")
  run("the moved tool" "${WORK}/moved/bin/mapixx" --help)
  expect("mapixx --help" "${run_output}" "bundled MAPISVC.INF is ${WORK}/moved/share/mapixx/mapisvc.inf\\.")
  message(STATUS "mapixx ${VERSION} installed into ${PREFIX}")

elseif(MODE STREQUAL "find_package" OR MODE STREQUAL "add_subdirectory")
  if(MODE STREQUAL "find_package")
    set(how "-DCMAKE_PREFIX_PATH=${PREFIX}")
    set(configured "consumer: mapixx ${version_regex} from ${PREFIX}/share/cmake/mapixx\n")
  else()
    set(how "-DMAPIXX_SOURCE_DIR=${SOURCE_DIR}")
    set(configured "consumer: mapixx from the subdirectory ")
  endif()
  run("configuring the consumer" ${CMAKE_COMMAND} -S "${APP_DIR}" -B "${WORK}/build" ${configure_common}
      "-DMAPIXX_CONSUMER_MODE=${MODE}" "${how}")
  expect("the consumer's configure output" "${run_output}" "${configured}")
  run("building the consumer" ${CMAKE_COMMAND} --build "${WORK}/build")
  run("the consumer" "${WORK}/build/bin/consumer")
  expect("the consumer's output" "${run_output}" "${APP_REGEX}")
  message(STATUS "${run_output}")

elseif(MODE STREQUAL "pkg-config")
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/share/pkgconfig")
  run("pkg-config --modversion" "${PKG_CONFIG}" --modversion mapixx)
  expect("pkg-config --modversion mapixx" "${run_output}" "^${version_regex}\n$")
  run("pkg-config --cflags" "${PKG_CONFIG}" --cflags mapixx)
  # The include directory is given relative to the .pc file's own directory.
  expect("pkg-config --cflags mapixx" "${run_output}" "-I${PREFIX}/share/pkgconfig/\\.\\./\\.\\./include( |\n).*-std=c\\+\\+20")
  string(STRIP "${run_output}" cflags)
  separate_arguments(cflags UNIX_COMMAND "${cflags}")
  run("compiling the consumer" "${CXX}" ${cflags} "${APP_DIR}/main.cpp" -o "${WORK}/consumer")
  run("the consumer" "${WORK}/consumer")
  expect("the consumer's output" "${run_output}" "${APP_REGEX}")
  message(STATUS "${run_output}")

else()
  message(FATAL_ERROR "MODE is \"${MODE}\"")
endif()
