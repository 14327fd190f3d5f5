// SPDX-License-Identifier: MIT
/// \file
/// `memory_store`: a reference message store provider that keeps its folders and messages in
/// memory (Inbox, Outbox, Sent Items, Deleted Items).
#ifndef MAPIXX_PROVIDERS_MEMORY_STORE_HPP_INCLUDED
#define MAPIXX_PROVIDERS_MEMORY_STORE_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/core/uid.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/provider/message.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_context.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// The folders of a memory store are the standard folders (provider/message.hpp).
using memory_folder = standard_folder;
/// A message of a memory store.
using memory_message = stored_message;

/// The contents of every memory store, one mailbox per store provider (by PR_PROVIDER_UID),
/// shared by every session and every thread; it outlives sessions, so a second session sees
/// what the first one stored. Thread-safe.
class memory_store_data {
public:
    memory_store_data() = default;
    memory_store_data(const memory_store_data&) = delete;
    memory_store_data& operator=(const memory_store_data&) = delete;

    /// Adds a message to `folder` of store `store`; returns its id.
    std::uint64_t add(const uid& store, memory_folder folder, message_content content) {
        std::lock_guard guard(mutex_);
        const std::uint64_t id = next_id_++;
        boxes_[store].push_back(memory_message{id, folder, std::move(content.props), std::move(content.recipients),
                                               std::move(content.attachments)});
        return id;
    }
    /// Adds a message to `folder` of store `store` from properties and recipient rows.
    std::uint64_t add(const uid& store, memory_folder folder, property_bag props, std::vector<property_bag> recipients) {
        return add(store, folder, message_content{std::move(props), std::move(recipients), {}});
    }
    /// Merges `changes` into the properties of message `id`; `not_found` if absent.
    result<void> update(const uid& store, std::uint64_t id, const property_bag& changes,
                        const std::vector<property_bag>* recipients = nullptr) {
        std::lock_guard guard(mutex_);
        memory_message* m = find(store, id);
        if (m == nullptr) return missing(id);
        m->props.merge(changes);
        if (recipients != nullptr) m->recipients = *recipients;
        return {};
    }
    /// A copy of message `id` (without its attachment rows with `attachment_rows::left_out`);
    /// `not_found` if store `store` has none.
    [[nodiscard]] result<memory_message> get(const uid& store, std::uint64_t id,
                                             attachment_rows rows = attachment_rows::included) const {
        std::lock_guard guard(mutex_);
        const memory_message* m = find(store, id);
        if (m == nullptr) return missing(id);
        return copy_of(*m, rows);
    }
    /// Copies of every message of `folder`, oldest first (without their attachment rows with
    /// `attachment_rows::left_out`).
    [[nodiscard]] std::vector<memory_message> list(const uid& store, memory_folder folder,
                                                   attachment_rows rows = attachment_rows::included) const {
        std::lock_guard guard(mutex_);
        std::vector<memory_message> out;
        if (auto it = boxes_.find(store); it != boxes_.end()) {
            for (const auto& m : it->second) {
                if (m.folder == folder) out.push_back(copy_of(m, rows));
            }
        }
        return out;
    }
    /// Moves message `id` to `folder`; `not_found` if absent.
    result<void> move(const uid& store, std::uint64_t id, memory_folder folder) {
        std::lock_guard guard(mutex_);
        memory_message* m = find(store, id);
        if (m == nullptr) return missing(id);
        m->folder = folder;
        return {};
    }
    /// Removes message `id` for good; `not_found` if absent.
    result<void> erase(const uid& store, std::uint64_t id) {
        std::lock_guard guard(mutex_);
        auto it = boxes_.find(store);
        if (it == boxes_.end()) return missing(id);
        auto& v = it->second;
        auto m = std::find_if(v.begin(), v.end(), [&](const memory_message& x) { return x.id == id; });
        if (m == v.end()) return missing(id);
        v.erase(m);
        return {};
    }
    /// How many messages `folder` of store `store` holds.
    [[nodiscard]] std::size_t count(const uid& store, memory_folder folder) const {
        std::lock_guard guard(mutex_);
        auto it = boxes_.find(store);
        if (it == boxes_.end()) return 0;
        return static_cast<std::size_t>(std::count_if(it->second.begin(), it->second.end(),
                                                      [&](const memory_message& m) { return m.folder == folder; }));
    }

private:
    static memory_message copy_of(const memory_message& m, attachment_rows rows) {
        if (rows == attachment_rows::included) return m;
        return memory_message{m.id, m.folder, m.props, m.recipients, {}};
    }
    memory_message* find(const uid& store, std::uint64_t id) {
        auto it = boxes_.find(store);
        if (it == boxes_.end()) return nullptr;
        for (auto& m : it->second) {
            if (m.id == id) return &m;
        }
        return nullptr;
    }
    const memory_message* find(const uid& store, std::uint64_t id) const {
        return const_cast<memory_store_data*>(this)->find(store, id);
    }
    static failure missing(std::uint64_t id) {
        return fail(scode::not_found, "the store has no message " + std::to_string(id), "mapixx.memory_store");
    }

    mutable std::mutex mutex_;
    std::uint64_t next_id_ = 1;
    std::map<uid, std::vector<memory_message>> boxes_;
};

/// One session's logon to a memory store: the store itself. Every call after the logon ended
/// (session logoff, or its service disabled) returns `end_of_session`. Thread-safe.
class memory_store_logon final : public store_logon {
public:
    /// A logon to store `store_uid` (its PR_PROVIDER_UID) in `data`.
    memory_store_logon(std::shared_ptr<memory_store_data> data, uid store_uid, std::string display_name,
                       std::shared_ptr<std::atomic<std::size_t>> live)
        : data_(std::move(data)), store_(store_uid), display_name_(std::move(display_name)), live_(std::move(live)) {
        if (live_) live_->fetch_add(1);
    }
    memory_store_logon(const memory_store_logon&) = delete;
    memory_store_logon& operator=(const memory_store_logon&) = delete;
    ~memory_store_logon() override {
        if (!logged_off_.exchange(true) && live_) live_->fetch_sub(1);
    }

    /// PR_DISPLAY_NAME of the store.
    [[nodiscard]] std::string display_name() const override { return display_name_; }
    /// PR_PROVIDER_UID of the store.
    [[nodiscard]] const uid& store_uid() const noexcept { return store_; }
    /// True once the logon ended.
    [[nodiscard]] bool logged_off() const noexcept { return logged_off_.load(); }

    /// The folder names, in display order.
    [[nodiscard]] result<std::vector<std::string>> folders() const {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        std::vector<std::string> out;
        for (auto f : all_standard_folders) out.emplace_back(folder_name(f));
        return out;
    }

    /// Ends the logon: later calls return `end_of_session`.
    task<void> logoff() override {
        if (!logged_off_.exchange(true) && live_) live_->fetch_sub(1);
        co_return;
    }

protected:
    result<std::uint64_t> do_create_message(standard_folder folder, message_content content) override {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        return data_->add(store_, folder, std::move(content));
    }
    [[nodiscard]] result<stored_message> do_open_message(std::uint64_t id) const override {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        return data_->get(store_, id);
    }
    [[nodiscard]] result<std::vector<stored_message>> do_messages(standard_folder folder) const override {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        return data_->list(store_, folder);
    }
    [[nodiscard]] result<stored_message> do_open_message_without_attachments(std::uint64_t id) const override {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        return data_->get(store_, id, attachment_rows::left_out);
    }
    [[nodiscard]] result<std::vector<stored_message>> do_messages_without_attachments(
        standard_folder folder) const override {
        if (auto r = alive(); !r) return std::move(r).as_failure();
        return data_->list(store_, folder, attachment_rows::left_out);
    }
    // Every standard folder exists in a memory store: only the end of the logon says no.
    [[nodiscard]] bool do_exposes_messages(standard_folder) const override { return !logged_off_.load(); }
    result<void> do_update_message(std::uint64_t id, const property_bag& changes,
                                   const std::vector<property_bag>* recipients) override {
        if (auto r = alive(); !r) return r;
        return data_->update(store_, id, changes, recipients);
    }
    result<void> do_move_message(std::uint64_t id, standard_folder folder) override {
        if (auto r = alive(); !r) return r;
        return data_->move(store_, id, folder);
    }
    result<void> do_delete_message(std::uint64_t id) override {
        if (auto r = alive(); !r) return r;
        auto m = data_->get(store_, id);
        if (!m) return std::move(m).as_failure();
        if (m->folder == standard_folder::deleted_items) return data_->erase(store_, id);
        return data_->move(store_, id, standard_folder::deleted_items);
    }

private:
    result<void> alive() const {
        if (logged_off_.load()) {
            return fail(scode::end_of_session, "the store \"" + display_name_ + "\" was logged off", "mapixx.memory_store");
        }
        return {};
    }

    std::shared_ptr<memory_store_data> data_;
    uid store_;
    std::string display_name_;
    std::shared_ptr<std::atomic<std::size_t>> live_;
    std::atomic<bool> logged_off_{false};
};

/// A store provider whose stores live in a `memory_store_data`. It needs no configuration;
/// its logon publishes the store's status row (STATUS_AVAILABLE) through
/// `provider_support::modify_status_row`. The session's default store when its provider
/// entry has STATUS_DEFAULT_STORE (rule 50).
///
/// \code
/// auto data = std::make_shared<memory_store_data>();
/// providers.add_store("MXXMEM", [data] { return std::make_unique<memory_store>(data); });
/// ...
/// auto store = s->default_store_as<memory_store_logon>().value();
/// store->create_message(memory_folder::outbox, {{pr::subject, "hello"}});
/// \endcode
class memory_store final : public store_provider {
public:
    /// A provider over `data`; `max_sessions` limits the live logons of its DLL (0: none).
    explicit memory_store(std::shared_ptr<memory_store_data> data, std::size_t max_sessions = 0)
        : data_(std::move(data)), max_sessions_(max_sessions), live_(std::make_shared<std::atomic<std::size_t>>(0)) {}

    /// The limit given to the constructor.
    [[nodiscard]] std::size_t max_sessions() const override { return max_sessions_; }
    /// Logons made by this provider object that have not ended.
    [[nodiscard]] std::size_t live_logons() const noexcept { return live_->load(); }

    /// Logs on to the store of the provider entry (its PR_PROVIDER_UID names the mailbox).
    task<result<std::unique_ptr<store_logon>>> logon(provider_context& ctx) override {
        if (!data_) co_return fail(scode::unconfigured, "the memory store has no data object", "mapixx.memory_store");
        std::string name = ctx.provider.display_name;
        // The row MAPI computes from the provider entry has its display name and
        // STATUS_AVAILABLE already: the update sends only what differs from it.
        property_bag row;
        row.reserve(2);
        if (name.empty()) {
            name = "Memory Store";
            (void)row.set(pr::display_name, name);
        }
        (void)row.set(pr::status_string, std::string("Available"));
        (void)ctx.support.modify_status_row(row, true);
        co_return std::unique_ptr<store_logon>(
            std::make_unique<memory_store_logon>(data_, ctx.provider.provider_uid, std::move(name), live_));
    }

private:
    std::shared_ptr<memory_store_data> data_;
    std::size_t max_sessions_;
    std::shared_ptr<std::atomic<std::size_t>> live_;
};

} // namespace mapixx::inline v0

#endif
