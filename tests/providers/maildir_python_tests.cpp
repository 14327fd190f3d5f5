// SPDX-License-Identifier: MIT
// Proof that other programs read and write what the Maildir store does: Python's standard
// mailbox and email modules read messages the store wrote (read_maildir.py), and the store
// reads a message Python's mailbox.Maildir added (maildir_write.py).
#include <mapixx/providers/maildir_store.hpp>

#include "maildir_test_support.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace maildir_python_tests {

using namespace mapixx;
using namespace maildir_test;

namespace {

/// SHA-256 (FIPS 180-4) as lower-case hex, for comparing attachments with Python's hashlib.
std::string sha256_hex(const binary& data) {
    static constexpr std::array<std::uint32_t, 64> k{
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    std::array<std::uint32_t, 8> h{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    binary msg = data;
    const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
    msg.push_back(0x80);
    while (msg.size() % 64 != 56) msg.push_back(0);
    for (int i = 7; i >= 0; --i) msg.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
    auto rotr = [](std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
    for (std::size_t block = 0; block < msg.size(); block += 64) {
        std::array<std::uint32_t, 64> w{};
        for (std::size_t i = 0; i < 16; ++i) {
            w[i] = (std::uint32_t{msg[block + 4 * i]} << 24) | (std::uint32_t{msg[block + 4 * i + 1]} << 16) |
                   (std::uint32_t{msg[block + 4 * i + 2]} << 8) | std::uint32_t{msg[block + 4 * i + 3]};
        }
        for (std::size_t i = 16; i < 64; ++i) {
            const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        auto v = h;
        for (std::size_t i = 0; i < 64; ++i) {
            const std::uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
            const std::uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
            const std::uint32_t t1 = v[7] + s1 + ch + k[i] + w[i];
            const std::uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
            const std::uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            const std::uint32_t t2 = s0 + maj;
            v = {t1 + t2, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
        }
        for (std::size_t i = 0; i < 8; ++i) h[i] += v[i];
    }
    std::string out;
    static constexpr char digits[] = "0123456789abcdef";
    for (std::uint32_t x : h) {
        for (int i = 28; i >= 0; i -= 4) out += digits[(x >> i) & 0xF];
    }
    return out;
}

/// A string as Python's json.dumps(..., ensure_ascii=False) writes it.
std::string json(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (u < 0x20) {
                static constexpr char hex[] = "0123456789abcdef";
                out += "\\u00";
                out += hex[u >> 4];
                out += hex[u & 0xF];
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

/// Runs `command` in a shell; its standard output and error, and its exit status.
std::pair<std::string, int> run(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    const int status = ::pclose(pipe);
    return {out, status};
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string script(const char* name) { return std::string(MAPIXX_SOURCE_DIR) + "/tests/providers/" + name; }

void require_python() {
    INFO("python3 is required (scripts/install-deps.sh test installs it)");
    REQUIRE(std::system("python3 -c 'import mailbox, email' > /dev/null 2>&1") == 0);
}

/// The lines read_maildir.py prints for a message the store holds.
std::string describe(const stored_message& m, std::string_view folder, std::string_view subdir, std::string_view flags) {
    std::string out;
    out += "message " + json(*m.props.get_string(pr::internet_message_id)) + "\n";
    out += "folder " + json(folder) + "\n";
    out += "subdir " + json(subdir) + "\n";
    out += "flags " + json(flags) + "\n";
    out += "subject " + json(m.props.get_string(pr::subject).value_or("None")) + "\n";
    if (auto email = m.props.get_string(pr::sender_email_address)) {
        out += "from " + json(m.props.get_string(pr::sender_name).value_or("")) + " " + json(*email) + "\n";
    }
    for (std::int32_t type : {1, 2, 3}) {
        for (const auto& r : m.recipients) {
            if (r.get_i4(pr::recipient_type) != type) continue;
            const auto name = r.get_string(pr::display_name).value_or("");
            const auto email = r.get_string(pr::email_address).value_or("");
            // A display name that is the address itself is not written (Python sees none).
            out += std::string(type == 1 ? "to " : type == 2 ? "cc " : "bcc ") + json(name == email ? "" : name) + " " +
                   json(email) + "\n";
        }
    }
    std::string body(m.props.get_string(pr::body).value_or(""));
    for (std::size_t p; (p = body.find("\r\n")) != std::string::npos;) body.replace(p, 2, "\n");
    out += "body " + json(body) + "\n";
    for (const auto& a : m.attachments) {
        out += "attachment " + json(a.get_string(pr::attach_long_filename).value_or("")) + " " +
               json(a.get_string(pr::attach_mime_tag).value_or("")) + " " + sha256_hex(*a.get_binary(pr::attach_data_bin)) +
               "\n";
    }
    return out + "end\n";
}

} // namespace

TEST_SUITE("providers/maildir_store.hpp") {

TEST_CASE("the SHA-256 of the test matches known answers") {
    CHECK(sha256_hex({}) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex(bytes_of("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Python's mailbox.Maildir and email read the messages the store wrote: subject, recipients, body, attachments") {
    require_python();
    temp_dir dir;
    auto store = open_store(dir.str());
    binary all;
    for (int i = 0; i < 1000; ++i) all.push_back(static_cast<std::uint8_t>(i * 7));
    message_content c;
    (void)c.props.set(pr::subject, std::string("Gr\xC3\xBC\xC3\x9F" "e \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC " +
                                               std::string(50, 'y') + " \xF0\x9F\x98\x80"));
    (void)c.props.set(pr::body, std::string("Hall\xC3\xB6 W\xC3\xA9lt\r\nFrom the top\r\n.\r\n..\r\nlast line\r\n"));
    (void)c.props.set(pr::sender_name, std::string("Zo\xC3\xAB Sender"));
    (void)c.props.set(pr::sender_email_address, std::string("zoe@example.org"));
    (void)c.props.set(pr::internet_message_id, std::string("<m1@example.org>"));
    (void)c.props.set(pr::message_flags, msgflag::unsent | msgflag::read);
    c.recipients = {recipient("J\xC3\xBCrgen M\xC3\xBCller", "juergen@example.org", 1),
                    recipient("Smith, Ann \"the boss\"", "ann@example.org", 1),
                    recipient("\xE7\x8E\x8B\xE5\xB0\x8F\xE6\x98\x8E", "wang@example.org", 2),
                    recipient("Hidden", "hidden@example.org", 3)};
    c.attachments = {attachment(0, "R\xC3\xA9sum\xC3\xA9 " + std::string(70, 'n') + ".bin", "application/octet-stream", all),
                     attachment(1, "notes.txt", "text/plain", bytes_of("plain notes\r\n")),
                     attachment(2, "photo.png", "image/png", binary{0x89, 'P', 'N', 'G', 0, 0xFF})};
    const auto id1 = store->create_message(standard_folder::outbox, c).value();

    message_content plain;
    (void)plain.props.set(pr::subject, std::string("plain ascii"));
    (void)plain.props.set(pr::body, std::string("just text"));
    (void)plain.props.set(pr::internet_message_id, std::string("<m2@example.org>"));
    plain.recipients = {recipient("bob@example.org", "bob@example.org", 1)};
    const auto id2 = store->create_message(standard_folder::inbox, plain).value();
    const auto id3 = store->create_message(standard_folder::outbox, plain).value();
    REQUIRE(store->move_message(id3, standard_folder::sent_items));
    REQUIRE(store->update_message(id3, {{pr::message_flags, msgflag::read}, {pr::internet_message_id, "<m3@example.org>"}}));

    const auto [out_, status] = run("python3 " + quoted(script("read_maildir.py")) + " " + quoted(dir.str()));
    const std::string& out = out_;  // a plain reference: clang 14 cannot capture a structured binding
    INFO(out);
    REQUIRE(status == 0);
    const std::string expected_out = describe(store->open_message(id2).value(), "INBOX", "new", "") +
                                     describe(store->open_message(id1).value(), "Outbox", "cur", "DS") +
                                     describe(store->open_message(id3).value(), "Sent Items", "cur", "S");
    CHECK(out == expected_out);
}

TEST_CASE("a message Python's mailbox.Maildir added is read by the store with its subject, recipients, body and attachments") {
    require_python();
    temp_dir dir;
    auto store = open_store(dir.str());
    const auto [out_, status] = run("python3 " + quoted(script("maildir_write.py")) + " " + quoted(dir.str()));
    const std::string& out = out_;  // a plain reference: clang 14 cannot capture a structured binding
    INFO(out);
    REQUIRE(status == 0);
    const auto list = store->messages(standard_folder::inbox).value();
    REQUIRE(list.size() == 1);
    CHECK(store->skipped_files().empty());
    const auto& m = list.front();
    CHECK(m.props.get_string(pr::subject) == "Gr\xC3\xBC\xC3\x9F" "e aus Python \xE2\x9C\x93");
    CHECK(m.props.get_string(pr::sender_name) == "Zo\xC3\xAB Python");
    CHECK(m.props.get_string(pr::sender_email_address) == "zoe@example.org");
    CHECK(m.props.get_string(pr::internet_message_id) == "<python-1@example.org>");
    CHECK(m.props.find(pr::client_submit_time)->get_if<filetime>()->ticks ==
          1704164645ULL * 10000000ULL + 116444736000000000ULL);  // 2024-01-02T03:04:05Z
    CHECK(m.props.get_string(pr::body) == "Hallo Welt \xE2\x80\x94 \xC3\xA4\xC3\xB6\xC3\xBC\r\nZweite Zeile\r\nFrom here\r\n.\r\n");
    CHECK(m.props.get_i4(pr::message_flags) == msgflag::has_attach);
    REQUIRE(m.recipients.size() == 3);
    CHECK(m.recipients[0] == recipient("J\xC3\xBCrgen M\xC3\xBCller", "juergen@example.org", 1));
    CHECK(m.recipients[1] == recipient("plain@example.org", "plain@example.org", 1));
    CHECK(m.recipients[2] == recipient("Ann Smith", "ann@example.org", 2));
    REQUIRE(m.attachments.size() == 2);
    binary all;
    for (int r = 0; r < 4; ++r) {
        for (int b = 0; b < 256; ++b) all.push_back(static_cast<std::uint8_t>(b));
    }
    CHECK(m.attachments[0].get_string(pr::attach_long_filename) == "R\xC3\xA9sum\xC3\xA9 donn\xC3\xA9" "es.bin");
    CHECK(m.attachments[0].get_string(pr::attach_mime_tag) == "application/octet-stream");
    CHECK(*m.attachments[0].get_binary(pr::attach_data_bin) == all);
    CHECK(m.attachments[1].get_string(pr::attach_long_filename) == "notes.txt");
    CHECK(m.attachments[1].get_string(pr::attach_mime_tag) == "text/plain");
    CHECK(*m.attachments[1].get_binary(pr::attach_data_bin) == bytes_of("plain notes\n"));
    // Marking it read through MAPI renames it the Maildir way, and Python sees the flag.
    REQUIRE(store->update_message(m.id, {{pr::message_flags, msgflag::has_attach | msgflag::read}}));
    const auto [again_, status2] = run("python3 " + quoted(script("read_maildir.py")) + " " + quoted(dir.str()));
    const std::string& again = again_;  // see above
    INFO(again);
    REQUIRE(status2 == 0);
    CHECK(again.find("subdir \"cur\"\nflags \"S\"\n") != std::string::npos);
    CHECK(again.find("attachment \"R\xC3\xA9sum\xC3\xA9 donn\xC3\xA9" "es.bin\" \"application/octet-stream\" " +
                     sha256_hex(all)) != std::string::npos);
}

} // TEST_SUITE

} // namespace maildir_python_tests
