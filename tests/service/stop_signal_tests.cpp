// SPDX-License-Identifier: MIT
#include <mapixx/service/message_loop.hpp>
#include <mapixx/service/stop_signal.hpp>

#include "service_test_helpers.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <thread>
#include <type_traits>
#include <utility>

#include <signal.h>
#include <unistd.h>

namespace stop_signal_tests {

using mapixx::run_end;
using mapixx::scode;
using mapixx::stop_signal;
using mapixx_service_test::hang_guard;

static_assert(!std::is_copy_constructible_v<stop_signal>);
static_assert(std::is_nothrow_move_constructible_v<stop_signal>);

namespace {

std::atomic<int> previous_term_calls{0};
std::atomic<int> previous_int_calls{0};
extern "C" void previous_term_handler(int) { previous_term_calls.fetch_add(1); }
extern "C" void previous_int_handler(int) { previous_int_calls.fetch_add(1); }

using handler_type = void (*)(int);

handler_type current_handler(int signo)
{
    struct sigaction now {};
    ::sigaction(signo, nullptr, &now);
    return now.sa_handler;
}

/// Installs counting handlers for SIGTERM and SIGINT for the duration of a test, so that a
/// signal the stop_signal failed to catch is counted instead of ending the test run.
class previous_handlers {
public:
    previous_handlers()
    {
        previous_term_calls = 0;
        previous_int_calls = 0;
        struct sigaction action {};
        ::sigemptyset(&action.sa_mask);
        action.sa_handler = &previous_term_handler;
        ::sigaction(SIGTERM, &action, &saved_term_);
        action.sa_handler = &previous_int_handler;
        ::sigaction(SIGINT, &action, &saved_int_);
    }
    previous_handlers(const previous_handlers&) = delete;
    previous_handlers& operator=(const previous_handlers&) = delete;
    ~previous_handlers()
    {
        ::sigaction(SIGTERM, &saved_term_, nullptr);
        ::sigaction(SIGINT, &saved_int_, nullptr);
    }

private:
    struct sigaction saved_term_ {};
    struct sigaction saved_int_ {};
};

} // namespace

TEST_SUITE("stop_signal")
{
    TEST_CASE("raise(SIGTERM) sets the event and the process survives")
    {
        previous_handlers guard;
        auto stop = stop_signal::install().value();
        CHECK_FALSE(stop.requested());
        CHECK_FALSE(stop.last_signal().has_value());
        REQUIRE(std::raise(SIGTERM) == 0);
        CHECK(stop.event().wait_for(hang_guard));
        CHECK(stop.requested());
        CHECK(stop.last_signal() == SIGTERM);
        CHECK(previous_term_calls == 0); // caught by the stop_signal, not passed on
    }

    TEST_CASE("raise(SIGINT) sets the event too")
    {
        previous_handlers guard;
        auto stop = stop_signal::install().value();
        REQUIRE(std::raise(SIGINT) == 0);
        CHECK(stop.event().wait_for(hang_guard));
        CHECK(stop.last_signal() == SIGINT);
        CHECK(previous_int_calls == 0);
    }

    TEST_CASE("the event is manual-reset: every waiter sees the stop")
    {
        previous_handlers guard;
        auto stop = stop_signal::install().value();
        REQUIRE(std::raise(SIGTERM) == 0);
        CHECK(stop.event().mode() == mapixx::event_reset::manual);
        CHECK(stop.event().try_wait());
        CHECK(stop.event().try_wait());
    }

    TEST_CASE("the destructor restores the previous SIGTERM and SIGINT handlers")
    {
        previous_handlers guard;
        {
            auto stop = stop_signal::install().value();
            CHECK((current_handler(SIGTERM) != &previous_term_handler));
            CHECK((current_handler(SIGINT) != &previous_int_handler));
        }
        CHECK((current_handler(SIGTERM) == &previous_term_handler));
        CHECK((current_handler(SIGINT) == &previous_int_handler));
        REQUIRE(std::raise(SIGTERM) == 0);
        REQUIRE(std::raise(SIGINT) == 0);
        CHECK(previous_term_calls == 1);
        CHECK(previous_int_calls == 1);
    }

    TEST_CASE("the destructor closes the event's descriptor")
    {
        previous_handlers guard;
        const std::size_t before = mapixx_service_test::open_descriptor_count();
        {
            auto stop = stop_signal::install().value();
            CHECK(mapixx_service_test::open_descriptor_count() == before + 1);
        }
        CHECK(mapixx_service_test::open_descriptor_count() == before);
    }

    TEST_CASE("only one stop_signal can be installed at a time")
    {
        previous_handlers guard;
        {
            auto first = stop_signal::install().value();
            auto second = stop_signal::install();
            CHECK(second.code() == scode::busy);
            CHECK(second.info().component == "mapixx.stop_signal");
        }
        auto again = stop_signal::install();
        CHECK(again.has_value());
    }

    TEST_CASE("a moved stop_signal keeps the installation and the source becomes empty")
    {
        previous_handlers guard;
        auto first = stop_signal::install().value();
        stop_signal moved{std::move(first)};
        CHECK_FALSE(first); // NOLINT(bugprone-use-after-move): the moved-from state is specified
        CHECK(moved);
        REQUIRE(std::raise(SIGTERM) == 0);
        CHECK(moved.event().wait_for(hang_guard));
        CHECK(previous_term_calls == 0);
    }

    TEST_CASE("SIGTERM in a forked child ends the child and does not stop the parent")
    {
        previous_handlers guard;
        auto stop = stop_signal::install().value();
        auto child = mapixx_service_test::run_in_child([] { std::raise(SIGTERM); });
        CHECK(child.signalled);
        CHECK(child.signal == SIGTERM);
        CHECK_FALSE(stop.requested());
        CHECK(previous_term_calls == 0);
    }

    TEST_CASE("request() sets the event without a signal")
    {
        previous_handlers guard;
        auto stop = stop_signal::install().value();
        stop.request();
        CHECK(stop.requested());
        CHECK_FALSE(stop.last_signal().has_value());
    }

    TEST_CASE("run_until returns when SIGTERM is sent to the process from another thread")
    {
        previous_handlers guard;
        auto stop = stop_signal::install().value();
        auto loop = mapixx::message_loop::create().value();
        std::thread sender{[] { ::kill(::getpid(), SIGTERM); }};
        CHECK(loop.run_until(stop.event()).value() == run_end::stop_signalled);
        sender.join();
        CHECK(stop.last_signal() == SIGTERM);
        CHECK(previous_term_calls == 0);
    }
}

} // namespace stop_signal_tests
