// SPDX-License-Identifier: MIT
// Tests of provider_registry (factories, DLL names, slot pools, entry hooks) and of
// logon_section (the read-only properties during provider logon).
#include <mapixx/provider/provider_context.hpp>
#include <mapixx/provider/provider_registry.hpp>

#include <session_fakes.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace provider_registry_tests {

using namespace mapixx;
using namespace mapixx_test;

TEST_SUITE("provider/provider_registry.hpp") {

TEST_CASE("DLL names compare without case and without a .dll extension") {
    CHECK(same_dll_name("MXXSTORE", "mxxstore"));
    CHECK(same_dll_name("MXXSTORE", "MxxStore.DLL"));
    CHECK(same_dll_name("a.dll", "A"));
    CHECK_FALSE(same_dll_name("MXXSTORE", "MXXSTORE32"));
    CHECK_FALSE(same_dll_name("MXX", "MXXSTORE"));
    CHECK_FALSE(same_dll_name(".dll", ""));
}

TEST_CASE("a factory makes a new provider object every time, of the registered kind") {
    provider_registry reg;
    auto s = std::make_shared<fake_script>();
    s->dll = "MXXSTORE";
    reg.add_store("MXXSTORE", [s] { return std::make_unique<fake_provider<store_provider>>(s); });
    CHECK(reg.has("mxxstore.dll", resource_type::store_provider));
    CHECK_FALSE(reg.has("MXXSTORE", resource_type::transport_provider));
    CHECK_FALSE(reg.has("OTHER", resource_type::store_provider));
    auto a = reg.make("MxxStore", resource_type::store_provider);
    auto b = reg.make("MXXSTORE", resource_type::store_provider);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a.get() != b.get());
    CHECK(a->kind() == resource_type::store_provider);
    CHECK(s->objects_made.load() == 2);
    CHECK_FALSE(reg.make("MXXSTORE", resource_type::ab_provider));
    CHECK_FALSE(reg.make("NOPE", resource_type::store_provider));
}

TEST_CASE("one DLL may register several kinds and they share one slot pool") {
    provider_registry reg;
    auto s = std::make_shared<fake_script>();
    reg.add_store("MXX", [s] { return std::make_unique<fake_provider<store_provider>>(s); });
    reg.add_transport("mxx.dll", [s] { return std::make_unique<fake_provider<transport_provider>>(s); });
    CHECK(reg.has("MXX", resource_type::transport_provider));
    slot_pool* p1 = reg.pool("MXX", 1);
    slot_pool* p2 = reg.pool("mxx", 5);
    REQUIRE(p1 != nullptr);
    CHECK(p1 == p2);
    CHECK(p1->capacity() == 1);  // the first capacity wins
    CHECK(reg.pool("UNKNOWN", 1) == nullptr);
    {
        session_slot slot = p1->try_acquire();
        CHECK(reg.slots_in_use() == 1);
    }
    CHECK(reg.slots_in_use() == 0);
}

TEST_CASE("instantiate makes an object with its DLL's pool, which the first object sizes") {
    provider_registry reg;
    auto s = std::make_shared<fake_script>();
    s->max_sessions = 2;
    reg.add_store("MXX", [s] { return std::make_unique<fake_provider<store_provider>>(s); });
    reg.add_transport("MXX", [s] { return std::make_unique<fake_provider<transport_provider>>(s); });
    CHECK(reg.existing_pool("MXX") == nullptr);

    auto a = reg.instantiate("mxx.dll", resource_type::store_provider);
    CHECK(a.registered);
    REQUIRE(a.object);
    CHECK(a.object->kind() == resource_type::store_provider);
    REQUIRE(a.pool != nullptr);
    CHECK(a.pool == reg.existing_pool("MXX"));
    CHECK(a.pool->capacity() == 2);

    s->max_sessions = 7;  // the pool exists: a later object does not resize it
    auto b = reg.instantiate("MXX", resource_type::transport_provider);
    REQUIRE(b.object);
    CHECK(b.object->kind() == resource_type::transport_provider);
    CHECK(b.pool == a.pool);
    CHECK(b.pool->capacity() == 2);
    CHECK(reg.pool("MXX", 9) == a.pool);
    CHECK(s->objects_made.load() == 2);
}

TEST_CASE("instantiate says whether a factory of the kind is registered, and makes no pool without an object") {
    provider_registry reg;
    auto s = std::make_shared<fake_script>();
    reg.add_ab("MXX", [s] { return std::make_unique<fake_provider<ab_provider>>(s); });
    reg.add_store("NULLS", []() -> std::unique_ptr<store_provider> { return nullptr; });

    auto unknown = reg.instantiate("OTHER", resource_type::ab_provider);
    CHECK_FALSE(unknown.registered);
    CHECK_FALSE(unknown.object);
    auto other_kind = reg.instantiate("MXX", resource_type::store_provider);
    CHECK_FALSE(other_kind.registered);
    CHECK_FALSE(other_kind.object);
    CHECK(s->objects_made.load() == 0);

    auto none = reg.instantiate("NULLS", resource_type::store_provider);
    CHECK(none.registered);
    CHECK_FALSE(none.object);
    CHECK(none.pool == nullptr);
    CHECK(reg.existing_pool("NULLS") == nullptr);

    reg.add_ab("MXX", ab_factory{});  // an empty factory removes the registered one
    CHECK_FALSE(reg.has("MXX", resource_type::ab_provider));
    CHECK_FALSE(reg.instantiate("MXX", resource_type::ab_provider).registered);
}

TEST_CASE("a factory runs outside the registry's lock and may be replaced while it runs") {
    provider_registry reg;
    auto s = std::make_shared<fake_script>();
    bool replaced_inside = false;
    reg.add_store("MXX", [&reg, &replaced_inside, s] {
        // Both calls take the registry's lock: they would deadlock if the factory ran under it.
        CHECK(reg.has("MXX", resource_type::store_provider));
        reg.add_store("MXX", [s] { return std::make_unique<fake_provider<store_provider>>(s); });
        replaced_inside = true;
        return std::make_unique<fake_provider<store_provider>>(s);
    });
    auto first = reg.instantiate("MXX", resource_type::store_provider);
    CHECK(replaced_inside);
    REQUIRE(first.object);
    replaced_inside = false;
    auto second = reg.make("MXX", resource_type::store_provider);
    REQUIRE(second);
    CHECK_FALSE(replaced_inside);  // the replacement ran, not the first factory again
    CHECK(s->objects_made.load() == 2);
}

TEST_CASE("a factory that throws lets the exception through instantiate and creates no pool") {
    provider_registry reg;
    reg.add_ab("BAD", []() -> std::unique_ptr<ab_provider> { throw std::runtime_error("no"); });
    CHECK_THROWS_AS((void)reg.instantiate("BAD", resource_type::ab_provider), std::runtime_error);
    CHECK(reg.existing_pool("BAD") == nullptr);
}

TEST_CASE("a factory that throws lets the exception through make") {
    provider_registry reg;
    reg.add_ab("BAD", []() -> std::unique_ptr<ab_provider> { throw std::runtime_error("no"); });
    CHECK_THROWS_AS((void)reg.make("BAD", resource_type::ab_provider), std::runtime_error);
}

TEST_CASE("service entry hooks are found by service DLL name, case-insensitively, and can be replaced") {
    provider_registry reg;
    int called = 0;
    reg.add_service_entry("MXXSVC", [&](service_context, service_entry_args&) -> result<void> {
        ++called;
        return {};
    });
    auto hook = reg.service_entry_for("mxxsvc.DLL");
    REQUIRE(hook);
    profile p;
    service_entry_args args{p, uid{}, "X", nullptr, false};
    CHECK(hook(service_context::configure, args));
    CHECK(called == 1);
    CHECK_FALSE(reg.service_entry_for("OTHER"));
    reg.add_service_entry("MXXSVC", [&](service_context, service_entry_args&) -> result<void> {
        return fail(scode::call_failed, "replaced");
    });
    auto hook2 = reg.service_entry_for("MXXSVC");
    CHECK_FALSE(hook2(service_context::configure, args));
}

}

TEST_SUITE("provider/provider_context.hpp") {

TEST_CASE("PR_RESOURCE_FLAGS and PR_PROVIDER_DLL_NAME are read-only during provider logon") {
    property_bag bag;
    (void)bag.set(pr::resource_flags, std::int32_t{2});
    (void)bag.set(pr::provider_dll_name_a, std::string("MXX"));
    bool changed = false;
    logon_section sec(bag, &changed);
    auto r1 = sec.set(pr::resource_flags, std::int32_t{0});
    CHECK(r1.code() == scode::no_access);
    CHECK(r1.info().message.find("read-only") != std::string::npos);
    CHECK(sec.set(pr::provider_dll_name, std::string("EVIL")).code() == scode::no_access);
    CHECK(sec.erase(pr::resource_flags).code() == scode::no_access);
    CHECK(bag.get_i4(pr::resource_flags) == 2);
    CHECK(bag.get_string(pr::provider_dll_name) == "MXX");
    CHECK_FALSE(changed);
}

TEST_CASE("other properties of the provider's section may be written and erased during logon") {
    property_bag bag;
    bool changed = false;
    logon_section sec(bag, &changed);
    CHECK(sec.set(pr::display_name, std::string("Mine")));
    CHECK(changed);
    CHECK(sec.props().get_string(pr::display_name) == "Mine");
    CHECK(sec.erase(pr::display_name));
    CHECK(sec.erase(pr::display_name).code() == scode::not_found);
    CHECK(sec.set(prop_value(pr::display_name, std::int32_t{1})).code() == scode::invalid_type);
}

}

} // namespace provider_registry_tests
