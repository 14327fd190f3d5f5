// SPDX-License-Identifier: MIT
/// \file
/// Memory that is wiped before it is given back: `secure_wipe`, `secret_bytes` (a heap copy of
/// a credential) and `wiping_buffer` (the SMTP client's output queue, which may hold an AUTH line).
#ifndef MAPIXX_PROVIDERS_SMTP_DETAIL_SECRET_HPP_INCLUDED
#define MAPIXX_PROVIDERS_SMTP_DETAIL_SECRET_HPP_INCLUDED

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace mapixx::inline v0 {
namespace smtp::detail {

/// Overwrites `n` bytes at `p` with zeros through a volatile pointer, so the stores are not
/// removed as dead even when the memory is freed right after (what explicit_bzero does).
inline void secure_wipe(void* p, std::size_t n) noexcept {
    if (p == nullptr) return;
    volatile unsigned char* v = static_cast<volatile unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) v[i] = 0;
    std::atomic_signal_fence(std::memory_order_seq_cst);
}

/// Wipes the characters of `s` (its size, not its spare capacity) and empties it.
inline void secure_wipe(std::string& s) noexcept {
    secure_wipe(s.data(), s.size());
    s.clear();
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
/// storage when it grows, the stale tail when it compacts, everything on destruction. The SMTP
/// client's output goes through one, so an AUTH line (base64 of a password) does not linger in
/// freed or unused memory after it was written to the socket.
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
            // Enough room once compacted, and the move does not overlap: move down, wipe the rest.
            std::memcpy(data_.get(), data_.get() + begin_, used);
            secure_wipe(data_.get() + used, end_ - used);
            begin_ = 0;
            end_ = used;
            return;
        }
        const std::size_t wanted = std::max({used + extra, capacity_ * 2, std::size_t{256}});
        auto fresh = std::make_unique<char[]>(wanted);
        if (used != 0) std::memcpy(fresh.get(), data_.get() + begin_, used);
        // Consumed bytes were wiped already and nothing lies past end_: wipe what is in use.
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

} // namespace smtp::detail
} // namespace mapixx::inline v0

#endif
