// SPDX-License-Identifier: MIT
//
// The win32 backend against fake_mapi.dll (fake_mapi.cpp), run under Wine: the fake journals
// every call it receives, and these tests assert what the backend passed and in which order.
// The DLL is found next to this program.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/win32/win32.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

// Journal excerpts print line by line when a comparison fails.
template <>
struct doctest::StringMaker<std::vector<std::string>> {
    static doctest::String convert(const std::vector<std::string>& lines) {
        std::string out = "{";
        for (const auto& l : lines) out += "\n  \"" + l + "\"";
        return (out + "\n}").c_str();
    }
};

namespace mw = mapixx::win32;
using mapixx::init_flag;
using mapixx::logoff_flag;
using mapixx::logon_flag;
using mapixx::scode;

namespace {

std::wstring exe_dir() {
    std::wstring buf(MAX_PATH, L'\0');
    const DWORD n = GetModuleFileNameW(nullptr, buf.data(), static_cast<DWORD>(buf.size()));
    buf.resize(n);
    return buf.substr(0, buf.find_last_of(L"\\/") + 1);
}
const std::wstring& fake_path() {
    static const std::wstring path = exe_dir() + L"fake_mapi.dll";
    return path;
}

// The test's own handle on the fake: it keeps the DLL (and its journal) loaded between
// initialisations and reaches the fake_* exports.
struct fake_dll {
    HMODULE module = LoadLibraryW(fake_path().c_str());
    template <class F>
    F get(const char* name) const {
        return reinterpret_cast<F>(reinterpret_cast<void (*)()>(GetProcAddress(module, name)));
    }
    void reset() const { get<void (*)()>("fake_reset")(); }
    void set(const char* name, unsigned long v) const { get<void (*)(const char*, unsigned long)>("fake_set")(name, v); }
    long live_objects() const { return get<long (*)()>("fake_live_objects")(); }
    long live_buffers() const { return get<long (*)()>("fake_live_buffers")(); }
    long init_depth() const { return get<long (*)()>("fake_init_depth")(); }
    long notify(int what) const { return get<long (*)(int)>("fake_notify")(what); }
    long notify_status_table(int what) const { return get<long (*)(int)>("fake_notify_status_table")(what); }
    std::vector<std::string> journal() const {
        std::vector<std::string> lines;
        std::istringstream in(get<const char* (*)()>("fake_journal")());
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        return lines;
    }
};
const fake_dll& fake() {
    static const fake_dll f;
    return f;
}

mw::init_options fake_options(mapixx::init_flags flags = {}) {
    mw::init_options o;
    o.flags = flags;
    o.loader.dll_path = fake_path();
    return o;
}

bool contains(const std::vector<std::string>& lines, const std::string& line) {
    for (const auto& l : lines) {
        if (l == line) return true;
    }
    return false;
}

// Fresh fake state for each test; every test must leave no initialisation behind.
struct fresh {
    fresh() {
        REQUIRE(fake().module != nullptr);
        fake().reset();
    }
    ~fresh() {
        CHECK(mw::initialization_count() == 0);
        CHECK(fake().live_objects() == 0);
        CHECK(fake().live_buffers() == 0);
        CHECK(mw::advise_sink_object::live_count() == 0);
    }
};

} // namespace

TEST_SUITE("win32/loader.hpp") {
    TEST_CASE("exports are found by Name first and by the decorated Name@N when only that exists") {
        fresh f;
        mw::loader_options lo;
        lo.dll_path = fake_path();
        auto lib = mw::mapi_library::load(lo);
        REQUIRE(lib.has_value());
        CHECK(lib->report().source == mw::mapi_source::explicit_path);
        CHECK(lib->report().dll.find("fake_mapi.dll") != std::string::npos);
        std::string name;
        CHECK(static_cast<bool>(lib->find<mw::fn::mapi_initialize>("MAPIInitialize", &name)));
        CHECK(name == "MAPIInitialize");
        CHECK(static_cast<bool>(lib->find<mw::fn::mapi_admin_profiles>("MAPIAdminProfiles", &name)));
        CHECK(name == "MAPIAdminProfiles@8");
        CHECK(static_cast<bool>(lib->find<mw::fn::mapi_free_buffer>("MAPIFreeBuffer", &name)));
        CHECK(name == "MAPIFreeBuffer@4");
        CHECK_FALSE(static_cast<bool>(lib->find<mw::fn::sc_init_mapi_util>("ScInitMapiUtil")));
    }

    TEST_CASE("the loader follows DLLPathEx of the default mail client and names the values it read") {
        fresh f;
        // The test prefix is private: set the default mail client to the fake, restore after.
        HKEY mail = nullptr;
        REQUIRE(RegCreateKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Clients\\Mail", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr,
                                &mail, nullptr) == ERROR_SUCCESS);
        const wchar_t client[] = L"mapixx fake";
        REQUIRE(RegSetValueExW(mail, nullptr, 0, REG_SZ, reinterpret_cast<const BYTE*>(client), sizeof client) ==
                ERROR_SUCCESS);
        HKEY key = nullptr;
        REQUIRE(RegCreateKeyExW(mail, client, 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, &key, nullptr) == ERROR_SUCCESS);
        const std::wstring& path = fake_path();
        REQUIRE(RegSetValueExW(key, L"DLLPathEx", 0, REG_SZ, reinterpret_cast<const BYTE*>(path.c_str()),
                               static_cast<DWORD>((path.size() + 1) * sizeof(wchar_t))) == ERROR_SUCCESS);
        RegCloseKey(key);
        {
            mw::init_options o;  // default loader options: the registry decides
            auto mapi = mw::initialize(o);
            REQUIRE(mapi.has_value());
            const mw::load_report& rep = mapi->library_report();
            CHECK(rep.source == mw::mapi_source::default_client_dllpathex);
            CHECK(rep.dll.find("fake_mapi.dll") != std::string::npos);
            REQUIRE(rep.registry.size() == 2);
            CHECK(rep.registry[0] == "HKLM\\Software\\Clients\\Mail\\(default) = \"mapixx fake\"");
            CHECK(rep.registry[1].rfind("HKLM\\Software\\Clients\\Mail\\mapixx fake\\DLLPathEx = \"", 0) == 0);
            CHECK(fake().journal() == std::vector<std::string>{"MAPIInitialize version=0 flags=0x00000000"});
        }
        RegDeleteKeyW(mail, client);
        RegDeleteValueW(mail, nullptr);
        RegCloseKey(mail);
    }

    TEST_CASE("a DLL path that does not load gives not_initialized with the path in the sentence") {
        fresh f;
        mw::init_options o;
        o.loader.dll_path = exe_dir() + L"no_such_mapi.dll";
        auto mapi = mw::initialize(o);
        REQUIRE_FALSE(mapi.has_value());
        CHECK(mapi.code() == scode::not_initialized);
        CHECK(mapi.info().message.find("no_such_mapi.dll") != std::string::npos);
    }
}

TEST_SUITE("win32/subsystem.hpp") {
    TEST_CASE("initialize passes MAPIINIT_0 and the last copy calls MAPIUninitialize once") {
        fresh f;
        {
            auto mapi = mw::initialize(fake_options(init_flag::multithread_notifications | init_flag::no_coinit));
            REQUIRE(mapi.has_value());
            CHECK(mw::initialization_count() == 1);
            CHECK(fake().init_depth() == 1);
            auto copy = *mapi;
            CHECK(copy.use_count() == 2);
            CHECK(copy.effective_flags().bits() == 0x9u);
            mapi->reset();
            CHECK(fake().init_depth() == 1);  // the copy still holds it
        }
        CHECK(fake().init_depth() == 0);
        CHECK(fake().journal() ==
              std::vector<std::string>{"MAPIInitialize version=0 flags=0x00000009", "MAPIUninitialize"});
    }

    TEST_CASE("each initialize is one MAPIInitialize and one MAPIUninitialize") {
        fresh f;
        auto a = mw::initialize(fake_options());
        auto b = mw::initialize(fake_options(init_flag::multithread_notifications));
        REQUIRE(a.has_value());
        REQUIRE(b.has_value());
        CHECK(mw::initialization_count() == 2);
        CHECK(fake().init_depth() == 2);
        CHECK(b->process_flags().bits() == 0u);  // the first live initialisation's flags
        a->reset();
        CHECK(fake().init_depth() == 1);
        b->reset();
        CHECK(fake().init_depth() == 0);
        CHECK(fake().journal().size() == 4);
    }

    TEST_CASE("MAPI_NO_COINIT refused with MAPI_E_UNKNOWN_FLAGS is retried once without it") {
        fresh f;
        fake().set("reject_no_coinit", 1);
        {
            auto mapi = mw::initialize(fake_options(init_flag::multithread_notifications | init_flag::no_coinit));
            REQUIRE(mapi.has_value());
            CHECK(mapi->effective_flags().bits() == 0x1u);
        }
        CHECK(fake().journal() == std::vector<std::string>{"MAPIInitialize version=0 flags=0x00000009",
                                                          "MAPIInitialize version=0 flags=0x00000001",
                                                          "MAPIUninitialize"});
    }

    TEST_CASE("a failed MAPIInitialize is reported and never matched by MAPIUninitialize") {
        fresh f;
        fake().set("init_result", 0x80040605);  // MAPI_E_NOT_INITIALIZED: no Extended MAPI provider
        auto mapi = mw::initialize(fake_options());
        REQUIRE_FALSE(mapi.has_value());
        CHECK(mapi.code() == scode::not_initialized);
        const std::string& m = mapi.info().message;
        CHECK(m.rfind("no Extended MAPI provider is installed: MAPIInitialize of \"", 0) == 0);
        CHECK(m.find("fake_mapi.dll") != std::string::npos);
        CHECK(m.find("registry values read: none") != std::string::npos);
        CHECK(fake().journal() == std::vector<std::string>{"MAPIInitialize version=0 flags=0x00000000"});
        CHECK(mw::initialization_count() == 0);
    }

    TEST_CASE("MAPIINIT_0 with a bad version or unknown flags is refused before MAPI is touched") {
        fresh f;
        auto o = fake_options();
        o.version = 1;
        CHECK(mw::initialize(o).code() == scode::invalid_parameter);
        o = fake_options(mapixx::init_flags::from_bits_unchecked(0x100));
        CHECK(mw::initialize(o).code() == scode::unknown_flags);
        CHECK(fake().journal().empty());
    }

    TEST_CASE("with ole, OleInitialize follows MAPIInitialize and OleUninitialize precedes MAPIUninitialize") {
        fresh f;
        {
            auto o = fake_options();
            o.ole = true;
            auto mapi = mw::initialize(o);
            REQUIRE(mapi.has_value());
            // COM is initialised on this thread now: a further CoInitializeEx answers S_FALSE.
            const HRESULT again = CoInitializeEx(nullptr, COINIT_APARTMENTTHREADED);
            CHECK(again == S_FALSE);
            if (SUCCEEDED(again)) CoUninitialize();
        }
        const HRESULT after = CoInitializeEx(nullptr, COINIT_APARTMENTTHREADED);
        CHECK(after == S_OK);  // OleUninitialize ran: COM was no longer initialised
        if (SUCCEEDED(after)) CoUninitialize();
    }
}

TEST_SUITE("win32/session.hpp") {
    TEST_CASE("logon passes the typed flags, UTF-16 strings and a session pointer pre-set to null") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        mapixx::logon_request r;
        r.profile = "Pr\xC3\xBC" "fung \xE2\x82\xAC";  // "Prüfung €" in UTF-8
        r.flags = logon_flag::unicode | logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile;
        r.ui_param = 0x1234;
        auto s = mapixx::sync_wait(mapi.logon(r));
        REQUIRE(s.has_value());
        CHECK(s->active());
        CHECK(s->profile_name() == "Pr\xC3\xBC" "fung \xE2\x82\xAC");
        CHECK(s->flags().bits() == 0x80000032u);
        CHECK(fake().journal().back() ==
              "MAPILogonEx ui=0x1234 profile=u16:0050 0072 00FC 0066 0075 006E 0067 0020 20AC password=null "
              "flags=0x80000032 preset_null=1");
        CHECK(fake().live_objects() == 1);
    }

    TEST_CASE("logon without MAPI_UNICODE passes ANSI strings, an empty profile is passed as NULL") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        mapixx::logon_request r;
        r.profile = "Service";
        r.password = "";
        r.flags = logon_flag::extended | logon_flag::use_default;
        auto s = mapixx::sync_wait(mapi.logon(r));
        REQUIRE(s.has_value());
        CHECK(fake().journal().back() == "MAPILogonEx ui=0x0 profile=a:Service password=null flags=0x00000060 preset_null=1");
        r.profile = "";
        auto t = mapixx::sync_wait(mapi.logon(r));
        REQUIRE(t.has_value());
        CHECK(fake().journal().back() == "MAPILogonEx ui=0x0 profile=null password=null flags=0x00000060 preset_null=1");
    }

    TEST_CASE("logoff calls Logoff then Release, and MAPIUninitialize comes only after the session ended") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        mapixx::logon_request r;
        r.flags = logon_flag::extended | logon_flag::use_default;
        r.ui_param = 0x77;
        auto s = mapixx::sync_wait(mapi.logon(r)).value();
        mapi.reset();  // the session keeps MAPI initialised
        CHECK(fake().init_depth() == 1);
        mapixx::sync_wait(s.logoff(logoff_flag::ui));
        CHECK_FALSE(s.active());
        const auto j = fake().journal();
        REQUIRE(j.size() == 5);
        CHECK(j[2] == "IMAPISession::Logoff ui=0x77 flags=0x00000002 reserved=0");
        CHECK(j[3] == "IMAPISession::Release refs=0");
        CHECK(j[4] == "MAPIUninitialize");
        CHECK(s.admin_services().code() == scode::end_of_session);
        CHECK(s.logoff_now().code() == scode::end_of_session);
    }

    TEST_CASE("a session destroyed without logoff logs off with no flags and releases") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        {
            mapixx::logon_request r;
            r.flags = logon_flag::extended | logon_flag::use_default;
            auto s = mapixx::sync_wait(mapi.logon(r)).value();
        }
        const auto j = fake().journal();
        REQUIRE(j.size() == 4);
        CHECK(j[2] == "IMAPISession::Logoff ui=0x0 flags=0x00000000 reserved=0");
        CHECK(j[3] == "IMAPISession::Release refs=0");
    }

    TEST_CASE("a failed logon returns its code and leaves no session") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        fake().set("logon_result", 0x80040111);  // MAPI_E_LOGON_FAILED
        mapixx::logon_request r;
        r.profile = "Nobody";
        r.flags = logon_flag::extended | logon_flag::new_session;
        auto s = mapixx::sync_wait(mapi.logon(r));
        REQUIRE_FALSE(s.has_value());
        CHECK(s.code() == scode::logon_failed);
        CHECK(s.info().message.find("MAPILogonEx(profile \"Nobody\"") == 0);
        fake().set("logon_result", 0x80004005);  // E_FAIL, what Wine's mapi32 answers
        auto t = mapixx::sync_wait(mapi.logon(r));
        REQUIRE_FALSE(t.has_value());
        CHECK(t.code() == scode::call_failed);
        CHECK(t.info().message.find("without an Extended MAPI provider") != std::string::npos);
    }

    TEST_CASE("service rules: MAPI_NT_SERVICE must be in both MAPIINIT_0 and the logon") {
        fresh f;
        {
            auto svc = mw::initialize(fake_options(init_flag::nt_service)).value();
            mapixx::logon_request r;
            r.flags = logon_flag::extended | logon_flag::new_session;
            auto s = mapixx::sync_wait(svc.logon(r));
            CHECK(s.code() == scode::invalid_parameter);
            r.flags = mapixx::service_logon_flags;
            r.profile = "Service";
            auto ok = mapixx::sync_wait(svc.logon(r));
            CHECK(ok.has_value());
            CHECK(fake().journal().back() ==
                  "MAPILogonEx ui=0x0 profile=a:Service password=null flags=0x00018032 preset_null=1");
        }
        fake().reset();
        auto client = mw::initialize(fake_options()).value();
        mapixx::logon_request r;
        r.flags = mapixx::service_logon_flags;
        CHECK(mapixx::sync_wait(client.logon(r)).code() == scode::invalid_parameter);
        r.flags = mapixx::runtime_flags(mapixx::logon_flags(logon_flag::logon_ui) | logon_flag::password_ui);
        CHECK(mapixx::sync_wait(client.logon(r)).code() == scode::invalid_parameter);
        CHECK(fake().journal().size() == 1);  // MAPIInitialize only: MAPILogonEx was never called
    }

    TEST_CASE("last_error and query_identity free what MAPI allocated") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        mapixx::logon_request r;
        r.flags = logon_flag::extended | logon_flag::use_default;
        auto s = mapixx::sync_wait(mapi.logon(r)).value();
        auto id = s.query_identity();
        REQUIRE(id.has_value());
        CHECK(id.warning() == scode::w_no_service);
        CHECK(id->size() == 6);
        auto e = s.last_error();
        REQUIRE(e.has_value());
        CHECK(e->component == "fake_mapi");
        CHECK(e->message == "fake provider: the profile store is read-only \xC3\xA9");
        CHECK(fake().journal().back() == "IMAPISession::GetLastError hr=0x00000000 flags=0x80000000");
        CHECK(fake().live_buffers() == 0);
    }
}

TEST_SUITE("win32/profile_admin.hpp") {
    TEST_CASE("profile_admin goes through MAPIAdminProfiles (decorated export) and IProfAdmin") {
        fresh f;
        {
            auto mapi = mw::initialize(fake_options()).value();
            auto admin = mapi.admin_profiles();
            REQUIRE(admin.has_value());
            CHECK(admin->create_profile("Archive", mapixx::profile_create_flag::default_services).has_value());
            CHECK(admin->create_profile("Plain").has_value());
            CHECK(admin->create_profile("Raw", mw::create_default_services).has_value());
            auto unknown = admin->create_profile("Odd", mapixx::profile_create_flags::from_bits_unchecked(0x40));
            CHECK(unknown.code() == scode::unknown_flags);
            CHECK(unknown.info().message.find("0x00000040") != std::string::npos);
            CHECK(admin->set_default_profile(std::nullopt).has_value());
            auto del = admin->delete_profile("Gone");
            CHECK(del.code() == scode::not_found);
            CHECK(del.info().message.find("IProfAdmin::DeleteProfile(\"Gone\") failed with MAPI_E_NOT_FOUND") == 0);
        }
        CHECK(fake().journal() == std::vector<std::string>{
                                      "MAPIInitialize version=0 flags=0x00000000",
                                      "MAPIAdminProfiles flags=0x00000000 preset_null=1",
                                      "IProfAdmin::CreateProfile name=a:Archive password=null ui=0x0 flags=0x00000001",
                                      "IProfAdmin::CreateProfile name=a:Plain password=null ui=0x0 flags=0x00000000",
                                      "IProfAdmin::CreateProfile name=a:Raw password=null ui=0x0 flags=0x00000001",
                                      "IProfAdmin::SetDefaultProfile name=null flags=0x00000000",
                                      "IProfAdmin::DeleteProfile name=a:Gone flags=0x00000000",
                                      "IProfAdmin::Release refs=0",
                                      "MAPIUninitialize",
                                  });
    }

    TEST_CASE("MAPI_E_EXTENDED_ERROR is explained by GetLastError(MAPI_UNICODE), and the MAPIERROR is freed") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        auto admin = mapi.admin_profiles().value();
        fake().set("extended_error", 1);
        auto r = admin.create_profile("Archive");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.code() == scode::extended_error);
        CHECK(r.info().component == "fake_mapi");
        CHECK(r.info().message.find("the profile store is read-only \xC3\xA9") != std::string::npos);
        CHECK(r.info().low_level == 0x1234u);
        CHECK(r.info().context == 77u);
        CHECK(fake().journal().back() == "IProfAdmin::GetLastError hr=0x80040119 flags=0x80000000");
        CHECK(fake().live_buffers() == 0);
    }
}

TEST_SUITE("win32/service_admin.hpp") {
    TEST_CASE("create_service uses IMsgServiceAdmin2 when offered and returns the new UID") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        auto admin = mapi.admin_profiles().value();
        auto svc = admin.admin_services("Archive");
        REQUIRE(svc.has_value());
        CHECK(svc->has_admin2());
        auto id = svc->create_service("MSUPST MS", "Archive PST");
        REQUIRE(id.has_value());
        CHECK(id->bytes[0] == 0x40);
        CHECK(fake().journal().back() ==
              "IMsgServiceAdmin2::CreateMsgServiceEx service=a:MSUPST MS display=a:Archive PST ui=0x0 flags=0x00000000");
        CHECK(svc->delete_service(*id).has_value());
        CHECK(svc->delete_service(*id).code() == scode::not_found);
    }

    TEST_CASE("without IMsgServiceAdmin2 the new UID is the one the service table gained") {
        fresh f;
        fake().set("admin2", 0);
        auto mapi = mw::initialize(fake_options()).value();
        mapixx::logon_request r;
        r.flags = logon_flag::extended | logon_flag::use_default;
        auto s = mapixx::sync_wait(mapi.logon(r)).value();
        auto svc = s.admin_services();
        REQUIRE(svc.has_value());
        CHECK_FALSE(svc->has_admin2());
        auto first = svc->create_service("MSEMS");
        auto second = svc->create_service("MSUPST MS");
        REQUIRE(first.has_value());
        REQUIRE(second.has_value());
        CHECK(first->bytes[0] == 0x40);
        CHECK(second->bytes[0] == 0x41);
        CHECK(contains(fake().journal(), "IMsgServiceAdmin::CreateMsgService service=a:MSUPST MS display=null ui=0x0 flags=0x00000000"));
        const mapixx::uid order[] = {*second, *first};
        CHECK(svc->transport_order(order).has_value());
        CHECK(fake().journal().back() == "IMsgServiceAdmin::MsgServiceTransportOrder count=2 flags=0x00000000 0x41 0x40");
        CHECK(fake().live_buffers() == 0);
    }
}

namespace {

mw::session fake_logon(const mw::subsystem& mapi) {
    mapixx::logon_request r;
    r.flags = logon_flag::extended | logon_flag::use_default;
    return mapixx::sync_wait(mapi.logon(r)).value();
}

// The rows fake_mapi.cpp's status table holds, as the portable rows would carry them.
mapixx::status_rows expected_status_rows() {
    namespace pr = mapixx::pr;
    using mapixx::resource_type;
    struct data {
        std::int32_t row;
        resource_type type;
        std::uint32_t status, flags, methods;
        const char* display;
        const char* dll;
        const char* status_string;
        const char* identity;
    };
    const data rows[] = {
        {0, resource_type::subsystem, 0x1, 0, 0x1, "MAPI Subsystem", "MAPI32.DLL", nullptr, nullptr},
        {1, resource_type::spooler, 0x1, 0, 0x9, "MAPI Spooler", "MAPISP32.EXE", "idle", nullptr},
        // STATUS_DEFAULT_STORE | STATUS_PRIMARY_STORE
        {2, resource_type::store_provider, 0x1, 0x0002 | 0x1000, 0x1, "Personal Folders", "MSPST32.DLL", nullptr,
         "Zo\xC3\xAB Example"},
        // STATUS_PRIMARY_IDENTITY
        {3, resource_type::transport_provider, 0x00110001, 0x4, 0xB, "Internet Mail", "MINET32.DLL", "connected",
         "zoe@example.org"},
    };
    mapixx::status_rows out;
    for (const data& d : rows) {
        mapixx::property_bag b;
        CHECK(b.set(pr::rowid, d.row).has_value());
        CHECK(b.set(pr::object_type, std::int32_t{0xA}).has_value());
        CHECK(b.set(pr::resource_type, static_cast<std::int32_t>(d.type)).has_value());
        CHECK(b.set(pr::status_code, static_cast<std::int32_t>(d.status)).has_value());
        CHECK(b.set(pr::resource_flags, static_cast<std::int32_t>(d.flags)).has_value());
        CHECK(b.set(pr::resource_methods, static_cast<std::int32_t>(d.methods)).has_value());
        CHECK(b.set(pr::display_name, std::string(d.display)).has_value());
        CHECK(b.set(pr::provider_display, std::string(d.display)).has_value());
        CHECK(b.set(pr::provider_dll_name, std::string(d.dll)).has_value());
        if (d.status_string) CHECK(b.set(pr::status_string, std::string(d.status_string)).has_value());
        if (d.identity) CHECK(b.set(pr::identity_display, std::string(d.identity)).has_value());
        out.push_back(std::move(b));
    }
    return out;
}

void check_rows(const mapixx::status_rows& got) {
    const mapixx::status_rows want = expected_status_rows();
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("row " << i << ": got\n" << mapixx::to_string(mapixx::status_rows{got[i]}));
        CHECK(got[i] == want[i]);
    }
}

std::size_t count_prefix(const std::vector<std::string>& lines, const std::string& prefix) {
    std::size_t n = 0;
    for (const auto& l : lines) n += l.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
}

// The last `n` lines of the journal (all of them when there are fewer).
std::vector<std::string> journal_tail(std::size_t n) {
    const auto j = fake().journal();
    return {j.end() - static_cast<std::ptrdiff_t>(std::min(n, j.size())), j.end()};
}

// A session of the fake with one registration whose sink records every event. Declare it after
// `fresh` (and after any fake().set the advise must see).
struct advised_session {
    mw::subsystem mapi = mw::initialize(fake_options()).value();
    mw::session s = fake_logon(mapi);
    std::vector<mapixx::session_event> events;
    mw::advise_registration reg = s.advise([this](const mapixx::session_event& e) { events.push_back(e); }).value();
};

// What session::advise sends MAPI for a mask with status events: the session's Advise, then a
// status table of the sink's own, its columns set, advised for fnevTableModified.
std::vector<std::string> advise_calls(const std::string& session_mask) {
    return {"IMAPISession::Advise cb=0 entryid=null mask=" + session_mask,
            "IMAPISession::GetStatusTable flags=0x80000000 preset_null=1",
            "IMAPITable(status)::SetColumns flags=0x00000000 0x30000003 0x0FFE0003 0x3E030003 0x3E040003 0x30090003 "
            "0x3E020003 0x3001001F 0x3006001F 0x300A001F 0x3E08001F 0x3E00001F",
            "IMAPITable(status)::Advise mask=0x00000100"};
}

// What the Unadvise of one registration sends MAPI: the status table's Unadvise (the session
// still holds the sink), the session's (its last reference), then the table's Release.
std::vector<std::string> unadvise_calls(int table_connection, int session_connection) {
    return {"IMAPITable(status)::Unadvise connection=" + std::to_string(table_connection) + " sink_refs=1",
            "IMAPISession::Unadvise connection=" + std::to_string(session_connection) + " sink_refs=0",
            "IMAPITable(status)::Release refs=0"};
}

} // namespace

TEST_SUITE("win32/session.hpp: status table") {
    TEST_CASE("status_table reads the four rows given out over two QueryRows calls, row by row, and frees them") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        auto s = fake_logon(mapi);
        auto rows = s.status_table();
        REQUIRE(rows.has_value());
        check_rows(*rows);
        const auto* transport = mapixx::find_status_row(*rows, mapixx::resource_type::transport_provider);
        REQUIRE(transport != nullptr);
        CHECK(mapixx::status_of(*transport).has(mapixx::status_code::outbound_enabled));
        CHECK(fake().live_buffers() == 0);  // every row set and row freed with MAPIFreeBuffer
        const auto j = fake().journal();
        CHECK(contains(j, "IMAPISession::GetStatusTable flags=0x80000000 preset_null=1"));
        // The columns: PR_ROWID, PR_OBJECT_TYPE, PR_RESOURCE_TYPE, PR_STATUS_CODE, PR_RESOURCE_FLAGS,
        // PR_RESOURCE_METHODS, then the PT_UNICODE strings.
        CHECK(contains(j, "IMAPITable(status)::SetColumns flags=0x00000000 0x30000003 0x0FFE0003 0x3E030003 0x3E040003 "
                          "0x30090003 0x3E020003 0x3001001F 0x3006001F 0x300A001F 0x3E08001F 0x3E00001F"));
        CHECK(count_prefix(j, "IMAPITable(status)::QueryRows") == 3);
        CHECK(contains(j, "IMAPITable(status)::QueryRows count=64 flags=0x00000000 rows=2"));
        CHECK(j.back() == "IMAPITable(status)::Release refs=0");
    }

    TEST_CASE("without MAPI_UNICODE support the table is read with PT_STRING8 columns and gives the same rows") {
        fresh f;
        fake().set("status_no_unicode", 1);
        auto mapi = mw::initialize(fake_options()).value();
        auto s = fake_logon(mapi);
        auto rows = s.status_table();
        REQUIRE(rows.has_value());
        check_rows(*rows);
        const auto j = fake().journal();
        CHECK(contains(j, "IMAPISession::GetStatusTable flags=0x80000000 preset_null=1"));
        CHECK(contains(j, "IMAPISession::GetStatusTable flags=0x00000000 preset_null=1"));
        CHECK(count_prefix(j, "IMAPITable(status)::SetColumns flags=0x00000000 0x30000003 0x0FFE0003 0x3E030003 "
                              "0x3E040003 0x30090003 0x3E020003 0x3001001E 0x3006001E 0x300A001E 0x3E08001E 0x3E00001E") == 1);
    }

    TEST_CASE("a failing GetStatusTable gives its code and a sentence naming the call") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        auto s = fake_logon(mapi);
        fake().set("status_table_result", 0x80004005);  // E_FAIL
        auto rows = s.status_table();
        REQUIRE_FALSE(rows.has_value());
        CHECK(rows.code() == scode::call_failed);
        CHECK(rows.info().message == "IMAPISession::GetStatusTable failed with MAPI_E_CALL_FAILED (0x80004005)");
        CHECK(rows.info().component == "mapixx.win32.session");
        CHECK(rows.info().low_level == 0x80004005u);
        CHECK(count_prefix(fake().journal(), "IMAPITable(status)") == 0);

        fake().set("status_table_result", 0x80040119);  // MAPI_E_EXTENDED_ERROR: the session explains
        rows = s.status_table();
        REQUIRE_FALSE(rows.has_value());
        CHECK(rows.code() == scode::extended_error);
        CHECK(rows.info().message.find("the profile store is read-only") != std::string::npos);
        CHECK(fake().journal().back() == "IMAPISession::GetLastError hr=0x80040119 flags=0x80000000");
        CHECK(s.status_table().code() == scode::extended_error);
        mapixx::sync_wait(s.logoff());
        CHECK(s.status_table().code() == scode::end_of_session);
    }

    TEST_CASE("a QueryRows failing after the first batch gives its code and frees the rows already read") {
        fresh f;
        fake().set("status_query_fails_at", 2);
        auto mapi = mw::initialize(fake_options()).value();
        auto s = fake_logon(mapi);
        auto rows = s.status_table();
        REQUIRE_FALSE(rows.has_value());
        CHECK(rows.code() == scode::call_failed);
        CHECK(rows.info().message.find("IMAPITable::QueryRows of the status table failed") == 0);
        CHECK(fake().live_buffers() == 0);
        CHECK(fake().journal().back() == "IMAPITable(status)::Release refs=0");
    }
}

TEST_SUITE("win32/session.hpp: advise") {
    TEST_CASE("the sink sees a status-object change and a critical error with their fields, the destructor unadvises") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        auto s = fake_logon(mapi);
        std::vector<mapixx::session_event> events;
        {
            auto reg = s.advise([&](const mapixx::session_event& e) { events.push_back(e); });
            REQUIRE(reg.has_value());
            CHECK(reg->connection() == 100u);
            CHECK(reg->events() == 0x80000201u);  // fnevExtended | fnevStatusObjectModified | fnevCriticalError
            CHECK(reg->status_table_events() == 0x100u);
            CHECK(reg->status_table_connection() == 500u);
            CHECK(reg->status_table_result().has_value());
            CHECK(journal_tail(4) == advise_calls("0x80000201"));
            CHECK(mw::advise_sink_object::live_count() == 1);

            CHECK(fake().notify(1) == 1);
            REQUIRE(events.size() == 2);
            const mapixx::session_event& changed = events[0];
            CHECK(changed.kind == mapixx::session_event_kind::status_row_modified);
            CHECK(changed.row.get_string(mapixx::pr::display_name) == std::optional<std::string_view>("Internet Mail"));
            CHECK(changed.row.get_i4(mapixx::pr::status_code) == 0x00300001);
            CHECK(changed.row.get_string(mapixx::pr::status_string) ==
                  std::optional<std::string_view>("sending 1 message"));
            REQUIRE(changed.row.get_binary(mapixx::pr::entryid) != nullptr);
            CHECK(*changed.row.get_binary(mapixx::pr::entryid) == mapixx::binary{0, 0, 0, 0, 0xAB, 0xCD, 0xEF});
            CHECK(changed.row.size() == 4);
            CHECK(changed.message == "the status object \"Internet Mail\" changed");
            const mapixx::session_event& ended = events[1];
            CHECK(ended.kind == mapixx::session_event_kind::session_ended);
            CHECK(ended.code == scode::end_of_session);
            CHECK(ended.shared_logoff);
            CHECK(ended.row.size() == 0);
            CHECK(ended.message == "MAPI reported a critical error for the session: MAPI_E_END_OF_SESSION (0x80040200): "
                                   "another client logged off the shared session (fake_mapi)");
            CHECK(fake().journal().back() == "OnNotify(status, critical error) returned 0");

            CHECK(fake().notify(1) == 1);  // nothing follows session_ended
            CHECK(events.size() == 2);
        }
        CHECK(journal_tail(3) == unadvise_calls(500, 100));
        CHECK(mw::advise_sink_object::live_count() == 0);
        CHECK(fake().notify(1) == 0);
        CHECK(events.size() == 2);
    }

    TEST_CASE("a table row added becomes status_row_modified, new mail is not delivered, an extended event ends") {
        fresh f;
        advised_session a;
        CHECK(fake().notify(2) == 1);
        REQUIRE(a.events.size() == 2);
        CHECK(a.events[0].kind == mapixx::session_event_kind::status_row_modified);
        CHECK(a.events[0].row.get_i4(mapixx::pr::rowid) == 4);
        CHECK(a.events[0].row.get_string(mapixx::pr::display_name) == std::optional<std::string_view>("Fax"));
        CHECK(a.events[0].message == "a status row was added");
        CHECK(a.events[1].kind == mapixx::session_event_kind::session_ended);
        CHECK(a.events[1].code == scode::end_of_session);
        CHECK_FALSE(a.events[1].shared_logoff);
        CHECK(a.reg.unadvise().has_value());
        CHECK(journal_tail(3) == unadvise_calls(500, 100));
        CHECK_FALSE(static_cast<bool>(a.reg));
        CHECK(a.reg.unadvise().has_value());  // an empty registration does nothing
        CHECK(count_prefix(fake().journal(), "IMAPISession::Unadvise") == 1);
    }

    TEST_CASE("a sink that throws does not stop the notifications after it") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        auto s = fake_logon(mapi);
        int calls = 0;
        auto reg = s.advise([&](const mapixx::session_event&) {
                        ++calls;
                        throw std::runtime_error("sink failure");
                    }).value();
        CHECK(fake().notify(1) == 1);
        CHECK(calls == 2);
        CHECK(fake().journal().back() == "OnNotify(status, critical error) returned 0");
    }

    TEST_CASE("Advise refusing fnevStatusObjectModified is asked again without it") {
        fresh f;
        fake().set("advise_rejects_status", 1);
        auto mapi = mw::initialize(fake_options()).value();
        auto s = fake_logon(mapi);
        auto reg = s.advise([](const mapixx::session_event&) {});
        REQUIRE(reg.has_value());
        CHECK(reg->events() == 0x80000001u);
        // Status changes were asked for: the status table is advised all the same.
        CHECK(reg->status_table_events() == 0x100u);
        auto want = advise_calls("0x80000001");
        want.insert(want.begin(), "IMAPISession::Advise cb=0 entryid=null mask=0x80000201");
        CHECK(journal_tail(5) == want);
        // Asked for nothing else, there is nothing to ask again: the refusal is the answer.
        auto only_status = s.advise([](const mapixx::session_event&) {}, 0x200);
        REQUIRE_FALSE(only_status.has_value());
        CHECK(only_status.code() == scode::invalid_parameter);
        CHECK(only_status.info().message.find("IMAPISession::Advise failed") == 0);
        CHECK(fake().journal().back() == "IMAPISession::Advise cb=0 entryid=null mask=0x00000200");
    }

    TEST_CASE("logoff unadvises every registration before Logoff and ends each sink once") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        auto s = fake_logon(mapi);
        std::vector<mapixx::session_event> a_events, b_events;
        auto a = s.advise([&](const mapixx::session_event& e) { a_events.push_back(e); }).value();
        auto b = s.advise([&](const mapixx::session_event& e) { b_events.push_back(e); }).value();
        CHECK(a.connection() == 100u);
        CHECK(b.connection() == 101u);
        const mw::advise_connection kept = b.release();  // now only the session knows it
        CHECK(kept == 101u);
        CHECK(mw::advise_sink_object::live_count() == 2);
        mapixx::sync_wait(s.logoff());
        const auto j = fake().journal();
        // Every Unadvise, then every status table released, and only then Logoff (MAPI-REFERENCE 4.4).
        CHECK(journal_tail(8) == std::vector<std::string>{
                                     "IMAPITable(status)::Unadvise connection=500 sink_refs=1",
                                     "IMAPISession::Unadvise connection=100 sink_refs=0",
                                     "IMAPITable(status)::Unadvise connection=501 sink_refs=1",
                                     "IMAPISession::Unadvise connection=101 sink_refs=0",
                                     "IMAPITable(status)::Release refs=0",
                                     "IMAPITable(status)::Release refs=0",
                                     "IMAPISession::Logoff ui=0x0 flags=0x00000000 reserved=0",
                                     "IMAPISession::Release refs=0",
                                 });
        REQUIRE(a_events.size() == 1);
        REQUIRE(b_events.size() == 1);
        CHECK(a_events[0].kind == mapixx::session_event_kind::session_ended);
        CHECK(a_events[0].code == scode::end_of_session);
        CHECK_FALSE(a_events[0].shared_logoff);
        CHECK(a_events[0].message == "the session was logged off");
        CHECK(mw::advise_sink_object::live_count() == 0);
        CHECK(a.unadvise().code() == scode::end_of_session);
        CHECK(s.unadvise(kept).code() == scode::end_of_session);
        CHECK(s.advise([](const mapixx::session_event&) {}).code() == scode::end_of_session);
        CHECK(fake().journal().size() == j.size());  // nothing reached MAPI after the Release
    }

    TEST_CASE("session::unadvise removes a released connection, unknown ones and empty sinks are refused") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        auto s = fake_logon(mapi);
        CHECK(s.advise(mapixx::advise_sink{}).code() == scode::invalid_parameter);
        CHECK(s.unadvise(7).code() == scode::not_found);
        auto reg = s.advise([](const mapixx::session_event&) {}).value();
        const mw::advise_connection c = reg.release();
        CHECK(s.unadvise(c).has_value());
        CHECK(journal_tail(3) == unadvise_calls(500, 100));
        CHECK(s.unadvise(c).code() == scode::not_found);
        // Moving a registration onto another unadvises the one it replaces.
        auto first = s.advise([](const mapixx::session_event&) {}).value();
        auto second = s.advise([](const mapixx::session_event&) {}).value();
        first = std::move(second);
        CHECK(journal_tail(3) == unadvise_calls(501, 101));
        CHECK(first.connection() == 102u);
        CHECK(first.status_table_connection() == 502u);
        CHECK(mw::advise_sink_object::live_count() == 1);
    }
}

namespace {

// Row `index` of expected_status_rows() with a new PR_STATUS_CODE and PR_STATUS_STRING, as the
// fake's table notifications change it.
mapixx::property_bag changed_row(std::size_t index, std::uint32_t status, const char* status_string) {
    mapixx::property_bag row = expected_status_rows()[index];
    CHECK(row.set(mapixx::pr::status_code, static_cast<std::int32_t>(status)).has_value());
    CHECK(row.set(mapixx::pr::status_string, std::string(status_string)).has_value());
    return row;
}

} // namespace

TEST_SUITE("win32/session.hpp: status table notifications") {
    TEST_CASE("a status row change reaches the sink as status_row_modified with the row's columns") {
        bool ansi = false;
        SUBCASE("the table opened with MAPI_UNICODE") {}
        SUBCASE("the table opened without MAPI_UNICODE (PT_STRING8 columns)") { ansi = true; }
        fresh f;
        if (ansi) fake().set("status_no_unicode", 1);
        advised_session a;
        const std::vector<mapixx::session_event>& events = a.events;
        CHECK(a.reg.status_table_events() == 0x100u);
        if (ansi) {
            // The table was opened without MAPI_UNICODE: PT_STRING8 columns, the same bags.
            CHECK(count_prefix(fake().journal(), "IMAPISession::GetStatusTable flags=0x00000000") == 1);
            CHECK(contains(fake().journal(), "IMAPITable(status)::SetColumns flags=0x00000000 0x30000003 0x0FFE0003 "
                                             "0x3E030003 0x3E040003 0x30090003 0x3E020003 0x3001001E 0x3006001E "
                                             "0x300A001E 0x3E08001E 0x3E00001E"));
        }

        CHECK(fake().notify_status_table(1) == 1);  // TABLE_ROW_MODIFIED of the transport's row
        REQUIRE(events.size() == 1);
        CHECK(events[0].kind == mapixx::session_event_kind::status_row_modified);
        CHECK(events[0].message == "a status row changed");
        // STATUS_AVAILABLE | STATUS_INBOUND_ENABLED | STATUS_OUTBOUND_ENABLED | STATUS_OUTBOUND_ACTIVE
        const mapixx::property_bag sending = changed_row(3, 0x00310001, "sending 1 message");
        INFO("got\n" << mapixx::to_string(mapixx::status_rows{events[0].row}));
        CHECK(events[0].row == sending);

        CHECK(fake().notify_status_table(2) == 1);  // TABLE_ROW_ADDED: a fax transport
        REQUIRE(events.size() == 2);
        CHECK(events[1].kind == mapixx::session_event_kind::status_row_modified);
        CHECK(events[1].message == "a status row was added");
        CHECK(events[1].row.get_i4(mapixx::pr::rowid) == 4);
        CHECK(events[1].row.get_i4(mapixx::pr::resource_type) == static_cast<std::int32_t>(MAPI_TRANSPORT_PROVIDER));
        CHECK(events[1].row.get_string(mapixx::pr::display_name) == std::optional<std::string_view>("Fax"));
        CHECK(events[1].row.get_string(mapixx::pr::provider_dll_name) == std::optional<std::string_view>("FAXXP32.DLL"));
        CHECK_FALSE(events[1].row.contains(mapixx::pr::status_string));  // PT_ERROR in the row: absent
        CHECK(events[1].row.size() == 9);
        CHECK(fake().journal().back() == "IMAPITable(status) OnNotify(2) returned 0");
        CHECK(fake().live_buffers() == 0);
    }

    TEST_CASE("TABLE_ROW_DELETED, TABLE_CHANGED, TABLE_RELOAD, TABLE_ERROR and TABLE_SORT_DONE give nothing") {
        fresh f;
        advised_session a;
        // Five ignored events, then a TABLE_ROW_MODIFIED of the spooler's row in the same OnNotify.
        CHECK(fake().notify_status_table(3) == 1);
        REQUIRE(a.events.size() == 1);
        CHECK(a.events[0].kind == mapixx::session_event_kind::status_row_modified);
        CHECK(a.events[0].row == changed_row(1, 0x00400001, "flushing"));  // STATUS_OUTBOUND_FLUSH
    }

    TEST_CASE("unadvise, the registration's destructor and session::unadvise stop table notifications") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        auto s = fake_logon(mapi);
        int calls = 0;
        auto sink = [&](const mapixx::session_event&) { ++calls; };
        auto reg = s.advise(sink).value();
        CHECK(fake().notify_status_table(1) == 1);
        CHECK(calls == 1);
        CHECK(reg.unadvise().has_value());
        CHECK(journal_tail(3) == unadvise_calls(500, 100));
        CHECK(fake().notify_status_table(1) == 0);  // the table is gone with its sink
        CHECK(calls == 1);
        {
            auto scoped = s.advise(sink).value();
            CHECK(fake().notify_status_table(1) == 1);
            CHECK(calls == 2);
        }
        CHECK(journal_tail(3) == unadvise_calls(501, 101));
        const mw::advise_connection kept = s.advise(sink).value().release();
        CHECK(kept == 102u);
        CHECK(fake().notify_status_table(1) == 1);  // a released connection keeps its table
        CHECK(calls == 3);
        CHECK(s.unadvise(kept).has_value());
        CHECK(journal_tail(3) == unadvise_calls(502, 102));
        CHECK(fake().notify_status_table(1) == 0);
        CHECK(calls == 3);
        CHECK(mw::advise_sink_object::live_count() == 0);
        CHECK(fake().live_objects() == 1);  // only the session
    }

    TEST_CASE("nothing from the status table follows session_ended, and logoff releases the table before Logoff") {
        fresh f;
        advised_session a;
        CHECK(fake().notify(1) == 1);  // a status-object change, then a critical error: session_ended
        REQUIRE(a.events.size() == 2);
        CHECK(a.events[1].kind == mapixx::session_event_kind::session_ended);
        CHECK(fake().notify_status_table(1) == 1);  // still advised, but the sink has ended
        CHECK(a.events.size() == 2);
        mapixx::sync_wait(a.s.logoff());
        CHECK(a.events.size() == 2);  // no second session_ended at the logoff
        CHECK(journal_tail(5) == std::vector<std::string>{
                                     "IMAPITable(status)::Unadvise connection=500 sink_refs=1",
                                     "IMAPISession::Unadvise connection=100 sink_refs=0",
                                     "IMAPITable(status)::Release refs=0",
                                     "IMAPISession::Logoff ui=0x0 flags=0x00000000 reserved=0",
                                     "IMAPISession::Release refs=0",
                                 });
        CHECK(fake().notify_status_table(1) == 0);
        CHECK(a.reg.unadvise().code() == scode::end_of_session);
        CHECK(mw::advise_sink_object::live_count() == 0);
    }

    TEST_CASE("a failing GetStatusTable leaves the session-level advise working and is reported") {
        fresh f;
        fake().set("status_table_result", 0x80004005);  // E_FAIL (Wine-like)
        advised_session a;  // advise succeeds
        mw::advise_registration& reg = a.reg;
        CHECK(reg.connection() == 100u);
        CHECK(reg.events() == 0x80000201u);
        CHECK(reg.status_table_events() == 0u);
        CHECK(reg.status_table_connection() == 0u);
        const mapixx::result<void>& why = reg.status_table_result();
        REQUIRE_FALSE(why.has_value());
        CHECK(why.code() == scode::call_failed);
        CHECK(why.info().message == "IMAPISession::GetStatusTable failed with MAPI_E_CALL_FAILED (0x80004005)");
        CHECK(count_prefix(fake().journal(), "IMAPITable(status)") == 0);
        CHECK(fake().notify(1) == 1);  // the session-level connection delivers
        CHECK(a.events.size() == 2);
        CHECK(reg.unadvise().has_value());
        CHECK(fake().journal().back() == "IMAPISession::Unadvise connection=100 sink_refs=0");
        CHECK(count_prefix(fake().journal(), "IMAPITable(status)") == 0);

        fake().set("status_table_result", 0x80040119);  // MAPI_E_EXTENDED_ERROR: the session explains
        auto again = a.s.advise([](const mapixx::session_event&) {}).value();
        CHECK(again.status_table_result().code() == scode::extended_error);
        CHECK(again.status_table_result().info().message.find("the profile store is read-only") != std::string::npos);
        CHECK(fake().journal().back() == "IMAPISession::GetLastError hr=0x80040119 flags=0x80000000");
        CHECK(fake().live_buffers() == 0);
    }

    TEST_CASE("a failing IMAPITable::Advise or SetColumns is reported and the table released at once") {
        fresh f;
        fake().set("status_advise_result", 0x80040102);  // MAPI_E_NO_SUPPORT: a table without notifications
        advised_session a;
        mw::session& s = a.s;
        const mw::advise_registration& reg = a.reg;
        auto sink = [](const mapixx::session_event&) {};
        CHECK(reg.status_table_events() == 0u);
        CHECK(reg.status_table_result().code() == scode::no_support);
        CHECK(reg.status_table_result().info().message ==
              "IMAPITable::Advise of the status table failed with MAPI_E_NO_SUPPORT (0x80040102)");
        CHECK(reg.status_table_result().info().component == "mapixx.win32.advise");
        CHECK(journal_tail(2) == std::vector<std::string>{"IMAPITable(status)::Advise mask=0x00000100",
                                                         "IMAPITable(status)::Release refs=0"});
        CHECK(fake().notify(2) == 1);  // the session-level connection delivers
        CHECK(a.events.size() == 2);

        fake().set("status_advise_result", 0x80040119);  // MAPI_E_EXTENDED_ERROR: the table explains
        auto extended = s.advise(sink).value();
        CHECK(extended.status_table_result().code() == scode::extended_error);
        CHECK(extended.status_table_result().info().message.find("the profile store is read-only") != std::string::npos);
        CHECK(journal_tail(3) == std::vector<std::string>{"IMAPITable(status)::Advise mask=0x00000100",
                                                         "IMAPITable(status)::GetLastError hr=0x80040119 flags=0x80000000",
                                                         "IMAPITable(status)::Release refs=0"});

        fake().set("status_advise_result", 0);
        fake().set("status_setcolumns_result", 0x8004010B);  // MAPI_E_BUSY
        auto busy = s.advise(sink).value();
        CHECK(busy.status_table_result().code() == scode::busy);
        CHECK(busy.status_table_result().info().message.find("IMAPITable::SetColumns of the status table failed") == 0);
        CHECK(count_prefix(fake().journal(), "IMAPITable(status)::Advise") == 2);  // not asked after SetColumns failed
        CHECK(fake().journal().back() == "IMAPITable(status)::Release refs=0");
        CHECK(fake().live_objects() == 1);  // only the session: no table is kept
        CHECK(fake().live_buffers() == 0);
    }

    TEST_CASE("a mask without status events opens no status table") {
        fresh f;
        auto mapi = mw::initialize(fake_options()).value();
        auto s = fake_logon(mapi);
        auto reg = s.advise([](const mapixx::session_event&) {}, fnevCriticalError | fnevExtended).value();
        CHECK(reg.events() == 0x80000001u);
        CHECK(reg.status_table_events() == 0u);
        CHECK(reg.status_table_result().has_value());
        CHECK(fake().journal().back() == "IMAPISession::Advise cb=0 entryid=null mask=0x80000001");
        CHECK(count_prefix(fake().journal(), "IMAPISession::GetStatusTable") == 0);
        // fnevTableModified alone asks for status changes too.
        auto table_only = s.advise([](const mapixx::session_event&) {}, fnevCriticalError | fnevTableModified).value();
        CHECK(table_only.status_table_events() == 0x100u);
    }
}
