// SPDX-License-Identifier: MIT
// Session notifications through init_options::notifications (rule 5): without
// MAPI_MULTITHREAD_NOTIFICATIONS a status change and the end of the session reach the sinks
// only when the initialising thread pumps its message loop; with it they run on the
// dispatcher's own thread; a dispatcher whose loop is gone falls back to a synchronous call.
#include <mapixx/providers/memory_store.hpp>
#include <mapixx/service/message_loop.hpp>
#include <mapixx/service/notification_dispatcher.hpp>
#include <mapixx/spooler/spooler.hpp>

#include <session_fakes.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace notification_route_tests {

using namespace mapixx;
using namespace mapixx_test;

namespace {

constexpr flags<logon_flag> mail_flags = logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile;

/// Profile "N": a memory store (default) and a fake transport, so the spooler can change a
/// status row.
void add_profile(world& w) {
    auto data = std::make_shared<memory_store_data>();
    w.providers.add_store("MXXMEM", [data] { return std::make_unique<memory_store>(data); });
    (void)w.fake_transport("XPFAKE");
    w.add(profile_builder("N").service("MAIL", "MAILSVC",
                                       {store("MXXMEM", resource_flag::default_store), transport("XPFAKE")}));
}

struct recorder {
    std::mutex m;
    std::vector<session_event_kind> kinds;
    std::vector<std::thread::id> threads;
    advise_sink sink() {
        return [this](const session_event& e) {
            std::lock_guard g(m);
            kinds.push_back(e.kind);
            threads.push_back(std::this_thread::get_id());
        };
    }
    std::size_t count() {
        std::lock_guard g(m);
        return kinds.size();
    }
};

result<void> change_transport_row(session& s, std::string text) {
    auto r = s.with_spooler([&](spooler& sp) {
        property_bag row;
        (void)row.set(pr::status_string, std::move(text));
        return sp.support(0).modify_status_row(row, true);
    });
    if (!r) return std::move(r).as_failure();
    return *r;
}

} // namespace

TEST_SUITE("session/notifications") {

TEST_CASE("rule 5: without multithread_notifications session sinks run only when the initialising thread pumps") {
    auto loop = message_loop::create().value();
    auto notes = notification_dispatcher::create({.flags = init_flags{}, .loop = &loop,
                                                  .initialising_thread = std::this_thread::get_id()})
                     .value();
    world w{init_options{.notifications = &notes}};
    add_profile(w);
    auto s = w.logon({.profile = "N", .flags = mail_flags});
    REQUIRE(s);
    recorder rec;
    REQUIRE(s->advise(rec.sink()));

    // The status change is caused on another thread.
    std::thread other{[&] { CHECK(change_transport_row(*s, "changed elsewhere")); }};
    other.join();
    CHECK(rec.count() == 0);  // queued, not run
    CHECK(loop.pump() == 1);
    REQUIRE(rec.count() == 1);
    CHECK(rec.kinds[0] == session_event_kind::status_row_modified);
    CHECK(rec.threads[0] == std::this_thread::get_id());

    (void)sync_wait(s->logoff());
    CHECK(rec.count() == 1);  // session_ended waits for the loop too
    CHECK(loop.pump() == 1);
    REQUIRE(rec.count() == 2);
    CHECK(rec.kinds[1] == session_event_kind::session_ended);
    w.check_released();
}

TEST_CASE("rule 5: with multithread_notifications session sinks run on the dispatcher's thread without pumping") {
    auto notes = notification_dispatcher::create({.flags = init_flag::multithread_notifications}).value();
    world w{init_options{.flags = init_flag::multithread_notifications, .notifications = &notes}};
    add_profile(w);
    auto s = w.logon({.profile = "N", .flags = mail_flags});
    REQUIRE(s);
    std::promise<std::thread::id> ran;
    auto done = ran.get_future();
    REQUIRE(s->advise([&ran, first = true](const session_event& e) mutable {
        if (first && e.kind == session_event_kind::status_row_modified) {
            first = false;
            ran.set_value(std::this_thread::get_id());
        }
    }));
    REQUIRE(change_transport_row(*s, "changed"));
    REQUIRE(done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);  // a hang guard, not a timing check
    const std::thread::id on = done.get();
    CHECK(on != std::this_thread::get_id());
    CHECK(on == notes.delivery_thread());
    (void)sync_wait(s->logoff());
    w.check_released();
}

TEST_CASE("a dispatcher whose loop is gone: the sinks run synchronously, the end of the session is not lost") {
    std::optional<message_loop> loop{message_loop::create().value()};
    auto notes = notification_dispatcher::create({.flags = init_flags{}, .loop = &*loop,
                                                  .initialising_thread = std::this_thread::get_id()})
                     .value();
    world w{init_options{.notifications = &notes}};
    add_profile(w);
    auto s = w.logon({.profile = "N", .flags = mail_flags});
    REQUIRE(s);
    recorder rec;
    REQUIRE(s->advise(rec.sink()));
    loop.reset();
    (void)sync_wait(s->logoff());
    REQUIRE(rec.count() == 1);
    CHECK(rec.kinds[0] == session_event_kind::session_ended);
    w.check_released();
}

} // TEST_SUITE

} // namespace notification_route_tests
