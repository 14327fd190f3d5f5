// SPDX-License-Identifier: MIT
// The profile rules of MAPI-REFERENCE section 10 (rules 38-50 and 68-71), each checked through
// profile_admin / service_admin / profile_section, against every profile_store mapixx has.
#include <mapixx/profile/file_profile_store.hpp>
#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/profile/profile_admin.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace profile_rules_tests {

using namespace mapixx;

namespace {

/// A fresh directory, removed with its content at the end.
class scratch_dir {
public:
    scratch_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "mapixx-rules-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) std::abort();
        path_ = pattern;
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

struct memory_env {
    memory_profile_store store;
};
struct file_env {
    scratch_dir dir;
    file_profile_store store{dir.path() + "/profiles"};
};

constexpr const char* catalog_text = R"([Services]
MXX=Mapixx Demo Service
MXS=Mapixx Single Service
XPL=Mapixx Late Transport
XPN=Mapixx Plain Transport
BAD32=Service With A 32 DLL
PBAD=Provider With A 32 DLL
NOPROV=Service Without Providers
PATHDOT=Service With A Dotted Path

[Default Services]
MXX=Mapixx Demo Service
XPN=Mapixx Plain Transport

[MXX]
PR_DISPLAY_NAME=Mapixx Demo Service
Providers=MXX Store, MXX Transport
Sections=MXX Extra
PR_SERVICE_DLL_NAME=MXX.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry
6600001E=copied from the service section

[MXX Extra]
6601001E=extra data

[MXX Store]
PR_DISPLAY_NAME=Mapixx Store
PR_PROVIDER_DISPLAY=Mapixx Message Store
PR_PROVIDER_DLL_NAME=MXX.DLL
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE
6602001E=copied from the store section

[MXX Transport]
PR_DISPLAY_NAME=Mapixx Transport
PR_PROVIDER_DISPLAY=Mapixx Transport
PR_PROVIDER_DLL_NAME=MXX.DLL
PR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER
PR_RESOURCE_FLAGS=STATUS_OWN_STORE

[MXS]
PR_DISPLAY_NAME=Mapixx Single Service
Providers=MXS Store
PR_SERVICE_DLL_NAME=MXS.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry
PR_RESOURCE_FLAGS=SERVICE_SINGLE_COPY|SERVICE_NO_PRIMARY_IDENTITY

[MXS Store]
PR_DISPLAY_NAME=Single Store
PR_PROVIDER_DISPLAY=Single Store
PR_PROVIDER_DLL_NAME=MXS.DLL
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE|STATUS_NO_PRIMARY_IDENTITY

[XPL]
PR_DISPLAY_NAME=Mapixx Late Transport
Providers=XPL Transport
PR_SERVICE_DLL_NAME=XPL.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry

[XPL Transport]
PR_DISPLAY_NAME=Late Transport
PR_PROVIDER_DISPLAY=Late Transport
PR_PROVIDER_DLL_NAME=XPL.DLL
PR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER
PR_RESOURCE_FLAGS=STATUS_XP_PREFER_LAST

[XPN]
PR_DISPLAY_NAME=Mapixx Plain Transport
Providers=XPN Transport
PR_SERVICE_DLL_NAME=XPN.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry

[XPN Transport]
PR_DISPLAY_NAME=Plain Transport
PR_PROVIDER_DISPLAY=Plain Transport
PR_PROVIDER_DLL_NAME=XPN.DLL
PR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER
PR_RESOURCE_FLAGS=0

[BAD32]
PR_DISPLAY_NAME=Service With A 32 DLL
Providers=BAD32 Store
PR_SERVICE_DLL_NAME=BAD32.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry

[BAD32 Store]
PR_DISPLAY_NAME=Bad Store
PR_PROVIDER_DISPLAY=Bad Store
PR_PROVIDER_DLL_NAME=BAD.DLL
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=0

[PBAD]
PR_DISPLAY_NAME=Provider With A 32 DLL
Providers=PBAD Store
PR_SERVICE_DLL_NAME=PBAD.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry

[PBAD Store]
PR_DISPLAY_NAME=Bad Provider Store
PR_PROVIDER_DISPLAY=Bad Provider Store
PR_PROVIDER_DLL_NAME=PBADMS32.DLL
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=0

[PATHDOT]
PR_DISPLAY_NAME=Service With A Dotted Path
Providers=PATHDOT Store
PR_SERVICE_DLL_NAME=C:\Apps\v1.2\pathdot.dll
PR_SERVICE_ENTRY_NAME=ServiceEntry

[PATHDOT Store]
PR_DISPLAY_NAME=Dotted Store
PR_PROVIDER_DISPLAY=Dotted Store
PR_PROVIDER_DLL_NAME=pathdot.dll
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=0

[NOPROV]
PR_DISPLAY_NAME=Service Without Providers
PR_SERVICE_DLL_NAME=NOPROV.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry
)";

const service_catalog& test_catalog() {
    static const service_catalog c = service_catalog::parse(catalog_text, "rules-mapisvc.inf");
    return c;
}

std::vector<std::string> table_names(const profile_admin& admin) {
    std::vector<std::string> out;
    const auto table = admin.profile_table().value();
    for (const auto& row : table) out.emplace_back(row.get_string(pr::display_name).value());
    return out;
}

std::optional<bool> table_default(const profile_admin& admin, std::string_view name) {
    const auto table = admin.profile_table().value();
    for (const auto& row : table) {
        if (row.get_string(pr::display_name).value() == name) return row.get_bool(pr::default_profile);
    }
    return std::nullopt;
}

std::vector<std::string> service_names(const profile& p) {
    std::vector<std::string> out;
    for (const auto& s : p.services) out.push_back(s.name);
    return out;
}

uid provider_of(const profile& p, std::string_view section_name) {
    for (const auto& s : p.services) {
        for (const auto& prov : s.providers) {
            if (prov.section_name == section_name) return prov.provider_uid;
        }
    }
    FAIL("no provider " << section_name);
    return {};
}

} // namespace

TEST_SUITE("profile_admin.hpp") {

TEST_CASE_TEMPLATE("rule 38: create_profile with an existing name returns no_access", Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("Work"));
    const profile before = env.store.load("Work").value();

    auto again = admin.create_profile("Work");
    CHECK(again.code() == scode::no_access);
    CHECK(static_cast<std::uint32_t>(again.code()) == 0x80070005u);
    CHECK(admin.create_profile("WORK").code() == scode::no_access);  // names compare without case
    CHECK(env.store.load("Work").value() == before);
    CHECK(table_names(admin) == std::vector<std::string>{"Work"});
}

TEST_CASE_TEMPLATE("rule 39: delete_profile of an unknown name is not_found - in use it succeeds, leaves the table "
                   "at once and the store after the last lease",
                   Env, memory_env, file_env) {
    Env env;
    profile_usage usage(env.store);
    profile_admin admin(env.store, test_catalog(), &usage);
    CHECK(admin.delete_profile("Nobody").code() == scode::not_found);

    REQUIRE(admin.create_profile("Busy"));
    REQUIRE(admin.create_profile("Other"));
    auto first = usage.acquire("Busy");
    auto second = usage.acquire("busy");
    REQUIRE(admin.delete_profile("Busy"));

    CHECK(table_names(admin) == std::vector<std::string>{"Other"});
    CHECK(env.store.load("Busy").has_value());  // lives on for its sessions
    CHECK(admin.delete_profile("Busy").code() == scode::not_found);  // already deleted
    CHECK(admin.admin_services("Busy").code() == scode::logon_failed);

    first.release();
    CHECK(env.store.load("Busy").has_value());  // one session left
    second.release();
    CHECK(env.store.load("Busy").code() == scode::not_found);
    CHECK(env.store.names().value() == std::vector<std::string>{"Other"});
    CHECK(usage.deferred_errors().empty());
}

TEST_CASE_TEMPLATE("rule 40: the profile table has exactly PR_DISPLAY_NAME and PR_DEFAULT_PROFILE, is a snapshot, "
                   "and has zero rows without profiles",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    auto empty = admin.profile_table();
    REQUIRE(empty);
    CHECK(empty->empty());

    REQUIRE(admin.create_profile("A"));
    REQUIRE(admin.create_profile("B", profile_create_flag::default_services));
    REQUIRE(admin.set_default_profile("B"));
    const auto table = admin.profile_table().value();
    REQUIRE(table.size() == 2);
    for (const auto& row : table) {
        CHECK(row.size() == 2);
        REQUIRE(row.find(pr::display_name) != nullptr);
        REQUIRE(row.find(pr::default_profile) != nullptr);
        std::vector<std::uint32_t> tags;
        for (const auto& v : row) tags.push_back(v.tag().value() & 0xFFFF0000u);
        CHECK(tags == std::vector<std::uint32_t>{0x30010000u, 0x3D040000u});
    }

    REQUIRE(admin.create_profile("C"));
    REQUIRE(admin.delete_profile("A"));
    REQUIRE(admin.set_default_profile("C"));
    CHECK(table.size() == 2);  // the earlier table did not change
    CHECK(table[0].get_string(pr::display_name).value() == "A");
    CHECK(table[1].get_bool(pr::default_profile).value() == true);
    CHECK(table_names(admin) == std::vector<std::string>{"B", "C"});
}

TEST_CASE_TEMPLATE("rule 41: set_default_profile(nullopt) leaves no default, an unknown name is not_found, the new "
                   "default has PR_DEFAULT_PROFILE TRUE",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("A"));
    REQUIRE(admin.create_profile("B"));
    REQUIRE(admin.set_default_profile("A"));
    CHECK(table_default(admin, "A") == true);
    CHECK(table_default(admin, "B") == false);

    CHECK(admin.set_default_profile("Nobody").code() == scode::not_found);
    CHECK(table_default(admin, "A") == true);  // unchanged

    REQUIRE(admin.set_default_profile("b"));
    CHECK(table_default(admin, "A") == false);
    CHECK(table_default(admin, "B") == true);
    CHECK(admin.default_profile().value() == std::optional<std::string>("B"));

    REQUIRE(admin.set_default_profile(std::nullopt));
    CHECK(table_default(admin, "A") == false);
    CHECK(table_default(admin, "B") == false);
    CHECK_FALSE(env.store.default_profile().value().has_value());
}

TEST_CASE_TEMPLATE("rule 42: admin_services on a missing profile is logon_failed and creates no session", Env,
                   memory_env, file_env) {
    Env env;
    profile_usage usage(env.store);
    profile_admin admin(env.store, test_catalog(), &usage);
    int hook_calls = 0;
    admin.set_service_entry("MXX", [&](service_context, service_entry_args&) -> result<void> {
        ++hook_calls;
        return {};
    });
    auto svc = admin.admin_services("Ghost");
    CHECK(svc.code() == scode::logon_failed);
    CHECK(svc.code() != scode::not_found);
    CHECK(static_cast<std::uint32_t>(svc.code()) == 0x80040111u);
    CHECK_FALSE(usage.in_use("Ghost"));
    CHECK(env.store.names().value().empty());
    CHECK(hook_calls == 0);

    REQUIRE(admin.create_profile("Real"));
    auto real = admin.admin_services("Real");
    REQUIRE(real);
    CHECK_FALSE(usage.in_use("Real"));  // an admin is not a session
}

TEST_CASE_TEMPLATE("rule 43: rename_profile of a profile in use succeeds and the new name appears only once it is "
                   "free",
                   Env, memory_env, file_env) {
    Env env;
    profile_usage usage(env.store);
    profile_admin admin(env.store, test_catalog(), &usage);
    REQUIRE(admin.create_profile("Old", profile_create_flag::default_services));
    const auto services_before = service_names(env.store.load("Old").value());
    {
        auto lease = usage.acquire("Old");
        REQUIRE(admin.rename_profile("Old", "New"));
        CHECK(table_names(admin) == std::vector<std::string>{"Old"});
        CHECK(env.store.load("Old").has_value());
        CHECK(env.store.load("New").code() == scode::not_found);
        CHECK(usage.pending_rename("Old") == std::optional<std::string>("New"));
        CHECK(admin.create_profile("New").code() == scode::no_access);  // the new name is spoken for
    }
    CHECK(table_names(admin) == std::vector<std::string>{"New"});
    const profile renamed = env.store.load("New").value();
    CHECK(service_names(renamed) == services_before);
    CHECK(renamed.section(uids::profile_instance)->get_string(pr::profile_name).value() == "New");
    CHECK(usage.deferred_errors().empty());
}

TEST_CASE_TEMPLATE("rule 44: change_profile_password always succeeds and changes nothing, rename_service is "
                   "always no_support",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P", profile_create_flag::default_services));
    const profile before = env.store.load("P").value();
    CHECK(admin.change_profile_password("P", "old", "new"));
    CHECK(admin.change_profile_password("No such profile", "", ""));
    CHECK(env.store.load("P").value() == before);
    CHECK(env.store.names().value() == std::vector<std::string>{"P"});

    auto svc = admin.admin_services("P").value();
    const uid first = before.services.front().service_uid;
    auto r = svc.rename_service(first, "Another name");
    CHECK(r.code() == scode::no_support);
    CHECK(static_cast<std::uint32_t>(r.code()) == 0x80040102u);
    CHECK(svc.rename_service(uid::generate(), "x").code() == scode::no_support);
    CHECK(env.store.load("P").value() == before);
}

TEST_CASE_TEMPLATE("rule 45: create_service of a name not in [Services] is not_found, the entry hook gets create "
                   "after the MAPISVC.INF data is copied",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();

    auto missing = svc.create_service("NOT_IN_SERVICES");
    CHECK(missing.code() == scode::not_found);
    CHECK(static_cast<std::uint32_t>(missing.code()) == 0x8004010Fu);
    CHECK(env.store.load("P").value().services.empty());

    std::vector<service_context> contexts;
    std::optional<std::string> seen_service_prop, seen_store_prop, seen_dll;
    svc.set_service_entry("MXX", [&](service_context ctx, service_entry_args& args) -> result<void> {
        contexts.push_back(ctx);
        const message_service* s = args.service();
        REQUIRE(s != nullptr);
        if (auto v = args.section().get_string(prop_tag(0x6600001Eu))) seen_service_prop = std::string(*v);
        const property_bag& store_bag = args.target.sections.at(s->providers.at(0).provider_uid);
        if (auto v = store_bag.get_string(prop_tag(0x6602001Eu))) seen_store_prop = std::string(*v);
        if (auto v = store_bag.get_string(pr::provider_dll_name)) seen_dll = std::string(*v);
        return {};
    });
    auto id = svc.create_service("mxx");  // [Services] keys compare without case
    REQUIRE(id);
    CHECK(contexts == std::vector<service_context>{service_context::create});
    CHECK(static_cast<std::uint32_t>(contexts.at(0)) == 2u);
    CHECK(seen_service_prop == std::optional<std::string>("copied from the service section"));
    CHECK(seen_store_prop == std::optional<std::string>("copied from the store section"));
    CHECK(seen_dll == std::optional<std::string>("MXX.DLL"));
    const profile p = env.store.load("P").value();
    REQUIRE(p.services.size() == 1);
    CHECK(p.services[0].service_uid == *id);
    CHECK(p.services[0].name == "MXX");
}

TEST_CASE_TEMPLATE("rule 46: transport_order with the wrong count is busy and with an unknown uid not_found", Env,
                   memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    REQUIRE(svc.create_service("XPL"));
    REQUIRE(svc.create_service("XPN"));
    const profile p = env.store.load("P").value();
    const uid late = provider_of(p, "XPL Transport");
    const uid plain = provider_of(p, "XPN Transport");

    const std::vector<uid> one{plain};
    auto short_list = svc.transport_order(one);
    CHECK(short_list.code() == scode::busy);
    CHECK(static_cast<std::uint32_t>(short_list.code()) == 0x8004010Bu);
    const std::vector<uid> three{plain, late, plain};
    CHECK(svc.transport_order(three).code() == scode::busy);
    const std::vector<uid> stranger{plain, uid::generate()};
    CHECK(svc.transport_order(stranger).code() == scode::not_found);
    const std::vector<uid> store_uid{plain, p.services[0].service_uid};  // a service uid is no transport
    CHECK(svc.transport_order(store_uid).code() == scode::not_found);
    CHECK(env.store.load("P").value().transport_order.empty());

    const std::vector<uid> good{late, plain};
    REQUIRE(svc.transport_order(good));
    CHECK(svc.default_transport_order().value() == good);
}

TEST_CASE_TEMPLATE("rule 47: set_primary_identity on a SERVICE_NO_PRIMARY_IDENTITY service and a copy of a "
                   "SERVICE_SINGLE_COPY service are no_access",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid single = svc.create_service("MXS").value();
    const profile before = env.store.load("P").value();

    CHECK(svc.set_primary_identity(single).code() == scode::no_access);
    auto copy = svc.copy_service(single);
    CHECK(copy.code() == scode::no_access);
    CHECK(static_cast<std::uint32_t>(copy.code()) == 0x80070005u);
    CHECK(svc.create_service("MXS").code() == scode::no_access);  // a second copy by creation fails too
    CHECK(env.store.load("P").value() == before);
}

TEST_CASE_TEMPLATE("rule 48: open_profile_section is one writer or many readers, read-only on an unknown uid is "
                   "not_found, MAPI_MODIFY on an unknown uid creates it",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid id = uid::generate();

    CHECK(svc.open_profile_section(id).code() == scode::not_found);
    CHECK(env.store.load("P").value().section(id) == nullptr);
    {
        auto writer = svc.open_profile_section(id, section_open_flag::modify);
        REQUIRE(writer);
        CHECK(env.store.load("P").value().section(id) != nullptr);  // created, and stored
        CHECK(svc.open_profile_section(id, section_open_flag::modify).code() == scode::no_access);
        CHECK(svc.open_profile_section(id).code() == scode::no_access);  // no reader while someone writes
    }
    {
        auto reader1 = svc.open_profile_section(id);
        auto reader2 = svc.open_profile_section(id);
        REQUIRE(reader1);
        REQUIRE(reader2);  // many readers
        CHECK(svc.open_profile_section(id, section_open_flag::modify).code() == scode::no_access);
        reader1->close();
        CHECK(svc.open_profile_section(id, section_open_flag::modify).code() == scode::no_access);
    }
    CHECK(svc.open_profile_section(id, section_open_flag::modify));  // everyone closed
}

TEST_CASE_TEMPLATE("rule 49: set_props on a profile section is visible at once without save_changes, "
                   "get_ids_from_names is no_support",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid id = uid::generate();
    {
        auto writer = svc.open_profile_section(id, section_open_flag::modify).value();
        const std::vector<prop_value> values{prop_value(prop_tag(0x6610001Eu), "server.example"),
                                             prop_value(prop_tag(0x66110003u), std::int32_t{42})};
        REQUIRE(writer.set_props(values));
        CHECK(writer.get_prop(prop_tag(0x6610001Eu)).value().get_if<std::string>() != nullptr);
        // Another view of the store sees it already: there is nothing to save.
        const profile now = env.store.load("P").value();
        REQUIRE(now.section(id) != nullptr);
        CHECK(now.section(id)->get_string(prop_tag(0x6610001Eu)) == std::optional<std::string_view>("server.example"));
        CHECK(now.section(id)->get_i4(prop_tag(0x66110003u)) == std::optional<std::int32_t>(42));
        CHECK(writer.save_changes());
        const std::vector<std::string> names{"SomeName"};
        auto ids = writer.get_ids_from_names(names);
        CHECK(ids.code() == scode::no_support);
        CHECK(static_cast<std::uint32_t>(ids.code()) == 0x80040102u);
        const std::vector<prop_tag> tags{prop_tag(0x80010003u)};
        CHECK(writer.get_names_from_ids(tags).code() == scode::no_support);
    }
    // A later reader, through a new admin, sees the value written without any save.
    profile_admin other(env.store, test_catalog());
    auto reader = other.admin_services("P").value().open_profile_section(id).value();
    CHECK(reader.get_props().value().get_i4(prop_tag(0x66110003u)) == std::optional<std::int32_t>(42));
}

TEST_CASE_TEMPLATE("rule 50: the default store is the first store flagged STATUS_DEFAULT_STORE, the default "
                   "transport order is order of addition with STATUS_XP_PREFER_LAST last",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    REQUIRE(svc.create_service("XPL"));  // prefers last, added first
    REQUIRE(svc.create_service("MXX"));  // store (default) + transport
    REQUIRE(svc.create_service("MXS"));  // store (default) too, but later
    REQUIRE(svc.create_service("XPN"));
    const profile p = env.store.load("P").value();

    CHECK(svc.default_store().value() == std::optional<uid>(provider_of(p, "MXX Store")));
    const std::vector<uid> expected{provider_of(p, "MXX Transport"), provider_of(p, "XPN Transport"),
                                    provider_of(p, "XPL Transport")};
    CHECK(svc.default_transport_order().value() == expected);

    // The provider table gives the same order: transports sorted by PR_PROVIDER_ORDINAL.
    std::vector<std::pair<std::int32_t, uid>> transports;
    const auto rows = svc.provider_table().value();
    for (const auto& row : rows) {
        if (row.get_i4(pr::resource_type) == static_cast<std::int32_t>(resource_type::transport_provider)) {
            transports.emplace_back(row.get_i4(pr::provider_ordinal).value(), row.get_uid(pr::provider_uid).value());
        }
    }
    std::sort(transports.begin(), transports.end());
    std::vector<uid> by_ordinal;
    for (const auto& t : transports) by_ordinal.push_back(t.second);
    CHECK(by_ordinal == expected);

    // The other way round, the later store wins.
    REQUIRE(admin.create_profile("Q"));
    auto q = admin.admin_services("Q").value();
    REQUIRE(q.create_service("MXS"));
    REQUIRE(q.create_service("MXX"));
    CHECK(q.default_store().value() == std::optional<uid>(provider_of(env.store.load("Q").value(), "MXS Store")));
}

TEST_CASE_TEMPLATE("rule 68: a service whose DLL name carries the \"32\" suffix is refused by create_service", Env,
                   memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    auto bad_service = svc.create_service("BAD32");
    CHECK(bad_service.code() == scode::invalid_parameter);
    CHECK(bad_service.info().message.find("BAD32.DLL") != std::string::npos);
    CHECK(bad_service.info().message.find("rule 68") != std::string::npos);
    auto bad_provider = svc.create_service("PBAD");
    CHECK(bad_provider.code() == scode::invalid_parameter);
    CHECK(bad_provider.info().message.find("PBADMS32.DLL") != std::string::npos);
    auto dotted = svc.create_service("PATHDOT");  // "32" would go before the first period: "C:\Apps\v132.2\..."
    CHECK(dotted.code() == scode::invalid_parameter);
    CHECK(dotted.info().message.find("period") != std::string::npos);
    CHECK(env.store.load("P").value().services.empty());

    CHECK(detail::svc::dll_has_32_suffix("MSPST32.DLL"));
    CHECK(detail::svc::dll_path_has_early_period("C:\\Apps\\v1.2\\x.dll"));
    CHECK_FALSE(detail::svc::dll_path_has_early_period("C:\\Apps\\x.dll"));
    CHECK(detail::svc::dll_has_32_suffix("C:\\Program Files\\x\\emsmdb32.dll"));
    CHECK_FALSE(detail::svc::dll_has_32_suffix("MSPST.DLL"));
    CHECK_FALSE(detail::svc::dll_has_32_suffix("W32TOOLS.DLL"));
    CHECK_FALSE(detail::svc::dll_has_32_suffix(""));
}

TEST_CASE_TEMPLATE("rule 69: a service without a Providers= list is refused, each provider gets a section of its own",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const catalog_service* noprov = test_catalog().find("NOPROV");
    REQUIRE(noprov != nullptr);
    CHECK_FALSE(noprov->usable());
    auto r = svc.create_service("NOPROV");
    CHECK(r.code() == scode::invalid_parameter);
    CHECK(r.info().message.find("rule 69") != std::string::npos);
    CHECK(env.store.load("P").value().services.empty());

    const uid id = svc.create_service("MXX").value();
    const profile p = env.store.load("P").value();
    const message_service* s = p.find_service(id);
    REQUIRE(s != nullptr);
    REQUIRE(s->providers.size() == 2);
    CHECK(s->providers[0].provider_uid != s->providers[1].provider_uid);
    for (const auto& prov : s->providers) {
        const property_bag* bag = p.section(prov.provider_uid);
        REQUIRE(bag != nullptr);
        CHECK(bag->get_string(pr::provider_dll_name) == std::optional<std::string_view>("MXX.DLL"));
        CHECK(bag->get_uid(pr::service_uid) == std::optional<uid>(id));
        CHECK(bag->get_uid(pr::provider_uid) == std::optional<uid>(prov.provider_uid));
    }
}

TEST_CASE_TEMPLATE("rule 70: create_profile with default_services adds exactly the [Default Services] entries", Env,
                   memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    std::vector<std::string> created_by_hook;
    for (const char* name : {"MXX", "XPN", "XPL", "MXS"}) {
        admin.set_service_entry(name, [&](service_context ctx, service_entry_args& a) -> result<void> {
            if (ctx == service_context::create) created_by_hook.push_back(a.service_name);
            return {};
        });
    }
    CHECK(profile_create_flags(profile_create_flag::default_services).bits() == 0x1u);
    REQUIRE(admin.create_profile("Defaults", profile_create_flag::default_services));
    REQUIRE(admin.create_profile("Bare"));
    CHECK(service_names(env.store.load("Defaults").value()) == std::vector<std::string>{"MXX", "XPN"});
    CHECK(created_by_hook == std::vector<std::string>{"MXX", "XPN"});
    CHECK(env.store.load("Bare").value().services.empty());

    // [Default Services] must be a subset of [Services]: an entry [Services] lacks is not added.
    const service_catalog odd = service_catalog::parse(std::string(catalog_text) + "\n[Default Services]\nGHOST=Nope\n",
                                                       "odd.inf");
    profile_admin admin2(env.store, odd);
    auto r = admin2.create_profile("Odd", profile_create_flag::default_services);
    const auto defaults = odd.default_services();
    if (std::find(defaults.begin(), defaults.end(), "GHOST") != defaults.end()) {
        CHECK(r.code() == scode::not_found);
        CHECK(env.store.load("Odd").code() == scode::not_found);
    } else {
        REQUIRE(r);
        for (const auto& name : service_names(env.store.load("Odd").value())) CHECK(name != "GHOST");
    }
}

TEST_CASE_TEMPLATE("rule 71: profile names with leading or trailing spaces are invalid, embedded spaces and "
                   "underscores are valid",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    CHECK(admin.create_profile(" Leading").code() == scode::invalid_parameter);
    CHECK(admin.create_profile("Trailing ").code() == scode::invalid_parameter);
    CHECK(admin.create_profile(" ").code() == scode::invalid_parameter);
    CHECK(admin.create_profile("").code() == scode::invalid_parameter);
    CHECK(admin.create_profile(std::string(65, 'x')).code() == scode::invalid_parameter);
    CHECK(env.store.names().value().empty());

    CHECK(admin.create_profile("Embedded Space Name"));
    CHECK(admin.create_profile("under_score"));
    CHECK(admin.create_profile("Caf\xC3\xA9 Profil_2"));  // accented letters
    CHECK(admin.create_profile(std::string(64, 'y')));
    CHECK(table_names(admin).size() == 4);

    REQUIRE(admin.create_profile("Source"));
    CHECK(admin.rename_profile("Source", " bad").code() == scode::invalid_parameter);
    CHECK(admin.copy_profile("Source", "bad ").code() == scode::invalid_parameter);
    CHECK(admin.rename_profile("Source", "good name_2"));
}

} // TEST_SUITE

} // namespace profile_rules_tests
