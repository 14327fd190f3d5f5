// SPDX-License-Identifier: MIT
/// \file
/// `win32::service_admin`: message-service administration over the real IMsgServiceAdmin, and
/// IMsgServiceAdmin2 when MAPI offers it.
#ifndef MAPIXX_WIN32_SERVICE_ADMIN_HPP_INCLUDED
#define MAPIXX_WIN32_SERVICE_ADMIN_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/win32/com_ptr.hpp>
#include <mapixx/win32/detail/state.hpp>
#include <mapixx/win32/error.hpp>
#include <mapixx/win32/sdk.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0::win32 {

/// A MAPIUID from a `uid` (same 16 bytes).
[[nodiscard]] inline MAPIUID to_mapiuid(const uid& u) noexcept {
    MAPIUID m{};
    std::memcpy(m.ab, u.bytes.data(), sizeof m.ab);
    return m;
}
/// A `uid` from a MAPIUID.
[[nodiscard]] inline uid from_mapiuid(const MAPIUID& m) noexcept {
    uid u;
    std::memcpy(u.bytes.data(), m.ab, sizeof m.ab);
    return u;
}

namespace detail {
inline constexpr const char* service_admin_component = "mapixx.win32.service_admin";

/// Every row's binary value of `tag` in `table` (from the first row on), through SetColumns and
/// QueryRows; each row and the row set are freed with MAPIFreeBuffer.
inline result<std::vector<std::vector<std::uint8_t>>> binary_column(IMAPITable* table, ULONG tag,
                                                                     fn::mapi_free_buffer free_buffer,
                                                                     std::string_view what) {
    SizedSPropTagArray(1, columns) = {1, {tag}};
    HRESULT hr = table->SetColumns(reinterpret_cast<LPSPropTagArray>(&columns), 0);
    if (FAILED(hr)) return hresult_failure(hr, std::string(what) + ": IMAPITable::SetColumns failed", service_admin_component);
    std::vector<std::vector<std::uint8_t>> out;
    for (;;) {
        LPSRowSet rows = nullptr;
        hr = table->QueryRows(64, 0, &rows);
        if (FAILED(hr)) return hresult_failure(hr, std::string(what) + ": IMAPITable::QueryRows failed", service_admin_component);
        if (rows == nullptr) break;
        const ULONG n = rows->cRows;
        for (ULONG i = 0; i < n; ++i) {
            const SRow& row = rows->aRow[i];
            if (row.cValues > 0 && row.lpProps != nullptr && row.lpProps[0].ulPropTag == tag) {
                const SBinary& b = row.lpProps[0].Value.bin;
                out.emplace_back(b.lpb, b.lpb + b.cb);
            }
            if (free_buffer != nullptr && row.lpProps != nullptr) free_buffer(row.lpProps);
        }
        if (free_buffer != nullptr) free_buffer(rows);
        if (n == 0) break;
    }
    return out;
}
} // namespace detail

/// The message services of one profile, over IMsgServiceAdmin: the win32 twin of
/// `mapixx::service_admin`, with the same member names for what the real interface offers.
/// Strings go to MAPI in the ANSI code page (CreateMsgService with MAPI_UNICODE fails on some
/// Outlook versions). Keeps the subsystem initialised while it lives. Move-only.
class service_admin {
public:
    service_admin() noexcept = default;
    /// Wraps an IMsgServiceAdmin; asks it for IMsgServiceAdmin2 once.
    service_admin(com_ptr<IMsgServiceAdmin> admin, std::shared_ptr<detail::win32_state> sub) noexcept
        : sub_(std::move(sub)), admin_(std::move(admin)) {
        admin2_ = admin_.query<msg_service_admin2>(iid_msg_service_admin2);
    }

    /// The IMsgServiceAdmin (not AddRef'd), for calls mapixx does not wrap.
    [[nodiscard]] IMsgServiceAdmin* get() const noexcept { return admin_.get(); }
    /// True when MAPI offers IMsgServiceAdmin2 (CreateMsgServiceEx).
    [[nodiscard]] bool has_admin2() const noexcept { return static_cast<bool>(admin2_); }

    /// CreateMsgService; returns the new service's UID. With IMsgServiceAdmin2 that is
    /// CreateMsgServiceEx's answer; without it, the one UID of the service table that was not
    /// there before the call.
    result<uid> create_service(std::string_view service_name, std::string_view display = {}) {
        if (!admin_) return empty_failure();
        std::string name = to_ansi(service_name);
        std::string shown = to_ansi(display);
        LPTSTR shown_arg = display.empty() ? nullptr : reinterpret_cast<LPTSTR>(shown.data());
        const std::string what = "CreateMsgService(\"" + std::string(service_name) + "\")";
        if (admin2_) {
            MAPIUID out{};
            const HRESULT hr = admin2_->CreateMsgServiceEx(reinterpret_cast<LPTSTR>(name.data()), shown_arg, 0, 0, &out);
            if (FAILED(hr)) return failed(hr, "IMsgServiceAdmin2::" + what + " failed");
            return from_mapiuid(out);
        }
        auto before = service_uids();
        if (!before) return std::move(before).as_failure();
        const HRESULT hr = admin_->CreateMsgService(reinterpret_cast<LPTSTR>(name.data()), shown_arg, 0, 0);
        if (FAILED(hr)) return failed(hr, "IMsgServiceAdmin::" + what + " failed");
        auto after = service_uids();
        if (!after) return std::move(after).as_failure();
        std::vector<uid> added;
        for (const uid& u : *after) {
            if (std::find(before->begin(), before->end(), u) == before->end()) added.push_back(u);
        }
        if (added.size() != 1) {
            return fail(scode::not_found,
                        what + " succeeded, but the service table gained " + std::to_string(added.size()) +
                            " services, so the new service's UID is unknown (and MAPI offers no IMsgServiceAdmin2)",
                        detail::service_admin_component);
        }
        return added.front();
    }

    /// DeleteMsgService.
    result<void> delete_service(const uid& service_uid) {
        if (!admin_) return empty_failure();
        MAPIUID m = to_mapiuid(service_uid);
        const HRESULT hr = admin_->DeleteMsgService(&m);
        if (FAILED(hr)) return failed(hr, "IMsgServiceAdmin::DeleteMsgService(" + service_uid.to_string() + ") failed");
        return {};
    }

    /// RenameMsgService (MAPI answers MAPI_E_NO_SUPPORT, rule 44).
    result<void> rename_service(const uid& service_uid, std::string_view new_display) {
        if (!admin_) return empty_failure();
        MAPIUID m = to_mapiuid(service_uid);
        std::string shown = to_ansi(new_display);
        const HRESULT hr = admin_->RenameMsgService(&m, 0, reinterpret_cast<LPTSTR>(shown.data()));
        if (FAILED(hr)) return failed(hr, "IMsgServiceAdmin::RenameMsgService failed");
        return {};
    }

    /// MsgServiceTransportOrder with the complete list of transport provider UIDs.
    result<void> transport_order(std::span<const uid> order) {
        if (!admin_) return empty_failure();
        std::vector<MAPIUID> list;
        list.reserve(order.size());
        for (const uid& u : order) list.push_back(to_mapiuid(u));
        const HRESULT hr = admin_->MsgServiceTransportOrder(static_cast<ULONG>(list.size()), list.data(), 0);
        if (FAILED(hr)) return failed(hr, "IMsgServiceAdmin::MsgServiceTransportOrder failed");
        return {};
    }

    /// SetPrimaryIdentity; nullopt clears it.
    result<void> set_primary_identity(std::optional<uid> service_uid) {
        if (!admin_) return empty_failure();
        MAPIUID m{};
        if (service_uid) m = to_mapiuid(*service_uid);
        const HRESULT hr = admin_->SetPrimaryIdentity(service_uid ? &m : nullptr, 0);
        if (FAILED(hr)) return failed(hr, "IMsgServiceAdmin::SetPrimaryIdentity failed");
        return {};
    }

    /// PR_SERVICE_UID of every row of GetMsgServiceTable.
    [[nodiscard]] result<std::vector<uid>> service_uids() {
        if (!admin_) return empty_failure();
        com_ptr<IMAPITable> table;
        const HRESULT hr = admin_->GetMsgServiceTable(0, table.put());
        if (FAILED(hr)) return failed(hr, "IMsgServiceAdmin::GetMsgServiceTable failed");
        if (!table) return fail(scode::call_failed, "GetMsgServiceTable returned no table", detail::service_admin_component);
        auto column = detail::binary_column(table.get(), PR_SERVICE_UID, free_buffer(), "the message service table");
        if (!column) return std::move(column).as_failure();
        std::vector<uid> out;
        for (const auto& bytes : *column) {
            if (bytes.size() != 16) continue;
            uid u;
            std::copy(bytes.begin(), bytes.end(), u.bytes.begin());
            out.push_back(u);
        }
        return out;
    }

private:
    [[nodiscard]] fn::mapi_free_buffer free_buffer() const noexcept { return sub_ ? sub_->mapi->api.free_buffer : nullptr; }
    [[nodiscard]] static failure empty_failure() {
        return fail(scode::invalid_object, "this service_admin holds no IMsgServiceAdmin (default-constructed or moved from)",
                    detail::service_admin_component);
    }
    [[nodiscard]] failure failed(HRESULT hr, const std::string& what) const {
        return object_failure(admin_.get(), hr, what, detail::service_admin_component, free_buffer());
    }

    std::shared_ptr<detail::win32_state> sub_;
    com_ptr<IMsgServiceAdmin> admin_;
    com_ptr<msg_service_admin2> admin2_;
};

} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
