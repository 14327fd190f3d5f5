// SPDX-License-Identifier: MIT
/// \file
/// POSIX file helpers for the file profile store: private directories, whole-file reads that
/// tell "absent" from "unreadable", and atomic, durable file replacement (temporary file in the
/// same directory, write, fsync, rename, fsync of the directory).
#ifndef MAPIXX_PROFILE_DETAIL_ATOMIC_FILE_HPP_INCLUDED
#define MAPIXX_PROFILE_DETAIL_ATOMIC_FILE_HPP_INCLUDED

#include <mapixx/detail/unique_fd.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace mapixx::inline v0::detail {

/// The component named in failures of these helpers.
inline constexpr const char* files_component = "mapixx.profile_files";

/// Mode bits of a private file (owner read and write).
inline constexpr mode_t private_file_mode = 0600;
/// Mode bits of a private directory (owner read, write and search).
inline constexpr mode_t private_directory_mode = 0700;

/// The scode that best describes a failed system call's `errno`.
[[nodiscard]] inline scode scode_from_errno(int err) noexcept {
    switch (err) {
    case ENOENT:
    case ENOTDIR: return scode::not_found;
    case EACCES:
    case EPERM:
    case EROFS: return scode::no_access;
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
        return scode::not_enough_disk;
    case ENOMEM: return scode::not_enough_memory;
    case EMFILE:
    case ENFILE: return scode::not_enough_resources;
    default: return scode::disk_error;
    }
}

/// A failure for a system call that failed with `err` while doing `what` (a phrase such as
/// `creating the directory "/x"`). The message ends with the system's text for `err`, and
/// `low_level` holds `err`.
[[nodiscard]] inline failure system_failure(int err, const std::string& what) {
    return fail(scode_from_errno(err), what + " failed: " + std::strerror(err), files_component,
                static_cast<std::uint32_t>(err));
}

/// `directory + "/" + name`.
[[nodiscard]] inline std::string join_path(std::string_view directory, std::string_view name) {
    std::string out(directory);
    if (!out.empty() && out.back() != '/') out += '/';
    out += name;
    return out;
}

/// Opens `path` with `flags`, retrying after EINTR.
[[nodiscard]] inline int open_retrying(const char* path, int flags, mode_t mode = 0) noexcept {
    for (;;) {
        const int fd = ::open(path, flags, mode);
        if (fd >= 0 || errno != EINTR) return fd;
    }
}

/// Creates `directory` and any missing parents. Every directory created here gets mode 0700
/// whatever the umask; directories that exist are left as they are. `no_access`,
/// `not_found` (a parent is not a directory) or `disk_error` with the path otherwise.
[[nodiscard]] inline result<void> make_private_directories(const std::string& directory) {
    if (directory.empty()) return fail(scode::invalid_parameter, "the profile directory name is empty", files_component);
    std::size_t pos = 0;
    for (;;) {
        pos = directory.find('/', pos + 1);
        const std::string part = directory.substr(0, pos);
        if (!part.empty() && part != "/") {
            struct stat st {};
            if (::stat(part.c_str(), &st) != 0) {
                if (errno != ENOENT) return system_failure(errno, "looking at the directory \"" + part + "\"");
                if (::mkdir(part.c_str(), private_directory_mode) != 0 && errno != EEXIST) {
                    return system_failure(errno, "creating the directory \"" + part + "\"");
                }
                if (::chmod(part.c_str(), private_directory_mode) != 0) {
                    return system_failure(errno, "setting mode 0700 on the directory \"" + part + "\"");
                }
            } else if (!S_ISDIR(st.st_mode)) {
                return fail(scode::not_found, "\"" + part + "\" is not a directory, so the profile directory \"" +
                                                  directory + "\" cannot be created there",
                            files_component);
            }
        }
        if (pos == std::string::npos) break;
    }
    return {};
}

/// The outcome of `read_whole_file`: the bytes, or why there are none.
enum class read_status {
    ok,       ///< the bytes were read
    absent,   ///< there is no such file (ENOENT)
    failed,   ///< it exists but could not be read; see the failure
};

/// Reads the whole of `path` into `out`. Tells "absent" (ENOENT) apart from other failures,
/// which are stored in `*why` (`no_access`, `disk_error`, ...).
[[nodiscard]] inline read_status read_whole_file(const std::string& path, std::string& out, failure* why) {
    out.clear();
    unique_fd fd(open_retrying(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return read_status::absent;
        if (why) *why = system_failure(errno, "opening \"" + path + "\" for reading");
        return read_status::failed;
    }
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n > 0) {
            out.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0) {
            return read_status::ok;
        } else if (errno != EINTR) {
            if (why) *why = system_failure(errno, "reading \"" + path + "\"");
            return read_status::failed;
        }
    }
}

/// Writes all of `bytes` to `fd`, going on after short writes and EINTR. 0, or the errno.
[[nodiscard]] inline int write_all(int fd, std::string_view bytes) noexcept {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

/// fsync(2) of a directory, so that a rename or unlink in it survives a power loss.
[[nodiscard]] inline result<void> sync_directory(const std::string& directory) {
    unique_fd fd(open_retrying(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return system_failure(errno, "opening the directory \"" + directory + "\" to sync it");
    if (::fsync(fd.get()) != 0 && errno != EINVAL) {
        return system_failure(errno, "syncing the directory \"" + directory + "\"");
    }
    return {};
}

/// The prefix of every temporary file `replace_file_atomically` creates. A temporary file that
/// is still there while no writer holds the store's lock was left by a writer that died.
inline constexpr std::string_view temporary_prefix = ".tmp-";

/// Makes temporary names unique within a process; O_EXCL guards against everything else.
inline std::atomic<unsigned> temporary_counter{0};

/// Replaces (or creates) `directory/name` with `bytes`, atomically and durably: the bytes go to
/// a new temporary file in the same directory (created exclusively with mode 0600, then
/// fchmod-ed to 0600 whatever the umask), which is fsync-ed, closed and renamed over `name`;
/// then the directory is fsync-ed. A reader opening `name` at any moment gets either the whole
/// old file or the whole new one. On failure the temporary file is removed and `name` is
/// unchanged.
[[nodiscard]] inline result<void> replace_file_atomically(const std::string& directory, std::string_view name,
                                                          std::string_view bytes) {
    const std::string target = join_path(directory, name);
    std::string temp;
    unique_fd fd;
    for (int attempt = 0; !fd; ++attempt) {
        temp = join_path(directory, std::string(temporary_prefix) + std::to_string(::getpid()) + "-" +
                                        std::to_string(++temporary_counter) + "-" +
                                        std::string(name));
        fd = unique_fd(open_retrying(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                                     private_file_mode));
        if (!fd && (errno != EEXIST || attempt > 100)) {
            return system_failure(errno, "creating the temporary file \"" + temp + "\"");
        }
    }
    auto abandon = [&](int err, const std::string& what) {
        fd.reset();
        ::unlink(temp.c_str());
        return system_failure(err, what);
    };
    if (::fchmod(fd.get(), private_file_mode) != 0) return abandon(errno, "setting mode 0600 on \"" + temp + "\"");
    if (int err = write_all(fd.get(), bytes); err != 0) return abandon(err, "writing \"" + temp + "\"");
    if (::fsync(fd.get()) != 0) return abandon(errno, "syncing \"" + temp + "\"");
    if (int err = fd.reset(); err != 0) return abandon(err, "closing \"" + temp + "\"");
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return system_failure(err, "renaming \"" + temp + "\" to \"" + target + "\"");
    }
    return sync_directory(directory);
}

/// Removes `directory/name` and syncs the directory. A file that is already gone is no error.
[[nodiscard]] inline result<void> remove_file_durably(const std::string& directory, std::string_view name) {
    const std::string path = join_path(directory, name);
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) return {};
        return system_failure(errno, "removing \"" + path + "\"");
    }
    return sync_directory(directory);
}

} // namespace mapixx::inline v0::detail

#endif
