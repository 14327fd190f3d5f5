// SPDX-License-Identifier: MIT
/// \file
/// `notification_dispatcher`: where session notifications run, decided by
/// MAPI_MULTITHREAD_NOTIFICATIONS: on the initialising thread's `message_loop`, or on a thread
/// the library owns.
#ifndef MAPIXX_SERVICE_NOTIFICATION_DISPATCHER_HPP_INCLUDED
#define MAPIXX_SERVICE_NOTIFICATION_DISPATCHER_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/service/detail/expects.hpp>
#include <mapixx/service/message.hpp>
#include <mapixx/service/message_loop.hpp>
#include <mapixx/service/waitable_event.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

namespace mapixx::inline v0 {

/// Where a `notification_dispatcher` runs notifications.
enum class notification_route {
    /// Posted to the `message_loop` of the thread that initialised MAPI first; they run when
    /// that thread pumps (no `init_flag::multithread_notifications`).
    initialising_thread,
    /// Posted to a thread the dispatcher owns and pumps (with
    /// `init_flag::multithread_notifications`); they run without the client pumping anything.
    library_thread,
};

/// What `notification_dispatcher::create` takes.
struct notification_options {
    /// The MAPIINIT_0 flags of the first live initialisation in the process
    /// (`subsystem::process_flags()`): they alone decide the route (MAPI-REFERENCE 2.3, rules
    /// 5 and 6). Only `multithread_notifications` is looked at.
    init_flags flags{};
    /// The initialising thread's loop. Required without `multithread_notifications`, ignored
    /// with it. Not owned: the dispatcher keeps a `loop_poster`, so a loop destroyed first
    /// makes `deliver` fail with `invalid_object` instead of crashing.
    message_loop* loop = nullptr;
    /// When not empty, the thread `loop` must belong to (`subsystem::notification_thread()`).
    std::thread::id initialising_thread{};
    /// Called with the exception a notification threw, on the thread that ran it; the
    /// exception is dropped when this is empty, as advise sinks' exceptions are. An exception
    /// this hook throws is dropped too.
    std::function<void(std::exception_ptr)> on_error{};
};

namespace detail {

inline constexpr const char* dispatcher_component = "mapixx.notifications";

/// The dispatcher's state; its address does not change when the dispatcher moves.
struct dispatcher_core {
    notification_route route = notification_route::initialising_thread;
    loop_poster poster;
    std::thread::id thread;
    std::shared_ptr<const std::function<void(std::exception_ptr)>> on_error;

    // library_thread only
    waitable_event stop;
    std::thread worker;

    dispatcher_core() = default;
    dispatcher_core(const dispatcher_core&) = delete;
    dispatcher_core& operator=(const dispatcher_core&) = delete;

    ~dispatcher_core()
    {
        if (worker.joinable()) {
            service_expects(std::this_thread::get_id() != worker.get_id(),
                            "notification_dispatcher: destroyed by a notification running on its own thread");
            stop.set();
            worker.join();
        }
    }

    /// The body of the library thread: a loop of its own, pumped until `stop`; what was
    /// delivered before the stop still runs.
    static void run(std::promise<result<loop_poster>> ready, waitable_event* stop) noexcept
    {
        try {
            result<message_loop> loop = message_loop::create();
            if (!loop) {
                ready.set_value(loop.as_failure());
                return;
            }
            ready.set_value(loop->poster());
            if (loop->run_until(*stop)) {
                loop->pump();
            }
        } catch (...) {
            // Notifications are wrapped and never throw; only allocation can fail here, and
            // then the thread ends: later deliveries fail with invalid_object.
        }
    }
};

} // namespace detail

/// Routes notifications to the thread MAPI would deliver them on (MAPI-REFERENCE 2.3, rule 5):
///
/// - without `init_flag::multithread_notifications`: posted to the `message_loop` of the thread
///   that initialised first, as `loop_message_kind` messages; they run when that thread pumps
///   (`pump()` or `run_until`), never before, and on that thread. That thread must keep pumping
///   for as long as sessions live (MAPI's rule for its hidden notification window).
/// - with it: posted to a thread the dispatcher starts and owns, which pumps a loop of its
///   own; they run there without the client pumping, in delivery order.
///
/// The session layer creates one per subsystem from `subsystem::process_flags()` and calls
/// `deliver` with a closure that calls the advise sink with the event.
///
/// `deliver` is thread-safe. Move-only; a default-constructed or moved-from dispatcher is empty
/// (calling `deliver` on it breaks a contract). The destructor of a `library_thread` dispatcher
/// runs what was delivered before it, then stops and joins its thread; it must not run on that
/// thread, nor concurrently with `deliver`.
///
/// \code
/// auto notes = mapixx::notification_dispatcher::create({.flags = mapi.process_flags(),
///                                                        .loop = &loop}).value();
/// notes.deliver([sink, event] { sink(event); }, mapixx::loop_message_kind::status_changed, connection).value();
/// \endcode
class notification_dispatcher {
public:
    /// An empty dispatcher.
    notification_dispatcher() noexcept = default;

    /// Decides the route from `options.flags` and, for `library_thread`, starts the thread.
    ///
    /// Fails with `invalid_parameter` when the route is `initialising_thread` and `loop` is
    /// null or empty, or belongs to another thread than `initialising_thread`; with
    /// `not_enough_resources` when the library thread or its loop cannot be created.
    [[nodiscard]] static result<notification_dispatcher> create(notification_options options)
    {
        auto core = std::make_unique<detail::dispatcher_core>();
        if (options.on_error) {
            core->on_error =
                std::make_shared<const std::function<void(std::exception_ptr)>>(std::move(options.on_error));
        }
        if (!options.flags.has(init_flag::multithread_notifications)) {
            if (options.loop == nullptr || !*options.loop) {
                return fail(scode::invalid_parameter,
                            "without MAPI_MULTITHREAD_NOTIFICATIONS notifications are delivered on the thread "
                            "that initialised MAPI, which must run a message_loop: pass that loop",
                            detail::dispatcher_component);
            }
            if (options.initialising_thread != std::thread::id{} &&
                options.loop->owner() != options.initialising_thread) {
                return fail(scode::invalid_parameter,
                            "the message_loop belongs to thread " + describe(options.loop->owner()) +
                                ", but notifications belong to the thread that initialised MAPI first (thread " +
                                describe(options.initialising_thread) + ")",
                            detail::dispatcher_component);
            }
            core->route = notification_route::initialising_thread;
            core->poster = options.loop->poster();
            core->thread = options.loop->owner();
            return notification_dispatcher{std::move(core)};
        }

        core->route = notification_route::library_thread;
        auto stop = waitable_event::create(event_reset::manual);
        if (!stop) {
            return stop.as_failure();
        }
        core->stop = std::move(*stop);
        std::promise<result<loop_poster>> ready;
        std::future<result<loop_poster>> started = ready.get_future();
        try {
            core->worker = std::thread{&detail::dispatcher_core::run, std::move(ready), &core->stop};
        } catch (const std::system_error& e) {
            return fail(scode::not_enough_resources,
                        std::string{"the notification thread could not be started: "} + e.what(),
                        detail::dispatcher_component);
        }
        result<loop_poster> poster = fail(scode::not_enough_resources,
                                          "the notification thread ended before its message_loop was ready",
                                          detail::dispatcher_component);
        try {
            poster = started.get();
        } catch (const std::future_error&) {
            // The thread failed to allocate before it could answer; `poster` says so.
        }
        if (!poster) {
            core->worker.join();
            return poster.as_failure();
        }
        core->poster = std::move(*poster);
        core->thread = core->worker.get_id();
        return notification_dispatcher{std::move(core)};
    }

    /// True if this object routes notifications.
    explicit operator bool() const noexcept { return core_ != nullptr; }

    /// The route `create` chose.  \pre not empty.
    [[nodiscard]] notification_route route() const noexcept
    {
        require_core();
        return core_->route;
    }

    /// The thread notifications run on: the loop's owner, or the library thread.
    /// \pre not empty.
    [[nodiscard]] std::thread::id delivery_thread() const noexcept
    {
        require_core();
        return core_->thread;
    }

    /// Queues `notification` to run on the delivery thread, after everything delivered
    /// before it. Thread-safe. `id` and `tag` go into the `message` (see `loop_message_kind`).
    ///
    /// An exception `notification` throws goes to `notification_options::on_error` (or is
    /// dropped); it never leaves the loop's `pump()`.
    ///
    /// Fails as `loop_poster::post` does: `invalid_object` when the loop is gone,
    /// `not_enough_resources` when the Windows thread queue is full.
    /// \pre not empty.
    result<void> deliver(std::function<void()> notification, loop_message_kind id = loop_message_kind::notification,
                         std::uint64_t tag = 0) const
    {
        require_core();
        auto guarded = [run = std::move(notification), on_error = core_->on_error] {
            try {
                if (run) {
                    run();
                }
            } catch (...) {
                if (on_error) {
                    try {
                        (*on_error)(std::current_exception());
                    } catch (...) {
                    }
                }
            }
        };
        return core_->poster.post(message{id, std::move(guarded), tag});
    }

private:
    explicit notification_dispatcher(std::unique_ptr<detail::dispatcher_core> core) noexcept
        : core_{std::move(core)}
    {
    }

    void require_core() const noexcept
    {
        detail::service_expects(core_ != nullptr, "notification_dispatcher: the dispatcher is empty");
    }

    static std::string describe(std::thread::id id)
    {
        std::ostringstream out;
        out << id;
        return out.str();
    }

    std::unique_ptr<detail::dispatcher_core> core_;
};

} // namespace mapixx::inline v0
#endif
