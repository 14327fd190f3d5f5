// SPDX-License-Identifier: MIT
// Helpers shared by the tests of the service layer (tests/service/*.cpp).
#ifndef MAPIXX_TESTS_SERVICE_SERVICE_TEST_HELPERS_HPP_INCLUDED
#define MAPIXX_TESTS_SERVICE_SERVICE_TEST_HELPERS_HPP_INCLUDED

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>

#include <csignal>

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mapixx_service_test {

/// The wait that only guards against a hang: a broken implementation fails the test after
/// this long instead of blocking ctest. Never an assertion about speed.
inline constexpr std::chrono::milliseconds hang_guard{10'000};

/// How many descriptors the process has open now (entries of /proc/self/fd; the directory
/// handle used to read it is counted every time, so differences are exact).
inline std::size_t open_descriptor_count()
{
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator{"/proc/self/fd"}) {
        ++n;
    }
    return n;
}

/// How a child process ended, and what it wrote to stderr.
struct child_outcome {
    bool exited = false;      ///< it returned or called _exit
    int exit_code = -1;       ///< if exited
    bool signalled = false;   ///< it was killed by a signal
    int signal = 0;           ///< if signalled
    std::string stderr_text;  ///< everything it wrote to stderr
};

/// Runs `body` in a forked child (stderr captured) and reports how the child ended. For
/// contract tests: a broken precondition must abort. The child ends with _exit(0) if `body`
/// returns.
template <class Body>
child_outcome run_in_child(Body body)
{
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) {
        return {};
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        // The test framework's crash handler would report the expected abort as a failure.
        ::signal(SIGABRT, SIG_DFL);
        const int null_fd = ::open("/dev/null", O_WRONLY);
        if (null_fd >= 0) {
            ::dup2(null_fd, 1);
        }
        ::dup2(pipe_fds[1], 2);
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        body();
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    child_outcome outcome;
    char buffer[512];
    for (;;) {
        const ssize_t got = ::read(pipe_fds[0], buffer, sizeof buffer);
        if (got <= 0) {
            break;
        }
        outcome.stderr_text.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(pipe_fds[0]);
    int status = 0;
    if (pid > 0 && ::waitpid(pid, &status, 0) == pid) {
        outcome.exited = WIFEXITED(status);
        outcome.exit_code = outcome.exited ? WEXITSTATUS(status) : -1;
        outcome.signalled = WIFSIGNALED(status);
        outcome.signal = outcome.signalled ? WTERMSIG(status) : 0;
    }
    return outcome;
}

} // namespace mapixx_service_test

#endif
