// SPDX-License-Identifier: MIT
/// \file
/// `win32::session`: an IMAPISession from the real MAPILogonEx, held in a `com_ptr`.
#ifndef MAPIXX_WIN32_SESSION_HPP_INCLUDED
#define MAPIXX_WIN32_SESSION_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/session/logon_request.hpp>
#include <mapixx/session/notification.hpp>
#include <mapixx/session/status_table.hpp>
#include <mapixx/win32/com_ptr.hpp>
#include <mapixx/win32/detail/advise.hpp>
#include <mapixx/win32/error.hpp>
#include <mapixx/win32/notification.hpp>
#include <mapixx/win32/sdk.hpp>
#include <mapixx/win32/detail/state.hpp>
#include <mapixx/win32/service_admin.hpp>
#include <mapixx/win32/status_table.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mapixx::inline v0::win32 {

namespace detail {
inline constexpr const char* session_component = "mapixx.win32.session";
inline constexpr const char* logon_component = "mapixx.win32.logon";
} // namespace detail

/// A session from MAPILogonEx: the win32 twin of `mapixx::session`, with the same member names.
/// It owns one reference to the IMAPISession (in a `com_ptr`) and keeps its subsystem
/// initialised while it lives.
///
/// `logoff()` calls IMAPISession::Logoff and then releases the session (Release), which is all
/// MAPI allows after Logoff (rule 31); the destructor does the same with no flags if `logoff()`
/// was not called. Before the Logoff, every advise connection still registered is removed
/// (Unadvise of its status table and of the session), the status tables advised are released,
/// and each sink gets `session_ended`. Every other call after the logoff returns
/// `end_of_session`.
///
/// Move-only. Not synchronised: use one handle from one thread at a time (the IMAPISession
/// itself is free-threaded; share it through `get()` if needed).
class session {
public:
    session() noexcept = default;
    session(const session&) = delete;
    session& operator=(const session&) = delete;
    session(session&& o) noexcept = default;
    session& operator=(session&& o) noexcept {
        if (this != &o) {
            end_now(logoff_flags{});
            sub_ = std::move(o.sub_);
            ptr_ = std::move(o.ptr_);
            profile_ = std::move(o.profile_);
            flags_ = o.flags_;
            ui_param_ = o.ui_param_;
            last_hr_ = o.last_hr_;
            registry_ = std::move(o.registry_);
        }
        return *this;
    }
    /// Logoff then Release if `logoff()` was not called. Never throws.
    ~session() { end_now(logoff_flags{}); }

    /// True until the logoff.
    [[nodiscard]] bool active() const noexcept { return static_cast<bool>(ptr_); }
    [[nodiscard]] explicit operator bool() const noexcept { return active(); }
    /// The profile name the logon was given (UTF-8; empty when none was given).
    [[nodiscard]] const std::string& profile_name() const noexcept { return profile_; }
    /// True when logged on with MAPI_ALLOW_OTHERS (this logon made the shared session).
    [[nodiscard]] bool shared() const noexcept { return flags_.has(logon_flag::allow_others); }
    /// The flags passed to MAPILogonEx.
    [[nodiscard]] logon_flags flags() const noexcept { return flags_; }
    /// The IMAPISession, for calls mapixx does not wrap (null after the logoff). Not AddRef'd.
    [[nodiscard]] IMAPISession* get() const noexcept { return ptr_.get(); }

    /// IMAPISession::AdminServices(0): the message-service admin of the session's profile.
    [[nodiscard]] result<service_admin> admin_services() {
        if (!ptr_) return ended_failure();
        com_ptr<IMsgServiceAdmin> admin;
        const HRESULT hr = ptr_->AdminServices(0, admin.put());
        if (FAILED(hr)) return failed(hr, "IMAPISession::AdminServices failed");
        if (!admin) {
            return fail(scode::call_failed, "IMAPISession::AdminServices succeeded but returned no object",
                        detail::session_component);
        }
        return service_admin(std::move(admin), sub_);
    }

    /// IMAPISession::GetLastError for the last call through this handle that failed (S_OK when
    /// none did). `flags` may be 0 or MAPI_UNICODE; the strings come back as UTF-8 either way.
    /// An empty `error_info` when MAPI has nothing to report (rule 35).
    [[nodiscard]] result<error_info> last_error(std::uint32_t flags = MAPI_UNICODE) const {
        if (!ptr_) return ended_failure();
        LPMAPIERROR err = nullptr;
        const HRESULT hr = ptr_->GetLastError(last_hr_, flags, &err);
        if (FAILED(hr)) {
            return hresult_failure(hr, "IMAPISession::GetLastError failed", detail::session_component);
        }
        error_info info = error_info_from(err, (flags & MAPI_UNICODE) != 0);
        if (err != nullptr && sub_ && sub_->mapi->api.free_buffer != nullptr) sub_->mapi->api.free_buffer(err);
        return info;
    }

    /// IMAPISession::QueryIdentity: the entry id of the primary identity (a `w_no_service`
    /// warning when MAPI made one up, rule 37). The buffer is freed with MAPIFreeBuffer.
    [[nodiscard]] result<std::vector<std::uint8_t>> query_identity() {
        if (!ptr_) return ended_failure();
        ULONG cb = 0;
        LPENTRYID id = nullptr;
        const HRESULT hr = ptr_->QueryIdentity(&cb, &id);
        if (FAILED(hr)) return failed(hr, "IMAPISession::QueryIdentity failed");
        std::vector<std::uint8_t> bytes;
        if (id != nullptr) {
            const auto* p = reinterpret_cast<const std::uint8_t*>(id);
            bytes.assign(p, p + cb);
            if (sub_ && sub_->mapi->api.free_buffer != nullptr) sub_->mapi->api.free_buffer(id);
        }
        if (hr != S_OK) return result<std::vector<std::uint8_t>>(std::move(bytes), to_scode(hr));
        return bytes;
    }

    /// GetStatusTable: a snapshot of the status table, one `property_bag` per row (see
    /// `status_rows`), as the portable `session::status_table()` returns it. The table is opened
    /// with MAPI_UNICODE (again without it when MAPI answers MAPI_E_BAD_CHARWIDTH), given the
    /// columns of `detail::status_columns`, read with QueryRows until no row is left, and
    /// released; every row set is freed with MAPIFreeBuffer. A column a row lacks is absent from
    /// its bag. Rows come in MAPI's order (MAPI does not promise the portable row ids 0, 1, 2
    /// for its own rows: find them with `find_status_row`).
    [[nodiscard]] result<status_rows> status_table() const {
        if (!ptr_) return ended_failure();
        const fn::mapi_free_buffer free_buffer = sub_ ? sub_->mapi->api.free_buffer : nullptr;
        if (free_buffer == nullptr) {
            return fail(scode::no_support, "the MAPI DLL exports no MAPIFreeBuffer, which the status table's rows need",
                        detail::session_component);
        }
        auto opened = open_status_table();
        if (!opened) return std::move(opened).as_failure();
        return detail::read_status_rows(opened->table.get(), opened->unicode, free_buffer);
    }

    /// Advise: IMAPISession::Advise(0, NULL, `events`, sink) with an `advise_sink_object` that
    /// hands each notification to `sink` as a `session_event` (see `detail::to_session_event`).
    /// If MAPI refuses fnevStatusObjectModified (MAPI_E_INVALID_PARAMETER, MAPI_E_UNKNOWN_FLAGS or
    /// MAPI_E_NO_SUPPORT), Advise is called once more without it when other events remain;
    /// `advise_registration::events()` says what MAPI accepted. `invalid_parameter` for an empty
    /// sink; the failure of IMAPISession::Advise fails the call.
    ///
    /// Status rows: when `events` has a bit of `status_change_events`, the sink also gets the
    /// session's status table, as real clients get status changes (MAPI-REFERENCE 8.4): a table of
    /// its own (GetStatusTable, MAPI_UNICODE unless MAPI answers MAPI_E_BAD_CHARWIDTH), set to
    /// `detail::status_columns` and advised with IMAPITable::Advise(fnevTableModified) and the
    /// same sink object; each TABLE_ROW_ADDED / TABLE_ROW_MODIFIED then reaches the sink as
    /// `status_row_modified` with the row's columns. If that fails, the session-level connection
    /// stands and the registration says why (`status_table_events()` is 0,
    /// `status_table_result()` holds the failure). Like `status_table()`, GetStatusTable may wait
    /// right after the logon until the spooler has started the transports (MAPI-REFERENCE 8.1).
    ///
    /// Connection numbers: each Advise writes its number into a variable of the type the SDK's
    /// declaration names (ULONG with MinGW-w64's headers, ULONG_PTR with Microsoft's: see
    /// `detail::advise_call`), kept whole as a 64-bit `win32::advise_connection`.
    ///
    /// The returned registration's destructor is the Unadvise (the table's, then the session's,
    /// then the table's Release); the session's logoff removes every registration still live
    /// before its Logoff and sends each sink `session_ended` once.
    ///
    /// The sink runs on the thread MAPI calls OnNotify on (for table and session notifications
    /// alike): with `init_flag::multithread_notifications` a thread of MAPI's, otherwise the
    /// thread that initialised MAPI, from its message loop (which must be pumped).
    /// Throws: `std::bad_alloc` (nothing stays advised then).
    [[nodiscard]] result<advise_registration> advise(advise_sink sink, std::uint32_t events = default_advise_events) {
        if (!ptr_) return ended_failure();
        if (!sink) return fail(scode::invalid_parameter, "Advise needs a sink", detail::advise_component);
        if (!registry_) {
            registry_ = std::make_shared<detail::advise_registry>();
            registry_->session = ptr_.get();
            registry_->free_buffer = sub_ ? sub_->mapi->api.free_buffer : nullptr;
        }
        const bool wants_status = (events & status_change_events) != 0;
        detail::advise_registry::entry e;
        e.state = std::make_shared<detail::sink_state>(std::move(sink));
        com_ptr<IMAPIAdviseSink> object = advise_sink_object::make(e.state);
        HRESULT hr = detail::advise_call(ptr_.get(), e.connection, 0, nullptr, events, object.get());
        const auto code = static_cast<std::uint32_t>(hr);
        if (FAILED(hr) && (events & fnevStatusObjectModified) != 0 &&
            (events & ~static_cast<std::uint32_t>(fnevStatusObjectModified)) != 0 &&
            (code == static_cast<std::uint32_t>(scode::invalid_parameter) ||
             code == static_cast<std::uint32_t>(scode::unknown_flags) ||
             code == static_cast<std::uint32_t>(scode::no_support))) {
            events &= ~static_cast<std::uint32_t>(fnevStatusObjectModified);
            hr = detail::advise_call(ptr_.get(), e.connection, 0, nullptr, events, object.get());
        }
        if (FAILED(hr)) return failed(hr, "IMAPISession::Advise failed");
        const advise_connection connection = e.connection;
        detail::status_table_link table;
        try {
            if (wants_status) {
                table.outcome = advise_status_table(object.get(), e);
                if (table.outcome) {
                    table.connection = e.table_connection;
                    table.events = fnevTableModified;
                }
            }
            std::lock_guard lock(registry_->mutex);
            registry_->live.push_back(std::move(e));  // leaves `e` as it was if it throws
        } catch (...) {
            static_cast<void>(detail::advise_registry::disconnect(ptr_.get(), e));
            throw;
        }
        // `object` lets its reference go here: MAPI keeps its own until the Unadvise.
        return advise_registration(registry_, connection, events, std::move(table));
    }

    /// Unadvise of a connection whose registration was given up with
    /// `advise_registration::release()` (or is still held: it then does nothing more). `not_found`
    /// for a connection this session does not have. `connection` is a `win32::advise_connection`
    /// (64 bits), as `release()` returned it.
    result<void> unadvise(advise_connection connection) {
        if (!ptr_) return ended_failure();
        if (!registry_) {
            return fail(scode::not_found, "no advise connection " + std::to_string(connection) + " is registered by this session",
                        detail::advise_component);
        }
        return registry_->unadvise(connection);
    }

    /// Logoff: IMAPISession::Logoff(ui_param, flags, 0), then Release. `logoff_flag::ui` passes
    /// the logon's `ui_param` as the parent window. A second call does nothing. The task
    /// completes without suspending.
    task<void> logoff(logoff_flags flags = {}) {
        end_now(flags);
        co_return;
    }

    /// Logoff as a plain call: the HRESULT of IMAPISession::Logoff (the session is released
    /// whatever it says). `end_of_session` if already logged off.
    result<void> logoff_now(logoff_flags flags = {}) {
        if (!ptr_) return ended_failure();
        const HRESULT hr = end_now(flags);
        if (FAILED(hr)) return hresult_failure(hr, "IMAPISession::Logoff failed", detail::session_component);
        return {};
    }

    /// For `subsystem::logon`.
    session(com_ptr<IMAPISession> p, std::shared_ptr<detail::win32_state> sub, std::string profile,
            logon_flags flags, std::uintptr_t ui_param) noexcept
        : sub_(std::move(sub)), ptr_(std::move(p)), profile_(std::move(profile)), flags_(flags), ui_param_(ui_param) {}

private:
    static failure ended_failure() {
        return fail(scode::end_of_session,
                    "the session has ended (logged off): only its destruction (Release) is allowed now (rule 31)",
                    detail::session_component);
    }
    struct opened_status_table {
        com_ptr<IMAPITable> table;
        bool unicode = true;  ///< opened with MAPI_UNICODE
    };
    /// GetStatusTable(MAPI_UNICODE), again with 0 when MAPI answers MAPI_E_BAD_CHARWIDTH.
    result<opened_status_table> open_status_table() const {
        opened_status_table out;
        HRESULT hr = ptr_->GetStatusTable(MAPI_UNICODE, out.table.put());
        if (static_cast<std::uint32_t>(hr) == static_cast<std::uint32_t>(scode::bad_charwidth)) {
            out.unicode = false;
            hr = ptr_->GetStatusTable(0, out.table.put());
        }
        if (FAILED(hr)) return failed(hr, "IMAPISession::GetStatusTable failed");
        if (!out.table) {
            return fail(scode::call_failed, "IMAPISession::GetStatusTable succeeded but returned no table",
                        detail::session_component);
        }
        return out;
    }
    /// For `advise`: a status table of `e`'s own, its columns set, advised with `sink`
    /// (IMAPITable::Advise(fnevTableModified)); on success `e` holds the table and the connection.
    result<void> advise_status_table(IMAPIAdviseSink* sink, detail::advise_registry::entry& e) const {
        const fn::mapi_free_buffer free_buffer = sub_ ? sub_->mapi->api.free_buffer : nullptr;
        auto opened = open_status_table();
        if (!opened) return std::move(opened).as_failure();
        IMAPITable* table = opened->table.get();
        if (auto set = detail::set_status_columns(table, opened->unicode, free_buffer); !set) return set;
        advise_connection connection = 0;
        const HRESULT hr = detail::advise_call(table, connection, fnevTableModified, sink);
        if (FAILED(hr)) {
            return object_failure(table, hr, "IMAPITable::Advise of the status table failed", detail::advise_component,
                                  free_buffer);
        }
        e.status_table = std::move(opened->table);
        e.table_connection = connection;
        return {};
    }
    failure failed(HRESULT hr, std::string_view what) const {
        last_hr_ = hr;
        mapi_api api = sub_ ? sub_->mapi->api : mapi_api{};
        return object_failure(ptr_.get(), hr, what, detail::session_component, api.free_buffer);
    }
    HRESULT end_now(logoff_flags flags) noexcept {
        HRESULT hr = S_OK;
        if (registry_) {
            registry_->end_all();  // Unadvise first: MAPI's shutdown order (MAPI-REFERENCE 4.4)
            registry_.reset();
        }
        if (ptr_) {
            const ULONG_PTR ui = flags.has(logoff_flag::ui) ? static_cast<ULONG_PTR>(ui_param_) : 0;
            hr = ptr_->Logoff(ui, flags.bits(), 0);
            ptr_.reset();  // Release: the only call MAPI allows after Logoff
        }
        sub_.reset();  // may be the MAPIUninitialize, which must come after the Release
        return hr;
    }

    std::shared_ptr<detail::win32_state> sub_;
    com_ptr<IMAPISession> ptr_;
    std::string profile_;
    logon_flags flags_{};
    std::uintptr_t ui_param_ = 0;
    mutable HRESULT last_hr_ = S_OK;
    std::shared_ptr<detail::advise_registry> registry_;
};

namespace detail {
/// The strings of a logon request, converted once when `logon` is called: UTF-16 with
/// MAPI_UNICODE, the ANSI code page without. Absent or empty strings are passed as NULL.
struct logon_strings {
    bool unicode = false;
    std::optional<std::wstring> wide_profile, wide_password;
    std::optional<std::string> narrow_profile, narrow_password;

    LPTSTR profile() {
        if (unicode) return wide_profile ? reinterpret_cast<LPTSTR>(wide_profile->data()) : nullptr;
        return narrow_profile ? reinterpret_cast<LPTSTR>(narrow_profile->data()) : nullptr;
    }
    LPTSTR password() {
        if (unicode) return wide_password ? reinterpret_cast<LPTSTR>(wide_password->data()) : nullptr;
        return narrow_password ? reinterpret_cast<LPTSTR>(narrow_password->data()) : nullptr;
    }
};

inline result<session> logon_now(const std::shared_ptr<win32_state>& state, logon_strings strings,
                                 std::string profile_utf8, logon_flags flags, std::uintptr_t ui_param) {
    const loaded_mapi& m = *state->mapi;
    if (m.api.logon_ex == nullptr) {
        return fail(scode::no_support, m.describe() + " exports no MAPILogonEx", logon_component);
    }
    LPMAPISESSION raw = nullptr;  // pre-set: a failing MAPI may leave the slot untouched
    const HRESULT hr = m.api.logon_ex(static_cast<ULONG_PTR>(ui_param), strings.profile(), strings.password(),
                                      flags.bits(), &raw);
    if (FAILED(hr)) {
        // Whatever a failing MAPILogonEx left in `raw` is not a reference we own.
        if (static_cast<std::uint32_t>(hr) == static_cast<std::uint32_t>(scode::not_initialized)) {
            return fail(to_scode(hr), no_provider_sentence(m, "MAPILogonEx", hr), logon_component,
                        static_cast<std::uint32_t>(hr));
        }
        if (static_cast<std::uint32_t>(hr) == static_cast<std::uint32_t>(scode::call_failed)) {
            // What a mapi32.dll without Extended MAPI (Wine's, for one) answers.
            return fail(to_scode(hr),
                        "MAPILogonEx of " + m.describe() + " failed with " + to_string(to_scode(hr)) +
                            ", which is what a MAPI DLL without an Extended MAPI provider behind it returns (registry "
                            "values read: " + m.library.report().registry_summary() + ")",
                        logon_component, static_cast<std::uint32_t>(hr));
        }
        return hresult_failure(hr, "MAPILogonEx(profile \"" + profile_utf8 + "\", flags " + to_string(flags) + ") failed",
                               logon_component);
    }
    if (raw == nullptr) {
        return fail(scode::call_failed, "MAPILogonEx succeeded but returned no session", logon_component);
    }
    return session(com_ptr<IMAPISession>::attach(raw), state, std::move(profile_utf8), flags, ui_param);
}

inline task<result<session>> logon_task(result<session> r) { co_return r; }
} // namespace detail
} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
