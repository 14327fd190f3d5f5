// SPDX-License-Identifier: MIT
// One subsystem serving many threads: logons, joins, logoffs (individual and shared), handle
// destruction and status reads run concurrently; afterwards every count is back to zero.
// The test suite is "concurrency" so that a TSan run can select it.
#include <session_fakes.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

namespace concurrency_tests {

using namespace mapixx;
using namespace mapixx_test;

TEST_SUITE("concurrency") {

TEST_CASE("concurrency: 8 threads doing 2500 mixed (20 000 in all) logon, join, logoff and status operations each leave nothing behind") {
    world w{{.max_sessions = 40}};
    auto ab_script = w.fake_ab("CAB");
    auto store_script = w.fake_store("CSTORE", 12);  // a session limit shared by every thread
    auto xp_script = w.fake_transport("CXP");
    std::atomic<int> calls{0};
    xp_script->decide = [&](const provider_context&) {
        return calls.fetch_add(1) % 7 == 0 ? fake_step::error(scode::network_error) : fake_step::ok();
    };
    w.add(profile_builder("P").service("C", "CSVC", {ab("CAB"), store("CSTORE", resource_flag::default_store),
                                                     transport("CXP")}));
    w.add(profile_builder("Q").service("C", "CSVC", {store("CSTORE")}));

    constexpr int threads = 8;
    constexpr int operations = 2500;  // 20 000 operations in all (issue 4)
    std::atomic<int> ok_logons{0}, joined{0}, refused{0}, status_reads{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            std::mt19937 rng(static_cast<std::uint32_t>(1234 + t));
            std::vector<session> held;
            for (int i = 0; i < operations; ++i) {
                const int op = static_cast<int>(rng() % 10);
                if (op <= 2 && held.size() < 4) {  // a new individual session
                    const bool no_mail = rng() % 2 == 0;
                    auto s = w.logon({.profile = (rng() % 2) ? "P" : "Q",
                                      .flags = runtime_flags(logon_flag::new_session |
                                                             (no_mail ? logon_flags(logon_flag::no_mail) : logon_flags{}))});
                    if (s) {
                        ++ok_logons;
                        held.push_back(std::move(*s));
                    } else {
                        CHECK(s.code() == scode::logon_failed);  // only the session cap may refuse
                        ++refused;
                    }
                } else if (op == 3 && held.size() < 4) {  // a new shared session
                    auto s = w.logon({.profile = "P", .flags = logon_flag::new_session | logon_flag::allow_others});
                    if (s) {
                        ++ok_logons;
                        held.push_back(std::move(*s));
                    } else {
                        ++refused;
                    }
                } else if (op == 4 && held.size() < 4) {  // join the shared session, or make one
                    auto s = w.logon({});
                    if (s) {
                        if (s->report().joined_shared) ++joined;
                        held.push_back(std::move(*s));
                    } else {
                        ++refused;
                    }
                } else if (op == 5 && !held.empty()) {  // logoff
                    const std::size_t k = rng() % held.size();
                    sync_wait(held[k].logoff());
                    held.erase(held.begin() + static_cast<std::ptrdiff_t>(k));
                } else if (op == 6 && !held.empty()) {  // logoff shared (ends every member)
                    const std::size_t k = rng() % held.size();
                    sync_wait(held[k].logoff(logoff_flag::shared));
                    held.erase(held.begin() + static_cast<std::ptrdiff_t>(k));
                } else if (op == 7 && !held.empty()) {  // drop: the destructor logs off
                    held.erase(held.begin() + static_cast<std::ptrdiff_t>(rng() % held.size()));
                } else if (!held.empty()) {  // status reads on whatever is held
                    session& s = held[rng() % held.size()];
                    auto rows = s.status_table();
                    if (rows) {
                        CHECK(rows->size() >= 3);
                        ++status_reads;
                    } else {
                        CHECK(rows.code() == scode::end_of_session);  // ended by another thread's shared logoff
                    }
                    (void)s.query_identity();
                    (void)s.default_store();
                    if (auto c = s.advise([](const session_event&) {})) (void)s.unadvise(*c);
                }
            }
            held.clear();
        });
    }
    for (auto& th : pool) th.join();
    MESSAGE("logons " << ok_logons.load() << ", joined " << joined.load() << ", refused " << refused.load()
                      << ", status reads " << status_reads.load());
    CHECK(ok_logons.load() > 1000);
    CHECK(joined.load() > 0);
    CHECK(status_reads.load() > 0);
    w.check_released();
    CHECK(ab_script->live_logons.load() == 0);
    CHECK(store_script->live_logons.load() == 0);
    CHECK(xp_script->live_logons.load() == 0);
    CHECK(ab_script->logon_calls.load() == ab_script->logoffs.load());
}

}

} // namespace concurrency_tests
