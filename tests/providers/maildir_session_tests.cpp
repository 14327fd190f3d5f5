// SPDX-License-Identifier: MIT
// The Maildir store logged on through a real session: the default store, its status row, the
// path from the profile, end_of_session after logoff, and configuration when unconfigured.
#include <mapixx/providers/maildir_store.hpp>

#include "maildir_test_support.hpp"

#include <session_fakes.hpp>

#include <doctest/doctest.h>

#include <string>

namespace maildir_session_tests {

using namespace mapixx;
using namespace mapixx_test;
using maildir_test::temp_dir;

namespace {

constexpr flags<logon_flag> mail = logon_flag::extended | logon_flag::new_session;

struct maildir_world : world {
    maildir_world() {
        providers.add_store("MXXMAILDIR", [] { return std::make_unique<maildir_store>(); });
    }
    /// Profile "P" with a Maildir store (default store); `path` empty: none configured.
    void add_profile(const std::string& path) {
        profile_builder b("P");
        b.service("MAIL", "MAILSVC", {store("MXXMAILDIR", resource_flag::default_store, "Mailbox")});
        if (!path.empty()) {
            const uid section = b.get().services[0].providers[0].provider_uid;
            (void)b.get().sections[section].set(maildir_path_tag, path);
        }
        add(b);
    }
};

} // namespace

TEST_SUITE("providers/maildir_store.hpp") {

TEST_CASE("the Maildir store is a session's default store: path from the profile, status row, end_of_session after logoff") {
    temp_dir dir;
    maildir_world w;
    w.add_profile(dir.sub("Maildir"));
    std::uint64_t id = 0;
    {
        auto s = w.logon({.profile = "P", .flags = mail});
        REQUIRE(s);
        auto store = s->default_store_as<maildir_store_logon>().value();
        CHECK(store->display_name() == "Mailbox");
        CHECK(store->root() == dir.sub("Maildir"));
        property_bag props{{pr::subject, "through the session"}, {pr::body, "hello\r\n"}};
        id = store->create_message(standard_folder::outbox, props, {maildir_test::recipient("Bob", "bob@example.org", 1)})
                 .value();
        CHECK(store->messages(standard_folder::outbox).value().size() == 1);
        CHECK(store->move_message(id, standard_folder::sent_items));
        const auto rows = s->status_table().value();
        const property_bag* row = row_named(rows, "Mailbox");
        REQUIRE(row != nullptr);
        CHECK(row->get_string(pr::status_string) == "Available");
        CHECK(row->get_i4(pr::status_code) == static_cast<std::int32_t>(status_code::available));
        sync_wait(s->logoff());
        CHECK(store->messages(standard_folder::inbox).code() == scode::end_of_session);
    }
    CHECK(std::filesystem::is_directory(dir.sub("Maildir/.Sent Items/new")));
    auto again = w.logon({.profile = "P", .flags = mail});
    REQUIRE(again);
    auto store = again->default_store_as<maildir_store_logon>().value();
    const auto m = store->open_message(id).value();
    CHECK(m.folder == standard_folder::sent_items);
    CHECK(m.props.get_string(pr::subject) == "through the session");
    REQUIRE(m.recipients.size() == 1);
    CHECK(m.recipients[0].get_string(pr::email_address) == "bob@example.org");
    sync_wait(again->logoff());
    w.check_released();
}

TEST_CASE("an unconfigured Maildir store makes the session configure its service, then the logon is retried with the path") {
    temp_dir dir;
    maildir_world w;
    w.add_profile("");
    {
        auto s = w.logon({.profile = "P", .flags = mail});  // no UI: the service is disabled
        REQUIRE(s);
        CHECK(s->default_store_as<maildir_store_logon>().code() != scode::success);
    }
    scripted_ui ui;
    const std::string path = dir.sub("configured");
    ui.configure = [&](const message_service&, property_bag& section) { (void)section.set(maildir_path_tag, path); };
    auto s = w.logon({.profile = "P", .flags = mail | logon_flag::logon_ui, .ui = &ui});
    REQUIRE(s);
    CHECK(ui.calls == std::vector<std::string>{"configure_service(MAIL)"});
    auto store = s->default_store_as<maildir_store_logon>().value();
    CHECK(store->root() == path);
    CHECK(std::filesystem::is_directory(path + "/.Outbox/cur"));
}

} // TEST_SUITE

} // namespace maildir_session_tests
