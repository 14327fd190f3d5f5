# SPDX-License-Identifier: MIT
# 'mapixx logon' and 'mapixx spool': included by CMakeLists.txt of this directory. The mail
# tests (mapixx_tool_mail_case) run on real files and count the message files the local
# transport wrote into each mailbox (mail_case.cmake).
function(mapixx_tool_mail_case name)
  cmake_parse_arguments(T "REPAIR" "RC;OUT;ERR;INBOX;QUARANTINED" "ARGS;PREPARE;USERS;COUNTS" ${ARGN})
  string(MD5 hash "${name}")
  string(SUBSTRING "${hash}" 0 8 hash)
  add_test(NAME "tool: ${name}"
    COMMAND ${CMAKE_COMMAND}
      "-DTOOL=$<TARGET_FILE:mapixx_tool>" "-DWORK=${CMAKE_CURRENT_BINARY_DIR}/work/mail_${hash}"
      "-DARGS=${T_ARGS}" "-DPREPARE=${T_PREPARE}" "-DRC=${T_RC}" "-DOUT=${T_OUT}" "-DERR=${T_ERR}"
      "-DUSERS=${T_USERS}" "-DCOUNTS=${T_COUNTS}" "-DINBOX=${T_INBOX}" "-DREPAIR=${T_REPAIR}"
      "-DQUARANTINED=${T_QUARANTINED}"
      -P ${CMAKE_CURRENT_SOURCE_DIR}/mail_case.cmake)
  set_tests_properties("tool: ${name}" PROPERTIES LABELS "tool")
endfunction()

# ---- logon --------------------------------------------------------------------------------------

mapixx_tool_case("logon --help" NO_STORE ARGS logon --help RC 0
  OUT "^usage: mapixx logon \\[--profile NAME\\] \\[--flags FLAGS\\] \\[--service\\] \\[--trace\\]\n.*Exit status: 0")
mapixx_tool_case("logon takes no arguments" ARGS logon Work RC 2 ERR "logon takes no arguments")
mapixx_tool_case("logon rejects an unknown option" ARGS logon --bogus RC 2 ERR "unknown option \"--bogus\"")
mapixx_tool_case("logon rejects unknown flag names with exit status 2"
  SETUP profile create Work --default-services ARGS logon --profile Work --flags frob RC 2 ERR "--flags: .*frob")
mapixx_tool_case("logon to a missing profile is a MAPI error"
  ARGS logon --profile nope RC 1 ERR "^mapixx: MAPI_E_[A-Z_]+ \\(0x8004[0-9A-F]+\\): [^\n]*nope")
mapixx_tool_case("logon prints the steps, the report and the status table with both providers"
  SETUP profile create Work --default-services
  ARGS logon --profile Work RC 0
  OUT "^initialise: 0 \\(client mode\\)[^\n]*\nlogon: profile \"Work\", flags MAPI_NEW_SESSION \\| MAPI_EXPLICIT_PROFILE \\| MAPI_EXTENDED\n\nresolution steps:\n  1\\. .*the spooler started with 1 transport.*\nlogon report:\n  profile \"Work\"\n  service MXXSTORE \\(mapixx Message Store\\): enabled\n    provider mapixx Message Store \\[mxxstore, MAPI_STORE_PROVIDER\\]: logged on\n  service MXXLOCAL \\(mapixx Local Delivery\\): enabled\n    provider mapixx Local Delivery \\[mxxlocal, MAPI_TRANSPORT_PROVIDER\\]: logged on\n\nstatus table:\n  ROW +TYPE .*MAPI_SPOOLER .*mapixx Message Store +mxxstore +STATUS_AVAILABLE +Available\n.*mapixx Local Delivery +mxxlocal +STATUS_AVAILABLE +Available\n\nlogged off\n$"
  FILE "@WORK@/store/mailbox/.Outbox/maildirfolder" FILE_REGEX "^$")
mapixx_tool_case("logon --service: service mode and MAPI_NO_MAIL, only the coupled transport runs"
  SETUP profile create Work --default-services
  ARGS logon --profile Work --service --trace RC 0
  OUT "initialise: MAPI_NT_SERVICE \\(service mode\\).*MAPI_NO_MAIL \\| MAPI_NT_SERVICE\n.*service mode: MAPI_NT_SERVICE and MAPI_NO_MAIL are set.*tightly coupled transport.*profile \"Work\", MAPI_NO_MAIL\n.*attempt 1: S_OK.*MAPI_SPOOLER +MAPI Spooler +mapixx +STATUS_FAILURE")
mapixx_tool_case("logon --flags takes names and the default profile"
  SETUP profile create Work --default-services && profile default Work
  ARGS logon --flags extended,new_session,use_default RC 0 OUT "logon report:\n  profile \"Work\"\n")
mapixx_tool_case("logon --service with client flags breaks rule 24"
  SETUP profile create Work --default-services
  ARGS logon --profile Work --service --flags extended,new_session,explicit_profile RC 1
  ERR "^mapixx: MAPI_E_INVALID_PARAMETER \\(0x80070057\\): [^\n]*MAPI_NT_SERVICE")

# ---- spool --------------------------------------------------------------------------------------

mapixx_tool_case("spool --help" NO_STORE ARGS spool --help RC 0
  OUT "^usage: mapixx spool \\[--profile NAME\\] \\[--service\\] \\[--flush\\] \\[--submit N\\]")
mapixx_tool_case("spool --submit needs a number" ARGS spool --submit many RC 2 ERR "--submit takes a number")
mapixx_tool_case("spool --to refuses a path" ARGS spool --to ../x RC 2 ERR "cannot be a local user name")
mapixx_tool_case("spool without a profile store profile is a MAPI error" ARGS spool --profile nope RC 1 ERR "^mapixx: MAPI_E_")

mapixx_tool_mail_case("spool --flush delivers every message to the local users' mailboxes"
  ARGS spool --profile Work --flush --submit 10 RC 0
  OUT "submitting 10 message\\(s\\) to alice,bob\nflushing the queues \\(upload and download\\)\n  progress: 1/10 sent\n.*  progress: 10/10 sent\n.*logon report:.*status table:.*mapixx Local Delivery.*delivered:\n.*  total: 10 delivered to local users, 10 message\\(s\\) sent, 0 non-delivery report\\(s\\), 0 received from the drop directory, 0 still queued.*logged off\n$"
  USERS alice bob COUNTS 5 5)
mapixx_tool_mail_case("spool --service: 100 messages through the tightly coupled transport"
  ARGS spool --profile Work --service --flush --submit 100 --to ann,ben,cy RC 0
  OUT "MAPI_NT_SERVICE.*progress: 100/100 sent\n.*total: 100 delivered to local users, 100 message\\(s\\) sent, 0 non-delivery"
  USERS ann ben cy COUNTS 34 33 33)
mapixx_tool_mail_case("spool without --flush runs the spooler's ready work"
  ARGS spool --profile Work --submit 4 --to solo RC 0 OUT "total: 4 delivered" USERS solo COUNTS 4)
mapixx_tool_mail_case("spool takes dropped files into the store's Inbox and quarantines a bad one"
  PREPARE drop:1-good baddrop:0-bad
  ARGS spool --profile Work --flush RC 0
  OUT "dropped file\\(s\\) set aside in quarantine.*1 received from the drop directory"
  INBOX 1 QUARANTINED 0-bad)
mapixx_tool_mail_case("spool keeps what it cannot deliver (exit status 1) and the next run delivers it"
  PREPARE damage:alice REPAIR
  ARGS spool --profile Work --flush --submit 6 RC 1
  ERR "^mapixx: MAPI_E_NETWORK_ERROR \\(0x80040115\\): 3 message\\(s\\) are still queued in the Outbox"
  USERS alice bob COUNTS 6 6)
