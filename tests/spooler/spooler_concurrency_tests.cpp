// SPDX-License-Identifier: MIT
#include "spooler_test_helpers.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>

namespace spooler_concurrency_tests {

using namespace mapixx;
using namespace mapixx_test;
using namespace std::chrono_literals;

TEST_SUITE("mapixx/spooler/spooler.hpp")
{
    TEST_CASE("rule 55: SpoolerYield returns cancel_message after cancel_message(id) - user_cancel ends that message only (S4)")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        message_id m1{};
        spooler* sp = nullptr;
        a.configure = [&](fake_xp& x) {
            x.yields_per_submit = 5;
            x.after_yield = [&](fake_xp& self) {
                if (self.yields == 2) {
                    REQUIRE(sp->cancel_message(m1));
                }
            };
        };
        sp = &r.start();
        m1 = r.queue.submit(make_message("1", {{"A", "x"}}));
        const message_id m2 = r.queue.submit(make_message("2", {{"A", "y"}}));
        sp->pump();
        CHECK(sp->count(spooler_event::kind::cancelled) == 1);
        CHECK_FALSE(r.queue.contains(m1));
        CHECK(a.logon->sent == std::vector<message_id>{m2});
        CHECK(a.logon->yields == 3 + 5);  // m1 stopped at its third yield; m2 ran all five
        CHECK(sp->cancel_message(m1).code() == scode::not_found);
        r.stop();
    }

    TEST_CASE("S8: TransportNotify(NOTIFY_CANCEL_MESSAGE) is delivered while SubmitMessage is suspended - with its msgRef")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        message_id id{};
        spooler* sp = nullptr;
        a.configure = [&](fake_xp& x) {
            x.wait_for_cancel_notify = true;
            x.after_yield = [&](fake_xp& self) {
                if (self.yields == 3) {
                    REQUIRE(sp->cancel_message(id));
                }
            };
        };
        sp = &r.start();
        id = r.queue.submit(make_message("1", {{"A", "x"}}));
        sp->pump();
        CHECK(a.logon->notified_while_suspended);
        REQUIRE(a.logon->cancel_refs.size() == 1);
        CHECK(a.logon->cancel_refs[0] == 101);
        CHECK_FALSE(r.queue.contains(id));
        CHECK(r.calls("a:end") == 0);
        r.stop();
    }

    TEST_CASE("fairness: 100 transports that yield in a loop get round-robin turns")
    {
        rig r;
        constexpr std::size_t n = 100;
        constexpr int turns = 20;
        std::vector<std::size_t> order;
        for (std::size_t i = 0; i < n; ++i) {
            auto& p = r.add("t" + std::to_string(i), types_of({"T" + std::to_string(i)}));
            p.configure = [&order, i](fake_xp& x) {
                x.yields_per_submit = turns;
                x.after_yield = [&order, i](fake_xp&) { order.push_back(i); };
            };
        }
        auto& sp = r.start();
        for (std::size_t i = 0; i < n; ++i) {
            r.queue.submit(make_message("m", {{"T" + std::to_string(i), "x"}}));
        }
        sp.pump();
        REQUIRE(order.size() == n * turns);
        std::vector<std::size_t> first_round(order.begin(), order.begin() + n);
        std::sort(first_round.begin(), first_round.end());
        for (std::size_t i = 0; i < n; ++i) {
            CHECK(first_round[i] == i);
        }
        std::size_t out_of_turn = 0;
        for (std::size_t k = n; k < order.size(); ++k) {
            out_of_turn += order[k] != order[k - n] ? 1 : 0;
        }
        CHECK(out_of_turn == 0);
        for (std::size_t i = 0; i < n; ++i) {
            CHECK(r.providers[i]->logon->sent.size() == 1);
        }
        r.stop();
    }

    TEST_CASE("zero allocations per spooler_yield after warm-up" * doctest::skip(!counts_allocations))
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        std::size_t at_warm = 0;
        std::size_t at_end = 0;
        a.configure = [&](fake_xp& x) {
            x.yields_per_submit = 1200;
            x.after_yield = [&](fake_xp& self) {
                if (self.yields == 100) {
                    at_warm = allocations_on_this_thread();
                } else if (self.yields == 1100) {
                    at_end = allocations_on_this_thread();
                }
            };
        };
        auto& sp = r.start();
        r.queue.submit(make_message("m", {{"A", "x"}}));
        sp.pump();
        REQUIRE(a.logon->yields == 1200);
        CHECK(at_warm > 0);
        CHECK(at_end - at_warm == 0);
        r.stop();
    }

    TEST_CASE("a transport that throws at random await points in 10 000 submissions loses no message")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        std::mt19937 rng{12345};
        std::bernoulli_distribution crash{0.08};
        a.configure = [&](fake_xp& x) {
            x.yields_per_submit = 2;
            x.throw_now = [&] { return crash(rng); };
        };
        auto& sp = r.start();
        constexpr std::size_t total = 10000;
        std::vector<message_id> ids;
        ids.reserve(total);
        for (std::size_t k = 0; k < total; ++k) {
            ids.push_back(r.queue.submit(make_message("m", {{"A", std::to_string(k)}})));
        }
        sp.pump();
        std::map<message_id, int> sent;
        for (message_id id : a.logon->sent) {
            ++sent[id];
        }
        std::size_t delivered_once = 0;
        std::size_t held = 0;
        std::size_t lost = 0;
        std::size_t duplicated = 0;
        for (message_id id : ids) {
            const int s = sent.count(id) != 0 ? sent[id] : 0;
            const bool queued = r.queue.contains(id) || r.queue.quarantined().count(id) != 0;
            if (s == 1 && !queued) {
                ++delivered_once;
            } else if (s == 0 && queued) {
                ++held;
            } else if (s == 0) {
                ++lost;
            } else {
                ++duplicated;
            }
        }
        CHECK(lost == 0);
        CHECK(duplicated == 0);
        CHECK(delivered_once + held == total);
        CHECK(held == r.queue.quarantined().size());
        CHECK(held > 0);  // the seed makes some messages fail three times in a row
        CHECK(sp.count(spooler_event::kind::requeued) > 0);
        r.stop();
    }
}

} // namespace spooler_concurrency_tests
