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
#include <mapixx/provider/provider_context.hpp>
#include <mapixx/win32/detail/xp_message.hpp>
#include <mapixx/win32/detail/xp_props.hpp>
#include <mapixx/win32/error.hpp>
#include <mapixx/win32/sdk.hpp>

#include <mapispi.h>

#include <atomic>
#include <concepts>
#include <coroutine>
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <exception>
#include <algorithm>
#include <map>
#include <memory>
#include <string_view>
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
// iid_unknown is in sdk.hpp.

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

    /// The spooler's allocators, from IMAPISupport::GetMemAllocRoutines (all null if refused).
    [[nodiscard]] const mapi_allocators& allocators()
    {
        if (!alloc_asked_ && com_ != nullptr) {
            alloc_asked_ = true;
            if (FAILED(com_->GetMemAllocRoutines(&alloc_.allocate, &alloc_.more, &alloc_.free))) {
                alloc_ = mapi_allocators{};
            }
        }
        return alloc_;
    }
    /// The spooler's MAPIFreeBuffer (null if refused).
    [[nodiscard]] LPFREEBUFFER free_buffer() { return allocators().free; }

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
    mapi_allocators alloc_;
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

/// Reads a message's properties (GetProps of all, MAPI_UNICODE) into `bag`; frees the array with
/// `free_buffer`. Missing allocator or a refusal leaves `bag` as it was.
inline void read_props(IMAPIProp* object, property_bag& bag, LPFREEBUFFER free_buffer)
{
    ULONG count = 0;
    LPSPropValue values = nullptr;
    const HRESULT hr = object->GetProps(nullptr, MAPI_UNICODE, &count, &values);
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

/// True if recipient row `row` (its PR_ADDRTYPE, or bytes 4-19 of its PR_ENTRYID, the provider
/// UID) is one of `types` (compared without regard to ASCII case) or `uids`.
inline bool routed_to(const property_bag& row, const address_types_result& types)
{
    if (types.none) {
        return false;
    }
    if (types.any) {
        return true;
    }
    if (const binary* e = row.get_binary(pr::entryid); e != nullptr && e->size() >= 20) {
        for (const uid& u : types.uids) {
            if (std::equal(u.bytes.begin(), u.bytes.end(), e->begin() + 4)) {
                return true;
            }
        }
    }
    const std::string_view t = row.get_string(pr::addrtype).value_or(std::string_view{});
    for (const std::string& mine : types.types) {
        if (mine.size() == t.size() &&
            std::equal(mine.begin(), mine.end(), t.begin(), [](char a, char b) {
                auto low = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
                return low(a) == low(b);
            })) {
            return true;
        }
    }
    return false;
}

/// MAPI_P1 (0x10000000) in PR_RECIPIENT_TYPE: a resend row that is never transmitted.
inline constexpr std::int32_t recipient_p1 = 0x10000000;

} // namespace detail

/// The attachment rows of the message a transport is submitting: `ctx.message.attachments`
/// (one row per attachment: the attachment's properties with PR_ATTACH_NUM, PR_ATTACH_METHOD,
/// PR_ATTACH_FILENAME / PR_ATTACH_LONG_FILENAME, PR_ATTACH_MIME_TAG and PR_ATTACH_DATA_BIN, in
/// table order). The adapter's SubmitMessage fills them from the IMessage, the portable spooler
/// from its queue; kept for transports written before `outbound_message` had attachments.
[[nodiscard]] inline const std::vector<property_bag>& submitted_attachments(const submit_context& ctx) noexcept
{
    return ctx.message.attachments;
}

/// A logged-on transport as an IXPLogon COM object (vtable of mapispi.h). Created by
/// `xp_provider_object::TransportLogon`; the spooler holds the only reference.
///
/// The message objects the spooler passes are read as follows. SubmitMessage reads every
/// property of the message (GetProps) into `submit_context::message.props` (PR_ENTRYID gives the
/// message its stable `message_id`), every recipient row into `message.recipients` (rows that
/// are not this transport's, by AddressTypes, arrive with PR_RESPONSIBILITY = TRUE) and every
/// attachment into `message.attachments`. After `success` it reports the rows marked with
/// `mark_undeliverable` through IMAPISupport::StatusRecips and sets PR_RESPONSIBILITY = TRUE on
/// the rows the transport handled (ModifyRecipients); when the transport saved the working
/// copy it writes the message properties back (SetProps); after any change it calls
/// SaveChanges(KEEP_OPEN_READWRITE). EndMessage gives the rows back (PR_RESPONSIBILITY = FALSE)
/// when the message is to be sent again. StartMessage writes the saved inbound message's
/// recipients (ModifyRecipients), attachments (CreateAttach) and properties (SetProps) and calls
/// SaveChanges(0); whether it worked is passed to `transport_logon::inbound_outcome`.
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
            routing_ = types;
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
            const detail::mapi_allocators& alloc = runtime_->allocators();
            submit_context ctx;
            ctx.deferred = (ulFlags & BEGIN_DEFERRED) != 0;
            detail::read_props(lpMessage, ctx.message.props, alloc.free);
            ctx.message.id = id_of(ctx.message.props);

            // The recipient table, with the rows that are not this transport's marked handled
            // in the working copy (the portable spooler hands a transport the same picture).
            auto submission = std::make_unique<pending_submission>();
            LPMAPITABLE table = nullptr;
            if (SUCCEEDED(lpMessage->GetRecipientTable(MAPI_UNICODE, &table)) && table != nullptr) {
                submission->rows = std::make_unique<detail::table_rows>(table, alloc.free);
                table->Release();
                for (std::size_t k = 0; k != submission->rows->size(); ++k) {
                    property_bag row = submission->rows->bag(k);
                    const bool done = row.get_bool(pr::responsibility).value_or(false);
                    const bool p1 = (row.get_i4(pr::recipient_type).value_or(0) & detail::recipient_p1) != 0;
                    if (!done && !p1 && (!routing_ || detail::routed_to(row, *routing_))) {
                        submission->mine.push_back(k);
                    } else {
                        static_cast<void>(row.set(pr::responsibility, true));
                    }
                    ctx.message.recipients.push_back(std::move(row));
                }
            }
            static_cast<void>(detail::read_attachments(lpMessage, alloc.free, ctx.message.attachments));

            runtime_->support().clear_cancel();
            const submit_result r = runtime_->drive(logon_->submit_message(ctx));
            *lpulMsgRef = ctx.message_ref;
            if (lpulReturnParm != nullptr &&
                (r.code == scode::network_error || r.code == scode::wait)) {
                *lpulReturnParm = r.retry_seconds;
            }
            bool changed = false;
            if (r.code == scode::success) {
                changed = settle_recipients(lpMessage, ctx, *submission);
            } else if (r.code == scode::cancel) {
                // Do not resend: the sender gets a non-delivery report for this transport's rows.
                std::vector<property_bag> failed;
                for (std::size_t k : submission->mine) {
                    failed.push_back(ctx.message.recipients[k]);
                }
                static_cast<void>(detail::status_recips(runtime_->com(), lpMessage, failed, alloc));
            }
            if (ctx.saved) {
                detail::sprop_array values{ctx.message.props};
                if (values.size() != 0) {
                    static_cast<void>(lpMessage->SetProps(values.size(), values.data(), nullptr));
                }
                changed = true;
            }
            if (changed) {
                static_cast<void>(lpMessage->SaveChanges(KEEP_OPEN_READWRITE));
            }
            if (r.code == scode::success && submission->rows) {
                lpMessage->AddRef();
                submission->message = lpMessage;
                pending_[ctx.message_ref] = std::move(submission);
            }
            return to_hresult(r.code);
        });
    }

    /// Runs `end_message`; *lpulFlags receives its END_* flags (0: sent). When the message is
    /// to be sent again (END_RESEND_NOW, END_RESEND_LATER) the recipients SubmitMessage marked
    /// PR_RESPONSIBILITY = TRUE get FALSE again, except those already reported undeliverable;
    /// with END_DONT_RESEND only those marked for a transport that marked none itself (it
    /// defers them all). The message is saved (KEEP_OPEN_READWRITE) after such a change.
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
            std::unique_ptr<pending_submission> submission;
            if (auto it = pending_.find(ulMsgRef); it != pending_.end()) {
                submission = std::move(it->second);
                pending_.erase(it);
            }
            result<end_message_flags> r = runtime_->drive(logon_->end_message(ulMsgRef));
            if (!r) {
                return to_hresult(r);
            }
            *lpulFlags = r->bits();
            if (submission) {
                const bool resend = r->has(end_message_flag::resend_now) || r->has(end_message_flag::resend_later);
                const bool defer_all = r->has(end_message_flag::dont_resend) && submission->implicit;
                if ((resend || defer_all) && !submission->marked.empty()) {
                    if (SUCCEEDED(detail::set_responsibility(submission->message, *submission->rows, submission->marked,
                                                             false, runtime_->allocators()))) {
                        static_cast<void>(submission->message->SaveChanges(KEEP_OPEN_READWRITE));
                    }
                }
            }
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

    /// Runs `start_message`; a saved message is written to lpMessage: its recipient rows
    /// (ModifyRecipients(MODRECIP_ADD), without PR_ROWID), its attachments (CreateAttach,
    /// SetProps, large data through a stream, SaveChanges on each), its properties (SetProps),
    /// then SaveChanges(0). `inbound_outcome` is told whether that worked. *lpulMsgRef gets the
    /// message reference.
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
            HRESULT hr = detail::add_recipients(lpMessage, msg.recipients, runtime_->allocators());
            if (SUCCEEDED(hr)) {
                hr = detail::add_attachments(lpMessage, msg.attachments);
            }
            detail::sprop_array values{msg.props};
            if (SUCCEEDED(hr) && values.size() != 0) {
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

    /// What SubmitMessage leaves for EndMessage: the message (AddRef'd), its recipient table,
    /// the transport's rows, and the rows the adapter marked PR_RESPONSIBILITY = TRUE.
    struct pending_submission {
        IMessage* message = nullptr;
        std::unique_ptr<detail::table_rows> rows;
        std::vector<std::size_t> mine;    // rows handed to the transport (PR_RESPONSIBILITY FALSE)
        std::vector<std::size_t> marked;  // rows set TRUE here, not reported undeliverable
        bool implicit = true;             // the transport marked none of its rows itself

        pending_submission() = default;
        pending_submission(const pending_submission&) = delete;
        pending_submission& operator=(const pending_submission&) = delete;
        ~pending_submission()
        {
            rows.reset();
            if (message != nullptr) {
                message->Release();
            }
        }
    };

    // After a successful submission: StatusRecips for the transport's rows it marked
    // undeliverable, then PR_RESPONSIBILITY = TRUE (ModifyRecipients) on the rows it handled:
    // the rows it set TRUE itself when it set any (per-recipient handling), else all its rows.
    // True if the recipients were changed.
    bool settle_recipients(IMessage* message, const submit_context& ctx, pending_submission& s)
    {
        if (!s.rows || s.mine.empty()) {
            return false;
        }
        auto is_mine = [&](std::size_t k) { return std::find(s.mine.begin(), s.mine.end(), k) != s.mine.end(); };
        std::vector<std::size_t> undeliverable;
        for (std::size_t k : ctx.undeliverable) {
            if (is_mine(k) && k < ctx.message.recipients.size()) {
                undeliverable.push_back(k);
            }
        }
        std::vector<std::size_t> handled;
        for (std::size_t k : s.mine) {
            if (!ctx.is_undeliverable(k) && k < ctx.message.recipients.size() &&
                ctx.message.recipients[k].get_bool(pr::responsibility).value_or(false)) {
                handled.push_back(k);
            }
        }
        s.implicit = handled.empty();
        if (s.implicit) {
            for (std::size_t k : s.mine) {
                if (!ctx.is_undeliverable(k)) {
                    handled.push_back(k);
                }
            }
        }
        s.marked = handled;
        const detail::mapi_allocators& alloc = runtime_->allocators();
        if (!undeliverable.empty()) {
            std::vector<property_bag> failed;
            for (std::size_t k : undeliverable) {
                failed.push_back(ctx.message.recipients[k]);
            }
            // Reported rows are handled; unreported ones stay FALSE, so the spooler reports them.
            if (SUCCEEDED(detail::status_recips(runtime_->com(), message, failed, alloc))) {
                handled.insert(handled.end(), undeliverable.begin(), undeliverable.end());
            }
        }
        if (handled.empty()) {
            return false;
        }
        std::sort(handled.begin(), handled.end());
        if (FAILED(detail::set_responsibility(message, *s.rows, handled, true, alloc))) {
            s.marked.clear();
            return false;
        }
        return true;
    }

    void end_logon() noexcept
    {
        pending_.clear();
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
    std::optional<address_types_result> routing_;  // what AddressTypes answered
    std::map<std::uint32_t, std::unique_ptr<pending_submission>> pending_;  // by message reference
};

namespace detail {

/// A profile section opened through IMAPISupport::OpenProfileSection (null uid: the provider's
/// own), read whole into `props`. Empty when it cannot be opened.
class support_section {
public:
    /// Opens and reads the section `id` (null: the provider's own) with `flags` (MAPI_MODIFY).
    support_section(IMAPISupport* support, const uid* id, ULONG flags, LPFREEBUFFER free_buffer)
    {
        MAPIUID m{};
        if (id != nullptr) {
            std::memcpy(m.ab, id->bytes.data(), sizeof(m.ab));
        }
        if (FAILED(support->OpenProfileSection(id != nullptr ? &m : nullptr, flags, &section_))) {
            section_ = nullptr;
        }
        if (section_ != nullptr) {
            read_props(section_, props, free_buffer);
        }
    }
    support_section(const support_section&) = delete;
    support_section& operator=(const support_section&) = delete;
    /// Releases the section.
    ~support_section()
    {
        if (section_ != nullptr) {
            section_->Release();
        }
    }

    /// Writes `now` back: SetProps of every property but the two a provider may not change
    /// during logon, DeleteProps of those that were read but are gone, SaveChanges.
    void write_back(const property_bag& now) const
    {
        if (section_ == nullptr) {
            return;
        }
        property_bag changed;
        for (const prop_value& v : now) {
            if (!logon_section::read_only_during_logon(v.tag())) {
                static_cast<void>(changed.set(v));
            }
        }
        sprop_array values{changed};
        if (values.size() != 0) {
            static_cast<void>(section_->SetProps(values.size(), values.data(), nullptr));
        }
        std::vector<ULONG> gone;
        for (const prop_value& v : props) {
            if (!now.contains(prop_tag{v.tag().id(), prop_type::unspecified}) &&
                !logon_section::read_only_during_logon(v.tag())) {
                gone.push_back(v.tag().value());
            }
        }
        if (!gone.empty()) {
            std::vector<ULONG> storage(gone.size() + 1);
            storage[0] = static_cast<ULONG>(gone.size());
            std::copy(gone.begin(), gone.end(), storage.begin() + 1);
            static_cast<void>(section_->DeleteProps(reinterpret_cast<LPSPropTagArray>(storage.data()), nullptr));
        }
        static_cast<void>(section_->SaveChanges(KEEP_OPEN_READWRITE));
    }

    /// The properties read.
    property_bag props;

private:
    LPPROFSECT section_ = nullptr;
};

/// The string a TransportLogon received, UTF-8: UTF-16 when `unicode` (MAPI_UNICODE in the
/// logon flags), else the ANSI code page.
inline std::string logon_string(LPTSTR s, bool unicode)
{
    if (s == nullptr) {
        return {};
    }
    if (unicode) {
        return to_utf8(reinterpret_cast<const wchar_t*>(s));
    }
    return ansi_to_utf8(reinterpret_cast<const char*>(s));
}

/// TransportLogon of a session-style `transport_provider`: builds its `provider_context` from
/// what the spooler gives (the profile name, ulUIParam, LOGON_NO_DIALOG, MAPI_NT_SERVICE from
/// XPProviderInit) and from the provider's profile section and its service's section
/// (IMAPISupport::OpenProfileSection), runs `logon`, writes a changed section back, and
/// returns the logon with its `logon_flags()`.
inline result<xp_logon_result> logon_transport_provider(transport_provider& provider, xp_runtime& runtime,
                                                        ULONG ui_param, LPTSTR profile_name, ULONG flags,
                                                        bool nt_service)
{
    IMAPISupport* sup = runtime.com();
    support_section own{sup, nullptr, MAPI_MODIFY, runtime.free_buffer()};
    const std::optional<uid> service_uid = own.props.get_uid(pr::service_uid);
    std::optional<support_section> service_section;
    if (service_uid) {
        service_section.emplace(sup, &*service_uid, 0, runtime.free_buffer());
    }
    static const property_bag no_props;

    provider_entry entry;
    entry.display_name = own.props.get_string(pr::display_name).value_or("");
    entry.provider_display = own.props.get_string(prop_tag{0x3006, prop_type::unicode}).value_or("");  // PR_PROVIDER_DISPLAY
    entry.dll_name = own.props.get_string(prop_tag{0x300A, prop_type::unicode}).value_or("");  // PR_PROVIDER_DLL_NAME
    entry.type = resource_type::transport_provider;
    entry.flags = resource_flags::from_bits_unchecked(
        static_cast<std::uint32_t>(own.props.get_i4(pr::resource_flags).value_or(0)));
    entry.provider_uid = own.props.get_uid(pr::provider_uid).value_or(uid{});
    message_service service;
    service.name = own.props.get_string(prop_tag{0x3D09, prop_type::unicode}).value_or("");  // PR_SERVICE_NAME
    service.service_uid = service_uid.value_or(uid{});
    if (service_section) {
        service.display_name = service_section->props.get_string(pr::display_name).value_or("");
    }
    service.providers.push_back(entry);

    property_bag section = own.props;
    bool changed = false;
    const std::string name = logon_string(profile_name, (flags & MAPI_UNICODE) != 0);
    provider_context ctx{
        .profile_name = name,
        .service = service,
        .provider = entry,
        .section = logon_section{section, &changed},
        .service_section = service_section ? service_section->props : no_props,
        .dialog_allowed = (flags & LOGON_NO_DIALOG) == 0,
        .service_process = nt_service,
        .credential = std::nullopt,
        .attempt = 1,
        .ui_param = static_cast<std::uintptr_t>(ui_param),
        .support = runtime.support(),
        .spooler = &runtime.support(),
    };
    result<std::unique_ptr<transport_logon>> r = runtime.drive(provider.logon(ctx));
    if (changed) {
        own.write_back(section);
    }
    if (!r) {
        return std::move(r).as_failure();
    }
    if (!*r) {
        return fail(scode::call_failed, "the transport provider's logon returned no logon object",
                    "mapixx.win32.transport");
    }
    const transport_logon_flags out = (*r)->logon_flags();
    return xp_logon_result{std::move(*r), out};
}

} // namespace detail

/// A transport provider as an IXPProvider COM object (vtable of mapispi.h): TransportLogon
/// runs `xp_provider::transport_logon` on a new `spooler_support` that forwards to the given
/// IMAPISupport, and returns an `xp_logon_object`.
class xp_provider_object final : public IXPProvider {
public:
    /// Wraps `provider` (not null).
    explicit xp_provider_object(std::unique_ptr<xp_provider> provider) noexcept : provider_{std::move(provider)} {}
    /// Wraps a session-style transport provider (not null); `nt_service` is MAPI_NT_SERVICE from
    /// XPProviderInit, passed to its logons as `provider_context::service_process`.
    xp_provider_object(std::unique_ptr<transport_provider> provider, bool nt_service) noexcept
        : transport_{std::move(provider)}, nt_service_{nt_service}
    {
    }
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
            result<xp_logon_result> r =
                transport_ ? detail::logon_transport_provider(*transport_, *runtime, ulUIParam, lpszProfileName,
                                                              *lpulFlags, nt_service_)
                           : runtime->drive(provider_->transport_logon(runtime->support(), in));
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
    std::unique_ptr<xp_provider> provider_;          // a spooler-style provider, or
    std::unique_ptr<transport_provider> transport_;  // a session-style one
    bool nt_service_ = false;
};

/// XPProviderInit's body (MAPI-REFERENCE 7.2), for `MAPIXX_WIN32_XP_PROVIDER_INIT` or a
/// hand-written export.
///
/// `make()` returns a `std::unique_ptr` to an `xp_provider` (the spooler's view: its
/// `transport_logon` gets the support and the LOGON_NO_* flags) or to a `transport_provider`
/// (the session's view: its `logon` gets a `provider_context`, see `xp_provider_object`), or
/// to a class derived from either.
///
/// Version negotiation: *lpulProviderVer always receives the provider's SPI version
/// (`xp_provider::spi_version()`; CURRENT_SPI_VERSION for a `transport_provider`). When the
/// spooler's version `ulMAPIVer` is lower, the provider cannot serve it: MAPI_E_VERSION and no
/// object. Otherwise a new IXPProvider is made by `make()` on every call (one per call, as the
/// reference asks) and returned with one reference. `ulFlags` is XPProviderInit's (MAPI_NT_SERVICE
/// reaches a `transport_provider` as `provider_context::service_process`). `make()` returning
/// null gives MAPI_E_CALL_FAILED; an exception, its HRESULT.
template <class Make>
HRESULT xp_provider_init(Make&& make, ULONG ulFlags, ULONG ulMAPIVer, ULONG* lpulProviderVer,
                         LPXPPROVIDER* lppXPProvider) noexcept
{
    if (lpulProviderVer == nullptr || lppXPProvider == nullptr) {
        return MAPI_E_INVALID_PARAMETER;
    }
    *lppXPProvider = nullptr;
    try {
        auto made = make();
        using made_type = typename decltype(made)::element_type;
        static_assert(std::derived_from<made_type, xp_provider> || std::derived_from<made_type, transport_provider>,
                      "make() must return a std::unique_ptr to an xp_provider or a transport_provider");
        if (!made) {
            return MAPI_E_CALL_FAILED;
        }
        if constexpr (std::derived_from<made_type, xp_provider>) {
            std::unique_ptr<xp_provider> provider = std::move(made);
            *lpulProviderVer = provider->spi_version();
            if (ulMAPIVer < provider->spi_version()) {
                return MAPI_E_VERSION;
            }
            *lppXPProvider = new xp_provider_object{std::move(provider)};
        } else {
            std::unique_ptr<transport_provider> provider = std::move(made);
            *lpulProviderVer = xp_provider::current_spi_version;
            if (ulMAPIVer < xp_provider::current_spi_version) {
                return MAPI_E_VERSION;
            }
            *lppXPProvider = new xp_provider_object{std::move(provider), (ulFlags & MAPI_NT_SERVICE) != 0};
        }
        return S_OK;
    } catch (...) {
        return detail::hresult_of_exception(std::current_exception());
    }
}

/// `xp_provider_init` without XPProviderInit's flags (as if 0).
template <class Make>
HRESULT xp_provider_init(Make&& make, ULONG ulMAPIVer, ULONG* lpulProviderVer, LPXPPROVIDER* lppXPProvider) noexcept
{
    return xp_provider_init(std::forward<Make>(make), ULONG{0}, ulMAPIVer, lpulProviderVer, lppXPProvider);
}

} // namespace mapixx::inline v0::win32

/// Defines the DLL's `XPProviderInit` export (cdecl, the signature of mapispi.h's
/// XPPROVIDERINIT) on top of `mapixx::win32::xp_provider_init`. `make_provider` is an
/// expression callable with no argument that returns a `std::unique_ptr` to an `xp_provider`
/// or a `transport_provider`, e.g. `[] { return std::make_unique<my_transport>(); }`. Use it
/// once, at namespace scope, in one source file of the provider DLL.
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
        return ::mapixx::win32::xp_provider_init(make_provider, ulFlags, ulMAPIVer, lpulProviderVer,           \
                                                 lppXPProvider);                                                \
    }

#endif // _WIN32
#endif
