# SPDX-License-Identifier: MIT
# 'mapixx logon' and 'mapixx spool': included by CMakeLists.txt of this directory. The mail
# tests (mapixx_tool_mail_case) run on real files and count the message files the local
# transport wrote into each mailbox (mail_case.cmake).
function(mapixx_tool_mail_case name)
  cmake_parse_arguments(T "REPAIR" "RC;OUT;ERR;REJECT;INBOX;QUARANTINED" "ARGS;PREPARE;USERS;COUNTS;JSON" ${ARGN})
  string(MD5 hash "${name}")
  string(SUBSTRING "${hash}" 0 8 hash)
  add_test(NAME "tool: ${name}"
    COMMAND ${CMAKE_COMMAND}
      "-DTOOL=$<TARGET_FILE:mapixx_tool>" "-DWORK=${CMAKE_CURRENT_BINARY_DIR}/work/mail_${hash}"
      "-DARGS=${T_ARGS}" "-DPREPARE=${T_PREPARE}" "-DRC=${T_RC}" "-DOUT=${T_OUT}" "-DERR=${T_ERR}"
      "-DUSERS=${T_USERS}" "-DCOUNTS=${T_COUNTS}" "-DINBOX=${T_INBOX}" "-DREPAIR=${T_REPAIR}"
      "-DQUARANTINED=${T_QUARANTINED}" "-DREJECT=${T_REJECT}" "-DJSON=${T_JSON}"
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

# ---- logon --json and spool --json --------------------------------------------------------------

mapixx_tool_case("logon --json: the request, the steps, the report, the status table and the outcome"
  SETUP profile create Work --default-services
  ARGS logon --profile Work --json RC 0 ERR "^$" REJECT "resolution steps:|logged off\n"
  JSON "store~=/store$" "mode==client" "init_flags/value==0x00000000" "init_flags/names#=0" "profile==Work"
       "flags/value==0x00000032" "flags/names#=3" "flags/names/0==MAPI_NEW_SESSION" "flags/names/2==MAPI_EXTENDED"
       "steps#=7" "steps/1~=^the profile name \"Work\" was given$" "steps/5~=the spooler started with 1 transport"
       "report/profile==Work" "report/flags/value==0x00000032" "report/no_mail==OFF" "report/shared==OFF"
       "report/services#=2"
       "report/services/0/name==MXXSTORE" "report/services/0/disabled==OFF" "report/services/0/uid~=^${UID}$"
       "report/services/0/code/name==S_OK" "report/services/0/code/value==0x00000000"
       "report/services/0/providers#=1" "report/services/0/providers/0/type==MAPI_STORE_PROVIDER"
       "report/services/0/providers/0/dll_name==mxxstore" "report/services/0/providers/0/outcome==logged_on"
       "report/services/0/providers/0/attempts#=1" "report/services/0/providers/0/attempts/0/number==1"
       "report/services/0/providers/0/attempts/0/code/name==S_OK"
       "report/services/1/name==MXXLOCAL" "report/services/1/providers/0/type==MAPI_TRANSPORT_PROVIDER"
       "report/services/1/providers/0/outcome==logged_on"
       "status_table#=5" "status_table/0/row==0" "status_table/0/type==MAPI_SUBSYSTEM"
       "status_table/1/type==MAPI_SPOOLER" "status_table/1/status/names/0==STATUS_AVAILABLE"
       "status_table/3/display_name==mapixx Message Store" "status_table/3/status_string==Available"
       "status_table/4/type==MAPI_TRANSPORT_PROVIDER" "status_table/4/dll_name==mxxlocal"
       "status_table/4/status/value==0x00000001" "status_table/4/status/names/0==STATUS_AVAILABLE"
       "outcome/exit_status==0" "outcome/logged_off==ON" "outcome/error:=NULL")
mapixx_tool_case("logon --service --json: service mode, MAPI_NO_MAIL, no transport row"
  SETUP profile create Work --default-services && profile default Work
  ARGS --json logon --service RC 0
  JSON "mode==service" "init_flags/value==0x00010000" "init_flags/names/0==MAPI_NT_SERVICE" "profile:=NULL"
       "flags/value==0x00018062" "flags/names#=5" "flags/names/2==MAPI_USE_DEFAULT" "flags/names/3==MAPI_NO_MAIL"
       "report/profile==Work" "report/no_mail==ON" "report/services/1/providers/0/outcome==logged_on"
       "status_table#=4" "status_table/1/type==MAPI_SPOOLER" "status_table/1/status/names/0==STATUS_FAILURE"
       "status_table/1/status_string~=MAPI_NO_MAIL" "status_table/3/type==MAPI_STORE_PROVIDER"
       "outcome/exit_status==0")
mapixx_tool_case("logon --json --flags: the flags used are the ones given"
  SETUP profile create Work --default-services
  ARGS logon --profile Work --flags "MAPI_EXTENDED|MAPI_EXPLICIT_PROFILE" --json RC 0
  JSON "flags/value==0x00000030" "flags/names#=2" "report/flags/value==0x00000030" "steps/0!=MAPI_NEW_SESSION: a new session is made, even if a shared one exists (rule 10)")
mapixx_tool_case("logon --json never shows a secure property"
  SETUP profile create Work --default-services && service add Work MXXSMTP
        && service configure Work MXXSMTP 6600001E=127.0.0.1 66010003=+1 6602001E=alice 67F0001E=hunter2
  ARGS logon --profile Work --json RC 0 REJECT "hunter2"
  JSON "report/services#=3" "outcome/exit_status==0")
mapixx_tool_case("logon --json to a missing profile: the error on standard error, nothing on standard output"
  ARGS logon --profile nope --json RC 1 OUT "^$"
  ERR "^mapixx: MAPI_E_LOGON_FAILED \\(0x80040111\\): there is no profile called \"nope\"[^\n]*\n$")
mapixx_tool_case("logon --json with a flag set that breaks a rule is a MAPI error"
  SETUP profile create Work --default-services
  ARGS --json logon --profile Work --service --flags extended,new_session,explicit_profile RC 1 OUT "^$"
  ERR "^mapixx: MAPI_E_INVALID_PARAMETER \\(0x80070057\\): [^\n]*MAPI_NT_SERVICE")
mapixx_tool_case("logon --json with unknown flag names is bad usage"
  SETUP profile create Work --default-services
  ARGS logon --profile Work --flags frob --json RC 2 OUT "^$" ERR "--flags: .*frob")
mapixx_tool_case("logon --json takes no value" ARGS logon --json=yes RC 2 OUT "^$" ERR "option --json takes no value")
mapixx_tool_case("logon --help mentions --json" NO_STORE ARGS logon --help RC 0 OUT "With --json, prints one object")

mapixx_tool_mail_case("spool --json: no progress, one object with the counts of the run"
  ARGS spool --profile Work --flush --submit 3 --json RC 0 ERR "^$"
  REJECT "progress|sending|submitting|flushing|delivered:|logged off\n"
  JSON "mode==client" "profile==Work" "flags/value==0x00000032" "report/services#=2" "status_table#=5"
       "submitted==3" "flushed==ON" "to#=2" "to/0==alice" "to/1==bob"
       "users#=2" "users/0/user==alice" "users/0/delivered==2" "users/0/inbox_files==2"
       "users/1/user==bob" "users/1/delivered==1" "users/1/inbox_files==1"
       "totals/delivered==3" "totals/sent==3" "totals/non_delivery_reports==0" "totals/received==0"
       "totals/still_queued==0" "totals/set_aside==0" "totals/requeued==0" "elapsed_ms:=NUMBER"
       "outcome/exit_status==0" "outcome/logged_off==ON" "outcome/error:=NULL"
  USERS alice bob COUNTS 2 1)
mapixx_tool_mail_case("spool --json --service without --flush: the spooler's ready work, counted"
  ARGS --json spool --profile Work --service --submit 5 --to ann,ben RC 0
  JSON "mode==service" "flags/value==0x00018032" "report/no_mail==ON" "status_table#=4" "flushed==OFF"
       "submitted==5" "users/0/delivered==3" "users/1/delivered==2" "totals/delivered==5" "totals/sent==5"
       "totals/still_queued==0"
  USERS ann ben COUNTS 3 2)
mapixx_tool_mail_case("spool --json counts the files taken in from the drop directory"
  PREPARE drop:1-good baddrop:0-bad
  ARGS spool --profile Work --flush --json RC 0
  JSON "submitted==0" "totals/received==1" "totals/sent==0" "totals/delivered==0"
       "status_table/4/type==MAPI_TRANSPORT_PROVIDER" "status_table/4/status_string~=1 dropped file\\(s\\) set aside in quarantine"
  INBOX 1 QUARANTINED 0-bad)
mapixx_tool_mail_case("spool --json with undelivered messages: the object, exit status 1, the error in its outcome"
  PREPARE damage:alice
  ARGS spool --profile Work --flush --submit 6 --json RC 1
  ERR "^mapixx: MAPI_E_NETWORK_ERROR \\(0x80040115\\): 3 message\\(s\\) are still queued in the Outbox"
  JSON "submitted==6" "users/0/user==alice" "users/0/delivered==0" "users/1/delivered==3"
       "totals/delivered==3" "totals/sent==3" "totals/still_queued==3" "totals/requeued~=^[1-9]"
       "status_table/4/status_string~=alice"
       "outcome/exit_status==1" "outcome/logged_off==ON" "outcome/error/name==MAPI_E_NETWORK_ERROR"
       "outcome/error/value==0x80040115" "outcome/error/message~=^3 message\\(s\\) are still queued in the Outbox"
  USERS alice bob COUNTS 0 3)
mapixx_tool_case("spool --json never shows a secure property"
  SETUP profile create Work --default-services && service add Work MXXSMTP
        && service configure Work MXXSMTP 6600001E=127.0.0.1 66010003=+1 6602001E=alice 67F0001E=hunter2
  ARGS spool --profile Work --submit 2 --json RC 0 REJECT "hunter2"
  JSON "report/services#=3" "totals/delivered==2" "outcome/exit_status==0")
mapixx_tool_case("spool --json of a missing profile: the error on standard error, nothing on standard output"
  ARGS spool --profile nope --submit 2 --json RC 1 OUT "^$" ERR "^mapixx: MAPI_E_LOGON_FAILED \\(0x80040111\\)")
mapixx_tool_case("spool --json --submit needs a number" ARGS spool --json --submit many RC 2 OUT "^$" ERR "--submit takes a number")
mapixx_tool_case("spool --help mentions --json and --trace" NO_STORE ARGS spool --help RC 0
  OUT "^usage: mapixx spool [^\n]*\\[--trace\\]\n.*With --json, prints no progress")
