// SPDX-License-Identifier: MIT
/// \file
/// The spooler's outbound queue (`message_queue`, `memory_message_queue`) and where delivered
/// mail and non-delivery reports go (`delivery_sink`, `memory_delivery_sink`).
#ifndef MAPIXX_SPOOLER_MESSAGE_QUEUE_HPP_INCLUDED
#define MAPIXX_SPOOLER_MESSAGE_QUEUE_HPP_INCLUDED

#include <mapixx/core/error_info.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/provider/transport.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// The outbound queue the spooler reads from and writes back to: the model of a store's
/// Outbox. A store-backed queue implements the same calls over the store's folder.
///
/// "Nothing is lost": the spooler calls `remove` only when a message is finished (sent,
/// or every recipient has been reported undeliverable, or the client cancelled it) and
/// `quarantine` when a message failed too often; anything else stays in the queue.
///
/// Memory: of every pending message the spooler keeps only its recipient rows and its subject,
/// read once with `load_summary` when it first lists the message. For each
/// submission attempt it reads the properties (`load_without_attachments`) and the attachment
/// rows (`read_attachments`, over `load_attachments`) again to build the transport's working
/// copy, which it drops when the attempt ends. So the spooler's memory grows with the number of
/// recipients waiting, not with the size of the messages. A queue that overrides those two
/// reads copies no attachment bytes for the properties; one that implements only the pure
/// virtuals works as well, through the defaults (over `load`), without that saving.
class message_queue {
public:
    virtual ~message_queue() = default;
    /// The ids of the active (not quarantined) messages, in submission order.
    [[nodiscard]] virtual std::vector<message_id> pending() const = 0;
    /// `pending()`, or why the queue cannot be listed now (a store that cannot be read). The
    /// spooler lists the queue through this: on a failure it keeps the messages it knows,
    /// forgets none, and lists again after `spooler_options::queue_retry` (`pending()` has no
    /// way to fail, so an empty list from it means the queue is empty). The default returns
    /// `pending()`; a queue whose listing can fail overrides this.
    [[nodiscard]] virtual result<std::vector<message_id>> read_pending() const { return pending(); }
    /// A copy of the whole message, its attachment rows included, or nullopt if it is not (or
    /// no longer) in the queue. The spooler itself calls the two functions below.
    [[nodiscard]] virtual std::optional<outbound_message> load(message_id id) const = 0;
    /// The properties and recipient rows of a pending message, with `attachments` empty
    /// (nullopt as for `load`): what the spooler reads for each working copy (and, through the
    /// default `load_summary`, when it first lists the message). The default returns `load(id)` whole, so a queue that does not
    /// override this keeps working as it did (its `update` gets its attachment rows back); a
    /// queue that overrides this should copy no attachment bytes.
    [[nodiscard]] virtual std::optional<outbound_message> load_without_attachments(message_id id) const
    {
        return load(id);
    }
    /// The recipient rows of a pending message and, in `props`, its PR_SUBJECT if it has one
    /// (`attachments` empty; nullopt as for `load`): all the spooler keeps of a message, read
    /// once when it first lists it. The default takes them from `load_without_attachments`; a
    /// queue that can read the two alone overrides this and copies no body. Properties other
    /// than PR_SUBJECT that an override leaves in are dropped by the spooler.
    [[nodiscard]] virtual std::optional<outbound_message> load_summary(message_id id) const
    {
        auto m = load_without_attachments(id);
        if (!m) {
            return std::nullopt;
        }
        outbound_message summary;
        summary.id = id;
        if (const prop_value* subject = m->props.find(pr::subject)) {
            static_cast<void>(summary.props.set(*subject));
        }
        summary.recipients = std::move(m->recipients);
        return summary;
    }
    /// The attachment rows of the message (PR_ATTACH_DATA_BIN holds the bytes), or nullopt if
    /// it is not (or no longer) in the queue, or they cannot be read now. The default takes
    /// them from `load(id)`; a queue that overrides this should copy only them. The spooler
    /// reaches it through `read_attachments`.
    [[nodiscard]] virtual std::optional<std::vector<property_bag>> load_attachments(message_id id) const
    {
        auto m = load(id);
        if (!m) {
            return std::nullopt;
        }
        return std::move(m->attachments);
    }
    /// The attachment rows of the message for a transport's working copy, read once per
    /// submission attempt, or why they could not be read. What the spooler does with a failure
    /// depends on its code:
    /// - `not_found`: the message is not (or no longer) in the queue. The spooler forgets it,
    ///   as it forgets a message the client deleted: no event, no attempt counted.
    /// - any other code: the message is there but its attachments cannot be read now (a disk
    ///   error, a store that is busy). That is a failed submission attempt: the spooler keeps the
    ///   message, records `requeued` with this code, offers it again after `failure_retry`, and
    ///   quarantines it after `max_attempts` failed attempts, the reason holding this sentence.
    ///
    /// The default asks `load_attachments`; when that has nothing, it asks
    /// `load_without_attachments` whether the message is still queued, and fails with
    /// `call_failed` if it is, `not_found` if not. A queue that knows why a read failed
    /// overrides this and returns its own code and sentence.
    [[nodiscard]] virtual result<std::vector<property_bag>> read_attachments(message_id id) const
    {
        if (auto rows = load_attachments(id)) {
            return std::move(*rows);
        }
        if (load_without_attachments(id)) {
            return fail(scode::call_failed,
                        "the outbound queue holds message " + std::to_string(static_cast<std::uint64_t>(id)) +
                            " but could not read its attachment rows",
                        "mapixx.message_queue");
        }
        return fail(scode::not_found,
                    "message " + std::to_string(static_cast<std::uint64_t>(id)) +
                        " is no longer in the outbound queue",
                    "mapixx.message_queue");
    }
    /// Writes a changed message back (PR_RESPONSIBILITY of its recipients, saved properties).
    /// The spooler never changes attachment rows: `msg.attachments` are those
    /// `load_without_attachments` gave (empty for a queue that overrides it), so a queue keeps
    /// its own as they are.
    virtual result<void> update(const outbound_message& msg) = 0;
    /// Writes the recipient rows of message `id` back (the spooler sets PR_RESPONSIBILITY on
    /// the rows it has handled) and leaves its properties and attachment rows as they are. The
    /// default reads the message (`load_without_attachments`), puts `recipients` in and calls
    /// `update`; it fails with `not_found` if the message cannot be read. A queue that can write
    /// the rows alone overrides this.
    virtual result<void> update_recipients(message_id id, const std::vector<property_bag>& recipients)
    {
        auto m = load_without_attachments(id);
        if (!m) {
            return fail(scode::not_found,
                        "message " + std::to_string(static_cast<std::uint64_t>(id)) +
                            " is no longer in the outbound queue, or could not be read",
                        "mapixx.message_queue");
        }
        m->recipients = recipients;
        return update(*m);
    }
    /// The message leaves the queue.
    virtual result<void> remove(message_id id) = 0;
    /// The message is set aside (a poison message, S10): kept, but not offered again.
    virtual result<void> quarantine(message_id id, const error_info& why) = 0;
    /// A number that changes whenever messages are added or removed by someone else than the
    /// spooler; the spooler re-reads `pending()` only when it changed.
    [[nodiscard]] virtual std::uint64_t generation() const noexcept = 0;

protected:
    message_queue() = default;
    message_queue(const message_queue&) = default;
    message_queue& operator=(const message_queue&) = default;
};

/// An in-memory `message_queue` for tests and for sessions without a store. The spooler's reads
/// copy either the properties and recipients or the attachment rows, never both (the bytes stay
/// here, once, until the message leaves or is quarantined).
class memory_message_queue final : public message_queue {
public:
    /// Adds a message (its `id` is assigned here) and returns its id.
    message_id submit(outbound_message msg)
    {
        msg.id = message_id{next_++};
        const message_id id = msg.id;
        messages_.emplace(id, std::move(msg));
        ++generation_;
        return id;
    }
    /// Removes a message as a client would (delete from the Outbox). True if it was there.
    bool client_delete(message_id id)
    {
        ++generation_;
        return messages_.erase(id) != 0;
    }

    [[nodiscard]] std::vector<message_id> pending() const override
    {
        std::vector<message_id> ids;
        ids.reserve(messages_.size());
        for (const auto& [id, m] : messages_) {
            ids.push_back(id);
        }
        return ids;
    }
    [[nodiscard]] std::optional<outbound_message> load(message_id id) const override
    {
        auto it = messages_.find(id);
        if (it == messages_.end()) {
            return std::nullopt;
        }
        return it->second;
    }
    [[nodiscard]] std::optional<outbound_message> load_without_attachments(message_id id) const override
    {
        auto it = messages_.find(id);
        if (it == messages_.end()) {
            return std::nullopt;
        }
        return outbound_message{id, it->second.props, it->second.recipients, {}};
    }
    /// The recipient rows and PR_SUBJECT alone: the body and the other properties stay here.
    [[nodiscard]] std::optional<outbound_message> load_summary(message_id id) const override
    {
        auto it = messages_.find(id);
        if (it == messages_.end()) {
            return std::nullopt;
        }
        outbound_message summary;
        summary.id = id;
        if (const prop_value* subject = it->second.props.find(pr::subject)) {
            static_cast<void>(summary.props.set(*subject));
        }
        summary.recipients = it->second.recipients;
        return summary;
    }
    [[nodiscard]] std::optional<std::vector<property_bag>> load_attachments(message_id id) const override
    {
        auto it = messages_.find(id);
        if (it == messages_.end()) {
            return std::nullopt;
        }
        return it->second.attachments;
    }
    [[nodiscard]] result<std::vector<property_bag>> read_attachments(message_id id) const override
    {
        auto it = messages_.find(id);
        if (it == messages_.end()) {
            return fail(scode::not_found, "the message is no longer in the outbound queue", "mapixx.memory_queue");
        }
        return it->second.attachments;
    }
    /// Replaces the properties and recipient rows; the queued attachment rows stay (the
    /// spooler's `msg.attachments` is empty).
    result<void> update(const outbound_message& msg) override
    {
        auto it = messages_.find(msg.id);
        if (it == messages_.end()) {
            return fail(scode::not_found, "the message is no longer in the outbound queue", "mapixx.memory_queue");
        }
        it->second.props = msg.props;
        it->second.recipients = msg.recipients;
        return {};
    }
    /// Replaces the recipient rows only.
    result<void> update_recipients(message_id id, const std::vector<property_bag>& recipients) override
    {
        auto it = messages_.find(id);
        if (it == messages_.end()) {
            return fail(scode::not_found, "the message is no longer in the outbound queue", "mapixx.memory_queue");
        }
        it->second.recipients = recipients;
        return {};
    }
    result<void> remove(message_id id) override
    {
        if (messages_.erase(id) == 0) {
            return fail(scode::not_found, "the message is no longer in the outbound queue", "mapixx.memory_queue");
        }
        return {};
    }
    result<void> quarantine(message_id id, const error_info& why) override
    {
        auto it = messages_.find(id);
        if (it == messages_.end()) {
            return fail(scode::not_found, "the message is no longer in the outbound queue", "mapixx.memory_queue");
        }
        quarantined_.emplace(id, std::make_pair(std::move(it->second), why));
        messages_.erase(it);
        return {};
    }
    [[nodiscard]] std::uint64_t generation() const noexcept override { return generation_; }

    /// Active messages.
    [[nodiscard]] std::size_t size() const noexcept { return messages_.size(); }
    /// True if `id` is active.
    [[nodiscard]] bool contains(message_id id) const noexcept { return messages_.count(id) != 0; }
    /// Quarantined messages with the reason.
    [[nodiscard]] const std::map<message_id, std::pair<outbound_message, error_info>>& quarantined() const noexcept
    {
        return quarantined_;
    }

private:
    std::map<message_id, outbound_message> messages_;
    std::map<message_id, std::pair<outbound_message, error_info>> quarantined_;
    std::uint64_t next_ = 1;
    std::uint64_t generation_ = 0;
};

/// One message handed to the sender's or the recipient's store.
struct delivery {
    /// What it is.
    enum class kind {
        mail,                 ///< Received by a transport (`start_message`).
        non_delivery_report,  ///< Made by the spooler for recipients nobody could take.
    };
    kind what = kind::mail;                ///< What it is.
    inbound_message message;               ///< The message.
    std::optional<message_id> original;    ///< For a report: the outbound message.
    std::size_t transport = 0;             ///< For mail: the transport (profile order) that received it.
};

/// Where the spooler puts delivered mail and non-delivery reports (a store's Inbox).
class delivery_sink {
public:
    virtual ~delivery_sink() = default;
    /// Takes one message. A failure says the message is not stored (the store refused it): for
    /// received mail the spooler tells the transport (`transport_logon::inbound_outcome`), which
    /// keeps its copy and offers it again later.
    virtual result<void> deliver(delivery d) = 0;

protected:
    delivery_sink() = default;
    delivery_sink(const delivery_sink&) = default;
    delivery_sink& operator=(const delivery_sink&) = default;
};

/// An in-memory `delivery_sink`.
class memory_delivery_sink final : public delivery_sink {
public:
    result<void> deliver(delivery d) override
    {
        items_.push_back(std::move(d));
        return {};
    }
    /// Everything delivered, in order.
    [[nodiscard]] const std::vector<delivery>& items() const noexcept { return items_; }
    /// How many of one kind.
    [[nodiscard]] std::size_t count(delivery::kind k) const noexcept
    {
        return static_cast<std::size_t>(
            std::count_if(items_.begin(), items_.end(), [k](const delivery& d) { return d.what == k; }));
    }

private:
    std::vector<delivery> items_;
};

} // namespace mapixx::inline v0

#endif
