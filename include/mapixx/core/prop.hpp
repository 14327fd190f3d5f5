// SPDX-License-Identifier: MIT
/// \file
/// MAPI properties: `prop_type`, `prop_tag`, `prop_value`, `property_bag`, and the PR_* tags
/// the session side uses (namespace `pr`).
#ifndef MAPIXX_CORE_PROP_HPP_INCLUDED
#define MAPIXX_CORE_PROP_HPP_INCLUDED

#include <mapixx/core/result.hpp>
#include <mapixx/core/scode.hpp>
#include <mapixx/core/secret.hpp>
#include <mapixx/core/uid.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace mapixx::inline v0 {

/// A property type (the low 16 bits of a tag), with the SDK's values.
enum class prop_type : std::uint16_t {
    unspecified = 0x0000,  ///< PT_UNSPECIFIED
    null = 0x0001,         ///< PT_NULL
    i2 = 0x0002,           ///< PT_I2 / PT_SHORT
    i4 = 0x0003,           ///< PT_LONG / PT_I4
    r4 = 0x0004,           ///< PT_R4 / PT_FLOAT
    r8 = 0x0005,           ///< PT_DOUBLE / PT_R8
    currency = 0x0006,     ///< PT_CURRENCY
    apptime = 0x0007,      ///< PT_APPTIME
    error = 0x000A,        ///< PT_ERROR
    boolean = 0x000B,      ///< PT_BOOLEAN
    object = 0x000D,       ///< PT_OBJECT
    i8 = 0x0014,           ///< PT_I8 / PT_LONGLONG
    string8 = 0x001E,      ///< PT_STRING8
    unicode = 0x001F,      ///< PT_UNICODE
    systime = 0x0040,      ///< PT_SYSTIME
    clsid = 0x0048,        ///< PT_CLSID
    binary = 0x0102,       ///< PT_BINARY
    mv_i2 = 0x1002,        ///< PT_MV_I2
    mv_i4 = 0x1003,        ///< PT_MV_LONG
    mv_i8 = 0x1014,        ///< PT_MV_I8
    mv_string8 = 0x101E,   ///< PT_MV_STRING8
    mv_unicode = 0x101F,   ///< PT_MV_UNICODE
    mv_systime = 0x1040,   ///< PT_MV_SYSTIME
    mv_clsid = 0x1048,     ///< PT_MV_CLSID
    mv_binary = 0x1102,    ///< PT_MV_BINARY
};

/// MV_FLAG: set in the type of every multi-valued property.
inline constexpr std::uint16_t mv_flag = 0x1000;

/// The SDK name of a type (`"PT_LONG"`), or empty.
[[nodiscard]] constexpr std::string_view sdk_name(prop_type t) noexcept {
    switch (t) {
    case prop_type::unspecified: return "PT_UNSPECIFIED";
    case prop_type::null: return "PT_NULL";
    case prop_type::i2: return "PT_I2";
    case prop_type::i4: return "PT_LONG";
    case prop_type::r4: return "PT_R4";
    case prop_type::r8: return "PT_DOUBLE";
    case prop_type::currency: return "PT_CURRENCY";
    case prop_type::apptime: return "PT_APPTIME";
    case prop_type::error: return "PT_ERROR";
    case prop_type::boolean: return "PT_BOOLEAN";
    case prop_type::object: return "PT_OBJECT";
    case prop_type::i8: return "PT_I8";
    case prop_type::string8: return "PT_STRING8";
    case prop_type::unicode: return "PT_UNICODE";
    case prop_type::systime: return "PT_SYSTIME";
    case prop_type::clsid: return "PT_CLSID";
    case prop_type::binary: return "PT_BINARY";
    case prop_type::mv_i2: return "PT_MV_I2";
    case prop_type::mv_i4: return "PT_MV_LONG";
    case prop_type::mv_i8: return "PT_MV_I8";
    case prop_type::mv_string8: return "PT_MV_STRING8";
    case prop_type::mv_unicode: return "PT_MV_UNICODE";
    case prop_type::mv_systime: return "PT_MV_SYSTIME";
    case prop_type::mv_clsid: return "PT_MV_CLSID";
    case prop_type::mv_binary: return "PT_MV_BINARY";
    }
    return {};
}

/// A property tag: `(id << 16) | type`, exactly the SDK's ULONG.
class prop_tag {
public:
    constexpr prop_tag() noexcept = default;
    constexpr explicit prop_tag(std::uint32_t value) noexcept : value_(value) {}
    constexpr prop_tag(std::uint16_t id, prop_type type) noexcept
        : value_((std::uint32_t{id} << 16) | static_cast<std::uint16_t>(type)) {}

    [[nodiscard]] constexpr std::uint32_t value() const noexcept { return value_; }
    [[nodiscard]] constexpr std::uint16_t id() const noexcept { return static_cast<std::uint16_t>(value_ >> 16); }
    [[nodiscard]] constexpr prop_type type() const noexcept { return static_cast<prop_type>(value_ & 0xFFFF); }
    [[nodiscard]] constexpr bool is_multi() const noexcept { return (value_ & mv_flag) != 0; }
    /// The same id with another type.
    [[nodiscard]] constexpr prop_tag with_type(prop_type t) const noexcept { return prop_tag(id(), t); }
    /// True for the secure range 0x67F0-0x67FF (PROP_ID_SECURE_MIN..MAX): credentials that are
    /// never printed or logged.
    [[nodiscard]] constexpr bool is_secure() const noexcept { return id() >= 0x67F0 && id() <= 0x67FF; }

    /// 8 upper-case hex digits, the MAPISVC.INF form (`3001001E`).
    [[nodiscard]] std::string hex() const { return detail::hex32(value_).substr(2); }

    friend constexpr auto operator<=>(prop_tag, prop_tag) = default;

private:
    std::uint32_t value_ = 0;
};

/// PR_* tags. A bare name is the Unicode (PT_UNICODE) form, as in a UNICODE build of the SDK;
/// `_a` / `_w` name the PT_STRING8 / PT_UNICODE forms explicitly.
namespace pr {
#define MAPIXX_STRING_TAG(name, id)                                            \
    inline constexpr prop_tag name##_a{id, prop_type::string8};                \
    inline constexpr prop_tag name##_w{id, prop_type::unicode};                \
    inline constexpr prop_tag name = name##_w
MAPIXX_STRING_TAG(profile_name, 0x3D12);
MAPIXX_STRING_TAG(display_name, 0x3001);
MAPIXX_STRING_TAG(service_name, 0x3D09);
MAPIXX_STRING_TAG(service_dll_name, 0x3D0A);
MAPIXX_STRING_TAG(provider_display, 0x3006);
MAPIXX_STRING_TAG(provider_dll_name, 0x300A);
MAPIXX_STRING_TAG(status_string, 0x3E08);
MAPIXX_STRING_TAG(identity_display, 0x3E00);
MAPIXX_STRING_TAG(subject, 0x0037);
MAPIXX_STRING_TAG(body, 0x1000);
MAPIXX_STRING_TAG(message_class, 0x001A);
MAPIXX_STRING_TAG(addrtype, 0x3002);
MAPIXX_STRING_TAG(email_address, 0x3003);
MAPIXX_STRING_TAG(sender_name, 0x0C1A);
MAPIXX_STRING_TAG(sender_email_address, 0x0C1F);
MAPIXX_STRING_TAG(internet_message_id, 0x1035);
MAPIXX_STRING_TAG(sender_addrtype, 0x0C1E);
MAPIXX_STRING_TAG(display_to, 0x0E04);
MAPIXX_STRING_TAG(display_cc, 0x0E03);
MAPIXX_STRING_TAG(display_bcc, 0x0E02);
MAPIXX_STRING_TAG(transport_message_headers, 0x007D);
MAPIXX_STRING_TAG(in_reply_to_id, 0x1042);
MAPIXX_STRING_TAG(internet_references, 0x1039);
MAPIXX_STRING_TAG(report_text, 0x1001);
MAPIXX_STRING_TAG(attach_filename, 0x3704);
MAPIXX_STRING_TAG(attach_long_filename, 0x3707);
MAPIXX_STRING_TAG(attach_mime_tag, 0x370E);
MAPIXX_STRING_TAG(attach_content_id, 0x3712);
#undef MAPIXX_STRING_TAG
inline constexpr prop_tag service_support_files_a{0x3D0F, prop_type::mv_string8};
inline constexpr prop_tag service_support_files_w{0x3D0F, prop_type::mv_unicode};
inline constexpr prop_tag service_support_files = service_support_files_w;
inline constexpr prop_tag service_delete_files_a{0x3D10, prop_type::mv_string8};
inline constexpr prop_tag service_delete_files_w{0x3D10, prop_type::mv_unicode};
inline constexpr prop_tag service_delete_files = service_delete_files_w;
/// Always PT_STRING8, in every build.
inline constexpr prop_tag service_entry_name{0x3D0B, prop_type::string8};
inline constexpr prop_tag default_profile{0x3D04, prop_type::boolean};
inline constexpr prop_tag service_uid{0x3D0C, prop_type::binary};
inline constexpr prop_tag service_extra_uids{0x3D0D, prop_type::binary};
inline constexpr prop_tag provider_uid{0x300C, prop_type::binary};
inline constexpr prop_tag provider_ordinal{0x300D, prop_type::i4};
inline constexpr prop_tag resource_flags{0x3009, prop_type::i4};
inline constexpr prop_tag resource_type{0x3E03, prop_type::i4};
inline constexpr prop_tag resource_methods{0x3E02, prop_type::i4};
inline constexpr prop_tag status_code{0x3E04, prop_type::i4};
inline constexpr prop_tag identity_entryid{0x3E01, prop_type::binary};
inline constexpr prop_tag identity_search_key{0x3E05, prop_type::binary};
inline constexpr prop_tag own_store_entryid{0x3E06, prop_type::binary};
inline constexpr prop_tag remote_validate_ok{0x3E0D, prop_type::boolean};
inline constexpr prop_tag mdb_provider{0x3414, prop_type::binary};
inline constexpr prop_tag ab_provider_id{0x3615, prop_type::binary};
inline constexpr prop_tag object_type{0x0FFE, prop_type::i4};
inline constexpr prop_tag entryid{0x0FFF, prop_type::binary};
inline constexpr prop_tag instance_key{0x0FF6, prop_type::binary};
inline constexpr prop_tag rowid{0x3000, prop_type::i4};
inline constexpr prop_tag search_key{0x300B, prop_type::binary};
inline constexpr prop_tag store_providers{0x3D00, prop_type::binary};
inline constexpr prop_tag ab_providers{0x3D01, prop_type::binary};
inline constexpr prop_tag transport_providers{0x3D02, prop_type::binary};
inline constexpr prop_tag message_flags{0x0E07, prop_type::i4};
inline constexpr prop_tag responsibility{0x0E0F, prop_type::boolean};
inline constexpr prop_tag recipient_type{0x0C15, prop_type::i4};
inline constexpr prop_tag client_submit_time{0x0039, prop_type::systime};
inline constexpr prop_tag message_delivery_time{0x0E06, prop_type::systime};
inline constexpr prop_tag message_size{0x0E08, prop_type::i4};
inline constexpr prop_tag importance{0x0017, prop_type::i4};
inline constexpr prop_tag delete_after_submit{0x0E01, prop_type::boolean};
inline constexpr prop_tag sentmail_entryid{0x0E0A, prop_type::binary};
inline constexpr prop_tag ndr_reason_code{0x0C04, prop_type::i4};
inline constexpr prop_tag ndr_diag_code{0x0C05, prop_type::i4};
inline constexpr prop_tag attach_num{0x0E21, prop_type::i4};
inline constexpr prop_tag attach_data_bin{0x3701, prop_type::binary};
inline constexpr prop_tag attach_method{0x3705, prop_type::i4};
} // namespace pr

/// A symbolic tag name and its tag, for readers of MAPISVC.INF and PRF files and for printing.
struct prop_tag_name {
    std::string_view name;
    prop_tag tag;
};

namespace detail {
inline constexpr std::array prop_tag_names{
    prop_tag_name{"PR_PROFILE_NAME", pr::profile_name},
    prop_tag_name{"PR_DISPLAY_NAME", pr::display_name},
    prop_tag_name{"PR_SERVICE_NAME", pr::service_name},
    prop_tag_name{"PR_SERVICE_DLL_NAME", pr::service_dll_name},
    prop_tag_name{"PR_SERVICE_ENTRY_NAME", pr::service_entry_name},
    prop_tag_name{"PR_SERVICE_UID", pr::service_uid},
    prop_tag_name{"PR_SERVICE_EXTRA_UIDS", pr::service_extra_uids},
    prop_tag_name{"PR_SERVICE_SUPPORT_FILES", pr::service_support_files},
    prop_tag_name{"PR_SERVICE_DELETE_FILES", pr::service_delete_files},
    prop_tag_name{"PR_PROVIDER_DISPLAY", pr::provider_display},
    prop_tag_name{"PR_PROVIDER_DLL_NAME", pr::provider_dll_name},
    prop_tag_name{"PR_PROVIDER_UID", pr::provider_uid},
    prop_tag_name{"PR_PROVIDER_ORDINAL", pr::provider_ordinal},
    prop_tag_name{"PR_RESOURCE_FLAGS", pr::resource_flags},
    prop_tag_name{"PR_RESOURCE_TYPE", pr::resource_type},
    prop_tag_name{"PR_RESOURCE_METHODS", pr::resource_methods},
    prop_tag_name{"PR_STATUS_CODE", pr::status_code},
    prop_tag_name{"PR_STATUS_STRING", pr::status_string},
    prop_tag_name{"PR_IDENTITY_DISPLAY", pr::identity_display},
    prop_tag_name{"PR_IDENTITY_ENTRYID", pr::identity_entryid},
    prop_tag_name{"PR_IDENTITY_SEARCH_KEY", pr::identity_search_key},
    prop_tag_name{"PR_OWN_STORE_ENTRYID", pr::own_store_entryid},
    prop_tag_name{"PR_REMOTE_VALIDATE_OK", pr::remote_validate_ok},
    prop_tag_name{"PR_MDB_PROVIDER", pr::mdb_provider},
    prop_tag_name{"PR_AB_PROVIDER_ID", pr::ab_provider_id},
    prop_tag_name{"PR_DEFAULT_PROFILE", pr::default_profile},
    prop_tag_name{"PR_OBJECT_TYPE", pr::object_type},
    prop_tag_name{"PR_ENTRYID", pr::entryid},
    prop_tag_name{"PR_INSTANCE_KEY", pr::instance_key},
    prop_tag_name{"PR_ROWID", pr::rowid},
    prop_tag_name{"PR_SEARCH_KEY", pr::search_key},
    prop_tag_name{"PR_STORE_PROVIDERS", pr::store_providers},
    prop_tag_name{"PR_AB_PROVIDERS", pr::ab_providers},
    prop_tag_name{"PR_TRANSPORT_PROVIDERS", pr::transport_providers},
    prop_tag_name{"PR_SUBJECT", pr::subject},
    prop_tag_name{"PR_BODY", pr::body},
    prop_tag_name{"PR_MESSAGE_CLASS", pr::message_class},
    prop_tag_name{"PR_MESSAGE_FLAGS", pr::message_flags},
    prop_tag_name{"PR_ADDRTYPE", pr::addrtype},
    prop_tag_name{"PR_EMAIL_ADDRESS", pr::email_address},
    prop_tag_name{"PR_RESPONSIBILITY", pr::responsibility},
    prop_tag_name{"PR_RECIPIENT_TYPE", pr::recipient_type},
    prop_tag_name{"PR_CLIENT_SUBMIT_TIME", pr::client_submit_time},
    prop_tag_name{"PR_MESSAGE_DELIVERY_TIME", pr::message_delivery_time},
    prop_tag_name{"PR_SENDER_NAME", pr::sender_name},
    prop_tag_name{"PR_SENDER_EMAIL_ADDRESS", pr::sender_email_address},
    prop_tag_name{"PR_INTERNET_MESSAGE_ID", pr::internet_message_id},
    prop_tag_name{"PR_SENDER_ADDRTYPE", pr::sender_addrtype},
    prop_tag_name{"PR_DISPLAY_TO", pr::display_to},
    prop_tag_name{"PR_DISPLAY_CC", pr::display_cc},
    prop_tag_name{"PR_DISPLAY_BCC", pr::display_bcc},
    prop_tag_name{"PR_TRANSPORT_MESSAGE_HEADERS", pr::transport_message_headers},
    prop_tag_name{"PR_IN_REPLY_TO_ID", pr::in_reply_to_id},
    prop_tag_name{"PR_INTERNET_REFERENCES", pr::internet_references},
    prop_tag_name{"PR_REPORT_TEXT", pr::report_text},
    prop_tag_name{"PR_MESSAGE_SIZE", pr::message_size},
    prop_tag_name{"PR_IMPORTANCE", pr::importance},
    prop_tag_name{"PR_DELETE_AFTER_SUBMIT", pr::delete_after_submit},
    prop_tag_name{"PR_SENTMAIL_ENTRYID", pr::sentmail_entryid},
    prop_tag_name{"PR_NDR_REASON_CODE", pr::ndr_reason_code},
    prop_tag_name{"PR_NDR_DIAG_CODE", pr::ndr_diag_code},
    prop_tag_name{"PR_ATTACH_NUM", pr::attach_num},
    prop_tag_name{"PR_ATTACH_DATA_BIN", pr::attach_data_bin},
    prop_tag_name{"PR_ATTACH_METHOD", pr::attach_method},
    prop_tag_name{"PR_ATTACH_FILENAME", pr::attach_filename},
    prop_tag_name{"PR_ATTACH_LONG_FILENAME", pr::attach_long_filename},
    prop_tag_name{"PR_ATTACH_MIME_TAG", pr::attach_mime_tag},
    prop_tag_name{"PR_ATTACH_CONTENT_ID", pr::attach_content_id},
};
} // namespace detail

/// Every symbolic tag name mapixx knows (bare names, Unicode form).
[[nodiscard]] constexpr const auto& known_prop_tags() noexcept { return detail::prop_tag_names; }

/// Looks up `PR_DISPLAY_NAME`, `PR_DISPLAY_NAME_A` or `PR_DISPLAY_NAME_W`. The bare name gives
/// the Unicode form; `_A` the PT_STRING8 form. Case-insensitive, as INI keys are. `_A`/`_W`
/// exist only for the string tags that have both forms (not for `PR_SERVICE_ENTRY_NAME`).
[[nodiscard]] inline std::optional<prop_tag> prop_tag_from_name(std::string_view name) noexcept {
    auto iequal = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                   auto up = [](char c) { return (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c; };
                   return up(x) == up(y);
               });
    };
    std::optional<prop_type> force;
    std::string_view base = name;
    if (name.size() > 2 && name[name.size() - 2] == '_') {
        char s = name.back();
        if (s == 'A' || s == 'a' || s == 'W' || s == 'w') {
            base = name.substr(0, name.size() - 2);
            force = (s == 'A' || s == 'a') ? prop_type::string8 : prop_type::unicode;
        }
    }
    for (const auto& e : detail::prop_tag_names) {
        if (iequal(e.name, name)) return e.tag;
        // Only string tags whose bare name is the TSTRING form have _A/_W names; a tag that is
        // always PT_STRING8 (PR_SERVICE_ENTRY_NAME) has neither, as in the SDK.
        if (force && iequal(e.name, base)) {
            prop_type t = e.tag.type();
            if (t == prop_type::unicode) return e.tag.with_type(*force);
            if (t == prop_type::mv_unicode) {
                return e.tag.with_type(*force == prop_type::string8 ? prop_type::mv_string8 : prop_type::mv_unicode);
            }
        }
    }
    return std::nullopt;
}

/// `PR_DISPLAY_NAME_W (0x3001001F)` for a known tag, `0x6600001E` otherwise.
[[nodiscard]] inline std::string to_string(prop_tag t) {
    for (const auto& e : detail::prop_tag_names) {
        if (e.tag.id() != t.id()) continue;
        std::string name(e.name);
        if (e.tag == t) {
            if (t.type() == prop_type::unicode || t.type() == prop_type::mv_unicode) name += "_W";
        } else if ((t.type() == prop_type::string8 || t.type() == prop_type::mv_string8) &&
                   (e.tag.type() == prop_type::unicode || e.tag.type() == prop_type::mv_unicode)) {
            name += "_A";
        } else {
            continue;
        }
        return name + " (" + detail::hex32(t.value()) + ")";
    }
    return detail::hex32(t.value());
}

/// A FILETIME: 100-nanosecond intervals since 1601-01-01 UTC.
struct filetime {
    std::uint64_t ticks = 0;
    friend constexpr auto operator<=>(filetime, filetime) = default;

    /// 100-ns ticks between 1601-01-01 and the Unix epoch 1970-01-01.
    static constexpr std::uint64_t unix_epoch_ticks = 116444736000000000ULL;

    /// The FILETIME of a point in time (before 1601: 0).
    [[nodiscard]] static constexpr filetime from(std::chrono::system_clock::time_point t) noexcept {
        const auto ticks_since_unix =
            std::chrono::duration_cast<std::chrono::duration<std::int64_t, std::ratio<1, 10000000>>>(t.time_since_epoch())
                .count();
        if (ticks_since_unix < -static_cast<std::int64_t>(unix_epoch_ticks)) return filetime{0};
        return filetime{static_cast<std::uint64_t>(static_cast<std::int64_t>(unix_epoch_ticks) + ticks_since_unix)};
    }
    /// Now, as a FILETIME.
    [[nodiscard]] static filetime now() noexcept { return from(std::chrono::system_clock::now()); }
    /// The point in time (microsecond precision; the sub-microsecond ticks are dropped).
    [[nodiscard]] constexpr std::chrono::system_clock::time_point to_time_point() const noexcept {
        const auto since_unix = static_cast<std::int64_t>(ticks) - static_cast<std::int64_t>(unix_epoch_ticks);
        return std::chrono::system_clock::time_point{
            std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::microseconds{since_unix / 10})};
    }
};

/// PT_BINARY data.
using binary = std::vector<std::uint8_t>;

/// The C++ value of a property. Which alternative a tag takes is fixed by its type: see
/// `prop_value::alternative_for`. Both string types hold UTF-8 text (PT_STRING8 is read in the
/// caller's code page on Windows; the win32 backend converts).
using prop_data = std::variant<std::monostate,            // PT_NULL, PT_OBJECT
                               std::int16_t,              // PT_I2
                               std::int32_t,              // PT_LONG
                               double,                    // PT_R4, PT_DOUBLE, PT_APPTIME
                               scode,                     // PT_ERROR
                               bool,                      // PT_BOOLEAN
                               std::int64_t,              // PT_I8, PT_CURRENCY
                               std::string,               // PT_STRING8, PT_UNICODE
                               filetime,                  // PT_SYSTIME
                               uid,                       // PT_CLSID
                               binary,                    // PT_BINARY
                               std::vector<std::int16_t>, // PT_MV_I2
                               std::vector<std::int32_t>, // PT_MV_LONG
                               std::vector<std::int64_t>, // PT_MV_I8
                               std::vector<std::string>,  // PT_MV_STRING8, PT_MV_UNICODE
                               std::vector<filetime>,     // PT_MV_SYSTIME
                               std::vector<uid>,          // PT_MV_CLSID
                               std::vector<binary>>;      // PT_MV_BINARY

namespace detail {
/// Zeroes the memory of one `prop_data` alternative and leaves it empty: strings and byte
/// vectors up to their capacity, elements of vectors one by one, plain values in place.
template <class T>
void secure_wipe_value(T& v) noexcept {
    if constexpr (std::is_trivially_copyable_v<T>) {
        secure_wipe(&v, sizeof v);
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, binary> ||
                         std::is_same_v<T, std::vector<std::string>> || std::is_same_v<T, std::vector<binary>>) {
        secure_wipe(v);
    } else {
        // A vector of plain values (PT_MV_I2, PT_MV_LONG, ...). Growing to the capacity does
        // not allocate, and makes every element that was ever stored addressable.
        static_assert(std::is_trivially_copyable_v<typename T::value_type>);
        v.resize(v.capacity());
        secure_wipe(v.data(), v.size() * sizeof(typename T::value_type));
        v.clear();
    }
}
} // namespace detail

/// One property: a tag and a value whose C++ type matches the tag's type.
///
/// A value whose tag is secure (ids 0x67F0-0x67FF, `prop_tag::is_secure`: passwords and other
/// credentials) zeroes its memory when it is destroyed, assigned over, or moved from: the
/// characters of its strings and the bytes of its binaries (up to their capacity), and plain
/// values in place. Other values pay one comparison of the tag for this. Changing a secure
/// value in place through the non-const `data()` is not covered: assign a whole new
/// `prop_value` instead (as `property_bag::set` does).
class prop_value {
public:
    prop_value() = default;
    /// Copies `other`. Builds the value in place rather than through `prop_data`'s copy
    /// constructor: in libstdc++ 12 that constructor, for a variant whose alternatives all
    /// count as "never valueless" (as here), destroys an alternative it never built when the
    /// copy throws (`std::bad_alloc`), which crashes; building in place has no such path.
    prop_value(const prop_value& other) : tag_(other.tag_), data_(copy_of(other.data_)) {}
    /// A moved-from secure value is wiped (the characters of a short string stay in the source
    /// object otherwise).
    prop_value(prop_value&& other) noexcept : tag_(other.tag_), data_(std::move(other.data_)) { other.wipe_if_secure(); }
    /// Copies `other` first, so a failing copy leaves this value as it was; then wipes this
    /// value if it was secure, and takes the copy.
    prop_value& operator=(const prop_value& other) {
        if (this != &other) *this = prop_value(other);
        return *this;
    }
    /// Wipes this value if it was secure, then takes `other`'s (which is wiped if secure).
    prop_value& operator=(prop_value&& other) noexcept {
        if (this != &other) {
            wipe_if_secure();
            tag_ = other.tag_;
            data_ = std::move(other.data_);
            other.wipe_if_secure();
        }
        return *this;
    }
    ~prop_value() { wipe_if_secure(); }
    /// \pre `data` holds the alternative `alternative_for(tag.type())`; check with `valid()` or
    /// build through `property_bag::set`, which returns `invalid_type` instead.
    template <class T>
        requires std::is_constructible_v<prop_data, T&&>
    prop_value(prop_tag tag, T&& data) : tag_(tag), data_(std::forward<T>(data)) {}
    prop_value(prop_tag tag, const char* text) : tag_(tag), data_(std::string(text)) {}
    prop_value(prop_tag tag, std::uint32_t v) : tag_(tag), data_(static_cast<std::int32_t>(v)) {}

    /// Index into `prop_data` that a type takes, or nullopt for a type mapixx does not store.
    [[nodiscard]] static constexpr std::optional<std::size_t> alternative_for(prop_type t) noexcept {
        switch (t) {
        case prop_type::null:
        case prop_type::object: return 0;
        case prop_type::i2: return 1;
        case prop_type::i4: return 2;
        case prop_type::r4:
        case prop_type::r8:
        case prop_type::apptime: return 3;
        case prop_type::error: return 4;
        case prop_type::boolean: return 5;
        case prop_type::i8:
        case prop_type::currency: return 6;
        case prop_type::string8:
        case prop_type::unicode: return 7;
        case prop_type::systime: return 8;
        case prop_type::clsid: return 9;
        case prop_type::binary: return 10;
        case prop_type::mv_i2: return 11;
        case prop_type::mv_i4: return 12;
        case prop_type::mv_i8: return 13;
        case prop_type::mv_string8:
        case prop_type::mv_unicode: return 14;
        case prop_type::mv_systime: return 15;
        case prop_type::mv_clsid: return 16;
        case prop_type::mv_binary: return 17;
        case prop_type::unspecified: break;
        }
        return std::nullopt;
    }

    [[nodiscard]] prop_tag tag() const noexcept { return tag_; }
    [[nodiscard]] const prop_data& data() const noexcept { return data_; }
    [[nodiscard]] prop_data& data() noexcept { return data_; }
    /// True if the value's C++ type is the one the tag's type calls for.
    [[nodiscard]] bool valid() const noexcept {
        auto alt = alternative_for(tag_.type());
        return alt && *alt == data_.index();
    }
    /// The value as `T`, or nullptr if it holds another type.
    template <class T>
    [[nodiscard]] const T* get_if() const noexcept {
        return std::get_if<T>(&data_);
    }

    friend bool operator==(const prop_value&, const prop_value&) = default;

private:
    static prop_data copy_of(const prop_data& d) {
        if (d.valueless_by_exception()) return prop_data{};
        return std::visit([](const auto& v) { return prop_data(std::in_place_type<std::remove_cvref_t<decltype(v)>>, v); },
                          d);
    }
    void wipe_if_secure() noexcept {
        if (!tag_.is_secure() || data_.valueless_by_exception()) return;
        std::visit([](auto& d) noexcept { detail::secure_wipe_value(d); }, data_);
    }

    prop_tag tag_{};
    prop_data data_{};
};

/// A set of properties with at most one value per property id, kept in id order. What a
/// profile section, a status row or a message holds.
class property_bag {
public:
    property_bag() = default;
    property_bag(std::initializer_list<prop_value> values) {
        for (const auto& v : values) {
            if (!set(v)) std::abort();  // contract: literal bags are well-typed
        }
    }

    /// Adds or replaces the property with `v`'s id. `invalid_type` if the value's C++ type does
    /// not match the tag's type, or the type is one mapixx does not store.
    result<void> set(prop_value v) {
        if (!v.valid()) {
            return fail(scode::invalid_type,
                        "property " + to_string(v.tag()) + " holds a value that does not match its type " +
                            std::string(sdk_name(v.tag().type()).empty() ? "(unknown)" : sdk_name(v.tag().type())),
                        "mapixx.props");
        }
        auto it = lower(v.tag().id());
        if (it != values_.end() && it->tag().id() == v.tag().id()) {
            *it = std::move(v);
        } else {
            values_.insert(it, std::move(v));
        }
        return {};
    }
    /// Shorthand for `set(prop_value(tag, value))`.
    template <class T>
    result<void> set(prop_tag tag, T&& value) {
        return set(prop_value(tag, std::forward<T>(value)));
    }

    /// The property with `tag`'s id, if its type matches: the same type, or `tag` has
    /// PT_UNSPECIFIED, or both are string types of the same arity (STRING8 and UNICODE hold the
    /// same UTF-8 text here).
    [[nodiscard]] const prop_value* find(prop_tag tag) const noexcept {
        auto it = lower(tag.id());
        if (it == values_.end() || it->tag().id() != tag.id()) return nullptr;
        return types_match(it->tag().type(), tag.type()) ? &*it : nullptr;
    }
    [[nodiscard]] bool contains(prop_tag tag) const noexcept { return find(tag) != nullptr; }

    /// Typed reads: nullopt if absent or of another type.
    [[nodiscard]] std::optional<std::int32_t> get_i4(prop_tag tag) const noexcept { return get<std::int32_t>(tag); }
    [[nodiscard]] std::optional<bool> get_bool(prop_tag tag) const noexcept { return get<bool>(tag); }
    [[nodiscard]] std::optional<std::string_view> get_string(prop_tag tag) const noexcept {
        const prop_value* v = find(tag);
        const std::string* s = v ? v->get_if<std::string>() : nullptr;
        return s ? std::optional<std::string_view>(*s) : std::nullopt;
    }
    [[nodiscard]] const binary* get_binary(prop_tag tag) const noexcept {
        const prop_value* v = find(tag);
        return v ? v->get_if<binary>() : nullptr;
    }
    /// A PT_BINARY of exactly 16 bytes read as a uid.
    [[nodiscard]] std::optional<uid> get_uid(prop_tag tag) const noexcept {
        const binary* b = get_binary(tag);
        if (!b || b->size() != 16) return std::nullopt;
        uid u;
        std::copy(b->begin(), b->end(), u.bytes.begin());
        return u;
    }

    /// Removes the property with `tag`'s id (any type). True if one was removed.
    bool erase(prop_tag tag) noexcept {
        auto it = lower(tag.id());
        if (it == values_.end() || it->tag().id() != tag.id()) return false;
        values_.erase(it);
        return true;
    }
    void clear() noexcept { values_.clear(); }

    [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
    [[nodiscard]] bool empty() const noexcept { return values_.empty(); }
    [[nodiscard]] auto begin() const noexcept { return values_.begin(); }
    [[nodiscard]] auto end() const noexcept { return values_.end(); }

    /// Copies every property of `other` into this bag, replacing equal ids.
    void merge(const property_bag& other) {
        if (values_.empty()) {
            values_ = other.values_;  // one allocation at the size needed
            return;
        }
        for (const auto& v : other) (void)set(v);
    }
    /// Makes room for `n` properties in all, so that adding up to that many allocates once.
    void reserve(std::size_t n) { values_.reserve(n); }

    friend bool operator==(const property_bag&, const property_bag&) = default;

private:
    static constexpr bool types_match(prop_type have, prop_type want) noexcept {
        if (want == prop_type::unspecified || have == want) return true;
        auto string_kind = [](prop_type t) {
            if (t == prop_type::string8 || t == prop_type::unicode) return 1;
            if (t == prop_type::mv_string8 || t == prop_type::mv_unicode) return 2;
            return 0;
        };
        return string_kind(have) != 0 && string_kind(have) == string_kind(want);
    }
    template <class T>
    std::optional<T> get(prop_tag tag) const noexcept {
        const prop_value* v = find(tag);
        const T* p = v ? v->get_if<T>() : nullptr;
        return p ? std::optional<T>(*p) : std::nullopt;
    }
    std::vector<prop_value>::const_iterator lower(std::uint16_t id) const noexcept {
        return std::lower_bound(values_.begin(), values_.end(), id,
                                [](const prop_value& v, std::uint16_t i) { return v.tag().id() < i; });
    }
    std::vector<prop_value>::iterator lower(std::uint16_t id) noexcept {
        return std::lower_bound(values_.begin(), values_.end(), id,
                                [](const prop_value& v, std::uint16_t i) { return v.tag().id() < i; });
    }

    std::vector<prop_value> values_;
};

} // namespace mapixx::inline v0

#endif
