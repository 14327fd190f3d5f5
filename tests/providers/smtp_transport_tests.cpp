// SPDX-License-Identifier: MIT
// The SMTP transport in a spooler with a reactor: 1 000 messages to Debian's aiosmtpd (checked
// message by message in the Maildir it writes), aiosmtpd killed and restarted mid-run, a
// pipelining server of our own with 4xx/5xx per recipient and connections dropped at each
// command in turn, AUTH PLAIN/LOGIN from the secure profile property (the password in no text),
// timeouts, configuration from profile sections, the session side (STATUS_OWN_STORE), and
// attachments (multipart/mixed, checked part by part and byte by byte).
#include "smtp_test_server.hpp"

#include <mapixx/providers/detail/rfc5322.hpp>
#include <mapixx/providers/memory_store.hpp>
#include <mapixx/providers/smtp/detail/base64.hpp>
#include <mapixx/providers/smtp/transport.hpp>
#include <mapixx/spooler/reactor.hpp>
#include <mapixx/spooler/spooler.hpp>

#include <session_fakes.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace smtp_transport_tests {

#if MAPIXX_HAS_REACTOR

using namespace mapixx;
using namespace std::chrono_literals;

namespace {

namespace fs = std::filesystem;

property_bag rcpt(const std::string& address, std::int32_t type = 1) {
    property_bag r;
    (void)r.set(pr::display_name, address);
    (void)r.set(pr::addrtype, std::string("SMTP"));
    (void)r.set(pr::email_address, address);
    (void)r.set(pr::recipient_type, type);
    (void)r.set(pr::responsibility, false);
    return r;
}

std::string message_id_of(int n, const std::string& run) { return "<" + std::to_string(n) + "." + run + "@mapixx.invalid>"; }
std::string body_of(int n) {
    return "Hello " + std::to_string(n) + "\r\n.a line that starts with a dot\r\n..two dots\r\nlast line " +
           std::to_string(n * 7) + "\r\n";
}

outbound_message make_message(int n, const std::string& run, std::vector<property_bag> recipients) {
    outbound_message m;
    (void)m.props.set(pr::subject, "Message " + std::to_string(n));
    (void)m.props.set(pr::body, body_of(n));
    (void)m.props.set(pr::internet_message_id, message_id_of(n, run));
    (void)m.props.set(pr::sender_email_address, std::string("sender@example.org"));
    (void)m.props.set(pr::message_class, std::string("IPM.Note"));
    m.recipients = std::move(recipients);
    return m;
}

std::string normalise(std::string s) {
    std::string out;
    for (char c : s) {
        if (c != '\r') out += c;
    }
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

/// A spooler running one SMTP transport, with a reactor; shut down by the destructor.
struct rig {
    scheduler sched;
    steady_spooler_clock clock;
    memory_message_queue queue;
    memory_delivery_sink sink;
    smtp_xp_provider xp;
    std::unique_ptr<reactor> io;
    std::unique_ptr<spooler> sp;
    std::vector<std::string> log;

    explicit rig(smtp::transport_options o) : xp(std::move(o)) {
        xp.options().log = [this](std::string_view s) { log.emplace_back(s); };
        sp = std::make_unique<spooler>(sched, queue, sink, clock, std::vector<spooler_transport>{{&xp, "smtp", {}}});
        io = reactor::create(sched, clock).value();
        sp->attach(*io);
        sp->start();
        sp->run_until_idle();
    }
    rig(const rig&) = delete;
    rig& operator=(const rig&) = delete;
    ~rig() {
        sp->shutdown();
        for (int i = 0; i < 500 && sp->current_state() != spooler::state::stopped; ++i) (void)sp->run_for(10ms);
    }

    message_id submit(outbound_message m) {
        const message_id id = queue.submit(std::move(m));
        sp->wake_all();
        return id;
    }
    /// Runs the spooler until `done()` or `limit` of wall time passed.
    template <class F>
    bool run_until(F done, std::chrono::milliseconds limit = 15s) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() > end) return false;
            (void)sp->run_for(5ms);
        }
        return true;
    }
    [[nodiscard]] std::string status_string() const {
        const auto& row = sp->support(0).status_row();
        return row ? std::string(row->get_string(pr::status_string).value_or("")) : std::string();
    }
};

smtp::transport_options options_for(std::uint16_t port) {
    smtp::transport_options o;
    o.host = "127.0.0.1";
    o.port = port;
    o.client_name = "client.mapixx.invalid";
    o.sender = "sender@example.org";
    o.connect_timeout = 2s;
    o.command_timeout = 5s;
    o.retry_delay = 1s;
    return o;
}

/// One message aiosmtpd stored.
struct stored {
    std::string message_id;
    std::string rcpt_to;   // X-RcptTo: the envelope recipients
    std::string mail_from; // X-MailFrom
    std::string to, cc;
    bool bcc_header = false;
    bool x_mapi_header = false;
    std::string body;
};

std::vector<stored> read_maildir(const fs::path& dir) {
    std::vector<stored> out;
    for (const char* sub : {"new", "cur"}) {
        if (!fs::exists(dir / sub)) continue;
        for (const auto& f : fs::directory_iterator(dir / sub)) {
            std::ifstream in(f.path(), std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            const std::string text = ss.str();
            stored s;
            detail::mime::parse_problem pp;
            auto top = detail::mime::parse_entity(text, pp);
            REQUIRE(top);
            auto field = [&](const char* name) {
                const auto* h = top->find(name);
                return h ? h->value : std::string();
            };
            s.message_id = field("Message-ID");
            s.rcpt_to = field("X-RcptTo");
            s.mail_from = field("X-MailFrom");
            s.to = field("To");
            s.cc = field("Cc");
            s.bcc_header = top->find("Bcc") != nullptr;
            for (const auto& h : top->headers) {
                if (h.name.rfind("X-MAPI-", 0) == 0) s.x_mapi_header = true;
            }
            detail::maildir::read_problem problem;
            auto parts = detail::maildir::read_message(text, problem);
            REQUIRE_MESSAGE(parts, problem.what);
            s.body = std::string(parts->props.get_string(pr::body).value_or(""));
            out.push_back(std::move(s));
        }
    }
    return out;
}

fs::path fresh_dir(const std::string& name) {
    fs::path p = fs::temp_directory_path() / ("mapixx-smtp-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(p);
    for (const char* sub : {"tmp", "new", "cur"}) fs::create_directories(p / sub);
    return p;
}

/// Removes a test directory however the test ends.
struct dir_guard {
    fs::path path;
    ~dir_guard() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::vector<property_bag> three_recipients(int n) {
    return {rcpt("to" + std::to_string(n) + "@example.net", 1), rcpt("cc" + std::to_string(n) + "@example.net", 2),
            rcpt("bcc" + std::to_string(n) + "@example.net", 3)};
}

std::string id_in(const std::string& data) {
    const auto p = data.find("Message-ID: ");
    if (p == std::string::npos) return {};
    return data.substr(p + 12, data.find("\r\n", p) - p - 12);
}

/// An attachment row by value (PR_ATTACH_NUM, PR_ATTACH_METHOD 1, name, MIME type, bytes).
property_bag attachment_row(std::int32_t num, const std::string& name, const std::string& type, const binary& data) {
    property_bag row;
    (void)row.set(pr::attach_num, num);
    (void)row.set(pr::attach_method, std::int32_t{1});
    (void)row.set(pr::attach_long_filename, name);
    (void)row.set(pr::attach_mime_tag, type);
    (void)row.set(pr::attach_data_bin, data);
    return row;
}

/// Every byte value, three times over (enough for several lines of base64).
binary every_byte() {
    binary out;
    for (int round = 0; round < 3; ++round) {
        for (int b = 0; b <= 0xFF; ++b) out.push_back(static_cast<std::uint8_t>(b));
    }
    return out;
}

/// A UTF-8 file name (so the MIME parameters need RFC 2231).
const std::string non_ascii_name = "r\xC3\xA9sum\xC3\xA9 \xE2\x80\x93 2024.txt";
const std::string note_text = "first line\r\n.a line that starts with a dot\r\n";

/// The two attachments of the MIME tests: a text with a non-ASCII name, and every byte value.
std::vector<property_bag> two_attachments() {
    return {attachment_row(0, non_ascii_name, "text/plain", binary(note_text.begin(), note_text.end())),
            attachment_row(1, "bytes.bin", "application/octet-stream", every_byte())};
}

/// True if every line break of `text` is CRLF.
bool only_crlf(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return false;
        if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) return false;
    }
    return true;
}

/// Checks the content of a message sent with `two_attachments()` and body `body`: multipart/mixed
/// with the text part first, then one base64 part per attachment (lines of at most 76
/// characters, canonical base64 that decodes to the exact bytes), names as sent.
void check_two_attachments(const std::string& data, const std::string& body) {
    namespace mime = ::mapixx::detail::mime;
    CHECK(only_crlf(data));
    CHECK(data.find("X-MAPI-") == std::string::npos);
    mime::parse_problem pp;
    auto top = mime::parse_entity(data, pp);
    REQUIRE_MESSAGE(top, pp.what);
    REQUIRE(top->find("MIME-Version") != nullptr);
    const auto* ct_field = top->find("Content-Type");
    REQUIRE(ct_field != nullptr);
    const auto ct = mime::parse_parameterized(ct_field->value);
    CHECK(ct.value == "multipart/mixed");
    const auto boundary = ct.param("boundary");
    REQUIRE(boundary);
    const auto parts = mime::split_multipart(top->body, *boundary);
    REQUIRE(parts);
    REQUIRE(parts->size() == 3);
    std::vector<mime::entity> entities;
    for (const auto& [text, line] : *parts) {
        auto e = mime::parse_entity(text, pp);
        REQUIRE_MESSAGE(e, pp.what);
        entities.push_back(*e);
    }
    // The body part first, as the Maildir store writes it.
    const auto text_type = mime::parse_parameterized(entities[0].find("Content-Type")->value);
    CHECK(text_type.value == "text/plain");
    CHECK(entities[0].find("Content-Disposition") == nullptr);
    const auto* text_cte = entities[0].find("Content-Transfer-Encoding");
    REQUIRE(text_cte != nullptr);
    CHECK(mime::decode_transfer(entities[0].body, text_cte->value) == body);
    // Then the attachments, in table order.
    const std::vector<property_bag> want = two_attachments();
    for (std::size_t k = 0; k < want.size(); ++k) {
        const mime::entity& e = entities[k + 1];
        CAPTURE(k);
        const auto* type = e.find("Content-Type");
        const auto* disposition = e.find("Content-Disposition");
        const auto* cte = e.find("Content-Transfer-Encoding");
        REQUIRE(type != nullptr);
        REQUIRE(disposition != nullptr);
        REQUIRE(cte != nullptr);
        const auto t = mime::parse_parameterized(type->value);
        const auto d = mime::parse_parameterized(disposition->value);
        const std::string name(want[k].get_string(pr::attach_long_filename).value_or(""));
        CHECK(t.value == want[k].get_string(pr::attach_mime_tag).value_or(""));
        CHECK(d.value == "attachment");
        CHECK(d.param("filename") == name);
        CHECK(t.param("name") == name);
        CHECK(cte->value == "base64");
        // Lines of at most 76 characters, which together are canonical base64 of the bytes.
        std::string flat;
        std::string_view rest = e.body;
        while (!rest.empty()) {
            const auto eol = rest.find("\r\n");
            const std::string_view line = rest.substr(0, eol);
            CHECK(line.size() <= 76);
            flat += line;
            rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 2);
        }
        const auto bytes = smtp::detail::base64_decode(flat);
        REQUIRE(bytes);
        const binary* sent = want[k].get_binary(pr::attach_data_bin);
        REQUIRE(sent != nullptr);
        CHECK(binary(bytes->begin(), bytes->end()) == *sent);
    }
    // The non-ASCII name went as RFC 2231 parameters, the ASCII one quoted.
    CHECK(entities[1].find("Content-Disposition")->value.find("filename*") != std::string::npos);
    CHECK(entities[2].find("Content-Disposition")->value.find("filename=\"bytes.bin\"") != std::string::npos);
}

} // namespace

TEST_SUITE("providers/smtp/transport.hpp") {

TEST_CASE("1 000 messages sent through the spooler reach aiosmtpd with their Message-ID, recipients and body") {
    if (!smtp_test::aiosmtpd::available()) {
        MESSAGE("skipped: /usr/bin/python3 has no aiosmtpd (Debian package python3-aiosmtpd)");
        return;
    }
    const fs::path dir = fresh_dir("bulk");
    const dir_guard cleanup{dir};
    const auto port = smtp_test::free_port();
    smtp_test::aiosmtpd server(port, dir);
    REQUIRE(server.running());
    {
        rig r(options_for(port));
        constexpr int count = 1000;
        // The whole run is queued at once: the spooler's turns must not grow with its queue.
        for (int n = 0; n < count; ++n) r.submit(make_message(n, "bulk", three_recipients(n)));
        const auto started = std::chrono::steady_clock::now();
        REQUIRE(r.run_until([&] { return r.queue.size() == 0; }, 60s));  // a guard against a hang only
        const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        MESSAGE("1 000 queued messages sent in " << took << " s (" << (count / took) << " messages/s)");
        CHECK(r.sp->count(spooler_event::kind::sent) == count);
        CHECK(r.sink.items().empty());
        // One connection carried everything (aiosmtpd keeps it open).
        CHECK(r.xp.last()->connections_opened() == 1);
    }
    const auto got = read_maildir(dir);
    REQUIRE(got.size() == 1000);
    std::map<std::string, const stored*> by_id;
    for (const auto& s : got) {
        CHECK_MESSAGE(by_id.count(s.message_id) == 0, "duplicate " << s.message_id);
        by_id[s.message_id] = &s;
    }
    for (int n = 0; n < 1000; ++n) {
        const auto it = by_id.find(message_id_of(n, "bulk"));
        REQUIRE_MESSAGE(it != by_id.end(), "message " << n << " did not arrive");
        const stored& s = *it->second;
        const std::string k = std::to_string(n);
        CHECK(s.rcpt_to == "to" + k + "@example.net, cc" + k + "@example.net, bcc" + k + "@example.net");
        CHECK(s.mail_from == "sender@example.org");
        CHECK(s.to == "<to" + k + "@example.net>");
        CHECK(s.cc == "<cc" + k + "@example.net>");
        CHECK_FALSE(s.bcc_header);
        CHECK_FALSE(s.x_mapi_header);
        CHECK(normalise(s.body) == normalise(body_of(n)));
    }
}

TEST_CASE("aiosmtpd killed in the middle of a run and restarted: every message arrives, at most one twice") {
    if (!smtp_test::aiosmtpd::available()) {
        MESSAGE("skipped: /usr/bin/python3 has no aiosmtpd (Debian package python3-aiosmtpd)");
        return;
    }
    const fs::path dir = fresh_dir("restart");
    const dir_guard cleanup{dir};
    const auto port = smtp_test::free_port();
    smtp_test::aiosmtpd server(port, dir);
    REQUIRE(server.running());
    constexpr int count = 300;
    {
        rig r(options_for(port));
        for (int n = 0; n < count; ++n) r.submit(make_message(n, "restart", {rcpt("a" + std::to_string(n) + "@example.net")}));
        REQUIRE(r.run_until([&] { return r.sp->count(spooler_event::kind::sent) >= 100; }));
        server.stop();  // SIGKILL: mid-conversation
        const auto sent_at_kill = r.sp->count(spooler_event::kind::sent);
        CHECK(sent_at_kill < static_cast<std::size_t>(count));
        // While it is down the messages stay queued.
        REQUIRE(r.run_until([&] { return r.sp->count(spooler_event::kind::requeued) > 0; }, 5s));
        (void)r.sp->run_for(300ms);
        CHECK(r.queue.size() > 0);
        CHECK(r.queue.quarantined().empty());
        REQUIRE(server.start());
        REQUIRE(r.run_until([&] { return r.queue.size() == 0; }));
        CHECK(r.sp->count(spooler_event::kind::sent) == count);
        CHECK(r.xp.last()->connections_opened() >= 2);
    }
    server.stop();
    const auto got = read_maildir(dir);
    std::map<std::string, int> copies;
    for (const auto& s : got) ++copies[s.message_id];
    int duplicated = 0;
    for (int n = 0; n < count; ++n) {
        const int c = copies[message_id_of(n, "restart")];
        CHECK_MESSAGE(c >= 1, "message " << n << " was lost");
        CHECK(c <= 2);
        if (c == 2) ++duplicated;
    }
    CHECK(duplicated <= 1);
    CHECK(got.size() == static_cast<std::size_t>(count + duplicated));
}

TEST_CASE("the status row names the last message sent and the server, message after message") {
    smtp_test::server_options so;
    smtp_test::server server(so);
    rig r(options_for(server.port()));
    const std::string through = " through 127.0.0.1:" + std::to_string(server.port());
    for (int n = 1; n <= 3; ++n) {
        r.submit(make_message(n, "status", {rcpt("to" + std::to_string(n) + "@example.net")}));
        REQUIRE(r.run_until([&] { return r.queue.size() == 0; }, 10s));
        CHECK(r.status_string() == "Sent " + message_id_of(n, "status") + through);
        CHECK((r.sp->support(0).status().bits() & static_cast<std::uint32_t>(status_code::outbound_active)) == 0);
    }
    CHECK(server.messages().size() == 3);
}

TEST_CASE("pipelining: accepted recipients get the message once, 5xx ones a non-delivery report, 4xx ones a retry") {
    smtp_test::server_options so;
    so.temp_failures = 1;
    smtp_test::server server(so);
    rig r(options_for(server.port()));
    const auto m1 = r.submit(make_message(1, "pipe", {rcpt("a1@example.net"), rcpt("perm1@example.net"), rcpt("temp1@example.net")}));
    const auto m2 = r.submit(make_message(2, "pipe", {rcpt("perm2@example.net")}));
    r.submit(make_message(3, "pipe", {rcpt("temp3@example.net")}));
    r.submit(make_message(4, "pipe", {rcpt("to4@example.net", 1), rcpt("bcc4@example.net", 3)}));
    REQUIRE(r.run_until([&] { return r.queue.size() == 0; }, 10s));

    // What the server stored, per message: the recipients each copy went to.
    std::map<std::string, std::multiset<std::string>> to;
    for (const auto& m : server.messages()) {
        for (const auto& a : m.rcpts) to[id_in(m.data)].insert(a);
        CHECK(m.data.find("\r\nBcc:") == std::string::npos);
        CHECK(m.data.find("bcc4@") == std::string::npos);  // named in no header field at all
        CHECK(m.data.find("X-MAPI-") == std::string::npos);
        // Dot-stuffed on the wire, unstuffed by the server: the lines arrive as written.
        CHECK(m.data.find("\r\n..two dots\r\n") != std::string::npos);
        CHECK(m.data.find("\r\n.a line that starts with a dot\r\n") != std::string::npos);
    }
    CHECK(to[message_id_of(1, "pipe")] == std::multiset<std::string>{"a1@example.net", "temp1@example.net"});
    CHECK(to.count(message_id_of(2, "pipe")) == 0);
    CHECK(to[message_id_of(3, "pipe")] == std::multiset<std::string>{"temp3@example.net"});
    CHECK(to[message_id_of(4, "pipe")] == std::multiset<std::string>{"bcc4@example.net", "to4@example.net"});

    // Non-delivery reports: perm1 (message 1) and perm2 (message 2), nobody else.
    std::map<message_id, std::vector<std::string>> ndr;
    for (const auto& d : r.sink.items()) {
        REQUIRE(d.what == delivery::kind::non_delivery_report);
        for (const auto& row : d.message.recipients) {
            ndr[*d.original].emplace_back(row.get_string(pr::email_address).value_or(""));
            // The server's reply is the reason given to the sender.
            const std::string why(row.get_string(pr::report_text).value_or(""));
            CHECK_MESSAGE(why.find("refused the recipient: \"550 ") != std::string::npos, why);
        }
    }
    CHECK(ndr.size() == 2);
    CHECK(ndr[m1] == std::vector<std::string>{"perm1@example.net"});
    CHECK(ndr[m2] == std::vector<std::string>{"perm2@example.net"});
    // Message 1's refused recipient was reported at its first submission, beside the accepted
    // one (not after a resubmission): one report per message.
    CHECK(r.sink.items().size() == 2);
    // The pipelined path was used: MAIL, RCPT... and DATA arrived before any reply was awaited.
    CHECK(r.xp.last()->connections_opened() == 1);
    CHECK(r.xp.last()->deferred_count() == 0);
}

TEST_CASE("fault injection: the connection dropped at each command in turn loses nothing and duplicates only the one in flight") {
    smtp_test::server_options so;
    // Connection k drops at its unit k: EHLO, MAIL, RCPT, RCPT, DATA, the content (stored but
    // not acknowledged), then the next message's MAIL, RCPT, ...
    for (int k = 1; k <= 9; ++k) so.drop_plan.push_back(k);
    smtp_test::server server(so);
    rig r(options_for(server.port()));
    constexpr int count = 6;
    for (int n = 0; n < count; ++n) {
        r.submit(make_message(n, "drop", {rcpt("x" + std::to_string(n) + "@example.net"), rcpt("y" + std::to_string(n) + "@example.net")}));
    }
    REQUIRE(r.run_until([&] { return r.queue.size() == 0; }, 15s));
    MESSAGE("connections dropped: " << server.drops());
    CHECK(server.drops() >= 6);  // every kind of command was hit at least once
    std::map<std::string, int> copies;
    for (const auto& m : server.messages()) {
        ++copies[id_in(m.data)];
        CHECK(m.rcpts.size() == 2);
    }
    std::set<std::string> in_flight;
    for (const auto& d : server.stored_then_dropped()) in_flight.insert(id_in(d));
    CHECK_FALSE(in_flight.empty());
    for (int n = 0; n < count; ++n) {
        const std::string id = message_id_of(n, "drop");
        CHECK_MESSAGE(copies[id] >= 1, id << " was lost");
        // A second copy only for a message whose data was stored and whose 250 never came.
        CHECK(copies[id] == (in_flight.count(id) != 0 ? 2 : 1));
    }
    CHECK(r.sink.items().empty());
    CHECK(r.sp->count(spooler_event::kind::sent) == count);
}

TEST_CASE("AUTH PLAIN and LOGIN use the password of the secure profile property, which appears in no text") {
    const std::string secret = "s3cret-Pa55word";
    for (const char* mech : {"PLAIN", "LOGIN"}) {
        CAPTURE(mech);
        smtp_test::server_options so;
        so.auth = {mech};
        so.user = "alice";
        so.password = secret;
        smtp_test::server server(so);
        property_bag section;
        (void)section.set(smtp_server_tag, std::string("127.0.0.1"));
        (void)section.set(smtp_port_tag, std::int32_t{server.port()});
        (void)section.set(smtp_user_tag, std::string("alice"));
        (void)section.set(prop_tag{smtp_password_tag.id(), prop_type::string8}, secret);
        (void)section.set(smtp_retry_delay_tag, std::int32_t{1});
        auto o = smtp::read_transport_options(section, property_bag{});
        REQUIRE(o);
        CHECK(smtp_password_tag.is_secure());
        CHECK(o->password.view() == secret);
        rig r(std::move(*o));
        r.submit(make_message(1, "auth", {rcpt("bob@example.net")}));
        REQUIRE(r.run_until([&] { return r.queue.size() == 0; }, 5s));
        CHECK(server.auth_successes() == 1);
        REQUIRE(server.messages().size() == 1);
        for (const auto& line : r.log) CHECK(line.find(secret) == std::string::npos);
        CHECK(r.status_string().find(secret) == std::string::npos);
    }
}

TEST_CASE("a refused password keeps the messages queued and the status row in failure, and no text names it") {
    const std::string wrong = "wrong-Secret-4242";
    smtp_test::server_options so;
    so.auth = {"PLAIN", "LOGIN"};
    so.user = "alice";
    so.password = "right-one";
    smtp_test::server server(so);
    auto o = options_for(server.port());
    o.user = "alice";
    o.password = smtp::shared_secret(wrong);
    rig r(std::move(o));
    r.submit(make_message(1, "badauth", {rcpt("bob@example.net")}));
    REQUIRE(r.run_until([&] { return r.sp->count(spooler_event::kind::requeued) > 0; }, 5s));
    CHECK(r.queue.size() == 1);
    CHECK(server.messages().empty());
    const std::string status = r.status_string();
    CHECK(status.find("535") != std::string::npos);
    CHECK((r.sp->support(0).status().bits() & static_cast<std::uint32_t>(status_code::failure)) != 0);
    std::vector<std::string> texts = r.log;
    texts.push_back(status);
    const std::string b64 = smtp::detail::base64_encode(wrong);
    const std::string plain = smtp::detail::base64_encode(std::string(1, '\0') + "alice" + std::string(1, '\0') + wrong);
    REQUIRE_FALSE(r.log.empty());
    for (const auto& t : texts) {
        CHECK(t.find(wrong) == std::string::npos);
        CHECK(t.find(b64) == std::string::npos);
        CHECK(t.find(plain) == std::string::npos);
    }
    // The server did see the attempt (the check above compares real text, not nothing).
    bool saw_auth = false;
    for (const auto& l : server.transcript()) saw_auth = saw_auth || l.find(plain) != std::string::npos;
    CHECK(saw_auth);
}

TEST_CASE("a server that never answers: the reply timeout ends the wait and the message stays queued") {
    smtp_test::server_options so;
    so.silent = true;
    smtp_test::server server(so);
    auto o = options_for(server.port());
    o.command_timeout = 300ms;
    rig r(std::move(o));
    r.submit(make_message(1, "silent", {rcpt("bob@example.net")}));
    REQUIRE(r.run_until([&] { return r.sp->count(spooler_event::kind::requeued) > 0; }, 5s));
    CHECK(r.queue.size() == 1);
    CHECK(r.status_string().find("in time") != std::string::npos);
    bool logged = false;
    for (const auto& l : r.log) logged = logged || l.find("greeting") != std::string::npos;
    CHECK(logged);
}

TEST_CASE("a server that never accepts: the connect timeout ends the wait and the message stays queued") {
    // A listener with a backlog of 0 that never accepts: once its queue is full the kernel
    // drops further SYNs, so a connect neither succeeds nor fails until the client gives up.
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener, 0) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    std::vector<int> fillers;
    bool full = false;
    for (int i = 0; i < 16 && !full; ++i) {
        const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        REQUIRE(c >= 0);
        fillers.push_back(c);
        (void)::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        pollfd p{c, POLLOUT, 0};
        full = ::poll(&p, 1, 200) == 0;  // still connecting: the queue is full
    }
    REQUIRE(full);
    auto o = options_for(ntohs(addr.sin_port));
    o.connect_timeout = 300ms;
    rig r(std::move(o));
    r.submit(make_message(1, "never accepted", {rcpt("bob@example.net")}));
    REQUIRE(r.run_until([&] { return r.sp->count(spooler_event::kind::requeued) > 0; }, 10s));  // a hang guard
    CHECK(r.queue.size() == 1);
    CHECK(r.xp.last()->connections_opened() == 0);
    bool said = r.status_string().find("no connection to") != std::string::npos;
    for (const auto& l : r.log) said = said || l.find("no connection to") != std::string::npos;
    CHECK(said);
    for (int c : fillers) ::close(c);
    ::close(listener);
}

TEST_CASE("nothing listening: the connection is refused, the message stays queued, no busy retry loop") {
    const auto port = smtp_test::free_port();
    rig r(options_for(port));
    for (int n = 0; n < 20; ++n) r.submit(make_message(n, "refused", {rcpt("bob@example.net")}));
    (void)r.sp->run_for(500ms);
    CHECK(r.queue.size() == 20);
    CHECK(r.xp.last()->connections_opened() == 0);
    // One connection attempt per retry delay, not one per message.
    std::size_t attempts = 0;
    for (const auto& l : r.log) attempts += l.find("stays queued") != std::string::npos ? 1 : 0;
    CHECK(attempts >= 1);
    CHECK(r.status_string().find("Cannot reach") != std::string::npos);
}

TEST_CASE("read_transport_options: the provider section first, then the service's - unconfigured without a server") {
    property_bag service;
    (void)service.set(prop_tag{0x6600, prop_type::string8}, std::string("mail.example.org"));
    (void)service.set(smtp_port_tag, std::int32_t{587});
    (void)service.set(prop_tag{0x6602, prop_type::string8}, std::string("svc-user"));
    property_bag provider;
    (void)provider.set(smtp_user_tag, std::string("me"));
    (void)provider.set(smtp_command_timeout_tag, std::int32_t{20});
    (void)provider.set(smtp_mechanism_tag, std::string("login"));
    (void)provider.set(smtp_pipelining_tag, false);
    auto o = smtp::read_transport_options(provider, service);
    REQUIRE(o);
    CHECK(o->host == "mail.example.org");
    CHECK(o->port == 587);
    CHECK(o->user == "me");
    CHECK(o->command_timeout == 20s);
    CHECK(o->mechanism == smtp::auth_mechanism::login);
    CHECK_FALSE(o->use_pipelining);
    CHECK(o->password.empty());

    auto none = smtp::read_transport_options(property_bag{}, property_bag{});
    CHECK(none.code() == scode::unconfigured);
    CHECK(none.info().message.find("no server") != std::string::npos);
    property_bag bad_port = service;
    (void)bad_port.set(smtp_port_tag, std::int32_t{70000});
    CHECK(smtp::read_transport_options(property_bag{}, bad_port).code() == scode::unconfigured);
    property_bag bad_mech = service;
    (void)bad_mech.set(smtp_mechanism_tag, std::string("CRAM-MD5"));
    CHECK(smtp::read_transport_options(property_bag{}, bad_mech).code() == scode::unconfigured);
}

TEST_CASE("the DATA content: Maildir writer's rendering without Bcc and without the X-MAPI- block") {
    property_bag props;
    (void)props.set(pr::subject, std::string("Hi"));
    (void)props.set(pr::body, std::string("text\r\n"));
    (void)props.set(pr::internet_message_id, std::string("<x@y>"));
    (void)props.set(prop_tag{0x6701, prop_type::i4}, std::int32_t{5});  // a property only X-MAPI- would carry
    const std::string text = smtp::detail::render_for_smtp(
        props, {rcpt("to@example.net", 1), rcpt("cc@example.net", 2), rcpt("hidden@example.net", 3)}, "me@example.org");
    CHECK(text.find("\r\nTo: <to@example.net>\r\n") != std::string::npos);
    CHECK(text.find("\r\nCc: <cc@example.net>\r\n") != std::string::npos);
    CHECK(text.find("\r\nFrom: <me@example.org>\r\n") != std::string::npos);
    CHECK(text.find("Message-ID: <x@y>") != std::string::npos);
    CHECK(text.find("hidden@example.net") == std::string::npos);
    CHECK(text.find("X-MAPI-") == std::string::npos);
    CHECK(text.find("\r\n\r\ntext\r\n") != std::string::npos);
}

TEST_CASE("the DATA content is exactly the Maildir writer's text with the X-MAPI- block taken out") {
    // render_for_smtp renders the standard fields only; the Maildir writer adds its private
    // block. Both must agree on everything else, for plain, 8-bit and dotted messages alike.
    const std::vector<std::string> bodies = {"text\r\n", "caf\xC3\xA9 au lait\r\n.dot line\r\n", "",
                                             "From the start\r\ntrailing space \r\n"};
    for (const auto& body : bodies) {
        property_bag props;
        (void)props.set(pr::subject, std::string("Gr\xC3\xBC\xC3\x9F" "e"));
        (void)props.set(pr::body, body);
        (void)props.set(pr::sender_email_address, std::string("me@example.org"));
        (void)props.set(pr::internet_message_id, std::string("<id@example.org>"));
        (void)props.set(prop_tag{0x6701, prop_type::i4}, std::int32_t{5});
        (void)props.set(pr::client_submit_time, filetime{133600000000000000ULL});  // one Date for both
        const std::vector<property_bag> recipients = {rcpt("to@example.net", 1), rcpt("cc@example.net", 2)};
        ::mapixx::detail::maildir::message_parts parts;
        parts.props = props;
        parts.recipients = recipients;
        const std::string stored = ::mapixx::detail::maildir::write_message(parts);
        REQUIRE(stored.find("X-MAPI-") != std::string::npos);
        CHECK(smtp::detail::render_for_smtp(props, recipients, "other@example.org") ==
              smtp::detail::strip_private_fields(stored));
    }
}

TEST_CASE("session: a MAPI_NO_MAIL session logs on a STATUS_OWN_STORE SMTP transport, which names its store") {
    using namespace mapixx_test;
    world w;
    auto data = std::make_shared<memory_store_data>();
    w.providers.add_store("MXXMEM", [data] { return std::make_unique<memory_store>(data); });
    std::vector<std::string> log;
    w.providers.add_transport(smtp_transport::dll_name,
                              [&log] { return std::make_unique<smtp_transport>([&log](std::string_view s) { log.emplace_back(s); }); });
    profile_builder b("M");
    b.service("MAIL", "MAILSVC", {store("MXXMEM", resource_flag::default_store), transport("mxxsmtp", resource_flag::own_store)});
    auto& p = b.get();
    const uid svc = p.services.back().service_uid;
    (void)p.sections[svc].set(smtp_server_tag, std::string("127.0.0.1"));
    (void)p.sections[svc].set(smtp_port_tag, std::int32_t{smtp_test::free_port()});
    w.add(b);
    auto s = w.logon({.profile = "M",
                      .flags = logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile | logon_flag::no_mail});
    REQUIRE(s);
    auto own = s->with_spooler([](spooler& sp) { return sp.own_store(0); });
    REQUIRE(own);
    REQUIRE(own->has_value());
    CHECK(**own == binary(svc.bytes.begin(), svc.bytes.end()));
    auto store = s->default_store().value();
    const auto id = store->create_message(standard_folder::outbox, make_message(1, "session", {}).props,
                                          {rcpt("bob@example.net")}).value();
    REQUIRE(s->submit_message(id));  // accepted: the coupled transport runs in the no_mail session
    (void)s->spool();
    CHECK(store->open_message(id).value().folder == standard_folder::outbox);  // nothing lost
    (void)sync_wait(s->logoff());
}

TEST_CASE("session: a service session (MAPI_NO_MAIL) sends through the SMTP transport coupled to its store") {
    using namespace mapixx_test;
    smtp_test::server server(smtp_test::server_options{});
    world w;
    auto data = std::make_shared<memory_store_data>();
    w.providers.add_store("MXXMEM", [data] { return std::make_unique<memory_store>(data); });
    w.providers.add_transport(smtp_transport::dll_name, [] { return std::make_unique<smtp_transport>(); });
    profile_builder b("S");
    b.service("MAIL", "MAILSVC", {store("MXXMEM", resource_flag::default_store), transport("mxxsmtp", resource_flag::own_store)});
    auto& p = b.get();
    const uid svc = p.services.back().service_uid;
    (void)p.sections[svc].set(smtp_server_tag, std::string("127.0.0.1"));
    (void)p.sections[svc].set(smtp_port_tag, std::int32_t{server.port()});
    (void)p.sections[svc].set(smtp_sender_tag, std::string("service@example.org"));
    w.add(b);
    auto s = w.logon({.profile = "S",
                      .flags = logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile | logon_flag::no_mail});
    REQUIRE(s);
    CHECK(s->with_spooler([](spooler& sp) { return sp.io() != nullptr; }).value());  // the session made a reactor
    auto store = s->default_store().value();
    std::vector<std::uint64_t> ids;
    for (int n = 0; n < 3; ++n) {
        ids.push_back(store->create_message(standard_folder::outbox, make_message(n, "svc", {}).props,
                                            {rcpt("bob@example.net")}).value());
        REQUIRE(s->submit_message(ids.back()));
    }
    REQUIRE(s->flush_queues(flush_flag::upload, 20s));  // waits on the socket through the reactor
    const auto got = server.messages();
    REQUIRE(got.size() == 3);
    for (int n = 0; n < 3; ++n) {
        const std::string want = message_id_of(n, "svc");
        int seen = 0;
        for (const auto& m : got) {
            if (m.data.find(want) == std::string::npos) continue;
            ++seen;
            REQUIRE(m.rcpts.size() == 1);
            CHECK(m.rcpts[0] == "bob@example.net");
            CHECK(m.data.find(body_of(n)) != std::string::npos);
        }
        CHECK(seen == 1);
    }
    for (auto id : ids) CHECK(store->open_message(id).value().folder == standard_folder::sent_items);
    (void)sync_wait(s->logoff());
    w.check_released();
}

TEST_CASE("session: the SMTP transport without a server in its profile is unconfigured") {
    using namespace mapixx_test;
    world w;
    w.providers.add_transport(smtp_transport::dll_name, [] { return std::make_unique<smtp_transport>(); });
    w.add(profile_builder("U").service("SMTP", "SMTPSVC", {transport("mxxsmtp")}));
    auto s = w.logon({.profile = "U", .flags = logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile});
    REQUIRE(s);
    bool reported = false;
    for (const auto& svc : s->report().services) {
        for (const auto& pr : svc.providers) reported = reported || pr.code == scode::unconfigured;
    }
    CHECK(reported);
    (void)sync_wait(s->logoff());
}


TEST_CASE("attachments: a message with two attachments reaches the server as multipart/mixed with the exact bytes") {
    smtp_test::server server(smtp_test::server_options{});
    rig r(options_for(server.port()));
    outbound_message m = make_message(1, "att", {rcpt("to@example.net"), rcpt("hidden@example.net", 3)});
    m.attachments = two_attachments();
    r.submit(std::move(m));
    REQUIRE(r.run_until([&] { return r.queue.size() == 0; }, 10s));
    const auto got = server.messages();
    REQUIRE(got.size() == 1);
    CHECK(got[0].rcpts == std::vector<std::string>{"to@example.net", "hidden@example.net"});
    CHECK(got[0].data.find("hidden@example.net") == std::string::npos);
    CHECK(id_in(got[0].data) == message_id_of(1, "att"));
    check_two_attachments(got[0].data, body_of(1));
    // The project's own reader agrees: the same rows come back from the text.
    ::mapixx::detail::maildir::read_problem problem;
    auto parts = ::mapixx::detail::maildir::read_message(got[0].data, problem);
    REQUIRE_MESSAGE(parts, problem.what);
    REQUIRE(parts->attachments.size() == 2);
    const std::vector<property_bag> sent = two_attachments();
    for (std::size_t k = 0; k < 2; ++k) {
        CHECK(parts->attachments[k].get_string(pr::attach_long_filename) ==
              sent[k].get_string(pr::attach_long_filename));
        const binary* back = parts->attachments[k].get_binary(pr::attach_data_bin);
        REQUIRE(back != nullptr);
        CHECK(*back == *sent[k].get_binary(pr::attach_data_bin));
    }
}

TEST_CASE("attachments: the deferred recipient's resubmission (4xx, then SENTDEFERRED) carries them too") {
    smtp_test::server_options so;
    so.temp_failures = 1;
    smtp_test::server server(so);
    rig r(options_for(server.port()));
    outbound_message m = make_message(2, "att", {rcpt("now@example.net"), rcpt("temp2@example.net")});
    m.attachments = two_attachments();
    r.submit(std::move(m));
    REQUIRE(r.run_until([&] { return r.queue.size() == 0; }, 10s));
    const auto got = server.messages();
    REQUIRE(got.size() == 2);  // the first attempt for "now", the resubmission for "temp2"
    CHECK(got[0].rcpts == std::vector<std::string>{"now@example.net"});
    CHECK(got[1].rcpts == std::vector<std::string>{"temp2@example.net"});
    for (const auto& one : got) check_two_attachments(one.data, body_of(2));
    CHECK(r.sink.items().empty());
}

TEST_CASE("attachments: a message without any is sent byte for byte as before (one text/plain entity)") {
    property_bag props;
    (void)props.set(pr::subject, std::string("Gr\xC3\xBC\xC3\x9F" "e"));
    (void)props.set(pr::body, std::string("caf\xC3\xA9\r\n.dot line\r\nplain\r\n"));
    (void)props.set(pr::sender_email_address, std::string("me@example.org"));
    (void)props.set(pr::sender_name, std::string("Me"));
    (void)props.set(pr::internet_message_id, std::string("<golden@example.org>"));
    (void)props.set(pr::client_submit_time, filetime{133600000000000000ULL});
    const std::vector<property_bag> recipients = {rcpt("to@example.net", 1), rcpt("cc@example.net", 2),
                                                  rcpt("bcc@example.net", 3)};
    // What the transport sent before it sent attachments, kept here as written then.
    const std::string before =
        "Date: Sun, 12 May 2024 15:06:40 +0000\r\n"
        "From: \"Me\" <me@example.org>\r\n"
        "To: <to@example.net>\r\n"
        "Cc: <cc@example.net>\r\n"
        "Subject: =?utf-8?B?R3LDvMOfZQ==?=\r\n"
        "Message-ID: <golden@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "caf=C3=A9\r\n"
        "=2Edot line\r\n"
        "plain\r\n";
    CHECK(smtp::detail::render_for_smtp(props, recipients, "other@example.org") == before);
    CHECK(smtp::detail::render_for_smtp(props, recipients, "other@example.org", {}) == before);
    // With a row, the same header fields, then a multipart body.
    const std::string with = smtp::detail::render_for_smtp(props, recipients, "other@example.org", two_attachments());
    const std::string head = before.substr(0, before.find("Content-Type:"));
    CHECK(with.substr(0, head.size()) == head);
    CHECK(with.find("Content-Type: multipart/mixed;") == head.size());
}

} // TEST_SUITE

#endif

} // namespace smtp_transport_tests
