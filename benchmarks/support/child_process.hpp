// SPDX-License-Identifier: MIT
/// \file
/// Running the peer programs of the SMTP benchmarks (postfix's `smtp-sink` and `smtp-source`):
/// finding them, starting them with posix_spawn, waiting for them, and a free TCP port on
/// 127.0.0.1. POSIX only; elsewhere `available()` is false and the SMTP benchmarks say so.
#ifndef MAPIXX_BENCH_CHILD_PROCESS_HPP_INCLUDED
#define MAPIXX_BENCH_CHILD_PROCESS_HPP_INCLUDED

#if defined(__unix__) || defined(__APPLE__)
#define MAPIXX_BENCH_HAVE_POSIX 1
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#else
#define MAPIXX_BENCH_HAVE_POSIX 0
#endif

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#if MAPIXX_BENCH_HAVE_POSIX
extern char** environ;
#endif

namespace mapixx_bench::child {

/// The first of `candidates` that is an executable file, or "".
inline std::string find_program(const std::vector<std::string>& candidates)
{
#if MAPIXX_BENCH_HAVE_POSIX
    for (const auto& c : candidates) {
        if (::access(c.c_str(), X_OK) == 0) {
            return c;
        }
    }
#endif
    static_cast<void>(candidates);
    return {};
}

/// A child process; the destructor sends SIGTERM and reaps it if it still runs.
class process {
public:
    process() = default;
    process(const process&) = delete;
    process& operator=(const process&) = delete;
    ~process() { stop(); }

    /// Starts `argv[0]` with `argv`; its stdout and stderr go to `output` (a file, truncated)
    /// or /dev/null if empty. False if it could not be started.
    bool start(const std::vector<std::string>& argv, const std::string& output = {})
    {
#if MAPIXX_BENCH_HAVE_POSIX
        std::vector<char*> args;
        for (const auto& a : argv) {
            args.push_back(const_cast<char*>(a.c_str()));
        }
        args.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        ::posix_spawn_file_actions_init(&actions);
        const std::string out = output.empty() ? std::string("/dev/null") : output;
        ::posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::posix_spawn_file_actions_adddup2(&actions, 1, 2);
        ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        pid_t pid = -1;
        const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
        ::posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            return false;
        }
        pid_ = pid;
        return true;
#else
        static_cast<void>(argv);
        static_cast<void>(output);
        return false;
#endif
    }

    /// Waits for the child to exit; its exit status (128 + signal if killed), or -1.
    int wait()
    {
#if MAPIXX_BENCH_HAVE_POSIX
        if (pid_ <= 0) {
            return -1;
        }
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0) {
        }
        pid_ = -1;
        if (WIFEXITED(status)) {
            return WEXITSTATUS(status);
        }
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
#else
        return -1;
#endif
    }

    /// SIGTERM and reap (nothing if it is not running).
    void stop()
    {
#if MAPIXX_BENCH_HAVE_POSIX
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            static_cast<void>(wait());
        }
#endif
    }

    [[nodiscard]] bool running() const noexcept { return pid_ > 0; }

private:
#if MAPIXX_BENCH_HAVE_POSIX
    pid_t pid_ = -1;
#endif
};

/// A TCP port on 127.0.0.1 that was free a moment ago (0 if none was found).
inline std::uint16_t free_port()
{
#if MAPIXX_BENCH_HAVE_POSIX
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return 0;
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
        port = ntohs(a.sin_port);
    }
    ::close(fd);
    return port;
#else
    return 0;
#endif
}

/// True once something accepts connections on 127.0.0.1:`port` (tries for `limit`).
inline bool wait_listening(std::uint16_t port, std::chrono::milliseconds limit)
{
#if MAPIXX_BENCH_HAVE_POSIX
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        ::close(fd);
        if (ok) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
#else
    static_cast<void>(port);
    static_cast<void>(limit);
#endif
    return false;
}

/// The whole content of a file ("" if unreadable).
inline std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// True if this process runs as root (smtp-sink then needs `-u user`).
inline bool is_root()
{
#if MAPIXX_BENCH_HAVE_POSIX
    return ::geteuid() == 0;
#else
    return false;
#endif
}

} // namespace mapixx_bench::child
#endif
