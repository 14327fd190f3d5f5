// SPDX-License-Identifier: MIT
// Tests of mapixx/providers/smtp/reply.hpp, capabilities.hpp and the helpers under
// providers/smtp/detail (base64, body preparation, wiped memory).
#include <mapixx/providers/smtp/capabilities.hpp>
#include <mapixx/providers/smtp/credential.hpp>
#include <mapixx/providers/smtp/detail/base64.hpp>
#include <mapixx/providers/smtp/detail/body.hpp>
#include <mapixx/providers/smtp/detail/secret.hpp>
#include <mapixx/providers/smtp/reply.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace smtp_reply_tests {

using namespace mapixx;
using namespace std::literals;

namespace {

/// Every reply in `bytes`, fed in pieces of `step` bytes (0: all at once).
struct parsed {
    std::vector<smtp::reply> replies;
    bool ok = true;
    scode code = scode::success;
    std::string message;
};
parsed parse_all(std::string_view bytes, std::size_t step = 0, smtp::reply_limits limits = {}) {
    smtp::reply_parser p(limits);
    parsed out;
    if (step == 0) step = bytes.size() == 0 ? 1 : bytes.size();
    for (std::size_t i = 0; i < bytes.size() && out.ok; i += step) {
        auto r = p.feed(bytes.substr(i, step));
        if (!r) {
            out.ok = false;
            out.code = r.code();
            out.message = r.info().message;
        }
    }
    while (auto r = p.next()) out.replies.push_back(*r);
    return out;
}

} // namespace

TEST_SUITE("providers/smtp/reply.hpp") {

TEST_CASE("a one-line reply gives its code, its text and no enhanced code when there is none") {
    const auto p = parse_all("220 mail.example.org ESMTP ready\r\n");
    REQUIRE(p.ok);
    REQUIRE(p.replies.size() == 1);
    CHECK(p.replies[0].code == 220);
    CHECK(p.replies[0].lines == std::vector<std::string>{"mail.example.org ESMTP ready"});
    CHECK_FALSE(p.replies[0].enhanced.has_value());
    CHECK(p.replies[0].positive());
}

TEST_CASE("a multi-line reply collects every continuation line up to the line with a space") {
    const auto p = parse_all("250-mail.example.org\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n");
    REQUIRE(p.ok);
    REQUIRE(p.replies.size() == 1);
    CHECK(p.replies[0].code == 250);
    CHECK(p.replies[0].lines == std::vector<std::string>{"mail.example.org", "PIPELINING", "SIZE 1000", "8BITMIME"});
}

TEST_CASE("a reply fed one byte at a time is the same as the reply fed at once") {
    const std::string text =
        "250-first line\r\n250-second\n250 third\r\n550 5.1.1 <bob@example.org>: no such user\r\n354 go on\r\n";
    const auto whole = parse_all(text);
    const auto bytewise = parse_all(text, 1);
    const auto threes = parse_all(text, 3);
    REQUIRE(whole.ok);
    REQUIRE(whole.replies.size() == 3);
    CHECK(bytewise.replies == whole.replies);
    CHECK(threes.replies == whole.replies);
}

TEST_CASE("a reply is not complete until its last line has ended") {
    smtp::reply_parser p;
    REQUIRE(p.feed("250-a\r\n250 b"));
    CHECK_FALSE(p.has_reply());
    CHECK(p.mid_reply());
    REQUIRE(p.feed("\r"));
    CHECK_FALSE(p.has_reply());
    REQUIRE(p.feed("\n"));
    REQUIRE(p.has_reply());
    CHECK_FALSE(p.mid_reply());
    CHECK(p.next()->lines == std::vector<std::string>{"a", "b"});
}

TEST_CASE("bare LF ends a line as CRLF does") {
    const auto lf = parse_all("250-a\n250 b\n");
    const auto crlf = parse_all("250-a\r\n250 b\r\n");
    REQUIRE(lf.ok);
    CHECK(lf.replies == crlf.replies);
}

TEST_CASE("a code alone is a last line with empty text, and a lone '-' a continuation with empty text") {
    const auto p = parse_all("250-\r\n250\r\n");
    REQUIRE(p.ok);
    REQUIRE(p.replies.size() == 1);
    CHECK(p.replies[0].lines == std::vector<std::string>{"", ""});
}

TEST_CASE("an enhanced status code is read from the first line when its class matches the reply") {
    auto p = parse_all("550-5.1.1 The email account that you tried to reach does not exist.\r\n550 5.1.1 Try again.\r\n");
    REQUIRE(p.replies.size() == 1);
    REQUIRE(p.replies[0].enhanced.has_value());
    CHECK(*p.replies[0].enhanced == smtp::enhanced_status{5, 1, 1});
    CHECK(p.replies[0].enhanced->to_string() == "5.1.1");
    CHECK(p.replies[0].lines[0] == "5.1.1 The email account that you tried to reach does not exist.");

    p = parse_all("451 4.7.650 The mail server has been temporarily rate limited\r\n");
    REQUIRE(p.replies[0].enhanced.has_value());
    CHECK(*p.replies[0].enhanced == smtp::enhanced_status{4, 7, 650});

    p = parse_all("250 2.0.0\r\n");
    REQUIRE(p.replies[0].enhanced.has_value());
    CHECK(*p.replies[0].enhanced == smtp::enhanced_status{2, 0, 0});
}

TEST_CASE("text that only looks like an enhanced status code is not one") {
    for (std::string_view line : {"550 4.1.1 class does not match the reply\r\n"sv, "250 2.0 too short\r\n"sv,
                                  "250 2.0.1234 detail too long\r\n"sv, "250 2.0.0x glued\r\n"sv,
                                  "250 3.0.0 class 3 does not exist\r\n"sv, "250 Ok\r\n"sv}) {
        CAPTURE(line);
        const auto p = parse_all(line);
        REQUIRE(p.replies.size() == 1);
        CHECK_FALSE(p.replies[0].enhanced.has_value());
    }
}

TEST_CASE("a line without a three-digit code is a protocol error that quotes the line") {
    for (std::string_view bad : {"hello there\r\n"sv, "25 short\r\n"sv, "650 six hundred\r\n"sv, "2x0 x\r\n"sv,
                                 "160 low\r\n"sv, "\r\n"sv, "260 second digit over five\r\n"sv}) {
        CAPTURE(bad);
        const auto p = parse_all(bad);
        CHECK_FALSE(p.ok);
        CHECK(p.code == scode::call_failed);
        CHECK(p.message.find("does not start with a reply code") != std::string::npos);
    }
    const auto p = parse_all("hello there\r\n");
    CHECK(p.message.find("\"hello there\"") != std::string::npos);
}

TEST_CASE("a character other than space or '-' after the code is a protocol error") {
    const auto p = parse_all("250_oops\r\n");
    CHECK_FALSE(p.ok);
    CHECK(p.code == scode::call_failed);
    CHECK(p.message.find("where a space or '-' belongs") != std::string::npos);
}

TEST_CASE("a continuation line with another code is a protocol error naming both codes") {
    const auto p = parse_all("250-one\r\n251 two\r\n");
    CHECK_FALSE(p.ok);
    CHECK(p.replies.empty());
    CHECK(p.message.find("continued a 250 reply with a line carrying code 251") != std::string::npos);
}

TEST_CASE("a line longer than the limit is refused, fed at once or byte by byte, and the limit is named") {
    const std::string at_limit = "250 " + std::string(996, 'x') + "\r\n";  // 1000 octets before CRLF
    const std::string over = "250 " + std::string(997, 'x') + "\r\n";
    CHECK(parse_all(at_limit).ok);
    CHECK(parse_all(at_limit, 1).ok);
    const std::string at_limit_lf = "250 " + std::string(996, 'x') + "\n";
    CHECK(parse_all(at_limit_lf).ok);
    for (std::size_t step : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
        CAPTURE(step);
        const auto p = parse_all(over, step);
        CHECK_FALSE(p.ok);
        CHECK(p.code == scode::call_failed);
        CHECK(p.message.find("longer than 1000 octets") != std::string::npos);
    }
    // A line that never ends is refused as soon as it passes the limit.
    smtp::reply_parser p;
    CHECK_FALSE(p.feed(std::string(2000, 'y')));
    // The limit can be set.
    const auto small = parse_all("250 0123456789\r\n", 0, {10, 256});
    CHECK_FALSE(small.ok);
    CHECK(small.message.find("longer than 10 octets") != std::string::npos);
}

TEST_CASE("a reply with more lines than the limit is refused") {
    std::string text;
    for (int i = 0; i < 5; ++i) text += "250-x\r\n";
    text += "250 end\r\n";
    CHECK(parse_all(text, 0, {1000, 6}).ok);
    const auto p = parse_all(text, 0, {1000, 5});
    CHECK_FALSE(p.ok);
    CHECK(p.message.find("more than 5 lines") != std::string::npos);
}

TEST_CASE("after a protocol error the parser stays failed, and replies before the error can be taken") {
    smtp::reply_parser p;
    auto r = p.feed("250 fine\r\nbad line\r\n250 later\r\n");
    CHECK_FALSE(r);
    REQUIRE(p.error() != nullptr);
    CHECK(p.error()->info.context == 2);  // the second line read
    CHECK(p.error()->info.component == "mapixx.smtp");
    REQUIRE(p.has_reply());
    CHECK(p.next()->lines[0] == "fine");
    CHECK_FALSE(p.has_reply());
    CHECK_FALSE(p.feed("250 ok\r\n"));
    p.reset();
    CHECK(p.feed("250 ok\r\n"));
    CHECK(p.has_reply());
}

TEST_CASE("non-printable bytes in a bad line are escaped in the error sentence") {
    const auto p = parse_all("\x01\x02zz\x7F\r\n");
    CHECK_FALSE(p.ok);
    CHECK(p.message.find("\\x01\\x02zz\\x7F") != std::string::npos);
}

TEST_CASE("format_reply writes a reply that parses back to the same") {
    smtp::reply r;
    r.code = 250;
    r.lines = {"mail.example.org greets you", "PIPELINING", "", "AUTH PLAIN LOGIN"};
    const std::string text = smtp::format_reply(r);
    CHECK(text == "250-mail.example.org greets you\r\n250-PIPELINING\r\n250-\r\n250 AUTH PLAIN LOGIN\r\n");
    const auto p = parse_all(text);
    REQUIRE(p.replies.size() == 1);
    CHECK(p.replies[0] == r);
}

TEST_CASE("quote shows the code and the lines, escaped and shortened") {
    smtp::reply r;
    r.code = 550;
    r.lines = {"5.1.1 no such user", "second\tline"};
    CHECK(smtp::quote(r) == "\"550 5.1.1 no such user / second\\x09line\"");
    r.lines = {std::string(1000, 'a')};
    CHECK(smtp::quote(r).size() < 320);
    CHECK(smtp::quote(smtp::reply{}) == "no reply");
}

} // TEST_SUITE

TEST_SUITE("providers/smtp/capabilities.hpp") {

TEST_CASE("the EHLO reply's keywords become capabilities, case-insensitively") {
    const auto p = parse_all("250-mx.example.org Hello client\r\n250-pipelining\r\n250-SIZE 35882577\r\n"
                             "250-8BITMIME\r\n250-AUTH login PLAIN XOAUTH2\r\n250-ENHANCEDSTATUSCODES\r\n"
                             "250-SMTPUTF8\r\n250-STARTTLS\r\n250-CHUNKING\r\n250 DSN\r\n");
    REQUIRE(p.replies.size() == 1);
    const auto c = smtp::parse_ehlo(p.replies[0]);
    CHECK(c.extended);
    CHECK(c.domain == "mx.example.org");
    CHECK(c.pipelining);
    CHECK(c.size);
    CHECK(c.max_size == 35882577);
    CHECK(c.eight_bit_mime);
    CHECK(c.auth == std::vector<std::string>{"LOGIN", "PLAIN", "XOAUTH2"});
    CHECK(c.offers_auth("plain"));
    CHECK_FALSE(c.offers_auth("CRAM-MD5"));
    CHECK(c.enhanced_status_codes);
    CHECK(c.smtputf8);
    CHECK(c.starttls);
    CHECK(c.chunking);
    CHECK(c.dsn);
    CHECK(c.keywords.size() == 9);
}

TEST_CASE("SIZE without a number, with garbage or overflowing means no fixed limit - AUTH= is read too") {
    for (std::string_view size_line : {"SIZE"sv, "SIZE abc"sv, "SIZE 99999999999999999999999"sv}) {
        smtp::reply r;
        r.code = 250;
        r.lines = {"host", std::string(size_line), "AUTH=LOGIN PLAIN"};
        const auto c = smtp::parse_ehlo(r);
        CAPTURE(size_line);
        CHECK(c.size);
        CHECK(c.max_size == 0);
        CHECK(c.auth == std::vector<std::string>{"LOGIN", "PLAIN"});
        CHECK_FALSE(c.pipelining);
    }
}

} // TEST_SUITE

TEST_SUITE("providers/smtp/detail/base64.hpp") {

TEST_CASE("base64 matches the RFC 4648 test vectors both ways") {
    const std::pair<std::string_view, std::string_view> vectors[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"}};
    for (const auto& vector : vectors) {
        const std::string_view plain = vector.first;
        const std::string_view coded = vector.second;
        CAPTURE(plain);
        CHECK(smtp::detail::base64_encode(plain) == coded);
        const auto back = smtp::detail::base64_decode(coded);
        REQUIRE(back.has_value());
        CHECK(*back == plain);
    }
}

TEST_CASE("base64 decodes the RFC 4954 AUTH PLAIN example and the AUTH LOGIN prompts") {
    CHECK(smtp::detail::base64_decode("dGVzdAB0ZXN0ADEyMzQ=") == std::optional<std::string>("test\0test\0" "1234"s));
    CHECK(smtp::detail::base64_decode("VXNlcm5hbWU6") == std::optional<std::string>("Username:"));
    CHECK(smtp::detail::base64_decode("UGFzc3dvcmQ6") == std::optional<std::string>("Password:"));
    CHECK(smtp::detail::base64_encode("test\0test\0" "1234"s) == "dGVzdAB0ZXN0ADEyMzQ=");
}

TEST_CASE("base64 decoding refuses text that is not canonical padded base64") {
    for (std::string_view bad : {"Zg="sv, "Zg"sv, "Z==="sv, "=Zg="sv, "Zg=a"sv, "Zh=="sv, "Zm9=Zm9v"sv, "Zm 9v"sv,
                                 "Zm9v\r\n"sv, "Zm8-"sv}) {
        CAPTURE(bad);
        CHECK_FALSE(smtp::detail::base64_decode(bad).has_value());
    }
}

TEST_CASE("the streaming encoder gives the same text whatever the pieces") {
    const std::string all = "\0user\0a longer password with 8-bit \xC3\xA9 bytes"s;
    for (std::size_t cut1 = 0; cut1 <= all.size(); cut1 += 5) {
        for (std::size_t cut2 = cut1; cut2 <= all.size(); cut2 += 7) {
            std::string out;
            smtp::detail::base64_encoder enc;
            auto sink = [&](char c) { out.push_back(c); };
            enc.put(std::string_view(all).substr(0, cut1), sink);
            enc.put(std::string_view(all).substr(cut1, cut2 - cut1), sink);
            enc.put(std::string_view(all).substr(cut2), sink);
            enc.finish(sink);
            CHECK(out == smtp::detail::base64_encode(all));
        }
    }
}

} // TEST_SUITE

TEST_SUITE("providers/smtp/detail/body.hpp") {

TEST_CASE("line ends become CRLF, lines starting with a dot get another, and the data ends with CRLF.CRLF") {
    const auto b = smtp::detail::prepare_body("Subject: x\n\n.hidden\r\n..two\rlast.line\n.");
    CHECK(b.wire == "Subject: x\r\n\r\n..hidden\r\n...two\r\nlast.line\r\n..\r\n.\r\n");
    CHECK(b.size == std::string_view("Subject: x\r\n\r\n.hidden\r\n..two\r\nlast.line\r\n.\r\n").size());
    CHECK_FALSE(b.eight_bit);
}

TEST_CASE("an empty body is a lone dot, and a body without a final line end gets one") {
    CHECK(smtp::detail::prepare_body("").wire == ".\r\n");
    CHECK(smtp::detail::prepare_body("").size == 0);
    CHECK(smtp::detail::prepare_body("x").wire == "x\r\n.\r\n");
    CHECK(smtp::detail::prepare_body("x\r\n").wire == "x\r\n.\r\n");
}

TEST_CASE("prepare_body agrees with a character-by-character reference on 3 000 random bodies") {
    // The reference: the rules of RFC 5321 applied one character at a time.
    auto reference = [](std::string_view body) {
        smtp::detail::prepared_body out;
        bool line_start = true;
        for (std::size_t i = 0; i < body.size(); ++i) {
            const char c = body[i];
            if (static_cast<unsigned char>(c) >= 0x80) out.eight_bit = true;
            if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
                out.wire += "\r\n";
                out.size += 2;
                line_start = true;
                continue;
            }
            if (line_start && c == '.') out.wire += '.';
            out.wire += c;
            ++out.size;
            line_start = false;
        }
        if (!line_start) {
            out.wire += "\r\n";
            out.size += 2;
        }
        out.wire += ".\r\n";
        return out;
    };
    std::uint32_t seed = 12345;
    auto next = [&seed] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    const char alphabet[] = {'.', '\r', '\n', 'a', ' ', '\x80', '\xC3', '.', '\n', 'Z'};
    // Every third body is longer and mostly letters, so that runs of 8 bytes and more without
    // a line end (which prepare_body takes 8 at a time) are common.
    const char texty[] = {'a', 'b', 'c', 'd', 'e', 'f', ' ', 'Z', 'a', 'b', 'c', '.', '\r', '\n', '\x80'};
    for (int round = 0; round < 3000; ++round) {
        std::string body;
        const bool long_text = round % 3 == 0;
        const std::size_t length = next() % (long_text ? 300 : 40);
        for (std::size_t k = 0; k < length; ++k) {
            body += long_text ? texty[next() % sizeof texty] : alphabet[next() % sizeof alphabet];
        }
        const auto want = reference(body);
        const auto got = smtp::detail::prepare_body(body);
        INFO("round " << round);
        REQUIRE(got.wire == want.wire);
        REQUIRE(got.size == want.size);
        REQUIRE(got.eight_bit == want.eight_bit);
    }
}

TEST_CASE("a byte of 0x80 or more marks the body as 8-bit") {
    CHECK(smtp::detail::prepare_body("caf\xC3\xA9\r\n").eight_bit);
    CHECK_FALSE(smtp::detail::prepare_body("plain ASCII \x7F\r\n").eight_bit);
}

TEST_CASE("prepare_body: one 8-bit byte, bare line end or leading dot at any position of a long plain body is handled") {
    std::string plain;
    for (int line = 0; line < 10; ++line) plain += std::string(5 + line * 9 % 31, 'k') + "\r\n";
    plain += "no end";
    const auto base = smtp::detail::prepare_body(plain);
    REQUIRE_FALSE(base.eight_bit);
    REQUIRE(base.wire == plain + "\r\n.\r\n");
    REQUIRE(base.size == plain.size() + 2);
    for (std::size_t at = 0; at < plain.size(); ++at) {
        if (plain[at] == '\r' || plain[at] == '\n') continue;
        CAPTURE(at);
        std::string high = plain;
        high[at] = '\xE9';
        const auto h = smtp::detail::prepare_body(high);
        REQUIRE(h.eight_bit);
        REQUIRE(h.wire == high + "\r\n.\r\n");
        // A bare LF in place of the byte: CRLF there, the rest unchanged.
        std::string bare = plain;
        bare[at] = '\n';
        const auto b = smtp::detail::prepare_body(bare);
        std::string want = plain.substr(0, at) + "\r\n" + plain.substr(at + 1);
        if (at + 1 < plain.size()) want += "\r\n";  // the last line still has no end of its own
        REQUIRE(b.wire == want + ".\r\n");
        REQUIRE(b.size == want.size());
        REQUIRE_FALSE(b.eight_bit);
        // A dot at the start of a line gets another; elsewhere it stays single.
        std::string dotted = plain;
        dotted[at] = '.';
        const bool starts_line = at == 0 || plain[at - 1] == '\n';
        const auto d = smtp::detail::prepare_body(dotted);
        REQUIRE(d.wire == (starts_line ? dotted.substr(0, at) + "." + dotted.substr(at) : dotted) + "\r\n.\r\n");
        REQUIRE(d.size == dotted.size() + 2);
    }
}

} // TEST_SUITE

TEST_SUITE("providers/smtp/detail/secret.hpp") {

TEST_CASE("secure_wipe zeroes memory and empties a string") {
    char buf[16] = "password1234567";
    smtp::detail::secure_wipe(buf, sizeof buf);
    CHECK(std::all_of(std::begin(buf), std::end(buf), [](char c) { return c == 0; }));
    std::string s = "a secret that is long enough to be on the heap";
    smtp::detail::secure_wipe(s);
    CHECK(s.empty());
}

TEST_CASE("the wiping buffer zeroes every byte it has let go of") {
    smtp::detail::wiping_buffer b;
    b.append("EHLO host\r\n");
    b.append("AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
    CHECK(b.view() == "EHLO host\r\nAUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
    b.consume(11);
    CHECK(b.view() == "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
    b.consume(5);
    CHECK(b.view() == "PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
    b.consume(1000);
    CHECK(b.empty());
    const auto storage = b.storage_for_test();
    CHECK(storage.size() >= 52);
    CHECK(std::all_of(storage.begin(), storage.end(), [](char c) { return c == 0; }));
    // Compaction and growth leave nothing of the secret behind either.
    b.append(std::string(200, 'a'));
    b.consume(150);
    b.append("secret");
    b.append(std::string(300, 'b'));  // grows
    b.consume(b.size());
    const auto after = b.storage_for_test();
    CHECK(std::all_of(after.begin(), after.end(), [](char c) { return c == 0; }));
}

TEST_CASE("a moved credential leaves nothing in the source, and wipe empties it") {
    smtp::credential a("alice", "pw");
    smtp::credential b(std::move(a));
    CHECK(a.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
    CHECK(b.user() == "alice");
    b.wipe();
    CHECK(b.empty());
    std::string pw = "from a profile property";
    smtp::credential c("bob", pw);
    CHECK(pw.empty());
    CHECK(c.user() == "bob");
}

} // TEST_SUITE

} // namespace smtp_reply_tests
