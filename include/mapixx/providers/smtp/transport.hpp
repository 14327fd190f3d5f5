// SPDX-License-Identifier: MIT
/// \file
/// `smtp_transport`: a transport provider (DLL name "mxxsmtp", address type "SMTP") that sends
/// the spooler's outbound messages to an SMTP server, driving the sans-I/O `smtp::client` over a
/// non-blocking TCP connection whose every wait is a `co_await` on the spooler's reactor
/// (docs/smtp.md section 7).
///
/// The socket code needs POSIX sockets (`MAPIXX_SMTP_HAS_SOCKETS` is 1 on Unix-like systems).
/// Elsewhere the header still compiles and the transport logs on, but every message is answered
/// with `network_error` and a sentence saying that this build has no socket layer.
#ifndef MAPIXX_PROVIDERS_SMTP_TRANSPORT_HPP_INCLUDED
#define MAPIXX_PROVIDERS_SMTP_TRANSPORT_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_context.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/providers/detail/rfc5322.hpp>
#include <mapixx/providers/smtp/client.hpp>
#include <mapixx/providers/smtp/credential.hpp>
#include <mapixx/providers/smtp/detail/secret.hpp>
#include <mapixx/providers/smtp/reply.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#define MAPIXX_SMTP_HAS_SOCKETS 1
#else
#define MAPIXX_SMTP_HAS_SOCKETS 0
#endif

#if MAPIXX_SMTP_HAS_SOCKETS
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace mapixx::inline v0 {

// ---- profile properties ---------------------------------------------------------------------

/// SMTP server host name or address literal (PT_STRING8/PT_UNICODE, id 0x6600). Required: a
/// provider without one logs on with `unconfigured`.
inline constexpr prop_tag smtp_server_tag{0x6600, prop_type::unicode};
/// SMTP server port (PT_LONG, id 0x6601); default 25.
inline constexpr prop_tag smtp_port_tag{0x6601, prop_type::i4};
/// User name for AUTH (PT_STRING8/PT_UNICODE, id 0x6602). Without one the transport does not
/// authenticate.
inline constexpr prop_tag smtp_user_tag{0x6602, prop_type::unicode};
/// The EHLO/HELO name of this host (PT_STRING8/PT_UNICODE, id 0x6603); default "localhost".
inline constexpr prop_tag smtp_client_name_tag{0x6603, prop_type::unicode};
/// Connect timeout in seconds (PT_LONG, id 0x6604); default 30. Covers name resolution and the
/// TCP handshake.
inline constexpr prop_tag smtp_connect_timeout_tag{0x6604, prop_type::i4};
/// Reply timeout in seconds (PT_LONG, id 0x6605). 0 or absent: the waits RFC 5321 section
/// 4.5.3.2 recommends for each command (`smtp::reply_timeout`); the same value bounds each
/// write.
inline constexpr prop_tag smtp_command_timeout_tag{0x6605, prop_type::i4};
/// Seconds before a message is offered again after a 4xx reply or a lost connection (PT_LONG,
/// id 0x6606); default 60, at least 1.
inline constexpr prop_tag smtp_retry_delay_tag{0x6606, prop_type::i4};
/// The reverse path (MAIL FROM) for messages without an SMTP sender address (PT_STRING8/
/// PT_UNICODE, id 0x6607); also written as the From header field then.
inline constexpr prop_tag smtp_sender_tag{0x6607, prop_type::unicode};
/// The entry id of the store this transport is tightly coupled to (PT_BINARY, id 0x6608). A
/// provider whose PR_RESOURCE_FLAGS has STATUS_OWN_STORE publishes it as PR_OWN_STORE_ENTRYID in
/// its status row (rule 65); without it, the 16 bytes of its message service's uid are
/// published (the store of the same service).
inline constexpr prop_tag smtp_own_store_tag{0x6608, prop_type::binary};
/// Use PIPELINING when the server offers it (PT_BOOLEAN, id 0x6609); default TRUE.
inline constexpr prop_tag smtp_pipelining_tag{0x6609, prop_type::boolean};
/// The AUTH mechanism, "PLAIN" or "LOGIN" (PT_STRING8/PT_UNICODE, id 0x660A); absent: PLAIN
/// when the server offers it, else LOGIN.
inline constexpr prop_tag smtp_mechanism_tag{0x660A, prop_type::unicode};
/// The password for AUTH (PT_STRING8/PT_UNICODE, id 0x67F0, in the secure range 0x67F0-0x67FF
/// that is never printed or logged). Read from the provider's section, else its service's.
inline constexpr prop_tag smtp_password_tag{0x67F0, prop_type::unicode};

namespace smtp {

/// A secret string shared by copies of the options that hold it: one heap copy, wiped when the
/// last holder goes (`detail::secret_bytes`). Never printed.
class shared_secret {
public:
    /// No secret.
    shared_secret() noexcept = default;
    /// Copies `text` (the caller wipes its own copy).
    explicit shared_secret(std::string_view text)
        : bytes_(text.empty() ? nullptr : std::make_shared<const detail::secret_bytes>(text)) {}
    /// The secret (empty when none).
    [[nodiscard]] std::string_view view() const noexcept { return bytes_ ? bytes_->view() : std::string_view{}; }
    /// True without a secret.
    [[nodiscard]] bool empty() const noexcept { return view().empty(); }

private:
    std::shared_ptr<const detail::secret_bytes> bytes_;
};

/// How an `smtp_transport_logon` works: the profile properties above, read by
/// `read_transport_options`, or filled in by a program that runs the transport without a
/// profile (`smtp_xp_provider`).
struct transport_options {
    std::string host;                            ///< Server host name or IP address.
    std::uint16_t port = 25;                     ///< Server port.
    std::string client_name = "localhost";       ///< EHLO name.
    std::string user;                            ///< AUTH user name; empty: no AUTH.
    shared_secret password;                      ///< AUTH password.
    std::optional<auth_mechanism> mechanism;     ///< Forced mechanism; nullopt: PLAIN, else LOGIN.
    bool use_pipelining = true;                  ///< Pipeline when the server offers it.
    std::string sender;                          ///< Reverse path when a message has no SMTP sender.
    std::chrono::milliseconds connect_timeout{30000};  ///< Name resolution and TCP connect.
    /// Every reply wait and every write; 0: the RFC 5321 value for the command awaited.
    std::chrono::milliseconds command_timeout{0};
    std::chrono::seconds retry_delay{60};        ///< Delay before a 4xx or lost message is retried.
    std::optional<binary> own_store_entryid;     ///< Published as PR_OWN_STORE_ENTRYID when set.
    std::string display_name = "SMTP";           ///< PR_DISPLAY_NAME of the status row.
    /// Called with one sentence per event (connections, replies that failed a message, session
    /// failures). Sentences quote server replies and addresses; never a password.
    std::function<void(std::string_view)> log;
};

/// Reads `transport_options` from a provider's profile section, falling back to its message
/// service's section for each property (the bundled MAPISVC.INF keeps the server, port and user
/// in the service section). `unconfigured` when no server is set, or when a value is out of
/// range (a port outside 1-65535, a negative timeout, an unknown mechanism); the sentence names
/// the property, never the password.
[[nodiscard]] inline result<transport_options> read_transport_options(const property_bag& provider_section,
                                                                      const property_bag& service_section) {
    auto str = [&](prop_tag tag) -> std::optional<std::string_view> {
        if (auto v = provider_section.get_string(tag)) return v;
        return service_section.get_string(tag);
    };
    auto num = [&](prop_tag tag) -> std::optional<std::int32_t> {
        if (auto v = provider_section.get_i4(tag)) return v;
        return service_section.get_i4(tag);
    };
    auto bad = [](prop_tag tag, std::string why) {
        return fail(scode::unconfigured, "the SMTP transport's property " + to_string(tag) + " " + std::move(why),
                    std::string(component));
    };
    transport_options o;
    auto host = str(smtp_server_tag);
    if (!host || host->empty()) {
        return fail(scode::unconfigured,
                    "the SMTP transport has no server: set " + to_string(smtp_server_tag) +
                        " in its profile section or its message service's",
                    std::string(component));
    }
    o.host = std::string(*host);
    if (auto p = num(smtp_port_tag)) {
        if (*p < 1 || *p > 65535) return bad(smtp_port_tag, "is " + std::to_string(*p) + ", not a TCP port (1-65535)");
        o.port = static_cast<std::uint16_t>(*p);
    }
    if (auto v = str(smtp_client_name_tag); v && !v->empty()) o.client_name = std::string(*v);
    if (auto v = str(smtp_user_tag)) o.user = std::string(*v);
    if (auto v = str(smtp_password_tag)) o.password = shared_secret(*v);
    if (auto v = str(smtp_sender_tag)) o.sender = std::string(*v);
    if (auto v = num(smtp_connect_timeout_tag)) {
        if (*v <= 0) return bad(smtp_connect_timeout_tag, "must be a positive number of seconds");
        o.connect_timeout = std::chrono::seconds{*v};
    }
    if (auto v = num(smtp_command_timeout_tag)) {
        if (*v < 0) return bad(smtp_command_timeout_tag, "must not be negative");
        o.command_timeout = std::chrono::seconds{*v};
    }
    if (auto v = num(smtp_retry_delay_tag)) {
        if (*v < 1) return bad(smtp_retry_delay_tag, "must be at least 1 second");
        o.retry_delay = std::chrono::seconds{*v};
    }
    if (const binary* b = provider_section.get_binary(smtp_own_store_tag)) {
        o.own_store_entryid = *b;
    } else if (const binary* s = service_section.get_binary(smtp_own_store_tag)) {
        o.own_store_entryid = *s;
    }
    if (auto v = provider_section.get_bool(smtp_pipelining_tag)) {
        o.use_pipelining = *v;
    } else if (auto w = service_section.get_bool(smtp_pipelining_tag)) {
        o.use_pipelining = *w;
    }
    if (auto v = str(smtp_mechanism_tag); v && !v->empty()) {
        std::string m(*v);
        for (char& c : m) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        if (m == "PLAIN") {
            o.mechanism = auth_mechanism::plain;
        } else if (m == "LOGIN") {
            o.mechanism = auth_mechanism::login;
        } else {
            return bad(smtp_mechanism_tag, "names \"" + detail::printable(m, 40) + "\"; only PLAIN and LOGIN are spoken");
        }
    }
    if (auto v = provider_section.get_string(pr::display_name); v && !v->empty()) o.display_name = std::string(*v);
    return o;
}

namespace detail {

/// Removes every `X-MAPI-` header field (with its continuation lines) from the header of an
/// RFC 5322 message: the Maildir writer's private block, which is not for the Internet.
inline std::string strip_private_fields(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    bool dropping = false;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        end = end == std::string::npos ? text.size() : end + 1;
        const std::string_view line(text.data() + pos, end - pos);
        if (line == "\r\n" || line == "\n") {  // end of the header: the rest is the body
            out.append(text, pos, std::string::npos);
            return out;
        }
        const bool continuation = line.front() == ' ' || line.front() == '\t';
        if (!continuation) {
            dropping = line.size() >= 7 && ::mapixx::detail::mime::iequals(line.substr(0, 7), "X-MAPI-");
        }
        if (!dropping) out.append(line);
        pos = end;
    }
    return out;
}

/// The DATA content for a message: the Maildir writer's RFC 5322 rendering without Bcc
/// recipients and without its X-MAPI- block (which is never made: nothing is parsed back).
/// `sender` fills in From when the message names no SMTP sender. With attachment rows the
/// content is `multipart/mixed`: the text part first, then one base64 part per row, exactly as
/// the Maildir store writes it; without any it is the single text/plain entity.
inline std::string render_for_smtp(const property_bag& props, const std::vector<property_bag>& recipients,
                                   const std::string& sender, const std::vector<property_bag>& attachments = {}) {
    namespace maildir = ::mapixx::detail::maildir;
    std::string whole;  // the header fields and then the MIME part, in one string
    // Room for a plain message in one piece: the body, and a header of a few lines per recipient.
    whole.reserve(props.get_string(pr::body).value_or(std::string_view{}).size() + 512 + 96 * recipients.size());
    if (!::mapixx::detail::mime::plain_address(props.get_string(pr::sender_email_address).value_or("")) && !sender.empty()) {
        property_bag with_sender = props;  // copied only when the sender must be filled in
        static_cast<void>(with_sender.set(pr::sender_email_address, sender));
        maildir::render_standard_to(whole, whole, with_sender, recipients, attachments, maildir::bcc_field::left_out);
    } else {
        maildir::render_standard_to(whole, whole, props, recipients, attachments, maildir::bcc_field::left_out);
    }
    return whole;
}

/// A coroutine the transport owns and starts itself (the deferral timer): suspended at start
/// and at the end, destroyed by its owner.
struct owned_coroutine {
    struct promise_type {
        owned_coroutine get_return_object() noexcept {
            return owned_coroutine{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() const noexcept { return {}; }
        std::suspend_always final_suspend() const noexcept { return {}; }
        void return_void() const noexcept {}
        void unhandled_exception() const noexcept {}
    };
    std::coroutine_handle<promise_type> handle;
};

#if MAPIXX_SMTP_HAS_SOCKETS
/// The outcome of a name lookup made on a helper thread (getaddrinfo blocks): the addresses,
/// or the error, and a pipe whose read end becomes readable when the lookup is done.
struct lookup_state {
    std::mutex mutex;
    std::vector<std::pair<sockaddr_storage, socklen_t>> addresses;
    int error = 0;
    int read_fd = -1;
    int write_fd = -1;
    ~lookup_state() {
        if (read_fd >= 0) ::close(read_fd);
        if (write_fd >= 0) ::close(write_fd);
    }
};

/// getaddrinfo for a TCP connection to `host`:`port`; `numeric_only` forbids a DNS query.
inline int lookup(const std::string& host, std::uint16_t port, bool numeric_only,
                  std::vector<std::pair<sockaddr_storage, socklen_t>>& out) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (numeric_only ? AI_NUMERICHOST : 0);
    addrinfo* list = nullptr;
    const std::string service = std::to_string(port);
    const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
    if (rc != 0) return rc;
    for (addrinfo* a = list; a != nullptr; a = a->ai_next) {
        if (a->ai_addrlen > sizeof(sockaddr_storage)) continue;
        sockaddr_storage s{};
        std::memcpy(&s, a->ai_addr, a->ai_addrlen);
        out.emplace_back(s, static_cast<socklen_t>(a->ai_addrlen));
    }
    ::freeaddrinfo(list);
    return 0;
}
#endif

} // namespace detail
} // namespace smtp

/// The transport logon of `smtp_transport` (IXPLogon): sends each outbound message over one
/// SMTP connection, reused from message to message.
///
/// - **Address type** "SMTP": the spooler routes it the recipients with PR_ADDRTYPE "SMTP"; the
///   address is PR_EMAIL_ADDRESS. Recipients of type MAPI_BCC are sent to (RCPT TO) and named in
///   no header field.
/// - **Content**: the message rendered by the Maildir store's RFC 5322 writer (header fields,
///   text/plain UTF-8 body) without its private `X-MAPI-` block. A message with attachment rows
///   (`outbound_message::attachments`) goes as `multipart/mixed`: the text part, then one
///   base64 part per row with its MIME type, its file name (quoted, or RFC 2231 when not
///   ASCII) and its Content-ID. A message without PR_INTERNET_MESSAGE_ID gets one (saved, so
///   every retry carries the same).
/// - **I/O**: every connect, write and reply wait is a `co_await` on `support().io()`; the name
///   lookup runs on a helper thread unless the host is an IP address. Without a reactor
///   (`io()` null) the transport answers `network_error`.
/// - **Results per recipient**: accepted recipients get PR_RESPONSIBILITY = TRUE. When every
///   recipient is accepted the message is sent. When every one is refused for good (5xx) the
///   transport returns MAPI_E_CANCEL and the spooler reports them undeliverable. When none is
///   accepted and some failed temporarily (4xx), the message is offered again after
///   `retry_delay` (MAPI_E_WAIT). When some are accepted and others failed, EndMessage answers
///   END_DONT_RESEND with the accepted ones marked, and the transport sends NOTIFY_SENTDEFERRED
///   for the message (at once when only 5xx are left, after `retry_delay` otherwise); the
///   resubmission sends to the remaining recipients only, so a 5xx recipient ends with a
///   non-delivery report and a 4xx recipient is retried, and no accepted recipient receives
///   the message twice.
/// - **Lost connection or timeout**: the message stays queued and is retried after
///   `retry_delay` (MAPI_E_NETWORK_ERROR). The only possible duplicate is a message whose data
///   went out completely and whose final reply never came. A connection reused from an earlier
///   message that turns out to be closed before the server answered anything for this one is
///   replaced at once, without a delay. After a failed connection attempt, messages are
///   answered `network_error` without a new attempt until the delay has passed.
/// - **Status row**: PR_STATUS_CODE (available, outbound enabled/active, failure) and a
///   PR_STATUS_STRING that says what happened last; PR_OWN_STORE_ENTRYID when configured.
class smtp_transport_logon final : public transport_logon {
public:
    /// A logon served by `support` with `options`; publishes its status row.
    smtp_transport_logon(spooler_support& support, smtp::transport_options options)
        : transport_logon(support), options_(std::move(options)),
          server_name_(options_.host + ":" + std::to_string(options_.port)) {
        property_bag row;
        static_cast<void>(row.set(pr::display_name, options_.display_name));
        static_cast<void>(row.set(pr::provider_display, std::string("mapixx SMTP Transport")));
        static_cast<void>(row.set(pr::resource_methods, std::int32_t{0x1 | 0x8}));  // VALIDATE_STATE | FLUSH_QUEUES
        static_cast<void>(row.set(pr::status_code, static_cast<std::int32_t>(status_code::available)));
        static_cast<void>(row.set(pr::status_string, "Ready to send through " + server_name()));
        if (options_.own_store_entryid) static_cast<void>(row.set(pr::own_store_entryid, *options_.own_store_entryid));
        static_cast<void>(support.modify_status_row(row, false));
    }
    smtp_transport_logon(const smtp_transport_logon&) = delete;
    smtp_transport_logon& operator=(const smtp_transport_logon&) = delete;
    /// Closes the connection (without QUIT; `logoff` says goodbye) and stops the deferral timer.
    ~smtp_transport_logon() override {
        stop_waker();
        close_connection();
    }

    /// "SMTP".
    task<address_types_result> address_types() override { co_return address_types_result{{"SMTP"}, {}, false, false}; }

    /// BEGIN/END_OUTBOUND switch STATUS_OUTBOUND_ENABLED; ABORT_DEFERRED forgets the message's
    /// pending NOTIFY_SENTDEFERRED; CANCEL_MESSAGE for the message being sent closes the
    /// connection and makes `submit_message` return `user_cancel`.
    task<result<void>> transport_notify(transport_notify_flags& flags, transport_notify_data data) override {
        if (flags.has(transport_notify::begin_outbound)) {
            static_cast<void>(support().update_status_code(status_code::outbound_enabled));
        }
        if (flags.has(transport_notify::end_outbound)) {
            static_cast<void>(support().update_status_code({}, status_code::outbound_enabled));
        }
        if (flags.has(transport_notify::abort_deferred) && data.entry) deferrals_.erase(*data.entry);
        if (flags.has(transport_notify::cancel_message) && current_ref_ != 0 && data.message_ref == current_ref_) {
            cancel_requested_ = true;
            if (conn_fd_ >= 0 && support().io() != nullptr) static_cast<void>(support().io()->cancel(conn_fd_));
        }
        co_return result<void>{};
    }

    /// SubmitMessage: sends the recipients with PR_RESPONSIBILITY = FALSE (see the class).
    task<submit_result> submit_message(submit_context& ctx) override {
        ctx.message_ref = next_ref_++;
        if (next_ref_ == 0) next_ref_ = 1;
        current_ref_ = ctx.message_ref;
        cancel_requested_ = false;
        submit_result out = co_await submit_body(ctx);
        current_ref_ = 0;
        cancel_requested_ = false;
        out.message_ref = ctx.message_ref;
        co_return out;
    }

    /// EndMessage: sent (0), or END_DONT_RESEND for a message some of whose recipients got a
    /// 4xx reply beside accepted ones: they are left for a resubmission after `retry_delay`
    /// (NOTIFY_SENTDEFERRED follows). Recipients refused for good were marked undeliverable.
    task<result<end_message_flags>> end_message(std::uint32_t message_ref) override {
        auto it = pending_end_.find(message_ref);
        if (it == pending_end_.end()) co_return end_message_flags{};
        const pending_end p = it->second;
        pending_end_.erase(it);
        add_deferral(p.id, p.after);
        co_return end_message_flags{end_message_flag::dont_resend};
    }

    /// ValidateState: FORCE_XP_DISCONNECT closes the connection; the rest succeeds.
    task<result<void>> validate_state(validate_flags f) override {
        if (f.has(validate_flag::force_xp_disconnect)) close_connection();
        co_return result<void>{};
    }

    /// TransportLogoff: QUIT on an idle connection (waiting at most a few seconds), then close.
    task<void> logoff() override {
        stop_waker();
        deferrals_.clear();
        if (conn_fd_ >= 0 && engine_ && engine_->ready() && support().io() != nullptr) {
            if (engine_->quit()) {
                const auto saved = options_.command_timeout;
                options_.command_timeout = std::chrono::milliseconds{(std::min)(saved.count() > 0 ? saved.count() : 5000,
                                                                                std::chrono::milliseconds::rep{5000})};
                static_cast<void>(co_await pump([](const smtp::client& c) {
                    return c.state() == smtp::client_state::closed || c.state() == smtp::client_state::failed;
                }));
                options_.command_timeout = saved;
            }
        }
        close_connection();
        co_return;
    }

    /// The options in use.
    [[nodiscard]] const smtp::transport_options& options() const noexcept { return options_; }
    /// True while a connection is open.
    [[nodiscard]] bool connected() const noexcept { return conn_fd_ >= 0; }
    /// Connections opened so far (successful TCP connects).
    [[nodiscard]] std::size_t connections_opened() const noexcept { return connections_; }
    /// Messages waiting for a NOTIFY_SENTDEFERRED from this transport.
    [[nodiscard]] std::size_t deferred_count() const noexcept { return deferrals_.size(); }

private:
    struct pending_end {
        message_id id{};
        std::chrono::milliseconds after{0};
    };
    using clock_ms = std::chrono::milliseconds;

    // host:port, for status texts and sentences (made once: two status texts name it per message).
    [[nodiscard]] const std::string& server_name() const noexcept { return server_name_; }

    void say(const std::string& sentence) const {
        if (options_.log) options_.log(sentence);
    }

    // Changes the status row: PR_STATUS_CODE gets `add` and loses `remove`, PR_STATUS_STRING
    // becomes `text`. The change goes in a bag kept for it (two status changes per message).
    void status(status_codes add, status_codes remove, const std::string& text) {
        status_codes code = support().status();
        code = code.without(remove) | add;
        static_cast<void>(status_change_.set(pr::status_code, static_cast<std::int32_t>(code.bits())));
        static_cast<void>(status_change_.set(pr::status_string, text));
        static_cast<void>(support().modify_status_row(status_change_, true));
    }

    // "<before><message name><after><server>", in a buffer kept for the status texts that
    // every message sets ("Sending ... through ...", "Sent ... through ...").
    const std::string& per_message_text(std::string_view before, const submit_context& ctx, std::string_view after) {
        text_.assign(before);
        append_message_name(text_, ctx);
        text_.append(after).append(server_name());
        return text_;
    }

    [[nodiscard]] std::uint32_t retry_seconds() const noexcept {
        return static_cast<std::uint32_t>((std::max)(options_.retry_delay.count(), std::chrono::seconds::rep{1}));
    }

    // ---- the message ----------------------------------------------------------------------

    static bool is_smtp_address(std::string_view a) {
        if (a.empty() || a.size() > 256) return false;
        return std::none_of(a.begin(), a.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u < 0x21 || u == 0x7F || c == '<' || c == '>';
        });
    }

    task<submit_result> submit_body(submit_context& ctx) {
        // The recipients that are this transport's.
        std::vector<std::size_t> mine;
        std::vector<std::size_t> bad;
        smtp::envelope env;
        for (std::size_t k = 0; k < ctx.message.recipients.size(); ++k) {
            const property_bag& r = ctx.message.recipients[k];
            if (r.get_bool(pr::responsibility).value_or(false)) continue;
            const std::string_view address = r.get_string(pr::email_address).value_or(std::string_view{});
            if (!is_smtp_address(address)) {
                bad.push_back(k);
                continue;
            }
            mine.push_back(k);
            env.recipients.emplace_back(address);
        }
        if (mine.empty() && bad.empty()) co_return submit_result{scode::success, ctx.message_ref, 0};
        if (mine.empty()) {
            say("message " + message_name(ctx) + ": no recipient has a usable SMTP address; reported undeliverable");
            for (std::size_t k : bad) static_cast<void>(ctx.message.recipients[k].set(pr::report_text, bad_address_reason(ctx, k)));
            co_return submit_result{scode::cancel, ctx.message_ref, 0};
        }
        // A stable Message-ID, so a resend can be recognised.
        if (ctx.message.props.get_string(pr::internet_message_id).value_or("").empty()) {
            std::string id = "<" + uid::generate().to_string() + "@" + options_.client_name + ">";
            static_cast<void>(ctx.message.props.set(pr::internet_message_id, std::move(id)));
            ctx.save_changes();
        }
        const std::string sender(ctx.message.props.get_string(pr::sender_email_address).value_or(""));
        env.reverse_path = is_smtp_address(sender) ? sender : options_.sender;
        env.body = smtp::detail::render_for_smtp(ctx.message.props, ctx.message.recipients, options_.sender,
                                                 ctx.message.attachments);

        spooler_support::io_waiter* io = support().io();
        if (io == nullptr) {
            status({}, {}, "Cannot send: the spooler has no reactor for network I/O");
            co_return submit_result{scode::network_error, ctx.message_ref, retry_seconds()};
        }
        if (down_until_ && io->now() < *down_until_) {
            const auto left = std::chrono::ceil<std::chrono::seconds>(*down_until_ - io->now()).count();
            co_return submit_result{scode::network_error, ctx.message_ref,
                                    static_cast<std::uint32_t>((std::max)(left, std::chrono::seconds::rep{1}))};
        }

        status(status_code::outbound_active, {}, per_message_text("Sending ", ctx, " through "));
        std::optional<smtp::message_result> res;
        std::string why;
        for (int attempt = 0; attempt < 2 && !res; ++attempt) {
            const bool reused = conn_fd_ >= 0 && messages_on_connection_ > 0;
            if (auto c = co_await ensure_connected(); !c) {
                why = c.info().message;
                break;
            }
            auto sent = engine_->send(env);
            if (!sent) {
                // The envelope or content cannot go to this server at all: undeliverable.
                const std::string reason = sent.info().message;
                status({}, status_code::outbound_active, "Last message refused before sending: " + reason);
                say("message " + message_name(ctx) + ": " + reason);
                for (std::size_t k : mine) {
                    static_cast<void>(ctx.message.recipients[k].set(pr::report_text, "the message cannot be sent to " +
                                                                                         server_name() + ": " + reason));
                }
                for (std::size_t k : bad) static_cast<void>(ctx.message.recipients[k].set(pr::report_text, bad_address_reason(ctx, k)));
                co_return submit_result{scode::cancel, ctx.message_ref, 0};
            }
            ++messages_on_connection_;
            auto pumped = co_await pump([](const smtp::client& c) { return c.state() != smtp::client_state::transaction; });
            res = engine_->take_result();
            if (!pumped || !res) {
                why = pumped ? std::string("the SMTP session ended without a result") : pumped.info().message;
                const bool nothing_answered = !res || (res->mail_reply.code == 0 && !res->possibly_delivered);
                close_connection();
                if (cancel_requested_) break;
                if (reused && nothing_answered) {
                    // The server had closed the idle connection: try a fresh one at once.
                    say("the reused connection to " + server_name() + " was closed; opening a new one");
                    res.reset();
                    continue;
                }
            }
        }
        if (cancel_requested_) {
            status({}, status_code::outbound_active, "Message cancelled");
            co_return submit_result{scode::user_cancel, ctx.message_ref, 0};
        }
        if (!res) {
            status(status_code::failure, status_code::outbound_active, "Cannot reach " + server_name() + ": " + why);
            say("message " + message_name(ctx) + " stays queued: " + why);
            co_return submit_result{scode::network_error, ctx.message_ref, retry_seconds()};
        }
        co_return settle(ctx, mine, bad, *res, why);
    }

    // The message's Message-ID, or "#<queue id>" for one without.
    static void append_message_name(std::string& out, const submit_context& ctx) {
        if (const auto id = ctx.message.props.get_string(pr::internet_message_id)) {
            out.append(*id);
        } else {
            out.append("#").append(std::to_string(static_cast<std::uint64_t>(ctx.message.id)));
        }
    }

    [[nodiscard]] static std::string message_name(const submit_context& ctx) {
        std::string name;
        append_message_name(name, ctx);
        return name;
    }

    [[nodiscard]] static std::string bad_address_reason(const submit_context& ctx, std::size_t k) {
        const std::string address(ctx.message.recipients[k].get_string(pr::email_address).value_or(""));
        return "\"" + address + "\" is not a usable SMTP address";
    }

    // What the server said for each recipient. Refused for good: a non-delivery report for
    // those rows with the server's reply (all of them: MAPI_E_CANCEL; some: marked undeliverable
    // beside the accepted ones). Refused for now: the message is retried (none accepted) or
    // deferred for those rows (some accepted; NOTIFY_SENTDEFERRED after `retry_delay`).
    submit_result settle(submit_context& ctx, const std::vector<std::size_t>& mine, const std::vector<std::size_t>& bad,
                         const smtp::message_result& res, const std::string& why) {
        std::size_t accepted = 0;
        std::size_t temporary = 0;
        std::string refused;
        // 503 to MAIL: the server believes a transaction is still open (aiosmtpd does after a
        // failed final reply). That says nothing about the recipients: retry on a new session.
        const bool out_of_step = res.mail_reply.code == 503;
        std::vector<std::pair<std::size_t, std::string>> permanent;  // row, reason
        for (std::size_t k : bad) permanent.emplace_back(k, bad_address_reason(ctx, k));
        for (std::size_t i = 0; i < mine.size() && i < res.recipients.size(); ++i) {
            const smtp::recipient_result& r = res.recipients[i];
            switch (r.status) {
            case smtp::recipient_status::accepted:
                ++accepted;
                static_cast<void>(ctx.message.recipients[mine[i]].set(pr::responsibility, true));
                break;
            case smtp::recipient_status::permanent_failure:
                refused += (refused.empty() ? "" : "; ") + r.address + ": " + smtp::quote(r.response);
                if (out_of_step) {
                    ++temporary;
                } else {
                    permanent.emplace_back(mine[i], server_name() + " refused the recipient: " + smtp::quote(r.response));
                }
                break;
            case smtp::recipient_status::temporary_failure:
                ++temporary;
                refused += (refused.empty() ? "" : "; ") + r.address + ": " +
                           (r.response.code != 0 ? smtp::quote(r.response) : std::string("no reply"));
                break;
            }
        }
        const bool session_failed = engine_ && engine_->state() == smtp::client_state::failed;
        // A refused final reply may leave some servers out of step too: start afresh next time.
        if (session_failed || out_of_step || res.final_reply.code >= 400) close_connection();
        if (temporary == 0 && permanent.empty()) {
            status({}, status_code::outbound_active | status_code::failure, per_message_text("Sent ", ctx, " through "));
            return submit_result{scode::success, ctx.message_ref, 0};
        }
        const std::string name = message_name(ctx);
        say("message " + name + ": " + std::to_string(accepted) + " accepted, " + std::to_string(permanent.size()) +
            " refused for good, " + std::to_string(temporary) + " to retry (" + refused + ")");
        if (accepted == 0 && temporary == 0) {
            for (auto& [k, reason] : permanent) static_cast<void>(ctx.message.recipients[k].set(pr::report_text, reason));
            status({}, status_code::outbound_active, "Undeliverable: " + name);
            return submit_result{scode::cancel, ctx.message_ref, 0};
        }
        if (accepted == 0) {
            const bool lost = session_failed || out_of_step || res.possibly_delivered || !why.empty();
            status({}, status_code::outbound_active,
                   (lost ? "Connection lost while sending " : "Will retry ") + name + " in " +
                       std::to_string(retry_seconds()) + " s");
            return submit_result{lost ? scode::network_error : scode::wait, ctx.message_ref, retry_seconds()};
        }
        // Some accepted: those are done, the refused ones are reported now, and the ones to
        // retry (if any) wait for NOTIFY_SENTDEFERRED.
        for (auto& [k, reason] : permanent) static_cast<void>(ctx.mark_undeliverable(k, std::move(reason)));
        if (temporary > 0) pending_end_[ctx.message_ref] = pending_end{ctx.message.id, clock_ms{options_.retry_delay}};
        status({}, status_code::outbound_active, "Sent " + name + " to part of its recipients");
        return submit_result{scode::success, ctx.message_ref, 0};
    }

    // ---- deferral timer -------------------------------------------------------------------

    void add_deferral(message_id id, clock_ms after) {
        spooler_support::io_waiter* io = support().io();
        if (io == nullptr) return;
        const clock_ms due = io->now() + after;
        deferrals_[id] = due;
        if (waker_.handle && !waker_.handle.done()) {
            // A timer waits already: restart it only when it is pending and would be late.
            if (waker_wait_ == nullptr || !waker_wait_->pending() || due >= waker_deadline_) return;
        }
        stop_waker();
        waker_ = run_waker();
        waker_.handle.resume();  // runs to its first wait, which never ends inline
    }

    void stop_waker() noexcept {
        if (!waker_.handle) return;
        // Destroying is safe when the coroutine has finished or is linked in a pending wait (the
        // wait unlinks itself); one whose wait ended is queued on the scheduler and must run.
        if (waker_.handle.done() || (waker_wait_ != nullptr && waker_wait_->pending())) {
            waker_.handle.destroy();
            waker_.handle = {};
            waker_wait_ = nullptr;
        }
    }

    smtp::detail::owned_coroutine run_waker() {
        for (;;) {
            spooler_support::io_waiter* io = support().io();
            if (deferrals_.empty() || io == nullptr) co_return;
            clock_ms next = deferrals_.begin()->second;
            for (const auto& d : deferrals_) next = (std::min)(next, d.second);
            waker_deadline_ = next;
            auto w = io->sleep_until(next);
            waker_wait_ = &w;
            auto r = co_await w;
            waker_wait_ = nullptr;
            if (!r) co_return;  // cancelled, or the spooler is shutting down
            const clock_ms now = io->now();
            for (auto it = deferrals_.begin(); it != deferrals_.end();) {
                if (it->second <= now) {
                    spooler_notify_data data;
                    data.entry = it->first;
                    static_cast<void>(support().spooler_notify(spooler_notify::sentdeferred, data));
                    it = deferrals_.erase(it);
                } else {
                    ++it;
                }
            }
        }
    }

    // ---- the connection -------------------------------------------------------------------

    void close_connection() noexcept {
#if MAPIXX_SMTP_HAS_SOCKETS
        if (conn_fd_ >= 0) {
            if (spooler_support::io_waiter* io = support().io()) {
                try {
                    static_cast<void>(io->cancel(conn_fd_));
                } catch (...) {
                }
            }
            ::close(conn_fd_);
        }
#endif
        conn_fd_ = -1;
        engine_.reset();
        messages_on_connection_ = 0;
    }

    [[nodiscard]] clock_ms reply_wait(smtp::command c) const {
        if (options_.command_timeout.count() > 0) return options_.command_timeout;
        return std::chrono::duration_cast<clock_ms>(smtp::reply_timeout(c));
    }
    [[nodiscard]] clock_ms write_wait() const {
        if (options_.command_timeout.count() > 0) return options_.command_timeout;
        return std::chrono::duration_cast<clock_ms>(smtp::data_block_timeout);
    }

    /// A ready SMTP session: the open one if it is still usable, else a new connection that has
    /// been through the greeting, EHLO and AUTH.
    task<result<void>> ensure_connected() {
#if MAPIXX_SMTP_HAS_SOCKETS
        if (conn_fd_ >= 0 && engine_ && engine_->ready()) {
            // Anything readable on an idle connection is a 421 or the end of the stream.
            pollfd p{conn_fd_, POLLIN, 0};
            if (::poll(&p, 1, 0) == 0) co_return result<void>{};
            say("the idle connection to " + server_name() + " was closed by the server");
            close_connection();
        }
        close_connection();
        spooler_support::io_waiter* io = support().io();
        const clock_ms start = io->now();
        auto fd = co_await open_socket();
        if (!fd) {
            down_until_ = io->now() + clock_ms{options_.retry_delay};
            co_return std::move(fd).as_failure();
        }
        conn_fd_ = *fd;
        ++connections_;
        std::optional<smtp::credential> cred;
        if (!options_.user.empty()) cred.emplace(options_.user, options_.password.view());
        smtp::client_options co;
        co.client_name = options_.client_name;
        co.use_pipelining = options_.use_pipelining;
        co.mechanism = options_.mechanism;
        auto engine = smtp::client::start(std::move(co), std::move(cred));
        if (!engine) {
            close_connection();
            co_return std::move(engine).as_failure();
        }
        engine_.emplace(std::move(*engine));
        auto opened = co_await pump([](const smtp::client& c) { return c.ready(); });
        if (!opened) {
            close_connection();
            down_until_ = io->now() + clock_ms{options_.retry_delay};
            say("the SMTP session with " + server_name() + " failed: " + opened.info().message);
            co_return opened;
        }
        down_until_.reset();
        static_cast<void>(start);
        say("connected to " + server_name() + (engine_->pipelining() ? " (pipelining)" : ""));
        status({}, status_code::failure, "Connected to " + server_name());
        co_return result<void>{};
#else
        co_return fail(scode::network_error, "this build of mapixx has no socket layer for the SMTP transport",
                       std::string(smtp::component));
#endif
    }

#if MAPIXX_SMTP_HAS_SOCKETS
    [[nodiscard]] failure net_failure(std::string sentence) const {
        return fail(scode::network_error, std::move(sentence), std::string(smtp::component));
    }

    /// Resolves the server and connects a non-blocking socket to the first address that
    /// answers, within `connect_timeout`.
    task<result<int>> open_socket() {
        spooler_support::io_waiter* io = support().io();
        const clock_ms deadline = io->now() + options_.connect_timeout;
        std::vector<std::pair<sockaddr_storage, socklen_t>> addresses;
        if (smtp::detail::lookup(options_.host, options_.port, true, addresses) != 0) {
            addresses.clear();
            auto found = co_await lookup_on_thread(deadline);
            if (!found) co_return std::move(found).as_failure();
            addresses = std::move(*found);
        }
        std::string last = "no address was found for " + options_.host;
        for (const auto& [addr, len] : addresses) {
            const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                last = std::string("socket() failed: ") + std::strerror(errno);
                continue;
            }
            int one = 1;
            static_cast<void>(::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
            if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) == 0) co_return fd;
            if (errno != EINPROGRESS) {
                last = "cannot connect to " + server_name() + ": " + std::strerror(errno);
                ::close(fd);
                continue;
            }
            const clock_ms left = (std::max)(deadline - io->now(), clock_ms{0});
            auto w = io->writable(fd, left);
            auto r = co_await w;
            int err = 0;
            socklen_t err_len = sizeof err;
            if (r && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) == 0 && err == 0) co_return fd;
            static_cast<void>(io->cancel(fd));
            ::close(fd);
            if (!r && r.code() == scode::timeout) {
                co_return net_failure("no connection to " + server_name() + " within " +
                                      std::to_string(options_.connect_timeout.count()) + " ms");
            }
            if (!r && r.code() == scode::end_of_session) co_return r.as_failure();
            last = "cannot connect to " + server_name() + ": " + (err != 0 ? std::strerror(err) : r.info().message);
        }
        co_return net_failure(last);
    }

    /// getaddrinfo on a helper thread; the coroutine waits on a pipe the thread writes to.
    task<result<std::vector<std::pair<sockaddr_storage, socklen_t>>>> lookup_on_thread(clock_ms deadline) {
        spooler_support::io_waiter* io = support().io();
        auto st = std::make_shared<smtp::detail::lookup_state>();
        int fds[2] = {-1, -1};
        if (::pipe(fds) != 0) co_return net_failure(std::string("pipe() failed: ") + std::strerror(errno));
        st->read_fd = fds[0];
        st->write_fd = fds[1];
        static_cast<void>(::fcntl(fds[0], F_SETFL, O_NONBLOCK));
        static_cast<void>(::fcntl(fds[0], F_SETFD, FD_CLOEXEC));
        static_cast<void>(::fcntl(fds[1], F_SETFD, FD_CLOEXEC));
        try {
            std::thread([st, host = options_.host, port = options_.port] {
                std::vector<std::pair<sockaddr_storage, socklen_t>> found;
                const int rc = smtp::detail::lookup(host, port, false, found);
                {
                    std::lock_guard g(st->mutex);
                    st->addresses = std::move(found);
                    st->error = rc;
                }
                const char done = 1;
                static_cast<void>(::write(st->write_fd, &done, 1));
            }).detach();
        } catch (const std::exception& e) {
            co_return net_failure(std::string("cannot start the name lookup: ") + e.what());
        }
        const clock_ms left = (std::max)(deadline - io->now(), clock_ms{0});
        auto w = io->readable(st->read_fd, left);
        auto r = co_await w;
        static_cast<void>(io->cancel(st->read_fd));
        if (!r) {
            if (r.code() == scode::timeout) co_return net_failure("the name " + options_.host + " was not resolved in time");
            co_return r.as_failure();
        }
        std::lock_guard g(st->mutex);
        if (st->error != 0) {
            co_return net_failure("cannot resolve " + options_.host + ": " + ::gai_strerror(st->error));
        }
        co_return std::move(st->addresses);
    }
#endif

    /// Moves bytes between the socket and the engine until `done(engine)` holds or the session
    /// ends. Fails with the engine's failure, or `timeout` / `network_error` (the engine is told
    /// that the connection closed, so a message in progress gets its result).
    template <class Done>
    task<result<void>> pump(Done done) {
#if MAPIXX_SMTP_HAS_SOCKETS
        spooler_support::io_waiter* io = support().io();
        for (;;) {
            // Write everything the engine has.
            while (!engine_->output().empty()) {
                const std::string_view out = engine_->output();
                const ssize_t n = ::send(conn_fd_, out.data(), out.size(), MSG_NOSIGNAL);
                if (n > 0) {
                    engine_->consume(static_cast<std::size_t>(n));
                    continue;
                }
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                    auto w = io->writable(conn_fd_, write_wait());
                    auto r = co_await w;
                    if (!r) co_return lost(r, "writing to");
                    continue;
                }
                const std::string sentence = "writing to " + server_name() + " failed: " + std::strerror(errno);
                engine_->connection_closed();
                co_return net_failure(sentence);
            }
            if (done(*engine_)) co_return result<void>{};
            if (engine_->state() == smtp::client_state::failed) co_return *engine_->error();
            if (engine_->state() == smtp::client_state::closed) {
                co_return net_failure("the SMTP session with " + server_name() + " is closed");
            }
            // Wait for the next reply.
            auto w = io->readable(conn_fd_, reply_wait(engine_->awaiting()));
            auto r = co_await w;
            if (!r) co_return lost(r, "waiting for the reply to " + std::string(smtp::to_string(engine_->awaiting())) + " from");
            for (;;) {
                const ssize_t n = ::recv(conn_fd_, buffer_.data(), buffer_.size(), 0);
                if (n > 0) {
                    static_cast<void>(engine_->feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n))));
                    if (static_cast<std::size_t>(n) < buffer_.size()) break;
                    continue;
                }
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                if (n < 0 && errno == EINTR) continue;
                engine_->connection_closed();  // end of stream or a socket error
                break;
            }
        }
#else
        static_cast<void>(done);
        co_return fail(scode::network_error, "no socket layer", std::string(smtp::component));
#endif
    }

#if MAPIXX_SMTP_HAS_SOCKETS
    /// A wait on the socket ended without success: the connection is given up.
    failure lost(const result<void>& r, const std::string& doing) {
        engine_->connection_closed();
        if (r.code() == scode::timeout) {
            return fail(scode::timeout, "no answer " + doing + " " + server_name() + " in time", std::string(smtp::component));
        }
        if (r.code() == scode::end_of_session) return r.as_failure();
        if (r.code() == scode::cancel && cancel_requested_) {
            return fail(scode::user_cancel, "the message was cancelled", std::string(smtp::component));
        }
        return net_failure("the connection to " + server_name() + " failed " + doing + " it: " + r.info().message);
    }
#endif

    smtp::transport_options options_;
    std::string server_name_;  // options_.host:options_.port
    property_bag status_change_;  // what status() changes, kept for its room
    std::string text_;            // per_message_text's buffer
    int conn_fd_ = -1;
    std::optional<smtp::client> engine_;
    std::size_t messages_on_connection_ = 0;
    std::size_t connections_ = 0;
    std::optional<clock_ms> down_until_;
    std::uint32_t next_ref_ = 1;
    std::uint32_t current_ref_ = 0;
    bool cancel_requested_ = false;
    std::map<std::uint32_t, pending_end> pending_end_;
    std::map<message_id, clock_ms> deferrals_;
    smtp::detail::owned_coroutine waker_{};
    spooler_support::io_wait* waker_wait_ = nullptr;
    clock_ms waker_deadline_{0};
    std::array<char, 16384> buffer_{};
};

/// The SMTP transport provider (DLL name "mxxsmtp"): reads its configuration from the profile
/// (the `smtp_*_tag` properties; the password from the secure `smtp_password_tag`, else the
/// logon's password argument) and logs on an `smtp_transport_logon`. Logon makes no connection:
/// the first message does. A provider whose PR_RESOURCE_FLAGS has STATUS_OWN_STORE is tightly
/// coupled to its store: it publishes PR_OWN_STORE_ENTRYID, and a MAPI_NO_MAIL session (a
/// Windows service) logs it on and sends through it.
///
/// \code
/// providers.add_transport(smtp_transport::dll_name, [] { return std::make_unique<smtp_transport>(); });
/// // service section: smtp_server_tag = "mail.example.org", smtp_port_tag = 587,
/// //                  smtp_user_tag = "me", secure smtp_password_tag = "..."
/// \endcode
class smtp_transport final : public transport_provider {
public:
    /// The name the provider registry knows it by (PR_PROVIDER_DLL_NAME, without "32").
    static constexpr std::string_view dll_name = "mxxsmtp";

    /// A provider; `log`, when set, gets the logons' event sentences.
    explicit smtp_transport(std::function<void(std::string_view)> log = {}) : log_(std::move(log)) {}

    /// Reads the options and logs on. `unconfigured` without a server (rule 30).
    /// An SMTP transport waits on its socket: the session gives its spooler a reactor.
    [[nodiscard]] bool uses_reactor() const noexcept override { return true; }

    task<result<std::unique_ptr<transport_logon>>> logon(provider_context& ctx) override {
        if (ctx.spooler == nullptr) {
            co_return fail(scode::call_failed, "the SMTP transport was logged on without a spooler support",
                           std::string(smtp::component));
        }
        auto o = smtp::read_transport_options(ctx.section.props(), ctx.service_section);
        if (!o) co_return std::move(o).as_failure();
        if (o->password.empty() && !o->user.empty() && ctx.credential && !ctx.credential->empty()) {
            o->password = smtp::shared_secret(*ctx.credential);
        }
        if (o->display_name == "SMTP" && !ctx.provider.display_name.empty()) o->display_name = ctx.provider.display_name;
        if (ctx.provider.flags.has(resource_flag::own_store) && !o->own_store_entryid) {
            o->own_store_entryid = binary(ctx.service.service_uid.bytes.begin(), ctx.service.service_uid.bytes.end());
        }
        if (!ctx.provider.flags.has(resource_flag::own_store)) o->own_store_entryid.reset();
        o->log = log_;
        co_return std::unique_ptr<transport_logon>(std::make_unique<smtp_transport_logon>(*ctx.spooler, std::move(*o)));
    }

private:
    std::function<void(std::string_view)> log_;
};

/// The SMTP transport as the spooler's own provider (IXPProvider), for running it in a
/// `spooler` without a session (tools, tests): every logon gets a copy of `options`.
class smtp_xp_provider final : public xp_provider {
public:
    /// A provider whose logons use `options`.
    explicit smtp_xp_provider(smtp::transport_options options) : options_(std::move(options)) {}

    /// Logs on (no connection is made until the first message). The last logon is `last()`.
    task<result<xp_logon_result>> transport_logon(spooler_support& support, transport_logon_flags) override {
        auto l = std::make_unique<smtp_transport_logon>(support, options_);
        last_ = l.get();
        co_return xp_logon_result{std::move(l), {}};
    }

    /// The latest logon made (owned by the spooler), or null.
    [[nodiscard]] smtp_transport_logon* last() const noexcept { return last_; }
    /// The options given to each logon.
    [[nodiscard]] smtp::transport_options& options() noexcept { return options_; }

private:
    smtp::transport_options options_;
    smtp_transport_logon* last_ = nullptr;
};

} // namespace mapixx::inline v0

#endif
