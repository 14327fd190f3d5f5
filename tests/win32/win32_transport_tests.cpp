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

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
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
long live_buffers = 0;
SCODE STDMETHODCALLTYPE test_allocate(ULONG cb, LPVOID* out)
{
    *out = std::malloc(cb == 0 ? 1 : cb);
    ++live_buffers;
    return S_OK;
}
SCODE STDMETHODCALLTYPE test_allocate_more(ULONG, LPVOID, LPVOID*) { return MAPI_E_NO_SUPPORT; }
ULONG STDMETHODCALLTYPE test_free(LPVOID p)
{
    if (p != nullptr) {
        std::free(p);
        --live_buffers;
    }
    return 0;
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
