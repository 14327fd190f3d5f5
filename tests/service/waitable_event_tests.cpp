// SPDX-License-Identifier: MIT
#include <mapixx/service/message_loop.hpp>
#include <mapixx/service/waitable_event.hpp>

#include "service_test_helpers.hpp"

#include <doctest/doctest.h>

#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <fcntl.h>

namespace waitable_event_tests {

using mapixx::event_reset;
using mapixx::waitable_event;
using mapixx_service_test::hang_guard;
using mapixx_service_test::open_descriptor_count;

static_assert(!std::is_copy_constructible_v<waitable_event>);
static_assert(!std::is_copy_assignable_v<waitable_event>);
static_assert(std::is_nothrow_move_constructible_v<waitable_event>);
static_assert(std::is_nothrow_move_assignable_v<waitable_event>);
static_assert(std::is_same_v<waitable_event::native_handle_type, int>);

TEST_SUITE("waitable_event")
{
    TEST_CASE("a manual-reset event stays set until it is reset")
    {
        auto ev = waitable_event::create(event_reset::manual).value();
        CHECK_FALSE(ev.is_set());
        ev.set();
        CHECK(ev.is_set());
        CHECK(ev.try_wait());
        CHECK(ev.try_wait()); // a manual event is not consumed by a wait
        CHECK(ev.is_set());
        ev.reset();
        CHECK_FALSE(ev.is_set());
        CHECK_FALSE(ev.try_wait());
    }

    TEST_CASE("an auto-reset event is taken by one wait, and several sets count as one")
    {
        auto ev = waitable_event::create(event_reset::automatic).value();
        ev.set();
        ev.set();
        ev.set();
        CHECK(ev.is_set()); // a peek does not take it
        CHECK(ev.try_wait());
        CHECK_FALSE(ev.try_wait());
        CHECK_FALSE(ev.is_set());
    }

    TEST_CASE("an event can be created already set")
    {
        auto manual = waitable_event::create(event_reset::manual, true).value();
        auto automatic = waitable_event::create(event_reset::automatic, true).value();
        CHECK(manual.is_set());
        CHECK(automatic.try_wait());
        CHECK_FALSE(automatic.is_set());
        CHECK(manual.mode() == event_reset::manual);
        CHECK(automatic.mode() == event_reset::automatic);
    }

    TEST_CASE("setting and resetting a clear or set event again changes nothing")
    {
        auto ev = waitable_event::create(event_reset::manual).value();
        ev.reset();
        CHECK_FALSE(ev.is_set());
        ev.set();
        ev.set();
        ev.reset();
        CHECK_FALSE(ev.is_set()); // one reset clears any number of sets
    }

    TEST_CASE("the eventfd is close-on-exec and non-blocking")
    {
        auto ev = waitable_event::create(event_reset::manual).value();
        const int fd = ev.native_handle();
        REQUIRE(fd >= 0);
        CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
        CHECK((::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    }

    TEST_CASE("waitable_event descriptors are closed on destruction")
    {
        const std::size_t before = open_descriptor_count();
        {
            std::vector<waitable_event> events;
            for (int i = 0; i < 5; ++i) {
                const event_reset mode = i % 2 == 0 ? event_reset::manual : event_reset::automatic;
                events.push_back(waitable_event::create(mode).value());
            }
            CHECK(open_descriptor_count() == before + 5);
        }
        CHECK(open_descriptor_count() == before);
    }

    TEST_CASE("move-assigning into an event closes the descriptor it held")
    {
        const std::size_t before = open_descriptor_count();
        auto a = waitable_event::create(event_reset::manual).value();
        auto b = waitable_event::create(event_reset::manual).value();
        CHECK(open_descriptor_count() == before + 2);
        a = std::move(b);
        CHECK(open_descriptor_count() == before + 1);
    }

    TEST_CASE("moving an event moves the descriptor and leaves the source empty")
    {
        auto a = waitable_event::create(event_reset::manual).value();
        const int fd = a.native_handle();
        waitable_event b{std::move(a)};
        CHECK_FALSE(a); // NOLINT(bugprone-use-after-move): the moved-from state is specified
        CHECK(a.native_handle() == -1);
        CHECK(b);
        CHECK(b.native_handle() == fd);
        b.set();
        CHECK(b.is_set());
    }

    TEST_CASE("a default-constructed event is empty")
    {
        waitable_event ev;
        CHECK_FALSE(ev);
        CHECK(ev.native_handle() == -1);
    }

    TEST_CASE("wait_for returns true when another thread sets the event")
    {
        auto ev = waitable_event::create(event_reset::automatic).value();
        std::thread setter{[&ev] { ev.set(); }};
        CHECK(ev.wait_for(hang_guard));
        setter.join();
        CHECK_FALSE(ev.is_set()); // the wait took the auto-reset signal
    }

    TEST_CASE("wait_for returns false when the event stays clear")
    {
        auto ev = waitable_event::create(event_reset::manual).value();
        CHECK_FALSE(ev.wait_for(std::chrono::milliseconds{1}));
        CHECK_FALSE(ev.wait_for(std::chrono::milliseconds{0}));
    }

    TEST_CASE("a message_loop's descriptor is closed when the loop and its posters are gone")
    {
        const std::size_t before = open_descriptor_count();
        mapixx::loop_poster poster;
        {
            auto loop = mapixx::message_loop::create().value();
            poster = loop.poster();
            CHECK(open_descriptor_count() == before + 1);
        }
        // The poster keeps the shared state (and its doorbell) so that a late post fails cleanly.
        CHECK(open_descriptor_count() == before + 1);
        poster = mapixx::loop_poster{};
        CHECK(open_descriptor_count() == before);
    }
}

} // namespace waitable_event_tests
