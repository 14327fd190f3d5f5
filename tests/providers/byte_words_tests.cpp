// SPDX-License-Identifier: MIT
// Tests of providers/detail/byte_words.hpp (tests on 8 bytes at once) and of the scan that uses
// it in providers/detail/rfc5322.hpp (whether a body can go as 7bit), each against a reference
// that looks at one byte at a time.
#include <mapixx/providers/detail/byte_words.hpp>
#include <mapixx/providers/detail/rfc5322.hpp>

#include <doctest/doctest.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace byte_words_tests {

using namespace mapixx;
namespace bw = mapixx::detail::byte_words;

namespace {

std::uint64_t word_of(const unsigned char (&bytes)[8]) {
    std::uint64_t w;
    std::memcpy(&w, bytes, sizeof w);
    return w;
}

constexpr bool little_endian = std::endian::native == std::endian::little;

/// A small deterministic generator (the tests must not depend on the run).
struct lcg {
    std::uint32_t seed;
    std::uint32_t operator()() {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    }
};

/// The rule of `is_plain_7bit_text`, one character at a time.
bool plain_7bit_reference(std::string_view body) {
    bool plain = true;
    for (std::size_t i = 0, column = 0; i < body.size(); ++i) {
        const auto u = static_cast<unsigned char>(body[i]);
        if (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') {
            if (i > 0 && (body[i - 1] == ' ' || body[i - 1] == '\t')) plain = false;
            column = 0;
            ++i;
            continue;
        }
        if (column == 0 && body.substr(i, 5) == "From ") plain = false;
        if ((u < 0x20 && u != '\t') || u > 0x7E || ++column > 900) plain = false;
    }
    if (!body.empty() && (body.back() == ' ' || body.back() == '\t')) plain = false;
    return plain;
}

} // namespace

TEST_SUITE("providers/detail/byte_words.hpp") {

TEST_CASE("every byte value at every position of a word is classified as one byte at a time would") {
    for (int value = 0; value < 256; ++value) {
        for (int at = 0; at < 8; ++at) {
            unsigned char bytes[8];
            std::memset(bytes, 'a', sizeof bytes);
            bytes[at] = static_cast<unsigned char>(value);
            const std::uint64_t w = word_of(bytes);
            CAPTURE(value);
            CAPTURE(at);
            CHECK(bw::all_printable(w) == (value >= 0x20 && value <= 0x7E));
            CHECK(bw::has_byte(w, '\r') == (value == '\r'));
            CHECK(bw::has_byte(w, '\n') == (value == '\n'));
            CHECK(bw::has_high(w) == (value >= 0x80));
            CHECK(bw::has_zero(w) == (value == 0));
            const bool unprintable = value < 0x20 || value > 0x7E;
            CHECK((bw::unprintable_marks(w) != 0) == unprintable);
            CHECK((bw::line_end_marks(w) != 0) == (value == '\r' || value == '\n'));
            if (unprintable) CHECK(bw::bytes_before_mark(bw::unprintable_marks(w)) == (little_endian ? std::size_t(at) : 0u));
        }
    }
}

TEST_CASE("random words: the word tests agree with a byte-by-byte reference") {
    lcg next{2024};
    // Bytes near the edges of each class, so that borrows between bytes are exercised.
    const unsigned char edges[] = {0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0x81, 0xFE, 0xFF, 'a'};
    for (int round = 0; round < 20000; ++round) {
        unsigned char bytes[8];
        for (auto& b : bytes) {
            b = (next() % 2 == 0) ? edges[next() % sizeof edges] : static_cast<unsigned char>(next());
        }
        bool printable = true, cr = false, high = false, zero = false;
        for (unsigned char b : bytes) {
            printable = printable && b >= 0x20 && b <= 0x7E;
            cr = cr || b == '\r';
            high = high || b >= 0x80;
            zero = zero || b == 0;
        }
        const std::uint64_t w = word_of(bytes);
        CAPTURE(round);
        REQUIRE(bw::all_printable(w) == printable);
        REQUIRE(bw::has_byte(w, '\r') == cr);
        REQUIRE(bw::has_high(w) == high);
        REQUIRE(bw::has_zero(w) == zero);
        // The first marked byte, where the scans jump to: exact on a little-endian machine.
        std::size_t first_unprintable = 8, first_line_end = 8;
        for (std::size_t k = 8; k-- > 0;) {
            if (bytes[k] < 0x20 || bytes[k] > 0x7E) first_unprintable = k;
            if (bytes[k] == '\r' || bytes[k] == '\n') first_line_end = k;
        }
        REQUIRE((bw::unprintable_marks(w) != 0) == (first_unprintable < 8));
        REQUIRE((bw::line_end_marks(w) != 0) == (first_line_end < 8));
        if (first_unprintable < 8) {
            REQUIRE(bw::bytes_before_mark(bw::unprintable_marks(w)) == (little_endian ? first_unprintable : 0u));
        }
        if (first_line_end < 8) {
            REQUIRE(bw::bytes_before_mark(bw::line_end_marks(w)) == (little_endian ? first_line_end : 0u));
        }
    }
}


TEST_CASE("16-byte blocks: the lowest bit of each scan is the first such byte, with SSE2 and as two words") {
    const bool exact_words = little_endian;  // the word form is exact on little-endian machines
    auto check_block = [&](const unsigned char* bytes) {
        char block[16];
        std::memcpy(block, bytes, sizeof block);
        std::size_t first_unprintable = 16, first_line_end = 16;
        for (std::size_t k = 16; k-- > 0;) {
            if (bytes[k] < 0x20 || bytes[k] > 0x7E) first_unprintable = k;
            if (bytes[k] == '\r' || bytes[k] == '\n') first_line_end = k;
        }
        auto lowest = [](unsigned mask) { return mask == 0 ? std::size_t{16} : static_cast<std::size_t>(std::countr_zero(mask)); };
        // The form this machine uses: exact with SSE2 or on a little-endian machine.
        if (MAPIXX_DETAIL_BYTE_WORDS_SSE2 || little_endian) {
            REQUIRE(lowest(bw::unprintable_block(block)) == first_unprintable);
            REQUIRE(lowest(bw::line_end_block(block)) == first_line_end);
        }
        // The word form: none found exactly when there is none, and never past the first.
        const std::size_t wu = lowest(bw::unprintable_block_words(block));
        const std::size_t wl = lowest(bw::line_end_block_words(block));
        REQUIRE((wu == 16) == (first_unprintable == 16));
        REQUIRE((wl == 16) == (first_line_end == 16));
        REQUIRE(wu <= first_unprintable);
        REQUIRE(wl <= first_line_end);
        if (exact_words) {
            REQUIRE(wu == first_unprintable);
            REQUIRE(wl == first_line_end);
        }
    };
    for (int value = 0; value < 256; ++value) {
        for (int at = 0; at < 16; ++at) {
            unsigned char bytes[16];
            std::memset(bytes, 'm', sizeof bytes);
            bytes[at] = static_cast<unsigned char>(value);
            CAPTURE(value);
            CAPTURE(at);
            check_block(bytes);
        }
    }
    lcg next{99};
    const unsigned char edges[] = {0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xFF, 'a', 'a', 'a', 'a'};
    for (int round = 0; round < 20000; ++round) {
        unsigned char bytes[16];
        for (auto& b : bytes) b = (next() % 4 != 0) ? static_cast<unsigned char>(0x20 + next() % 0x5F) : edges[next() % sizeof edges];
        CAPTURE(round);
        check_block(bytes);
    }
}

TEST_CASE("any_high finds one byte of 0x80 or above at any position, for every length up to 70") {
    for (std::size_t n = 0; n <= 70; ++n) {
        std::string text(n, 'q');
        CAPTURE(n);
        REQUIRE_FALSE(bw::any_high(text.data(), n));
        for (std::size_t at = 0; at < n; ++at) {
            for (unsigned char high : {0x80, 0xC3, 0xFF}) {
                std::string t = text;
                t[at] = static_cast<char>(high);
                CAPTURE(at);
                REQUIRE(bw::any_high(t.data(), n));
                REQUIRE_FALSE(bw::any_high(t.data(), at));  // the bytes before it only
            }
        }
    }
}
}

TEST_SUITE("providers/detail/rfc5322.hpp") {

TEST_CASE("is_plain_7bit_text agrees with a character-by-character reference on 20 000 random bodies") {
    lcg next{77};
    // Mostly text, so that runs of 8 printable bytes are common, with every kind of byte that
    // changes the answer: line ends, bare CR and LF, TAB, space, DEL, 8-bit, "From ".
    const std::string_view pieces[] = {"a", "b", "x", "X", ".", "a", "b", "x", "hello ", "world", "\r\n", "\r\n",
                                       "\r", "\n", "\t", " ", "\x7F", "\xC3\xA9", "From ", "From", "\x01"};
    for (int round = 0; round < 20000; ++round) {
        std::string body;
        const std::size_t parts = next() % (round % 4 == 0 ? 400 : 60);
        for (std::size_t k = 0; k < parts; ++k) body += pieces[next() % std::size(pieces)];
        CAPTURE(round);
        REQUIRE(detail::maildir::is_plain_7bit_text(body) == plain_7bit_reference(body));
    }
}

TEST_CASE("is_plain_7bit_text: lines of up to 900 characters pass, 901 do not, wherever the 8-byte steps end (904 and 912 end at the CR)") {
    for (std::size_t length : {896u, 899u, 900u, 901u, 904u, 907u, 908u, 909u, 912u}) {
        for (std::size_t offset : {0u, 1u, 3u, 7u}) {
            const std::string body = std::string(offset, 'p') + "\r\n" + std::string(length, 'q') + "\r\nend";
            CAPTURE(length);
            CAPTURE(offset);
            CHECK(detail::maildir::is_plain_7bit_text(body) == (length <= 900));
            CHECK(detail::maildir::is_plain_7bit_text(body) == plain_7bit_reference(body));
        }
    }
    CHECK(detail::maildir::is_plain_7bit_text(""));
    CHECK_FALSE(detail::maildir::is_plain_7bit_text("trailing space "));
    CHECK(detail::maildir::is_plain_7bit_text("12345678From x"));  // not at a line start
    CHECK_FALSE(detail::maildir::is_plain_7bit_text("12345678\r\nFrom x"));
    CHECK_FALSE(detail::maildir::is_plain_7bit_text("12345678\rabcdefgh"));  // a CR alone
}

TEST_CASE("is_plain_7bit_text: one byte that is not allowed is found at any position of a long plain body") {
    std::string plain;
    for (int line = 0; line < 12; ++line) plain += std::string(13 + line * 7 % 23, 'a' + static_cast<char>(line)) + "\r\n";
    plain += "tail";
    REQUIRE(detail::maildir::is_plain_7bit_text(plain));
    for (std::size_t at = 0; at < plain.size(); ++at) {
        for (char bad : {'\x01', '\x7F', '\x80', '\xFF', '\r', '\n', '\0'}) {
            std::string body = plain;
            if (body[at] == '\r' || body[at] == '\n') continue;  // replacing a line end would not be one byte
            body[at] = bad;
            CAPTURE(at);
            CAPTURE(static_cast<int>(static_cast<unsigned char>(bad)));
            REQUIRE_FALSE(detail::maildir::is_plain_7bit_text(body));
        }
        std::string tabbed = plain;
        if (tabbed[at] == '\r' || tabbed[at] == '\n' || at + 1 == tabbed.size() || tabbed[at + 1] == '\r') continue;
        tabbed[at] = '\t';  // a TAB inside a line is allowed
        CAPTURE(at);
        REQUIRE(detail::maildir::is_plain_7bit_text(tabbed));
    }
}

}

} // namespace byte_words_tests
