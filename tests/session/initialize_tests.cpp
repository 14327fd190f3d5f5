// SPDX-License-Identifier: MIT
// Tests of mapixx/session/subsystem.hpp: initialize() and subsystem as MAPIInitialize /
// MAPIUninitialize, against the rules of MAPI-REFERENCE section 10 (1-4 and 6) and section 2.
#include <mapixx/session/subsystem.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <ostream>  // doctest prints std::error_code through it
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace initialize_tests {

using namespace mapixx;

namespace {

constexpr std::uint32_t u32(scode c) { return static_cast<std::uint32_t>(c); }

// Runs `f` on a new thread and waits for it; no timing involved.
template <class F>
void on_other_thread(F f) {
    std::thread t(std::move(f));
    t.join();
}

} // namespace

TEST_SUITE("subsystem") {

TEST_CASE("rule 1: initialize with default options succeeds") {
    const std::size_t before = initialization_count();
    auto r = initialize();
    REQUIRE(r.has_value());
    CHECK(r.code() == scode::success);
    CHECK_FALSE(r.error());
    subsystem& mapi = *r;
    CHECK(mapi.initialized());
    CHECK(static_cast<bool>(mapi));
    CHECK(mapi.use_count() == 1);
    CHECK(initialization_count() == before + 1);
    auto opts = mapi.options();
    REQUIRE(opts.has_value());
    CHECK(opts->version == 0u);
    CHECK(opts->flags.empty());
    CHECK(opts->profiles == nullptr);
    CHECK(opts->providers == nullptr);
}

TEST_CASE("rule 1: initialize keeps the options it was given") {
    auto r = initialize({.flags = init_flag::multithread_notifications | init_flag::no_coinit, .max_sessions = 3});
    REQUIRE(r.has_value());
    auto opts = r->options();
    REQUIRE(opts.has_value());
    CHECK(opts->flags.bits() == 0x9u);
    CHECK(opts->max_sessions == 3u);
    CHECK(opts->short_timeout.count() == 2000);
}

TEST_CASE("rule 2: a default-constructed subsystem answers not_initialized 0x80040605") {
    subsystem none;
    CHECK_FALSE(none.initialized());
    CHECK_FALSE(static_cast<bool>(none));
    CHECK(none.use_count() == 0);
    auto opts = none.options();
    REQUIRE_FALSE(opts.has_value());
    CHECK(opts.code() == scode::not_initialized);
    CHECK(u32(opts.code()) == 0x80040605u);
    CHECK(opts.error() == scode::not_initialized);
    CHECK(opts.info().component == "mapixx.subsystem");
    CHECK(opts.info().message.find("call initialize()") != std::string::npos);
    CHECK_FALSE(none.service_mode());
    CHECK(none.state() == nullptr);
}

TEST_CASE("rule 2: a moved-from subsystem answers not_initialized") {
    auto mapi = initialize().value();
    subsystem taken = std::move(mapi);
    CHECK(taken.initialized());
    CHECK_FALSE(mapi.initialized());  // NOLINT(bugprone-use-after-move): the state is specified
    CHECK(mapi.options().code() == scode::not_initialized);
    CHECK(taken.options().has_value());
}

TEST_CASE("rule 3: k copies stay usable until the last one is destroyed") {
    const std::size_t before = initialization_count();
    constexpr std::size_t k = 4;
    weak_subsystem weak;
    {
        std::vector<subsystem> copies;
        copies.push_back(initialize().value());
        weak = copies.front().weak();
        for (std::size_t i = 1; i < k; ++i) copies.push_back(copies.front());
        CHECK(copies.front().use_count() == static_cast<long>(k));
        // Copies share one initialisation: one count, not k.
        CHECK(initialization_count() == before + 1);
        for (const auto& c : copies) CHECK(c == copies.front());

        // Destroy k-1 of them: MAPI stays usable through the remaining one.
        while (copies.size() > 1) {
            copies.pop_back();
            CHECK(copies.back().options().has_value());
            CHECK_FALSE(weak.expired());
            CHECK(weak.lock().has_value());
            CHECK(initialization_count() == before + 1);
        }
        CHECK(copies.front().use_count() == 1);
    }
    // The last one is gone: MAPIUninitialize happened.
    CHECK(weak.expired());
    auto again = weak.lock();
    REQUIRE_FALSE(again.has_value());
    CHECK(again.code() == scode::not_initialized);
    CHECK(initialization_count() == before);
}

TEST_CASE("rule 3: k initialize calls need k releases and then MAPI is uninitialised") {
    const std::size_t before = initialization_count();
    constexpr std::size_t k = 3;
    std::vector<subsystem> calls;
    std::vector<weak_subsystem> handles;
    for (std::size_t i = 0; i < k; ++i) {
        calls.push_back(initialize().value());
        handles.push_back(calls.back().weak());
    }
    CHECK(initialization_count() == before + k);
    for (std::size_t i = 0; i + 1 < k; ++i) {
        calls[i].reset();
        CHECK_FALSE(calls[i].initialized());
        CHECK(initialization_count() == before + k - 1 - i);
        CHECK(calls.back().options().has_value());
    }
    calls.back().reset();
    CHECK(initialization_count() == before);
    for (const auto& h : handles) CHECK(h.lock().code() == scode::not_initialized);
}

TEST_CASE("rule 3: a weak handle locks to the same subsystem while a copy lives") {
    auto mapi = initialize().value();
    auto weak = mapi.weak();
    auto locked = weak.lock();
    REQUIRE(locked.has_value());
    CHECK(*locked == mapi);
    CHECK(mapi.use_count() == 2);
    CHECK(weak_subsystem{}.lock().code() == scode::not_initialized);
    CHECK(weak_subsystem{}.expired());
}

TEST_CASE("rule 4: every undefined MAPIINIT_0 flag bit gives unknown_flags 0x80040106") {
    const std::size_t before = initialization_count();
    const std::uint32_t defined = 0x00000001u | 0x00000008u | 0x00010000u;  // MAPI-REFERENCE 2.1
    for (int bit = 0; bit < 32; ++bit) {
        const std::uint32_t b = 1u << bit;
        if (b & defined) continue;
        INFO("bit " << bit);
        auto r = initialize({.flags = init_flags::from_bits_unchecked(b | 0x1u)});
        REQUIRE_FALSE(r.has_value());
        CHECK(r.code() == scode::unknown_flags);
        CHECK(u32(r.code()) == 0x80040106u);
        CHECK(r.info().low_level == b);
        CHECK(r.info().component == "mapixx.initialize");
        CHECK(r.info().message.find(detail::hex32(b)) != std::string::npos);
    }
    // Failed initialisations hold no count.
    CHECK(initialization_count() == before);
}

TEST_CASE("rule 4: every defined MAPIINIT_0 flag is accepted") {
    for (std::uint32_t b : {0x00000001u, 0x00000008u, 0x00010000u, 0x00010009u}) {
        INFO(b);
        auto r = initialize({.flags = init_flags::from_bits_unchecked(b)});
        REQUIRE(r.has_value());
        CHECK(r->options()->flags.bits() == b);
    }
}

TEST_CASE("rule 4: a MAPIINIT_0 version other than 0 gives invalid_parameter") {
    const std::size_t before = initialization_count();
    for (std::uint32_t version : {1u, 2u, 0x80000000u, 0xFFFFFFFFu}) {
        INFO(version);
        auto r = initialize({.version = version});
        REQUIRE_FALSE(r.has_value());
        CHECK(r.code() == scode::invalid_parameter);
        CHECK(u32(r.code()) == 0x80070057u);
        CHECK(r.info().message.find("ulVersion is " + std::to_string(version)) != std::string::npos);
    }
    // The version is checked first, as step 1 of MAPIInitialize.
    auto both = initialize({.version = 1, .flags = init_flags::from_bits_unchecked(0x2)});
    CHECK(both.code() == scode::invalid_parameter);
    CHECK(initialization_count() == before);
}

TEST_CASE("rule 6: the first initialisation fixes the notification thread and flags until the count is zero") {
    REQUIRE_MESSAGE(initialization_count() == 0, "another test left an initialisation alive");
    const std::thread::id main_id = std::this_thread::get_id();

    auto first = initialize({.flags = init_flag::no_coinit}).value();
    CHECK(first.notification_thread() == main_id);
    CHECK(first.process_flags().bits() == 0x8u);

    // A second initialisation from another thread, with other flags, starts and ends.
    std::thread::id other_id;
    std::thread::id seen_inside;
    init_flags flags_inside;
    std::size_t count_inside = 0;
    on_other_thread([&] {
        other_id = std::this_thread::get_id();
        auto second = initialize({.flags = init_flag::multithread_notifications}).value();
        seen_inside = second.notification_thread();
        flags_inside = second.process_flags();
        count_inside = initialization_count();
    });
    REQUIRE(other_id != main_id);
    CHECK(seen_inside == main_id);
    CHECK(flags_inside.bits() == 0x8u);
    CHECK(count_inside == 2);
    CHECK(initialization_count() == 1);
    CHECK(first.notification_thread() == main_id);
    CHECK(first.process_flags().bits() == 0x8u);

    // The last release resets them.
    first.reset();
    CHECK(initialization_count() == 0);
    CHECK(subsystem{}.notification_thread() == std::thread::id{});
    CHECK(subsystem{}.process_flags().empty());

    // Now a first initialisation on another thread fixes that thread and its flags.
    std::thread::id new_first;
    subsystem kept;
    on_other_thread([&] {
        new_first = std::this_thread::get_id();
        kept = initialize({.flags = init_flag::multithread_notifications}).value();
    });
    CHECK(kept.notification_thread() == new_first);
    CHECK(kept.notification_thread() != main_id);
    CHECK(kept.process_flags().bits() == 0x1u);
    auto later = initialize({.flags = init_flag::no_coinit}).value();
    CHECK(later.notification_thread() == new_first);
    CHECK(later.process_flags().bits() == 0x1u);
    kept.reset();
    later.reset();
    CHECK(initialization_count() == 0);
    CHECK(subsystem{}.notification_thread() == std::thread::id{});
}

TEST_CASE("rule 6: the notification thread stays with the first initialisation while later ones hold the count") {
    REQUIRE_MESSAGE(initialization_count() == 0, "another test left an initialisation alive");
    auto first = initialize().value();
    const std::thread::id main_id = std::this_thread::get_id();
    subsystem second;
    on_other_thread([&] { second = initialize({.flags = init_flag::multithread_notifications}).value(); });
    // The first one is released but the count is not zero: MAPI's notification window is
    // still the one the first call created.
    first.reset();
    CHECK(initialization_count() == 1);
    CHECK(second.notification_thread() == main_id);
    CHECK(second.process_flags().empty());
    second.reset();
    CHECK(initialization_count() == 0);
}

TEST_CASE("service_mode is true only for a subsystem initialised with nt_service") {
    auto service = initialize({.flags = init_flag::nt_service | init_flag::multithread_notifications}).value();
    CHECK(service.service_mode());
    auto copy = service;
    CHECK(copy.service_mode());
    auto client = initialize({.flags = init_flag::multithread_notifications}).value();
    CHECK_FALSE(client.service_mode());
    CHECK_FALSE(subsystem{}.service_mode());
    copy.reset();
    CHECK_FALSE(copy.service_mode());
}

TEST_CASE("initialize failures say what was wrong in a sentence") {
    auto r = initialize({.flags = init_flags::from_bits_unchecked(0x4)});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.info().message ==
          "MAPIINIT_0::ulFlags has undefined bits 0x00000004; the defined flags are MAPI_MULTITHREAD_NOTIFICATIONS, "
          "MAPI_NO_COINIT and MAPI_NT_SERVICE");
    CHECK(r.error().message().starts_with("MAPI_E_UNKNOWN_FLAGS (0x80040106)"));
}

} // TEST_SUITE

} // namespace initialize_tests
