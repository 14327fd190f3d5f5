// SPDX-License-Identifier: MIT
/// \file
/// Memory that is wiped before it is given back: `secure_wipe` (for raw bytes, strings, byte
/// vectors and vectors of either), `secret_bytes` (a heap copy of a credential) and
/// `wiping_buffer` (a byte queue, such as the SMTP client's output, which may hold an AUTH
/// line). Secure profile properties (ids 0x67F0-0x67FF) are wiped through these when a
/// `prop_value` holding one is destroyed or overwritten (core/prop.hpp). Standard C++ only.
#ifndef MAPIXX_CORE_SECRET_HPP_INCLUDED
#define MAPIXX_CORE_SECRET_HPP_INCLUDED

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

namespace detail {
inline void zero_bytes(void* p, std::size_t n) noexcept { std::memset(p, 0, n); }
/// `zero_bytes`, reached through a volatile pointer: the compiler must load the pointer at each
/// call and cannot know which function it reaches, so it can neither inline the `memset` nor
/// drop it as a store to memory that is freed next.
inline void (*const volatile zero_bytes_unseen)(void*, std::size_t) noexcept = zero_bytes;
} // namespace detail

/// Overwrites `n` bytes at `p` with zeros in a way the compiler may not remove as dead stores,
/// even when the memory is freed right after (what explicit_bzero does): `memset` called
/// through a volatile function pointer, so it runs at `memset`'s speed (a byte-at-a-time loop
/// through a volatile pointer was most of the SMTP client's cost per message, which wipes its
/// output as it is sent).
inline void secure_wipe(void* p, std::size_t n) noexcept {
    if (p == nullptr || n == 0) return;
    detail::zero_bytes_unseen(p, n);
    std::atomic_signal_fence(std::memory_order_seq_cst);
}

/// Zeroes every character `s` has room for (its capacity, so also bytes left over from longer
/// contents, and the characters of a short string kept inside the object) and empties it. The
/// storage is kept: nothing is freed or moved.
inline void secure_wipe(std::string& s) noexcept {
    // Growing to the capacity never reallocates, and makes the whole buffer addressable.
    s.resize(s.capacity());
    secure_wipe(s.data(), s.size());
    s.clear();
}

/// Makes room for `n` characters in `s`, like `reserve`; when the characters have to move to a
/// larger allocation, the old one is zeroed before it is freed.
inline void reserve_wiping(std::string& s, std::size_t n) {
    if (n <= s.capacity()) return;
    std::string bigger;
    bigger.reserve(n);
    bigger.append(s);  // within the reserved room: no further allocation
    secure_wipe(s);
    s.swap(bigger);  // `bigger` now holds the old (zeroed) storage and frees it
}

/// Appends `more` to `s`, growing it geometrically as `append` does, but zeroing the storage it
/// outgrows before that is freed (see `reserve_wiping`).
inline void append_wiping(std::string& s, std::string_view more) {
    if (s.capacity() - s.size() < more.size()) reserve_wiping(s, std::max(s.size() + more.size(), 2 * s.capacity()));
    s.append(more);
}

/// Wipes a string (see `secure_wipe`) when it goes out of scope, also when an exception passes.
class wipe_on_exit {
public:
    explicit wipe_on_exit(std::string& s) noexcept : s_(s) {}
    wipe_on_exit(const wipe_on_exit&) = delete;
    wipe_on_exit& operator=(const wipe_on_exit&) = delete;
    ~wipe_on_exit() { secure_wipe(s_); }

private:
    std::string& s_;
};

/// Zeroes every byte `b` has room for (its capacity) and empties it; the storage is kept.
inline void secure_wipe(std::vector<std::uint8_t>& b) noexcept {
    b.resize(b.capacity());  // within the capacity: no allocation, cannot throw
    secure_wipe(b.data(), b.size());
    b.clear();
}

/// Wipes every element of `v` (see above) and empties it.
inline void secure_wipe(std::vector<std::string>& v) noexcept {
    for (auto& s : v) secure_wipe(s);
    v.clear();
}
/// Wipes every element of `v` (see above) and empties it.
inline void secure_wipe(std::vector<std::vector<std::uint8_t>>& v) noexcept {
    for (auto& b : v) secure_wipe(b);
    v.clear();
}

/// A heap copy of secret bytes (a user name, a password). The bytes live in one allocation that
/// never moves: a move hands the pointer over (no copy is left behind, unlike a short
/// `std::string` whose characters sit inside the object), and `clear()` and the destructor wipe
/// them before freeing. Not copyable.
class secret_bytes {
public:
    secret_bytes() noexcept = default;
    /// Copies `bytes`; the caller wipes its own copy.
    explicit secret_bytes(std::string_view bytes)
        : data_(bytes.empty() ? nullptr : std::make_unique<char[]>(bytes.size())), size_(bytes.size()) {
        if (size_ != 0) std::memcpy(data_.get(), bytes.data(), size_);
    }
    secret_bytes(const secret_bytes&) = delete;
    secret_bytes& operator=(const secret_bytes&) = delete;
    secret_bytes(secret_bytes&& other) noexcept
        : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)) {}
    secret_bytes& operator=(secret_bytes&& other) noexcept {
        if (this != &other) {
            clear();
            data_ = std::move(other.data_);
            size_ = std::exchange(other.size_, 0);
        }
        return *this;
    }
    ~secret_bytes() { clear(); }

    /// The bytes (valid until `clear()` or destruction).
    [[nodiscard]] std::string_view view() const noexcept { return {data_.get(), size_}; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    /// Wipes and frees the bytes.
    void clear() noexcept {
        secure_wipe(data_.get(), size_);
        data_.reset();
        size_ = 0;
    }

private:
    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0;
};

/// A byte queue that wipes every byte it lets go of: bytes consumed from the front, the old
/// storage when it grows, the stale tail when it compacts, everything on destruction.
class wiping_buffer {
public:
    wiping_buffer() noexcept = default;
    wiping_buffer(const wiping_buffer&) = delete;
    wiping_buffer& operator=(const wiping_buffer&) = delete;
    wiping_buffer(wiping_buffer&& other) noexcept
        : data_(std::move(other.data_)), capacity_(std::exchange(other.capacity_, 0)),
          begin_(std::exchange(other.begin_, 0)), end_(std::exchange(other.end_, 0)) {}
    wiping_buffer& operator=(wiping_buffer&& other) noexcept {
        if (this != &other) {
            release();
            data_ = std::move(other.data_);
            capacity_ = std::exchange(other.capacity_, 0);
            begin_ = std::exchange(other.begin_, 0);
            end_ = std::exchange(other.end_, 0);
        }
        return *this;
    }
    ~wiping_buffer() { release(); }

    /// The bytes not yet consumed.
    [[nodiscard]] std::string_view view() const noexcept { return {data_.get() + begin_, end_ - begin_}; }
    [[nodiscard]] std::size_t size() const noexcept { return end_ - begin_; }
    [[nodiscard]] bool empty() const noexcept { return begin_ == end_; }

    /// Appends `bytes`.
    void append(std::string_view bytes) {
        if (bytes.empty()) return;
        make_room(bytes.size());
        std::memcpy(data_.get() + end_, bytes.data(), bytes.size());
        end_ += bytes.size();
    }
    /// Appends one byte.
    void push_back(char c) {
        make_room(1);
        data_[end_++] = c;
    }
    /// Drops (and wipes) the first `n` bytes, or all of them when `n` is larger.
    void consume(std::size_t n) noexcept {
        n = std::min(n, size());
        secure_wipe(data_.get() + begin_, n);
        begin_ += n;
        if (begin_ == end_) begin_ = end_ = 0;
    }
    /// Wipes and drops every byte (the storage is kept).
    void clear() noexcept { consume(size()); }

    /// The whole storage, used or not: lets a test check that consumed bytes are zero.
    [[nodiscard]] std::string_view storage_for_test() const noexcept { return {data_.get(), capacity_}; }

private:
    void make_room(std::size_t extra) {
        if (capacity_ - end_ >= extra) return;
        const std::size_t used = size();
        if (capacity_ - used >= extra && begin_ >= used) {
            // Enough room once compacted, and the copy does not overlap: move down, wipe the rest.
            std::memcpy(data_.get(), data_.get() + begin_, used);
            secure_wipe(data_.get() + used, end_ - used);
            begin_ = 0;
            end_ = used;
            return;
        }
        const std::size_t wanted = std::max({used + extra, capacity_ * 2, std::size_t{256}});
        auto fresh = std::make_unique<char[]>(wanted);
        if (used != 0) std::memcpy(fresh.get(), data_.get() + begin_, used);
        // Consumed bytes are zero already and nothing lies past end_: wipe what is in use.
        secure_wipe(data_.get() + begin_, used);
        data_ = std::move(fresh);
        capacity_ = wanted;
        begin_ = 0;
        end_ = used;
    }
    void release() noexcept {
        if (data_) secure_wipe(data_.get() + begin_, end_ - begin_);
        data_.reset();
        capacity_ = begin_ = end_ = 0;
    }

    std::unique_ptr<char[]> data_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

} // namespace mapixx::inline v0

#endif
