// SPDX-License-Identifier: MIT
/// \file
/// The provider interfaces: `store_provider`, `ab_provider` and the logon objects they return
/// (`store_logon`, `ab_logon`); `transport_provider` and `transport_logon` are in
/// provider/transport.hpp.
#ifndef MAPIXX_PROVIDER_PROVIDER_HPP_INCLUDED
#define MAPIXX_PROVIDER_PROVIDER_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/provider/message.hpp>
#include <mapixx/provider/provider_context.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// One provider's logon into one session (IMSLogon, IABLogon, IXPLogon share this part).
/// The session owns it from a successful `logon` until it calls `logoff`, exactly once: at
/// session logoff, when the provider's message service is disabled, or when the logon that
/// created it fails or is cancelled later on. Then it is destroyed.
class provider_logon {
public:
    virtual ~provider_logon() = default;

    /// Ends the provider logon. The session's `provider_support` for it stays valid until this
    /// returns. An exception it throws is caught and ignored: a logoff always completes.
    virtual task<void> logoff() { co_return; }

protected:
    provider_logon() = default;
    provider_logon(const provider_logon&) = default;
    provider_logon& operator=(const provider_logon&) = default;
};

/// Whether `store_logon::open_message` and `store_logon::messages` copy a message's attachment
/// rows (PR_ATTACH_DATA_BIN holds the bytes, so a copy can be large).
enum class attachment_rows : std::uint8_t {
    included,  ///< `stored_message::attachments` is the attachment table.
    left_out,  ///< `stored_message::attachments` is empty: properties and recipient rows only.
};

/// A message store provider's logon (IMSLogon + the store it opened).
///
/// The message surface (`create_message`, `open_message`, `messages`, `update_message`,
/// `move_message`, `delete_message`) is what the session and the spooler use: clients submit
/// from the outbox, the spooler delivers into the inbox and files sent mail in Sent Items. A
/// store implements it by overriding the protected `do_` functions; a store that does not (a
/// test fake, a store reached only through its own API) answers `no_support`. After the logon
/// ended, a store answers `end_of_session`. Thread safety is the store's: the reference stores
/// are thread-safe.
class store_logon : public provider_logon {
public:
    /// PR_DISPLAY_NAME of the store.
    [[nodiscard]] virtual std::string display_name() const { return {}; }

    /// Saves a new message in `folder`; returns its id.
    result<std::uint64_t> create_message(standard_folder folder, message_content content) {
        return do_create_message(folder, std::move(content));
    }
    /// Saves a new message in `folder` from its properties and recipient rows.
    result<std::uint64_t> create_message(standard_folder folder, property_bag props,
                                         std::vector<property_bag> recipients = {},
                                         std::vector<property_bag> attachments = {}) {
        return do_create_message(folder, message_content{std::move(props), std::move(recipients), std::move(attachments)});
    }
    /// A copy of message `id`; `not_found` if the store has none. With `attachment_rows::left_out`
    /// its attachment table is not copied (`attachments` is empty), for a caller that needs only
    /// the properties and recipients.
    [[nodiscard]] result<stored_message> open_message(std::uint64_t id,
                                                      attachment_rows rows = attachment_rows::included) const {
        return rows == attachment_rows::included ? do_open_message(id) : do_open_message_without_attachments(id);
    }
    /// Copies of the messages in `folder`, oldest first; with `attachment_rows::left_out`, without
    /// their attachment tables.
    [[nodiscard]] result<std::vector<stored_message>> messages(standard_folder folder,
                                                               attachment_rows rows = attachment_rows::included) const {
        return rows == attachment_rows::included ? do_messages(folder) : do_messages_without_attachments(folder);
    }
    /// True if the store answers `messages(folder)`: it exposes the messages of that folder
    /// to mapixx (the session asks this of its default store for the Outbox before it gives
    /// the spooler a queue over it). Stores answer at once, without listing the folder; one
    /// that does not override `do_exposes_messages` answers by listing it without attachment
    /// rows. False after the logon ended.
    [[nodiscard]] bool exposes_messages(standard_folder folder) const { return do_exposes_messages(folder); }
    /// Merges `changes` into the properties of message `id` and, if `recipients` is given,
    /// replaces its recipient table (SetProps / ModifyRecipients + SaveChanges).
    result<void> update_message(std::uint64_t id, const property_bag& changes,
                                const std::vector<property_bag>* recipients = nullptr) {
        return do_update_message(id, changes, recipients);
    }
    /// Moves message `id` to `folder`; its id stays.
    result<void> move_message(std::uint64_t id, standard_folder folder) { return do_move_message(id, folder); }
    /// Deletes message `id`: into Deleted Items, or for good when it is there already.
    result<void> delete_message(std::uint64_t id) { return do_delete_message(id); }

protected:
    /// \name The message surface, for stores to override. Defaults answer `no_support`.
    /// @{
    virtual result<std::uint64_t> do_create_message(standard_folder, message_content) { return unsupported(); }
    [[nodiscard]] virtual result<stored_message> do_open_message(std::uint64_t) const { return unsupported(); }
    [[nodiscard]] virtual result<std::vector<stored_message>> do_messages(standard_folder) const {
        return unsupported();
    }
    virtual result<void> do_update_message(std::uint64_t, const property_bag&, const std::vector<property_bag>*) {
        return unsupported();
    }
    virtual result<void> do_move_message(std::uint64_t, standard_folder) { return unsupported(); }
    virtual result<void> do_delete_message(std::uint64_t) { return unsupported(); }
    /// `open_message` / `messages` with `attachment_rows::left_out`. The defaults copy the whole
    /// message and drop its attachment rows; a store that can leave them out cheaper overrides them.
    [[nodiscard]] virtual result<stored_message> do_open_message_without_attachments(std::uint64_t id) const {
        auto m = do_open_message(id);
        if (m) m->attachments.clear();
        return m;
    }
    [[nodiscard]] virtual result<std::vector<stored_message>> do_messages_without_attachments(
        standard_folder folder) const {
        auto all = do_messages(folder);
        if (all) {
            for (auto& m : *all) m.attachments.clear();
        }
        return all;
    }
    /// `exposes_messages`. The default lists the folder (`do_messages_without_attachments`)
    /// and answers whether that succeeded, which costs a copy of every message in it; a store
    /// that can tell at once (its folders always exist, say) overrides it.
    [[nodiscard]] virtual bool do_exposes_messages(standard_folder folder) const {
        return do_messages_without_attachments(folder).has_value();
    }
    /// @}

private:
    [[nodiscard]] failure unsupported() const {
        return fail(scode::no_support,
                    "the store \"" + display_name() + "\" does not expose its messages to mapixx "
                    "(its logon object does not implement the message surface of store_logon)",
                    "mapixx.store_logon");
    }
};
/// An address book provider's logon (IABLogon).
class ab_logon : public provider_logon {};

/// What every provider has in common (the object XPProviderInit / MSProviderInit /
/// ABProviderInit returns). The registry's factory makes a new one for each session that uses
/// the provider's DLL; the session destroys it after the last of its logons ended.
class provider {
public:
    virtual ~provider() = default;

    /// The kind: `resource_type::store_provider`, `ab_provider` or `transport_provider`.
    [[nodiscard]] virtual resource_type kind() const noexcept = 0;

    /// How many provider logons of this DLL may be live at once, over every session of the
    /// process (0: no limit). Read from the first provider object the registry makes for a DLL;
    /// the library enforces it with a `slot_pool`: a logon past the limit fails with
    /// `session_limit` without the provider being called.
    [[nodiscard]] virtual std::size_t max_sessions() const { return 0; }

protected:
    provider() = default;
    provider(const provider&) = default;
    provider& operator=(const provider&) = default;
};

/// A message store provider (MSProviderInit + IMSProvider::Logon).
///
/// `logon` returns the store's logon object, or a failure: `unconfigured` (the service entry is
/// called with `configure`, then the logon is retried once), `failoneprovider` (only this
/// provider is disabled), `user_cancel` (the whole session logon fails), `logon_failed` (a
/// rejected credential: with MAPI_PASSWORD_UI the user is asked for another), or any other
/// code (retried once, then the whole message service is disabled). It may also throw: that
/// counts as `call_failed`.
class store_provider : public provider {
public:
    /// The logon object type this provider returns.
    using logon_type = store_logon;
    /// `resource_type::store_provider`.
    [[nodiscard]] resource_type kind() const noexcept final { return resource_type::store_provider; }
    /// Logs on to the store for one session. See the class comment for the results.
    virtual task<result<std::unique_ptr<store_logon>>> logon(provider_context& ctx) = 0;
};

/// An address book provider (ABProviderInit + IABProvider::Logon). Results as for
/// `store_provider::logon`.
class ab_provider : public provider {
public:
    /// The logon object type this provider returns.
    using logon_type = ab_logon;
    /// `resource_type::ab_provider`.
    [[nodiscard]] resource_type kind() const noexcept final { return resource_type::ab_provider; }
    /// Logs on to the address book provider for one session.
    virtual task<result<std::unique_ptr<ab_logon>>> logon(provider_context& ctx) = 0;
};

/// One of the three provider interfaces.
template <class P>
concept provider_interface = std::derived_from<P, provider> && requires(P& p, provider_context& ctx) {
    typename P::logon_type;
    { p.logon(ctx) } -> std::same_as<task<result<std::unique_ptr<typename P::logon_type>>>>;
};

static_assert(provider_interface<store_provider> && provider_interface<ab_provider>);
// transport_provider and transport_logon are in provider/transport.hpp.

} // namespace mapixx::inline v0

#endif
