// SPDX-License-Identifier: MIT
// Tests of mapixx/core/scode.hpp: values, severity, std::error_code interop, printing, lookup.
#include <mapixx/core/scode.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <iterator>
#include <ostream>  // doctest prints std::error_code and std::string_view through it
#include <set>
#include <string>
#include <string_view>
#include <system_error>

namespace scode_tests {

using namespace mapixx;

namespace {

struct expected_code {
    scode code;
    std::uint32_t value;        // typed from MAPI-REFERENCE, never read from the enum
    std::string_view sdk_name;  // the name the table prints
    std::string_view mapixx_name;
};

// Values typed from shared/docs/MAPI-REFERENCE.md section 1: SUCCESS_SUCCESS/hrSuccess = 0, the
// five COM aliases, and the table of "codes used in this sheet". The codes marked [hdr] are not
// in that table; their numbers are MAKE_MAPI_E(c) = 0x80040000 | c and MAKE_MAPI_S(c) =
// 0x00040000 | c (section 1) with c from mapicode.h, which section 0 names the authority for
// numbers. The ABI test (tests/abi) checks all of them against the SDK macros as well.
constexpr expected_code expected_codes[] = {
    {scode::success, 0x00000000u, "S_OK", "success"},
    // COM aliases (section 1).
    {scode::call_failed, 0x80004005u, "MAPI_E_CALL_FAILED", "call_failed"},
    {scode::not_enough_memory, 0x8007000Eu, "MAPI_E_NOT_ENOUGH_MEMORY", "not_enough_memory"},
    {scode::invalid_parameter, 0x80070057u, "MAPI_E_INVALID_PARAMETER", "invalid_parameter"},
    {scode::interface_not_supported, 0x80004002u, "MAPI_E_INTERFACE_NOT_SUPPORTED", "interface_not_supported"},
    {scode::no_access, 0x80070005u, "MAPI_E_NO_ACCESS", "no_access"},
    // The table of section 1.
    {scode::no_support, 0x80040102u, "MAPI_E_NO_SUPPORT", "no_support"},
    {scode::bad_charwidth, 0x80040103u, "MAPI_E_BAD_CHARWIDTH", "bad_charwidth"},
    {scode::string_too_long, 0x80040105u, "MAPI_E_STRING_TOO_LONG", "string_too_long"},
    {scode::unknown_flags, 0x80040106u, "MAPI_E_UNKNOWN_FLAGS", "unknown_flags"},
    {scode::invalid_entryid, 0x80040107u, "MAPI_E_INVALID_ENTRYID", "invalid_entryid"},
    {scode::invalid_object, 0x80040108u, "MAPI_E_INVALID_OBJECT", "invalid_object"},
    {scode::busy, 0x8004010Bu, "MAPI_E_BUSY", "busy"},
    {scode::not_enough_resources, 0x8004010Eu, "MAPI_E_NOT_ENOUGH_RESOURCES", "not_enough_resources"},
    {scode::not_found, 0x8004010Fu, "MAPI_E_NOT_FOUND", "not_found"},
    {scode::version, 0x80040110u, "MAPI_E_VERSION", "version"},
    {scode::logon_failed, 0x80040111u, "MAPI_E_LOGON_FAILED", "logon_failed"},
    {scode::session_limit, 0x80040112u, "MAPI_E_SESSION_LIMIT", "session_limit"},
    {scode::user_cancel, 0x80040113u, "MAPI_E_USER_CANCEL", "user_cancel"},
    {scode::network_error, 0x80040115u, "MAPI_E_NETWORK_ERROR", "network_error"},
    {scode::too_complex, 0x80040117u, "MAPI_E_TOO_COMPLEX", "too_complex"},
    {scode::extended_error, 0x80040119u, "MAPI_E_EXTENDED_ERROR", "extended_error"},
    {scode::unconfigured, 0x8004011Cu, "MAPI_E_UNCONFIGURED", "unconfigured"},
    {scode::failoneprovider, 0x8004011Du, "MAPI_E_FAILONEPROVIDER", "failoneprovider"},
    {scode::unknown_cpid, 0x8004011Eu, "MAPI_E_UNKNOWN_CPID", "unknown_cpid"},
    {scode::unknown_lcid, 0x8004011Fu, "MAPI_E_UNKNOWN_LCID", "unknown_lcid"},
    {scode::end_of_session, 0x80040200u, "MAPI_E_END_OF_SESSION", "end_of_session"},
    {scode::unknown_entryid, 0x80040201u, "MAPI_E_UNKNOWN_ENTRYID", "unknown_entryid"},
    {scode::w_no_service, 0x00040203u, "MAPI_W_NO_SERVICE", "w_no_service"},
    {scode::timeout, 0x80040401u, "MAPI_E_TIMEOUT", "timeout"},
    {scode::wait, 0x80040500u, "MAPI_E_WAIT", "wait"},
    {scode::cancel, 0x80040501u, "MAPI_E_CANCEL", "cancel"},
    {scode::not_me, 0x80040502u, "MAPI_E_NOT_ME", "not_me"},
    {scode::w_cancel_message, 0x00040580u, "MAPI_W_CANCEL_MESSAGE", "w_cancel_message"},
    {scode::not_initialized, 0x80040605u, "MAPI_E_NOT_INITIALIZED", "not_initialized"},
    {scode::w_errors_returned, 0x00040380u, "MAPI_W_ERRORS_RETURNED", "w_errors_returned"},
    // [hdr] MAKE_MAPI_E / MAKE_MAPI_S of the mapicode.h code numbers.
    {scode::object_changed, 0x80040109u, "MAPI_E_OBJECT_CHANGED", "object_changed"},
    {scode::object_deleted, 0x8004010Au, "MAPI_E_OBJECT_DELETED", "object_deleted"},
    {scode::not_enough_disk, 0x8004010Du, "MAPI_E_NOT_ENOUGH_DISK", "not_enough_disk"},
    {scode::unable_to_abort, 0x80040114u, "MAPI_E_UNABLE_TO_ABORT", "unable_to_abort"},
    {scode::disk_error, 0x80040116u, "MAPI_E_DISK_ERROR", "disk_error"},
    {scode::bad_column, 0x80040118u, "MAPI_E_BAD_COLUMN", "bad_column"},
    {scode::computed, 0x8004011Au, "MAPI_E_COMPUTED", "computed"},
    {scode::corrupt_data, 0x8004011Bu, "MAPI_E_CORRUPT_DATA", "corrupt_data"},
    {scode::password_change_required, 0x80040120u, "MAPI_E_PASSWORD_CHANGE_REQUIRED", "password_change_required"},
    {scode::password_expired, 0x80040121u, "MAPI_E_PASSWORD_EXPIRED", "password_expired"},
    {scode::invalid_workstation_account, 0x80040122u, "MAPI_E_INVALID_WORKSTATION_ACCOUNT",
     "invalid_workstation_account"},
    {scode::invalid_access_time, 0x80040123u, "MAPI_E_INVALID_ACCESS_TIME", "invalid_access_time"},
    {scode::account_disabled, 0x80040124u, "MAPI_E_ACCOUNT_DISABLED", "account_disabled"},
    {scode::missing_required_column, 0x80040202u, "MAPI_E_MISSING_REQUIRED_COLUMN", "missing_required_column"},
    {scode::bad_value, 0x80040301u, "MAPI_E_BAD_VALUE", "bad_value"},
    {scode::invalid_type, 0x80040302u, "MAPI_E_INVALID_TYPE", "invalid_type"},
    {scode::type_no_support, 0x80040303u, "MAPI_E_TYPE_NO_SUPPORT", "type_no_support"},
    {scode::unexpected_type, 0x80040304u, "MAPI_E_UNEXPECTED_TYPE", "unexpected_type"},
    {scode::too_big, 0x80040305u, "MAPI_E_TOO_BIG", "too_big"},
    {scode::decline_copy, 0x80040306u, "MAPI_E_DECLINE_COPY", "decline_copy"},
    {scode::unexpected_id, 0x80040307u, "MAPI_E_UNEXPECTED_ID", "unexpected_id"},
    {scode::unable_to_complete, 0x80040400u, "MAPI_E_UNABLE_TO_COMPLETE", "unable_to_complete"},
    {scode::table_empty, 0x80040402u, "MAPI_E_TABLE_EMPTY", "table_empty"},
    {scode::table_too_big, 0x80040403u, "MAPI_E_TABLE_TOO_BIG", "table_too_big"},
    {scode::invalid_bookmark, 0x80040405u, "MAPI_E_INVALID_BOOKMARK", "invalid_bookmark"},
    {scode::w_position_changed, 0x00040481u, "MAPI_W_POSITION_CHANGED", "w_position_changed"},
    {scode::w_approx_count, 0x00040482u, "MAPI_W_APPROX_COUNT", "w_approx_count"},
    {scode::corrupt_store, 0x80040600u, "MAPI_E_CORRUPT_STORE", "corrupt_store"},
    {scode::not_in_queue, 0x80040601u, "MAPI_E_NOT_IN_QUEUE", "not_in_queue"},
    {scode::no_suppress, 0x80040602u, "MAPI_E_NO_SUPPRESS", "no_suppress"},
    {scode::collision, 0x80040604u, "MAPI_E_COLLISION", "collision"},
    {scode::non_standard, 0x80040606u, "MAPI_E_NON_STANDARD", "non_standard"},
    {scode::no_recipients, 0x80040607u, "MAPI_E_NO_RECIPIENTS", "no_recipients"},
    {scode::submitted, 0x80040608u, "MAPI_E_SUBMITTED", "submitted"},
    {scode::has_folders, 0x80040609u, "MAPI_E_HAS_FOLDERS", "has_folders"},
    {scode::has_messages, 0x8004060Au, "MAPI_E_HAS_MESSAGES", "has_messages"},
    {scode::folder_cycle, 0x8004060Bu, "MAPI_E_FOLDER_CYCLE", "folder_cycle"},
    {scode::w_partial_completion, 0x00040680u, "MAPI_W_PARTIAL_COMPLETION", "w_partial_completion"},
    {scode::ambiguous_recip, 0x80040700u, "MAPI_E_AMBIGUOUS_RECIP", "ambiguous_recip"},
};

constexpr std::uint32_t u32(scode c) { return static_cast<std::uint32_t>(c); }

std::string message_of(scode c) { return std::error_code(c).message(); }

} // namespace

TEST_SUITE("scode") {

TEST_CASE("every scode enumerator has the value MAPI-REFERENCE gives it") {
    for (const auto& e : expected_codes) {
        INFO(e.sdk_name);
        CHECK(u32(e.code) == e.value);
    }
}

TEST_CASE("the expected list covers every code of the table exactly once") {
    CHECK(std::size(expected_codes) == all_scodes().size());
    std::set<std::uint32_t> seen;
    for (const auto& e : expected_codes) {
        INFO(e.sdk_name);
        CHECK(seen.insert(e.value).second);
        const scode_entry* row = find_scode(e.code);
        REQUIRE(row != nullptr);
        CHECK(row->name == e.sdk_name);
        CHECK(scode_name(e.code) == e.sdk_name);
    }
}

TEST_CASE("make_mapi_e and make_mapi_s build FACILITY_ITF codes as MAKE_MAPI_E and MAKE_MAPI_S do") {
    CHECK(make_mapi_e(0x112) == scode::session_limit);
    CHECK(make_mapi_e(0x605) == scode::not_initialized);
    CHECK(make_mapi_s(0x580) == scode::w_cancel_message);
    CHECK(make_mapi_s(0x203) == scode::w_no_service);
    static_assert(u32(make_mapi_e(0x106)) == 0x80040106u);
}

TEST_CASE("failed is true for every error and false for success and every warning") {
    for (const auto& e : expected_codes) {
        INFO(e.sdk_name);
        const bool is_error = e.sdk_name.starts_with("MAPI_E_");
        CHECK(failed(e.code) == is_error);
        CHECK(succeeded(e.code) == !is_error);
    }
    CHECK(succeeded(scode::success));
    CHECK_FALSE(failed(scode::success));
    CHECK(failed(scode::invalid_parameter));
    CHECK(failed(scode::call_failed));
}

TEST_CASE("w_cancel_message is a success code and not an error") {
    CHECK(succeeded(scode::w_cancel_message));
    CHECK_FALSE(failed(scode::w_cancel_message));
    CHECK(succeeded(scode::w_no_service));
    CHECK(succeeded(scode::w_errors_returned));
    static_assert(!failed(scode::w_cancel_message));
}

TEST_CASE("an scode converts implicitly to a std::error_code in the mapi category") {
    static_assert(std::is_error_code_enum_v<scode>);
    std::error_code ec = scode::session_limit;
    CHECK(ec.value() == static_cast<int>(0x80040112u));
    CHECK(ec.category() == mapi_category());
    CHECK(std::string_view(ec.category().name()) == "mapi");
    CHECK(ec == scode::session_limit);
    CHECK(ec != scode::logon_failed);
    CHECK(static_cast<bool>(ec));
    CHECK(to_scode(ec) == scode::session_limit);
    CHECK(make_error_code(scode::not_found) == std::error_code(scode::not_found));
}

TEST_CASE("to_scode gives success for an empty code and call_failed for another category") {
    CHECK(to_scode(std::error_code{}) == scode::success);
    CHECK(to_scode(std::make_error_code(std::errc::invalid_argument)) == scode::call_failed);
    CHECK(to_scode(make_error_code(scode::w_no_service)) == scode::w_no_service);
}

TEST_CASE("message names the code and its hex value and then says what it means") {
    CHECK(message_of(scode::session_limit) ==
          "MAPI_E_SESSION_LIMIT (0x80040112): A provider cannot accept another session: its session limit is "
          "reached.");
    CHECK(message_of(scode::invalid_parameter) ==
          "MAPI_E_INVALID_PARAMETER (0x80070057): An argument is not valid (E_INVALIDARG).");
    CHECK(message_of(scode::w_cancel_message) ==
          "MAPI_W_CANCEL_MESSAGE (0x00040580): The spooler no longer wants this message sent: stop and return "
          "MAPI_E_USER_CANCEL.");
    CHECK(message_of(scode::success) == "S_OK (0x00000000): The call succeeded.");
}

TEST_CASE("every known code prints as name, hex value and a one-sentence meaning") {
    for (const auto& e : all_scodes()) {
        INFO(e.name);
        CHECK(!e.meaning.empty());
        CHECK(e.meaning.back() == '.');
        CHECK(to_string(e.code) == std::string(e.name) + " (" + detail::hex32(u32(e.code)) + ")");
        CHECK(message_of(e.code) == to_string(e.code) + ": " + std::string(e.meaning));
    }
}

TEST_CASE("an unknown value prints as unknown MAPI code with its hex value") {
    const auto odd = static_cast<scode>(0x80040999u);
    CHECK(to_string(odd) == "unknown MAPI code (0x80040999)");
    CHECK(message_of(odd) == "unknown MAPI code (0x80040999)");
    CHECK(scode_name(odd).empty());
    CHECK(find_scode(odd) == nullptr);
    CHECK(message_of(static_cast<scode>(0x00000001u)) == "unknown MAPI code (0x00000001)");
    CHECK(message_of(static_cast<scode>(0xFFFFFFFFu)) == "unknown MAPI code (0xFFFFFFFF)");
}

TEST_CASE("default_error_condition maps the codes that have a portable meaning to std::errc") {
    CHECK(std::error_code(scode::invalid_parameter) == std::errc::invalid_argument);
    CHECK(std::error_code(scode::not_enough_memory) == std::errc::not_enough_memory);
    CHECK(std::error_code(scode::no_access) == std::errc::permission_denied);
    CHECK(std::error_code(scode::no_support) == std::errc::not_supported);
    CHECK(std::error_code(scode::not_found) == std::errc::no_such_file_or_directory);
    CHECK(std::error_code(scode::busy) == std::errc::device_or_resource_busy);
    CHECK(std::error_code(scode::timeout) == std::errc::timed_out);
    CHECK(std::error_code(scode::user_cancel) == std::errc::operation_canceled);
    CHECK(std::error_code(scode::cancel) == std::errc::operation_canceled);
    CHECK(std::error_code(scode::network_error) == std::errc::network_down);
    CHECK(std::error_code(scode::not_enough_disk) == std::errc::no_space_on_device);
    CHECK(std::error_code(scode::invalid_parameter).default_error_condition() ==
          std::error_condition(std::errc::invalid_argument));
}

TEST_CASE("codes without a portable meaning keep their own condition in the mapi category") {
    const std::error_condition c = std::error_code(scode::logon_failed).default_error_condition();
    CHECK(c.category() == mapi_category());
    CHECK(c.value() == static_cast<int>(0x80040111u));
    CHECK(std::error_code(scode::logon_failed) != std::errc::invalid_argument);
    CHECK(std::error_code(scode::session_limit) != std::errc::timed_out);
}

TEST_CASE("scode_from_name finds every SDK name of the table") {
    for (const auto& e : expected_codes) {
        INFO(e.sdk_name);
        auto c = scode_from_name(e.sdk_name);
        REQUIRE(c.has_value());
        CHECK(*c == e.code);
    }
}

TEST_CASE("scode_from_name finds every mapixx name including success") {
    for (const auto& e : expected_codes) {
        INFO(e.mapixx_name);
        auto c = scode_from_name(e.mapixx_name);
        REQUIRE(c.has_value());
        CHECK(*c == e.code);
    }
}

TEST_CASE("scode_from_name knows the COM aliases of MAPI codes") {
    CHECK(scode_from_name("E_FAIL") == scode::call_failed);
    CHECK(scode_from_name("E_OUTOFMEMORY") == scode::not_enough_memory);
    CHECK(scode_from_name("E_INVALIDARG") == scode::invalid_parameter);
    CHECK(scode_from_name("E_NOINTERFACE") == scode::interface_not_supported);
    CHECK(scode_from_name("E_ACCESSDENIED") == scode::no_access);
    CHECK(scode_from_name("hrSuccess") == scode::success);
    CHECK(scode_from_name("SUCCESS_SUCCESS") == scode::success);
    CHECK(scode_from_name("S_OK") == scode::success);
}

TEST_CASE("scode_from_name rejects garbage and names in the wrong case or form") {
    for (std::string_view bad : {"", " ", "MAPI_E_", "MAPI_W_", "w_", "MAPI_E_BOGUS", "E_NOTIMPL",
                                 "mapi_e_not_found", "NOT_FOUND", "Not_Found", "not found", "MAPI_E_NOT_FOUND ",
                                 "cancel_message", "w_not_found", "no_service", "MAPI_W_NOT_FOUND",
                                 "MAPI_E_NO_SERVICE", "e_fail", "S_FALSE", "0x80040112",
                                 // Simple MAPI names that look alike (section 1).
                                 "MAPI_E_LOGON_FAILURE", "MAPI_E_TOO_MANY_SESSIONS", "MAPI_E_NOT_SUPPORTED"}) {
        INFO(bad);
        CHECK_FALSE(scode_from_name(bad).has_value());
    }
}

TEST_CASE("the code table is sorted by value and every name in it is unique") {
    const auto& t = all_scodes();
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < t.size(); ++i) {
        INFO(t[i].name);
        CHECK(names.insert(t[i].name).second);
        if (i > 0) CHECK(u32(t[i - 1].code) < u32(t[i].code));
    }
    CHECK(names.size() == t.size());
}

} // TEST_SUITE

} // namespace scode_tests
