// SPDX-License-Identifier: MIT
// Tests of service_admin (IMsgServiceAdmin) and profile_section: services created from the
// catalog, their tables, deletion, copies, configuration, primary identity, transport order,
// and the open rules of profile sections.
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

namespace service_admin_tests {

using namespace mapixx;

namespace {

class scratch_dir {
public:
    scratch_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "mapixx-svcadm-XXXXXX").string();
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
IDN=Identity Service
NOID=No Identity Service
XPL=Mapixx Late Transport
XPN=Mapixx Plain Transport

[MXX]
PR_DISPLAY_NAME=Mapixx Demo Service
Providers=MXX Store, MXX Transport
Sections=MXX Extra
PR_SERVICE_DLL_NAME=MXX.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry
PR_SERVICE_SUPPORT_FILES=mxx.dll, mxxui.dll
6600001E=service data

[MXX Extra]
6601001E=extra data

[MXX Store]
PR_DISPLAY_NAME=Mapixx Store
PR_PROVIDER_DISPLAY=Mapixx Message Store
PR_PROVIDER_DLL_NAME=MXX.DLL
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE

[MXX Transport]
PR_DISPLAY_NAME=Mapixx Transport
PR_PROVIDER_DISPLAY=Mapixx Transport
PR_PROVIDER_DLL_NAME=MXX.DLL
PR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER
PR_RESOURCE_FLAGS=STATUS_OWN_STORE

[IDN]
PR_DISPLAY_NAME=Identity Service
Providers=IDN Book
PR_SERVICE_DLL_NAME=IDN.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry

[IDN Book]
PR_DISPLAY_NAME=Identity Book
PR_PROVIDER_DISPLAY=Identity Book
PR_PROVIDER_DLL_NAME=IDN.DLL
PR_RESOURCE_TYPE=MAPI_AB_PROVIDER
PR_RESOURCE_FLAGS=STATUS_NO_PRIMARY_IDENTITY

[NOID]
PR_DISPLAY_NAME=No Identity Service
Providers=NOID Store
PR_SERVICE_DLL_NAME=NOID.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry
PR_RESOURCE_FLAGS=SERVICE_NO_PRIMARY_IDENTITY

[NOID Store]
PR_DISPLAY_NAME=No Identity Store
PR_PROVIDER_DISPLAY=No Identity Store
PR_PROVIDER_DLL_NAME=NOID.DLL
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=STATUS_NO_PRIMARY_IDENTITY

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
)";

const service_catalog& test_catalog() {
    static const service_catalog c = service_catalog::parse(catalog_text, "svcadm-mapisvc.inf");
    return c;
}

std::vector<std::uint16_t> column_ids(const property_bag& row) {
    std::vector<std::uint16_t> out;
    for (const auto& v : row) out.push_back(v.tag().id());
    return out;
}

const message_service& only_service(const profile& p, std::string_view name) {
    for (const auto& s : p.services) {
        if (s.name == name) return s;
    }
    FAIL("no service " << name);
    return p.services.front();
}

std::uint32_t section_flags(const profile& p, const uid& id) {
    return static_cast<std::uint32_t>(p.section(id)->get_i4(pr::resource_flags).value());
}

} // namespace

TEST_SUITE("service_admin.hpp") {

TEST_CASE_TEMPLATE("create_service copies the service, provider and extra sections with fresh uids", Env, memory_env,
                   file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid a = svc.create_service("MXX").value();
    const uid b = svc.create_service("MXX", "Second Demo").value();
    CHECK(a != b);
    const profile p = env.store.load("P").value();
    REQUIRE(p.services.size() == 2);
    const message_service& s = *p.find_service(a);
    CHECK(s.name == "MXX");
    CHECK(s.display_name == "Mapixx Demo Service");
    CHECK(p.find_service(b)->display_name == "Second Demo");
    CHECK(s.dll_name == "MXX.DLL");
    CHECK(s.entry_name == "ServiceEntry");
    REQUIRE(s.providers.size() == 2);
    CHECK(s.providers[0].section_name == "MXX Store");
    CHECK(s.providers[0].type == resource_type::store_provider);
    CHECK(s.providers[0].flags == resource_flags(resource_flag::default_store));
    CHECK(s.providers[1].type == resource_type::transport_provider);

    const property_bag& sbag = *p.section(a);
    CHECK(sbag.get_string(prop_tag(0x6600001Eu)) == std::optional<std::string_view>("service data"));
    CHECK(sbag.get_string(pr::service_name) == std::optional<std::string_view>("MXX"));
    CHECK(sbag.get_uid(pr::service_uid) == std::optional<uid>(a));
    CHECK(sbag.get_string(pr::service_entry_name) == std::optional<std::string_view>("ServiceEntry"));
    REQUIRE(s.extra_sections.size() == 1);
    CHECK(*sbag.get_binary(pr::service_extra_uids) == binary(s.extra_sections[0].bytes.begin(), s.extra_sections[0].bytes.end()));
    CHECK(p.section(s.extra_sections[0])->get_string(prop_tag(0x6601001Eu)) == std::optional<std::string_view>("extra data"));
    CHECK(p.find_service(b)->extra_sections[0] != s.extra_sections[0]);  // no UID= in the INF: fresh per copy
    const property_bag& store_bag = *p.section(s.providers[0].provider_uid);
    CHECK(store_bag.get_string(pr::provider_display) == std::optional<std::string_view>("Mapixx Message Store"));
    CHECK(store_bag.get_i4(pr::resource_type) == std::optional<std::int32_t>(33));
    CHECK(store_bag.get_i4(pr::resource_flags) == std::optional<std::int32_t>(2));
}

TEST_CASE("create_service returns the hook's failure and stores nothing") {
    memory_profile_store store;
    profile_admin admin(store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    svc.set_service_entry("MXX", [](service_context, service_entry_args&) -> result<void> {
        return fail(scode::unconfigured, "needs a server name", "test");
    });
    auto r = svc.create_service("MXX");
    CHECK(r.code() == scode::unconfigured);
    CHECK(r.info().message == "needs a server name");
    const profile p = store.load("P").value();
    CHECK(p.services.empty());
    CHECK(p.sections.size() == 1);  // the profile-instance section only

    svc.set_service_entry("MXX", [](service_context, service_entry_args&) -> result<void> {
        throw std::runtime_error("boom");
    });
    CHECK(svc.create_service("MXX").code() == scode::call_failed);
    svc.set_service_entry("MXX", {});  // removed: creation works again
    CHECK(svc.create_service("MXX"));
}

TEST_CASE_TEMPLATE("the service table has exactly the eight columns of GetMsgServiceTable, sorted by display name",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid x = svc.create_service("XPN").value();
    const uid m = svc.create_service("MXX", "b demo").value();
    const uid l = svc.create_service("XPL", "A late one").value();
    const auto table = svc.service_table().value();
    REQUIRE(table.size() == 3);
    for (const auto& row : table) {
        CHECK(column_ids(row) == std::vector<std::uint16_t>{0x0FF6, 0x3001, 0x3009, 0x3D09, 0x3D0A, 0x3D0B, 0x3D0C,
                                                            0x3D0F});
    }
    CHECK(table[0].get_uid(pr::service_uid) == std::optional<uid>(l));
    CHECK(table[1].get_uid(pr::service_uid) == std::optional<uid>(m));
    CHECK(table[2].get_uid(pr::service_uid) == std::optional<uid>(x));
    CHECK(table[1].get_string(pr::display_name) == std::optional<std::string_view>("b demo"));
    CHECK(table[1].get_string(pr::service_name) == std::optional<std::string_view>("MXX"));
    CHECK(table[1].get_string(pr::service_dll_name) == std::optional<std::string_view>("MXX.DLL"));
    CHECK(table[1].get_string(pr::service_entry_name) == std::optional<std::string_view>("ServiceEntry"));
    CHECK(table[1].get_uid(pr::instance_key) == std::optional<uid>(m));
    const prop_value* files = table[1].find(pr::service_support_files);
    REQUIRE(files != nullptr);
    CHECK(*files->get_if<std::vector<std::string>>() == std::vector<std::string>{"mxx.dll", "mxxui.dll"});
    // No support files: the column is there as PT_ERROR MAPI_E_NOT_FOUND.
    const prop_value* none = table[0].find(pr::service_support_files.with_type(prop_type::unspecified));
    REQUIRE(none != nullptr);
    CHECK(none->tag().type() == prop_type::error);
    CHECK(*none->get_if<scode>() == scode::not_found);

    // A snapshot: a later delete does not change it.
    REQUIRE(svc.delete_service(x));
    CHECK(table.size() == 3);
    CHECK(svc.service_table().value().size() == 2);
}

TEST_CASE_TEMPLATE("the provider table has exactly the ten columns of GetProviderTable", Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid m = svc.create_service("MXX").value();
    REQUIRE(svc.create_service("IDN"));
    const auto rows = svc.provider_table().value();
    REQUIRE(rows.size() == 3);
    for (const auto& row : rows) {
        CHECK(column_ids(row) ==
              std::vector<std::uint16_t>{0x0FF6, 0x3001, 0x3006, 0x3009, 0x300A, 0x300C, 0x300D, 0x3D09, 0x3D0C, 0x3E03});
    }
    const profile p = env.store.load("P").value();
    const auto& store_prov = p.find_service(m)->providers[0];
    CHECK(rows[0].get_uid(pr::provider_uid) == std::optional<uid>(store_prov.provider_uid));
    CHECK(rows[0].get_uid(pr::instance_key) == std::optional<uid>(store_prov.provider_uid));
    CHECK(rows[0].get_string(pr::display_name) == std::optional<std::string_view>("Mapixx Store"));
    CHECK(rows[0].get_string(pr::provider_display) == std::optional<std::string_view>("Mapixx Message Store"));
    CHECK(rows[0].get_string(pr::provider_dll_name) == std::optional<std::string_view>("MXX.DLL"));
    CHECK(rows[0].get_i4(pr::resource_type) == std::optional<std::int32_t>(33));
    CHECK(rows[0].get_i4(pr::resource_flags) == std::optional<std::int32_t>(2));
    CHECK(rows[0].get_string(pr::service_name) == std::optional<std::string_view>("MXX"));
    CHECK(rows[0].get_uid(pr::service_uid) == std::optional<uid>(m));
    CHECK(rows[1].get_i4(pr::provider_ordinal) == std::optional<std::int32_t>(0));  // the only transport
    CHECK(rows[2].get_i4(pr::resource_type) == std::optional<std::int32_t>(35));    // MAPI_AB_PROVIDER
}

TEST_CASE_TEMPLATE("delete_service calls the remove hook first, then removes the service and its sections", Env,
                   memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid keep = svc.create_service("XPN").value();
    const uid gone = svc.create_service("MXX").value();
    const profile before = env.store.load("P").value();
    bool had_service_during_hook = false;
    svc.set_service_entry("MXX", [&](service_context ctx, service_entry_args& a) -> result<void> {
        if (ctx == service_context::remove) had_service_during_hook = a.service() != nullptr;
        return {};
    });
    CHECK(svc.delete_service(uid::generate()).code() == scode::not_found);
    REQUIRE(svc.delete_service(gone));
    CHECK(had_service_during_hook);
    const profile after = env.store.load("P").value();
    REQUIRE(after.services.size() == 1);
    CHECK(after.services[0].service_uid == keep);
    const message_service& old = *before.find_service(gone);
    CHECK(after.section(gone) == nullptr);
    for (const auto& prov : old.providers) CHECK(after.section(prov.provider_uid) == nullptr);
    CHECK(after.section(old.extra_sections[0]) == nullptr);
    CHECK(svc.delete_service(gone).code() == scode::not_found);
}

TEST_CASE("a failing remove hook keeps the service") {
    memory_profile_store store;
    profile_admin admin(store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid id = svc.create_service("MXX").value();
    admin.set_service_entry("mxx", [](service_context ctx, service_entry_args&) -> result<void> {
        if (ctx == service_context::remove) return fail(scode::busy, "in use", "test");
        return {};
    });
    CHECK(svc.delete_service(id).code() == scode::busy);  // the admin's hooks are the service admin's
    CHECK(store.load("P").value().find_service(id) != nullptr);
}

TEST_CASE_TEMPLATE("copy_service makes an independent service with new uids and does not call the hook", Env,
                   memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid src = svc.create_service("MXX").value();
    int calls = 0;
    svc.set_service_entry("MXX", [&](service_context, service_entry_args&) -> result<void> {
        ++calls;
        return {};
    });
    const uid copy = svc.copy_service(src, "The Copy").value();
    CHECK(calls == 0);
    CHECK(copy != src);
    const profile p = env.store.load("P").value();
    const message_service& a = *p.find_service(src);
    const message_service& b = *p.find_service(copy);
    CHECK(b.name == "MXX");
    CHECK(b.display_name == "The Copy");
    CHECK(p.section(copy)->get_string(pr::display_name) == std::optional<std::string_view>("The Copy"));
    CHECK(p.section(copy)->get_uid(pr::service_uid) == std::optional<uid>(copy));
    CHECK(p.section(copy)->get_string(prop_tag(0x6600001Eu)) == std::optional<std::string_view>("service data"));
    REQUIRE(b.providers.size() == a.providers.size());
    for (std::size_t i = 0; i < a.providers.size(); ++i) {
        CHECK(b.providers[i].provider_uid != a.providers[i].provider_uid);
        CHECK(p.section(b.providers[i].provider_uid)->get_uid(pr::service_uid) == std::optional<uid>(copy));
    }
    CHECK(b.extra_sections[0] != a.extra_sections[0]);
    CHECK(*p.section(copy)->get_binary(pr::service_extra_uids) ==
          binary(b.extra_sections[0].bytes.begin(), b.extra_sections[0].bytes.end()));
    CHECK(svc.copy_service(uid::generate()).code() == scode::not_found);
    // Deleting the copy leaves the source whole.
    REQUIRE(svc.delete_service(copy));
    const profile q = env.store.load("P").value();
    CHECK(q.section(a.extra_sections[0]) != nullptr);
    CHECK(q.section(a.providers[0].provider_uid) != nullptr);
}

TEST_CASE_TEMPLATE("configure_service writes the properties, calls the hook with configure, and undoes a failure",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid id = svc.create_service("MXX").value();
    std::vector<std::pair<service_context, std::size_t>> calls;
    svc.set_service_entry("MXX", [&](service_context ctx, service_entry_args& a) -> result<void> {
        calls.emplace_back(ctx, a.config ? a.config->size() : 0);
        if (a.section().get_string(prop_tag(0x6608001Eu)) == std::optional<std::string_view>("reject")) {
            return fail(scode::invalid_parameter, "bad server", "test");
        }
        return {};
    });
    property_bag props{prop_value(prop_tag(0x6608001Eu), "mail.example"), prop_value(prop_tag(0x66010003u), std::int32_t{32}),
                       prop_value(pr::display_name_a, "Renamed Display")};
    REQUIRE(svc.configure_service(id, props));
    REQUIRE(calls.size() == 1);
    CHECK(calls[0] == std::pair<service_context, std::size_t>(service_context::configure, 3));
    profile p = env.store.load("P").value();
    CHECK(p.section(id)->get_string(prop_tag(0x6608001Eu)) == std::optional<std::string_view>("mail.example"));
    CHECK(p.section(id)->get_i4(prop_tag(0x66010003u)) == std::optional<std::int32_t>(32));
    CHECK(svc.service_table().value()[0].get_string(pr::display_name) ==
          std::optional<std::string_view>("Renamed Display"));

    property_bag bad{prop_value(prop_tag(0x6608001Eu), "reject")};
    CHECK(svc.configure_service(id, bad).code() == scode::invalid_parameter);
    p = env.store.load("P").value();
    CHECK(p.section(id)->get_string(prop_tag(0x6608001Eu)) == std::optional<std::string_view>("mail.example"));
    CHECK(svc.configure_service(uid::generate(), props).code() == scode::not_found);
}

TEST_CASE_TEMPLATE("set_primary_identity marks the chosen service and its providers and the others as without",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid mxx = svc.create_service("MXX").value();
    const uid idn = svc.create_service("IDN").value();
    const uid noid = svc.create_service("NOID").value();

    REQUIRE(svc.set_primary_identity(idn));
    profile p = env.store.load("P").value();
    const auto& chosen = only_service(p, "IDN");
    CHECK(chosen.flags.has(service_flag::primary_identity));
    CHECK_FALSE(chosen.flags.has(service_flag::no_primary_identity));
    CHECK(chosen.providers[0].flags.has(resource_flag::primary_identity));
    CHECK_FALSE(chosen.providers[0].flags.has(resource_flag::no_primary_identity));
    CHECK(section_flags(p, idn) == chosen.flags.bits());
    CHECK(section_flags(p, chosen.providers[0].provider_uid) == chosen.providers[0].flags.bits());
    for (const char* other : {"MXX", "NOID"}) {
        const auto& s = only_service(p, other);
        CHECK(s.flags.has(service_flag::no_primary_identity));
        CHECK_FALSE(s.flags.has(service_flag::primary_identity));
        for (const auto& prov : s.providers) CHECK_FALSE(prov.flags.has(resource_flag::primary_identity));
    }
    CHECK(section_flags(p, mxx) == only_service(p, "MXX").flags.bits());

    // Moving the identity to MXX: IDN loses it.
    REQUIRE(svc.set_primary_identity(mxx));
    p = env.store.load("P").value();
    CHECK(only_service(p, "MXX").flags.has(service_flag::primary_identity));
    CHECK(only_service(p, "IDN").flags.has(service_flag::no_primary_identity));
    CHECK_FALSE(only_service(p, "IDN").providers[0].flags.has(resource_flag::primary_identity));

    // Clearing: nobody has it, and NO_PRIMARY_IDENTITY is back to what MAPISVC.INF says.
    REQUIRE(svc.set_primary_identity(std::nullopt));
    p = env.store.load("P").value();
    for (const auto& s : p.services) {
        CHECK_FALSE(s.flags.has(service_flag::primary_identity));
        for (const auto& prov : s.providers) CHECK_FALSE(prov.flags.has(resource_flag::primary_identity));
    }
    CHECK_FALSE(only_service(p, "MXX").flags.has(service_flag::no_primary_identity));
    CHECK_FALSE(only_service(p, "IDN").flags.has(service_flag::no_primary_identity));
    CHECK(only_service(p, "IDN").providers[0].flags.has(resource_flag::no_primary_identity));  // static, from the INF
    CHECK(only_service(p, "NOID").flags.has(service_flag::no_primary_identity));
    CHECK(svc.set_primary_identity(idn));  // IDN can be chosen again

    CHECK(svc.set_primary_identity(noid).code() == scode::no_access);
    CHECK(svc.set_primary_identity(uid::generate()).code() == scode::not_found);
}

TEST_CASE_TEMPLATE("transport_order overrides STATUS_XP_PREFER_LAST and transports added later follow it", Env,
                   memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    REQUIRE(svc.create_service("XPN"));
    REQUIRE(svc.create_service("XPL"));
    const auto natural = svc.default_transport_order().value();
    REQUIRE(natural.size() == 2);
    const std::vector<uid> late_first{natural[1], natural[0]};  // the prefer-last transport first
    REQUIRE(svc.transport_order(late_first));
    CHECK(svc.default_transport_order().value() == late_first);
    const auto rows = svc.provider_table().value();
    for (const auto& row : rows) {
        const uid u = row.get_uid(pr::provider_uid).value();
        CHECK(row.get_i4(pr::provider_ordinal) == std::optional<std::int32_t>(u == late_first[0] ? 0 : 1));
    }
    CHECK(svc.transport_order(std::vector<uid>{natural[0], natural[0]}).code() == scode::invalid_parameter);

    const uid mxx = svc.create_service("MXX").value();
    const profile p = env.store.load("P").value();
    const uid mxx_transport = p.find_service(mxx)->providers[1].provider_uid;
    CHECK(svc.default_transport_order().value() == std::vector<uid>{late_first[0], late_first[1], mxx_transport});
    // A new transport changes the count: the old list is now short.
    CHECK(svc.transport_order(late_first).code() == scode::busy);
    REQUIRE(svc.delete_service(mxx));
    CHECK(env.store.load("P").value().transport_order == late_first);
}

TEST_CASE_TEMPLATE("provider sections need MAPI_FORCE_ACCESS, writes to them keep the tables in step", Env,
                   memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid id = svc.create_service("MXX").value();
    const uid store_uid = env.store.load("P").value().find_service(id)->providers[0].provider_uid;

    CHECK(svc.open_profile_section(store_uid).code() == scode::no_access);
    CHECK(svc.open_profile_section(store_uid, section_open_flag::modify).code() == scode::no_access);
    {
        auto s = svc.open_profile_section(store_uid, section_open_flag::modify | section_open_flag::force_access);
        REQUIRE(s);
        const std::vector<prop_value> v{prop_value(pr::display_name_a, "Renamed Store")};
        REQUIRE(s->set_props(v));
    }
    CHECK(svc.provider_table().value()[0].get_string(pr::display_name) ==
          std::optional<std::string_view>("Renamed Store"));
    // The service's own section and its extra section need no force.
    CHECK(svc.open_profile_section(id));
    CHECK(svc.open_profile_section(env.store.load("P").value().find_service(id)->extra_sections[0]));
}

TEST_CASE_TEMPLATE("a profile section handle: read-only writes, deletes, closing, and deletion under it", Env,
                   memory_env, file_env) {
    Env env;
    profile_usage usage(env.store);
    profile_admin admin(env.store, test_catalog(), &usage);
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid id = svc.create_service("MXX").value();

    auto reader = svc.open_profile_section(id).value();
    CHECK_FALSE(reader.writable());
    CHECK(reader.id() == id);
    CHECK(reader.profile_name() == "P");
    const std::vector<prop_value> v{prop_value(prop_tag(0x6600001Eu), "changed")};
    CHECK(reader.set_props(v).code() == scode::no_access);
    const std::vector<prop_tag> t{prop_tag(0x6600001Eu)};
    CHECK(reader.delete_props(t).code() == scode::no_access);
    CHECK(reader.get_prop(prop_tag(0x6600001Eu)).value().get_if<std::string>() != nullptr);
    CHECK(reader.get_prop(prop_tag(0x6699001Eu)).code() == scode::not_found);
    CHECK(usage.in_use("P"));
    profile_section moved = std::move(reader);
    CHECK_FALSE(reader.is_open());
    CHECK(reader.get_props().code() == scode::invalid_object);
    moved.close();
    CHECK(moved.get_props().code() == scode::invalid_object);
    CHECK_FALSE(usage.in_use("P"));

    auto writer = svc.open_profile_section(id, section_open_flag::modify).value();
    REQUIRE(writer.delete_props(t));
    CHECK(writer.get_prop(prop_tag(0x6600001Eu)).code() == scode::not_found);
    REQUIRE(svc.delete_service(id));
    CHECK(writer.get_props().code() == scode::object_deleted);
    CHECK(writer.set_props(v).code() == scode::object_deleted);

    CHECK(section_open_flags::from_bits(0x00080009u).has_value());
    CHECK(section_open_flags::from_bits(0x2u).code() == scode::unknown_flags);
}

TEST_CASE("opening a section of a missing profile is not_found") {
    memory_profile_store store;
    profile_usage usage(store);
    CHECK(profile_section::open(usage, "Nobody", uid::generate(), section_open_flag::modify).code() ==
          scode::not_found);
    CHECK_FALSE(usage.in_use("Nobody"));
}

} // TEST_SUITE

} // namespace service_admin_tests
