// SPDX-License-Identifier: MIT
/// \file
/// The session's status table (MAPI-REFERENCE 8.1): the rows MAPI itself supplies (subsystem,
/// spooler, address book) and the helpers that build and search rows.
#ifndef MAPIXX_SESSION_STATUS_TABLE_HPP_INCLUDED
#define MAPIXX_SESSION_STATUS_TABLE_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/profile/profile.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mapixx::inline v0 {

/// A status table: a snapshot of rows, each a property bag with at least PR_ROWID,
/// PR_OBJECT_TYPE (MAPI_STATUS), PR_RESOURCE_TYPE, PR_STATUS_CODE, PR_RESOURCE_FLAGS,
/// PR_RESOURCE_METHODS, PR_DISPLAY_NAME and PR_PROVIDER_DLL_NAME. Rows 0, 1 and 2 are always
/// the subsystem (MAPI_SUBSYSTEM), the spooler (MAPI_SPOOLER) and the integrated address book
/// (MAPI_AB) (rule 51); one row per provider follows, in logon order. A session logged on with
/// MAPI_NO_MAIL has no transport row and its spooler row has STATUS_FAILURE (rule 21).
using status_rows = std::vector<property_bag>;

/// The PR_ROWID values of the rows MAPI supplies.
namespace status_row_id {
inline constexpr std::int32_t subsystem = 0;  ///< MAPI_SUBSYSTEM
inline constexpr std::int32_t spooler = 1;    ///< MAPI_SPOOLER
inline constexpr std::int32_t address_book = 2;  ///< MAPI_AB
/// The first provider row.
inline constexpr std::int32_t first_provider = 3;
} // namespace status_row_id

/// The first row of `rows` whose PR_RESOURCE_TYPE is `type`, or null.
[[nodiscard]] inline const property_bag* find_status_row(const status_rows& rows, resource_type type) noexcept {
    for (const auto& r : rows) {
        if (r.get_i4(pr::resource_type) == static_cast<std::int32_t>(type)) return &r;
    }
    return nullptr;
}

/// Every row of `rows` whose PR_RESOURCE_TYPE is `type`.
[[nodiscard]] inline std::vector<const property_bag*> find_status_rows(const status_rows& rows, resource_type type) {
    std::vector<const property_bag*> out;
    for (const auto& r : rows) {
        if (r.get_i4(pr::resource_type) == static_cast<std::int32_t>(type)) out.push_back(&r);
    }
    return out;
}

/// PR_STATUS_CODE of a row as a set (empty when absent).
[[nodiscard]] inline status_codes status_of(const property_bag& row) noexcept {
    return status_codes::from_bits_unchecked(static_cast<std::uint32_t>(row.get_i4(pr::status_code).value_or(0)));
}

/// PR_RESOURCE_METHODS of a row as a set (empty when absent).
[[nodiscard]] inline resource_methods methods_of(const property_bag& row) noexcept {
    return resource_methods::from_bits_unchecked(
        static_cast<std::uint32_t>(row.get_i4(pr::resource_methods).value_or(0)));
}

/// One line per row: row id, resource type, status bits, display name and DLL.
[[nodiscard]] inline std::string to_string(const status_rows& rows) {
    std::string out;
    for (const auto& r : rows) {
        const auto type = static_cast<resource_type>(r.get_i4(pr::resource_type).value_or(0));
        out += "row " + std::to_string(r.get_i4(pr::rowid).value_or(-1)) + ": " + std::string(sdk_name(type)) +
               " \"" + std::string(r.get_string(pr::display_name).value_or("")) + "\" [" +
               std::string(r.get_string(pr::provider_dll_name).value_or("")) + "] " + to_string(status_of(r));
        if (auto s = r.get_string(pr::status_string)) out += " (" + std::string(*s) + ")";
        out += '\n';
    }
    return out;
}

namespace detail {

/// Every column `make_status_row` fills, with placeholder values, made once. A row starts as a
/// copy of it (one allocation for its values) and each column is then replaced in place, which
/// is several times cheaper than inserting nine properties one by one into an empty bag.
[[nodiscard]] inline const property_bag& status_row_template() {
    static const property_bag row = [] {
        property_bag r;
        for (prop_tag t : {pr::rowid, pr::object_type, pr::resource_type, pr::status_code, pr::resource_flags,
                           pr::resource_methods}) {
            (void)r.set(t, std::int32_t{0});
        }
        for (prop_tag t : {pr::display_name, pr::provider_display, pr::provider_dll_name}) (void)r.set(t, std::string());
        return r;
    }();
    return row;
}

/// A status row with the columns MAPI supplies or computes (MAPI-REFERENCE 8.1).
[[nodiscard]] inline property_bag make_status_row(std::int32_t row_id, resource_type type, std::string_view display,
                                                  std::string_view dll, resource_flags flags, status_codes status,
                                                  resource_methods methods) {
    property_bag row = status_row_template();
    (void)row.set(pr::rowid, row_id);
    (void)row.set(pr::object_type, static_cast<std::int32_t>(object_type::status));
    (void)row.set(pr::resource_type, static_cast<std::int32_t>(type));
    (void)row.set(pr::status_code, static_cast<std::int32_t>(status.bits()));
    (void)row.set(pr::resource_flags, static_cast<std::int32_t>(flags.bits()));
    (void)row.set(pr::resource_methods, static_cast<std::int32_t>(methods.bits()));
    (void)row.set(pr::display_name, std::string(display));
    (void)row.set(pr::provider_display, std::string(display));
    (void)row.set(pr::provider_dll_name, std::string(dll));
    return row;
}

/// The three rows MAPI supplies. `no_mail`: the spooler row shows STATUS_FAILURE (rule 21).
[[nodiscard]] inline status_rows make_builtin_status_rows(bool no_mail) {
    status_rows rows;
    rows.reserve(3);
    rows.push_back(make_status_row(status_row_id::subsystem, resource_type::subsystem, "MAPI Subsystem", "mapixx", {},
                                   status_code::available, resource_method::validate_state));
    property_bag spooler =
        make_status_row(status_row_id::spooler, resource_type::spooler, "MAPI Spooler", "mapixx", {},
                        no_mail ? status_codes(status_code::failure) : status_codes(status_code::available),
                        resource_method::validate_state | resource_method::flush_queues);
    if (no_mail) {
        (void)spooler.set(pr::status_string,
                          std::string("the session was logged on with MAPI_NO_MAIL: the spooler does not serve it"));
    }
    rows.push_back(std::move(spooler));
    rows.push_back(make_status_row(status_row_id::address_book, resource_type::ab, "MAPI Address Book", "mapixx", {},
                                   status_code::available, resource_method::validate_state));
    return rows;
}

/// The three rows MAPI supplies, made once per value of `no_mail`.
[[nodiscard]] inline const status_rows& shared_builtin_status_rows(bool no_mail) {
    static const status_rows mail = make_builtin_status_rows(false);
    static const status_rows without_mail = make_builtin_status_rows(true);
    return no_mail ? without_mail : mail;
}

/// A copy of the three rows MAPI supplies.
[[nodiscard]] inline status_rows builtin_status_rows(bool no_mail) { return shared_builtin_status_rows(no_mail); }

/// The columns of a provider's row that belong to MAPI: a provider's ModifyStatusRow cannot
/// change them.
inline constexpr prop_tag mapi_status_columns[] = {pr::rowid, pr::object_type, pr::resource_type,
                                                   pr::provider_dll_name, pr::resource_flags};

/// Removes MAPI's own columns from what a provider set.
inline void drop_mapi_columns(property_bag& changes) noexcept {
    for (prop_tag t : mapi_status_columns) (void)changes.erase(t);
}

/// Removes from `changes` the values the row MAPI computes from `e` has already (a provider
/// that repeats its display name or STATUS_AVAILABLE in an update changes nothing).
inline void drop_unchanged_columns(property_bag& changes, const provider_entry& e) noexcept {
    auto same_string = [&](prop_tag t, std::string_view want) {
        const auto have = changes.get_string(t);
        if (have && *have == want) (void)changes.erase(t);
    };
    auto same_i4 = [&](prop_tag t, std::int32_t want) {
        if (changes.get_i4(t) == want) (void)changes.erase(t);
    };
    same_string(pr::display_name, e.display_name);
    same_string(pr::provider_display, e.display_name);
    same_i4(pr::status_code, static_cast<std::int32_t>(status_codes(status_code::available).bits()));
    same_i4(pr::resource_methods, static_cast<std::int32_t>(resource_methods(resource_method::validate_state).bits()));
}

/// A provider's status row: the row MAPI computes from its profile entry, with `changes` (what
/// the provider set, without MAPI's columns) merged in; or, when the provider `replaced` its
/// row, MAPI's columns and `changes` only (PR_STATUS_CODE 0 when the provider set none).
[[nodiscard]] inline property_bag provider_status_row_of(std::int32_t row_id, const provider_entry& e, bool replaced,
                                                         const property_bag& changes) {
    property_bag row = make_status_row(row_id, e.type, e.display_name, e.dll_name, e.flags, status_code::available,
                                       resource_method::validate_state);
    if (!replaced) {
        row.merge(changes);
        return row;
    }
    property_bag out = changes;
    for (prop_tag t : mapi_status_columns) {
        if (const prop_value* v = row.find(t.with_type(prop_type::unspecified))) (void)out.set(*v);
    }
    if (!out.contains(pr::status_code)) (void)out.set(pr::status_code, std::int32_t{0});
    return out;
}

} // namespace detail
} // namespace mapixx::inline v0

#endif
