// SPDX-License-Identifier: MIT
// Tests of prop_text.hpp: the MAPISVC.INF text form of tags and values, the forms real files
// use, the errors, and parse(format(v)) == v for every stored type, also through the INI reader.
#include <mapixx/profile/ini.hpp>
#include <mapixx/profile/prop_text.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace prop_text_tests {

using namespace mapixx;

namespace {

prop_value parsed(prop_tag tag, std::string_view text, value_context ctx = value_context::any) {
    auto r = parse_prop_value(tag, text, ctx);
    INFO("text: ", std::string(text), " message: ", r.info().message);
    REQUIRE(r.has_value());
    return *r;
}

std::uint64_t bits_of(double d) {
    std::uint64_t b = 0;
    std::memcpy(&b, &d, sizeof b);
    return b;
}

// Equality that also holds for NaN doubles (compared bit for bit).
bool same(const prop_value& a, const prop_value& b) {
    if (a.tag() != b.tag()) return false;
    const double* da = a.get_if<double>();
    const double* db = b.get_if<double>();
    if (da && db) return bits_of(*da) == bits_of(*db);
    return a == b;
}

// parse(format(v)) == v, directly and after a trip through write_ini / parse_ini (which trims
// keys and values), in every context.
void check_round_trip(const prop_value& v) {
    REQUIRE(v.valid());
    for (value_context ctx : {value_context::any, value_context::service_section, value_context::provider_section}) {
        const std::string text = format_prop_value(v, ctx);
        INFO("tag ", v.tag().hex(), " formatted as [", text, "]");
        CHECK(text.find('\n') == std::string::npos);
        CHECK(text.find('\r') == std::string::npos);
        auto back = parse_prop_value(v.tag(), text, ctx);
        INFO("message: ", back.info().message);
        REQUIRE(back.has_value());
        CHECK(same(*back, v));

        const std::string key = format_prop_key(v.tag());
        auto doc = parse_ini(write_ini({ini_section{"S", 0, {ini_entry{key, text, 0}}}}, "\r\n"));
        REQUIRE(doc.diagnostics.empty());
        REQUIRE(doc.sections.size() == 1);
        REQUIRE(doc.sections[0].entries.size() == 1);
        auto tag2 = parse_prop_key(doc.sections[0].entries[0].key);
        REQUIRE(tag2.has_value());
        CHECK(*tag2 == v.tag());
        auto again = parse_prop_value(*tag2, doc.sections[0].entries[0].value, ctx);
        REQUIRE(again.has_value());
        CHECK(same(*again, v));
    }
}

// Strings that break naive writers: commas, quotes, outer spaces, line breaks, backslashes,
// the escape introducer itself, non-ASCII text and a character outside the BMP.
const std::vector<std::string>& nasty_strings() {
    static const std::vector<std::string> s{
        "",
        " ",
        "  leading",
        "trailing  ",
        "\tTab at both ends\t",
        "a,b",
        ", ",
        ",",
        "\"",
        "\"\"",
        "\"quoted\"",
        "\"only leading",
        "only trailing\"",
        "say \"hi\", then go",
        "C:\\WINNT35\\System32\\DEFAB.TXT",
        "\\",
        "ends with backslash\\",
        "\\u{41}",
        "\\u{",
        "\"\\u{22}\"",
        "line\nbreak",
        "cr\rlf\r\n",
        std::string("nul\0inside", 10),
        "\x01\x1f\x7f",
        "Bo\xC3\xAEte de r\xC3\xA9" "ception",
        "\xF0\x9F\x93\xAC mailbox",
        "semi;colon # hash = equals",
        "[not a section]",
        "PR_DISPLAY_NAME=x",
        "  \"  ",
    };
    return s;
}

} // namespace

TEST_SUITE("prop_text.hpp") {

TEST_CASE("symbolic keys read as the ANSI (PT_STRING8) form unless _W is given, and hex keys as written") {
    CHECK(parse_prop_key("PR_DISPLAY_NAME").value() == pr::display_name_a);
    CHECK(parse_prop_key("pr_display_name").value() == pr::display_name_a);
    CHECK(parse_prop_key("PR_DISPLAY_NAME_A").value() == pr::display_name_a);
    CHECK(parse_prop_key("PR_DISPLAY_NAME_W").value() == pr::display_name_w);
    CHECK(parse_prop_key("PR_SERVICE_SUPPORT_FILES").value() == pr::service_support_files_a);
    CHECK(parse_prop_key("PR_SERVICE_SUPPORT_FILES_W").value() == pr::service_support_files_w);
    CHECK(parse_prop_key("PR_SERVICE_ENTRY_NAME").value() == pr::service_entry_name);
    CHECK(parse_prop_key("PR_RESOURCE_FLAGS").value() == pr::resource_flags);
    CHECK(parse_prop_key("PR_MDB_PROVIDER").value() == pr::mdb_provider);
    CHECK(parse_prop_key("6600001e").value() == prop_tag(0x6600001Eu));
    CHECK(parse_prop_key("660A0003").value() == prop_tag(0x660A0003u));
    CHECK(parse_prop_key("34140102").value() == pr::mdb_provider);
    CHECK(parse_prop_key("  66090003 ").value() == prop_tag(0x66090003u));
}

TEST_CASE("keys that are neither a known name nor 8 hex digits are not_found with a sentence") {
    for (std::string_view k : {"PR_SERVICE_SO_NAME", "WIZARD_ENTRY_NAME", "Providers", "UID", "660A000",
                               "660A00030", "0x30010003", "6600001G", "", "PR_ENTRYID_A"}) {
        auto r = parse_prop_key(k);
        INFO(std::string(k));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.code() == scode::not_found);
        CHECK(r.info().message.find(std::string(k)) != std::string::npos);
    }
}

TEST_CASE("format_prop_key prints names for known tags and 8 upper-case hex digits otherwise") {
    CHECK(format_prop_key(pr::display_name_a) == "PR_DISPLAY_NAME");
    CHECK(format_prop_key(pr::display_name_w) == "PR_DISPLAY_NAME_W");
    CHECK(format_prop_key(pr::service_support_files_a) == "PR_SERVICE_SUPPORT_FILES");
    CHECK(format_prop_key(pr::service_support_files_w) == "PR_SERVICE_SUPPORT_FILES_W");
    CHECK(format_prop_key(pr::service_entry_name) == "PR_SERVICE_ENTRY_NAME");
    CHECK(format_prop_key(pr::service_entry_name.with_type(prop_type::unicode)) == "3D0B001F");  // no _W name in the SDK
    CHECK(format_prop_key(pr::resource_type) == "PR_RESOURCE_TYPE");
    CHECK(format_prop_key(prop_tag(0x6600001Eu)) == "6600001E");
    CHECK(format_prop_key(prop_tag(0x30010003u)) == "30010003");  // a known id with another type
}

TEST_CASE("every key round-trips: each known tag in each string form, and pseudo-random tags") {
    for (const auto& e : known_prop_tags()) {
        std::vector<prop_tag> forms{e.tag};
        const prop_type t = e.tag.type();
        if (t == prop_type::unicode || t == prop_type::string8) {
            forms = {e.tag.with_type(prop_type::string8), e.tag.with_type(prop_type::unicode)};
        }
        if (t == prop_type::mv_unicode || t == prop_type::mv_string8) {
            forms = {e.tag.with_type(prop_type::mv_string8), e.tag.with_type(prop_type::mv_unicode)};
        }
        forms.push_back(e.tag.with_type(prop_type::i8));
        forms.push_back(e.tag.with_type(prop_type::mv_binary));
        for (prop_tag f : forms) {
            INFO(format_prop_key(f));
            CHECK(parse_prop_key(format_prop_key(f)).value() == f);
        }
    }
    std::mt19937 rng(12345);
    for (int i = 0; i < 20000; ++i) {
        const prop_tag t(static_cast<std::uint32_t>(rng()));
        INFO(t.hex());
        CHECK(parse_prop_key(format_prop_key(t)).value() == t);
    }
}

TEST_CASE("PT_LONG values in the forms the fixtures use: little-endian hex dwords") {
    CHECK(parsed(prop_tag(0x66090003u), "0C000000").get_if<std::int32_t>() != nullptr);
    CHECK(*parsed(prop_tag(0x66090003u), "0C000000").get_if<std::int32_t>() == 12);
    CHECK(*parsed(prop_tag(0x660A0003u), "01000000").get_if<std::int32_t>() == 1);
    CHECK(*parsed(prop_tag(0x66000003u), "00040000").get_if<std::int32_t>() == 1024);
    CHECK(*parsed(prop_tag(0x66000003u), "0c000000").get_if<std::int32_t>() == 12);
    CHECK(*parsed(prop_tag(0x66000003u), "FFFFFFFF").get_if<std::int32_t>() == -1);
    CHECK(*parsed(prop_tag(0x66000003u), "0").get_if<std::int32_t>() == 0);
    CHECK(*parsed(prop_tag(0x66000003u), "+12").get_if<std::int32_t>() == 12);
    CHECK(*parsed(prop_tag(0x66000003u), "-1").get_if<std::int32_t>() == -1);
    CHECK(*parsed(prop_tag(0x66000003u), "+4294967295").get_if<std::int32_t>() == -1);
    CHECK(*parsed(prop_tag(0x66000003u), "-2147483648").get_if<std::int32_t>() == std::numeric_limits<std::int32_t>::min());
    CHECK(format_prop_value(prop_value(prop_tag(0x66090003u), std::int32_t{12})) == "0C000000");
}

TEST_CASE("PT_LONG text that is ambiguous or malformed is bad_value naming the tag and the text") {
    for (std::string_view t : {"12", "0C0000", "0C00000000", "+", "-", "+4294967296", "-2147483649", "0x0C",
                               "twelve", "", "++1", "+1.5", "0C000000 extra"}) {
        auto r = parse_prop_value(prop_tag(0x66090003u), t);
        INFO(std::string(t), " -> ", r.info().message);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.code() == scode::bad_value);
        CHECK(r.info().message.find("0x66090003") != std::string::npos);
        CHECK(r.info().message.find("\"" + std::string(t) + "\"") != std::string::npos);
    }
}

TEST_CASE("PR_RESOURCE_FLAGS takes |-joined names with or without spaces, of either family") {
    CHECK(*parsed(pr::resource_flags, "SERVICE_SINGLE_COPY | SERVICE_NO_PRIMARY_IDENTITY").get_if<std::int32_t>() == 0x22);
    CHECK(*parsed(pr::resource_flags, "SERVICE_SINGLE_COPY|SERVICE_PRIMARY_IDENTITY").get_if<std::int32_t>() == 0x0A);
    CHECK(*parsed(pr::resource_flags, "STATUS_PRIMARY_IDENTITY|STATUS_DEFAULT_STORE|STATUS_PRIMARY_STORE")
               .get_if<std::int32_t>() == 0x1006);
    CHECK(*parsed(pr::resource_flags, "STATUS_NO_DEFAULT_STORE").get_if<std::int32_t>() == 0x40);
    CHECK(*parsed(pr::resource_flags, "HOOK_INBOUND|HOOK_OUTBOUND").get_if<std::int32_t>() == 0x600);
    CHECK(*parsed(pr::resource_flags, "service_single_copy").get_if<std::int32_t>() == 0x2);
    CHECK(*parsed(pr::resource_flags, "22000000").get_if<std::int32_t>() == 0x22);
    CHECK(*parsed(pr::resource_flags, "SERVICE_SINGLE_COPY|20000000").get_if<std::int32_t>() == 0x22);
    CHECK(*parsed(pr::resource_flags, "SERVICE_SINGLE_COPY", value_context::service_section).get_if<std::int32_t>() == 2);
    CHECK(*parsed(pr::resource_flags, "STATUS_DEFAULT_STORE", value_context::provider_section).get_if<std::int32_t>() == 2);
    CHECK(*parsed(pr::status_code, "STATUS_AVAILABLE|STATUS_INBOUND_ENABLED").get_if<std::int32_t>() == 0x10001);
    CHECK(*parsed(pr::resource_methods, "STATUS_VALIDATE_STATE | STATUS_FLUSH_QUEUES").get_if<std::int32_t>() == 0x9);
}

TEST_CASE("an unknown flag name is a bad_value whose message names the flag") {
    auto r = parse_prop_value(pr::resource_flags, "SERVICE_SINGLE_COPY|SERVICE_PRIMARY");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::bad_value);
    CHECK(r.info().message.find("unknown flag SERVICE_PRIMARY ") != std::string::npos);
    CHECK(r.info().message.find("PR_RESOURCE_FLAGS") != std::string::npos);

    auto r2 = parse_prop_value(pr::resource_flags, "STATUS_PRIMARY_IDENTITY|STATUS_DEFAULT");
    REQUIRE_FALSE(r2.has_value());
    CHECK(r2.info().message.find("unknown flag STATUS_DEFAULT ") != std::string::npos);

    auto r3 = parse_prop_value(pr::resource_flags, "SERVICE_SINGLE_COPY||SERVICE_NO_PRIMARY_IDENTITY");
    REQUIRE_FALSE(r3.has_value());
    CHECK(r3.info().message.find("empty element") != std::string::npos);
    CHECK_FALSE(parse_prop_value(pr::resource_flags, "SERVICE_SINGLE_COPY|").has_value());
    CHECK_FALSE(parse_prop_value(pr::resource_flags, "").has_value());
}

TEST_CASE("a flag of the other family is refused once the section kind is known") {
    auto s = parse_prop_value(pr::resource_flags, "SERVICE_SINGLE_COPY|STATUS_DEFAULT_STORE", value_context::service_section);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.info().message.find("provider flag STATUS_DEFAULT_STORE") != std::string::npos);
    auto p = parse_prop_value(pr::resource_flags, "SERVICE_SINGLE_COPY", value_context::provider_section);
    REQUIRE_FALSE(p.has_value());
    CHECK(p.info().message.find("service flag SERVICE_SINGLE_COPY") != std::string::npos);
}

TEST_CASE("PR_RESOURCE_FLAGS prints symbolically only when the section kind is known") {
    const prop_value v(pr::resource_flags, std::int32_t{0x22});
    CHECK(format_prop_value(v) == "22000000");
    CHECK(format_prop_value(v, value_context::service_section) == "SERVICE_SINGLE_COPY|SERVICE_NO_PRIMARY_IDENTITY");
    CHECK(format_prop_value(v, value_context::provider_section) == "STATUS_DEFAULT_STORE|STATUS_NO_PRIMARY_IDENTITY");
    const prop_value unknown_bits(pr::resource_flags, std::int32_t{0x10002});
    CHECK(format_prop_value(unknown_bits, value_context::service_section) == "02000100");
    const prop_value zero(pr::resource_flags, std::int32_t{0});
    CHECK(format_prop_value(zero, value_context::service_section) == "00000000");
}

TEST_CASE("PR_RESOURCE_TYPE takes the MAPI_* names and prints them") {
    CHECK(*parsed(pr::resource_type, "MAPI_AB_PROVIDER").get_if<std::int32_t>() == 35);
    CHECK(*parsed(pr::resource_type, "MAPI_STORE_PROVIDER").get_if<std::int32_t>() == 33);
    CHECK(*parsed(pr::resource_type, "MAPI_TRANSPORT_PROVIDER").get_if<std::int32_t>() == 36);
    CHECK(*parsed(pr::resource_type, "MAPI_HOOK_PROVIDER").get_if<std::int32_t>() == 40);
    CHECK(*parsed(pr::resource_type, "21000000").get_if<std::int32_t>() == 33);
    CHECK(format_prop_value(prop_value(pr::resource_type, std::int32_t{36})) == "MAPI_TRANSPORT_PROVIDER");
    CHECK(format_prop_value(prop_value(pr::resource_type, std::int32_t{99})) == "63000000");
    auto r = parse_prop_value(pr::resource_type, "MAPI_STORE");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.info().message.find("\"MAPI_STORE\"") != std::string::npos);
    CHECK_FALSE(parse_prop_value(pr::resource_type, "MAPI_AB_PROVIDER|MAPI_STORE_PROVIDER").has_value());
}

TEST_CASE("PT_BOOLEAN takes 0, 1, TRUE, FALSE in any case and hex") {
    const prop_tag b = pr::remote_validate_ok;
    CHECK(*parsed(b, "1").get_if<bool>());
    CHECK(*parsed(b, "TRUE").get_if<bool>());
    CHECK(*parsed(b, "true").get_if<bool>());
    CHECK(*parsed(b, "01000000").get_if<bool>());
    CHECK(*parsed(b, "0100").get_if<bool>());
    CHECK_FALSE(*parsed(b, "0").get_if<bool>());
    CHECK_FALSE(*parsed(b, "False").get_if<bool>());
    CHECK_FALSE(*parsed(b, "00000000").get_if<bool>());
    CHECK_FALSE(parse_prop_value(b, "yes").has_value());
    CHECK_FALSE(parse_prop_value(b, "2").has_value());
}

TEST_CASE("PT_BINARY is bare hex of any case and even length") {
    auto v = parsed(pr::mdb_provider, "78b2fa70aff711cd9bc800aa002fc45a");
    REQUIRE(v.get_if<binary>()->size() == 16);
    CHECK((*v.get_if<binary>())[0] == 0x78);
    CHECK((*v.get_if<binary>())[15] == 0x5a);
    auto mixed = parsed(pr::mdb_provider, "395d475fecf1cd1193dc5aab3C478538");
    CHECK((*mixed.get_if<binary>())[12] == 0x3C);
    CHECK(parsed(pr::mdb_provider, "").get_if<binary>()->empty());
    CHECK(format_prop_value(v) == "78B2FA70AFF711CD9BC800AA002FC45A");
    for (std::string_view bad : {"abc", "zz", "78b2 fa70", "13DB0C8AA05101A9BB000AA002FC45A"}) {
        auto r = parse_prop_value(pr::mdb_provider, bad);
        INFO(std::string(bad));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.code() == scode::bad_value);
        CHECK(r.info().message.find("PR_MDB_PROVIDER") != std::string::npos);
    }
}

TEST_CASE("strings are verbatim: raw backslashes, inner quotes and spaces are kept") {
    const prop_tag s(0x6600001Eu);
    CHECK(*parsed(s, "C:\\WINNT35\\System32\\DEFAB.TXT").get_if<std::string>() == "C:\\WINNT35\\System32\\DEFAB.TXT");
    CHECK(*parsed(s, "Kopano Server").get_if<std::string>() == "Kopano Server");
    CHECK(*parsed(s, "a \"b\" c").get_if<std::string>() == "a \"b\" c");
    CHECK(*parsed(s, "\\u{41}").get_if<std::string>() == "\\u{41}");  // escapes only inside quotes
    CHECK(*parsed(s, "\"  padded  \"").get_if<std::string>() == "  padded  ");
    CHECK(*parsed(s, "\"C:\\new\\temp\"").get_if<std::string>() == "C:\\new\\temp");  // GetPrivateProfileString strips quotes
    CHECK(*parsed(s, "\"a\\u{A}b\"").get_if<std::string>() == "a\nb");
    CHECK(*parsed(s, "\"\\u{1F4EC}\"").get_if<std::string>() == "\xF0\x9F\x93\xAC");
    CHECK(*parsed(s, "\"\\u{110000}\"").get_if<std::string>() == "\\u{110000}");  // not a code point: literal
    CHECK(format_prop_value(prop_value(s, std::string("  padded  "))) == "\"  padded  \"");
    CHECK(format_prop_value(prop_value(s, std::string("C:\\x"))) == "C:\\x");
    CHECK(format_prop_value(prop_value(s, std::string("a\nb"))) == "\"a\\u{A}b\"");
}

TEST_CASE("multi-valued strings are comma lists with optional spaces, quoted elements keep commas") {
    auto v = parsed(pr::service_support_files_a, "MYSERV.DLL, MYXXX.DLL, MYZZZ.DLL");
    CHECK(*v.get_if<std::vector<std::string>>() == std::vector<std::string>{"MYSERV.DLL", "MYXXX.DLL", "MYZZZ.DLL"});
    CHECK(*parsed(pr::service_support_files_a, "emsui.dll,emsabp.dll ,  emsmdb.dll").get_if<std::vector<std::string>>() ==
          std::vector<std::string>{"emsui.dll", "emsabp.dll", "emsmdb.dll"});
    CHECK(*parsed(pr::service_support_files_a, "sabp.dll").get_if<std::vector<std::string>>() ==
          std::vector<std::string>{"sabp.dll"});
    CHECK(parsed(pr::service_support_files_a, "").get_if<std::vector<std::string>>()->empty());
    CHECK(*parsed(pr::service_support_files_a, "\"\"").get_if<std::vector<std::string>>() == std::vector<std::string>{""});
    CHECK(*parsed(pr::service_support_files_a, "\"a, b\", c").get_if<std::vector<std::string>>() ==
          std::vector<std::string>{"a, b", "c"});
    const prop_value with_comma(pr::service_support_files_a, std::vector<std::string>{"a,b", " c", "d"});
    CHECK(format_prop_value(with_comma) == "\"a,b\", \" c\", d");
    auto bad = parse_prop_value(pr::service_support_files_a, "\"open, b");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.code() == scode::bad_value);
    CHECK_FALSE(parse_prop_value(pr::service_support_files_a, "\"a\" b, c").has_value());
}

TEST_CASE("other types: I2, I8, doubles, SYSTIME, CLSID, ERROR and NULL have documented forms") {
    CHECK(*parsed(prop_tag(0x66000002u), "0C00").get_if<std::int16_t>() == 12);
    CHECK(*parsed(prop_tag(0x66000002u), "-2").get_if<std::int16_t>() == -2);
    CHECK(*parsed(prop_tag(0x66000014u), "0C00000000000000").get_if<std::int64_t>() == 12);
    CHECK(*parsed(prop_tag(0x66000014u), "-9223372036854775808").get_if<std::int64_t>() ==
          std::numeric_limits<std::int64_t>::min());
    CHECK(*parsed(prop_tag(0x66000006u), "+10000").get_if<std::int64_t>() == 10000);
    CHECK(*parsed(prop_tag(0x66000005u), "+1.5").get_if<double>() == 1.5);
    CHECK(*parsed(prop_tag(0x66000005u), "-2e3").get_if<double>() == -2000.0);
    CHECK(*parsed(prop_tag(0x66000005u), "000000000000F83F").get_if<double>() == 1.5);
    CHECK(std::isinf(*parsed(prop_tag(0x66000005u), "+inf").get_if<double>()));
    CHECK_FALSE(parse_prop_value(prop_tag(0x66000005u), "1.5").has_value());  // unsigned text is the hex form
    CHECK_FALSE(parse_prop_value(prop_tag(0x66000005u), "+-1").has_value());
    CHECK(format_prop_value(prop_value(prop_tag(0x66000005u), 1.5)) == "000000000000F83F");
    CHECK(parsed(prop_tag(0x66000040u), "0080A7D47E4ED901").get_if<filetime>()->ticks == 0x01D94E7ED4A78000ull);
    CHECK(*parsed(prop_tag(0x66000048u), "{00020385-0000-0000-C000-000000000046}").get_if<uid>() == uids::profile_instance);
    CHECK(*parsed(prop_tag(0x6600000Au), "0F010480").get_if<scode>() == scode::not_found);
    CHECK(*parsed(prop_tag(0x6600000Au), "MAPI_E_NOT_FOUND").get_if<scode>() == scode::not_found);
    CHECK(parsed(prop_tag(0x66000001u), "").data().index() == 0);
    CHECK_FALSE(parse_prop_value(prop_tag(0x66000001u), "x").has_value());
    CHECK(*parsed(prop_tag(0x66001003u), "01000000, 02000000,+3").get_if<std::vector<std::int32_t>>() ==
          std::vector<std::int32_t>{1, 2, 3});
    CHECK_FALSE(parse_prop_value(prop_tag(0x66001003u), "01000000,,02000000").has_value());
    CHECK(parsed(prop_tag(0x66001102u), "\"\"").get_if<std::vector<binary>>()->size() == 1);
}

TEST_CASE("a type mapixx does not store is invalid_type naming the tag") {
    for (std::uint32_t t : {0x66000000u, 0x66000099u, 0x66001001u}) {
        auto r = parse_prop_value(prop_tag(t), "00");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.code() == scode::invalid_type);
        CHECK(r.info().message.find(prop_tag(t).hex()) != std::string::npos);
    }
}

TEST_CASE("the text of a secure property never appears in an error message") {
    auto r = parse_prop_value(prop_tag(0x67F00003u), "hunter2-password");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.info().message.find("hunter2") == std::string::npos);
    CHECK(r.info().message.find("withheld") != std::string::npos);
}

TEST_CASE("parse(format(v)) == v for chosen edge values of every stored type") {
    const prop_tag s8(0x6600001Eu), su(0x6601001Fu);
    for (const auto& s : nasty_strings()) {
        check_round_trip(prop_value(s8, s));
        check_round_trip(prop_value(su, s));
    }
    check_round_trip(prop_value(pr::service_support_files_a, nasty_strings()));
    check_round_trip(prop_value(pr::service_support_files_w, nasty_strings()));
    check_round_trip(prop_value(pr::service_support_files_a, std::vector<std::string>{}));
    check_round_trip(prop_value(pr::service_support_files_a, std::vector<std::string>{""}));
    check_round_trip(prop_value(pr::service_support_files_a, std::vector<std::string>{"", ""}));
    check_round_trip(prop_value(pr::service_support_files_a, std::vector<std::string>{",", ","}));
    for (const auto& s : nasty_strings()) {
        check_round_trip(prop_value(pr::service_support_files_a, std::vector<std::string>{s}));
        check_round_trip(prop_value(pr::service_support_files_a, std::vector<std::string>{s, s, "x"}));
    }

    check_round_trip(prop_value(prop_tag(0x66000001u), std::monostate{}));
    check_round_trip(prop_value(prop_tag(0x6600000Du), std::monostate{}));
    for (std::int16_t x : {std::int16_t{0}, std::int16_t{1}, std::int16_t{-1}, std::numeric_limits<std::int16_t>::min(),
                           std::numeric_limits<std::int16_t>::max()}) {
        check_round_trip(prop_value(prop_tag(0x66000002u), x));
    }
    for (std::int32_t x : {0, 1, -1, 12, 0x22, 0x1006, std::numeric_limits<std::int32_t>::min(),
                           std::numeric_limits<std::int32_t>::max()}) {
        check_round_trip(prop_value(prop_tag(0x66000003u), x));
        check_round_trip(prop_value(pr::resource_flags, x));
        check_round_trip(prop_value(pr::resource_type, x));
        check_round_trip(prop_value(pr::status_code, x));
        check_round_trip(prop_value(pr::resource_methods, x));
    }
    for (std::int32_t x = 0; x <= 64; ++x) check_round_trip(prop_value(pr::resource_type, x));
    const double inf = std::numeric_limits<double>::infinity();
    for (double d : {0.0, -0.0, 1.5, -1e300, 5e-324, inf, -inf, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::max()}) {
        check_round_trip(prop_value(prop_tag(0x66000004u), d));
        check_round_trip(prop_value(prop_tag(0x66000005u), d));
        check_round_trip(prop_value(prop_tag(0x66000007u), d));
    }
    for (scode c : {scode::success, scode::not_found, scode::bad_value, static_cast<scode>(0xDEADBEEFu)}) {
        check_round_trip(prop_value(prop_tag(0x6600000Au), c));
    }
    check_round_trip(prop_value(prop_tag(0x6600000Bu), true));
    check_round_trip(prop_value(prop_tag(0x6600000Bu), false));
    for (std::int64_t x : {std::int64_t{0}, std::int64_t{-1}, std::numeric_limits<std::int64_t>::min(),
                           std::numeric_limits<std::int64_t>::max()}) {
        check_round_trip(prop_value(prop_tag(0x66000014u), x));
        check_round_trip(prop_value(prop_tag(0x66000006u), x));
    }
    for (std::uint64_t t : {std::uint64_t{0}, std::uint64_t{0x01D94E7ED4A78000ull}, ~std::uint64_t{0}}) {
        check_round_trip(prop_value(prop_tag(0x66000040u), filetime{t}));
    }
    check_round_trip(prop_value(prop_tag(0x66000048u), uids::profile_instance));
    check_round_trip(prop_value(prop_tag(0x66000048u), uid{}));
    check_round_trip(prop_value(pr::mdb_provider, binary{}));
    check_round_trip(prop_value(pr::mdb_provider, binary{0x00, 0xFF, 0x0a}));
    check_round_trip(prop_value(prop_tag(0x66001002u), std::vector<std::int16_t>{}));
    check_round_trip(prop_value(prop_tag(0x66001002u), std::vector<std::int16_t>{-1, 0, 7}));
    check_round_trip(prop_value(prop_tag(0x66001003u), std::vector<std::int32_t>{}));
    check_round_trip(prop_value(prop_tag(0x66001003u), std::vector<std::int32_t>{std::numeric_limits<std::int32_t>::min(), 0}));
    check_round_trip(prop_value(prop_tag(0x66001014u), std::vector<std::int64_t>{-5, 5}));
    check_round_trip(prop_value(prop_tag(0x66001040u), std::vector<filetime>{{1}, {~std::uint64_t{0}}}));
    check_round_trip(prop_value(prop_tag(0x66001048u), std::vector<uid>{uids::profile_instance, uid{}}));
    check_round_trip(prop_value(prop_tag(0x66001102u), std::vector<binary>{}));
    check_round_trip(prop_value(prop_tag(0x66001102u), std::vector<binary>{binary{}}));
    check_round_trip(prop_value(prop_tag(0x66001102u), std::vector<binary>{binary{}, binary{1, 2}, binary{}}));
}

TEST_CASE("parse(format(v)) == v for pseudo-random values of every stored type") {
    std::mt19937_64 rng(20240601);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    // Characters chosen to hit every escaping rule, plus multi-byte UTF-8 pieces.
    const std::vector<std::string> atoms{" ", "\t", "\n", "\r", ",", "\"", "\\", "\\u{", "}", "{", "u", "a", "Z",
                                         "=", ";", "#", "[", "]", "|", "0", std::string(1, '\0'), "\x01", "\x7f",
                                         "\xC3\xA9", "\xF0\x9F\x93\xAC", "\xE2\x82\xAC"};
    auto random_string = [&] {
        std::string s;
        const std::size_t n = pick(9);
        for (std::size_t i = 0; i < n; ++i) s += atoms[pick(atoms.size())];
        return s;
    };
    auto random_binary = [&] {
        binary b(pick(6));
        for (auto& x : b) x = static_cast<std::uint8_t>(rng());
        return b;
    };
    auto random_uid = [&] {
        uid u;
        for (auto& x : u.bytes) x = static_cast<std::uint8_t>(rng());
        return u;
    };
    auto random_double = [&] {
        const std::uint64_t bits = rng();
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    };
    for (int i = 0; i < 3000; ++i) {
        const auto id = static_cast<std::uint16_t>(0x6600 + pick(16));
        check_round_trip(prop_value(prop_tag(id, prop_type::string8), random_string()));
        std::vector<std::string> list(pick(5));
        for (auto& s : list) s = random_string();
        check_round_trip(prop_value(prop_tag(id, prop_type::mv_unicode), list));
        check_round_trip(prop_value(prop_tag(id, prop_type::i2), static_cast<std::int16_t>(rng())));
        check_round_trip(prop_value(prop_tag(id, prop_type::i4), static_cast<std::int32_t>(rng())));
        check_round_trip(prop_value(pr::resource_flags, static_cast<std::int32_t>(rng() & 0x3FFF)));
        check_round_trip(prop_value(pr::resource_flags, static_cast<std::int32_t>(rng())));
        check_round_trip(prop_value(prop_tag(id, prop_type::r8), random_double()));
        check_round_trip(prop_value(prop_tag(id, prop_type::i8), static_cast<std::int64_t>(rng())));
        check_round_trip(prop_value(prop_tag(id, prop_type::systime), filetime{rng()}));
        check_round_trip(prop_value(prop_tag(id, prop_type::clsid), random_uid()));
        check_round_trip(prop_value(prop_tag(id, prop_type::binary), random_binary()));
        std::vector<binary> bins(pick(4));
        for (auto& b : bins) b = random_binary();
        check_round_trip(prop_value(prop_tag(id, prop_type::mv_binary), bins));
        check_round_trip(prop_value(prop_tag(id, prop_type::mv_i4),
                                    std::vector<std::int32_t>{static_cast<std::int32_t>(rng()), static_cast<std::int32_t>(rng())}));
    }
}

} // TEST_SUITE

} // namespace prop_text_tests
