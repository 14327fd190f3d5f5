// SPDX-License-Identifier: MIT
/// \file
/// `smtp::client`: a sans-I/O SMTP client engine (RFC 5321 client side, with AUTH PLAIN and
/// LOGIN, SIZE, 8BITMIME, SMTPUTF8 and PIPELINING). It reads the bytes a transport received and
/// produces the bytes it must send; it never touches a socket.
#ifndef MAPIXX_PROVIDERS_SMTP_CLIENT_HPP_INCLUDED
#define MAPIXX_PROVIDERS_SMTP_CLIENT_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/providers/smtp/capabilities.hpp>
#include <mapixx/providers/smtp/credential.hpp>
#include <mapixx/providers/smtp/detail/base64.hpp>
#include <mapixx/providers/smtp/detail/body.hpp>
#include <mapixx/providers/smtp/detail/secret.hpp>
#include <mapixx/providers/smtp/reply.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {
namespace smtp {

/// The SASL mechanisms the engine speaks (RFC 4954 with RFC 4616 PLAIN, and LOGIN).
enum class auth_mechanism {
    plain,  ///< AUTH PLAIN with an initial response: base64("\0user\0password").
    login,  ///< AUTH LOGIN: base64(user) and base64(password) after two 334 challenges.
};

/// How a `client` behaves.
struct client_options {
    /// The EHLO/HELO argument: this host's domain name or an address literal ("[192.0.2.1]").
    std::string client_name = "localhost";
    /// Pipeline MAIL, RCPT and DATA (RFC 2920) when the server offers PIPELINING.
    bool use_pipelining = true;
    /// Send a body with 8-bit bytes to a server that does not offer 8BITMIME (RFC 6152 says
    /// not to; the default refuses such a message with `no_support`).
    bool allow_8bit_without_8bitmime = false;
    /// The AUTH mechanism to use; nullopt: PLAIN when offered, else LOGIN.
    std::optional<auth_mechanism> mechanism;
    /// Limits of the reply parser.
    reply_limits limits{};
};

/// Where a `client` is.
enum class client_state {
    greeting,        ///< Connected; waiting for the server's 220.
    hello,           ///< EHLO (or HELO) sent.
    authenticating,  ///< AUTH exchange in progress.
    ready,           ///< Idle: `send()` a message or `quit()`.
    transaction,     ///< A message is in progress; its `message_result` comes when it ends.
    quitting,        ///< QUIT sent.
    closed,          ///< The session ended normally (QUIT answered, or the server closed after it).
    failed,          ///< The session is over: `error()` says why. Send what `output()` holds, then close.
};

/// `"ready"`, ...
[[nodiscard]] constexpr std::string_view to_string(client_state s) noexcept {
    switch (s) {
    case client_state::greeting: return "waiting for the greeting";
    case client_state::hello: return "saying EHLO";
    case client_state::authenticating: return "authenticating";
    case client_state::ready: return "ready";
    case client_state::transaction: return "sending a message";
    case client_state::quitting: return "quitting";
    case client_state::closed: return "closed";
    case client_state::failed: return "failed";
    }
    return "unknown";
}

/// What a reply answers: the command sent (or the greeting).
enum class command {
    none,           ///< Nothing is awaited.
    greeting,       ///< The 220 at connection.
    ehlo,           ///< EHLO.
    helo,           ///< HELO (after EHLO was refused).
    auth,           ///< AUTH PLAIN / AUTH LOGIN.
    auth_response,  ///< A response to a 334 challenge.
    mail,           ///< MAIL FROM.
    rcpt,           ///< RCPT TO.
    data,           ///< DATA.
    end_of_data,    ///< The content and its ".".
    rset,           ///< RSET.
    quit,           ///< QUIT.
};

/// `"MAIL FROM"`, ...
[[nodiscard]] constexpr std::string_view to_string(command c) noexcept {
    switch (c) {
    case command::none: return "nothing";
    case command::greeting: return "the greeting";
    case command::ehlo: return "EHLO";
    case command::helo: return "HELO";
    case command::auth: return "AUTH";
    case command::auth_response: return "an AUTH response";
    case command::mail: return "MAIL FROM";
    case command::rcpt: return "RCPT TO";
    case command::data: return "DATA";
    case command::end_of_data: return "the end of the message data";
    case command::rset: return "RSET";
    case command::quit: return "QUIT";
    }
    return "unknown";
}

/// How long a client should wait for the reply to `c`, after RFC 5321 section 4.5.3.2 (5
/// minutes in general, 2 for the 354 to DATA, 10 for the reply after the message data). A
/// transport also waits at most 3 minutes for each write of the data (`data_block_timeout`).
[[nodiscard]] constexpr std::chrono::seconds reply_timeout(command c) noexcept {
    using std::chrono::minutes;
    switch (c) {
    case command::none: return std::chrono::seconds{0};
    case command::data: return minutes{2};
    case command::end_of_data: return minutes{10};
    default: return minutes{5};
    }
}
/// The longest wait for one write of the message data (RFC 5321 section 4.5.3.2.5).
inline constexpr std::chrono::seconds data_block_timeout = std::chrono::minutes{3};

/// A message to send: the envelope and the content.
struct envelope {
    std::string reverse_path;             ///< MAIL FROM address without <>; empty for the null sender.
    std::vector<std::string> recipients;  ///< RCPT TO addresses without <>, at least one.
    std::string body;                     ///< Header and body (RFC 5322); any line ends; not yet dot-stuffed.
};

/// What happened to one recipient.
enum class recipient_status {
    accepted,           ///< The server took responsibility for delivery (2xx to RCPT and to the data).
    temporary_failure,  ///< 4xx, or no reply (connection lost): send again later.
    permanent_failure,  ///< 5xx: do not send again (a non-delivery report is due).
};

/// One recipient's result: its address, its status, and the reply that decided it (the RCPT
/// reply, or the reply to MAIL, DATA or the data that failed it; empty when none came).
struct recipient_result {
    std::string address;
    recipient_status status = recipient_status::temporary_failure;
    reply response;
};

/// The outcome of one message.
enum class message_outcome {
    sent,               ///< At least one recipient accepted (others may have failed: see each).
    temporary_failure,  ///< None accepted and at least one failed temporarily: resend later.
    permanent_failure,  ///< Every recipient failed permanently.
};

/// The result of one `send()`: the outcome, each recipient, and the replies of the transaction.
struct message_result {
    message_outcome outcome = message_outcome::temporary_failure;
    std::vector<recipient_result> recipients;  ///< In the envelope's order.
    reply mail_reply;                          ///< The reply to MAIL FROM (empty if none came).
    reply data_reply;                          ///< The reply to DATA (empty if DATA was not sent or not answered).
    reply final_reply;                         ///< The reply after the data (empty if none came).
    /// The data was sent completely but the reply after it never came (connection lost or 421):
    /// the server may have delivered the message, so a resend may duplicate it.
    bool possibly_delivered = false;

    /// How many recipients have `status`.
    [[nodiscard]] std::size_t count(recipient_status status) const noexcept {
        return static_cast<std::size_t>(std::count_if(recipients.begin(), recipients.end(),
                                                      [&](const recipient_result& r) { return r.status == status; }));
    }
};

namespace detail {
/// A command whose reply is due (`index`: the recipient, for RCPT).
struct pending_reply {
    command cmd = command::none;
    std::size_t index = 0;
};
/// The message in progress.
struct transaction_state {
    message_result res;
    std::string wire;         ///< The prepared content, until it is sent.
    bool pipelined = false;
    bool mail_ok = false;     ///< MAIL FROM was accepted: the server holds a transaction.
    bool body_sent = false;   ///< The content went out; its reply has not come.
    bool empty_data = false;  ///< A lone "." answered a 354 with no recipient accepted.
};
} // namespace detail

/// A sans-I/O SMTP client session (RFC 5321 client side). Use:
///
/// \code
/// auto c = smtp::client::start({.client_name = "host.example"}, smtp::credential{"me", password});
/// // connected: read, c->feed(bytes); write c->output(), c->consume(n) for what was written;
/// // until c->state() is ready (or failed: c->error()).
/// c->send({"me@example.org", {"you@example.net"}, text});
/// // shuttle bytes until c->take_result() gives the message_result; send more; then
/// c->quit();  // shuttle until closed
/// \endcode
///
/// The engine writes EHLO after the 220 greeting (HELO when EHLO gets 500, 501, 502 or 504),
/// authenticates when it was given a credential, and then takes messages one at a time:
/// MAIL FROM (with SIZE= when the server offers SIZE, BODY=8BITMIME when offered and the body
/// has 8-bit bytes, SMTPUTF8 when an address needs it), one RCPT TO per recipient, DATA and the
/// dot-stuffed content. With PIPELINING it sends MAIL, every RCPT and DATA in one write (DATA
/// last, RFC 2920); without, one command per reply. A message none of whose recipients was
/// accepted does not get its content sent: without pipelining DATA is not sent at all, with it
/// the DATA reply is a refusal (or, from a lax server, a 354 answered with a lone "."). RSET
/// follows a transaction that was opened (MAIL accepted) and not completed, so the session is
/// clean for the next message; one session carries any number of messages.
///
/// Failures of the session (not of one message) are `result` failures with a sentence quoting
/// the server's reply, `error_info::component` "mapixx.smtp" and `error_info::context` the reply
/// code (or, for a malformed reply, the number of reply lines read):
/// - `network_error`: 421 at any point, a 4xx greeting, EHLO/HELO or AUTH, or the connection
///   closed (`connection_closed()`) before QUIT was answered;
/// - `no_access`: a 5xx greeting (554: no SMTP service here);
/// - `no_support`: a credential was given and the server offers neither PLAIN nor LOGIN (or not
///   the mechanism asked for); and, from `send()`, an 8-bit body without 8BITMIME or a UTF-8
///   address without SMTPUTF8;
/// - `logon_failed`: AUTH refused with 5xx (535: bad credentials);
/// - `call_failed`: a malformed or unexpected reply (protocol error), EHLO and HELO refused;
/// - from `send()`: `no_recipients`, `invalid_parameter` (an address with CR, LF, control
///   bytes, '<' or '>', or longer than 256 octets), `too_big` (larger than the SIZE limit).
/// A message interrupted by a session failure ends with a `message_result` first (its
/// recipients not yet failed for good become temporary failures).
///
/// Credentials: the user name and password are kept only in memory that is wiped, and only
/// until the server's verdict on AUTH (235, or a failure): they are needed up to then to build
/// the AUTH lines and to take out of an error sentence anything the server echoes of them. The
/// base64 text is written straight into the output queue, which wipes every byte once consumed.
/// No error sentence contains the user name or the password, nor the base64 forms sent.
///
/// Single-threaded; movable.
class client {
public:
    /// Starts a session for a connection just opened: the engine waits for the greeting.
    /// `invalid_parameter` if `options.client_name` is empty, longer than 255 octets or holds a
    /// byte outside 0x21-0x7E, or if the credential has an empty user name or a NUL byte.
    [[nodiscard]] static result<client> start(client_options options, std::optional<credential> cred = std::nullopt) {
        const std::string& name = options.client_name;
        if (name.empty() || name.size() > 255 ||
            std::any_of(name.begin(), name.end(), [](char c) { return c < 0x21 || c > 0x7E; })) {
            return fail(scode::invalid_parameter,
                        "The SMTP client name \"" + detail::printable(name, 80) +
                            "\" is not a domain name or address literal (1-255 printable characters, no spaces).",
                        std::string(component));
        }
        if (cred) {
            if (cred->user().empty()) {
                return fail(scode::invalid_parameter, "The SMTP credential has an empty user name.",
                            std::string(component));
            }
            if (cred->user().find('\0') != std::string_view::npos ||
                cred->password().find('\0') != std::string_view::npos) {
                return fail(scode::invalid_parameter,
                            "The SMTP credential contains a NUL byte, which AUTH PLAIN cannot carry.",
                            std::string(component));
            }
        }
        return client(std::move(options), std::move(cred));
    }

    client(client&&) noexcept = default;
    client& operator=(client&&) noexcept = default;
    client(const client&) = delete;
    client& operator=(const client&) = delete;
    ~client() = default;

    // ---- the connection side --------------------------------------------------------------

    /// Takes bytes received from the server and acts on every complete reply. Returns the
    /// session's failure when the session is failed (now or before); success otherwise, also
    /// when a message failed (see `take_result()`). Bytes after the session closed are ignored.
    result<void> feed(std::string_view bytes) {
        if (state_ == client_state::failed) return *error_;
        if (state_ == client_state::closed) return {};
        auto parsed = parser_.feed(bytes);
        while (state_ != client_state::failed && state_ != client_state::closed) {
            auto r = parser_.next();
            if (!r) break;
            on_reply(std::move(*r));
        }
        if (state_ == client_state::failed) return *error_;
        if (!parsed && state_ != client_state::closed) {
            fail_session(parsed.as_failure(), false);
            return *error_;
        }
        return {};
    }

    /// The bytes to send, in order (valid until the next call on the client).
    [[nodiscard]] std::string_view output() const noexcept { return out_.view(); }
    /// Drops the first `n` bytes of `output()`: they were written. They are wiped.
    void consume(std::size_t n) noexcept { out_.consume(n); }
    /// Everything in `output()` as a string, consumed. Handy in tests; a transport should use
    /// `output()` and `consume()`, which make no copy of an AUTH line.
    [[nodiscard]] std::string take_output() {
        std::string s(out_.view());
        out_.clear();
        return s;
    }

    /// The connection ended (end of stream or a socket error). Before QUIT was answered this
    /// fails the session with `network_error` (and ends the message in progress); after, the
    /// session is `closed`.
    void connection_closed() {
        switch (state_) {
        case client_state::closed:
        case client_state::failed: return;
        case client_state::quitting: state_ = client_state::closed; return;
        default: break;
        }
        const command waiting = awaiting();
        std::string sentence = waiting == command::none
                                   ? std::string("The connection to the SMTP server closed while the session was idle.")
                                   : "The connection to the SMTP server closed while waiting for the reply to " +
                                         std::string(to_string(waiting)) + ".";
        fail_session(fail(scode::network_error, std::move(sentence), std::string(component)), false);
    }

    // ---- the session side -----------------------------------------------------------------

    /// Where the session is.
    [[nodiscard]] client_state state() const noexcept { return state_; }
    /// True when `send()` and `quit()` are accepted.
    [[nodiscard]] bool ready() const noexcept { return state_ == client_state::ready; }
    /// The command whose reply comes next (for choosing a timeout: `reply_timeout(awaiting())`).
    [[nodiscard]] command awaiting() const noexcept { return pending_.empty() ? command::none : pending_.front().cmd; }
    /// How many replies are still due.
    [[nodiscard]] std::size_t replies_due() const noexcept { return pending_.size(); }
    /// Why the session failed, or nullptr.
    [[nodiscard]] const failure* error() const noexcept { return error_ ? &*error_ : nullptr; }
    /// The server's greeting (empty until it came).
    [[nodiscard]] const reply& greeting() const noexcept { return greeting_; }
    /// What the server offers (read from the EHLO reply; nothing after HELO).
    [[nodiscard]] const capabilities& server() const noexcept { return caps_; }
    /// True when the current or next message goes pipelined.
    [[nodiscard]] bool pipelining() const noexcept { return options_.use_pipelining && caps_.pipelining; }
    /// True while the engine still holds any part of the credential (until the AUTH verdict).
    [[nodiscard]] bool holds_credential() const noexcept { return cred_.has_value() && !cred_->empty(); }

    /// Starts sending `message`. Fails without sending anything when the session is not ready
    /// (`call_failed`; the session's own failure when it failed), or for the envelope problems
    /// listed on the class. The `message_result` comes from `take_result()` once the server has
    /// answered everything. `message` is read, not kept: the engine holds the dot-stuffed body
    /// and the recipient addresses of the transaction, so a caller may send the same envelope
    /// again (on a new session after a lost connection) without copying it first.
    result<void> send(const envelope& message) {
        if (state_ == client_state::failed) return *error_;
        if (state_ != client_state::ready) {
            return fail(scode::call_failed,
                        "A message was given to the SMTP session while it was " + std::string(to_string(state_)) +
                            "; only a ready session takes one.",
                        std::string(component));
        }
        if (message.recipients.empty()) {
            return fail(scode::no_recipients, "The message has no recipients to send to.", std::string(component));
        }
        if (auto r = check_address(message.reverse_path, "sender", true); !r) return r;
        for (const auto& a : message.recipients) {
            if (auto r = check_address(a, "recipient", false); !r) return r;
        }
        detail::prepared_body body = detail::prepare_body(message.body);
        if (body.eight_bit && !caps_.eight_bit_mime && !options_.allow_8bit_without_8bitmime) {
            return fail(scode::no_support,
                        "The message body has 8-bit bytes and the SMTP server does not offer 8BITMIME.",
                        std::string(component));
        }
        const auto non_ascii = [](const std::string& s) {
            return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
        };
        const bool utf8 = non_ascii(message.reverse_path) || std::any_of(message.recipients.begin(),
                                                                          message.recipients.end(), non_ascii);
        if (utf8 && !caps_.smtputf8) {
            return fail(scode::no_support,
                        "An address of the message is not ASCII and the SMTP server does not offer SMTPUTF8.",
                        std::string(component));
        }
        if (caps_.size && caps_.max_size != 0 && body.size > caps_.max_size) {
            return fail(scode::too_big,
                        "The message has " + std::to_string(body.size) + " octets and the SMTP server takes at most " +
                            std::to_string(caps_.max_size) + " (SIZE).",
                        std::string(component));
        }

        std::string mail = "MAIL FROM:<" + message.reverse_path + ">";
        if (caps_.size) mail += " SIZE=" + std::to_string(body.size);
        if (body.eight_bit && caps_.eight_bit_mime) mail += " BODY=8BITMIME";
        if (utf8) mail += " SMTPUTF8";

        txn_.emplace();
        detail::transaction_state& t = *txn_;
        t.pipelined = pipelining();
        t.wire = std::move(body.wire);
        t.res.recipients.reserve(message.recipients.size());
        for (const auto& a : message.recipients) t.res.recipients.push_back(recipient_result{a, {}, {}});
        state_ = client_state::transaction;
        put(mail, command::mail);
        if (t.pipelined) {
            for (std::size_t i = 0; i < t.res.recipients.size(); ++i) send_rcpt(i);
            put("DATA", command::data);
        }
        return {};
    }

    /// The result of the last message, once it is complete; nullopt before (or when taken).
    [[nodiscard]] std::optional<message_result> take_result() { return std::exchange(result_, std::nullopt); }

    /// Sends QUIT: the session is `closed` once the server answers (or closes the connection).
    /// Nothing to do when it is already closed or failed; `call_failed` while a message or the
    /// opening is in progress.
    result<void> quit() {
        switch (state_) {
        case client_state::closed:
        case client_state::quitting:
        case client_state::failed: return {};
        case client_state::ready: break;
        default:
            return fail(scode::call_failed,
                        "QUIT was asked while the SMTP session was " + std::string(to_string(state_)) +
                            "; close the connection instead.",
                        std::string(component));
        }
        put("QUIT", command::quit);
        state_ = client_state::quitting;
        return {};
    }

private:
    client(client_options options, std::optional<credential> cred)
        : options_(std::move(options)), cred_(std::move(cred)), parser_(options_.limits) {
        pending_.push_back({command::greeting, 0});
    }

    static failure make_failure(scode code, std::string sentence, const reply& r = {}) {
        failure f = fail(code, std::move(sentence), std::string(component));
        f.info.context = r.code;
        return f;
    }

    static result<void> check_address(const std::string& a, const char* role, bool may_be_empty) {
        const bool bad_byte = std::any_of(a.begin(), a.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u < 0x20 || u == 0x7F || c == '<' || c == '>';
        });
        if (bad_byte || a.size() > 256 || (a.empty() && !may_be_empty)) {
            return fail(scode::invalid_parameter,
                        "The " + std::string(role) + " address \"" + detail::printable(a, 80) +
                            "\" cannot go into an SMTP command (empty, longer than 256 octets, or holding a "
                            "control character, '<' or '>').",
                        std::string(component));
        }
        return {};
    }

    void put(std::string_view line, command c, std::size_t index = 0) {
        out_.append(line);
        out_.append("\r\n");
        pending_.push_back({c, index});
    }

    void wipe_credential() noexcept {
        if (cred_) cred_->wipe();
        cred_.reset();
    }

    /// Replaces in `sentence` every copy of the password and of the base64 forms the engine
    /// sent (the password alone, the PLAIN message), raw or escaped as `quote` escapes, with
    /// "********": a server may echo what it got in its reply to AUTH.
    void redact(std::string& sentence) const {
        if (!cred_ || cred_->password().empty()) return;
        const std::string_view pw = cred_->password();
        std::string forms[4];
        forms[0].assign(pw);
        forms[1] = detail::base64_encode(pw);
        {
            std::string& plain = forms[2];
            plain.reserve((cred_->user().size() + pw.size() + 4) / 3 * 4 + 4);
            detail::base64_encoder enc;
            auto sink = [&plain](char c) { plain.push_back(c); };
            enc.put(std::string_view("\0", 1), sink);
            enc.put(cred_->user(), sink);
            enc.put(std::string_view("\0", 1), sink);
            enc.put(pw, sink);
            enc.finish(sink);
        }
        forms[3] = detail::printable(pw, pw.size() * 4 + 4);
        for (std::string& form : forms) {
            if (form.empty()) continue;
            for (std::size_t at = sentence.find(form); at != std::string::npos; at = sentence.find(form, at + 8)) {
                sentence.replace(at, form.size(), "********");
            }
        }
        for (std::string& form : forms) detail::secure_wipe(form);
    }

    /// Ends the session with `f`; `say_quit` queues a QUIT (whose reply is not waited for).
    void fail_session(failure f, bool say_quit, const reply& cause = {}) {
        if (txn_) interrupt_transaction(cause);
        redact(f.info.message);
        wipe_credential();
        pending_.clear();
        error_ = std::move(f);
        state_ = client_state::failed;
        if (say_quit) out_.append("QUIT\r\n");
    }

    void protocol_error(std::string sentence, const reply& r) {
        fail_session(make_failure(scode::call_failed, std::move(sentence), r), true);
    }

    void on_reply(reply r) {
        if (pending_.empty()) {
            if (r.code == 421) return server_closed(r);
            return protocol_error("The SMTP server sent " + quote(r) + " while no command was waiting for a reply.", r);
        }
        const detail::pending_reply p = pending_.front();
        pending_.pop_front();
        if (r.code == 421 && p.cmd != command::quit) return server_closed(r);
        switch (p.cmd) {
        case command::greeting: return on_greeting(std::move(r));
        case command::ehlo: return on_ehlo(r);
        case command::helo: return on_helo(r);
        case command::auth:
        case command::auth_response: return on_auth(r);
        // The transaction's replies move into its result (four per message).
        case command::mail: return on_mail(std::move(r));
        case command::rcpt: return on_rcpt(p.index, std::move(r));
        case command::data: return on_data(std::move(r));
        case command::end_of_data: return on_end_of_data(std::move(r));
        case command::rset: return on_rset(r);
        case command::quit: state_ = client_state::closed; return;
        case command::none: break;
        }
    }

    void server_closed(const reply& r) {
        fail_session(make_failure(scode::network_error, "The SMTP server closed the session: " + quote(r) + ".", r),
                     false, r);
    }

    void on_greeting(reply r) {
        greeting_ = std::move(r);
        const reply& g = greeting_;
        if (g.code == 220) {
            put("EHLO " + options_.client_name, command::ehlo);
            state_ = client_state::hello;
        } else if (g.transient()) {
            fail_session(make_failure(scode::network_error,
                                      "The SMTP server is not taking sessions now: " + quote(g) + ".", g),
                         true);
        } else if (g.permanent()) {
            fail_session(make_failure(scode::no_access, "The SMTP server refused the session: " + quote(g) + ".", g),
                         true);
        } else {
            protocol_error("The SMTP server greeted with " + quote(g) + " instead of 220.", g);
        }
    }

    void on_ehlo(const reply& r) {
        if (r.code == 250) {
            caps_ = parse_ehlo(r);
            return after_hello();
        }
        if (r.code == 500 || r.code == 501 || r.code == 502 || r.code == 504) {
            put("HELO " + options_.client_name, command::helo);
            return;
        }
        if (r.transient()) {
            return fail_session(make_failure(scode::network_error,
                                             "The SMTP server refused EHLO for now: " + quote(r) + ".", r),
                                true);
        }
        protocol_error("The SMTP server answered EHLO with " + quote(r) + ".", r);
    }

    void on_helo(const reply& r) {
        if (r.code == 250) {
            caps_ = capabilities{};
            if (!r.lines.empty()) {
                if (auto w = detail::words(r.lines.front()); !w.empty()) caps_.domain = std::string(w.front());
            }
            return after_hello();
        }
        if (r.transient()) {
            return fail_session(make_failure(scode::network_error,
                                             "The SMTP server refused HELO for now: " + quote(r) + ".", r),
                                true);
        }
        protocol_error("The SMTP server refused both EHLO and HELO: " + quote(r) + ".", r);
    }

    void after_hello() {
        if (!cred_) {
            state_ = client_state::ready;
            return;
        }
        std::optional<auth_mechanism> m;
        if (options_.mechanism) {
            if (caps_.offers_auth(*options_.mechanism == auth_mechanism::plain ? "PLAIN" : "LOGIN")) m = options_.mechanism;
        } else if (caps_.offers_auth("PLAIN")) {
            m = auth_mechanism::plain;
        } else if (caps_.offers_auth("LOGIN")) {
            m = auth_mechanism::login;
        }
        if (!m) {
            std::string offered;
            for (const auto& a : caps_.auth) offered += (offered.empty() ? "" : " ") + a;
            const std::string wanted = !options_.mechanism                              ? "PLAIN or LOGIN"
                                       : *options_.mechanism == auth_mechanism::plain ? "PLAIN"
                                                                                      : "LOGIN";
            return fail_session(
                make_failure(scode::no_support,
                             offered.empty()
                                 ? "The SMTP server does not offer AUTH, but a credential was given."
                                 : "The SMTP server offers AUTH " + detail::printable(offered, 120) + " but not " +
                                       wanted + "."),
                true);
        }
        mechanism_ = *m;
        login_step_ = 0;
        state_ = client_state::authenticating;
        if (mechanism_ == auth_mechanism::plain) {
            // RFC 4616: [authzid] NUL authcid NUL passwd; no authzid.
            out_.append("AUTH PLAIN ");
            encode_into_output({std::string_view("\0", 1), cred_->user(), std::string_view("\0", 1), cred_->password()});
            out_.append("\r\n");
            pending_.push_back({command::auth, 0});
        } else {
            put("AUTH LOGIN", command::auth);
        }
    }

    /// Appends base64 of the pieces (as one text) to the output, with no copy elsewhere.
    void encode_into_output(std::initializer_list<std::string_view> pieces) {
        detail::base64_encoder enc;
        auto sink = [this](char c) { out_.push_back(c); };
        for (std::string_view p : pieces) enc.put(p, sink);
        enc.finish(sink);
    }

    std::string_view mechanism_name() const noexcept {
        return mechanism_ == auth_mechanism::plain ? "AUTH PLAIN" : "AUTH LOGIN";
    }

    void on_auth(const reply& r) {
        if (r.code == 235) {
            wipe_credential();
            state_ = client_state::ready;
            return;
        }
        if (r.code == 334) {
            const std::string_view challenge = r.lines.empty() ? std::string_view{} : std::string_view(r.lines.front());
            const bool more = mechanism_ == auth_mechanism::login && login_step_ < 2 && cred_;
            if (more && detail::base64_decode(challenge)) {
                if (login_step_ == 0) {
                    encode_into_output({cred_->user()});
                } else {
                    encode_into_output({cred_->password()});
                }
                out_.append("\r\n");
                pending_.push_back({command::auth_response, 0});
                ++login_step_;
                return;
            }
            out_.append("*\r\n");  // cancels the exchange (RFC 4954 section 4)
            return protocol_error(std::string(more ? "The SMTP server sent an AUTH challenge that is not base64: "
                                                   : "The SMTP server asked for more AUTH data than ") +
                                      (more ? "" : std::string(mechanism_name()) + " has: ") + quote(r) + ".",
                                  r);
        }
        if (r.transient()) {
            return fail_session(make_failure(scode::network_error,
                                             "The SMTP server could not check the credentials now (" +
                                                 std::string(mechanism_name()) + "): " + quote(r) + ".",
                                             r),
                                true);
        }
        if (r.permanent()) {
            return fail_session(make_failure(scode::logon_failed,
                                             "The SMTP server refused the credentials (" +
                                                 std::string(mechanism_name()) + "): " + quote(r) + ".",
                                             r),
                                true);
        }
        protocol_error("The SMTP server answered " + std::string(mechanism_name()) + " with " + quote(r) + ".", r);
    }

    // ---- the transaction --------------------------------------------------------------------

    static recipient_status status_of(const reply& r) noexcept {
        if (r.positive()) return recipient_status::accepted;
        return r.transient() ? recipient_status::temporary_failure : recipient_status::permanent_failure;
    }
    /// The status a failing reply gives (anything but 4xx counts as permanent).
    static recipient_status failure_status(const reply& r) noexcept {
        return r.transient() ? recipient_status::temporary_failure : recipient_status::permanent_failure;
    }
    bool any_accepted() const noexcept {
        const auto& rs = txn_->res.recipients;
        return std::any_of(rs.begin(), rs.end(),
                           [](const recipient_result& r) { return r.status == recipient_status::accepted; });
    }
    void fail_accepted(const reply& r, recipient_status status) {
        for (auto& rr : txn_->res.recipients) {
            if (rr.status == recipient_status::accepted) {
                rr.status = status;
                rr.response = r;
            }
        }
    }

    // RCPT TO for recipient `i`, written straight into the output (as `put` would, without a
    // line of its own first).
    void send_rcpt(std::size_t i) {
        out_.append("RCPT TO:<");
        out_.append(txn_->res.recipients[i].address);
        out_.append(">\r\n");
        pending_.push_back({command::rcpt, i});
    }

    void on_mail(reply r) {
        detail::transaction_state& t = *txn_;
        t.mail_ok = r.positive();
        if (!t.mail_ok) {
            for (auto& rr : t.res.recipients) {
                rr.status = failure_status(r);
                rr.response = r;
            }
        }
        t.res.mail_reply = std::move(r);
        if (t.pipelined) return;  // the RCPT and DATA replies follow
        if (t.mail_ok) {
            send_rcpt(0);
        } else {
            finish_transaction();
        }
    }

    void on_rcpt(std::size_t i, reply r) {
        detail::transaction_state& t = *txn_;
        if (t.mail_ok && i < t.res.recipients.size()) {
            t.res.recipients[i].status = status_of(r);
            t.res.recipients[i].response = std::move(r);
        }
        if (t.pipelined) return;
        if (i + 1 < t.res.recipients.size()) {
            send_rcpt(i + 1);
        } else if (any_accepted()) {
            put("DATA", command::data);
        } else {
            put("RSET", command::rset);
        }
    }

    void on_data(reply reply_in) {
        detail::transaction_state& t = *txn_;
        t.res.data_reply = std::move(reply_in);
        const reply& r = t.res.data_reply;
        if (r.code == 354) {
            if (any_accepted()) {
                out_.append(t.wire);
                t.body_sent = true;
            } else {
                out_.append(".\r\n");  // RFC 2920 section 3.1: end the data at once, send nothing
                t.empty_data = true;
            }
            std::string().swap(t.wire);
            pending_.push_back({command::end_of_data, 0});
            return;
        }
        fail_accepted(r, failure_status(r));
        if (t.mail_ok) {
            put("RSET", command::rset);
        } else {
            finish_transaction();
        }
    }

    void on_end_of_data(reply reply_in) {
        detail::transaction_state& t = *txn_;
        t.res.final_reply = std::move(reply_in);
        const reply& r = t.res.final_reply;
        t.body_sent = false;
        if (!t.empty_data && !r.positive()) fail_accepted(r, failure_status(r));
        finish_transaction();
    }

    void on_rset(const reply& r) {
        finish_transaction();
        if (!r.positive()) protocol_error("The SMTP server refused RSET: " + quote(r) + ".", r);
    }

    /// The session ends in the middle of a message: what is not decided becomes a temporary
    /// failure with `cause` (the 421, or no reply).
    void interrupt_transaction(const reply& cause) {
        detail::transaction_state& t = *txn_;
        t.res.possibly_delivered = t.body_sent;
        for (auto& rr : t.res.recipients) {
            if (rr.status == recipient_status::accepted ||
                (rr.status == recipient_status::temporary_failure && rr.response.none())) {
                rr.status = recipient_status::temporary_failure;
                rr.response = cause;
            }
        }
        finish_transaction();
    }

    void finish_transaction() {
        message_result res = std::move(txn_->res);
        txn_.reset();
        if (res.count(recipient_status::accepted) != 0) {
            res.outcome = message_outcome::sent;
        } else if (res.count(recipient_status::temporary_failure) != 0) {
            res.outcome = message_outcome::temporary_failure;
        } else {
            res.outcome = message_outcome::permanent_failure;
        }
        result_ = std::move(res);
        if (state_ == client_state::transaction) state_ = client_state::ready;
    }

    client_options options_;
    std::optional<credential> cred_;
    reply_parser parser_;
    detail::wiping_buffer out_;
    client_state state_ = client_state::greeting;
    std::deque<detail::pending_reply> pending_;
    capabilities caps_;
    reply greeting_;
    std::optional<failure> error_;
    std::optional<message_result> result_;
    std::optional<detail::transaction_state> txn_;
    auth_mechanism mechanism_ = auth_mechanism::plain;
    int login_step_ = 0;
};

} // namespace smtp
} // namespace mapixx::inline v0

#endif
