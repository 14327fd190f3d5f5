// SPDX-License-Identifier: MIT
// The Maildir store: property round trips through RFC 5322 files, MIME encodings, crash
// safety, flags in file names, stable ids, files written by other programs, malformed files.
#include <mapixx/providers/maildir_store.hpp>

#include "maildir_test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace maildir_store_tests {

using namespace mapixx;
using namespace maildir_test;

namespace {

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

/// A message with a value of every property type mapixx stores, plus the mapped ones.
message_content every_type_message() {
    message_content c;
    auto& p = c.props;
    (void)p.set(pr::subject, std::string("Every type"));
    (void)p.set(pr::body, std::string("Line one\r\nLine two\r\n"));
    (void)p.set(pr::message_class, std::string("IPM.Note.Custom"));
    (void)p.set(pr::message_flags, msgflag::read | msgflag::unsent);
    (void)p.set(pr::sender_name, std::string("Alice Sender"));
    (void)p.set(pr::sender_email_address, std::string("alice@example.org"));
    (void)p.set(pr::sender_addrtype, std::string("SMTP"));
    (void)p.set(pr::client_submit_time, filetime{133600000001234567ULL});  // sub-second part too
    (void)p.set(pr::internet_message_id, std::string("<every.type@example.org>"));
    (void)p.set(pr::in_reply_to_id, std::string("<parent@example.org>"));
    (void)p.set(pr::internet_references, std::string("<root@example.org> <parent@example.org>"));
    (void)p.set(pr::importance, std::int32_t{2});
    (void)p.set(pr::display_to, std::string("Bob"));
    (void)p.set(prop_tag{0x6701, prop_type::i2}, std::int16_t{-12345});
    (void)p.set(prop_tag{0x6702, prop_type::i4}, std::int32_t{-2000000000});
    (void)p.set(prop_tag{0x6703, prop_type::r4}, 1.5);
    (void)p.set(prop_tag{0x6704, prop_type::r8}, -0.1);
    (void)p.set(prop_tag{0x6705, prop_type::currency}, std::int64_t{-9223372036854775807LL - 1});
    (void)p.set(prop_tag{0x6706, prop_type::apptime}, 45123.25);
    (void)p.set(prop_tag{0x6707, prop_type::error}, scode::not_found);
    (void)p.set(prop_tag{0x6708, prop_type::boolean}, true);
    (void)p.set(prop_tag{0x6709, prop_type::object}, std::monostate{});
    (void)p.set(prop_tag{0x670A, prop_type::i8}, std::int64_t{0x0123456789ABCDEFLL});
    (void)p.set(prop_tag{0x670B, prop_type::string8}, std::string("  spaces around, \"quotes\" and \\u{41} "));
    (void)p.set(prop_tag{0x670C, prop_type::unicode}, std::string("line\r\nbreak\ttab \xE2\x9C\x93 \x01"));
    (void)p.set(prop_tag{0x670D, prop_type::systime}, filetime{0xFFFFFFFFFFFFFFFFULL});
    (void)p.set(prop_tag{0x670E, prop_type::clsid}, uid::generate());
    (void)p.set(prop_tag{0x670F, prop_type::binary}, binary{0, 1, 2, 0xFF});
    (void)p.set(prop_tag{0x6710, prop_type::mv_i2}, std::vector<std::int16_t>{1, -1});
    (void)p.set(prop_tag{0x6711, prop_type::mv_i4}, std::vector<std::int32_t>{7, 8, 9});
    (void)p.set(prop_tag{0x6712, prop_type::mv_i8}, std::vector<std::int64_t>{-7});
    (void)p.set(prop_tag{0x6713, prop_type::mv_string8}, std::vector<std::string>{"a, b", "", "\"q\""});
    (void)p.set(prop_tag{0x6714, prop_type::mv_unicode}, std::vector<std::string>{"\xC3\xA9t\xC3\xA9", " x "});
    (void)p.set(prop_tag{0x6715, prop_type::mv_systime}, std::vector<filetime>{{1}, {2}});
    (void)p.set(prop_tag{0x6716, prop_type::mv_clsid}, std::vector<uid>{uid::generate(), uid{}});
    (void)p.set(prop_tag{0x6717, prop_type::mv_binary}, std::vector<binary>{{}, {1, 2, 3}});
    (void)p.set(prop_tag{0x6718, prop_type::null}, std::monostate{});
    (void)p.set(prop_tag{0x6719, prop_type::unicode}, std::string(3000, 'x'));  // a long value
    auto bob = recipient("Bob", "bob@example.org", 1);
    (void)bob.set(pr::responsibility, true);
    (void)bob.set(prop_tag{0x6720, prop_type::binary}, binary{9, 9});
    c.recipients = {bob, recipient("Carol \"C\" Q", "carol@example.org", 2), recipient("Dave", "dave@example.org", 3),
                    recipient("Eve", "eve@example.org", 1)};
    property_bag x400;  // no SMTP address: kept in the X-MAPI- block only
    (void)x400.set(pr::display_name, std::string("Legacy"));
    (void)x400.set(pr::addrtype, std::string("EX"));
    (void)x400.set(pr::email_address, std::string("/o=Org/cn=Legacy Person"));
    (void)x400.set(pr::recipient_type, std::int32_t{1});
    c.recipients.push_back(x400);
    auto a = attachment(0, "report.pdf", "application/pdf", binary{1, 2, 3});
    (void)a.set(pr::attach_filename, std::string("REPORT.PDF"));
    (void)a.set(pr::attach_content_id, std::string("part1@example.org"));
    c.attachments = {a, attachment(1, "notes.txt", "text/plain", bytes_of("not the body\r\n"))};
    return c;
}

} // namespace

TEST_SUITE("providers/maildir_store.hpp") {

TEST_CASE("logon creates the Maildir++ folders: the root is the Inbox, the others are dot folders") {
    temp_dir dir;
    auto store = open_store(dir.sub("mail"));
    for (const char* folder : {"", "/.Outbox", "/.Sent Items", "/.Deleted Items"}) {
        for (const char* sub : {"/cur", "/new", "/tmp"}) {
            INFO(folder << sub);
            CHECK(std::filesystem::is_directory(dir.sub("mail") + folder + sub));
        }
    }
    CHECK(std::filesystem::exists(dir.sub("mail") + "/.Outbox/maildirfolder"));
    CHECK(store->folders().value() == std::vector<std::string>{"Inbox", "Outbox", "Sent Items", "Deleted Items"});
    CHECK(store->folder_path(standard_folder::sent_items) == store->root() + "/.Sent Items");
}

TEST_CASE("a message with every property type reads back equal, also from a new logon after the store was closed") {
    temp_dir dir;
    const message_content c = every_type_message();
    std::uint64_t id = 0;
    {
        auto store = open_store(dir.str());
        id = store->create_message(standard_folder::outbox, c).value();
        const auto m = store->open_message(id).value();
        CHECK(m.props == c.props);
        CHECK(m.recipients == c.recipients);
        CHECK(m.attachments == c.attachments);
        CHECK(m == expected(id, standard_folder::outbox, c));
    }
    auto store = open_store(dir.str());  // the shared state was dropped: everything comes from disk
    CHECK(store->open_message(id).value() == expected(id, standard_folder::outbox, c));
    const auto list = store->messages(standard_folder::outbox).value();
    REQUIRE(list.size() == 1);
    CHECK(list.front() == expected(id, standard_folder::outbox, c));
}

TEST_CASE("the standard properties are written as standard header fields other programs read") {
    temp_dir dir;
    auto store = open_store(dir.str());
    const auto id = store->create_message(standard_folder::outbox, every_type_message()).value();
    const std::string text = read_file(store->message_path(id).value());
    CHECK(contains(text, "\r\nSubject: Every type\r\n"));
    CHECK(contains(text, "\r\nFrom: \"Alice Sender\" <alice@example.org>\r\n"));
    CHECK(contains(text, "\r\nTo: \"Bob\" <bob@example.org>,\r\n \"Eve\" <eve@example.org>\r\n"));
    CHECK(contains(text, "\r\nCc: \"Carol \\\"C\\\" Q\" <carol@example.org>\r\n"));
    CHECK(contains(text, "\r\nBcc: \"Dave\" <dave@example.org>\r\n"));
    CHECK(contains(text, "\r\nMessage-ID: <every.type@example.org>\r\n"));
    CHECK(contains(text, "\r\nIn-Reply-To: <parent@example.org>\r\n"));
    CHECK(contains(text, "\r\nReferences: <root@example.org> <parent@example.org>\r\n"));
    CHECK(text.rfind("Date: Sun, 12 May 2024 15:06:40 +0000\r\n", 0) == 0);
    CHECK(contains(text, "Content-Type: multipart/mixed;"));
    CHECK(contains(text, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nLine one\r\nLine two\r\n"));
    CHECK(contains(text, "Content-Type: application/pdf;\r\n name=\"report.pdf\"\r\n"));
    CHECK(contains(text, "Content-Disposition: attachment;\r\n filename=\"report.pdf\"\r\n"));
    CHECK(contains(text, "Content-ID: <part1@example.org>\r\n"));
    // The subject, body, sender and recipients are not repeated in the X-MAPI- block.
    CHECK_FALSE(contains(text, "X-MAPI-Prop: 0037"));
    CHECK_FALSE(contains(text, "X-MAPI-Prop: 1000"));
    CHECK(contains(text, "X-MAPI-Prop: 00170003 =02000000\r\n"));  // PR_IMPORTANCE has no header
    for (char ch : text) CHECK(static_cast<unsigned char>(ch) < 0x80);  // 7-bit clean
}

TEST_CASE("non-ASCII subjects, names, file names and bodies round-trip and are written as 7-bit MIME") {
    temp_dir dir;
    auto store = open_store(dir.str());
    message_content c;
    const std::string subject = "Gr\xC3\xBC\xC3\x9F" "e \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E " + std::string(40, 'x') +
                                " \xF0\x9F\x98\x80 =?not-a-word?= end";
    const std::string body = "Hall\xC3\xB6 W\xC3\xA9lt\r\nZeile mit \xE2\x82\xAC\r\n";
    (void)c.props.set(pr::subject, subject);
    (void)c.props.set(pr::body, body);
    (void)c.props.set(pr::sender_name, std::string("Zo\xC3\xAB Sender"));
    (void)c.props.set(pr::sender_email_address, std::string("zoe@example.org"));
    (void)c.props.set(pr::sender_addrtype, std::string("SMTP"));
    (void)c.props.set(pr::internet_message_id, std::string("<utf8@example.org>"));
    c.recipients = {recipient("J\xC3\xBCrgen M\xC3\xBCller", "juergen@example.org", 1),
                    recipient("\xE7\x8E\x8B\xE5\xB0\x8F\xE6\x98\x8E", "wang@example.org", 2)};
    const std::string long_name = "R\xC3\xA9sum\xC3\xA9 " + std::string(80, 'n') + " donn\xC3\xA9" "es.txt";
    c.attachments = {attachment(0, "R\xC3\xA9sum\xC3\xA9.txt", "text/plain", bytes_of("r\xC3\xA9sum\xC3\xA9")),
                     attachment(1, long_name, "application/octet-stream", binary{0, 1, 2})};
    const auto id = store->create_message(standard_folder::inbox, c).value();
    const auto m = store->open_message(id).value();
    CHECK(m == expected(id, standard_folder::inbox, c));
    const std::string text = read_file(store->message_path(id).value());
    for (char ch : text) CHECK(static_cast<unsigned char>(ch) < 0x80);
    CHECK(contains(text, "Subject: =?utf-8?B?"));
    CHECK(contains(text, "Content-Transfer-Encoding: quoted-printable\r\n\r\nHall=C3=B6 W=C3=A9lt\r\n"));
    CHECK(contains(text, "filename*=utf-8''R%C3%A9sum%C3%A9.txt"));
    CHECK(contains(text, "filename*0*=utf-8''R%C3%A9sum%C3%A9"));  // RFC 2231 continuations for the long one
    CHECK_FALSE(contains(text, "X-MAPI-Prop: 0037"));  // the encoded subject is exact by itself
    // No header line is longer than 998 characters.
    std::size_t start = 0;
    while (start < text.size()) {
        const auto eol = text.find("\r\n", start);
        CHECK((eol == std::string::npos ? text.size() : eol) - start <= 998);
        if (eol == std::string::npos) break;
        start = eol + 2;
    }
}

TEST_CASE("a binary attachment with every byte value round-trips bit for bit") {
    temp_dir dir;
    auto store = open_store(dir.str());
    binary all;
    for (int round = 0; round < 3; ++round) {
        for (int b = 0; b < 256; ++b) all.push_back(static_cast<std::uint8_t>(b));
    }
    all.push_back(0);  // a length that is not a multiple of 3
    message_content c;
    (void)c.props.set(pr::subject, std::string("bytes"));
    c.attachments = {attachment(0, "all.bin", "application/octet-stream", all),
                     attachment(1, "empty.bin", "application/octet-stream", binary{})};
    const auto id = store->create_message(standard_folder::inbox, c).value();
    const auto m = store->open_message(id).value();
    REQUIRE(m.attachments.size() == 2);
    CHECK(*m.attachments[0].get_binary(pr::attach_data_bin) == all);
    CHECK(m.attachments[1].get_binary(pr::attach_data_bin)->empty());
    CHECK(m.props.get_string(pr::internet_message_id).has_value());
    c.props.merge(property_bag{{pr::internet_message_id, std::string(*m.props.get_string(pr::internet_message_id))}});
    CHECK(m == expected(id, standard_folder::inbox, c));
}

TEST_CASE("bodies with dot lines, From lines, bare line breaks, trailing spaces and long lines round-trip") {
    temp_dir dir;
    auto store = open_store(dir.str());
    const std::vector<std::string> bodies{
        ".\r\n..\r\n.hidden\r\nFrom me\r\nFrom \r\n>From quoted\r\n",
        "From the start",
        "bare\nlf and bare\rcr\r\n\r\n",
        "trailing spaces   \r\ntrailing tab\t\r\nend ",
        std::string(5000, 'L') + "\r\n" + std::string(100, ' ') + "x",
        "=?utf-8?B?notencoded?= = =3D\r\n-- \r\n--=_mapixx_boundary-lookalike\r\n",
        "",
        "\r\n",
        std::string("nul\0byte", 8),
    };
    for (const auto& body : bodies) {
        message_content c;
        (void)c.props.set(pr::subject, std::string("body"));
        (void)c.props.set(pr::body, body);
        (void)c.props.set(pr::internet_message_id, std::string("<b@example.org>"));
        const auto id = store->create_message(standard_folder::inbox, c).value();
        auto m = store->open_message(id).value();
        INFO("body: " << body);
        CHECK(m.props.get_string(pr::body) == body);
        CHECK(m == expected(id, standard_folder::inbox, c));
        // With an attachment, the body is a MIME part and still exact.
        c.attachments = {attachment(0, "a.txt", "text/plain", bytes_of(body))};
        const auto id2 = store->create_message(standard_folder::inbox, c).value();
        CHECK(store->open_message(id2).value() == expected(id2, standard_folder::inbox, c));
        const std::string text = read_file(store->message_path(id).value());
        CHECK_FALSE(contains(text, "\nFrom "));  // mbox-safe: no line of the file starts with "From "
    }
}

TEST_CASE("a message without a Message-ID gets a unique one that is in the file and in its properties") {
    temp_dir dir;
    auto store = open_store(dir.str());
    const auto a = store->create_message(standard_folder::outbox, {{pr::subject, "one"}}).value();
    const auto b = store->create_message(standard_folder::outbox, {{pr::subject, "two"}}).value();
    const auto ida = std::string(*store->open_message(a).value().props.get_string(pr::internet_message_id));
    const auto idb = std::string(*store->open_message(b).value().props.get_string(pr::internet_message_id));
    CHECK(ida != idb);
    CHECK(ida.front() == '<');
    CHECK(ida.back() == '>');
    CHECK(contains(ida, "@"));
    CHECK(contains(read_file(store->message_path(a).value()), "\r\nMessage-ID: " + ida + "\r\n"));
}

TEST_CASE("delivery goes through tmp/ into new/, and a file left in tmp/ by a crash is not a message") {
    temp_dir dir;
    auto store = open_store(dir.str());
    const auto id = store->create_message(standard_folder::inbox, {{pr::subject, "delivered"}}).value();
    CHECK(files_in(dir.sub("tmp")).empty());
    const std::string path = store->message_path(id).value();
    CHECK(std::filesystem::path(path).parent_path().filename() == "new");
    CHECK(std::filesystem::path(path).filename().string().find(':') == std::string::npos);  // no info in new/
    // A writer that died after writing to tmp/ (before its rename) left a complete-looking file.
    write_file(dir.sub("tmp/1700000000.M1P1Q1.crashed"), "Subject: half delivered\r\n\r\nbody\r\n");
    write_file(dir.sub("tmp/1700000000.M2P1Q2.crashed"), "Subj");  // and a truncated one
    const auto list = store->messages(standard_folder::inbox).value();
    REQUIRE(list.size() == 1);
    CHECK(list.front().id == id);
    CHECK(store->skipped_files().empty());
    // At the next logon, leftovers older than 36 hours are removed; recent ones are left alone.
    const auto old = std::filesystem::file_time_type::clock::now() - std::chrono::hours(48);
    std::filesystem::last_write_time(dir.sub("tmp/1700000000.M1P1Q1.crashed"), old);
    store.reset();
    auto again = open_store(dir.str());
    CHECK(files_in(dir.sub("tmp")) == std::vector<std::string>{"1700000000.M2P1Q2.crashed"});
    CHECK(again->messages(standard_folder::inbox).value().size() == 1);
}

TEST_CASE("flags live in the file name: S read, D unsent, R replied, F flagged, T trashed, unknown letters kept") {
    temp_dir dir;
    auto store = open_store(dir.str());
    property_bag props{{pr::subject, "flags"}, {pr::message_flags, msgflag::read | msgflag::unsent}};
    const auto id = store->create_message(standard_folder::outbox, props).value();
    std::string path = store->message_path(id).value();
    CHECK(std::filesystem::path(path).parent_path().filename() == "cur");
    CHECK(path.substr(path.size() - 5) == ":2,DS");

    // Marked unread, replied and flagged through MAPI: the name follows.
    property_bag changes{{pr::message_flags, msgflag::unsent},
                         {prop_tag{0x1081, prop_type::i4}, std::int32_t{103}},
                         {prop_tag{0x1090, prop_type::i4}, std::int32_t{2}}};
    REQUIRE(store->update_message(id, changes));
    path = store->message_path(id).value();
    CHECK(path.substr(path.size() - 6) == ":2,DFR");

    // Another program marks it seen and trashed, and adds a letter of its own.
    const std::string base = path.substr(0, path.size() - 6);
    std::filesystem::rename(path, base + ":2,DFRSTa");
    auto m = store->open_message(id).value();
    CHECK(m.props.get_i4(pr::message_flags) == (msgflag::unsent | msgflag::read));
    CHECK(m.props.get_i4(prop_tag{0x1081, prop_type::i4}) == 103);  // reply-all is still a reply
    CHECK(m.props.get_i4(prop_tag{0x0E17, prop_type::i4}) == 0x8);  // MSGSTATUS_DELMARKED
    // ... and unflags it: PR_FLAG_STATUS goes.
    std::filesystem::rename(base + ":2,DFRSTa", base + ":2,DRSTa");
    m = store->open_message(id).value();
    CHECK_FALSE(m.props.contains(prop_tag{0x1090, prop_type::i4}));

    // An update through MAPI keeps the letter it does not know.
    REQUIRE(store->update_message(id, {{pr::subject, "flags 2"}}));
    path = store->message_path(id).value();
    CHECK(path.substr(path.size() - 8) == ":2,DRSTa");
    CHECK(store->open_message(id).value().props.get_string(pr::subject) == "flags 2");
}

TEST_CASE("ids are stable across logons and moves, messages are listed oldest first, and ids are never reused") {
    temp_dir dir;
    std::vector<std::uint64_t> ids;
    {
        auto store = open_store(dir.str());
        for (int i = 0; i < 5; ++i) {
            ids.push_back(store->create_message(standard_folder::outbox, {{pr::subject, "m" + std::to_string(i)}}).value());
        }
        CHECK(std::is_sorted(ids.begin(), ids.end()));
        CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
        REQUIRE(store->move_message(ids[1], standard_folder::sent_items));
        REQUIRE(store->delete_message(ids[2]));  // to Deleted Items
        REQUIRE(store->delete_message(ids[3]));
        REQUIRE(store->delete_message(ids[3]));  // for good
        CHECK(store->open_message(ids[3]).code() == scode::not_found);
    }
    auto store = open_store(dir.str());
    CHECK(store->open_message(ids[1]).value().folder == standard_folder::sent_items);
    CHECK(store->open_message(ids[1]).value().props.get_string(pr::subject) == "m1");
    CHECK(store->open_message(ids[2]).value().folder == standard_folder::deleted_items);
    CHECK(store->open_message(ids[3]).code() == scode::not_found);
    const auto outbox = store->messages(standard_folder::outbox).value();
    REQUIRE(outbox.size() == 2);
    CHECK(outbox[0].id == ids[0]);
    CHECK(outbox[1].id == ids[4]);
    REQUIRE(store->move_message(ids[2], standard_folder::inbox));
    CHECK(store->open_message(ids[2]).value().folder == standard_folder::inbox);
    const auto fresh = store->create_message(standard_folder::inbox, {{pr::subject, "new"}}).value();
    CHECK(fresh > ids.back());  // the deleted message's id is not given again
    // A message moved by another program (plain rename, as mutt does) keeps its id too.
    const std::string from = store->message_path(ids[0]).value();
    const std::string to = dir.sub(".Sent Items/cur/") + std::filesystem::path(from).filename().string();
    std::filesystem::rename(from, to);
    store.reset();
    auto third = open_store(dir.str());
    CHECK(third->open_message(ids[0]).value().folder == standard_folder::sent_items);
    CHECK(third->open_message(ids[0]).value().props.get_string(pr::subject) == "m0");
}

TEST_CASE("update_message merges properties, replaces recipients and rewrites the file atomically under the same id") {
    temp_dir dir;
    auto store = open_store(dir.str());
    message_content c;
    (void)c.props.set(pr::subject, std::string("draft"));
    (void)c.props.set(pr::body, std::string("text"));
    c.recipients = {recipient("Bob", "bob@example.org", 1)};
    const auto id = store->create_message(standard_folder::outbox, c).value();
    const std::vector<property_bag> rcpts{recipient("Carol", "carol@example.org", 2)};
    REQUIRE(store->update_message(id, {{pr::subject, "final"}, {pr::importance, std::int32_t{2}}}, &rcpts));
    const auto m = store->open_message(id).value();
    CHECK(m.props.get_string(pr::subject) == "final");
    CHECK(m.props.get_string(pr::body) == "text");
    CHECK(m.props.get_i4(pr::importance) == 2);
    CHECK(m.recipients == rcpts);
    CHECK(files_in(dir.sub(".Outbox/tmp")).empty());
    CHECK(files_in(dir.sub(".Outbox/new")).size() + files_in(dir.sub(".Outbox/cur")).size() == 1);
    CHECK(contains(read_file(store->message_path(id).value()), "\r\nCc: \"Carol\" <carol@example.org>\r\n"));
    CHECK(store->update_message(id + 1000, {{pr::subject, "x"}}).code() == scode::not_found);
}

TEST_CASE("a message written by another program is read: LF line endings, no X-MAPI- block, unknown header fields kept") {
    temp_dir dir;
    auto store = open_store(dir.str());
    const std::string foreign =
        "Return-Path: <list@example.net>\n"
        "Received: from mx.example.net by mail.example.org;\n"
        "\tMon, 1 Jan 2024 10:00:00 +0100\n"
        "From: =?iso-8859-1?q?J=F6rg?= Example <joerg@example.net>\n"
        "To: undisclosed-recipients:;, \"Smith, Ann\" <ann@example.org>,\n"
        "  bob@example.org (Bob B)\n"
        "Subject: =?utf-8?q?Caf=C3=A9?= =?utf-8?b?IMOg?= la carte\n"
        "Date: Mon, 1 Jan 2024 10:00:00 +0100\n"
        "Message-ID: <foreign@example.net>\n"
        "X-Mailer: something\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=\"XYZ\"\n"
        "\n"
        "preamble\n"
        "--XYZ\n"
        "Content-Type: multipart/alternative; boundary=inner\n"
        "\n"
        "--inner\n"
        "Content-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "Gr=FC=DFe,\n"
        "soft=\n"
        "break\n"
        "--inner\n"
        "Content-Type: text/html; charset=utf-8\n"
        "\n"
        "<p>hi</p>\n"
        "--inner--\n"
        "--XYZ\n"
        "Content-Type: application/octet-stream\n"
        "Content-Disposition: attachment;\n"
        " filename*0*=utf-8''%C3%A9t%C3%A9;\n"
        " filename*1=\".dat\"\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "AAEC/w==\n"
        "--XYZ--\n"
        "epilogue\n";
    write_file(dir.sub("new/1700000000.M1P99Q1.otherhost"), foreign);
    write_file(dir.sub("cur/1700000001.M1P99Q2.otherhost:2,S"), "Subject: short\n\nbody only\n");
    const auto list = store->messages(standard_folder::inbox).value();
    REQUIRE(list.size() == 2);
    CHECK(store->skipped_files().empty());
    const auto& m = list[0];
    CHECK(m.props.get_string(pr::subject) == "Caf\xC3\xA9 \xC3\xA0 la carte");
    CHECK(m.props.get_string(pr::sender_name) == "J\xC3\xB6rg Example");
    CHECK(m.props.get_string(pr::sender_email_address) == "joerg@example.net");
    CHECK(std::string(m.props.get_string(pr::body).value_or("(none)")) == "Gr\xC3\xBC\xC3\x9F" "e,\r\nsoftbreak");  // the last line break belongs to the delimiter
    CHECK(m.props.find(pr::client_submit_time)->get_if<filetime>()->ticks ==
          (1704099600ULL * 10000000ULL + 116444736000000000ULL));  // 09:00 UTC
    CHECK(m.props.get_string(pr::internet_message_id) == "<foreign@example.net>");
    const auto headers = std::string(m.props.get_string(pr::transport_message_headers).value_or(""));
    CHECK(contains(headers, "Return-Path: <list@example.net>\r\n"));
    CHECK(contains(headers, "Received: from mx.example.net by mail.example.org;\tMon, 1 Jan 2024 10:00:00 +0100\r\n"));
    CHECK(contains(headers, "X-Mailer: something\r\n"));
    REQUIRE(m.recipients.size() == 2);
    CHECK(m.recipients[0].get_string(pr::display_name) == "Smith, Ann");
    CHECK(m.recipients[0].get_string(pr::email_address) == "ann@example.org");
    CHECK(m.recipients[1].get_string(pr::display_name) == "Bob B");
    CHECK(m.recipients[1].get_string(pr::email_address) == "bob@example.org");
    CHECK(m.recipients[1].get_i4(pr::recipient_type) == 1);
    REQUIRE(m.attachments.size() == 2);
    CHECK(m.attachments[0].get_string(pr::attach_mime_tag) == "text/html");
    CHECK(*m.attachments[0].get_binary(pr::attach_data_bin) == bytes_of("<p>hi</p>"));
    CHECK(m.attachments[1].get_string(pr::attach_long_filename) == "\xC3\xA9t\xC3\xA9.dat");
    CHECK(*m.attachments[1].get_binary(pr::attach_data_bin) == binary{0, 1, 2, 0xFF});
    CHECK(m.props.get_i4(pr::message_flags) == msgflag::has_attach);
    const auto& s = list[1];
    CHECK(s.props.get_string(pr::body) == "body only\r\n");
    CHECK(s.props.get_i4(pr::message_flags) == msgflag::read);  // from ":2,S"
    // Updating a foreign message through MAPI rewrites it in mapixx's form, nothing lost.
    REQUIRE(store->update_message(m.id, {{pr::importance, std::int32_t{2}}}));
    auto after = store->open_message(m.id).value();
    (void)after.props.erase(pr::importance);
    CHECK(after == m);
}

TEST_CASE("a malformed file is skipped with an error naming the file and line, never deleted, and shows once fixed") {
    temp_dir dir;
    auto store = open_store(dir.str());
    const auto good = store->create_message(standard_folder::inbox, {{pr::subject, "good"}}).value();
    const std::string bad = dir.sub("new/1700000000.M5P5Q5.elsewhere");
    write_file(bad, "Subject: fine\nX-Thing: ok\nthis line is no header\n\nbody\n");
    const std::string empty = dir.sub("cur/1700000000.M6P5Q6.elsewhere:2,");
    write_file(empty, "");
    const std::string bad_x = dir.sub("cur/1700000000.M7P5Q7.elsewhere:2,");
    write_file(bad_x, "Subject: x\r\nX-MAPI-Version: 1\r\nX-MAPI-Prop: 00170003 =zz\r\n\r\nbody\r\n");
    const auto list = store->messages(standard_folder::inbox).value();
    REQUIRE(list.size() == 1);
    CHECK(list.front().id == good);
    const auto problems = store->skipped_files();
    REQUIRE(problems.size() == 3);
    bool saw_line = false, saw_empty = false, saw_x = false;
    for (const auto& p : problems) {
        CHECK(p.component == "mapixx.maildir_store");
        if (contains(p.message, bad)) {
            saw_line = contains(p.message, "line 3") && p.context == 3;
        }
        if (contains(p.message, empty)) saw_empty = contains(p.message, "empty");
        if (contains(p.message, bad_x)) saw_x = contains(p.message, "line 3") && contains(p.message, "X-MAPI-Prop");
    }
    CHECK(saw_line);
    CHECK(saw_empty);
    CHECK(saw_x);
    CHECK(std::filesystem::exists(bad));
    CHECK(std::filesystem::exists(empty));
    write_file(bad, "Subject: fine now\n\nbody\n");
    const auto fixed = store->messages(standard_folder::inbox).value();
    CHECK(fixed.size() == 2);
    CHECK(store->skipped_files().size() == 2);
}

TEST_CASE("every call after logoff answers end_of_session") {
    temp_dir dir;
    auto store = open_store(dir.str());
    const auto id = store->create_message(standard_folder::inbox, {{pr::subject, "x"}}).value();
    sync_wait(store->logoff());
    CHECK(store->logged_off());
    CHECK(store->messages(standard_folder::inbox).code() == scode::end_of_session);
    CHECK(store->open_message(id).code() == scode::end_of_session);
    CHECK(store->create_message(standard_folder::inbox, {{pr::subject, "y"}}).code() == scode::end_of_session);
    CHECK(store->update_message(id, {}).code() == scode::end_of_session);
    CHECK(store->move_message(id, standard_folder::outbox).code() == scode::end_of_session);
    CHECK(store->delete_message(id).code() == scode::end_of_session);
    CHECK(store->folders().code() == scode::end_of_session);
}

TEST_CASE("two logons on one directory and several threads create messages with distinct ids") {
    temp_dir dir;
    auto a = open_store(dir.str());
    auto b = open_store(dir.str());
    std::vector<std::vector<std::uint64_t>> got(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            auto& store = t % 2 == 0 ? *a : *b;
            for (int i = 0; i < 10; ++i) {
                got[static_cast<std::size_t>(t)].push_back(
                    store.create_message(standard_folder::inbox, {{pr::subject, "t" + std::to_string(t)}}).value());
                (void)store.messages(standard_folder::inbox);
            }
        });
    }
    for (auto& th : threads) th.join();
    std::vector<std::uint64_t> all;
    for (const auto& v : got) all.insert(all.end(), v.begin(), v.end());
    std::sort(all.begin(), all.end());
    CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
    CHECK(a->messages(standard_folder::inbox).value().size() == 40);
    CHECK(b->messages(standard_folder::inbox).value().size() == 40);
}

TEST_CASE("logon without a configured directory answers unconfigured, an unusable directory too") {
    maildir_store provider;
    message_service service;
    provider_entry entry;
    entry.display_name = "Mail";
    property_bag section, service_section;
    plain_support support;
    {
        provider_context ctx{"P", service, entry, logon_section(section), service_section, false, false,
                             std::nullopt, 1, 0, support, nullptr};
        auto r = sync_wait(provider.logon(ctx));
        CHECK(r.code() == scode::unconfigured);
        CHECK(contains(r.info().message, "0x6620001F"));
    }
    temp_dir dir;
    write_file(dir.sub("a-file"), "x");
    (void)section.set(maildir_path_tag, dir.sub("a-file") + "/mail");
    provider_context ctx{"P", service, entry, logon_section(section), service_section, false, false,
                         std::nullopt, 1, 0, support, nullptr};
    auto r = sync_wait(provider.logon(ctx));
    CHECK(r.code() == scode::unconfigured);
    CHECK(contains(r.info().message, dir.sub("a-file")));
}

} // TEST_SUITE

} // namespace maildir_store_tests
