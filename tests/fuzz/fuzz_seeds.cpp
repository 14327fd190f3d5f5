// SPDX-License-Identifier: MIT
// Writes the seed corpus and the dictionary of one fuzz target (run by run_fuzzer.cmake before
// each fuzzing run; never writes anywhere but the two paths it is given).
//
//   mapixx_fuzz_seeds <target> <corpus dir> <dictionary file> [--replay <dir>] [input dir...]
//
// <target> is mapisvc_inf, profile_file, prf, flags, prop_text or smtp_reply. The input directories (the
// shared fixtures, tests/fixtures) are read, never written; files whose name ends in .md or .py
// are skipped. Every file of a --replay directory (tests/fuzz/regressions/<target>: inputs that
// once broke the target) is copied as it is, so every run replays them first. What each
// target gets besides:
// - mapisvc_inf, prf: every input file as it is, plus UTF-16LE and UTF-16BE copies (with BOM)
//   and a UTF-8 copy with BOM of the fixtures;
// - profile_file: profile files and profiles.ini written by format_profile_file /
//   format_profile_index for profiles with every property type, plus the input files;
// - flags: every flag name of every family alone and joined, numbers, every scode name, and the
//   PR_RESOURCE_FLAGS / PR_STATUS_CODE / PR_RESOURCE_METHODS values of the fixtures;
// - prop_text: every `TAG=value` entry of the fixtures, as <tag LE><mode><value>, plus edge
//   values of every stored type written by format_prop_value;
// - smtp_reply: server sides of whole SMTP sessions (with and without PIPELINING, HELO
//   fallback, AUTH PLAIN and LOGIN, per-recipient failures, 421) and single replies (multi-line,
//   enhanced status codes, bare LF, malformed lines, a line at and over the length limit),
//   each also written through format_reply; the input directories are not used.
// The dictionary holds every name the readers know (flags, codes, tags, resource types) and
// the syntax of the formats.
#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/flags.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/profile/detail/profile_file_format.hpp>
#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/profile/profile_admin.hpp>
#include <mapixx/profile/profile_section.hpp>
#include <mapixx/profile/prop_text.hpp>
#include <mapixx/providers/smtp/reply.hpp>
#include <mapixx/session/logon_request.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using namespace mapixx;
using namespace std::literals;
namespace fs = std::filesystem;

namespace {

struct output {
    fs::path dir;
    std::size_t count = 0;
    std::set<std::string> words;

    void seed(std::string_view name, std::string_view bytes) {
        std::ofstream out(dir / ("seed-" + std::string(name)), std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) throw std::runtime_error("cannot write seed " + std::string(name));
        ++count;
    }
    void seed_numbered(std::string_view prefix, std::string_view bytes) {
        seed(std::string(prefix) + "-" + std::to_string(count), bytes);
    }
    void word(std::string_view w) {
        if (!w.empty() && w.size() <= 64) words.emplace(w);
    }
};

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Every regular file under the input directories, in a stable order.
std::vector<fs::path> input_files(const std::vector<fs::path>& dirs) {
    std::vector<fs::path> out;
    for (const auto& d : dirs) {
        std::error_code ec;
        if (!fs::is_directory(d, ec)) continue;
        for (const auto& e : fs::recursive_directory_iterator(d, ec)) {
            if (!e.is_regular_file()) continue;
            const std::string ext = e.path().extension().string();
            if (ext == ".md" || ext == ".py") continue;
            out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string safe_name(const fs::path& p) {
    std::string s = p.filename().string();
    for (char& c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) c = '_';
    }
    return s;
}

/// UTF-8 to UTF-16 with a byte-order mark (bytes that are not UTF-8 are taken as Latin-1).
std::string utf16(std::string_view s, bool little_endian) {
    std::string out = little_endian ? std::string("\xFF\xFE", 2) : std::string("\xFE\xFF", 2);
    auto unit = [&](std::uint32_t u) {
        const char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
        if (little_endian) {
            out += lo;
            out += hi;
        } else {
            out += hi;
            out += lo;
        }
    };
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::uint32_t cp = b;
        std::size_t n = 1;
        if (b >= 0xF0 && i + 3 < s.size()) {
            cp = (b & 0x07u) << 18 | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12 |
                 (static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6 | (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
            n = 4;
        } else if (b >= 0xE0 && i + 2 < s.size()) {
            cp = (b & 0x0Fu) << 12 | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6 |
                 (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
            n = 3;
        } else if (b >= 0xC0 && i + 1 < s.size()) {
            cp = (b & 0x1Fu) << 6 | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
            n = 2;
        }
        i += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            unit(0xD800 + (cp >> 10));
            unit(0xDC00 + (cp & 0x3FF));
        } else {
            unit(cp);
        }
    }
    return out;
}

std::string le32(std::uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
    return s;
}

// ---- dictionary --------------------------------------------------------------------------------

template <flag_enum E>
void flag_words(output& out) {
    for (const auto& n : flag_traits<E>::names) {
        out.word(n.sdk_name);
        const std::size_t us = n.sdk_name.find('_');
        if (us != std::string_view::npos) out.word(n.sdk_name.substr(us + 1));
    }
}

void all_flag_words(output& out) {
    flag_words<init_flag>(out);
    flag_words<logon_flag>(out);
    flag_words<logoff_flag>(out);
    flag_words<status_code>(out);
    flag_words<resource_flag>(out);
    flag_words<service_flag>(out);
    flag_words<spooler_notify>(out);
    flag_words<transport_notify>(out);
    flag_words<flush_flag>(out);
    flag_words<transport_logon_flag>(out);
    flag_words<end_message_flag>(out);
    flag_words<resource_method>(out);
    flag_words<validate_flag>(out);
    flag_words<section_open_flag>(out);
    flag_words<profile_create_flag>(out);
    flag_words<logon_option>(out);
}

void dictionary(output& out, std::string_view target) {
    for (std::string_view w : {"="sv, "["sv, "]"sv, "\r\n"sv, "\n"sv, ";"sv, "#"sv, ","sv, "|"sv, " "sv, "\""sv, "\\u{"sv,
                               "}"sv, "0x"sv, "-"sv, "+"sv, "\xEF\xBB\xBF"sv, "\xFF\xFE"sv, "\xFE\xFF"sv, "\xD8\x00"sv,
                               "\x00\xDC"sv}) {
        out.word(w);
    }
    if (target == "smtp_reply") {
        for (std::string_view w : {"220 "sv, "221 "sv, "235 "sv, "250 "sv, "250-"sv, "251 "sv, "334 "sv, "354 "sv,
                                   "421 "sv, "450 "sv, "451 "sv, "452 "sv, "454 "sv, "500 "sv, "501 "sv, "502 "sv,
                                   "503 "sv, "504 "sv, "530 "sv, "535 "sv, "550 "sv, "550-"sv, "551 "sv, "552 "sv,
                                   "553 "sv, "554 "sv, "2.0.0 "sv, "2.1.5 "sv, "4.2.2 "sv, "4.7.0 "sv, "5.1.1 "sv,
                                   "5.7.8 "sv, "PIPELINING"sv, "SIZE"sv, "SIZE 1000"sv, "8BITMIME"sv, "AUTH"sv,
                                   "AUTH=LOGIN"sv, "PLAIN"sv, "LOGIN"sv, "CRAM-MD5"sv, "SMTPUTF8"sv,
                                   "ENHANCEDSTATUSCODES"sv, "STARTTLS"sv, "CHUNKING"sv, "DSN"sv, "VXNlcm5hbWU6"sv,
                                   "UGFzc3dvcmQ6"sv}) {
            out.word(w);
        }
        return;
    }
    if (target == "flags") {
        all_flag_words(out);
        for (const auto& e : all_scodes()) {
            out.word(e.name);
            if (e.name.rfind("MAPI_E_", 0) == 0 || e.name.rfind("MAPI_W_", 0) == 0) {
                std::string m(e.name.substr(7));
                for (char& c : m) c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
                out.word(e.name[5] == 'W' ? "w_" + m : m);
            }
        }
        for (std::string_view w : {"E_FAIL", "E_OUTOFMEMORY", "E_INVALIDARG", "E_NOINTERFACE", "E_ACCESSDENIED",
                                   "hrSuccess", "SUCCESS_SUCCESS", "success", "-2147221230", "4294967295", "0xFFFFFFFF"}) {
            out.word(w);
        }
        return;
    }
    for (const auto& t : known_prop_tags()) {
        out.word(t.name);
        out.word(std::string(t.name) + "_A");
        out.word(std::string(t.name) + "_W");
        out.word(t.tag.hex());
        if (target == "prop_text") out.word(le32(t.tag.value()));
    }
    flag_words<service_flag>(out);
    flag_words<resource_flag>(out);
    flag_words<status_code>(out);
    flag_words<resource_method>(out);
    for (auto rt : {resource_type::store_provider, resource_type::ab, resource_type::ab_provider,
                    resource_type::transport_provider, resource_type::spooler, resource_type::profile_provider,
                    resource_type::subsystem, resource_type::hook_provider}) {
        out.word(sdk_name(rt));
    }
    for (std::string_view w : {"TRUE", "FALSE", "0C000000", "FFFFFFFF", "0000000000000000", "000000000000F87F",
                               "+inf", "-nan", "+1e308", "13dbb0c8aa05101a9bb000aa002fc45a",
                               "{00020385-0000-0000-C000-000000000046}", "MAPI_E_NOT_FOUND", "\"\""}) {
        out.word(w);
    }
    if (target == "mapisvc_inf") {
        for (std::string_view w : {"[Services]", "[Default Services]", "[Help File Mappings]", "Providers=", "Sections=",
                                   "UID=", "WIZARD_ENTRY_NAME", "PR_SERVICE_SO_NAME", "32.DLL", ".dll", "\\"}) {
            out.word(w);
        }
    } else if (target == "profile_file") {
        for (std::string_view w : {"[Profile]", "[End]", "[General]", "[Profiles]", "Format=1", "DefaultProfile=",
                                   "Services=", "Providers=", "Section=", "[Service 1]", "[Service 1 Provider 1]",
                                   "Service ", " Provider ", "5d630a00.ini", ".ini", "[00000000000000000000000000000000]"}) {
            out.word(w);
        }
    } else if (target == "prf") {
        for (std::string_view w : {"[General]", "[Service List]", "[Internet Account List]", "ServiceName=",
                                   "SectionGUID=", "ProfileName=", "DefaultProfile=", "OverwriteProfile=",
                                   "DefaultStore=", "Custom=", "PT_STRING8,0x", "PT_UNICODE,0x", "PT_LONG,0x",
                                   "PT_I4,0x", "PT_DWORD,0x", "PT_BOOLEAN,0x", "PT_BINARY,0x", "Yes", "No", "%",
                                   "%UserName%", "Service1", "[Service1]"}) {
            out.word(w);
        }
    }
}

void write_dictionary(const output& out, const fs::path& file) {
    std::ofstream d(file, std::ios::binary | std::ios::trunc);
    std::size_t n = 0;
    for (const auto& w : out.words) {
        d << "w" << n++ << "=\"";
        for (char c : w) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x20 || u >= 0x7F || c == '"' || c == '\\') {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02X", u);
                d << buf;
            } else {
                d << c;
            }
        }
        d << "\"\n";
    }
    if (!d) throw std::runtime_error("cannot write the dictionary " + file.string());
}

// ---- profiles ----------------------------------------------------------------------------------

uid fixed_uid(std::uint8_t seed) {
    uid u;
    for (std::size_t i = 0; i < 16; ++i) u.bytes[i] = static_cast<std::uint8_t>(seed * 17 + i * 31);
    return u;
}

/// Edge values of every stored type (the property ids 0x6600 on, 0x67F0 on for secure ones).
std::vector<prop_value> edge_values() {
    std::vector<prop_value> v;
    auto tag = [](std::uint16_t id, prop_type t) { return prop_tag(id, t); };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    v.emplace_back(tag(0x6600, prop_type::null), std::monostate{});
    v.emplace_back(tag(0x6601, prop_type::i2), std::int16_t{-12345});
    v.emplace_back(tag(0x6602, prop_type::i4), std::int32_t{-7});
    v.emplace_back(tag(0x6603, prop_type::r4), 1.5);
    v.emplace_back(tag(0x6604, prop_type::r8), -0.0);
    v.emplace_back(tag(0x6605, prop_type::currency), std::numeric_limits<std::int64_t>::min());
    v.emplace_back(tag(0x6606, prop_type::apptime), nan);
    v.emplace_back(tag(0x6607, prop_type::error), scode::not_found);
    v.emplace_back(tag(0x6608, prop_type::boolean), true);
    v.emplace_back(tag(0x6609, prop_type::object), std::monostate{});
    v.emplace_back(tag(0x660A, prop_type::i8), std::int64_t{-1});
    v.emplace_back(tag(0x660B, prop_type::string8), std::string("  leading and trailing  "));
    v.emplace_back(tag(0x660C, prop_type::unicode), std::string("\xE2\x9C\x89 \\u{41} \"q\" ; # [s] a=b\x01\r\n"));
    v.emplace_back(tag(0x660D, prop_type::systime), filetime{133000000000000000ull});
    v.emplace_back(tag(0x660E, prop_type::clsid), fixed_uid(50));
    v.emplace_back(tag(0x660F, prop_type::binary), binary{0x00, 0xFF, 0x10, 0x0A});
    v.emplace_back(tag(0x6610, prop_type::mv_i2), std::vector<std::int16_t>{1, -2, 3});
    v.emplace_back(tag(0x6611, prop_type::mv_i4), std::vector<std::int32_t>{-1, 0, 65536});
    v.emplace_back(tag(0x6612, prop_type::mv_i8), std::vector<std::int64_t>{std::int64_t{1} << 40, -5});
    v.emplace_back(tag(0x6613, prop_type::mv_string8), std::vector<std::string>{"a, b", "", " c ", "\"d\""});
    v.emplace_back(tag(0x6614, prop_type::mv_unicode), std::vector<std::string>{"\xC3\xBC", "x\ny"});
    v.emplace_back(tag(0x6615, prop_type::mv_systime), std::vector<filetime>{{1}, {2}});
    v.emplace_back(tag(0x6616, prop_type::mv_clsid), std::vector<uid>{fixed_uid(51), fixed_uid(52)});
    v.emplace_back(tag(0x6617, prop_type::mv_binary), std::vector<binary>{{1, 2}, {}, {3}});
    v.emplace_back(tag(0x6618, prop_type::string8), std::string());
    v.emplace_back(tag(0x6619, prop_type::mv_i4), std::vector<std::int32_t>{});
    v.emplace_back(tag(0x661A, prop_type::r8), inf);
    v.emplace_back(tag(0x67F0, prop_type::string8), std::string("s3cret password"));
    v.emplace_back(tag(0x67F1, prop_type::binary), binary{0xDE, 0xAD});
    v.emplace_back(tag(0x67F2, prop_type::mv_i4), std::vector<std::int32_t>{1});
    v.emplace_back(pr::resource_flags, std::int32_t{0x0A});
    v.emplace_back(pr::status_code, std::int32_t{0x1});
    v.emplace_back(pr::resource_methods, std::int32_t{0x3});
    v.emplace_back(pr::resource_type, std::int32_t{35});
    return v;
}

profile rich_profile() {
    profile p;
    p.name = "B\xC3\xBCro \xE2\x80\x93 = [x]; #1";
    p.search_key = fixed_uid(1);
    message_service a;
    a.name = "MXX";
    a.display_name = "Mapixx Demo Service";
    a.dll_name = "MXX.DLL";
    a.entry_name = "ServiceEntry";
    a.flags = service_flag::single_copy | service_flag::primary_identity;
    a.service_uid = fixed_uid(2);
    a.extra_sections = {fixed_uid(3), fixed_uid(4)};
    std::uint8_t seed = 10;
    for (resource_type t : {resource_type::store_provider, resource_type::ab_provider, resource_type::transport_provider,
                            resource_type::hook_provider}) {
        provider_entry e;
        e.section_name = "MXX " + std::string(sdk_name(t));
        e.display_name = "  padded  ";
        e.provider_display = "\"quoted\"";
        e.dll_name = "MXX.DLL";
        e.type = t;
        e.flags = t == resource_type::store_provider ? resource_flag::default_store | resource_flag::primary_store
                                                     : resource_flags{};
        e.provider_uid = fixed_uid(seed++);
        a.providers.push_back(e);
    }
    message_service b;
    b.name = "MSPST MS";
    b.flags = service_flags::from_bits_unchecked(0x80000001u);
    b.service_uid = fixed_uid(30);
    p.services = {a, b};
    p.transport_order = {a.providers[2].provider_uid, fixed_uid(99)};
    property_bag everything;
    for (auto& v : edge_values()) (void)everything.set(v);
    p.sections[fixed_uid(60)] = everything;
    p.sections[fixed_uid(3)] = property_bag{};
    p.sections[uids::profile_instance] =
        property_bag{prop_value(pr::search_key, binary(p.search_key.bytes.begin(), p.search_key.bytes.end())),
                     prop_value(pr::profile_name, p.name)};
    return p;
}

// ---- targets -----------------------------------------------------------------------------------

void text_files(output& out, const std::vector<fs::path>& files, bool encodings) {
    for (const auto& f : files) {
        const std::string bytes = read_all(f);
        const std::string name = safe_name(f);
        out.seed(name, bytes);
        const bool already_encoded = bytes.size() >= 2 && (static_cast<unsigned char>(bytes[0]) >= 0xEF);
        if (encodings && !already_encoded && bytes.size() < 8192) {
            out.seed(name + ".utf16le", utf16(bytes, true));
            out.seed(name + ".utf16be", utf16(bytes, false));
            out.seed(name + ".bom", "\xEF\xBB\xBF" + bytes);
        }
    }
}

/// Every `key=value` entry of the INI files among `files`.
std::vector<ini_entry> fixture_entries(const std::vector<fs::path>& files) {
    std::vector<ini_entry> out;
    for (const auto& f : files) {
        const std::string text = decode_text(read_all(f));
        for (const auto& s : parse_ini(text).sections) out.insert(out.end(), s.entries.begin(), s.entries.end());
    }
    return out;
}

template <flag_enum E>
void flag_seeds(output& out) {
    std::string all;
    for (const auto& n : flag_traits<E>::names) {
        out.seed_numbered("flag", n.sdk_name);
        if (!all.empty()) all += " | ";
        all += n.sdk_name;
    }
    out.seed_numbered("flags", all);
    out.seed_numbered("flags", detail::hex32(flags<E>::known));
    out.seed_numbered("flags", to_string(flags<E>::from_bits_unchecked(flags<E>::known | 0x40000000u)));
}

void flags_target(output& out, const std::vector<fs::path>& files) {
    flag_seeds<init_flag>(out);
    flag_seeds<logon_flag>(out);
    flag_seeds<logoff_flag>(out);
    flag_seeds<status_code>(out);
    flag_seeds<resource_flag>(out);
    flag_seeds<service_flag>(out);
    flag_seeds<spooler_notify>(out);
    flag_seeds<transport_notify>(out);
    flag_seeds<flush_flag>(out);
    flag_seeds<transport_logon_flag>(out);
    flag_seeds<end_message_flag>(out);
    flag_seeds<resource_method>(out);
    flag_seeds<validate_flag>(out);
    flag_seeds<section_open_flag>(out);
    flag_seeds<profile_create_flag>(out);
    flag_seeds<logon_option>(out);
    for (std::string_view s : {"0x18032", "98354", "new_session,no_mail", "MAPI_NT_SERVICE|MAPI_LOGON_UI", "ui", "",
                               "0", "-2147221230", "0x80040112", "E_FAIL", "not_found", "w_errors_returned",
                               "MAPI_E_SESSION_LIMIT", "  | ,+\t", "4294967296", "-0"}) {
        out.seed_numbered("text", s);
    }
    for (const auto& e : all_scodes()) out.seed_numbered("scode", e.name);
    for (const auto& e : fixture_entries(files)) {
        const auto tag = parse_prop_key(e.key);
        if (tag && detail::is_flag_tag(*tag)) out.seed_numbered("fixture", e.value);
    }
}

void prop_text_target(output& out, const std::vector<fs::path>& files) {
    auto put = [&](std::string_view prefix, prop_tag t, std::uint8_t mode, std::string_view text) {
        out.seed_numbered(prefix, le32(t.value()) + static_cast<char>(mode) + std::string(text));
    };
    for (const auto& e : fixture_entries(files)) {
        const auto tag = parse_prop_key(e.key);
        if (!tag) continue;
        for (std::uint8_t mode : {std::uint8_t{0}, std::uint8_t{1}, std::uint8_t{2}}) {
            if (mode != 0 && !detail::is_flag_tag(*tag)) break;
            put("fixture", *tag, mode, e.value);
        }
    }
    for (const auto& v : edge_values()) {
        put("edge", v.tag(), 0, format_prop_value(v));
        if (v.tag() == pr::resource_flags) {
            put("edge", v.tag(), 1, format_prop_value(v, value_context::service_section));
            put("edge", v.tag(), 2, format_prop_value(v, value_context::provider_section));
        }
    }
    put("invalid", prop_tag(0x66000099), 0x80, "x");
}

void smtp_reply_target(output& out) {
    const std::string ehlo_all = "250-mx.example.org Hello\r\n250-PIPELINING\r\n250-SIZE 10000\r\n250-8BITMIME\r\n"
                                 "250-AUTH PLAIN LOGIN\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n";
    const std::string sessions[] = {
        // Pipelined, AUTH PLAIN, two messages, one recipient refused.
        "220 mx.example.org ESMTP\r\n" + ehlo_all +
            "235 2.7.0 ok\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 no such user\r\n354 go\r\n"
            "250 2.0.0 queued\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n221 bye\r\n",
        // Without pipelining, AUTH LOGIN.
        "220 mx ESMTP\r\n250-mx\r\n250 AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n"
        "250 ok\r\n250 ok\r\n450 4.2.2 full\r\n354 go\r\n250 ok\r\n221 bye\r\n",
        // HELO fallback; every recipient refused; RSET.
        "220 old SMTP\n502 no\n250 old\n250 ok\n550 no\n550 no\n250 reset\n221 bye\n",
        // Refusals and closings.
        "554 5.7.1 no service\r\n221 bye\r\n",
        "220 x\r\n" + ehlo_all + "535 5.7.8 bad credentials\r\n",
        "220 x\r\n" + ehlo_all + "235 ok\r\n250 ok\r\n421 4.4.2 timeout\r\n",
        "220 x\r\n" + ehlo_all + "235 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n452 4.3.1 full\r\n",
    };
    for (const auto& s : sessions) out.seed_numbered("session", s);
    const std::string_view replies[] = {
        "250 ok\r\n", "250-a\r\n250-b\r\n250 c\r\n", "250-\r\n250\r\n", "550 5.1.1 <x@y>: unknown\r\n",
        "451 4.7.650 rate limited\r\n", "250 2.0\r\n", "250-a\n250 b\n", "250-one\r\n251 two\r\n",
        "hello\r\n", "250_x\r\n", "2", "250 x\r\r\n", "600 x\r\n", "250 caf\xC3\xA9\r\n",
    };
    for (std::string_view r : replies) out.seed_numbered("reply", r);
    // Finding 1 (a greeting naming the password of the target's credential), replayed each run.
    out.seed("regression-greeting-names-password", "554 5\xFF\xFE.7.1 no serfuzz-Pa55word-not-to-leakye\n2");
    out.seed("reply-at-limit", "250 " + std::string(996, 'x') + "\r\n");
    out.seed("reply-over-limit", "250 " + std::string(997, 'x') + "\r\n");
    // Every reply of the seeds again, through format_reply.
    mapixx::smtp::reply_parser p;
    for (const auto& s : sessions) (void)p.feed(s);
    std::string formatted;
    while (auto r = p.next()) formatted += mapixx::smtp::format_reply(*r);
    out.seed("formatted", formatted);
}

void profile_target(output& out, const std::vector<fs::path>& files) {
    const profile p = rich_profile();
    out.seed("rich-profile.ini", detail::format_profile_file(p));
    profile empty;
    empty.name = "Empty";
    out.seed("empty-profile.ini", detail::format_profile_file(empty));
    detail::profile_index index;
    index.entries.push_back({"5d630a00.ini", "Work", 0});
    index.entries.push_back({"0badf00d.ini", p.name, 0});
    index.entries.push_back({"12345678.ini", "a=b [c]", 0});
    index.default_name = "Work";
    out.seed("profiles.ini", detail::format_profile_index(index));
    out.seed("profiles-utf16.ini", utf16(detail::format_profile_index(index), true));
    text_files(out, files, false);
}

} // namespace

int main(int argc, char** argv) try {
    if (argc < 4) {
        std::cerr << "usage: mapixx_fuzz_seeds <target> <corpus dir> <dictionary file> [input dir...]\n";
        return 2;
    }
    const std::string target = argv[1];
    output out;
    out.dir = argv[2];
    fs::create_directories(out.dir);
    std::vector<fs::path> dirs;
    std::vector<fs::path> replay;
    for (int i = 4; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--replay" && i + 1 < argc) {
            replay.emplace_back(argv[++i]);
        } else {
            dirs.emplace_back(argv[i]);
        }
    }
    const std::vector<fs::path> files = input_files(dirs);
    for (const auto& d : replay) {
        std::error_code ec;
        if (!fs::is_directory(d, ec)) continue;
        for (const auto& e : fs::directory_iterator(d, ec)) {
            if (e.is_regular_file() && e.path().filename().string().rfind('.', 0) != 0) {
                out.seed("replay-" + safe_name(e.path()), read_all(e.path()));
            }
        }
    }

    if (target == "mapisvc_inf" || target == "prf") {
        text_files(out, files, true);
    } else if (target == "profile_file") {
        profile_target(out, files);
    } else if (target == "flags") {
        flags_target(out, files);
    } else if (target == "prop_text") {
        prop_text_target(out, files);
    } else if (target == "smtp_reply") {
        smtp_reply_target(out);
    } else {
        std::cerr << "mapixx_fuzz_seeds: unknown target \"" << target << "\"\n";
        return 2;
    }
    dictionary(out, target);
    write_dictionary(out, argv[3]);
    std::cout << "mapixx_fuzz_seeds: " << out.count << " seeds in " << out.dir.string() << ", " << out.words.size()
              << " dictionary entries in " << argv[3] << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "mapixx_fuzz_seeds: " << e.what() << "\n";
    return 1;
}
