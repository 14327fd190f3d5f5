// SPDX-License-Identifier: MIT
//
// A fake MAPI DLL for the win32 backend's tests under Wine. It exports the entry points the
// backend loads (fake_mapi.def gives their names: MAPIAdminProfiles and MAPIFreeBuffer only in
// the decorated form Name@N, so the loader's fallback is exercised), implements minimal
// IMAPISession, IProfAdmin, IMsgServiceAdmin(2) and IMAPITable objects on the SDK vtables of
// MinGW-w64's mapix.h, and writes every call it receives to a journal that the test program
// reads through fake_journal(). fake_set() changes what the calls return.
//
// The session also has a status table of four rows (subsystem, spooler, a store, a transport)
// that QueryRows hands out at most two at a time, and Advise / Unadvise that keep the client's
// IMAPIAdviseSink; fake_notify() calls the sinks' OnNotify as MAPI would. Each status table has
// Advise / Unadvise of its own (fnevTableModified only, as IMAPITable::Advise documents), and
// fake_notify_status_table() sends its sinks table notifications with rows in the table's
// columns.
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

void free_buffer(void* p) {
    if (p != nullptr) {
        std::free(p);
        --g_live_buffers;
    }
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

// The advise sinks of a fake that notifies (the session, a status table): Advise keeps the sink
// (AddRef) under the next connection number, Unadvise releases it, and what is left when the
// owner goes is released then. Journalled under the owner's name.
struct sink_list {
    const char* owner;
    ULONG& next_connection;
    std::map<ULONG, IMAPIAdviseSink*> sinks;
    sink_list(const char* o, ULONG& next) : owner(o), next_connection(next) {}
    sink_list(const sink_list&) = delete;
    sink_list& operator=(const sink_list&) = delete;
    ~sink_list() {
        for (auto& [connection, sink] : sinks) {
            log(std::string(owner) + ": released the sink of connection " + std::to_string(connection) + " at its end");
            sink->Release();
        }
    }
    HRESULT add(IMAPIAdviseSink* sink, ULONG* connection) {
        if (sink == nullptr || connection == nullptr) return MAPI_E_INVALID_PARAMETER;
        sink->AddRef();
        *connection = next_connection++;
        sinks[*connection] = sink;
        return S_OK;
    }
    HRESULT remove(ULONG connection) {
        auto it = sinks.find(connection);
        if (it == sinks.end()) {
            log(std::string(owner) + "::Unadvise connection=" + std::to_string(connection) + " unknown");
            return MAPI_E_NOT_FOUND;
        }
        IMAPIAdviseSink* sink = it->second;
        sinks.erase(it);
        const ULONG left = sink->Release();
        log(std::string(owner) + "::Unadvise connection=" + std::to_string(connection) + " sink_refs=" + std::to_string(left));
        return S_OK;
    }
};

// One row of the fake status table. Absent strings (null) come back as PT_ERROR values.
struct status_row_data {
    LONG rowid, resource_type, status, flags, methods;
    const wchar_t* display;
    const wchar_t* dll;
    const wchar_t* status_string;
    const wchar_t* identity;
};
const status_row_data g_status_rows[] = {
    {0, MAPI_SUBSYSTEM, STATUS_AVAILABLE, 0, STATUS_VALIDATE_STATE, L"MAPI Subsystem", L"MAPI32.DLL", nullptr, nullptr},
    {1, MAPI_SPOOLER, STATUS_AVAILABLE, 0, STATUS_VALIDATE_STATE | STATUS_FLUSH_QUEUES, L"MAPI Spooler", L"MAPISP32.EXE",
     L"idle", nullptr},
    {2, MAPI_STORE_PROVIDER, STATUS_AVAILABLE, STATUS_DEFAULT_STORE | STATUS_PRIMARY_STORE, STATUS_VALIDATE_STATE,
     L"Personal Folders", L"MSPST32.DLL", nullptr, L"Zo\u00eb Example"},
    {3, MAPI_TRANSPORT_PROVIDER, STATUS_AVAILABLE | STATUS_INBOUND_ENABLED | STATUS_OUTBOUND_ENABLED,
     STATUS_PRIMARY_IDENTITY, STATUS_VALIDATE_STATE | STATUS_SETTINGS_DIALOG | STATUS_FLUSH_QUEUES, L"Internet Mail",
     L"MINET32.DLL", L"connected", L"zoe@example.org"},
};

struct fake_status_table;
std::vector<fake_status_table*> g_status_tables;  // for fake_notify_status_table
ULONG g_next_table_connection = 500;

// The status table: SetColumns records the columns, QueryRows gives at most two rows per call
// (in MAPI memory, one block per row), each with the recorded columns in their order. Advise
// keeps the sink (AddRef) under a connection number from 500 on (counted across tables, so the
// journal tells them apart), Unadvise releases it.
struct fake_status_table final : counted<table_base> {
    std::vector<ULONG> columns;
    size_t next = 0;
    int queries = 0;
    sink_list advised{"IMAPITable(status)", g_next_table_connection};
    fake_status_table() : counted("IMAPITable(status)") { g_status_tables.push_back(this); }
    ~fake_status_table() override { std::erase(g_status_tables, this); }
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID, LPVOID* out) override {
        *out = nullptr;
        return E_NOINTERFACE;
    }
    HRESULT STDMETHODCALLTYPE SetColumns(LPSPropTagArray cols, ULONG flags) override {
        std::string line = "IMAPITable(status)::SetColumns flags=" + hex(flags);
        columns.clear();
        for (ULONG i = 0; cols != nullptr && i < cols->cValues; ++i) {
            columns.push_back(cols->aulPropTag[i]);
            line += " " + hex(cols->aulPropTag[i]);
        }
        log(line);
        return static_cast<HRESULT>(setting("status_setcolumns_result", S_OK));
    }
    HRESULT STDMETHODCALLTYPE Advise(ULONG mask, LPMAPIADVISESINK sink, ULONG* connection) override {
        log("IMAPITable(status)::Advise mask=" + hex(mask));
        const auto hr = static_cast<HRESULT>(setting("status_advise_result", S_OK));
        if (FAILED(hr)) return hr;
        if (mask != fnevTableModified) return MAPI_E_INVALID_PARAMETER;
        return advised.add(sink, connection);
    }
    HRESULT STDMETHODCALLTYPE Unadvise(ULONG connection) override { return advised.remove(connection); }
    HRESULT STDMETHODCALLTYPE GetLastError(HRESULT hr, ULONG flags, LPMAPIERROR* out) override {
        log("IMAPITable(status)::GetLastError hr=" + hex(static_cast<ULONG>(hr)) + " flags=" + hex(flags));
        return make_error(flags, out);
    }
    HRESULT STDMETHODCALLTYPE QueryRows(LONG count, ULONG flags, LPSRowSet* out) override {
        ++queries;
        const size_t total = sizeof g_status_rows / sizeof g_status_rows[0];
        size_t n = total - next;
        if (n > 2) n = 2;
        if (count >= 0 && static_cast<size_t>(count) < n) n = static_cast<size_t>(count);
        log("IMAPITable(status)::QueryRows count=" + std::to_string(count) + " flags=" + hex(flags) + " rows=" +
            std::to_string(n));
        if (static_cast<unsigned long>(queries) == setting("status_query_fails_at", 0)) return MAPI_E_CALL_FAILED;
        void* block = nullptr;
        allocate(static_cast<ULONG>(sizeof(SRowSet) + (n == 0 ? 0 : n - 1) * sizeof(SRow)), &block);
        auto* set = static_cast<SRowSet*>(block);
        set->cRows = static_cast<ULONG>(n);
        for (size_t i = 0; i < n; ++i) set->aRow[i] = make_row(g_status_rows[next + i]);
        next += n;
        *out = set;
        return S_OK;
    }
    // One allocation: the values, then the strings they point to.
    SRow make_row(const status_row_data& d) const {
        size_t text = 0;
        for (ULONG tag : columns) {
            if (const wchar_t* w = text_of(d, tag)) text += (PROP_TYPE(tag) == PT_UNICODE ? (std::wcslen(w) + 1) * 2 : std::wcslen(w) + 1);
        }
        void* block = nullptr;
        allocate(static_cast<ULONG>(columns.size() * sizeof(SPropValue) + text), &block);
        auto* values = static_cast<SPropValue*>(block);
        char* strings = reinterpret_cast<char*>(values + columns.size());
        for (size_t i = 0; i < columns.size(); ++i) {
            const ULONG tag = columns[i];
            SPropValue& v = values[i];
            v.ulPropTag = tag;
            switch (PROP_ID(tag)) {
            case PROP_ID(PR_ROWID): v.Value.l = d.rowid; continue;
            case PROP_ID(PR_OBJECT_TYPE): v.Value.l = MAPI_STATUS; continue;
            case PROP_ID(PR_RESOURCE_TYPE): v.Value.l = d.resource_type; continue;
            case PROP_ID(PR_STATUS_CODE): v.Value.l = d.status; continue;
            case PROP_ID(PR_RESOURCE_FLAGS): v.Value.l = d.flags; continue;
            case PROP_ID(PR_RESOURCE_METHODS): v.Value.l = d.methods; continue;
            default: break;
            }
            const wchar_t* w = text_of(d, tag);
            if (w == nullptr) {
                v.ulPropTag = PROP_TAG(PT_ERROR, PROP_ID(tag));
                v.Value.err = MAPI_E_NOT_FOUND;
            } else if (PROP_TYPE(tag) == PT_UNICODE) {
                const size_t bytes = (std::wcslen(w) + 1) * 2;
                std::memcpy(strings, w, bytes);
                v.Value.lpszW = reinterpret_cast<LPWSTR>(strings);
                strings += bytes;
            } else {
                char* a = strings;
                for (const wchar_t* p = w;; ++p) {
                    *strings++ = static_cast<char>(*p);
                    if (*p == 0) break;
                }
                v.Value.lpszA = a;
            }
        }
        SRow row{};
        row.cValues = static_cast<ULONG>(columns.size());
        row.lpProps = values;
        return row;
    }
    static const wchar_t* text_of(const status_row_data& d, ULONG tag) {
        switch (PROP_ID(tag)) {
        case PROP_ID(PR_DISPLAY_NAME): return d.display;
        case PROP_ID(PR_PROVIDER_DISPLAY): return d.display;
        case PROP_ID(PR_PROVIDER_DLL_NAME): return d.dll;
        case PROP_ID(PR_STATUS_STRING): return d.status_string;
        case PROP_ID(PR_IDENTITY_DISPLAY): return d.identity;
        default: return nullptr;
        }
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

struct fake_session;
std::vector<fake_session*> g_sessions;  // for fake_notify

struct fake_session final : counted<session_base> {
    ULONG next_connection = 100;
    sink_list advised{"IMAPISession", next_connection};
    fake_session() : counted("IMAPISession") { g_sessions.push_back(this); }
    ~fake_session() override { std::erase(g_sessions, this); }
    HRESULT STDMETHODCALLTYPE GetStatusTable(ULONG flags, LPMAPITABLE* out) override {
        log("IMAPISession::GetStatusTable flags=" + hex(flags) + " preset_null=" + (*out == nullptr ? "1" : "0"));
        if ((flags & MAPI_UNICODE) != 0 && setting("status_no_unicode", 0) != 0) return MAPI_E_BAD_CHARWIDTH;
        const auto hr = static_cast<HRESULT>(setting("status_table_result", S_OK));
        if (FAILED(hr)) return hr;
        *out = new fake_status_table;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE Advise(ULONG cb, LPENTRYID id, ULONG mask, LPMAPIADVISESINK sink, ULONG* connection) override {
        log("IMAPISession::Advise cb=" + std::to_string(cb) + " entryid=" + (id == nullptr ? "null" : "set") +
            " mask=" + hex(mask));
        if ((mask & fnevStatusObjectModified) != 0 && setting("advise_rejects_status", 0) != 0) {
            return MAPI_E_INVALID_PARAMETER;
        }
        return advised.add(sink, connection);
    }
    HRESULT STDMETHODCALLTYPE Unadvise(ULONG connection) override { return advised.remove(connection); }
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

// What fake_notify(1) sends in one OnNotify call: a status-object change of the transport's row
// and a critical error with a MAPIERROR (UTF-16). Everything is freed after the call, as MAPI
// frees its notifications when OnNotify returns.
void notify_status_and_error(IMAPIAdviseSink* sink) {
    static wchar_t display[] = L"Internet Mail";
    static wchar_t status_text[] = L"sending 1 message";
    static wchar_t error_text[] = L"another client logged off the shared session";
    static wchar_t component[] = L"fake_mapi";
    static BYTE entry[] = {0, 0, 0, 0, 0xAB, 0xCD, 0xEF};
    SPropValue props[3] = {};
    props[0].ulPropTag = PR_DISPLAY_NAME_W;
    props[0].Value.lpszW = display;
    props[1].ulPropTag = PR_STATUS_CODE;
    props[1].Value.l = STATUS_AVAILABLE | STATUS_OUTBOUND_ENABLED | STATUS_OUTBOUND_ACTIVE;
    props[2].ulPropTag = PR_STATUS_STRING_W;
    props[2].Value.lpszW = status_text;
    MAPIERROR error{};
    error.ulVersion = 0;
    error.lpszError = reinterpret_cast<LPTSTR>(error_text);
    error.lpszComponent = reinterpret_cast<LPTSTR>(component);
    error.ulLowLevelError = 0x42;
    NOTIFICATION n[2] = {};
    n[0].ulEventType = fnevStatusObjectModified;
    n[0].info.statobj.cbEntryID = sizeof entry;
    n[0].info.statobj.lpEntryID = reinterpret_cast<LPENTRYID>(entry);
    n[0].info.statobj.cValues = 3;
    n[0].info.statobj.lpPropVals = props;
    n[1].ulEventType = fnevCriticalError;
    n[1].info.err.scode = MAPI_E_END_OF_SESSION;
    n[1].info.err.ulFlags = MAPI_UNICODE;
    n[1].info.err.lpMAPIError = &error;
    const ULONG r = sink->OnNotify(2, n);
    log("OnNotify(status, critical error) returned " + std::to_string(r));
}

// What fake_notify_status_table sends one status table's sinks, rows in the table's columns (one
// OnNotify per sink; the rows are freed when it returns, as MAPI frees its notifications):
// 1 = TABLE_ROW_MODIFIED of the transport's row, now sending; 2 = TABLE_ROW_ADDED of a new
// transport row (row 4, "Fax"); 3 = TABLE_ROW_DELETED, TABLE_CHANGED, TABLE_RELOAD, TABLE_ERROR
// and TABLE_SORT_DONE, then TABLE_ROW_MODIFIED of the spooler's row, now flushing.
void notify_status_table(fake_status_table* table, IMAPIAdviseSink* sink, int what) {
    status_row_data sending = g_status_rows[3];
    sending.status |= STATUS_OUTBOUND_ACTIVE;
    sending.status_string = L"sending 1 message";
    const status_row_data fax = {4, MAPI_TRANSPORT_PROVIDER, STATUS_AVAILABLE | STATUS_OUTBOUND_ENABLED, 0,
                                 STATUS_VALIDATE_STATE, L"Fax", L"FAXXP32.DLL", nullptr, nullptr};
    status_row_data flushing = g_status_rows[1];
    flushing.status |= STATUS_OUTBOUND_FLUSH;
    flushing.status_string = L"flushing";
    static BYTE instance[] = {1, 2, 3, 4};
    std::vector<NOTIFICATION> n;
    auto table_event = [&](ULONG event) -> TABLE_NOTIFICATION& {
        NOTIFICATION x{};
        x.ulEventType = fnevTableModified;
        x.info.tab.ulTableEvent = event;
        x.info.tab.propIndex.ulPropTag = PR_NULL;
        x.info.tab.propPrior.ulPropTag = PR_NULL;
        n.push_back(x);
        return n.back().info.tab;
    };
    if (what == 1) table_event(TABLE_ROW_MODIFIED).row = table->make_row(sending);
    if (what == 2) table_event(TABLE_ROW_ADDED).row = table->make_row(fax);
    if (what == 3) {
        TABLE_NOTIFICATION& deleted = table_event(TABLE_ROW_DELETED);
        deleted.propIndex.ulPropTag = PR_INSTANCE_KEY;
        deleted.propIndex.Value.bin.cb = sizeof instance;
        deleted.propIndex.Value.bin.lpb = instance;
        table_event(TABLE_CHANGED);
        table_event(TABLE_RELOAD);
        table_event(TABLE_ERROR).hResult = MAPI_E_CALL_FAILED;
        table_event(TABLE_SORT_DONE);
        table_event(TABLE_ROW_MODIFIED).row = table->make_row(flushing);
    }
    const ULONG r = sink->OnNotify(static_cast<ULONG>(n.size()), n.data());
    for (const NOTIFICATION& x : n) free_buffer(x.info.tab.row.lpProps);
    log("IMAPITable(status) OnNotify(" + std::to_string(what) + ") returned " + std::to_string(r));
}

// fake_notify(2): a table notification (row added), a notification a session sink does not
// take (new mail), then an extended event.
void notify_table_and_extended(IMAPIAdviseSink* sink) {
    static wchar_t display[] = L"Fax";
    SPropValue props[2] = {};
    props[0].ulPropTag = PR_DISPLAY_NAME_W;
    props[0].Value.lpszW = display;
    props[1].ulPropTag = PR_ROWID;
    props[1].Value.l = 4;
    NOTIFICATION n[3] = {};
    n[0].ulEventType = fnevTableModified;
    n[0].info.tab.ulTableEvent = TABLE_ROW_ADDED;
    n[0].info.tab.row.cValues = 2;
    n[0].info.tab.row.lpProps = props;
    n[1].ulEventType = fnevNewMail;
    n[2].ulEventType = fnevExtended;
    n[2].info.ext.ulEvent = 5;
    const ULONG r = sink->OnNotify(3, n);
    log("OnNotify(table, new mail, extended) returned " + std::to_string(r));
}

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
    free_buffer(p);
    return 0;
}

__declspec(dllexport) void fake_set(const char* name, unsigned long value) { g_settings[name] = value; }
__declspec(dllexport) void fake_reset() {
    g_journal.clear();
    g_settings.clear();
    g_service_list.clear();
    g_next_table_connection = 500;
}
__declspec(dllexport) const char* fake_journal() { return g_journal.c_str(); }
__declspec(dllexport) long fake_live_objects() { return g_live_objects; }
__declspec(dllexport) long fake_live_buffers() { return g_live_buffers; }
__declspec(dllexport) long fake_init_depth() { return g_init_depth; }
// Calls OnNotify of every sink every live session holds: `what` 1 = a status-object change and a
// critical error, 2 = a table row added, new mail and an extended event. Returns the sinks called.
__declspec(dllexport) long fake_notify(int what) {
    long called = 0;
    for (fake_session* s : g_sessions) {
        for (auto& [connection, sink] : s->advised.sinks) {
            if (what == 1) notify_status_and_error(sink);
            if (what == 2) notify_table_and_extended(sink);
            ++called;
        }
    }
    return called;
}

// Calls OnNotify of every sink of every live status table with the table notifications of
// `what` (see notify_status_table). Returns the sinks called.
__declspec(dllexport) long fake_notify_status_table(int what) {
    long called = 0;
    const std::vector<fake_status_table*> tables = g_status_tables;  // a sink may release a table
    for (fake_status_table* t : tables) {
        const std::map<ULONG, IMAPIAdviseSink*> sinks = t->advised.sinks;
        for (auto& [connection, sink] : sinks) {
            notify_status_table(t, sink, what);
            ++called;
        }
    }
    return called;
}

} // extern "C"
