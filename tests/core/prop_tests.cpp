// SPDX-License-Identifier: MIT
// Tests of mapixx/core/prop.hpp: tags, the PR_* values of MAPI-REFERENCE 6.2, names, printing,
// prop_value and property_bag.
#include <mapixx/core/prop.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <ostream>  // doctest prints std::error_code and std::string_view through it
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace prop_tests {

using namespace mapixx;

namespace {
constexpr std::uint32_t v(prop_tag t) { return t.value(); }
} // namespace

TEST_SUITE("prop") {

TEST_CASE("a tag splits into id and type and knows multi-valued and secure tags") {
    constexpr prop_tag t{0x3001001Fu};
    static_assert(t.id() == 0x3001 && t.type() == prop_type::unicode);
    CHECK(t.id() == 0x3001);
    CHECK(t.type() == prop_type::unicode);
    CHECK_FALSE(t.is_multi());
    CHECK(prop_tag(0x3D0F, prop_type::mv_unicode).value() == 0x3D0F101Fu);
    CHECK(prop_tag(0x3D0F101Fu).is_multi());
    CHECK(prop_tag(0x3D0F101Eu).is_multi());
    CHECK_FALSE(prop_tag(0x3D0C0102u).is_multi());
    CHECK(prop_tag(0x3001001Fu).with_type(prop_type::string8).value() == 0x3001001Eu);
    CHECK(prop_tag(0x67F0, prop_type::string8).is_secure());
    CHECK(prop_tag(0x67FF, prop_type::binary).is_secure());
    CHECK_FALSE(prop_tag(0x67EF, prop_type::string8).is_secure());
    CHECK_FALSE(prop_tag(0x6800, prop_type::string8).is_secure());
    CHECK_FALSE(prop_tag(0x3001001Fu).is_secure());
    CHECK(mv_flag == 0x1000);
    CHECK(prop_tag(0x3001001Fu).hex() == "3001001F");
    CHECK(prop_tag(0x0FFF0102u).hex() == "0FFF0102");
}

TEST_CASE("the property types have the values of MAPI-REFERENCE 6.2 and mapidefs.h") {
    // 6.2: PT_LONG, PT_BOOLEAN, PT_STRING8, PT_UNICODE, PT_BINARY and MV_FLAG.
    CHECK(static_cast<std::uint16_t>(prop_type::i4) == 0x0003);
    CHECK(static_cast<std::uint16_t>(prop_type::boolean) == 0x000B);
    CHECK(static_cast<std::uint16_t>(prop_type::string8) == 0x001E);
    CHECK(static_cast<std::uint16_t>(prop_type::unicode) == 0x001F);
    CHECK(static_cast<std::uint16_t>(prop_type::binary) == 0x0102);
    CHECK(static_cast<std::uint16_t>(prop_type::mv_string8) == (0x1000 | 0x001E));
    CHECK(static_cast<std::uint16_t>(prop_type::mv_unicode) == (0x1000 | 0x001F));
    CHECK(sdk_name(prop_type::i4) == "PT_LONG");
    CHECK(sdk_name(prop_type::mv_binary) == "PT_MV_BINARY");
    CHECK(sdk_name(static_cast<prop_type>(0x0099)).empty());
}

TEST_CASE("every PR tag of MAPI-REFERENCE 6.2 has its documented value") {
    // Bare names are the PT_UNICODE form (a UNICODE build of the SDK).
    CHECK(v(pr::profile_name_a) == 0x3D12001Eu);
    CHECK(v(pr::profile_name_w) == 0x3D12001Fu);
    CHECK(v(pr::profile_name) == 0x3D12001Fu);
    CHECK(v(pr::default_profile) == 0x3D04000Bu);
    CHECK(v(pr::display_name_a) == 0x3001001Eu);
    CHECK(v(pr::display_name_w) == 0x3001001Fu);
    CHECK(v(pr::display_name) == 0x3001001Fu);
    CHECK(v(pr::service_name_a) == 0x3D09001Eu);
    CHECK(v(pr::service_name_w) == 0x3D09001Fu);
    CHECK(v(pr::service_name) == 0x3D09001Fu);
    CHECK(v(pr::service_dll_name_a) == 0x3D0A001Eu);
    CHECK(v(pr::service_dll_name_w) == 0x3D0A001Fu);
    CHECK(v(pr::service_dll_name) == 0x3D0A001Fu);
    CHECK(v(pr::service_entry_name) == 0x3D0B001Eu);  // always STRING8
    CHECK(v(pr::service_uid) == 0x3D0C0102u);
    CHECK(v(pr::service_extra_uids) == 0x3D0D0102u);
    CHECK(v(pr::service_support_files_a) == 0x3D0F101Eu);
    CHECK(v(pr::service_support_files_w) == 0x3D0F101Fu);
    CHECK(v(pr::service_support_files) == 0x3D0F101Fu);
    CHECK(v(pr::service_delete_files_a) == 0x3D10101Eu);
    CHECK(v(pr::service_delete_files_w) == 0x3D10101Fu);
    CHECK(v(pr::service_delete_files) == 0x3D10101Fu);
    CHECK(v(pr::provider_display_a) == 0x3006001Eu);
    CHECK(v(pr::provider_display_w) == 0x3006001Fu);
    CHECK(v(pr::provider_display) == 0x3006001Fu);
    CHECK(v(pr::provider_dll_name_a) == 0x300A001Eu);
    CHECK(v(pr::provider_dll_name_w) == 0x300A001Fu);
    CHECK(v(pr::provider_dll_name) == 0x300A001Fu);
    CHECK(v(pr::provider_uid) == 0x300C0102u);
    CHECK(v(pr::provider_ordinal) == 0x300D0003u);
    CHECK(v(pr::resource_flags) == 0x30090003u);
    CHECK(v(pr::resource_type) == 0x3E030003u);
    CHECK(v(pr::resource_methods) == 0x3E020003u);
    CHECK(v(pr::status_code) == 0x3E040003u);
    CHECK(v(pr::status_string_a) == 0x3E08001Eu);
    CHECK(v(pr::status_string_w) == 0x3E08001Fu);
    CHECK(v(pr::status_string) == 0x3E08001Fu);
    CHECK(v(pr::identity_display_a) == 0x3E00001Eu);
    CHECK(v(pr::identity_display_w) == 0x3E00001Fu);
    CHECK(v(pr::identity_display) == 0x3E00001Fu);
    CHECK(v(pr::identity_entryid) == 0x3E010102u);
    CHECK(v(pr::identity_search_key) == 0x3E050102u);
    CHECK(v(pr::own_store_entryid) == 0x3E060102u);
    CHECK(v(pr::remote_validate_ok) == 0x3E0D000Bu);
    CHECK(v(pr::mdb_provider) == 0x34140102u);
    CHECK(v(pr::object_type) == 0x0FFE0003u);
    CHECK(v(pr::entryid) == 0x0FFF0102u);
    CHECK(v(pr::instance_key) == 0x0FF60102u);
    CHECK(v(pr::rowid) == 0x30000003u);
}

TEST_CASE("the name table has unique names and unique ids") {
    std::set<std::string_view> names;
    std::set<std::uint16_t> ids;
    for (const auto& e : known_prop_tags()) {
        INFO(e.name);
        CHECK(e.name.starts_with("PR_"));
        CHECK(names.insert(e.name).second);
        CHECK(ids.insert(e.tag.id()).second);
    }
}

TEST_CASE("prop_tag_from_name finds bare _A and _W names") {
    CHECK(prop_tag_from_name("PR_DISPLAY_NAME") == pr::display_name_w);
    CHECK(prop_tag_from_name("PR_DISPLAY_NAME_A") == pr::display_name_a);
    CHECK(prop_tag_from_name("PR_DISPLAY_NAME_W") == pr::display_name_w);
    CHECK(prop_tag_from_name("PR_SERVICE_SUPPORT_FILES_A") == pr::service_support_files_a);
    CHECK(prop_tag_from_name("PR_SERVICE_SUPPORT_FILES_W") == pr::service_support_files_w);
    CHECK(prop_tag_from_name("PR_SERVICE_SUPPORT_FILES") == pr::service_support_files_w);
    CHECK(prop_tag_from_name("PR_PROVIDER_UID") == pr::provider_uid);
    CHECK(prop_tag_from_name("PR_RESOURCE_FLAGS") == pr::resource_flags);
    CHECK(prop_tag_from_name("PR_SERVICE_ENTRY_NAME") == pr::service_entry_name);
}

TEST_CASE("prop_tag_from_name ignores case as INI keys do") {
    CHECK(prop_tag_from_name("pr_display_name") == pr::display_name_w);
    CHECK(prop_tag_from_name("pr_display_name_a") == pr::display_name_a);
    CHECK(prop_tag_from_name("Pr_Display_Name_w") == pr::display_name_w);
    CHECK(prop_tag_from_name("pr_resource_FLAGS") == pr::resource_flags);
}

TEST_CASE("prop_tag_from_name rejects unknown names and _A or _W on tags that have no such form") {
    for (std::string_view bad : {"", "PR_", "_A", "PR_NOPE", "PR_DISPLAY", "PR_DISPLAY_NAME_X", "PR_DISPLAY_NAME_",
                                 "DISPLAY_NAME", "PR_DISPLAY_NAME_AW", "PR_ENTRYID_A", "PR_ENTRYID_W",
                                 "PR_RESOURCE_FLAGS_W", "PR_SERVICE_ENTRY_NAME_W", "PR_SERVICE_ENTRY_NAME_A",
                                 " PR_DISPLAY_NAME", "0x3001001F"}) {
        INFO(bad);
        CHECK_FALSE(prop_tag_from_name(bad).has_value());
    }
}

TEST_CASE("every name of the table is found by prop_tag_from_name") {
    for (const auto& e : known_prop_tags()) {
        INFO(e.name);
        CHECK(prop_tag_from_name(e.name) == e.tag);
    }
}

TEST_CASE("to_string prints the SDK name with the form and the hex value") {
    CHECK(to_string(pr::display_name) == "PR_DISPLAY_NAME_W (0x3001001F)");
    CHECK(to_string(pr::display_name_a) == "PR_DISPLAY_NAME_A (0x3001001E)");
    CHECK(to_string(pr::service_support_files_a) == "PR_SERVICE_SUPPORT_FILES_A (0x3D0F101E)");
    CHECK(to_string(pr::service_support_files_w) == "PR_SERVICE_SUPPORT_FILES_W (0x3D0F101F)");
    CHECK(to_string(pr::service_entry_name) == "PR_SERVICE_ENTRY_NAME (0x3D0B001E)");
    CHECK(to_string(pr::entryid) == "PR_ENTRYID (0x0FFF0102)");
    CHECK(to_string(pr::resource_flags) == "PR_RESOURCE_FLAGS (0x30090003)");
}

TEST_CASE("to_string prints an unknown tag or a known id with another type as hex") {
    CHECK(to_string(prop_tag(0x6600001Eu)) == "0x6600001E");
    CHECK(to_string(prop_tag(0x30090102u)) == "0x30090102");
    CHECK(to_string(prop_tag(0x3D0B001Fu)) == "0x3D0B001F");
}

TEST_CASE("prop_value knows which C++ type each property type takes") {
    CHECK(prop_value(pr::resource_flags, 5).valid());
    CHECK(prop_value(pr::resource_flags, 0x80000000u).valid());
    CHECK(prop_value(pr::display_name, "Inbox").valid());
    CHECK(prop_value(pr::display_name_a, std::string("Inbox")).valid());
    CHECK(prop_value(pr::default_profile, true).valid());
    CHECK(prop_value(pr::service_uid, binary{1, 2, 3}).valid());
    CHECK(prop_value(pr::service_support_files, std::vector<std::string>{"a.dll"}).valid());
    CHECK_FALSE(prop_value(pr::resource_flags, std::string("5")).valid());
    CHECK_FALSE(prop_value(pr::display_name, 5).valid());
    CHECK_FALSE(prop_value(pr::service_support_files, std::string("a.dll")).valid());
    CHECK_FALSE(prop_value(prop_tag(0x6600, prop_type::unspecified), 1).valid());
    CHECK_FALSE(prop_value::alternative_for(prop_type::unspecified).has_value());
    CHECK(prop_value(pr::resource_flags, 0x80000000u).get_if<std::int32_t>() != nullptr);
    CHECK(*prop_value(pr::resource_flags, 0x80000000u).get_if<std::int32_t>() ==
          static_cast<std::int32_t>(0x80000000u));
}

TEST_CASE("a property bag sets finds and replaces a property by id") {
    property_bag bag;
    CHECK(bag.empty());
    REQUIRE(bag.set(pr::display_name, "Work").has_value());
    CHECK(bag.size() == 1);
    CHECK(bag.contains(pr::display_name));
    CHECK(bag.get_string(pr::display_name) == "Work");
    REQUIRE(bag.set(pr::display_name, "Home").has_value());
    CHECK(bag.size() == 1);
    CHECK(bag.get_string(pr::display_name) == "Home");
    const prop_value* found = bag.find(pr::display_name);
    REQUIRE(found != nullptr);
    CHECK(found->tag() == pr::display_name);
    CHECK(bag.find(pr::resource_flags) == nullptr);
}

TEST_CASE("the typed getters read a value of the right type and nothing else") {
    property_bag bag{
        {pr::resource_flags, 0x2u},
        {pr::default_profile, true},
        {pr::profile_name, "Service"},
        {pr::service_uid, binary{0x85, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00,
                                 0x00, 0x00, 0x46}},
        {pr::service_extra_uids, binary{1, 2, 3}},
    };
    CHECK(bag.get_i4(pr::resource_flags) == 2);
    CHECK(bag.get_bool(pr::default_profile) == true);
    CHECK(bag.get_string(pr::profile_name) == "Service");
    REQUIRE(bag.get_binary(pr::service_extra_uids) != nullptr);
    CHECK(*bag.get_binary(pr::service_extra_uids) == binary{1, 2, 3});
    CHECK(bag.get_uid(pr::service_uid) == uids::profile_instance);
    CHECK_FALSE(bag.get_uid(pr::service_extra_uids).has_value());  // 3 bytes are not a uid
    CHECK_FALSE(bag.get_i4(pr::default_profile).has_value());
    CHECK_FALSE(bag.get_bool(pr::resource_flags).has_value());
    CHECK_FALSE(bag.get_string(pr::resource_flags).has_value());
    CHECK(bag.get_binary(pr::resource_flags) == nullptr);
    CHECK_FALSE(bag.get_i4(pr::status_code).has_value());
}

TEST_CASE("find matches by type unless the type is unspecified") {
    property_bag bag{{pr::resource_flags, 7}};
    CHECK(bag.find(pr::resource_flags) != nullptr);
    CHECK(bag.find(prop_tag(0x3009, prop_type::unspecified)) != nullptr);
    CHECK(bag.find(prop_tag(0x3009, prop_type::binary)) == nullptr);
    CHECK_FALSE(bag.contains(prop_tag(0x3009, prop_type::boolean)));
}

TEST_CASE("a value of the wrong type is refused with invalid_type and leaves the bag unchanged") {
    property_bag bag{{pr::resource_flags, 1}};
    auto r = bag.set(pr::resource_flags, std::string("STATUS_DEFAULT_STORE"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.code() == scode::invalid_type);
    CHECK(r.info().message.find("PR_RESOURCE_FLAGS (0x30090003)") != std::string::npos);
    CHECK(r.info().message.find("PT_LONG") != std::string::npos);
    CHECK(r.info().component == "mapixx.props");
    CHECK(bag.size() == 1);
    CHECK(bag.get_i4(pr::resource_flags) == 1);

    auto u = bag.set(prop_tag(0x6600, prop_type::unspecified), 1);
    REQUIRE_FALSE(u.has_value());
    CHECK(u.code() == scode::invalid_type);
    CHECK(u.info().message.find("PT_UNSPECIFIED") != std::string::npos);
    CHECK(bag.size() == 1);
}

TEST_CASE("string8 and unicode forms of one property are interchangeable") {
    property_bag bag;
    REQUIRE(bag.set(pr::display_name_a, "Personal Folders").has_value());
    CHECK(bag.get_string(pr::display_name_w) == "Personal Folders");
    CHECK(bag.get_string(pr::display_name_a) == "Personal Folders");
    CHECK(bag.find(pr::display_name_w) != nullptr);
    REQUIRE(bag.set(pr::display_name_w, "Archive").has_value());
    CHECK(bag.size() == 1);
    CHECK(bag.find(pr::display_name_a)->tag() == pr::display_name_w);
    CHECK(bag.get_string(pr::display_name_a) == "Archive");

    REQUIRE(bag.set(pr::service_support_files_a, std::vector<std::string>{"x.dll", "y.dll"}).has_value());
    CHECK(bag.find(pr::service_support_files_w) != nullptr);
    // A single string and a multi-valued string are not interchangeable.
    CHECK(bag.find(prop_tag(0x3D0F, prop_type::unicode)) == nullptr);
}

TEST_CASE("a property bag is kept in id order") {
    property_bag bag;
    REQUIRE(bag.set(pr::status_code, 1).has_value());
    REQUIRE(bag.set(pr::entryid, binary{1}).has_value());
    REQUIRE(bag.set(pr::display_name, "x").has_value());
    REQUIRE(bag.set(pr::rowid, 4).has_value());
    REQUIRE(bag.set(pr::subject, "s").has_value());
    std::vector<std::uint16_t> ids;
    for (const auto& p : bag) ids.push_back(p.tag().id());
    CHECK(ids == std::vector<std::uint16_t>{0x0037, 0x0FFF, 0x3000, 0x3001, 0x3E04});
}

TEST_CASE("erase removes the property with the id whatever its type") {
    property_bag bag{{pr::display_name_a, "a"}, {pr::resource_flags, 1}};
    CHECK(bag.erase(pr::display_name_w));
    CHECK_FALSE(bag.contains(pr::display_name));
    CHECK(bag.size() == 1);
    CHECK_FALSE(bag.erase(pr::display_name));
    CHECK(bag.erase(prop_tag(0x3009, prop_type::unspecified)));
    CHECK(bag.empty());
    CHECK_FALSE(bag.erase(pr::entryid));
}

TEST_CASE("merge copies every property and replaces those with the same id") {
    property_bag a{{pr::display_name, "a"}, {pr::resource_flags, 1}};
    property_bag b{{pr::display_name, "b"}, {pr::status_code, 2}};
    a.merge(b);
    CHECK(a.size() == 3);
    CHECK(a.get_string(pr::display_name) == "b");
    CHECK(a.get_i4(pr::resource_flags) == 1);
    CHECK(a.get_i4(pr::status_code) == 2);
    CHECK(b.size() == 2);
    a.merge(property_bag{});
    CHECK(a.size() == 3);
}

TEST_CASE("bags compare by content and clear empties them") {
    property_bag a{{pr::display_name, "a"}, {pr::resource_flags, 1}};
    property_bag b{{pr::resource_flags, 1}, {pr::display_name, "a"}};
    CHECK(a == b);
    REQUIRE(b.set(pr::resource_flags, 2).has_value());
    CHECK_FALSE(a == b);
    a.clear();
    CHECK(a.empty());
}

} // TEST_SUITE

} // namespace prop_tests
