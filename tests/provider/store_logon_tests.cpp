// SPDX-License-Identifier: MIT
// store_logon's capability query `exposes_messages`: the default over the message surface
// (a store written before the query existed answers as its listing does), and a store that
// answers it itself is not listed.
#include <mapixx/provider/provider.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace store_logon_tests {

using namespace mapixx;

namespace {

/// A store written against the original message surface: it lists its folders (`do_messages`),
/// counting the listings; `broken` folders fail to list with `disk_error`.
class listing_store final : public store_logon {
public:
    mutable std::size_t listings = 0;
    std::vector<standard_folder> broken;
    std::vector<stored_message> contents;

protected:
    [[nodiscard]] result<std::vector<stored_message>> do_messages(standard_folder folder) const override {
        ++listings;
        for (standard_folder b : broken) {
            if (b == folder) return fail(scode::disk_error, "the folder cannot be read", "test.store");
        }
        std::vector<stored_message> out;
        for (const auto& m : contents) {
            if (m.folder == folder) out.push_back(m);
        }
        return out;
    }
};

/// A store that implements no part of the message surface.
class silent_store final : public store_logon {};

/// A store that lists only its Outbox (without attachment rows) and answers the query itself.
class quick_store final : public store_logon {
public:
    mutable std::size_t listings = 0;
    mutable std::size_t asked = 0;

protected:
    [[nodiscard]] result<std::vector<stored_message>> do_messages_without_attachments(
        standard_folder) const override {
        ++listings;
        return std::vector<stored_message>{};
    }
    [[nodiscard]] bool do_exposes_messages(standard_folder folder) const override {
        ++asked;
        return folder == standard_folder::outbox;
    }
};

} // namespace

TEST_SUITE("provider/provider.hpp") {

TEST_CASE("exposes_messages by default answers as listing the folder without attachment rows does") {
    listing_store store;
    property_bag props;
    (void)props.set(pr::subject, std::string("queued"));
    store.contents.push_back(stored_message{1, standard_folder::outbox, props, {}, {}});
    store.broken = {standard_folder::sent_items};
    CHECK(store.exposes_messages(standard_folder::outbox));
    CHECK(store.listings == 1);  // the default lists the folder once
    CHECK(store.exposes_messages(standard_folder::inbox));
    CHECK_FALSE(store.exposes_messages(standard_folder::sent_items));
    CHECK(store.listings == 3);
    for (standard_folder f : all_standard_folders) {
        CHECK(store.exposes_messages(f) == store.messages(f, attachment_rows::left_out).has_value());
    }
}

TEST_CASE("exposes_messages by default is false for a store that does not implement the message surface") {
    silent_store store;
    CHECK(store.messages(standard_folder::outbox, attachment_rows::left_out).code() == scode::no_support);
    for (standard_folder f : all_standard_folders) {
        CHECK_FALSE(store.exposes_messages(f));
    }
}

TEST_CASE("exposes_messages of a store that overrides do_exposes_messages is its answer, without a listing") {
    quick_store store;
    CHECK(store.exposes_messages(standard_folder::outbox));
    CHECK_FALSE(store.exposes_messages(standard_folder::inbox));
    CHECK(store.asked == 2);
    CHECK(store.listings == 0);
}

}

} // namespace store_logon_tests
