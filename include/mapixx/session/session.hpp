// SPDX-License-Identifier: MIT
/// \file
/// `session`: a logged-on MAPI session (IMAPISession) as a move-only RAII handle.
#ifndef MAPIXX_SESSION_SESSION_HPP_INCLUDED
#define MAPIXX_SESSION_SESSION_HPP_INCLUDED

#include <mapixx/core/error_info.hpp>
#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_admin.hpp>
#include <mapixx/profile/service_admin.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/session/detail/session_core.hpp>
#include <mapixx/session/logon_report.hpp>
#include <mapixx/session/notification.hpp>
#include <mapixx/session/status_object.hpp>
#include <mapixx/session/status_table.hpp>
#include <mapixx/spooler/spooler.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// A provider logon that is live in a session, as `session::providers` lists it.
struct session_provider {
    std::string service_name;               ///< PR_SERVICE_NAME of its message service
    provider_entry entry;                   ///< its entry in the profile
    std::shared_ptr<provider_logon> logon;  ///< the logon object (cast to `store_logon`, ... by `entry.type`)
};

/// A logged-on session, or one member of a shared session. Made by `logon`.
///
/// Move-only. A shared session (MAPI_ALLOW_OTHERS) has one handle per member (the logon that
/// made it, and every logon that joined it) over one shared state; it lives while any member
/// holds it. An individual session has a single member.
///
/// - `logoff()` ends this member (and the session with its last member); with
///   `logoff_flag::shared` on a shared session it ends every member and tells their advise sinks
///   (rule 32); on an individual session that flag is ignored (rule 33). Order of provider
///   logoffs: transports, stores, address books (the reverse of logon order).
/// - The destructor logs off if `logoff()` was not awaited: it runs the provider logoffs
///   synchronously (`sync_wait`) and never throws. Do not let the last member be destroyed on a
///   thread whose run loop a provider's logoff is waiting for.
/// - After the session ended, every call that models an IMAPISession method returns
///   `end_of_session` (rule 31). The record of the logon (`report`, `profile_name`, `shared`)
///   stays readable.
///
/// Thread-safe: one handle may be used from several threads; logon, join, logoff and status
/// reads of one session may run concurrently.
///
/// \code
/// result<session> s = co_await mapi.logon({.profile = "Service", .flags = service_logon_flags});
/// if (s) {
///     for (const auto& svc : s->report().services) std::cout << svc.name << '\n';
///     co_await s->logoff();
/// }
/// \endcode
class session {
public:
    /// A handle that holds no session: every call returns `end_of_session`.
    session() noexcept = default;
    session(const session&) = delete;
    session& operator=(const session&) = delete;
    /// Takes over `other`'s member; `other` then holds nothing.
    session(session&& other) noexcept = default;
    /// Logs this handle's member off (synchronously, as the destructor does), then takes over
    /// `other`'s.
    session& operator=(session&& other) noexcept {
        if (this != &other) {
            end_now();
            member_ = std::move(other.member_);
        }
        return *this;
    }
    /// Logs off if `logoff()` was not awaited. Never throws.
    ~session() { end_now(); }

    /// True while this member has not ended.
    [[nodiscard]] bool active() const noexcept { return member_ && !member_->is_ended(); }
    /// Same as `active()`.
    [[nodiscard]] explicit operator bool() const noexcept { return active(); }

    /// The profile the session uses (as the store spells it). Empty for an empty handle.
    [[nodiscard]] const std::string& profile_name() const noexcept {
        static const std::string none;
        return member_ ? member_->core->profile_name() : none;
    }
    /// True for a shared session (MAPI_ALLOW_OTHERS).
    [[nodiscard]] bool shared() const noexcept { return member_ && member_->core->shared; }
    /// What the logon that made this handle did. Immutable, and valid as long as the handle;
    /// handles whose logons went the same way may refer to the same report.
    [[nodiscard]] const logon_report& report() const noexcept {
        static const logon_report none;
        return member_ && member_->report ? *member_->report : none;
    }
    /// The flags of the logon that made this handle.
    [[nodiscard]] logon_flags flags() const noexcept { return member_ ? member_->flags : logon_flags{}; }

    /// GetStatusTable: a snapshot of the status table (see `status_rows`).
    [[nodiscard]] result<status_rows> status_table() const {
        auto core = live_core();
        if (!core) return failed(ended_failure());
        std::lock_guard guard(core->mutex);
        if (core->ended) return failed(ended_failure());
        return core->status_table();
    }

    /// OpenEntry on a status row's PR_ENTRYID: the status object of row `row_id`.
    /// `not_found` for a row id the table does not have.
    [[nodiscard]] result<status_object> open_status(std::int32_t row_id) const {
        auto core = live_core();
        if (!core) return failed(ended_failure());
        resource_type type{};
        {
            std::lock_guard guard(core->mutex);
            if (core->ended) return failed(ended_failure());
            if (row_id < 0 || static_cast<std::size_t>(row_id) >= core->status_row_count()) {
                return failed(fail(scode::not_found,
                                   "the status table has no row " + std::to_string(row_id) + "", "mapixx.session"));
            }
            type = core->status_row_type(static_cast<std::size_t>(row_id));
        }
        return status_object(member_, static_cast<std::size_t>(row_id), type);
    }
    /// The status object of the first row of `type` (`resource_type::subsystem`, `spooler`,
    /// `ab`, or a provider type). `not_found` if the table has none.
    [[nodiscard]] result<status_object> open_status(resource_type type) const {
        auto core = live_core();
        if (!core) return failed(ended_failure());
        std::size_t row = 0;
        {
            std::lock_guard guard(core->mutex);
            if (core->ended) return failed(ended_failure());
            const std::size_t count = core->status_row_count();
            while (row < count && core->status_row_type(row) != type) ++row;
            if (row == count) {
                return failed(fail(scode::not_found,
                                   "the status table has no " + std::string(sdk_name(type)) + " row", "mapixx.session"));
            }
        }
        return status_object(member_, row, type);
    }

    /// The session's default store (rule 50): the logon of the first store provider, in profile
    /// order, flagged STATUS_DEFAULT_STORE. `not_found` when the profile has none, or when that
    /// store is not logged on (its service was disabled; the message says why).
    [[nodiscard]] result<std::shared_ptr<store_logon>> default_store() const {
        auto core = live_core();
        if (!core) return failed(ended_failure());
        std::lock_guard guard(core->mutex);
        if (core->ended) return failed(ended_failure());
        for (std::size_t si = 0; si < core->prof().services.size(); ++si) {
            const auto& svc = core->prof().services[si];
            for (std::size_t pi = 0; pi < svc.providers.size(); ++pi) {
                const auto& p = svc.providers[pi];
                if (p.type != resource_type::store_provider || !p.flags.has(resource_flag::default_store)) continue;
                for (const auto& r : core->records) {
                    if (r.service_index == si && r.provider_index == pi && r.logon) {
                        return std::static_pointer_cast<store_logon>(r.logon);
                    }
                }
                return failed(fail(scode::not_found,
                                   "the default store \"" + p.display_name + "\" (service " + svc.name +
                                       ") is not logged on in this session; see the logon report",
                                   "mapixx.session"));
            }
        }
        return failed(fail(scode::not_found,
                           "profile \"" + core->profile_name() + "\" has no store provider flagged STATUS_DEFAULT_STORE",
                           "mapixx.session"));
    }
    /// `default_store()` cast to the provider's own logon type; `no_support` if it is another.
    template <class Logon>
    [[nodiscard]] result<std::shared_ptr<Logon>> default_store_as() const {
        auto s = default_store();
        if (!s) return std::move(s).as_failure();
        auto cast = std::dynamic_pointer_cast<Logon>(*s);
        if (!cast) return failed(fail(scode::no_support, "the default store is of another provider type", "mapixx.session"));
        return cast;
    }

    /// The provider logons live in the session, in logon order (address books, stores,
    /// transports). A snapshot.
    [[nodiscard]] result<std::vector<session_provider>> providers() const {
        auto core = live_core();
        if (!core) return failed(ended_failure());
        std::lock_guard guard(core->mutex);
        if (core->ended) return failed(ended_failure());
        std::vector<session_provider> out;
        for (const auto& r : core->records) {
            if (!r.logon) continue;
            out.push_back(session_provider{core->service_of(r).name, core->entry_of(r), r.logon});
        }
        return out;
    }

    /// The session's own copy of its profile, as it was loaded at logon (plus what the
    /// configuration steps of the logon wrote). Changes made to the store meanwhile, through an
    /// admin or `admin_services`, are not in it: they apply to the next session (rule 34).
    [[nodiscard]] result<profile> profile_copy() const {
        auto core = live_core();
        if (!core) return failed(ended_failure());
        std::lock_guard guard(core->mutex);
        if (core->ended) return failed(ended_failure());
        return core->prof();
    }

    /// AdminServices: the message-service admin of the session's profile, from the
    /// `init_options::admin` the subsystem was given (`no_support` without one). What it changes
    /// is stored at once but is not seen by this session, which keeps its own copy of the
    /// profile; the next session sees it (rule 34).
    [[nodiscard]] result<service_admin> admin_services() const {
        auto core = live_core();
        if (!core) return failed(ended_failure());
        const profile_admin* admin = nullptr;
        std::string name;
        {
            std::lock_guard guard(core->mutex);
            if (core->ended) return failed(ended_failure());
            if (core->sub.initialized()) admin = core->sub.state()->options.admin;  // live: not reset yet
            name = core->profile_name();
        }
        if (admin == nullptr) {
            return failed(fail(scode::no_support,
                               "AdminServices needs the profile_admin of the profile store: initialise the subsystem "
                               "with init_options::admin",
                               "mapixx.session"));
        }
        auto a = admin->admin_services(name);
        if (!a) return failed(std::move(a).as_failure());
        return a;
    }

    /// GetLastError: the extended error information of the last call through this handle that
    /// failed, or an empty `error_info` when there is nothing to report (rule 35); `version` is
    /// always 0 (rule 36). `flags` may be 0 or MAPI_UNICODE (0x80000000): `unknown_flags` for
    /// other bits, `bad_charwidth` for MAPI_UNICODE on a session logged on without MAPI_UNICODE.
    [[nodiscard]] result<error_info> last_error(std::uint32_t flags = 0) const {
        if (!active()) return ended_failure();
        constexpr std::uint32_t mapi_unicode = 0x80000000u;
        if ((flags & ~mapi_unicode) != 0) {
            return fail(scode::unknown_flags,
                        "GetLastError takes only MAPI_UNICODE (0x80000000); bits " + detail::hex32(flags & ~mapi_unicode) +
                            " are not defined",
                        "mapixx.session", flags & ~mapi_unicode);
        }
        if ((flags & mapi_unicode) != 0 && !member_->flags.has(logon_flag::unicode)) {
            return fail(scode::bad_charwidth,
                        "GetLastError with MAPI_UNICODE on a session logged on without MAPI_UNICODE (rule 35)",
                        "mapixx.session");
        }
        error_info e = member_->last_error();
        e.version = constants::mapi_error_version;
        return e;
    }

    /// QueryIdentity (rule 37): PR_IDENTITY_ENTRYID of the status row flagged
    /// STATUS_PRIMARY_IDENTITY, else the first identity a row offers; with none at all, a
    /// stand-in entry id and the warning `w_no_service` (a success).
    [[nodiscard]] result<binary> query_identity() const {
        auto core = live_core();
        if (!core) return failed(ended_failure());
        std::lock_guard guard(core->mutex);
        if (core->ended) return failed(ended_failure());
        // Only a provider can put PR_IDENTITY_ENTRYID in its row; PR_RESOURCE_FLAGS is MAPI's
        // column, from the profile entry.
        const binary* first = nullptr;
        for (const auto& row : core->provider_rows) {
            const binary* id = row.changed().get_binary(pr::identity_entryid);
            if (id == nullptr) continue;
            const provider_entry& e = core->prof().services[row.service_index].providers[row.provider_index];
            if (e.flags.has(resource_flag::primary_identity)) return *id;
            if (first == nullptr) first = id;
        }
        if (first != nullptr) return *first;
        return result<binary>(no_identity_entryid(), scode::w_no_service);
    }
    /// The stand-in entry id `query_identity` returns when no provider supplies an identity.
    [[nodiscard]] static binary no_identity_entryid() {
        // Four flag bytes, then the bytes of "mapixx:no-identity".
        binary id{0, 0, 0, 0};
        for (char c : std::string_view("mapixx:no-identity")) id.push_back(static_cast<std::uint8_t>(c));
        return id;
    }

    /// Advise: `sink` receives the session's status changes and the end of the session (see
    /// `session_event`). Returns the connection number for `unadvise`. `invalid_parameter` for an
    /// empty sink. When this member leaves a shared session that goes on, its sinks are removed
    /// without an event; when the session ends, every sink gets `session_ended` once.
    [[nodiscard]] result<advise_connection> advise(advise_sink sink) {
        auto core = live_core();
        if (!core) return failed(ended_failure());
        if (!sink) return failed(fail(scode::invalid_parameter, "Advise needs a sink", "mapixx.session"));
        std::lock_guard guard(core->mutex);
        if (core->ended) return failed(ended_failure());
        auto fn = std::make_shared<advise_sink>(std::move(sink));
        core->sinks.reserve(core->sinks.size() + 1);  // nothing below throws
        if (member_->id == 0) member_->id = core->registry->next_id.fetch_add(1);
        const advise_connection c = core->next_connection++;
        core->sinks.push_back(detail::sink_entry{c, member_->id, std::move(fn)});
        return c;
    }
    /// Unadvise. `not_found` for a connection this handle did not make or already removed.
    result<void> unadvise(advise_connection connection) {
        auto core = live_core();
        if (!core) return failed(ended_failure());
        std::lock_guard guard(core->mutex);
        if (core->ended) return failed(ended_failure());
        auto it = std::find_if(core->sinks.begin(), core->sinks.end(), [&](const detail::sink_entry& s) {
            return s.connection == connection && s.member == member_->id;
        });
        if (it == core->sinks.end()) {
            return failed(fail(scode::not_found,
                               "no advise connection " + std::to_string(connection) + " is registered by this session handle",
                               "mapixx.session"));
        }
        core->sinks.erase(it);
        return {};
    }

    /// \name Mail
    /// A mail-enabled session runs a `spooler` over every transport that logged on; its queue is
    /// the default store's Outbox and it delivers into that store's Inbox. A MAPI_NO_MAIL
    /// session runs only the transports tightly coupled to their store (STATUS_OWN_STORE), in a
    /// spooler of its own that the status table does not show (rules 21, 22, 65). The spooler is
    /// single-threaded: these calls serialise on it, one thread at a time.
    /// @{

    /// IMessage::SubmitMessage for message `id` of the default store's Outbox: marks it
    /// MSGFLAG_SUBMIT and wakes the spooler; the spooler sends it when it next runs (`spool`).
    /// Errors: `end_of_session`; `no_support` when no transport can take it (a MAPI_NO_MAIL
    /// member without a tightly coupled transport, a session without transports, or a default
    /// store that does not expose its messages); `not_found` if the Outbox has no such message.
    result<void> submit_message(std::uint64_t id) {
        auto core = live_core();
        if (!core) return failed(ended_failure());
        std::shared_ptr<detail::session_mail> mail;
        {
            std::lock_guard guard(core->mutex);
            if (core->ended) return failed(ended_failure());
            mail = core->mail;
        }
        const bool member_no_mail = member_->flags.has(logon_flag::no_mail);
        if (!mail) {
            if (member_no_mail) {
                return failed(fail(scode::no_support,
                                   "this session was logged on with MAPI_NO_MAIL and its profile has no transport tightly "
                                   "coupled to its store (STATUS_OWN_STORE), so it cannot send (rule 22)",
                                   "mapixx.session"));
            }
            return failed(fail(scode::no_support,
                               "no transport is logged on in this session, so nothing can send the message",
                               "mapixx.session"));
        }
        if (member_no_mail && !mail->has_coupled) {
            return failed(fail(scode::no_support,
                               "this member logged on with MAPI_NO_MAIL and no transport tightly coupled to the store "
                               "(STATUS_OWN_STORE) runs; the session sends for the members that joined it without "
                               "MAPI_NO_MAIL, not for this one (rules 22 and 23)",
                               "mapixx.session"));
        }
        if (!mail->store) {
            return failed(fail(scode::no_support,
                               "the session's default store does not expose its messages, so the spooler cannot read "
                               "its Outbox",
                               "mapixx.session"));
        }
        auto m = mail->store->open_message(id, attachment_rows::left_out);
        if (!m) return failed(std::move(m).as_failure());
        if (m->folder != standard_folder::outbox) {
            return failed(fail(scode::invalid_parameter,
                               "message " + std::to_string(id) + " is in " + std::string(folder_name(m->folder)) +
                                   "; only a message in the Outbox can be submitted",
                               "mapixx.session"));
        }
        property_bag change;
        (void)change.set(pr::message_flags,
                         m->props.get_i4(pr::message_flags).value_or(0) | msgflag::submit | msgflag::unsent);
        if (!m->props.contains(pr::client_submit_time)) {
            (void)change.set(pr::client_submit_time, filetime::now());
        }
        if (auto r = mail->store->update_message(id, change); !r) return failed(std::move(r).as_failure());
        std::lock_guard guard(mail->mutex);
        if (auto* q = dynamic_cast<detail::store_outbox_queue*>(mail->queue.get())) q->touch();
        if (mail->sp) mail->sp->wake_all();
        return {};
    }

    /// Runs the spooler's ready work (submissions, deliveries, notifications) until nothing is
    /// ready; returns the number of coroutine resumptions. `no_support` without a spooler.
    result<std::size_t> spool() {
        auto mail = mail_or_error();
        if (!mail) return std::move(mail).as_failure();
        std::lock_guard guard((*mail)->mutex);
        return (*mail)->pump_locked();
    }

    /// IMAPIStatus::FlushQueues on the spooler's status object: flushes every transport
    /// (`upload`: outbound, `download`: inbound) and runs the spooler until the flush is done,
    /// waiting on the transports' network I/O (the session's reactor) for at most `timeout`.
    /// `busy` when the flush is not done by then (it goes on as the spooler runs: `spool()`,
    /// `run_for()`), `no_support` without a spooler.
    result<void> flush_queues(flush_flags f, std::chrono::milliseconds timeout = std::chrono::minutes(5)) {
        auto mail = mail_or_error();
        if (!mail) return std::move(mail).as_failure();
        std::lock_guard guard((*mail)->mutex);
        auto done = std::make_shared<bool>(false);
        auto outcome = std::make_shared<result<void>>();
        (*mail)->sched->spawn(run_flush(*(*mail)->sp, f, done, outcome));
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (!*done) {
            if ((*mail)->pump_locked() > 0 || *done) continue;
            const auto now = std::chrono::steady_clock::now();
            if (!(*mail)->io || now >= until) {
                return failed(fail(scode::busy,
                                   "the flush is still waiting on a transport's I/O; it completes as the spooler runs "
                                   "(spool, run_for)",
                                   "mapixx.session"));
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
            if (auto r = (*mail)->run_for_locked(std::min(left, std::chrono::milliseconds(100))); !r) {
                return failed(std::move(r).as_failure());
            }
        }
        if (!*outcome) return failed(std::move(*outcome).as_failure());
        return {};
    }

    /// Runs the spooler for `d`: its ready work, and between events it blocks in the session's
    /// reactor until a transport's socket or timer is ready (without a reactor it runs once
    /// without blocking). The loop a client without a message loop of its own runs.
    /// `no_support` without a spooler; `call_failed` if the reactor's wait fails.
    result<void> run_for(std::chrono::milliseconds d) {
        auto mail = mail_or_error();
        if (!mail) return std::move(mail).as_failure();
        std::lock_guard guard((*mail)->mutex);
        if (auto r = (*mail)->run_for_locked(d); !r) return failed(std::move(r).as_failure());
        return {};
    }

    /// Calls `fn(spooler&)` with the session's spooler, serialised with every other use of it
    /// (for events, transport states, or the reactor loop). `no_support` without a spooler.
    template <class F>
    auto with_spooler(F&& fn) -> result<std::invoke_result_t<F, spooler&>> {
        using R = std::invoke_result_t<F, spooler&>;
        auto mail = mail_or_error();
        if (!mail) return std::move(mail).as_failure();
        std::lock_guard guard((*mail)->mutex);
        if constexpr (std::is_void_v<R>) {
            std::forward<F>(fn)(*(*mail)->sp);
            return {};
        } else {
            return std::forward<F>(fn)(*(*mail)->sp);
        }
    }
    /// @}

    /// Logoff. Ends this member; see the class comment for `logoff_flag::shared`. A second call,
    /// or a call after the session ended, does nothing. `logoff_flag::ui` is accepted (the
    /// portable backend shows no logoff dialog).
    ///
    /// Throws `std::bad_alloc` only when the memory for the logoff itself cannot be had; the
    /// member (and the session) then stay exactly as they were, so the call can be repeated,
    /// and the destructor tries again.
    task<void> logoff(logoff_flags flags = {}) {
        if (!member_ || !member_->core) co_return;
        // A member that is not the last leaves here, without a coroutine of its own.
        const detail::leave_rest rest = detail::leave_now(member_, flags.has(logoff_flag::shared));
        if (rest == detail::leave_rest::none) co_return;
        std::shared_ptr<detail::session_core> core = member_->core;
        co_await detail::end_session(std::move(core), rest == detail::leave_rest::end_shared);
    }

    /// For the logon layer: wraps a member.
    explicit session(std::shared_ptr<detail::member_state> member) noexcept : member_(std::move(member)) {}

private:
    // The flags live in shared state: a flush that outlives the call (busy) still has them.
    static task<void> run_flush(spooler& sp, flush_flags f, std::shared_ptr<bool> done,
                                std::shared_ptr<result<void>> outcome) {
        *outcome = co_await sp.flush(f);
        *done = true;
    }
    result<std::shared_ptr<detail::session_mail>> mail_or_error() const {
        auto core = live_core();
        if (!core) return failed(ended_failure());
        std::shared_ptr<detail::session_mail> mail;
        {
            std::lock_guard guard(core->mutex);
            if (core->ended) return failed(ended_failure());
            mail = core->mail;
        }
        if (!mail || !mail->sp) {
            return failed(fail(scode::no_support, "no spooler runs in this session: no transport is logged on",
                               "mapixx.session"));
        }
        return mail;
    }
    std::shared_ptr<detail::session_core> live_core() const noexcept {
        if (!member_ || member_->is_ended()) return nullptr;
        return member_->core;
    }
    static failure ended_failure() {
        return fail(scode::end_of_session,
                    "the session has ended (logged off): only its destruction (Release) is allowed now (rule 31)",
                    "mapixx.session");
    }
    failure failed(failure f) const {
        if (member_) member_->set_error(f);
        return f;
    }
    void end_now() noexcept {
        if (!member_) return;
        if (member_->core && !member_->is_ended() &&
            detail::leave_now(member_, false) != detail::leave_rest::none) {
            // The last member: the session ends. leave() swallows provider exceptions; what can
            // reach here is std::bad_alloc for its own frames, which leaves the member as it
            // was. A few more tries get past a passing shortage; a destructor never throws, so
            // a lasting one leaves the session live.
            for (int attempt = 0; attempt < 3 && !member_->is_ended(); ++attempt) {
                try {
                    sync_wait(detail::leave(member_, false));
                } catch (...) {
                }
            }
        }
        member_.reset();
    }

    std::shared_ptr<detail::member_state> member_;
};

} // namespace mapixx::inline v0

#endif
