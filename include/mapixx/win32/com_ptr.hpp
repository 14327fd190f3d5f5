// SPDX-License-Identifier: MIT
/// \file
/// `com_ptr<T>`: an owning pointer to a COM interface (one reference, Release on destruction).
#ifndef MAPIXX_WIN32_COM_PTR_HPP_INCLUDED
#define MAPIXX_WIN32_COM_PTR_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/win32/sdk.hpp>

#include <cstddef>
#include <utility>

namespace mapixx::inline v0::win32 {

/// Holds one reference to a COM object. Move-only on purpose: sharing a MAPI object is explicit
/// (`share()` calls AddRef). `put()` gives the out-parameter slot, cleared to null first, which
/// is how every MAPI factory (MAPILogonEx, MAPIAdminProfiles, AdminServices) is called.
template <class T>
class com_ptr {
public:
    com_ptr() noexcept = default;
    com_ptr(std::nullptr_t) noexcept {}  // NOLINT: implicit on purpose
    /// Takes over a reference the caller owns.
    [[nodiscard]] static com_ptr attach(T* p) noexcept {
        com_ptr c;
        c.p_ = p;
        return c;
    }
    com_ptr(const com_ptr&) = delete;
    com_ptr& operator=(const com_ptr&) = delete;
    com_ptr(com_ptr&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    com_ptr& operator=(com_ptr&& o) noexcept {
        if (this != &o) {
            reset();
            p_ = std::exchange(o.p_, nullptr);
        }
        return *this;
    }
    ~com_ptr() { reset(); }

    /// Another owner of the same object (AddRef).
    [[nodiscard]] com_ptr share() const noexcept {
        if (p_ != nullptr) p_->AddRef();
        return attach(p_);
    }
    /// Releases the reference now.
    void reset() noexcept {
        if (T* p = std::exchange(p_, nullptr)) p->Release();
    }
    /// Gives the reference up without Release.
    [[nodiscard]] T* detach() noexcept { return std::exchange(p_, nullptr); }
    /// Releases what it holds and returns the empty slot for an out-parameter.
    [[nodiscard]] T** put() noexcept {
        reset();
        return &p_;
    }
    [[nodiscard]] T* get() const noexcept { return p_; }
    T* operator->() const noexcept { return p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }

    /// QueryInterface for another interface U with the IID `iid`; null when not offered.
    template <class U>
    [[nodiscard]] com_ptr<U> query(const IID& iid) const noexcept {
        com_ptr<U> out;
        if (p_ != nullptr) {
            void* raw = nullptr;
            if (SUCCEEDED(p_->QueryInterface(iid, &raw)) && raw != nullptr) out = com_ptr<U>::attach(static_cast<U*>(raw));
        }
        return out;
    }

private:
    T* p_ = nullptr;
};

} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
