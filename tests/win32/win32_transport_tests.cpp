// SPDX-License-Identifier: MIT
//
// The transport adapter (mapixx/win32/transport_adapter.hpp) under Wine: a scripted mapixx
// transport is exported as a real XPProviderInit / IXPProvider / IXPLogon, and a fake
// IMAPISupport built on the SDK's vtable (mapispi.h) plays the spooler's call sequence of
// SPOOLER-SCENARIOS.md (S1 logon and status row, S2 TransportNotify, S3 submission, S4
// SpoolerYield and cancellation, critical sections, TransportLogoff). Both the fake and the
// transport write to one journal; the tests compare it line by line.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <mapixx/win32/transport_adapter.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

using mapixx::scode;

namespace {

std::vector<std::string> journal;
void note(std::string line) { journal.push_back(std::move(line)); }
std::string hex(unsigned long v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%lx", v);
    return buf;
}

// ---- allocators handed out by the fake support (GetMemAllocRoutines) ------------------------
// MAPIAllocateBuffer / MAPIAllocateMore / MAPIFreeBuffer semantics: a block allocated "more"
// is linked to its parent and freed with it. `live_buffers` counts every block still held.
long live_buffers = 0;
std::map<void*, std::vector<void*>> linked_blocks;
SCODE STDMETHODCALLTYPE test_allocate(ULONG cb, LPVOID* out)
{
    *out = std::malloc(cb == 0 ? 1 : cb);
    linked_blocks[*out];
    ++live_buffers;
    return S_OK;
}
SCODE STDMETHODCALLTYPE test_allocate_more(ULONG cb, LPVOID parent, LPVOID* out)
{
    auto it = linked_blocks.find(parent);
    if (it == linked_blocks.end()) {
        *out = nullptr;
        return MAPI_E_INVALID_PARAMETER;
    }
    *out = std::malloc(cb == 0 ? 1 : cb);
    it->second.push_back(*out);
    ++live_buffers;
    return S_OK;
}
ULONG STDMETHODCALLTYPE test_free(LPVOID p)
{
    if (p == nullptr) {
        return 0;
    }
    auto it = linked_blocks.find(p);
    REQUIRE_MESSAGE(it != linked_blocks.end(), "MAPIFreeBuffer of a block that is not a MAPI buffer");
    for (void* child : it->second) {
        std::free(child);
        --live_buffers;
    }
    linked_blocks.erase(it);
    std::free(p);
    --live_buffers;
    return 0;
}

// One property value as text, for comparing what the adapter passed: "TAG=value" with the tag
// in hex; strings as ASCII, binaries as their byte count and bytes, booleans as T/F.
std::string describe(const SPropValue& v)
{
    std::string out = hex(v.ulPropTag) + "=";
    switch (PROP_TYPE(v.ulPropTag)) {
    case PT_LONG: return out + std::to_string(v.Value.l);
    case PT_BOOLEAN: return out + (v.Value.b ? "T" : "F");
    case PT_STRING8: return out + (v.Value.lpszA ? v.Value.lpszA : "(null)");
    case PT_UNICODE: {
        if (v.Value.lpszW == nullptr) return out + "(null)";
        for (const wchar_t* w = v.Value.lpszW; *w != 0; ++w) out += static_cast<char>(*w);
        return out;
    }
    case PT_BINARY: {
        out += std::to_string(v.Value.bin.cb) + ":";
        for (ULONG i = 0; i != v.Value.bin.cb && i < 8; ++i) out += hex(v.Value.bin.lpb[i]) + ",";
        return out;
    }
    case PT_SYSTIME: return out + "time";
    default: return out + "?";
    }
}
// An ADRENTRY's values as sorted text lines.
std::vector<std::string> describe(const ADRENTRY& e)
{
    std::vector<std::string> out;
    for (ULONG i = 0; i != e.cValues; ++i) out.push_back(describe(e.rgPropVals[i]));
    std::sort(out.begin(), out.end());
    return out;
}
std::string join(const std::vector<std::string>& lines)
{
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}
bool has_line(const std::vector<std::string>& lines, const std::string& line)
{
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define MAPIXX_TEST_NO_SUPPORT { return MAPI_E_NO_SUPPORT; }

// Every IMAPISupport method answers MAPI_E_NO_SUPPORT unless the fake overrides it.
struct support_defaults : IMAPISupport {
    MAPI_IMAPISUPPORT_METHODS1(MAPIXX_TEST_NO_SUPPORT)
    MAPI_IMAPISUPPORT_METHODS2(MAPIXX_TEST_NO_SUPPORT)
    MAPI_IMAPISUPPORT_METHODS3(MAPIXX_TEST_NO_SUPPORT)
};
// Every IMessage method answers MAPI_E_NO_SUPPORT unless the fake overrides it.
struct message_defaults : IMessage {
    MAPI_IMAPIPROP_METHODS(MAPIXX_TEST_NO_SUPPORT)
    MAPI_IMESSAGE_METHODS(MAPIXX_TEST_NO_SUPPORT)
};
#pragma GCC diagnostic pop

// The spooler's support object for one transport logon.
struct fake_support final : support_defaults {
    long refs = 1;
    HRESULT yield_answer = S_OK;            // what SpoolerYield returns
    std::function<void()> during_yield;      // what the spooler does while it has the CPU
    std::vector<std::vector<std::string>> reported;  // the entries of each StatusRecips
    LPPROFSECT own_section = nullptr;        // OpenProfileSection(NULL)
    LPPROFSECT service_section = nullptr;    // OpenProfileSection(service uid)
    std::vector<std::string> opened_sections;

    HRESULT STDMETHODCALLTYPE StatusRecips(LPMESSAGE, LPADRLIST list) override
    {
        note("StatusRecips n=" + std::to_string(list->cEntries));
        for (ULONG i = 0; i != list->cEntries; ++i) {
            reported.push_back(describe(list->aEntries[i]));
        }
        // MAPI frees the list on success: each value array, then the list (as FreePadrlist).
        for (ULONG i = 0; i != list->cEntries; ++i) {
            test_free(list->aEntries[i].rgPropVals);
        }
        test_free(list);
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE OpenProfileSection(LPMAPIUID uid, ULONG flags, LPPROFSECT* out) override
    {
        opened_sections.push_back((uid == nullptr ? std::string("own") : "uid:" + hex(uid->ab[0])) + " " + hex(flags));
        *out = uid == nullptr ? own_section : service_section;
        if (*out == nullptr) return MAPI_E_NOT_FOUND;
        (*out)->AddRef();
        return S_OK;
    }

    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID, LPVOID* out) override
    {
        *out = nullptr;
        return E_NOINTERFACE;
    }
    ULONG STDMETHODCALLTYPE AddRef() override { return static_cast<ULONG>(++refs); }
    ULONG STDMETHODCALLTYPE Release() override { return static_cast<ULONG>(--refs); }

    HRESULT STDMETHODCALLTYPE GetMemAllocRoutines(LPALLOCATEBUFFER* a, LPALLOCATEMORE* m, LPFREEBUFFER* f) override
    {
        *a = test_allocate;
        *m = test_allocate_more;
        *f = test_free;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE SpoolerYield(ULONG ulFlags) override
    {
        note("SpoolerYield " + hex(ulFlags));
        if (during_yield) {
            auto f = std::exchange(during_yield, nullptr);
            f();
        }
        return yield_answer;
    }
    HRESULT STDMETHODCALLTYPE SpoolerNotify(ULONG ulFlags, LPVOID lpvData) override
    {
        std::string what = ulFlags == NOTIFY_CRITSEC ? "CRITSEC" : ulFlags == NOTIFY_NONCRIT ? "NONCRIT" : hex(ulFlags);
        note("SpoolerNotify " + what + (lpvData != nullptr ? " data" : ""));
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE ModifyStatusRow(ULONG cValues, LPSPropValue vals, ULONG ulFlags) override
    {
        std::string line = "ModifyStatusRow n=" + std::to_string(cValues) +
                           (ulFlags == STATUSROW_UPDATE ? " update" : ulFlags == 0 ? " add" : " " + hex(ulFlags));
        for (ULONG i = 0; i != cValues; ++i) {
            if (vals[i].ulPropTag == PR_STATUS_CODE) {
                line += " code=" + hex(static_cast<unsigned long>(vals[i].Value.l));
            }
        }
        note(line);
        return S_OK;
    }
};

// An outbound message with PR_SUBJECT_A "hello" and a 4-byte PR_ENTRYID.
struct fake_message final : message_defaults {
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID, LPVOID* out) override
    {
        *out = nullptr;
        return E_NOINTERFACE;
    }
    ULONG STDMETHODCALLTYPE AddRef() override { return 2; }
    ULONG STDMETHODCALLTYPE Release() override { return 1; }

    HRESULT STDMETHODCALLTYPE GetProps(LPSPropTagArray, ULONG, ULONG* count, LPSPropValue* out) override
    {
        note("msg.GetProps");
        // One block, as MAPIAllocateBuffer would give: two values, then their data.
        const std::size_t size = 2 * sizeof(SPropValue) + 16 + 4;
        void* block = nullptr;
        test_allocate(static_cast<ULONG>(size), &block);
        auto* values = static_cast<SPropValue*>(block);
        char* text = reinterpret_cast<char*>(values + 2);
        std::strcpy(text, "hello");
        auto* entry = reinterpret_cast<BYTE*>(text + 16);
        for (BYTE i = 0; i != 4; ++i) {
            entry[i] = static_cast<BYTE>(i + 1);
        }
        values[0] = SPropValue{};
        values[0].ulPropTag = PROP_TAG(PT_STRING8, 0x0037);
        values[0].Value.lpszA = text;
        values[1] = SPropValue{};
        values[1].ulPropTag = PROP_TAG(PT_BINARY, 0x0FFF);
        values[1].Value.bin.cb = 4;
        values[1].Value.bin.lpb = entry;
        *count = 2;
        *out = values;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE SetProps(ULONG cValues, LPSPropValue, LPSPropProblemArray*) override
    {
        note("msg.SetProps n=" + std::to_string(cValues));
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE SaveChanges(ULONG ulFlags) override
    {
        note("msg.SaveChanges " + hex(ulFlags));
        return S_OK;
    }
};

// ---- the scripted mapixx transport -----------------------------------------------------------
class test_logon final : public mapixx::xp_logon {
public:
    using transport_logon::transport_logon;

    mapixx::task<mapixx::address_types_result> address_types() override
    {
        note("xp.address_types");
        mapixx::address_types_result r;
        r.types = {"SMTP", "X-TEST"};
        co_return r;
    }
    mapixx::task<mapixx::result<void>> transport_notify(mapixx::transport_notify_flags& flags,
                                                        mapixx::transport_notify_data data) override
    {
        note("xp.transport_notify " + hex(flags.bits()) + " ref=" + std::to_string(data.message_ref));
        if (flags.has(mapixx::transport_notify::cancel_message)) {
            cancelled_ = true;
            co_return mapixx::result<void>{};
        }
        mapixx::status_codes add;
        if (flags.has(mapixx::transport_notify::begin_inbound)) add |= mapixx::status_code::inbound_enabled;
        if (flags.has(mapixx::transport_notify::begin_outbound)) add |= mapixx::status_code::outbound_enabled;
        co_return support().update_status_code(add);
    }
    mapixx::task<mapixx::submit_result> submit_message(mapixx::submit_context& ctx) override
    {
        ctx.message_ref = 42;
        cancelled_ = false;
        note("xp.submit begin subject=" + std::string(ctx.message.props.get_string(mapixx::pr::subject_a).value_or("?")));
        const auto y = co_await support().spooler_yield();
        if (y == mapixx::yield_status::cancel_message || cancelled_) {
            note("xp.submit cancelled");
            co_return mapixx::submit_result{scode::user_cancel, 42, 0};
        }
        note("xp.submit resumed");
        {
            auto cs = co_await support().enter_critical_section();
            note("xp.critical section entered");
            static_cast<void>(support().update_status_code(mapixx::status_code::outbound_active));
            co_await support().spooler_yield();
        }
        static_cast<void>(support().update_status_code({}, mapixx::status_code::outbound_active));
        ctx.save_changes();
        note("xp.submit end");
        co_return mapixx::submit_result{scode::success, 42, 0};
    }
    mapixx::task<mapixx::result<mapixx::end_message_flags>> end_message(std::uint32_t ref) override
    {
        note("xp.end_message " + std::to_string(ref));
        co_return mapixx::end_message_flags{};
    }
    mapixx::task<void> logoff() override
    {
        note("xp.logoff");
        co_return;
    }

private:
    bool cancelled_ = false;
};

class test_provider final : public mapixx::xp_provider {
public:
    mapixx::task<mapixx::result<mapixx::xp_logon_result>> transport_logon(mapixx::spooler_support& s,
                                                                          mapixx::transport_logon_flags in) override
    {
        note("xp.transport_logon " + hex(in.bits()));
        mapixx::property_bag row;
        static_cast<void>(row.set(mapixx::pr::display_name, std::string("Test transport")));
        static_cast<void>(row.set(mapixx::pr::status_code, std::int32_t{STATUS_AVAILABLE}));
        static_cast<void>(s.modify_status_row(row, false));
        co_return mapixx::xp_logon_result{std::make_unique<test_logon>(s), mapixx::transport_logon_flag::sp_poll};
    }
};

} // namespace

MAPIXX_WIN32_XP_PROVIDER_INIT([] { return std::unique_ptr<mapixx::xp_provider>(std::make_unique<test_provider>()); })

namespace {

// The export as the spooler finds it: by name, in this program's module.
XPPROVIDERINIT* exported_init()
{
    return reinterpret_cast<XPPROVIDERINIT*>(
        reinterpret_cast<void (*)()>(GetProcAddress(GetModuleHandleW(nullptr), "XPProviderInit")));
}

// XPProviderInit + TransportLogon with LOGON_NO_INBOUND | LOGON_NO_OUTBOUND, as the spooler does.
struct logged_on {
    fake_support support;
    LPXPPROVIDER provider = nullptr;
    LPXPLOGON logon = nullptr;
    ULONG out_flags = 0;

    logged_on()
    {
        journal.clear();
        XPPROVIDERINIT* init = exported_init();
        REQUIRE(static_cast<bool>(init));
        ULONG version = 0;
        REQUIRE(init(nullptr, nullptr, test_allocate, test_allocate_more, test_free, 0, CURRENT_SPI_VERSION, &version,
                     &provider) == S_OK);
        REQUIRE(version == static_cast<ULONG>(CURRENT_SPI_VERSION));
        REQUIRE(provider != nullptr);
        out_flags = LOGON_NO_INBOUND | LOGON_NO_OUTBOUND;
        LPMAPIERROR err = reinterpret_cast<LPMAPIERROR>(&out_flags);  // must be reset to null
        REQUIRE(provider->TransportLogon(&support, 0, nullptr, &out_flags, &err, &logon) == S_OK);
        REQUIRE(logon != nullptr);
        CHECK(err == nullptr);
    }
    ~logged_on()
    {
        if (logon != nullptr) logon->Release();
        if (provider != nullptr) provider->Release();
    }
};

} // namespace

TEST_CASE("transport adapter: the spooler's sequence of S1-S4 reaches the coroutines and back, in order")
{
    logged_on s;
    CHECK(s.out_flags == LOGON_SP_POLL);
    CHECK(s.support.refs == 2);  // the logon keeps the support

    ULONG flags = 0, ntypes = 0, nuids = 7;
    LPTSTR* types = nullptr;
    LPMAPIUID* uids = nullptr;
    REQUIRE(s.logon->AddressTypes(&flags, &ntypes, &types, &nuids, &uids) == S_OK);
    REQUIRE(ntypes == 2);
    CHECK(nuids == 0);
    CHECK(uids == nullptr);
#if defined(UNICODE)
    CHECK(flags == MAPI_UNICODE);
    CHECK(std::wstring(types[0]) == L"SMTP");
    CHECK(std::wstring(types[1]) == L"X-TEST");
#else
    CHECK(flags == 0);
    CHECK(std::string(types[0]) == "SMTP");
    CHECK(std::string(types[1]) == "X-TEST");
#endif

    ULONG notify = NOTIFY_BEGIN_INBOUND | NOTIFY_BEGIN_OUTBOUND;
    CHECK(s.logon->TransportNotify(&notify, nullptr) == S_OK);
    CHECK(notify == (NOTIFY_BEGIN_INBOUND | NOTIFY_BEGIN_OUTBOUND));

    fake_message msg;
    ULONG ref = 99, retry = 99;
    CHECK(s.logon->SubmitMessage(0, &msg, &ref, &retry) == S_OK);
    CHECK(ref == 42);
    CHECK(retry == 0);
    CHECK(live_buffers == 0);  // GetProps' array was freed with the support's FreeBuffer

    ULONG end = 99;
    CHECK(s.logon->EndMessage(ref, &end) == S_OK);
    CHECK(end == 0);
    CHECK(s.logon->TransportLogoff(0) == S_OK);

    const std::vector<std::string> expected{
        "xp.transport_logon 0x18",
        "ModifyStatusRow n=2 add code=0x1",
        "xp.address_types",
        "xp.transport_notify 0x3 ref=0",
        "ModifyStatusRow n=1 update code=0x110001",
        "msg.GetProps",
        "xp.submit begin subject=hello",
        "SpoolerYield 0x0",
        "xp.submit resumed",
        "xp.critical section entered",
        "SpoolerNotify CRITSEC",
        "ModifyStatusRow n=1 update code=0x310001",
        "SpoolerYield 0x0",
        "SpoolerNotify NONCRIT",
        "ModifyStatusRow n=1 update code=0x110001",
        "xp.submit end",
        "msg.SetProps n=2",
        "msg.SaveChanges 0x2",
        "xp.end_message 42",
        "xp.logoff",
    };
    CHECK(journal == expected);
    for (std::size_t i = 0; i < journal.size() && i < expected.size(); ++i) {
        CHECK_MESSAGE(journal[i] == expected[i], "journal line ", i);
    }

    // After TransportLogoff the logon refuses work and the support is released with it.
    fake_message again;
    CHECK(s.logon->SubmitMessage(0, &again, &ref, &retry) == MAPI_E_CALL_FAILED);
    s.logon->Release();
    s.logon = nullptr;
    CHECK(s.support.refs == 1);
}

TEST_CASE("transport adapter: MAPI_W_CANCEL_MESSAGE from SpoolerYield ends the submission with MAPI_E_USER_CANCEL")
{
    logged_on s;
    s.support.yield_answer = MAPI_W_CANCEL_MESSAGE;
    fake_message msg;
    ULONG ref = 0, retry = 0;
    CHECK(s.logon->SubmitMessage(0, &msg, &ref, &retry) == MAPI_E_USER_CANCEL);
    CHECK(ref == 42);
    const std::vector<std::string> tail(journal.end() - 4, journal.end());
    CHECK(tail == std::vector<std::string>{"msg.GetProps", "xp.submit begin subject=hello", "SpoolerYield 0x0",
                                           "xp.submit cancelled"});
}

TEST_CASE("transport adapter: TransportNotify(NOTIFY_CANCEL_MESSAGE) re-entered from inside SpoolerYield")
{
    logged_on s;
    LPXPLOGON logon = s.logon;
    s.support.during_yield = [logon] {
        ULONG f = NOTIFY_CANCEL_MESSAGE;
        ULONG ref = 42;
        CHECK(logon->TransportNotify(&f, reinterpret_cast<LPVOID*>(&ref)) == S_OK);
        CHECK(f == NOTIFY_CANCEL_MESSAGE);
    };
    fake_message msg;
    ULONG ref = 0, retry = 0;
    CHECK(s.logon->SubmitMessage(0, &msg, &ref, &retry) == MAPI_E_USER_CANCEL);
    const std::vector<std::string> tail(journal.end() - 4, journal.end());
    CHECK(tail == std::vector<std::string>{"xp.submit begin subject=hello", "SpoolerYield 0x0",
                                           "xp.transport_notify 0x80000000 ref=42", "xp.submit cancelled"});
}

TEST_CASE("transport adapter: XPProviderInit negotiates the SPI version and returns a new provider per call")
{
    XPPROVIDERINIT* init = exported_init();
    REQUIRE(static_cast<bool>(init));
    ULONG version = 0;
    LPXPPROVIDER p = reinterpret_cast<LPXPPROVIDER>(&version);
    CHECK(init(nullptr, nullptr, test_allocate, test_allocate_more, test_free, 0, PDK1_SPI_VERSION, &version, &p) ==
          MAPI_E_VERSION);
    CHECK(version == static_cast<ULONG>(CURRENT_SPI_VERSION));
    CHECK(p == nullptr);

    LPXPPROVIDER a = nullptr, b = nullptr;
    REQUIRE(init(nullptr, nullptr, nullptr, nullptr, nullptr, 0, CURRENT_SPI_VERSION, &version, &a) == S_OK);
    REQUIRE(init(nullptr, nullptr, nullptr, nullptr, nullptr, 0, CURRENT_SPI_VERSION, &version, &b) == S_OK);
    CHECK(a != b);
    void* q = nullptr;
    CHECK(a->QueryInterface(mapixx::win32::iid_xp_provider, &q) == S_OK);
    CHECK(q == a);
    CHECK(a->Release() == 1);
    CHECK(a->QueryInterface(mapixx::win32::iid_xp_logon, &q) == E_NOINTERFACE);
    ULONG sd = 5;
    CHECK(a->Shutdown(&sd) == S_OK);
    CHECK(sd == 0);
    CHECK(a->Release() == 0);
    CHECK(b->Release() == 0);
}

// ---- recipients, attachments, NDRs and session-style providers (issue 10) --------------------
namespace {

// A property for the fakes, built into MAPI memory without the library's conversions.
struct pv {
    ULONG tag = 0;
    LONG l = 0;
    std::wstring w;
    std::vector<BYTE> bin;
};
pv i4(ULONG id, LONG v) { pv p; p.tag = PROP_TAG(PT_LONG, id); p.l = v; return p; }
pv flag(ULONG id, bool v) { pv p; p.tag = PROP_TAG(PT_BOOLEAN, id); p.l = v ? 1 : 0; return p; }
pv text(ULONG id, std::wstring v) { pv p; p.tag = PROP_TAG(PT_UNICODE, id); p.w = std::move(v); return p; }
pv bytes(ULONG id, std::vector<BYTE> v) { pv p; p.tag = PROP_TAG(PT_BINARY, id); p.bin = std::move(v); return p; }
pv error(ULONG id, SCODE e) { pv p; p.tag = PROP_TAG(PT_ERROR, id); p.l = e; return p; }

LPSPropValue build(const std::vector<pv>& props)
{
    LPVOID block = nullptr;
    test_allocate(static_cast<ULONG>(sizeof(SPropValue) * (props.empty() ? 1 : props.size())), &block);
    auto* out = static_cast<LPSPropValue>(block);
    for (std::size_t i = 0; i != props.size(); ++i) {
        const pv& p = props[i];
        out[i] = SPropValue{};
        out[i].ulPropTag = p.tag;
        switch (PROP_TYPE(p.tag)) {
        case PT_LONG: out[i].Value.l = p.l; break;
        case PT_BOOLEAN: out[i].Value.b = static_cast<unsigned short>(p.l); break;
        case PT_ERROR: out[i].Value.err = p.l; break;
        case PT_UNICODE: {
            LPVOID m = nullptr;
            test_allocate_more(static_cast<ULONG>((p.w.size() + 1) * sizeof(wchar_t)), block, &m);
            std::memcpy(m, p.w.c_str(), (p.w.size() + 1) * sizeof(wchar_t));
            out[i].Value.lpszW = static_cast<LPWSTR>(m);
            break;
        }
        case PT_BINARY: {
            LPVOID m = nullptr;
            test_allocate_more(static_cast<ULONG>(p.bin.size()), block, &m);
            if (!p.bin.empty()) std::memcpy(m, p.bin.data(), p.bin.size());
            out[i].Value.bin.cb = static_cast<ULONG>(p.bin.size());
            out[i].Value.bin.lpb = static_cast<LPBYTE>(m);
            break;
        }
        default: break;
        }
    }
    return out;
}

std::vector<BYTE> pattern(std::size_t n, int seed)
{
    std::vector<BYTE> v(n);
    for (std::size_t i = 0; i != n; ++i) v[i] = static_cast<BYTE>((i * 7 + static_cast<std::size_t>(seed)) & 0xFF);
    return v;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
struct table_defaults : IMAPITable {
    MAPI_IMAPITABLE_METHODS(MAPIXX_TEST_NO_SUPPORT)
};
struct attach_defaults : IAttach {
    MAPI_IMAPIPROP_METHODS(MAPIXX_TEST_NO_SUPPORT)
};
struct section_defaults : IProfSect {
    MAPI_IMAPIPROP_METHODS(MAPIXX_TEST_NO_SUPPORT)
};
#pragma GCC diagnostic pop

// Reference counting of the fakes: objects live on the test's stack; the count is checked.
#define MAPIXX_TEST_REFS                                                                      \
    long refs = 1;                                                                            \
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID, LPVOID* out) override                    \
    {                                                                                         \
        *out = nullptr;                                                                       \
        return E_NOINTERFACE;                                                                 \
    }                                                                                         \
    ULONG STDMETHODCALLTYPE AddRef() override { return static_cast<ULONG>(++refs); }          \
    ULONG STDMETHODCALLTYPE Release() override { return static_cast<ULONG>(--refs); }

// A table whose rows are handed out by QueryRows in batches of at most 2 (to test paging).
struct fake_table final : table_defaults {
    MAPIXX_TEST_REFS
    std::vector<std::vector<pv>> rows;
    std::size_t next = 0;
    HRESULT STDMETHODCALLTYPE QueryRows(LONG count, ULONG, LPSRowSet* out) override
    {
        std::size_t n = std::min<std::size_t>({static_cast<std::size_t>(count), std::size_t{2}, rows.size() - next});
        LPVOID block = nullptr;
        test_allocate(static_cast<ULONG>(offsetof(SRowSet, aRow) + (n == 0 ? 1 : n) * sizeof(SRow)), &block);
        auto* set = static_cast<LPSRowSet>(block);
        set->cRows = static_cast<ULONG>(n);
        for (std::size_t i = 0; i != n; ++i, ++next) {
            set->aRow[i].ulAdrEntryPad = 0;
            set->aRow[i].cValues = static_cast<ULONG>(rows[next].size());
            set->aRow[i].lpProps = build(rows[next]);
        }
        *out = set;
        return S_OK;
    }
};

// A stream over `data` (reading) or into `written` (writing).
struct fake_stream final : IStream {
    MAPIXX_TEST_REFS
    std::vector<BYTE> data;
    std::size_t pos = 0;
    std::vector<BYTE>* written = nullptr;
    bool* committed = nullptr;
    HRESULT STDMETHODCALLTYPE Read(void* pv, ULONG cb, ULONG* got) override
    {
        const std::size_t n = std::min<std::size_t>(cb, data.size() - pos);
        if (n != 0) std::memcpy(pv, data.data() + pos, n);
        pos += n;
        if (got != nullptr) *got = static_cast<ULONG>(n);
        return n < cb ? S_FALSE : S_OK;
    }
    HRESULT STDMETHODCALLTYPE Write(const void* pv, ULONG cb, ULONG* wrote) override
    {
        // At most 5000 bytes per call, so the adapter must loop.
        const ULONG n = std::min<ULONG>(cb, 5000);
        const auto* p = static_cast<const BYTE*>(pv);
        written->insert(written->end(), p, p + n);
        if (wrote != nullptr) *wrote = n;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE Seek(LARGE_INTEGER, DWORD, ULARGE_INTEGER*) override { return E_NOTIMPL; }
    HRESULT STDMETHODCALLTYPE SetSize(ULARGE_INTEGER) override { return E_NOTIMPL; }
    HRESULT STDMETHODCALLTYPE CopyTo(IStream*, ULARGE_INTEGER, ULARGE_INTEGER*, ULARGE_INTEGER*) override
    {
        return E_NOTIMPL;
    }
    HRESULT STDMETHODCALLTYPE Commit(DWORD) override
    {
        if (committed != nullptr) *committed = true;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE Revert() override { return E_NOTIMPL; }
    HRESULT STDMETHODCALLTYPE LockRegion(ULARGE_INTEGER, ULARGE_INTEGER, DWORD) override { return E_NOTIMPL; }
    HRESULT STDMETHODCALLTYPE UnlockRegion(ULARGE_INTEGER, ULARGE_INTEGER, DWORD) override { return E_NOTIMPL; }
    HRESULT STDMETHODCALLTYPE Stat(STATSTG*, DWORD) override { return E_NOTIMPL; }
    HRESULT STDMETHODCALLTYPE Clone(IStream**) override { return E_NOTIMPL; }
};

// An attachment: `props` for GetProps; `stream_data` behind OpenProperty(PR_ATTACH_DATA_BIN).
// A created one records SetProps, the stream written and SaveChanges.
struct fake_attach final : attach_defaults {
    MAPIXX_TEST_REFS
    std::vector<pv> props;
    std::vector<BYTE> stream_data;
    std::vector<std::string> set;
    std::vector<BYTE> set_data;       // PR_ATTACH_DATA_BIN given to SetProps
    std::vector<BYTE> streamed;       // written through the stream
    bool committed = false;
    ULONG saved = 99;
    fake_stream stream;

    HRESULT STDMETHODCALLTYPE GetProps(LPSPropTagArray, ULONG, ULONG* count, LPSPropValue* out) override
    {
        *count = static_cast<ULONG>(props.size());
        *out = build(props);
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE OpenProperty(ULONG tag, LPCIID iid, ULONG, ULONG flags, LPUNKNOWN* out) override
    {
        note("attach.OpenProperty " + hex(tag) + " " + hex(flags));
        if (tag != PR_ATTACH_DATA_BIN || !IsEqualIID(*iid, mapixx::win32::iid_stream)) return MAPI_E_NO_SUPPORT;
        stream.data = stream_data;
        stream.pos = 0;
        stream.written = &streamed;
        stream.committed = &committed;
        stream.AddRef();
        *out = &stream;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE SetProps(ULONG n, LPSPropValue vals, LPSPropProblemArray*) override
    {
        for (ULONG i = 0; i != n; ++i) {
            set.push_back(describe(vals[i]));
            if (vals[i].ulPropTag == PR_ATTACH_DATA_BIN) {
                set_data.assign(vals[i].Value.bin.lpb, vals[i].Value.bin.lpb + vals[i].Value.bin.cb);
            }
        }
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE SaveChanges(ULONG f) override
    {
        saved = f;
        return S_OK;
    }
};

// A message with a recipient table and attachments, recording what is written to it.
struct rich_message final : message_defaults {
    MAPIXX_TEST_REFS
    std::vector<std::vector<pv>> recipients;
    std::vector<fake_attach*> attachments;          // outbound: opened by number
    std::vector<std::unique_ptr<fake_attach>> created;  // inbound
    std::vector<std::pair<ULONG, std::vector<std::vector<std::string>>>> modified;  // ModifyRecipients
    std::vector<std::string> set;
    fake_table recipient_table, attachment_table;

    HRESULT STDMETHODCALLTYPE GetProps(LPSPropTagArray, ULONG flags, ULONG* count, LPSPropValue* out) override
    {
        note("msg.GetProps " + hex(flags));
        const std::vector<pv> props{text(0x0037, L"quarterly report"), bytes(0x0FFF, {9, 8, 7})};
        *count = static_cast<ULONG>(props.size());
        *out = build(props);
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE GetRecipientTable(ULONG flags, LPMAPITABLE* out) override
    {
        note("msg.GetRecipientTable " + hex(flags));
        recipient_table.rows = recipients;
        recipient_table.next = 0;
        recipient_table.AddRef();
        *out = &recipient_table;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE GetAttachmentTable(ULONG flags, LPMAPITABLE* out) override
    {
        note("msg.GetAttachmentTable " + hex(flags));
        attachment_table.rows.clear();
        for (std::size_t i = 0; i != attachments.size(); ++i) {
            attachment_table.rows.push_back({i4(0x0E21, static_cast<LONG>(i)), i4(0x3000, static_cast<LONG>(i))});
        }
        attachment_table.next = 0;
        attachment_table.AddRef();
        *out = &attachment_table;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE OpenAttach(ULONG num, LPCIID, ULONG, LPATTACH* out) override
    {
        note("msg.OpenAttach " + std::to_string(num));
        if (num >= attachments.size()) return MAPI_E_NOT_FOUND;
        attachments[num]->AddRef();
        *out = attachments[num];
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE CreateAttach(LPCIID, ULONG, ULONG* num, LPATTACH* out) override
    {
        note("msg.CreateAttach");
        created.push_back(std::make_unique<fake_attach>());
        *num = static_cast<ULONG>(created.size() - 1);
        created.back()->AddRef();
        *out = created.back().get();
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE ModifyRecipients(ULONG flags, LPADRLIST list) override
    {
        note("msg.ModifyRecipients " + hex(flags) + " n=" + std::to_string(list->cEntries));
        std::vector<std::vector<std::string>> entries;
        for (ULONG i = 0; i != list->cEntries; ++i) entries.push_back(describe(list->aEntries[i]));
        modified.emplace_back(flags, std::move(entries));
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE SetProps(ULONG n, LPSPropValue vals, LPSPropProblemArray*) override
    {
        note("msg.SetProps n=" + std::to_string(n));
        for (ULONG i = 0; i != n; ++i) set.push_back(describe(vals[i]));
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE SaveChanges(ULONG f) override
    {
        note("msg.SaveChanges " + hex(f));
        return S_OK;
    }
};

// A profile section: `props` for GetProps; SetProps and SaveChanges recorded.
struct fake_section final : section_defaults {
    MAPIXX_TEST_REFS
    std::vector<pv> props;
    std::vector<std::string> set;
    ULONG saved = 99;
    HRESULT STDMETHODCALLTYPE GetProps(LPSPropTagArray, ULONG, ULONG* count, LPSPropValue* out) override
    {
        *count = static_cast<ULONG>(props.size());
        *out = build(props);
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE SetProps(ULONG n, LPSPropValue vals, LPSPropProblemArray*) override
    {
        for (ULONG i = 0; i != n; ++i) set.push_back(describe(vals[i]));
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE SaveChanges(ULONG f) override
    {
        saved = f;
        return S_OK;
    }
};

// ---- a transport whose every step the test scripts ------------------------------------------
struct script {
    std::function<mapixx::submit_result(mapixx::submit_context&)> submit;
    mapixx::end_message_flags end{};
    std::function<void(mapixx::inbound_message&)> start;
    std::vector<std::string> outcomes;
};
script* current = nullptr;

class scripted_logon final : public mapixx::xp_logon {
public:
    using transport_logon::transport_logon;
    [[nodiscard]] mapixx::transport_logon_flags logon_flags() const override
    {
        return mapixx::transport_logon_flag::sp_idle;
    }
    mapixx::task<mapixx::address_types_result> address_types() override
    {
        mapixx::address_types_result r;
        r.types = {"smtp"};  // matched without regard to case
        co_return r;
    }
    mapixx::task<mapixx::submit_result> submit_message(mapixx::submit_context& ctx) override
    {
        co_await support().spooler_yield();  // the working copy survives a suspension
        co_return current->submit(ctx);
    }
    mapixx::task<mapixx::result<mapixx::end_message_flags>> end_message(std::uint32_t) override
    {
        co_return current->end;
    }
    mapixx::task<mapixx::result<void>> start_message(mapixx::inbound_message& msg) override
    {
        current->start(msg);
        co_return mapixx::result<void>{};
    }
    mapixx::task<void> inbound_outcome(std::uint32_t ref, mapixx::result<void> stored) override
    {
        current->outcomes.push_back(std::to_string(ref) + (stored ? " stored" : " refused"));
        co_return;
    }
};

class scripted_provider final : public mapixx::xp_provider {
public:
    mapixx::task<mapixx::result<mapixx::xp_logon_result>> transport_logon(mapixx::spooler_support& s,
                                                                          mapixx::transport_logon_flags) override
    {
        co_return mapixx::xp_logon_result{std::make_unique<scripted_logon>(s), {}};
    }
};

// XPProviderInit (through xp_provider_init) + TransportLogon + AddressTypes.
struct scripted_session {
    fake_support support;
    LPXPPROVIDER provider = nullptr;
    LPXPLOGON logon = nullptr;

    scripted_session()
    {
        journal.clear();
        ULONG version = 0;
        REQUIRE(mapixx::win32::xp_provider_init([] { return std::make_unique<scripted_provider>(); }, 0,
                                                CURRENT_SPI_VERSION, &version, &provider) == S_OK);
        ULONG flags = LOGON_NO_INBOUND | LOGON_NO_OUTBOUND;
        LPMAPIERROR err = nullptr;
        REQUIRE(provider->TransportLogon(&support, 0, nullptr, &flags, &err, &logon) == S_OK);
        ULONG f = 0, nt = 0, nu = 0;
        LPTSTR* types = nullptr;
        LPMAPIUID* uids = nullptr;
        REQUIRE(logon->AddressTypes(&f, &nt, &types, &nu, &uids) == S_OK);
    }
    ~scripted_session()
    {
        if (logon != nullptr) logon->Release();
        if (provider != nullptr) provider->Release();
    }
};

// Four recipients: three SMTP (one upper case), one FAX (another transport's).
std::vector<std::vector<pv>> four_recipients()
{
    auto row = [](LONG rowid, const wchar_t* name, const wchar_t* type, const wchar_t* address, LONG kind) {
        return std::vector<pv>{i4(0x3000, rowid),       text(0x3001, name),       text(0x3002, type),
                               text(0x3003, address),   i4(0x0C15, kind),         flag(0x0E0F, false),
                               bytes(0x0FFF, {0, 0, 0, 0, static_cast<BYTE>(rowid)}), error(0x3A20, MAPI_E_NOT_FOUND)};
    };
    return {row(10, L"Alice", L"SMTP", L"alice@example.org", MAPI_TO),
            row(11, L"Bob", L"smtp", L"bob@example.org", MAPI_CC),
            row(12, L"Fax Office", L"FAX", L"+1555", MAPI_TO),
            row(13, L"Carol", L"SMTP", L"carol@example.org", MAPI_BCC)};
}

} // namespace

TEST_CASE("transport adapter: SubmitMessage hands over recipients and attachments - one undeliverable row goes "
          "to StatusRecips, the handled rows get PR_RESPONSIBILITY")
{
    rich_message msg;
    msg.recipients = four_recipients();
    fake_attach small, large;
    small.props = {i4(0x0E21, 0), i4(0x3705, ATTACH_BY_VALUE), text(0x3704, L"notes.txt"),
                   text(0x370E, L"text/plain"), bytes(0x3701, pattern(100, 1))};
    large.props = {i4(0x0E21, 1), i4(0x3705, ATTACH_BY_VALUE), text(0x3707, L"photo.jpg"),
                   error(0x3701, MAPI_E_NOT_ENOUGH_MEMORY)};
    large.stream_data = pattern(40000, 2);
    msg.attachments = {&small, &large};

    struct seen_row {
        std::string name, address, type;
        std::int32_t kind;
        bool responsible;
    };
    std::vector<seen_row> seen;
    std::vector<mapixx::property_bag> seen_attachments;
    std::vector<mapixx::property_bag> seen_in_message;  // outbound_message::attachments
    script sc;
    sc.submit = [&](mapixx::submit_context& ctx) {
        ctx.message_ref = 7;
        for (const auto& r : ctx.message.recipients) {
            seen.push_back({std::string(r.get_string(mapixx::pr::display_name).value_or("?")),
                            std::string(r.get_string(mapixx::pr::email_address).value_or("?")),
                            std::string(r.get_string(mapixx::pr::addrtype).value_or("?")),
                            r.get_i4(mapixx::pr::recipient_type).value_or(-1),
                            r.get_bool(mapixx::pr::responsibility).value_or(true)});
        }
        seen_attachments = mapixx::win32::submitted_attachments(ctx);
        seen_in_message = ctx.message.attachments;
        CHECK(ctx.mark_undeliverable(1, "bob@example.org: mailbox unavailable"));
        return mapixx::submit_result{scode::success, 7, 0};
    };
    current = &sc;
    {
        scripted_session s;
        ULONG ref = 0, retry = 0;
        REQUIRE(s.logon->SubmitMessage(0, &msg, &ref, &retry) == S_OK);
        CHECK(ref == 7);

        // What the transport saw: every row, the FAX one (another address type) already handled.
        REQUIRE(seen.size() == 4);
        CHECK(seen[0].name == "Alice");
        CHECK(seen[0].address == "alice@example.org");
        CHECK(seen[0].type == "SMTP");
        CHECK(seen[0].kind == MAPI_TO);
        CHECK(seen[1].name == "Bob");
        CHECK(seen[1].kind == MAPI_CC);
        CHECK(seen[3].kind == MAPI_BCC);
        CHECK(seen[2].type == "FAX");
        CHECK(!seen[0].responsible);
        CHECK(!seen[1].responsible);
        CHECK(seen[2].responsible);
        CHECK(!seen[3].responsible);
        // ... and both attachments with their bytes (the large one read through its stream).
        REQUIRE(seen_attachments.size() == 2);
        CHECK(seen_attachments[0].get_string(mapixx::pr::attach_filename).value_or("") == "notes.txt");
        CHECK(seen_attachments[0].get_string(mapixx::pr::attach_mime_tag).value_or("") == "text/plain");
        CHECK(seen_attachments[0].get_i4(mapixx::pr::attach_num).value_or(-1) == 0);
        REQUIRE(seen_attachments[0].get_binary(mapixx::pr::attach_data_bin) != nullptr);
        const auto little = pattern(100, 1);
        CHECK(*seen_attachments[0].get_binary(mapixx::pr::attach_data_bin) == mapixx::binary(little.begin(), little.end()));
        CHECK(seen_attachments[1].get_string(mapixx::pr::attach_long_filename).value_or("") == "photo.jpg");
        REQUIRE(seen_attachments[1].get_binary(mapixx::pr::attach_data_bin) != nullptr);
        const auto big = pattern(40000, 2);
        CHECK(*seen_attachments[1].get_binary(mapixx::pr::attach_data_bin) == mapixx::binary(big.begin(), big.end()));
        // The working copy itself carries the same rows (what a portable transport reads).
        CHECK(seen_in_message == seen_attachments);
        CHECK(small.refs == 1);
        CHECK(large.refs == 1);
        CHECK(large.stream.refs == 1);

        // Exactly the marked row went to StatusRecips, with its reason and the NDR columns.
        REQUIRE(s.support.reported.size() == 1);
        const auto& bob = s.support.reported[0];
        CHECK(has_line(bob, "0x3001001f=Bob"));
        CHECK(has_line(bob, "0x3003001f=bob@example.org"));
        CHECK(has_line(bob, "0xc150003=2"));
        CHECK(has_line(bob, "0x30000003=11"));
        CHECK(has_line(bob, "0x1001001f=bob@example.org: mailbox unavailable"));
        CHECK(has_line(bob, "0xe0f000b=T"));
        CHECK(has_line(bob, "0xc040003=0"));
        CHECK(has_line(bob, "0xc050003=-1"));
        CHECK(has_line(bob, "0x320040=time"));

        // The transport's three rows, whole, with PR_RESPONSIBILITY TRUE (MODRECIP_MODIFY); the
        // FAX row untouched.
        REQUIRE(msg.modified.size() == 1);
        CHECK(msg.modified[0].first == MODRECIP_MODIFY);
        const auto& rows = msg.modified[0].second;
        REQUIRE(rows.size() == 3);
        CHECK(has_line(rows[0], "0x30000003=10"));
        CHECK(has_line(rows[1], "0x30000003=11"));
        CHECK(has_line(rows[2], "0x30000003=13"));
        CHECK(has_line(rows[2], "0x3003001f=carol@example.org"));
        CHECK(has_line(rows[2], "0xc150003=3"));
        CHECK(has_line(rows[2], "0xfff0102=5:0x0,0x0,0x0,0x0,0xd,"));
        for (const auto& r : rows) {
            CHECK(has_line(r, "0xe0f000b=T"));
            CHECK(!has_line(r, "0xe0f000b=F"));
            CHECK(r.size() == 7);  // the PT_ERROR column is not sent back
        }

        const std::vector<std::string> expected{
            "msg.GetProps 0x80000000",
            "msg.GetRecipientTable 0x80000000",
            "msg.GetAttachmentTable 0x80000000",
            "msg.OpenAttach 0",
            "msg.OpenAttach 1",
            "attach.OpenProperty 0x37010102 0x0",
            "SpoolerYield 0x0",
            "StatusRecips n=1",
            "msg.ModifyRecipients 0x4 n=3",
            "msg.SaveChanges 0x2",
        };
        CHECK(join(journal) == join(expected));
        CHECK(msg.refs == 2);  // kept until EndMessage

        ULONG end = 99;
        CHECK(s.logon->EndMessage(7, &end) == S_OK);
        CHECK(end == 0);
        CHECK(msg.modified.size() == 1);  // sent: nothing to undo
        CHECK(msg.refs == 1);
    }
    CHECK(msg.recipient_table.refs == 1);
    CHECK(msg.attachment_table.refs == 1);
    CHECK(live_buffers == 0);  // rows, property arrays and the StatusRecips list all freed
}

TEST_CASE("transport adapter: a resent message gets its rows back, per-recipient handling marks only those rows")
{
    SUBCASE("END_RESEND_LATER: the rows marked at SubmitMessage are FALSE again, the reported one stays")
    {
        rich_message msg;
        msg.recipients = four_recipients();
        script sc;
        sc.submit = [](mapixx::submit_context& ctx) {
            ctx.message_ref = 3;
            static_cast<void>(ctx.mark_undeliverable(0, "no such user"));
            return mapixx::submit_result{scode::success, 3, 0};
        };
        sc.end = mapixx::end_message_flag::resend_later;
        current = &sc;
        scripted_session s;
        ULONG ref = 0, retry = 0;
        REQUIRE(s.logon->SubmitMessage(0, &msg, &ref, &retry) == S_OK);
        REQUIRE(msg.modified.size() == 1);
        CHECK(msg.modified[0].second.size() == 3);  // rows 0 (reported), 1, 3
        ULONG end = 0;
        REQUIRE(s.logon->EndMessage(3, &end) == S_OK);
        CHECK(end == END_RESEND_LATER);
        REQUIRE(msg.modified.size() == 2);
        CHECK(msg.modified[1].first == MODRECIP_MODIFY);
        const auto& back = msg.modified[1].second;
        REQUIRE(back.size() == 2);
        CHECK(has_line(back[0], "0x30000003=11"));
        CHECK(has_line(back[1], "0x30000003=13"));
        CHECK(has_line(back[0], "0xe0f000b=F"));
        CHECK(has_line(back[1], "0xe0f000b=F"));
        CHECK(journal.back() == "msg.SaveChanges 0x2");
        CHECK(s.support.reported.size() == 1);
    }
    SUBCASE("the transport marks one row handled and defers the rest (END_DONT_RESEND)")
    {
        rich_message msg;
        msg.recipients = four_recipients();
        script sc;
        sc.submit = [](mapixx::submit_context& ctx) {
            ctx.message_ref = 4;
            static_cast<void>(ctx.message.recipients[3].set(mapixx::pr::responsibility, true));
            return mapixx::submit_result{scode::success, 4, 0};
        };
        sc.end = mapixx::end_message_flag::dont_resend;
        current = &sc;
        scripted_session s;
        ULONG ref = 0, retry = 0;
        REQUIRE(s.logon->SubmitMessage(0, &msg, &ref, &retry) == S_OK);
        REQUIRE(msg.modified.size() == 1);
        REQUIRE(msg.modified[0].second.size() == 1);
        CHECK(has_line(msg.modified[0].second[0], "0x30000003=13"));
        ULONG end = 0;
        REQUIRE(s.logon->EndMessage(4, &end) == S_OK);
        CHECK(end == END_DONT_RESEND);
        CHECK(msg.modified.size() == 1);  // Carol stays handled, Alice and Bob wait
        CHECK(s.support.reported.empty());
    }
    SUBCASE("an error from the transport changes no recipient")
    {
        rich_message msg;
        msg.recipients = four_recipients();
        script sc;
        sc.submit = [](mapixx::submit_context& ctx) {
            static_cast<void>(ctx.mark_undeliverable(0, "ignored"));
            return mapixx::submit_result{scode::network_error, 0, 30};
        };
        current = &sc;
        scripted_session s;
        ULONG ref = 0, retry = 0;
        CHECK(s.logon->SubmitMessage(0, &msg, &ref, &retry) == MAPI_E_NETWORK_ERROR);
        CHECK(retry == 30);
        CHECK(msg.modified.empty());
        CHECK(s.support.reported.empty());
        CHECK(msg.refs == 1);
    }
    CHECK(live_buffers == 0);
}

TEST_CASE("transport adapter: StartMessage writes the inbound recipients and attachments into the spooler's message")
{
    rich_message msg;
    const auto small = pattern(300, 3);
    const auto large = pattern(70000, 4);  // above the stream threshold: written through a stream
    script sc;
    sc.start = [&](mapixx::inbound_message& m) {
        m.message_ref = 21;
        static_cast<void>(m.props.set(mapixx::pr::subject, std::string("inbound")));
        mapixx::property_bag to, cc;
        static_cast<void>(to.set(mapixx::pr::display_name, std::string("Dana")));
        static_cast<void>(to.set(mapixx::pr::email_address, std::string("dana@example.org")));
        static_cast<void>(to.set(mapixx::pr::addrtype, std::string("SMTP")));
        static_cast<void>(to.set(mapixx::pr::recipient_type, std::int32_t{MAPI_TO}));
        static_cast<void>(to.set(mapixx::pr::rowid, std::int32_t{5}));
        static_cast<void>(cc.set(mapixx::pr::display_name, std::string("Eve")));
        static_cast<void>(cc.set(mapixx::pr::recipient_type, std::int32_t{MAPI_CC}));
        m.recipients = {to, cc};
        mapixx::property_bag a, b;
        static_cast<void>(a.set(mapixx::pr::attach_num, std::int32_t{0}));
        static_cast<void>(a.set(mapixx::pr::attach_method, std::int32_t{ATTACH_BY_VALUE}));
        static_cast<void>(a.set(mapixx::pr::attach_filename, std::string("a.txt")));
        static_cast<void>(a.set(mapixx::pr::attach_data_bin, mapixx::binary(small.begin(), small.end())));
        static_cast<void>(b.set(mapixx::pr::attach_num, std::int32_t{1}));
        static_cast<void>(b.set(mapixx::pr::attach_long_filename, std::string("b.bin")));
        static_cast<void>(b.set(mapixx::pr::attach_data_bin, mapixx::binary(large.begin(), large.end())));
        m.attachments = {a, b};
        m.save_changes();
    };
    current = &sc;
    {
        scripted_session s;
        ULONG ref = 0;
        REQUIRE(s.logon->StartMessage(0, &msg, &ref) == S_OK);
        CHECK(ref == 21);
        CHECK(sc.outcomes == std::vector<std::string>{"21 stored"});

        REQUIRE(msg.modified.size() == 1);
        CHECK(msg.modified[0].first == MODRECIP_ADD);
        const auto& rows = msg.modified[0].second;
        REQUIRE(rows.size() == 2);
        CHECK(rows[0] == std::vector<std::string>{"0x3001001f=Dana", "0x3002001f=SMTP", "0x3003001f=dana@example.org",
                                                  "0xc150003=1"});  // no PR_ROWID
        CHECK(rows[1] == std::vector<std::string>{"0x3001001f=Eve", "0xc150003=2"});

        REQUIRE(msg.created.size() == 2);
        const fake_attach& first = *msg.created[0];
        CHECK(has_line(first.set, "0x3704001f=a.txt"));
        CHECK(has_line(first.set, "0x37050003=1"));
        CHECK(!has_line(first.set, "0xe210003=0"));  // PR_ATTACH_NUM is the message's to assign
        CHECK(first.set_data == small);
        CHECK(first.streamed.empty());
        CHECK(first.saved == 0);
        CHECK(first.refs == 1);
        const fake_attach& second = *msg.created[1];
        CHECK(has_line(second.set, "0x3707001f=b.bin"));
        CHECK(second.set_data.empty());
        CHECK(second.streamed == large);
        CHECK(second.committed);
        CHECK(second.saved == 0);
        CHECK(second.refs == 1);
        CHECK(second.stream.refs == 1);

        const std::vector<std::string> expected{
            "msg.ModifyRecipients 0x2 n=2",
            "msg.CreateAttach",
            "msg.CreateAttach",
            "attach.OpenProperty 0x37010102 0x3",
            "msg.SetProps n=1",
            "msg.SaveChanges 0x0",
        };
        CHECK(join(journal) == join(expected));
        CHECK(msg.set == std::vector<std::string>{"0x37001f=inbound"});
    }
    CHECK(live_buffers == 0);
}

namespace {

// A session-style transport provider (provider_context), exported through XPProviderInit.
struct context_seen {
    std::string profile, display, provider_display, dll, service_name, service_display, path;
    bool dialog = true, service_process = false, same_support = false, read_only_refused = false;
    std::uintptr_t ui = 0;
    int attempt = 0;
    std::uint32_t resource_flags = 0;
};
context_seen last_context;

class session_style_transport final : public mapixx::transport_provider {
public:
    mapixx::task<mapixx::result<std::unique_ptr<mapixx::transport_logon>>> logon(mapixx::provider_context& ctx) override
    {
        context_seen& c = last_context;
        c.profile = std::string(ctx.profile_name);
        c.display = ctx.provider.display_name;
        c.provider_display = ctx.provider.provider_display;
        c.dll = ctx.provider.dll_name;
        c.resource_flags = ctx.provider.flags.bits();
        c.service_name = ctx.service.name;
        c.service_display = ctx.service.display_name;
        c.path = std::string(ctx.section.props().get_string(mapixx::prop_tag{0x6621, mapixx::prop_type::unicode}).value_or(""));
        c.dialog = ctx.dialog_allowed;
        c.service_process = ctx.service_process;
        c.ui = ctx.ui_param;
        c.attempt = ctx.attempt;
        c.same_support = ctx.spooler != nullptr && static_cast<mapixx::provider_support*>(ctx.spooler) == &ctx.support;
        c.read_only_refused = !ctx.section.set(mapixx::pr::resource_flags, std::int32_t{0});
        static_cast<void>(ctx.section.set(mapixx::prop_tag{0x6623, mapixx::prop_type::unicode}, std::string("logged on")));
        co_return std::unique_ptr<mapixx::transport_logon>(std::make_unique<scripted_logon>(*ctx.spooler));
    }
};

} // namespace

TEST_CASE("transport adapter: a transport_provider logs on with a provider_context built from the spooler's support")
{
    journal.clear();
    fake_section own, service;
    own.props = {text(0x3001, L"Test Transport"), text(0x3006, L"Test Provider"), text(0x300A, L"mxxtest"),
                 i4(0x3009, 0x20), bytes(0x3D0C, std::vector<BYTE>(16, 0x5A)), bytes(0x300C, std::vector<BYTE>(16, 0x11)),
                 text(0x3D09, L"MXXTEST"), text(0x6621, L"C:\\mail")};
    service.props = {text(0x3001, L"Test Service")};
    fake_support support;
    support.own_section = &own;
    support.service_section = &service;

    LPXPPROVIDER provider = nullptr;
    ULONG version = 0;
    REQUIRE(mapixx::win32::xp_provider_init([] { return std::make_unique<session_style_transport>(); },
                                            MAPI_NT_SERVICE, CURRENT_SPI_VERSION, &version, &provider) == S_OK);
    CHECK(version == static_cast<ULONG>(CURRENT_SPI_VERSION));
    std::wstring profile = L"Profil \u00e9t\u00e9";
    ULONG flags = LOGON_NO_DIALOG | LOGON_NO_INBOUND | LOGON_NO_OUTBOUND | MAPI_UNICODE;
    LPMAPIERROR err = nullptr;
    LPXPLOGON logon = nullptr;
    REQUIRE(provider->TransportLogon(&support, 0x1234, reinterpret_cast<LPTSTR>(profile.data()), &flags, &err, &logon) ==
            S_OK);
    CHECK(flags == LOGON_SP_IDLE);
    const context_seen& c = last_context;
    CHECK(c.profile == "Profil \xc3\xa9t\xc3\xa9");
    CHECK(c.display == "Test Transport");
    CHECK(c.provider_display == "Test Provider");
    CHECK(c.dll == "mxxtest");
    CHECK(c.resource_flags == 0x20);
    CHECK(c.service_name == "MXXTEST");
    CHECK(c.service_display == "Test Service");
    CHECK(c.path == "C:\\mail");
    CHECK(!c.dialog);
    CHECK(c.service_process);
    CHECK(c.ui == 0x1234);
    CHECK(c.attempt == 1);
    CHECK(c.same_support);
    CHECK(c.read_only_refused);
    CHECK(join(support.opened_sections) == join({"own 0x1", "uid:0x5a 0x0"}));
    CHECK(has_line(own.set, "0x6623001f=logged on"));
    CHECK(std::none_of(own.set.begin(), own.set.end(),  // PR_RESOURCE_FLAGS is read-only here
                       [](const std::string& l) { return l.rfind("0x30090003=", 0) == 0; }));
    CHECK(own.saved == KEEP_OPEN_READWRITE);
    CHECK(own.refs == 1);
    CHECK(service.refs == 1);

    // The logon it returned serves the spooler like any other.
    rich_message msg;
    msg.recipients = four_recipients();
    script sc;
    sc.submit = [](mapixx::submit_context& ctx) {
        ctx.message_ref = 1;
        return mapixx::submit_result{scode::success, 1, 0};
    };
    current = &sc;
    ULONG nt = 0, nu = 0, f = 0;
    LPTSTR* types = nullptr;
    LPMAPIUID* uids = nullptr;
    REQUIRE(logon->AddressTypes(&f, &nt, &types, &nu, &uids) == S_OK);
    ULONG ref = 0, retry = 0;
    CHECK(logon->SubmitMessage(0, &msg, &ref, &retry) == S_OK);
    REQUIRE(msg.modified.size() == 1);
    CHECK(msg.modified[0].second.size() == 3);
    CHECK(logon->TransportLogoff(0) == S_OK);
    CHECK(msg.refs == 1);  // TransportLogoff lets go of a message EndMessage never came for
    logon->Release();
    provider->Release();
    CHECK(support.refs == 1);
    CHECK(live_buffers == 0);
}
