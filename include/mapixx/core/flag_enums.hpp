// SPDX-License-Identifier: MIT
/// \file
/// Every MAPI flag family as a scoped enum with the SDK's exact values, its SDK names, and the
/// rules between its flags; plus the value enums `resource_type` and `object_type`.
///
/// Enumerator names are the SDK name in snake_case without the family prefix. The values are
/// checked against the MinGW-w64 SDK headers by the ABI test (tests/abi).
#ifndef MAPIXX_CORE_FLAG_ENUMS_HPP_INCLUDED
#define MAPIXX_CORE_FLAG_ENUMS_HPP_INCLUDED

#include <mapixx/core/flags.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mapixx::inline v0 {

/// What the compiler names when a constant flag set breaks a rule (see `checked_flags`).
namespace compile_time_errors {
inline void invalid_flag_combination_only_one_UI_flag_keep_MAPI_LOGON_UI_or_MAPI_PASSWORD_UI() {}
inline void invalid_flag_combination_a_service_MAPI_NT_SERVICE_may_show_no_UI_remove_the_UI_flags() {}
inline void invalid_flag_combination_a_service_MAPI_NT_SERVICE_must_also_pass_MAPI_NO_MAIL() {}
inline void invalid_flag_combination_STATUS_PRIMARY_IDENTITY_and_STATUS_NO_PRIMARY_IDENTITY_exclude_each_other() {}
inline void invalid_flag_combination_a_STATUS_NO_DEFAULT_STORE_store_cannot_be_STATUS_DEFAULT_STORE() {}
inline void invalid_flag_combination_SERVICE_PRIMARY_IDENTITY_and_SERVICE_NO_PRIMARY_IDENTITY_exclude_each_other() {}
inline void invalid_flag_combination_NOTIFY_SENTDEFERRED_and_NOTIFY_CRITICAL_ERROR_exclude_each_other() {}
inline void invalid_flag_combination_NOTIFY_CRITSEC_and_NOTIFY_NONCRIT_exclude_each_other() {}
inline void invalid_flag_combination_BEGIN_and_END_of_one_direction_exclude_each_other() {}
inline void invalid_flag_combination_END_RESEND_NOW_END_RESEND_LATER_END_DONT_RESEND_are_alternatives() {}
inline void invalid_flag_combination_FORCE_XP_CONNECT_and_FORCE_XP_DISCONNECT_exclude_each_other() {}
} // namespace compile_time_errors


// ---------------------------------------------------------------------------------------------
/// MAPIINIT_0::ulFlags.
enum class init_flag : std::uint32_t {
    multithread_notifications = 0x00000001,  ///< MAPI_MULTITHREAD_NOTIFICATIONS
    no_coinit = 0x00000008,                  ///< MAPI_NO_COINIT (absent in MinGW's headers)
    nt_service = 0x00010000,                 ///< MAPI_NT_SERVICE
};
template <>
struct flag_traits<init_flag> {
    static constexpr std::string_view family = "MAPIInitialize flags";
    static constexpr std::array names{
        flag_name<init_flag>{init_flag::multithread_notifications, "MAPI_MULTITHREAD_NOTIFICATIONS"},
        flag_name<init_flag>{init_flag::no_coinit, "MAPI_NO_COINIT"},
        flag_name<init_flag>{init_flag::nt_service, "MAPI_NT_SERVICE"},
    };
    static constexpr std::optional<flag_rule> check(std::uint32_t) noexcept { return std::nullopt; }
};

// ---------------------------------------------------------------------------------------------
/// MAPILogonEx ulFlags.
enum class logon_flag : std::uint32_t {
    logon_ui = 0x00000001,           ///< MAPI_LOGON_UI
    new_session = 0x00000002,        ///< MAPI_NEW_SESSION
    app_profile = 0x00000004,        ///< MAPI_APP_PROFILE (absent in MinGW's headers)
    allow_others = 0x00000008,       ///< MAPI_ALLOW_OTHERS
    explicit_profile = 0x00000010,   ///< MAPI_EXPLICIT_PROFILE
    extended = 0x00000020,           ///< MAPI_EXTENDED
    use_default = 0x00000040,        ///< MAPI_USE_DEFAULT
    force_download = 0x00001000,     ///< MAPI_FORCE_DOWNLOAD
    service_ui_always = 0x00002000,  ///< MAPI_SERVICE_UI_ALWAYS
    no_mail = 0x00008000,            ///< MAPI_NO_MAIL
    nt_service = 0x00010000,         ///< MAPI_NT_SERVICE
    password_ui = 0x00020000,        ///< MAPI_PASSWORD_UI
    timeout_short = 0x00100000,      ///< MAPI_TIMEOUT_SHORT
    bg_session = 0x00200000,         ///< MAPI_BG_SESSION (absent in MinGW's headers)
    unicode = 0x80000000,            ///< MAPI_UNICODE
};
template <>
struct flag_traits<logon_flag> {
    static constexpr std::string_view family = "MAPILogonEx flags";
    static constexpr std::array names{
        flag_name<logon_flag>{logon_flag::logon_ui, "MAPI_LOGON_UI"},
        flag_name<logon_flag>{logon_flag::new_session, "MAPI_NEW_SESSION"},
        flag_name<logon_flag>{logon_flag::app_profile, "MAPI_APP_PROFILE"},
        flag_name<logon_flag>{logon_flag::allow_others, "MAPI_ALLOW_OTHERS"},
        flag_name<logon_flag>{logon_flag::explicit_profile, "MAPI_EXPLICIT_PROFILE"},
        flag_name<logon_flag>{logon_flag::extended, "MAPI_EXTENDED"},
        flag_name<logon_flag>{logon_flag::use_default, "MAPI_USE_DEFAULT"},
        flag_name<logon_flag>{logon_flag::force_download, "MAPI_FORCE_DOWNLOAD"},
        flag_name<logon_flag>{logon_flag::service_ui_always, "MAPI_SERVICE_UI_ALWAYS"},
        flag_name<logon_flag>{logon_flag::no_mail, "MAPI_NO_MAIL"},
        flag_name<logon_flag>{logon_flag::nt_service, "MAPI_NT_SERVICE"},
        flag_name<logon_flag>{logon_flag::password_ui, "MAPI_PASSWORD_UI"},
        flag_name<logon_flag>{logon_flag::timeout_short, "MAPI_TIMEOUT_SHORT"},
        flag_name<logon_flag>{logon_flag::bg_session, "MAPI_BG_SESSION"},
        flag_name<logon_flag>{logon_flag::unicode, "MAPI_UNICODE"},
    };
    /// The rules of DESIGN.md that hold for every logon, whatever the subsystem:
    /// one UI-enabling flag at most; a service shows no UI; a service passes MAPI_NO_MAIL.
    static constexpr std::optional<flag_rule> check(std::uint32_t b) noexcept {
        constexpr std::uint32_t ui = 0x1, password_ui = 0x20000, service_ui = 0x2000, nt = 0x10000,
                                no_mail = 0x8000;
        if ((b & ui) && (b & password_ui)) {
            return flag_rule{scode::invalid_parameter,
                             "only one UI-enabling flag may be set, and MAPI_LOGON_UI and MAPI_PASSWORD_UI are both set",
                             "keep MAPI_LOGON_UI to allow every dialog, or MAPI_PASSWORD_UI to allow only the password prompt",
                             &compile_time_errors::invalid_flag_combination_only_one_UI_flag_keep_MAPI_LOGON_UI_or_MAPI_PASSWORD_UI};
        }
        if ((b & nt) && (b & (ui | password_ui | service_ui))) {
            return flag_rule{scode::invalid_parameter,
                             "a Windows service (MAPI_NT_SERVICE) may show no user interface, so MAPI_LOGON_UI, "
                             "MAPI_PASSWORD_UI and MAPI_SERVICE_UI_ALWAYS are not allowed with it",
                             "remove the UI flags; use service_logon_flags",
                             &compile_time_errors::invalid_flag_combination_a_service_MAPI_NT_SERVICE_may_show_no_UI_remove_the_UI_flags};
        }
        if ((b & nt) && !(b & no_mail)) {
            return flag_rule{scode::invalid_parameter,
                             "a Windows service (MAPI_NT_SERVICE) must also pass MAPI_NO_MAIL: services move mail "
                             "only through a tightly coupled store and transport",
                             "add MAPI_NO_MAIL; use service_logon_flags",
                             &compile_time_errors::invalid_flag_combination_a_service_MAPI_NT_SERVICE_must_also_pass_MAPI_NO_MAIL};
        }
        return std::nullopt;
    }
};

// ---------------------------------------------------------------------------------------------
/// IMAPISession::Logoff ulFlags.
enum class logoff_flag : std::uint32_t {
    shared = 0x00000001,  ///< MAPI_LOGOFF_SHARED
    ui = 0x00000002,      ///< MAPI_LOGOFF_UI
};
template <>
struct flag_traits<logoff_flag> {
    static constexpr std::string_view family = "Logoff flags";
    static constexpr std::array names{
        flag_name<logoff_flag>{logoff_flag::shared, "MAPI_LOGOFF_SHARED"},
        flag_name<logoff_flag>{logoff_flag::ui, "MAPI_LOGOFF_UI"},
    };
    static constexpr std::optional<flag_rule> check(std::uint32_t) noexcept { return std::nullopt; }
};

// ---------------------------------------------------------------------------------------------
/// PR_STATUS_CODE bits of a status row.
enum class status_code : std::uint32_t {
    available = 0x00000001,         ///< STATUS_AVAILABLE
    offline = 0x00000002,           ///< STATUS_OFFLINE
    failure = 0x00000004,           ///< STATUS_FAILURE
    inbound_enabled = 0x00010000,   ///< STATUS_INBOUND_ENABLED
    inbound_active = 0x00020000,    ///< STATUS_INBOUND_ACTIVE
    inbound_flush = 0x00040000,     ///< STATUS_INBOUND_FLUSH
    outbound_enabled = 0x00100000,  ///< STATUS_OUTBOUND_ENABLED
    outbound_active = 0x00200000,   ///< STATUS_OUTBOUND_ACTIVE
    outbound_flush = 0x00400000,    ///< STATUS_OUTBOUND_FLUSH
    remote_access = 0x00800000,     ///< STATUS_REMOTE_ACCESS
};
template <>
struct flag_traits<status_code> {
    static constexpr std::string_view family = "PR_STATUS_CODE bits";
    static constexpr std::array names{
        flag_name<status_code>{status_code::available, "STATUS_AVAILABLE"},
        flag_name<status_code>{status_code::offline, "STATUS_OFFLINE"},
        flag_name<status_code>{status_code::failure, "STATUS_FAILURE"},
        flag_name<status_code>{status_code::inbound_enabled, "STATUS_INBOUND_ENABLED"},
        flag_name<status_code>{status_code::inbound_active, "STATUS_INBOUND_ACTIVE"},
        flag_name<status_code>{status_code::inbound_flush, "STATUS_INBOUND_FLUSH"},
        flag_name<status_code>{status_code::outbound_enabled, "STATUS_OUTBOUND_ENABLED"},
        flag_name<status_code>{status_code::outbound_active, "STATUS_OUTBOUND_ACTIVE"},
        flag_name<status_code>{status_code::outbound_flush, "STATUS_OUTBOUND_FLUSH"},
        flag_name<status_code>{status_code::remote_access, "STATUS_REMOTE_ACCESS"},
    };
    static constexpr std::optional<flag_rule> check(std::uint32_t) noexcept { return std::nullopt; }
};

// ---------------------------------------------------------------------------------------------
/// PR_RESOURCE_FLAGS of a provider or a status row (STATUS_* and HOOK_* bits).
enum class resource_flag : std::uint32_t {
    default_outbound = 0x00000001,     ///< STATUS_DEFAULT_OUTBOUND
    default_store = 0x00000002,        ///< STATUS_DEFAULT_STORE
    primary_identity = 0x00000004,     ///< STATUS_PRIMARY_IDENTITY
    simple_store = 0x00000008,         ///< STATUS_SIMPLE_STORE
    xp_prefer_last = 0x00000010,       ///< STATUS_XP_PREFER_LAST
    no_primary_identity = 0x00000020,  ///< STATUS_NO_PRIMARY_IDENTITY
    no_default_store = 0x00000040,     ///< STATUS_NO_DEFAULT_STORE
    temp_section = 0x00000080,         ///< STATUS_TEMP_SECTION
    own_store = 0x00000100,            ///< STATUS_OWN_STORE
    hook_inbound = 0x00000200,         ///< HOOK_INBOUND
    hook_outbound = 0x00000400,        ///< HOOK_OUTBOUND
    need_ipm_tree = 0x00000800,        ///< STATUS_NEED_IPM_TREE
    primary_store = 0x00001000,        ///< STATUS_PRIMARY_STORE
    secondary_store = 0x00002000,      ///< STATUS_SECONDARY_STORE
};
template <>
struct flag_traits<resource_flag> {
    static constexpr std::string_view family = "PR_RESOURCE_FLAGS (provider) bits";
    static constexpr std::array names{
        flag_name<resource_flag>{resource_flag::default_outbound, "STATUS_DEFAULT_OUTBOUND"},
        flag_name<resource_flag>{resource_flag::default_store, "STATUS_DEFAULT_STORE"},
        flag_name<resource_flag>{resource_flag::primary_identity, "STATUS_PRIMARY_IDENTITY"},
        flag_name<resource_flag>{resource_flag::simple_store, "STATUS_SIMPLE_STORE"},
        flag_name<resource_flag>{resource_flag::xp_prefer_last, "STATUS_XP_PREFER_LAST"},
        flag_name<resource_flag>{resource_flag::no_primary_identity, "STATUS_NO_PRIMARY_IDENTITY"},
        flag_name<resource_flag>{resource_flag::no_default_store, "STATUS_NO_DEFAULT_STORE"},
        flag_name<resource_flag>{resource_flag::temp_section, "STATUS_TEMP_SECTION"},
        flag_name<resource_flag>{resource_flag::own_store, "STATUS_OWN_STORE"},
        flag_name<resource_flag>{resource_flag::hook_inbound, "HOOK_INBOUND"},
        flag_name<resource_flag>{resource_flag::hook_outbound, "HOOK_OUTBOUND"},
        flag_name<resource_flag>{resource_flag::need_ipm_tree, "STATUS_NEED_IPM_TREE"},
        flag_name<resource_flag>{resource_flag::primary_store, "STATUS_PRIMARY_STORE"},
        flag_name<resource_flag>{resource_flag::secondary_store, "STATUS_SECONDARY_STORE"},
    };
    static constexpr std::optional<flag_rule> check(std::uint32_t b) noexcept {
        if ((b & 0x4) && (b & 0x20)) {
            return flag_rule{scode::invalid_parameter,
                             "STATUS_PRIMARY_IDENTITY and STATUS_NO_PRIMARY_IDENTITY exclude each other",
                             "keep exactly one of them",
                             &compile_time_errors::invalid_flag_combination_STATUS_PRIMARY_IDENTITY_and_STATUS_NO_PRIMARY_IDENTITY_exclude_each_other};
        }
        if ((b & 0x2) && (b & 0x40)) {
            return flag_rule{scode::invalid_parameter,
                             "a store flagged STATUS_NO_DEFAULT_STORE can never be STATUS_DEFAULT_STORE",
                             "remove one of the two",
                             &compile_time_errors::invalid_flag_combination_a_STATUS_NO_DEFAULT_STORE_store_cannot_be_STATUS_DEFAULT_STORE};
        }
        return std::nullopt;
    }
};

// ---------------------------------------------------------------------------------------------
/// PR_RESOURCE_FLAGS of a message service (SERVICE_* bits, message service table).
enum class service_flag : std::uint32_t {
    default_store = 0x00000001,        ///< SERVICE_DEFAULT_STORE
    single_copy = 0x00000002,          ///< SERVICE_SINGLE_COPY
    create_with_store = 0x00000004,    ///< SERVICE_CREATE_WITH_STORE
    primary_identity = 0x00000008,     ///< SERVICE_PRIMARY_IDENTITY
    no_primary_identity = 0x00000020,  ///< SERVICE_NO_PRIMARY_IDENTITY
};
template <>
struct flag_traits<service_flag> {
    static constexpr std::string_view family = "PR_RESOURCE_FLAGS (service) bits";
    static constexpr std::array names{
        flag_name<service_flag>{service_flag::default_store, "SERVICE_DEFAULT_STORE"},
        flag_name<service_flag>{service_flag::single_copy, "SERVICE_SINGLE_COPY"},
        flag_name<service_flag>{service_flag::create_with_store, "SERVICE_CREATE_WITH_STORE"},
        flag_name<service_flag>{service_flag::primary_identity, "SERVICE_PRIMARY_IDENTITY"},
        flag_name<service_flag>{service_flag::no_primary_identity, "SERVICE_NO_PRIMARY_IDENTITY"},
    };
    static constexpr std::optional<flag_rule> check(std::uint32_t b) noexcept {
        if ((b & 0x8) && (b & 0x20)) {
            return flag_rule{scode::invalid_parameter,
                             "SERVICE_PRIMARY_IDENTITY and SERVICE_NO_PRIMARY_IDENTITY exclude each other",
                             "keep exactly one of them",
                             &compile_time_errors::invalid_flag_combination_SERVICE_PRIMARY_IDENTITY_and_SERVICE_NO_PRIMARY_IDENTITY_exclude_each_other};
        }
        return std::nullopt;
    }
};

// ---------------------------------------------------------------------------------------------
/// IMAPISupport::SpoolerNotify ulFlags.
enum class spooler_notify : std::uint32_t {
    newmail = 0x00000001,           ///< NOTIFY_NEWMAIL
    readytosend = 0x00000002,       ///< NOTIFY_READYTOSEND
    sentdeferred = 0x00000004,      ///< NOTIFY_SENTDEFERRED
    critsec = 0x00001000,           ///< NOTIFY_CRITSEC
    noncrit = 0x00002000,           ///< NOTIFY_NONCRIT
    config_change = 0x00004000,     ///< NOTIFY_CONFIG_CHANGE
    critical_error = 0x10000000,    ///< NOTIFY_CRITICAL_ERROR
    newmail_received = 0x20000000,  ///< NOTIFY_NEWMAIL_RECEIVED
};
template <>
struct flag_traits<spooler_notify> {
    static constexpr std::string_view family = "SpoolerNotify flags";
    static constexpr std::array names{
        flag_name<spooler_notify>{spooler_notify::newmail, "NOTIFY_NEWMAIL"},
        flag_name<spooler_notify>{spooler_notify::readytosend, "NOTIFY_READYTOSEND"},
        flag_name<spooler_notify>{spooler_notify::sentdeferred, "NOTIFY_SENTDEFERRED"},
        flag_name<spooler_notify>{spooler_notify::critsec, "NOTIFY_CRITSEC"},
        flag_name<spooler_notify>{spooler_notify::noncrit, "NOTIFY_NONCRIT"},
        flag_name<spooler_notify>{spooler_notify::config_change, "NOTIFY_CONFIG_CHANGE"},
        flag_name<spooler_notify>{spooler_notify::critical_error, "NOTIFY_CRITICAL_ERROR"},
        flag_name<spooler_notify>{spooler_notify::newmail_received, "NOTIFY_NEWMAIL_RECEIVED"},
    };
    static constexpr std::optional<flag_rule> check(std::uint32_t b) noexcept {
        if ((b & 0x4) && (b & 0x10000000)) {
            return flag_rule{scode::invalid_parameter,
                             "NOTIFY_SENTDEFERRED and NOTIFY_CRITICAL_ERROR exclude each other (both use lpvData)",
                             "send them in two calls",
                             &compile_time_errors::invalid_flag_combination_NOTIFY_SENTDEFERRED_and_NOTIFY_CRITICAL_ERROR_exclude_each_other};
        }
        if ((b & 0x1000) && (b & 0x2000)) {
            return flag_rule{scode::invalid_parameter,
                             "NOTIFY_CRITSEC and NOTIFY_NONCRIT exclude each other",
                             "enter and leave the critical section in two calls",
                             &compile_time_errors::invalid_flag_combination_NOTIFY_CRITSEC_and_NOTIFY_NONCRIT_exclude_each_other};
        }
        return std::nullopt;
    }
};

// ---------------------------------------------------------------------------------------------
/// IXPLogon::TransportNotify flags.
enum class transport_notify : std::uint32_t {
    begin_inbound = 0x00000001,         ///< NOTIFY_BEGIN_INBOUND
    begin_outbound = 0x00000002,        ///< NOTIFY_BEGIN_OUTBOUND
    begin_inbound_flush = 0x00000004,   ///< NOTIFY_BEGIN_INBOUND_FLUSH
    begin_outbound_flush = 0x00000008,  ///< NOTIFY_BEGIN_OUTBOUND_FLUSH
    end_inbound = 0x00010000,           ///< NOTIFY_END_INBOUND
    end_outbound = 0x00020000,          ///< NOTIFY_END_OUTBOUND
    end_inbound_flush = 0x00040000,     ///< NOTIFY_END_INBOUND_FLUSH
    end_outbound_flush = 0x00080000,    ///< NOTIFY_END_OUTBOUND_FLUSH
    abort_deferred = 0x40000000,        ///< NOTIFY_ABORT_DEFERRED
    cancel_message = 0x80000000,        ///< NOTIFY_CANCEL_MESSAGE
};
template <>
struct flag_traits<transport_notify> {
    static constexpr std::string_view family = "TransportNotify flags";
    static constexpr std::array names{
        flag_name<transport_notify>{transport_notify::begin_inbound, "NOTIFY_BEGIN_INBOUND"},
        flag_name<transport_notify>{transport_notify::begin_outbound, "NOTIFY_BEGIN_OUTBOUND"},
        flag_name<transport_notify>{transport_notify::begin_inbound_flush, "NOTIFY_BEGIN_INBOUND_FLUSH"},
        flag_name<transport_notify>{transport_notify::begin_outbound_flush, "NOTIFY_BEGIN_OUTBOUND_FLUSH"},
        flag_name<transport_notify>{transport_notify::end_inbound, "NOTIFY_END_INBOUND"},
        flag_name<transport_notify>{transport_notify::end_outbound, "NOTIFY_END_OUTBOUND"},
        flag_name<transport_notify>{transport_notify::end_inbound_flush, "NOTIFY_END_INBOUND_FLUSH"},
        flag_name<transport_notify>{transport_notify::end_outbound_flush, "NOTIFY_END_OUTBOUND_FLUSH"},
        flag_name<transport_notify>{transport_notify::abort_deferred, "NOTIFY_ABORT_DEFERRED"},
        flag_name<transport_notify>{transport_notify::cancel_message, "NOTIFY_CANCEL_MESSAGE"},
    };
    /// BEGIN and END of one direction exclude each other.
    static constexpr std::optional<flag_rule> check(std::uint32_t b) noexcept {
        for (std::uint32_t begin = 1; begin <= 8; begin <<= 1) {
            if ((b & begin) && (b & (begin << 16))) {
                return flag_rule{scode::invalid_parameter,
                                 "the BEGIN and END flags of one direction exclude each other",
                                 "send either the BEGIN or the END flag of each queue",
                             &compile_time_errors::invalid_flag_combination_BEGIN_and_END_of_one_direction_exclude_each_other};
            }
        }
        return std::nullopt;
    }
};

// ---------------------------------------------------------------------------------------------
/// IMAPIStatus::FlushQueues / IXPLogon::FlushQueues ulFlags.
enum class flush_flag : std::uint32_t {
    upload = 0x00000002,    ///< FLUSH_UPLOAD
    download = 0x00000004,  ///< FLUSH_DOWNLOAD
    force = 0x00000008,     ///< FLUSH_FORCE
    no_ui = 0x00000010,     ///< FLUSH_NO_UI
    async_ok = 0x00000020,  ///< FLUSH_ASYNC_OK
};
template <>
struct flag_traits<flush_flag> {
    static constexpr std::string_view family = "FlushQueues flags";
    static constexpr std::array names{
        flag_name<flush_flag>{flush_flag::upload, "FLUSH_UPLOAD"},
        flag_name<flush_flag>{flush_flag::download, "FLUSH_DOWNLOAD"},
        flag_name<flush_flag>{flush_flag::force, "FLUSH_FORCE"},
        flag_name<flush_flag>{flush_flag::no_ui, "FLUSH_NO_UI"},
        flag_name<flush_flag>{flush_flag::async_ok, "FLUSH_ASYNC_OK"},
    };
    static constexpr std::optional<flag_rule> check(std::uint32_t) noexcept { return std::nullopt; }
};

// ---------------------------------------------------------------------------------------------
/// IXPProvider::TransportLogon flags: inputs (no_*) and outputs (sp_*).
enum class transport_logon_flag : std::uint32_t {
    no_dialog = 0x00000001,    ///< LOGON_NO_DIALOG
    no_connect = 0x00000004,   ///< LOGON_NO_CONNECT
    no_inbound = 0x00000008,   ///< LOGON_NO_INBOUND
    no_outbound = 0x00000010,  ///< LOGON_NO_OUTBOUND
    sp_idle = 0x00010000,      ///< LOGON_SP_IDLE
    sp_poll = 0x00020000,      ///< LOGON_SP_POLL
    sp_resolve = 0x00040000,   ///< LOGON_SP_RESOLVE
    unicode = 0x80000000,      ///< MAPI_UNICODE
};
template <>
struct flag_traits<transport_logon_flag> {
    static constexpr std::string_view family = "TransportLogon flags";
    static constexpr std::array names{
        flag_name<transport_logon_flag>{transport_logon_flag::no_dialog, "LOGON_NO_DIALOG"},
        flag_name<transport_logon_flag>{transport_logon_flag::no_connect, "LOGON_NO_CONNECT"},
        flag_name<transport_logon_flag>{transport_logon_flag::no_inbound, "LOGON_NO_INBOUND"},
        flag_name<transport_logon_flag>{transport_logon_flag::no_outbound, "LOGON_NO_OUTBOUND"},
        flag_name<transport_logon_flag>{transport_logon_flag::sp_idle, "LOGON_SP_IDLE"},
        flag_name<transport_logon_flag>{transport_logon_flag::sp_poll, "LOGON_SP_POLL"},
        flag_name<transport_logon_flag>{transport_logon_flag::sp_resolve, "LOGON_SP_RESOLVE"},
        flag_name<transport_logon_flag>{transport_logon_flag::unicode, "MAPI_UNICODE"},
    };
    static constexpr std::optional<flag_rule> check(std::uint32_t) noexcept { return std::nullopt; }
};

// ---------------------------------------------------------------------------------------------
/// IXPLogon::EndMessage output flags (0 means the message was sent).
enum class end_message_flag : std::uint32_t {
    resend_now = 0x00010000,   ///< END_RESEND_NOW
    resend_later = 0x00020000, ///< END_RESEND_LATER
    dont_resend = 0x00040000,  ///< END_DONT_RESEND
};
template <>
struct flag_traits<end_message_flag> {
    static constexpr std::string_view family = "EndMessage flags";
    static constexpr std::array names{
        flag_name<end_message_flag>{end_message_flag::resend_now, "END_RESEND_NOW"},
        flag_name<end_message_flag>{end_message_flag::resend_later, "END_RESEND_LATER"},
        flag_name<end_message_flag>{end_message_flag::dont_resend, "END_DONT_RESEND"},
    };
    static constexpr std::optional<flag_rule> check(std::uint32_t b) noexcept {
        if (std::popcount(b & 0x70000u) > 1) {
            return flag_rule{scode::invalid_parameter,
                             "END_RESEND_NOW, END_RESEND_LATER and END_DONT_RESEND are alternatives",
                             "return at most one of them",
                             &compile_time_errors::invalid_flag_combination_END_RESEND_NOW_END_RESEND_LATER_END_DONT_RESEND_are_alternatives};
        }
        return std::nullopt;
    }
};

// ---------------------------------------------------------------------------------------------
/// PR_RESOURCE_METHODS bits: which IMAPIStatus methods a status object supports.
enum class resource_method : std::uint32_t {
    validate_state = 0x00000001,   ///< STATUS_VALIDATE_STATE
    settings_dialog = 0x00000002,  ///< STATUS_SETTINGS_DIALOG
    change_password = 0x00000004,  ///< STATUS_CHANGE_PASSWORD
    flush_queues = 0x00000008,     ///< STATUS_FLUSH_QUEUES
};
template <>
struct flag_traits<resource_method> {
    static constexpr std::string_view family = "PR_RESOURCE_METHODS bits";
    static constexpr std::array names{
        flag_name<resource_method>{resource_method::validate_state, "STATUS_VALIDATE_STATE"},
        flag_name<resource_method>{resource_method::settings_dialog, "STATUS_SETTINGS_DIALOG"},
        flag_name<resource_method>{resource_method::change_password, "STATUS_CHANGE_PASSWORD"},
        flag_name<resource_method>{resource_method::flush_queues, "STATUS_FLUSH_QUEUES"},
    };
    static constexpr std::optional<flag_rule> check(std::uint32_t) noexcept { return std::nullopt; }
};

// ---------------------------------------------------------------------------------------------
/// IMAPIStatus::ValidateState / IXPLogon::ValidateState ulFlags.
enum class validate_flag : std::uint32_t {
    suppress_ui = 0x00000001,                ///< SUPPRESS_UI
    refresh_xp_header_cache = 0x00010000,    ///< REFRESH_XP_HEADER_CACHE
    process_xp_header_cache = 0x00020000,    ///< PROCESS_XP_HEADER_CACHE
    force_xp_connect = 0x00040000,           ///< FORCE_XP_CONNECT
    force_xp_disconnect = 0x00080000,        ///< FORCE_XP_DISCONNECT
    config_changed = 0x00100000,             ///< CONFIG_CHANGED
    abort_xp_header_operation = 0x00200000,  ///< ABORT_XP_HEADER_OPERATION
    show_xp_session_ui = 0x00400000,         ///< SHOW_XP_SESSION_UI
};
template <>
struct flag_traits<validate_flag> {
    static constexpr std::string_view family = "ValidateState flags";
    static constexpr std::array names{
        flag_name<validate_flag>{validate_flag::suppress_ui, "SUPPRESS_UI"},
        flag_name<validate_flag>{validate_flag::refresh_xp_header_cache, "REFRESH_XP_HEADER_CACHE"},
        flag_name<validate_flag>{validate_flag::process_xp_header_cache, "PROCESS_XP_HEADER_CACHE"},
        flag_name<validate_flag>{validate_flag::force_xp_connect, "FORCE_XP_CONNECT"},
        flag_name<validate_flag>{validate_flag::force_xp_disconnect, "FORCE_XP_DISCONNECT"},
        flag_name<validate_flag>{validate_flag::config_changed, "CONFIG_CHANGED"},
        flag_name<validate_flag>{validate_flag::abort_xp_header_operation, "ABORT_XP_HEADER_OPERATION"},
        flag_name<validate_flag>{validate_flag::show_xp_session_ui, "SHOW_XP_SESSION_UI"},
    };
    static constexpr std::optional<flag_rule> check(std::uint32_t b) noexcept {
        if ((b & 0x40000) && (b & 0x80000)) {
            return flag_rule{scode::invalid_parameter,
                             "FORCE_XP_CONNECT and FORCE_XP_DISCONNECT exclude each other",
                             "pass one of them",
                             &compile_time_errors::invalid_flag_combination_FORCE_XP_CONNECT_and_FORCE_XP_DISCONNECT_exclude_each_other};
        }
        return std::nullopt;
    }
};

// ---------------------------------------------------------------------------------------------
/// PR_RESOURCE_TYPE: exactly one value per object (not flags).
enum class resource_type : std::uint32_t {
    store_provider = 33,      ///< MAPI_STORE_PROVIDER
    ab = 34,                  ///< MAPI_AB
    ab_provider = 35,         ///< MAPI_AB_PROVIDER
    transport_provider = 36,  ///< MAPI_TRANSPORT_PROVIDER
    spooler = 37,             ///< MAPI_SPOOLER
    profile_provider = 38,    ///< MAPI_PROFILE_PROVIDER
    subsystem = 39,           ///< MAPI_SUBSYSTEM
    hook_provider = 40,       ///< MAPI_HOOK_PROVIDER
};

/// The SDK name of a resource type (`"MAPI_STORE_PROVIDER"`), or empty for an unknown value.
[[nodiscard]] constexpr std::string_view sdk_name(resource_type t) noexcept {
    switch (t) {
    case resource_type::store_provider: return "MAPI_STORE_PROVIDER";
    case resource_type::ab: return "MAPI_AB";
    case resource_type::ab_provider: return "MAPI_AB_PROVIDER";
    case resource_type::transport_provider: return "MAPI_TRANSPORT_PROVIDER";
    case resource_type::spooler: return "MAPI_SPOOLER";
    case resource_type::profile_provider: return "MAPI_PROFILE_PROVIDER";
    case resource_type::subsystem: return "MAPI_SUBSYSTEM";
    case resource_type::hook_provider: return "MAPI_HOOK_PROVIDER";
    }
    return {};
}

/// PR_OBJECT_TYPE values used by the session side.
enum class object_type : std::uint32_t {
    store = 0x1,      ///< MAPI_STORE
    addrbook = 0x2,   ///< MAPI_ADDRBOOK
    folder = 0x3,     ///< MAPI_FOLDER
    abcont = 0x4,     ///< MAPI_ABCONT
    message = 0x5,    ///< MAPI_MESSAGE
    mailuser = 0x6,   ///< MAPI_MAILUSER
    attach = 0x7,     ///< MAPI_ATTACH
    distlist = 0x8,   ///< MAPI_DISTLIST
    profsect = 0x9,   ///< MAPI_PROFSECT
    status = 0xA,     ///< MAPI_STATUS
    session = 0xB,    ///< MAPI_SESSION
    forminfo = 0xC,   ///< MAPI_FORMINFO
};

/// MSGSERVICEENTRY ulContext: why a message service's entry point is called.
enum class service_context : std::uint32_t {
    install = 1,          ///< MSG_SERVICE_INSTALL
    create = 2,           ///< MSG_SERVICE_CREATE
    configure = 3,        ///< MSG_SERVICE_CONFIGURE
    remove = 4,           ///< MSG_SERVICE_DELETE
    uninstall = 5,        ///< MSG_SERVICE_UNINSTALL
    provider_create = 6,  ///< MSG_SERVICE_PROVIDER_CREATE
    provider_delete = 7,  ///< MSG_SERVICE_PROVIDER_DELETE
};

/// Short names for the sets, handy where a member is itself called `flags`.
using init_flags = flags<init_flag>;
using logon_flags = flags<logon_flag>;
using logoff_flags = flags<logoff_flag>;
using status_codes = flags<status_code>;
using resource_flags = flags<resource_flag>;
using service_flags = flags<service_flag>;
using spooler_notify_flags = flags<spooler_notify>;
using transport_notify_flags = flags<transport_notify>;
using flush_flags = flags<flush_flag>;
using transport_logon_flags = flags<transport_logon_flag>;
using end_message_flags = flags<end_message_flag>;
using resource_methods = flags<resource_method>;
using validate_flags = flags<validate_flag>;

/// Well-known numbers that are not flag families.
namespace constants {
inline constexpr std::uint32_t mapi_init_version = 0;          ///< MAPI_INIT_VERSION
inline constexpr std::uint32_t mapi_error_version = 0;         ///< MAPI_ERROR_VERSION
inline constexpr std::uint32_t statusrow_update = 0x10000000;  ///< STATUSROW_UPDATE
inline constexpr std::uint32_t begin_deferred = 0x00000001;    ///< BEGIN_DEFERRED
inline constexpr std::uint32_t mapi_modify = 0x00000001;       ///< MAPI_MODIFY
inline constexpr std::uint32_t mapi_force_access = 0x00080000; ///< MAPI_FORCE_ACCESS (in no header)
inline constexpr std::uint32_t mapi_default_services = 0x1;    ///< MAPI_DEFAULT_SERVICES
inline constexpr std::uint32_t logon_no_dialog = 0x1;          ///< LOGON_NO_DIALOG / MDB_NO_DIALOG / AB_NO_DIALOG
inline constexpr std::uint32_t mdb_no_mail = 0x80;             ///< MDB_NO_MAIL
inline constexpr std::uint32_t current_spi_version = 0x00010010;  ///< CURRENT_SPI_VERSION (PDK3)
inline constexpr std::uint32_t pdk1_spi_version = 0x00010000;     ///< PDK1_SPI_VERSION
inline constexpr std::uint32_t pdk2_spi_version = 0x00010008;     ///< PDK2_SPI_VERSION
inline constexpr std::uint32_t pdk3_spi_version = 0x00010010;     ///< PDK3_SPI_VERSION
inline constexpr std::uint32_t mapi_simple_default = 0x00001009;  ///< MAPI_SIMPLE_DEFAULT
inline constexpr std::uint32_t mapi_simple_explicit = 0x00001012; ///< MAPI_SIMPLE_EXPLICIT
} // namespace constants

/// The logon flags a Windows-service client passes: MAPI_EXTENDED | MAPI_NT_SERVICE |
/// MAPI_NO_MAIL | MAPI_NEW_SESSION | MAPI_EXPLICIT_PROFILE (0x00018032).
inline constexpr flags<logon_flag> service_logon_flags = logon_flag::extended | logon_flag::nt_service |
                                                         logon_flag::no_mail | logon_flag::new_session |
                                                         logon_flag::explicit_profile;
static_assert(service_logon_flags.bits() == 0x00018032u);
static_assert(!broken_rule(service_logon_flags).has_value());

} // namespace mapixx::inline v0

#endif
