// SPDX-License-Identifier: MIT
/// \file
/// What the `logon/...` and `sessions/...` benchmarks share: a subsystem over a
/// `memory_profile_store` and a `provider_registry` holding memory providers, and the profiles
/// they log on to.
///
/// The benchmark profile has 3 message services and 6 providers, all in memory:
///
/// | service | providers |
/// |---|---|
/// | `Mailbox` | `memory_store` (STATUS_DEFAULT_STORE), address book `BENCHAB` |
/// | `Archive` | `memory_store`, address book `BENCHAB` |
/// | `Mail`    | transport `BENCHXP`, address book `BENCHAB` (`with_transport`) |
/// |           | `memory_store`, address book `BENCHAB` (`stores_only`) |
///
/// `BENCHAB` and `BENCHXP` are defined here, as small as a provider can be (the same shape as
/// tests/support/session_fakes.hpp, without its scripting and logging): they count their logons
/// and logoffs so that every benchmark can check that each session really logged all six
/// providers on and off. A profile with a transport makes the session build a spooler; `BENCHXP`
/// needs no I/O (`uses_reactor()` is false), so the session gets no reactor and no descriptor
/// (see session/detail/session_mail.hpp). The `stores_only` profile has the same number of
/// services and providers and no spooler.
///
/// Filler profiles (one service, one store) pad the store to the profile count a benchmark asks
/// for. They are created before the benchmark profile, so a store that finds a profile by
/// walking its list walks all of them (the worst case of such a store, stated in
/// docs/performance.md).
#ifndef MAPIXX_BENCH_SESSION_WORLD_HPP_INCLUDED
#define MAPIXX_BENCH_SESSION_WORLD_HPP_INCLUDED

#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_registry.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/providers/memory_store.hpp>
#include <mapixx/session/logon.hpp>
#include <mapixx/session/session.hpp>
#include <mapixx/session/subsystem.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mapixx_bench::session_world {

using namespace mapixx;

/// Logons and logoffs of the bench providers, over all sessions.
struct provider_counts {
    std::atomic<std::uint64_t> logons{0};
    std::atomic<std::uint64_t> logoffs{0};
};

template <class Base>
class counted_logon : public Base {
public:
    template <class... A>
    explicit counted_logon(provider_counts& c, A&&... base_args) : Base(std::forward<A>(base_args)...), counts_(&c)
    {
        counts_->logons.fetch_add(1, std::memory_order_relaxed);
    }
    task<void> logoff() override
    {
        counts_->logoffs.fetch_add(1, std::memory_order_relaxed);
        co_return;
    }

private:
    provider_counts* counts_;
};

/// `BENCHAB`: an address book with nothing in it.
class bench_ab final : public ab_provider {
public:
    explicit bench_ab(provider_counts& c) noexcept : counts_(&c) {}
    task<result<std::unique_ptr<ab_logon>>> logon(provider_context&) override
    {
        co_return std::unique_ptr<ab_logon>(std::make_unique<counted_logon<ab_logon>>(*counts_));
    }

private:
    provider_counts* counts_;
};

/// The logon of `BENCHXP`: takes address type BENCH and accepts every submission.
class bench_xp_logon final : public counted_logon<transport_logon> {
public:
    bench_xp_logon(provider_counts& c, spooler_support& support) : counted_logon<transport_logon>(c, support) {}
    task<address_types_result> address_types() override { co_return address_types_result{{"BENCH"}, {}, false, false}; }
    task<submit_result> submit_message(submit_context&) override { co_return submit_result{scode::success, 0, 0}; }
};

/// `BENCHXP`: a transport that needs no network.
class bench_xp final : public transport_provider {
public:
    explicit bench_xp(provider_counts& c) noexcept : counts_(&c) {}
    task<result<std::unique_ptr<transport_logon>>> logon(provider_context& ctx) override
    {
        if (ctx.spooler == nullptr) {
            co_return fail(scode::call_failed, "BENCHXP needs a spooler support", "mapixx_bench");
        }
        co_return std::unique_ptr<transport_logon>(std::make_unique<bench_xp_logon>(*counts_, *ctx.spooler));
    }

private:
    provider_counts* counts_;
};

/// Which third service the benchmark profile has.
enum class profile_kind { with_transport, stores_only };

inline constexpr std::size_t providers_per_profile = 6;
/// Bench providers (BENCHAB, BENCHXP) per benchmark profile: the ones that count themselves.
inline constexpr std::size_t counted_per_profile(profile_kind k) { return k == profile_kind::with_transport ? 4 : 3; }

inline provider_entry make_entry(const std::string& display, const std::string& dll, resource_type type,
                                 resource_flags flags, profile& p)
{
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

inline void add_service(profile& p, const std::string& name, std::vector<provider_entry> providers)
{
    message_service s;
    s.name = name;
    s.display_name = name + " service";
    s.dll_name = "BENCHSVC";
    s.entry_name = "ServiceEntry";
    s.service_uid = uid::generate();
    (void)p.sections[s.service_uid].set(pr::service_name_a, s.name);
    s.providers = std::move(providers);
    p.services.push_back(std::move(s));
}

/// The benchmark profile: 3 services, 6 providers (see the file comment).
inline profile bench_profile(const std::string& name, profile_kind kind)
{
    profile p;
    p.name = name;
    p.search_key = uid::generate();
    add_service(p, "Mailbox",
                {make_entry("Mailbox", "MEMSTORE", resource_type::store_provider, resource_flag::default_store, p),
                 make_entry("Directory", "BENCHAB", resource_type::ab_provider, {}, p)});
    add_service(p, "Archive",
                {make_entry("Archive", "MEMSTORE", resource_type::store_provider, {}, p),
                 make_entry("Archive directory", "BENCHAB", resource_type::ab_provider, {}, p)});
    if (kind == profile_kind::with_transport) {
        add_service(p, "Mail",
                    {make_entry("Mail transport", "BENCHXP", resource_type::transport_provider, {}, p),
                     make_entry("Mail directory", "BENCHAB", resource_type::ab_provider, {}, p)});
    } else {
        add_service(p, "Mail",
                    {make_entry("Mail store", "MEMSTORE", resource_type::store_provider, {}, p),
                     make_entry("Mail directory", "BENCHAB", resource_type::ab_provider, {}, p)});
    }
    return p;
}

/// A filler profile: one service with one memory store.
inline profile filler_profile(std::size_t i)
{
    profile p;
    char name[32];
    std::snprintf(name, sizeof name, "Filler %06zu", i);
    p.name = name;
    p.search_key = uid::generate();
    add_service(p, "Filler", {make_entry("Filler store", "MEMSTORE", resource_type::store_provider, {}, p)});
    return p;
}

/// A subsystem over a memory profile store holding `profiles` profiles, the last of which is
/// the benchmark profile "Bench" (the others are fillers), and the registry of memory providers.
class world {
public:
    world(std::size_t profiles, profile_kind kind) : kind_(kind)
    {
        data_ = std::make_shared<memory_store_data>();
        providers_.add_store("MEMSTORE", [d = data_] { return std::make_unique<memory_store>(d); });
        providers_.add_ab("BENCHAB", [c = &counts] { return std::make_unique<bench_ab>(*c); });
        providers_.add_transport("BENCHXP", [c = &counts] { return std::make_unique<bench_xp>(*c); });
        for (std::size_t i = 0; i + 1 < profiles; ++i) {
            (void)profiles_.create(filler_profile(i)).value();
        }
        (void)profiles_.create(bench_profile("Bench", kind)).value();
        init_options o;
        o.profiles = &profiles_;
        o.providers = &providers_;
        mapi = initialize(o).value();
    }
    world(const world&) = delete;
    world& operator=(const world&) = delete;

    [[nodiscard]] profile_kind kind() const noexcept { return kind_; }
    [[nodiscard]] std::size_t profile_count() const { return profiles_.names().value().size(); }
    [[nodiscard]] const memory_profile_store& profiles() const noexcept { return profiles_; }

    provider_counts counts;
    subsystem mapi;

private:
    profile_kind kind_;
    std::shared_ptr<memory_store_data> data_;
    memory_profile_store profiles_;
    provider_registry providers_;
};

/// An individual session: MAPI_EXTENDED | MAPI_NEW_SESSION | MAPI_EXPLICIT_PROFILE on "Bench".
inline constexpr flags<logon_flag> individual =
    logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile;

/// True if `s` is a live session on "Bench" in which all six providers logged on.
inline bool fully_logged_on(const result<session>& s)
{
    if (!s || !*s) {
        return false;
    }
    std::size_t on = 0;
    for (const auto& svc : s->report().services) {
        for (const auto& p : svc.providers) {
            on += p.outcome == provider_outcome::logged_on ? 1 : 0;
        }
    }
    return on == providers_per_profile;
}

} // namespace mapixx_bench::session_world
#endif
