// SPDX-License-Identifier: MIT
/// \file
/// The Maildir store's message file format: a MAPI message (properties, recipient rows,
/// attachment rows) as an RFC 5322 / MIME message with an `X-MAPI-` header block, and back;
/// and the Maildir file-name flags (`:2,DFRST`) as MAPI properties.
#ifndef MAPIXX_PROVIDERS_DETAIL_RFC5322_HPP_INCLUDED
#define MAPIXX_PROVIDERS_DETAIL_RFC5322_HPP_INCLUDED

#include <mapixx/core/prop.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/profile/prop_text.hpp>
#include <mapixx/provider/message.hpp>
#include <mapixx/providers/detail/byte_words.hpp>
#include <mapixx/providers/detail/mime.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0::detail::maildir {

/// PR_LAST_VERB_EXECUTED (the Maildir `R` flag: 102 reply, 103 reply all).
inline constexpr prop_tag last_verb_executed{0x1081, prop_type::i4};
/// PR_FLAG_STATUS (the Maildir `F` flag: 2, followupFlagged).
inline constexpr prop_tag flag_status{0x1090, prop_type::i4};
/// PR_MSG_STATUS (the Maildir `T` flag: MSGSTATUS_DELMARKED).
inline constexpr prop_tag msg_status{0x0E17, prop_type::i4};
inline constexpr std::int32_t verb_reply_to_sender = 102;
inline constexpr std::int32_t verb_reply_to_all = 103;
inline constexpr std::int32_t followup_flagged = 2;
inline constexpr std::int32_t msgstatus_delmarked = 0x8;

/// A message's three tables.
struct message_parts {
    property_bag props;
    std::vector<property_bag> recipients;
    std::vector<property_bag> attachments;
};

/// Why a file is not a message: a sentence and the 1-based line (0: no line).
struct read_problem {
    std::string what;
    std::size_t line = 0;
};

// ---- flags in file names ----------------------------------------------------------------------

/// The Maildir flag letters (sorted) that the properties call for: D (MSGFLAG_UNSENT),
/// F (PR_FLAG_STATUS followupFlagged), R (PR_LAST_VERB_EXECUTED reply / reply all),
/// S (MSGFLAG_READ), T (PR_MSG_STATUS MSGSTATUS_DELMARKED).
inline std::string letters_from_props(const property_bag& p) {
    std::string out;
    const auto flags = p.get_i4(pr::message_flags).value_or(0);
    const auto verb = p.get_i4(last_verb_executed);
    const auto follow = p.get_i4(flag_status);
    const auto status = p.get_i4(msg_status).value_or(0);
    if ((flags & msgflag::unsent) != 0) out += 'D';
    if (follow == followup_flagged) out += 'F';
    if (verb == verb_reply_to_sender || verb == verb_reply_to_all) out += 'R';
    if ((flags & msgflag::read) != 0) out += 'S';
    if ((status & msgstatus_delmarked) != 0) out += 'T';
    return out;
}

/// True for the letters `letters_from_props` owns.
constexpr bool mapped_letter(char c) noexcept { return c == 'D' || c == 'F' || c == 'R' || c == 'S' || c == 'T'; }

/// Makes the properties agree with the flag letters of a file name. For properties written
/// with `letters_from_props`, nothing changes; a flag set or cleared by another program shows.
inline void apply_letters(property_bag& p, std::string_view letters) {
    auto has = [&](char c) { return letters.find(c) != std::string_view::npos; };
    auto set_bit = [&](std::int32_t bit, bool on) {
        const auto v = p.get_i4(pr::message_flags);
        if (v) {
            const std::int32_t n = on ? (*v | bit) : (*v & ~bit);
            if (n != *v) (void)p.set(pr::message_flags, n);
        } else if (on) {
            (void)p.set(pr::message_flags, bit);
        }
    };
    set_bit(msgflag::read, has('S'));
    set_bit(msgflag::unsent, has('D'));
    const auto verb = p.get_i4(last_verb_executed);
    const bool replied = verb == verb_reply_to_sender || verb == verb_reply_to_all;
    if (has('R') && !replied) (void)p.set(last_verb_executed, verb_reply_to_sender);
    if (!has('R') && replied) p.erase(last_verb_executed);
    const auto follow = p.get_i4(flag_status);
    if (has('F') && follow != followup_flagged) (void)p.set(flag_status, followup_flagged);
    if (!has('F') && follow == followup_flagged) p.erase(flag_status);
    const auto status = p.get_i4(msg_status);
    if (has('T') && (status.value_or(0) & msgstatus_delmarked) == 0) {
        (void)p.set(msg_status, status.value_or(0) | msgstatus_delmarked);
    }
    if (!has('T') && status && (*status & msgstatus_delmarked) != 0) (void)p.set(msg_status, *status & ~msgstatus_delmarked);
}

// ---- reading ----------------------------------------------------------------------------------

/// Header fields the reader maps to properties (or that describe the MIME structure).
inline bool mapped_header(std::string_view name) noexcept {
    for (std::string_view known : {"Date", "From", "To", "Cc", "Bcc", "Subject", "Message-ID", "In-Reply-To",
                                   "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"}) {
        if (mime::iequals(name, known)) return true;
    }
    return name.size() >= 7 && mime::iequals(name.substr(0, 7), "X-MAPI-");
}

/// Recipient rows from one address header.
inline void add_recipients(std::vector<property_bag>& rows, std::string_view value, std::int32_t type) {
    for (auto& m : mime::parse_mailboxes(value)) {
        property_bag row;
        (void)row.set(pr::display_name, m.name.empty() ? m.address : m.name);
        (void)row.set(pr::addrtype, std::string("SMTP"));
        (void)row.set(pr::email_address, m.address);
        (void)row.set(pr::recipient_type, type);
        rows.push_back(std::move(row));
    }
}

struct walk_state {
    bool have_body = false;
    std::string body;
    std::vector<property_bag> attachments;
};

/// Walks the MIME tree of `e` (whose body starts on line `body_line` of the file): the first
/// inline text/plain leaf is the body, every other leaf an attachment.
inline bool walk_entity(const mime::entity& e, std::size_t body_line, walk_state& st, read_problem& problem, int depth) {
    const mime::header_field* ct_field = e.find("Content-Type");
    mime::parameterized ct = mime::parse_parameterized(ct_field ? std::string_view(ct_field->value) : "text/plain");
    if (!mime::is_mime_type(ct.value)) ct = mime::parse_parameterized("text/plain; charset=us-ascii");
    const std::string type = mime::to_lower(ct.value);
    if (type.rfind("multipart/", 0) == 0 && depth < 32) {
        if (auto boundary = ct.param("boundary"); boundary && !boundary->empty()) {
            if (auto parts = mime::split_multipart(e.body, *boundary)) {
                for (const auto& [text, line] : *parts) {
                    mime::parse_problem pp;
                    auto child = mime::parse_entity(text, pp, body_line + line - 1);
                    if (!child) {
                        problem = {"a MIME part is malformed: " + pp.what, pp.line};
                        return false;
                    }
                    const std::size_t child_body_line =
                        body_line + line - 1 + mime::line_of(text, static_cast<std::size_t>(child->body.data() - text.data())) - 1;
                    if (!walk_entity(*child, child_body_line, st, problem, depth + 1)) return false;
                }
                return true;
            }
        }
    }
    const mime::header_field* cte = e.find("Content-Transfer-Encoding");
    std::string data = mime::decode_transfer(e.body, cte ? std::string_view(cte->value) : "7bit");
    const mime::header_field* cd_field = e.find("Content-Disposition");
    const mime::parameterized cd = mime::parse_parameterized(cd_field ? std::string_view(cd_field->value) : "");
    std::optional<std::string> filename = cd.param("filename");
    if (!filename) filename = ct.param("name");
    const bool attachment = mime::iequals(mime::trim(cd.value), "attachment");
    if (type == "text/plain" && !attachment && !filename && !st.have_body) {
        const std::string enc = cte ? mime::to_lower(mime::trim(cte->value)) : std::string();
        if (enc != "quoted-printable") data = mime::crlf_lines(data);
        st.body = mime::to_utf8(data, ct.param("charset").value_or("us-ascii"));
        st.have_body = true;
        return true;
    }
    property_bag row;
    (void)row.set(pr::attach_num, static_cast<std::int32_t>(st.attachments.size()));
    (void)row.set(pr::attach_method, std::int32_t{1});
    if (filename) (void)row.set(pr::attach_long_filename, *filename);
    (void)row.set(pr::attach_mime_tag, ct.value);
    if (const mime::header_field* cid = e.find("Content-ID")) {
        std::string_view v = mime::trim(cid->value);
        if (v.size() >= 2 && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
        (void)row.set(pr::attach_content_id, std::string(v));
    }
    (void)row.set(pr::attach_data_bin, binary(data.begin(), data.end()));
    st.attachments.push_back(std::move(row));
    return true;
}

/// The properties the standard header fields and the MIME body of `top` give.
inline std::optional<message_parts> derive(std::string_view text, const mime::entity& top, read_problem& problem) {
    message_parts m;
    std::string transport;
    bool have_from = false, have_subject = false, have_date = false, have_id = false, have_irt = false,
         have_refs = false;
    for (const auto& h : top.headers) {
        const std::string_view n = h.name;
        if (mime::iequals(n, "Subject")) {
            if (!have_subject) (void)m.props.set(pr::subject, mime::decode_words(h.value));
            have_subject = true;
        } else if (mime::iequals(n, "From")) {
            if (!have_from) {
                auto boxes = mime::parse_mailboxes(h.value);
                if (!boxes.empty()) {
                    (void)m.props.set(pr::sender_name, boxes.front().name.empty() ? boxes.front().address
                                                                                  : boxes.front().name);
                    (void)m.props.set(pr::sender_email_address, boxes.front().address);
                    (void)m.props.set(pr::sender_addrtype, std::string("SMTP"));
                }
            }
            have_from = true;
        } else if (mime::iequals(n, "To")) {
            add_recipients(m.recipients, h.value, 1);
        } else if (mime::iequals(n, "Cc")) {
            add_recipients(m.recipients, h.value, 2);
        } else if (mime::iequals(n, "Bcc")) {
            add_recipients(m.recipients, h.value, 3);
        } else if (mime::iequals(n, "Date")) {
            if (!have_date) {
                if (auto t = mime::parse_date(h.value)) (void)m.props.set(pr::client_submit_time, *t);
            }
            have_date = true;
        } else if (mime::iequals(n, "Message-ID")) {
            const auto v = mime::trim(h.value);
            if (!have_id && !v.empty()) (void)m.props.set(pr::internet_message_id, std::string(v));
            have_id = true;
        } else if (mime::iequals(n, "In-Reply-To")) {
            const auto v = mime::trim(h.value);
            if (!have_irt && !v.empty()) (void)m.props.set(pr::in_reply_to_id, std::string(v));
            have_irt = true;
        } else if (mime::iequals(n, "References")) {
            const auto v = mime::trim(h.value);
            if (!have_refs && !v.empty()) (void)m.props.set(pr::internet_references, std::string(v));
            have_refs = true;
        } else if (!mapped_header(n)) {
            transport += h.name;
            transport += ": ";
            transport += h.value;
            transport += "\r\n";
        }
    }
    if (!transport.empty()) (void)m.props.set(pr::transport_message_headers, std::move(transport));
    (void)m.props.set(pr::message_class, std::string("IPM.Note"));
    walk_state st;
    const std::size_t body_line = mime::line_of(text, static_cast<std::size_t>(top.body.data() - text.data()));
    if (!walk_entity(top, body_line, st, problem, 0)) return std::nullopt;
    if (st.have_body) (void)m.props.set(pr::body, std::move(st.body));
    m.attachments = std::move(st.attachments);
    (void)m.props.set(pr::message_flags, m.attachments.empty() ? std::int32_t{0} : msgflag::has_attach);
    return m;
}

/// Reads `TAG payload` (payload `=text` or `bbase64`) into a property value.
inline std::optional<prop_value> read_x_value(std::string_view text, std::string& why) {
    text = mime::trim(text);
    const auto space = text.find(' ');
    const std::string_view tag_text = text.substr(0, space);
    if (tag_text.size() != 8 || !detail::all_hex(tag_text)) {
        why = "\"" + std::string(tag_text) + "\" is not a property tag (8 hexadecimal digits)";
        return std::nullopt;
    }
    std::uint32_t tv = 0;
    for (char c : tag_text) tv = tv * 16 + static_cast<std::uint32_t>(detail::hex_digit(c));
    const prop_tag tag(tv);
    std::string_view payload = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
    std::string formatted;
    if (!payload.empty() && payload.front() == '=') {
        formatted = std::string(payload.substr(1));
    } else if (!payload.empty() && payload.front() == 'b') {
        formatted = mime::base64_decode(payload.substr(1));
    } else {
        why = "the value of " + to_string(tag) + " is neither \"=text\" nor \"bBASE64\"";
        return std::nullopt;
    }
    auto v = parse_prop_value(tag, formatted);
    if (!v) {
        why = v.info().message;
        return std::nullopt;
    }
    return std::move(*v);
}

/// Reads a non-negative index or count.
inline std::optional<std::size_t> read_count(std::string_view text) {
    text = mime::trim(text);
    if (text.empty() || text.size() > 9) return std::nullopt;
    std::size_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::size_t>(c - '0');
    }
    return v;
}

/// Applies the `X-MAPI-` fields of `top` to `m`.
inline bool apply_x_mapi(const mime::entity& top, message_parts& m, read_problem& problem) {
    for (const auto& h : top.headers) {
        const std::string_view n = h.name;
        if (n.size() < 7 || !mime::iequals(n.substr(0, 7), "X-MAPI-")) continue;
        const std::string_view kind = n.substr(7);
        std::string why;
        auto bad = [&](std::string sentence) {
            problem = {"the field " + h.name + " is malformed: " + sentence, h.line};
            return false;
        };
        // Row fields start with the row index.
        std::vector<property_bag>* rows = nullptr;
        std::string_view op;
        if (kind.size() > 6 && mime::iequals(kind.substr(0, 6), "Recip-")) {
            rows = &m.recipients;
            op = kind.substr(6);
        } else if (kind.size() > 7 && mime::iequals(kind.substr(0, 7), "Attach-")) {
            rows = &m.attachments;
            op = kind.substr(7);
        } else {
            op = kind;
        }
        std::string_view value = mime::trim(h.value);
        property_bag* bag = &m.props;
        if (rows != nullptr) {
            const auto sp = value.find(' ');
            const auto index = read_count(value.substr(0, sp));
            if (!index || *index >= rows->size()) return bad("it does not start with the index of an existing row");
            bag = &(*rows)[*index];
            value = sp == std::string_view::npos ? std::string_view{} : value.substr(sp + 1);
        }
        if (mime::iequals(op, "Version")) {
            if (value != "1") return bad("this mapixx reads version 1 of the X-MAPI- block only");
        } else if (mime::iequals(op, "Recipients") || mime::iequals(op, "Attachments")) {
            const auto count = read_count(value);
            if (!count || *count > 100000) return bad("it is not a row count");
            (mime::iequals(op, "Recipients") ? m.recipients : m.attachments).resize(*count);
        } else if (mime::iequals(op, "Prop")) {
            auto v = read_x_value(value, why);
            if (!v) return bad(why);
            if (auto r = bag->set(std::move(*v)); !r) return bad(r.info().message);
        } else if (mime::iequals(op, "Drop")) {
            value = mime::trim(value);
            if (value.size() != 8 || !detail::all_hex(value)) return bad("it is not a property tag (8 hexadecimal digits)");
            std::uint32_t tv = 0;
            for (char c : value) tv = tv * 16 + static_cast<std::uint32_t>(detail::hex_digit(c));
            bag->erase(prop_tag(tv));
        } else {
            return bad("mapixx knows no X-MAPI- field of this name");
        }
    }
    return true;
}

/// Reads a message file (without the flags of its name). nullopt with `problem` set when the
/// file is not a message mapixx can read.
inline std::optional<message_parts> read_message(std::string_view text, read_problem& problem) {
    if (mime::trim(text).empty()) {
        problem = {"the file is empty", 0};
        return std::nullopt;
    }
    mime::parse_problem pp;
    auto top = mime::parse_entity(text, pp);
    if (!top) {
        problem = {pp.what, pp.line};
        return std::nullopt;
    }
    if (top->headers.empty()) {
        problem = {"the file has no header fields", 1};
        return std::nullopt;
    }
    auto m = derive(text, *top, problem);
    if (!m) return std::nullopt;
    if (!apply_x_mapi(*top, *m, problem)) return std::nullopt;
    return m;
}

// ---- writing ----------------------------------------------------------------------------------

/// True if `s` can be written as it is in an unstructured or identifier field.
inline bool plain_field_text(std::string_view s) noexcept {
    if (s.empty() || !mime::printable_ascii(s) || s.find("=?") != std::string_view::npos) return false;
    if (mime::is_wsp(s.front()) || mime::is_wsp(s.back())) return false;
    std::size_t run = 0;
    for (char c : s) {
        run = c == ' ' ? 0 : run + 1;
        if (run > 900) return false;
    }
    return true;
}

/// `Name: TAG payload` lines for one property of the X-MAPI- block (`prefix` holds a row index
/// and a space, or nothing).
inline std::string x_prop_line(std::string_view name, std::string_view prefix, const prop_value& v) {
    const std::string formatted = format_prop_value(v);
    std::string out(name);
    out += ": ";
    out += prefix;
    out += v.tag().hex();
    if (mime::printable_ascii(formatted) && formatted.size() <= 800 && (formatted.empty() || formatted.back() != ' ')) {
        out += " =";
        out += formatted;
        out += "\r\n";
        return out;
    }
    const std::string b64 = mime::base64_encode(formatted);
    out += " b";
    for (std::size_t i = 0; i < b64.size(); i += 76) {
        if (i > 0) out += "\r\n ";
        out.append(b64, i, 76);
    }
    out += "\r\n";
    return out;
}

/// The X-MAPI- lines that turn bag `have` into bag `want`.
inline void diff_bags(std::string& out, std::string_view kind, std::string_view prefix, const property_bag& have,
                      const property_bag& want) {
    for (const auto& w : want) {
        const prop_value* h = have.find(w.tag().with_type(prop_type::unspecified));
        if (h == nullptr || !(*h == w)) out += x_prop_line("X-MAPI-" + std::string(kind) + "Prop", prefix, w);
    }
    for (const auto& h : have) {
        if (!want.contains(h.tag().with_type(prop_type::unspecified))) {
            out += "X-MAPI-" + std::string(kind) + "Drop: " + std::string(prefix) + h.tag().hex() + "\r\n";
        }
    }
}

inline void diff_rows(std::string& out, std::string_view kind, std::string_view count_name,
                      const std::vector<property_bag>& have, const std::vector<property_bag>& want) {
    if (have.size() != want.size()) out += "X-MAPI-" + std::string(count_name) + ": " + std::to_string(want.size()) + "\r\n";
    static const property_bag empty;
    for (std::size_t i = 0; i < want.size(); ++i) {
        diff_bags(out, kind, std::to_string(i) + " ", i < have.size() ? have[i] : empty, want[i]);
    }
}

/// The current time as a FILETIME.
inline filetime now_filetime() {
    const auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return filetime{static_cast<std::uint64_t>(since.count() / 100 + mime::unix_epoch_ticks)};
}

/// The two parts of a rendered message: the standard header fields, and the MIME part (its
/// own header fields, the empty line and the body).
struct rendered_message {
    std::string head;
    std::string mime_part;
};

/// True if `body` can go as it is with Content-Transfer-Encoding 7bit: CRLF line ends only,
/// printable ASCII and TAB, lines of at most 900 characters, no line that starts with "From "
/// (mbox readers would mangle it) and no space or TAB at the end of a line or of the body
/// (transports may strip it). Otherwise the body goes quoted-printable. Runs of printable bytes
/// are checked 16 at a time.
[[nodiscard]] inline bool is_plain_7bit_text(std::string_view body) noexcept {
    const char* s = body.data();
    const std::size_t n = body.size();
    std::size_t i = 0;
    std::size_t line = 0;  // where the current line starts
    if (n >= 5 && std::memcmp(s, "From ", 5) == 0) return false;
    for (;;) {
        // Skip printable bytes: 16 at a time, then one by one.
        i = byte_words::skip_blocks(s, i, n, [](const char* p) { return byte_words::unprintable_block(p); });
        while (i < n && static_cast<unsigned char>(s[i]) >= 0x20 && static_cast<unsigned char>(s[i]) <= 0x7E) ++i;
        if (i - line > 900) return false;
        if (i == n) break;
        if (s[i] == '\t') {
            ++i;
            continue;
        }
        if (s[i] != '\r' || i + 1 == n || s[i + 1] != '\n') return false;  // a control character, DEL, 8-bit or a CR alone
        if (i > line && mime::is_wsp(s[i - 1])) return false;
        i += 2;
        line = i;
        if (n - i >= 5 && std::memcmp(s + i, "From ", 5) == 0) return false;
    }
    return n == 0 || !mime::is_wsp(s[n - 1]);
}

/// Whether `render_standard_to` writes a Bcc field for the blind-copy recipient rows.
enum class bcc_field : bool { left_out, written };

/// `render_standard`, appending the header fields to `head` and then the MIME part to
/// `mime_part`, which may be the same string (the whole message in one piece). With
/// `bcc_field::left_out` (what goes over SMTP) the MAPI_BCC rows are named nowhere.
inline void render_standard_to(std::string& head, std::string& mime_part, const property_bag& p,
                               const std::vector<property_bag>& recipients, const std::vector<property_bag>& attachments,
                               bcc_field bcc = bcc_field::written) {
    const auto submit = p.find(pr::client_submit_time);
    const filetime* when = submit ? submit->get_if<filetime>() : nullptr;
    head += "Date: ";
    mime::format_date_to(head, when ? *when : now_filetime());
    head += "\r\n";
    std::string value;  // the value of a field that is folded, reused from field to field
    {
        const std::string_view email = p.get_string(pr::sender_email_address).value_or(std::string_view{});
        if (mime::plain_address(email)) {
            std::string_view name = p.get_string(pr::sender_name).value_or(std::string_view{});
            if (name == email) name = {};
            mime::format_mailbox_to(value, name, email);
            mime::fold_field_to(head, "From", value);
        }
    }
    const std::int32_t last_type = bcc == bcc_field::written ? 3 : 2;
    for (std::int32_t type = 1; type <= last_type; ++type) {
        value.clear();
        for (const auto& row : recipients) {
            if (row.get_i4(pr::recipient_type).value_or(1) != type) continue;
            const std::string_view email = row.get_string(pr::email_address).value_or(std::string_view{});
            if (!mime::plain_address(email)) continue;
            std::string_view name = row.get_string(pr::display_name).value_or(std::string_view{});
            if (name == email) name = {};
            if (!value.empty()) value += ",\r\n ";
            mime::format_mailbox_to(value, name, email);
        }
        if (!value.empty()) mime::fold_field_to(head, type == 1 ? "To" : type == 2 ? "Cc" : "Bcc", value);
    }
    if (auto s = p.get_string(pr::subject)) {
        if (s->empty()) head += "Subject: \r\n";
        else if (plain_field_text(*s)) mime::fold_field_to(head, "Subject", *s);
        else mime::fold_field_to(head, "Subject", mime::encode_words(*s));
    }
    auto id_field = [&](std::string_view name, prop_tag tag) {
        if (auto v = p.get_string(tag); v && plain_field_text(*v)) mime::fold_field_to(head, name, *v);
    };
    id_field("Message-ID", pr::internet_message_id);
    id_field("In-Reply-To", pr::in_reply_to_id);
    id_field("References", pr::internet_references);

    mime_part += "MIME-Version: 1.0\r\n";
    const std::string_view body = p.get_string(pr::body).value_or("");
    const bool plain7 = is_plain_7bit_text(body);
    const std::string_view text_headers = plain7 ? "Content-Type: text/plain; charset=utf-8\r\n"
                                                   "Content-Transfer-Encoding: 7bit\r\n"
                                                 : "Content-Type: text/plain; charset=utf-8\r\n"
                                                   "Content-Transfer-Encoding: quoted-printable\r\n";
    std::string encoded;  // the body quoted-printable, when it cannot go as it is
    if (!plain7) encoded = mime::qp_encode(body);
    const std::string_view text_body = plain7 ? body : std::string_view(encoded);
    if (attachments.empty()) {
        mime_part.reserve(mime_part.size() + text_headers.size() + 2 + text_body.size());
        mime_part += text_headers;
        mime_part += "\r\n";
        mime_part += text_body;
    } else {
        std::string boundary;
        for (;;) {
            boundary = "=_mapixx_" + uid::generate().to_string();
            if (text_body.find(boundary) == std::string::npos) break;
        }
        mime_part += "Content-Type: multipart/mixed;\r\n boundary=\"" + boundary + "\"\r\n\r\n";
        mime_part += "--" + boundary + "\r\n";
        mime_part += text_headers;
        mime_part += "\r\n";
        mime_part += text_body;
        mime_part += "\r\n";
        for (const auto& a : attachments) {
            std::string type(a.get_string(pr::attach_mime_tag).value_or(""));
            if (!mime::is_mime_type(type)) type = "application/octet-stream";
            std::string name(a.get_string(pr::attach_long_filename).value_or(""));
            if (name.empty()) name = std::string(a.get_string(pr::attach_filename).value_or(""));
            mime_part += "--" + boundary + "\r\nContent-Type: " + type;
            if (!name.empty()) mime_part += mime::format_param("name", name);
            mime_part += "\r\nContent-Disposition: attachment";
            if (!name.empty()) mime_part += mime::format_param("filename", name);
            mime_part += "\r\nContent-Transfer-Encoding: base64\r\n";
            if (auto cid = a.get_string(pr::attach_content_id); cid && plain_field_text(*cid) && mime::plain_address(*cid)) {
                mime_part += "Content-ID: <" + std::string(*cid) + ">\r\n";
            }
            mime_part += "\r\n";
            if (const binary* data = a.get_binary(pr::attach_data_bin)) {
                mime_part += mime::base64_lines(
                    std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));
            }
            mime_part += "\r\n";
        }
        mime_part += "--" + boundary + "--\r\n";
    }
}

/// Renders what RFC 5322 and MIME can say of a message (its properties `p`, recipient rows
/// and attachment rows), without the X-MAPI- block: the MIME body is text/plain UTF-8, or
/// multipart/mixed with the body and one base64 part per attachment. Line breaks are CRLF.
inline rendered_message render_standard(const property_bag& p, const std::vector<property_bag>& recipients,
                                        const std::vector<property_bag>& attachments) {
    rendered_message r;
    render_standard_to(r.head, r.mime_part, p, recipients, attachments);
    return r;
}

/// The message as it goes to the Internet (SMTP's DATA): the standard fields and the MIME
/// part only. Nothing is parsed back, so this is much cheaper than `write_message`.
inline std::string write_internet_message(const message_parts& m) {
    std::string whole;
    render_standard_to(whole, whole, m.props, m.recipients, m.attachments);
    return whole;
}

/// The message as the Maildir store keeps it: the standard fields, then an X-MAPI- block with
/// every property the standard fields cannot carry (whatever they do not carry exactly), then
/// the MIME part.
inline std::string write_message(const message_parts& m) {
    const rendered_message r = render_standard(m.props, m.recipients, m.attachments);
    const std::string& head = r.head;
    const std::string& mime_part = r.mime_part;
    // What a reader gets from the standard fields alone decides what the X-MAPI- block holds.
    const std::string plain = head + mime_part;
    read_problem problem;
    std::optional<message_parts> derived;
    mime::parse_problem pp;
    if (auto top = mime::parse_entity(plain, pp)) derived = derive(plain, *top, problem);
    if (!derived) derived.emplace();
    std::string block = "X-MAPI-Version: 1\r\n";
    diff_bags(block, "", "", derived->props, m.props);
    diff_rows(block, "Recip-", "Recipients", derived->recipients, m.recipients);
    diff_rows(block, "Attach-", "Attachments", derived->attachments, m.attachments);
    return head + block + mime_part;
}

} // namespace mapixx::inline v0::detail::maildir

#endif
