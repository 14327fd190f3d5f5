// SPDX-License-Identifier: MIT
/// \file
/// `slot_pool` and `session_slot`: the RAII form of a provider's session limit
/// (MAPI_E_SESSION_LIMIT).
#ifndef MAPIXX_PROVIDER_SESSION_SLOT_HPP_INCLUDED
#define MAPIXX_PROVIDER_SESSION_SLOT_HPP_INCLUDED

#include <gsl/assert>

#include <cstddef>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

namespace mapixx::inline v0 {

class slot_pool;

namespace detail {
/// The deleter of a `session_slot`: gives the slot back to its pool.
struct slot_returner {
    void operator()(slot_pool* pool) const noexcept;
};
} // namespace detail

/// One session's use of a provider DLL: held from just before a provider logon until that
/// provider logon ends, however it ends (logoff, disable, failure, exception, cancellation).
///
/// Move-only; an empty slot (moved-from, released, or returned by a failed
/// `slot_pool::try_acquire`) tests false. Destroying or `release()`-ing a full slot gives it
/// back to its pool; move-assigning into a full slot gives the old one back first.
///
/// \code
/// session_slot s = pool.try_acquire();
/// if (!s) return fail(scode::session_limit, "the provider allows no more sessions");
/// \endcode
class [[nodiscard]] session_slot {
public:
    /// An empty slot.
    session_slot() noexcept = default;

    /// True while the slot holds a place in its pool.
    [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(pool_); }

    /// The pool the slot belongs to, or null for an empty slot.
    [[nodiscard]] slot_pool* pool() const noexcept { return pool_.get(); }

    /// Gives the slot back now; afterwards the slot is empty. A no-op on an empty slot.
    void release() noexcept { pool_.reset(); }

private:
    friend class slot_pool;
    explicit session_slot(slot_pool* pool) noexcept : pool_(pool) {}

    std::unique_ptr<slot_pool, detail::slot_returner> pool_;
};

static_assert(!std::is_copy_constructible_v<session_slot> && !std::is_copy_assignable_v<session_slot>,
              "a session slot is unique: it cannot be copied");
static_assert(std::is_nothrow_move_constructible_v<session_slot> && std::is_nothrow_move_assignable_v<session_slot>);

/// The session slots of one provider DLL: at most `capacity()` provider logons of that DLL are
/// live at once (0 means no limit). Thread-safe. The pool must outlive every slot taken from
/// it (a contract checked in the destructor).
///
/// \code
/// slot_pool pool{2};
/// session_slot a = pool.try_acquire(), b = pool.try_acquire(), c = pool.try_acquire();
/// assert(a && b && !c && pool.in_use() == 2);
/// \endcode
class slot_pool {
public:
    /// A pool of `capacity` slots; 0 means unlimited.
    explicit slot_pool(std::size_t capacity = 0) noexcept : capacity_(capacity) {}
    slot_pool(const slot_pool&) = delete;
    slot_pool& operator=(const slot_pool&) = delete;

    /// \pre every slot has been given back.
    ~slot_pool() { Expects(in_use_ == 0); }

    /// A slot, or an empty slot when all `capacity()` slots are taken. Never blocks.
    [[nodiscard]] session_slot try_acquire() noexcept {
        std::lock_guard lock(mutex_);
        if (capacity_ != 0 && in_use_ >= capacity_) return session_slot{};
        ++in_use_;
        ++acquired_total_;
        return session_slot{this};
    }

    /// The most slots that can be taken at once (0: unlimited).
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    /// How many slots are taken now.
    [[nodiscard]] std::size_t in_use() const noexcept {
        std::lock_guard lock(mutex_);
        return in_use_;
    }
    /// How many slots were ever handed out (for tests and diagnostics).
    [[nodiscard]] std::size_t acquired_total() const noexcept {
        std::lock_guard lock(mutex_);
        return acquired_total_;
    }

private:
    friend struct detail::slot_returner;
    void give_back() noexcept {
        std::lock_guard lock(mutex_);
        Expects(in_use_ > 0);
        --in_use_;
    }

    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::size_t in_use_ = 0;
    std::size_t acquired_total_ = 0;
};

inline void detail::slot_returner::operator()(slot_pool* pool) const noexcept { pool->give_back(); }

} // namespace mapixx::inline v0

#endif
