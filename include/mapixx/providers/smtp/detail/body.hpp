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
    prepared_body out;
    out.wire.reserve(body.size() + body.size() / 32 + 8);
    const std::size_t n = body.size();
    std::size_t i = 0;
    bool line_start = true;
    while (i < n) {
        // One line's characters are copied in one piece, not one by one.
        if (line_start && body[i] == '.') out.wire += '.';
        std::size_t j = i;
        // 8 bytes at a time while none of them ends the line, then byte by byte.
        std::uint64_t high8 = 0;
        while (j + 8 <= n) {
            const std::uint64_t w = mapixx::detail::byte_words::load(body.data() + j);
            if (mapixx::detail::byte_words::has_byte(w, '\r') || mapixx::detail::byte_words::has_byte(w, '\n')) break;
            high8 |= w;
            j += 8;
        }
        unsigned char high = mapixx::detail::byte_words::has_high(high8) ? 0x80 : 0;
        while (j < n && body[j] != '\r' && body[j] != '\n') high |= static_cast<unsigned char>(body[j++]);
        if ((high & 0x80) != 0) out.eight_bit = true;
        out.wire.append(body.data() + i, j - i);
        out.size += j - i;
        if (j == n) {
            line_start = false;  // j > i here: the loop runs only while characters are left
            break;
        }
        if (body[j] == '\r' && j + 1 < n && body[j + 1] == '\n') ++j;
        out.wire += "\r\n";
        out.size += 2;
        line_start = true;
        i = j + 1;
    }
    if (!line_start) {
        out.wire += "\r\n";
        out.size += 2;
    }
    out.wire += ".\r\n";
    return out;
}

} // namespace smtp::detail
} // namespace mapixx::inline v0

#endif
