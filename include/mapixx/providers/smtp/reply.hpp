// SPDX-License-Identifier: MIT
/// \file
/// SMTP replies (RFC 5321 section 4.2) with their enhanced status codes (RFC 3463), and
/// `reply_parser`, an incremental parser that takes the server's bytes in pieces of any size.
#ifndef MAPIXX_PROVIDERS_SMTP_REPLY_HPP_INCLUDED
#define MAPIXX_PROVIDERS_SMTP_REPLY_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {
namespace smtp {

/// The component name of every SMTP error (`error_info::component`).
inline constexpr std::string_view component = "mapixx.smtp";

/// An enhanced mail system status code (RFC 3463): `class.subject.detail`, such as 5.1.1
/// (bad destination mailbox address). `klass` is 2, 4 or 5; subject and detail are 0-999.
struct enhanced_status {
    unsigned klass = 0;    ///< 2 (success), 4 (persistent transient failure), 5 (permanent failure).
    unsigned subject = 0;  ///< 0-999: 1 addressing, 2 mailbox, 3 mail system, 4 network, 5 protocol, ...
    unsigned detail = 0;   ///< 0-999.

    /// `"5.1.1"`.
    [[nodiscard]] std::string to_string() const {
        return std::to_string(klass) + '.' + std::to_string(subject) + '.' + std::to_string(detail);
    }
    friend bool operator==(const enhanced_status&, const enhanced_status&) = default;
};

/// Reads an enhanced status code at the start of `text`: `class "." 1*3digit "." 1*3digit`
/// followed by a space or the end of the text. nullopt when `text` does not start with one.
[[nodiscard]] inline std::optional<enhanced_status> parse_enhanced_status(std::string_view text) noexcept {
    if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') return std::nullopt;
    enhanced_status s;
    s.klass = static_cast<unsigned>(text[0] - '0');
    std::size_t i = 2;
    auto number = [&](unsigned& out) {
        const std::size_t start = i;
        unsigned v = 0;
        while (i < text.size() && i - start < 3 && text[i] >= '0' && text[i] <= '9') {
            v = v * 10 + static_cast<unsigned>(text[i] - '0');
            ++i;
        }
        out = v;
        return i > start;
    };
    if (!number(s.subject) || i >= text.size() || text[i] != '.') return std::nullopt;
    ++i;
    if (!number(s.detail)) return std::nullopt;
    if (i < text.size() && text[i] != ' ') return std::nullopt;
    return s;
}

/// One SMTP reply: a three-digit code and one or more lines of text. `lines` holds each line's
/// text exactly as sent (after the code and its space or '-', without CRLF), enhanced status
/// code included; `enhanced` is the code read from the first line when it starts with one whose
/// class matches the reply's first digit (RFC 3463 section 2). `code == 0` means "no reply"
/// (for example, a recipient whose reply never came because the connection dropped).
struct reply {
    std::uint16_t code = 0;                   ///< 200-559 (RFC 5321 grammar), or 0 for no reply.
    std::vector<std::string> lines;           ///< The text of each line, at least one for a real reply.
    std::optional<enhanced_status> enhanced;  ///< From the first line, when present.

    /// True for "no reply" (`code == 0`).
    [[nodiscard]] bool none() const noexcept { return code == 0; }
    /// 2yz: positive completion.
    [[nodiscard]] bool positive() const noexcept { return code >= 200 && code < 300; }
    /// 3yz: positive intermediate (354 to DATA, 334 to AUTH).
    [[nodiscard]] bool intermediate() const noexcept { return code >= 300 && code < 400; }
    /// 4yz: transient negative completion: the same command may succeed later.
    [[nodiscard]] bool transient() const noexcept { return code >= 400 && code < 500; }
    /// 5yz: permanent negative completion.
    [[nodiscard]] bool permanent() const noexcept { return code >= 500 && code < 600; }

    friend bool operator==(const reply&, const reply&) = default;
};

/// The reply as the server would have sent it: `250-first\r\n250 last\r\n` (an empty last line
/// is written as `250\r\n`). Parsing the result gives `r` back.
[[nodiscard]] inline std::string format_reply(const reply& r) {
    std::string out;
    const std::string code = std::to_string(r.code);
    for (std::size_t i = 0; i < r.lines.size(); ++i) {
        const bool last = i + 1 == r.lines.size();
        out += code;
        if (!last) {
            out += '-';
            out += r.lines[i];
        } else if (!r.lines[i].empty()) {
            out += ' ';
            out += r.lines[i];
        }
        out += "\r\n";
    }
    return out;
}

namespace detail {
/// `text` for an error sentence: printable ASCII kept, every other byte as \xNN, cut to
/// `max_chars` with "..." after.
[[nodiscard]] inline std::string printable(std::string_view text, std::size_t max_chars = 200) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    // One allocation: no partial copy is left behind by growth (the text may be secret).
    out.reserve(std::min(text.size() * 4, max_chars + 3) + 4);
    for (char ch : text) {
        if (out.size() >= max_chars) {
            out += "...";
            break;
        }
        const auto u = static_cast<unsigned char>(ch);
        if (u >= 0x20 && u < 0x7F && ch != '\\') {
            out += ch;
        } else {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 0xF];
        }
    }
    return out;
}
} // namespace detail

/// A reply quoted for an error sentence: `"550 5.1.1 No such user"`, lines joined with " / ",
/// non-printable bytes escaped, at most about 300 characters. Quotes only what the server sent.
[[nodiscard]] inline std::string quote(const reply& r) {
    if (r.none()) return "no reply";
    std::string text;
    for (std::size_t i = 0; i < r.lines.size(); ++i) {
        if (i != 0) text += " / ";
        text += r.lines[i];
        if (text.size() > 300) break;
    }
    std::string out = "\"" + std::to_string(r.code);
    if (!text.empty()) out += ' ' + detail::printable(text, 300);
    out += '"';
    return out;
}

/// Limits of `reply_parser`. A reply line may hold at most `max_line` octets before its
/// terminator (CRLF, or a bare LF, which is tolerated); RFC 5321 section 4.5.3.1.5 allows 512
/// octets with the CRLF, and the default of 1000 leaves room for servers that exceed it. A reply
/// may have at most `max_lines` lines (an EHLO reply has about twenty).
struct reply_limits {
    std::size_t max_line = 1000;  ///< Octets per line, without CRLF. At least 4.
    std::size_t max_lines = 256;  ///< Lines per reply. At least 1.
};

/// Reads SMTP replies from the bytes a server sends, in pieces of any size (one byte at a
/// time works; so do several replies in one piece, as pipelining produces). Complete replies
/// queue up and are taken with `next()`.
///
/// Lines end with CRLF; a bare LF is accepted as well. Each line is `code SP text`,
/// `code "-" text` (more lines follow) or just `code`, where the code is three digits: 2-5,
/// 0-5, 0-9 (RFC 5321 section 4.2). Every line of a multi-line reply must carry the same code.
/// Anything else, an over-long line or too many lines, is a protocol error: `feed` returns
/// `call_failed` with a sentence that quotes the offending line (escaped), and the parser stays
/// failed (every later `feed` returns the same failure) because the stream cannot be
/// re-synchronised. Replies completed before the error can still be taken.
class reply_parser {
public:
    explicit reply_parser(reply_limits limits = {}) : limits_(limits) {
        if (limits_.max_line < 4) limits_.max_line = 4;
        if (limits_.max_lines < 1) limits_.max_lines = 1;
    }

    /// Takes the next bytes received. Returns the protocol error, if any (see the class).
    result<void> feed(std::string_view bytes) {
        if (error_) return *error_;
        while (!bytes.empty()) {
            const std::size_t nl = bytes.find('\n');
            const std::string_view piece = bytes.substr(0, nl);
            const std::size_t total = line_.size() + piece.size();
            // A line may hold max_line octets plus the CR of its CRLF.
            const char last = piece.empty() ? (line_.empty() ? '\0' : line_.back()) : piece.back();
            if (total > limits_.max_line + 1 || (total == limits_.max_line + 1 && last != '\r')) {
                line_.append(piece.substr(0, std::min(piece.size(), std::size_t{80})));
                return set_error("The SMTP server sent a reply line longer than " + std::to_string(limits_.max_line) +
                                 " octets (RFC 5321 allows 512 with the CRLF), starting \"" +
                                 detail::printable(std::string_view(line_).substr(0, 40)) + "...\".");
            }
            line_.append(piece);
            if (nl == std::string_view::npos) break;
            bytes.remove_prefix(nl + 1);
            if (!line_.empty() && line_.back() == '\r') line_.pop_back();
            ++lines_read_;
            if (auto r = take_line(); !r) return r;
            line_.clear();
        }
        return {};
    }

    /// True when a complete reply is waiting.
    [[nodiscard]] bool has_reply() const noexcept { return !ready_.empty(); }
    /// How many complete replies are waiting.
    [[nodiscard]] std::size_t ready_count() const noexcept { return ready_.size(); }
    /// The oldest complete reply, removed from the queue; nullopt when none is waiting.
    [[nodiscard]] std::optional<reply> next() {
        if (ready_.empty()) return std::nullopt;
        reply r = std::move(ready_.front());
        ready_.pop_front();
        return r;
    }
    /// True when bytes of an unfinished reply are held (a line, or lines of a multi-line reply).
    [[nodiscard]] bool mid_reply() const noexcept { return !line_.empty() || open_; }
    /// The protocol error that stopped the parser, or nullptr.
    [[nodiscard]] const failure* error() const noexcept { return error_ ? &*error_ : nullptr; }
    /// Lines read so far (the context value of a protocol error).
    [[nodiscard]] std::uint32_t lines_read() const noexcept { return lines_read_; }
    /// Forgets everything, errors included (for a new connection).
    void reset() {
        line_.clear();
        partial_ = reply{};
        open_ = false;
        ready_.clear();
        error_.reset();
        lines_read_ = 0;
    }

private:
    result<void> take_line() {
        const std::string_view l = line_;
        const auto digit = [&](std::size_t i, char lo, char hi) { return l.size() > i && l[i] >= lo && l[i] <= hi; };
        if (!digit(0, '2', '5') || !digit(1, '0', '5') || !digit(2, '0', '9')) {
            return set_error("The SMTP server sent a reply line that does not start with a reply code "
                             "(three digits, 200 to 559): \"" + detail::printable(l, 80) + "\".");
        }
        if (l.size() > 3 && l[3] != ' ' && l[3] != '-') {
            return set_error("The SMTP server sent a reply line with \"" + detail::printable(l.substr(3, 1)) +
                             "\" after the reply code, where a space or '-' belongs: \"" + detail::printable(l, 80) +
                             "\".");
        }
        const auto code = static_cast<std::uint16_t>((l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0'));
        const bool more = l.size() > 3 && l[3] == '-';
        if (!open_) {
            partial_ = reply{};
            partial_.code = code;
            open_ = true;
        } else if (code != partial_.code) {
            return set_error("The SMTP server continued a " + std::to_string(partial_.code) +
                             " reply with a line carrying code " + std::to_string(code) + ": \"" +
                             detail::printable(l, 80) + "\".");
        }
        if (partial_.lines.size() >= limits_.max_lines) {
            return set_error("The SMTP server sent a " + std::to_string(code) + " reply of more than " +
                             std::to_string(limits_.max_lines) + " lines.");
        }
        partial_.lines.emplace_back(l.size() > 4 ? l.substr(4) : std::string_view{});
        if (!more) {
            if (auto e = parse_enhanced_status(partial_.lines.front());
                e && e->klass == static_cast<unsigned>(partial_.code / 100)) {
                partial_.enhanced = e;
            }
            ready_.push_back(std::move(partial_));
            partial_ = reply{};
            open_ = false;
        }
        return {};
    }

    result<void> set_error(std::string sentence) {
        failure f = fail(scode::call_failed, std::move(sentence), std::string(component));
        f.info.context = lines_read_;
        error_ = f;
        return f;
    }

    reply_limits limits_;
    std::string line_;
    reply partial_;
    bool open_ = false;
    std::deque<reply> ready_;
    std::optional<failure> error_;
    std::uint32_t lines_read_ = 0;
};

} // namespace smtp
} // namespace mapixx::inline v0

#endif
