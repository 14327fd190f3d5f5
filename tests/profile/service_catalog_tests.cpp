// SPDX-License-Identifier: MIT
// Tests of service_catalog: every MAPISVC.INF fixture in ../shared/fixtures/mapisvc (expected
// services, providers, properties and diagnostics counted by hand from the files), mapixx's
// own UTF-16LE fixture, each diagnostic, the rules 68-70, merge and write.
#include <mapixx/profile/service_catalog.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace service_catalog_tests {

using namespace mapixx;

namespace {

std::string fixture(std::string_view name) { return std::string(MAPIXX_FIXTURES_DIR) + "/mapisvc/" + std::string(name); }
std::string own_fixture(std::string_view name) {
    return std::string(MAPIXX_SOURCE_DIR) + "/tests/fixtures/" + std::string(name);
}

service_catalog load(const std::string& path) {
    auto c = service_catalog::load(path);
    INFO(path, ": ", c.info().message);
    REQUIRE(c.has_value());
    return std::move(*c);
}

struct expected_diagnostic {
    diagnostic::severity level;
    std::size_t line;
    std::string_view contains;
};
constexpr auto W = diagnostic::severity::warning;
constexpr auto E = diagnostic::severity::error;

std::string dump(const std::vector<diagnostic>& ds) {
    std::string out;
    for (const auto& d : ds) out += "  " + d.to_string() + "\n";
    return out;
}

// The diagnostics, exactly: count, order, severity, line, file, and a piece of the sentence.
void check_diagnostics(const service_catalog& c, std::string_view file, const std::vector<expected_diagnostic>& want) {
    const auto& have = c.diagnostics();
    INFO("diagnostics:\n", dump(have));
    REQUIRE(have.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("diagnostic #", i);
        CHECK(have[i].level == want[i].level);
        CHECK(have[i].line == want[i].line);
        CHECK(have[i].file == file);
        CHECK(have[i].message.find(want[i].contains) != std::string::npos);
    }
}

std::int32_t i4(const property_bag& b, std::uint32_t tag) {
    auto v = b.get_i4(prop_tag(tag));
    REQUIRE(v.has_value());
    return *v;
}

std::string hex(const binary* b) {
    REQUIRE(b != nullptr);
    return detail::format_hex_bytes(*b);
}

std::vector<std::string> strings(const property_bag& b, prop_tag t) {
    const prop_value* v = b.find(t);
    REQUIRE(v != nullptr);
    const auto* s = v->get_if<std::vector<std::string>>();
    REQUIRE(s != nullptr);
    return *s;
}

std::vector<std::string> provider_names(const catalog_service& s) {
    std::vector<std::string> out;
    for (const auto& p : s.providers) out.push_back(p.section_name);
    return out;
}

// Everything but line numbers, for comparing a catalog with the one its write() reads back as.
void check_same_content(const service_catalog& a, const service_catalog& b) {
    REQUIRE(a.services().size() == b.services().size());
    for (std::size_t i = 0; i < a.services().size(); ++i) {
        const auto& x = a.services()[i];
        const auto& y = b.services()[i];
        INFO("service ", x.name);
        CHECK(x.name == y.name);
        CHECK(x.display_name == y.display_name);
        CHECK(x.dll_name == y.dll_name);
        CHECK(x.entry_name == y.entry_name);
        CHECK(x.flags == y.flags);
        CHECK(x.props == y.props);
        CHECK(x.usable() == y.usable());
        CHECK(x.missing_providers == y.missing_providers);
        CHECK(x.missing_sections == y.missing_sections);
        REQUIRE(x.unknown_entries.size() == y.unknown_entries.size());
        for (std::size_t k = 0; k < x.unknown_entries.size(); ++k) {
            CHECK(x.unknown_entries[k].key == y.unknown_entries[k].key);
            CHECK(x.unknown_entries[k].value == y.unknown_entries[k].value);
        }
        REQUIRE(x.rejected_entries.size() == y.rejected_entries.size());
        REQUIRE(x.providers.size() == y.providers.size());
        for (std::size_t k = 0; k < x.providers.size(); ++k) {
            const auto& p = x.providers[k];
            const auto& q = y.providers[k];
            CHECK(p.section_name == q.section_name);
            CHECK(p.display_name == q.display_name);
            CHECK(p.provider_display == q.provider_display);
            CHECK(p.dll_name == q.dll_name);
            CHECK(p.type == q.type);
            CHECK(p.flags == q.flags);
            CHECK(p.props == q.props);
            CHECK(p.unknown_entries.size() == q.unknown_entries.size());
            CHECK(p.rejected_entries.size() == q.rejected_entries.size());
        }
        REQUIRE(x.extra_sections.size() == y.extra_sections.size());
        for (std::size_t k = 0; k < x.extra_sections.size(); ++k) {
            CHECK(x.extra_sections[k].name == y.extra_sections[k].name);
            CHECK(x.extra_sections[k].uid_value == y.extra_sections[k].uid_value);
            CHECK(x.extra_sections[k].props == y.extra_sections[k].props);
        }
    }
    CHECK(a.default_services() == b.default_services());
    CHECK(a.help_file_mappings() == b.help_file_mappings());
    CHECK(a.section_names() == b.section_names());
}

// The catalog's own diagnostics (not the INI reader's) survive write() + parse() in number.
std::size_t catalog_diagnostic_count(const service_catalog& c) {
    std::size_t n = 0;
    for (const auto& d : c.diagnostics()) {
        if (d.message.find("has no '='") == std::string::npos) ++n;
    }
    return n;
}

void check_write_round_trip(const service_catalog& c) {
    for (std::string_view eol : {"\r\n", "\n"}) {
        const std::string text = c.write(eol);
        const service_catalog back = service_catalog::parse(text, "written");
        check_same_content(c, back);
        CHECK(catalog_diagnostic_count(back) == catalog_diagnostic_count(c));
        CHECK(back.write(eol) == text);  // writing is stable
    }
    CHECK(c.write() == c.write("\r\n"));
}

constexpr std::string_view all_fixtures[] = {
    "outlook2010-sample-abp.MAPISVC.INF",     "kopano-core.kopano.inf",
    "kopano-core.zcontacts.inf",              "zarafa-debian.zarafa.inf",
    "msdocs-example-assembled.mapisvc.inf",   "kb-fragments/kb190146-lotus-notes.inf",
    "kb-fragments/kb222914-emsdelegate.inf",  "kb-fragments/kb247085-msems.inf",
    "kb-fragments/kb247086-ems-mdb-private-dsa.inf", "kb-fragments/kb247087-ems-mdb-public.inf",
};

} // namespace

TEST_SUITE("service_catalog.hpp") {

// ---- the shared fixtures ------------------------------------------------------------------

TEST_CASE("outlook2010-sample-abp: CRLF, spaces around |, WIZARD_ENTRY_NAME kept") {
    const std::string path = fixture("outlook2010-sample-abp.MAPISVC.INF");
    const service_catalog c = load(path);
    REQUIRE(c.services().size() == 1);
    const catalog_service& s = c.services()[0];
    CHECK(s.name == "SABP");
    CHECK(s.display_name == "Sample Address Book Provider");  // no PR_DISPLAY_NAME: the [Services] value
    CHECK(s.dll_name == "sabp.dll");
    CHECK(s.entry_name == "ServiceEntry");
    CHECK(s.flags == (service_flag::single_copy | service_flag::no_primary_identity));
    CHECK(s.line == 5);
    CHECK(s.services_line == 2);
    CHECK(s.props.size() == 5);
    CHECK(strings(s.props, pr::service_support_files_a) == std::vector<std::string>{"sabp.dll"});
    CHECK(strings(s.props, pr::service_delete_files_a) == std::vector<std::string>{"sabp.dll"});
    REQUIRE(s.unknown_entries.size() == 1);
    CHECK(s.unknown_entries[0] == ini_entry{"WIZARD_ENTRY_NAME", "WizardEntry", 12});
    CHECK(s.extra_sections.empty());
    CHECK(s.usable());
    REQUIRE(s.providers.size() == 1);
    const catalog_provider& p = s.providers[0];
    CHECK(p.section_name == "S_ABP");
    CHECK(p.display_name == "Sample ABP");
    CHECK(p.provider_display == "Sample Address Book Provider");
    CHECK(p.dll_name == "sabp.dll");
    CHECK(p.type == resource_type::ab_provider);
    CHECK(p.flags.empty());
    CHECK(p.props.size() == 4);
    CHECK(p.line == 14);
    CHECK(c.default_services().empty());
    CHECK(c.help_file_mappings().empty());
    check_diagnostics(c, path, {{W, 14, "[S_ABP] has no PR_RESOURCE_FLAGS"}});
}

TEST_CASE("kopano: ZARAFA6 with three providers, numeric tags, binary GUIDs, PR_SERVICE_SO_NAME kept") {
    const std::string path = fixture("kopano-core.kopano.inf");
    const service_catalog c = load(path);
    REQUIRE(c.services().size() == 1);
    const catalog_service& s = c.services()[0];
    CHECK(s.name == "ZARAFA6");
    CHECK(s.display_name == "Kopano Server");
    CHECK(s.dll_name == "zarafa6client.dll");
    CHECK(s.entry_name == "MSGServiceEntry");
    CHECK(s.flags == (service_flag::single_copy | service_flag::primary_identity));
    CHECK(s.line == 5);
    CHECK(s.props.size() == 4);
    REQUIRE(s.unknown_entries.size() == 1);
    CHECK(s.unknown_entries[0] == ini_entry{"PR_SERVICE_SO_NAME", "libkcclient.so", 8});
    CHECK(s.usable());
    CHECK(provider_names(s) == std::vector<std::string>{"ZARAFA6_ABP", "ZARAFA6_MSMDB_private", "ZARAFA6_MSMDB_public"});

    const catalog_provider& ab = s.providers[0];
    CHECK(ab.type == resource_type::ab_provider);
    CHECK(ab.display_name == "Kopano Directory Service");
    CHECK(ab.provider_display == "Kopano Directory Service");
    CHECK(ab.dll_name.empty());
    CHECK(ab.flags.empty());
    CHECK(ab.props.size() == 4);
    CHECK(hex(ab.props.get_binary(pr::ab_provider_id)) == "AC21A95040D3EE48B319FBA753304425");
    CHECK(ab.line == 15);

    const catalog_provider& priv = s.providers[1];
    CHECK(priv.type == resource_type::store_provider);
    CHECK(priv.display_name == "Private Folders");
    CHECK(priv.provider_display == "Kopano Message Store");
    CHECK(priv.flags == (resource_flag::primary_identity | resource_flag::default_store | resource_flag::primary_store));
    CHECK(priv.flags.bits() == 0x1006u);
    CHECK(i4(priv.props, 0x660A0003) == 1);
    CHECK(i4(priv.props, 0x66090003) == 12);
    CHECK(hex(priv.props.get_binary(pr::mdb_provider)) == "CA3D253C27D23C4494FE425FAB958C19");
    CHECK(priv.props.size() == 7);
    CHECK(priv.line == 22);

    const catalog_provider& pub = s.providers[2];
    CHECK(pub.type == resource_type::store_provider);
    CHECK(pub.display_name == "Public Folders");
    CHECK(pub.flags == resource_flags(resource_flag::no_default_store));
    CHECK(i4(pub.props, 0x660A0003) == 3);
    CHECK(i4(pub.props, 0x66090003) == 6);
    CHECK(hex(pub.props.get_binary(pr::mdb_provider)) == "094A7FD4BDD33C49B2FC3C90BBCB48D4");
    CHECK(pub.props.size() == 7);
    CHECK(pub.line == 32);

    check_diagnostics(c, path,
                      {{W, 15, "[ZARAFA6_ABP] has no PR_PROVIDER_DLL_NAME"},
                       {W, 15, "[ZARAFA6_ABP] has no PR_RESOURCE_FLAGS"},
                       {W, 22, "[ZARAFA6_MSMDB_private] has no PR_PROVIDER_DLL_NAME"},
                       {W, 32, "[ZARAFA6_MSMDB_public] has no PR_PROVIDER_DLL_NAME"}});
}

TEST_CASE("zarafa: the same service under its older names") {
    const std::string path = fixture("zarafa-debian.zarafa.inf");
    const service_catalog c = load(path);
    REQUIRE(c.services().size() == 1);
    const catalog_service& s = c.services()[0];
    CHECK(s.name == "ZARAFA6");
    CHECK(s.display_name == "Zarafa Server");
    REQUIRE(s.unknown_entries.size() == 1);
    CHECK(s.unknown_entries[0] == ini_entry{"PR_SERVICE_SO_NAME", "libzarafaclient.so", 8});
    CHECK(provider_names(s) == std::vector<std::string>{"ZARAFA6_ABP", "ZARAFA6_MSMDB_private", "ZARAFA6_MSMDB_public"});
    CHECK(s.providers[0].display_name == "Zarafa Directory Service");
    CHECK(s.providers[1].provider_display == "Zarafa Message Store");
    CHECK(s.providers[2].provider_display == "Zarafa Message Store");
    CHECK(i4(s.providers[1].props, 0x66090003) == 12);
    // Only the strings differ from kopano.inf: same flags, same binary ids.
    const service_catalog k = load(fixture("kopano-core.kopano.inf"));
    CHECK(k.services()[0].flags == s.flags);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(k.services()[0].providers[i].flags == s.providers[i].flags);
        CHECK(k.services()[0].providers[i].type == s.providers[i].type);
        CHECK(hex(k.services()[0].providers[i].props.get_binary(i == 0 ? pr::ab_provider_id : pr::mdb_provider)) ==
              hex(s.providers[i].props.get_binary(i == 0 ? pr::ab_provider_id : pr::mdb_provider)));
    }
    check_diagnostics(c, path,
                      {{W, 15, "[ZARAFA6_ABP] has no PR_PROVIDER_DLL_NAME"},
                       {W, 15, "[ZARAFA6_ABP] has no PR_RESOURCE_FLAGS"},
                       {W, 22, "[ZARAFA6_MSMDB_private] has no PR_PROVIDER_DLL_NAME"},
                       {W, 32, "[ZARAFA6_MSMDB_public] has no PR_PROVIDER_DLL_NAME"}});
}

TEST_CASE("zcontacts: a .so in the DLL field is not a rule-68 problem") {
    const std::string path = fixture("kopano-core.zcontacts.inf");
    const service_catalog c = load(path);
    REQUIRE(c.services().size() == 1);
    const catalog_service& s = c.services()[0];
    CHECK(s.name == "ZCONTACTS");
    CHECK(s.display_name == "Kopano Contacts Addressbook");
    CHECK(s.dll_name == "libkccontacts.so");
    CHECK(s.entry_name == "MSGServiceEntry");
    CHECK(s.flags.bits() == 0x0Au);
    CHECK(s.unknown_entries.empty());
    REQUIRE(s.providers.size() == 1);
    CHECK(s.providers[0].section_name == "ZARAFA_CONTACTS_ABP");
    CHECK(s.providers[0].type == resource_type::ab_provider);
    CHECK(s.providers[0].display_name == "Kopano Contacts Directory Service");
    CHECK(hex(s.providers[0].props.get_binary(pr::ab_provider_id)) == "727F0430E3924FDAB86AE52A7FE46571");
    CHECK(s.providers[0].line == 13);
    check_diagnostics(c, path,
                      {{W, 13, "[ZARAFA_CONTACTS_ABP] has no PR_PROVIDER_DLL_NAME"},
                       {W, 13, "[ZARAFA_CONTACTS_ABP] has no PR_RESOURCE_FLAGS"}});
}

TEST_CASE("msdocs example: dangling MS, Prov3 and Second_Special_Section, the 31-digit UID, raw backslashes") {
    const std::string path = fixture("msdocs-example-assembled.mapisvc.inf");
    const service_catalog c = load(path);
    REQUIRE(c.services().size() == 3);

    const catalog_service& ab = c.services()[0];
    CHECK(ab.name == "AB");
    CHECK(ab.display_name == "Default Address Book");
    CHECK(ab.dll_name == "AB.DLL");
    CHECK(ab.entry_name == "DABServiceEntry");
    CHECK(ab.flags == service_flags(service_flag::no_primary_identity));
    CHECK(ab.props.size() == 5);
    CHECK(strings(ab.props, pr::service_support_files_a) == std::vector<std::string>{"AB.DLL"});
    CHECK(ab.usable());
    REQUIRE(ab.providers.size() == 1);
    const catalog_provider& abp = ab.providers[0];
    CHECK(abp.section_name == "AB Provider");
    CHECK(abp.type == resource_type::ab_provider);
    CHECK(abp.props.size() == 5);
    CHECK(abp.props.get_string(prop_tag(0x6600001Eu)).value() == "C:\\WINNT35\\System32\\DEFAB.TXT");
    CHECK(abp.line == 34);

    const catalog_service& ms = c.services()[1];
    CHECK(ms.name == "MsgService");
    CHECK(ms.display_name == "My Own Service");
    CHECK(ms.dll_name == "MYSERV.DLL");
    CHECK(ms.entry_name == "MyServiceEntry");
    CHECK(ms.flags == service_flags(service_flag::single_copy));
    CHECK(ms.props.size() == 6);
    CHECK(i4(ms.props, 0x66040003) == 0);
    CHECK(strings(ms.props, pr::service_support_files_a) ==
          std::vector<std::string>{"MYSERV.DLL", "MYXXX.DLL", "MYZZZ.DLL"});
    CHECK(provider_names(ms) == std::vector<std::string>{"MsgService Prov1", "MsgService Prov2"});
    CHECK(ms.missing_providers == std::vector<std::string>{"MsgService Prov3"});
    CHECK_FALSE(ms.usable());
    CHECK(ms.providers[0].type == resource_type::ab_provider);
    CHECK(ms.providers[0].dll_name == "MYXXX.DLL");
    CHECK(ms.providers[0].props.size() == 4);
    const catalog_provider& prov2 = ms.providers[1];
    CHECK(prov2.display_name == "My Folders");
    CHECK(prov2.provider_display == "My Own Message Store");
    CHECK(prov2.type == resource_type::store_provider);
    CHECK(prov2.flags == resource_flags(resource_flag::no_default_store));
    CHECK(prov2.props.size() == 10);
    CHECK(i4(prov2.props, 0x66060003) == 0);
    CHECK(i4(prov2.props, 0x66030003) == 0);
    CHECK(i4(prov2.props, 0x66090003) == 6);
    CHECK(i4(prov2.props, 0x660A0003) == 3);
    CHECK(hex(prov2.props.get_binary(pr::mdb_provider)) == "78B2FA70AFF711CD9BC800AA002FC45A");
    REQUIRE(ms.extra_sections.size() == 1);
    const catalog_section& first = ms.extra_sections[0];
    CHECK(first.name == "First_Special_Section");
    CHECK_FALSE(first.uid_value.has_value());
    REQUIRE(first.rejected_entries.size() == 1);
    CHECK(first.rejected_entries[0].value == "13DB0C8AA05101A9BB000AA002FC45A");
    CHECK(first.props.size() == 4);
    CHECK(i4(first.props, 0x66020003) == 1);
    CHECK(i4(first.props, 0x66000003) == 1024);
    CHECK(i4(first.props, 0x66010003) == 6);
    CHECK(i4(first.props, 0x66050003) == 3);
    CHECK(first.line == 28);
    CHECK(ms.missing_sections == std::vector<std::string>{"Second_Special_Section"});

    const catalog_service& store = c.services()[2];
    CHECK(store.name == "MS");
    CHECK(store.display_name == "Message Store Service");
    CHECK_FALSE(store.has_section);
    CHECK(store.providers.empty());
    CHECK_FALSE(store.usable());
    CHECK(c.find("ms") == &store);  // listed, found, and unusable

    CHECK(c.default_services() == std::vector<std::string>{"AB", "MsgService"});
    CHECK(c.help_file_mappings() == std::vector<std::pair<std::string, std::string>>{
                                        {"MAPI", "MAPI.HLP"}, {"MsgService", "MYHELP.HLP"}, {"MS", "STORE.HLP"}});
    check_diagnostics(c, path,
                      {{E, 4, "no [MS] section"},
                       {E, 21, "\"MsgService Prov3\", but there is no [MsgService Prov3] section"},
                       {E, 22, "\"Second_Special_Section\", but there is no [Second_Special_Section] section"},
                       {E, 29, "UID=\"13DB0C8AA05101A9BB000AA002FC45A\", which is not a MAPIUID"},
                       {W, 34, "[AB Provider] has no PR_RESOURCE_FLAGS"},
                       {W, 40, "[MsgService Prov1] has no PR_RESOURCE_FLAGS"}});
}

TEST_CASE("kb190146 Lotus Notes: indentation, values broken by a line wrap, a mixed-case GUID") {
    const std::string path = fixture("kb-fragments/kb190146-lotus-notes.inf");
    const service_catalog c = load(path);
    REQUIRE(c.services().size() == 1);
    const catalog_service& s = c.services()[0];
    CHECK(s.name == "NOTES");
    CHECK(s.display_name == "Lotus Notes Mail");
    CHECK(s.dll_name == "nwnsp.dll");
    CHECK(s.entry_name == "ServiceEntry");
    CHECK(s.flags.empty());  // the broken value was rejected
    CHECK(s.props.size() == 4);
    REQUIRE(s.unknown_entries.size() == 1);
    CHECK(s.unknown_entries[0] == ini_entry{"WIZARD_ENTRY_NAME", "ServiceWizard", 10});
    REQUIRE(s.rejected_entries.size() == 1);
    CHECK(s.rejected_entries[0] == ini_entry{"PR_RESOURCE_FLAGS", "SERVICE_SINGLE_COPY|SERVICE_PRIMARY", 11});
    CHECK(s.usable());
    CHECK(provider_names(s) == std::vector<std::string>{"NAB", "NMS", "NXP"});
    CHECK(s.providers[0].type == resource_type::ab_provider);
    CHECK(s.providers[0].flags == resource_flags(resource_flag::primary_identity));
    CHECK(s.providers[0].display_name == "Lotus Notes Address Book");
    CHECK(s.providers[0].props.size() == 5);
    CHECK(s.providers[1].type == resource_type::store_provider);
    CHECK(s.providers[1].flags.empty());
    CHECK(s.providers[1].rejected_entries.size() == 1);
    CHECK(s.providers[1].props.size() == 5);
    CHECK(hex(s.providers[1].props.get_binary(pr::mdb_provider)) == "395D475FECF1CD1193DC5AAB3C478538");
    CHECK(s.providers[2].type == resource_type::transport_provider);
    CHECK(s.providers[2].flags == resource_flags(resource_flag::primary_identity));
    CHECK(s.providers[2].provider_display == "Lotus Notes Transport");
    CHECK(s.providers[2].line == 30);
    check_diagnostics(c, path,
                      {{E, 11, "unknown flag SERVICE_PRIMARY "},
                       {E, 12, "rest of line 11"},
                       {E, 24, "unknown flag STATUS_DEFAULT "},
                       {E, 25, "rest of line 24"}});
}

TEST_CASE("kb222914 EMSDelegate: a lone provider section defines no service") {
    const std::string path = fixture("kb-fragments/kb222914-emsdelegate.inf");
    const service_catalog c = load(path);
    CHECK(c.services().empty());
    CHECK(c.section_names() == std::vector<std::string>{"EMSDelegate"});
    check_diagnostics(c, path, {{W, 0, "no [Services] section"}});
}

TEST_CASE("kb247085 MSEMS: a service section without a [Services] entry is no service") {
    const std::string path = fixture("kb-fragments/kb247085-msems.inf");
    const service_catalog c = load(path);
    CHECK(c.services().empty());
    CHECK(c.find("MSEMS") == nullptr);
    check_diagnostics(c, path,
                      {{W, 0, "no [Services] section"}, {W, 1, "[MSEMS] has a Providers= list, but [Services] has no MSEMS"}});
}

TEST_CASE("kb247086 and kb247087: provider sections only") {
    const std::string p86 = fixture("kb-fragments/kb247086-ems-mdb-private-dsa.inf");
    const service_catalog c86 = load(p86);
    CHECK(c86.services().empty());
    CHECK(c86.section_names() == std::vector<std::string>{"EMS_MDB_private", "EMS_DSA"});
    check_diagnostics(c86, p86, {{W, 0, "no [Services] section"}});
    const std::string p87 = fixture("kb-fragments/kb247087-ems-mdb-public.inf");
    const service_catalog c87 = load(p87);
    CHECK(c87.services().empty());
    CHECK(c87.section_names() == std::vector<std::string>{"EMS_MDB_public"});
    check_diagnostics(c87, p87, {{W, 0, "no [Services] section"}});
}

TEST_CASE("write() reads back as the same catalog, for every fixture") {
    for (std::string_view name : all_fixtures) {
        INFO(std::string(name));
        check_write_round_trip(load(fixture(name)));
    }
    check_write_round_trip(load(own_fixture("utf16le-bom-crlf.mapisvc.inf")));
    check_write_round_trip(service_catalog{});
    CHECK(service_catalog{}.write().empty());
}

// ---- merge --------------------------------------------------------------------------------

TEST_CASE("merging the four Exchange KB fragments into an empty catalog gives no MSEMS service") {
    service_catalog c;
    for (std::string_view f : {"kb-fragments/kb247085-msems.inf", "kb-fragments/kb247086-ems-mdb-private-dsa.inf",
                               "kb-fragments/kb247087-ems-mdb-public.inf", "kb-fragments/kb222914-emsdelegate.inf"}) {
        c.merge(load(fixture(f)));
    }
    CHECK(c.services().empty());
    CHECK(c.find("MSEMS") == nullptr);
    CHECK(c.section_names() ==
          std::vector<std::string>{"MSEMS", "EMS_MDB_private", "EMS_DSA", "EMS_MDB_public", "EMSDelegate"});
    const std::string p85 = fixture("kb-fragments/kb247085-msems.inf");
    check_diagnostics(c, p85, {{W, 0, "no [Services] section"}, {W, 1, "[Services] has no MSEMS entry"}});
}

TEST_CASE("merging them into a catalog whose [Services] has MSEMS gives MSEMS with its three providers") {
    service_catalog c = service_catalog::parse("[Services]\nMSEMS=Microsoft Exchange Server\n", "base.inf");
    CHECK(c.find("MSEMS") != nullptr);
    CHECK_FALSE(c.find("MSEMS")->usable());
    for (std::string_view f : {"kb-fragments/kb247085-msems.inf", "kb-fragments/kb247086-ems-mdb-private-dsa.inf",
                               "kb-fragments/kb247087-ems-mdb-public.inf", "kb-fragments/kb222914-emsdelegate.inf"}) {
        c.merge(load(fixture(f)));
    }
    REQUIRE(c.services().size() == 1);
    const catalog_service* s = c.find("msems");
    REQUIRE(s != nullptr);
    CHECK(s->name == "MSEMS");
    CHECK(s->display_name == "Microsoft Exchange Server");
    CHECK(s->dll_name == "emsui.dll");
    CHECK(s->entry_name == "EMSCfg");
    CHECK(s->flags == service_flags(service_flag::single_copy));
    REQUIRE(s->unknown_entries.size() == 1);
    CHECK(s->unknown_entries[0].key == "WIZARD_ENTRY_NAME");
    CHECK(strings(s->props, pr::service_support_files_a) ==
          std::vector<std::string>{"emsui.dll", "emsabp.dll", "emsmdb.dll"});
    // Providers=ems_dsa, ems_mdb_public, ems_mdb_private: lower case in the list, found anyway,
    // named as the sections spell themselves.
    CHECK(provider_names(*s) == std::vector<std::string>{"EMS_DSA", "EMS_MDB_public", "EMS_MDB_private"});
    CHECK(s->usable());
    CHECK(s->providers[0].type == resource_type::ab_provider);
    CHECK(s->providers[0].dll_name == "EMSABP.DLL");
    CHECK(s->providers[0].display_name == "Microsoft Exchange Directory Service");
    CHECK(s->providers[1].type == resource_type::store_provider);
    CHECK(s->providers[1].flags == resource_flags(resource_flag::no_default_store));
    CHECK(i4(s->providers[1].props, 0x66090003) == 6);
    CHECK(i4(s->providers[1].props, 0x660A0003) == 3);
    CHECK(s->providers[2].flags.bits() == 0x1006u);
    CHECK(i4(s->providers[2].props, 0x66090003) == 12);
    CHECK(i4(s->providers[2].props, 0x660A0003) == 1);
    CHECK(hex(s->providers[2].props.get_binary(pr::mdb_provider)) == "5494A1C0297F101BA58708002B2A2517");
    CHECK(s->missing_sections == std::vector<std::string>{"MSEMS_MSMail_Section"});

    const auto& d = c.diagnostics();
    INFO(dump(d));
    REQUIRE(d.size() == 2);
    CHECK(d[0].file == fixture("kb-fragments/kb247085-msems.inf"));
    CHECK(d[0].line == 3);
    CHECK(d[0].level == E);
    CHECK(d[0].message.find("\"MSEMS_MSMail_Section\"") != std::string::npos);
    CHECK(d[1].file == fixture("kb-fragments/kb247086-ems-mdb-private-dsa.inf"));
    CHECK(d[1].line == 10);
    CHECK(d[1].message.find("[EMS_DSA] has no PR_RESOURCE_FLAGS") != std::string::npos);
    check_write_round_trip(c);
}

TEST_CASE("merge: values overwrite by key or property id, new keys and sections are added, lists are replaced") {
    service_catalog c = service_catalog::parse("[Services]\n"
                                               "A=Service A\n"
                                               "[A]\n"
                                               "PR_DISPLAY_NAME=Old name\n"
                                               "Providers=P1\n"
                                               "PR_SERVICE_DLL_NAME=A.DLL\n"
                                               "[P1]\n"
                                               "PR_DISPLAY_NAME=P1\n"
                                               "PR_PROVIDER_DISPLAY=P1\n"
                                               "PR_PROVIDER_DLL_NAME=A.DLL\n"
                                               "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER\n"
                                               "PR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE\n",
                                               "a.inf");
    const service_catalog patch = service_catalog::parse("[services]\n"
                                                         "B=Service B\n"
                                                         "[a]\n"
                                                         "3001001E=New name\n"
                                                         "providers=P2, P1\n"
                                                         "WIZARD_ENTRY_NAME=Wiz\n"
                                                         "[P2]\n"
                                                         "PR_DISPLAY_NAME=P2\n"
                                                         "PR_PROVIDER_DISPLAY=P2\n"
                                                         "PR_PROVIDER_DLL_NAME=A.DLL\n"
                                                         "PR_RESOURCE_TYPE=MAPI_AB_PROVIDER\n"
                                                         "PR_RESOURCE_FLAGS=0\n",
                                                         "patch.inf");
    c.merge(patch);
    REQUIRE(c.services().size() == 2);
    const catalog_service& a = c.services()[0];
    CHECK(a.display_name == "New name");
    CHECK(a.dll_name == "A.DLL");
    CHECK(provider_names(a) == std::vector<std::string>{"P2", "P1"});
    REQUIRE(a.unknown_entries.size() == 1);
    CHECK(a.unknown_entries[0].value == "Wiz");
    CHECK(c.services()[1].name == "B");
    CHECK_FALSE(c.services()[1].usable());
    CHECK(c.section_names() == std::vector<std::string>{"Services", "A", "P1", "P2"});
    // The overwritten entry keeps its place and takes the key and line of the patch.
    CHECK(c.write("\n").find("[A]\n3001001E=New name\nproviders=P2, P1\nPR_SERVICE_DLL_NAME=A.DLL\nWIZARD_ENTRY_NAME=Wiz\n") !=
          std::string::npos);
    const auto& d = c.diagnostics();
    INFO(dump(d));
    REQUIRE(d.size() == 1);
    CHECK(d[0].file == "patch.inf");
    CHECK(d[0].line == 2);
    CHECK(d[0].message.find("no [B] section") != std::string::npos);

    service_catalog twice = c;
    twice.merge(twice);  // merging a catalog into itself changes nothing
    check_same_content(c, twice);
}

TEST_CASE("merge keeps the reader diagnostics of the merged file, pointing into it") {
    service_catalog c = service_catalog::parse("[Services]\n", "base.inf");
    const std::string lotus = fixture("kb-fragments/kb190146-lotus-notes.inf");
    c.merge(load(lotus));
    REQUIRE(c.services().size() == 1);
    CHECK(c.services()[0].usable());
    check_diagnostics(c, lotus,
                      {{E, 11, "unknown flag SERVICE_PRIMARY "},
                       {E, 12, "rest of line 11"},
                       {E, 24, "unknown flag STATUS_DEFAULT "},
                       {E, 25, "rest of line 24"}});
}

// ---- encodings and syntax -----------------------------------------------------------------

TEST_CASE("mapixx's UTF-16LE + BOM + CRLF fixture: non-ASCII names and a character outside the BMP") {
    const std::string path = own_fixture("utf16le-bom-crlf.mapisvc.inf");
    const service_catalog c = load(path);
    check_diagnostics(c, path, {});
    REQUIRE(c.services().size() == 1);
    const catalog_service& s = c.services()[0];
    CHECK(s.name == "MXX");
    CHECK(s.display_name == "Bo\xC3\xAEte de r\xC3\xA9" "ception \xF0\x9F\x93\xAC");
    CHECK(s.services_line == 4);
    CHECK(s.line == 9);
    CHECK(s.flags == (service_flag::single_copy | service_flag::no_primary_identity));
    CHECK(c.default_services() == std::vector<std::string>{"MXX"});
    REQUIRE(s.providers.size() == 2);
    CHECK(s.providers[0].section_name == "MXX Store");
    CHECK(s.providers[0].display_name == "Bo\xC3\xAEte de r\xC3\xA9" "ception");
    CHECK(s.providers[0].provider_display == "Magasin \xF0\x9F\x93\xAC \xC3\xA9t\xC3\xA9");
    CHECK(s.providers[0].flags == (resource_flag::default_store | resource_flag::no_primary_identity));
    CHECK(i4(s.providers[0].props, 0x66090003) == 12);
    CHECK(s.providers[0].line == 17);
    CHECK(s.providers[1].section_name == "MXX Transport");
    CHECK(s.providers[1].type == resource_type::transport_provider);
    CHECK(s.providers[1].display_name == "Transport \xC3\x89lys\xC3\xA9" "e");
    CHECK(s.providers[1].flags == (resource_flag::own_store | resource_flag::no_primary_identity));
    CHECK(s.providers[1].line == 25);
}

TEST_CASE("UTF-8 with a BOM, LF or CRLF, and case-insensitive section names read alike") {
    const std::string body = "[services]\nX=The X\n[x]\nProviders=p\nPR_SERVICE_DLL_NAME=X.DLL\n[P]\n"
                             "PR_DISPLAY_NAME=p\nPR_PROVIDER_DISPLAY=p\nPR_PROVIDER_DLL_NAME=X.DLL\n"
                             "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER\nPR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE\n";
    std::string crlf;
    for (char ch : body) {
        if (ch == '\n') crlf += '\r';
        crlf += ch;
    }
    for (const std::string& text : {body, "\xEF\xBB\xBF" + body, crlf, "\xEF\xBB\xBF\r\n" + crlf}) {
        const service_catalog c = service_catalog::parse(text);
        INFO(dump(c.diagnostics()));
        CHECK(c.diagnostics().empty());
        REQUIRE(c.services().size() == 1);
        CHECK(c.services()[0].usable());
        CHECK(provider_names(c.services()[0]) == std::vector<std::string>{"P"});
    }
}

TEST_CASE("load fails only when the file cannot be read") {
    auto missing = service_catalog::load(own_fixture("no-such-file.inf"));
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.code() == scode::not_found);
    CHECK(missing.info().message.find("no-such-file.inf") != std::string::npos);
    auto empty = service_catalog::parse("");
    CHECK(empty.services().empty());
    CHECK(empty.diagnostics().empty());
}

// ---- diagnostics ----------------------------------------------------------------------------

namespace {
const std::string good_provider = "[P]\nPR_DISPLAY_NAME=P\nPR_PROVIDER_DISPLAY=P\nPR_PROVIDER_DLL_NAME=P.DLL\n"
                                  "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER\nPR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE\n";
}

TEST_CASE("rule 68: a DLL name with \"32\" before the first period or at the end of the base name is reported") {
    auto check = [](std::string_view dll, bool reported, std::string_view says = {}) {
        const service_catalog c = service_catalog::parse(
            "[Services]\nS=S\n[S]\nPR_SERVICE_DLL_NAME=" + std::string(dll) + "\nProviders=P\n" + good_provider);
        INFO(std::string(dll), "\n", dump(c.diagnostics()));
        REQUIRE(c.diagnostics().size() == (reported ? 1u : 0u));
        if (reported) {
            CHECK(c.diagnostics()[0].line == 4);
            CHECK(c.diagnostics()[0].level == W);
            CHECK(c.diagnostics()[0].message.find(says) != std::string::npos);
        }
        CHECK(c.services()[0].usable());  // reported, still read
    };
    check("MSPST32.DLL", true, "\"MSPST3232.DLL\" (rule 68)");
    check("mspst32.dll", true, "mspst3232.dll");
    check("foo32", true, "\"foo3232\"");
    check("foo32.bar.dll", true, "foo3232.bar.dll");
    check("C:\\Program Files\\Vendor\\mapi32.dll", true, "C:\\Program Files\\Vendor\\mapi3232.dll");
    check("C:\\Program Files (x86)\\Vendor 1.0\\MXX.DLL", true, "C:\\Program Files (x86)\\Vendor 132.0\\MXX.DLL");
    check("MSPST.DLL", false);
    check("win32x", false);
    check("win32x.dll", false);
    check("foo.bar32.dll", false);
    check("x86_32bit.dll", false);
    check("C:\\Program Files\\Vendor\\MXX.DLL", false);
    check("libkccontacts.so", false);

    const service_catalog p = service_catalog::parse(
        "[Services]\nS=S\n[S]\nProviders=P\n[P]\nPR_DISPLAY_NAME=P\nPR_PROVIDER_DISPLAY=P\nPR_PROVIDER_DLL_NAME=EMSMDB32.DLL\n"
        "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER\nPR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE\n");
    REQUIRE(p.diagnostics().size() == 1);
    CHECK(p.diagnostics()[0].line == 8);
    CHECK(p.diagnostics()[0].message.find("PR_PROVIDER_DLL_NAME=\"EMSMDB32.DLL\"") != std::string::npos);
}

TEST_CASE("rule 69: a service without Providers=, or with an empty one, is listed but unusable") {
    const service_catalog c = service_catalog::parse("[Services]\nNONE=No list\nEMPTY=Empty list\nOK=Fine\n"
                                                     "[NONE]\nPR_SERVICE_DLL_NAME=N.DLL\n"
                                                     "[EMPTY]\nProviders=\n"
                                                     "[OK]\nProviders=P\n" +
                                                         good_provider,
                                                     "f.inf");
    REQUIRE(c.services().size() == 3);
    CHECK(c.find("NONE") != nullptr);
    CHECK_FALSE(c.find("NONE")->usable());
    CHECK_FALSE(c.find("NONE")->has_providers_list);
    CHECK_FALSE(c.find("EMPTY")->usable());
    CHECK(c.find("EMPTY")->has_providers_list);
    CHECK(c.find("OK")->usable());
    check_diagnostics(c, "f.inf",
                      {{E, 5, "[NONE] has no Providers= entry; a service needs at least one provider (rule 69)"},
                       {E, 8, "[EMPTY] has an empty Providers= list; a service needs at least one provider (rule 69)"}});
}

TEST_CASE("rule 69: provider sections hold only property entries, list entries there are reported and not followed") {
    const service_catalog c = service_catalog::parse("[Services]\nS=S\n[S]\nProviders=P\n" + good_provider +
                                                         "Providers=Q\nSections=R\n[Q]\nPR_DISPLAY_NAME=Q\n",
                                                     "f.inf");
    REQUIRE(c.services().size() == 1);
    const catalog_provider& p = c.services()[0].providers.at(0);
    REQUIRE(p.unknown_entries.size() == 2);
    CHECK(p.unknown_entries[0].key == "Providers");
    CHECK(c.services()[0].providers.size() == 1);
    check_diagnostics(c, "f.inf",
                      {{W, 11, "provider section [P] has the list entry \"Providers=\""},
                       {W, 12, "provider section [P] has the list entry \"Sections=\""}});
}

TEST_CASE("rule 69: dangling Providers= and Sections= names are errors naming the missing section") {
    const service_catalog c = service_catalog::parse(
        "[Services]\nS=S\n[S]\nProviders=P, Missing One,, p\nSections=Extra, Gone\n[Extra]\nUID={00020385-0000-0000-C000-000000000046}\n66000003=+7\n" +
            good_provider,
        "f.inf");
    const catalog_service& s = c.services().at(0);
    CHECK(provider_names(s) == std::vector<std::string>{"P"});
    CHECK(s.missing_providers == std::vector<std::string>{"Missing One"});
    CHECK_FALSE(s.usable());
    REQUIRE(s.extra_sections.size() == 1);
    CHECK(s.extra_sections[0].uid_value == uids::profile_instance);
    CHECK(i4(s.extra_sections[0].props, 0x66000003) == 7);
    CHECK(s.missing_sections == std::vector<std::string>{"Gone"});
    check_diagnostics(c, "f.inf",
                      {{E, 4, "Providers= names \"Missing One\", but there is no [Missing One] section"},
                       {W, 4, "Providers= has an empty name"},
                       {W, 4, "Providers= names \"p\" twice"},
                       {E, 5, "Sections= names \"Gone\", but there is no [Gone] section"}});
}

TEST_CASE("rule 70: [Default Services] names outside [Services] are left out with an error") {
    const service_catalog c = service_catalog::parse("[Services]\nS=S\n[Default Services]\nS=S\nGHOST=Not there\ns=again\n"
                                                     "[S]\nProviders=P\n" +
                                                         good_provider,
                                                     "f.inf");
    CHECK(c.default_services() == std::vector<std::string>{"S"});
    check_diagnostics(c, "f.inf", {{E, 5, "[Default Services] names GHOST, which is not in [Services]"}});
}

TEST_CASE("duplicate keys and sections: the first wins, as GetPrivateProfileString reads them") {
    const service_catalog c = service_catalog::parse("[Services]\nS=First\nS=Second\n"
                                                     "[S]\nPR_DISPLAY_NAME=one\n3001001E=two\npr_display_name=three\n"
                                                     "Providers=P\nPROVIDERS=Q\nWIZARD_ENTRY_NAME=a\nwizard_entry_name=b\n"
                                                     "[S]\nPR_DISPLAY_NAME=ignored section\n" +
                                                         good_provider,
                                                     "f.inf");
    REQUIRE(c.services().size() == 1);
    const catalog_service& s = c.services()[0];
    CHECK(s.display_name == "one");
    CHECK(provider_names(s) == std::vector<std::string>{"P"});
    REQUIRE(s.unknown_entries.size() == 1);
    CHECK(s.unknown_entries[0].value == "a");
    check_diagnostics(c, "f.inf",
                      {{W, 3, "[Services] names S again (first on line 2)"},
                       {W, 6, "sets \"3001001E\" again (first set on line 5)"},
                       {W, 7, "sets \"pr_display_name\" again (first set on line 5)"},
                       {W, 9, "sets \"PROVIDERS\" again (first set on line 8)"},
                       {W, 11, "sets \"wizard_entry_name\" again (first set on line 10)"},
                       {W, 12, "section [S] appears again (first on line 4)"}});
}

TEST_CASE("bad values, unknown flags and flags of the wrong family: diagnostics, and loading goes on") {
    const service_catalog c = service_catalog::parse(
        "[Services]\nBAD=Bad\nGOOD=Good\n"
        "[BAD]\nProviders=BP\nPR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE\n66000003=12\n"
        "[BP]\nPR_DISPLAY_NAME=BP\nPR_PROVIDER_DISPLAY=BP\nPR_PROVIDER_DLL_NAME=BP.DLL\nPR_RESOURCE_TYPE=MAPI_STORE\n"
        "PR_RESOURCE_FLAGS=SERVICE_SINGLE_COPY\nPR_MDB_PROVIDER=123\n"
        "[GOOD]\nProviders=P\n" +
            good_provider,
        "f.inf");
    REQUIRE(c.services().size() == 2);
    const catalog_service& bad = c.services()[0];
    CHECK(bad.usable());  // bad values do not make a service unusable
    CHECK(bad.flags.empty());
    CHECK(bad.rejected_entries.size() == 2);
    CHECK(bad.providers.at(0).rejected_entries.size() == 3);
    CHECK(bad.providers.at(0).type == resource_type::store_provider);  // default when unreadable
    CHECK(c.services()[1].usable());
    CHECK(c.services()[1].providers.at(0).flags == resource_flags(resource_flag::default_store));
    check_diagnostics(c, "f.inf",
                      {{E, 6, "provider flag STATUS_DEFAULT_STORE in a service section"},
                       {E, 7, "\"12\" of 0x66000003"},
                       {E, 12, "\"MAPI_STORE\" of PR_RESOURCE_TYPE"},
                       {E, 13, "service flag SERVICE_SINGLE_COPY in a provider section"},
                       {E, 14, "\"123\" of PR_MDB_PROVIDER"}});
}

TEST_CASE("a provider section missing required entries gets one warning per entry") {
    const service_catalog c = service_catalog::parse("[Services]\nS=S\n[S]\nProviders=P\n[P]\nPR_RESOURCE_TYPE=MAPI_AB\n"
                                                     "PR_RESOURCE_FLAGS=STATUS_PRIMARY_IDENTITY|STATUS_NO_PRIMARY_IDENTITY\n",
                                                     "f.inf");
    CHECK(c.services().at(0).usable());
    check_diagnostics(c, "f.inf",
                      {{W, 5, "[P] has no PR_DISPLAY_NAME entry"},
                       {W, 5, "[P] has no PR_PROVIDER_DISPLAY entry"},
                       {W, 5, "[P] has no PR_PROVIDER_DLL_NAME entry"},
                       {W, 6, "MAPI_AB, which is not a provider type"},
                       {W, 7, "STATUS_PRIMARY_IDENTITY and STATUS_NO_PRIMARY_IDENTITY exclude each other"}});
}

TEST_CASE("a provider section shared by two services is read once and reported once") {
    const service_catalog c = service_catalog::parse("[Services]\nA=A\nB=B\n[A]\nProviders=P\n[B]\nProviders=p\n"
                                                     "[P]\nPR_RESOURCE_TYPE=MAPI_STORE_PROVIDER\n"
                                                     "PR_DISPLAY_NAME=P\nPR_PROVIDER_DISPLAY=P\nPR_PROVIDER_DLL_NAME=P.DLL\n",
                                                     "f.inf");
    CHECK(c.services().at(0).providers.at(0) == c.services().at(1).providers.at(0));
    check_diagnostics(c, "f.inf", {{W, 8, "[P] has no PR_RESOURCE_FLAGS"}});
}

} // TEST_SUITE

} // namespace service_catalog_tests
