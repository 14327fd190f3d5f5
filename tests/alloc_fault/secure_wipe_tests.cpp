// SPDX-License-Identifier: MIT
// Secure property values (ids 0x67F0-0x67FF) are zeroed before their memory goes back to the
// allocator (issue 11). The replaced operator delete of this executable searches every freed
// block for a marker that only the secret holds; a secret that reached freed memory is found
// there. Each test also runs a control with a non-secure tag, which must be found, so a
// broken search cannot pass for a wiped value.
#include "alloc_control.hpp"

#include <mapixx/core/prop.hpp>
#include <mapixx/core/secret.hpp>
#include <mapixx/profile/file_profile_store.hpp>
#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/profile/profile.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

using namespace mapixx;

namespace {

// The marker lives in static storage, never on the heap; values are built from it.
constexpr std::string_view marker = "MARKER-7f3a-only-the-secret-holds-this";
constexpr std::string_view short_marker = "S3CR3T-sso";  // fits inside a std::string object

constexpr prop_tag secure_string{0x67F0, prop_type::string8};
constexpr prop_tag secure_binary{0x67F1, prop_type::binary};
constexpr prop_tag secure_list{0x67F2, prop_type::mv_string8};
constexpr prop_tag plain_string{0x6600, prop_type::string8};
constexpr prop_tag plain_binary{0x6601, prop_type::binary};

binary marker_bytes() {
    binary b(marker.size());
    for (std::size_t i = 0; i < marker.size(); ++i) b[i] = static_cast<std::uint8_t>(marker[i]);
    return b;
}

// Runs `body` while freed blocks are searched for `pattern`; returns how many held it.
template <class F>
std::uint64_t freed_holding(std::string_view pattern, F&& body) {
    alloc_control::watch_freed(pattern);
    body();
    const std::uint64_t n = alloc_control::found();
    alloc_control::watch_freed({});
    return n;
}

// Everything a property bag does with a value of `tag`: set, copy, overwrite, grow, erase,
// clear, destroy.
void bag_life(prop_tag tag) {
    property_bag bag;
    (void)bag.set(tag, std::string(marker));
    {
        property_bag copy = bag;  // destroyed at once
        property_bag assigned;
        assigned = bag;
    }
    (void)bag.set(tag, std::string("a shorter replacement value"));  // overwrites in place
    (void)bag.set(tag, std::string(marker));
    for (std::uint16_t id = 0x3000; id < 0x3040; ++id) {  // ids below: the vector grows and moves
        (void)bag.set(prop_tag{id, prop_type::i4}, std::int32_t{id});
    }
    (void)bag.erase(tag);
    (void)bag.set(tag, std::string(marker));
    bag.clear();
    (void)bag.set(tag, std::string(marker));
}

profile profile_with(prop_tag tag, std::string_view name) {
    profile p;
    p.name = std::string(name);
    p.search_key = uid::generate();
    message_service s;
    s.name = "SVC";
    s.display_name = "Service";
    s.dll_name = "SVCDLL";
    s.entry_name = "ServiceEntry";
    s.service_uid = uid::generate();
    (void)p.sections[s.service_uid].set(pr::service_name_a, s.name);
    (void)p.sections[s.service_uid].set(tag, std::string(marker));
    p.services.push_back(std::move(s));
    return p;
}

class temp_dir {
public:
    temp_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "mapixx-wipe-XXXXXX").string();
        const char* made = ::mkdtemp(pattern.data());
        REQUIRE(made != nullptr);
        path_ = made;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

} // namespace

TEST_SUITE("alloc_fault: secure values") {

TEST_CASE("a secure string, binary or list value is zeroed before its memory is freed - a plain one is not") {
    CHECK(freed_holding(marker, [] { prop_value v(secure_string, std::string(marker)); }) == 0);
    CHECK(freed_holding(marker, [] { prop_value v(secure_binary, marker_bytes()); }) == 0);
    CHECK(freed_holding(marker, [] {
              std::vector<std::string> list;  // no initializer_list: its copies would be freed too
              list.reserve(2);
              list.emplace_back(marker);
              list.emplace_back(marker);
              prop_value v(secure_list, std::move(list));
          }) == 0);
    // Controls: the same values under plain tags reach freed memory as they are.
    CHECK(freed_holding(marker, [] { prop_value v(plain_string, std::string(marker)); }) == 1);
    CHECK(freed_holding(marker, [] { prop_value v(plain_binary, marker_bytes()); }) == 1);
}

TEST_CASE("a short secure string, kept inside the object, is zeroed when a vector of values moves it") {
    // The characters of a short string live in the prop_value itself, so in the storage of the
    // vector that holds it: growth frees that storage after moving the values out.
    CHECK(freed_holding(short_marker, [] {
              std::vector<prop_value> values;
              values.emplace_back(secure_string, std::string(short_marker));
              for (int i = 0; i < 40; ++i) values.emplace_back(prop_tag{0x3000, prop_type::i4}, std::int32_t{i});
          }) == 0);
    CHECK(freed_holding(short_marker, [] {
              std::vector<prop_value> values;
              values.emplace_back(plain_string, std::string(short_marker));
              for (int i = 0; i < 40; ++i) values.emplace_back(prop_tag{0x3000, prop_type::i4}, std::int32_t{i});
          }) > 0);
}

TEST_CASE("a property bag leaves no secure value in freed memory: set, copy, overwrite, growth, erase, clear") {
    CHECK(freed_holding(marker, [] { bag_life(secure_string); }) == 0);
    CHECK(freed_holding(marker, [] { bag_life(plain_string); }) > 0);
}

TEST_CASE("secure_wipe zeroes a string's whole capacity, also what a shorter value left behind") {
    // The shorter value overwrites the start of the marker: look for its tail.
    const std::string_view tail = marker.substr(10);
    CHECK(freed_holding(tail, [] {
              std::string s;
              s.reserve(2 * marker.size());
              s.append(marker);
              s.assign("short");  // the old characters stay in the buffer behind the new ones
              secure_wipe(s);
          }) == 0);
    CHECK(freed_holding(tail, [] {
              std::string s;
              s.reserve(2 * marker.size());
              s.append(marker);
              s.assign("short");
          }) == 1);
}

TEST_CASE("a memory profile store and the profiles it hands out leave no secure value in freed memory") {
    CHECK(freed_holding(marker, [] {
              memory_profile_store store;
              REQUIRE(store.create(profile_with(secure_string, "Wiped")));
              for (int i = 0; i < 3; ++i) {
                  auto p = store.load("Wiped");
                  REQUIRE(p);
                  profile copy = *p;
              }
              REQUIRE(store.remove("Wiped"));
          }) == 0);
    CHECK(freed_holding(marker, [] {
              memory_profile_store store;
              REQUIRE(store.create(profile_with(plain_string, "Plain")));
              auto p = store.load("Plain");
          }) > 0);
}

TEST_CASE("file_profile_store: the profile text it writes and reads leaves no secure value in freed memory") {
    temp_dir dir;
    const std::string where = dir.path() + "/store";
    const std::uint64_t secure = freed_holding(marker, [&] {
        file_profile_store store(where);
        REQUIRE(store.create(profile_with(secure_string, "Wiped")));
        auto p = store.load("Wiped");
        REQUIRE(p);
        CHECK(p->sections.begin()->second.get_string(secure_string) == marker);
        REQUIRE(store.update("Wiped", [](profile&) -> result<void> { return {}; }));
        CHECK(store.check().empty());
    });
    const std::uint64_t plain = freed_holding(marker, [&] {
        file_profile_store store(where + "-plain");
        REQUIRE(store.create(profile_with(plain_string, "Plain")));
        auto p = store.load("Plain");
        REQUIRE(p);
    });
    MESSAGE("freed blocks holding the value: " << secure << " with a secure tag, " << plain << " with a plain one");
    CHECK(plain > 0);
    CHECK(secure == 0);
}

}
