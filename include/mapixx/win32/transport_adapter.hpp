// SPDX-License-Identifier: MIT
/// \file
/// A mapixx coroutine transport (`xp_provider` / `xp_logon`, provider/transport.hpp) as a real
/// MAPI transport provider: COM objects with the IXPProvider and IXPLogon vtables of the SDK's
/// mapispi.h, and `MAPIXX_WIN32_XP_PROVIDER_INIT` to define the DLL's `XPProviderInit` export.
///
/// How a spooler call runs (the "drive" protocol). Every IXPLogon method the spooler calls
/// starts the matching coroutine and drives it on the logon's private `scheduler`, on the
/// spooler's own thread, until it finishes; the method then returns its result. Each time the
/// coroutine suspends (`co_await support().spooler_yield()`, or any other await), the adapter
/// hands the CPU back to the spooler by calling the real IMAPISupport::SpoolerYield(0) and then
/// resumes the coroutine. The first turn of a call runs directly on the caller's stack. When SpoolerYield answers MAPI_W_CANCEL_MESSAGE, the adapter records
/// the cancellation, and the transport's pending `spooler_yield()` returns
/// `yield_status::cancel_message`. A coroutine that waits for another thread (nothing is ready
/// to run) is checked again after each SpoolerYield and a 1 ms sleep.
///
/// The spooler may call back into the logon from inside SpoolerYield (TransportNotify with
/// NOTIFY_CANCEL_MESSAGE, for instance); such a nested call is driven the same way. Its first
/// turn runs before the suspended outer coroutine gets any; only if the nested coroutine
/// suspends too can the outer one get turns during it (both share the scheduler).
///
/// What the transport does through its `spooler_support` reaches the real support object:
/// - entering and leaving a critical section (`enter_critical_section()`, or `spooler_notify`
///   with `critsec` / `noncrit`) becomes SpoolerNotify(NOTIFY_CRITSEC) / (NOTIFY_NONCRIT). The
///   adapter tells the spooler at the next point where it talks to it (before any other
///   SpoolerNotify or ModifyStatusRow, before a SpoolerYield, and when the call returns), so
///   the order of events is kept; a section still held at TransportLogoff is closed then;
/// - `spooler_notify` with other flags becomes one SpoolerNotify per flag (NEWMAIL,
///   READYTOSEND, CONFIG_CHANGE, CRITICAL_ERROR with no data, SENTDEFERRED with the entry id of
///   the deferred message when the adapter has seen it, else with no data: every deferred one);
/// - `modify_status_row(row, update)` becomes ModifyStatusRow with the same columns and
///   STATUSROW_UPDATE when `update`.
/// Results become HRESULTs through the shared `scode` values (error.hpp); an exception out of a
/// coroutine becomes MAPI_E_CALL_FAILED (E_OUTOFMEMORY for `std::bad_alloc`).
///
/// Compiled only for Windows (`_WIN32`); elsewhere this header is empty.
#ifndef MAPIXX_WIN32_TRANSPORT_ADAPTER_HPP_INCLUDED
#define MAPIXX_WIN32_TRANSPORT_ADAPTER_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/coro/scheduler.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/win32/detail/xp_props.hpp>
#include <mapixx/win32/error.hpp>
#include <mapixx/win32/sdk.hpp>

#include <mapispi.h>

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mapixx::inline v0::win32 {

/// IID_IXPProvider, {00020312-0000-0000-C000-000000000046}.
inline constexpr IID iid_xp_provider = {0x00020312, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
/// IID_IXPLogon, {00020315-0000-0000-C000-000000000046}.
inline constexpr IID iid_xp_logon = {0x00020315, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
/// IID_IUnknown, {00000000-0000-0000-C000-000000000046} (a constant, so no uuid library is needed).
inline constexpr IID iid_unknown = {0x00000000, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};

/// The HRESULT of an `scode` (the same 32 bits).
[[nodiscard]] constexpr HRESULT to_hresult(scode c) noexcept
{
    return static_cast<HRESULT>(static_cast<std::uint32_t>(c));
}

/// The HRESULT of a finished `result`: S_OK, its warning, or its failure code.
template <class T>
[[nodiscard]] HRESULT to_hresult(const result<T>& r) noexcept
{
    return to_hresult(r.code());
}

namespace detail {

/// The HRESULT for an exception that escaped a transport coroutine.
[[nodiscard]] inline HRESULT hresult_of_exception(const std::exception_ptr& e) noexcept
{
    try {
        std::rethrow_exception(e);
    } catch (const std::bad_alloc&) {
        return E_OUTOFMEMORY;
    } catch (...) {
        return MAPI_E_CALL_FAILED;
    }
}

/// What one transport logon needs on the spooler's side: the private scheduler its coroutines
/// run on, its `spooler_support`, and the real IMAPISupport the calls are forwarded to.
///
/// It is the support's owner (told of notifications) and its status-row mirror (told of every
/// ModifyStatusRow with the exact columns). Single-threaded: the spooler's thread only.
class xp_runtime final : public ::mapixx::detail::spooler_support_owner, public provider_support {
public:
    /// A runtime forwarding to `support` (AddRef'd here, released by the destructor).
    explicit xp_runtime(IMAPISupport* support) : com_{support}, support_{sched_, this, support_role::transport}
    {
        if (com_ != nullptr) {
            com_->AddRef();
        }
        support_.mirror_status_rows(this);
    }
    xp_runtime(const xp_runtime&) = delete;
    xp_runtime& operator=(const xp_runtime&) = delete;
    /// Releases the real support object.
    ~xp_runtime()
    {
        support_.mirror_status_rows(nullptr);
        if (com_ != nullptr) {
            com_->Release();
        }
    }

    /// The support the transport's logon is built with.
    [[nodiscard]] spooler_support& support() noexcept { return support_; }
    /// The real support object.
    [[nodiscard]] IMAPISupport* com() const noexcept { return com_; }

    /// Runs `work` to completion by the drive protocol (see the file comment) and returns its
    /// value; an exception that escaped it is rethrown here.
    template <class T>
    T drive(task<T> work)
    {
        std::optional<T> out;
        driver_frame frame = capture(std::move(work), out);
        step(frame);
        return std::move(*out);
    }

    /// `drive` for a `task<void>`.
    void drive_void(task<void> work)
    {
        driver_frame frame = capture_void(std::move(work));
        step(frame);
    }

    /// Tells the spooler about a change of the critical-section state, if there was one.
    void sync_critical_section() noexcept
    {
        const bool held = support_.in_critical_section();
        if (held != critsec_told_ && com_ != nullptr) {
            critsec_told_ = held;
            static_cast<void>(com_->SpoolerNotify(held ? NOTIFY_CRITSEC : NOTIFY_NONCRIT, nullptr));
        }
    }

    /// Remembers the entry id of outbound message `id`, for SENTDEFERRED.
    void remember_entry(message_id id, binary entry) { entries_[id] = std::move(entry); }

    /// The id of the message whose entry id is `entry`, if the adapter handed it out before.
    [[nodiscard]] std::optional<message_id> find_entry(const binary& entry) const
    {
        for (const auto& [id, e] : entries_) {
            if (e == entry) {
                return id;
            }
        }
        return std::nullopt;
    }

    /// The logon ended: the support forgets its row and critical section, and the spooler is
    /// told that a section still held is over.
    void logged_off() noexcept
    {
        support_.logged_off();
        sync_critical_section();
    }

    /// The spooler's allocators, from IMAPISupport::GetMemAllocRoutines (null if refused).
    [[nodiscard]] LPFREEBUFFER free_buffer()
    {
        if (!alloc_asked_ && com_ != nullptr) {
            alloc_asked_ = true;
            LPALLOCATEBUFFER a = nullptr;
            LPALLOCATEMORE m = nullptr;
            if (FAILED(com_->GetMemAllocRoutines(&a, &m, &free_))) {
                free_ = nullptr;
            }
        }
        return free_;
    }

    // spooler_support_owner: forwards what the transport recorded.
    void support_changed(spooler_support& s) noexcept override
    {
        sync_critical_section();
        if (com_ == nullptr) {
            return;
        }
        try {
            auto pending = s.take_notifications();
            static constexpr spooler_notify plain[] = {spooler_notify::newmail, spooler_notify::readytosend,
                                                       spooler_notify::config_change, spooler_notify::critical_error};
            for (spooler_notify f : plain) {
                if (pending.flags.has(f)) {
                    static_cast<void>(com_->SpoolerNotify(static_cast<ULONG>(f), nullptr));
                }
            }
            if (pending.flags.has(spooler_notify::sentdeferred)) {
                bool all = pending.all_deferred;
                for (message_id id : pending.deferred) {
                    auto it = entries_.find(id);
                    if (it == entries_.end()) {
                        all = true;
                        continue;
                    }
                    SBinary bin{static_cast<ULONG>(it->second.size()), it->second.data()};
                    static_cast<void>(com_->SpoolerNotify(NOTIFY_SENTDEFERRED, &bin));
                }
                if (all) {
                    static_cast<void>(com_->SpoolerNotify(NOTIFY_SENTDEFERRED, nullptr));
                }
            }
        } catch (...) {
            // Out of memory while forwarding: the notification is lost, the transport goes on.
        }
    }

    // provider_support (the status-row mirror): ModifyStatusRow on the real support.
    result<void> modify_status_row(const property_bag& row, bool update) override
    {
        sync_critical_section();
        if (com_ == nullptr) {
            return fail(scode::not_initialized, "the transport has no support object", "mapixx.win32.transport");
        }
        sprop_array values{row};
        const HRESULT hr = com_->ModifyStatusRow(values.size(), values.data(), update ? STATUSROW_UPDATE : 0);
        if (FAILED(hr)) {
            return hresult_failure(hr, "IMAPISupport::ModifyStatusRow failed", "mapixx.win32.transport");
        }
        return {};
    }

private:
    // The coroutine that awaits one spooler call's task. Its first turn runs inline, on the
    // caller's stack (so a nested call never waits behind a suspended outer one); it stays
    // suspended at its end until `step` has seen it finish and destroys it.
    class driver_frame {
    public:
        struct promise_type {
            std::exception_ptr error;
            driver_frame get_return_object() noexcept
            {
                return driver_frame{std::coroutine_handle<promise_type>::from_promise(*this)};
            }
            std::suspend_always initial_suspend() const noexcept { return {}; }
            std::suspend_always final_suspend() const noexcept { return {}; }
            void return_void() const noexcept {}
            void unhandled_exception() noexcept { error = std::current_exception(); }
        };
        explicit driver_frame(std::coroutine_handle<promise_type> h) noexcept : h_{h} {}
        driver_frame(const driver_frame&) = delete;
        driver_frame& operator=(const driver_frame&) = delete;
        ~driver_frame()
        {
            if (h_) {
                h_.destroy();
            }
        }
        [[nodiscard]] bool done() const noexcept { return h_.done(); }
        void start() const { h_.resume(); }
        void rethrow() const
        {
            if (h_.promise().error) {
                std::rethrow_exception(h_.promise().error);
            }
        }

    private:
        std::coroutine_handle<promise_type> h_;
    };

    template <class T>
    static driver_frame capture(task<T> work, std::optional<T>& out)
    {
        out.emplace(co_await std::move(work));
    }
    static driver_frame capture_void(task<void> work) { co_await std::move(work); }

    // Queued behind the transport's coroutine, it ends one `run_until_idle`: exactly one turn.
    static task<void> end_turn(scheduler& s)
    {
        s.stop();
        co_return;
    }

    // Runs the first turn inline, then gives the coroutine turns until it is done, with a
    // SpoolerYield before each turn. Rethrows what escaped the coroutine.
    void step(const driver_frame& frame)
    {
        frame.start();
        while (!frame.done()) {
            sync_critical_section();
            if (com_ != nullptr && com_->SpoolerYield(0) == MAPI_W_CANCEL_MESSAGE) {
                support_.request_cancel();
            }
            if (frame.done()) {
                break;  // finished during a nested call
            }
            sched_.spawn(end_turn(sched_));
            const std::size_t resumed = sched_.run_until_idle();
            if (resumed <= 1 && !frame.done()) {  // only `end_turn` ran
                Sleep(1);  // waiting for another thread: look again after the next SpoolerYield
            }
        }
        sync_critical_section();
        frame.rethrow();
    }

    IMAPISupport* com_;
    scheduler sched_;
    spooler_support support_;
    bool critsec_told_ = false;
    bool alloc_asked_ = false;
    LPFREEBUFFER free_ = nullptr;
    std::map<message_id, binary> entries_;
};

/// Reference counting shared by the two COM objects.
class com_refcount {
public:
    /// AddRef.
    ULONG add() noexcept { return ++refs_; }
    /// Release: returns the new count.
    ULONG release() noexcept { return --refs_; }

private:
    std::atomic<ULONG> refs_{1};
};

/// QueryInterface of an object that has one interface `I` besides IUnknown.
template <class I, class Self>
HRESULT query_one(Self* self, REFIID riid, const IID& own, LPVOID* out) noexcept
{
    if (out == nullptr) {
        return E_INVALIDARG;
    }
    if (IsEqualIID(riid, own) || IsEqualIID(riid, iid_unknown)) {
        self->AddRef();
        *out = static_cast<I*>(self);
        return S_OK;
    }
    *out = nullptr;
    return E_NOINTERFACE;
}

/// Release: deletes `self` when the count reaches zero.
template <class Self>
ULONG release_one(Self* self, com_refcount& refs) noexcept
{
    const ULONG n = refs.release();
    if (n == 0) {
        delete self;
    }
    return n;
}

/// Reads a message's properties (GetProps with all tags) into `bag`; frees the array with
/// `free_buffer`. Missing allocator or a refusal leaves `bag` as it was.
inline void read_props(IMAPIProp* object, property_bag& bag, LPFREEBUFFER free_buffer)
{
    ULONG count = 0;
    LPSPropValue values = nullptr;
    const HRESULT hr = object->GetProps(nullptr, 0, &count, &values);
    if (FAILED(hr) || values == nullptr) {
        return;
    }
    for (ULONG i = 0; i != count; ++i) {
        if (PROP_TYPE(values[i].ulPropTag) != PT_ERROR) {
            add_sprop(bag, values[i]);
        }
    }
    if (free_buffer != nullptr) {
        free_buffer(values);
    }
}

} // namespace detail

/// A logged-on transport as an IXPLogon COM object (vtable of mapispi.h). Created by
/// `xp_provider_object::TransportLogon`; the spooler holds the only reference.
///
/// The message objects the spooler passes are read as follows: SubmitMessage reads every
/// property of the message (GetProps) into `submit_context::message.props` (PR_ENTRYID gives the
/// message its stable `message_id`), and when the transport saved the working copy, writes the
/// message properties back (SetProps) and calls SaveChanges(KEEP_OPEN_READWRITE). StartMessage
/// writes the saved inbound message's properties (SetProps) and calls SaveChanges(0); whether it
/// worked is passed to `transport_logon::inbound_outcome`. Recipient tables and attachments are
/// not converted yet (the working copy has no recipient rows).
class xp_logon_object final : public IXPLogon {
public:
    /// Wraps `logon`, which was built on `runtime->support()`.
    xp_logon_object(std::unique_ptr<detail::xp_runtime> runtime, std::unique_ptr<xp_logon> logon) noexcept
        : runtime_{std::move(runtime)}, logon_{std::move(logon)}
    {
    }
    xp_logon_object(const xp_logon_object&) = delete;
    xp_logon_object& operator=(const xp_logon_object&) = delete;
    /// Logs the transport off if the spooler did not.
    virtual ~xp_logon_object() { end_logon(); }

    // ---- IUnknown ----
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, LPVOID* out) override
    {
        return detail::query_one<IXPLogon>(this, riid, iid_xp_logon, out);
    }
    ULONG STDMETHODCALLTYPE AddRef() override { return refs_.add(); }
    ULONG STDMETHODCALLTYPE Release() override { return detail::release_one(this, refs_); }

    // ---- IXPLogon ----
    /// Runs `address_types`; the arrays stay valid until TransportLogoff. MAPI_UNICODE is set
    /// in *lpulFlags in a UNICODE build (the strings are UTF-16).
    HRESULT STDMETHODCALLTYPE AddressTypes(ULONG* lpulFlags, ULONG* lpcAdrType, LPTSTR** lpppAdrTypeArray,
                                           ULONG* lpcMAPIUID, LPMAPIUID** lpppUIDArray) override
    {
        if (lpulFlags == nullptr || lpcAdrType == nullptr || lpppAdrTypeArray == nullptr || lpcMAPIUID == nullptr ||
            lpppUIDArray == nullptr) {
            return MAPI_E_INVALID_PARAMETER;
        }
        return guarded([&]() -> HRESULT {
            if (!logon_) {
                return MAPI_E_CALL_FAILED;
            }
            address_types_result types = runtime_->drive(logon_->address_types());
            type_strings_.clear();
            ansi_strings_.clear();
            type_ptrs_.clear();
            uids_.clear();
            uid_ptrs_.clear();
            if (!types.any) {
                const std::vector<std::string> none{std::string{}};
                for (const std::string& t : types.none ? none : types.types) {
#if defined(UNICODE)
                    type_strings_.push_back(to_utf16(t));
#else
                    ansi_strings_.push_back(to_ansi(t));
#endif
                }
#if defined(UNICODE)
                for (std::wstring& s : type_strings_) {
                    type_ptrs_.push_back(s.data());
                }
#else
                for (std::string& s : ansi_strings_) {
                    type_ptrs_.push_back(s.data());
                }
#endif
            }
            if (!types.none) {
                for (const uid& u : types.uids) {
                    MAPIUID m{};
                    std::memcpy(m.ab, u.bytes.data(), sizeof(m.ab));
                    uids_.push_back(m);
                }
                for (MAPIUID& m : uids_) {
                    uid_ptrs_.push_back(&m);
                }
            }
            *lpulFlags = sizeof(TCHAR) == 2 ? MAPI_UNICODE : 0;
            *lpcAdrType = static_cast<ULONG>(type_ptrs_.size());
            *lpppAdrTypeArray = type_ptrs_.empty() ? nullptr : type_ptrs_.data();
            *lpcMAPIUID = static_cast<ULONG>(uid_ptrs_.size());
            *lpppUIDArray = uid_ptrs_.empty() ? nullptr : uid_ptrs_.data();
            return S_OK;
        });
    }

    /// No per-recipient or per-message options: zero entries.
    HRESULT STDMETHODCALLTYPE RegisterOptions(ULONG* lpulFlags, ULONG* lpcOptions, LPOPTIONDATA* lppOptions) override
    {
        if (lpulFlags != nullptr) {
            *lpulFlags = 0;
        }
        if (lpcOptions != nullptr) {
            *lpcOptions = 0;
        }
        if (lppOptions != nullptr) {
            *lppOptions = nullptr;
        }
        return S_OK;
    }

    /// Runs `transport_notify`. For NOTIFY_CANCEL_MESSAGE the 32-bit message reference is read
    /// at lppvData; for NOTIFY_ABORT_DEFERRED, *lppvData is taken as the SBinary entry id of the
    /// message, mapped back to its `message_id` when the adapter handed it out. *lpulFlags is
    /// left as it came (the transport's copy may not change it: MAPI_E_CALL_FAILED if it does).
    HRESULT STDMETHODCALLTYPE TransportNotify(ULONG* lpulFlags, LPVOID* lppvData) override
    {
        if (lpulFlags == nullptr) {
            return MAPI_E_INVALID_PARAMETER;
        }
        return guarded([&]() -> HRESULT {
            if (!logon_) {
                return MAPI_E_CALL_FAILED;
            }
            const ULONG given = *lpulFlags;
            transport_notify_data data;
            if ((given & NOTIFY_CANCEL_MESSAGE) != 0 && lppvData != nullptr) {
                data.message_ref = *reinterpret_cast<const ULONG*>(lppvData);
            }
            if ((given & NOTIFY_ABORT_DEFERRED) != 0 && lppvData != nullptr && *lppvData != nullptr) {
                const auto* bin = static_cast<const SBinary*>(*lppvData);
                if (bin->lpb != nullptr) {
                    data.entry = runtime_->find_entry(binary(bin->lpb, bin->lpb + bin->cb));
                }
            }
            auto flags = transport_notify_flags::from_bits_unchecked(given);
            result<void> r = runtime_->drive(logon_->transport_notify(flags, data));
            if (flags.bits() != given) {
                return MAPI_E_CALL_FAILED;
            }
            return to_hresult(r);
        });
    }

    /// Runs `idle`.
    HRESULT STDMETHODCALLTYPE Idle(ULONG ulFlags) override
    {
        static_cast<void>(ulFlags);
        return guarded([&]() -> HRESULT {
            if (logon_) {
                runtime_->drive_void(logon_->idle());
            }
            return S_OK;
        });
    }

    /// Runs `logoff`, closes a critical section still held, releases the logon and the address
    /// type arrays. Always S_OK: the spooler logs the transport off whatever it answers.
    HRESULT STDMETHODCALLTYPE TransportLogoff(ULONG ulFlags) override
    {
        static_cast<void>(ulFlags);
        end_logon();
        return S_OK;
    }

    /// Runs `submit_message` on a working copy of the message (see the class comment).
    /// *lpulMsgRef is pre-set to 0 and receives `submit_context::message_ref`; *lpulReturnParm
    /// receives the retry delay for MAPI_E_NETWORK_ERROR and MAPI_E_WAIT.
    HRESULT STDMETHODCALLTYPE SubmitMessage(ULONG ulFlags, LPMESSAGE lpMessage, ULONG* lpulMsgRef,
                                            ULONG* lpulReturnParm) override
    {
        if (lpMessage == nullptr || lpulMsgRef == nullptr) {
            return MAPI_E_INVALID_PARAMETER;
        }
        *lpulMsgRef = 0;
        if (lpulReturnParm != nullptr) {
            *lpulReturnParm = 0;
        }
        return guarded([&]() -> HRESULT {
            if (!logon_) {
                return MAPI_E_CALL_FAILED;
            }
            submit_context ctx;
            ctx.deferred = (ulFlags & BEGIN_DEFERRED) != 0;
            detail::read_props(lpMessage, ctx.message.props, runtime_->free_buffer());
            ctx.message.id = id_of(ctx.message.props);
            runtime_->support().clear_cancel();
            submit_result r = runtime_->drive(logon_->submit_message(ctx));
            *lpulMsgRef = ctx.message_ref;
            if (lpulReturnParm != nullptr &&
                (r.code == scode::network_error || r.code == scode::wait)) {
                *lpulReturnParm = r.retry_seconds;
            }
            if (ctx.saved) {
                detail::sprop_array values{ctx.message.props};
                if (values.size() != 0) {
                    static_cast<void>(lpMessage->SetProps(values.size(), values.data(), nullptr));
                }
                static_cast<void>(lpMessage->SaveChanges(KEEP_OPEN_READWRITE));
            }
            return to_hresult(r.code);
        });
    }

    /// Runs `end_message`; *lpulFlags receives its END_* flags (0: sent).
    HRESULT STDMETHODCALLTYPE EndMessage(ULONG ulMsgRef, ULONG* lpulFlags) override
    {
        if (lpulFlags == nullptr) {
            return MAPI_E_INVALID_PARAMETER;
        }
        *lpulFlags = 0;
        return guarded([&]() -> HRESULT {
            if (!logon_) {
                return MAPI_E_CALL_FAILED;
            }
            result<end_message_flags> r = runtime_->drive(logon_->end_message(ulMsgRef));
            if (!r) {
                return to_hresult(r);
            }
            *lpulFlags = r->bits();
            return S_OK;
        });
    }

    /// Runs `poll`; *lpulIncoming is 1 when mail is waiting, else 0.
    HRESULT STDMETHODCALLTYPE Poll(ULONG* lpulIncoming) override
    {
        if (lpulIncoming == nullptr) {
            return MAPI_E_INVALID_PARAMETER;
        }
        *lpulIncoming = 0;
        return guarded([&]() -> HRESULT {
            if (logon_ && runtime_->drive(logon_->poll())) {
                *lpulIncoming = 1;
            }
            return S_OK;
        });
    }

    /// Runs `start_message`; a saved message is written to lpMessage (SetProps, SaveChanges)
    /// and `inbound_outcome` is told whether that worked. *lpulMsgRef gets the message reference.
    HRESULT STDMETHODCALLTYPE StartMessage(ULONG ulFlags, LPMESSAGE lpMessage, ULONG* lpulMsgRef) override
    {
        static_cast<void>(ulFlags);
        if (lpMessage == nullptr || lpulMsgRef == nullptr) {
            return MAPI_E_INVALID_PARAMETER;
        }
        *lpulMsgRef = 1;
        return guarded([&]() -> HRESULT {
            if (!logon_) {
                return MAPI_E_CALL_FAILED;
            }
            inbound_message msg;
            result<void> r = runtime_->drive(logon_->start_message(msg));
            *lpulMsgRef = msg.message_ref;
            if (!r || !msg.saved) {
                return to_hresult(r);
            }
            detail::sprop_array values{msg.props};
            HRESULT hr = S_OK;
            if (values.size() != 0) {
                hr = lpMessage->SetProps(values.size(), values.data(), nullptr);
            }
            if (SUCCEEDED(hr)) {
                hr = lpMessage->SaveChanges(0);
            }
            result<void> stored;
            if (FAILED(hr)) {
                stored = hresult_failure(hr, "the spooler did not store the inbound message", "mapixx.win32.transport");
            }
            runtime_->drive_void(logon_->inbound_outcome(msg.message_ref, std::move(stored)));
            return hr;
        });
    }

    /// No status object of its own: MAPI_E_NO_SUPPORT.
    HRESULT STDMETHODCALLTYPE OpenStatusEntry(LPCIID lpInterface, ULONG ulFlags, ULONG* lpulObjType,
                                              LPMAPISTATUS* lppEntry) override
    {
        static_cast<void>(lpInterface);
        static_cast<void>(ulFlags);
        static_cast<void>(lpulObjType);
        if (lppEntry != nullptr) {
            *lppEntry = nullptr;
        }
        return MAPI_E_NO_SUPPORT;
    }

    /// MAPI_E_BUSY while the transport holds a critical section; else runs `validate_state`.
    HRESULT STDMETHODCALLTYPE ValidateState(ULONG ulUIParam, ULONG ulFlags) override
    {
        static_cast<void>(ulUIParam);
        return guarded([&]() -> HRESULT {
            if (!logon_) {
                return MAPI_E_CALL_FAILED;
            }
            if (runtime_->support().in_critical_section()) {
                return MAPI_E_BUSY;
            }
            return to_hresult(runtime_->drive(logon_->validate_state(validate_flags::from_bits_unchecked(ulFlags))));
        });
    }

    /// Runs `flush_queues` (by default it sets the flush bits of the status row).
    HRESULT STDMETHODCALLTYPE FlushQueues(ULONG ulUIParam, ULONG cbTargetTransport, LPENTRYID lpTargetTransport,
                                          ULONG ulFlags) override
    {
        static_cast<void>(ulUIParam);
        static_cast<void>(cbTargetTransport);
        static_cast<void>(lpTargetTransport);
        return guarded([&]() -> HRESULT {
            if (!logon_) {
                return MAPI_E_CALL_FAILED;
            }
            return to_hresult(runtime_->drive(logon_->flush_queues(flush_flags::from_bits_unchecked(ulFlags))));
        });
    }

    /// The support the transport was built on (for tests and diagnostics).
    [[nodiscard]] spooler_support& support() noexcept { return runtime_->support(); }

private:
    template <class F>
    HRESULT guarded(F&& body) noexcept
    {
        try {
            return body();
        } catch (...) {
            return detail::hresult_of_exception(std::current_exception());
        }
    }

    message_id id_of(const property_bag& props)
    {
        const message_id id{++next_id_};
        prop_tag entryid{0x0FFF, prop_type::binary};  // PR_ENTRYID
        if (const binary* e = props.get_binary(entryid); e != nullptr) {
            runtime_->remember_entry(id, *e);
        }
        return id;
    }

    void end_logon() noexcept
    {
        if (!logon_) {
            return;
        }
        try {
            runtime_->drive_void(logon_->logoff());
        } catch (...) {
            // The logon ends whatever happened.
        }
        logon_.reset();
        runtime_->logged_off();
        type_ptrs_.clear();
        uid_ptrs_.clear();
    }

    detail::com_refcount refs_;
    std::unique_ptr<detail::xp_runtime> runtime_;  // outlives logon_ (declared first)
    std::unique_ptr<xp_logon> logon_;
    std::vector<std::wstring> type_strings_;
    std::vector<std::string> ansi_strings_;
    std::vector<LPTSTR> type_ptrs_;
    std::vector<MAPIUID> uids_;
    std::vector<LPMAPIUID> uid_ptrs_;
    std::uint64_t next_id_ = 0;
};

/// A transport provider as an IXPProvider COM object (vtable of mapispi.h): TransportLogon
/// runs `xp_provider::transport_logon` on a new `spooler_support` that forwards to the given
/// IMAPISupport, and returns an `xp_logon_object`.
class xp_provider_object final : public IXPProvider {
public:
    /// Wraps `provider` (not null).
    explicit xp_provider_object(std::unique_ptr<xp_provider> provider) noexcept : provider_{std::move(provider)} {}
    xp_provider_object(const xp_provider_object&) = delete;
    xp_provider_object& operator=(const xp_provider_object&) = delete;
    virtual ~xp_provider_object() = default;

    // ---- IUnknown ----
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, LPVOID* out) override
    {
        return detail::query_one<IXPProvider>(this, riid, iid_xp_provider, out);
    }
    ULONG STDMETHODCALLTYPE AddRef() override { return refs_.add(); }
    ULONG STDMETHODCALLTYPE Release() override { return detail::release_one(this, refs_); }

    // ---- IXPProvider ----
    /// Nothing to shut down: *lpulFlags is set to 0.
    HRESULT STDMETHODCALLTYPE Shutdown(ULONG* lpulFlags) override
    {
        if (lpulFlags != nullptr) {
            *lpulFlags = 0;
        }
        return S_OK;
    }

    /// Logs the transport on. The input flags (LOGON_NO_*) go to the transport without
    /// MAPI_UNICODE; *lpulFlags receives the LOGON_SP_* flags the transport returned. No
    /// MAPIERROR is returned (*lppMAPIError is null); the failure's code is the HRESULT.
    HRESULT STDMETHODCALLTYPE TransportLogon(LPMAPISUP lpMAPISup, ULONG ulUIParam, LPTSTR lpszProfileName,
                                             ULONG* lpulFlags, LPMAPIERROR* lppMAPIError, LPXPLOGON* lppXPLogon) override
    {
        static_cast<void>(ulUIParam);
        static_cast<void>(lpszProfileName);
        if (lppMAPIError != nullptr) {
            *lppMAPIError = nullptr;
        }
        if (lpMAPISup == nullptr || lpulFlags == nullptr || lppXPLogon == nullptr) {
            return MAPI_E_INVALID_PARAMETER;
        }
        *lppXPLogon = nullptr;
        try {
            auto runtime = std::make_unique<detail::xp_runtime>(lpMAPISup);
            const auto in = transport_logon_flags::from_bits_unchecked(*lpulFlags & ~static_cast<ULONG>(MAPI_UNICODE));
            result<xp_logon_result> r = runtime->drive(provider_->transport_logon(runtime->support(), in));
            if (!r) {
                return to_hresult(r);
            }
            if (!r->logon) {
                return MAPI_E_CALL_FAILED;
            }
            const ULONG out_flags = r->flags.bits() & (LOGON_SP_IDLE | LOGON_SP_POLL | LOGON_SP_RESOLVE);
            auto* object = new xp_logon_object{std::move(runtime), std::move(r->logon)};
            *lpulFlags = out_flags;
            *lppXPLogon = object;
            return S_OK;
        } catch (...) {
            return detail::hresult_of_exception(std::current_exception());
        }
    }

private:
    detail::com_refcount refs_;
    std::unique_ptr<xp_provider> provider_;
};

/// XPProviderInit's body (MAPI-REFERENCE 7.2), for `MAPIXX_WIN32_XP_PROVIDER_INIT` or a
/// hand-written export.
///
/// Version negotiation: *lpulProviderVer always receives the provider's SPI version
/// (`xp_provider::spi_version()`). When the spooler's version `ulMAPIVer` is lower, the
/// provider cannot serve it: MAPI_E_VERSION and no object. Otherwise a new IXPProvider is
/// made by `make()` on every call (one per call, as the reference asks) and returned with one
/// reference. `make()` returning null gives MAPI_E_CALL_FAILED; an exception, its HRESULT.
template <class Make>
HRESULT xp_provider_init(Make&& make, ULONG ulMAPIVer, ULONG* lpulProviderVer, LPXPPROVIDER* lppXPProvider) noexcept
{
    if (lpulProviderVer == nullptr || lppXPProvider == nullptr) {
        return MAPI_E_INVALID_PARAMETER;
    }
    *lppXPProvider = nullptr;
    try {
        std::unique_ptr<xp_provider> provider = make();
        if (!provider) {
            return MAPI_E_CALL_FAILED;
        }
        *lpulProviderVer = provider->spi_version();
        if (ulMAPIVer < provider->spi_version()) {
            return MAPI_E_VERSION;
        }
        *lppXPProvider = new xp_provider_object{std::move(provider)};
        return S_OK;
    } catch (...) {
        return detail::hresult_of_exception(std::current_exception());
    }
}

} // namespace mapixx::inline v0::win32

/// Defines the DLL's `XPProviderInit` export (cdecl, the signature of mapispi.h's
/// XPPROVIDERINIT) on top of `mapixx::win32::xp_provider_init`. `make_provider` is an
/// expression callable with no argument that returns `std::unique_ptr<mapixx::xp_provider>`,
/// e.g. `[] { return std::make_unique<my_transport>(); }`. Use it once, at namespace scope, in
/// one source file of the provider DLL.
#define MAPIXX_WIN32_XP_PROVIDER_INIT(make_provider)                                                            \
    extern "C" __declspec(dllexport) HRESULT __cdecl XPProviderInit(                                            \
        HINSTANCE hInstance, LPMALLOC lpMalloc, LPALLOCATEBUFFER lpAllocateBuffer, LPALLOCATEMORE lpAllocateMore, \
        LPFREEBUFFER lpFreeBuffer, ULONG ulFlags, ULONG ulMAPIVer, ULONG* lpulProviderVer,                      \
        LPXPPROVIDER* lppXPProvider)                                                                            \
    {                                                                                                           \
        static_cast<void>(hInstance);                                                                           \
        static_cast<void>(lpMalloc);                                                                            \
        static_cast<void>(lpAllocateBuffer);                                                                    \
        static_cast<void>(lpAllocateMore);                                                                      \
        static_cast<void>(lpFreeBuffer);                                                                        \
        static_cast<void>(ulFlags);                                                                             \
        return ::mapixx::win32::xp_provider_init(make_provider, ulMAPIVer, lpulProviderVer, lppXPProvider);    \
    }

#endif // _WIN32
#endif
