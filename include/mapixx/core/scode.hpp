// SPDX-License-Identifier: MIT
/// \file
/// `scode`: every MAPI status code (HRESULT) as a scoped enum, and its `std::error_category`.
#ifndef MAPIXX_CORE_SCODE_HPP_INCLUDED
#define MAPIXX_CORE_SCODE_HPP_INCLUDED

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace mapixx::inline v0 {

/// A MAPI status code: the 32-bit HRESULT bit pattern of the SDK's `MAPI_E_*`, `MAPI_W_*` and
/// the COM codes MAPI reuses. Failure names are the SDK name in snake_case without `MAPI_E_`;
/// warnings (success codes with information) carry a `w_` prefix.
///
/// Warnings are not errors: `failed(scode::w_cancel_message)` is false.
enum class scode : std::uint32_t {
    success = 0x00000000,  ///< S_OK / SUCCESS_SUCCESS / hrSuccess

    // COM codes that MAPI names as its own.
    call_failed = 0x80004005,             ///< MAPI_E_CALL_FAILED = E_FAIL
    not_enough_memory = 0x8007000E,       ///< MAPI_E_NOT_ENOUGH_MEMORY = E_OUTOFMEMORY
    invalid_parameter = 0x80070057,       ///< MAPI_E_INVALID_PARAMETER = E_INVALIDARG
    interface_not_supported = 0x80004002, ///< MAPI_E_INTERFACE_NOT_SUPPORTED = E_NOINTERFACE
    no_access = 0x80070005,               ///< MAPI_E_NO_ACCESS = E_ACCESSDENIED

    no_support = 0x80040102,
    bad_charwidth = 0x80040103,
    string_too_long = 0x80040105,
    unknown_flags = 0x80040106,
    invalid_entryid = 0x80040107,
    invalid_object = 0x80040108,
    object_changed = 0x80040109,
    object_deleted = 0x8004010A,
    busy = 0x8004010B,
    not_enough_disk = 0x8004010D,
    not_enough_resources = 0x8004010E,
    not_found = 0x8004010F,
    version = 0x80040110,
    logon_failed = 0x80040111,
    session_limit = 0x80040112,
    user_cancel = 0x80040113,
    unable_to_abort = 0x80040114,
    network_error = 0x80040115,
    disk_error = 0x80040116,
    too_complex = 0x80040117,
    bad_column = 0x80040118,
    extended_error = 0x80040119,
    computed = 0x8004011A,
    corrupt_data = 0x8004011B,
    unconfigured = 0x8004011C,
    failoneprovider = 0x8004011D,
    unknown_cpid = 0x8004011E,
    unknown_lcid = 0x8004011F,
    password_change_required = 0x80040120,
    password_expired = 0x80040121,
    invalid_workstation_account = 0x80040122,
    invalid_access_time = 0x80040123,
    account_disabled = 0x80040124,
    end_of_session = 0x80040200,
    unknown_entryid = 0x80040201,
    missing_required_column = 0x80040202,
    w_no_service = 0x00040203,
    bad_value = 0x80040301,
    invalid_type = 0x80040302,
    type_no_support = 0x80040303,
    unexpected_type = 0x80040304,
    too_big = 0x80040305,
    decline_copy = 0x80040306,
    unexpected_id = 0x80040307,
    w_errors_returned = 0x00040380,
    unable_to_complete = 0x80040400,
    timeout = 0x80040401,
    table_empty = 0x80040402,
    table_too_big = 0x80040403,
    invalid_bookmark = 0x80040405,
    w_position_changed = 0x00040481,
    w_approx_count = 0x00040482,
    wait = 0x80040500,
    cancel = 0x80040501,
    not_me = 0x80040502,
    w_cancel_message = 0x00040580,
    corrupt_store = 0x80040600,
    not_in_queue = 0x80040601,
    no_suppress = 0x80040602,
    collision = 0x80040604,
    not_initialized = 0x80040605,
    non_standard = 0x80040606,
    no_recipients = 0x80040607,
    submitted = 0x80040608,
    has_folders = 0x80040609,
    has_messages = 0x8004060A,
    folder_cycle = 0x8004060B,
    w_partial_completion = 0x00040680,
    ambiguous_recip = 0x80040700,
};

/// The severity bit: true for every failure code, false for success and warnings.
[[nodiscard]] constexpr bool failed(scode c) noexcept {
    return (static_cast<std::uint32_t>(c) & 0x80000000u) != 0;
}
/// True for `success` and every warning (`w_*`).
[[nodiscard]] constexpr bool succeeded(scode c) noexcept { return !failed(c); }

/// `MAKE_MAPI_E(c)`: a failure code in FACILITY_ITF.
[[nodiscard]] constexpr scode make_mapi_e(std::uint32_t c) noexcept {
    return static_cast<scode>(0x80040000u | c);
}
/// `MAKE_MAPI_S(c)`: a success code (warning) in FACILITY_ITF.
[[nodiscard]] constexpr scode make_mapi_s(std::uint32_t c) noexcept {
    return static_cast<scode>(0x00040000u | c);
}

/// One row of the code table: the value, its SDK name, and what it means in a sentence.
struct scode_entry {
    scode code;
    std::string_view name;
    std::string_view meaning;
};

namespace detail {
// Sorted by numeric value so that lookups are a binary search; a static_assert checks it.
inline constexpr std::array scode_table{
    scode_entry{scode::success, "S_OK", "The call succeeded."},
    scode_entry{scode::w_no_service, "MAPI_W_NO_SERVICE",
                "Succeeded, but no service supplied the information; a stand-in was returned."},
    scode_entry{scode::w_errors_returned, "MAPI_W_ERRORS_RETURNED",
                "Succeeded, but some of the values could not be returned."},
    scode_entry{scode::w_position_changed, "MAPI_W_POSITION_CHANGED",
                "Succeeded, but the table position moved."},
    scode_entry{scode::w_approx_count, "MAPI_W_APPROX_COUNT",
                "Succeeded; the count returned is an estimate."},
    scode_entry{scode::w_cancel_message, "MAPI_W_CANCEL_MESSAGE",
                "The spooler no longer wants this message sent: stop and return MAPI_E_USER_CANCEL."},
    scode_entry{scode::w_partial_completion, "MAPI_W_PARTIAL_COMPLETION",
                "Succeeded for some items and not for others."},
    scode_entry{scode::interface_not_supported, "MAPI_E_INTERFACE_NOT_SUPPORTED",
                "The object does not offer the requested interface (E_NOINTERFACE)."},
    scode_entry{scode::call_failed, "MAPI_E_CALL_FAILED",
                "The call failed for an unspecified reason (E_FAIL)."},
    scode_entry{scode::no_support, "MAPI_E_NO_SUPPORT",
                "The object does not support this operation."},
    scode_entry{scode::bad_charwidth, "MAPI_E_BAD_CHARWIDTH",
                "The requested character width (Unicode or ANSI) is not supported here."},
    scode_entry{scode::string_too_long, "MAPI_E_STRING_TOO_LONG", "A string is longer than allowed."},
    scode_entry{scode::unknown_flags, "MAPI_E_UNKNOWN_FLAGS",
                "A flags argument contains bits this call does not define."},
    scode_entry{scode::invalid_entryid, "MAPI_E_INVALID_ENTRYID", "The entry identifier is malformed."},
    scode_entry{scode::invalid_object, "MAPI_E_INVALID_OBJECT",
                "The object is no longer valid (it was released, logged off or damaged)."},
    scode_entry{scode::object_changed, "MAPI_E_OBJECT_CHANGED",
                "The object was changed by someone else since it was opened."},
    scode_entry{scode::object_deleted, "MAPI_E_OBJECT_DELETED",
                "The object was deleted since it was opened."},
    scode_entry{scode::busy, "MAPI_E_BUSY", "The object is busy with another operation; try again later."},
    scode_entry{scode::not_enough_disk, "MAPI_E_NOT_ENOUGH_DISK", "There is not enough disk space."},
    scode_entry{scode::not_enough_resources, "MAPI_E_NOT_ENOUGH_RESOURCES",
                "A system resource ran out."},
    scode_entry{scode::not_found, "MAPI_E_NOT_FOUND", "The requested item does not exist."},
    scode_entry{scode::version, "MAPI_E_VERSION",
                "The versions of the caller and the provider or subsystem do not match."},
    scode_entry{scode::logon_failed, "MAPI_E_LOGON_FAILED",
                "The logon failed: bad parameters, a missing profile, or too many sessions."},
    scode_entry{scode::session_limit, "MAPI_E_SESSION_LIMIT",
                "A provider cannot accept another session: its session limit is reached."},
    scode_entry{scode::user_cancel, "MAPI_E_USER_CANCEL", "The user cancelled the operation."},
    scode_entry{scode::unable_to_abort, "MAPI_E_UNABLE_TO_ABORT", "The operation could not be stopped."},
    scode_entry{scode::network_error, "MAPI_E_NETWORK_ERROR",
                "A network problem stopped the operation; it may succeed later."},
    scode_entry{scode::disk_error, "MAPI_E_DISK_ERROR", "Reading or writing the disk failed."},
    scode_entry{scode::too_complex, "MAPI_E_TOO_COMPLEX",
                "The request is too complex, or (for a service) the registry set-up failed."},
    scode_entry{scode::bad_column, "MAPI_E_BAD_COLUMN", "A column is not part of the table."},
    scode_entry{scode::extended_error, "MAPI_E_EXTENDED_ERROR",
                "More information is available from GetLastError."},
    scode_entry{scode::computed, "MAPI_E_COMPUTED", "The property is computed and cannot be changed."},
    scode_entry{scode::corrupt_data, "MAPI_E_CORRUPT_DATA", "The data is damaged."},
    scode_entry{scode::unconfigured, "MAPI_E_UNCONFIGURED",
                "The provider lacks configuration it needs; the service must be configured first."},
    scode_entry{scode::failoneprovider, "MAPI_E_FAILONEPROVIDER",
                "This provider failed but the rest of its message service may go on."},
    scode_entry{scode::unknown_cpid, "MAPI_E_UNKNOWN_CPID", "The code page is not supported."},
    scode_entry{scode::unknown_lcid, "MAPI_E_UNKNOWN_LCID", "The locale is not supported."},
    scode_entry{scode::password_change_required, "MAPI_E_PASSWORD_CHANGE_REQUIRED",
                "The password must be changed before logon."},
    scode_entry{scode::password_expired, "MAPI_E_PASSWORD_EXPIRED", "The password has expired."},
    scode_entry{scode::invalid_workstation_account, "MAPI_E_INVALID_WORKSTATION_ACCOUNT",
                "The account may not log on from this workstation."},
    scode_entry{scode::invalid_access_time, "MAPI_E_INVALID_ACCESS_TIME",
                "The account may not log on at this time."},
    scode_entry{scode::account_disabled, "MAPI_E_ACCOUNT_DISABLED", "The account is disabled."},
    scode_entry{scode::end_of_session, "MAPI_E_END_OF_SESSION",
                "The session has ended (logged off); only release is allowed now."},
    scode_entry{scode::unknown_entryid, "MAPI_E_UNKNOWN_ENTRYID",
                "No provider recognises the entry identifier."},
    scode_entry{scode::missing_required_column, "MAPI_E_MISSING_REQUIRED_COLUMN",
                "A column the operation needs is missing."},
    scode_entry{scode::bad_value, "MAPI_E_BAD_VALUE", "A property value is not acceptable."},
    scode_entry{scode::invalid_type, "MAPI_E_INVALID_TYPE", "The property type is not valid."},
    scode_entry{scode::type_no_support, "MAPI_E_TYPE_NO_SUPPORT", "The property type is not supported."},
    scode_entry{scode::unexpected_type, "MAPI_E_UNEXPECTED_TYPE",
                "The property type is not the one expected."},
    scode_entry{scode::too_big, "MAPI_E_TOO_BIG", "The value or request is too large."},
    scode_entry{scode::decline_copy, "MAPI_E_DECLINE_COPY", "The provider declined to copy the object."},
    scode_entry{scode::unexpected_id, "MAPI_E_UNEXPECTED_ID", "The property identifier is not expected."},
    scode_entry{scode::unable_to_complete, "MAPI_E_UNABLE_TO_COMPLETE",
                "The operation could not be completed."},
    scode_entry{scode::timeout, "MAPI_E_TIMEOUT",
                "The operation did not finish in time (for logon: another logon holds the lock)."},
    scode_entry{scode::table_empty, "MAPI_E_TABLE_EMPTY", "The table has no rows."},
    scode_entry{scode::table_too_big, "MAPI_E_TABLE_TOO_BIG", "The table has too many rows."},
    scode_entry{scode::invalid_bookmark, "MAPI_E_INVALID_BOOKMARK", "The table bookmark is not valid."},
    scode_entry{scode::wait, "MAPI_E_WAIT",
                "The transport asks to be called again after the number of seconds it gave."},
    scode_entry{scode::cancel, "MAPI_E_CANCEL", "The operation was cancelled; do not resend."},
    scode_entry{scode::not_me, "MAPI_E_NOT_ME", "This transport does not handle the message; another must."},
    scode_entry{scode::corrupt_store, "MAPI_E_CORRUPT_STORE", "The message store is damaged."},
    scode_entry{scode::not_in_queue, "MAPI_E_NOT_IN_QUEUE", "The message is not in the outgoing queue."},
    scode_entry{scode::no_suppress, "MAPI_E_NO_SUPPRESS", "Read receipts cannot be suppressed."},
    scode_entry{scode::collision, "MAPI_E_COLLISION", "An object with that name already exists."},
    scode_entry{scode::not_initialized, "MAPI_E_NOT_INITIALIZED",
                "MAPI is not initialised: call initialize first (or a subsystem is gone)."},
    scode_entry{scode::non_standard, "MAPI_E_NON_STANDARD", "A non-standard error occurred."},
    scode_entry{scode::no_recipients, "MAPI_E_NO_RECIPIENTS", "The message has no recipients."},
    scode_entry{scode::submitted, "MAPI_E_SUBMITTED", "The message has already been submitted."},
    scode_entry{scode::has_folders, "MAPI_E_HAS_FOLDERS", "The folder still contains folders."},
    scode_entry{scode::has_messages, "MAPI_E_HAS_MESSAGES", "The folder still contains messages."},
    scode_entry{scode::folder_cycle, "MAPI_E_FOLDER_CYCLE",
                "The move or copy would place a folder inside itself."},
    scode_entry{scode::ambiguous_recip, "MAPI_E_AMBIGUOUS_RECIP", "The recipient name matches several entries."},
    scode_entry{scode::no_access, "MAPI_E_NO_ACCESS",
                "Access is denied, or the name is already in use (E_ACCESSDENIED)."},
    scode_entry{scode::not_enough_memory, "MAPI_E_NOT_ENOUGH_MEMORY", "Memory ran out (E_OUTOFMEMORY)."},
    scode_entry{scode::invalid_parameter, "MAPI_E_INVALID_PARAMETER",
                "An argument is not valid (E_INVALIDARG)."},
};

constexpr bool scode_table_sorted() {
    for (std::size_t i = 1; i < scode_table.size(); ++i) {
        if (static_cast<std::uint32_t>(scode_table[i - 1].code) >= static_cast<std::uint32_t>(scode_table[i].code)) {
            return false;
        }
    }
    return true;
}
static_assert(scode_table_sorted(), "scode_table must be sorted by value without duplicates");
} // namespace detail

/// Every known code with its SDK name and meaning, sorted by value.
[[nodiscard]] constexpr const auto& all_scodes() noexcept { return detail::scode_table; }

/// The table row of a known code, or nullptr.
[[nodiscard]] constexpr const scode_entry* find_scode(scode c) noexcept {
    const auto& t = detail::scode_table;
    auto it = std::lower_bound(t.begin(), t.end(), static_cast<std::uint32_t>(c),
                               [](const scode_entry& e, std::uint32_t v) {
                                   return static_cast<std::uint32_t>(e.code) < v;
                               });
    return (it != t.end() && it->code == c) ? &*it : nullptr;
}

/// The SDK name of a code (`"MAPI_E_SESSION_LIMIT"`), or an empty view for an unknown value.
[[nodiscard]] constexpr std::string_view scode_name(scode c) noexcept {
    const scode_entry* e = find_scode(c);
    return e ? e->name : std::string_view{};
}

/// Looks a code up by its SDK name (`MAPI_E_NOT_FOUND`), by its mapixx name (`not_found`),
/// or by a COM alias (`E_FAIL`, `E_INVALIDARG`, ...). Case-sensitive for SDK names.
[[nodiscard]] inline std::optional<scode> scode_from_name(std::string_view name) noexcept {
    struct alias {
        std::string_view name;
        scode code;
    };
    static constexpr alias com_aliases[] = {
        {"E_FAIL", scode::call_failed},          {"E_OUTOFMEMORY", scode::not_enough_memory},
        {"E_INVALIDARG", scode::invalid_parameter}, {"E_NOINTERFACE", scode::interface_not_supported},
        {"E_ACCESSDENIED", scode::no_access},    {"hrSuccess", scode::success},
        {"SUCCESS_SUCCESS", scode::success},
        // The mapixx name of S_OK: its table name has no MAPI_E_/MAPI_W_ prefix to strip.
        {"success", scode::success},
    };
    for (const auto& a : com_aliases) {
        if (a.name == name) return a.code;
    }
    for (const auto& e : detail::scode_table) {
        if (e.name == name) return e.code;
        // mapixx name: the SDK name without its prefix, lower case.
        std::string_view sdk = e.name;
        for (std::string_view prefix : {"MAPI_E_", "MAPI_W_"}) {
            if (sdk.substr(0, prefix.size()) == prefix) {
                std::string_view rest = sdk.substr(prefix.size());
                std::string_view wanted = name;
                if (prefix == "MAPI_W_") {
                    if (wanted.substr(0, 2) != "w_") break;
                    wanted.remove_prefix(2);
                }
                if (rest.size() == wanted.size() &&
                    std::equal(rest.begin(), rest.end(), wanted.begin(), [](char a, char b) {
                        return (a >= 'A' && a <= 'Z' ? char(a - 'A' + 'a') : a) == b;
                    })) {
                    return e.code;
                }
            }
        }
    }
    return std::nullopt;
}

namespace detail {
inline std::string hex32(std::uint32_t v) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string s = "0x00000000";
    for (int i = 9; i >= 2; --i) {
        s[static_cast<std::size_t>(i)] = digits[v & 0xF];
        v >>= 4;
    }
    return s;
}
} // namespace detail

/// `"MAPI_E_SESSION_LIMIT (0x80040112)"`, or `"unknown MAPI code (0x........)"`.
[[nodiscard]] inline std::string to_string(scode c) {
    std::string_view name = scode_name(c);
    std::string out = name.empty() ? std::string("unknown MAPI code") : std::string(name);
    out += " (";
    out += detail::hex32(static_cast<std::uint32_t>(c));
    out += ')';
    return out;
}

namespace detail {
class mapi_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "mapi"; }

    std::string message(int value) const override {
        const auto c = static_cast<scode>(static_cast<std::uint32_t>(value));
        std::string out = to_string(c);
        if (const scode_entry* e = find_scode(c)) {
            out += ": ";
            out += e->meaning;
        }
        return out;
    }

    std::error_condition default_error_condition(int value) const noexcept override {
        switch (static_cast<scode>(static_cast<std::uint32_t>(value))) {
        case scode::invalid_parameter: return std::errc::invalid_argument;
        case scode::not_enough_memory: return std::errc::not_enough_memory;
        case scode::no_access: return std::errc::permission_denied;
        case scode::no_support: return std::errc::not_supported;
        case scode::not_found: return std::errc::no_such_file_or_directory;
        case scode::busy: return std::errc::device_or_resource_busy;
        case scode::timeout: return std::errc::timed_out;
        case scode::user_cancel:
        case scode::cancel: return std::errc::operation_canceled;
        case scode::network_error: return std::errc::network_down;
        case scode::not_enough_disk: return std::errc::no_space_on_device;
        default: return {value, *this};
        }
    }
};
} // namespace detail

/// The category of every `scode`. `error_code::value()` is the HRESULT bit pattern (as int);
/// `message()` names the code and its hex value, then says what it means.
///
/// The object is unique within one program; on Windows each DLL that compiles this header has
/// its own copy, and `std::error_category` compares by address, so compare codes by value
/// across DLL boundaries.
[[nodiscard]] inline const std::error_category& mapi_category() noexcept {
    static const detail::mapi_category_impl instance;
    return instance;
}

/// Makes `scode` usable as a `std::error_code` (found by ADL).
[[nodiscard]] inline std::error_code make_error_code(scode c) noexcept {
    return {static_cast<int>(static_cast<std::uint32_t>(c)), mapi_category()};
}

/// The `scode` inside an error code of `mapi_category()`; `call_failed` for any other category.
[[nodiscard]] inline scode to_scode(const std::error_code& ec) noexcept {
    if (!ec) return scode::success;
    if (ec.category() == mapi_category()) return static_cast<scode>(static_cast<std::uint32_t>(ec.value()));
    return scode::call_failed;
}

} // namespace mapixx::inline v0

// A standard-library specialisation: not part of the API reference.
/// \cond
template <>
struct std::is_error_code_enum<mapixx::scode> : std::true_type {};
/// \endcond

#endif
