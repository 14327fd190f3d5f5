// SPDX-License-Identifier: MIT
// libFuzzer target: PRF bytes through `decode_text` and `parse_prf` (what `read_prf` does), once
// with the default options (values verbatim) and once with a `%NAME%` expander whose
// replacements contain `%` themselves.
//
// Checked: every imported value is well-typed (`prop_value::valid()`, so `property_bag::set`
// accepts it in `profile_admin::import_prf`) and has one of the five types the reader handles;
// every imported service has a ServiceName or a SectionGUID; every diagnostic names the file.
#include "fuzz_support.hpp"

#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/prf_import.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace mapixx;

namespace {

void check(const prf_file& f, std::string_view file) {
    MAPIXX_FUZZ_CHECK(f.file == file);
    for (const diagnostic& d : f.diagnostics) {
        MAPIXX_FUZZ_CHECK(d.file == file);
        MAPIXX_FUZZ_CHECK(!d.message.empty());
    }
    for (const prf_service& s : f.services) {
        MAPIXX_FUZZ_CHECK(!s.service_name.empty() || s.section_guid.has_value());
        for (const prf_property& p : s.properties) {
            MAPIXX_FUZZ_CHECK(p.value.valid());
            const prop_type t = p.value.tag().type();
            MAPIXX_FUZZ_CHECK(t == prop_type::string8 || t == prop_type::unicode || t == prop_type::i4 ||
                              t == prop_type::boolean || t == prop_type::binary);
            MAPIXX_FUZZ_CHECK(!p.key.empty());
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes = mapixx_fuzz::as_text(data, size);
    constexpr std::string_view file = "fuzz.prf";
    std::vector<diagnostic> decoding;
    const std::string text = decode_text(bytes, file, &decoding);

    const prf_file plain = parse_prf(text, file);
    check(plain, file);

    prf_options opts;
    opts.expand = [](std::string_view name) -> std::optional<std::string> {
        if (name.size() % 3 == 0) return std::nullopt;  // kept as written
        return "%" + std::string(name) + "%x%";
    };
    const prf_file expanded = parse_prf(text, file, opts);
    check(expanded, file);
    // Expansion changes string values only: the same services and the same number of values.
    MAPIXX_FUZZ_CHECK(expanded.services.size() == plain.services.size());
    for (std::size_t i = 0; i < plain.services.size(); ++i) {
        MAPIXX_FUZZ_CHECK(expanded.services[i].properties.size() == plain.services[i].properties.size());
    }
    return 0;
}
