// SPDX-License-Identifier: MIT
/// \file
/// `detail::unique_fd`: an owned POSIX file descriptor, closed by its destructor. Shared by
/// the profile store's files, the Maildir store and the spooler's reactor. POSIX only.
#ifndef MAPIXX_DETAIL_UNIQUE_FD_HPP_INCLUDED
#define MAPIXX_DETAIL_UNIQUE_FD_HPP_INCLUDED

#include <cerrno>
#include <utility>

#include <unistd.h>

namespace mapixx::inline v0 {
namespace detail {

/// A file descriptor that closes itself.
class unique_fd {
public:
    unique_fd() noexcept = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() { reset(); }

    /// The descriptor, or -1.
    [[nodiscard]] int get() const noexcept { return fd_; }
    /// True when a descriptor is held.
    explicit operator bool() const noexcept { return fd_ >= 0; }
    /// Closes the descriptor now; the error of close(2), or 0.
    int reset() noexcept {
        int err = 0;
        if (fd_ >= 0 && ::close(fd_) != 0) err = errno;
        fd_ = -1;
        return err;
    }

private:
    int fd_ = -1;
};

} // namespace detail
} // namespace mapixx::inline v0

#endif
