// SPDX-License-Identifier: MIT
// `store_logon::exposes_messages` in the reference stores: the memory store and the Maildir
// store answer at once, without listing the folder (the memory store without an allocation,
// the Maildir store without reading a message file), and give the answer a listing would.
// mapixx_providers_tests replaces the global operator new (at the end of this file) so that a
// test can count the allocations of its own thread.
#include "counts_allocations.hpp"

#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/providers/maildir_store.hpp>
#include <mapixx/providers/memory_store.hpp>

#include "maildir_test_support.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <new>
#include <string>

namespace store_capability_tests_counter {
// Allocations made by this thread through the global operator new (0 if not counted).
std::size_t allocations_on_this_thread() noexcept;
// True when this build counts them (not under ThreadSanitizer, which replaces operator new).
bool counting() noexcept;
} // namespace store_capability_tests_counter

namespace store_capability_tests {

using namespace mapixx;
using namespace maildir_test;
using store_capability_tests_counter::allocations_on_this_thread;

namespace {

/// An Outbox message with a 64 KiB attachment.
message_content queued(const std::string& subject) {
    message_content c;
    (void)c.props.set(pr::subject, subject);
    (void)c.props.set(pr::message_flags, msgflag::submit | msgflag::unsent);
    c.recipients = {recipient("Bob", "bob@example.org", 1)};
    c.attachments = {attachment(0, "a.bin", "application/octet-stream", binary(64 * 1024, 0x5A))};
    return c;
}

} // namespace

TEST_SUITE("providers/memory_store.hpp") {

TEST_CASE("memory store: exposes_messages answers every folder without copying a message, and says no after logoff") {
    memory_store_logon store(std::make_shared<memory_store_data>(), uid::generate(), "Memory", nullptr);
    for (int k = 0; k != 50; ++k) {
        REQUIRE(store.create_message(standard_folder::outbox, queued("m" + std::to_string(k))));
    }
    for (standard_folder f : all_standard_folders) {
        CHECK(store.exposes_messages(f) == store.messages(f, attachment_rows::left_out).has_value());
    }
    const std::size_t before = allocations_on_this_thread();
    bool all = true;
    for (standard_folder f : all_standard_folders) {
        all = store.exposes_messages(f) && all;
    }
    const std::size_t made = allocations_on_this_thread() - before;
    CHECK(all);
    if (store_capability_tests_counter::counting()) {
        CHECK(made == 0);  // listing the Outbox copies 50 messages
    }
    sync_wait(store.logoff());
    for (standard_folder f : all_standard_folders) {
        CHECK_FALSE(store.exposes_messages(f));
        CHECK(store.messages(f, attachment_rows::left_out).code() == scode::end_of_session);
    }
}

}

TEST_SUITE("providers/maildir_store.hpp") {

TEST_CASE("Maildir store: exposes_messages reads no message file, gives none an id, and says no without the folder") {
    temp_dir dir;
    auto store = open_store(dir.str());
    // Files another program delivered into the Outbox: listing it would read and number them.
    for (int k = 0; k != 5; ++k) {
        write_file(store->folder_path(standard_folder::outbox) + "/new/1700000000.M" + std::to_string(k) + "P1Q" +
                       std::to_string(k) + ".elsewhere",
                   "Subject: dropped " + std::to_string(k) + "\r\nTo: bob@example.org\r\n\r\nbody\r\n");
    }
    const std::string uidlist = read_file(dir.sub("mapixx-uidlist"));
    for (standard_folder f : all_standard_folders) {
        CHECK(store->exposes_messages(f));
    }
    CHECK(store->cache_stats().file_reads == 0);
    CHECK(store->cache_stats().files == 0);
    CHECK(read_file(dir.sub("mapixx-uidlist")) == uidlist);
    // The same answers a listing gives.
    for (standard_folder f : all_standard_folders) {
        CHECK(store->exposes_messages(f) == store->messages(f, attachment_rows::left_out).has_value());
    }
    CHECK(store->messages(standard_folder::outbox, attachment_rows::left_out).value().size() == 5);
    CHECK(store->cache_stats().file_reads == 5);
    // A folder whose cur/ is gone cannot be listed: no.
    std::filesystem::remove_all(store->folder_path(standard_folder::sent_items) + "/cur");
    CHECK_FALSE(store->exposes_messages(standard_folder::sent_items));
    CHECK_FALSE(store->messages(standard_folder::sent_items, attachment_rows::left_out).has_value());
    CHECK(store->exposes_messages(standard_folder::outbox));
    sync_wait(store->logoff());
    CHECK_FALSE(store->exposes_messages(standard_folder::outbox));
}

}

} // namespace store_capability_tests

// ---- the counting operator new of mapixx_providers_tests ----------------------------------------

namespace store_capability_tests_counter {
namespace {
thread_local std::size_t allocations = 0;
} // namespace
std::size_t allocations_on_this_thread() noexcept { return allocations; }
} // namespace store_capability_tests_counter

#if MAPIXX_TEST_COUNTS_ALLOCATIONS

bool store_capability_tests_counter::counting() noexcept { return true; }

namespace store_capability_tests_counter {
namespace {
void* counted_allocation(std::size_t size) noexcept {
    ++allocations;
    return std::malloc(size == 0 ? 1 : size);
}
} // namespace
} // namespace store_capability_tests_counter

// Every unaligned form is replaced (a sanitizer runtime that replaces the array forms would
// otherwise bypass the counter); the aligned forms are left to the library.
void* operator new(std::size_t size) {
    if (void* p = store_capability_tests_counter::counted_allocation(size)) return p;
    throw std::bad_alloc{};
}
void* operator new[](std::size_t size) {
    if (void* p = store_capability_tests_counter::counted_allocation(size)) return p;
    throw std::bad_alloc{};
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return store_capability_tests_counter::counted_allocation(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return store_capability_tests_counter::counted_allocation(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

#else

bool store_capability_tests_counter::counting() noexcept { return false; }

#endif
