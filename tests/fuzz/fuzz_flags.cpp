// SPDX-License-Identifier: MIT
// libFuzzer target: reading flag sets and codes from text (core/flag_parse.hpp) and
// `flags<E>::from_bits`, for every flag family of core/flag_enums.hpp. The whole input is the
// text; its first four bytes (little-endian, zero-padded) are also the bits for `from_bits`.
// The families of profile/ (`section_open_flag`, `profile_create_flag`) and session/
// (`logon_option`) are included too.
//
// Checked (core/flag_parse.hpp, core/flags.hpp, docs/api-core.md):
// - `parse_flags<E>` either succeeds with only defined bits, or fails with `unknown_flags`;
//   a success prints (`to_string`) to text that parses back to the same set;
// - `from_bits` succeeds exactly when every bit is defined (and then keeps them), else fails
//   with `unknown_flags` carrying the unknown bits; `to_string` of any set parses back to it
//   when it has no unknown bits and is refused when it has;
// - `check_rules` fails exactly when `broken_rule` names a rule, with that rule's code;
// - `parse_scode` either succeeds or fails with `not_found`; a success reads back from its
//   hex form and from its SDK name; a number `parse_u32` reads is what `parse_scode` returns.
#include "fuzz_support.hpp"

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flag_parse.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/profile/profile_admin.hpp>
#include <mapixx/profile/profile_section.hpp>
#include <mapixx/session/logon_request.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

using namespace mapixx;

namespace {

template <flag_enum E>
void check_set(flags<E> f) {
    const std::string text = to_string(f);
    const auto back = parse_flags<E>(text);
    if (f.unknown_bits() == 0) {
        MAPIXX_FUZZ_CHECK(back.has_value() && *back == f);
    } else {
        MAPIXX_FUZZ_CHECK(!back.has_value() && back.code() == scode::unknown_flags);
    }
    const auto rule = broken_rule(f);
    const auto checked = check_rules(f);
    MAPIXX_FUZZ_CHECK(checked.has_value() == !rule.has_value());
    if (rule) MAPIXX_FUZZ_CHECK(checked.code() == rule->code);
}

template <flag_enum E>
void family(std::string_view text, std::uint32_t bits) {
    if (const auto r = parse_flags<E>(text)) {
        MAPIXX_FUZZ_CHECK(r->unknown_bits() == 0);
        check_set(*r);
    } else {
        MAPIXX_FUZZ_CHECK(r.code() == scode::unknown_flags);
        MAPIXX_FUZZ_CHECK(!r.info().message.empty());
    }

    const std::uint32_t unknown = bits & ~flags<E>::known;
    const auto f = flags<E>::from_bits(bits);
    if (unknown == 0) {
        MAPIXX_FUZZ_CHECK(f.has_value() && f->bits() == bits);
    } else {
        MAPIXX_FUZZ_CHECK(!f.has_value() && f.code() == scode::unknown_flags && f.info().low_level == unknown);
    }
    check_set(flags<E>::from_bits_unchecked(bits));
}

void status_code_text(std::string_view text) {
    const auto n = parse_u32(text);
    const auto r = parse_scode(text);
    if (n) MAPIXX_FUZZ_CHECK(r.has_value() && static_cast<std::uint32_t>(*r) == *n);
    if (!r) {
        MAPIXX_FUZZ_CHECK(r.code() == scode::not_found);
        return;
    }
    const scode c = *r;
    const auto from_hex = parse_scode(detail::hex32(static_cast<std::uint32_t>(c)));
    MAPIXX_FUZZ_CHECK(from_hex.has_value() && *from_hex == c);
    if (const std::string_view name = scode_name(c); !name.empty()) {
        const auto from_name = parse_scode(name);
        MAPIXX_FUZZ_CHECK(from_name.has_value() && *from_name == c);
    }
    (void)to_string(c);
    (void)make_error_code(c).message();
    (void)make_error_code(c).default_error_condition();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = mapixx_fuzz::as_text(data, size);
    std::uint32_t bits = 0;
    for (std::size_t i = 0; i < 4 && i < size; ++i) bits |= std::uint32_t{data[i]} << (8 * i);

    family<init_flag>(text, bits);
    family<logon_flag>(text, bits);
    family<logoff_flag>(text, bits);
    family<status_code>(text, bits);
    family<resource_flag>(text, bits);
    family<service_flag>(text, bits);
    family<spooler_notify>(text, bits);
    family<transport_notify>(text, bits);
    family<flush_flag>(text, bits);
    family<transport_logon_flag>(text, bits);
    family<end_message_flag>(text, bits);
    family<resource_method>(text, bits);
    family<validate_flag>(text, bits);
    family<section_open_flag>(text, bits);
    family<profile_create_flag>(text, bits);
    family<logon_option>(text, bits);
    status_code_text(text);
    return 0;
}
