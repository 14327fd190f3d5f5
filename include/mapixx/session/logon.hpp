// SPDX-License-Identifier: MIT
/// \file
/// `logon`: MAPILogonEx as a coroutine: profile resolution, the logon lock, provider logons with
/// retry-then-disable, and release of everything on failure.
#ifndef MAPIXX_SESSION_LOGON_HPP_INCLUDED
#define MAPIXX_SESSION_LOGON_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_admin.hpp>
#include <mapixx/profile/profile_store.hpp>
#include <mapixx/profile/profile_usage.hpp>
#include <mapixx/profile/service_admin.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_context.hpp>
#include <mapixx/provider/provider_registry.hpp>
#include <mapixx/provider/session_slot.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/session/detail/logon_lock.hpp>
#include <mapixx/session/detail/session_core.hpp>
#include <mapixx/session/logon_report.hpp>
#include <mapixx/session/logon_request.hpp>
#include <mapixx/session/session.hpp>
#include <mapixx/session/status_table.hpp>
#include <mapixx/session/subsystem.hpp>
#include <mapixx/session/ui_handler.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// What is live in one subsystem's session side, for tests and diagnostics. Every count returns
/// to zero (and the lock to free) once every session has ended and no logon is running.
struct session_counters {
    std::size_t sessions = 0;            ///< sessions live or being logged on (the max_sessions count)
    std::size_t members = 0;             ///< session handles that have not ended
    std::size_t provider_logons = 0;     ///< provider logons not yet logged off
    std::size_t logons_in_progress = 0;  ///< logon coroutines between start and result (a join made without waiting is not counted)
    std::size_t slots = 0;               ///< session slots taken in the subsystem's provider_registry
    bool logon_lock_held = false;        ///< the logon lock is held
    std::size_t logon_lock_waiters = 0;  ///< logons waiting for the logon lock
    bool shared_published = false;       ///< a shared session is published
};

/// The counters of `mapi`'s session side (all zero for an uninitialised subsystem).
[[nodiscard]] inline session_counters inspect_sessions(const subsystem& mapi) {
    session_counters c;
    if (!mapi.initialized()) return c;
    auto& reg = mapi.state()->sessions;
    {
        std::lock_guard guard(reg.mutex);
        c.sessions = reg.live_sessions;
        c.shared_published = !reg.shared.expired();
    }
    c.members = reg.live_members.load();
    c.provider_logons = reg.live_provider_logons.load();
    c.logons_in_progress = reg.logons_in_progress.load();
    c.logon_lock_held = reg.lock.held();
    c.logon_lock_waiters = reg.lock.waiting();
    if (mapi.state()->options.providers != nullptr) c.slots = mapi.state()->options.providers->slots_in_use();
    return c;
}

namespace detail {

inline constexpr const char* logon_component = "mapixx.logon";

/// Counts a logon in progress for its whole life.
struct logon_in_progress {
    explicit logon_in_progress(session_registry& r) noexcept : reg(&r) { reg->logons_in_progress.fetch_add(1); }
    logon_in_progress(const logon_in_progress&) = delete;
    logon_in_progress& operator=(const logon_in_progress&) = delete;
    ~logon_in_progress() { reg->logons_in_progress.fetch_sub(1); }
    session_registry* reg;
};

/// The order in which a session logs transports on (rule 50): the order a client set with
/// MsgServiceTransportOrder (`profile::transport_order`; transports it does not name follow),
/// else order of addition with every STATUS_XP_PREFER_LAST transport moved to the end.
[[nodiscard]] inline std::vector<uid> transport_order(const profile& p) {
    std::size_t transports = 0;
    for (const auto& s : p.services) {
        for (const auto& prov : s.providers) transports += prov.type == resource_type::transport_provider ? 1 : 0;
    }
    std::vector<uid> out;
    if (transports == 0) return out;
    out.reserve(transports);
    auto add = [&](const uid& u) {
        if (std::find(out.begin(), out.end(), u) == out.end()) out.push_back(u);
    };
    for (const uid& u : p.transport_order) {
        for (const auto& s : p.services) {
            for (const auto& prov : s.providers) {
                if (prov.type == resource_type::transport_provider && prov.provider_uid == u) add(u);
            }
        }
    }
    // Then the others in profile order, STATUS_XP_PREFER_LAST ones after the rest.
    for (const bool last : {false, true}) {
        for (const auto& s : p.services) {
            for (const auto& prov : s.providers) {
                if (prov.type == resource_type::transport_provider && prov.flags.has(resource_flag::xp_prefer_last) == last) {
                    add(prov.provider_uid);
                }
            }
        }
    }
    return out;
}

/// Takes what a store, address book or transport provider's logon returned: its logon object
/// (type erased) into `got`, or the code and sentence of its failure.
template <class Logon>
void take_provider_logon(result<std::unique_ptr<Logon>>&& r, std::unique_ptr<provider_logon>& got, scode& code,
                         std::string& message) {
    if (!r) {
        code = r.code();
        message = r.info().message;
    } else if (!*r) {
        code = scode::call_failed;
        message = "the provider's logon succeeded but returned no logon object";
    } else {
        got = std::move(*r);
    }
}

/// A `logon_request` with its strings copied: what the logon coroutine keeps in its frame.
struct owned_logon_request {
    explicit owned_logon_request(const logon_request& r)
        : flags(r.flags), options(r.options), ui_param(r.ui_param), ui(r.ui) {
        if (r.profile) profile = std::string(*r.profile);
        if (r.password) password = std::string(*r.password);
    }
    std::optional<std::string> profile;
    std::optional<std::string> password;
    checked_flags<logon_flag> flags;
    logon_options options;
    std::uintptr_t ui_param;
    ui_handler* ui;
};

/// What the checks of a logon's arguments noted for its report.
struct argument_notes {
    bool service_mode = false;             ///< a Windows service's logon (rules 24 and 25)
    bool ui_flag_without_handler = false;  ///< a UI flag is set, but there is no ui_handler
};

/// The checks of a logon's arguments made before any profile is read (step 1 of `logon`): the
/// flags with the service-mode rules 24 and 25 (`check_logon_flags`, shared with the win32
/// backend), the options, the profile store.
inline result<argument_notes> check_logon_arguments(const subsystem& mapi, logon_flags flags,
                                                    const owned_logon_request& req) {
    if (auto r = check_logon_flags(mapi.service_mode(), flags, logon_component); !r) return std::move(r).as_failure();
    if (auto r = logon_options::from_bits(req.options.bits()); !r) return std::move(r).as_failure();
    if (mapi.state()->options.profiles == nullptr) {
        return fail(scode::logon_failed,
                    "the subsystem was initialised without a profile store (init_options::profiles), so there is "
                    "no profile to log on to",
                    logon_component);
    }
    argument_notes notes;
    notes.service_mode = mapi.service_mode();
    notes.ui_flag_without_handler =
        flags.any_of(logon_flag::logon_ui | logon_flag::password_ui | logon_flag::service_ui_always) &&
        req.ui == nullptr;
    return notes;
}

/// The report's steps for `notes`, in the order a logon notes them.
inline void add_argument_steps(const argument_notes& notes, std::vector<std::string>& steps) {
    if (notes.service_mode) steps.emplace_back("service mode: MAPI_NT_SERVICE and MAPI_NO_MAIL are set; no dialog will be shown");
    if (notes.ui_flag_without_handler) steps.emplace_back("a UI flag is set but no ui_handler was given: no dialog can be shown");
}

/// The report of a logon that joins the shared session `core` (rules 9 and 11): `steps`, what
/// the logon noted before, then the join. Empty if the session has ended.
inline std::optional<logon_report> joiner_report(session_core& core, logon_flags flags, std::vector<std::string> steps,
                                                 const owned_logon_request& req) {
    logon_report r;
    r.profile_name = core.profile_name();
    r.flags = flags;
    r.joined_shared = true;
    r.shared = true;
    r.steps = std::move(steps);
    r.steps.push_back("joined the published shared session of profile \"" + core.profile_name() +
                      "\": MAPI_NEW_SESSION is not set (rules 9 and 11)");
    if (req.profile && !req.profile->empty()) {
        r.steps.push_back("the profile name \"" + *req.profile + "\" given was ignored (rule 9)");
    }
    if (req.password) r.steps.push_back("the password given was ignored: a joiner supplies no credentials (rule 11)");
    std::lock_guard guard(core.mutex);
    if (core.ended) return std::nullopt;
    r.no_mail = core.no_mail;
    if (core.report) {
        r.force_download = core.report->force_download;
        r.services = core.report->services;
    }
    return r;
}

/// Adds `m` to its session, the last step of a join (the only one that changes the session).
/// False, and nothing changed, if the session has ended or `admit(core)` (called with the
/// core's mutex held) refuses. Allocates nothing and never throws.
template <class Admit>
bool add_member(session_registry& reg, const std::shared_ptr<member_state>& m, Admit admit) noexcept {
    session_core& core = *m->core;
    std::lock_guard guard(core.mutex);
    if (core.ended || !admit(std::as_const(core))) return false;
    ++core.live_members;
    reg.live_members.fetch_add(1);
    return true;
}

/// Step 2 of `logon` without the logon's coroutines: joins the published shared session when
/// the arguments pass their checks and the session needs no change for the joiner (rule 23
/// takes the full logon). The report is the one the last member that joined alike got
/// (`session_registry::join_reports`), so a join allocates only its member. Empty when the
/// logon must take its full course, which then reports what failed, or joins by itself.
inline std::optional<session> quick_join(const subsystem& mapi, const owned_logon_request& req) noexcept {
    try {
        if (!mapi.initialized()) return std::nullopt;
        const logon_flags flags = req.flags.get();
        if (flags.has(logon_flag::new_session)) return std::nullopt;
        // Not counted in `logons_in_progress`: it runs to its end without waiting for anything.
        session_registry& reg = mapi.state()->sessions;
        // What the report depends on. The profile name is copied only when a report is made.
        session_registry::join_key key{0, flags, req.options.bits(), req.ui != nullptr, req.password.has_value()};
        const std::string_view profile = req.profile ? std::string_view(*req.profile) : std::string_view();
        std::shared_ptr<session_core> core;
        std::shared_ptr<const logon_report> report;
        {
            std::lock_guard guard(reg.mutex);
            core = reg.shared.lock();
            if (!core) return std::nullopt;
            key.session = core->id;
            report = reg.find_join_report(key, profile);
        }
        // A new report for `joined`, after the argument checks (a report found means that a
        // logon with the same arguments passed them), kept for the next joiners alike.
        auto make_report = [&](const std::shared_ptr<session_core>& joined) -> std::shared_ptr<const logon_report> {
            auto notes = check_logon_arguments(mapi, flags, req);
            if (!notes) return nullptr;
            std::vector<std::string> steps;
            add_argument_steps(*notes, steps);
            auto r = joiner_report(*joined, flags, std::move(steps), req);
            if (!r) return nullptr;
            auto made = std::make_shared<const logon_report>(std::move(*r));
            std::lock_guard guard(reg.mutex);
            if (reg.shared.lock() == joined) {
                reg.remember_join_report({key, std::string(profile), made});
            }
            return made;
        };
        if (!report && !(report = make_report(core))) return std::nullopt;
        auto m = make_member(std::move(core), flags);
        // A second round with a new report when the one found has been outgrown by the session
        // (it was published with MAPI_NO_MAIL, and a mail client joined since).
        for (int round = 0; round < 2; ++round) {
            m->report = std::move(report);
            bool stale = false;
            const bool added = add_member(reg, m, [&](const session_core& c) {
                if (c.no_mail && !flags.has(logon_flag::no_mail)) return false;  // rule 23: the full logon
                stale = c.no_mail != m->report->no_mail;
                return !stale;
            });
            if (added) return session(std::move(m));
            if (!stale || !(report = make_report(m->core))) return std::nullopt;
        }
        return std::nullopt;
    } catch (...) {  // out of memory: the full logon reports it
        return std::nullopt;
    }
}

/// One run of the logon coroutine. Lives in the frame of `logon`; every resource it takes is
/// held by a member so that `rollback` can give it all back.
class logon_run {
public:
    logon_run(subsystem mapi, owned_logon_request request) : sub_(std::move(mapi)), req_(std::move(request)) {}
    logon_run(const logon_run&) = delete;
    logon_run& operator=(const logon_run&) = delete;
    /// A logon that failed, or joined, gives the report block it took back for the next one.
    ~logon_run() {
        if (shell_ && reg_ != nullptr) {
            *shell_ = std::move(report_);
            reg_->spare_reports->give_back(std::move(shell_));
        }
    }

    /// The whole logon: on failure or exception, everything is released before the failure is
    /// returned.
    task<result<session>> execute() {
        if (!sub_.initialized()) co_return subsystem::not_initialized_error();
        st_ = sub_.state().get();
        reg_ = &st_->sessions;
        logon_in_progress counting(*reg_);
        std::optional<failure> error;
        try {
            shell_ = reg_->spare_reports->take();
            spare_ = std::move(*shell_);
            result<session> r = co_await body();
            if (r) co_return std::move(r);
            error = std::move(r).as_failure();
        } catch (const std::exception& e) {
            error = fail(scode::call_failed, std::string("an exception escaped the logon: ") + e.what(),
                         logon_component);
        } catch (...) {
            error = fail(scode::call_failed, "an exception that is not a std::exception escaped the logon",
                         logon_component);
        }
        co_await rollback();
        co_return std::move(*error);
    }

private:
    using key = std::pair<std::size_t, std::size_t>;  // (service index, provider index)

    // ---------------------------------------------------------------------------------------
    task<result<session>> body() {
        flags_ = req_.flags.get();
        if (auto r = check_arguments(); !r) co_return std::move(r).as_failure();
        if (!flags_.has(logon_flag::new_session)) {
            if (auto joined = try_join(); joined) {
                co_await open_mail_for_joiner();
                co_return std::move(*joined);
            }
            step("no shared session is published; a new session is made");
        } else {
            step("MAPI_NEW_SESSION: a new session is made, even if a shared one exists (rule 10)");
        }
        auto name = co_await resolve_profile();
        if (!name) co_return std::move(name).as_failure();

        auto locked = co_await acquire_lock();
        if (!locked) co_return std::move(locked).as_failure();
        if (!flags_.has(logon_flag::new_session)) {
            if (auto joined = try_join(); joined) {
                co_await open_mail_for_joiner();
                lock_.release();
                co_return std::move(*joined);
            }
        }
        if (auto r = reserve(); !r) co_return std::move(r).as_failure();
        if (auto r = build_core(*name); !r) co_return std::move(r).as_failure();
        note_accepted_flags();
        if (ui_service_always_) {
            auto configured = co_await configure_every_service();
            if (!configured) co_return std::move(configured).as_failure();
        }
        auto providers_done = co_await logon_providers();
        if (!providers_done) co_return std::move(providers_done).as_failure();
        co_return publish();
    }

    // ---------------------------------------------------------------------------------------
    result<void> check_arguments() {
        auto notes = check_logon_arguments(sub_, flags_, req_);
        if (!notes) return std::move(notes).as_failure();
        store_ = st_->options.profiles;
        providers_ = st_->options.providers;
        profile_usage* given = st_->options.usage;
        if (given == nullptr && st_->options.admin != nullptr) given = &st_->options.admin->usage();
        usage_ = &reg_->usage(given, *store_);
        service_mode_ = notes->service_mode;
        const bool handler = req_.ui != nullptr && !service_mode_;
        ui_all_ = handler && flags_.has(logon_flag::logon_ui);
        ui_password_ = handler && (flags_.has(logon_flag::logon_ui) || flags_.has(logon_flag::password_ui));
        ui_service_always_ = handler && flags_.has(logon_flag::service_ui_always);
        dialog_allowed_ = flags_.has(logon_flag::logon_ui) && !service_mode_;
        no_mail_ = flags_.has(logon_flag::no_mail);
        add_argument_steps(*notes, report_.steps);
        return {};
    }

    void note_accepted_flags() {
        report_.force_download = flags_.has(logon_flag::force_download);
        if (report_.force_download) {
            step("MAPI_FORCE_DOWNLOAD accepted: the spooler downloads inbound mail before the first pass completes");
        }
        for (auto [f, what] : {std::pair{logon_flag::bg_session, "MAPI_BG_SESSION"},
                               std::pair{logon_flag::unicode, "MAPI_UNICODE"},
                               std::pair{logon_flag::extended, "MAPI_EXTENDED"},
                               std::pair{logon_flag::app_profile, "MAPI_APP_PROFILE"}}) {
            if (flags_.has(f)) step(what, " accepted");
        }
        if (no_mail_) {
            step("MAPI_NO_MAIL: only transports tightly coupled to their store (STATUS_OWN_STORE) log on, unannounced; "
                 "the spooler row shows STATUS_FAILURE (rules 21 and 22)");
        }
    }

    // ---------------------------------------------------------------------------------------
    std::optional<session> try_join() {
        std::shared_ptr<session_core> core;
        {
            std::lock_guard guard(reg_->mutex);
            core = reg_->shared.lock();
        }
        if (!core) return std::nullopt;
        // The member and its report are made before the member joins: everything that
        // allocates comes first, so running out of memory leaves the shared session as it was.
        auto m = make_member(core, flags_);
        auto r = joiner_report(*core, flags_, report_.steps, req_);
        if (!r) return std::nullopt;
        m->report = reg_->share_report(core->profile_name() + "\njoin", std::move(*r));
        if (!add_member(*reg_, m, [](const session_core&) { return true; })) return std::nullopt;
        joined_ = m;
        return session(std::move(m));
    }

    /// Rule 23: a mail-enabled client that joins a session published with MAPI_NO_MAIL makes
    /// it a mail session: the session's transports log on (all of them now, announced in the
    /// status table) in a new spooler, and the spooler row becomes available. A tightly coupled
    /// transport the MAPI_NO_MAIL logon had started is logged off and on again in the new
    /// spooler; queued messages wait in the store's Outbox meanwhile, so none is lost. The
    /// MAPI_NO_MAIL member still cannot submit (session::submit_message). Failures here do not
    /// fail the join: they are in the joiner's report.
    task<void> open_mail_for_joiner() {
        std::shared_ptr<member_state> m = std::exchange(joined_, nullptr);
        if (!m || flags_.has(logon_flag::no_mail)) co_return;
        std::shared_ptr<session_core> core = m->core;
        {
            std::lock_guard guard(core->mutex);
            if (core->ended || !core->no_mail) co_return;
        }
        // The joiner's report changes here, before the joiner has its handle: this logon
        // changes a copy and hands it on at the end.
        logon_report mine = *m->report;
        std::vector<std::string>& steps = mine.steps;
        const bool had_lock = static_cast<bool>(lock_);
        if (!had_lock) {
            auto locked = co_await acquire_lock();
            if (!locked) {
                steps.push_back("the session stays without mail: " + locked.info().message);
                m->report = std::make_shared<const logon_report>(std::move(mine));
                co_return;
            }
        }
        std::shared_ptr<session_mail> old;
        std::vector<provider_record> coupled;
        // Allocated before any record moves, so that running out of memory loses none.
        task<void> logoffs = logoff_records(reg_, coupled);
        {
            std::lock_guard guard(core->mutex);
            if (core->ended || !core->no_mail) {
                if (!had_lock) lock_.release();
                co_return;
            }
            coupled.reserve(core->records.size());
            old = std::move(core->mail);
            core->mail.reset();
            auto is_transport = [&](const provider_record& r) {
                return core->entry_of(r).type == resource_type::transport_provider;
            };
            for (auto& r : core->records) {
                if (is_transport(r)) coupled.push_back(std::move(r));
            }
            std::erase_if(core->records, [](const provider_record& r) { return !r.logon; });
        }
        if (old) old->stop();
        co_await std::move(logoffs);
        old.reset();

        core_ = core;
        no_mail_ = false;
        dialog_allowed_ = flags_.has(logon_flag::logon_ui);
        report_ = core->report ? *core->report : logon_report{};
        report_.steps.clear();
        service_disabled_.clear();
        for (const auto& sr : report_.services) service_disabled_.push_back(sr.disabled);
        {
            std::lock_guard guard(core->mutex);
            first_row_ = core->provider_rows.size();
        }
        step("MAPI_NO_MAIL session joined by a client without MAPI_NO_MAIL: its transports log on and the "
             "spooler starts, so the joiner can send and receive; the MAPI_NO_MAIL member still cannot (rule 23)");
        try {
            const std::vector<uid> order = transport_order(core_->prof());
            prepare_mail(order);
            for (const uid& id : order) {
                const key k = locate(id);
                auto r = co_await logon_one(k.first, k.second);
                if (!r) step("a transport could not log on: " + r.info().message);
            }
            start_mail();
        } catch (const std::exception& e) {
            step(std::string("opening the session for mail failed: ") + e.what());
        } catch (...) {
            step("opening the session for mail failed");
        }
        {
            std::lock_guard guard(core->mutex);
            core->no_mail = false;  // the spooler row is computed from it
            if (core->report) {
                core->report->no_mail = false;
                core->report->services = report_.services;
            }
        }
        mine.no_mail = false;
        mine.services = report_.services;
        for (auto& line : report_.steps) steps.push_back(std::move(line));
        m->report = std::make_shared<const logon_report>(std::move(mine));
        core_.reset();
        if (!had_lock) lock_.release();
    }

    // ---------------------------------------------------------------------------------------
    task<result<std::string>> resolve_profile() {
        std::string name;
        const bool given = req_.profile && !req_.profile->empty();
        if (given) {
            if (auto ok = check_profile_name(*req_.profile); !ok) {
                co_return fail(scode::invalid_parameter, ok.info().message + " (rule 19)", logon_component);
            }
            name = *req_.profile;
            step("the profile name \"", name, "\" was given");
        } else if (flags_.has(logon_flag::use_default)) {
            auto d = store_->default_profile();
            if (!d) co_return std::move(d).as_failure();
            if (*d && usage_->marked_for_deletion(**d)) d->reset();
            if (*d) {
                name = **d;
                step("no profile name was given; MAPI_USE_DEFAULT selects the default profile \"" + name + "\" (rule 12)");
            } else if (ui_all_) {
                step("no profile name was given and no default profile is set; MAPI_LOGON_UI shows the profile picker");
                std::string nothing;
                auto chosen = co_await prompt_profile(nothing);
                if (!chosen) co_return std::move(chosen).as_failure();
                name = std::move(*chosen);
            } else {
                co_return fail(scode::logon_failed,
                               "no profile name was given and MAPI_USE_DEFAULT asks for the default profile, but no "
                               "default profile is set; set one or pass a profile name",
                               logon_component);
            }
        } else if (ui_all_) {
            step("no profile name was given; MAPI_LOGON_UI shows the profile picker with an empty name (rule 13)");
            std::string nothing;
            auto chosen = co_await prompt_profile(nothing);
            if (!chosen) co_return std::move(chosen).as_failure();
            name = std::move(*chosen);
        } else {
            std::string msg = "no profile name was given and neither MAPI_USE_DEFAULT nor MAPI_LOGON_UI is set";
            if (flags_.has(logon_flag::explicit_profile)) {
                msg += "; MAPI_EXPLICIT_PROFILE alone never selects the default profile (rule 15)";
            }
            if (flags_.has(logon_flag::logon_ui)) msg += "; MAPI_LOGON_UI is set but no ui_handler was given";
            msg += "; pass a profile name, or add MAPI_USE_DEFAULT to log on to the default profile (rule 14)";
            co_return fail(scode::logon_failed, msg, logon_component);
        }

        for (int round = 0;; ++round) {
            auto stored = store_->find_name(name);
            if (stored && !usage_->marked_for_deletion(*stored)) co_return std::move(*stored);
            if (!stored && stored.code() != scode::not_found) co_return std::move(stored).as_failure();
            if (!ui_all_ || round >= 3) {
                co_return no_such_profile(name);
            }
            step("there is no profile called \"" + name + "\"; MAPI_LOGON_UI shows the profile picker");
            auto chosen = co_await prompt_profile(name);
            if (!chosen) co_return std::move(chosen).as_failure();
            name = std::move(*chosen);
        }
    }

    task<result<std::string>> prompt_profile(std::string initial) {
        auto names = store_->names();
        if (!names) co_return std::move(names).as_failure();
        std::erase_if(*names, [&](const std::string& n) { return usage_->marked_for_deletion(n); });
        ui_context ctx{req_.ui_param, {}};
        auto chosen = co_await req_.ui->choose_profile(ctx, *names, initial);
        if (!chosen) co_return dialog_failed(chosen, "the user cancelled the profile picker (rule 18)", "the profile picker");
        if (auto ok = check_profile_name(*chosen); !ok) {
            co_return fail(scode::invalid_parameter, "the profile picker returned a bad name: " + ok.info().message,
                           logon_component);
        }
        step("the user chose profile \"" + *chosen + "\"");
        co_return std::move(*chosen);
    }

    // ---------------------------------------------------------------------------------------
    task<result<void>> acquire_lock() {
        if (flags_.has(logon_flag::timeout_short)) {
            lock_ = reg_->lock.try_acquire_for(st_->options.short_timeout);
            if (!lock_) {
                co_return fail(scode::timeout,
                               "MAPI_TIMEOUT_SHORT is set and another logon held the logon lock for longer than "
                               "init_options::short_timeout (" +
                                   std::to_string(st_->options.short_timeout.count()) + " ms) (rule 17)",
                               logon_component);
            }
        } else {
            lock_ = co_await reg_->lock.acquire();
        }
        step("took the subsystem's logon lock");
        co_return result<void>{};
    }

    result<void> reserve() {
        std::lock_guard guard(reg_->mutex);
        const std::size_t max = st_->options.max_sessions;
        if (max != 0 && reg_->live_sessions >= max) {
            return fail(scode::logon_failed,
                        "the subsystem allows at most " + std::to_string(max) +
                            " live sessions (init_options::max_sessions) and that many are open; log off one first",
                        logon_component, static_cast<std::uint32_t>(scode::session_limit));
        }
        ++reg_->live_sessions;
        reserved_ = true;
        return {};
    }

    result<void> build_core(const std::string& name) {
        auto lease = usage_->try_acquire(name);
        if (!lease) {
            return fail(scode::logon_failed, "profile \"" + name + "\" cannot be used: " + lease.info().message,
                        logon_component, static_cast<std::uint32_t>(lease.code()));
        }
        auto p = store_->load_shared(lease->profile_name());
        if (!p) {
            return fail(scode::logon_failed, "profile \"" + name + "\" could not be read: " + p.info().message,
                        logon_component, static_cast<std::uint32_t>(p.code()));
        }
        auto view = session_view(lease->profile_name(), std::move(*p));
        auto core = std::make_shared<session_core>();
        core->sub = sub_;
        core->registry = reg_;
        core->dispatcher = st_->options.notifications;
        core->id = reg_->next_id.fetch_add(1);
        core->shared_prof = std::move(view);
        core->lease = std::move(*lease);
        core->flags = flags_;
        core->no_mail = no_mail_;
        core->shared = flags_.has(logon_flag::allow_others);
        core->unicode = flags_.has(logon_flag::unicode);
        {
            std::size_t providers = 0;
            for (const auto& svc : core->prof().services) providers += svc.providers.size();
            core->provider_rows.reserve(providers);
            core->records.reserve(providers);
            core->reserve_supports(providers);
            core->objects.reserve(provider_objects_needed(core->prof()));
        }
        // The reservation moves to the core only now: everything above may throw, and then
        // rollback() must still find it here to give it back.
        core->holds_reservation = reserved_;
        reserved_ = false;
        core_ = std::move(core);
        step("leased profile \"", core_->profile_name(), "\" for the session and loaded its own copy of it (rule 34)");

        fill_report();
        return {};
    }

    /// The report's fields for this logon, before any provider logs on: in the strings and
    /// vectors an earlier logon left in `spare_` where there are any, so that a logon of a
    /// profile that was logged on before allocates nothing for them. Every field is named
    /// (the structured bindings fail to compile when a field is added and not set here).
    void fill_report() {
        const profile& prof = core_->prof();
        auto& [profile_name, flags, joined_shared, shared, no_mail, force_download, services, steps] = report_;
        profile_name = std::move(spare_.profile_name);
        profile_name.assign(core_->profile_name());
        flags = flags_;
        joined_shared = false;
        shared = core_->shared;
        no_mail = no_mail_;
        force_download = false;
        (void)steps;  // written by step()
        service_disabled_.assign(prof.services.size(), false);
        services = std::move(spare_.services);
        services.resize(prof.services.size());
        for (std::size_t si = 0; si < services.size(); ++si) {
            const message_service& svc = prof.services[si];
            auto& [name, display_name, dll_name, service_uid, prompted, retried, configured, disabled, code, sentence,
                   providers] = services[si];
            name.assign(svc.name);
            display_name.assign(svc.display_name);
            dll_name.assign(svc.dll_name);
            service_uid = svc.service_uid;
            prompted = retried = configured = disabled = false;
            code = scode::success;
            sentence.clear();
            providers.resize(svc.providers.size());
            for (std::size_t pi = 0; pi < providers.size(); ++pi) {
                const provider_entry& prov = svc.providers[pi];
                auto& [p_display, p_dll, p_type, p_uid, p_outcome, p_prompted, p_retried, p_configured, p_code,
                       p_sentence, p_attempts] = providers[pi];
                p_display.assign(prov.display_name);
                p_dll.assign(prov.dll_name);
                p_type = prov.type;
                p_uid = prov.provider_uid;
                p_outcome = provider_outcome::not_started;
                p_prompted = p_retried = p_configured = false;
                p_code = scode::success;
                p_sentence.clear();
                p_attempts.clear();
            }
        }
    }

    /// How many provider objects a session of `p` makes at most: one per DLL and kind, so the
    /// entries that are the first of their DLL and kind in profile order.
    static std::size_t provider_objects_needed(const profile& p) noexcept {
        std::size_t n = 0;
        for (auto si = p.services.begin(); si != p.services.end(); ++si) {
            for (auto pi = si->providers.begin(); pi != si->providers.end(); ++pi) {
                auto same = [&](const provider_entry& b) {
                    return b.type == pi->type && same_dll_name(b.dll_name, pi->dll_name);
                };
                bool first = std::none_of(si->providers.begin(), pi, same);
                for (auto sj = p.services.begin(); first && sj != si; ++sj) {
                    first = std::none_of(sj->providers.begin(), sj->providers.end(), same);
                }
                if (first) ++n;
            }
        }
        return n;
    }

    /// The profile as a session sees it: `source` with PR_RESOURCE_FLAGS and
    /// PR_PROVIDER_DLL_NAME in every provider's section and a section for every service (MAPI
    /// keeps them there). Made once per version of the profile and shared by the sessions
    /// logged on to that version; kept between sessions while the store keeps its snapshot
    /// (`session_registry::profile_view` says how long).
    std::shared_ptr<const profile> session_view(const std::string& name, std::shared_ptr<const profile> source) {
        // `source` is the only copy here: another owner is the store, keeping its snapshot.
        const bool store_keeps = source.use_count() > 1;
        {
            std::lock_guard guard(reg_->mutex);
            if (auto it = reg_->views.find(name); it != reg_->views.end()) {
                session_registry::profile_view& e = it->second;
                auto known_view = e.kept ? e.kept : e.view.lock();
                auto known_source = e.source.lock();
                // The same snapshot, or (from a store that makes a new one each time, or after
                // a change to another profile of the store) an equal profile.
                if (known_view && known_source && (known_source == source || *known_source == *source)) {
                    if (store_keeps) {
                        e.source = source;
                        reg_->keep_view(name, e, known_view);
                    }
                    return known_view;
                }
            }
        }
        // From a store that does not keep its snapshot, the view keeps it alive, so that the
        // entry finds it (and compares the next snapshot with it) while sessions of this version
        // live. From one that does, the store's hold is what the entry watches.
        struct view_and_source {
            profile view;
            std::shared_ptr<const profile> source;
        };
        auto both = std::make_shared<view_and_source>(view_and_source{*source, store_keeps ? nullptr : source});
        profile* view = &both->view;
        for (auto& svc : view->services) {
            for (auto& prov : svc.providers) {
                property_bag& sec = view->sections[prov.provider_uid];
                if (!sec.contains(pr::resource_flags)) {
                    (void)sec.set(pr::resource_flags, static_cast<std::int32_t>(prov.flags.bits()));
                }
                if (!sec.contains(pr::provider_dll_name)) (void)sec.set(pr::provider_dll_name_a, prov.dll_name);
            }
            (void)view->sections[svc.service_uid];
        }
        std::shared_ptr<const profile> shared(both, view);
        std::lock_guard guard(reg_->mutex);
        reg_->drop_stale_views();
        session_registry::profile_view& e = reg_->views[name];
        e = session_registry::profile_view{source, shared, nullptr};
        if (store_keeps) {
            reg_->keep_view(name, e, shared);
        } else {
            std::erase(reg_->kept_views, name);
        }
        return shared;
    }

    /// A provider's section for its logon: read from the session's profile, copied into the
    /// session's own profile by the first write.
    struct section_writer final : logon_section::writer {
        section_writer(session_core& c, const uid& id) noexcept : core(&c), section(id) {}
        property_bag& writable() override { return core->writable_prof().sections[section]; }
        session_core* core;
        uid section;
    };
    /// The section `id` of the session's profile (empty if it has none).
    const property_bag& section_of(const uid& id) const {
        static const property_bag none;
        const auto& sections = core_->prof().sections;
        const auto it = sections.find(id);
        return it == sections.end() ? none : it->second;
    }

    // ---------------------------------------------------------------------------------------
    task<result<void>> configure_every_service() {
        step("MAPI_SERVICE_UI_ALWAYS: every message service is configured before any provider logs on");
        for (std::size_t si = 0; si < core_->prof().services.size(); ++si) {
            auto r = co_await configure_service(si, true);
            if (r) continue;
            if (r.code() == scode::user_cancel) co_return std::move(r).as_failure();
            std::string why = "configuring message service " + core_->prof().services[si].name + " failed: " +
                              r.info().message;
            auto d = co_await disable_service(si, npos, r.code(), why);
            if (!d) co_return d;
        }
        co_return result<void>{};
    }

    /// The dialog (when `dialog` and allowed) and the entry hook with `configure`; the result is
    /// written back to the session's copy and the store.
    task<result<void>> configure_service(std::size_t si, bool dialog) {
        const message_service& svc = core_->prof().services[si];
        service_report& srep = report_.services[si];
        if (dialog) {
            ui_context ctx{req_.ui_param, core_->profile_name()};
            srep.prompted = true;
            property_bag& section = core_->writable_prof().sections[svc.service_uid];
            auto r = co_await req_.ui->configure_service(ctx, svc, section);
            if (!r) {
                co_return dialog_failed(r, "the user cancelled the configuration of message service " + svc.name + " (rule 18)",
                                        "the configuration dialog of message service " + svc.name);
            }
            step("the configuration dialog of message service " + svc.name + " was shown");
        }
        service_entry hook;
        if (providers_ != nullptr) hook = providers_->service_entry_for(svc.dll_name);
        if (!hook && st_->options.admin != nullptr) hook = st_->options.admin->service_entries()->find(svc.name);
        if (hook) {
            profile work = core_->prof();
            service_entry_args args{work, svc.service_uid, svc.name, nullptr, dialog || dialog_allowed_};
            result<void> r;
            try {
                r = hook(service_context::configure, args);
            } catch (const std::exception& e) {
                r = fail(scode::call_failed, std::string("the entry hook threw: ") + e.what(), logon_component);
            } catch (...) {
                r = fail(scode::call_failed, "the entry hook threw an exception that is not a std::exception",
                         logon_component);
            }
            if (!r) co_return r;
            for (const uid& id : section_ids(svc)) {
                if (auto it = work.sections.find(id); it != work.sections.end()) {
                    core_->writable_prof().sections[id] = it->second;
                }
            }
            srep.configured = true;
            note_configure_call(svc, args.ui_allowed);
        } else {
            step("message service " + svc.name + " has no entry hook (none registered for DLL \"" + svc.dll_name +
                 "\" nor set on the profile_admin); nothing configures it");
        }
        persist_sections(section_ids(svc));
        co_return result<void>{};
    }

    static std::vector<uid> section_ids(const message_service& svc) {
        std::vector<uid> ids{svc.service_uid};
        for (const auto& p : svc.providers) ids.push_back(p.provider_uid);
        for (const auto& x : svc.extra_sections) ids.push_back(x);
        return ids;
    }

    void persist_sections(const std::vector<uid>& ids) {
        auto r = store_->update(core_->profile_name(), [&](profile& p) -> result<void> {
            for (const uid& id : ids) {
                const auto& own = core_->prof().sections;
                if (auto it = own.find(id); it != own.end()) p.sections[id] = it->second;
            }
            return {};
        });
        if (!r) step("the changed profile sections could not be written back to the store: " + r.info().message);
    }

    // ---------------------------------------------------------------------------------------
    task<result<void>> logon_providers() {
        const auto& services = core_->prof().services;
        for (resource_type kind : {resource_type::ab_provider, resource_type::store_provider}) {
            for (std::size_t si = 0; si < services.size(); ++si) {
                for (std::size_t pi = 0; pi < services[si].providers.size(); ++pi) {
                    if (services[si].providers[pi].type != kind) continue;
                    auto r = co_await logon_one(si, pi);
                    if (!r) co_return r;
                }
            }
        }
        const std::vector<uid> order = transport_order(core_->prof());
        prepare_mail(order);
        for (const uid& id : order) {
            const key k = locate(id);
            if (no_mail_ && !core_->prof().services[k.first].providers[k.second].flags.has(resource_flag::own_store)) {
                provider_report& rep = report_.services[k.first].providers[k.second];
                rep.outcome = provider_outcome::not_started;
                rep.sentence = "not logged on: the session has MAPI_NO_MAIL, so only a transport tightly coupled to its "
                               "store (STATUS_OWN_STORE) logs on (rules 21 and 22)";
                continue;
            }
            auto r = co_await logon_one(k.first, k.second);
            if (!r) co_return r;
        }
        start_mail();
        for (std::size_t si = 0; si < services.size(); ++si) {
            for (std::size_t pi = 0; pi < services[si].providers.size(); ++pi) {
                const resource_type t = services[si].providers[pi].type;
                if (t == resource_type::ab_provider || t == resource_type::store_provider ||
                    t == resource_type::transport_provider) {
                    continue;
                }
                provider_report& rep = report_.services[si].providers[pi];
                rep.outcome = provider_outcome::skipped;
                rep.sentence = "not logged on: a " + std::string(sdk_name(t)) + " entry is not a provider a session logs on";
            }
        }
        co_return result<void>{};
    }

    /// Makes the session's spooler before any transport logs on, so that each transport gets
    /// its spooler support in its logon context. A mail-enabled session runs every transport;
    /// a MAPI_NO_MAIL session only those tightly coupled to their store (STATUS_OWN_STORE), and
    /// none of them is announced in the status table (rules 21, 22, 65). No transport: no spooler.
    void prepare_mail(const std::vector<uid>& order) {
        struct planned {
            std::size_t si, pi;
            resource_flags flags;
        };
        if (order.empty()) return;
        // The spooler moves every STATUS_XP_PREFER_LAST transport to the end; so does this list,
        // so that index i of the list is the spooler's transport i.
        std::vector<planned> plan;
        plan.reserve(order.size());
        bool coupled = false;
        for (const bool last : {false, true}) {
            for (const uid& id : order) {
                const key k = locate(id);
                const provider_entry& e = core_->prof().services[k.first].providers[k.second];
                if (e.flags.has(resource_flag::xp_prefer_last) != last) continue;
                if (no_mail_ && !e.flags.has(resource_flag::own_store)) continue;
                plan.push_back(planned{k.first, k.second, e.flags});
                coupled = coupled || e.flags.has(resource_flag::own_store);
            }
        }
        if (plan.empty()) return;
        auto mail = std::make_shared<session_mail>();
        mail->coupled_only = no_mail_;
        mail->has_coupled = coupled;
        // Room for the spooler's own tasks and a worker per transport; it grows if need be.
        mail->sched.emplace(session_mail::ready_room(plan.size()));
        std::shared_ptr<store_logon> store;
        {
            std::lock_guard guard(core_->mutex);
            store = default_store_of(*core_);
        }
        if (store && store->exposes_messages(standard_folder::outbox)) {
            mail->store = store;
            mail->queue = std::make_unique<store_outbox_queue>(store);
            mail->sink = std::make_unique<store_inbox_sink>(store);
        } else {
            mail->queue = std::make_unique<memory_message_queue>();
            mail->sink = std::make_unique<memory_delivery_sink>();
            step("the session has no default store that exposes its messages: the spooler keeps outbound mail in "
                 "memory and delivers inbound mail to memory (session::undelivered)");
        }
        std::vector<spooler_transport> list;
        list.reserve(plan.size());
        mail->transports.reserve(plan.size());
        for (const planned& t : plan) {
            const provider_entry& e = core_->prof().services[t.si].providers[t.pi];
            auto x = std::make_unique<session_xp>(t.si, t.pi);
            list.push_back(spooler_transport{x.get(), e.display_name, e.flags});
            mail->transports.push_back(std::move(x));
        }
        mail->sp.emplace(*mail->sched, *mail->queue, *mail->sink, mail->clock, std::move(list));
        std::lock_guard guard(core_->mutex);
        core_->mail = std::move(mail);
    }

    /// Hands the transports that logged on to the spooler and starts it: its first run does
    /// TransportLogon, AddressTypes and TransportNotify(begin). With MAPI_FORCE_DOWNLOAD the
    /// logon runs it until the first inbound pass (a download flush of every transport) is done.
    void start_mail() {
        std::shared_ptr<session_mail> mail;
        std::vector<std::pair<key, std::shared_ptr<provider_logon>>> live;
        {
            std::lock_guard guard(core_->mutex);
            mail = core_->mail;
            for (const auto& r : core_->records) {
                if (core_->entry_of(r).type == resource_type::transport_provider) {
                    live.emplace_back(key{r.service_index, r.provider_index}, r.logon);
                }
            }
        }
        if (!mail) return;
        for (auto& x : mail->transports) {
            bool found = false;
            for (const auto& [k, logon] : live) {
                if (k.first == x->service_index() && k.second == x->provider_index()) {
                    x->set_logon(logon);
                    found = true;
                }
            }
            if (!found) {
                const provider_report& rep = report_.services[x->service_index()].providers[x->provider_index()];
                x->set_failure(rep.code == scode::success ? scode::logon_failed : rep.code, rep.sentence);
            }
        }
        // The spooler runs when the client drives it (session::spool, flush_queues, a reactor
        // loop); only MAPI_FORCE_DOWNLOAD makes the logon itself run it, until the first inbound
        // pass is done.
        std::lock_guard guard(mail->mutex);
        attach_reactor_if_needed(*mail);
        mail->sp->start();
        const std::string_view started = no_mail_ ? "the tightly coupled transport(s) run in the session's own spooler, unannounced"
                                                  : "the spooler started";
        step(started, " with ", std::to_string(mail->transports.size()), " transport(s)");
        if (report_.force_download) {
            // Shared state: if the pass outlives the logon, the flush still has somewhere to write.
            auto done = std::make_shared<bool>(false);
            auto outcome = std::make_shared<result<void>>();
            mail->sched->spawn(wait_flush(*mail->sp, done, outcome));
            const auto until = std::chrono::steady_clock::now() + force_download_wait;
            while (!*done) {
                if (mail->pump_locked() > 0 || *done) continue;
                if (!mail->io || std::chrono::steady_clock::now() >= until) break;
                if (!mail->run_for_locked(std::chrono::milliseconds(100))) break;
            }
            if (*done && *outcome) {
                step("MAPI_FORCE_DOWNLOAD: the first inbound pass (a download flush of every transport) completed before "
                     "the logon returned");
            } else if (*done) {
                step("MAPI_FORCE_DOWNLOAD: the first inbound pass failed: " + outcome->info().message);
            } else {
                step("MAPI_FORCE_DOWNLOAD: the first inbound pass is still waiting on a transport's I/O; it completes as "
                     "the spooler runs");
            }
        }
    }

    /// Gives the spooler a reactor when a transport of the session waits on network I/O
    /// (`transport_provider::uses_reactor`). If none can be made (no descriptor left), the
    /// transports that need it run without one: their messages stay queued, and the report
    /// says so on each of them.
    void attach_reactor_if_needed(session_mail& mail) {
        std::vector<std::pair<std::size_t, std::size_t>> needing;
        for (const auto& x : mail.transports) {
            const provider_entry& e = core_->prof().services[x->service_index()].providers[x->provider_index()];
            for (const auto& o : core_->objects) {
                if (o.kind != resource_type::transport_provider || !same_dll_name(o.dll, e.dll_name)) continue;
                if (const auto* t = dynamic_cast<const transport_provider*>(o.object.get()); t && t->uses_reactor()) {
                    needing.emplace_back(x->service_index(), x->provider_index());
                }
            }
        }
        if (needing.empty()) return;
        std::string outcome = mail.attach_reactor();
        step(outcome);
        if (mail.io) return;
        for (const auto& [si, pi] : needing) {
            provider_report& rep = report_.services[si].providers[pi];
            rep.sentence += (rep.sentence.empty() ? "" : "; ") + std::string("it waits on network I/O but ") + outcome +
                            ", so its messages stay queued until a later session";
        }
    }

    /// How long MAPI_FORCE_DOWNLOAD lets the logon wait on the transports' I/O.
    static constexpr std::chrono::seconds force_download_wait{60};

    static task<void> wait_flush(spooler& sp, std::shared_ptr<bool> done, std::shared_ptr<result<void>> outcome) {
        *outcome = co_await sp.flush(flush_flag::download);
        *done = true;
    }

    key locate(const uid& provider_uid) const {
        const auto& services = core_->prof().services;
        for (std::size_t si = 0; si < services.size(); ++si) {
            for (std::size_t pi = 0; pi < services[si].providers.size(); ++pi) {
                if (services[si].providers[pi].provider_uid == provider_uid) return {si, pi};
            }
        }
        return {npos, npos};  // effective_transport_order only lists uids of the profile
    }

    /// `logon` shared (the session's record, `session::providers`), its control block from the
    /// frame cache. If that cannot be allocated, the logon object is deleted (the provider's
    /// logoff is not called: the same as a failure of `std::shared_ptr`'s own constructor).
    static std::shared_ptr<provider_logon> shared_logon(std::unique_ptr<provider_logon> logon) {
        // The constructor deletes `raw` itself when it throws.
        provider_logon* raw = logon.release();
        return std::shared_ptr<provider_logon>(raw, std::default_delete<provider_logon>(),
                                               frame_cache_allocator<provider_logon>());
    }

    /// The provider object of `dll` and `kind` for this session, made on first use, with the
    /// slot pool of its DLL.
    struct object_and_pool {
        provider* object;
        slot_pool* pool;  ///< null if the DLL has none (not registered)
    };
    result<object_and_pool> provider_object_for(const provider_entry& entry) {
        for (const auto& o : core_->objects) {
            if (o.kind == entry.type && same_dll_name(o.dll, entry.dll_name)) return object_and_pool{o.object.get(), o.pool};
        }
        auto not_registered = [&] {
            return fail(scode::not_found,
                        "provider DLL \"" + entry.dll_name + "\" (" + std::string(sdk_name(entry.type)) +
                            ") is not registered in the provider_registry" +
                            (providers_ == nullptr ? std::string(" (the subsystem has none: init_options::providers)")
                                                   : std::string("; register it with add_store, add_ab or add_transport")),
                        logon_component);
        };
        if (providers_ == nullptr) return not_registered();
        provider_registry::instance made;
        try {
            made = providers_->instantiate(entry.dll_name, entry.type);
        } catch (const std::exception& e) {
            return fail(scode::call_failed, "the factory of provider DLL \"" + entry.dll_name + "\" threw: " + e.what(),
                        logon_component);
        } catch (...) {
            return fail(scode::call_failed, "the factory of provider DLL \"" + entry.dll_name + "\" threw",
                        logon_component);
        }
        if (!made.registered) return not_registered();
        if (!made.object || made.object->kind() != entry.type) {
            return fail(scode::call_failed,
                        "the factory of provider DLL \"" + entry.dll_name + "\" returned no " +
                            std::string(sdk_name(entry.type)) + " object",
                        logon_component);
        }
        slot_pool* pool = made.pool;
        provider* raw = made.object.get();
        std::lock_guard guard(core_->mutex);
        core_->objects.push_back(provider_object{entry.dll_name, entry.type, std::move(made.object), pool});
        return object_and_pool{raw, pool};
    }

    /// The status row of a provider, made on first use.
    /// The row number of the provider's row this logon made, if it made one.
    std::optional<std::size_t> row_of(std::size_t si, std::size_t pi) {
        std::lock_guard guard(core_->mutex);
        for (std::size_t i = first_row_; i < core_->provider_rows.size(); ++i) {
            const auto& r = core_->provider_rows[i];
            if (r.service_index == si && r.provider_index == pi) return first_provider_row + i;
        }
        return std::nullopt;
    }
    std::size_t row_for(std::size_t si, std::size_t pi) {
        if (auto row = row_of(si, pi)) return *row;
        std::lock_guard guard(core_->mutex);
        core_->provider_rows.push_back(
            provider_status_row{static_cast<std::uint32_t>(si), static_cast<std::uint32_t>(pi), false, {}});
        return first_provider_row + core_->provider_rows.size() - 1;
    }

    /// Marks a provider's row STATUS_FAILURE (making the row if needed) and ends its support.
    void fail_row(std::size_t si, std::size_t pi, const std::string& why) {
        if (no_mail_ && core_->prof().services[si].providers[pi].type == resource_type::transport_provider) return;
        const std::size_t row = row_for(si, pi);
        std::lock_guard guard(core_->mutex);
        provider_status_row& target = core_->provider_rows[row - first_provider_row];
        property_bag r = target.changed();
        (void)r.set(pr::status_code, static_cast<std::int32_t>(status_code::failure));
        (void)r.set(pr::status_string, why);
        target.changes = share_row_changes(reg_, std::move(r));
        core_->for_each_support([&](session_support& s) {
            if (s.row() == row) s.set_active(false);
        });
    }

    task<result<void>> logon_one(std::size_t si, std::size_t pi) {
        const message_service& svc = core_->prof().services[si];
        const provider_entry& entry = svc.providers[pi];
        provider_report& rep = report_.services[si].providers[pi];
        service_report& srep = report_.services[si];
        // Made only when a sentence needs it: the common path, a first logon that works, never does.
        auto who = [&] { return "provider \"" + entry.display_name + "\" (" + entry.dll_name + ") of message service " + svc.name; };

        if (service_disabled_[si]) {
            rep.outcome = provider_outcome::disabled;
            rep.code = srep.code;
            rep.sentence = "not logged on: its message service " + svc.name + " was disabled for the session";
            fail_row(si, pi, rep.sentence);
            co_return result<void>{};
        }
        auto object = provider_object_for(entry);
        if (!object) {
            std::string why = object.info().message;
            co_return co_await disable_service(si, pi, object.code(), why);
        }
        slot_pool* pool = object->pool;
        // A transport gets its spooler support; in a MAPI_NO_MAIL session (only tightly coupled
        // transports log on) it has no row in the session's table (rule 21).
        const bool hidden = no_mail_ && entry.type == resource_type::transport_provider;
        session_support* support = nullptr;
        if (!hidden) {
            const std::size_t row = row_for(si, pi);
            std::lock_guard guard(core_->mutex);
            support = &core_->add_support(row);
        }
        provider_support* ctx_support = support;
        spooler_support* xp_support = nullptr;
        if (entry.type == resource_type::transport_provider && core_->mail) {
            if (auto i = core_->mail->index_of(si, pi)) {
                xp_support = &core_->mail->sp->support(*i);
                xp_support->mirror_status_rows(support);
                ctx_support = xp_support;
            }
        }
        if (ctx_support == nullptr) {
            std::string why = who() + " could not be given a spooler support: the session runs no spooler for it";
            co_return co_await disable_service(si, pi, scode::call_failed, std::move(why));
        }
        std::optional<std::string> credential = req_.password;
        ui_context uctx{req_.ui_param, core_->profile_name()};

        for (int attempt = 1;; ++attempt) {
            scode code = scode::success;
            std::string message;
            std::unique_ptr<provider_logon> got;
            session_slot slot;
            if (pool != nullptr) slot = pool->try_acquire();
            if (!slot) {
                code = scode::session_limit;
                message = "all " + std::to_string(pool ? pool->capacity() : 0) + " session slots of provider DLL \"" +
                          entry.dll_name + "\" are in use (its max_sessions()); the provider was not called";
            } else {
                bool changed = false;
                section_writer writer(*core_, entry.provider_uid);
                provider_context ctx{core_->profile_name(),
                                     svc,
                                     entry,
                                     logon_section(section_of(entry.provider_uid), writer, &changed),
                                     section_of(svc.service_uid),
                                     dialog_allowed_,
                                     service_mode_,
                                     credential,
                                     attempt,
                                     req_.ui_param,
                                     *ctx_support,
                                     xp_support};
                try {
                    // The provider's logon of its kind, awaited here: no coroutine in between.
                    provider& p = *object->object;
                    switch (p.kind()) {
                    case resource_type::store_provider:
                        take_provider_logon(co_await static_cast<store_provider&>(p).logon(ctx), got, code, message);
                        break;
                    case resource_type::ab_provider:
                        take_provider_logon(co_await static_cast<ab_provider&>(p).logon(ctx), got, code, message);
                        break;
                    case resource_type::transport_provider:
                        take_provider_logon(co_await static_cast<transport_provider&>(p).logon(ctx), got, code, message);
                        break;
                    default:
                        code = scode::no_support;
                        message = "a provider object of an unknown kind";
                        break;
                    }
                } catch (const std::exception& e) {
                    code = scode::call_failed;
                    message = std::string("the provider's logon threw: ") + e.what();
                } catch (...) {
                    code = scode::call_failed;
                    message = "the provider's logon threw an exception that is not a std::exception";
                }
                if (changed) persist_sections({entry.provider_uid});
            }
            if (got) {
                rep.attempts.push_back(logon_attempt{attempt, scode::success, {}});
                {
                    std::lock_guard guard(core_->mutex);
                    core_->records.push_back(provider_record{static_cast<std::uint32_t>(si), static_cast<std::uint32_t>(pi),
                                                             shared_logon(std::move(got)),
                                                             std::move(slot)});
                }
                reg_->live_provider_logons.fetch_add(1);
                rep.outcome = provider_outcome::logged_on;
                rep.code = scode::success;
                rep.sentence = "logged on";
                if (attempt > 1) rep.sentence += " at the second attempt";
                co_return result<void>{};
            }
            slot.release();  // the attempt ended: its slot goes back before any dialog
            rep.attempts.push_back(logon_attempt{attempt, code, message});
            const std::string what = who() + " failed with " + to_string(code) + colon(message);
            step(what + " (logon attempt " + std::to_string(attempt) + ")");

            if (code == scode::user_cancel) {
                co_return fail(scode::user_cancel, who() + " was cancelled by the user (rule 18)", logon_component);
            }
            if (code == scode::failoneprovider) {
                rep.outcome = provider_outcome::disabled;
                rep.code = code;
                rep.sentence = what + "; only this provider is disabled, its message service goes on (rule 28)";
                fail_row(si, pi, rep.sentence);
                co_return result<void>{};
            }
            if (attempt >= 2) {
                std::string why = who() + " failed twice, the second time with " + to_string(code) + colon(message);
                co_return co_await disable_service(si, pi, code, why);
            }
            rep.retried = true;
            srep.retried = true;
            if (code == scode::unconfigured) {
                auto c = co_await configure_service(si, ui_all_);
                rep.configured = srep.configured;
                if (!c) {
                    if (c.code() == scode::user_cancel) co_return c;
                    std::string why = who() + " is unconfigured and configuring its message service failed: " +
                                      c.info().message;
                    co_return co_await disable_service(si, pi, c.code(), why);
                }
                step(who() + " is retried once after MSG_SERVICE_CONFIGURE (rule 29)");
                continue;
            }
            if (code == scode::logon_failed && ui_password_) {
                rep.prompted = true;
                srep.prompted = true;
                auto pw = co_await req_.ui->ask_password(uctx, core_->profile_name(), svc);
                if (!pw) {
                    co_return dialog_failed(pw, "the user cancelled the password prompt for message service " + svc.name +
                                                    " (rule 18)",
                                            "the password prompt for message service " + svc.name);
                }
                credential = std::move(*pw);
                step(who() + " rejected the credential; the user typed another and the logon is retried (rule 16)");
                continue;
            }
            if (ui_all_) {
                rep.prompted = true;
                srep.prompted = true;
                auto again = co_await req_.ui->logon_failed(uctx, svc, entry, code, message);
                if (!again) co_return dialog_failed(again, "the user cancelled after " + what + " (rule 18)", "the logon-failed dialog");
                if (!*again) {
                    std::string why = what + "; the user declined the retry";
                    co_return co_await disable_service(si, pi, code, why);
                }
                step("the logon_failed dialog told the user, who asked for the retry");
            }
            step(who() + " is retried once (retry-then-disable, rule 27)");
        }
    }

    /// Disables every provider of service `si` for the session (rule 27): the ones logged on
    /// are logged off and give their slots back, every row shows STATUS_FAILURE. With
    /// `require_all_services` the logon fails instead with `code`.
    task<result<void>> disable_service(std::size_t si, std::size_t failing, scode code, std::string why) {
        const message_service& svc = core_->prof().services[si];
        if (req_.options.has(logon_option::require_all_services)) {
            co_return fail(code,
                           why + "; logon_option::require_all_services makes the logon fail instead of disabling message "
                                 "service " + svc.name,
                           logon_component);
        }
        service_disabled_[si] = true;
        service_report& srep = report_.services[si];
        srep.disabled = true;
        srep.code = code;
        srep.sentence = why + "; every provider of message service " + svc.name + " is disabled for this session (rule 27)";
        step(srep.sentence);

        std::vector<provider_record> gone;
        // Allocated before any record moves, so that running out of memory loses none.
        task<void> logoffs = logoff_records(reg_, gone);
        {
            std::lock_guard guard(core_->mutex);
            auto& recs = core_->records;
            gone.reserve(recs.size());
            for (auto it = recs.begin(); it != recs.end();) {
                if (it->service_index == si) {
                    gone.push_back(std::move(*it));
                    it = recs.erase(it);
                } else {
                    ++it;
                }
            }
        }
        co_await std::move(logoffs);
        for (std::size_t pi = 0; pi < svc.providers.size(); ++pi) {
            provider_report& rep = srep.providers[pi];
            if (pi == failing) {
                rep.outcome = provider_outcome::disabled;
                rep.code = code;
                rep.sentence = why;
                fail_row(si, pi, why);
            } else if (rep.outcome == provider_outcome::logged_on) {
                rep.outcome = provider_outcome::disabled;
                rep.code = code;
                rep.sentence = "logged off again: its message service " + svc.name + " was disabled";
                fail_row(si, pi, rep.sentence);
            } else if (row_of(si, pi)) {
                fail_row(si, pi, "its message service " + svc.name + " was disabled");
            }
        }
        co_return result<void>{};
    }

    // ---------------------------------------------------------------------------------------
    session publish() {
        auto m = make_member(core_, flags_);
        std::size_t live = 0, disabled = 0;
        for (const auto& s : report_.services) {
            if (s.disabled) ++disabled;
            for (const auto& p : s.providers) live += p.outcome == provider_outcome::logged_on ? 1 : 0;
        }
        step("logged on to profile \"", core_->profile_name(), "\": ", std::to_string(live), " provider logon(s) live, ",
             std::to_string(disabled), " message service(s) disabled");
        if (core_->shared) step("published as the shared session (MAPI_ALLOW_OTHERS): later logons without "
                                "MAPI_NEW_SESSION join it");
        // Only a shared session needs the report in its core: joiners copy the services from it
        // (rules 9 and 23). An individual session's report goes to its one member, moved.
        if (core_->shared) core_->report = std::make_unique<logon_report>(report_);
        *shell_ = std::move(report_);
        m->report = reg_->share_report(core_->profile_name(), std::move(shell_));
        {
            std::lock_guard guard(core_->mutex);
            core_->live_members = 1;
            reg_->live_members.fetch_add(1);
        }
        if (core_->shared) {
            std::lock_guard guard(reg_->mutex);
            reg_->shared = core_;
        }
        core_.reset();
        lock_.release();
        return session(std::move(m));
    }

    task<void> rollback() {
        if (core_) {
            std::shared_ptr<session_core> core = std::move(core_);
            {
                std::lock_guard guard(core->mutex);
                core->ended = true;
            }
            co_await release_core(core);
            core->sub.reset();
        }
        if (reserved_) {
            reserved_ = false;
            std::lock_guard guard(reg_->mutex);
            --reg_->live_sessions;
        }
        lock_.release();
    }

    /// Appends a step to the report: the sentence made of `parts` (strings, string views or
    /// string literals), written into a string of an earlier logon's report when one is left.
    template <class... Parts>
    void step(const Parts&... parts) {
        // A logon that goes well takes about eight steps: room for them at once.
        if (report_.steps.empty()) report_.steps.reserve(8);
        std::string& line = report_.steps.emplace_back();
        if (spare_steps_used_ < spare_.steps.size()) {
            line.swap(spare_.steps[spare_steps_used_++]);
            line.clear();
        }
        (line.append(std::string_view(parts)), ...);
    }

    // String building lives in ordinary functions: g++ 12 mishandles conditional expressions
    // that make class-type temporaries inside coroutine bodies (they are destroyed twice).
    static std::string colon(const std::string& message) { return message.empty() ? std::string() : ": " + message; }

    template <class R>
    static failure dialog_failed(const R& r, std::string when_cancelled, const std::string& dialog) {
        if (r.code() == scode::user_cancel) return fail(scode::user_cancel, std::move(when_cancelled), logon_component);
        return fail(r.code(), dialog + " failed: " + r.info().message, logon_component);
    }

    failure no_such_profile(const std::string& name) const {
        std::string msg = "there is no profile called \"" + name + "\"";
        if (ui_all_) {
            msg += "; the picker kept choosing profiles that do not exist";
        } else {
            msg += "; with MAPI_LOGON_UI and a ui_handler the user could choose one";
        }
        return fail(scode::logon_failed, std::move(msg), logon_component, static_cast<std::uint32_t>(scode::not_found));
    }

    void note_configure_call(const message_service& svc, bool ui_allowed) {
        step("the entry of message service " + svc.name + " (" + svc.dll_name + ") was called with MSG_SERVICE_CONFIGURE" +
             (ui_allowed ? std::string(" (UI allowed)") : std::string(" (no UI)")));
    }

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    subsystem sub_;
    owned_logon_request req_;
    logon_flags flags_{};
    subsystem_state* st_ = nullptr;
    session_registry* reg_ = nullptr;
    profile_store* store_ = nullptr;
    profile_usage* usage_ = nullptr;
    provider_registry* providers_ = nullptr;
    bool service_mode_ = false;
    bool ui_all_ = false;
    bool ui_password_ = false;
    bool ui_service_always_ = false;
    bool dialog_allowed_ = false;
    bool no_mail_ = false;
    bool reserved_ = false;
    logon_report report_;
    /// The heap block the report goes to at `publish`, from `session_registry::spare_reports`;
    /// `spare_` holds what an earlier logon left in it, for `build_core` and `step` to reuse.
    std::unique_ptr<logon_report> shell_;
    logon_report spare_;
    std::size_t spare_steps_used_ = 0;
    logon_lock_guard lock_;
    std::shared_ptr<member_state> joined_;  ///< the member `try_join` made, for `open_mail_for_joiner`
    std::shared_ptr<session_core> core_;
    std::vector<bool> service_disabled_;
    std::size_t first_row_ = 0;  ///< provider rows from this one on were made by this logon
};

/// The full logon (`logon_run`), when `quick_join` cannot join.
inline task<result<session>> full_logon(subsystem mapi, owned_logon_request request) {
    logon_run run(std::move(mapi), std::move(request));
    co_return co_await run.execute();
}

/// The logon coroutine; `logon` is its entry point. A join that `quick_join` can make costs
/// this coroutine's frame and the member; every other logon runs `full_logon`.
inline task<result<session>> logon_coroutine(subsystem mapi, owned_logon_request request) {
    if (auto joined = quick_join(mapi, request)) co_return std::move(*joined);
    co_return co_await full_logon(std::move(mapi), std::move(request));
}

} // namespace detail

/// MAPILogonEx. Logs on to a profile (or joins the published shared session) and returns the
/// session, or a failure after everything the logon acquired has been released.
///
/// The steps, in order (MAPI-REFERENCE 3.3 and DESIGN.md):
/// 1. `not_initialized` for an uninitialised subsystem; `unknown_flags` / `invalid_parameter`
///    for flags that break a rule; the service-mode rules (`invalid_parameter`, rules 24, 25).
/// 2. Without MAPI_NEW_SESSION, a published shared session is joined and the profile name
///    ignored (rule 9).
/// 3. The profile: the name given (`invalid_parameter` if it breaks `check_profile_name`); none
///    and MAPI_USE_DEFAULT: the default profile; none and MAPI_LOGON_UI: the picker; none and
///    neither: `logon_failed` naming the missing flag (rules 12-15). An unknown profile is
///    `logon_failed`, or with MAPI_LOGON_UI the picker.
/// 4. The logon lock (MAPI_TIMEOUT_SHORT: `timeout` after `init_options::short_timeout`, rule 17),
///    then the subsystem's session cap (`logon_failed` with `session_limit` as low-level code).
/// 5. Provider logons: address books, stores, then transports (none with MAPI_NO_MAIL, rule 21),
///    with retry-then-disable per message service (rules 26-30).
/// 6. MAPI_ALLOW_OTHERS publishes the session as the shared one.
///
/// `user_cancel` from a provider or a dialog fails the whole logon (rule 18).
///
/// \code
/// result<session> s = co_await logon(mapi, {.profile = "Service", .flags = service_logon_flags});
/// \endcode
[[nodiscard]] inline task<result<session>> logon(const subsystem& mapi, const logon_request& request) {
    // Not a coroutine itself: the request is copied here, at the call, into the coroutine's
    // parameters (see logon_request about why it is taken by reference).
    return detail::logon_coroutine(mapi, detail::owned_logon_request(request));
}

namespace detail {
/// The member `subsystem::logon` forwards here.
template <class Request>
struct logon_entry {
    static task<result<session>> run(const subsystem& mapi, const Request& request) {
        return mapixx::logon(mapi, request);
    }
};
} // namespace detail

} // namespace mapixx::inline v0

#endif
