// SPDX-License-Identifier: MIT
// The Windows branch of the service layer, for the MinGW-w64 cross compiler: the headers
// must compile against the real Windows SDK headers (-fsyntax-only -Wall -Wextra -Werror),
// their types must be the Win32 ones, and, where the program is linked and a Windows runtime
// (Wine) is at hand, the program below must run and print "service_win: ok".
//
// Compiled three ways by CMakeLists.txt: as is (so <windows.h>'s min/max macros are live and
// the headers must survive them), with -DUNICODE -D_UNICODE, and with -DWIN32_LEAN_AND_MEAN
// -DNOMINMAX.
#include <mapixx/service/service.hpp>

#include <windows.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <type_traits>

static_assert(std::is_same_v<mapixx::waitable_event::native_handle_type, HANDLE>);
static_assert(mapixx::message_loop::max_handles == MAXIMUM_WAIT_OBJECTS - 1);
static_assert(WAIT_OBJECT_0 == 0, "wait() maps MsgWaitForMultipleObjectsEx results by subtraction");

namespace {

int failures = 0;

void expect(bool ok, const char* what)
{
    if (!ok) {
        std::printf("service_win: FAILED: %s\n", what);
        ++failures;
    }
}

} // namespace

int main()
{
    using namespace std::chrono_literals;
    auto loop = mapixx::message_loop::create().value();
    auto a = mapixx::waitable_event::create(mapixx::event_reset::manual).value();
    auto b = mapixx::waitable_event::create(mapixx::event_reset::automatic).value();
    mapixx::waitable_event* handles[] = {&a, &b};

    // A signalled handle, by index; the auto-reset one is taken by the wait.
    b.set();
    auto r = loop.wait(handles, 10s);
    expect(r && *r == mapixx::wait_result::signalled(1), "wait reports handle 1");
    expect(!b.is_set(), "the wait took the auto-reset signal");

    // A post from another thread wakes the wait as WAIT_OBJECT_0 + count; pump runs it here.
    std::atomic<int> ran{0};
    DWORD ran_on = 0;
    std::thread poster{[p = loop.poster(), &ran, &ran_on] {
        p.post({.handler = [&ran, &ran_on] {
            ran_on = ::GetCurrentThreadId();
            ++ran;
        }})
            .value();
    }};
    poster.join();
    r = loop.wait(handles, 10s);
    expect(r && r->status == mapixx::wait_status::message, "wait reports a queued message");
    expect(ran == 0, "nothing runs before the pump");
    expect(loop.pump() >= 1, "pump dispatched the message");
    expect(ran == 1 && ran_on == ::GetCurrentThreadId(), "the handler ran once, on the loop's thread");

    // Foreign thread messages are dispatched normally and counted.
    expect(::PostThreadMessageW(::GetCurrentThreadId(), WM_USER + 7, 0, 0) != 0, "PostThreadMessageW");
    expect(loop.pump() == 1, "pump counts a foreign thread message");

    // Timeout.
    r = loop.wait(handles, 0ms);
    expect(r && r->status == mapixx::wait_status::timeout, "wait times out");

    // 64 handles are one too many.
    mapixx::waitable_event* too_many[64] = {};
    for (auto& h : too_many) {
        h = &a;
    }
    expect(loop.wait(too_many, 0ms).code() == mapixx::scode::invalid_parameter, "64 handles are refused");

    // run_until with the idle handler and a stop from another thread. The stop is posted only
    // after the idle handler ran: a message already queued when run_until starts is handled
    // first (a queued message wins over an idle turn), and it would end the loop before any
    // idle turn.
    auto stop = mapixx::waitable_event::create(mapixx::event_reset::manual).value();
    int idle_calls = 0;
    std::atomic<bool> idle_ran{false};
    loop.set_idle_handler([&] {
        ++idle_calls;
        idle_ran.store(true);
        return false;
    });
    std::thread stopper{[p = loop.poster(), &stop, &idle_ran] {
        while (!idle_ran.load()) {
            std::this_thread::sleep_for(1ms);
        }
        p.post({.handler = [&stop] { stop.set(); }}).value();
    }};
    auto end = loop.run_until(stop);
    stopper.join();
    expect(end && *end == mapixx::run_end::stop_signalled, "run_until stops on the event");
    expect(idle_calls >= 1, "the idle handler ran");

    // WM_QUIT (posted here by a handler, so the test does not depend on how soon a quit
    // wakes the wait) ends the pump and run_until.
    loop.set_idle_handler({});
    stop.reset();
    loop.post({.handler = [] { ::PostQuitMessage(3); }}).value();
    end = loop.run_until(stop);
    expect(end && *end == mapixx::run_end::quit_message, "run_until returns on WM_QUIT");
    expect(loop.quit_received() == 3, "the WM_QUIT exit code is kept");

    // The stop signal: request() from code, as the service control handler does.
    {
        auto signal = mapixx::stop_signal::install().value();
        signal.request();
        expect(signal.event().wait_for(10s), "request() sets the stop event");
        expect(mapixx::stop_signal::install().code() == mapixx::scode::busy, "one stop_signal at a time");
    }

    // Notifications on a library thread.
    {
        auto done = mapixx::waitable_event::create(mapixx::event_reset::manual).value();
        auto notes =
            mapixx::notification_dispatcher::create({.flags = mapixx::init_flag::multithread_notifications}).value();
        std::atomic<DWORD> thread{0};
        notes.deliver([&] {
            thread = ::GetCurrentThreadId();
            done.set();
        }).value();
        expect(done.wait_for(10s), "the library thread ran the notification");
        expect(thread != ::GetCurrentThreadId(), "on another thread");
    }

    if (failures == 0) {
        std::printf("service_win: ok\n");
    }
    return failures == 0 ? 0 : 1;
}
