// SPDX-License-Identifier: MIT
// Tests of profile_admin (IProfAdmin) and profile_usage: every operation with its error codes,
// the deferred delete and rename, the entry hooks around profile deletion, copies, and the
// in-use registry under threads.
#include <mapixx/profile/file_profile_store.hpp>
#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/profile/profile_admin.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <unistd.h>

namespace profile_admin_tests {

using namespace mapixx;

namespace {

class scratch_dir {
public:
    scratch_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "mapixx-admin-XXXXXX").string();
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

/// A memory store whose remove and rename can be told to fail, to see deferred failures.
class flaky_store final : public profile_store {
public:
    bool fail_remove = false;
    bool fail_rename = false;

    result<std::vector<std::string>> names() const override { return inner_.names(); }
    result<std::optional<std::string>> default_profile() const override { return inner_.default_profile(); }
    result<profile> load(std::string_view name) const override { return inner_.load(name); }
    result<void> create(const profile& p) override { return inner_.create(p); }
    result<void> update(std::string_view name, const std::function<result<void>(profile&)>& change) override {
        return inner_.update(name, change);
    }
    result<void> remove(std::string_view name) override {
        if (fail_remove) return fail(scode::disk_error, "the disk is gone", "flaky_store");
        return inner_.remove(name);
    }
    result<void> rename(std::string_view from, std::string_view to) override {
        if (fail_rename) return fail(scode::disk_error, "the disk is gone", "flaky_store");
        return inner_.rename(from, to);
    }
    result<void> set_default(std::optional<std::string_view> name) override { return inner_.set_default(name); }

private:
    memory_profile_store inner_;
};

constexpr const char* catalog_text = R"([Services]
MXX=Mapixx Demo Service
XPN=Mapixx Plain Transport
SHARE=Service With A Well-Known Section

[Default Services]
MXX=Mapixx Demo Service
XPN=Mapixx Plain Transport

[MXX]
PR_DISPLAY_NAME=Mapixx Demo Service
Providers=MXX Store, MXX Transport
Sections=MXX Extra
PR_SERVICE_DLL_NAME=MXX.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry
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

[SHARE]
PR_DISPLAY_NAME=Service With A Well-Known Section
Providers=SHARE Store
Sections=SHARE Global
PR_SERVICE_DLL_NAME=SHARE.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry

[SHARE Global]
UID=13dbb0c8aa05101a9bb000aa002fc45a
6602001E=global data

[SHARE Store]
PR_DISPLAY_NAME=Share Store
PR_PROVIDER_DISPLAY=Share Store
PR_PROVIDER_DLL_NAME=SHARE.DLL
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=0
)";

const service_catalog& test_catalog() {
    static const service_catalog c = service_catalog::parse(catalog_text, "admin-mapisvc.inf");
    return c;
}

std::vector<std::string> table_names(const profile_admin& admin) {
    std::vector<std::string> out;
    const auto table = admin.profile_table().value();
    for (const auto& row : table) out.emplace_back(row.get_string(pr::display_name).value());
    return out;
}

/// Every uid a profile's services use: services, providers, extra sections.
std::set<uid> owned_uids(const profile& p) {
    std::set<uid> out;
    for (const auto& s : p.services) {
        out.insert(s.service_uid);
        for (const auto& prov : s.providers) out.insert(prov.provider_uid);
        out.insert(s.extra_sections.begin(), s.extra_sections.end());
    }
    return out;
}

const uid well_known = uid::parse("13dbb0c8aa05101a9bb000aa002fc45a").value();

} // namespace

TEST_SUITE("profile_admin.hpp") {

TEST_CASE_TEMPLATE("create_profile stores a profile with a search key and its profile-instance section", Env,
                   memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("Work"));
    REQUIRE(admin.create_profile("Home"));
    const profile work = env.store.load("Work").value();
    const profile home = env.store.load("Home").value();
    CHECK_FALSE(work.search_key.is_nil());
    CHECK(work.search_key != home.search_key);
    const property_bag* inst = work.section(uids::profile_instance);
    REQUIRE(inst != nullptr);
    CHECK(inst->get_string(pr::profile_name) == std::optional<std::string_view>("Work"));
    CHECK(inst->get_uid(pr::search_key) == std::optional<uid>(work.search_key));
    CHECK(work.services.empty());
    CHECK_FALSE(work.is_default);
    CHECK(table_names(admin) == std::vector<std::string>{"Work", "Home"});
}

TEST_CASE("create_profile with default services fails as a whole when a default service fails") {
    memory_profile_store store;
    profile_admin admin(store, test_catalog());
    admin.set_service_entry("XPN", [](service_context ctx, service_entry_args&) -> result<void> {
        if (ctx == service_context::create) return fail(scode::user_cancel, "no", "test");
        return {};
    });
    auto r = admin.create_profile("P", profile_create_flag::default_services);
    CHECK(r.code() == scode::user_cancel);
    CHECK(store.load("P").code() == scode::not_found);
    CHECK(store.names().value().empty());
}

TEST_CASE("an entry hook's edits during create are stored with the new service") {
    memory_profile_store store;
    profile_admin admin(store, test_catalog());
    admin.set_service_entry("MXX", [](service_context ctx, service_entry_args& a) -> result<void> {
        if (ctx == service_context::create) return a.section().set(prop_tag(0x6620001Eu), std::string("set by hook"));
        return {};
    });
    REQUIRE(admin.create_profile("P", profile_create_flag::default_services));
    const profile p = store.load("P").value();
    CHECK(p.section(p.services.at(0).service_uid)->get_string(prop_tag(0x6620001Eu)) ==
          std::optional<std::string_view>("set by hook"));
}

TEST_CASE_TEMPLATE("delete_profile of a free profile runs every service's remove hook and removes it", Env,
                   memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    std::vector<std::string> removed;
    for (const char* name : {"MXX", "XPN"}) {
        admin.set_service_entry(name, [&](service_context ctx, service_entry_args& a) -> result<void> {
            if (ctx == service_context::remove) removed.push_back(a.service_name);
            return {};
        });
    }
    REQUIRE(admin.create_profile("P", profile_create_flag::default_services));
    REQUIRE(admin.delete_profile("p"));
    CHECK(removed == std::vector<std::string>{"MXX", "XPN"});
    CHECK(env.store.load("P").code() == scode::not_found);
    CHECK(admin.delete_profile("P").code() == scode::not_found);
}

TEST_CASE("a failing remove hook keeps a free profile and returns the hook's failure") {
    memory_profile_store store;
    profile_admin admin(store, test_catalog());
    REQUIRE(admin.create_profile("P", profile_create_flag::default_services));
    admin.set_service_entry("XPN", [](service_context ctx, service_entry_args&) -> result<void> {
        if (ctx == service_context::remove) return fail(scode::busy, "files are open", "test");
        return {};
    });
    CHECK(admin.delete_profile("P").code() == scode::busy);
    CHECK(store.load("P").has_value());
    CHECK(table_names(admin) == std::vector<std::string>{"P"});
}

TEST_CASE("a deferred delete runs the remove hooks when the last lease ends") {
    memory_profile_store store;
    profile_usage usage(store);
    profile_admin admin(store, test_catalog(), &usage);
    std::vector<std::string> removed;
    admin.set_service_entry("MXX", [&](service_context ctx, service_entry_args& a) -> result<void> {
        if (ctx == service_context::remove) removed.push_back(a.service_name + " in " + a.target.name);
        return {};
    });
    REQUIRE(admin.create_profile("P", profile_create_flag::default_services));
    auto lease = usage.acquire("P");
    REQUIRE(admin.delete_profile("P"));
    CHECK(removed.empty());  // the profile still serves its session
    CHECK(usage.marked_for_deletion("P"));
    lease.release();
    CHECK(removed == std::vector<std::string>{"MXX in P"});
    CHECK(store.load("P").code() == scode::not_found);
    CHECK_FALSE(usage.marked_for_deletion("P"));
}

TEST_CASE("a deferred store failure is recorded, not thrown, when the last lease ends") {
    flaky_store store;
    profile_usage usage(store);
    profile_admin admin(store, test_catalog(), &usage);
    REQUIRE(admin.create_profile("Doomed"));
    REQUIRE(admin.create_profile("Moving"));
    {
        auto a = usage.acquire("Doomed");
        auto b = usage.acquire("Moving");
        REQUIRE(admin.delete_profile("Doomed"));
        REQUIRE(admin.rename_profile("Moving", "Moved"));
        store.fail_remove = true;
        store.fail_rename = true;
        a.release();  // no exception may escape
        b.release();
    }
    const auto errors = usage.deferred_errors();
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].profile == "Doomed");
    CHECK(errors[0].operation == "delete");
    CHECK(errors[0].code == scode::disk_error);
    CHECK(errors[0].info.message == "the disk is gone");
    CHECK(errors[1].profile == "Moving");
    CHECK(errors[1].operation == "rename to \"Moved\"");
    CHECK(errors[1].code == scode::disk_error);
    usage.clear_deferred_errors();
    CHECK(usage.deferred_errors().empty());
}

TEST_CASE_TEMPLATE("rename_profile of a free profile is immediate and keeps services, default mark and search key",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("Old", profile_create_flag::default_services));
    REQUIRE(admin.set_default_profile("Old"));
    const profile before = env.store.load("Old").value();
    REQUIRE(admin.rename_profile("Old", "New Name"));
    const profile after = env.store.load("New Name").value();
    CHECK(env.store.load("Old").code() == scode::not_found);
    CHECK(after.services == before.services);
    CHECK(after.search_key == before.search_key);
    CHECK(after.is_default);
    CHECK(after.section(uids::profile_instance)->get_string(pr::profile_name) ==
          std::optional<std::string_view>("New Name"));

    REQUIRE(admin.create_profile("Other"));
    CHECK(admin.rename_profile("Nobody", "X").code() == scode::not_found);
    CHECK(admin.rename_profile("New Name", "other").code() == scode::no_access);
    CHECK(admin.rename_profile("New Name", "bad\\name").code() == scode::invalid_parameter);
    CHECK(admin.rename_profile("New Name", "NEW NAME"));  // only the case changes
    CHECK(table_names(admin) == std::vector<std::string>{"NEW NAME", "Other"});
}

TEST_CASE("renaming twice while in use applies the last new name, a delete drops a pending rename") {
    memory_profile_store store;
    profile_usage usage(store);
    profile_admin admin(store, test_catalog(), &usage);
    REQUIRE(admin.create_profile("A"));
    REQUIRE(admin.create_profile("B"));
    {
        auto lease = usage.acquire("A");
        REQUIRE(admin.rename_profile("A", "A1"));
        REQUIRE(admin.rename_profile("A", "A2"));  // the table still shows "A"
        CHECK(admin.rename_profile("A1", "A3").code() == scode::not_found);
        CHECK(admin.copy_profile("B", "A2").code() == scode::no_access);  // A2 is spoken for
        CHECK(admin.rename_profile("B", "A2").code() == scode::no_access);
    }
    CHECK(table_names(admin) == std::vector<std::string>{"A2", "B"});
    {
        auto lease = usage.acquire("B");
        REQUIRE(admin.rename_profile("B", "B1"));
        REQUIRE(admin.delete_profile("B"));
        CHECK(table_names(admin) == std::vector<std::string>{"A2"});
        CHECK_FALSE(usage.is_pending_rename_target("B1"));
    }
    CHECK(store.names().value() == std::vector<std::string>{"A2"});
    CHECK(usage.deferred_errors().empty());
}

TEST_CASE("a profile deleted while in use keeps its name taken and cannot be the default") {
    memory_profile_store store;
    profile_usage usage(store);
    profile_admin admin(store, test_catalog(), &usage);
    REQUIRE(admin.create_profile("P"));
    REQUIRE(admin.set_default_profile("P"));
    auto lease = usage.acquire("P");
    REQUIRE(admin.delete_profile("P"));
    CHECK(admin.default_profile().value() == std::nullopt);
    CHECK(admin.set_default_profile("P").code() == scode::not_found);
    CHECK(admin.create_profile("P").code() == scode::no_access);
    CHECK(admin.copy_profile("P", "Q").code() == scode::not_found);
    CHECK(admin.rename_profile("P", "Q").code() == scode::not_found);
    lease.release();
    CHECK(admin.create_profile("P"));  // free again
}

TEST_CASE_TEMPLATE("copy_profile gives new uids to every service section and keeps well-known ones", Env,
                   memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    REQUIRE(admin.create_profile("Src", profile_create_flag::default_services));
    auto svc = admin.admin_services("Src").value();
    REQUIRE(svc.create_service("SHARE"));
    REQUIRE(admin.set_default_profile("Src"));
    const profile src = env.store.load("Src").value();

    REQUIRE(admin.copy_profile("Src", "Dst"));
    const profile dst = env.store.load("Dst").value();
    CHECK_FALSE(dst.is_default);
    CHECK(env.store.load("Src").value() == src);  // the source is untouched
    CHECK(dst.search_key != src.search_key);
    CHECK(dst.section(uids::profile_instance)->get_uid(pr::search_key) == std::optional<uid>(dst.search_key));
    CHECK(dst.section(uids::profile_instance)->get_string(pr::profile_name) == std::optional<std::string_view>("Dst"));

    REQUIRE(dst.services.size() == src.services.size());
    std::set<uid> src_ids = owned_uids(src), dst_ids = owned_uids(dst);
    std::vector<uid> common;
    std::set_intersection(src_ids.begin(), src_ids.end(), dst_ids.begin(), dst_ids.end(), std::back_inserter(common));
    CHECK(common == std::vector<uid>{well_known});  // only the section MAPISVC.INF fixes with UID=
    CHECK(dst_ids.size() == src_ids.size());

    for (std::size_t i = 0; i < src.services.size(); ++i) {
        const auto& s = src.services[i];
        const auto& d = dst.services[i];
        CHECK(d.name == s.name);
        CHECK(d.display_name == s.display_name);
        // Same properties, with the uid properties pointing at the copy's sections.
        const property_bag& sbag = *dst.section(d.service_uid);
        CHECK(sbag.get_uid(pr::service_uid) == std::optional<uid>(d.service_uid));
        CHECK(sbag.get_string(pr::display_name) == src.section(s.service_uid)->get_string(pr::display_name));
        for (std::size_t j = 0; j < s.providers.size(); ++j) {
            const property_bag& pbag = *dst.section(d.providers[j].provider_uid);
            CHECK(pbag.get_uid(pr::service_uid) == std::optional<uid>(d.service_uid));
            CHECK(pbag.get_uid(pr::provider_uid) == std::optional<uid>(d.providers[j].provider_uid));
            CHECK(pbag.get_string(pr::provider_dll_name) ==
                  src.section(s.providers[j].provider_uid)->get_string(pr::provider_dll_name));
        }
        if (s.name == "MXX") {
            REQUIRE(d.extra_sections.size() == 1);
            const binary* extra = sbag.get_binary(pr::service_extra_uids);
            REQUIRE(extra != nullptr);
            CHECK(*extra == binary(d.extra_sections[0].bytes.begin(), d.extra_sections[0].bytes.end()));
            CHECK(dst.section(d.extra_sections[0])->get_string(prop_tag(0x6601001Eu)) ==
                  std::optional<std::string_view>("extra data"));
        }
    }

    CHECK(admin.copy_profile("Nobody", "X").code() == scode::not_found);
    CHECK(admin.copy_profile("Src", "dst").code() == scode::no_access);
    CHECK(admin.copy_profile("Src", "").code() == scode::invalid_parameter);

    // The copy is independent of its source.
    auto dsvc = admin.admin_services("Dst").value();
    REQUIRE(dsvc.delete_service(dst.services[0].service_uid));
    CHECK(env.store.load("Src").value() == src);
}

TEST_CASE("copy_profile maps an explicit transport order to the copy's transports") {
    memory_profile_store store;
    profile_admin admin(store, test_catalog());
    REQUIRE(admin.create_profile("Src", profile_create_flag::default_services));
    auto svc = admin.admin_services("Src").value();
    auto order = svc.default_transport_order().value();
    std::reverse(order.begin(), order.end());
    REQUIRE(svc.transport_order(order));
    REQUIRE(admin.copy_profile("Src", "Dst"));
    const profile dst = store.load("Dst").value();
    REQUIRE(dst.transport_order.size() == 2);
    auto dsvc = admin.admin_services("Dst").value();
    CHECK(dsvc.default_transport_order().value() == dst.transport_order);
    // The first transport of the copy's order is XPN's, as in the source.
    CHECK(dst.transport_order[0] == dst.services[1].providers[0].provider_uid);
}

TEST_CASE("an admin without a registry owns one, and its sections count as use") {
    memory_profile_store store;
    profile_admin admin(store, test_catalog());
    REQUIRE(admin.create_profile("P"));
    auto svc = admin.admin_services("P").value();
    const uid id = uid::generate();
    {
        auto section = svc.open_profile_section(id, section_open_flag::modify).value();
        CHECK(admin.usage().in_use("P"));
        REQUIRE(admin.delete_profile("P"));  // deferred: a handle is open
        CHECK(table_names(admin).empty());
        CHECK(store.load("P").has_value());
        const std::vector<prop_value> v{prop_value(prop_tag(0x6600001Eu), "still writable")};
        CHECK(section.set_props(v));
    }
    CHECK(store.load("P").code() == scode::not_found);
    CHECK(&admin.usage().store() == &store);
}

TEST_CASE("profile_usage counts leases per name without regard to case, and leases move") {
    memory_profile_store store;
    profile_usage usage(store);
    CHECK_FALSE(usage.in_use("P"));
    profile_lease a = usage.acquire("P");
    CHECK(a.active());
    CHECK(a.profile_name() == "P");
    profile_lease b = usage.acquire("p");
    CHECK(usage.lease_count("P") == 2);
    profile_lease c = std::move(a);
    CHECK_FALSE(a.active());
    CHECK(c.active());
    CHECK(usage.lease_count("P") == 2);
    a.release();  // an empty lease: nothing happens
    CHECK(usage.lease_count("P") == 2);
    b = std::move(c);  // b's own lease ends, c's moves in
    CHECK(usage.lease_count("P") == 1);
    b.release();
    b.release();
    CHECK_FALSE(usage.in_use("P"));
    profile_lease empty;
    CHECK_FALSE(empty);
}

TEST_CASE("try_acquire refuses a missing profile and one marked for deletion") {
    memory_profile_store store;
    profile_usage usage(store);
    profile_admin admin(store, test_catalog(), &usage);
    CHECK(usage.try_acquire("Nope").code() == scode::not_found);
    REQUIRE(admin.create_profile("P"));
    auto first = usage.try_acquire("p");
    REQUIRE(first);
    CHECK(first->profile_name() == "P");  // the store's spelling
    REQUIRE(admin.delete_profile("P"));
    CHECK(usage.try_acquire("P").code() == scode::not_found);
    CHECK(usage.lease_count("P") == 1);
}

TEST_CASE("concurrent sessions and a delete: the profile is removed exactly once, after the last lease") {
    memory_profile_store store;
    profile_usage usage(store);
    profile_admin admin(store, test_catalog(), &usage);
    REQUIRE(admin.create_profile("Shared", profile_create_flag::default_services));
    std::atomic<int> removes{0};
    std::atomic<int> lost{0};
    admin.set_service_entry("MXX", [&](service_context ctx, service_entry_args&) -> result<void> {
        if (ctx == service_context::remove) ++removes;
        return {};
    });
    constexpr int threads = 4;
    constexpr int rounds = 200;
    std::atomic<bool> go{false};
    auto keeper = usage.acquire("Shared");  // holds the profile until the workers are done
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            while (!go) std::this_thread::yield();
            for (int i = 0; i < rounds; ++i) {
                auto lease = usage.try_acquire("Shared");
                if (lease && !store.load(lease->profile_name())) ++lost;  // removed under a lease
            }
        });
    }
    go = true;
    REQUIRE(admin.delete_profile("Shared"));
    for (auto& w : workers) w.join();
    CHECK(lost == 0);
    CHECK(store.load("Shared").has_value());
    CHECK(removes == 0);
    keeper.release();
    CHECK(store.load("Shared").code() == scode::not_found);
    CHECK(removes == 1);
    CHECK(usage.deferred_errors().empty());
}

TEST_CASE("profile_create_flag is MAPI_DEFAULT_SERVICES and unknown CreateProfile bits are rejected") {
    CHECK(static_cast<std::uint32_t>(profile_create_flag::default_services) == 0x1u);
    CHECK(sdk_name(profile_create_flag::default_services) == "MAPI_DEFAULT_SERVICES");
    CHECK(profile_create_flags::from_bits(0x8).code() == scode::unknown_flags);
    CHECK(profile_create_flags::from_bits(0x1).value().has(profile_create_flag::default_services));
}

} // TEST_SUITE

} // namespace profile_admin_tests
