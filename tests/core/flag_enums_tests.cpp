// SPDX-License-Identifier: MIT
// Tests of mapixx/core/flag_enums.hpp: every family's values and SDK names against the numbers
// of shared/docs/MAPI-REFERENCE.md (typed from the document, never read from the enums), the
// rules between flags of each family, the value enums and the constants.
#include <mapixx/core/flag_enums.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>  // doctest prints std::error_code and std::string_view through it
#include <string>
#include <string_view>
#include <utility>

namespace flag_enums_tests {

using namespace mapixx;

namespace {

template <class E>
struct expected_flag {
    E value;
    std::uint32_t bits;
    std::string_view sdk_name;
};

// Checks one family: every listed enumerator has the documented value and SDK name, the list has
// as many entries as the family has enumerators, and together they are all the family's bits.
template <class E, std::size_t N>
void check_family(const expected_flag<E> (&expected)[N]) {
    INFO(flag_traits<E>::family);
    CHECK(N == flag_traits<E>::names.size());
    std::uint32_t all = 0;
    for (const auto& e : expected) {
        INFO(e.sdk_name);
        CHECK(static_cast<std::uint32_t>(e.value) == e.bits);
        CHECK(sdk_name(e.value) == e.sdk_name);
        all |= e.bits;
    }
    CHECK(flags<E>::known == all);
}

template <class E>
std::optional<scode> rule_code(flags<E> f) {
    auto r = broken_rule(f);
    return r ? std::optional<scode>(r->code) : std::nullopt;
}

template <class E>
std::string rule_text(flags<E> f) {
    auto r = broken_rule(f);
    return r ? std::string(r->rule) : std::string();
}

} // namespace

TEST_SUITE("flag_enums") {

// ----- values ----------------------------------------------------------------------------------

TEST_CASE("init_flag has the MAPIINIT_0 values of MAPI-REFERENCE 2.1") {
    check_family<init_flag>({
        {init_flag::multithread_notifications, 0x00000001, "MAPI_MULTITHREAD_NOTIFICATIONS"},
        {init_flag::no_coinit, 0x00000008, "MAPI_NO_COINIT"},
        {init_flag::nt_service, 0x00010000, "MAPI_NT_SERVICE"},
    });
}

TEST_CASE("logon_flag has the MAPILogonEx values of MAPI-REFERENCE 3.2") {
    check_family<logon_flag>({
        {logon_flag::logon_ui, 0x00000001, "MAPI_LOGON_UI"},
        {logon_flag::new_session, 0x00000002, "MAPI_NEW_SESSION"},
        {logon_flag::app_profile, 0x00000004, "MAPI_APP_PROFILE"},
        {logon_flag::allow_others, 0x00000008, "MAPI_ALLOW_OTHERS"},
        {logon_flag::explicit_profile, 0x00000010, "MAPI_EXPLICIT_PROFILE"},
        {logon_flag::extended, 0x00000020, "MAPI_EXTENDED"},
        {logon_flag::use_default, 0x00000040, "MAPI_USE_DEFAULT"},
        {logon_flag::force_download, 0x00001000, "MAPI_FORCE_DOWNLOAD"},
        {logon_flag::service_ui_always, 0x00002000, "MAPI_SERVICE_UI_ALWAYS"},
        {logon_flag::no_mail, 0x00008000, "MAPI_NO_MAIL"},
        {logon_flag::nt_service, 0x00010000, "MAPI_NT_SERVICE"},
        {logon_flag::password_ui, 0x00020000, "MAPI_PASSWORD_UI"},
        {logon_flag::timeout_short, 0x00100000, "MAPI_TIMEOUT_SHORT"},
        {logon_flag::bg_session, 0x00200000, "MAPI_BG_SESSION"},
        {logon_flag::unicode, 0x80000000, "MAPI_UNICODE"},
    });
}

TEST_CASE("logoff_flag has the Logoff values of MAPI-REFERENCE 4.4") {
    check_family<logoff_flag>({
        {logoff_flag::shared, 0x00000001, "MAPI_LOGOFF_SHARED"},
        {logoff_flag::ui, 0x00000002, "MAPI_LOGOFF_UI"},
    });
}

TEST_CASE("status_code has the PR_STATUS_CODE bits of MAPI-REFERENCE 8.1") {
    check_family<status_code>({
        {status_code::available, 0x00000001, "STATUS_AVAILABLE"},
        {status_code::offline, 0x00000002, "STATUS_OFFLINE"},
        {status_code::failure, 0x00000004, "STATUS_FAILURE"},
        {status_code::inbound_enabled, 0x00010000, "STATUS_INBOUND_ENABLED"},
        {status_code::inbound_active, 0x00020000, "STATUS_INBOUND_ACTIVE"},
        {status_code::inbound_flush, 0x00040000, "STATUS_INBOUND_FLUSH"},
        {status_code::outbound_enabled, 0x00100000, "STATUS_OUTBOUND_ENABLED"},
        {status_code::outbound_active, 0x00200000, "STATUS_OUTBOUND_ACTIVE"},
        {status_code::outbound_flush, 0x00400000, "STATUS_OUTBOUND_FLUSH"},
        {status_code::remote_access, 0x00800000, "STATUS_REMOTE_ACCESS"},
    });
}

TEST_CASE("resource_flag has the provider PR_RESOURCE_FLAGS values of MAPI-REFERENCE 6.3") {
    check_family<resource_flag>({
        {resource_flag::default_outbound, 0x00000001, "STATUS_DEFAULT_OUTBOUND"},
        {resource_flag::default_store, 0x00000002, "STATUS_DEFAULT_STORE"},
        {resource_flag::primary_identity, 0x00000004, "STATUS_PRIMARY_IDENTITY"},
        {resource_flag::simple_store, 0x00000008, "STATUS_SIMPLE_STORE"},
        {resource_flag::xp_prefer_last, 0x00000010, "STATUS_XP_PREFER_LAST"},
        {resource_flag::no_primary_identity, 0x00000020, "STATUS_NO_PRIMARY_IDENTITY"},
        {resource_flag::no_default_store, 0x00000040, "STATUS_NO_DEFAULT_STORE"},
        {resource_flag::temp_section, 0x00000080, "STATUS_TEMP_SECTION"},
        {resource_flag::own_store, 0x00000100, "STATUS_OWN_STORE"},
        {resource_flag::hook_inbound, 0x00000200, "HOOK_INBOUND"},
        {resource_flag::hook_outbound, 0x00000400, "HOOK_OUTBOUND"},
        {resource_flag::need_ipm_tree, 0x00000800, "STATUS_NEED_IPM_TREE"},
        {resource_flag::primary_store, 0x00001000, "STATUS_PRIMARY_STORE"},
        {resource_flag::secondary_store, 0x00002000, "STATUS_SECONDARY_STORE"},
    });
}

TEST_CASE("service_flag has the service PR_RESOURCE_FLAGS values of MAPI-REFERENCE 6.3") {
    check_family<service_flag>({
        {service_flag::default_store, 0x00000001, "SERVICE_DEFAULT_STORE"},
        {service_flag::single_copy, 0x00000002, "SERVICE_SINGLE_COPY"},
        {service_flag::create_with_store, 0x00000004, "SERVICE_CREATE_WITH_STORE"},
        {service_flag::primary_identity, 0x00000008, "SERVICE_PRIMARY_IDENTITY"},
        {service_flag::no_primary_identity, 0x00000020, "SERVICE_NO_PRIMARY_IDENTITY"},
    });
}

TEST_CASE("spooler_notify has the SpoolerNotify values of MAPI-REFERENCE 7.4") {
    check_family<spooler_notify>({
        {spooler_notify::newmail, 0x00000001, "NOTIFY_NEWMAIL"},
        {spooler_notify::readytosend, 0x00000002, "NOTIFY_READYTOSEND"},
        {spooler_notify::sentdeferred, 0x00000004, "NOTIFY_SENTDEFERRED"},
        {spooler_notify::critsec, 0x00001000, "NOTIFY_CRITSEC"},
        {spooler_notify::noncrit, 0x00002000, "NOTIFY_NONCRIT"},
        {spooler_notify::config_change, 0x00004000, "NOTIFY_CONFIG_CHANGE"},
        {spooler_notify::critical_error, 0x10000000, "NOTIFY_CRITICAL_ERROR"},
        {spooler_notify::newmail_received, 0x20000000, "NOTIFY_NEWMAIL_RECEIVED"},
    });
}

TEST_CASE("transport_notify has the TransportNotify values of MAPI-REFERENCE 7.3") {
    check_family<transport_notify>({
        {transport_notify::begin_inbound, 0x00000001, "NOTIFY_BEGIN_INBOUND"},
        {transport_notify::begin_outbound, 0x00000002, "NOTIFY_BEGIN_OUTBOUND"},
        {transport_notify::begin_inbound_flush, 0x00000004, "NOTIFY_BEGIN_INBOUND_FLUSH"},
        {transport_notify::begin_outbound_flush, 0x00000008, "NOTIFY_BEGIN_OUTBOUND_FLUSH"},
        {transport_notify::end_inbound, 0x00010000, "NOTIFY_END_INBOUND"},
        {transport_notify::end_outbound, 0x00020000, "NOTIFY_END_OUTBOUND"},
        {transport_notify::end_inbound_flush, 0x00040000, "NOTIFY_END_INBOUND_FLUSH"},
        {transport_notify::end_outbound_flush, 0x00080000, "NOTIFY_END_OUTBOUND_FLUSH"},
        {transport_notify::abort_deferred, 0x40000000, "NOTIFY_ABORT_DEFERRED"},
        {transport_notify::cancel_message, 0x80000000, "NOTIFY_CANCEL_MESSAGE"},
    });
}

TEST_CASE("flush_flag has the FlushQueues values of MAPI-REFERENCE 8.3") {
    check_family<flush_flag>({
        {flush_flag::upload, 0x00000002, "FLUSH_UPLOAD"},
        {flush_flag::download, 0x00000004, "FLUSH_DOWNLOAD"},
        {flush_flag::force, 0x00000008, "FLUSH_FORCE"},
        {flush_flag::no_ui, 0x00000010, "FLUSH_NO_UI"},
        {flush_flag::async_ok, 0x00000020, "FLUSH_ASYNC_OK"},
    });
}

TEST_CASE("transport_logon_flag has the TransportLogon values of MAPI-REFERENCE 7.2") {
    check_family<transport_logon_flag>({
        {transport_logon_flag::no_dialog, 0x00000001, "LOGON_NO_DIALOG"},
        {transport_logon_flag::no_connect, 0x00000004, "LOGON_NO_CONNECT"},
        {transport_logon_flag::no_inbound, 0x00000008, "LOGON_NO_INBOUND"},
        {transport_logon_flag::no_outbound, 0x00000010, "LOGON_NO_OUTBOUND"},
        {transport_logon_flag::sp_idle, 0x00010000, "LOGON_SP_IDLE"},
        {transport_logon_flag::sp_poll, 0x00020000, "LOGON_SP_POLL"},
        {transport_logon_flag::sp_resolve, 0x00040000, "LOGON_SP_RESOLVE"},
        {transport_logon_flag::unicode, 0x80000000, "MAPI_UNICODE"},
    });
}

TEST_CASE("end_message_flag has the EndMessage values of MAPI-REFERENCE 7.3") {
    check_family<end_message_flag>({
        {end_message_flag::resend_now, 0x00010000, "END_RESEND_NOW"},
        {end_message_flag::resend_later, 0x00020000, "END_RESEND_LATER"},
        {end_message_flag::dont_resend, 0x00040000, "END_DONT_RESEND"},
    });
}

TEST_CASE("resource_method has the PR_RESOURCE_METHODS bits of MAPI-REFERENCE 8.2") {
    check_family<resource_method>({
        {resource_method::validate_state, 0x00000001, "STATUS_VALIDATE_STATE"},
        {resource_method::settings_dialog, 0x00000002, "STATUS_SETTINGS_DIALOG"},
        {resource_method::change_password, 0x00000004, "STATUS_CHANGE_PASSWORD"},
        {resource_method::flush_queues, 0x00000008, "STATUS_FLUSH_QUEUES"},
    });
}

TEST_CASE("validate_flag has the ValidateState values of MAPI-REFERENCE 8.3") {
    check_family<validate_flag>({
        {validate_flag::suppress_ui, 0x00000001, "SUPPRESS_UI"},
        {validate_flag::refresh_xp_header_cache, 0x00010000, "REFRESH_XP_HEADER_CACHE"},
        {validate_flag::process_xp_header_cache, 0x00020000, "PROCESS_XP_HEADER_CACHE"},
        {validate_flag::force_xp_connect, 0x00040000, "FORCE_XP_CONNECT"},
        {validate_flag::force_xp_disconnect, 0x00080000, "FORCE_XP_DISCONNECT"},
        {validate_flag::config_changed, 0x00100000, "CONFIG_CHANGED"},
        {validate_flag::abort_xp_header_operation, 0x00200000, "ABORT_XP_HEADER_OPERATION"},
        {validate_flag::show_xp_session_ui, 0x00400000, "SHOW_XP_SESSION_UI"},
    });
}

TEST_CASE("resource_type has the PR_RESOURCE_TYPE values of MAPI-REFERENCE 6.4") {
    struct row {
        resource_type value;
        std::uint32_t number;
        std::string_view name;
    };
    const row rows[] = {
        {resource_type::store_provider, 33, "MAPI_STORE_PROVIDER"},
        {resource_type::ab, 34, "MAPI_AB"},
        {resource_type::ab_provider, 35, "MAPI_AB_PROVIDER"},
        {resource_type::transport_provider, 36, "MAPI_TRANSPORT_PROVIDER"},
        {resource_type::spooler, 37, "MAPI_SPOOLER"},
        {resource_type::profile_provider, 38, "MAPI_PROFILE_PROVIDER"},
        {resource_type::subsystem, 39, "MAPI_SUBSYSTEM"},
        {resource_type::hook_provider, 40, "MAPI_HOOK_PROVIDER"},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        CHECK(static_cast<std::uint32_t>(r.value) == r.number);
        CHECK(sdk_name(r.value) == r.name);
    }
    CHECK(sdk_name(static_cast<resource_type>(41)).empty());
    CHECK(sdk_name(static_cast<resource_type>(32)).empty());
}

TEST_CASE("object_type has the PR_OBJECT_TYPE values of MAPI-REFERENCE 6.4 and mapidefs.h") {
    // 6.4 gives MAPI_PROFSECT, MAPI_STATUS and MAPI_SESSION; the others are from mapidefs.h.
    CHECK(static_cast<std::uint32_t>(object_type::profsect) == 9u);
    CHECK(static_cast<std::uint32_t>(object_type::status) == 0xAu);
    CHECK(static_cast<std::uint32_t>(object_type::session) == 0xBu);
    CHECK(static_cast<std::uint32_t>(object_type::store) == 0x1u);
    CHECK(static_cast<std::uint32_t>(object_type::addrbook) == 0x2u);
    CHECK(static_cast<std::uint32_t>(object_type::folder) == 0x3u);
    CHECK(static_cast<std::uint32_t>(object_type::abcont) == 0x4u);
    CHECK(static_cast<std::uint32_t>(object_type::message) == 0x5u);
    CHECK(static_cast<std::uint32_t>(object_type::mailuser) == 0x6u);
    CHECK(static_cast<std::uint32_t>(object_type::attach) == 0x7u);
    CHECK(static_cast<std::uint32_t>(object_type::distlist) == 0x8u);
    CHECK(static_cast<std::uint32_t>(object_type::forminfo) == 0xCu);
}

TEST_CASE("service_context has the MSGSERVICEENTRY ulContext values of MAPI-REFERENCE 6.6") {
    CHECK(static_cast<std::uint32_t>(service_context::install) == 1u);
    CHECK(static_cast<std::uint32_t>(service_context::create) == 2u);
    CHECK(static_cast<std::uint32_t>(service_context::configure) == 3u);
    CHECK(static_cast<std::uint32_t>(service_context::remove) == 4u);
    CHECK(static_cast<std::uint32_t>(service_context::uninstall) == 5u);
    CHECK(static_cast<std::uint32_t>(service_context::provider_create) == 6u);
    CHECK(static_cast<std::uint32_t>(service_context::provider_delete) == 7u);
}

TEST_CASE("the constants have the values MAPI-REFERENCE gives them") {
    CHECK(constants::mapi_init_version == 0u);             // 2.1
    CHECK(constants::mapi_error_version == 0u);            // 4.5
    CHECK(constants::statusrow_update == 0x10000000u);     // 7.4
    CHECK(constants::begin_deferred == 0x00000001u);       // 7.3
    CHECK(constants::mapi_modify == 0x00000001u);          // 4.3
    CHECK(constants::mapi_force_access == 0x00080000u);    // 4.3 (in no header)
    CHECK(constants::mapi_default_services == 0x1u);       // 6.5
    CHECK(constants::logon_no_dialog == 0x1u);             // 4.2
    CHECK(constants::mdb_no_mail == 0x80u);                // 3.5
    CHECK(constants::current_spi_version == 0x00010010u);  // 7.2
    CHECK(constants::pdk1_spi_version == 0x00010000u);     // 7.2
    CHECK(constants::pdk2_spi_version == 0x00010008u);     // 7.2
    CHECK(constants::pdk3_spi_version == 0x00010010u);     // 7.2
    CHECK(constants::mapi_simple_default == 0x00001009u);  // 3.2
    CHECK(constants::mapi_simple_explicit == 0x00001012u); // 3.2
}

TEST_CASE("the composite logon constants are the documented or of their flags") {
    CHECK((logon_flag::logon_ui | logon_flag::force_download | logon_flag::allow_others).bits() ==
          constants::mapi_simple_default);
    CHECK((logon_flag::new_session | logon_flag::force_download | logon_flag::explicit_profile).bits() ==
          constants::mapi_simple_explicit);
}

TEST_CASE("service_logon_flags is extended nt_service no_mail new_session explicit_profile 0x18032") {
    CHECK(service_logon_flags.bits() == 0x00018032u);
    CHECK(service_logon_flags.has(logon_flag::nt_service));
    CHECK(service_logon_flags.has(logon_flag::no_mail));
    CHECK(service_logon_flags.has(logon_flag::extended));
    CHECK(service_logon_flags.has(logon_flag::new_session));
    CHECK(service_logon_flags.has(logon_flag::explicit_profile));
    CHECK_FALSE(service_logon_flags.any_of(logon_flag::logon_ui | logon_flag::password_ui |
                                           logon_flag::service_ui_always));
    CHECK_FALSE(broken_rule(service_logon_flags).has_value());
}

// ----- rules ---------------------------------------------------------------------------------

TEST_CASE("logon flags allow only one of MAPI_LOGON_UI and MAPI_PASSWORD_UI") {
    const auto f = logon_flag::logon_ui | logon_flag::password_ui;
    CHECK(rule_code(f) == scode::invalid_parameter);
    CHECK(rule_text(f).find("only one UI-enabling flag") != std::string::npos);
    CHECK(rule_code(f | logon_flag::extended) == scode::invalid_parameter);
    CHECK_FALSE(broken_rule(logon_flag::logon_ui | logon_flag::extended).has_value());
    CHECK_FALSE(broken_rule(logon_flag::password_ui | logon_flag::extended).has_value());
    // DESIGN.md names only LOGON_UI with PASSWORD_UI; SERVICE_UI_ALWAYS may go with LOGON_UI.
    CHECK_FALSE(broken_rule(logon_flag::logon_ui | logon_flag::service_ui_always).has_value());
}

TEST_CASE("a service logon with MAPI_LOGON_UI breaks the no-UI rule") {
    const auto f = logon_flag::nt_service | logon_flag::no_mail | logon_flag::logon_ui;
    CHECK(rule_code(f) == scode::invalid_parameter);
    CHECK(rule_text(f).find("may show no user interface") != std::string::npos);
}

TEST_CASE("a service logon with MAPI_PASSWORD_UI breaks the no-UI rule") {
    const auto f = logon_flag::nt_service | logon_flag::no_mail | logon_flag::password_ui;
    CHECK(rule_code(f) == scode::invalid_parameter);
    CHECK(rule_text(f).find("may show no user interface") != std::string::npos);
}

TEST_CASE("a service logon with MAPI_SERVICE_UI_ALWAYS breaks the no-UI rule") {
    const auto f = logon_flag::nt_service | logon_flag::no_mail | logon_flag::service_ui_always;
    CHECK(rule_code(f) == scode::invalid_parameter);
    CHECK(rule_text(f).find("may show no user interface") != std::string::npos);
}

TEST_CASE("a service logon without MAPI_NO_MAIL breaks the no-mail rule") {
    CHECK(rule_code(flags<logon_flag>(logon_flag::nt_service)) == scode::invalid_parameter);
    const auto f = logon_flag::nt_service | logon_flag::extended | logon_flag::new_session;
    CHECK(rule_code(f) == scode::invalid_parameter);
    CHECK(rule_text(f).find("must also pass MAPI_NO_MAIL") != std::string::npos);
    CHECK_FALSE(broken_rule(logon_flag::nt_service | logon_flag::no_mail).has_value());
    // MAPI_NO_MAIL alone is fine for any client.
    CHECK_FALSE(broken_rule(logon_flag::no_mail | logon_flag::logon_ui).has_value());
}

TEST_CASE("check_rules of a bad logon set says which flags break which rule") {
    auto r = check_rules(logon_flag::nt_service | logon_flag::no_mail | logon_flag::logon_ui);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::invalid_parameter);
    CHECK(r.info().message.starts_with(
        "MAPILogonEx flags MAPI_LOGON_UI | MAPI_NO_MAIL | MAPI_NT_SERVICE break a rule: a Windows service"));
    CHECK(r.info().message.find("use service_logon_flags") != std::string::npos);
}

TEST_CASE("transport notify BEGIN and END of one direction exclude each other") {
    const std::pair<transport_notify, transport_notify> pairs[] = {
        {transport_notify::begin_inbound, transport_notify::end_inbound},
        {transport_notify::begin_outbound, transport_notify::end_outbound},
        {transport_notify::begin_inbound_flush, transport_notify::end_inbound_flush},
        {transport_notify::begin_outbound_flush, transport_notify::end_outbound_flush},
    };
    for (const auto& pair : pairs) {
        const transport_notify b = pair.first;
        const transport_notify e = pair.second;
        INFO(sdk_name(b));
        CHECK(rule_code(b | e) == scode::invalid_parameter);
        CHECK(rule_text(b | e).find("BEGIN and END") != std::string::npos);
        CHECK_FALSE(broken_rule(flags<transport_notify>(b)).has_value());
        CHECK_FALSE(broken_rule(flags<transport_notify>(e)).has_value());
    }
    // Different directions, and the documented pairs, are fine.
    CHECK_FALSE(broken_rule(transport_notify::begin_inbound | transport_notify::end_outbound).has_value());
    CHECK_FALSE(broken_rule(transport_notify::begin_inbound | transport_notify::begin_outbound).has_value());
    CHECK_FALSE(broken_rule(transport_notify::abort_deferred | transport_notify::cancel_message).has_value());
    CHECK_FALSE(broken_rule(transport_notify::end_inbound_flush | transport_notify::end_outbound_flush).has_value());
}

TEST_CASE("end message flags are alternatives") {
    CHECK(rule_code(end_message_flag::resend_now | end_message_flag::resend_later) == scode::invalid_parameter);
    CHECK(rule_code(end_message_flag::resend_now | end_message_flag::dont_resend) == scode::invalid_parameter);
    CHECK(rule_code(end_message_flag::resend_later | end_message_flag::dont_resend) == scode::invalid_parameter);
    CHECK(rule_code(end_message_flag::resend_now | end_message_flag::resend_later | end_message_flag::dont_resend) ==
          scode::invalid_parameter);
    CHECK(rule_text(end_message_flag::resend_now | end_message_flag::dont_resend).find("alternatives") !=
          std::string::npos);
    CHECK_FALSE(broken_rule(flags<end_message_flag>(end_message_flag::resend_later)).has_value());
    CHECK_FALSE(broken_rule(flags<end_message_flag>{}).has_value());
}

TEST_CASE("spooler notify NOTIFY_SENTDEFERRED and NOTIFY_CRITICAL_ERROR exclude each other") {
    const auto f = spooler_notify::sentdeferred | spooler_notify::critical_error;
    CHECK(rule_code(f) == scode::invalid_parameter);
    CHECK(rule_text(f).find("lpvData") != std::string::npos);
}

TEST_CASE("spooler notify NOTIFY_CRITSEC and NOTIFY_NONCRIT exclude each other") {
    const auto f = spooler_notify::critsec | spooler_notify::noncrit;
    CHECK(rule_code(f) == scode::invalid_parameter);
    CHECK(rule_text(f).find("NOTIFY_CRITSEC and NOTIFY_NONCRIT") != std::string::npos);
    CHECK_FALSE(broken_rule(spooler_notify::newmail | spooler_notify::readytosend).has_value());
    CHECK_FALSE(broken_rule(spooler_notify::critsec | spooler_notify::newmail).has_value());
}

TEST_CASE("resource flags of primary identity and no primary identity exclude each other") {
    const auto f = resource_flag::primary_identity | resource_flag::no_primary_identity;
    CHECK(rule_code(f) == scode::invalid_parameter);
    CHECK(rule_text(f).find("STATUS_PRIMARY_IDENTITY and STATUS_NO_PRIMARY_IDENTITY") != std::string::npos);
}

TEST_CASE("resource flags of default store and no default store exclude each other") {
    const auto f = resource_flag::default_store | resource_flag::no_default_store;
    CHECK(rule_code(f) == scode::invalid_parameter);
    CHECK(rule_text(f).find("STATUS_NO_DEFAULT_STORE") != std::string::npos);
    CHECK_FALSE(broken_rule(resource_flag::default_store | resource_flag::primary_identity |
                            resource_flag::own_store)
                    .has_value());
}

TEST_CASE("service flags of primary identity and no primary identity exclude each other") {
    const auto f = service_flag::primary_identity | service_flag::no_primary_identity;
    CHECK(rule_code(f) == scode::invalid_parameter);
    CHECK(rule_text(f).find("SERVICE_PRIMARY_IDENTITY and SERVICE_NO_PRIMARY_IDENTITY") != std::string::npos);
    CHECK_FALSE(broken_rule(service_flag::primary_identity | service_flag::single_copy).has_value());
}

TEST_CASE("validate flags FORCE_XP_CONNECT and FORCE_XP_DISCONNECT exclude each other") {
    const auto f = validate_flag::force_xp_connect | validate_flag::force_xp_disconnect;
    CHECK(rule_code(f) == scode::invalid_parameter);
    CHECK(rule_text(f).find("FORCE_XP_CONNECT and FORCE_XP_DISCONNECT") != std::string::npos);
    CHECK_FALSE(broken_rule(validate_flag::force_xp_connect | validate_flag::suppress_ui).has_value());
}

TEST_CASE("families without rules accept every combination of their defined bits") {
    CHECK_FALSE(broken_rule(flags<init_flag>::from_bits_unchecked(flags<init_flag>::known)).has_value());
    CHECK_FALSE(broken_rule(flags<logoff_flag>::from_bits_unchecked(flags<logoff_flag>::known)).has_value());
    CHECK_FALSE(broken_rule(flags<status_code>::from_bits_unchecked(flags<status_code>::known)).has_value());
    CHECK_FALSE(broken_rule(flags<flush_flag>::from_bits_unchecked(flags<flush_flag>::known)).has_value());
    CHECK_FALSE(broken_rule(flags<transport_logon_flag>::from_bits_unchecked(flags<transport_logon_flag>::known))
                    .has_value());
    CHECK_FALSE(broken_rule(flags<resource_method>::from_bits_unchecked(flags<resource_method>::known)).has_value());
}

TEST_CASE("every family reports bits it does not define as unknown_flags") {
    CHECK(rule_code(flags<init_flag>::from_bits_unchecked(0x4)) == scode::unknown_flags);
    CHECK(rule_code(flags<logon_flag>::from_bits_unchecked(0x80)) == scode::unknown_flags);
    CHECK(rule_code(flags<logoff_flag>::from_bits_unchecked(0x4)) == scode::unknown_flags);
    CHECK(rule_code(flags<status_code>::from_bits_unchecked(0x8)) == scode::unknown_flags);
    CHECK(rule_code(flags<resource_flag>::from_bits_unchecked(0x4000)) == scode::unknown_flags);
    CHECK(rule_code(flags<service_flag>::from_bits_unchecked(0x10)) == scode::unknown_flags);
    CHECK(rule_code(flags<spooler_notify>::from_bits_unchecked(0x8)) == scode::unknown_flags);
    CHECK(rule_code(flags<transport_notify>::from_bits_unchecked(0x10)) == scode::unknown_flags);
    CHECK(rule_code(flags<flush_flag>::from_bits_unchecked(0x1)) == scode::unknown_flags);
    CHECK(rule_code(flags<transport_logon_flag>::from_bits_unchecked(0x2)) == scode::unknown_flags);
    CHECK(rule_code(flags<end_message_flag>::from_bits_unchecked(0x1)) == scode::unknown_flags);
    CHECK(rule_code(flags<resource_method>::from_bits_unchecked(0x10)) == scode::unknown_flags);
    CHECK(rule_code(flags<validate_flag>::from_bits_unchecked(0x2)) == scode::unknown_flags);
}

TEST_CASE("the rules are checked at compile time for constant sets") {
    static_assert(broken_rule(logon_flag::logon_ui | logon_flag::password_ui)->code == scode::invalid_parameter);
    static_assert(broken_rule(transport_notify::begin_inbound | transport_notify::end_inbound).has_value());
    static_assert(!broken_rule(logon_flag::extended | logon_flag::new_session).has_value());
    constexpr checked_flags<transport_notify> on = transport_notify::begin_inbound | transport_notify::begin_outbound;
    CHECK(on.bits() == 0x3u);
}

} // TEST_SUITE

} // namespace flag_enums_tests
