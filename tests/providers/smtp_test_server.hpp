// SPDX-License-Identifier: MIT
// Test support for the SMTP transport: a small SMTP server on 127.0.0.1 (its own thread,
// blocking sockets) that offers PIPELINING and AUTH PLAIN/LOGIN, answers 4xx/5xx per recipient
// and drops connections on a plan; and a handle on Debian's aiosmtpd run as a child process.
#ifndef MAPIXX_TESTS_SMTP_TEST_SERVER_HPP
#define MAPIXX_TESTS_SMTP_TEST_SERVER_HPP

#include <mapixx/providers/smtp/detail/base64.hpp>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace smtp_test {

/// One message the server stored: the envelope and the content (dot-stuffing removed).
struct received {
    std::string mail_from;
    std::vector<std::string> rcpts;
    std::string data;
    std::size_t connection = 0;
};

/// How the test server behaves.
struct server_options {
    bool pipelining = true;
    std::vector<std::string> auth;  ///< mechanisms offered ("PLAIN", "LOGIN"); empty: no AUTH
    std::string user;               ///< with `auth`: the credential required before MAIL
    std::string password;
    /// A recipient whose local part starts with "perm" gets 550; with "temp", 450 for its first
    /// `temp_failures` RCPTs, then 250.
    int temp_failures = 1;
    /// Connection n (1-based) is dropped at its unit `drop_plan[n-1]` (every command line is a
    /// unit, and so is each message content); 0 or past the end: no drop. A drop at a content
    /// unit stores the message first (delivered, never acknowledged).
    std::vector<int> drop_plan;
    bool silent = false;  ///< accept, but never send the greeting
};

/// The test server. Serves one connection at a time on its own thread.
class server {
public:
    explicit server(server_options o) : o_(std::move(o)) {
        listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_, 16) != 0) {
            throw std::runtime_error("test SMTP server: cannot listen");
        }
        socklen_t len = sizeof a;
        ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        if (::pipe(stop_) != 0) throw std::runtime_error("pipe");
        thread_ = std::thread([this] { run(); });
    }
    server(const server&) = delete;
    server& operator=(const server&) = delete;
    ~server() {
        char c = 1;
        static_cast<void>(::write(stop_[1], &c, 1));
        thread_.join();
        ::close(listen_);
        ::close(stop_[0]);
        ::close(stop_[1]);
    }

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] std::vector<received> messages() const {
        std::lock_guard g(m_);
        return messages_;
    }
    /// Contents stored at a planned drop (the client never got the 250).
    [[nodiscard]] std::vector<std::string> stored_then_dropped() const {
        std::lock_guard g(m_);
        return stored_dropped_;
    }
    [[nodiscard]] std::size_t connections() const noexcept { return connections_.load(); }
    [[nodiscard]] std::size_t drops() const noexcept { return drops_.load(); }
    /// Every line the server received, and every line it sent, in order ("C: " / "S: ").
    [[nodiscard]] std::vector<std::string> transcript() const {
        std::lock_guard g(m_);
        return transcript_;
    }
    [[nodiscard]] std::size_t auth_successes() const noexcept { return auth_ok_.load(); }

private:
    struct conn {
        int fd;
        std::string in;
        bool closed = false;
    };

    void log(std::string line) {
        std::lock_guard g(m_);
        transcript_.push_back(std::move(line));
    }

    void send(conn& c, const std::string& text) {
        log("S: " + text);
        std::size_t off = 0;
        while (off < text.size()) {
            const ssize_t n = ::send(c.fd, text.data() + off, text.size() - off, MSG_NOSIGNAL);
            if (n <= 0) {
                c.closed = true;
                return;
            }
            off += static_cast<std::size_t>(n);
        }
    }

    /// The next CRLF line (without it), or nullopt when the connection ended or the server stops.
    std::optional<std::string> line(conn& c) {
        for (;;) {
            if (auto p = c.in.find("\r\n"); p != std::string::npos) {
                std::string l = c.in.substr(0, p);
                c.in.erase(0, p + 2);
                return l;
            }
            pollfd fds[2] = {{c.fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
            if (::poll(fds, 2, -1) <= 0) return std::nullopt;
            if (fds[1].revents != 0) return std::nullopt;
            char buf[8192];
            const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
            if (n <= 0) return std::nullopt;
            c.in.append(buf, static_cast<std::size_t>(n));
        }
    }

    void run() {
        for (;;) {
            pollfd fds[2] = {{listen_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
            if (::poll(fds, 2, -1) <= 0) continue;
            if (fds[1].revents != 0) return;
            const int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            const std::size_t n = ++connections_;
            conn c{fd, {}};
            serve(c, n);
            ::close(fd);
        }
    }

    static std::string address_of(const std::string& cmd) {
        const auto lt = cmd.find('<');
        const auto gt = cmd.find('>', lt == std::string::npos ? 0 : lt);
        if (lt == std::string::npos || gt == std::string::npos) return {};
        return cmd.substr(lt + 1, gt - lt - 1);
    }

    static std::string upper(std::string s) {
        for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        return s;
    }

    void serve(conn& c, std::size_t number) {
        const int drop_at = number <= o_.drop_plan.size() ? o_.drop_plan[number - 1] : 0;
        int unit = 0;
        auto dropping = [&] {
            if (drop_at != 0 && ++unit == drop_at) {
                ++drops_;
                return true;
            }
            return false;
        };
        if (o_.silent) {
            while (line(c)) {
            }
            return;
        }
        send(c, "220 test.invalid ESMTP ready\r\n");
        bool authed = o_.auth.empty();
        std::string from;
        bool in_txn = false;
        std::vector<std::string> rcpts;
        while (!c.closed) {
            auto l = line(c);
            if (!l) return;
            log("C: " + *l);
            if (dropping()) return;
            const std::string verb = upper(l->substr(0, l->find(' ')));
            if (verb == "EHLO") {
                std::string r = "250-test.invalid\r\n";
                if (o_.pipelining) r += "250-PIPELINING\r\n";
                r += "250-8BITMIME\r\n250-SIZE 10000000\r\n";
                if (!o_.auth.empty()) {
                    r += "250-AUTH";
                    for (const auto& m : o_.auth) r += " " + m;
                    r += "\r\n";
                }
                r += "250 ENHANCEDSTATUSCODES\r\n";
                send(c, r);
            } else if (verb == "HELO") {
                send(c, "250 test.invalid\r\n");
            } else if (verb == "AUTH") {
                const std::string rest = l->size() > 5 ? l->substr(5) : std::string();
                const std::string mech = upper(rest.substr(0, rest.find(' ')));
                bool ok = false;
                if (mech == "PLAIN") {
                    std::string b64 = rest.find(' ') == std::string::npos ? std::string() : rest.substr(rest.find(' ') + 1);
                    if (b64.empty()) {
                        send(c, "334 \r\n");
                        auto r = line(c);
                        if (!r) return;
                        log("C: " + *r);
                        b64 = *r;
                    }
                    auto d = mapixx::smtp::detail::base64_decode(b64);
                    ok = d && *d == std::string(1, '\0') + o_.user + std::string(1, '\0') + o_.password;
                } else if (mech == "LOGIN") {
                    send(c, "334 VXNlcm5hbWU6\r\n");
                    auto u = line(c);
                    if (!u) return;
                    log("C: " + *u);
                    send(c, "334 UGFzc3dvcmQ6\r\n");
                    auto p = line(c);
                    if (!p) return;
                    log("C: " + *p);
                    auto du = mapixx::smtp::detail::base64_decode(*u);
                    auto dp = mapixx::smtp::detail::base64_decode(*p);
                    ok = du && dp && *du == o_.user && *dp == o_.password;
                } else {
                    send(c, "504 5.5.4 mechanism not offered\r\n");
                    continue;
                }
                if (ok) {
                    authed = true;
                    ++auth_ok_;
                    send(c, "235 2.7.0 authenticated\r\n");
                } else {
                    send(c, "535 5.7.8 bad credentials\r\n");
                }
            } else if (verb == "MAIL") {
                if (!authed) {
                    send(c, "530 5.7.0 authentication required\r\n");
                    continue;
                }
                from = address_of(*l);
                rcpts.clear();
                in_txn = true;
                send(c, "250 2.1.0 ok\r\n");
            } else if (verb == "RCPT") {
                if (!in_txn) {
                    send(c, "503 5.5.1 need MAIL\r\n");
                    continue;
                }
                const std::string a = address_of(*l);
                if (a.rfind("perm", 0) == 0) {
                    send(c, "550 5.1.1 no such user\r\n");
                } else if (a.rfind("temp", 0) == 0 && temp_seen_[a]++ < o_.temp_failures) {
                    send(c, "450 4.2.0 mailbox busy\r\n");
                } else {
                    rcpts.push_back(a);
                    send(c, "250 2.1.5 ok\r\n");
                }
            } else if (verb == "DATA") {
                if (!in_txn || rcpts.empty()) {
                    send(c, "554 5.5.1 no valid recipients\r\n");
                    continue;
                }
                send(c, "354 go ahead\r\n");
                std::string data;
                for (;;) {
                    auto d = line(c);
                    if (!d) return;
                    if (*d == ".") break;
                    data += (!d->empty() && (*d)[0] == '.') ? d->substr(1) : *d;
                    data += "\r\n";
                }
                log("C: <content of " + std::to_string(data.size()) + " bytes>");
                {
                    std::lock_guard g(m_);
                    messages_.push_back(received{from, rcpts, data, number});
                }
                in_txn = false;
                rcpts.clear();
                if (dropping()) {
                    std::lock_guard g(m_);
                    stored_dropped_.push_back(data);
                    return;
                }
                send(c, "250 2.0.0 queued\r\n");
            } else if (verb == "RSET") {
                in_txn = false;
                rcpts.clear();
                send(c, "250 2.0.0 ok\r\n");
            } else if (verb == "NOOP") {
                send(c, "250 2.0.0 ok\r\n");
            } else if (verb == "QUIT") {
                send(c, "221 2.0.0 bye\r\n");
                return;
            } else {
                send(c, "500 5.5.2 unknown command\r\n");
            }
        }
    }

    server_options o_;
    int listen_ = -1;
    int stop_[2] = {-1, -1};
    std::uint16_t port_ = 0;
    std::thread thread_;
    mutable std::mutex m_;
    std::vector<received> messages_;
    std::vector<std::string> stored_dropped_;
    std::vector<std::string> transcript_;
    std::map<std::string, int> temp_seen_;
    std::atomic<std::size_t> connections_{0};
    std::atomic<std::size_t> drops_{0};
    std::atomic<std::size_t> auth_ok_{0};
};

/// A free TCP port on 127.0.0.1 (bound, read, released: another program could take it between).
inline std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

/// True once something accepts TCP connections on 127.0.0.1:`port`.
inline bool accepts(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

/// Debian's aiosmtpd storing into a Maildir, as a child process; killed by the destructor.
class aiosmtpd {
public:
    static constexpr const char* python = "/usr/bin/python3";

    /// True if Debian's python3 has the aiosmtpd module.
    static bool available() {
        return std::filesystem::exists(python) &&
               std::system("/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1") == 0;
    }

    aiosmtpd(std::uint16_t port, std::filesystem::path dir) : port_(port), dir_(std::move(dir)) { start(); }
    aiosmtpd(const aiosmtpd&) = delete;
    aiosmtpd& operator=(const aiosmtpd&) = delete;
    ~aiosmtpd() { stop(); }

    /// Starts the server and waits (at most 10 s) until it accepts connections.
    bool start() {
        if (pid_ > 0) return true;
        const std::string listen = "127.0.0.1:" + std::to_string(port_);
        const std::string dir = dir_.string();
        pid_ = ::fork();
        if (pid_ == 0) {
            const int null = ::open("/dev/null", O_WRONLY);
            if (null >= 0) {
                ::dup2(null, 1);
                ::dup2(null, 2);
            }
            ::execl(python, python, "-m", "aiosmtpd", "-n", "-l", listen.c_str(), "-c", "aiosmtpd.handlers.Mailbox",
                    dir.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        for (int i = 0; i < 1000; ++i) {
            if (accepts(port_)) return true;
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds{10});
        }
        return false;
    }
    /// Kills the server at once (SIGKILL: no goodbye to connected clients).
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    [[nodiscard]] bool running() const noexcept { return pid_ > 0; }

private:
    std::uint16_t port_;
    std::filesystem::path dir_;
    pid_t pid_ = -1;
};

} // namespace smtp_test

#endif
