// SPDX-License-Identifier: MIT
/// \file
/// `provider_context`: everything a provider's logon receives, and `logon_section`, the
/// provider's profile section as it may use it during logon.
#ifndef MAPIXX_PROVIDER_PROVIDER_CONTEXT_HPP_INCLUDED
#define MAPIXX_PROVIDER_PROVIDER_CONTEXT_HPP_INCLUDED

#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/provider/provider_support.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mapixx::inline v0 {

class spooler_support;

/// A provider's own profile section during its logon: read freely, written through `set` and
/// `erase`. PR_RESOURCE_FLAGS and PR_PROVIDER_DLL_NAME are read-only during provider logon
/// (MAPI-REFERENCE 6.1): writing or erasing them fails with `no_access` and changes nothing.
///
/// The section is the session's own copy of the profile (rule 34). Writes are visible at once
/// to the provider and are written back to the profile store when the logon attempt ends, so
/// the next session sees them too.
class logon_section {
public:
    /// Where a section that starts out shared gets its own bag on the first write (a session
    /// shares one profile among its sessions until one of them changes it).
    class writer {
    public:
        /// The bag to write to; the same one on every call. May throw `std::bad_alloc`.
        virtual property_bag& writable() = 0;

    protected:
        ~writer() = default;
    };

    /// A view of `bag`. `changed` (may be null) is set to true by every successful write.
    explicit logon_section(property_bag& bag, bool* changed = nullptr) noexcept
        : bag_(&bag), target_(&bag), changed_(changed) {}
    /// A view of `shared`, which is not written: the first write asks `to` for the bag to
    /// change, which then starts as a copy of `shared`.
    logon_section(const property_bag& shared, writer& to, bool* changed = nullptr) noexcept
        : bag_(&shared), writer_(&to), changed_(changed) {}

    /// The properties.
    [[nodiscard]] const property_bag& props() const noexcept { return *bag_; }

    /// Adds or replaces a property. `no_access` for PR_RESOURCE_FLAGS and PR_PROVIDER_DLL_NAME;
    /// `invalid_type` for a value that does not match its tag.
    result<void> set(prop_value v) {
        if (auto r = check_writable(v.tag()); !r) return r;
        auto r = target().set(std::move(v));
        if (r && changed_) *changed_ = true;
        return r;
    }
    /// Shorthand for `set(prop_value(tag, value))`.
    template <class T>
    result<void> set(prop_tag tag, T&& value) {
        return set(prop_value(tag, std::forward<T>(value)));
    }
    /// Removes a property (any type with `tag`'s id). `no_access` for the read-only two;
    /// `not_found` if absent.
    result<void> erase(prop_tag tag) {
        if (auto r = check_writable(tag); !r) return r;
        if (!bag_->contains(tag.with_type(prop_type::unspecified))) {
            return fail(scode::not_found, "the profile section has no property " + to_string(tag),
                        "mapixx.logon_section");
        }
        if (!target().erase(tag)) {
            return fail(scode::not_found, "the profile section has no property " + to_string(tag),
                        "mapixx.logon_section");
        }
        if (changed_) *changed_ = true;
        return {};
    }

    /// True for the properties a provider may not change during logon.
    [[nodiscard]] static constexpr bool read_only_during_logon(prop_tag tag) noexcept {
        return tag.id() == pr::resource_flags.id() || tag.id() == pr::provider_dll_name.id();
    }

private:
    static result<void> check_writable(prop_tag tag) {
        if (read_only_during_logon(tag)) {
            return fail(scode::no_access,
                        to_string(tag) +
                            " is read-only while the provider logs on (MAPI-REFERENCE 6.1); it keeps the value the "
                            "profile gives it",
                        "mapixx.logon_section");
        }
        return {};
    }

    property_bag& target() {
        if (target_ == nullptr) {
            target_ = &writer_->writable();
            bag_ = target_;
        }
        return *target_;
    }

    const property_bag* bag_;
    property_bag* target_ = nullptr;
    writer* writer_ = nullptr;
    bool* changed_;
};

/// What a provider's `logon` receives. Built by the session for each attempt; the references
/// are valid until `logon` returns (`support` stays valid for the life of the provider logon).
///
/// \code
/// task<result<std::unique_ptr<store_logon>>> logon(provider_context& ctx) override {
///     if (!ctx.section.props().contains(my_path_tag))
///         co_return fail(scode::unconfigured, "no path is configured");   // rule 30
///     ...
/// }
/// \endcode
struct provider_context {
    /// The profile's name (PR_PROFILE_NAME).
    std::string_view profile_name;
    /// The message service the provider belongs to.
    const message_service& service;
    /// The provider's entry in that service.
    const provider_entry& provider;
    /// The provider's own profile section (PR_RESOURCE_FLAGS and PR_PROVIDER_DLL_NAME
    /// read-only).
    logon_section section;
    /// The message service's profile section (read-only here; the service entry configures it).
    const property_bag& service_section;
    /// True if the provider may show a dialog: the client passed MAPI_LOGON_UI and is not a
    /// service. False is the model of LOGON_NO_DIALOG / MDB_NO_DIALOG / AB_NO_DIALOG: a provider
    /// whose configuration is incomplete then returns `unconfigured` (rule 30).
    bool dialog_allowed = false;
    /// True in a Windows-service client (MAPI_NT_SERVICE): no UI is available at all.
    bool service_process = false;
    /// The password argument of the logon (or the one the user typed after a rejected one):
    /// the credential, for the provider to judge. nullopt when none was given.
    std::optional<std::string> credential;
    /// 1 for the first attempt, 2 for the retry.
    int attempt = 1;
    /// The client's ulUIParam, passed unchanged.
    std::uintptr_t ui_param = 0;
    /// The session's services (IMAPISupport).
    provider_support& support;
    /// For a transport logon: the transport's spooler support (the same object as `support`),
    /// to construct its `transport_logon` with. Null for stores and address books.
    spooler_support* spooler = nullptr;
};

} // namespace mapixx::inline v0

#endif
