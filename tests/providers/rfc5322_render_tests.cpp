// SPDX-License-Identifier: MIT
// Tests of the Date field (mime::format_date) and of rendering a message into one string
// (maildir::render_standard_to with the same string for both parts), which the SMTP transport
// and write_internet_message use.
#include <mapixx/providers/detail/mime.hpp>
#include <mapixx/providers/detail/rfc5322.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rfc5322_render_tests {

using namespace mapixx;
namespace mime = mapixx::detail::mime;
namespace maildir = mapixx::detail::maildir;

namespace {

constexpr std::uint64_t ticks_per_second = 10000000;

filetime at_unix_seconds(std::int64_t seconds) {
    return filetime{static_cast<std::uint64_t>(static_cast<std::int64_t>(mime::unix_epoch_ticks) +
                                               seconds * static_cast<std::int64_t>(ticks_per_second))};
}

/// The Date text one field at a time with std::to_string, from the civil date computed
/// separately (days since 1970 to year, month and day by counting whole years and months).
std::string reference_date(std::int64_t unix_seconds) {
    std::int64_t days = unix_seconds / 86400;
    std::int64_t rem = unix_seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    const char* weekdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::string weekday = weekdays[((days % 7) + 7) % 7];
    auto leap = [](std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
    std::int64_t year = 1970;
    while (days < 0) days += leap(--year) ? 366 : 365;
    while (days >= (leap(year) ? 366 : 365)) days -= leap(year++) ? 366 : 365;
    const int lengths[] = {31, leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int month = 0;
    while (days >= lengths[month]) days -= lengths[month++];
    auto two = [](std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
    std::string y = std::to_string(year);
    while (y.size() < 4) y = "0" + y;
    return weekday + ", " + two(days + 1) + " " + months[month] + " " + y + " " + two(rem / 3600) + ":" +
           two(rem / 60 % 60) + ":" + two(rem % 60) + " +0000";
}

} // namespace

TEST_SUITE("providers/detail/mime.hpp") {

TEST_CASE("format_date: known instants, from the FILETIME epoch to past the year 9999") {
    CHECK(mime::format_date(at_unix_seconds(0)) == "Thu, 01 Jan 1970 00:00:00 +0000");
    CHECK(mime::format_date(at_unix_seconds(951782400)) == "Tue, 29 Feb 2000 00:00:00 +0000");
    CHECK(mime::format_date(at_unix_seconds(1709251199)) == "Thu, 29 Feb 2024 23:59:59 +0000");
    CHECK(mime::format_date(filetime{0}) == "Mon, 01 Jan 1601 00:00:00 +0000");
    // The part of a second is dropped, not rounded.
    CHECK(mime::format_date(filetime{at_unix_seconds(59).ticks + ticks_per_second - 1}) ==
          "Thu, 01 Jan 1970 00:00:59 +0000");
    // 2^63 - 1 ticks: year 30828, five digits.
    CHECK(mime::format_date(filetime{0x7FFFFFFFFFFFFFFFULL}) == "Thu, 14 Sep 30828 02:48:05 +0000");
}

TEST_CASE("format_date agrees with a field-by-field reference on 20 000 instants from 1601 to 3000") {
    std::uint64_t seed = 7;
    const std::int64_t first = -11644473600;  // 1601-01-01
    const std::int64_t last = 32503680000;    // 3000-01-01
    for (int round = 0; round < 20000; ++round) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        const std::int64_t seconds = first + static_cast<std::int64_t>((seed >> 11) % static_cast<std::uint64_t>(last - first));
        CAPTURE(seconds);
        REQUIRE(mime::format_date(at_unix_seconds(seconds)) == reference_date(seconds));
    }
}

}

TEST_SUITE("providers/detail/rfc5322.hpp") {

TEST_CASE("render_standard_to into one string gives the two parts of render_standard back to back") {
    property_bag p;
    static_cast<void>(p.set(pr::subject, std::string("Quarterly figures")));
    static_cast<void>(p.set(pr::sender_email_address, std::string("ann@example.org")));
    static_cast<void>(p.set(pr::sender_name, std::string("Ann")));
    static_cast<void>(p.set(pr::internet_message_id, std::string("<1@example.org>")));
    static_cast<void>(p.set(pr::client_submit_time, at_unix_seconds(1700000000)));
    std::vector<property_bag> recipients(2);
    static_cast<void>(recipients[0].set(pr::email_address, std::string("bob@example.org")));
    static_cast<void>(recipients[0].set(pr::display_name, std::string("Bob")));
    static_cast<void>(recipients[1].set(pr::email_address, std::string("cy@example.org")));
    static_cast<void>(recipients[1].set(pr::recipient_type, std::int32_t{2}));
    property_bag attachment;
    static_cast<void>(attachment.set(pr::attach_long_filename, std::string("figures.csv")));
    static_cast<void>(attachment.set(pr::attach_mime_tag, std::string("text/csv")));
    static_cast<void>(attachment.set(pr::attach_data_bin, binary{'1', ',', '2', '\n'}));
    for (const char* body : {"plain text\r\nsecond line\r\n", "caf\xC3\xA9 with a bare\nline end ", ""}) {
        static_cast<void>(p.set(pr::body, std::string(body)));
        for (bool with_attachment : {false, true}) {
            const std::vector<property_bag> attachments =
                with_attachment ? std::vector<property_bag>{attachment} : std::vector<property_bag>{};
            const maildir::rendered_message parts = maildir::render_standard(p, recipients, attachments);
            std::string whole;
            maildir::render_standard_to(whole, whole, p, recipients, attachments);
            CAPTURE(body);
            CAPTURE(with_attachment);
            REQUIRE_FALSE(parts.head.empty());
            REQUIRE(parts.mime_part.rfind("MIME-Version: 1.0\r\n", 0) == 0);
            if (with_attachment) {
                // The boundary is random: compare with it taken out.
                const auto cut = [](std::string s) {
                    const std::string mark = "=_mapixx_";
                    for (std::size_t at = s.find(mark); at != std::string::npos; at = s.find(mark, at)) {
                        s.erase(at + mark.size(), 32);
                        at += mark.size();
                    }
                    return s;
                };
                CHECK(cut(whole) == cut(parts.head + parts.mime_part));
            } else {
                CHECK(whole == parts.head + parts.mime_part);
            }
            CHECK(maildir::write_internet_message(maildir::message_parts{p, recipients, attachments}).size() ==
                  parts.head.size() + parts.mime_part.size());
        }
    }
}

TEST_CASE("the appending forms add to what the string holds and fold as the field alone would") {
    // A prefix longer than a line: folding must count columns from the field's start.
    const std::string prefix = "X-Before: " + std::string(90, 'p') + "\r\n";
    const std::string long_value = "Re: the figures for the third quarter, the fourth quarter and the year, as agreed "
                                   "in the meeting of last Tuesday";
    REQUIRE(mime::fold_field("Subject", long_value).find("\r\n ") != std::string::npos);  // it does fold
    for (const std::string& value : {long_value, std::string("short"), std::string()}) {
        std::string out = prefix;
        mime::fold_field_to(out, "Subject", value);
        CHECK(out == prefix + mime::fold_field("Subject", value));
    }
    std::string mailbox = prefix;
    mime::format_mailbox_to(mailbox, "Ann \"A\" Smith", "ann@example.org");
    CHECK(mailbox == prefix + "\"Ann \\\"A\\\" Smith\" <ann@example.org>");
    std::string date = prefix;
    mime::format_date_to(date, at_unix_seconds(951782400));
    CHECK(date == prefix + "Tue, 29 Feb 2000 00:00:00 +0000");
}

TEST_CASE("render_standard_to with bcc_field::left_out names no blind-copy recipient, and nothing else changes") {
    property_bag p;
    static_cast<void>(p.set(pr::subject, std::string("Plans")));
    static_cast<void>(p.set(pr::sender_email_address, std::string("ann@example.org")));
    static_cast<void>(p.set(pr::client_submit_time, at_unix_seconds(1700000000)));
    static_cast<void>(p.set(pr::body, std::string("text\r\n")));
    std::vector<property_bag> recipients(3);
    const char* addresses[] = {"to@example.org", "cc@example.org", "hidden@example.org"};
    for (std::size_t k = 0; k != 3; ++k) {
        static_cast<void>(recipients[k].set(pr::email_address, std::string(addresses[k])));
        static_cast<void>(recipients[k].set(pr::recipient_type, static_cast<std::int32_t>(k + 1)));
    }
    std::string written;
    maildir::render_standard_to(written, written, p, recipients, {});
    std::string left_out;
    maildir::render_standard_to(left_out, left_out, p, recipients, {}, maildir::bcc_field::left_out);
    const std::string bcc_line = "Bcc: <hidden@example.org>\r\n";
    REQUIRE(written.find(bcc_line) != std::string::npos);
    CHECK(left_out.find("hidden@example.org") == std::string::npos);
    CHECK(left_out.find("Bcc") == std::string::npos);
    CHECK(left_out.find("To: <to@example.org>\r\nCc: <cc@example.org>\r\n") != std::string::npos);
    std::string without = written;
    without.erase(without.find(bcc_line), bcc_line.size());
    CHECK(left_out == without);
}

}

} // namespace rfc5322_render_tests
