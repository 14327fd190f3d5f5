// SPDX-License-Identifier: MIT
// libFuzzer target: the SMTP reply parser (providers/smtp/reply.hpp) and, on the same bytes
// taken as a server's side of a session, the SMTP client engine (providers/smtp/client.hpp).
// The whole input is what the server sends.
//
// Checked (docs/smtp.md):
// - `reply_parser::feed` never crashes; it either takes everything or fails with
//   `call_failed`, a sentence and component "mapixx.smtp";
// - every reply has a valid code (2-5, 0-5, 0-9), at least one line, no line longer than the
//   limit and no CR/LF inside a line other than CRs kept from the server's text, and an enhanced
//   status code only with the class of its reply code;
// - feeding the bytes at once, one byte at a time, or split at two points chosen from the input
//   gives the same replies and the same error (code, sentence, context);
// - `format_reply(r)` parses back to exactly `r`, alone and followed by the next reply;
// - the client engine, fed the bytes in the same three ways with a credential and messages to
//   send, never crashes, holds no credential once ready or ended, ends closed or failed (failed
//   exactly when it has an error) after the connection closes, gives every message a result
//   for each recipient, and never puts the password in its output in plain text nor in an
//   error sentence: not of its own, and not from a server's echo while it holds the credential
//   (until the AUTH verdict; a server may still name the password in a later reply). (The dialogues of the three ways may differ: the driver sends a message as
//   soon as the session is ready, which depends on where the input was cut.)
#include "fuzz_support.hpp"

#include <mapixx/core/result.hpp>
#include <mapixx/providers/smtp/client.hpp>
#include <mapixx/providers/smtp/reply.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace mapixx;

namespace {

struct parse_outcome {
    std::vector<smtp::reply> replies;
    std::optional<failure> error;
};

bool same_failure(const std::optional<failure>& a, const std::optional<failure>& b) {
    if (a.has_value() != b.has_value()) return false;
    if (!a) return true;
    return a->code == b->code && a->info == b->info;
}

/// Feeds `text` in pieces cut at `cuts` (sorted positions).
parse_outcome parse(std::string_view text, const std::vector<std::size_t>& cuts) {
    smtp::reply_parser p;
    parse_outcome out;
    std::size_t from = 0;
    auto feed = [&](std::size_t to) {
        if (out.error || to < from) return;
        if (auto r = p.feed(text.substr(from, to - from)); !r) out.error = r.as_failure();
        from = to;
    };
    for (std::size_t c : cuts) feed(c);
    feed(text.size());
    while (auto r = p.next()) out.replies.push_back(std::move(*r));
    return out;
}

std::vector<std::size_t> every_byte(std::size_t n) {
    std::vector<std::size_t> v;
    for (std::size_t i = 1; i < n; ++i) v.push_back(i);
    return v;
}

void check_reply(const smtp::reply& r, const smtp::reply_limits& limits) {
    MAPIXX_FUZZ_CHECK(r.code >= 200 && r.code <= 559 && (r.code / 10) % 10 <= 5);
    MAPIXX_FUZZ_CHECK(!r.lines.empty() && r.lines.size() <= limits.max_lines);
    for (const auto& l : r.lines) {
        MAPIXX_FUZZ_CHECK(l.size() + 4 <= limits.max_line || l.size() <= limits.max_line);
        MAPIXX_FUZZ_CHECK(l.find('\n') == std::string::npos);
    }
    if (r.enhanced) MAPIXX_FUZZ_CHECK(r.enhanced->klass == static_cast<unsigned>(r.code / 100));
    // Re-serialised, it parses back to itself, alone and followed by another reply.
    const std::string text = smtp::format_reply(r);
    const auto back = parse(text, {});
    MAPIXX_FUZZ_CHECK(!back.error && back.replies.size() == 1 && back.replies[0] == r);
    const auto two = parse(text + "250 next\r\n", {});
    MAPIXX_FUZZ_CHECK(!two.error && two.replies.size() == 2 && two.replies[0] == r);
}

void parser_invariants(std::string_view text, std::size_t cut1, std::size_t cut2) {
    const auto whole = parse(text, {});
    if (whole.error) {
        MAPIXX_FUZZ_CHECK(whole.error->code == scode::call_failed);
        MAPIXX_FUZZ_CHECK(!whole.error->info.message.empty());
        MAPIXX_FUZZ_CHECK(whole.error->info.component == "mapixx.smtp");
    }
    for (const auto& r : whole.replies) check_reply(r, smtp::reply_limits{});

    const auto split = parse(text, {cut1, cut2});
    MAPIXX_FUZZ_CHECK(split.replies == whole.replies);
    MAPIXX_FUZZ_CHECK(same_failure(split.error, whole.error));
    if (text.size() <= 4096) {
        const auto bytes = parse(text, every_byte(text.size()));
        MAPIXX_FUZZ_CHECK(bytes.replies == whole.replies);
        MAPIXX_FUZZ_CHECK(same_failure(bytes.error, whole.error));
    }
}

// ---- the client engine on the same bytes ---------------------------------------------------

constexpr std::string_view password = "fuzz-Pa55word-not-to-leak";

struct engine_outcome {
    smtp::client_state state = smtp::client_state::greeting;
    std::optional<failure> error;
    std::vector<smtp::message_result> results;
    std::string sent;
};

engine_outcome run_engine(std::string_view text, const std::vector<std::size_t>& cuts, bool pipelining) {
    smtp::client_options o;
    o.client_name = "fuzz.example";
    o.use_pipelining = pipelining;
    auto started = smtp::client::start(o, smtp::credential("fuzzer", password));
    MAPIXX_FUZZ_CHECK(started.has_value());
    smtp::client c = std::move(started).value();
    engine_outcome out;
    int sent_messages = 0;
    auto step = [&](std::string_view piece) {
        const bool held = c.holds_credential();
        const bool was_failed = c.state() == smtp::client_state::failed;
        (void)c.feed(piece);
        if (held && !was_failed && c.error() != nullptr && std::count(piece.begin(), piece.end(), '\n') <= 1) {
            // Failed while it held the credential (a piece with at most one line end holds at
            // most one reply, so the AUTH verdict did not come first in it): whatever the
            // server echoed is taken out.
            MAPIXX_FUZZ_CHECK(c.error()->info.message.find(password) == std::string::npos);
        }
        out.sent += c.take_output();
        if (auto r = c.take_result()) {
            MAPIXX_FUZZ_CHECK(r->recipients.size() == 2);
            out.results.push_back(std::move(*r));
        }
        if (c.ready()) {
            MAPIXX_FUZZ_CHECK(!c.holds_credential());
            if (sent_messages < 3) {
                ++sent_messages;
                auto r = c.send(smtp::envelope{"from@example.org", {"a@example.net", "b@example.net"},
                                               ".dot\nline\r\n8-bit \xC3\xA9\n"});
                if (!r) MAPIXX_FUZZ_CHECK(r.code() == scode::no_support || r.code() == scode::too_big);
            } else {
                MAPIXX_FUZZ_CHECK(c.quit().has_value());
            }
            out.sent += c.take_output();
        }
    };
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        if (cut < from) continue;
        step(text.substr(from, cut - from));
        from = cut;
    }
    step(text.substr(from));
    c.connection_closed();
    if (auto r = c.take_result()) out.results.push_back(std::move(*r));
    out.state = c.state();
    if (c.error()) out.error = *c.error();
    MAPIXX_FUZZ_CHECK((out.state == smtp::client_state::failed) == out.error.has_value());
    MAPIXX_FUZZ_CHECK(out.state == smtp::client_state::failed || out.state == smtp::client_state::closed);
    MAPIXX_FUZZ_CHECK(!c.holds_credential());
    if (out.error) {
        // The engine never puts the password in a sentence itself (the server could, after AUTH).
        if (text.find(password) == std::string_view::npos) {
            MAPIXX_FUZZ_CHECK(out.error->info.message.find(password) == std::string::npos);
        }
        MAPIXX_FUZZ_CHECK(out.error->info.component == "mapixx.smtp");
    }
    MAPIXX_FUZZ_CHECK(out.sent.find(password) == std::string::npos);
    return out;
}

void engine_invariants(std::string_view text, std::size_t cut1, std::size_t cut2, bool pipelining) {
    // The engine's driver acts between pieces (a message is sent as soon as the session is
    // ready), so different cuts may legitimately give different dialogues; each run is checked
    // on its own.
    (void)run_engine(text, {}, pipelining);
    (void)run_engine(text, {cut1, cut2}, pipelining);
    if (text.size() <= 1024) (void)run_engine(text, every_byte(text.size()), pipelining);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = mapixx_fuzz::as_text(data, size);
    // Two cut points chosen from the input itself, so the fuzzer explores them too.
    std::size_t h = 1469598103u;
    for (std::size_t i = 0; i < size && i < 64; ++i) h = (h ^ data[i]) * 1099511628211u;
    const std::size_t cut1 = size == 0 ? 0 : h % (size + 1);
    const std::size_t cut2 = size == 0 ? 0 : cut1 + (h >> 17) % (size - cut1 + 1);
    parser_invariants(text, cut1, cut2);
    engine_invariants(text, cut1, cut2, (h & 1) != 0);
    return 0;
}
