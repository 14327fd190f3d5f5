// SPDX-License-Identifier: MIT
/// \file
/// `detail::session_registry`: the session bookkeeping of one subsystem (the logon lock, the
/// published shared session, the counters, and the profile usage registry).
#ifndef MAPIXX_SESSION_DETAIL_SESSION_REGISTRY_HPP_INCLUDED
#define MAPIXX_SESSION_DETAIL_SESSION_REGISTRY_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/detail/small_mutex.hpp>
#include <mapixx/profile/profile_store.hpp>
#include <mapixx/profile/profile_usage.hpp>
#include <mapixx/session/detail/logon_lock.hpp>
#include <mapixx/session/detail/report_pool.hpp>
#include <mapixx/session/logon_report.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mapixx::inline v0::detail {

struct session_core;

/// Per subsystem: serialises logons, publishes the shared session (MAPI_ALLOW_OTHERS) and
/// counts what is live. Every field is thread-safe as documented.
struct session_registry {
    /// The MAPILogonEx mutex.
    logon_lock lock;

    /// Guards `shared`, `live_sessions` and `own_usage`.
    mutable small_mutex mutex;
    /// The published shared session, if any (weak: the members keep it alive).
    std::weak_ptr<session_core> shared;
    /// Sessions that are live or being logged on (reserved against `init_options::max_sessions`).
    std::size_t live_sessions = 0;
    /// The profile usage registry used when `init_options::usage` is null.
    std::unique_ptr<profile_usage> own_usage;

    /// The profile as sessions see it (`logon_run::session_view`), per profile name: made from
    /// one snapshot of the store (`profile_store::load_shared`) and shared by every session that
    /// logs on to that snapshot (rule 34 holds: a session that changes its profile changes a
    /// copy of its own). Guarded by `mutex`.
    ///
    /// How long a view lives. From a store that keeps its snapshot (as `memory_profile_store`
    /// does until the profile changes) the view is kept here too, in `kept`, for as long as the
    /// store keeps `source`: the next logon finds it even when no session is live, and the
    /// view adds no copy of the profile's secure properties that the store does not hold
    /// already. At most `kept_view_limit` views are kept, the most recently used (a client that
    /// logs on to thousands of profiles in turn keeps no more). Once the store lets go of
    /// `source`, the view is let go by the next logon that builds a view, or by the end of a
    /// session on that profile (`drop_stale_view`). From a store that makes a new snapshot each
    /// time, the view holds its source and lives as long as the sessions that use it, no longer.
    struct profile_view {
        std::weak_ptr<const profile> source;  ///< what the store gave
        std::weak_ptr<const profile> view;    ///< `source` with the sections MAPI fills in
        std::shared_ptr<const profile> kept;  ///< `view`, while the store keeps `source`
    };
    std::unordered_map<std::string, profile_view> views;
    /// The names whose view is kept, the most recently used last.
    std::vector<std::string> kept_views;
    static constexpr std::size_t kept_view_limit = 16;

    /// Keeps the view of `name` (`e` is its entry): it becomes the most recently used, and the
    /// least recently used one goes beyond the limit. Call with `mutex` held.
    void keep_view(const std::string& name, profile_view& e, std::shared_ptr<const profile> view) {
        auto it = std::find(kept_views.begin(), kept_views.end(), name);
        if (it != kept_views.end()) {
            std::rotate(it, it + 1, kept_views.end());
        } else {
            if (kept_views.size() >= kept_view_limit) {
                if (auto old = views.find(kept_views.front()); old != views.end()) old->second.kept.reset();
                kept_views.erase(kept_views.begin());
            }
            kept_views.push_back(name);
        }
        e.kept = std::move(view);
    }
    /// Lets go of the kept view of `name` if the store no longer keeps its source. Call with
    /// `mutex` held.
    void drop_stale_view(const std::string& name) noexcept {
        auto it = views.find(name);
        if (it == views.end() || !it->second.kept || !it->second.source.expired()) return;
        it->second.kept.reset();
        std::erase(kept_views, name);
    }
    /// Lets go of every kept view whose source the store no longer keeps; now and then (when
    /// the table has doubled since) forgets the entries whose view no session uses. Call with
    /// `mutex` held.
    void drop_stale_views() noexcept {
        std::erase_if(kept_views, [&](const std::string& name) {
            auto it = views.find(name);
            if (it == views.end() || !it->second.kept) return true;
            if (!it->second.source.expired()) return false;
            it->second.kept.reset();
            return true;
        });
        if (views.size() < sweep_views_at_) return;
        for (auto it = views.begin(); it != views.end();) {
            it = (!it->second.kept && it->second.view.expired()) ? views.erase(it) : std::next(it);
        }
        sweep_views_at_ = std::max<std::size_t>(64, 2 * views.size());
    }

    /// The report of the last logon (`share_report`), per profile and kind of logon.
    std::mutex reports_mutex;
    std::unordered_map<std::string, std::weak_ptr<const logon_report>> reports;
    /// Reports no session holds any more, for the next logons to fill again (`report_pool`).
    std::shared_ptr<report_pool> spare_reports = std::make_shared<report_pool>();

    /// `r` as a shared, immutable report: the one the last logon of the same `key` made if it
    /// is equal (as it is for every logon of a profile that goes the same way; `r` then goes
    /// back to `spare_reports`), else `r` itself. Sessions that log on alike thus hold one
    /// report between them, and a report no session holds goes back to `spare_reports`.
    std::shared_ptr<const logon_report> share_report(const std::string& key, std::unique_ptr<logon_report> r) {
        std::lock_guard guard(reports_mutex);
        auto& slot = reports[key];
        if (auto known = slot.lock(); known && *known == *r) {
            spare_reports->give_back(std::move(r));
            return known;
        }
        auto made = report_pool::share(spare_reports, std::move(r));
        slot = made;
        return made;
    }
    std::shared_ptr<const logon_report> share_report(const std::string& key, logon_report r) {
        return share_report(key, std::make_unique<logon_report>(std::move(r)));
    }

    /// What the report of a member that joined the published shared session depends on, but
    /// for the profile name (`join_report_entry`).
    struct join_key {
        std::uint64_t session = 0;    ///< `session_core::id` of the session joined
        logon_flags flags{};          ///< the joiner's flags
        std::uint32_t options = 0;    ///< the joiner's `logon_options`, as bits
        bool ui = false;              ///< the joiner gave a `ui_handler`
        bool password = false;        ///< the joiner gave a password (ignored, but in the report)
        friend bool operator==(const join_key&, const join_key&) = default;
    };
    /// A report kept for the members that join alike (`detail::quick_join`), found without
    /// building it.
    struct join_report_entry {
        join_key key;
        std::string profile;          ///< the profile name the joiner gave (ignored, but in the report); empty if none
        std::shared_ptr<const logon_report> report;
    };
    /// At most `join_report_limit` entries, all of the published session, the newest last.
    /// Guarded by `mutex`; emptied when the shared session is unpublished.
    std::vector<join_report_entry> join_reports;
    static constexpr std::size_t join_report_limit = 8;

    /// The report a member that joins alike got: same `key` and profile name `profile`; null if
    /// none. Call with `mutex` held.
    [[nodiscard]] std::shared_ptr<const logon_report> find_join_report(const join_key& key,
                                                                       std::string_view profile) const noexcept {
        for (const auto& e : join_reports) {
            if (e.key == key && e.profile == profile) return e.report;
        }
        return nullptr;
    }

    /// Keeps `e` for the next joiners, in place of an entry with the same key, and drops the
    /// entries of other sessions and the oldest beyond the limit. Call with `mutex` held.
    void remember_join_report(join_report_entry e) {
        std::erase_if(join_reports, [&](const join_report_entry& old) {
            return old.key.session != e.key.session || (old.key == e.key && old.profile == e.profile);
        });
        if (join_reports.size() >= join_report_limit) join_reports.erase(join_reports.begin());
        join_reports.push_back(std::move(e));
    }

    /// The changes of status rows that sessions hold (`share_row_changes`), the most recent
    /// first. Guarded by `rows_mutex`, a leaf lock (taken with a session's mutex held).
    std::mutex rows_mutex;
    std::vector<std::weak_ptr<const property_bag>> row_changes;
    static constexpr std::size_t row_changes_limit = 32;

    /// `changes` as an immutable bag: one that a status row already holds if equal, else a new
    /// one (kept at exactly its size), remembered for the next rows.
    std::shared_ptr<const property_bag> share_row_changes(property_bag changes) {
        std::lock_guard guard(rows_mutex);
        for (auto it = row_changes.begin(); it != row_changes.end(); ++it) {
            if (auto known = it->lock(); known && *known == changes) {
                std::rotate(row_changes.begin(), it, it + 1);
                return known;
            }
        }
        auto made = std::make_shared<const property_bag>(property_bag(changes));
        std::erase_if(row_changes, [](const std::weak_ptr<const property_bag>& w) { return w.expired(); });
        if (row_changes.size() >= row_changes_limit) row_changes.pop_back();
        row_changes.insert(row_changes.begin(), made);
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

    /// When `drop_stale_views` next looks at every entry of `views`.
    std::size_t sweep_views_at_ = 64;

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
