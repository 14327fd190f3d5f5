// SPDX-License-Identifier: MIT
/// \file
/// `initialize` and `subsystem`: MAPIInitialize / MAPIUninitialize as an RAII value.
#ifndef MAPIXX_SESSION_SUBSYSTEM_HPP_INCLUDED
#define MAPIXX_SESSION_SUBSYSTEM_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/mapiinit.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/session/detail/session_registry.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace mapixx::inline v0 {

class profile_admin;
class profile_store;
class profile_usage;
class provider_registry;
class session;
struct logon_request;
class notification_dispatcher;

/// What `initialize` takes: MAPIINIT_0 (`version`, `flags`) plus where the portable backend
/// finds profiles and providers, and its limits.
struct init_options {
    /// MAPIINIT_0::ulVersion. Must be 0 (MAPI_INIT_VERSION).
    std::uint32_t version = constants::mapi_init_version;
    /// MAPIINIT_0::ulFlags. Unknown bits give `unknown_flags`.
    init_flags flags{};
    /// The profile store logons read. Not owned; must outlive the subsystem.
    profile_store* profiles = nullptr;
    /// The factories for the providers that profiles name. Not owned; must outlive the subsystem.
    provider_registry* providers = nullptr;
    /// The most sessions that may be live at once in this subsystem (0: no limit). A logon past
    /// it fails with `logon_failed` and `session_limit` as the low-level code.
    std::size_t max_sessions = 0;
    /// How long a `timeout_short` logon waits for the logon lock before `timeout`.
    std::chrono::milliseconds short_timeout{2000};
    /// The registry of profiles in use for `profiles`, shared with the `profile_admin`s of the
    /// same store so that a profile deleted or renamed while a session uses it is deleted or
    /// renamed when its last session ends (rules 39 and 43). Not owned; must outlive the
    /// subsystem. Null: the registry of `admin` when one is given, else one the subsystem keeps
    /// of its own (then admin changes are not deferred for its sessions).
    profile_usage* usage = nullptr;
    /// The profile administration of `profiles`: `session::admin_services` hands out its
    /// service admins, and the logon calls the message-service entry hooks set on it (after
    /// those of `providers`). Not owned; must outlive the subsystem. May be null.
    const profile_admin* admin = nullptr;
    /// Where sessions run their advise sinks (status row changes, the end of the session).
    /// Null: synchronously, on the thread that caused the event. Otherwise the dispatcher
    /// decides (MAPI-REFERENCE 2.3, rule 5): without `init_flag::multithread_notifications` the
    /// sinks run when the initialising thread pumps its `message_loop`, with it on the
    /// dispatcher's own thread. If the dispatcher cannot take a notification (its loop is
    /// gone) the sinks run synchronously instead, so no notification is lost. Not owned; must
    /// outlive every session of the subsystem.
    const notification_dispatcher* notifications = nullptr;
};

namespace detail {
/// The process-wide part of MAPIInitialize: a count of live initialisations, and the thread
/// and flags of the first one, which fix where notifications go until the count returns to
/// zero (MAPI-REFERENCE 2.3: later initialisations do not move the notification thread).
struct process_init {
    std::mutex mutex;
    std::size_t count = 0;
    std::thread::id first_thread{};
    init_flags first_flags{};
    std::uint64_t generation = 0;  // bumped each time the count leaves zero

    static process_init& get() noexcept {
        static process_init instance;
        return instance;
    }
    void add(init_flags f) {
        std::lock_guard lock(mutex);
        if (count++ == 0) {
            first_thread = std::this_thread::get_id();
            first_flags = f;
            ++generation;
        }
    }
    void remove() noexcept {
        std::lock_guard lock(mutex);
        if (count > 0 && --count == 0) {
            first_thread = {};
            first_flags = {};
        }
    }
};

/// The state one `initialize` call creates. Every copy of a `subsystem` shares it; the last
/// copy's destruction is the MAPIUninitialize.
struct subsystem_state {
    init_options options;
    std::thread::id initialising_thread = std::this_thread::get_id();
    /// The session side: logon lock, shared session, counters (see session/logon.hpp).
    session_registry sessions;

    explicit subsystem_state(init_options o) : options(std::move(o)) { process_init::get().add(options.flags); }
    ~subsystem_state() { process_init::get().remove(); }
    subsystem_state(const subsystem_state&) = delete;
    subsystem_state& operator=(const subsystem_state&) = delete;
};
/// Where `subsystem::logon` finds the logon coroutine: defined in <mapixx/session/logon.hpp>.
template <class Request>
struct logon_entry;
} // namespace detail

class weak_subsystem;

/// An initialised MAPI subsystem: the RAII form of MAPIInitialize. Copies share one
/// initialisation (one count); when the last copy is destroyed the subsystem uninitialises.
/// A default-constructed or moved-from `subsystem` is not initialised and every call on it
/// returns `not_initialized`.
///
/// Sessions keep their subsystem alive, so uninitialising under a live session cannot happen.
///
/// \code
/// auto mapi = initialize({.flags = init_flag::multithread_notifications}).value();
/// auto copy = mapi;        // the same initialisation, count shared
/// \endcode
class subsystem {
public:
    subsystem() noexcept = default;

    /// True if this object holds an initialisation.
    [[nodiscard]] bool initialized() const noexcept { return state_ != nullptr; }
    explicit operator bool() const noexcept { return initialized(); }

    /// The options it was initialised with; `not_initialized` if it holds none.
    [[nodiscard]] result<init_options> options() const {
        if (!state_) return not_initialized_error();
        return state_->options;
    }
    /// True if initialised with `init_flag::nt_service` (service mode).
    [[nodiscard]] bool service_mode() const noexcept {
        return state_ && state_->options.flags.has(init_flag::nt_service);
    }
    /// The thread notifications are delivered on without `multithread_notifications`: the
    /// thread of the first initialisation in the process that is still live.
    [[nodiscard]] std::thread::id notification_thread() const noexcept {
        auto& p = detail::process_init::get();
        std::lock_guard lock(p.mutex);
        return p.first_thread;
    }
    /// The flags of the first live initialisation in the process (they fix the notification
    /// thread; later initialisations only add to the count).
    [[nodiscard]] init_flags process_flags() const noexcept {
        auto& p = detail::process_init::get();
        std::lock_guard lock(p.mutex);
        return p.first_flags;
    }
    /// How many copies share this initialisation (0 when not initialised).
    [[nodiscard]] long use_count() const noexcept { return state_.use_count(); }

    /// A handle that does not keep the subsystem alive.
    [[nodiscard]] weak_subsystem weak() const noexcept;

    /// MAPILogonEx: logs on to a profile, or joins the shared session, as a coroutine. The same
    /// as the free function `logon(subsystem&, logon_request)`; see <mapixx/session/logon.hpp>,
    /// which must be included where this is called (the parameter is a template only so that
    /// this header does not depend on the session layer's headers).
    ///
    /// \code
    /// result<session> s = co_await mapi.logon({.profile = "Service", .flags = service_logon_flags});
    /// \endcode
    template <class Request = logon_request>
    [[nodiscard]] task<result<session>> logon(const Request& request) const {
        return detail::logon_entry<Request>::run(*this, request);
    }

    /// Ends this copy's share now (the destructor does the same). The subsystem uninitialises
    /// when no copy and no session holds it.
    void reset() noexcept { state_.reset(); }

    friend bool operator==(const subsystem& a, const subsystem& b) noexcept { return a.state_ == b.state_; }

    /// For the layers above: the shared state. \pre `initialized()`.
    [[nodiscard]] const std::shared_ptr<detail::subsystem_state>& state() const noexcept { return state_; }

    /// The failure every call on an uninitialised subsystem returns.
    [[nodiscard]] static failure not_initialized_error() {
        return fail(scode::not_initialized,
                    "MAPI is not initialised: this subsystem was never initialised, was moved from, or its last "
                    "copy is gone; call initialize() and keep the subsystem alive while you use it",
                    "mapixx.subsystem");
    }

private:
    friend result<subsystem> initialize(init_options options);
    friend class weak_subsystem;
    explicit subsystem(std::shared_ptr<detail::subsystem_state> s) noexcept : state_(std::move(s)) {}

    std::shared_ptr<detail::subsystem_state> state_;
};

/// A non-owning handle on a subsystem. `lock()` gives the subsystem while any copy of it lives,
/// and `not_initialized` after the last copy is gone.
class weak_subsystem {
public:
    weak_subsystem() noexcept = default;
    [[nodiscard]] result<subsystem> lock() const {
        if (auto s = state_.lock()) return subsystem(std::move(s));
        return subsystem::not_initialized_error();
    }
    [[nodiscard]] bool expired() const noexcept { return state_.expired(); }

private:
    friend class subsystem;
    explicit weak_subsystem(std::weak_ptr<detail::subsystem_state> s) noexcept : state_(std::move(s)) {}
    std::weak_ptr<detail::subsystem_state> state_;
};

inline weak_subsystem subsystem::weak() const noexcept { return weak_subsystem(state_); }

/// How many initialisations are live in this process (MAPIInitialize calls not yet matched by a
/// MAPIUninitialize). Every `initialize` that succeeds adds one; the last copy of its subsystem
/// removes it.
[[nodiscard]] inline std::size_t initialization_count() noexcept {
    auto& p = detail::process_init::get();
    std::lock_guard lock(p.mutex);
    return p.count;
}

/// MAPIInitialize. Checks MAPIINIT_0 the way MAPI does (step 1 of its initialisation):
/// `invalid_parameter` if `version` is not 0, `unknown_flags` if `flags` has bits that
/// MAPIINIT_0 does not define. On success the returned subsystem holds one count.
[[nodiscard]] inline result<subsystem> initialize(init_options options = {}) {
    if (auto ok = check_mapiinit(options.version, options.flags, "mapixx.initialize"); !ok) {
        return std::move(ok).as_failure();
    }
    return subsystem(std::make_shared<detail::subsystem_state>(std::move(options)));
}

} // namespace mapixx::inline v0

#endif
