// SPDX-License-Identifier: MIT
// Tests of mapixx/providers/smtp/client.hpp: the engine driven by scripted server dialogues,
// byte for byte, with the server's bytes fed at once and one byte at a time.
#include <mapixx/providers/smtp/client.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smtp_client_tests {

using namespace mapixx;
using namespace std::literals;
using smtp::client_state;
using smtp::message_outcome;
using smtp::recipient_status;

namespace {

const std::string ehlo_plain = "250-mx.example.org\r\n250 8BITMIME\r\n";  // no PIPELINING, no SIZE
const std::string ehlo_full =
    "250-mx.example.org Hello\r\n250-PIPELINING\r\n250-SIZE 10000\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n"
    "250 ENHANCEDSTATUSCODES\r\n";

/// A client and the server's side of the conversation.
struct dialogue {
    smtp::client c;
    bool bytewise = false;

    /// The server sends `bytes`; the client's feed result (the first failure when byte-wise).
    result<void> server(std::string_view bytes) {
        if (!bytewise) return c.feed(bytes);
        for (char ch : bytes) {
            auto r = c.feed(std::string_view(&ch, 1));
            if (!r) return r;
        }
        return {};
    }
    /// What the client has sent since the last call.
    std::string sent() { return c.take_output(); }
};

dialogue open(bool bytewise, smtp::client_options o = {}, std::optional<smtp::credential> cred = std::nullopt) {
    if (o.client_name == "localhost") o.client_name = "client.example.net";
    auto c = smtp::client::start(std::move(o), std::move(cred));
    REQUIRE(c);
    return dialogue{std::move(c).value(), bytewise};
}

/// Opens a session up to ready with the EHLO reply `ehlo`.
dialogue ready_session(bool bytewise, const std::string& ehlo, smtp::client_options o = {}) {
    dialogue d = open(bytewise, std::move(o));
    REQUIRE(d.server("220 mx.example.org ESMTP\r\n"));
    REQUIRE(d.sent() == "EHLO client.example.net\r\n");
    REQUIRE(d.server(ehlo));
    REQUIRE(d.c.state() == client_state::ready);
    REQUIRE(d.sent().empty());
    return d;
}

smtp::envelope message(std::vector<std::string> to, std::string body = "Subject: hi\r\n\r\nHello.\r\n") {
    return smtp::envelope{"alice@example.org", std::move(to), std::move(body)};
}

} // namespace

TEST_SUITE("providers/smtp/client.hpp") {

TEST_CASE("a whole session without pipelining: one command per reply, exact bytes both ways") {
    for (bool bytewise : {false, true}) {
        CAPTURE(bytewise);
        dialogue d = open(bytewise);
        CHECK(d.c.state() == client_state::greeting);
        CHECK(d.c.awaiting() == smtp::command::greeting);
        CHECK(d.sent().empty());
        REQUIRE(d.server("220 mx.example.org ESMTP Postfix\r\n"));
        CHECK(d.c.greeting().code == 220);
        CHECK(d.sent() == "EHLO client.example.net\r\n");
        CHECK(d.c.state() == client_state::hello);
        REQUIRE(d.server(ehlo_plain));
        CHECK(d.c.state() == client_state::ready);
        CHECK(d.c.server().domain == "mx.example.org");
        CHECK_FALSE(d.c.pipelining());

        REQUIRE(d.c.send(message({"bob@example.net", "carol@example.net"})));
        CHECK(d.c.state() == client_state::transaction);
        CHECK(d.sent() == "MAIL FROM:<alice@example.org>\r\n");
        REQUIRE(d.server("250 2.1.0 Ok\r\n"));
        CHECK(d.sent() == "RCPT TO:<bob@example.net>\r\n");
        REQUIRE(d.server("250 2.1.5 Ok\r\n"));
        CHECK(d.sent() == "RCPT TO:<carol@example.net>\r\n");
        REQUIRE(d.server("250 2.1.5 Ok\r\n"));
        CHECK(d.sent() == "DATA\r\n");
        CHECK(d.c.awaiting() == smtp::command::data);
        REQUIRE(d.server("354 End data with <CR><LF>.<CR><LF>\r\n"));
        CHECK(d.sent() == "Subject: hi\r\n\r\nHello.\r\n.\r\n");
        CHECK_FALSE(d.c.take_result().has_value());
        REQUIRE(d.server("250 2.0.0 Ok: queued as 4F2A1\r\n"));
        CHECK(d.c.state() == client_state::ready);
        CHECK(d.sent().empty());  // no RSET after a completed transaction

        auto res = d.c.take_result();
        REQUIRE(res.has_value());
        CHECK(res->outcome == message_outcome::sent);
        REQUIRE(res->recipients.size() == 2);
        CHECK(res->recipients[0].address == "bob@example.net");
        CHECK(res->recipients[0].status == recipient_status::accepted);
        CHECK(res->recipients[1].status == recipient_status::accepted);
        CHECK(res->final_reply.lines[0] == "2.0.0 Ok: queued as 4F2A1");
        CHECK_FALSE(res->possibly_delivered);
        CHECK_FALSE(d.c.take_result().has_value());

        REQUIRE(d.c.quit());
        CHECK(d.sent() == "QUIT\r\n");
        CHECK(d.c.state() == client_state::quitting);
        REQUIRE(d.server("221 2.0.0 Bye\r\n"));
        CHECK(d.c.state() == client_state::closed);
        d.c.connection_closed();
        CHECK(d.c.state() == client_state::closed);
        CHECK(d.c.error() == nullptr);
    }
}

TEST_CASE("with PIPELINING, MAIL, every RCPT and DATA go out together with DATA last (RFC 2920)") {
    for (bool bytewise : {false, true}) {
        CAPTURE(bytewise);
        dialogue d = ready_session(bytewise, ehlo_full);
        CHECK(d.c.pipelining());
        REQUIRE(d.c.send(message({"bob@example.net", "carol@example.net", "dave@example.net"})));
        CHECK(d.sent() ==
              "MAIL FROM:<alice@example.org> SIZE=23\r\nRCPT TO:<bob@example.net>\r\nRCPT TO:<carol@example.net>\r\n"
              "RCPT TO:<dave@example.net>\r\nDATA\r\n");
        CHECK(d.c.replies_due() == 5);
        // The replies may come in any grouping.
        REQUIRE(d.server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"));
        CHECK(d.sent().empty());
        REQUIRE(d.server("550 5.1.1 <carol@example.net>: Recipient address rejected\r\n250 2.1.5 Ok\r\n354 go\r\n"));
        CHECK(d.sent() == "Subject: hi\r\n\r\nHello.\r\n.\r\n");
        REQUIRE(d.server("250 2.0.0 Ok: queued\r\n"));
        auto res = d.c.take_result();
        REQUIRE(res.has_value());
        CHECK(res->outcome == message_outcome::sent);
        CHECK(res->recipients[0].status == recipient_status::accepted);
        CHECK(res->recipients[1].status == recipient_status::permanent_failure);
        CHECK(res->recipients[1].response.enhanced == smtp::enhanced_status{5, 1, 1});
        CHECK(res->recipients[2].status == recipient_status::accepted);
        CHECK(res->count(recipient_status::accepted) == 2);
        CHECK(d.c.state() == client_state::ready);
    }
}

TEST_CASE("pipelining offered but switched off in the options sends one command at a time") {
    smtp::client_options o;
    o.use_pipelining = false;
    dialogue d = ready_session(false, ehlo_full, o);
    CHECK_FALSE(d.c.pipelining());
    REQUIRE(d.c.send(message({"bob@example.net", "carol@example.net"})));
    CHECK(d.sent() == "MAIL FROM:<alice@example.org> SIZE=23\r\n");
    REQUIRE(d.server("250 ok\r\n"));
    CHECK(d.sent() == "RCPT TO:<bob@example.net>\r\n");
}

TEST_CASE("EHLO refused with 500, 501, 502 or 504 falls back to HELO, which offers no extension") {
    for (std::string_view refusal : {"500 5.5.1 Command unrecognized\r\n"sv, "502 Not implemented\r\n"sv,
                                     "501 Syntax\r\n"sv, "504 no\r\n"sv}) {
        CAPTURE(refusal);
        dialogue d = open(true);
        REQUIRE(d.server("220 old.example.org SMTP\r\n"));
        CHECK(d.sent() == "EHLO client.example.net\r\n");
        REQUIRE(d.server(refusal));
        CHECK(d.sent() == "HELO client.example.net\r\n");
        CHECK(d.c.awaiting() == smtp::command::helo);
        REQUIRE(d.server("250 old.example.org\r\n"));
        CHECK(d.c.state() == client_state::ready);
        CHECK_FALSE(d.c.server().extended);
        CHECK(d.c.server().domain == "old.example.org");
        // No SIZE= parameter and no pipelining after HELO.
        REQUIRE(d.c.send(message({"bob@example.net"})));
        CHECK(d.sent() == "MAIL FROM:<alice@example.org>\r\n");
    }
}

TEST_CASE("EHLO and HELO both refused fail the session with the reply quoted") {
    dialogue d = open(false);
    REQUIRE(d.server("220 x\r\n502 no EHLO\r\n"));
    CHECK(d.sent() == "EHLO client.example.net\r\nHELO client.example.net\r\n");
    auto r = d.server("550 go away\r\n");
    CHECK_FALSE(r);
    CHECK(r.code() == scode::call_failed);
    CHECK(r.info().message.find("\"550 go away\"") != std::string::npos);
    CHECK(d.c.state() == client_state::failed);
    CHECK(d.sent() == "QUIT\r\n");
}

TEST_CASE("a 554 greeting fails the session with no_access, quotes the reply and says QUIT") {
    for (bool bytewise : {false, true}) {
        dialogue d = open(bytewise);
        auto r = d.server("554 5.7.1 No SMTP service here\r\n");
        CHECK_FALSE(r);
        CHECK(r.code() == scode::no_access);
        CHECK(r.info().message.find("\"554 5.7.1 No SMTP service here\"") != std::string::npos);
        CHECK(r.info().component == "mapixx.smtp");
        CHECK(r.info().context == 554);
        CHECK(d.c.state() == client_state::failed);
        CHECK(d.sent() == "QUIT\r\n");
        // Later replies (to the QUIT) are ignored; the failure stays.
        CHECK(d.server("221 bye\r\n").code() == scode::no_access);
        CHECK(d.c.send(message({"bob@example.net"})).code() == scode::no_access);
    }
}

TEST_CASE("a 421 greeting or a 4xx EHLO fails the session with network_error") {
    dialogue d = open(false);
    auto r = d.server("421 4.3.2 Too busy, try later\r\n");
    CHECK(r.code() == scode::network_error);
    CHECK(d.sent().empty());  // the server closes after 421: no QUIT
    dialogue e = open(false);
    REQUIRE(e.server("220 x\r\n"));
    (void)e.sent();
    CHECK(e.server("451 4.3.0 later\r\n").code() == scode::network_error);
}

TEST_CASE("AUTH PLAIN sends base64 of NUL user NUL password in the AUTH line and then forgets it") {
    for (bool bytewise : {false, true}) {
        CAPTURE(bytewise);
        dialogue d = open(bytewise, {}, smtp::credential("tim", "tanstaaftanstaaf"));
        CHECK(d.c.holds_credential());
        REQUIRE(d.server("220 x\r\n"));
        (void)d.sent();
        REQUIRE(d.server("250-x\r\n250 AUTH LOGIN PLAIN\r\n"));
        // RFC 4616 section 4's example message, encoded independently.
        CHECK(d.sent() == "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
        CHECK(d.c.state() == client_state::authenticating);
        CHECK(d.c.holds_credential());  // until the verdict, to keep echoes out of error sentences
        REQUIRE(d.server("235 2.7.0 Authentication successful\r\n"));
        CHECK(d.c.state() == client_state::ready);
        CHECK_FALSE(d.c.holds_credential());
    }
}

TEST_CASE("AUTH LOGIN answers the two challenges with base64 user name and password") {
    for (bool bytewise : {false, true}) {
        CAPTURE(bytewise);
        dialogue d = open(bytewise, {}, smtp::credential("alice", "s3cr\xC3\xA9t pass"));
        REQUIRE(d.server("220 x\r\n250-x\r\n250 AUTH LOGIN\r\n"));
        CHECK(d.sent() == "EHLO client.example.net\r\nAUTH LOGIN\r\n");
        REQUIRE(d.server("334 VXNlcm5hbWU6\r\n"));
        CHECK(d.sent() == "YWxpY2U=\r\n");
        CHECK(d.c.holds_credential());
        REQUIRE(d.server("334 UGFzc3dvcmQ6\r\n"));
        CHECK(d.sent() == "czNjcsOpdCBwYXNz\r\n");
        REQUIRE(d.server("235 2.7.0 Accepted\r\n"));
        CHECK(d.c.state() == client_state::ready);
        CHECK_FALSE(d.c.holds_credential());
    }
}

TEST_CASE("the mechanism can be chosen: LOGIN even when PLAIN is offered") {
    smtp::client_options o;
    o.mechanism = smtp::auth_mechanism::login;
    dialogue d = open(false, o, smtp::credential("alice", "pw"));
    REQUIRE(d.server("220 x\r\n250-x\r\n250 AUTH PLAIN LOGIN\r\n"));
    CHECK(d.sent() == "EHLO client.example.net\r\nAUTH LOGIN\r\n");
}

TEST_CASE("a 535 to AUTH fails with logon_failed, quoting the reply and never the credential") {
    const std::string password = "tanstaaftanstaaf";
    for (auto mech : {smtp::auth_mechanism::plain, smtp::auth_mechanism::login}) {
        smtp::client_options o;
        o.mechanism = mech;
        dialogue d = open(false, o, smtp::credential("tim", password));
        REQUIRE(d.server("220 x\r\n250-x\r\n250 AUTH PLAIN LOGIN\r\n"));
        (void)d.sent();
        if (mech == smtp::auth_mechanism::login) {
            REQUIRE(d.server("334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n"));
            (void)d.sent();
        }
        auto r = d.server("535 5.7.8 Error: authentication failed: bad credentials\r\n");
        CHECK(r.code() == scode::logon_failed);
        const std::string& m = r.info().message;
        CHECK(m.find("\"535 5.7.8 Error: authentication failed: bad credentials\"") != std::string::npos);
        CHECK(m.find(password) == std::string::npos);
        CHECK(m.find("tim") == std::string::npos);
        CHECK(m.find("AHRpbQB0YW5zdGFhZnRhbnN0YWFm") == std::string::npos);
        CHECK(m.find("dGFuc3RhYWZ0YW5zdGFhZg==") == std::string::npos);  // base64 of the password
        CHECK(std::string(r.error().message()).find(password) == std::string::npos);
        CHECK_FALSE(d.c.holds_credential());
        CHECK(d.sent() == "QUIT\r\n");
    }
}

TEST_CASE("a server that echoes the credential in its AUTH reply does not get it into the error sentence") {
    const std::string password = "tanstaaftanstaaf";
    const std::string echoes[] = {
        "535 5.7.8 bad token AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n",   // the PLAIN message
        "535 5.7.8 wrong password tanstaaftanstaaf\r\n",          // the password itself
        "501 5.5.2 cannot decode dGFuc3RhYWZ0YW5zdGFhZg==\r\n",   // base64 of the password
        "454-4.7.0 tanstaaftanstaaf\r\n454 4.7.0 later\r\n",     // a 4xx, multi-line
        "5x5 malformed tanstaaftanstaaf\r\n",                     // a protocol error quoting the line
    };
    for (const auto& echo : echoes) {
        CAPTURE(echo);
        dialogue d = open(false, {}, smtp::credential("tim", password));
        REQUIRE(d.server("220 x\r\n250-x\r\n250 AUTH PLAIN\r\n"));
        auto r = d.server(echo);
        REQUIRE_FALSE(r);
        const std::string& m = r.info().message;
        CHECK(m.find(password) == std::string::npos);
        CHECK(m.find("AHRpbQB0YW5zdGFhZnRhbnN0YWFm") == std::string::npos);
        CHECK(m.find("dGFuc3RhYWZ0YW5zdGFhZg==") == std::string::npos);
        CHECK(m.find("********") != std::string::npos);
        CHECK_FALSE(d.c.holds_credential());
    }
}

TEST_CASE("regression (fuzz smtp_reply): a 554 greeting that names the password does not get it into the sentence") {
    // The first finding of fuzz_smtp_reply: the greeting quoted the password the fuzzer had put
    // in it: nothing took the password out of quoted replies. Now every failure while the
    // credential is held (until the AUTH verdict) is redacted.
    const std::string input = "554 5\xFF\xFE.7.1 no serfuzz-Pa55word-not-to-leakye\n2";
    dialogue d = open(false, {}, smtp::credential("fuzzer", "fuzz-Pa55word-not-to-leak"));
    auto r = d.server(input);
    CHECK(r.code() == scode::no_access);
    CHECK(r.info().message.find("fuzz-Pa55word-not-to-leak") == std::string::npos);
    CHECK(r.info().message.find("no ser********ye") != std::string::npos);
}

TEST_CASE("a 454 to AUTH is a temporary failure (network_error)") {
    dialogue d = open(false, {}, smtp::credential("tim", "pw"));
    REQUIRE(d.server("220 x\r\n250-x\r\n250 AUTH PLAIN\r\n"));
    CHECK(d.server("454 4.7.0 Temporary authentication failure\r\n").code() == scode::network_error);
}

TEST_CASE("a credential and no usable AUTH mechanism fail with no_support and no credential sent") {
    {
        dialogue d = open(false, {}, smtp::credential("tim", "pw"));
        REQUIRE(d.server("220 x\r\n"));
        auto r = d.server("250-x\r\n250 AUTH CRAM-MD5 XOAUTH2\r\n");
        CHECK(r.code() == scode::no_support);
        CHECK(r.info().message.find("CRAM-MD5 XOAUTH2") != std::string::npos);
        CHECK(d.sent() == "EHLO client.example.net\r\nQUIT\r\n");
        CHECK_FALSE(d.c.holds_credential());
    }
    {
        dialogue d = open(false, {}, smtp::credential("tim", "pw"));
        auto r = d.server("220 x\r\n250 x\r\n");
        CHECK(r.code() == scode::no_support);
        CHECK(r.info().message.find("does not offer AUTH") != std::string::npos);
    }
}

TEST_CASE("an AUTH LOGIN challenge that is not base64 is cancelled with '*'") {
    dialogue d = open(false, {}, smtp::credential("tim", "pw"));
    REQUIRE(d.server("220 x\r\n250-x\r\n250 AUTH LOGIN\r\n"));
    (void)d.sent();
    auto r = d.server("334 Username:\r\n");
    CHECK(r.code() == scode::call_failed);
    CHECK(d.sent() == "*\r\nQUIT\r\n");
    CHECK_FALSE(d.c.holds_credential());
}

TEST_CASE("SIZE= carries the message size and BODY=8BITMIME marks an 8-bit body when offered") {
    dialogue d = ready_session(false, ehlo_full);
    REQUIRE(d.c.send(message({"bob@example.net"}, "Subject: caf\xC3\xA9\n\nd\xC3\xA9j\xC3\xA0 vu\n")));
    CHECK(d.sent() == "MAIL FROM:<alice@example.org> SIZE=29 BODY=8BITMIME\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n");
    REQUIRE(d.server("250 ok\r\n250 ok\r\n354 go\r\n"));
    CHECK(d.sent() == "Subject: caf\xC3\xA9\r\n\r\nd\xC3\xA9j\xC3\xA0 vu\r\n.\r\n");
}

TEST_CASE("an 8-bit body to a server without 8BITMIME is refused unless allowed") {
    dialogue d = ready_session(false, "250-x\r\n250 SIZE\r\n");
    auto r = d.c.send(message({"bob@example.net"}, "caf\xC3\xA9\r\n"));
    CHECK(r.code() == scode::no_support);
    CHECK(d.c.state() == client_state::ready);
    CHECK(d.sent().empty());
    smtp::client_options o;
    o.allow_8bit_without_8bitmime = true;
    dialogue e = ready_session(false, "250-x\r\n250 SIZE\r\n", o);
    REQUIRE(e.c.send(message({"bob@example.net"}, "caf\xC3\xA9\r\n")));
    CHECK(e.sent() == "MAIL FROM:<alice@example.org> SIZE=7\r\n");
}

TEST_CASE("a message larger than the server's SIZE limit is refused with too_big before anything is sent") {
    dialogue d = ready_session(false, "250-x\r\n250 SIZE 10\r\n");
    auto r = d.c.send(message({"bob@example.net"}, "0123456789\r\n"));
    CHECK(r.code() == scode::too_big);
    CHECK(r.info().message.find("12 octets") != std::string::npos);
    CHECK(d.sent().empty());
    CHECK(d.c.ready());
}

TEST_CASE("lines starting with a dot are doubled in the data and bare line ends become CRLF") {
    dialogue d = ready_session(true, ehlo_plain);
    REQUIRE(d.c.send(message({"bob@example.net"}, ".\n..\n.start\nmiddle.dot\r\nbare\rCR\n.")));
    (void)d.sent();
    REQUIRE(d.server("250 ok\r\n250 ok\r\n354 go\r\n"));
    CHECK(d.sent() == "RCPT TO:<bob@example.net>\r\nDATA\r\n..\r\n...\r\n..start\r\nmiddle.dot\r\nbare\r\nCR\r\n..\r\n.\r\n");
}

TEST_CASE("per-recipient results: 250, 550 and 450 each keep their reply") {
    dialogue d = ready_session(true, ehlo_plain);
    REQUIRE(d.c.send(message({"ok@example.net", "gone@example.net", "full@example.net"})));
    REQUIRE(d.server("250 ok\r\n250 2.1.5 ok\r\n550 5.1.1 gone\r\n450 4.2.2 mailbox full\r\n354 go\r\n250 queued\r\n"));
    CHECK(d.sent() == "MAIL FROM:<alice@example.org>\r\nRCPT TO:<ok@example.net>\r\nRCPT TO:<gone@example.net>\r\n"
                      "RCPT TO:<full@example.net>\r\nDATA\r\nSubject: hi\r\n\r\nHello.\r\n.\r\n");
    auto res = d.c.take_result();
    REQUIRE(res.has_value());
    CHECK(res->outcome == message_outcome::sent);
    CHECK(res->recipients[0].status == recipient_status::accepted);
    CHECK(res->recipients[1].status == recipient_status::permanent_failure);
    CHECK(res->recipients[1].response.lines[0] == "5.1.1 gone");
    CHECK(res->recipients[2].status == recipient_status::temporary_failure);
    CHECK(res->recipients[2].response.code == 450);
}

TEST_CASE("when every RCPT fails, DATA is not sent: RSET ends the transaction") {
    for (bool bytewise : {false, true}) {
        dialogue d = ready_session(bytewise, ehlo_plain);
        REQUIRE(d.c.send(message({"a@example.net", "b@example.net"})));
        REQUIRE(d.server("250 ok\r\n550 no a\r\n550 no b\r\n"));
        CHECK(d.sent() == "MAIL FROM:<alice@example.org>\r\nRCPT TO:<a@example.net>\r\nRCPT TO:<b@example.net>\r\nRSET\r\n");
        CHECK_FALSE(d.c.take_result().has_value());
        REQUIRE(d.server("250 2.0.0 Ok\r\n"));
        auto res = d.c.take_result();
        REQUIRE(res.has_value());
        CHECK(res->outcome == message_outcome::permanent_failure);
        CHECK(res->data_reply.none());
        CHECK(d.c.ready());
    }
    // One temporary failure among them makes the message a temporary failure.
    dialogue d = ready_session(false, ehlo_plain);
    REQUIRE(d.c.send(message({"a@example.net", "b@example.net"})));
    REQUIRE(d.server("250 ok\r\n550 no a\r\n451 later b\r\n250 ok\r\n"));
    auto res = d.c.take_result();
    REQUIRE(res.has_value());
    CHECK(res->outcome == message_outcome::temporary_failure);
}

TEST_CASE("pipelined, every RCPT failing gets DATA refused, then RSET") {
    dialogue d = ready_session(false, ehlo_full);
    REQUIRE(d.c.send(message({"a@example.net"})));
    (void)d.sent();
    REQUIRE(d.server("250 ok\r\n550 5.1.1 no a\r\n554 5.5.1 Error: no valid recipients\r\n"));
    CHECK(d.sent() == "RSET\r\n");
    REQUIRE(d.server("250 ok\r\n"));
    auto res = d.c.take_result();
    REQUIRE(res.has_value());
    CHECK(res->outcome == message_outcome::permanent_failure);
    CHECK(res->recipients[0].response.lines[0] == "5.1.1 no a");
    CHECK(res->data_reply.code == 554);
}

TEST_CASE("pipelined, a 354 with no recipient accepted is answered with a lone dot and no content") {
    dialogue d = ready_session(false, ehlo_full);
    REQUIRE(d.c.send(message({"a@example.net"})));
    (void)d.sent();
    REQUIRE(d.server("250 ok\r\n550 no a\r\n354 go ahead anyway\r\n"));
    CHECK(d.sent() == ".\r\n");
    REQUIRE(d.server("554 no valid recipients\r\n"));
    auto res = d.c.take_result();
    REQUIRE(res.has_value());
    CHECK(res->outcome == message_outcome::permanent_failure);
    CHECK(res->recipients[0].response.code == 550);
    CHECK(d.sent().empty());
    CHECK(d.c.ready());
}

TEST_CASE("a refused MAIL FROM fails every recipient with its reply, no RCPT without pipelining") {
    dialogue d = ready_session(false, ehlo_plain);
    REQUIRE(d.c.send(message({"a@example.net", "b@example.net"})));
    (void)d.sent();
    REQUIRE(d.server("451 4.3.0 try later\r\n"));
    CHECK(d.sent().empty());
    auto res = d.c.take_result();
    REQUIRE(res.has_value());
    CHECK(res->outcome == message_outcome::temporary_failure);
    CHECK(res->recipients[1].response.code == 451);
    CHECK(d.c.ready());

    dialogue p = ready_session(false, ehlo_full);
    REQUIRE(p.c.send(message({"a@example.net"})));
    (void)p.sent();
    REQUIRE(p.server("553 5.7.1 sender rejected\r\n503 5.5.1 need MAIL\r\n503 5.5.1 need RCPT\r\n"));
    CHECK(p.sent().empty());  // no transaction was opened: no RSET
    res = p.c.take_result();
    REQUIRE(res.has_value());
    CHECK(res->outcome == message_outcome::permanent_failure);
    CHECK(res->recipients[0].response.code == 553);
}

TEST_CASE("the reply after the data decides for the accepted recipients: 452 temporary, 554 permanent") {
    for (auto [final_reply, outcome] : {std::pair{"452 4.3.1 Insufficient system storage\r\n"sv, message_outcome::temporary_failure},
                                        std::pair{"554 5.6.0 Message rejected\r\n"sv, message_outcome::permanent_failure}}) {
        dialogue d = ready_session(false, ehlo_full);
        REQUIRE(d.c.send(message({"a@example.net", "b@example.net"})));
        REQUIRE(d.server("250 ok\r\n250 ok\r\n550 no b\r\n354 go\r\n"));
        REQUIRE(d.server(final_reply));
        auto res = d.c.take_result();
        REQUIRE(res.has_value());
        CHECK(res->outcome == outcome);
        CHECK(res->recipients[0].response == res->final_reply);
        CHECK(res->recipients[1].status == recipient_status::permanent_failure);
        CHECK(d.c.ready());
    }
}

TEST_CASE("421 in the middle of a message ends the message as a temporary failure and the session with network_error") {
    for (bool bytewise : {false, true}) {
        dialogue d = ready_session(bytewise, ehlo_plain);
        REQUIRE(d.c.send(message({"a@example.net", "b@example.net", "c@example.net"})));
        REQUIRE(d.server("250 ok\r\n250 ok\r\n550 no b\r\n"));
        (void)d.sent();
        auto r = d.server("421 4.4.2 mx.example.org Error: timeout exceeded\r\n");
        CHECK(r.code() == scode::network_error);
        CHECK(r.info().message.find("\"421 4.4.2 mx.example.org Error: timeout exceeded\"") != std::string::npos);
        CHECK(d.c.state() == client_state::failed);
        CHECK(d.sent().empty());
        auto res = d.c.take_result();
        REQUIRE(res.has_value());
        CHECK(res->outcome == message_outcome::temporary_failure);
        CHECK(res->recipients[0].status == recipient_status::temporary_failure);
        CHECK(res->recipients[0].response.code == 421);
        CHECK(res->recipients[1].status == recipient_status::permanent_failure);
        CHECK(res->recipients[2].status == recipient_status::temporary_failure);
        CHECK(res->recipients[2].response.code == 421);
        CHECK_FALSE(res->possibly_delivered);
    }
}

TEST_CASE("the connection lost after the data was sent marks the message as possibly delivered") {
    dialogue d = ready_session(false, ehlo_full);
    REQUIRE(d.c.send(message({"a@example.net"})));
    REQUIRE(d.server("250 ok\r\n250 ok\r\n354 go\r\n"));
    (void)d.sent();
    CHECK(d.c.awaiting() == smtp::command::end_of_data);
    CHECK(smtp::reply_timeout(d.c.awaiting()) == std::chrono::minutes{10});
    d.c.connection_closed();
    CHECK(d.c.state() == client_state::failed);
    REQUIRE(d.c.error() != nullptr);
    CHECK(d.c.error()->code == scode::network_error);
    CHECK(d.c.error()->info.message.find("the end of the message data") != std::string::npos);
    auto res = d.c.take_result();
    REQUIRE(res.has_value());
    CHECK(res->possibly_delivered);
    CHECK(res->outcome == message_outcome::temporary_failure);
    CHECK(res->recipients[0].response.none());
}

TEST_CASE("one connection carries many messages, with RSET after a transaction left open") {
    dialogue d = ready_session(true, ehlo_plain);
    for (int i = 0; i < 3; ++i) {
        CAPTURE(i);
        REQUIRE(d.c.send(message({"a@example.net"}, "message " + std::to_string(i) + "\r\n")));
        REQUIRE(d.server("250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n"));
        CHECK(d.sent() == "MAIL FROM:<alice@example.org>\r\nRCPT TO:<a@example.net>\r\nDATA\r\nmessage " +
                              std::to_string(i) + "\r\n.\r\n");
        auto res = d.c.take_result();
        REQUIRE(res.has_value());
        CHECK(res->outcome == message_outcome::sent);
    }
    // A message refused at DATA leaves the transaction open: RSET, then the next goes normally.
    REQUIRE(d.c.send(message({"a@example.net"})));
    REQUIRE(d.server("250 ok\r\n250 ok\r\n451 4.3.0 not now\r\n"));
    CHECK(d.sent() == "MAIL FROM:<alice@example.org>\r\nRCPT TO:<a@example.net>\r\nDATA\r\nRSET\r\n");
    CHECK(d.c.state() == client_state::transaction);
    REQUIRE(d.server("250 2.0.0 Ok\r\n"));
    auto res = d.c.take_result();
    REQUIRE(res.has_value());
    CHECK(res->outcome == message_outcome::temporary_failure);
    CHECK(res->recipients[0].response.code == 451);
    REQUIRE(d.c.send(message({"a@example.net"})));
    CHECK(d.sent() == "MAIL FROM:<alice@example.org>\r\n");
}

TEST_CASE("a malformed reply fails the session with call_failed and ends the message in progress") {
    dialogue d = ready_session(false, ehlo_full);
    REQUIRE(d.c.send(message({"a@example.net"})));
    (void)d.sent();
    auto r = d.server("250 ok\r\n25O oops\r\n");
    CHECK(r.code() == scode::call_failed);
    CHECK(r.info().message.find("\"25O oops\"") != std::string::npos);
    auto res = d.c.take_result();
    REQUIRE(res.has_value());
    CHECK(res->outcome == message_outcome::temporary_failure);
    CHECK(d.sent().empty());  // the stream is broken: no QUIT
}

TEST_CASE("a reply nobody asked for is a protocol error, except a 421") {
    dialogue d = ready_session(false, ehlo_plain);
    auto r = d.server("250 surprise\r\n");
    CHECK(r.code() == scode::call_failed);
    CHECK(r.info().message.find("no command was waiting") != std::string::npos);
    dialogue e = ready_session(false, ehlo_plain);
    CHECK(e.server("421 4.4.2 idle timeout\r\n").code() == scode::network_error);
}

TEST_CASE("send is refused before the session is ready and for bad envelopes") {
    dialogue d = open(false);
    CHECK(d.c.send(message({"a@example.net"})).code() == scode::call_failed);
    CHECK(d.c.quit().code() == scode::call_failed);
    dialogue r = ready_session(false, ehlo_plain);
    CHECK(r.c.send(message({})).code() == scode::no_recipients);
    CHECK(r.c.send(message({"a@example.net>\r\nRCPT TO:<evil@example.org"})).code() == scode::invalid_parameter);
    CHECK(r.c.send(message({""})).code() == scode::invalid_parameter);
    CHECK(r.c.send(message({std::string(257, 'a')})).code() == scode::invalid_parameter);
    smtp::envelope e = message({"a@example.net"});
    e.reverse_path = "x\n";
    CHECK(r.c.send(e).code() == scode::invalid_parameter);
    CHECK(r.sent().empty());
    // The null sender is allowed.
    e.reverse_path.clear();
    REQUIRE(r.c.send(e));
    CHECK(r.sent() == "MAIL FROM:<>\r\n");
    CHECK(r.c.send(message({"a@example.net"})).code() == scode::call_failed);  // one message at a time
}

TEST_CASE("a UTF-8 address needs SMTPUTF8: the parameter is sent when offered, else no_support") {
    dialogue d = ready_session(false, "250-x\r\n250 SMTPUTF8\r\n");
    REQUIRE(d.c.send(message({"j\xC3\xBCrgen@example.de"})));
    CHECK(d.sent() == "MAIL FROM:<alice@example.org> SMTPUTF8\r\n");
    dialogue e = ready_session(false, ehlo_plain);
    CHECK(e.c.send(message({"j\xC3\xBCrgen@example.de"})).code() == scode::no_support);
}

TEST_CASE("start refuses a bad client name and a credential it cannot send") {
    smtp::client_options o;
    o.client_name = "bad name";
    CHECK(smtp::client::start(o).code() == scode::invalid_parameter);
    o.client_name = "";
    CHECK(smtp::client::start(o).code() == scode::invalid_parameter);
    o.client_name = "ok.example";
    auto r = smtp::client::start(o, smtp::credential("", "pw"));
    CHECK(r.code() == scode::invalid_parameter);
    r = smtp::client::start(o, smtp::credential("tim", "p\0w"sv));
    CHECK(r.code() == scode::invalid_parameter);
    CHECK(r.info().message.find("p\0w"sv) == std::string::npos);
}

TEST_CASE("output can be written in parts: consume drops what was written") {
    dialogue d = open(false);
    REQUIRE(d.server("220 x\r\n"));
    CHECK(d.c.output() == "EHLO client.example.net\r\n");
    d.c.consume(5);
    CHECK(d.c.output() == "client.example.net\r\n");
    d.c.consume(100);
    CHECK(d.c.output().empty());
}

TEST_CASE("each awaited command has the RFC 5321 timeout") {
    CHECK(smtp::reply_timeout(smtp::command::greeting) == std::chrono::minutes{5});
    CHECK(smtp::reply_timeout(smtp::command::mail) == std::chrono::minutes{5});
    CHECK(smtp::reply_timeout(smtp::command::rcpt) == std::chrono::minutes{5});
    CHECK(smtp::reply_timeout(smtp::command::data) == std::chrono::minutes{2});
    CHECK(smtp::reply_timeout(smtp::command::end_of_data) == std::chrono::minutes{10});
    CHECK(smtp::data_block_timeout == std::chrono::minutes{3});
}

TEST_CASE("the connection closing while idle or before QUIT's reply") {
    dialogue d = ready_session(false, ehlo_plain);
    d.c.connection_closed();
    CHECK(d.c.state() == client_state::failed);
    CHECK(d.c.error()->code == scode::network_error);
    CHECK(d.c.error()->info.message.find("idle") != std::string::npos);
    CHECK_FALSE(d.c.take_result().has_value());
    dialogue q = ready_session(false, ehlo_plain);
    REQUIRE(q.c.quit());
    q.c.connection_closed();
    CHECK(q.c.state() == client_state::closed);
    CHECK(q.c.error() == nullptr);
}

} // TEST_SUITE

} // namespace smtp_client_tests
