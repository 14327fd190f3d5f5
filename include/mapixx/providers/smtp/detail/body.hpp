// SPDX-License-Identifier: MIT
/// \file
/// The message content as it goes after DATA (RFC 5321 sections 2.3.8, 4.1.1.4, 4.5.2): line
/// ends made CRLF, lines starting with '.' doubled, and the terminating ".\r\n".
#ifndef MAPIXX_PROVIDERS_SMTP_DETAIL_BODY_HPP_INCLUDED
#define MAPIXX_PROVIDERS_SMTP_DETAIL_BODY_HPP_INCLUDED

#include <mapixx/providers/detail/byte_words.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mapixx::inline v0 {
namespace smtp::detail {

/// A message body ready for DATA.
struct prepared_body {
    std::string wire;        ///< What is sent after the 354, terminating ".\r\n" included.
    std::uint64_t size = 0;  ///< Octets of the content with CRLF line ends, without the dots added
                             ///< for transparency and without the terminator (the SIZE= value, RFC 1870).
    bool eight_bit = false;  ///< Some byte is 0x80 or above (BODY=8BITMIME is needed, RFC 6152).
};

/// Prepares `body` for DATA: a bare LF and a bare CR each become CRLF, a line that starts with
/// '.' gets one more '.' in front (dot-stuffing), a last line without an end gets a CRLF, and
/// ".\r\n" ends it all. An empty body is just ".\r\n".
[[nodiscard]] inline prepared_body prepare_body(std::string_view body) {
    namespace bw = mapixx::detail::byte_words;
    prepared_body out;
    out.wire.reserve(body.size() + body.size() / 32 + 8);
    const char* s = body.data();
    const std::size_t n = body.size();
    std::size_t copied = 0;     // body[0, copied) is in out.wire already
    std::size_t added = 0;      // CRs and LFs added to bare line ends
    std::size_t i = 0;
    bool line_start = true;
    // Lines that need nothing (CRLF ends, no leading '.') are not copied one by one: the body
    // goes in runs that end only where something is added.
    while (i < n) {
        if (line_start && s[i] == '.') {
            out.wire.append(s + copied, i - copied);
            out.wire += '.';
            copied = i;
        }
        line_start = false;
        // To the next CR or LF: 16 bytes at a time, then one by one.
        i = bw::skip_blocks(s, i, n, [](const char* p) { return bw::line_end_block(p); });
        while (i < n && s[i] != '\r' && s[i] != '\n') ++i;
        if (i == n) break;
        line_start = true;
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
            i += 2;
            continue;
        }
        // A bare CR or LF: the run so far, then CRLF in its place.
        out.wire.append(s + copied, i - copied);
        out.wire += "\r\n";
        ++added;
        copied = ++i;
    }
    out.wire.append(s + copied, n - copied);
    out.size = n + added;
    if (!line_start) {
        out.wire += "\r\n";
        out.size += 2;
    }
    out.eight_bit = bw::any_high(s, n);
    out.wire += ".\r\n";
    return out;
}

} // namespace smtp::detail
} // namespace mapixx::inline v0

#endif
