// SPDX-License-Identifier: MIT
// libFuzzer target: the text form of property tags and values (profile/prop_text.hpp).
//
// Input: bytes 0-3 a property tag (little-endian), byte 4 a mode, the rest the value text
// (shorter inputs are padded with zeros). Mode bits 0-1 pick the value_context (0 any,
// 1 service_section, 2 provider_section, 3 any); when the tag's type is one mapixx does not
// store, bit 7 clear maps it onto a stored type (so most inputs reach a reader), bit 7 set keeps
// it (to exercise `invalid_type`).
//
// Checked (docs/profiles-mapisvc.md 2, 3.3, 3.4):
// - `parse_prop_key(format_prop_key(t)) == t` for the raw 32-bit tag, and for every tag
//   `parse_prop_key` reads from the text;
// - `parse_prop_value` gives a value of the tag with the right C++ type, or `bad_value` /
//   `invalid_type` (always `invalid_type` for a type mapixx does not store);
// - a value read back from `format_prop_value(v, c)` in the same context is `v` (doubles bit
//   for bit), also after a trip through `write_ini` / `parse_ini`;
// - the message of a failure for a secure property (ids 0x67F0-0x67FF) quotes nothing of the
//   text: checked with the bytes no fixed sentence contains ('~' and bytes >= 0x80).
#include "fuzz_support.hpp"

#include <mapixx/core/prop.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/prop_text.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace mapixx;
using mapixx_fuzz::same_value;

namespace {

constexpr std::array stored_types{
    prop_type::null,       prop_type::i2,        prop_type::i4,         prop_type::r4,       prop_type::r8,
    prop_type::currency,   prop_type::apptime,   prop_type::error,      prop_type::boolean,  prop_type::object,
    prop_type::i8,         prop_type::string8,   prop_type::unicode,    prop_type::systime,  prop_type::clsid,
    prop_type::binary,     prop_type::mv_i2,     prop_type::mv_i4,      prop_type::mv_i8,    prop_type::mv_string8,
    prop_type::mv_unicode, prop_type::mv_systime, prop_type::mv_clsid,  prop_type::mv_binary,
};

bool leaks_input(std::string_view message) {
    for (char c : message) {
        if (c == '~' || static_cast<unsigned char>(c) >= 0x80) return true;
    }
    return false;
}

void key_round_trip(prop_tag t) {
    const std::string key = format_prop_key(t);
    const auto back = parse_prop_key(key);
    MAPIXX_FUZZ_CHECK(back.has_value() && *back == t);
}

void value(prop_tag tag, std::string_view text, value_context ctx) {
    const bool stored = prop_value::alternative_for(tag.type()).has_value();
    const auto r = parse_prop_value(tag, text, ctx);
    if (!r) {
        MAPIXX_FUZZ_CHECK(r.code() == scode::bad_value || r.code() == scode::invalid_type);
        if (!stored) MAPIXX_FUZZ_CHECK(r.code() == scode::invalid_type);
        MAPIXX_FUZZ_CHECK(!r.info().message.empty());
        if (tag.is_secure()) MAPIXX_FUZZ_CHECK(!leaks_input(r.info().message));
        return;
    }
    MAPIXX_FUZZ_CHECK(stored);
    const prop_value& v = *r;
    MAPIXX_FUZZ_CHECK(v.tag() == tag);
    MAPIXX_FUZZ_CHECK(v.valid());

    const std::string written = format_prop_value(v, ctx);
    const auto back = parse_prop_value(tag, written, ctx);
    MAPIXX_FUZZ_CHECK(back.has_value());
    MAPIXX_FUZZ_CHECK(same_value(*back, v));
    MAPIXX_FUZZ_CHECK(format_prop_value(*back, ctx) == written);

    // Through the INI writer and reader, as a line of a file.
    std::vector<ini_section> sections(1);
    sections[0].name = "Section";
    sections[0].entries.push_back({format_prop_key(tag), written, 0});
    const ini_document doc = parse_ini(write_ini(sections, "\r\n"), "fuzz.ini");
    MAPIXX_FUZZ_CHECK(doc.diagnostics.empty());
    MAPIXX_FUZZ_CHECK(doc.sections.size() == 1 && doc.sections[0].entries.size() == 1);
    const ini_entry& e = doc.sections[0].entries[0];
    const auto key = parse_prop_key(e.key);
    MAPIXX_FUZZ_CHECK(key.has_value() && *key == tag);
    const auto from_file = parse_prop_value(*key, e.value, ctx);
    MAPIXX_FUZZ_CHECK(from_file.has_value());
    MAPIXX_FUZZ_CHECK(same_value(*from_file, v));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::uint8_t head[5] = {};
    for (std::size_t i = 0; i < 5 && i < size; ++i) head[i] = data[i];
    const std::string_view text = size > 5 ? mapixx_fuzz::as_text(data + 5, size - 5) : std::string_view{};

    const prop_tag raw(std::uint32_t{head[0]} | std::uint32_t{head[1]} << 8 | std::uint32_t{head[2]} << 16 |
                       std::uint32_t{head[3]} << 24);
    const std::uint8_t mode = head[4];
    const value_context ctx = (mode & 3) == 1   ? value_context::service_section
                              : (mode & 3) == 2 ? value_context::provider_section
                                                : value_context::any;
    key_round_trip(raw);

    prop_tag tag = raw;
    if (!prop_value::alternative_for(raw.type()) && (mode & 0x80) == 0) {
        const auto t = static_cast<std::uint16_t>(raw.type());
        tag = raw.with_type(stored_types[t % stored_types.size()]);
    }
    value(tag, text, ctx);

    // The text as a key.
    if (const auto k = parse_prop_key(text)) {
        key_round_trip(*k);
        MAPIXX_FUZZ_CHECK(k->value() != 0 || detail::trim_ini(text) == "00000000");
    }
    return 0;
}
