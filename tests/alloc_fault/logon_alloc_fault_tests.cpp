// SPDX-License-Identifier: MIT
// operator new fault injection for logon (issue 11): a logon + advise + logoff cycle is first
// run with allocations counted (K of them on the calling thread), then once for every k in
// 1..K with the k-th allocation throwing std::bad_alloc (once; the later ones succeed). After
// each attempt, and after a normal cycle that must then succeed, every counter of the session
// side is back where it was: sessions, members, provider logons, logons in progress, session
// slots, the logon lock, the shared publication, profile leases, provider logon objects and
// advise sinks. Variants: an individual session, a shared session (MAPI_ALLOW_OTHERS), and a
// join of a published shared session.
//
// The contract checked (see docs/reliability.md, "Allocation failures"): an attempt either
// succeeds (a provider whose logon threw is disabled, as for any exception), or the logon
// returns a failure with a code and a message, or std::bad_alloc leaves the call that could
// not allocate; any other exception, a leak, or std::terminate fails the test.
#include "alloc_control.hpp"
#include "fault_world.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <vector>

using namespace mapixx;
using namespace fault_test;

namespace {

// What the attempt in progress is, for the terminate handler (an exception in a noexcept
// function ends the program: it then says which k did it).
char current_attempt[128] = "none";

[[noreturn]] void on_terminate() noexcept {
    std::fprintf(stderr, "std::terminate during the allocation-failure attempt: %s\n", current_attempt);
    std::abort();
}

enum class outcome_kind { ok, failed, threw_bad_alloc, threw_other };

struct outcome {
    outcome_kind kind = outcome_kind::ok;
    std::string stage = "logon";  // where it ended: logon, advise, logoff, done
    scode code = scode::success;
    std::string message;
    std::size_t providers = 0;  // providers logged on, for a logon that succeeded
    bool advise_failed = false;
};

constexpr auto individual_flags = logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile;
constexpr auto shared_flags = individual_flags | logon_flag::allow_others;
constexpr auto join_flags = logon_flag::extended | logon_flag::explicit_profile;

enum class variant { individual, shared, join };

const char* name_of(variant v) {
    switch (v) {
    case variant::individual: return "individual";
    case variant::shared: return "shared (MAPI_ALLOW_OTHERS)";
    case variant::join: return "join";
    }
    return "?";
}

logon_request request_for(variant v) {
    switch (v) {
    case variant::individual: return {.profile = "Mail", .flags = individual_flags};
    case variant::shared: return {.profile = "Mail", .flags = shared_flags};
    case variant::join: return {.profile = "Mail", .flags = join_flags};
    }
    return {};
}

// One logon, advise, logoff. Runs armed: only the outcome's own strings are built here.
outcome cycle(world& w, variant v) {
    outcome o;
    try {
        auto s = sync_wait(w.mapi.logon(request_for(v)));
        if (!s) {
            o.kind = outcome_kind::failed;
            o.code = s.code();
            o.message = s.info().message;
            return o;
        }
        o.providers = logged_on(*s);
        o.stage = "advise";
        auto c = s->advise([token = w.sink_token](const session_event&) {});
        o.advise_failed = !c;
        o.stage = "logoff";
        sync_wait(s->logoff());
        o.stage = "done";
    } catch (const std::bad_alloc&) {
        o.kind = outcome_kind::threw_bad_alloc;
    } catch (...) {
        o.kind = outcome_kind::threw_other;
    }
    return o;
}

struct summary {
    std::uint64_t allocations = 0;  // K
    std::map<std::string, int> outcomes;
    std::vector<std::string> escaped;  // "k=..: <stage>" for std::bad_alloc that left a call
};

std::string describe(const outcome& o) {
    switch (o.kind) {
    case outcome_kind::ok:
        return "succeeded with " + std::to_string(o.providers) + " of " + std::to_string(mail_providers) + " providers" +
               (o.advise_failed ? ", advise failed" : "");
    case outcome_kind::failed: return "failed with " + std::string(scode_name(o.code));
    case outcome_kind::threw_bad_alloc: return "std::bad_alloc left " + o.stage;
    case outcome_kind::threw_other: return "another exception left " + o.stage;
    }
    return "?";
}

summary run_variant(variant v) {
    summary out;
    world w;
    // The join variant needs a published shared session; it is kept across the attempts.
    std::optional<session> published;
    std::size_t kept = 0;
    if (v == variant::join) {
        auto s = sync_wait(w.mapi.logon({.profile = "Mail", .flags = shared_flags}));
        REQUIRE(s);
        published.emplace(std::move(*s));
        kept = 1;
    }

    // Warm up (statics, first-use growth), then count. Twice: a logon fills the report an
    // earlier one left (detail::report_pool), and the strings of that report reach the sizes
    // this logon needs only in the second cycle.
    REQUIRE(cycle(w, v).kind == outcome_kind::ok);
    REQUIRE(cycle(w, v).kind == outcome_kind::ok);
    const std::uint64_t others_before = alloc_control::all_threads();
    alloc_control::arm(0);
    const outcome counted = cycle(w, v);
    const std::uint64_t k_total = alloc_control::disarm();
    const std::uint64_t all = alloc_control::all_threads() - others_before;
    REQUIRE(counted.kind == outcome_kind::ok);
    CHECK(counted.providers == mail_providers);
    // Every allocation of a cycle happens on the calling thread, so the per-thread count sees
    // (and the injection can fail) all of them.
    CHECK(all == k_total);
    alloc_control::arm(0);
    (void)cycle(w, v);
    CHECK(alloc_control::disarm() == k_total);  // the same count every time
    out.allocations = k_total;

    for (std::uint64_t k = 1; k <= k_total; ++k) {
        std::snprintf(current_attempt, sizeof current_attempt, "%s, k=%llu of %llu", name_of(v),
                      static_cast<unsigned long long>(k), static_cast<unsigned long long>(k_total));
        alloc_control::arm(k);
        const outcome o = cycle(w, v);
        alloc_control::disarm();
        INFO(current_attempt << ": " << describe(o) << std::string(o.message.empty() ? "" : ": ") << o.message);
        CHECK(alloc_control::fired());
        CHECK(o.kind != outcome_kind::threw_other);
        if (o.kind == outcome_kind::failed) {
            CHECK(o.code != scode::success);
            CHECK_FALSE(o.message.empty());
        }
        if (o.kind == outcome_kind::threw_bad_alloc) {
            out.escaped.push_back("k=" + std::to_string(k) + ": " + o.stage);
        }
        ++out.outcomes[describe(o)];
        const auto left = w.leftovers(kept);
        CHECK(left.empty());
        for (const auto& l : left) MESSAGE(current_attempt << ": left behind: " << l);

        // A normal cycle works afterwards, and leaves nothing behind either.
        const outcome again = cycle(w, v);
        CHECK(again.kind == outcome_kind::ok);
        CHECK(again.providers == mail_providers);
        CHECK(w.leftovers(kept).empty());
    }
    std::snprintf(current_attempt, sizeof current_attempt, "none");
    published.reset();
    CHECK(w.leftovers().empty());
    return out;
}

void report(variant v, const summary& s) {
    std::string text = std::string(name_of(v)) + ": K = " + std::to_string(s.allocations) + " allocations per cycle";
    for (const auto& [what, n] : s.outcomes) text += "\n  " + std::to_string(n) + " x " + what;
    if (!s.escaped.empty()) {
        text += "\n  std::bad_alloc escaped at:";
        for (const auto& e : s.escaped) text += " [" + e + "]";
    }
    MESSAGE(text);
}

} // namespace

TEST_SUITE("alloc_fault") {

TEST_CASE("the replaced operator new counts, fails the k-th allocation once, and finds patterns in freed blocks") {
    // Direct calls of the allocation functions: new-expressions whose result is unused may be
    // left out by the compiler, calls may not.
    alloc_control::arm(0);
    void* a = ::operator new(8);
    void* b = ::operator new[](24);
    CHECK(alloc_control::disarm() == 2);
    alloc_control::arm(2);
    void* c = ::operator new(8);
    bool threw = false;
    try {
        ::operator delete(::operator new(8));
    } catch (const std::bad_alloc&) {
        threw = true;
    }
    void* d = ::operator new(8);  // only once
    void* e = ::operator new(8, std::nothrow);
    CHECK(alloc_control::disarm() == 4);
    CHECK(threw);
    CHECK(alloc_control::fired());
    CHECK(e != nullptr);
    alloc_control::arm(1);
    void* f = ::operator new(8, std::nothrow);  // a nothrow new answers null instead
    alloc_control::disarm();
    CHECK(f == nullptr);
    for (void* p : {a, c, d, e}) ::operator delete(p);
    ::operator delete[](b);

    static constexpr char pattern[] = "a pattern that only this test writes";
    alloc_control::watch_freed(pattern);
    {
        std::string s(pattern);
        s += " and more, so that it is on the heap";
        CHECK(s.size() > sizeof pattern);
    }
    CHECK(alloc_control::found() >= 1);
    alloc_control::watch_freed({});
}

TEST_CASE("every allocation of an individual logon, advise and logoff failing in turn leaves nothing behind") {
    std::set_terminate(on_terminate);
    const summary s = run_variant(variant::individual);
    CHECK(s.allocations > 0);
    report(variant::individual, s);
}

TEST_CASE("every allocation of a shared (MAPI_ALLOW_OTHERS) logon, advise and logoff failing in turn leaves nothing behind") {
    std::set_terminate(on_terminate);
    const summary s = run_variant(variant::shared);
    CHECK(s.allocations > 0);
    report(variant::shared, s);
}

TEST_CASE("every allocation of a join of the shared session, advise and leave failing in turn leaves nothing behind") {
    std::set_terminate(on_terminate);
    const summary s = run_variant(variant::join);
    CHECK(s.allocations > 0);
    report(variant::join, s);
}

}
