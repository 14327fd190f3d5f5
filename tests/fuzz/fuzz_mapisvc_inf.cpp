// SPDX-License-Identifier: MIT
// libFuzzer target: MAPISVC.INF bytes through `service_catalog::parse` (which decodes a BOM with
// `decode_text` and reads the INI with `parse_ini`), then `write()` and `parse` again.
//
// Checked (documented in docs/profiles-mapisvc.md 4.2 and 4.5, and in service_catalog.hpp):
// - `parse(write(c))` gives the same services, providers, properties, unknown and rejected
//   entries, defaults, help mappings, section names and the same number of catalog
//   diagnostics (the INI reader's own, such as skipped lines, are allowed to go), for both line
//   ends; writing the read-back catalog gives the same text again;
// - diagnostics are in file order (by line, whole-file ones first) and name the file;
// - `find(name)` finds every listed service.
// And of the INI layer under it (profile/ini.hpp, docs/profiles-mapisvc.md 1):
// - `decode_text` of UTF-16 (a BOM) gives valid UTF-8 and at most one diagnostic; a UTF-8 BOM
//   is dropped and other bytes are kept as they are;
// - `parse_ini` gives trimmed, non-empty keys without `=`, trimmed values and section names
//   without `]`, with line numbers in order, and `parse_ini(write_ini(d))` gives back the same
//   sections and entries.
// Exercised only: `merge` into an empty catalog and into itself.
#include "fuzz_support.hpp"

#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/service_catalog.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace mapixx;
using mapixx_fuzz::same_bag;

namespace {

bool same_entries(const std::vector<ini_entry>& a, const std::vector<ini_entry>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].key != b[i].key || a[i].value != b[i].value) return false;
    }
    return true;
}

void check_same_content(const service_catalog& a, const service_catalog& b) {
    MAPIXX_FUZZ_CHECK(a.services().size() == b.services().size());
    for (std::size_t i = 0; i < a.services().size(); ++i) {
        const catalog_service& x = a.services()[i];
        const catalog_service& y = b.services()[i];
        MAPIXX_FUZZ_CHECK(x.name == y.name);
        MAPIXX_FUZZ_CHECK(x.display_name == y.display_name);
        MAPIXX_FUZZ_CHECK(x.dll_name == y.dll_name);
        MAPIXX_FUZZ_CHECK(x.entry_name == y.entry_name);
        MAPIXX_FUZZ_CHECK(x.flags == y.flags);
        MAPIXX_FUZZ_CHECK(same_bag(x.props, y.props));
        MAPIXX_FUZZ_CHECK(x.usable() == y.usable());
        MAPIXX_FUZZ_CHECK(x.has_section == y.has_section);
        MAPIXX_FUZZ_CHECK(x.has_providers_list == y.has_providers_list);
        MAPIXX_FUZZ_CHECK(x.missing_providers == y.missing_providers);
        MAPIXX_FUZZ_CHECK(x.missing_sections == y.missing_sections);
        MAPIXX_FUZZ_CHECK(same_entries(x.unknown_entries, y.unknown_entries));
        MAPIXX_FUZZ_CHECK(same_entries(x.rejected_entries, y.rejected_entries));
        MAPIXX_FUZZ_CHECK(x.providers.size() == y.providers.size());
        for (std::size_t k = 0; k < x.providers.size(); ++k) {
            const catalog_provider& p = x.providers[k];
            const catalog_provider& q = y.providers[k];
            MAPIXX_FUZZ_CHECK(p.section_name == q.section_name);
            MAPIXX_FUZZ_CHECK(p.display_name == q.display_name);
            MAPIXX_FUZZ_CHECK(p.provider_display == q.provider_display);
            MAPIXX_FUZZ_CHECK(p.dll_name == q.dll_name);
            MAPIXX_FUZZ_CHECK(p.type == q.type);
            MAPIXX_FUZZ_CHECK(p.flags == q.flags);
            MAPIXX_FUZZ_CHECK(same_bag(p.props, q.props));
            MAPIXX_FUZZ_CHECK(same_entries(p.unknown_entries, q.unknown_entries));
            MAPIXX_FUZZ_CHECK(same_entries(p.rejected_entries, q.rejected_entries));
        }
        MAPIXX_FUZZ_CHECK(x.extra_sections.size() == y.extra_sections.size());
        for (std::size_t k = 0; k < x.extra_sections.size(); ++k) {
            const catalog_section& p = x.extra_sections[k];
            const catalog_section& q = y.extra_sections[k];
            MAPIXX_FUZZ_CHECK(p.name == q.name);
            MAPIXX_FUZZ_CHECK(p.uid_value == q.uid_value);
            MAPIXX_FUZZ_CHECK(same_bag(p.props, q.props));
            MAPIXX_FUZZ_CHECK(same_entries(p.unknown_entries, q.unknown_entries));
            MAPIXX_FUZZ_CHECK(same_entries(p.rejected_entries, q.rejected_entries));
        }
    }
    MAPIXX_FUZZ_CHECK(a.default_services() == b.default_services());
    MAPIXX_FUZZ_CHECK(a.help_file_mappings() == b.help_file_mappings());
    MAPIXX_FUZZ_CHECK(a.section_names() == b.section_names());
}

/// The number of diagnostics the INI layer (decode_text + parse_ini) gives for `bytes`: the
/// rest of a catalog's diagnostics are the catalog's own.
std::size_t reader_diagnostics(std::string_view bytes, std::string_view file) {
    std::vector<diagnostic> decoding;
    const std::string text = decode_text(bytes, file, &decoding);
    return decoding.size() + parse_ini(text, file).diagnostics.size();
}

std::size_t catalog_diagnostics(const service_catalog& c, std::string_view bytes, std::string_view file) {
    const std::size_t reader = reader_diagnostics(bytes, file);
    MAPIXX_FUZZ_CHECK(c.diagnostics().size() >= reader);
    return c.diagnostics().size() - reader;
}

void check_diagnostics(const service_catalog& c, std::string_view file) {
    std::size_t line = 0;
    for (const diagnostic& d : c.diagnostics()) {
        MAPIXX_FUZZ_CHECK(d.file == file);
        MAPIXX_FUZZ_CHECK(d.line >= line);
        MAPIXX_FUZZ_CHECK(!d.message.empty());
        line = d.line;
        (void)d.to_string();
    }
}

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        std::uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1Fu) : n == 3 ? (b & 0x0Fu) : (b & 0x07u);
        for (std::size_t k = 1; k < n; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = cp << 6 | (c & 0x3Fu);
        }
        const std::uint32_t min = n == 1 ? 0 : n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n;
    }
    return true;
}

bool is_trimmed(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
    return s.empty() || (!space(s.front()) && !space(s.back()));
}

void check_ini_layer(std::string_view bytes) {
    std::vector<diagnostic> decoding;
    const std::string text = decode_text(bytes, "fuzz.inf", &decoding);
    const auto u8 = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
    if (bytes.size() >= 2 && ((u8(0) == 0xFF && u8(1) == 0xFE) || (u8(0) == 0xFE && u8(1) == 0xFF))) {
        MAPIXX_FUZZ_CHECK(valid_utf8(text));
        MAPIXX_FUZZ_CHECK(decoding.size() <= 1);
    } else if (bytes.size() >= 3 && u8(0) == 0xEF && u8(1) == 0xBB && u8(2) == 0xBF) {
        MAPIXX_FUZZ_CHECK(text == bytes.substr(3) && decoding.empty());
    } else {
        MAPIXX_FUZZ_CHECK(text == bytes && decoding.empty());
    }

    const ini_document doc = parse_ini(text, "fuzz.inf");
    std::size_t line = 0;
    for (const ini_section& s : doc.sections) {
        MAPIXX_FUZZ_CHECK(is_trimmed(s.name) && s.name.find(']') == std::string::npos);
        MAPIXX_FUZZ_CHECK(s.line > line);
        line = s.line;
        for (const ini_entry& e : s.entries) {
            MAPIXX_FUZZ_CHECK(!e.key.empty() && is_trimmed(e.key) && e.key.find('=') == std::string::npos);
            MAPIXX_FUZZ_CHECK(is_trimmed(e.value));
            MAPIXX_FUZZ_CHECK(e.line > line);
            line = e.line;
        }
    }
    for (std::string_view eol : {std::string_view("\r\n"), std::string_view("\n")}) {
        const ini_document back = parse_ini(write_ini(doc.sections, eol), "written.inf");
        MAPIXX_FUZZ_CHECK(back.diagnostics.empty());
        MAPIXX_FUZZ_CHECK(back.sections.size() == doc.sections.size());
        for (std::size_t i = 0; i < back.sections.size(); ++i) {
            const ini_section& a = doc.sections[i];
            const ini_section& b = back.sections[i];
            MAPIXX_FUZZ_CHECK(a.name == b.name && a.entries.size() == b.entries.size());
            for (std::size_t k = 0; k < a.entries.size(); ++k) {
                MAPIXX_FUZZ_CHECK(a.entries[k].key == b.entries[k].key && a.entries[k].value == b.entries[k].value);
            }
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes = mapixx_fuzz::as_text(data, size);
    constexpr std::string_view file = "fuzz.inf";
    check_ini_layer(bytes);
    const service_catalog c = service_catalog::parse(bytes, file);
    check_diagnostics(c, file);
    const std::size_t own = catalog_diagnostics(c, bytes, file);

    for (const catalog_service& s : c.services()) {
        MAPIXX_FUZZ_CHECK(c.find(s.name) == &s);
        (void)s.usable();
    }

    for (std::string_view eol : {std::string_view("\r\n"), std::string_view("\n")}) {
        const std::string text = c.write(eol);
        const service_catalog back = service_catalog::parse(text, "written.inf");
        check_same_content(c, back);
        MAPIXX_FUZZ_CHECK(catalog_diagnostics(back, text, "written.inf") == own);
        MAPIXX_FUZZ_CHECK(back.write(eol) == text);
    }

    // merge: only exercised (a repeated section or key is dropped by design, so no equality).
    service_catalog merged;
    merged.merge(c);
    (void)merged.write();
    service_catalog self = c;
    self.merge(self);
    (void)self.write("\n");
    return 0;
}
