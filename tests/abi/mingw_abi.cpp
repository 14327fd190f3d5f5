// SPDX-License-Identifier: MIT
//
// The ABI test: every number mapixx hard-codes equals the macro of the Windows SDK, as the
// MinGW-w64 headers define it. Compiled (never run) by x86_64-w64-mingw32-g++ -fsyntax-only
// -Wall -Wextra -Werror, once without and once with -DUNICODE -D_UNICODE; every check is a
// static_assert, so a wrong value fails the compilation and the ctest.
//
// Names MinGW lacks (MAPI-REFERENCE section 9: MAPI_NO_COINIT, MAPI_BG_SESSION, MAPI_APP_PROFILE,
// MAPI_FORCE_ACCESS; and PR_INTERNET_MESSAGE_ID, which MinGW's mapitags.h does not have) are
// checked against numbers typed from the reference, and against the SDK too if a future MinGW
// defines them (#ifdef).
//
// Completeness: each list below is checked against the mapixx tables (all_scodes(),
// flag_traits<E>::names, known_prop_tags()) and, for the value enums, by a switch without a
// default that -Wswitch (-Wall -Werror) rejects when an enumerator has no case.
// Order matters: mapihook.h uses LPMAPISESSION from mapix.h, and windows.h comes first.
// clang-format off
#include <windows.h>
#include <mapix.h>
#include <mapidefs.h>
#include <mapicode.h>
#include <mapispi.h>
#include <mapitags.h>
#include <mapihook.h>
// clang-format on

#include <mapixx/core/core.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>
#include <type_traits>

namespace mapixx_abi {

using namespace mapixx;

template <class T>
constexpr std::uint32_t sdk(T v) {
    return static_cast<std::uint32_t>(v);
}
template <class E>
    requires std::is_enum_v<E>
constexpr std::uint32_t mx(E v) {
    return static_cast<std::uint32_t>(v);
}

template <class E, std::size_t N>
constexpr bool distinct(const E (&list)[N]) {
    for (std::size_t i = 0; i < N; ++i) {
        for (std::size_t j = i + 1; j < N; ++j) {
            if (list[i] == list[j]) return false;
        }
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// scode: value, SDK name, and severity (HR_FAILED) of every code, against mapicode.h.

#define MAPIXX_ABI_SCODES(X)                                                                       \
    X(success, S_OK)                                                                                \
    X(call_failed, MAPI_E_CALL_FAILED)                                                              \
    X(not_enough_memory, MAPI_E_NOT_ENOUGH_MEMORY)                                                  \
    X(invalid_parameter, MAPI_E_INVALID_PARAMETER)                                                  \
    X(interface_not_supported, MAPI_E_INTERFACE_NOT_SUPPORTED)                                      \
    X(no_access, MAPI_E_NO_ACCESS)                                                                  \
    X(no_support, MAPI_E_NO_SUPPORT)                                                                \
    X(bad_charwidth, MAPI_E_BAD_CHARWIDTH)                                                          \
    X(string_too_long, MAPI_E_STRING_TOO_LONG)                                                      \
    X(unknown_flags, MAPI_E_UNKNOWN_FLAGS)                                                          \
    X(invalid_entryid, MAPI_E_INVALID_ENTRYID)                                                      \
    X(invalid_object, MAPI_E_INVALID_OBJECT)                                                        \
    X(object_changed, MAPI_E_OBJECT_CHANGED)                                                        \
    X(object_deleted, MAPI_E_OBJECT_DELETED)                                                        \
    X(busy, MAPI_E_BUSY)                                                                            \
    X(not_enough_disk, MAPI_E_NOT_ENOUGH_DISK)                                                      \
    X(not_enough_resources, MAPI_E_NOT_ENOUGH_RESOURCES)                                            \
    X(not_found, MAPI_E_NOT_FOUND)                                                                  \
    X(version, MAPI_E_VERSION)                                                                      \
    X(logon_failed, MAPI_E_LOGON_FAILED)                                                            \
    X(session_limit, MAPI_E_SESSION_LIMIT)                                                          \
    X(user_cancel, MAPI_E_USER_CANCEL)                                                              \
    X(unable_to_abort, MAPI_E_UNABLE_TO_ABORT)                                                      \
    X(network_error, MAPI_E_NETWORK_ERROR)                                                          \
    X(disk_error, MAPI_E_DISK_ERROR)                                                                \
    X(too_complex, MAPI_E_TOO_COMPLEX)                                                              \
    X(bad_column, MAPI_E_BAD_COLUMN)                                                                \
    X(extended_error, MAPI_E_EXTENDED_ERROR)                                                        \
    X(computed, MAPI_E_COMPUTED)                                                                    \
    X(corrupt_data, MAPI_E_CORRUPT_DATA)                                                            \
    X(unconfigured, MAPI_E_UNCONFIGURED)                                                            \
    X(failoneprovider, MAPI_E_FAILONEPROVIDER)                                                      \
    X(unknown_cpid, MAPI_E_UNKNOWN_CPID)                                                            \
    X(unknown_lcid, MAPI_E_UNKNOWN_LCID)                                                            \
    X(password_change_required, MAPI_E_PASSWORD_CHANGE_REQUIRED)                                    \
    X(password_expired, MAPI_E_PASSWORD_EXPIRED)                                                    \
    X(invalid_workstation_account, MAPI_E_INVALID_WORKSTATION_ACCOUNT)                              \
    X(invalid_access_time, MAPI_E_INVALID_ACCESS_TIME)                                              \
    X(account_disabled, MAPI_E_ACCOUNT_DISABLED)                                                    \
    X(end_of_session, MAPI_E_END_OF_SESSION)                                                        \
    X(unknown_entryid, MAPI_E_UNKNOWN_ENTRYID)                                                      \
    X(missing_required_column, MAPI_E_MISSING_REQUIRED_COLUMN)                                      \
    X(w_no_service, MAPI_W_NO_SERVICE)                                                              \
    X(bad_value, MAPI_E_BAD_VALUE)                                                                  \
    X(invalid_type, MAPI_E_INVALID_TYPE)                                                            \
    X(type_no_support, MAPI_E_TYPE_NO_SUPPORT)                                                      \
    X(unexpected_type, MAPI_E_UNEXPECTED_TYPE)                                                      \
    X(too_big, MAPI_E_TOO_BIG)                                                                      \
    X(decline_copy, MAPI_E_DECLINE_COPY)                                                            \
    X(unexpected_id, MAPI_E_UNEXPECTED_ID)                                                          \
    X(w_errors_returned, MAPI_W_ERRORS_RETURNED)                                                    \
    X(unable_to_complete, MAPI_E_UNABLE_TO_COMPLETE)                                                \
    X(timeout, MAPI_E_TIMEOUT)                                                                      \
    X(table_empty, MAPI_E_TABLE_EMPTY)                                                              \
    X(table_too_big, MAPI_E_TABLE_TOO_BIG)                                                          \
    X(invalid_bookmark, MAPI_E_INVALID_BOOKMARK)                                                    \
    X(w_position_changed, MAPI_W_POSITION_CHANGED)                                                  \
    X(w_approx_count, MAPI_W_APPROX_COUNT)                                                          \
    X(wait, MAPI_E_WAIT)                                                                            \
    X(cancel, MAPI_E_CANCEL)                                                                        \
    X(not_me, MAPI_E_NOT_ME)                                                                        \
    X(w_cancel_message, MAPI_W_CANCEL_MESSAGE)                                                      \
    X(corrupt_store, MAPI_E_CORRUPT_STORE)                                                          \
    X(not_in_queue, MAPI_E_NOT_IN_QUEUE)                                                            \
    X(no_suppress, MAPI_E_NO_SUPPRESS)                                                              \
    X(collision, MAPI_E_COLLISION)                                                                  \
    X(not_initialized, MAPI_E_NOT_INITIALIZED)                                                      \
    X(non_standard, MAPI_E_NON_STANDARD)                                                            \
    X(no_recipients, MAPI_E_NO_RECIPIENTS)                                                          \
    X(submitted, MAPI_E_SUBMITTED)                                                                  \
    X(has_folders, MAPI_E_HAS_FOLDERS)                                                              \
    X(has_messages, MAPI_E_HAS_MESSAGES)                                                            \
    X(folder_cycle, MAPI_E_FOLDER_CYCLE)                                                            \
    X(w_partial_completion, MAPI_W_PARTIAL_COMPLETION)                                              \
    X(ambiguous_recip, MAPI_E_AMBIGUOUS_RECIP)

#define MAPIXX_ABI_CHECK_SCODE(e, M)                                                               \
    static_assert(mx(scode::e) == sdk(M), "scode::" #e " differs from " #M);                        \
    static_assert(scode_name(scode::e) == std::string_view(#M), "the table name of scode::" #e     \
                                                                " is not " #M);                    \
    static_assert(failed(scode::e) == HR_FAILED(M), "failed(scode::" #e ") differs from HR_FAILED(" #M ")");
MAPIXX_ABI_SCODES(MAPIXX_ABI_CHECK_SCODE)

#define MAPIXX_ABI_LIST_SCODE(e, M) scode::e,
constexpr scode checked_scodes[] = {MAPIXX_ABI_SCODES(MAPIXX_ABI_LIST_SCODE)};
static_assert(std::size(checked_scodes) == all_scodes().size(), "every code of the scode table is checked");
static_assert(distinct(checked_scodes), "no code is listed twice");

// The COM aliases and the other names of success.
static_assert(mx(scode::call_failed) == sdk(E_FAIL));
static_assert(mx(scode::not_enough_memory) == sdk(E_OUTOFMEMORY));
static_assert(mx(scode::invalid_parameter) == sdk(E_INVALIDARG));
static_assert(mx(scode::interface_not_supported) == sdk(E_NOINTERFACE));
static_assert(mx(scode::no_access) == sdk(E_ACCESSDENIED));
static_assert(mx(scode::success) == sdk(SUCCESS_SUCCESS));
static_assert(mx(scode::success) == sdk(hrSuccess));
static_assert(mx(scode::success) == sdk(S_OK));
// MAKE_MAPI_E / MAKE_MAPI_S.
static_assert(mx(make_mapi_e(0x112)) == sdk(MAKE_MAPI_E(0x112)));
static_assert(mx(make_mapi_e(0x605)) == sdk(MAKE_MAPI_E(0x605)));
static_assert(mx(make_mapi_s(0x580)) == sdk(MAKE_MAPI_S(0x580)));
static_assert(mx(make_mapi_s(0x203)) == sdk(MAKE_MAPI_S(0x203)));
// Warnings are not failures for the SDK either.
static_assert(HR_SUCCEEDED(MAPI_W_CANCEL_MESSAGE) && succeeded(scode::w_cancel_message));

// ---------------------------------------------------------------------------------------------
// Flag families: value and SDK name of every enumerator, and the list covers the family.

#define MAPIXX_ABI_CHECK_FLAG(E, e, M)                                                             \
    static_assert(mx(E::e) == sdk(M), #E "::" #e " differs from " #M);                              \
    static_assert(sdk_name(E::e) == std::string_view(#M), "the SDK name of " #E "::" #e " is not " #M);
#define MAPIXX_ABI_LIST_FLAG(E, e, M) E::e,

template <class E, std::size_t N>
constexpr bool covers_family(const E (&list)[N]) {
    if (N != flag_traits<E>::names.size()) return false;
    std::uint32_t all = 0;
    for (E e : list) {
        if ((all & mx(e)) != 0) return false;
        all |= mx(e);
    }
    return all == flags<E>::known;
}

// MAPIINIT_0::ulFlags (mapix.h, mapidefs.h).
#define MAPIXX_ABI_INIT_FLAGS(X)                                                                   \
    X(init_flag, multithread_notifications, MAPI_MULTITHREAD_NOTIFICATIONS)                         \
    X(init_flag, nt_service, MAPI_NT_SERVICE)
MAPIXX_ABI_INIT_FLAGS(MAPIXX_ABI_CHECK_FLAG)
// MAPI_NO_COINIT is absent in MinGW: MAPI-REFERENCE 2.1 gives 0x00000008 ([ms:MAPIAux.h]).
static_assert(mx(init_flag::no_coinit) == 0x00000008u, "MAPI-REFERENCE 2.1: MAPI_NO_COINIT = 0x8");
static_assert(sdk_name(init_flag::no_coinit) == std::string_view("MAPI_NO_COINIT"));
#ifdef MAPI_NO_COINIT
static_assert(mx(init_flag::no_coinit) == sdk(MAPI_NO_COINIT));
#endif
constexpr init_flag checked_init_flags[] = {MAPIXX_ABI_INIT_FLAGS(MAPIXX_ABI_LIST_FLAG) init_flag::no_coinit};
static_assert(covers_family(checked_init_flags));

// MAPILogonEx ulFlags (mapix.h, mapidefs.h).
#define MAPIXX_ABI_LOGON_FLAGS(X)                                                                  \
    X(logon_flag, logon_ui, MAPI_LOGON_UI)                                                          \
    X(logon_flag, new_session, MAPI_NEW_SESSION)                                                    \
    X(logon_flag, allow_others, MAPI_ALLOW_OTHERS)                                                  \
    X(logon_flag, explicit_profile, MAPI_EXPLICIT_PROFILE)                                          \
    X(logon_flag, extended, MAPI_EXTENDED)                                                          \
    X(logon_flag, use_default, MAPI_USE_DEFAULT)                                                    \
    X(logon_flag, force_download, MAPI_FORCE_DOWNLOAD)                                              \
    X(logon_flag, service_ui_always, MAPI_SERVICE_UI_ALWAYS)                                        \
    X(logon_flag, no_mail, MAPI_NO_MAIL)                                                            \
    X(logon_flag, nt_service, MAPI_NT_SERVICE)                                                      \
    X(logon_flag, password_ui, MAPI_PASSWORD_UI)                                                    \
    X(logon_flag, timeout_short, MAPI_TIMEOUT_SHORT)                                                \
    X(logon_flag, unicode, MAPI_UNICODE)
MAPIXX_ABI_LOGON_FLAGS(MAPIXX_ABI_CHECK_FLAG)
// Absent in MinGW: MAPI-REFERENCE 3.2 gives MAPI_APP_PROFILE = 0x4 ([ms:MAPIX.h]) and
// MAPI_BG_SESSION = 0x00200000 ([ms:MAPIAux.h]).
static_assert(mx(logon_flag::app_profile) == 0x00000004u, "MAPI-REFERENCE 3.2: MAPI_APP_PROFILE = 0x4");
static_assert(mx(logon_flag::bg_session) == 0x00200000u, "MAPI-REFERENCE 3.2: MAPI_BG_SESSION = 0x00200000");
static_assert(sdk_name(logon_flag::app_profile) == std::string_view("MAPI_APP_PROFILE"));
static_assert(sdk_name(logon_flag::bg_session) == std::string_view("MAPI_BG_SESSION"));
#ifdef MAPI_APP_PROFILE
static_assert(mx(logon_flag::app_profile) == sdk(MAPI_APP_PROFILE));
#endif
#ifdef MAPI_BG_SESSION
static_assert(mx(logon_flag::bg_session) == sdk(MAPI_BG_SESSION));
#endif
constexpr logon_flag checked_logon_flags[] = {MAPIXX_ABI_LOGON_FLAGS(MAPIXX_ABI_LIST_FLAG) logon_flag::app_profile,
                                              logon_flag::bg_session};
static_assert(covers_family(checked_logon_flags));

// IMAPISession::Logoff (mapix.h).
#define MAPIXX_ABI_LOGOFF_FLAGS(X)                                                                 \
    X(logoff_flag, shared, MAPI_LOGOFF_SHARED)                                                      \
    X(logoff_flag, ui, MAPI_LOGOFF_UI)
MAPIXX_ABI_LOGOFF_FLAGS(MAPIXX_ABI_CHECK_FLAG)
constexpr logoff_flag checked_logoff_flags[] = {MAPIXX_ABI_LOGOFF_FLAGS(MAPIXX_ABI_LIST_FLAG)};
static_assert(covers_family(checked_logoff_flags));

// PR_STATUS_CODE (mapidefs.h).
#define MAPIXX_ABI_STATUS_CODES(X)                                                                 \
    X(status_code, available, STATUS_AVAILABLE)                                                     \
    X(status_code, offline, STATUS_OFFLINE)                                                         \
    X(status_code, failure, STATUS_FAILURE)                                                         \
    X(status_code, inbound_enabled, STATUS_INBOUND_ENABLED)                                         \
    X(status_code, inbound_active, STATUS_INBOUND_ACTIVE)                                           \
    X(status_code, inbound_flush, STATUS_INBOUND_FLUSH)                                             \
    X(status_code, outbound_enabled, STATUS_OUTBOUND_ENABLED)                                       \
    X(status_code, outbound_active, STATUS_OUTBOUND_ACTIVE)                                         \
    X(status_code, outbound_flush, STATUS_OUTBOUND_FLUSH)                                           \
    X(status_code, remote_access, STATUS_REMOTE_ACCESS)
MAPIXX_ABI_STATUS_CODES(MAPIXX_ABI_CHECK_FLAG)
constexpr status_code checked_status_codes[] = {MAPIXX_ABI_STATUS_CODES(MAPIXX_ABI_LIST_FLAG)};
static_assert(covers_family(checked_status_codes));

// Provider PR_RESOURCE_FLAGS (mapidefs.h) and HOOK_* (mapihook.h).
#define MAPIXX_ABI_RESOURCE_FLAGS(X)                                                               \
    X(resource_flag, default_outbound, STATUS_DEFAULT_OUTBOUND)                                     \
    X(resource_flag, default_store, STATUS_DEFAULT_STORE)                                           \
    X(resource_flag, primary_identity, STATUS_PRIMARY_IDENTITY)                                     \
    X(resource_flag, simple_store, STATUS_SIMPLE_STORE)                                             \
    X(resource_flag, xp_prefer_last, STATUS_XP_PREFER_LAST)                                         \
    X(resource_flag, no_primary_identity, STATUS_NO_PRIMARY_IDENTITY)                               \
    X(resource_flag, no_default_store, STATUS_NO_DEFAULT_STORE)                                     \
    X(resource_flag, temp_section, STATUS_TEMP_SECTION)                                             \
    X(resource_flag, own_store, STATUS_OWN_STORE)                                                   \
    X(resource_flag, hook_inbound, HOOK_INBOUND)                                                    \
    X(resource_flag, hook_outbound, HOOK_OUTBOUND)                                                  \
    X(resource_flag, need_ipm_tree, STATUS_NEED_IPM_TREE)                                           \
    X(resource_flag, primary_store, STATUS_PRIMARY_STORE)                                           \
    X(resource_flag, secondary_store, STATUS_SECONDARY_STORE)
MAPIXX_ABI_RESOURCE_FLAGS(MAPIXX_ABI_CHECK_FLAG)
constexpr resource_flag checked_resource_flags[] = {MAPIXX_ABI_RESOURCE_FLAGS(MAPIXX_ABI_LIST_FLAG)};
static_assert(covers_family(checked_resource_flags));

// Service PR_RESOURCE_FLAGS (mapix.h).
#define MAPIXX_ABI_SERVICE_FLAGS(X)                                                                \
    X(service_flag, default_store, SERVICE_DEFAULT_STORE)                                           \
    X(service_flag, single_copy, SERVICE_SINGLE_COPY)                                               \
    X(service_flag, create_with_store, SERVICE_CREATE_WITH_STORE)                                   \
    X(service_flag, primary_identity, SERVICE_PRIMARY_IDENTITY)                                     \
    X(service_flag, no_primary_identity, SERVICE_NO_PRIMARY_IDENTITY)
MAPIXX_ABI_SERVICE_FLAGS(MAPIXX_ABI_CHECK_FLAG)
constexpr service_flag checked_service_flags[] = {MAPIXX_ABI_SERVICE_FLAGS(MAPIXX_ABI_LIST_FLAG)};
static_assert(covers_family(checked_service_flags));

// IMAPISupport::SpoolerNotify (mapispi.h).
#define MAPIXX_ABI_SPOOLER_NOTIFY(X)                                                               \
    X(spooler_notify, newmail, NOTIFY_NEWMAIL)                                                      \
    X(spooler_notify, readytosend, NOTIFY_READYTOSEND)                                              \
    X(spooler_notify, sentdeferred, NOTIFY_SENTDEFERRED)                                            \
    X(spooler_notify, critsec, NOTIFY_CRITSEC)                                                      \
    X(spooler_notify, noncrit, NOTIFY_NONCRIT)                                                      \
    X(spooler_notify, config_change, NOTIFY_CONFIG_CHANGE)                                          \
    X(spooler_notify, critical_error, NOTIFY_CRITICAL_ERROR)                                        \
    X(spooler_notify, newmail_received, NOTIFY_NEWMAIL_RECEIVED)
MAPIXX_ABI_SPOOLER_NOTIFY(MAPIXX_ABI_CHECK_FLAG)
constexpr spooler_notify checked_spooler_notify[] = {MAPIXX_ABI_SPOOLER_NOTIFY(MAPIXX_ABI_LIST_FLAG)};
static_assert(covers_family(checked_spooler_notify));

// IXPLogon::TransportNotify (mapispi.h).
#define MAPIXX_ABI_TRANSPORT_NOTIFY(X)                                                             \
    X(transport_notify, begin_inbound, NOTIFY_BEGIN_INBOUND)                                        \
    X(transport_notify, begin_outbound, NOTIFY_BEGIN_OUTBOUND)                                      \
    X(transport_notify, begin_inbound_flush, NOTIFY_BEGIN_INBOUND_FLUSH)                            \
    X(transport_notify, begin_outbound_flush, NOTIFY_BEGIN_OUTBOUND_FLUSH)                          \
    X(transport_notify, end_inbound, NOTIFY_END_INBOUND)                                            \
    X(transport_notify, end_outbound, NOTIFY_END_OUTBOUND)                                          \
    X(transport_notify, end_inbound_flush, NOTIFY_END_INBOUND_FLUSH)                                \
    X(transport_notify, end_outbound_flush, NOTIFY_END_OUTBOUND_FLUSH)                              \
    X(transport_notify, abort_deferred, NOTIFY_ABORT_DEFERRED)                                      \
    X(transport_notify, cancel_message, NOTIFY_CANCEL_MESSAGE)
MAPIXX_ABI_TRANSPORT_NOTIFY(MAPIXX_ABI_CHECK_FLAG)
constexpr transport_notify checked_transport_notify[] = {MAPIXX_ABI_TRANSPORT_NOTIFY(MAPIXX_ABI_LIST_FLAG)};
static_assert(covers_family(checked_transport_notify));

// FlushQueues (mapidefs.h).
#define MAPIXX_ABI_FLUSH_FLAGS(X)                                                                  \
    X(flush_flag, upload, FLUSH_UPLOAD)                                                             \
    X(flush_flag, download, FLUSH_DOWNLOAD)                                                         \
    X(flush_flag, force, FLUSH_FORCE)                                                               \
    X(flush_flag, no_ui, FLUSH_NO_UI)                                                               \
    X(flush_flag, async_ok, FLUSH_ASYNC_OK)
MAPIXX_ABI_FLUSH_FLAGS(MAPIXX_ABI_CHECK_FLAG)
constexpr flush_flag checked_flush_flags[] = {MAPIXX_ABI_FLUSH_FLAGS(MAPIXX_ABI_LIST_FLAG)};
static_assert(covers_family(checked_flush_flags));

// IXPProvider::TransportLogon (mapispi.h, mapidefs.h).
#define MAPIXX_ABI_TRANSPORT_LOGON_FLAGS(X)                                                        \
    X(transport_logon_flag, no_dialog, LOGON_NO_DIALOG)                                             \
    X(transport_logon_flag, no_connect, LOGON_NO_CONNECT)                                           \
    X(transport_logon_flag, no_inbound, LOGON_NO_INBOUND)                                           \
    X(transport_logon_flag, no_outbound, LOGON_NO_OUTBOUND)                                         \
    X(transport_logon_flag, sp_idle, LOGON_SP_IDLE)                                                 \
    X(transport_logon_flag, sp_poll, LOGON_SP_POLL)                                                 \
    X(transport_logon_flag, sp_resolve, LOGON_SP_RESOLVE)                                           \
    X(transport_logon_flag, unicode, MAPI_UNICODE)
MAPIXX_ABI_TRANSPORT_LOGON_FLAGS(MAPIXX_ABI_CHECK_FLAG)
constexpr transport_logon_flag checked_transport_logon_flags[] = {
    MAPIXX_ABI_TRANSPORT_LOGON_FLAGS(MAPIXX_ABI_LIST_FLAG)};
static_assert(covers_family(checked_transport_logon_flags));

// IXPLogon::EndMessage (mapispi.h).
#define MAPIXX_ABI_END_MESSAGE_FLAGS(X)                                                            \
    X(end_message_flag, resend_now, END_RESEND_NOW)                                                 \
    X(end_message_flag, resend_later, END_RESEND_LATER)                                             \
    X(end_message_flag, dont_resend, END_DONT_RESEND)
MAPIXX_ABI_END_MESSAGE_FLAGS(MAPIXX_ABI_CHECK_FLAG)
constexpr end_message_flag checked_end_message_flags[] = {MAPIXX_ABI_END_MESSAGE_FLAGS(MAPIXX_ABI_LIST_FLAG)};
static_assert(covers_family(checked_end_message_flags));

// PR_RESOURCE_METHODS (mapidefs.h).
#define MAPIXX_ABI_RESOURCE_METHODS(X)                                                             \
    X(resource_method, validate_state, STATUS_VALIDATE_STATE)                                       \
    X(resource_method, settings_dialog, STATUS_SETTINGS_DIALOG)                                     \
    X(resource_method, change_password, STATUS_CHANGE_PASSWORD)                                     \
    X(resource_method, flush_queues, STATUS_FLUSH_QUEUES)
MAPIXX_ABI_RESOURCE_METHODS(MAPIXX_ABI_CHECK_FLAG)
constexpr resource_method checked_resource_methods[] = {MAPIXX_ABI_RESOURCE_METHODS(MAPIXX_ABI_LIST_FLAG)};
static_assert(covers_family(checked_resource_methods));

// ValidateState (mapidefs.h).
#define MAPIXX_ABI_VALIDATE_FLAGS(X)                                                               \
    X(validate_flag, suppress_ui, SUPPRESS_UI)                                                      \
    X(validate_flag, refresh_xp_header_cache, REFRESH_XP_HEADER_CACHE)                              \
    X(validate_flag, process_xp_header_cache, PROCESS_XP_HEADER_CACHE)                              \
    X(validate_flag, force_xp_connect, FORCE_XP_CONNECT)                                            \
    X(validate_flag, force_xp_disconnect, FORCE_XP_DISCONNECT)                                      \
    X(validate_flag, config_changed, CONFIG_CHANGED)                                                \
    X(validate_flag, abort_xp_header_operation, ABORT_XP_HEADER_OPERATION)                          \
    X(validate_flag, show_xp_session_ui, SHOW_XP_SESSION_UI)
MAPIXX_ABI_VALIDATE_FLAGS(MAPIXX_ABI_CHECK_FLAG)
constexpr validate_flag checked_validate_flags[] = {MAPIXX_ABI_VALIDATE_FLAGS(MAPIXX_ABI_LIST_FLAG)};
static_assert(covers_family(checked_validate_flags));

// Every flag set has the size and alignment of the SDK's ULONG.
static_assert(sizeof(flags<logon_flag>) == sizeof(ULONG) && alignof(flags<logon_flag>) == alignof(ULONG));
static_assert(sizeof(init_flags) == sizeof(ULONG) && sizeof(transport_notify_flags) == sizeof(ULONG));

// ---------------------------------------------------------------------------------------------
// Value enums. The switches have no default: -Wswitch (in -Wall, an error with -Werror) fails
// the build when an enumerator has no case, so every enumerator is checked.

#define MAPIXX_ABI_CASE(E, e, M)                                                                   \
    case E::e: return mx(E::e) == sdk(M);

#define MAPIXX_ABI_RESOURCE_TYPES(X)                                                               \
    X(resource_type, store_provider, MAPI_STORE_PROVIDER)                                           \
    X(resource_type, ab, MAPI_AB)                                                                   \
    X(resource_type, ab_provider, MAPI_AB_PROVIDER)                                                 \
    X(resource_type, transport_provider, MAPI_TRANSPORT_PROVIDER)                                   \
    X(resource_type, spooler, MAPI_SPOOLER)                                                         \
    X(resource_type, profile_provider, MAPI_PROFILE_PROVIDER)                                       \
    X(resource_type, subsystem, MAPI_SUBSYSTEM)                                                     \
    X(resource_type, hook_provider, MAPI_HOOK_PROVIDER)
constexpr bool matches_sdk(resource_type t) {
    switch (t) { MAPIXX_ABI_RESOURCE_TYPES(MAPIXX_ABI_CASE) }
    return false;
}
#define MAPIXX_ABI_CHECK_VALUE(E, e, M) static_assert(matches_sdk(E::e), #E "::" #e " differs from " #M);
MAPIXX_ABI_RESOURCE_TYPES(MAPIXX_ABI_CHECK_VALUE)
MAPIXX_ABI_RESOURCE_TYPES(MAPIXX_ABI_CHECK_FLAG)  // sdk_name(resource_type) too

#define MAPIXX_ABI_OBJECT_TYPES(X)                                                                 \
    X(object_type, store, MAPI_STORE)                                                               \
    X(object_type, addrbook, MAPI_ADDRBOOK)                                                         \
    X(object_type, folder, MAPI_FOLDER)                                                             \
    X(object_type, abcont, MAPI_ABCONT)                                                             \
    X(object_type, message, MAPI_MESSAGE)                                                           \
    X(object_type, mailuser, MAPI_MAILUSER)                                                         \
    X(object_type, attach, MAPI_ATTACH)                                                             \
    X(object_type, distlist, MAPI_DISTLIST)                                                         \
    X(object_type, profsect, MAPI_PROFSECT)                                                         \
    X(object_type, status, MAPI_STATUS)                                                             \
    X(object_type, session, MAPI_SESSION)                                                           \
    X(object_type, forminfo, MAPI_FORMINFO)
constexpr bool matches_sdk(object_type t) {
    switch (t) { MAPIXX_ABI_OBJECT_TYPES(MAPIXX_ABI_CASE) }
    return false;
}
MAPIXX_ABI_OBJECT_TYPES(MAPIXX_ABI_CHECK_VALUE)

#define MAPIXX_ABI_SERVICE_CONTEXTS(X)                                                             \
    X(service_context, install, MSG_SERVICE_INSTALL)                                                \
    X(service_context, create, MSG_SERVICE_CREATE)                                                  \
    X(service_context, configure, MSG_SERVICE_CONFIGURE)                                            \
    X(service_context, remove, MSG_SERVICE_DELETE)                                                  \
    X(service_context, uninstall, MSG_SERVICE_UNINSTALL)                                            \
    X(service_context, provider_create, MSG_SERVICE_PROVIDER_CREATE)                                \
    X(service_context, provider_delete, MSG_SERVICE_PROVIDER_DELETE)
constexpr bool matches_sdk(service_context t) {
    switch (t) { MAPIXX_ABI_SERVICE_CONTEXTS(MAPIXX_ABI_CASE) }
    return false;
}
MAPIXX_ABI_SERVICE_CONTEXTS(MAPIXX_ABI_CHECK_VALUE)

// ---------------------------------------------------------------------------------------------
// Property types (mapidefs.h): value and SDK name of every prop_type, plus the aliases.

#define MAPIXX_ABI_PROP_TYPES(X)                                                                   \
    X(prop_type, unspecified, PT_UNSPECIFIED)                                                       \
    X(prop_type, null, PT_NULL)                                                                     \
    X(prop_type, i2, PT_I2)                                                                         \
    X(prop_type, i4, PT_LONG)                                                                       \
    X(prop_type, r4, PT_R4)                                                                         \
    X(prop_type, r8, PT_DOUBLE)                                                                     \
    X(prop_type, currency, PT_CURRENCY)                                                             \
    X(prop_type, apptime, PT_APPTIME)                                                               \
    X(prop_type, error, PT_ERROR)                                                                   \
    X(prop_type, boolean, PT_BOOLEAN)                                                               \
    X(prop_type, object, PT_OBJECT)                                                                 \
    X(prop_type, i8, PT_I8)                                                                         \
    X(prop_type, string8, PT_STRING8)                                                               \
    X(prop_type, unicode, PT_UNICODE)                                                               \
    X(prop_type, systime, PT_SYSTIME)                                                               \
    X(prop_type, clsid, PT_CLSID)                                                                   \
    X(prop_type, binary, PT_BINARY)                                                                 \
    X(prop_type, mv_i2, PT_MV_I2)                                                                   \
    X(prop_type, mv_i4, PT_MV_LONG)                                                                 \
    X(prop_type, mv_i8, PT_MV_I8)                                                                   \
    X(prop_type, mv_string8, PT_MV_STRING8)                                                         \
    X(prop_type, mv_unicode, PT_MV_UNICODE)                                                         \
    X(prop_type, mv_systime, PT_MV_SYSTIME)                                                         \
    X(prop_type, mv_clsid, PT_MV_CLSID)                                                             \
    X(prop_type, mv_binary, PT_MV_BINARY)
constexpr bool matches_sdk(prop_type t) {
    switch (t) { MAPIXX_ABI_PROP_TYPES(MAPIXX_ABI_CASE) }
    return false;
}
MAPIXX_ABI_PROP_TYPES(MAPIXX_ABI_CHECK_VALUE)
MAPIXX_ABI_PROP_TYPES(MAPIXX_ABI_CHECK_FLAG)  // sdk_name(prop_type) too

static_assert(mapixx::mv_flag == MV_FLAG);
static_assert(mx(prop_type::i2) == sdk(PT_SHORT));
static_assert(mx(prop_type::i4) == sdk(PT_I4));
static_assert(mx(prop_type::r4) == sdk(PT_FLOAT));
static_assert(mx(prop_type::r8) == sdk(PT_R8));
static_assert(mx(prop_type::i8) == sdk(PT_LONGLONG));
static_assert(mx(prop_type::mv_i2) == sdk(PT_MV_SHORT));
static_assert(mx(prop_type::mv_i4) == sdk(PT_MV_I4));
static_assert(mx(prop_type::mv_i8) == sdk(PT_MV_LONGLONG));
#ifdef UNICODE
static_assert(mx(prop_type::unicode) == sdk(PT_TSTRING), "UNICODE build: PT_TSTRING is PT_UNICODE");
static_assert(mx(prop_type::mv_unicode) == sdk(PT_MV_TSTRING));
#else
static_assert(mx(prop_type::string8) == sdk(PT_TSTRING), "ANSI build: PT_TSTRING is PT_STRING8");
static_assert(mx(prop_type::mv_string8) == sdk(PT_MV_TSTRING));
#endif

// PROP_TAG / PROP_ID / PROP_TYPE agree with prop_tag.
static_assert(prop_tag(0x3001, prop_type::unicode).value() == sdk(PROP_TAG(PT_UNICODE, 0x3001)));
static_assert(prop_tag(0x3D0F, prop_type::mv_string8).value() == sdk(PROP_TAG(PT_MV_STRING8, 0x3D0F)));
static_assert(pr::display_name_w.id() == PROP_ID(PR_DISPLAY_NAME_W));
static_assert(mx(pr::display_name_a.type()) == sdk(PROP_TYPE(PR_DISPLAY_NAME_A)));
static_assert(pr::service_support_files.is_multi() && (PROP_TYPE(PR_SERVICE_SUPPORT_FILES_W) & MV_FLAG) != 0);
static_assert(pr::service_uid.is_multi() == ((PROP_TYPE(PR_SERVICE_UID) & MV_FLAG) != 0));

// ---------------------------------------------------------------------------------------------
// PR_* tags (mapitags.h). A bare mapixx tag is the PT_UNICODE form; the SDK's bare name follows
// UNICODE, so it is compared with the _W form in a UNICODE build and the _A form otherwise.

constexpr std::string_view table_name(prop_tag t) {
    for (const auto& e : known_prop_tags()) {
        if (e.tag == t) return e.name;
    }
    return {};
}
constexpr prop_tag tstring_form(prop_tag a, prop_tag w) {
#ifdef UNICODE
    (void)a;
    return w;
#else
    (void)w;
    return a;
#endif
}

#define MAPIXX_ABI_STRING_TAGS(X)                                                                  \
    X(profile_name, PR_PROFILE_NAME)                                                                \
    X(display_name, PR_DISPLAY_NAME)                                                                \
    X(service_name, PR_SERVICE_NAME)                                                                \
    X(service_dll_name, PR_SERVICE_DLL_NAME)                                                        \
    X(provider_display, PR_PROVIDER_DISPLAY)                                                        \
    X(provider_dll_name, PR_PROVIDER_DLL_NAME)                                                      \
    X(status_string, PR_STATUS_STRING)                                                              \
    X(identity_display, PR_IDENTITY_DISPLAY)                                                        \
    X(subject, PR_SUBJECT)                                                                          \
    X(body, PR_BODY)                                                                                \
    X(message_class, PR_MESSAGE_CLASS)                                                              \
    X(addrtype, PR_ADDRTYPE)                                                                        \
    X(email_address, PR_EMAIL_ADDRESS)                                                              \
    X(sender_name, PR_SENDER_NAME)                                                                  \
    X(sender_email_address, PR_SENDER_EMAIL_ADDRESS)                                                \
    X(sender_addrtype, PR_SENDER_ADDRTYPE)                                                          \
    X(display_to, PR_DISPLAY_TO)                                                                    \
    X(display_cc, PR_DISPLAY_CC)                                                                    \
    X(display_bcc, PR_DISPLAY_BCC)                                                                  \
    X(transport_message_headers, PR_TRANSPORT_MESSAGE_HEADERS)                                      \
    X(report_text, PR_REPORT_TEXT)                                                                  \
    X(attach_filename, PR_ATTACH_FILENAME)                                                          \
    X(attach_long_filename, PR_ATTACH_LONG_FILENAME)                                                \
    X(attach_mime_tag, PR_ATTACH_MIME_TAG)                                                          \
    X(service_support_files, PR_SERVICE_SUPPORT_FILES)                                              \
    X(service_delete_files, PR_SERVICE_DELETE_FILES)

#define MAPIXX_ABI_CHECK_STRING_TAG(n, M)                                                          \
    static_assert(pr::n##_a.value() == sdk(M##_A), "pr::" #n "_a differs from " #M "_A");            \
    static_assert(pr::n##_w.value() == sdk(M##_W), "pr::" #n "_w differs from " #M "_W");            \
    static_assert(pr::n == pr::n##_w, "pr::" #n " is the PT_UNICODE form");                          \
    static_assert(tstring_form(pr::n##_a, pr::n##_w).value() == sdk(M), "the TSTRING form of pr::" #n \
                                                                        " differs from " #M);         \
    static_assert(table_name(pr::n) == std::string_view(#M), "the table name of pr::" #n " is not " #M);
MAPIXX_ABI_STRING_TAGS(MAPIXX_ABI_CHECK_STRING_TAG)

#define MAPIXX_ABI_FIXED_TAGS(X)                                                                   \
    X(service_entry_name, PR_SERVICE_ENTRY_NAME)                                                    \
    X(default_profile, PR_DEFAULT_PROFILE)                                                          \
    X(service_uid, PR_SERVICE_UID)                                                                  \
    X(service_extra_uids, PR_SERVICE_EXTRA_UIDS)                                                    \
    X(provider_uid, PR_PROVIDER_UID)                                                                \
    X(provider_ordinal, PR_PROVIDER_ORDINAL)                                                        \
    X(resource_flags, PR_RESOURCE_FLAGS)                                                            \
    X(resource_type, PR_RESOURCE_TYPE)                                                              \
    X(resource_methods, PR_RESOURCE_METHODS)                                                        \
    X(status_code, PR_STATUS_CODE)                                                                  \
    X(identity_entryid, PR_IDENTITY_ENTRYID)                                                        \
    X(identity_search_key, PR_IDENTITY_SEARCH_KEY)                                                  \
    X(own_store_entryid, PR_OWN_STORE_ENTRYID)                                                      \
    X(remote_validate_ok, PR_REMOTE_VALIDATE_OK)                                                    \
    X(mdb_provider, PR_MDB_PROVIDER)                                                                \
    X(ab_provider_id, PR_AB_PROVIDER_ID)                                                            \
    X(object_type, PR_OBJECT_TYPE)                                                                  \
    X(entryid, PR_ENTRYID)                                                                          \
    X(instance_key, PR_INSTANCE_KEY)                                                                \
    X(rowid, PR_ROWID)                                                                              \
    X(search_key, PR_SEARCH_KEY)                                                                    \
    X(store_providers, PR_STORE_PROVIDERS)                                                          \
    X(ab_providers, PR_AB_PROVIDERS)                                                                \
    X(transport_providers, PR_TRANSPORT_PROVIDERS)                                                  \
    X(message_flags, PR_MESSAGE_FLAGS)                                                              \
    X(responsibility, PR_RESPONSIBILITY)                                                            \
    X(recipient_type, PR_RECIPIENT_TYPE)                                                            \
    X(client_submit_time, PR_CLIENT_SUBMIT_TIME)                                                    \
    X(message_delivery_time, PR_MESSAGE_DELIVERY_TIME)                                              \
    X(message_size, PR_MESSAGE_SIZE)                                                                \
    X(importance, PR_IMPORTANCE)                                                                    \
    X(delete_after_submit, PR_DELETE_AFTER_SUBMIT)                                                  \
    X(sentmail_entryid, PR_SENTMAIL_ENTRYID)                                                        \
    X(ndr_reason_code, PR_NDR_REASON_CODE)                                                          \
    X(ndr_diag_code, PR_NDR_DIAG_CODE)                                                              \
    X(attach_num, PR_ATTACH_NUM)                                                                    \
    X(attach_data_bin, PR_ATTACH_DATA_BIN)                                                          \
    X(attach_method, PR_ATTACH_METHOD)

#define MAPIXX_ABI_CHECK_FIXED_TAG(n, M)                                                           \
    static_assert(pr::n.value() == sdk(M), "pr::" #n " differs from " #M);                           \
    static_assert(table_name(pr::n) == std::string_view(#M), "the table name of pr::" #n " is not " #M);
MAPIXX_ABI_FIXED_TAGS(MAPIXX_ABI_CHECK_FIXED_TAG)

// PR_INTERNET_MESSAGE_ID is not in MinGW's mapitags.h, nor in MAPI-REFERENCE: its numbers are
// PidTagInternetMessageId of [MS-OXPROPS], property id 0x1035 as PT_STRING8 / PT_UNICODE.
static_assert(pr::internet_message_id_a.value() == 0x1035001Eu);
static_assert(pr::internet_message_id_w.value() == 0x1035001Fu);
static_assert(pr::internet_message_id == pr::internet_message_id_w);
static_assert(table_name(pr::internet_message_id) == std::string_view("PR_INTERNET_MESSAGE_ID"));
#ifdef PR_INTERNET_MESSAGE_ID_A
static_assert(pr::internet_message_id_a.value() == sdk(PR_INTERNET_MESSAGE_ID_A));
#endif
#ifdef PR_INTERNET_MESSAGE_ID_W
static_assert(pr::internet_message_id_w.value() == sdk(PR_INTERNET_MESSAGE_ID_W));
#endif
#ifdef PR_INTERNET_MESSAGE_ID
static_assert(tstring_form(pr::internet_message_id_a, pr::internet_message_id_w).value() ==
              sdk(PR_INTERNET_MESSAGE_ID));
#endif

// Three more string tags that MinGW's mapitags.h lacks; their numbers are those of [MS-OXPROPS]:
// PidTagInReplyToId 0x1042, PidTagInternetReferences 0x1039, PidTagAttachContentId 0x3712.
static_assert(pr::in_reply_to_id_w.value() == 0x1042001Fu && pr::in_reply_to_id_a.value() == 0x1042001Eu);
static_assert(pr::internet_references_w.value() == 0x1039001Fu && pr::internet_references_a.value() == 0x1039001Eu);
static_assert(pr::attach_content_id_w.value() == 0x3712001Fu && pr::attach_content_id_a.value() == 0x3712001Eu);
static_assert(table_name(pr::in_reply_to_id) == std::string_view("PR_IN_REPLY_TO_ID"));
static_assert(table_name(pr::internet_references) == std::string_view("PR_INTERNET_REFERENCES"));
static_assert(table_name(pr::attach_content_id) == std::string_view("PR_ATTACH_CONTENT_ID"));

// Every tag of the name table is one of the tags checked above.
#define MAPIXX_ABI_LIST_TAG(n, M) pr::n,
constexpr prop_tag checked_tags[] = {MAPIXX_ABI_STRING_TAGS(MAPIXX_ABI_LIST_TAG)
                                         MAPIXX_ABI_FIXED_TAGS(MAPIXX_ABI_LIST_TAG) pr::internet_message_id,
                                     pr::in_reply_to_id, pr::internet_references, pr::attach_content_id};
constexpr bool every_table_tag_checked() {
    for (const auto& e : known_prop_tags()) {
        bool found = false;
        for (prop_tag t : checked_tags) found = found || (t == e.tag);
        if (!found) return false;
    }
    return true;
}
static_assert(std::size(checked_tags) == known_prop_tags().size(), "every tag of the name table is checked");
static_assert(distinct(checked_tags));
static_assert(every_table_tag_checked());

// ---------------------------------------------------------------------------------------------
// Constants.
static_assert(constants::mapi_init_version == sdk(MAPI_INIT_VERSION));
static_assert(constants::mapi_error_version == sdk(MAPI_ERROR_VERSION));
static_assert(constants::statusrow_update == sdk(STATUSROW_UPDATE));
static_assert(constants::begin_deferred == sdk(BEGIN_DEFERRED));
static_assert(constants::mapi_modify == sdk(MAPI_MODIFY));
static_assert(constants::mapi_default_services == sdk(MAPI_DEFAULT_SERVICES));
static_assert(constants::logon_no_dialog == sdk(LOGON_NO_DIALOG));
static_assert(constants::logon_no_dialog == sdk(MDB_NO_DIALOG));
static_assert(constants::logon_no_dialog == sdk(AB_NO_DIALOG));
static_assert(constants::mdb_no_mail == sdk(MDB_NO_MAIL));
static_assert(constants::current_spi_version == sdk(CURRENT_SPI_VERSION));
static_assert(constants::pdk1_spi_version == sdk(PDK1_SPI_VERSION));
static_assert(constants::pdk2_spi_version == sdk(PDK2_SPI_VERSION));
static_assert(constants::pdk3_spi_version == sdk(PDK3_SPI_VERSION));
static_assert(constants::mapi_simple_default == sdk(MAPI_SIMPLE_DEFAULT));
static_assert(constants::mapi_simple_explicit == sdk(MAPI_SIMPLE_EXPLICIT));
// MAPI_FORCE_ACCESS is in no header: MAPI-REFERENCE 4.3 gives 0x00080000 (public sample code).
static_assert(constants::mapi_force_access == 0x00080000u, "MAPI-REFERENCE 4.3: MAPI_FORCE_ACCESS = 0x00080000");
#ifdef MAPI_FORCE_ACCESS
static_assert(constants::mapi_force_access == sdk(MAPI_FORCE_ACCESS));
#endif

// The service logon set.
static_assert(service_logon_flags.bits() ==
              sdk(MAPI_EXTENDED | MAPI_NT_SERVICE | MAPI_NO_MAIL | MAPI_NEW_SESSION | MAPI_EXPLICIT_PROFILE));

// ---------------------------------------------------------------------------------------------
// uid has the layout of MAPIUID (16 bytes, byte-aligned), so it can be passed where one is read.
static_assert(sizeof(uid) == sizeof(MAPIUID));
static_assert(alignof(uid) == alignof(MAPIUID));
static_assert(sizeof(uid{}.bytes) == sizeof(MAPIUID{}.ab));
static_assert(std::is_trivially_copyable_v<uid> && std::is_standard_layout_v<uid>);

} // namespace mapixx_abi

int main() { return 0; }
