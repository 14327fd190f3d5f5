// SPDX-License-Identifier: MIT
/// \file
/// `win32::profile_admin`: profile administration over the real IProfAdmin (MAPIAdminProfiles).
#ifndef MAPIXX_WIN32_PROFILE_ADMIN_HPP_INCLUDED
#define MAPIXX_WIN32_PROFILE_ADMIN_HPP_INCLUDED

#if defined(_WIN32)

#include <mapixx/core/flags.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/profile/profile_admin.hpp>
#include <mapixx/win32/com_ptr.hpp>
#include <mapixx/win32/detail/state.hpp>
#include <mapixx/win32/error.hpp>
#include <mapixx/win32/sdk.hpp>
#include <mapixx/win32/service_admin.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mapixx::inline v0::win32 {

namespace detail {
inline constexpr const char* profile_admin_component = "mapixx.win32.profile_admin";
} // namespace detail

/// IProfAdmin::CreateProfile flags (the subset mapixx passes): MAPI_DEFAULT_SERVICES (0x1),
/// the same value as the portable `profile_create_flag::default_services`.
inline constexpr std::uint32_t create_default_services = MAPI_DEFAULT_SERVICES;
static_assert(static_cast<std::uint32_t>(profile_create_flag::default_services) == MAPI_DEFAULT_SERVICES);

/// The profiles of the current Windows user, over IProfAdmin: the win32 twin of
/// `mapixx::profile_admin`, with the same member names for what the real interface offers.
/// Names go to MAPI in the ANSI code page; no password is ever passed (MAPI ignores them).
/// Keeps the subsystem initialised while it lives. Move-only.
class profile_admin {
public:
    profile_admin() noexcept = default;

    /// MAPIAdminProfiles(0) on the subsystem's MAPI. Prefer `subsystem::admin_profiles()`.
    [[nodiscard]] static result<profile_admin> open(std::shared_ptr<detail::win32_state> sub) {
        const detail::loaded_mapi& m = *sub->mapi;
        if (m.api.admin_profiles == nullptr) {
            return fail(scode::no_support, m.describe() + " exports no MAPIAdminProfiles",
                        detail::profile_admin_component);
        }
        profile_admin a;
        LPPROFADMIN raw = nullptr;  // pre-set, as for MAPILogonEx
        const HRESULT hr = m.api.admin_profiles(0, &raw);
        if (FAILED(hr)) {
            if (static_cast<std::uint32_t>(hr) == static_cast<std::uint32_t>(scode::call_failed) ||
                static_cast<std::uint32_t>(hr) == static_cast<std::uint32_t>(scode::not_initialized)) {
                return fail(to_scode(hr), detail::no_provider_sentence(m, "MAPIAdminProfiles", hr),
                            detail::profile_admin_component, static_cast<std::uint32_t>(hr));
            }
            return hresult_failure(hr, "MAPIAdminProfiles failed", detail::profile_admin_component);
        }
        if (raw == nullptr) {
            return fail(scode::call_failed, "MAPIAdminProfiles succeeded but returned no IProfAdmin",
                        detail::profile_admin_component);
        }
        a.admin_ = com_ptr<IProfAdmin>::attach(raw);
        a.sub_ = std::move(sub);
        return a;
    }

    /// The IProfAdmin (not AddRef'd), for calls mapixx does not wrap.
    [[nodiscard]] IProfAdmin* get() const noexcept { return admin_.get(); }

    /// CreateProfile(name, NULL, 0, flags), with the portable typed flags
    /// (`profile_create_flag::default_services` is MAPI_DEFAULT_SERVICES), as
    /// `mapixx::profile_admin::create_profile` takes them. `unknown_flags` for bits that are no
    /// `profile_create_flag` (a set made with `from_bits_unchecked`), before MAPI is called.
    result<void> create_profile(std::string_view name, profile_create_flags flags = {}) {
        if (const std::uint32_t unknown = flags.bits() & ~static_cast<std::uint32_t>(MAPI_DEFAULT_SERVICES);
            unknown != 0) {
            return fail(scode::unknown_flags,
                        "create_profile: flags 0x" + hex32(unknown) + " are not CreateProfile flags mapixx knows",
                        detail::profile_admin_component);
        }
        return create_profile(name, flags.bits());
    }
    /// CreateProfile(name, NULL, 0, flags) with raw CreateProfile bits, passed unchecked
    /// (e.g. `create_default_services`).
    result<void> create_profile(std::string_view name, std::uint32_t flags) {
        if (!admin_) return empty_failure();
        std::string n = to_ansi(name);
        return check(admin_->CreateProfile(arg(n), nullptr, 0, flags), "CreateProfile", name);
    }
    /// DeleteProfile(name, 0).
    result<void> delete_profile(std::string_view name) {
        if (!admin_) return empty_failure();
        std::string n = to_ansi(name);
        return check(admin_->DeleteProfile(arg(n), 0), "DeleteProfile", name);
    }
    /// CopyProfile(from, NULL, to, 0, 0).
    result<void> copy_profile(std::string_view from, std::string_view to) {
        if (!admin_) return empty_failure();
        std::string f = to_ansi(from), t = to_ansi(to);
        return check(admin_->CopyProfile(arg(f), nullptr, arg(t), 0, 0), "CopyProfile", from);
    }
    /// RenameProfile(from, NULL, to, 0, 0).
    result<void> rename_profile(std::string_view from, std::string_view to) {
        if (!admin_) return empty_failure();
        std::string f = to_ansi(from), t = to_ansi(to);
        return check(admin_->RenameProfile(arg(f), nullptr, arg(t), 0, 0), "RenameProfile", from);
    }
    /// SetDefaultProfile(name or NULL, 0); nullopt clears the default.
    result<void> set_default_profile(std::optional<std::string_view> name) {
        if (!admin_) return empty_failure();
        std::string n = name ? to_ansi(*name) : std::string();
        return check(admin_->SetDefaultProfile(name ? arg(n) : nullptr, 0), "SetDefaultProfile", name.value_or(""));
    }
    /// ChangeProfilePassword (a no-op in MAPI that answers S_OK, rule 44).
    result<void> change_profile_password(std::string_view name = {}, std::string_view old_password = {},
                                         std::string_view new_password = {}) {
        if (!admin_) return empty_failure();
        std::string n = to_ansi(name), o = to_ansi(old_password), w = to_ansi(new_password);
        return check(admin_->ChangeProfilePassword(arg(n), arg(o), arg(w), 0), "ChangeProfilePassword", name);
    }
    /// AdminServices(name, NULL, 0, 0): the message services of a profile, without a session
    /// (MAPI_E_LOGON_FAILED for an unknown profile, rule 42).
    [[nodiscard]] result<service_admin> admin_services(std::string_view name) const {
        if (!admin_) return empty_failure();
        std::string n = to_ansi(name);
        com_ptr<IMsgServiceAdmin> svc;
        const HRESULT hr = admin_->AdminServices(arg(n), nullptr, 0, 0, svc.put());
        if (auto ok = check(hr, "AdminServices", name); !ok) return std::move(ok).as_failure();
        if (!svc) {
            return fail(scode::call_failed, "IProfAdmin::AdminServices succeeded but returned no object",
                        detail::profile_admin_component);
        }
        return service_admin(std::move(svc), sub_);
    }

private:
    static std::string hex32(std::uint32_t v) {
        static constexpr char digits[] = "0123456789ABCDEF";
        std::string out(8, '0');
        for (int i = 7; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = digits[v & 0xF];
        return out;
    }
    static LPTSTR arg(std::string& s) noexcept { return reinterpret_cast<LPTSTR>(s.data()); }
    [[nodiscard]] static failure empty_failure() {
        return fail(scode::invalid_object, "this profile_admin holds no IProfAdmin (default-constructed or moved from)",
                    detail::profile_admin_component);
    }
    [[nodiscard]] result<void> check(HRESULT hr, std::string_view method, std::string_view name) const {
        if (SUCCEEDED(hr)) return {};
        return object_failure(admin_.get(), hr,
                              "IProfAdmin::" + std::string(method) + "(\"" + std::string(name) + "\") failed",
                              detail::profile_admin_component, sub_ ? sub_->mapi->api.free_buffer : nullptr);
    }

    std::shared_ptr<detail::win32_state> sub_;
    com_ptr<IProfAdmin> admin_;
};

} // namespace mapixx::inline v0::win32

#endif // _WIN32
#endif
