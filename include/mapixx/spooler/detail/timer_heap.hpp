// SPDX-License-Identifier: MIT
/// \file
/// `detail::timer_heap`: the reactor's deadlines, a binary min-heap of pending waits that
/// records each wait's place in it, so a wait leaves it in O(log n) without a search.
#ifndef MAPIXX_SPOOLER_DETAIL_TIMER_HEAP_HPP_INCLUDED
#define MAPIXX_SPOOLER_DETAIL_TIMER_HEAP_HPP_INCLUDED

#include <mapixx/provider/transport.hpp>

#include <gsl/assert>

#include <chrono>
#include <cstddef>
#include <utility>
#include <vector>

namespace mapixx::inline v0::detail {

/// Pending waits ordered by deadline, then by arming order. The vector grows geometrically and
/// never shrinks, so once it has reached its working size a push allocates nothing.
class timer_heap {
public:
    using wait = spooler_support::io_wait;
    using links = spooler_support::io_wait::links;

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }

    /// The wait with the earliest deadline. \pre `!empty()`.
    [[nodiscard]] wait& top() const noexcept
    {
        Expects(!items_.empty());
        return *items_.front().w;
    }

    /// Adds `w`, whose links are `l`. \pre `w` is not in the heap. Throws: `std::bad_alloc`.
    void push(wait& w, links& l)
    {
        Expects(l.heap_index == npos);
        items_.push_back(item{&w, &l});
        l.heap_index = items_.size() - 1;
        sift_up(items_.size() - 1);
    }

    /// Removes `w` (links `l`) if it is in the heap.
    void erase(links& l) noexcept
    {
        const std::size_t i = l.heap_index;
        if (i == npos) {
            return;
        }
        Expects(i < items_.size() && items_[i].l == &l);
        const std::size_t last = items_.size() - 1;
        if (i != last) {
            swap_items(i, last);
        }
        items_.pop_back();
        l.heap_index = npos;
        if (i != last) {
            sift_down(i);
            sift_up(i);
        }
    }

    /// Removes and returns the earliest wait. \pre `!empty()`.
    wait& pop() noexcept
    {
        wait& w = top();
        erase(*items_.front().l);
        return w;
    }

private:
    struct item {
        wait* w;
        links* l;
    };

    [[nodiscard]] bool before(std::size_t a, std::size_t b) const noexcept
    {
        const auto da = items_[a].w->deadline();
        const auto db = items_[b].w->deadline();
        return da < db || (da == db && items_[a].l->order < items_[b].l->order);
    }

    void swap_items(std::size_t a, std::size_t b) noexcept
    {
        std::swap(items_[a], items_[b]);
        items_[a].l->heap_index = a;
        items_[b].l->heap_index = b;
    }

    void sift_up(std::size_t i) noexcept
    {
        while (i > 0) {
            const std::size_t parent = (i - 1) / 2;
            if (!before(i, parent)) {
                break;
            }
            swap_items(i, parent);
            i = parent;
        }
    }

    void sift_down(std::size_t i) noexcept
    {
        for (;;) {
            const std::size_t left = 2 * i + 1;
            if (left >= items_.size()) {
                break;
            }
            std::size_t best = left;
            if (left + 1 < items_.size() && before(left + 1, left)) {
                best = left + 1;
            }
            if (!before(best, i)) {
                break;
            }
            swap_items(i, best);
            i = best;
        }
    }

    std::vector<item> items_;
};

} // namespace mapixx::inline v0::detail

#endif
