// SPDX-License-Identifier: MIT
// A service-style client, the shape of a backup or archiving service: it initialises MAPI in
// service mode, logs on with service_logon_flags to a profile whose store has a tightly
// coupled transport (the only way a MAPI_NO_MAIL session sends), submits three messages,
// and serves its message loop (notifications, then the spooler as idle work) until SIGTERM or
// Ctrl+C. Then it shuts down in the documented order: unadvise, release objects, logoff,
// release the session, uninitialise. examples/service_client.ctest.sh runs it under ctest
// and sends the SIGTERM.
//
// PASS_REGULAR_EXPRESSION: stopped by signal 15; 3 message\(s\) relayed; logged off, then uninitialised \(exit status 0\)
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/provider/provider_registry.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/providers/memory_store.hpp>
#include <mapixx/service/message_loop.hpp>
#include <mapixx/service/notification_dispatcher.hpp>
#include <mapixx/service/stop_signal.hpp>
#include <mapixx/session/logon.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

using namespace mapixx;

namespace {

// A transport tightly coupled to the store (STATUS_OWN_STORE): it "relays" by keeping what
// it was given; a real one would write to its own archive or server.
class relay_transport final : public transport_provider {
public:
    explicit relay_transport(std::shared_ptr<std::vector<std::string>> relayed) : relayed_(std::move(relayed)) {}

    class logon_object final : public transport_logon {
    public:
        logon_object(spooler_support& s, std::shared_ptr<std::vector<std::string>> relayed)
            : transport_logon(s), relayed_(std::move(relayed)) {}
        task<address_types_result> address_types() override { co_return address_types_result{{"ARCHIVE"}, {}, false, false}; }
        task<submit_result> submit_message(submit_context& ctx) override {
            relayed_->push_back(std::string(ctx.message.props.get_string(pr::subject).value_or("")));
            std::cout << "relayed \"" << relayed_->back() << "\"\n";
            co_return submit_result{};
        }

    private:
        std::shared_ptr<std::vector<std::string>> relayed_;
    };

    task<result<std::unique_ptr<transport_logon>>> logon(provider_context& ctx) override {
        if (ctx.spooler == nullptr) co_return fail(scode::call_failed, "no spooler support", "relay_transport");
        co_return std::unique_ptr<transport_logon>(std::make_unique<logon_object>(*ctx.spooler, relayed_));
    }

private:
    std::shared_ptr<std::vector<std::string>> relayed_;
};

profile service_profile() {
    message_service svc;
    svc.name = "ARCHIVE";
    svc.display_name = "Archive";
    svc.dll_name = "ARCHIVESVC";
    svc.service_uid = uid::generate();
    provider_entry store;
    store.display_name = store.provider_display = "Archive Store";
    store.dll_name = "MXXMEM";
    store.type = resource_type::store_provider;
    store.flags = resource_flag::default_store;
    store.provider_uid = uid::generate();
    provider_entry relay;
    relay.display_name = relay.provider_display = "Archive Relay";
    relay.dll_name = "MXXRELAY";
    relay.type = resource_type::transport_provider;
    relay.flags = resource_flag::own_store;  // tightly coupled: a MAPI_NO_MAIL session may send through it
    relay.provider_uid = uid::generate();
    svc.providers = {store, relay};
    profile p;
    p.name = "Service";
    p.services.push_back(std::move(svc));
    return p;
}

int fail_with(const char* step, const error_info& info, scode code) {
    std::cout << step << " failed: " << scode_name(code) << ": " << info.message << '\n';
    return 1;
}

} // namespace

int main() {
    // The loop and the stop signal first: they outlive the subsystem and the sessions.
    auto loop = message_loop::create();
    if (!loop) return fail_with("message_loop::create", loop.info(), loop.code());
    auto stop = stop_signal::install();
    if (!stop) return fail_with("stop_signal::install", stop.info(), stop.code());
    // Notifications without MAPI_MULTITHREAD_NOTIFICATIONS: they run when this thread pumps.
    auto notes = notification_dispatcher::create({.flags = init_flag::nt_service, .loop = &*loop});
    if (!notes) return fail_with("notification_dispatcher::create", notes.info(), notes.code());

    memory_profile_store profiles;
    (void)profiles.create(service_profile()).value();
    auto data = std::make_shared<memory_store_data>();
    auto relayed = std::make_shared<std::vector<std::string>>();
    provider_registry providers;
    providers.add_store("MXXMEM", [data] { return std::make_unique<memory_store>(data); });
    providers.add_transport("MXXRELAY", [relayed] { return std::make_unique<relay_transport>(relayed); });

    std::size_t relayed_count = 0;
    std::string summary;
    {
        // MAPIInitialize with MAPI_NT_SERVICE.
        auto mapi = initialize({.flags = init_flag::nt_service, .profiles = &profiles, .providers = &providers,
                                .notifications = &*notes});
        if (!mapi) return fail_with("initialize", mapi.info(), mapi.code());
        {
            // MAPILogonEx with the service flags; a set that broke a rule would not compile.
            constexpr checked_flags<logon_flag> flags = service_logon_flags;
            result<session> s = sync_wait(mapi->logon({.profile = "Service", .flags = flags}));
            if (!s) return fail_with("logon", s.info(), s.code());
            std::cout << "logged on to \"" << s->profile_name() << "\" as a service (MAPI_NO_MAIL, coupled transport)\n";
            auto connection = s->advise([](const session_event& e) {
                std::cout << "notification on the service thread: " << e.message << '\n';
            });
            if (!connection) return fail_with("advise", connection.info(), connection.code());

            {
                auto store = s->default_store().value();
                for (int i = 1; i <= 3; ++i) {
                    property_bag props;
                    (void)props.set(pr::subject, "archive batch " + std::to_string(i));
                    property_bag to;
                    (void)to.set(pr::addrtype, std::string("ARCHIVE"));
                    (void)to.set(pr::email_address, std::string("vault"));
                    (void)to.set(pr::recipient_type, std::int32_t{1});
                    const auto id = store->create_message(standard_folder::outbox, props, {to}).value();
                    if (auto r = s->submit_message(id); !r) return fail_with("submit_message", r.info(), r.code());
                }
            }  // the store handle is released before the logoff

            // Serve: queued notifications first, the spooler when nothing is queued.
            loop->set_idle_handler([&] { return s->spool().value_or(0) > 0; });
            std::cout << "ready: serving until SIGTERM" << std::endl;
            auto ended = loop->run_until(stop->event());
            loop->set_idle_handler({});
            if (!ended) return fail_with("run_until", ended.info(), ended.code());
            // Whatever the idle work had not sent yet goes now: a service that logged off with
            // messages still submitted would leave them in the Outbox until its next run.
            if (auto r = s->flush_queues(flush_flag::upload); !r) return fail_with("flush_queues", r.info(), r.code());
            relayed_count = relayed->size();
            summary = "stopped by signal " + std::to_string(stop->last_signal().value_or(-1)) + "; " +
                      std::to_string(relayed_count) + " message(s) relayed; ";

            // Shut down in the documented order (MAPI-REFERENCE 4.4).
            (void)s->unadvise(*connection);  // 1. unadvise everything
            sync_wait(s->logoff());          // 4. logoff, never MAPI_LOGOFF_SHARED in a service
        }                                    // 5. the session is released
        loop->pump();                        // anything queued before the logoff
    }  // 7. the last subsystem copy: MAPIUninitialize
    // One line: the ctest driver appends the exit status it saw.
    std::cout << summary << "logged off, then uninitialised" << std::endl;
    return relayed_count == 3 ? 0 : 1;
}
