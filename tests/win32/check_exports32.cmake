# SPDX-License-Identifier: MIT
#
# cmake -DOBJDUMP=<i686 objdump> -DEXE=<32-bit exe> -P check_exports32.cmake
# Fails unless EXE is a 32-bit PE file that exports XPProviderInit without a stdcall decoration
# (MAPI finds the entry point of a transport provider by that plain name; it is cdecl).
if(NOT EXISTS "${EXE}")
  message(FATAL_ERROR "${EXE} is missing: build the target mapixx_win32_tests_i686 first")
endif()
execute_process(COMMAND "${OBJDUMP}" -p "${EXE}" OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "objdump -p failed with ${rc}")
endif()
string(FIND "${out}" "file format pei-i386" is_i386)
if(is_i386 EQUAL -1)
  message(FATAL_ERROR "${EXE} is not a 32-bit PE file")
endif()
string(FIND "${out}" "XPProviderInit@" decorated)
if(NOT decorated EQUAL -1)
  message(FATAL_ERROR "XPProviderInit is exported with a stdcall decoration; MAPI looks it up as a cdecl name")
endif()
string(FIND "${out}" "] XPProviderInit\n" plain)
if(plain EQUAL -1)
  message(FATAL_ERROR "XPProviderInit is not in the export table of ${EXE}:\n${out}")
endif()
message("32-bit export table: XPProviderInit, undecorated")
