// SPDX-License-Identifier: MIT
// A first mapixx program: initialise MAPI, check flags at compile time and at run time, and
// create a profile with a message service in a memory profile store.
#include <mapixx/mapixx.hpp>
#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/profile/profile_admin.hpp>
#include <mapixx/profile/service_catalog.hpp>

#include <iostream>

int main() {
    using namespace mapixx;

    auto mapi = initialize({.flags = init_flag::multithread_notifications});
    if (!mapi) {
        std::cerr << "initialize failed: " << mapi.info().message << "\n";
        return 1;
    }

    // A constant set is checked when it compiles; a set read at run time when it is parsed.
    constexpr checked_flags<logon_flag> service = service_logon_flags;
    auto parsed = parse_flags<logon_flag>("new_session|no_mail");
    if (!parsed) {
        std::cerr << "parse_flags failed: " << parsed.info().message << "\n";
        return 1;
    }

    // MAPISVC.INF with one message service, given as text.
    const auto catalog = service_catalog::parse(
        "[Services]\n"
        "APP=Consumer Store\n"
        "[APP]\n"
        "PR_SERVICE_DLL_NAME=appstore\n"
        "Providers=APP Store\n"
        "[APP Store]\n"
        "PR_DISPLAY_NAME=Consumer Store\n"
        "PR_PROVIDER_DISPLAY=Consumer Store\n"
        "PR_PROVIDER_DLL_NAME=appstore\n"
        "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER\n"
        "PR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE\n",
        "consumer.inf");
    if (!catalog.diagnostics().empty()) {
        for (const auto& d : catalog.diagnostics()) std::cerr << d.to_string() << "\n";
        return 1;
    }

    memory_profile_store store;
    profile_admin admin{store, catalog};
    if (auto r = admin.create_profile("Consumer"); !r) {
        std::cerr << "create_profile failed: " << r.info().message << "\n";
        return 1;
    }
    auto services = admin.admin_services("Consumer");
    if (!services) return 1;
    auto id = services->create_service("APP");
    if (!id) {
        std::cerr << "create_service failed: " << id.info().message << "\n";
        return 1;
    }
    auto store_uid = services->default_store();
    auto names = store.names();
    if (!store_uid || !*store_uid || !names) return 1;

    std::cout << "mapixx " << MAPIXX_VERSION_MAJOR << "." << MAPIXX_VERSION_MINOR << "." << MAPIXX_VERSION_PATCH
              << " consumer: initialised " << (mapi->initialized() ? "yes" : "no") << "; service logon flags "
              << to_string(service.get()) << "; parsed " << to_string(*parsed) << "; profiles " << names->size()
              << " (" << names->front() << ") with service APP " << id->to_string() << " and a default store\n";
    return 0;
}
