// SPDX-License-Identifier: MIT
// `store_logon::open_message` / `messages` with `attachment_rows::left_out`: the memory store,
// the Maildir store and a store that implements only the original message surface (the
// defaults) give the properties and recipients without the attachment table, and leave the
// stored message as it was.
#include <mapixx/provider/provider.hpp>
#include <mapixx/providers/maildir_store.hpp>
#include <mapixx/providers/memory_store.hpp>

#include "maildir_test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace store_attachment_rows_tests {

using namespace mapixx;
using namespace maildir_test;

namespace {

/// A store written against the original message surface only (open and list, no `left_out`
/// overrides): in memory, one folder per message.
class plain_store final : public store_logon {
protected:
    result<std::uint64_t> do_create_message(standard_folder folder, message_content c) override {
        messages_.push_back(stored_message{messages_.size() + 1, folder, std::move(c.props), std::move(c.recipients),
                                           std::move(c.attachments)});
        return messages_.back().id;
    }
    [[nodiscard]] result<stored_message> do_open_message(std::uint64_t id) const override {
        for (const auto& m : messages_) {
            if (m.id == id) return m;
        }
        return fail(scode::not_found, "no such message", "test");
    }
    [[nodiscard]] result<std::vector<stored_message>> do_messages(standard_folder folder) const override {
        std::vector<stored_message> out;
        std::copy_if(messages_.begin(), messages_.end(), std::back_inserter(out),
                     [folder](const stored_message& m) { return m.folder == folder; });
        return out;
    }

private:
    std::vector<stored_message> messages_;
};

/// An Outbox message with two attachments.
message_content with_attachments(const std::string& subject) {
    message_content c;
    (void)c.props.set(pr::subject, subject);
    (void)c.props.set(pr::message_flags, msgflag::submit | msgflag::unsent);
    c.recipients = {recipient("Bob", "bob@example.org", 1)};
    c.attachments = {attachment(0, "a.bin", "application/octet-stream", binary(4096, 0xA5)),
                     attachment(1, "b.txt", "text/plain", bytes_of("text\r\n"))};
    return c;
}

/// Checks `store` both ways over two messages of its Outbox.
void check_left_out(store_logon& store) {
    const message_content c1 = with_attachments("one"), c2 = with_attachments("two");
    const std::uint64_t id1 = store.create_message(standard_folder::outbox, c1).value();
    const std::uint64_t id2 = store.create_message(standard_folder::outbox, c2).value();

    const stored_message whole = store.open_message(id1).value();
    CHECK(whole.attachments == c1.attachments);
    const stored_message lean = store.open_message(id1, attachment_rows::left_out).value();
    CHECK(lean.id == id1);
    CHECK(lean.folder == standard_folder::outbox);
    CHECK(lean.props == whole.props);
    CHECK(lean.recipients == whole.recipients);
    CHECK(lean.attachments.empty());
    CHECK(store.open_message(999, attachment_rows::left_out).code() == scode::not_found);

    const auto all = store.messages(standard_folder::outbox, attachment_rows::left_out).value();
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == id1);
    CHECK(all[1].id == id2);
    CHECK(all[1].props.get_string(pr::subject) == "two");
    for (const auto& m : all) CHECK(m.attachments.empty());
    CHECK(store.messages(standard_folder::inbox, attachment_rows::left_out).value().empty());

    // Nothing was taken from the store.
    CHECK(store.open_message(id1).value() == whole);
    const auto again = store.messages(standard_folder::outbox).value();
    REQUIRE(again.size() == 2);
    CHECK(again[1].attachments == c2.attachments);
}

} // namespace

TEST_SUITE("provider/provider.hpp") {

TEST_CASE("attachment_rows::left_out: the memory store copies properties and recipients only") {
    memory_store_logon store(std::make_shared<memory_store_data>(), uid::generate(), "memory", nullptr);
    check_left_out(store);
}

TEST_CASE("attachment_rows::left_out: the Maildir store copies properties and recipients only") {
    temp_dir dir;
    auto store = open_store(dir.str());
    check_left_out(*store);
}

TEST_CASE("attachment_rows::left_out: a store without its own implementation drops the rows from a whole copy") {
    plain_store store;
    check_left_out(store);
}

TEST_CASE("attachment_rows::left_out: a store logged off answers end_of_session as for a whole copy") {
    memory_store_logon store(std::make_shared<memory_store_data>(), uid::generate(), "memory", nullptr);
    const std::uint64_t id = store.create_message(standard_folder::outbox, with_attachments("x")).value();
    sync_wait(store.logoff());
    CHECK(store.open_message(id, attachment_rows::left_out).code() == scode::end_of_session);
    CHECK(store.messages(standard_folder::outbox, attachment_rows::left_out).code() == scode::end_of_session);
}

} // TEST_SUITE

} // namespace store_attachment_rows_tests
