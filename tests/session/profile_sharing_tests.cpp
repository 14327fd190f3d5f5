// SPDX-License-Identifier: MIT
// Sessions of one profile share one copy of it until a session changes it (rule 34 still
// holds: what one session's logon writes goes to that session's copy and the store, never to
// another live session).
#include "session_fakes.hpp"

#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/profile/profile_store.hpp>

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace profile_sharing_tests {

using namespace mapixx;
using namespace mapixx_test;

namespace {

constexpr flags<logon_flag> individual = logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile;
constexpr prop_tag note_tag{0x6620, prop_type::string8};

struct two_store_world : world {
    two_store_world() {
        astore = fake_store("ASTORE");
        bstore = fake_store("BSTORE");
        add(profile_builder("P").service("A", "ASVC", {store("ASTORE", resource_flag::default_store)})
                .service("B", "BSVC", {store("BSTORE")}));
    }
    std::shared_ptr<fake_script> astore, bstore;
};

const property_bag& section_of_dll(const profile& p, std::string_view dll) {
    for (const auto& svc : p.services) {
        for (const auto& prov : svc.providers) {
            if (prov.dll_name == dll) return p.sections.at(prov.provider_uid);
        }
    }
    throw std::logic_error("no provider of that DLL");
}

/// A store that is not a memory_profile_store: only the default load_shared.
class forwarding_store final : public profile_store {
public:
    explicit forwarding_store(profile_store& to) : to_(&to) {}
    result<std::vector<std::string>> names() const override { return to_->names(); }
    result<std::optional<std::string>> default_profile() const override { return to_->default_profile(); }
    result<profile> load(std::string_view n) const override {
        ++loads;
        return to_->load(n);
    }
    result<void> create(const profile& p) override { return to_->create(p); }
    result<void> update(std::string_view n, const std::function<result<void>(profile&)>& c) override {
        return to_->update(n, c);
    }
    result<void> remove(std::string_view n) override { return to_->remove(n); }
    result<void> rename(std::string_view f, std::string_view t) override { return to_->rename(f, t); }
    result<void> set_default(std::optional<std::string_view> n) override { return to_->set_default(n); }
    mutable int loads = 0;

private:
    profile_store* to_;
};

/// The registry's entry for `name` (copied under its mutex).
detail::session_registry::profile_view view_entry(const subsystem& mapi, const std::string& name) {
    auto& reg = mapi.state()->sessions;
    std::lock_guard guard(reg.mutex);
    auto it = reg.views.find(name);
    return it == reg.views.end() ? detail::session_registry::profile_view{} : it->second;
}

} // namespace

TEST_SUITE("session/profile sharing") {

TEST_CASE("memory_profile_store::load_shared hands out one snapshot until the store changes") {
    memory_profile_store store;
    profile p;
    p.name = "P";
    REQUIRE(store.create(p));
    auto a = store.load_shared("p").value();
    auto b = store.load_shared("P").value();
    CHECK(a.get() == b.get());
    CHECK(a->name == "P");
    CHECK(store.load_shared("Q").code() == scode::not_found);
    REQUIRE(store.update("P", [](profile& q) -> result<void> {
        return q.sections[uid{}].set(pr::display_name, std::string("changed"));
    }));
    auto c = store.load_shared("P").value();
    CHECK(c.get() != a.get());
    CHECK(c->sections.at(uid{}).get_string(pr::display_name) == "changed");
    CHECK(a->sections.empty());  // a snapshot already handed out never changes
    REQUIRE(store.set_default("P"));
    CHECK(store.load_shared("P").value()->is_default);
}

TEST_CASE("the default load_shared of a profile_store is a fresh copy from load") {
    memory_profile_store inner;
    profile p;
    p.name = "P";
    REQUIRE(inner.create(p));
    forwarding_store store(inner);
    auto a = store.load_shared("P").value();
    auto b = store.load_shared("P").value();
    CHECK(store.loads == 2);
    CHECK(a.get() != b.get());
    CHECK(*a == *b);
    CHECK(store.load_shared("nope").code() == scode::not_found);
}

TEST_CASE("a provider's section write during logon reaches its own session and the store, not another live session") {
    two_store_world w;
    bool write = false;
    w.bstore->inspect = [&](provider_context& ctx) {
        if (write) REQUIRE(ctx.section.set(note_tag, std::string("written by the second logon")));
    };
    auto first = w.logon({.profile = "P", .flags = individual});
    REQUIRE(first);
    write = true;
    auto second = w.logon({.profile = "P", .flags = individual});
    REQUIRE(second);
    write = false;

    const profile mine = second->profile_copy().value();
    CHECK(section_of_dll(mine, "BSTORE").get_string(note_tag) == "written by the second logon");
    // The rest of the second session's copy is the profile as sessions see it.
    CHECK(section_of_dll(mine, "ASTORE").get_i4(pr::resource_flags) ==
          static_cast<std::int32_t>(resource_flags(resource_flag::default_store).bits()));
    const profile other = first->profile_copy().value();
    CHECK_FALSE(section_of_dll(other, "BSTORE").contains(note_tag));
    CHECK(section_of_dll(w.profiles.load("P").value(), "BSTORE").get_string(note_tag) ==
          "written by the second logon");

    auto third = w.logon({.profile = "P", .flags = individual});
    REQUIRE(third);
    CHECK(section_of_dll(third->profile_copy().value(), "BSTORE").get_string(note_tag) ==
          "written by the second logon");
    CHECK_FALSE(section_of_dll(first->profile_copy().value(), "BSTORE").contains(note_tag));
}

TEST_CASE("a write during logon is visible to the writing provider at once, and an erase of an absent property is not_found") {
    two_store_world w;
    std::string seen;
    scode erase_absent = scode::success;
    w.astore->inspect = [&](provider_context& ctx) {
        erase_absent = ctx.section.erase(note_tag).code();
        REQUIRE(ctx.section.set(note_tag, std::string("mine")));
        seen = std::string(ctx.section.props().get_string(note_tag).value_or(""));
        CHECK(ctx.section.set(pr::resource_flags, std::int32_t{0}).code() == scode::no_access);
    };
    auto s = w.logon({.profile = "P", .flags = individual});
    REQUIRE(s);
    CHECK(seen == "mine");
    CHECK(erase_absent == scode::not_found);
}

TEST_CASE("every session sees the sections MAPI fills in, from a store that shares snapshots and from one that does not") {
    two_store_world w;
    const profile before = w.profiles.load("P").value();
    forwarding_store plain(w.profiles);
    for (profile_store* store : {static_cast<profile_store*>(&w.profiles), static_cast<profile_store*>(&plain)}) {
        auto mapi = initialize({.profiles = store, .providers = &w.providers}).value();
        auto s = sync_wait(mapi.logon({.profile = "P", .flags = individual}));
        REQUIRE_MESSAGE(s, s.info().message);
        const profile p = s->profile_copy().value();
        for (const auto& svc : p.services) {
            CHECK(p.sections.count(svc.service_uid) == 1);
            for (const auto& prov : svc.providers) {
                const property_bag& sec = p.sections.at(prov.provider_uid);
                CHECK(sec.get_string(pr::provider_dll_name) == prov.dll_name);
                CHECK(sec.get_i4(pr::resource_flags) == static_cast<std::int32_t>(prov.flags.bits()));
            }
        }
        // The store keeps the profile as it was given.
        CHECK(w.profiles.load("P").value() == before);
        sync_wait(s->logoff());
    }
}

TEST_CASE("a change in the store reaches the next session, from a store that shares snapshots and from one that does not") {
    two_store_world w;
    forwarding_store plain(w.profiles);
    int round = 0;
    for (profile_store* store : {static_cast<profile_store*>(&w.profiles), static_cast<profile_store*>(&plain)}) {
        auto mapi = initialize({.profiles = store, .providers = &w.providers}).value();
        auto before = sync_wait(mapi.logon({.profile = "P", .flags = individual}));
        REQUIRE(before);
        const std::string text = "round " + std::to_string(++round);
        REQUIRE(w.profiles.update("P", [&](profile& p) -> result<void> {
            for (const auto& svc : p.services) {
                if (svc.name == "B") return p.sections[svc.providers.at(0).provider_uid].set(note_tag, text);
            }
            return fail(scode::not_found, "no service B", "test");
        }));
        auto after = sync_wait(mapi.logon({.profile = "P", .flags = individual}));
        REQUIRE(after);
        CHECK(section_of_dll(after->profile_copy().value(), "BSTORE").get_string(note_tag) == text);
        CHECK(section_of_dll(before->profile_copy().value(), "BSTORE").get_string(note_tag) != text);
        // The next one shares the new version: it sees the change too.
        auto again = sync_wait(mapi.logon({.profile = "P", .flags = individual}));
        REQUIRE(again);
        CHECK(section_of_dll(again->profile_copy().value(), "BSTORE").get_string(note_tag) == text);
    }
}

TEST_CASE("from a store that keeps its snapshot, the next session after a logoff reuses the view - a change lets it go") {
    two_store_world w;
    auto mapi = initialize({.profiles = &w.profiles, .providers = &w.providers}).value();
    std::shared_ptr<const profile> view;
    {
        auto first = sync_wait(mapi.logon({.profile = "P", .flags = individual}));
        REQUIRE(first);
        view = view_entry(mapi, "P").kept;
        REQUIRE(view != nullptr);
        sync_wait(first->logoff());
    }
    // No session is live: the view is still kept, and the next session is logged on to it.
    CHECK(view_entry(mapi, "P").kept == view);
    CHECK(view.use_count() == 2);  // this test and the registry
    {
        auto second = sync_wait(mapi.logon({.profile = "P", .flags = individual}));
        REQUIRE(second);
        CHECK(view_entry(mapi, "P").kept == view);
        CHECK(view.use_count() > 2);  // and the session
        // The store lets go of its snapshot (a change): the session's end lets go of the view too.
        REQUIRE(w.profiles.update("P", [](profile& p) -> result<void> {
            p.services.front().display_name += " (changed)";
            return {};
        }));
        sync_wait(second->logoff());
        CHECK(view_entry(mapi, "P").kept == nullptr);
    }
    CHECK(view.use_count() == 1);  // only this test
    // The next session sees the change, in a new view that is kept again.
    auto third = sync_wait(mapi.logon({.profile = "P", .flags = individual}));
    REQUIRE(third);
    CHECK(third->profile_copy().value().services.front().display_name.ends_with(" (changed)"));
    CHECK(view_entry(mapi, "P").kept != nullptr);
    CHECK(view_entry(mapi, "P").kept != view);
    sync_wait(third->logoff());
}

TEST_CASE("a kept view whose snapshot the store dropped while no session was live goes at the next logon that makes a view") {
    two_store_world w;
    profile q = w.profiles.load("P").value();
    q.name = "Q";
    q.is_default = false;
    q.search_key = uid::generate();
    REQUIRE(w.profiles.create(q));
    auto mapi = initialize({.profiles = &w.profiles, .providers = &w.providers}).value();
    {
        auto s = sync_wait(mapi.logon({.profile = "P", .flags = individual}));
        REQUIRE(s);
        sync_wait(s->logoff());
    }
    std::weak_ptr<const profile> kept = view_entry(mapi, "P").kept;
    REQUIRE_FALSE(kept.expired());
    // A write to the store drops every snapshot it handed out; no session of P is live to notice.
    REQUIRE(w.profiles.update("Q", [](profile&) -> result<void> { return {}; }));
    CHECK_FALSE(kept.expired());
    auto other = sync_wait(mapi.logon({.profile = "Q", .flags = individual}));
    REQUIRE(other);
    CHECK(kept.expired());
    sync_wait(other->logoff());
}

TEST_CASE("a client that logs on to many profiles in turn keeps the views of the 16 most recent only") {
    two_store_world w;
    const profile p = w.profiles.load("P").value();
    constexpr std::size_t profiles = detail::session_registry::kept_view_limit + 4;
    for (std::size_t i = 0; i < profiles; ++i) {
        profile q = p;
        q.name = "Q" + std::to_string(i);
        q.is_default = false;
        q.search_key = uid::generate();
        REQUIRE(w.profiles.create(q));
    }
    auto mapi = initialize({.profiles = &w.profiles, .providers = &w.providers}).value();
    std::vector<std::weak_ptr<const profile>> seen;
    for (std::size_t i = 0; i < profiles; ++i) {
        const std::string name = "Q" + std::to_string(i);
        {
            auto s = sync_wait(mapi.logon({.profile = name, .flags = individual}));
            REQUIRE(s);
            sync_wait(s->logoff());
        }
        seen.push_back(view_entry(mapi, name).kept);
        CHECK_FALSE(seen.back().expired());
    }
    // The first four went when the limit was reached; the last 16 are kept.
    for (std::size_t i = 0; i < profiles; ++i) {
        CAPTURE(i);
        CHECK(seen[i].expired() == (i < profiles - detail::session_registry::kept_view_limit));
    }
    CHECK(mapi.state()->sessions.kept_views.size() == detail::session_registry::kept_view_limit);
    // Using one of them again makes it the most recent: it outlives the next one made.
    {
        auto s = sync_wait(mapi.logon({.profile = "Q4", .flags = individual}));
        REQUIRE(s);
        sync_wait(s->logoff());
    }
    {
        auto s = sync_wait(mapi.logon({.profile = "Q0", .flags = individual}));
        REQUIRE(s);
        sync_wait(s->logoff());
    }
    CHECK_FALSE(seen[4].expired());
    CHECK(seen[5].expired());
}

TEST_CASE("from a store that makes a new snapshot each time, no view outlives the sessions that use it") {
    two_store_world w;
    forwarding_store plain(w.profiles);
    auto mapi = initialize({.profiles = &plain, .providers = &w.providers}).value();
    std::weak_ptr<const profile> view;
    {
        auto a = sync_wait(mapi.logon({.profile = "P", .flags = individual}));
        REQUIRE(a);
        CHECK(view_entry(mapi, "P").kept == nullptr);
        view = view_entry(mapi, "P").view;
        REQUIRE_FALSE(view.expired());
        // A second session while the first is live shares its view (equal snapshots).
        auto b = sync_wait(mapi.logon({.profile = "P", .flags = individual}));
        REQUIRE(b);
        CHECK(view_entry(mapi, "P").view.lock() == view.lock());
        sync_wait(a->logoff());
        sync_wait(b->logoff());
    }
    CHECK(view.expired());
}

} // TEST_SUITE

} // namespace profile_sharing_tests
