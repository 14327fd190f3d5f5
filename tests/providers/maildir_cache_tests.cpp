// SPDX-License-Identifier: MIT
// The Maildir store's parse cache: it keeps no attachment rows (they are read from the file each
// time they are asked for), holds the properties and recipients of the messages read last up to
// its limit, reads a file again when it changed, and still reports the files that are not
// messages. Sizes come from `maildir_store_logon::cache_stats()` and, where the C library says,
// the heap; nothing is timed.
#include <mapixx/providers/maildir_store.hpp>

#include "heap_in_use.hpp"
#include "maildir_test_support.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>


namespace maildir_cache_tests {

using namespace mapixx;
using namespace maildir_test;
using mapixx_test::heap_growth;
using mapixx_test::heap_in_use;

namespace {

constexpr std::size_t attachment_size = 256 * 1024;

/// A message with a short body and one attachment of `size` bytes of `fill`.
message_content with_attachment(const std::string& subject, std::uint8_t fill, std::size_t size = attachment_size) {
    message_content c;
    (void)c.props.set(pr::subject, subject);
    (void)c.props.set(pr::body, std::string("see the attachment\r\n"));
    c.recipients = {recipient("Bob", "bob@example.org", 1)};
    c.attachments = {attachment(0, "data.bin", "application/octet-stream", binary(size, fill))};
    return c;
}

/// A message without attachments whose body is `body_size` bytes.
message_content text_only(const std::string& subject, std::size_t body_size) {
    message_content c;
    (void)c.props.set(pr::subject, subject);
    (void)c.props.set(pr::body, std::string(body_size, 'b'));
    c.recipients = {recipient("Carol", "carol@example.org", 1)};
    return c;
}


} // namespace

TEST_SUITE("providers/maildir_store.hpp") {

TEST_CASE("parse cache: after 20 messages of 256 KiB were read with their attachments, it holds none of their bytes") {
    constexpr std::size_t messages = 20;
    temp_dir dir;
    auto store = open_store(dir.str());
    std::vector<std::uint64_t> ids;
    for (std::size_t k = 0; k != messages; ++k) {
        ids.push_back(store->create_message(standard_folder::inbox,
                                            with_attachment("m" + std::to_string(k), static_cast<std::uint8_t>(k)))
                          .value());
    }
    CHECK(store->cache_stats().files == 0);  // writing a message does not read it
    const auto before = heap_in_use();
    {
        const auto all = store->messages(standard_folder::inbox).value();
        REQUIRE(all.size() == messages);
        for (std::size_t k = 0; k != messages; ++k) {
            REQUIRE(all[k].attachments.size() == 1);
            CHECK(*all[k].attachments[0].get_binary(pr::attach_data_bin) ==
                  binary(attachment_size, static_cast<std::uint8_t>(k)));
        }
    }
    const maildir_cache_stats stats = store->cache_stats();
    MESSAGE("after listing " << messages << " messages of " << attachment_size << " attachment bytes each: "
                             << stats.held << " held, " << stats.bytes << " bytes held, heap grew "
                             << heap_growth(before) << " bytes");
    CHECK(stats.files == messages);
    CHECK(stats.held == messages);  // their properties and recipients, well within the limit
    CHECK(stats.limit == maildir_default_cache_limit);
    CHECK(stats.bytes < messages * 4096);  // a copy of the attachments would be 5 MiB
    CHECK(heap_growth(before) < messages * attachment_size / 8);
    // Each file read once to learn it is a message, once more for its attachment rows.
    CHECK(stats.file_reads == 2 * messages);

    // Without attachment rows: from the cache, no file read.
    const auto lean = store->messages(standard_folder::inbox, attachment_rows::left_out).value();
    REQUIRE(lean.size() == messages);
    CHECK(lean[3].props.get_string(pr::subject) == "m3");
    CHECK(lean[3].recipients.size() == 1);
    CHECK(lean[3].attachments.empty());
    CHECK(store->open_message(ids[7], attachment_rows::left_out).value().props.get_string(pr::subject) == "m7");
    CHECK(store->cache_stats().file_reads == 2 * messages);
    // With them: the file is read again, and the bytes are the same.
    const stored_message whole = store->open_message(ids[7]).value();
    CHECK(store->cache_stats().file_reads == 2 * messages + 1);
    REQUIRE(whole.attachments.size() == 1);
    CHECK(*whole.attachments[0].get_binary(pr::attach_data_bin) == binary(attachment_size, 7));
    CHECK(whole.props == lean[7].props);
    CHECK(store->cache_stats().bytes == stats.bytes);
}

TEST_CASE("parse cache: over its limit it drops the least recently used messages and reads their files again") {
    constexpr std::size_t messages = 10;
    temp_dir dir;
    auto store = open_store(dir.str());
    std::vector<std::uint64_t> ids;
    for (std::size_t k = 0; k != messages; ++k) {
        ids.push_back(store->create_message(standard_folder::inbox, text_only("t" + std::to_string(k), 8000)).value());
    }
    // Room for about three of them.
    constexpr std::size_t limit = 3 * 9000;
    store->set_cache_limit(limit);
    const auto listed = store->messages(standard_folder::inbox, attachment_rows::left_out).value();
    REQUIRE(listed.size() == messages);
    for (std::size_t k = 0; k != messages; ++k) {
        CHECK(listed[k].props.get_string(pr::subject) == "t" + std::to_string(k));
        CHECK(listed[k].props.get_string(pr::body)->size() == 8000);
    }
    maildir_cache_stats stats = store->cache_stats();
    CHECK(stats.files == messages);  // every file is still known as a message
    CHECK(stats.held >= 2);
    CHECK(stats.held <= 3);
    CHECK(stats.bytes <= limit);
    CHECK(store->skipped_files().empty());  // a message dropped from the cache is no problem
    // The message read last is held: no read. The first one was dropped: one read, and then held.
    std::uint64_t reads = stats.file_reads;
    CHECK(store->open_message(ids.back(), attachment_rows::left_out).value().props.get_string(pr::subject) == "t9");
    CHECK(store->cache_stats().file_reads == reads);
    CHECK(store->open_message(ids.front(), attachment_rows::left_out).value().props.get_string(pr::subject) == "t0");
    CHECK(store->cache_stats().file_reads == reads + 1);
    CHECK(store->open_message(ids.front(), attachment_rows::left_out).value().props.get_string(pr::subject) == "t0");
    CHECK(store->cache_stats().file_reads == reads + 1);
    CHECK(store->cache_stats().bytes <= limit);

    // Limit 0: nothing held; a listing reads every file, and still knows which are messages.
    store->set_cache_limit(0);
    stats = store->cache_stats();
    CHECK(stats.held == 0);
    CHECK(stats.bytes == 0);
    CHECK(stats.files == messages);
    reads = stats.file_reads;
    CHECK(store->messages(standard_folder::inbox, attachment_rows::left_out).value().size() == messages);
    CHECK(store->cache_stats().file_reads == reads + messages);
    CHECK(store->cache_stats().held == 0);
}

TEST_CASE("parse cache: a message larger than the limit alone is never held, and reads back whole") {
    temp_dir dir;
    auto store = open_store(dir.str());
    store->set_cache_limit(4096);
    const auto id = store->create_message(standard_folder::inbox, text_only("big body", 20000)).value();
    const auto lean = store->open_message(id, attachment_rows::left_out).value();
    CHECK(lean.props.get_string(pr::body)->size() == 20000);
    CHECK(store->cache_stats().held == 0);
    CHECK(store->cache_stats().bytes == 0);
    CHECK(store->cache_stats().files == 1);
}

TEST_CASE("parse cache: a file changed after it was cached is read again, and one broken since is reported with its reason") {
    temp_dir dir;
    auto store = open_store(dir.str());
    const auto id = store->create_message(standard_folder::inbox, with_attachment("before", 1, 1000)).value();
    CHECK(store->open_message(id, attachment_rows::left_out).value().props.get_string(pr::subject) == "before");
    const std::string path = store->message_path(id).value();
    // Another program rewrites it (another size): the cache does not answer from the old parse.
    write_file(path, "Subject: after\r\nTo: bob@example.org\r\n\r\nnew body\r\n");
    const auto now = store->open_message(id, attachment_rows::left_out).value();
    CHECK(now.props.get_string(pr::subject) == "after");
    CHECK(store->open_message(id).value().attachments.empty());
    // Broken: the message cannot be read, and the error says why and where.
    write_file(path, "Subject: x\nthis line is no header\n\nbody\n");
    const auto broken = store->open_message(id, attachment_rows::left_out);
    REQUIRE_FALSE(broken.has_value());
    CHECK(broken.code() == scode::corrupt_data);
    CHECK(broken.info().message.find(path) != std::string::npos);
    CHECK(broken.info().message.find("line 2") != std::string::npos);
    CHECK(store->open_message(id).code() == scode::corrupt_data);
    const auto problems = store->skipped_files();
    REQUIRE(problems.size() == 1);
    CHECK(problems.front().message == broken.info().message);
    CHECK(problems.front().context == 2);
}

}

} // namespace maildir_cache_tests
