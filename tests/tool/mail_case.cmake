# SPDX-License-Identifier: MIT
# One test of 'mapixx logon' or 'mapixx spool', run with `cmake -P`, on real files: a profile
# store in WORK/store (the mailboxes, the drop directory and the store's Maildir go beside it, as
# the bundled MAPISVC.INF says), made with 'profile create Work --default-services' first.
#
#   TOOL      the mapixx executable
#   WORK      the work directory (deleted and created again)
#   PREPARE   what to do to the files before the command, any of:
#               damage:USER  make USER's mailbox unwritable (its tmp/ is a file)
#               drop:NAME    put a message file NAME into the drop directory
#               baddrop:NAME put a file NAME that is not a message into the drop directory
#   ARGS      the command (after --store WORK/store); run twice with REPEAT
#   RC, OUT, ERR  its expected exit status and regular expressions for its outputs
#   REJECT    a regular expression that neither output of the (first) run may match
#   JSON      checks of the standard output of the (first) run, which must be one JSON object
#             (json_check.cmake); with JSON, the counts below are compared with its "users"
#             and "totals" instead of the text's "delivered:" table
#   USERS     local users whose Inbox files are counted; COUNTS: the expected number for each.
#             The "delivered:" table of the output must show the same numbers; with JSON,
#             users/N/inbox_files must, and totals/delivered must be the sum of
#             users/N/delivered.
#   INBOX     the expected number of message files in the store's own Inbox (WORK/store/mailbox)
#   REPAIR    if set, the damage is undone and ARGS run again, which must exit with status 0
#             before the files are counted
#   QUARANTINED  a file name that must be in the drop directory's quarantine/ with NAME.error
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/json_check.cmake)

set(problems "")
macro(problem text)
  string(APPEND problems "${text}\n")
endmacro()

if(JSON AND REPAIR)
  message(FATAL_ERROR "JSON and REPAIR do not go together: the counts would mix two runs")
endif()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(store "${WORK}/store")

execute_process(COMMAND "${TOOL}" --store "${store}" profile create Work --default-services
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "profile create failed (${rc}):\n${out}${err}")
endif()

set(message_text "From: Carol <carol@example.org>\nTo: Work <work@example.org>\nSubject: dropped by the test\nMessage-ID: <tool-drop@example.org>\n\nhello\n")
foreach(p IN LISTS PREPARE)
  string(REPLACE ":" ";" parts "${p}")
  list(GET parts 0 what)
  list(GET parts 1 arg)
  if(what STREQUAL "damage")
    file(MAKE_DIRECTORY "${store}/users/${arg}")
    file(WRITE "${store}/users/${arg}/tmp" "in the way\n")
  elseif(what STREQUAL "drop")
    file(WRITE "${store}/drop/new/${arg}" "${message_text}")
  elseif(what STREQUAL "baddrop")
    file(WRITE "${store}/drop/new/${arg}" "")
  endif()
endforeach()

execute_process(COMMAND "${TOOL}" --store "${store}" ${ARGS}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "${RC}")
  problem("exit status ${rc}, expected ${RC}")
endif()
if(OUT AND NOT out MATCHES "${OUT}")
  problem("standard output does not match: ${OUT}")
endif()
if(ERR AND NOT err MATCHES "${ERR}")
  problem("standard error does not match: ${ERR}")
endif()
if(REJECT AND ("${out}" MATCHES "${REJECT}" OR "${err}" MATCHES "${REJECT}"))
  problem("the output matches what it must not: ${REJECT}")
endif()
if(JSON)
  mapixx_json_checks("${out}" "${JSON}" json_problems)
  string(APPEND problems "${json_problems}")
endif()
set(first_out "${out}")

if(REPAIR)
  foreach(p IN LISTS PREPARE)
    string(REPLACE ":" ";" parts "${p}")
    list(GET parts 0 what)
    list(GET parts 1 arg)
    if(what STREQUAL "damage")
      file(REMOVE "${store}/users/${arg}/tmp")
    endif()
  endforeach()
  execute_process(COMMAND "${TOOL}" --store "${store}" ${ARGS}
                  RESULT_VARIABLE rc2 OUTPUT_VARIABLE out ERROR_VARIABLE err2)
  if(NOT rc2 STREQUAL "0")
    problem("the run after the repair exited with status ${rc2}:\n${err2}")
  endif()
  string(APPEND err "${err2}")
endif()

function(count_files dir var)
  file(GLOB in_new LIST_DIRECTORIES false "${dir}/new/*")
  file(GLOB in_cur LIST_DIRECTORIES false "${dir}/cur/*")
  list(LENGTH in_new a)
  list(LENGTH in_cur b)
  math(EXPR n "${a} + ${b}")
  set(${var} ${n} PARENT_SCOPE)
endfunction()

set(i 0)
set(delivered_sum 0)
foreach(user IN LISTS USERS)
  list(GET COUNTS ${i} expected)
  count_files("${store}/users/${user}" n)
  if(NOT n EQUAL expected)
    problem("${user}'s Inbox holds ${n} message files, expected ${expected}")
  endif()
  if(JSON)
    # users/i: {"user", "delivered", "inbox_files", "mailbox"}, in --to order.
    string(JSON shown_user ERROR_VARIABLE e1 GET "${first_out}" users ${i} user)
    string(JSON shown_files ERROR_VARIABLE e2 GET "${first_out}" users ${i} inbox_files)
    string(JSON shown_delivered ERROR_VARIABLE e3 GET "${first_out}" users ${i} delivered)
    string(JSON shown_mailbox ERROR_VARIABLE e4 GET "${first_out}" users ${i} mailbox)
    if(e1 OR e2 OR e3 OR e4)
      problem("JSON users/${i} lacks a member: ${e1}${e2}${e3}${e4}")
    else()
      if(NOT shown_user STREQUAL user OR NOT shown_files EQUAL n OR NOT shown_mailbox MATCHES "/users/${user}$")
        problem("JSON users/${i} is ${shown_user} with ${shown_files} Inbox files in ${shown_mailbox}, expected ${user} with ${n}")
      endif()
      math(EXPR delivered_sum "${delivered_sum} + ${shown_delivered}")
    endif()
  elseif(NOT out MATCHES "\n  ${user} +[0-9]+ +${n} +[^\n]*/users/${user}\n")
    # The delivered table: USER  DELIVERED  INBOX FILES  MAILBOX
    problem("the delivered table does not show ${n} Inbox files for ${user}")
  endif()
  math(EXPR i "${i} + 1")
endforeach()
if(JSON AND USERS)
  string(JSON shown_total ERROR_VARIABLE e GET "${first_out}" totals delivered)
  if(e OR NOT shown_total EQUAL delivered_sum)
    problem("JSON totals/delivered is \"${shown_total}\", expected the sum of users/N/delivered, ${delivered_sum} ${e}")
  endif()
endif()

if(NOT "${INBOX}" STREQUAL "")
  count_files("${store}/mailbox" n)
  if(NOT n EQUAL INBOX)
    problem("the store's own Inbox holds ${n} message files, expected ${INBOX}")
  endif()
endif()

if(QUARANTINED)
  if(NOT EXISTS "${store}/drop/quarantine/${QUARANTINED}" OR NOT EXISTS "${store}/drop/quarantine/${QUARANTINED}.error")
    problem("${QUARANTINED} is not in the drop directory's quarantine with its .error file")
  else()
    file(READ "${store}/drop/quarantine/${QUARANTINED}.error" why)
    if(NOT why MATCHES "is not a message")
      problem("${QUARANTINED}.error does not say why: ${why}")
    endif()
  endif()
endif()

if(problems)
  message(FATAL_ERROR "${problems}--- command: mapixx --store ${store} ${ARGS}\n--- stdout ---\n${out}--- stderr ---\n${err}")
endif()
