// SPDX-License-Identifier: MIT
/// \file
/// Logon reports that no session holds any more, kept for the next logon to fill again.
///
/// A logon writes a report of a dozen strings and vectors (services, providers, attempts,
/// steps). Made new each time, that is about twenty allocations per logon and as many frees at
/// the logoff. A report whose last holder lets go comes back here instead (the deleter of the
/// `shared_ptr` that `share` makes); the next logon takes it, and assigning into its strings and
/// vectors reuses their memory. At most `limit` reports are kept, so what the pool holds is
/// bounded whatever the number of profiles. The pool lives as long as any report it shared.
#ifndef MAPIXX_SESSION_DETAIL_REPORT_POOL_HPP_INCLUDED
#define MAPIXX_SESSION_DETAIL_REPORT_POOL_HPP_INCLUDED

#include <mapixx/coro/task.hpp>
#include <mapixx/session/logon_report.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace mapixx::inline v0::detail {

class report_pool {
public:
    /// Reports kept at most; more than the logons a process runs at one moment, in practice.
    static constexpr std::size_t limit = 8;

    report_pool() { kept_.reserve(limit); }
    report_pool(const report_pool&) = delete;
    report_pool& operator=(const report_pool&) = delete;

    /// A report to fill: a kept one (its contents are those of an earlier logon; the caller
    /// overwrites every field) or a new, empty one.
    [[nodiscard]] std::unique_ptr<logon_report> take() {
        {
            std::lock_guard guard(mutex_);
            if (!kept_.empty()) {
                std::unique_ptr<logon_report> r = std::move(kept_.back());
                kept_.pop_back();
                return r;
            }
        }
        return std::make_unique<logon_report>();
    }

    /// Keeps `r` for a later `take`, or frees it when `limit` are kept already.
    void give_back(std::unique_ptr<logon_report> r) noexcept {
        if (!r) return;
        std::lock_guard guard(mutex_);
        if (kept_.size() < limit) kept_.push_back(std::move(r));  // never allocates: reserved
    }

    /// How many reports are kept now (for tests).
    [[nodiscard]] std::size_t kept() const {
        std::lock_guard guard(mutex_);
        return kept_.size();
    }

    /// `r`, shared and immutable; when its last holder lets go it comes back to `pool`. The
    /// control block comes from the thread's frame cache, as a member's block does.
    [[nodiscard]] static std::shared_ptr<const logon_report> share(const std::shared_ptr<report_pool>& pool,
                                                                   std::unique_ptr<logon_report> r) {
        // If the control block cannot be made, the constructor hands the report to the
        // deleter, which gives it back to the pool: nothing leaks, nothing is freed twice.
        logon_report* raw = r.release();
        return std::shared_ptr<const logon_report>(raw, returner{pool}, frame_cache_allocator<logon_report>());
    }

private:
    struct returner {
        std::shared_ptr<report_pool> pool;
        void operator()(const logon_report* r) const noexcept {
            // Made non-const by `take` or make_unique: giving it back as mutable is sound.
            pool->give_back(std::unique_ptr<logon_report>(const_cast<logon_report*>(r)));
        }
    };

    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<logon_report>> kept_;
};

} // namespace mapixx::inline v0::detail

#endif
