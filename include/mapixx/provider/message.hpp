// SPDX-License-Identifier: MIT
/// \file
/// The message model every message store speaks: the standard folders and a stored message
/// (properties, recipient rows, attachment rows).
#ifndef MAPIXX_PROVIDER_MESSAGE_HPP_INCLUDED
#define MAPIXX_PROVIDER_MESSAGE_HPP_INCLUDED

#include <mapixx/core/prop.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace mapixx::inline v0 {

/// The folders every mapixx message store has (the IPM folders a client finds by
/// PR_IPM_OUTBOX_ENTRYID and friends, and the receive folder).
enum class standard_folder : std::uint32_t {
    inbox = 0,          ///< "Inbox": the receive folder; the spooler delivers here.
    outbox = 1,         ///< "Outbox": clients submit from here.
    sent_items = 2,     ///< "Sent Items": where a sent message goes unless PR_DELETE_AFTER_SUBMIT.
    deleted_items = 3,  ///< "Deleted Items".
};

/// The display name of a folder ("Sent Items").
[[nodiscard]] constexpr std::string_view folder_name(standard_folder f) noexcept {
    switch (f) {
    case standard_folder::inbox: return "Inbox";
    case standard_folder::outbox: return "Outbox";
    case standard_folder::sent_items: return "Sent Items";
    case standard_folder::deleted_items: return "Deleted Items";
    }
    return {};
}

/// The folder whose display name is `name` (exact match), if any.
[[nodiscard]] constexpr std::optional<standard_folder> folder_from_name(std::string_view name) noexcept {
    for (auto f : {standard_folder::inbox, standard_folder::outbox, standard_folder::sent_items,
                   standard_folder::deleted_items}) {
        if (folder_name(f) == name) return f;
    }
    return std::nullopt;
}

/// Every standard folder, in display order.
inline constexpr std::array<standard_folder, 4> all_standard_folders{
    standard_folder::inbox, standard_folder::outbox, standard_folder::sent_items, standard_folder::deleted_items};

/// A message as a store keeps it.
///
/// - `props`: PR_SUBJECT, PR_BODY, PR_MESSAGE_CLASS, PR_MESSAGE_FLAGS, PR_SENDER_*,
///   PR_CLIENT_SUBMIT_TIME, PR_INTERNET_MESSAGE_ID, ...
/// - `recipients`: one row per recipient with PR_DISPLAY_NAME, PR_ADDRTYPE, PR_EMAIL_ADDRESS,
///   PR_RECIPIENT_TYPE (1 To, 2 Cc, 3 Bcc) and, while it is being sent, PR_RESPONSIBILITY.
/// - `attachments`: one row per attachment with PR_ATTACH_NUM, PR_ATTACH_METHOD (1, by value),
///   PR_ATTACH_LONG_FILENAME / PR_ATTACH_FILENAME, PR_ATTACH_MIME_TAG and PR_ATTACH_DATA_BIN.
struct stored_message {
    std::uint64_t id = 0;                          ///< Unique within its store, never reused.
    standard_folder folder = standard_folder::inbox;  ///< Where it is.
    property_bag props;                            ///< Message properties.
    std::vector<property_bag> recipients;          ///< The recipient table.
    std::vector<property_bag> attachments;         ///< The attachment table.

    friend bool operator==(const stored_message&, const stored_message&) = default;
};

/// A new message for `store_logon::create_message`.
struct message_content {
    property_bag props;                     ///< Message properties.
    std::vector<property_bag> recipients;   ///< The recipient table.
    std::vector<property_bag> attachments;  ///< The attachment table.
};

/// PR_MESSAGE_FLAGS bits a store keeps (MSGFLAG_*).
namespace msgflag {
inline constexpr std::int32_t read = 0x1;         ///< MSGFLAG_READ
inline constexpr std::int32_t unmodified = 0x2;   ///< MSGFLAG_UNMODIFIED
inline constexpr std::int32_t submit = 0x4;       ///< MSGFLAG_SUBMIT: submitted, not yet sent
inline constexpr std::int32_t unsent = 0x8;       ///< MSGFLAG_UNSENT
inline constexpr std::int32_t has_attach = 0x10;  ///< MSGFLAG_HASATTACH
inline constexpr std::int32_t from_me = 0x20;     ///< MSGFLAG_FROMME
} // namespace msgflag

} // namespace mapixx::inline v0

#endif
