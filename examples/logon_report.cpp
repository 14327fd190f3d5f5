// SPDX-License-Identifier: MIT
// Logs on to a profile of two message services with a scripted UI: the first service holds the
// default store (the reference memory_store), the second a transport that cannot reach its
// server. The transport fails, the UI is told and asks for the retry, the retry fails too, and
// the second service is disabled for the session. Prints the logon report and the status table.
//
// PASS_REGULAR_EXPRESSION: service NET \(Network Mail\): disabled with MAPI_E_NETWORK_ERROR \(0x80040115\), retried, prompted
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_registry.hpp>
#include <mapixx/providers/memory_store.hpp>
#include <mapixx/session/logon.hpp>
#include <mapixx/session/ui_handler.hpp>

#include <iostream>
#include <memory>
#include <string>

using namespace mapixx;

namespace {

// A transport provider written for the example: its server never answers.
class unreachable_transport final : public transport_provider {
public:
    task<result<std::unique_ptr<transport_logon>>> logon(provider_context& ctx) override {
        co_return fail(scode::network_error,
                       "mail.example.org:25 did not answer (attempt " + std::to_string(ctx.attempt) + ")",
                       "unreachable_transport");
    }
};

// The application's dialogs, scripted: the user always asks for the retry.
class console_ui final : public ui_handler {
public:
    task<result<bool>> logon_failed(const ui_context&, const message_service& service, const provider_entry& provider,
                                    scode code, std::string_view message) override {
        std::cout << "[dialog] " << provider.display_name << " of " << service.display_name << " failed with "
                  << scode_name(code) << ": " << message << " -> the user chooses Retry\n";
        co_return true;
    }
};

message_service make_service(std::string name, std::string display, provider_entry provider) {
    message_service s;
    s.name = std::move(name);
    s.display_name = std::move(display);
    s.dll_name = s.name + "SVC";
    s.service_uid = uid::generate();
    provider.provider_uid = uid::generate();
    s.providers.push_back(std::move(provider));
    return s;
}

provider_entry make_provider(std::string display, std::string dll, resource_type type, resource_flags flags = {}) {
    provider_entry p;
    p.display_name = display;
    p.provider_display = std::move(display);
    p.dll_name = std::move(dll);
    p.type = type;
    p.flags = flags;
    return p;
}

task<int> run(subsystem& mapi) {
    console_ui ui;
    result<session> s = co_await mapi.logon({.profile = "Demo",
                                             .flags = logon_flag::extended | logon_flag::new_session |
                                                      logon_flag::logon_ui,
                                             .ui = &ui});
    if (!s) {
        std::cout << "logon failed: " << s.error().message() << ": " << s.info().message << '\n';
        co_return 1;
    }
    std::cout << "--- logon report ---\n" << to_string(s->report(), true);
    auto rows = s->status_table();
    std::cout << "--- status table ---\n" << to_string(rows.value());
    auto store = s->default_store_as<memory_store_logon>();
    std::cout << "--- default store ---\n";
    if (store) std::cout << (*store)->display_name() << '\n';
    co_await s->logoff();
    co_return 0;
}

} // namespace

int main() {
    memory_profile_store profiles;
    profile demo;
    demo.name = "Demo";
    demo.services.push_back(make_service(
        "LOCAL", "Local Mailbox",
        make_provider("Local Mailbox", "MXXMEM", resource_type::store_provider, resource_flag::default_store)));
    demo.services.push_back(make_service(
        "NET", "Network Mail", make_provider("Network Transport", "MXXNET", resource_type::transport_provider)));
    profiles.create(demo).value();

    auto data = std::make_shared<memory_store_data>();
    provider_registry providers;
    providers.add_store("MXXMEM", [data] { return std::make_unique<memory_store>(data); });
    providers.add_transport("MXXNET", [] { return std::make_unique<unreachable_transport>(); });

    auto mapi = initialize({.flags = init_flag::multithread_notifications, .profiles = &profiles,
                            .providers = &providers})
                    .value();
    return sync_wait(run(mapi));
}
