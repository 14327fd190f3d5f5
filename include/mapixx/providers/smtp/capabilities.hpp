// SPDX-License-Identifier: MIT
/// \file
/// What an SMTP server offers, read from its EHLO reply (RFC 5321 section 4.1.1.1): the
/// service extensions the client engine uses (PIPELINING, SIZE, 8BITMIME, AUTH, SMTPUTF8, ...).
#ifndef MAPIXX_PROVIDERS_SMTP_CAPABILITIES_HPP_INCLUDED
#define MAPIXX_PROVIDERS_SMTP_CAPABILITIES_HPP_INCLUDED

#include <mapixx/providers/smtp/reply.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace mapixx::inline v0 {
namespace smtp {

namespace detail {
[[nodiscard]] constexpr char ascii_upper(char c) noexcept { return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c; }
[[nodiscard]] inline std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_upper(c);
    return out;
}
/// Splits at runs of spaces and tabs.
[[nodiscard]] inline std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}
} // namespace detail

/// The server's service extensions. After a HELO fallback, `extended` is false and nothing is
/// offered.
struct capabilities {
    bool extended = false;               ///< The server answered EHLO (not just HELO).
    std::string domain;                  ///< The first word of the EHLO/HELO reply: the server's name.
    bool pipelining = false;             ///< PIPELINING (RFC 2920).
    bool size = false;                   ///< SIZE (RFC 1870).
    std::uint64_t max_size = 0;          ///< SIZE's limit in octets; 0: no fixed limit.
    bool eight_bit_mime = false;         ///< 8BITMIME (RFC 6152).
    bool smtputf8 = false;               ///< SMTPUTF8 (RFC 6531): UTF-8 addresses.
    bool enhanced_status_codes = false;  ///< ENHANCEDSTATUSCODES (RFC 2034).
    bool starttls = false;               ///< STARTTLS (RFC 3207), noted only: TLS is not done here.
    bool chunking = false;               ///< CHUNKING (RFC 3030), noted only.
    bool dsn = false;                    ///< DSN (RFC 3461), noted only.
    std::vector<std::string> auth;       ///< AUTH mechanisms (RFC 4954), upper case, in the server's order.
    std::vector<std::string> keywords;   ///< Every extension line as sent (after the first line).

    /// True when AUTH offers `mechanism` (compared without regard to case).
    [[nodiscard]] bool offers_auth(std::string_view mechanism) const {
        const std::string m = detail::upper(mechanism);
        return std::find(auth.begin(), auth.end(), m) != auth.end();
    }
};

/// Reads a 250 reply to EHLO. The first line is the server's domain and greeting; every other
/// line is `keyword [params]`. Keywords are case-insensitive; unknown ones are only listed in
/// `keywords`. The pre-standard `AUTH=PLAIN LOGIN` form is read as AUTH too. A SIZE parameter
/// that is not a number (or too large) counts as "no fixed limit".
[[nodiscard]] inline capabilities parse_ehlo(const reply& r) {
    capabilities c;
    c.extended = true;
    if (r.lines.empty()) return c;
    if (auto w = detail::words(r.lines.front()); !w.empty()) c.domain = std::string(w.front());
    for (std::size_t i = 1; i < r.lines.size(); ++i) {
        c.keywords.push_back(r.lines[i]);
        const auto w = detail::words(r.lines[i]);
        if (w.empty()) continue;
        const std::string key = detail::upper(w.front());
        auto add_mechanisms = [&](std::size_t from, std::string_view first) {
            auto add = [&](std::string_view m) {
                std::string u = detail::upper(m);
                if (!u.empty() && std::find(c.auth.begin(), c.auth.end(), u) == c.auth.end()) c.auth.push_back(u);
            };
            if (!first.empty()) add(first);
            for (std::size_t k = from; k < w.size(); ++k) add(w[k]);
        };
        if (key == "PIPELINING") {
            c.pipelining = true;
        } else if (key == "SIZE") {
            c.size = true;
            c.max_size = 0;
            if (w.size() > 1) {
                std::uint64_t v = 0;
                bool ok = true;
                for (char ch : w[1]) {
                    if (ch < '0' || ch > '9' || v > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) {
                        ok = false;
                        break;
                    }
                    v = v * 10 + static_cast<std::uint64_t>(ch - '0');
                }
                if (ok) c.max_size = v;
            }
        } else if (key == "8BITMIME") {
            c.eight_bit_mime = true;
        } else if (key == "SMTPUTF8") {
            c.smtputf8 = true;
        } else if (key == "ENHANCEDSTATUSCODES") {
            c.enhanced_status_codes = true;
        } else if (key == "STARTTLS") {
            c.starttls = true;
        } else if (key == "CHUNKING") {
            c.chunking = true;
        } else if (key == "DSN") {
            c.dsn = true;
        } else if (key == "AUTH") {
            add_mechanisms(1, {});
        } else if (key.rfind("AUTH=", 0) == 0) {
            add_mechanisms(1, std::string_view(w.front()).substr(5));
        }
    }
    return c;
}

} // namespace smtp
} // namespace mapixx::inline v0

#endif
