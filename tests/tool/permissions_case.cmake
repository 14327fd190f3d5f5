# SPDX-License-Identifier: MIT
#
# The tool warns about a profile store that group or others can read (profiles may hold
# credentials): each command that opens the store prints one warning per such file or
# directory on standard error, with the chmod that fixes it, and still does its work with
# exit status 0. Once the modes are private again, nothing is printed.
#   cmake -DTOOL=<mapixx> -DWORK=<empty work directory> -P permissions_case.cmake
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(store "${WORK}/store")

function(run expect_rc)
  execute_process(COMMAND "${TOOL}" --store "${store}" ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "${expect_rc}")
    message(FATAL_ERROR "mapixx ${ARGN}: exit status ${rc}, ${expect_rc} expected\n--- stdout ---\n${out}--- stderr ---\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

run(0 profile create Work)
if(NOT err STREQUAL "")
  message(FATAL_ERROR "a private store got warnings:\n${err}")
endif()

file(GLOB profile_files "${store}/*")
list(LENGTH profile_files count)
if(count EQUAL 0)
  message(FATAL_ERROR "the store has no files")
endif()
file(CHMOD "${store}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
list(GET profile_files 0 one)
file(CHMOD "${one}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

run(0 profile list)
if(NOT out MATCHES "Work")
  message(FATAL_ERROR "profile list did not list the profile:\n${out}")
endif()
foreach(want "warning: the directory has mode 0755" "Fix: chmod 700 ${store}" "warning: the file has mode 0644"
             "Fix: chmod 600 ${one}")
  string(FIND "${err}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "standard error lacks \"${want}\":\n${err}")
  endif()
endforeach()

file(CHMOD "${store}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
file(CHMOD "${one}" PERMISSIONS OWNER_READ OWNER_WRITE)
run(0 profile list)
if(NOT err STREQUAL "")
  message(FATAL_ERROR "warnings after the modes were fixed:\n${err}")
endif()
