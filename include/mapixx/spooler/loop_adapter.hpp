// SPDX-License-Identifier: MIT
/// \file
/// `spooler_loop_adapter`: runs a spooler and its reactor between the messages of a service's
/// `message_loop` (Linux; declares nothing where `MAPIXX_HAS_REACTOR` is 0).
#ifndef MAPIXX_SPOOLER_LOOP_ADAPTER_HPP_INCLUDED
#define MAPIXX_SPOOLER_LOOP_ADAPTER_HPP_INCLUDED

#include <mapixx/spooler/reactor.hpp>

#if MAPIXX_HAS_REACTOR

#include <mapixx/core/result.hpp>
#include <mapixx/spooler/spooler.hpp>

#include <gsl/assert>

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

namespace mapixx::inline v0 {

/// What `spooler_loop_adapter` needs of a loop: an idle handler and a thread-safe wake-up
/// (`message_loop` from `mapixx/service/message_loop.hpp`; the spooler layer does not include
/// the service layer, which sits above it).
template <class Loop>
concept idle_loop = requires(Loop& loop, std::function<bool()> idle) {
    loop.set_idle_handler(std::move(idle));
    loop.poster().wake();
};

/// Runs a spooler "between messages" of a message loop (DESIGN.md, foreground first).
///
/// The spooler's turn is the loop's idle handler: whenever no message is queued,
/// `spooler::run_until_idle()` runs the transports, the reactor's ready descriptors and due
/// timers, and work posted with `spooler::post`. While the spooler has nothing to do the loop
/// sleeps in its own wait; a `reactor_watch` thread waits on the reactor's descriptor and wakes
/// the loop (`poster().wake()`) when a descriptor is ready, a timer or `next_due()` is due, or
/// another thread posted to the spooler. The spooler itself stays on the loop's thread.
///
/// \code
/// auto loop = mapixx::message_loop::create().value();
/// auto io = mapixx::reactor::create(sched, clock).value();
/// spool.attach(*io);
/// spool.start();
/// auto adapter = mapixx::spooler_loop_adapter<mapixx::message_loop>::create(loop, spool, *io).value();
/// loop.run_until(stop).value();   // the service's main loop
/// \endcode
///
/// Create and destroy it on the loop's thread, not from inside the idle handler; it replaces
/// the loop's idle handler while it lives. The loop, spooler and reactor outlive it.
template <idle_loop Loop>
class spooler_loop_adapter {
public:
    /// Installs the idle handler on `loop` and starts watching `io` (attached to `spool`).
    /// Fails as `reactor_watch::create` does.
    [[nodiscard]] static result<std::unique_ptr<spooler_loop_adapter>> create(Loop& loop, spooler& spool, reactor& io)
    {
        Expects(spool.io() == &io);
        auto watch = reactor_watch::create(io, [poster = loop.poster()] { static_cast<void>(poster.wake()); });
        if (!watch) {
            return watch.as_failure();
        }
        std::unique_ptr<spooler_loop_adapter> a{new spooler_loop_adapter{loop, spool, std::move(*watch)}};
        loop.set_idle_handler([p = a.get()] { return p->idle_turn(); });
        return a;
    }

    spooler_loop_adapter(const spooler_loop_adapter&) = delete;
    spooler_loop_adapter& operator=(const spooler_loop_adapter&) = delete;

    /// Removes the idle handler and stops the watch thread.
    ~spooler_loop_adapter()
    {
        loop_->set_idle_handler({});
        watch_.reset();
    }

    /// How many turns the spooler got from the loop.
    [[nodiscard]] std::size_t turns() const noexcept { return turns_; }
    /// How many times the watch woke the loop.
    [[nodiscard]] std::size_t wakes() const noexcept { return watch_->rings(); }

private:
    spooler_loop_adapter(Loop& loop, spooler& spool, std::unique_ptr<reactor_watch> watch) noexcept
        : loop_{&loop}, spool_{&spool}, watch_{std::move(watch)}
    {
    }

    bool idle_turn()
    {
        // Watch again once this turn has drained the reactor, also when a transport threw.
        struct rearm_on_exit {
            reactor_watch* w;
            ~rearm_on_exit() { w->rearm(); }
        } rearm{watch_.get()};
        ++turns_;
        static_cast<void>(spool_->run_until_idle());
        return false;  // nothing more until the watch or a message wakes the loop
    }

    Loop* loop_;
    spooler* spool_;
    std::unique_ptr<reactor_watch> watch_;
    std::size_t turns_ = 0;
};

} // namespace mapixx::inline v0

#endif // MAPIXX_HAS_REACTOR

#endif
