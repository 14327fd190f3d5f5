// SPDX-License-Identifier: MIT
// The world the allocation-failure tests log on to: a memory profile store with profile
// "Mail" (a memory_store and an address book; a transport and an address book, so a session
// also builds its spooler), a profile usage registry, and providers that count their logon
// objects. `check_idle` lists every counter that is not back to zero.
#ifndef MAPIXX_TESTS_FAULT_WORLD_HPP_INCLUDED
#define MAPIXX_TESTS_FAULT_WORLD_HPP_INCLUDED

#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_usage.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_registry.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/providers/memory_store.hpp>
#include <mapixx/session/logon.hpp>
#include <mapixx/session/session.hpp>
#include <mapixx/session/subsystem.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace fault_test {

using namespace mapixx;

struct live_objects {
    std::atomic<long> ab{0};
    std::atomic<long> xp{0};
};

class counted_ab_logon final : public ab_logon {
public:
    explicit counted_ab_logon(live_objects& c) : c_(&c) { c_->ab.fetch_add(1); }
    counted_ab_logon(const counted_ab_logon&) = delete;
    counted_ab_logon& operator=(const counted_ab_logon&) = delete;
    ~counted_ab_logon() override { c_->ab.fetch_sub(1); }

private:
    live_objects* c_;
};

class counted_ab final : public ab_provider {
public:
    explicit counted_ab(live_objects& c) noexcept : c_(&c) {}
    task<result<std::unique_ptr<ab_logon>>> logon(provider_context&) override {
        co_return std::unique_ptr<ab_logon>(std::make_unique<counted_ab_logon>(*c_));
    }

private:
    live_objects* c_;
};

class counted_xp_logon final : public transport_logon {
public:
    counted_xp_logon(live_objects& c, spooler_support& s) : transport_logon(s), c_(&c) { c_->xp.fetch_add(1); }
    counted_xp_logon(const counted_xp_logon&) = delete;
    counted_xp_logon& operator=(const counted_xp_logon&) = delete;
    ~counted_xp_logon() override { c_->xp.fetch_sub(1); }
    task<address_types_result> address_types() override { co_return address_types_result{{"FAULT"}, {}, false, false}; }
    task<submit_result> submit_message(submit_context&) override { co_return submit_result{scode::success, 0, 0}; }

private:
    live_objects* c_;
};

class counted_xp final : public transport_provider {
public:
    explicit counted_xp(live_objects& c) noexcept : c_(&c) {}
    task<result<std::unique_ptr<transport_logon>>> logon(provider_context& ctx) override {
        if (ctx.spooler == nullptr) co_return fail(scode::call_failed, "FAULTXP needs a spooler", "fault_test");
        co_return std::unique_ptr<transport_logon>(std::make_unique<counted_xp_logon>(*c_, *ctx.spooler));
    }

private:
    live_objects* c_;
};

inline provider_entry make_entry(profile& p, const std::string& display, const std::string& dll, resource_type type,
                                 resource_flags flags = {}) {
    provider_entry e;
    e.section_name = display;
    e.display_name = display;
    e.provider_display = display;
    e.dll_name = dll;
    e.type = type;
    e.flags = flags;
    e.provider_uid = uid::generate();
    (void)p.sections[e.provider_uid].set(pr::display_name_a, e.display_name);
    return e;
}

inline void add_service(profile& p, const std::string& name, std::vector<provider_entry> providers) {
    message_service s;
    s.name = name;
    s.display_name = name + " service";
    s.dll_name = "FAULTSVC";
    s.entry_name = "ServiceEntry";
    s.service_uid = uid::generate();
    auto& section = p.sections[s.service_uid];
    (void)section.set(pr::service_name_a, s.name);
    (void)section.set(prop_tag{0x67F0, prop_type::string8}, std::string("a password long enough for the heap"));
    s.providers = std::move(providers);
    p.services.push_back(std::move(s));
}

inline profile mail_profile() {
    profile p;
    p.name = "Mail";
    p.search_key = uid::generate();
    add_service(p, "Mailbox",
                {make_entry(p, "Mailbox", "MEMSTORE", resource_type::store_provider, resource_flag::default_store),
                 make_entry(p, "Directory", "FAULTAB", resource_type::ab_provider)});
    add_service(p, "Transport",
                {make_entry(p, "Transport", "FAULTXP", resource_type::transport_provider),
                 make_entry(p, "Transport directory", "FAULTAB", resource_type::ab_provider)});
    return p;
}

/// Providers of "Mail" that log on in a complete session.
inline constexpr std::size_t mail_providers = 4;

class world {
public:
    world() : usage(profiles) {
        data_ = std::make_shared<memory_store_data>();
        providers.add_store("MEMSTORE", [d = data_] { return std::make_unique<memory_store>(d); });
        providers.add_ab("FAULTAB", [c = &objects] { return std::make_unique<counted_ab>(*c); });
        providers.add_transport("FAULTXP", [c = &objects] { return std::make_unique<counted_xp>(*c); });
        (void)profiles.create(mail_profile()).value();
        init_options o;
        o.profiles = &profiles;
        o.providers = &providers;
        o.usage = &usage;
        mapi = initialize(o).value();
    }
    world(const world&) = delete;
    world& operator=(const world&) = delete;

    /// The counters that are not back to zero ("name=value" each); empty when all are.
    /// `members` is how many session handles the caller still holds on purpose (a shared
    /// session kept for joining): then one session, its providers and its publication stay.
    [[nodiscard]] std::vector<std::string> leftovers(std::size_t kept_sessions = 0) const {
        std::vector<std::string> out;
        auto expect = [&](const char* what, long long value, long long wanted) {
            if (value != wanted) out.push_back(std::string(what) + "=" + std::to_string(value));
        };
        const auto c = inspect_sessions(mapi);
        const long long k = static_cast<long long>(kept_sessions);
        expect("sessions", static_cast<long long>(c.sessions), k);
        expect("members", static_cast<long long>(c.members), k);
        expect("provider_logons", static_cast<long long>(c.provider_logons), k * static_cast<long long>(mail_providers));
        expect("logons_in_progress", static_cast<long long>(c.logons_in_progress), 0);
        expect("slots", static_cast<long long>(c.slots), k * static_cast<long long>(mail_providers));
        expect("logon_lock_held", c.logon_lock_held ? 1 : 0, 0);
        expect("logon_lock_waiters", static_cast<long long>(c.logon_lock_waiters), 0);
        expect("shared_published", c.shared_published ? 1 : 0, k);
        expect("profile_leases", static_cast<long long>(usage.lease_count("Mail")), k);
        expect("ab_logon_objects", objects.ab.load(), 2 * k);
        expect("xp_logon_objects", objects.xp.load(), k);
        expect("advise_sinks", sink_token.use_count() - 1, 0);
        return out;
    }

    memory_profile_store profiles;
    profile_usage usage;
    provider_registry providers;
    live_objects objects;
    /// Every advise sink the tests register holds a copy.
    std::shared_ptr<int> sink_token = std::make_shared<int>(0);
    subsystem mapi;

private:
    std::shared_ptr<memory_store_data> data_;
};

inline std::size_t logged_on(const session& s) {
    std::size_t n = 0;
    for (const auto& svc : s.report().services) {
        for (const auto& p : svc.providers) n += p.outcome == provider_outcome::logged_on ? 1 : 0;
    }
    return n;
}

} // namespace fault_test

#endif
