// SPDX-License-Identifier: MIT
// Tests of memory_profile_store: every profile_store operation, its error codes, names that
// differ only in case, and concurrent readers and writers.
#include <mapixx/profile/memory_profile_store.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace memory_profile_store_tests {

using namespace mapixx;

namespace {

profile named(std::string name, bool is_default = false) {
    profile p;
    p.name = std::move(name);
    p.is_default = is_default;
    p.search_key = uid::generate();
    return p;
}

profile with_service(std::string name) {
    profile p = named(std::move(name));
    message_service s;
    s.name = "MXX";
    s.display_name = "Mapixx Demo Service";
    s.dll_name = "MXX.DLL";
    s.entry_name = "ServiceEntry";
    s.flags = service_flag::single_copy;
    s.service_uid = uid::generate();
    provider_entry store;
    store.section_name = "MXX Store";
    store.display_name = "Mapixx Store";
    store.provider_display = "Mapixx Message Store";
    store.dll_name = "MXX.DLL";
    store.type = resource_type::store_provider;
    store.flags = resource_flag::default_store;
    store.provider_uid = uid::generate();
    s.providers.push_back(store);
    p.sections[s.service_uid] = property_bag{prop_value(pr::display_name, "Mapixx Demo Service")};
    p.sections[store.provider_uid] = property_bag{prop_value(pr::display_name, "Mapixx Store")};
    p.services.push_back(s);
    return p;
}

} // namespace

TEST_SUITE("memory_profile_store.hpp") {

TEST_CASE("a new store has no profiles and no default") {
    memory_profile_store store;
    auto n = store.names();
    REQUIRE(n);
    CHECK(n->empty());
    auto d = store.default_profile();
    REQUIRE(d);
    CHECK_FALSE(d->has_value());
}

TEST_CASE("names come back in creation order, not sorted") {
    memory_profile_store store;
    REQUIRE(store.create(named("Zulu")));
    REQUIRE(store.create(named("alpha")));
    REQUIRE(store.create(named("Mike")));
    CHECK(store.names().value() == std::vector<std::string>{"Zulu", "alpha", "Mike"});
}

TEST_CASE("a created profile loads back equal, services and sections included") {
    memory_profile_store store;
    const profile p = with_service("Work");
    REQUIRE(store.create(p));
    auto loaded = store.load("Work");
    REQUIRE(loaded);
    CHECK(*loaded == p);
}

TEST_CASE("load finds a profile whatever the case of the name and keeps the stored spelling") {
    memory_profile_store store;
    REQUIRE(store.create(named("Work Mail")));
    auto loaded = store.load("wORK mAIL");
    REQUIRE(loaded);
    CHECK(loaded->name == "Work Mail");
}

TEST_CASE("load of an unknown profile is not_found") {
    memory_profile_store store;
    REQUIRE(store.create(named("Work")));
    auto r = store.load("Home");
    REQUIRE_FALSE(r);
    CHECK(r.code() == scode::not_found);
    CHECK(r.info().message.find("Home") != std::string::npos);
}

TEST_CASE("create refuses a name that exists in another case with no_access") {
    memory_profile_store store;
    REQUIRE(store.create(named("Work")));
    auto r = store.create(named("WORK"));
    REQUIRE_FALSE(r);
    CHECK(r.code() == scode::no_access);
    CHECK(store.names().value() == std::vector<std::string>{"Work"});
}

TEST_CASE("create refuses bad names with invalid_parameter") {
    memory_profile_store store;
    for (const char* bad : {"", " lead", "trail ", "back\\slash", "tab\there"}) {
        CAPTURE(bad);
        auto r = store.create(named(bad));
        REQUIRE_FALSE(r);
        CHECK(r.code() == scode::invalid_parameter);
    }
    auto r = store.create(named(std::string(65, 'x')));
    CHECK(r.code() == scode::invalid_parameter);
    CHECK(store.names().value().empty());
}

TEST_CASE("create with is_default set makes the new profile the only default") {
    memory_profile_store store;
    REQUIRE(store.create(named("One", true)));
    REQUIRE(store.create(named("Two", true)));
    CHECK(store.default_profile().value() == std::optional<std::string>("Two"));
    CHECK_FALSE(store.load("One")->is_default);
    CHECK(store.load("Two")->is_default);
}

TEST_CASE("update stores the change and load sees it") {
    memory_profile_store store;
    REQUIRE(store.create(with_service("Work")));
    auto r = store.update("work", [](profile& p) -> result<void> {
        p.services.front().display_name = "Renamed service";
        return {};
    });
    REQUIRE(r);
    CHECK(store.load("Work")->services.front().display_name == "Renamed service");
}

TEST_CASE("update of an unknown profile is not_found and does not call the change") {
    memory_profile_store store;
    bool called = false;
    auto r = store.update("nobody", [&](profile&) -> result<void> {
        called = true;
        return {};
    });
    CHECK(r.code() == scode::not_found);
    CHECK_FALSE(called);
}

TEST_CASE("a failing change stores nothing and its failure is returned") {
    memory_profile_store store;
    const profile before = with_service("Work");
    REQUIRE(store.create(before));
    auto r = store.update("Work", [](profile& p) -> result<void> {
        p.services.clear();
        return fail(scode::user_cancel, "the user cancelled", "test");
    });
    REQUIRE_FALSE(r);
    CHECK(r.code() == scode::user_cancel);
    CHECK(r.info().message == "the user cancelled");
    CHECK(store.load("Work").value() == before);
}

TEST_CASE("a throwing change stores nothing") {
    memory_profile_store store;
    const profile before = with_service("Work");
    REQUIRE(store.create(before));
    CHECK_THROWS_AS((void)store.update("Work",
                                       [](profile& p) -> result<void> {
                                           p.services.clear();
                                           throw std::runtime_error("boom");
                                       }),
                    std::runtime_error);
    CHECK(store.load("Work").value() == before);
}

TEST_CASE("an update that renames is refused with invalid_parameter and stores nothing") {
    memory_profile_store store;
    REQUIRE(store.create(named("Work")));
    auto r = store.update("Work", [](profile& p) -> result<void> {
        p.name = "WORK";
        p.search_key = uid{};
        return {};
    });
    CHECK(r.code() == scode::invalid_parameter);
    CHECK(store.load("Work")->name == "Work");
    CHECK_FALSE(store.load("Work")->search_key.is_nil());
}

TEST_CASE("an update that sets is_default moves the default mark, and clearing it clears the default") {
    memory_profile_store store;
    REQUIRE(store.create(named("One", true)));
    REQUIRE(store.create(named("Two")));
    REQUIRE(store.update("Two", [](profile& p) -> result<void> {
        p.is_default = true;
        return {};
    }));
    CHECK(store.default_profile().value() == std::optional<std::string>("Two"));
    CHECK_FALSE(store.load("One")->is_default);
    REQUIRE(store.update("Two", [](profile& p) -> result<void> {
        p.is_default = false;
        return {};
    }));
    CHECK_FALSE(store.default_profile().value().has_value());
}

TEST_CASE("remove deletes the profile and its default mark, a second remove is not_found") {
    memory_profile_store store;
    REQUIRE(store.create(named("One", true)));
    REQUIRE(store.create(named("Two")));
    REQUIRE(store.remove("ONE"));
    CHECK(store.names().value() == std::vector<std::string>{"Two"});
    CHECK_FALSE(store.default_profile().value().has_value());
    CHECK(store.remove("One").code() == scode::not_found);
}

TEST_CASE("rename keeps the place, the contents and the default mark") {
    memory_profile_store store;
    REQUIRE(store.create(named("One")));
    const profile two = with_service("Two");
    REQUIRE(store.create(two));
    REQUIRE(store.create(named("Three")));
    REQUIRE(store.set_default("Two"));
    REQUIRE(store.rename("two", "Deux"));
    CHECK(store.names().value() == std::vector<std::string>{"One", "Deux", "Three"});
    CHECK(store.default_profile().value() == std::optional<std::string>("Deux"));
    profile expected = two;
    expected.name = "Deux";
    expected.is_default = true;
    CHECK(store.load("Deux").value() == expected);
    CHECK(store.load("Two").code() == scode::not_found);
}

TEST_CASE("rename reports not_found, no_access and invalid_parameter") {
    memory_profile_store store;
    REQUIRE(store.create(named("One")));
    REQUIRE(store.create(named("Two")));
    CHECK(store.rename("Nobody", "Three").code() == scode::not_found);
    CHECK(store.rename("One", "TWO").code() == scode::no_access);
    CHECK(store.rename("One", " bad").code() == scode::invalid_parameter);
    CHECK(store.names().value() == std::vector<std::string>{"One", "Two"});
}

TEST_CASE("rename may change only the case of a name") {
    memory_profile_store store;
    REQUIRE(store.create(named("work")));
    REQUIRE(store.rename("work", "Work"));
    CHECK(store.names().value() == std::vector<std::string>{"Work"});
}

TEST_CASE("find_name answers with the stored spelling, and not_found for an unknown name") {
    memory_profile_store store;
    REQUIRE(store.create(with_service("Work Mail")));
    CHECK(store.find_name("WORK MAIL").value() == "Work Mail");
    CHECK(store.find_name("work mail").value() == "Work Mail");
    auto none = store.find_name("Work");
    REQUIRE_FALSE(none);
    CHECK(none.code() == scode::not_found);
    CHECK(none.info().message.find("Work") != std::string::npos);
}

TEST_CASE("the name index follows renames and removals: old names are free, new names are found") {
    memory_profile_store store;
    REQUIRE(store.create(named("Alpha")));
    REQUIRE(store.create(named("Beta")));
    REQUIRE(store.rename("ALPHA", "Gamma"));
    CHECK(store.load("Alpha").code() == scode::not_found);
    CHECK(store.find_name("gamma").value() == "Gamma");
    REQUIRE(store.create(named("alpha")));  // the old name can be taken again
    CHECK(store.create(named("GAMMA")).code() == scode::no_access);
    REQUIRE(store.rename("gamma", "GAMMA"));  // case only: still found under every case
    CHECK(store.find_name("Gamma").value() == "GAMMA");
    CHECK(store.rename("Beta", "gamma").code() == scode::no_access);
    REQUIRE(store.remove("gAmMa"));
    CHECK(store.load("GAMMA").code() == scode::not_found);
    REQUIRE(store.create(named("Gamma")));
    CHECK(store.names().value() == std::vector<std::string>{"Beta", "alpha", "Gamma"});
}

TEST_CASE("the default mark survives renames and goes with a removal, update and create move it") {
    memory_profile_store store;
    REQUIRE(store.create(named("One", true)));
    REQUIRE(store.create(named("Two")));
    REQUIRE(store.rename("One", "Uno"));
    CHECK(store.default_profile().value() == std::optional<std::string>("Uno"));
    REQUIRE(store.create(named("Three", true)));
    CHECK(store.default_profile().value() == std::optional<std::string>("Three"));
    CHECK_FALSE(store.load("Uno")->is_default);
    REQUIRE(store.update("Two", [](profile& p) -> result<void> {
        p.is_default = true;
        return {};
    }));
    CHECK(store.default_profile().value() == std::optional<std::string>("Two"));
    CHECK_FALSE(store.load("Three")->is_default);
    REQUIRE(store.remove("two"));
    CHECK_FALSE(store.default_profile().value().has_value());
    for (const auto& n : store.names().value()) CHECK_FALSE(store.load(n)->is_default);
}

TEST_CASE("a store of 20 000 profiles finds every one by name in any case, and lists them in order") {
    memory_profile_store store;
    constexpr int count = 20000;
    for (int i = 0; i < count; ++i) REQUIRE(store.create(named("Profile " + std::to_string(i), i == count / 2)));
    for (int i = 0; i < count; i += 997) {
        const std::string name = "Profile " + std::to_string(i);
        CHECK(store.find_name("PROFILE " + std::to_string(i)).value() == name);
        CHECK(store.load("profile " + std::to_string(i)).value().name == name);
    }
    CHECK(store.default_profile().value() == std::optional<std::string>("Profile " + std::to_string(count / 2)));
    const auto names = store.names().value();
    REQUIRE(names.size() == static_cast<std::size_t>(count));
    CHECK(names.front() == "Profile 0");
    CHECK(names.back() == "Profile " + std::to_string(count - 1));
}

TEST_CASE("set_default marks one profile, moves the mark, and clears it with nullopt") {
    memory_profile_store store;
    REQUIRE(store.create(named("One")));
    REQUIRE(store.create(named("Two")));
    REQUIRE(store.set_default("one"));
    CHECK(store.default_profile().value() == std::optional<std::string>("One"));
    CHECK(store.load("One")->is_default);
    REQUIRE(store.set_default("Two"));
    CHECK_FALSE(store.load("One")->is_default);
    CHECK(store.load("Two")->is_default);
    REQUIRE(store.set_default(std::nullopt));
    CHECK_FALSE(store.default_profile().value().has_value());
    CHECK_FALSE(store.load("Two")->is_default);
}

TEST_CASE("set_default of an unknown profile is not_found and keeps the old default") {
    memory_profile_store store;
    REQUIRE(store.create(named("One", true)));
    CHECK(store.set_default("Nobody").code() == scode::not_found);
    CHECK(store.default_profile().value() == std::optional<std::string>("One"));
}

TEST_CASE("concurrent updates from several threads are never lost") {
    memory_profile_store store;
    REQUIRE(store.create(named("Shared")));
    constexpr int threads = 4;
    constexpr int per_thread = 250;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                (void)store.update("Shared", [&](profile& p) -> result<void> {
                    auto& bag = p.sections[uids::profile_instance];
                    const auto id = static_cast<std::uint16_t>(0x6600 + t * per_thread + i);
                    return bag.set(prop_tag(id, prop_type::i4), std::int32_t{t});
                });
            }
        });
    }
    for (auto& th : pool) th.join();
    const profile p = store.load("Shared").value();
    REQUIRE(p.section(uids::profile_instance) != nullptr);
    CHECK(p.section(uids::profile_instance)->size() == std::size_t{threads * per_thread});
}

TEST_CASE("readers running beside a writer only ever see whole updates") {
    memory_profile_store store;
    profile p = named("Shared");
    const prop_tag a(0x6601, prop_type::i4), b(0x6602, prop_type::i4);
    p.sections[uids::profile_instance] = property_bag{prop_value(a, std::int32_t{0}), prop_value(b, std::int32_t{0})};
    REQUIRE(store.create(p));
    std::atomic<bool> done{false};
    std::atomic<int> torn{0}, reads{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
        readers.emplace_back([&] {
            while (!done.load()) {
                const profile seen = store.load("Shared").value();
                const property_bag* bag = seen.section(uids::profile_instance);
                if (!bag || bag->get_i4(a) != bag->get_i4(b)) ++torn;
                ++reads;
            }
        });
    }
    for (std::int32_t i = 1; i <= 2000; ++i) {
        REQUIRE(store.update("Shared", [&](profile& q) -> result<void> {
            auto& bag = q.sections[uids::profile_instance];
            if (auto r = bag.set(a, i); !r) return r;
            return bag.set(b, i);
        }));
    }
    done = true;
    for (auto& th : readers) th.join();
    CHECK(torn.load() == 0);
    CHECK(reads.load() > 0);
    CHECK(store.load("Shared")->section(uids::profile_instance)->get_i4(a) == 2000);
}

} // TEST_SUITE

} // namespace memory_profile_store_tests
