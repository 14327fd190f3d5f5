// SPDX-License-Identifier: MIT
/// \file
/// `lock_file`: an exclusive advisory lock (flock(2)) on a file, held while the object lives.
/// It excludes other processes and other threads of this process alike, and the kernel drops
/// it when its holder dies, so a killed writer never leaves a stale lock behind.
#ifndef MAPIXX_PROFILE_DETAIL_LOCK_FILE_HPP_INCLUDED
#define MAPIXX_PROFILE_DETAIL_LOCK_FILE_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/profile/detail/atomic_file.hpp>

#include <cerrno>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

namespace mapixx::inline v0::detail {

/// An exclusive flock(2) lock on a lock file. The lock belongs to the open file description
/// that `acquire` creates, so two `lock_file`s exclude each other even inside one process;
/// it is released by the destructor or when the process dies (SIGKILL included). The lock file
/// itself is never removed: removing it would let two writers lock two different files.
class lock_file {
public:
    /// Opens (creating it with mode 0600 if needed) `path` and waits until the exclusive lock
    /// is granted. The lock file gets mode 0600 whatever the umask (also when it exists with
    /// another mode and this process's user owns it). Fails with the path and the system's reason.
    [[nodiscard]] static result<lock_file> acquire(const std::string& path) {
        unique_fd fd(open_retrying(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, private_file_mode));
        if (!fd) return system_failure(errno, "opening the lock file \"" + path + "\"");
        struct stat st {};
        if (::fstat(fd.get(), &st) == 0 && (st.st_mode & 07777) != private_file_mode && st.st_uid == ::geteuid()) {
            (void)::fchmod(fd.get(), private_file_mode);
        }
        while (::flock(fd.get(), LOCK_EX) != 0) {
            if (errno != EINTR) return system_failure(errno, "locking \"" + path + "\"");
        }
        return lock_file(std::move(fd));
    }

    lock_file(lock_file&&) noexcept = default;
    lock_file& operator=(lock_file&&) noexcept = default;
    lock_file(const lock_file&) = delete;
    lock_file& operator=(const lock_file&) = delete;
    /// Releases the lock (closing the descriptor releases it).
    ~lock_file() = default;

    /// True while the lock is held.
    [[nodiscard]] bool held() const noexcept { return static_cast<bool>(fd_); }

private:
    explicit lock_file(unique_fd fd) noexcept : fd_(std::move(fd)) {}
    unique_fd fd_;
};

} // namespace mapixx::inline v0::detail

#endif
