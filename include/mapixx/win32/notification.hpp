// SPDX-License-Identifier: MIT
/// \file
/// Session notifications over the real MAPI: an IMAPIAdviseSink COM object that hands MAPI's
/// NOTIFICATION structures to a portable `advise_sink` as `session_event`s, and the RAII
/// `advise_registration` that `win32::session::advise` returns (its destructor is the
/// IMAPISession::Unadvise, and the IMAPITable::Unadvise of the status table advised with it).
#ifndef MAPIXX_WIN32_NOTIFICATION_HPP_INCLUDED
#define MAPIXX_WIN32_NOTIFICATION_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/session/notification.hpp>
#include <mapixx/win32/com_ptr.hpp>
#include <mapixx/win32/detail/advise.hpp>
#include <mapixx/win32/error.hpp>
#include <mapixx/win32/sdk.hpp>
#include <mapixx/win32/status_table.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mapixx::inline v0::win32 {

/// The events `session::advise` asks IMAPISession::Advise for by default: critical errors
/// (fnevCriticalError: the session is shutting down), extended events (fnevExtended: how MAPI
/// tells of a logoff) and status-object changes (fnevStatusObjectModified; MAPI may refuse it
/// for a session-level Advise, and the wrapper then asks again without it).
inline constexpr std::uint32_t default_advise_events =
    fnevCriticalError | fnevExtended | fnevStatusObjectModified;

/// The bits of an `advise` mask that ask for status changes: with either of them, `session::advise`
/// also opens the session's status table and advises it (IMAPITable::Advise(fnevTableModified)),
/// which is how MAPI tells clients of status row changes (MAPI-REFERENCE 8.4).
inline constexpr std::uint32_t status_change_events = fnevStatusObjectModified | fnevTableModified;

namespace detail {
inline constexpr const char* advise_component = "mapixx.win32.advise";

/// What a sink COM object and its registration share: the portable sink, whether MAPI may
/// still call it, and whether it has had its `session_ended`.
struct sink_state {
    explicit sink_state(advise_sink s) : sink(std::move(s)) {}
    advise_sink sink;
    std::atomic<bool> active{true};  ///< false once unadvised: late calls from MAPI are dropped
    std::atomic<bool> ended{false};  ///< true once `session_ended` was delivered

    /// Calls the sink with `e` unless the session already ended for it. `session_ended` goes out
    /// at most once and nothing follows it. What the sink throws is swallowed.
    void deliver(const session_event& e) noexcept {
        if (e.kind == session_event_kind::session_ended) {
            if (ended.exchange(true)) return;
        } else if (ended.load()) {
            return;
        }
        try {
            sink(e);
        } catch (...) {  // NOLINT(bugprone-empty-catch): a sink's exception is ignored, as in the portable session
        }
    }
};

/// The text of a MAPIERROR string member: UTF-16 when `unicode`, else the ANSI code page.
[[nodiscard]] inline std::string notification_text(const void* p, bool unicode) {
    if (p == nullptr) return {};
    return unicode ? to_utf8(static_cast<const wchar_t*>(p)) : ansi_to_utf8(static_cast<const char*>(p));
}

/// The portable event of one MAPI notification, or nothing for the kinds a session sink does not
/// receive:
/// - fnevStatusObjectModified → `status_row_modified` with the object's properties as the row
///   (its entry id added as PR_ENTRYID when the properties lack it);
/// - fnevTableModified with TABLE_ROW_ADDED or TABLE_ROW_MODIFIED (how status-table changes
///   reach a table sink) → `status_row_modified` with the row (the columns the table was set
///   to: `status_columns`). The other table events give nothing: the portable event promises
///   the row as it is now, and TABLE_ROW_DELETED (a row that is gone, named only by its
///   PR_INSTANCE_KEY), TABLE_CHANGED and TABLE_RELOAD ("re-read the table") and TABLE_ERROR
///   carry no such row; a client that must be sure re-reads with `session::status_table()`;
/// - fnevCriticalError → `session_ended` with the error's SCODE as `code` (`shared_logoff` when
///   it is MAPI_E_END_OF_SESSION: another client ended the shared session) and the MAPIERROR's
///   text, when there is one, in `message`;
/// - fnevExtended → `session_ended` with `end_of_session`.
/// Throws: `std::bad_alloc`.
[[nodiscard]] inline std::optional<session_event> to_session_event(const NOTIFICATION& n) {
    session_event e;
    switch (n.ulEventType) {
    case fnevStatusObjectModified: {
        const STATUS_OBJECT_NOTIFICATION& s = n.info.statobj;
        e.kind = session_event_kind::status_row_modified;
        e.row = status_row_from(s.lpPropVals, s.cValues);
        if (s.lpEntryID != nullptr && s.cbEntryID != 0 && !e.row.contains(pr::entryid)) {
            const auto* p = reinterpret_cast<const std::uint8_t*>(s.lpEntryID);
            static_cast<void>(e.row.set(pr::entryid, binary(p, p + s.cbEntryID)));
        }
        const std::string name(e.row.get_string(pr::display_name).value_or(""));
        e.message = "the status object" + (name.empty() ? std::string() : " \"" + name + "\"") + " changed";
        return e;
    }
    case fnevTableModified: {
        const TABLE_NOTIFICATION& t = n.info.tab;
        if (t.ulTableEvent != TABLE_ROW_ADDED && t.ulTableEvent != TABLE_ROW_MODIFIED) return std::nullopt;
        e.kind = session_event_kind::status_row_modified;
        e.row = status_row_from(t.row.lpProps, t.row.cValues);
        e.message = t.ulTableEvent == TABLE_ROW_ADDED ? "a status row was added" : "a status row changed";
        return e;
    }
    case fnevCriticalError: {
        const ERROR_NOTIFICATION& err = n.info.err;
        e.kind = session_event_kind::session_ended;
        e.code = to_scode(static_cast<HRESULT>(err.scode));
        e.shared_logoff = e.code == scode::end_of_session;
        e.message = "MAPI reported a critical error for the session: " + to_string(e.code);
        if (err.lpMAPIError != nullptr) {
            const bool unicode = (err.ulFlags & MAPI_UNICODE) != 0;
            const std::string text =
                notification_text(reinterpret_cast<const void*>(err.lpMAPIError->lpszError), unicode);
            const std::string component =
                notification_text(reinterpret_cast<const void*>(err.lpMAPIError->lpszComponent), unicode);
            if (!text.empty()) e.message += ": " + text;
            if (!component.empty()) e.message += " (" + component + ")";
        }
        return e;
    }
    case fnevExtended:
        e.kind = session_event_kind::session_ended;
        e.code = scode::end_of_session;
        e.message = "MAPI sent the session an extended event (" + std::to_string(n.info.ext.ulEvent) +
                    "), which is how it announces the end of a session";
        return e;
    default:
        return std::nullopt;
    }
}

/// The session's live registrations, shared by the session and its `advise_registration`s so
/// that whichever goes first does the Unadvise (the session does it for all of them before its
/// Logoff; a registration destroyed later then does nothing).
struct advise_registry {
    /// One `session::advise`: its IMAPISession::Advise connection and, when the status table
    /// could be advised for the same sink object, that table and its IMAPITable::Advise
    /// connection (one table per registration). Both numbers are kept as MAPI returned them
    /// (`advise_connection`, whatever width the SDK's declaration has).
    struct entry {
        advise_connection connection = 0;
        std::shared_ptr<sink_state> state;
        com_ptr<IMAPITable> status_table;  ///< null when the status table is not advised
        advise_connection table_connection = 0;
    };
    /// What the two Unadvise calls of an entry answered.
    struct unadvised {
        HRESULT table = S_OK;
        HRESULT session = S_OK;
    };

    std::mutex mutex;
    IMAPISession* session = nullptr;  ///< not owned; null once the session logged off
    fn::mapi_free_buffer free_buffer = nullptr;
    std::vector<entry> live;

    static failure ended() {
        return fail(scode::end_of_session,
                    "the session has ended (logged off): its advise connections were removed before the Logoff",
                    advise_component);
    }

    /// The Unadvise calls of one entry: IMAPITable::Unadvise of its status table connection, then
    /// IMAPISession::Unadvise (skipped when `session` is null). The sink is marked inactive first,
    /// so whatever MAPI still delivers is dropped. The table is not released: the caller does
    /// that once every Unadvise is made (MAPI's shutdown order, MAPI-REFERENCE 4.4).
    static unadvised disconnect(IMAPISession* session, const entry& e) noexcept {
        e.state->active = false;
        unadvised r;
        if (e.status_table) r.table = unadvise_call(e.status_table.get(), e.table_connection);
        if (session != nullptr) r.session = unadvise_call(session, e.connection);
        return r;
    }

    /// Unadvise (status table, then session) for a live registration, then Release of its status
    /// table; the sink gets no more events. A failure of either Unadvise is reported (the table's
    /// first); both are always made.
    result<void> unadvise(advise_connection connection) {
        entry e;  // declared before the lock: the table is released after the mutex is
        std::lock_guard lock(mutex);
        if (session == nullptr) return ended();
        auto it = std::find_if(live.begin(), live.end(), [&](const entry& x) { return x.connection == connection; });
        if (it == live.end()) {
            return fail(scode::not_found,
                        "no advise connection " + std::to_string(connection) + " is registered by this session",
                        advise_component);
        }
        e = std::move(*it);
        live.erase(it);
        const unadvised r = disconnect(session, e);
        if (FAILED(r.table)) {
            return object_failure(e.status_table.get(), r.table,
                                  "IMAPITable::Unadvise(" + std::to_string(e.table_connection) +
                                      ") of the status table failed",
                                  advise_component, free_buffer);
        }
        if (FAILED(r.session)) {
            return object_failure(session, r.session, "IMAPISession::Unadvise(" + std::to_string(connection) + ") failed",
                                  advise_component, free_buffer);
        }
        return {};
    }

    /// At logoff, before IMAPISession::Logoff: Unadvise every live registration (its status table
    /// and its session connection), then Release every status table (MAPI's shutdown order), then
    /// tell each sink that has not had it yet that the session ended. Never throws.
    void end_all() noexcept {
        std::vector<entry> taken;
        {
            std::lock_guard lock(mutex);
            taken.swap(live);
            for (const entry& e : taken) static_cast<void>(disconnect(session, e));
            session = nullptr;
        }
        for (entry& e : taken) e.status_table.reset();
        for (const entry& e : taken) {
            try {
                session_event ev;
                ev.kind = session_event_kind::session_ended;
                ev.code = scode::end_of_session;
                ev.message = "the session was logged off";
                e.state->deliver(ev);
            } catch (...) {  // NOLINT(bugprone-empty-catch): only std::bad_alloc building the event
            }
        }
    }
};

/// How `session::advise` fared with the status table, for its `advise_registration`.
struct status_table_link {
    advise_connection connection = 0;  ///< the IMAPITable::Advise connection (0: none)
    std::uint32_t events = 0;          ///< fnevTableModified when advised, else 0
    result<void> outcome;              ///< success, or why the table could not be advised
};
} // namespace detail

/// An IMAPIAdviseSink that forwards MAPI's notifications to a portable `advise_sink`.
///
/// Reference counted (it starts with one reference, its creator's); it deletes itself when the
/// last reference goes. OnNotify converts each NOTIFICATION of the array (`detail::to_session_event`)
/// and calls the sink on the thread MAPI calls it on; it always returns 0 and lets no exception
/// out. Once unadvised (or after `session_ended`), it drops what MAPI still sends.
class advise_sink_object final : public IMAPIAdviseSink {
public:
    /// A new object holding one reference, for `state`'s sink. Throws: `std::bad_alloc`.
    [[nodiscard]] static com_ptr<IMAPIAdviseSink> make(std::shared_ptr<detail::sink_state> state) {
        return com_ptr<IMAPIAdviseSink>::attach(new advise_sink_object(std::move(state)));
    }
    /// The number of these objects alive in the process (for tests and leak checks).
    [[nodiscard]] static long live_count() noexcept { return live().load(); }

    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, LPVOID* out) override {
        if (out == nullptr) return E_INVALIDARG;
        if (IsEqualIID(riid, iid_mapi_advise_sink) || IsEqualIID(riid, iid_unknown)) {
            AddRef();
            *out = static_cast<IMAPIAdviseSink*>(this);
            return S_OK;
        }
        *out = nullptr;
        return E_NOINTERFACE;
    }
    ULONG STDMETHODCALLTYPE AddRef() override { return ++refs_; }
    ULONG STDMETHODCALLTYPE Release() override {
        const ULONG left = --refs_;
        if (left == 0) delete this;
        return left;
    }
    ULONG STDMETHODCALLTYPE OnNotify(ULONG count, LPNOTIFICATION notifications) override {
        if (notifications == nullptr) return 0;
        for (ULONG i = 0; i != count; ++i) {
            if (!state_->active.load()) break;
            try {
                if (auto e = detail::to_session_event(notifications[i])) state_->deliver(*e);
            } catch (...) {  // NOLINT(bugprone-empty-catch): std::bad_alloc: this notification is lost
            }
        }
        return 0;
    }

private:
    explicit advise_sink_object(std::shared_ptr<detail::sink_state> state) : state_(std::move(state)) { ++live(); }
    ~advise_sink_object() { --live(); }
    static std::atomic<long>& live() noexcept {
        static std::atomic<long> n{0};
        return n;
    }

    std::atomic<ULONG> refs_{1};
    std::shared_ptr<detail::sink_state> state_;
};

/// One IMAPISession::Advise connection, from `session::advise`, and the IMAPITable::Advise of the
/// session's status table made for the same sink (when `events` asked for status changes and
/// MAPI let it). Its destructor (or `unadvise()`) calls IMAPITable::Unadvise, IMAPISession::Unadvise
/// and releases the table, unless the session already did so at its logoff. Move-only.
class advise_registration {
public:
    advise_registration() noexcept = default;
    advise_registration(const advise_registration&) = delete;
    advise_registration& operator=(const advise_registration&) = delete;
    advise_registration(advise_registration&& o) noexcept
        : registry_(std::move(o.registry_)), connection_(std::exchange(o.connection_, 0)), events_(o.events_),
          table_(std::move(o.table_)) {}
    advise_registration& operator=(advise_registration&& o) noexcept {
        if (this != &o) {
            drop();
            registry_ = std::move(o.registry_);
            connection_ = std::exchange(o.connection_, 0);
            events_ = o.events_;
            table_ = std::move(o.table_);
        }
        return *this;
    }
    /// Unadvise, ignoring what it returns. Never throws.
    ~advise_registration() { drop(); }

    /// The connection number IMAPISession::Advise returned, as it returned it (64 bits: see
    /// `win32::advise_connection`).
    [[nodiscard]] advise_connection connection() const noexcept { return connection_; }
    /// The event mask IMAPISession::Advise accepted.
    [[nodiscard]] std::uint32_t events() const noexcept { return events_; }
    /// fnevTableModified when the session's status table is advised for this sink (status row
    /// changes arrive as `status_row_modified`), 0 when it is not (not asked for, or it failed:
    /// see `status_table_result()`).
    [[nodiscard]] std::uint32_t status_table_events() const noexcept { return table_.events; }
    /// The connection number IMAPITable::Advise returned (0 when the table is not advised).
    [[nodiscard]] advise_connection status_table_connection() const noexcept { return table_.connection; }
    /// Success when the status table is advised or was not asked for (an `events` mask without
    /// `status_change_events`); otherwise why not: the failure of GetStatusTable, SetColumns or
    /// IMAPITable::Advise (the session-level connection works all the same).
    [[nodiscard]] const result<void>& status_table_result() const noexcept { return table_.outcome; }
    /// True while this object still owns a connection.
    [[nodiscard]] explicit operator bool() const noexcept { return registry_ != nullptr; }

    /// IMAPITable::Unadvise and IMAPISession::Unadvise now, then Release of the status table.
    /// Does nothing for an empty registration; `end_of_session` when the session's logoff already
    /// removed the connection.
    /// Throws: `std::bad_alloc` (only while describing a failure; the Unadvise was made).
    result<void> unadvise() {
        auto reg = std::move(registry_);
        if (!reg) return {};
        return reg->unadvise(connection_);
    }
    /// Gives the connection up without Unadvise and returns its number: `session::unadvise`
    /// removes it (and its status table connection) later, or the session's logoff does. Keep it
    /// in a `win32::advise_connection`: the portable `mapixx::advise_connection` is 32 bits.
    [[nodiscard]] advise_connection release() noexcept {
        registry_.reset();
        return std::exchange(connection_, 0);
    }

    /// For `session::advise`.
    advise_registration(std::shared_ptr<detail::advise_registry> registry, advise_connection connection,
                        std::uint32_t events, detail::status_table_link table) noexcept
        : registry_(std::move(registry)), connection_(connection), events_(events), table_(std::move(table)) {}

private:
    void drop() noexcept {
        try {
            static_cast<void>(unadvise());
        } catch (...) {  // NOLINT(bugprone-empty-catch): the Unadvise was made; only its description failed
        }
    }

    std::shared_ptr<detail::advise_registry> registry_;
    advise_connection connection_ = 0;
    std::uint32_t events_ = 0;
    detail::status_table_link table_;
};

} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
