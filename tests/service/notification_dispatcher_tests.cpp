// SPDX-License-Identifier: MIT
#include <mapixx/service/message_loop.hpp>
#include <mapixx/service/notification_dispatcher.hpp>
#include <mapixx/service/waitable_event.hpp>

#include "service_test_helpers.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace notification_dispatcher_tests {

using mapixx::event_reset;
using mapixx::init_flag;
using mapixx::loop_message_kind;
using mapixx::message_loop;
using mapixx::notification_dispatcher;
using mapixx::notification_route;
using mapixx::scode;
using mapixx::waitable_event;
using mapixx_service_test::hang_guard;

static_assert(!std::is_copy_constructible_v<notification_dispatcher>);
static_assert(std::is_nothrow_move_constructible_v<notification_dispatcher>);

TEST_SUITE("notification_dispatcher")
{
    TEST_CASE("rule 5: without multithread_notifications a notification waits until the initialising thread pumps")
    {
        auto loop = message_loop::create().value();
        auto notes = notification_dispatcher::create({.flags = init_flag::nt_service,
                                                      .loop = &loop,
                                                      .initialising_thread = std::this_thread::get_id()})
                         .value();
        CHECK(notes.route() == notification_route::initialising_thread);
        CHECK(notes.delivery_thread() == std::this_thread::get_id());

        std::atomic<bool> ran{false};
        std::thread::id ran_on;
        // The session layer raises notifications on whatever thread caused them.
        std::thread provider{[&] {
            notes.deliver([&] {
                     ran_on = std::this_thread::get_id();
                     ran = true;
                 },
                          loop_message_kind::status_changed, 7)
                .value();
        }};
        provider.join();
        CHECK_FALSE(ran); // delivered, not run: nothing has pumped yet

        CHECK(loop.wait(hang_guard).value() == mapixx::wait_result::message());
        CHECK(loop.pump() == 1);
        CHECK(ran);
        CHECK(ran_on == std::this_thread::get_id());
    }

    TEST_CASE("rule 5: with multithread_notifications a notification runs on a library thread without pumping")
    {
        // Declared before the dispatcher, so that they outlive its thread.
        auto done = waitable_event::create(event_reset::manual).value();
        std::atomic<std::thread::id> ran_on{};
        auto loop = message_loop::create().value(); // exists but is never pumped
        auto notes =
            notification_dispatcher::create({.flags = init_flag::multithread_notifications | init_flag::nt_service,
                                             .loop = &loop})
                .value();
        CHECK(notes.route() == notification_route::library_thread);
        CHECK(notes.delivery_thread() != std::this_thread::get_id());

        notes.deliver([&] {
                 ran_on = std::this_thread::get_id();
                 done.set();
             })
            .value();
        REQUIRE(done.wait_for(hang_guard));
        CHECK(ran_on.load() != std::this_thread::get_id());
        CHECK(ran_on.load() == notes.delivery_thread());
        CHECK(loop.pump() == 0); // nothing went through the client's loop
    }

    TEST_CASE("with multithread_notifications no loop is needed")
    {
        auto notes = notification_dispatcher::create({.flags = init_flag::multithread_notifications});
        REQUIRE(notes.has_value());
        CHECK(notes->route() == notification_route::library_thread);
    }

    TEST_CASE("the library thread runs notifications in delivery order, and those delivered before destruction")
    {
        std::vector<int> seen;
        std::thread::id first_thread;
        std::thread::id last_thread;
        {
            auto notes = notification_dispatcher::create({.flags = init_flag::multithread_notifications}).value();
            for (int i = 0; i < 100; ++i) {
                notes.deliver([&seen, &first_thread, &last_thread, i] {
                         if (i == 0) {
                             first_thread = std::this_thread::get_id();
                         }
                         last_thread = std::this_thread::get_id();
                         seen.push_back(i);
                     })
                    .value();
            }
        } // the destructor runs what is queued, then joins
        REQUIRE(seen.size() == 100);
        for (int i = 0; i < 100; ++i) {
            CHECK(seen[static_cast<std::size_t>(i)] == i);
        }
        CHECK(first_thread == last_thread);
        CHECK(first_thread != std::this_thread::get_id());
    }

    TEST_CASE("without multithread_notifications the initialising thread's loop is required")
    {
        auto no_loop = notification_dispatcher::create({.flags = init_flag::nt_service});
        CHECK(no_loop.code() == scode::invalid_parameter);
        CHECK(no_loop.info().message.find("message_loop") != std::string::npos);

        message_loop empty;
        auto empty_loop = notification_dispatcher::create({.loop = &empty});
        CHECK(empty_loop.code() == scode::invalid_parameter);
    }

    TEST_CASE("a loop of another thread than the initialising one is refused")
    {
        auto loop = message_loop::create().value();
        std::thread::id other;
        std::thread{[&other] { other = std::this_thread::get_id(); }}.join();
        auto wrong = notification_dispatcher::create({.loop = &loop, .initialising_thread = other});
        CHECK(wrong.code() == scode::invalid_parameter);
        CHECK(wrong.info().message.find("initialised MAPI first") != std::string::npos);
    }

    TEST_CASE("a notification that throws goes to on_error and never leaves pump")
    {
        auto loop = message_loop::create().value();
        std::vector<std::string> errors;
        auto notes = notification_dispatcher::create({.loop = &loop,
                                                      .on_error =
                                                          [&errors](std::exception_ptr e) {
                                                              try {
                                                                  std::rethrow_exception(e);
                                                              } catch (const std::exception& x) {
                                                                  errors.emplace_back(x.what());
                                                              }
                                                          }})
                         .value();
        bool after = false;
        notes.deliver([] { throw std::runtime_error{"sink failed"}; }).value();
        notes.deliver([&after] { after = true; }).value();
        CHECK_NOTHROW(loop.pump());
        CHECK(errors == std::vector<std::string>{"sink failed"});
        CHECK(after);
    }

    TEST_CASE("a throwing notification on the library thread does not end that thread")
    {
        auto done = waitable_event::create(event_reset::manual).value();
        auto notes = notification_dispatcher::create({.flags = init_flag::multithread_notifications}).value();
        notes.deliver([] { throw std::runtime_error{"ignored"}; }).value();
        notes.deliver([&done] { done.set(); }).value();
        CHECK(done.wait_for(hang_guard));
    }

    TEST_CASE("the message carries the id and tag given to deliver")
    {
        auto loop = message_loop::create().value();
        auto notes = notification_dispatcher::create({.loop = &loop}).value();
        loop_message_kind id = loop_message_kind::call;
        std::uint64_t tag = 0;
        notes.deliver([&] {
                 id = message_loop::current()->id;
                 tag = message_loop::current()->tag;
             },
                      loop_message_kind::session_ended, 99)
            .value();
        loop.pump();
        CHECK(id == loop_message_kind::session_ended);
        CHECK(tag == 99);
    }

    TEST_CASE("deliver fails with invalid_object once the initialising thread's loop is gone")
    {
        auto loop = message_loop::create().value();
        auto notes = notification_dispatcher::create({.loop = &loop}).value();
        loop = message_loop{};
        CHECK(notes.deliver([] {}).code() == scode::invalid_object);
    }
}

} // namespace notification_dispatcher_tests
