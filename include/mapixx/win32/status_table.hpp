// SPDX-License-Identifier: MIT
/// \file
/// Reading the real session's status table (IMAPISession::GetStatusTable) into the portable
/// `status_rows`. `win32::session::status_table()` is the public entry point; this header holds
/// the column set and the row conversion, which the advise sink (`notification.hpp`) shares.
#ifndef MAPIXX_WIN32_STATUS_TABLE_HPP_INCLUDED
#define MAPIXX_WIN32_STATUS_TABLE_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/session/status_table.hpp>
#include <mapixx/win32/detail/xp_message.hpp>
#include <mapixx/win32/detail/xp_props.hpp>
#include <mapixx/win32/error.hpp>
#include <mapixx/win32/sdk.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace mapixx::inline v0::win32 {

namespace detail {
inline constexpr const char* status_table_component = "mapixx.win32.status_table";

/// The columns asked of the status table: the ones a portable status row carries
/// (MAPI-REFERENCE 8.1), plus PR_STATUS_STRING and PR_IDENTITY_DISPLAY, which rows may lack
/// (MAPI then returns them as PT_ERROR and the row simply does not have them). String columns
/// are PT_UNICODE when the table was opened with MAPI_UNICODE, PT_STRING8 otherwise.
inline constexpr std::size_t status_column_count = 11;

[[nodiscard]] inline std::array<ULONG, status_column_count> status_columns(bool unicode) noexcept {
    auto text = [unicode](prop_tag t) {
        return static_cast<ULONG>(t.with_type(unicode ? prop_type::unicode : prop_type::string8).value());
    };
    return {static_cast<ULONG>(pr::rowid.value()),
            static_cast<ULONG>(pr::object_type.value()),
            static_cast<ULONG>(pr::resource_type.value()),
            static_cast<ULONG>(pr::status_code.value()),
            static_cast<ULONG>(pr::resource_flags.value()),
            static_cast<ULONG>(pr::resource_methods.value()),
            text(pr::display_name),
            text(pr::provider_display),
            text(pr::provider_dll_name),
            text(pr::status_string),
            text(pr::identity_display)};
}

/// A status row (or the properties of a status notification) as a `property_bag`: every value
/// of a type `add_sprop` converts, PT_ERROR values left out. PT_STRING8 strings (a table opened
/// without MAPI_UNICODE) are stored under the PT_UNICODE tag, as the portable rows have them;
/// the text is UTF-8 either way. Throws: `std::bad_alloc`.
[[nodiscard]] inline property_bag status_row_from(const SPropValue* values, ULONG count) {
    property_bag row;
    if (values == nullptr) return row;
    for (ULONG i = 0; i != count; ++i) {
        SPropValue v = values[i];
        if (PROP_TYPE(v.ulPropTag) == PT_ERROR) continue;
        if (PROP_TYPE(v.ulPropTag) == PT_STRING8) {
            const prop_tag tag = prop_tag{static_cast<std::uint32_t>(v.ulPropTag)}.with_type(prop_type::unicode);
            static_cast<void>(row.set(tag, ansi_to_utf8(v.Value.lpszA != nullptr ? v.Value.lpszA : "")));
            continue;
        }
        add_sprop(row, v);
    }
    return row;
}

/// IMAPITable::SetColumns(`status_columns`) on an open status table: the columns both a
/// snapshot's rows and the rows of its table notifications carry. `unicode`: the table was
/// opened with MAPI_UNICODE.
[[nodiscard]] inline result<void> set_status_columns(IMAPITable* table, bool unicode, fn::mapi_free_buffer free_buffer) {
    auto columns = status_columns(unicode);
    SizedSPropTagArray(status_column_count, tags);
    tags.cValues = static_cast<ULONG>(columns.size());
    for (std::size_t i = 0; i != columns.size(); ++i) tags.aulPropTag[i] = columns[i];
    const HRESULT set = table->SetColumns(reinterpret_cast<LPSPropTagArray>(&tags), 0);
    if (FAILED(set)) {
        return object_failure(table, set, "IMAPITable::SetColumns of the status table failed", status_table_component,
                              free_buffer);
    }
    return {};
}

/// Reads every row of an open status table: SetColumns (`set_status_columns`), then QueryRows
/// until it returns no row; each batch is freed with MAPIFreeBuffer (row by row, then the set:
/// what FreeProws does). `unicode`: the table was opened with MAPI_UNICODE.
[[nodiscard]] inline result<status_rows> read_status_rows(IMAPITable* table, bool unicode,
                                                          fn::mapi_free_buffer free_buffer) {
    if (auto set = set_status_columns(table, unicode, free_buffer); !set) return std::move(set).as_failure();
    table_rows rows(table, free_buffer);
    if (FAILED(rows.status())) {
        const HRESULT hr = rows.status();
        rows.release();
        return object_failure(table, hr, "IMAPITable::QueryRows of the status table failed", status_table_component,
                              free_buffer);
    }
    status_rows out;
    out.reserve(rows.size());
    for (std::size_t i = 0; i != rows.size(); ++i) {
        const SRow& r = rows.row(i);
        out.push_back(status_row_from(r.lpProps, r.cValues));
    }
    return out;
}
} // namespace detail

} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
