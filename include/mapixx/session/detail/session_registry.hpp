// SPDX-License-Identifier: MIT
/// \file
/// `detail::session_registry`: the session bookkeeping of one subsystem (the logon lock, the
/// published shared session, the counters, and the profile usage registry).
#ifndef MAPIXX_SESSION_DETAIL_SESSION_REGISTRY_HPP_INCLUDED
#define MAPIXX_SESSION_DETAIL_SESSION_REGISTRY_HPP_INCLUDED

#include <mapixx/profile/profile_store.hpp>
#include <mapixx/profile/profile_usage.hpp>
#include <mapixx/session/detail/logon_lock.hpp>
#include <mapixx/session/logon_report.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <mutex>

namespace mapixx::inline v0::detail {

struct session_core;

/// Per subsystem: serialises logons, publishes the shared session (MAPI_ALLOW_OTHERS) and
/// counts what is live. Every field is thread-safe as documented.
struct session_registry {
    /// The MAPILogonEx mutex.
    logon_lock lock;

    /// Guards `shared`, `live_sessions` and `own_usage`.
    mutable std::mutex mutex;
    /// The published shared session, if any (weak: the members keep it alive).
    std::weak_ptr<session_core> shared;
    /// Sessions that are live or being logged on (reserved against `init_options::max_sessions`).
    std::size_t live_sessions = 0;
    /// The profile usage registry used when `init_options::usage` is null.
    std::unique_ptr<profile_usage> own_usage;

    /// The profile as sessions see it (`session_view_of`), per profile name: made from one
    /// snapshot of the store (`profile_store::load_shared`) and shared by every session that
    /// logs on to that snapshot (rule 34 holds: a session that changes its profile changes a
    /// copy of its own). Weak, so that a profile (and its secure properties) lives no longer
    /// than the sessions and the store that hold it. Guarded by `mutex`.
    struct profile_view {
        std::weak_ptr<const profile> source;  ///< what the store gave
        std::weak_ptr<const profile> view;    ///< `source` with the sections MAPI fills in
    };
    std::unordered_map<std::string, profile_view> views;

    /// The report of the last logon (`share_report`), per profile and kind of logon.
    std::mutex reports_mutex;
    std::unordered_map<std::string, std::weak_ptr<const logon_report>> reports;

    /// `r` as a shared, immutable report: the one the last logon of the same `key` made if it
    /// is equal (as it is for every logon of a profile that goes the same way), else a new one.
    /// Sessions that log on alike thus hold one report between them.
    std::shared_ptr<const logon_report> share_report(const std::string& key, logon_report r) {
        std::lock_guard guard(reports_mutex);
        auto& slot = reports[key];
        if (auto known = slot.lock(); known && *known == r) return known;
        auto made = std::make_shared<const logon_report>(std::move(r));
        slot = made;
        return made;
    }

    /// Session handles (members) that have not ended.
    std::atomic<std::size_t> live_members{0};
    /// Provider logons that have not been logged off.
    std::atomic<std::size_t> live_provider_logons{0};
    /// Logons between their start and their result.
    std::atomic<std::size_t> logons_in_progress{0};
    /// Source of session and member ids.
    std::atomic<std::uint64_t> next_id{1};

    /// The usage registry for `store`: `given` if not null, else one owned here (made once).
    profile_usage& usage(profile_usage* given, profile_store& store) {
        if (given != nullptr) return *given;
        std::lock_guard guard(mutex);
        if (!own_usage) own_usage = std::make_unique<profile_usage>(store);
        return *own_usage;
    }
};

} // namespace mapixx::inline v0::detail

#endif
