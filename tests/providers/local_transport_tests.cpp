// SPDX-License-Identifier: MIT
// The local transport through a real session and its spooler, on real files: delivery into a
// local user's Maildir Inbox, Sent Items, reports for unknown users, the inbound drop directory,
// quarantine of files that are not messages, attachments both ways, and nothing lost across
// failures and restarts.
#include <mapixx/providers/local_transport.hpp>
#include <mapixx/providers/maildir_store.hpp>

#include "maildir_test_support.hpp"

#include <session_fakes.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace local_transport_tests {

using namespace mapixx;
using namespace mapixx_test;
using maildir_test::temp_dir;

namespace {

constexpr flags<logon_flag> mail = logon_flag::extended | logon_flag::new_session | logon_flag::explicit_profile;

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

property_bag local_recipient(const std::string& user, std::int32_t type = 1) {
    property_bag r;
    (void)r.set(pr::display_name, user);
    (void)r.set(pr::addrtype, std::string("LOCAL"));
    (void)r.set(pr::email_address, user);
    (void)r.set(pr::recipient_type, type);
    return r;
}

property_bag note(const std::string& subject, const std::string& body = "hello from the test\r\n") {
    property_bag p;
    (void)p.set(pr::subject, subject);
    (void)p.set(pr::body, body);
    (void)p.set(pr::message_class, std::string("IPM.Note"));
    return p;
}

/// A sender's Maildir store and the local transport: mailboxes under DIR/users, the drop
/// directory DIR/drop, the sender's store DIR/sender.
struct local_world : world {
    temp_dir dir;
    explicit local_world(resource_flags xp_flags = {}, bool configure_transport = true, init_options o = {})
        : world(o) {
        providers.add_store("MXXSTORE", [] { return std::make_unique<maildir_store>(); });
        providers.add_transport("MXXLOCAL", [] { return std::make_unique<local_transport>(); });
        profile_builder b("L");
        b.service("MAIL", "MAILSVC",
                  {store("MXXSTORE", resource_flag::default_store, "Mailbox"), transport("MXXLOCAL", xp_flags, "Local")});
        auto& p = b.get();
        (void)p.sections[p.services[0].providers[0].provider_uid].set(maildir_path_tag, sender());
        if (configure_transport) {
            (void)p.sections[p.services[0].providers[1].provider_uid].set(local_mailboxes_tag, dir.sub("users"));
            (void)p.sections[p.services[0].providers[1].provider_uid].set(local_drop_tag, drop());
        }
        add(b);
    }
    [[nodiscard]] std::string sender() const { return dir.sub("sender"); }
    [[nodiscard]] std::string drop() const { return dir.sub("drop"); }
    [[nodiscard]] std::string mailbox(const std::string& user) const { return dir.sub("users/" + user); }
    /// Makes local user `user` (their mailbox directory).
    void add_user(const std::string& user) const { std::filesystem::create_directories(mailbox(user)); }
    /// The messages in `user`'s Inbox, read by a store of their own.
    [[nodiscard]] std::vector<stored_message> inbox_of(const std::string& user) const {
        return maildir_test::open_store(mailbox(user))->messages(standard_folder::inbox).value();
    }
    /// The text of the one message file in `user`'s Inbox (new/).
    [[nodiscard]] std::string only_inbox_file(const std::string& user) const {
        const auto files = maildir_test::files_in(mailbox(user) + "/new");
        REQUIRE(files.size() == 1);
        return maildir_test::read_file(mailbox(user) + "/new/" + files[0]);
    }
    /// Drops `text` as file `name` into the drop directory's new/.
    void drop_file(const std::string& name, const std::string& text) const {
        std::filesystem::create_directories(drop() + "/new");
        maildir_test::write_file(drop() + "/new/" + name, text);
    }
};

std::uint64_t submit(session& s, const property_bag& props, std::vector<property_bag> recipients,
                     std::vector<property_bag> attachments = {}) {
    auto store = s.default_store().value();
    const auto id =
        store->create_message(standard_folder::outbox, props, std::move(recipients), std::move(attachments)).value();
    REQUIRE(s.submit_message(id));
    return id;
}

/// Two attachment rows: every byte value under a non-ASCII name, and a text with a Content-ID.
std::vector<property_bag> two_attachments() {
    binary all;
    for (int b = 0; b <= 0xFF; ++b) all.push_back(static_cast<std::uint8_t>(b));
    const std::string text = "see you\r\n.at noon\r\n";
    property_bag bytes, note_row;
    (void)bytes.set(pr::attach_num, std::int32_t{0});
    (void)bytes.set(pr::attach_method, std::int32_t{1});
    (void)bytes.set(pr::attach_long_filename, std::string("donn\xC3\xA9" "es.bin"));
    (void)bytes.set(pr::attach_mime_tag, std::string("application/octet-stream"));
    (void)bytes.set(pr::attach_data_bin, all);
    (void)note_row.set(pr::attach_num, std::int32_t{1});
    (void)note_row.set(pr::attach_method, std::int32_t{1});
    (void)note_row.set(pr::attach_long_filename, std::string("note.txt"));
    (void)note_row.set(pr::attach_mime_tag, std::string("text/plain"));
    (void)note_row.set(pr::attach_content_id, std::string("note-1@example.org"));
    (void)note_row.set(pr::attach_data_bin, binary(text.begin(), text.end()));
    return {bytes, note_row};
}

const std::string dropped_text =
    "From: Carol <carol@example.org>\r\n"
    "To: Sender <sender@example.org>\r\n"
    "Subject: dropped in\r\n"
    "Message-ID: <dropped-1@example.org>\r\n"
    "Date: Tue, 02 Jan 2024 10:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "a file put into the drop directory\r\n";

} // namespace

TEST_SUITE("providers/local_transport.hpp") {

TEST_CASE("a submitted message lands in the local recipient's Inbox as a file, and in the sender's Sent Items") {
    local_world w;
    w.add_user("alice");
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    const auto id = submit(*s, note("lunch?", "at noon\r\n"), {local_recipient("alice")});
    REQUIRE(s->flush_queues(flush_flag::upload));
    REQUIRE(s->spool());

    const auto inbox = w.inbox_of("alice");
    REQUIRE(inbox.size() == 1);
    CHECK(inbox[0].props.get_string(pr::subject) == "lunch?");
    CHECK(inbox[0].props.get_string(pr::body) == "at noon\r\n");
    CHECK((inbox[0].props.get_i4(pr::message_flags).value_or(-1) & (msgflag::submit | msgflag::unsent | msgflag::read)) == 0);
    REQUIRE(inbox[0].recipients.size() == 1);
    CHECK(inbox[0].recipients[0].get_string(pr::email_address) == "alice");
    // The file itself: an RFC 5322 message in alice/new.
    const std::string text = w.only_inbox_file("alice");
    CHECK(contains(text, "Subject: lunch?\r\n"));
    CHECK(contains(text, "at noon"));
    CHECK(contains(text, "Message-ID: <"));

    auto store = s->default_store().value();
    const auto sent = store->open_message(id).value();
    CHECK(sent.folder == standard_folder::sent_items);
    CHECK(store->messages(standard_folder::outbox).value().empty());
    CHECK(sent.props.get_string(pr::internet_message_id) == inbox[0].props.get_string(pr::internet_message_id));
    (void)sync_wait(s->logoff());
    w.check_released();
}

TEST_CASE("every local recipient gets one copy, a Bcc recipient is not shown to the others") {
    local_world w;
    for (const char* u : {"alice", "bob", "carol"}) w.add_user(u);
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    submit(*s, note("team"), {local_recipient("alice"), local_recipient("bob", 2), local_recipient("carol", 3)});
    REQUIRE(s->flush_queues(flush_flag::upload));
    for (const char* u : {"alice", "bob", "carol"}) {
        const auto inbox = w.inbox_of(u);
        REQUIRE(inbox.size() == 1);
        CHECK(inbox[0].props.get_string(pr::subject) == "team");
        CHECK(inbox[0].recipients.size() == 2);  // To and Cc; the Bcc row is left out
        for (const auto& r : inbox[0].recipients) CHECK(r.get_string(pr::email_address) != "carol");
    }
}

TEST_CASE("an unknown local user gets a non-delivery report in the sender's Inbox") {
    local_world w;
    w.add_user("alice");
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    auto store = s->default_store().value();

    SUBCASE("the only recipient is unknown") {
        const auto id = submit(*s, note("to nobody"), {local_recipient("nobody")});
        REQUIRE(s->flush_queues(flush_flag::upload));
        REQUIRE(s->spool());
        const auto inbox = store->messages(standard_folder::inbox).value();
        REQUIRE(inbox.size() == 1);
        CHECK(inbox[0].props.get_string(pr::message_class) == "REPORT.IPM.Note.NDR");
        CHECK(inbox[0].props.get_string(pr::subject) == "Undeliverable: to nobody");
        REQUIRE(inbox[0].recipients.size() == 1);
        CHECK(inbox[0].recipients[0].get_string(pr::email_address) == "nobody");
        CHECK(store->open_message(id).value().folder == standard_folder::sent_items);
        CHECK(w.inbox_of("alice").empty());
        CHECK_FALSE(std::filesystem::exists(w.mailbox("nobody")));  // no mailbox is made up
    }
    SUBCASE("one known and one unknown recipient: the known one gets it, the report names only the other") {
        const auto id = submit(*s, note("mixed"), {local_recipient("alice"), local_recipient("ghost")});
        REQUIRE(s->flush_queues(flush_flag::upload));
        REQUIRE(s->spool());
        CHECK(w.inbox_of("alice").size() == 1);
        const auto inbox = store->messages(standard_folder::inbox).value();
        REQUIRE(inbox.size() == 1);
        CHECK(inbox[0].props.get_string(pr::subject) == "Undeliverable: mixed");
        REQUIRE(inbox[0].recipients.size() == 1);
        CHECK(inbox[0].recipients[0].get_string(pr::email_address) == "ghost");
        CHECK(store->open_message(id).value().folder == standard_folder::sent_items);
    }
    SUBCASE("a name that cannot be a user is unknown too") {
        submit(*s, note("escape"), {local_recipient("../sender")});
        REQUIRE(s->flush_queues(flush_flag::upload));
        const auto inbox = store->messages(standard_folder::inbox).value();
        REQUIRE(inbox.size() == 1);
        CHECK(inbox[0].props.get_string(pr::message_class) == "REPORT.IPM.Note.NDR");
    }
}

TEST_CASE("a file dropped into the drop directory becomes new mail in the session's Inbox") {
    local_world w;
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    w.drop_file("1700000000.M1P1.host", dropped_text);
    maildir_test::write_file(w.drop() + "/plain-copy.eml", dropped_text);  // the directory itself works too
    REQUIRE(s->flush_queues(flush_flag::download));
    auto inbox = s->default_store().value()->messages(standard_folder::inbox).value();
    REQUIRE(inbox.size() == 2);
    CHECK(inbox[0].props.get_string(pr::subject) == "dropped in");
    CHECK(inbox[0].props.get_string(pr::internet_message_id) == "<dropped-1@example.org>");
    CHECK(inbox[0].props.get_string(pr::body) == "a file put into the drop directory\r\n");
    CHECK(inbox[0].props.get_string(pr::sender_email_address) == "carol@example.org");
    // The files are gone from the drop directory once delivered; nothing is left claimed.
    CHECK(maildir_test::files_in(w.drop() + "/new").empty());
    CHECK(maildir_test::files_in(w.drop() + "/cur").empty());
    CHECK_FALSE(std::filesystem::exists(w.drop() + "/plain-copy.eml"));
    // And the message file is in the sender's Maildir.
    CHECK(maildir_test::files_in(w.sender() + "/new").size() == 2);
}

TEST_CASE("a dropped file that is not a message is quarantined with the reason, the good ones are delivered") {
    local_world w;
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    w.drop_file("1-bad", "");
    w.drop_file("2-good", dropped_text);
    REQUIRE(s->flush_queues(flush_flag::download));
    REQUIRE(s->spool());
    const auto inbox = s->default_store().value()->messages(standard_folder::inbox).value();
    REQUIRE(inbox.size() == 1);
    CHECK(inbox[0].props.get_string(pr::subject) == "dropped in");
    // Not deleted: kept in quarantine with a file that says why.
    CHECK(maildir_test::files_in(w.drop() + "/quarantine") == std::vector<std::string>{"1-bad", "1-bad.error"});
    const std::string why = maildir_test::read_file(w.drop() + "/quarantine/1-bad.error");
    CHECK(contains(why, "the dropped file \"1-bad\" is not a message"));
    CHECK(contains(why, "empty"));
    CHECK(maildir_test::files_in(w.drop() + "/new").empty());
    // The status row says so.
    const auto rows = s->status_table().value();
    const property_bag* row = row_named(rows, "Local");
    REQUIRE(row != nullptr);
    CHECK(contains(row->get_string(pr::status_string).value_or(""), "1 dropped file(s) set aside in quarantine"));
}

TEST_CASE("nothing is lost: a failed delivery stays queued, and the next session delivers it exactly once") {
    local_world w;
    w.add_user("alice");
    // A damaged mailbox: its tmp/ is a file, so nothing can be written into it.
    maildir_test::write_file(w.mailbox("alice") + "/tmp", "in the way");
    std::uint64_t id = 0;
    {
        auto s = w.logon({.profile = "L", .flags = mail});
        REQUIRE(s);
        id = submit(*s, note("persistent"), {local_recipient("alice")});
        (void)s->flush_queues(flush_flag::upload);
        REQUIRE(s->spool());
        auto m = s->default_store().value()->open_message(id).value();
        CHECK(m.folder == standard_folder::outbox);
        CHECK((m.props.get_i4(pr::message_flags).value_or(0) & msgflag::submit) != 0);
        const auto rows = s->status_table().value();
        const property_bag* row = row_named(rows, "Local");
        REQUIRE(row != nullptr);
        CHECK(contains(row->get_string(pr::status_string).value_or(""), "Last delivery to alice failed"));
        (void)sync_wait(s->logoff());
    }
    // Still queued on disk, in the sender's Outbox.
    CHECK(maildir_test::files_in(w.sender() + "/.Outbox/new").size() + maildir_test::files_in(w.sender() + "/.Outbox/cur").size() == 1);
    std::filesystem::remove(w.mailbox("alice") + "/tmp");
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    REQUIRE(s->flush_queues(flush_flag::upload));
    REQUIRE(s->spool());
    CHECK(w.inbox_of("alice").size() == 1);
    CHECK(s->default_store().value()->open_message(id).value().folder == standard_folder::sent_items);
}

TEST_CASE("a message sent again after a crash is not delivered twice: its Message-ID is already in the Inbox") {
    local_world w;
    w.add_user("alice");
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    auto props = note("once");
    (void)props.set(pr::internet_message_id, std::string("<once@example.org>"));
    // The state a crash leaves: alice has the message, but the sender's Outbox still holds it.
    auto alice = maildir_test::open_store(w.mailbox("alice"));
    alice->create_message(standard_folder::inbox, props, {local_recipient("alice")}).value();
    const auto id = submit(*s, props, {local_recipient("alice")});
    REQUIRE(s->flush_queues(flush_flag::upload));
    CHECK(w.inbox_of("alice").size() == 1);
    CHECK(s->default_store().value()->open_message(id).value().folder == standard_folder::sent_items);
}

TEST_CASE("a dropped file claimed by a process that died is offered again by the next logon") {
    local_world w;
    std::filesystem::create_directories(w.drop() + "/cur");
    maildir_test::write_file(w.drop() + "/cur/claimed-before-crash", dropped_text);
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    REQUIRE(s->flush_queues(flush_flag::download));
    const auto inbox = s->default_store().value()->messages(standard_folder::inbox).value();
    REQUIRE(inbox.size() == 1);
    CHECK(inbox[0].props.get_string(pr::subject) == "dropped in");
    CHECK(maildir_test::files_in(w.drop() + "/cur").empty());
}

TEST_CASE("the reports for unknown local users say why, one report per message") {
    local_world w;
    w.add_user("alice");
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    auto store = s->default_store().value();
    submit(*s, note("why"), {local_recipient("alice"), local_recipient("ghost"), local_recipient("../up")});
    REQUIRE(s->flush_queues(flush_flag::upload));
    REQUIRE(s->spool());
    CHECK(w.inbox_of("alice").size() == 1);
    const auto inbox = store->messages(standard_folder::inbox).value();
    REQUIRE(inbox.size() == 1);  // both unknown recipients in one report
    REQUIRE(inbox[0].recipients.size() == 2);
    CHECK(inbox[0].recipients[0].get_string(pr::email_address) == "ghost");
    CHECK(contains(inbox[0].recipients[0].get_string(pr::report_text).value_or(""), "no local mailbox named \"ghost\""));
    CHECK(inbox[0].recipients[1].get_string(pr::email_address) == "../up");
    CHECK(contains(inbox[0].recipients[1].get_string(pr::report_text).value_or(""), "cannot be the name of a local user"));
    CHECK(store->messages(standard_folder::outbox).value().empty());
}

TEST_CASE("inbound, nothing lost: a dropped file the session's store refuses stays in the drop directory - a later session delivers it") {
    local_world w;
    const std::string name = "1700000001.M1P1.host";
    {
        auto s = w.logon({.profile = "L", .flags = mail});
        REQUIRE(s);
        // The session's store cannot write any more: its tmp/ is a file.
        std::filesystem::remove_all(w.sender() + "/tmp");
        maildir_test::write_file(w.sender() + "/tmp", "in the way");
        w.drop_file(name, dropped_text);
        (void)s->flush_queues(flush_flag::download);
        (void)s->spool();
        CHECK(s->default_store().value()->messages(standard_folder::inbox).value().empty());
        // Not deleted: back in new/, waiting.
        CHECK(maildir_test::files_in(w.drop() + "/new") == std::vector<std::string>{name});
        CHECK(maildir_test::files_in(w.drop() + "/cur").empty());
        const auto rows = s->status_table().value();
        const property_bag* row = row_named(rows, "Local");
        REQUIRE(row != nullptr);
        CHECK(contains(row->get_string(pr::status_string).value_or(""), "refused the dropped file"));
        (void)sync_wait(s->logoff());
    }
    CHECK(maildir_test::files_in(w.drop() + "/new") == std::vector<std::string>{name});
    std::filesystem::remove(w.sender() + "/tmp");
    std::filesystem::create_directories(w.sender() + "/tmp");
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    REQUIRE(s->flush_queues(flush_flag::download));
    const auto inbox = s->default_store().value()->messages(standard_folder::inbox).value();
    REQUIRE(inbox.size() == 1);
    CHECK(inbox[0].props.get_string(pr::internet_message_id) == "<dropped-1@example.org>");
    CHECK(maildir_test::files_in(w.drop() + "/new").empty());
    CHECK(maildir_test::files_in(w.drop() + "/cur").empty());
}

TEST_CASE("a dropped MIME message keeps its attachments in the session's Inbox") {
    local_world w;
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    const std::string text =
        "From: Carol <carol@example.org>\r\n"
        "To: Sender <sender@example.org>\r\n"
        "Subject: with files\r\n"
        "Message-ID: <attached-1@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "see the files\r\n"
        "--b1\r\n"
        "Content-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename=\"data.bin\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        "AAEC/w==\r\n"
        "--b1\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Disposition: attachment; filename=\"notes.txt\"\r\n"
        "\r\n"
        "a note\r\n"
        "--b1--\r\n";
    w.drop_file("1700000002.M2P1.host", text);
    REQUIRE(s->flush_queues(flush_flag::download));
    const auto inbox = s->default_store().value()->messages(standard_folder::inbox).value();
    REQUIRE(inbox.size() == 1);
    CHECK(inbox[0].props.get_string(pr::subject) == "with files");
    CHECK(contains(inbox[0].props.get_string(pr::body).value_or(""), "see the files"));
    REQUIRE(inbox[0].attachments.size() == 2);
    CHECK((inbox[0].props.get_i4(pr::message_flags).value_or(0) & msgflag::has_attach) != 0);
    CHECK(inbox[0].attachments[0].get_string(pr::attach_long_filename) == "data.bin");
    const binary* data = inbox[0].attachments[0].get_binary(pr::attach_data_bin);
    REQUIRE(data != nullptr);
    CHECK(*data == binary{0x00, 0x01, 0x02, 0xFF});
    CHECK(inbox[0].attachments[1].get_string(pr::attach_long_filename) == "notes.txt");
    CHECK(maildir_test::files_in(w.drop() + "/new").empty());
}

TEST_CASE("a submitted message's attachments reach the local recipient's Inbox with their names and exact bytes") {
    local_world w;
    w.add_user("alice");
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    const auto id = submit(*s, note("files"), {local_recipient("alice")}, two_attachments());
    REQUIRE(s->flush_queues(flush_flag::upload));
    REQUIRE(s->spool());

    const auto inbox = w.inbox_of("alice");
    REQUIRE(inbox.size() == 1);
    CHECK(inbox[0].props.get_string(pr::subject) == "files");
    CHECK((inbox[0].props.get_i4(pr::message_flags).value_or(0) & msgflag::has_attach) != 0);
    REQUIRE(inbox[0].attachments.size() == 2);
    CHECK(inbox[0].attachments == two_attachments());
    const binary* bytes = inbox[0].attachments[0].get_binary(pr::attach_data_bin);
    REQUIRE(bytes != nullptr);
    REQUIRE(bytes->size() == 256);
    for (std::size_t b = 0; b < bytes->size(); ++b) CHECK((*bytes)[b] == static_cast<std::uint8_t>(b));
    CHECK(inbox[0].attachments[0].get_string(pr::attach_long_filename) == "donn\xC3\xA9" "es.bin");
    CHECK(inbox[0].attachments[1].get_string(pr::attach_content_id) == "note-1@example.org");
    // On disk: a MIME message other mail readers understand.
    const std::string text = w.only_inbox_file("alice");
    CHECK(contains(text, "Content-Type: multipart/mixed;"));
    CHECK(contains(text, "filename*=utf-8''donn%C3%A9es.bin"));
    // The sender's copy in Sent Items keeps them too.
    const auto sent = s->default_store().value()->open_message(id).value();
    CHECK(sent.folder == standard_folder::sent_items);
    CHECK(sent.attachments == two_attachments());
    (void)sync_wait(s->logoff());
    w.check_released();
}

TEST_CASE("attachments are not lost when a delivery fails: the next session delivers them with the message") {
    local_world w;
    w.add_user("alice");
    maildir_test::write_file(w.mailbox("alice") + "/tmp", "in the way");  // nothing can be written
    std::uint64_t id = 0;
    {
        auto s = w.logon({.profile = "L", .flags = mail});
        REQUIRE(s);
        id = submit(*s, note("retried files"), {local_recipient("alice")}, two_attachments());
        (void)s->flush_queues(flush_flag::upload);
        REQUIRE(s->spool());
        const auto queued = s->default_store().value()->open_message(id).value();
        CHECK(queued.folder == standard_folder::outbox);
        CHECK(queued.attachments == two_attachments());
        (void)sync_wait(s->logoff());
    }
    std::filesystem::remove(w.mailbox("alice") + "/tmp");
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    REQUIRE(s->flush_queues(flush_flag::upload));
    REQUIRE(s->spool());
    const auto inbox = w.inbox_of("alice");
    REQUIRE(inbox.size() == 1);
    CHECK(inbox[0].attachments == two_attachments());
    CHECK(s->default_store().value()->open_message(id).value().folder == standard_folder::sent_items);
}

TEST_CASE("without a mailbox directory the local transport answers unconfigured and is disabled") {
    local_world w({}, false);
    auto s = w.logon({.profile = "L", .flags = mail});
    REQUIRE(s);
    const auto& rep = s->report().services.at(0);
    CHECK(rep.disabled);
    CHECK(rep.code == scode::unconfigured);
    CHECK(contains(rep.sentence + rep.providers.at(1).sentence, "no mailbox directory"));
}

TEST_CASE("a service session (MAPI_NO_MAIL) sends through the local transport when it is tightly coupled") {
    init_options o;
    o.flags = init_flag::nt_service;
    local_world w(resource_flag::own_store, true, o);
    w.add_user("alice");
    auto s = w.logon({.profile = "L", .flags = service_logon_flags});
    REQUIRE(s);
    for (int i = 0; i < 5; ++i) submit(*s, note("from the service " + std::to_string(i)), {local_recipient("alice")});
    REQUIRE(s->flush_queues(flush_flag::upload | flush_flag::download));
    CHECK(w.inbox_of("alice").size() == 5);
    CHECK(s->default_store().value()->messages(standard_folder::sent_items).value().size() == 5);
    (void)sync_wait(s->logoff());
    w.check_released();
}

} // TEST_SUITE

} // namespace local_transport_tests
