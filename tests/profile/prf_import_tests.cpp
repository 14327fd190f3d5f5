// SPDX-License-Identifier: MIT
// Tests of the PRF reader and profile_admin::import_prf, with the real Office 2000 Resource Kit
// sample (fixtures/profiles/kb259957-office2000-ork-sample-outlook.prf) and small PRF texts.
#include <mapixx/profile/file_profile_store.hpp>
#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/profile/prf_import.hpp>
#include <mapixx/profile/profile_admin.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace prf_import_tests {

using namespace mapixx;

namespace {

const std::string fixture = std::string(MAPIXX_FIXTURES_DIR) + "/profiles/kb259957-office2000-ork-sample-outlook.prf";

class scratch_dir {
public:
    scratch_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "mapixx-prf-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) std::abort();
        path_ = pattern;
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

struct memory_env {
    memory_profile_store store;
};
struct file_env {
    scratch_dir dir;
    file_profile_store store{dir.path() + "/profiles"};
};

// A MAPISVC.INF that knows three of the PRF's five services (not IMAIL, and the Outlook Client
// entry is a profile section, not a service).
constexpr const char* catalog_text = R"([Services]
MSEMS=Microsoft Exchange Server
MSPST MS=Personal Folders
CONTAB=Outlook Address Book

[MSEMS]
PR_DISPLAY_NAME=Microsoft Exchange Server
Sections=MSEMS_MSMail_Section
PR_SERVICE_DLL_NAME=emsui.dll
PR_SERVICE_ENTRY_NAME=EMSCfg
PR_RESOURCE_FLAGS=SERVICE_SINGLE_COPY
Providers=EMS_DSA, EMS_MDB_private
PR_SERVICE_SUPPORT_FILES=emsui.dll, emsabp.dll, emsmdb.dll

[MSEMS_MSMail_Section]
UID=13dbb0c8aa05101a9bb000aa002fc45a

[EMS_DSA]
PR_DISPLAY_NAME=Microsoft Exchange Directory Service
PR_PROVIDER_DISPLAY=Microsoft Exchange Directory Service
PR_PROVIDER_DLL_NAME=EMSABP.DLL
PR_RESOURCE_TYPE=MAPI_AB_PROVIDER
PR_RESOURCE_FLAGS=STATUS_NO_DEFAULT_STORE

[EMS_MDB_private]
PR_DISPLAY_NAME=Private Folders
PR_PROVIDER_DISPLAY=Microsoft Exchange Message Store
PR_PROVIDER_DLL_NAME=EMSMDB.DLL
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=STATUS_PRIMARY_STORE
PR_MDB_PROVIDER=5494A1C0297F101BA58708002B2A2517

[MSPST MS]
PR_DISPLAY_NAME=Personal Folders
Providers=MSPST MSP
PR_SERVICE_DLL_NAME=mspst.dll
PR_SERVICE_ENTRY_NAME=PSTServiceEntry
PR_RESOURCE_FLAGS=SERVICE_NO_PRIMARY_IDENTITY

[MSPST MSP]
PR_DISPLAY_NAME=Personal Folders
PR_PROVIDER_DISPLAY=Personal Folders
PR_PROVIDER_DLL_NAME=mspst.dll
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE|STATUS_NO_PRIMARY_IDENTITY

[CONTAB]
PR_DISPLAY_NAME=Outlook Address Book
Providers=CONTAB Provider
PR_SERVICE_DLL_NAME=CONTAB.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry
PR_RESOURCE_FLAGS=SERVICE_SINGLE_COPY|SERVICE_NO_PRIMARY_IDENTITY

[CONTAB Provider]
PR_DISPLAY_NAME=Outlook Address Book
PR_PROVIDER_DISPLAY=Outlook Address Book
PR_PROVIDER_DLL_NAME=CONTAB.DLL
PR_RESOURCE_TYPE=MAPI_AB_PROVIDER
PR_RESOURCE_FLAGS=STATUS_NO_DEFAULT_STORE|STATUS_NO_PRIMARY_IDENTITY
)";

const service_catalog& test_catalog() {
    static const service_catalog c = service_catalog::parse(catalog_text, "prf-mapisvc.inf");
    return c;
}

// The 22 lines of the fixture that the KB article's line wrap broke off comments: neither '='
// nor '[' (counted with grep -cvE '^\s*(;|$|\[)|=' on the file).
const std::set<std::size_t> debris_lines{2,  4,  8,  10, 12,  14,  16,  20,  22,  24,  26,
                                         28, 91, 94, 188, 190, 267, 269, 285, 287, 303, 305};

const message_service& service_named(const profile& p, std::string_view name) {
    for (const auto& s : p.services) {
        if (s.name == name) return s;
    }
    FAIL("no service " << name);
    return p.services.front();
}

const prop_value* prop(const profile& p, const uid& section, std::uint32_t tag) {
    const property_bag* bag = p.section(section);
    REQUIRE(bag != nullptr);
    return bag->find(prop_tag(tag));
}

} // namespace

TEST_SUITE("prf_import.hpp") {

TEST_CASE("the Office 2000 sample PRF reads with its general settings, services and typed values") {
    auto read = read_prf(fixture);
    REQUIRE(read);
    const prf_file& f = *read;
    CHECK(f.profile_name == "Microsoft Outlook");
    CHECK(f.default_profile);
    CHECK(f.overwrite_profile);
    CHECK(f.default_store == std::optional<std::string>("Service2"));
    REQUIRE(f.services.size() == 5);

    CHECK(f.services[0].list_key == "Service1");
    CHECK(f.services[0].section_name == "Microsoft Outlook Client");
    CHECK(f.services[0].service_name.empty());
    CHECK(f.services[0].section_guid == uid::parse("0a0d020000000000c000000000000046"));
    CHECK(f.services[0].properties.empty());

    const prf_service& ems = f.services[1];
    CHECK(ems.service_name == "MSEMS");
    CHECK(ems.line == 50);
    REQUIRE(ems.properties.size() == 2);
    CHECK(ems.properties[0].key == "ConversionProhibited");
    CHECK(ems.properties[0].value == prop_value(prop_tag(0x3A03000Bu), true));  // PT_BOOLEAN,0x3A03 = TRUE
    CHECK(ems.properties[0].line == 73);
    CHECK(ems.properties[1].key == "HomeServer");
    CHECK(ems.properties[1].value == prop_value(prop_tag(0x6608001Eu), "<Exchange Server>"));  // kept verbatim
    CHECK(ems.properties[1].line == 74);

    CHECK(f.services[2].service_name == "CONTAB");
    REQUIRE(f.services[2].properties.size() == 1);
    CHECK(f.services[2].properties[0].value == prop_value(prop_tag(0x6700001Eu), "TRUE"));  // PT_STRING8 per its mapping

    CHECK(f.services[3].service_name == "MSPST MS");
    REQUIRE(f.services[3].properties.size() == 1);
    CHECK(f.services[3].properties[0].value == prop_value(prop_tag(0x6700001Eu), "c:\\outlook.pst"));

    // "Internet E-mail" finds [Internet E-Mail]: section names compare without case.
    CHECK(f.services[4].section_name == "Internet E-mail");
    CHECK(f.services[4].service_name == "IMAIL");
    REQUIRE(f.services[4].properties.size() == 2);
    CHECK(f.services[4].properties[0].value == prop_value(prop_tag(0x661F001Eu), "PopAccount"));
    CHECK(f.services[4].properties[1].value == prop_value(prop_tag(0x3001001Eu), "Internet E-mail - PopAccount"));

    std::set<std::size_t> reader_lines;
    std::size_t others = 0;
    for (const auto& d : f.diagnostics) {
        CHECK(d.file == fixture);
        if (d.level == diagnostic::severity::error && debris_lines.count(d.line) != 0) {
            reader_lines.insert(d.line);
        } else {
            ++others;
            CHECK(d.level == diagnostic::severity::warning);
            CHECK(d.line == 63);  // Account1=I_Mail: account-manager data
            CHECK(d.message.find("Account1") != std::string::npos);
        }
    }
    CHECK(reader_lines == debris_lines);
    CHECK(reader_lines.size() == 22);
    CHECK(others == 1);
    CHECK(f.diagnostics.size() == 23);
}

TEST_CASE_TEMPLATE("importing the Office 2000 sample PRF creates the services the catalog knows with typed values",
                   Env, memory_env, file_env) {
    Env env;
    profile_admin admin(env.store, test_catalog());
    std::vector<std::pair<service_context, std::string>> hooks;
    for (const char* name : {"MSEMS", "MSPST MS", "CONTAB"}) {
        admin.set_service_entry(name, [&](service_context ctx, service_entry_args& a) -> result<void> {
            hooks.emplace_back(ctx, a.service_name);
            return {};
        });
    }
    auto report = admin.import_prf(fixture);
    REQUIRE(report);
    CHECK(report->profile_name == "Microsoft Outlook");
    CHECK_FALSE(report->replaced);
    CHECK(report->made_default);
    REQUIRE(report->services.size() == 3);
    CHECK(report->services[0].list_key == "Service2");
    CHECK(report->services[0].service_name == "MSEMS");
    CHECK(report->services[0].properties == 2);
    CHECK(report->services[1].list_key == "Service3");
    CHECK(report->services[1].service_name == "CONTAB");
    CHECK(report->services[2].list_key == "Service4");
    CHECK(report->services[2].service_name == "MSPST MS");
    CHECK(report->sections.empty());  // [Service1] has no values
    CHECK(hooks == std::vector<std::pair<service_context, std::string>>{
                       {service_context::create, "MSEMS"},    {service_context::configure, "MSEMS"},
                       {service_context::create, "CONTAB"},   {service_context::configure, "CONTAB"},
                       {service_context::create, "MSPST MS"}, {service_context::configure, "MSPST MS"}});

    const profile p = env.store.load("Microsoft Outlook").value();
    CHECK(p.is_default);
    CHECK(env.store.default_profile().value() == std::optional<std::string>("Microsoft Outlook"));
    REQUIRE(p.services.size() == 3);
    CHECK(p.services[0].name == "MSEMS");
    CHECK(p.services[1].name == "CONTAB");
    CHECK(p.services[2].name == "MSPST MS");

    const message_service& ems = service_named(p, "MSEMS");
    CHECK(ems.service_uid == report->services[0].service_uid);
    const prop_value* conv = prop(p, ems.service_uid, 0x3A03000Bu);
    REQUIRE(conv != nullptr);
    CHECK(conv->tag() == prop_tag(0x3A03000Bu));
    CHECK(*conv->get_if<bool>() == true);
    const prop_value* home = prop(p, ems.service_uid, 0x6608001Eu);
    REQUIRE(home != nullptr);
    CHECK(home->tag().type() == prop_type::string8);
    CHECK(*home->get_if<std::string>() == "<Exchange Server>");
    // The INF data came along: the well-known MSMail section, the providers.
    CHECK(ems.extra_sections == std::vector<uid>{uid::parse("13dbb0c8aa05101a9bb000aa002fc45a").value()});
    CHECK(ems.providers.size() == 2);

    const message_service& ab = service_named(p, "CONTAB");
    const prop_value* ben = prop(p, ab.service_uid, 0x6700001Eu);
    REQUIRE(ben != nullptr);
    CHECK(ben->tag() == prop_tag(0x6700001Eu));
    CHECK(*ben->get_if<std::string>() == "TRUE");

    const message_service& pst = service_named(p, "MSPST MS");
    const prop_value* path = prop(p, pst.service_uid, 0x6700001Eu);
    REQUIRE(path != nullptr);
    CHECK(path->tag() == prop_tag(0x6700001Eu));
    CHECK(*path->get_if<std::string>() == "c:\\outlook.pst");

    // DefaultStore=Service2: the Exchange private store is the default store; the PST is not.
    auto svc = admin.admin_services("Microsoft Outlook").value();
    CHECK(svc.default_store().value() == std::optional<uid>(ems.providers[1].provider_uid));
    CHECK(ems.flags.has(service_flag::default_store));
    CHECK_FALSE(pst.providers[0].flags.has(resource_flag::default_store));
    CHECK(p.section(pst.providers[0].provider_uid)->get_i4(pr::resource_flags) ==
          std::optional<std::int32_t>(static_cast<std::int32_t>(pst.providers[0].flags.bits())));

    // The unknown service (IMAIL) and the account are diagnostics; the 22 debris lines too.
    std::size_t debris = 0;
    const diagnostic* imail = nullptr;
    const diagnostic* account = nullptr;
    for (const auto& d : report->diagnostics) {
        if (debris_lines.count(d.line) != 0 && d.level == diagnostic::severity::error) ++debris;
        if (d.message.find("IMAIL") != std::string::npos) imail = &d;
        if (d.message.find("Account1") != std::string::npos) account = &d;
    }
    CHECK(debris == 22);
    REQUIRE(imail != nullptr);
    CHECK(imail->level == diagnostic::severity::error);
    CHECK(imail->line == 53);  // Service5=Internet E-mail in [Service List]
    CHECK(imail->file == fixture);
    CHECK(imail->message.find("Service5") != std::string::npos);
    CHECK(imail->message.find("not in MAPISVC.INF") != std::string::npos);
    REQUIRE(account != nullptr);
    CHECK(account->level == diagnostic::severity::warning);
    CHECK(report->diagnostics.size() == 24);
}

TEST_CASE_TEMPLATE("OverwriteProfile=Yes replaces an existing profile, No keeps it and fails with no_access", Env,
                   memory_env, file_env) {
    Env env;
    profile_usage usage(env.store);
    profile_admin admin(env.store, test_catalog(), &usage);
    REQUIRE(admin.create_profile("Other"));
    REQUIRE(admin.import_prf(fixture));
    const profile first = env.store.load("Microsoft Outlook").value();
    std::vector<std::string> removed;
    admin.set_service_entry("MSEMS", [&](service_context ctx, service_entry_args& a) -> result<void> {
        if (ctx == service_context::remove) removed.push_back(a.service_name);
        return {};
    });

    auto again = admin.import_prf(fixture);
    REQUIRE(again);
    CHECK(again->replaced);
    CHECK(removed == std::vector<std::string>{"MSEMS"});
    const profile second = env.store.load("Microsoft Outlook").value();
    CHECK(env.store.names().value() == std::vector<std::string>{"Other", "Microsoft Outlook"});
    REQUIRE(second.services.size() == 3);
    CHECK(second.services[0].service_uid != first.services[0].service_uid);
    CHECK(second.search_key != first.search_key);

    const std::string keep_text = "[General]\nProfileName=microsoft outlook\nOverwriteProfile=No\n[Service List]\n";
    CHECK(admin.import_prf_text(keep_text).code() == scode::no_access);
    CHECK(env.store.load("Microsoft Outlook").value() == second);

    auto lease = usage.acquire("Microsoft Outlook");
    CHECK(admin.import_prf(fixture).code() == scode::busy);
    CHECK(env.store.load("Microsoft Outlook").value() == second);
}

TEST_CASE("PT_LONG, PT_DWORD, PT_BOOLEAN spellings, empty values and unreadable values") {
    const std::string text = R"([General]
ProfileName=Typed
DefaultProfile=No
[Service List]
Service1=Typed Service
[Service1]
Count=42
Port=0x19
Big=0x80000000
Negative=-5
Flag=yes
Off=0
Empty=
NotANumber=twelve
NotABool=maybe
Unmapped=1
BadType=1
[Typed Service]
ServiceName=MSEMS
Count=PT_LONG,0x6601
Port=PT_DWORD,0x6602
Big=PT_DWORD,0x6603
Negative=PT_I4,0x6604
Flag=PT_BOOLEAN,0x6605
Off=PT_BOOLEAN,0x6606
Empty=PT_STRING8,0x6607
NotANumber=PT_LONG,0x6608
NotABool=PT_BOOLEAN,0x6609
BadType=PT_SYSTIME,0x660A
)";
    const prf_file f = parse_prf(text, "typed.prf");
    CHECK(f.profile_name == "Typed");
    CHECK_FALSE(f.default_profile);
    CHECK_FALSE(f.overwrite_profile);
    REQUIRE(f.services.size() == 1);
    const auto& props = f.services[0].properties;
    REQUIRE(props.size() == 6);
    CHECK(props[0].value == prop_value(prop_tag(0x66010003u), std::int32_t{42}));
    CHECK(props[1].value == prop_value(prop_tag(0x66020003u), std::int32_t{25}));  // PT_DWORD reads as PT_LONG
    CHECK(props[2].value == prop_value(prop_tag(0x66030003u), static_cast<std::int32_t>(0x80000000u)));
    CHECK(props[3].value == prop_value(prop_tag(0x66040003u), std::int32_t{-5}));
    CHECK(props[4].value == prop_value(prop_tag(0x6605000Bu), true));
    CHECK(props[5].value == prop_value(prop_tag(0x6606000Bu), false));

    std::vector<std::pair<std::size_t, diagnostic::severity>> where;
    for (const auto& d : f.diagnostics) where.emplace_back(d.line, d.level);
    using sev = diagnostic::severity;
    CHECK(where == std::vector<std::pair<std::size_t, sev>>{
                       {14, sev::error}, {15, sev::error}, {16, sev::warning}, {29, sev::error}});

    memory_profile_store store;
    profile_admin admin(store, test_catalog());
    auto report = admin.import_prf(f);
    REQUIRE(report);
    CHECK_FALSE(report->made_default);
    CHECK_FALSE(store.load("Typed").value().is_default);
    const profile p = store.load("Typed").value();
    const uid sid = p.services.at(0).service_uid;
    CHECK(prop(p, sid, 0x66020003u)->tag() == prop_tag(0x66020003u));
    CHECK(p.section(sid)->get_i4(prop_tag(0x66020003u)) == std::optional<std::int32_t>(25));
    CHECK(p.section(sid)->find(prop_tag(0x6607001Eu)) == nullptr);  // empty: not written
}

TEST_CASE("%placeholders% are kept verbatim unless an expander is given") {
    const std::string text = R"([General]
ProfileName=%UserName% profile
[Service List]
Service1=Exchange
[Service1]
MailboxName=%UserName%
HomeServer=%Unknown%.%Domain%
Literal=100%
[Exchange]
ServiceName=MSEMS
MailboxName=PT_STRING8,0x6607
HomeServer=PT_STRING8,0x6608
Literal=PT_STRING8,0x6609
)";
    const prf_file plain = parse_prf(text);
    REQUIRE(plain.services.at(0).properties.size() == 3);
    CHECK(plain.services[0].properties[0].value == prop_value(prop_tag(0x6607001Eu), "%UserName%"));
    CHECK(plain.profile_name == "%UserName% profile");  // the name is never expanded

    prf_options opts;
    opts.expand = [](std::string_view name) -> std::optional<std::string> {
        if (name == "UserName") return std::string("jdoe");
        if (name == "Domain") return std::string("example.org");
        return std::nullopt;
    };
    const prf_file expanded = parse_prf(text, "<text>", opts);
    const auto& props = expanded.services.at(0).properties;
    CHECK(props[0].value == prop_value(prop_tag(0x6607001Eu), "jdoe"));
    CHECK(props[1].value == prop_value(prop_tag(0x6608001Eu), "%Unknown%.example.org"));
    CHECK(props[2].value == prop_value(prop_tag(0x6609001Eu), "100%"));
}

TEST_CASE("a SectionGUID entry writes its values into that profile section") {
    const std::string text = R"([General]
ProfileName=Sections
[Service List]
Service1=Microsoft Outlook Client
[Service1]
FormDirectoryPage=http://forms.example/
ComposeWithWebServices=TRUE
[Microsoft Outlook Client]
SectionGUID=0a0d020000000000c000000000000046
FormDirectoryPage=PT_STRING8,0x0270
ComposeWithWebServices=PT_BOOLEAN,0x0272
)";
    memory_profile_store store;
    profile_admin admin(store, test_catalog());
    auto report = admin.import_prf_text(text);
    REQUIRE(report);
    const uid client = uid::parse("0a0d020000000000c000000000000046").value();
    CHECK(report->sections == std::vector<uid>{client});
    CHECK(report->services.empty());
    const profile p = store.load("Sections").value();
    CHECK(p.services.empty());
    CHECK(p.section(client)->get_string(prop_tag(0x0270001Eu)) == std::optional<std::string_view>("http://forms.example/"));
    CHECK(p.section(client)->get_bool(prop_tag(0x0272000Bu)) == std::optional<bool>(true));
}

TEST_CASE("import failures: missing file, missing or bad ProfileName, a service the catalog refuses") {
    memory_profile_store store;
    profile_admin admin(store, test_catalog());
    CHECK(admin.import_prf("/nonexistent/dir/none.prf").code() == scode::not_found);
    CHECK(admin.import_prf_text("[General]\nDefaultProfile=Yes\n").code() == scode::invalid_parameter);
    CHECK(admin.import_prf_text("[General]\nProfileName= \n").code() == scode::invalid_parameter);
    CHECK(admin.import_prf_text("[General]\nProfileName=a\\b\n").code() == scode::invalid_parameter);
    CHECK(store.names().value().empty());

    // Two MSEMS entries: SERVICE_SINGLE_COPY refuses the second, as a diagnostic.
    const std::string twice = R"([General]
ProfileName=Twice
[Service List]
Service1=Exchange
Service2=Exchange
Service3=Missing Section
[Exchange]
ServiceName=MSEMS
)";
    auto report = admin.import_prf_text(twice, "twice.prf");
    REQUIRE(report);
    CHECK(report->services.size() == 1);
    std::vector<std::size_t> error_lines;
    for (const auto& d : report->diagnostics) {
        if (d.level == diagnostic::severity::error) error_lines.push_back(d.line);
    }
    CHECK(error_lines == std::vector<std::size_t>{6, 5});  // the missing section (reader), then MSEMS twice
    CHECK(store.load("Twice").value().services.size() == 1);
}

} // TEST_SUITE

} // namespace prf_import_tests
