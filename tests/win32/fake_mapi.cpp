// SPDX-License-Identifier: MIT
//
// A fake MAPI DLL for the win32 backend's tests under Wine. It exports the entry points the
// backend loads (fake_mapi.def gives their names: MAPIAdminProfiles and MAPIFreeBuffer only in
// the decorated form Name@N, so the loader's fallback is exercised), implements minimal
// IMAPISession, IProfAdmin, IMsgServiceAdmin(2) and IMAPITable objects on the SDK vtables of
// MinGW-w64's mapix.h, and writes every call it receives to a journal that the test program
// reads through fake_journal(). fake_set() changes what the calls return.
#include <windows.h>
#include <mapix.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

std::string g_journal;
std::map<std::string, unsigned long> g_settings;
long g_live_objects = 0;
long g_live_buffers = 0;
long g_init_depth = 0;

unsigned long setting(const char* name, unsigned long fallback) {
    auto it = g_settings.find(name);
    return it == g_settings.end() ? fallback : it->second;
}

std::string hex(unsigned long long v, int width = 8) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%0*llX", width, v);
    return buf;
}

void log(const std::string& line) {
    g_journal += line;
    g_journal += '\n';
}

// A string argument as the journal shows it: null, "a:" + the bytes (ANSI), or "u16:" + the
// UTF-16 code units in hex.
std::string repr(const void* p, bool unicode) {
    if (p == nullptr) return "null";
    if (!unicode) return std::string("a:") + static_cast<const char*>(p);
    std::string out = "u16:";
    for (const wchar_t* w = static_cast<const wchar_t*>(p); *w != 0; ++w) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(*w));
        if (out.size() > 4) out += ' ';
        out += buf;
    }
    return out;
}

SCODE allocate(ULONG size, void** out) {
    *out = std::calloc(1, size == 0 ? 1 : size);
    if (*out == nullptr) return MAPI_E_NOT_ENOUGH_MEMORY;
    ++g_live_buffers;
    return S_OK;
}

bool same_iid(REFIID a, const IID& b) { return std::memcmp(&a, &b, sizeof(IID)) == 0; }

const IID iid_unknown = {0x00000000, 0x0000, 0x0000, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
const IID iid_session = {0x00020300, 0x0000, 0x0000, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
const IID iid_profadmin = {0x0002031C, 0x0000, 0x0000, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
const IID iid_svcadmin = {0x0002031D, 0x0000, 0x0000, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
const IID iid_svcadmin2 = {0x00020387, 0x0000, 0x0000, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};

// A MAPIERROR in one MAPIAllocateBuffer block, with UTF-16 strings (GetLastError with
// MAPI_UNICODE) or ANSI ones.
HRESULT make_error(ULONG flags, LPMAPIERROR* out) {
    const bool unicode = (flags & MAPI_UNICODE) != 0;
    const wchar_t* msg_w = L"fake provider: the profile store is read-only \u00e9";
    const wchar_t* comp_w = L"fake_mapi";
    const char* msg_a = "fake provider: the profile store is read-only";
    const char* comp_a = "fake_mapi";
    const size_t msg_bytes = unicode ? (std::wcslen(msg_w) + 1) * 2 : std::strlen(msg_a) + 1;
    const size_t comp_bytes = unicode ? (std::wcslen(comp_w) + 1) * 2 : std::strlen(comp_a) + 1;
    void* block = nullptr;
    if (allocate(static_cast<ULONG>(sizeof(MAPIERROR) + msg_bytes + comp_bytes), &block) != S_OK) return MAPI_E_NOT_ENOUGH_MEMORY;
    auto* e = static_cast<MAPIERROR*>(block);
    char* text = static_cast<char*>(block) + sizeof(MAPIERROR);
    std::memcpy(text, unicode ? static_cast<const void*>(msg_w) : msg_a, msg_bytes);
    std::memcpy(text + msg_bytes, unicode ? static_cast<const void*>(comp_w) : comp_a, comp_bytes);
    e->ulVersion = 0;
    e->lpszError = reinterpret_cast<LPTSTR>(text);
    e->lpszComponent = reinterpret_cast<LPTSTR>(text + msg_bytes);
    e->ulLowLevelError = 0x1234;
    e->ulContext = 77;
    *out = e;
    return S_OK;
}

// Every method of an interface answers MAPI_E_NO_SUPPORT unless a fake overrides it: the SDK's
// method-list macros declare them all, with this body.
#define FAKE_NO_SUPPORT { return MAPI_E_NO_SUPPORT; }

struct table_base : IMAPITable {
    MAPI_IMAPITABLE_METHODS(FAKE_NO_SUPPORT)
};
struct session_base : IMAPISession {
    MAPI_IMAPISESSION_METHODS(FAKE_NO_SUPPORT)
};
struct profadmin_base : IProfAdmin {
    MAPI_IPROFADMIN_METHODS(FAKE_NO_SUPPORT)
};
struct svcadmin_base : IMsgServiceAdmin {
    MAPI_IMSGSERVICEADMIN_METHODS(FAKE_NO_SUPPORT)
};

// Reference counting shared by the fakes; `name` goes into the journal.
template <class Base>
struct counted : Base {
    ULONG refs = 1;
    const char* name;
    explicit counted(const char* n) : name(n) { ++g_live_objects; }
    virtual ~counted() { --g_live_objects; }
    ULONG STDMETHODCALLTYPE AddRef() override { return ++refs; }
    ULONG STDMETHODCALLTYPE Release() override {
        const ULONG left = --refs;
        log(std::string(name) + "::Release refs=" + std::to_string(left));
        if (left == 0) delete this;
        return left;
    }
};

struct fake_table final : counted<table_base> {
    std::vector<MAPIUID> rows;
    size_t next = 0;
    fake_table() : counted("IMAPITable") {}
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID, LPVOID* out) override {
        *out = nullptr;
        return E_NOINTERFACE;
    }
    HRESULT STDMETHODCALLTYPE SetColumns(LPSPropTagArray cols, ULONG) override {
        if (cols == nullptr || cols->cValues != 1 || cols->aulPropTag[0] != PR_SERVICE_UID) return MAPI_E_BAD_COLUMN;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE QueryRows(LONG count, ULONG, LPSRowSet* out) override {
        size_t n = rows.size() - next;
        if (count >= 0 && static_cast<size_t>(count) < n) n = static_cast<size_t>(count);
        void* block = nullptr;
        allocate(static_cast<ULONG>(sizeof(SRowSet) + n * sizeof(SRow)), &block);
        auto* set = static_cast<SRowSet*>(block);
        set->cRows = static_cast<ULONG>(n);
        for (size_t i = 0; i < n; ++i) {
            void* props = nullptr;
            allocate(sizeof(SPropValue) + sizeof(MAPIUID), &props);
            auto* v = static_cast<SPropValue*>(props);
            auto* bytes = reinterpret_cast<BYTE*>(v + 1);
            std::memcpy(bytes, &rows[next + i], sizeof(MAPIUID));
            v->ulPropTag = PR_SERVICE_UID;
            v->Value.bin.cb = sizeof(MAPIUID);
            v->Value.bin.lpb = bytes;
            set->aRow[i].cValues = 1;
            set->aRow[i].lpProps = v;
        }
        next += n;
        *out = set;
        return S_OK;
    }
};

std::vector<MAPIUID> g_service_list;  // the profile's services, shared by every admin object

struct fake_svcadmin final : counted<svcadmin_base> {
    std::vector<MAPIUID>& services = g_service_list;
    fake_svcadmin() : counted("IMsgServiceAdmin") {}
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID iid, LPVOID* out) override;
    HRESULT STDMETHODCALLTYPE GetMsgServiceTable(ULONG flags, LPMAPITABLE* out) override {
        log("IMsgServiceAdmin::GetMsgServiceTable flags=" + hex(flags));
        auto* t = new fake_table;
        t->rows = services;
        *out = t;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE CreateMsgService(LPTSTR service, LPTSTR display, ULONG_PTR ui, ULONG flags) override {
        log("IMsgServiceAdmin::CreateMsgService service=" + repr(service, false) + " display=" + repr(display, false) +
            " ui=" + hex(ui, 1) + " flags=" + hex(flags));
        add_service();
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE DeleteMsgService(LPMAPIUID uid) override {
        log("IMsgServiceAdmin::DeleteMsgService uid0=" + hex(uid->ab[0], 2));
        for (auto it = services.begin(); it != services.end(); ++it) {
            if (std::memcmp(&*it, uid, sizeof(MAPIUID)) == 0) {
                services.erase(it);
                return S_OK;
            }
        }
        return MAPI_E_NOT_FOUND;
    }
    HRESULT STDMETHODCALLTYPE MsgServiceTransportOrder(ULONG count, LPMAPIUID list, ULONG flags) override {
        std::string line = "IMsgServiceAdmin::MsgServiceTransportOrder count=" + std::to_string(count) + " flags=" + hex(flags);
        for (ULONG i = 0; i < count; ++i) line += " " + hex(list[i].ab[0], 2);
        log(line);
        return S_OK;
    }
    MAPIUID add_service() {
        MAPIUID u{};
        for (int i = 0; i < 16; ++i) u.ab[i] = static_cast<BYTE>(0x40 + services.size() + i);
        services.push_back(u);
        return u;
    }
};

// IMsgServiceAdmin2 on the same object: a second vtable, as a real MAPI object would offer it.
struct fake_svcadmin2 final : IMsgServiceAdmin {
    fake_svcadmin* outer;
    explicit fake_svcadmin2(fake_svcadmin* o) : outer(o) {}
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID iid, LPVOID* out) override { return outer->QueryInterface(iid, out); }
    ULONG STDMETHODCALLTYPE AddRef() override { return outer->AddRef(); }
    ULONG STDMETHODCALLTYPE Release() override { return outer->Release(); }
    MAPI_IMSGSERVICEADMIN_METHODS(FAKE_NO_SUPPORT)
    virtual HRESULT STDMETHODCALLTYPE CreateMsgServiceEx(LPTSTR service, LPTSTR display, ULONG_PTR ui, ULONG flags,
                                                         LPMAPIUID out) {
        log("IMsgServiceAdmin2::CreateMsgServiceEx service=" + repr(service, false) + " display=" +
            repr(display, false) + " ui=" + hex(ui, 1) + " flags=" + hex(flags));
        *out = outer->add_service();
        return S_OK;
    }
};

std::map<fake_svcadmin*, fake_svcadmin2*> g_second_vtables;

HRESULT STDMETHODCALLTYPE fake_svcadmin::QueryInterface(REFIID iid, LPVOID* out) {
    *out = nullptr;
    if (same_iid(iid, iid_unknown) || same_iid(iid, iid_svcadmin)) {
        *out = static_cast<IMsgServiceAdmin*>(this);
    } else if (same_iid(iid, iid_svcadmin2) && setting("admin2", 1) != 0) {
        auto& second = g_second_vtables[this];
        if (second == nullptr) second = new fake_svcadmin2(this);
        *out = second;
    } else {
        return E_NOINTERFACE;
    }
    AddRef();
    return S_OK;
}

IMsgServiceAdmin* new_svcadmin() { return new fake_svcadmin; }

struct fake_profadmin final : counted<profadmin_base> {
    fake_profadmin() : counted("IProfAdmin") {}
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID iid, LPVOID* out) override {
        *out = nullptr;
        if (!same_iid(iid, iid_unknown) && !same_iid(iid, iid_profadmin)) return E_NOINTERFACE;
        *out = this;
        AddRef();
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE GetLastError(HRESULT hr, ULONG flags, LPMAPIERROR* out) override {
        log("IProfAdmin::GetLastError hr=" + hex(static_cast<ULONG>(hr)) + " flags=" + hex(flags));
        return make_error(flags, out);
    }
    HRESULT STDMETHODCALLTYPE CreateProfile(LPTSTR name, LPTSTR password, ULONG_PTR ui, ULONG flags) override {
        log("IProfAdmin::CreateProfile name=" + repr(name, false) + " password=" + repr(password, false) +
            " ui=" + hex(ui, 1) + " flags=" + hex(flags));
        if (setting("extended_error", 0) != 0) return MAPI_E_EXTENDED_ERROR;
        return static_cast<HRESULT>(setting("create_result", S_OK));
    }
    HRESULT STDMETHODCALLTYPE DeleteProfile(LPTSTR name, ULONG flags) override {
        log("IProfAdmin::DeleteProfile name=" + repr(name, false) + " flags=" + hex(flags));
        return MAPI_E_NOT_FOUND;
    }
    HRESULT STDMETHODCALLTYPE SetDefaultProfile(LPTSTR name, ULONG flags) override {
        log("IProfAdmin::SetDefaultProfile name=" + repr(name, false) + " flags=" + hex(flags));
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE AdminServices(LPTSTR name, LPTSTR password, ULONG_PTR ui, ULONG flags,
                                            LPSERVICEADMIN* out) override {
        log("IProfAdmin::AdminServices name=" + repr(name, false) + " password=" + repr(password, false) +
            " ui=" + hex(ui, 1) + " flags=" + hex(flags) + " preset_null=" + (*out == nullptr ? "1" : "0"));
        *out = new_svcadmin();
        return S_OK;
    }
};

struct fake_session final : counted<session_base> {
    fake_session() : counted("IMAPISession") {}
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID iid, LPVOID* out) override {
        *out = nullptr;
        if (!same_iid(iid, iid_unknown) && !same_iid(iid, iid_session)) return E_NOINTERFACE;
        *out = this;
        AddRef();
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE GetLastError(HRESULT hr, ULONG flags, LPMAPIERROR* out) override {
        log("IMAPISession::GetLastError hr=" + hex(static_cast<ULONG>(hr)) + " flags=" + hex(flags));
        return make_error(flags, out);
    }
    HRESULT STDMETHODCALLTYPE QueryIdentity(ULONG* cb, LPENTRYID* out) override {
        log("IMAPISession::QueryIdentity");
        void* block = nullptr;
        allocate(6, &block);
        std::memcpy(block, "\0\0\0\0id", 6);
        *cb = 6;
        *out = static_cast<LPENTRYID>(block);
        return MAPI_W_NO_SERVICE;
    }
    HRESULT STDMETHODCALLTYPE Logoff(ULONG_PTR ui, ULONG flags, ULONG reserved) override {
        log("IMAPISession::Logoff ui=" + hex(ui, 1) + " flags=" + hex(flags) + " reserved=" + std::to_string(reserved));
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE AdminServices(ULONG flags, LPSERVICEADMIN* out) override {
        log("IMAPISession::AdminServices flags=" + hex(flags));
        *out = new_svcadmin();
        return S_OK;
    }
};

} // namespace

extern "C" {

HRESULT WINAPI fake_MAPIInitialize(LPVOID init) {
    const auto* i = static_cast<const MAPIINIT_0*>(init);
    log("MAPIInitialize version=" + std::to_string(i ? i->ulVersion : 0) + " flags=" + hex(i ? i->ulFlags : 0));
    if (i != nullptr && (i->ulFlags & 0x8) != 0 && setting("reject_no_coinit", 0) != 0) return MAPI_E_UNKNOWN_FLAGS;
    const auto hr = static_cast<HRESULT>(setting("init_result", S_OK));
    if (SUCCEEDED(hr)) ++g_init_depth;
    return hr;
}

void WINAPI fake_MAPIUninitialize() {
    log("MAPIUninitialize");
    --g_init_depth;
}

HRESULT WINAPI fake_MAPILogonEx(ULONG_PTR ui, LPTSTR profile, LPTSTR password, ULONG flags, LPMAPISESSION* out) {
    const bool unicode = (flags & MAPI_UNICODE) != 0;
    log("MAPILogonEx ui=" + hex(ui, 1) + " profile=" + repr(profile, unicode) + " password=" + repr(password, unicode) +
        " flags=" + hex(flags) + " preset_null=" + (*out == nullptr ? "1" : "0"));
    const auto hr = static_cast<HRESULT>(setting("logon_result", S_OK));
    if (FAILED(hr)) return hr;  // the slot is left untouched, as Wine's MAPILogonEx does
    *out = new fake_session;
    return hr;
}

HRESULT WINAPI fake_MAPIAdminProfiles(ULONG flags, LPPROFADMIN* out) {
    log("MAPIAdminProfiles flags=" + hex(flags) + " preset_null=" + (*out == nullptr ? "1" : "0"));
    *out = new fake_profadmin;
    return S_OK;
}

SCODE WINAPI fake_MAPIAllocateBuffer(ULONG size, LPVOID* out) { return allocate(size, out); }

ULONG WINAPI fake_MAPIFreeBuffer(LPVOID p) {
    if (p != nullptr) {
        std::free(p);
        --g_live_buffers;
    }
    return 0;
}

__declspec(dllexport) void fake_set(const char* name, unsigned long value) { g_settings[name] = value; }
__declspec(dllexport) void fake_reset() {
    g_journal.clear();
    g_settings.clear();
    g_service_list.clear();
}
__declspec(dllexport) const char* fake_journal() { return g_journal.c_str(); }
__declspec(dllexport) long fake_live_objects() { return g_live_objects; }
__declspec(dllexport) long fake_live_buffers() { return g_live_buffers; }
__declspec(dllexport) long fake_init_depth() { return g_init_depth; }

} // extern "C"
