# SPDX-License-Identifier: MIT
#
# One ctest per public header and compiler: the header alone in a translation unit, compiled
# -fsyntax-only with -Wall -Wextra -Wpedantic -Werror. A header nobody includes cannot rot.
# Headers under win32/ are for Windows builds and are checked by the MinGW tests instead.
find_program(MAPIXX_GXX NAMES g++)
find_program(MAPIXX_CLANGXX NAMES clang++ clang++-14)
file(GLOB_RECURSE _mapixx_headers RELATIVE ${PROJECT_SOURCE_DIR}/include
     CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/mapixx/*.hpp)
list(FILTER _mapixx_headers EXCLUDE REGEX "^mapixx/win32/")

get_target_property(_gsl_inc Microsoft.GSL::GSL INTERFACE_INCLUDE_DIRECTORIES)
get_target_property(_rv3_inc range-v3::range-v3 INTERFACE_INCLUDE_DIRECTORIES)
set(_mapixx_inc_flags -I${PROJECT_SOURCE_DIR}/include)
foreach(d IN LISTS _gsl_inc _rv3_inc)
  # The compilers search /usr/include already; naming it again breaks #include_next.
  if(d AND NOT d STREQUAL "/usr/include" AND NOT d STREQUAL "/usr/local/include")
    list(APPEND _mapixx_inc_flags -isystem ${d})
  endif()
endforeach()

foreach(compiler_var IN ITEMS MAPIXX_GXX MAPIXX_CLANGXX)
  set(compiler ${${compiler_var}})
  if(NOT compiler)
    continue()
  endif()
  get_filename_component(cname ${compiler} NAME)
  foreach(h IN LISTS _mapixx_headers)
    add_test(NAME "header ${cname}: ${h}"
      COMMAND ${CMAKE_COMMAND}
        -DCOMPILER=${compiler} -DHEADER=${h}
        "-DFLAGS=-std=c++20;-Wall;-Wextra;-Wpedantic;-Werror;-pthread;${_mapixx_inc_flags}"
        -P ${PROJECT_SOURCE_DIR}/cmake/check_header.cmake)
    set_tests_properties("header ${cname}: ${h}" PROPERTIES LABELS "headers")
  endforeach()
endforeach()
