// SPDX-License-Identifier: MIT
/// \file
/// The profile data model: a profile, its message services, their providers, and the profile
/// sections (property bags keyed by uid) that hold their configuration.
#ifndef MAPIXX_PROFILE_PROFILE_HPP_INCLUDED
#define MAPIXX_PROFILE_PROFILE_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/uid.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mapixx::inline v0 {

/// One provider of a message service, as the provider table shows it.
struct provider_entry {
    std::string section_name;      ///< the MAPISVC.INF section it was created from ("MXX Store")
    std::string display_name;      ///< PR_DISPLAY_NAME
    std::string provider_display;  ///< PR_PROVIDER_DISPLAY
    std::string dll_name;          ///< PR_PROVIDER_DLL_NAME: base name, no "32"
    resource_type type = resource_type::store_provider;  ///< PR_RESOURCE_TYPE
    resource_flags flags{};        ///< PR_RESOURCE_FLAGS (STATUS_* bits)
    uid provider_uid{};            ///< PR_PROVIDER_UID: also the uid of its profile section

    friend bool operator==(const provider_entry&, const provider_entry&) = default;
};

/// One message service of a profile, as the message service table shows it.
struct message_service {
    std::string name;              ///< PR_SERVICE_NAME: the [Services] key; never localised
    std::string display_name;      ///< PR_DISPLAY_NAME
    std::string dll_name;          ///< PR_SERVICE_DLL_NAME
    std::string entry_name;        ///< PR_SERVICE_ENTRY_NAME
    service_flags flags{};         ///< PR_RESOURCE_FLAGS (SERVICE_* bits)
    uid service_uid{};             ///< PR_SERVICE_UID: also the uid of its profile section
    std::vector<uid> extra_sections;          ///< PR_SERVICE_EXTRA_UIDS (the INF's Sections=)
    std::vector<provider_entry> providers;    ///< in profile order

    friend bool operator==(const message_service&, const message_service&) = default;
};

/// A profile: a name, whether it is the default, the ordered message services, every profile
/// section's properties, and the transport order when a client set one.
///
/// Order matters: it decides the default store (the first store provider flagged
/// STATUS_DEFAULT_STORE), search paths, and the default transport order (order of addition,
/// STATUS_XP_PREFER_LAST transports last) unless `transport_order` overrides it.
struct profile {
    std::string name;                       ///< PR_PROFILE_NAME
    bool is_default = false;                ///< PR_DEFAULT_PROFILE
    uid search_key{};                       ///< PR_SEARCH_KEY of MUID_PROFILE_INSTANCE: tells profiles apart
    std::vector<message_service> services;  ///< in order of addition
    std::map<uid, property_bag> sections;   ///< every profile section, by uid
    std::vector<uid> transport_order;       ///< PR_PROVIDER_UIDs set by MsgServiceTransportOrder, or empty

    /// The service with `service_uid`, or nullptr.
    [[nodiscard]] const message_service* find_service(const uid& service_uid) const noexcept {
        auto it = std::find_if(services.begin(), services.end(),
                               [&](const message_service& s) { return s.service_uid == service_uid; });
        return it == services.end() ? nullptr : &*it;
    }
    [[nodiscard]] message_service* find_service(const uid& service_uid) noexcept {
        auto it = std::find_if(services.begin(), services.end(),
                               [&](const message_service& s) { return s.service_uid == service_uid; });
        return it == services.end() ? nullptr : &*it;
    }
    /// The section with `id`, or nullptr.
    [[nodiscard]] const property_bag* section(const uid& id) const noexcept {
        auto it = sections.find(id);
        return it == sections.end() ? nullptr : &it->second;
    }

    friend bool operator==(const profile&, const profile&) = default;
};

/// Checks a profile name against the rules mapixx enforces (DESIGN.md): 1 to 64 characters, no
/// control characters, no backslash, no leading or trailing space. `invalid_parameter` with a
/// sentence naming the problem otherwise.
[[nodiscard]] inline result<void> check_profile_name(std::string_view name) {
    auto bad = [&](const std::string& why) {
        return fail(scode::invalid_parameter, "profile name \"" + std::string(name) + "\" is not valid: " + why,
                    "mapixx.profile");
    };
    if (name.empty()) return bad("it is empty");
    if (name.size() > 64) return bad("it has " + std::to_string(name.size()) + " characters and at most 64 are allowed");
    if (name.front() == ' ' || name.back() == ' ') return bad("it starts or ends with a space");
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) return bad("it contains a control character");
        if (c == '\\') return bad("it contains a backslash");
    }
    return {};
}

/// Profile names compare without regard to ASCII case, as MAPI's registry keys do.
[[nodiscard]] inline bool same_profile_name(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

} // namespace mapixx::inline v0

#endif
