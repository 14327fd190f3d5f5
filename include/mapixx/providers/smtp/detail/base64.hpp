// SPDX-License-Identifier: MIT
/// \file
/// Base64 (RFC 4648 section 4, with padding) for SMTP AUTH: a streaming encoder that writes
/// into any sink and keeps no copy of what it encoded, and a strict decoder.
#ifndef MAPIXX_PROVIDERS_SMTP_DETAIL_BASE64_HPP_INCLUDED
#define MAPIXX_PROVIDERS_SMTP_DETAIL_BASE64_HPP_INCLUDED

#include <mapixx/providers/smtp/detail/secret.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mapixx::inline v0 {
namespace smtp::detail {

inline constexpr std::string_view base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The 6-bit value of a base64 digit, or -1.
[[nodiscard]] constexpr int base64_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/// Encodes a stream of pieces as one base64 text. `put` may be called any number of times,
/// then `finish` once; each output character goes to `sink(char)`. At most two input bytes are
/// held between calls, and they are wiped by `finish` and by the destructor, so encoding a
/// password leaves no copy of it here.
class base64_encoder {
public:
    base64_encoder() noexcept = default;
    base64_encoder(const base64_encoder&) = delete;
    base64_encoder& operator=(const base64_encoder&) = delete;
    ~base64_encoder() { secure_wipe(held_, sizeof held_); }

    template <class Sink>
    void put(std::string_view bytes, Sink&& sink) {
        for (char c : bytes) {
            held_[count_++] = static_cast<unsigned char>(c);
            if (count_ == 3) {
                emit(3, sink);
                count_ = 0;
            }
        }
    }
    template <class Sink>
    void finish(Sink&& sink) {
        if (count_ != 0) emit(count_, sink);
        count_ = 0;
        secure_wipe(held_, sizeof held_);
    }

private:
    template <class Sink>
    void emit(std::size_t n, Sink& sink) {
        const std::uint32_t a = held_[0];
        const std::uint32_t b = n > 1 ? held_[1] : 0u;
        const std::uint32_t c = n > 2 ? held_[2] : 0u;
        const std::uint32_t group = (a << 16) | (b << 8) | c;
        sink(base64_alphabet[(group >> 18) & 0x3F]);
        sink(base64_alphabet[(group >> 12) & 0x3F]);
        sink(n > 1 ? base64_alphabet[(group >> 6) & 0x3F] : '=');
        sink(n > 2 ? base64_alphabet[group & 0x3F] : '=');
        held_[0] = held_[1] = held_[2] = 0;
    }

    unsigned char held_[3] = {0, 0, 0};
    std::size_t count_ = 0;
};

/// `bytes` in base64, padded with '='.
[[nodiscard]] inline std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    base64_encoder enc;
    auto sink = [&out](char c) { out.push_back(c); };
    enc.put(bytes, sink);
    enc.finish(sink);
    return out;
}

/// Decodes canonical padded base64: the length is a multiple of 4, '=' appears only as the
/// last one or two characters, no whitespace, and the bits a padded group leaves over are zero
/// (so every accepted text is exactly what `base64_encode` gives for its bytes). nullopt for
/// anything else.
[[nodiscard]] inline std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        std::size_t pad = 0;
        if (last && text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
        int v[4] = {0, 0, 0, 0};
        for (std::size_t k = 0; k < 4 - pad; ++k) {
            v[k] = base64_value(text[i + k]);
            if (v[k] < 0) return std::nullopt;
        }
        const std::uint32_t group = (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
                                    (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
        if (pad == 2 && (group & 0xFFFFu) != 0) return std::nullopt;
        if (pad == 1 && (group & 0xFFu) != 0) return std::nullopt;
        out.push_back(static_cast<char>((group >> 16) & 0xFF));
        if (pad < 2) out.push_back(static_cast<char>((group >> 8) & 0xFF));
        if (pad < 1) out.push_back(static_cast<char>(group & 0xFF));
    }
    return out;
}

} // namespace smtp::detail
} // namespace mapixx::inline v0

#endif
