// SPDX-License-Identifier: MIT
/// \file
/// The mail side of a session (`detail::session_mail`): its spooler, the transports the session
/// logged on as the spooler sees them, the default store's Outbox as the spooler's queue and
/// its Inbox as the place where mail and reports are delivered.
#ifndef MAPIXX_SESSION_DETAIL_SESSION_MAIL_HPP_INCLUDED
#define MAPIXX_SESSION_DETAIL_SESSION_MAIL_HPP_INCLUDED

#include <mapixx/core/error_info.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/coro/scheduler.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/provider/message.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/spooler/clock.hpp>
#include <mapixx/spooler/message_queue.hpp>
#include <mapixx/spooler/io_driver.hpp>
#include <mapixx/spooler/reactor.hpp>
#include <mapixx/spooler/spooler.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace mapixx::inline v0::detail {

inline constexpr const char* mail_component = "mapixx.session";

/// The spooler's handle on a transport logon the session owns: forwards every call, except
/// `logoff`, which the session makes itself once the spooler has stopped (so the logon ends
/// exactly once, in the session's logoff order).
class borrowed_transport_logon final : public xp_logon {
public:
    borrowed_transport_logon(std::shared_ptr<provider_logon> owner, xp_logon& real, spooler_support& support) noexcept
        : xp_logon(support), owner_(std::move(owner)), real_(&real) {}

    [[nodiscard]] transport_logon_flags logon_flags() const override { return real_->logon_flags(); }
    task<address_types_result> address_types() override { return real_->address_types(); }
    task<result<void>> transport_notify(transport_notify_flags& flags, transport_notify_data data) override {
        return real_->transport_notify(flags, std::move(data));
    }
    task<submit_result> submit_message(submit_context& ctx) override { return real_->submit_message(ctx); }
    task<result<end_message_flags>> end_message(std::uint32_t ref) override { return real_->end_message(ref); }
    task<bool> poll() override { return real_->poll(); }
    task<result<void>> start_message(inbound_message& msg) override { return real_->start_message(msg); }
    task<void> inbound_outcome(std::uint32_t ref, result<void> stored) override {
        return real_->inbound_outcome(ref, std::move(stored));
    }
    task<result<void>> flush_queues(flush_flags f) override { return real_->flush_queues(f); }
    task<void> idle() override { return real_->idle(); }
    task<result<void>> validate_state(validate_flags f) override { return real_->validate_state(f); }
    task<void> logoff() override { co_return; }

private:
    std::shared_ptr<provider_logon> owner_;  // keeps the logon alive while the spooler holds this
    xp_logon* real_;
};

/// One transport of the session as the spooler sees it. The session logs the transport on
/// itself (with retry-then-disable, slots and the report) and leaves the outcome here; the
/// spooler's TransportLogon then picks it up.
class session_xp final : public xp_provider {
public:
    // Not noexcept: the default failure sentence below allocates.
    session_xp(std::size_t service_index, std::size_t provider_index)
        : service_index_(service_index), provider_index_(provider_index) {}

    /// The session's logon of this transport (a `transport_logon`), or the failure that kept
    /// it from logging on.
    void set_logon(std::shared_ptr<provider_logon> logon) { logon_ = std::move(logon); }
    void set_failure(scode code, std::string why) {
        code_ = code;
        why_ = std::move(why);
    }
    [[nodiscard]] bool logged_on() const noexcept { return logon_ != nullptr; }
    [[nodiscard]] std::size_t service_index() const noexcept { return service_index_; }
    [[nodiscard]] std::size_t provider_index() const noexcept { return provider_index_; }

    task<result<xp_logon_result>> transport_logon(spooler_support& support, transport_logon_flags) override {
        if (!logon_) co_return fail(code_, why_, mail_component);
        auto& real = static_cast<xp_logon&>(*logon_);
        const transport_logon_flags out = real.logon_flags();
        co_return xp_logon_result{std::make_unique<borrowed_transport_logon>(logon_, real, support), out};
    }

private:
    std::size_t service_index_;
    std::size_t provider_index_;
    std::shared_ptr<provider_logon> logon_;
    scode code_ = scode::not_found;
    std::string why_ = "the transport was not logged on";
};

/// The Outbox of a store as the spooler's queue: the pending messages are those with
/// MSGFLAG_SUBMIT set. The spooler keeps their properties and recipient tables
/// (`load_without_attachments`); the attachment table is read from the store only for a
/// transport's working copy (`load_attachments`), and `pending()` lists the Outbox without it,
/// so no attachment bytes are copied that a submission does not need. A finished message
/// goes to Sent Items (or is deleted, with PR_DELETE_AFTER_SUBMIT); a quarantined one stays in
/// the Outbox with MSGFLAG_SUBMIT cleared and the reason in PR_REPORT_TEXT, so it is neither
/// lost nor offered again. Messages submitted in an earlier session that never finished are
/// still flagged, so the next session sends them (attachments and all: they are in the store).
class store_outbox_queue final : public message_queue {
public:
    explicit store_outbox_queue(std::shared_ptr<store_logon> store) : store_(std::move(store)) {}

    [[nodiscard]] std::vector<message_id> pending() const override {
        auto ids = read_pending();
        return ids ? std::move(*ids) : std::vector<message_id>{};
    }
    /// The store's failure when it cannot list its Outbox (the spooler then keeps what it knows).
    [[nodiscard]] result<std::vector<message_id>> read_pending() const override {
        auto all = store_->messages(standard_folder::outbox, attachment_rows::left_out);
        if (!all) return std::move(all).as_failure();
        std::vector<message_id> ids;
        for (const auto& m : *all) {
            if (submitted(m)) ids.push_back(message_id{m.id});
        }
        return ids;
    }
    [[nodiscard]] std::optional<outbound_message> load(message_id id) const override {
        return open(id, attachment_rows::included);
    }
    [[nodiscard]] std::optional<outbound_message> load_without_attachments(message_id id) const override {
        return open(id, attachment_rows::left_out);
    }
    [[nodiscard]] std::optional<std::vector<property_bag>> load_attachments(message_id id) const override {
        auto m = open(id, attachment_rows::included);
        if (!m) return std::nullopt;
        return std::move(m->attachments);
    }
    /// The store's own failure when it cannot read the message (a broken file, a disk error),
    /// so that the spooler counts a failed attempt with the store's code and sentence; only a
    /// message the store no longer has, or one no longer submitted, is `not_found`.
    [[nodiscard]] result<std::vector<property_bag>> read_attachments(message_id id) const override {
        const auto key = static_cast<std::uint64_t>(id);
        auto m = store_->open_message(key, attachment_rows::included);
        if (m && submitted(*m)) return std::move(m->attachments);
        if (m || m.code() == scode::not_found) {
            return fail(scode::not_found,
                        "message " + std::to_string(key) + " is no longer submitted in the Outbox",
                        "mapixx.session.outbox");
        }
        // Unreadable now. Still submitted, as far as a read without attachments can tell (from a
        // store's cache, say)? If that read shows the message gone, it is gone; if it fails too,
        // the store's first failure stands: the message is not given up on a read error.
        auto lean = store_->open_message(key, attachment_rows::left_out);
        if (lean ? !submitted(*lean) : lean.code() == scode::not_found) {
            return fail(scode::not_found,
                        "message " + std::to_string(key) + " is no longer submitted in the Outbox",
                        "mapixx.session.outbox");
        }
        return std::move(m).as_failure();
    }
    // The attachment table stays as the store has it: the spooler never changes it.
    result<void> update(const outbound_message& msg) override {
        return store_->update_message(static_cast<std::uint64_t>(msg.id), msg.props, &msg.recipients);
    }
    // The recipient table alone: no property changes (the store merges them).
    result<void> update_recipients(message_id id, const std::vector<property_bag>& recipients) override {
        return store_->update_message(static_cast<std::uint64_t>(id), property_bag{}, &recipients);
    }
    result<void> remove(message_id id) override {
        const auto key = static_cast<std::uint64_t>(id);
        auto m = store_->open_message(key, attachment_rows::left_out);
        if (!m) return std::move(m).as_failure();
        property_bag change;
        const std::int32_t flags = m->props.get_i4(pr::message_flags).value_or(0);
        (void)change.set(pr::message_flags, (flags & ~(msgflag::submit | msgflag::unsent)) | msgflag::read);
        if (auto r = store_->update_message(key, change); !r) return r;
        // No new generation: the spooler removes only messages it has already let go of, so
        // re-reading the whole Outbox after each sent message would only cost time.
        if (m->props.get_bool(pr::delete_after_submit).value_or(false)) {
            if (auto r = store_->move_message(key, standard_folder::deleted_items); !r) return r;
            return store_->delete_message(key);
        }
        return store_->move_message(key, standard_folder::sent_items);
    }
    result<void> quarantine(message_id id, const error_info& why) override {
        const auto key = static_cast<std::uint64_t>(id);
        auto m = store_->open_message(key, attachment_rows::left_out);
        if (!m) return std::move(m).as_failure();
        property_bag change;
        (void)change.set(pr::message_flags, m->props.get_i4(pr::message_flags).value_or(0) & ~msgflag::submit);
        (void)change.set(pr::report_text, "not sent: " + why.message);
        return store_->update_message(key, change);
    }
    [[nodiscard]] std::uint64_t generation() const noexcept override { return generation_.load(); }

    /// A client submitted (or withdrew) a message: the spooler re-reads `pending()`.
    void touch() noexcept { ++generation_; }

private:
    // A submitted message still waiting in the Outbox.
    static bool submitted(const stored_message& m) {
        return m.folder == standard_folder::outbox && (m.props.get_i4(pr::message_flags).value_or(0) & msgflag::submit) != 0;
    }
    // Message `id` if it is pending, with or without its attachment table.
    std::optional<outbound_message> open(message_id id, attachment_rows rows) const {
        auto m = store_->open_message(static_cast<std::uint64_t>(id), rows);
        if (!m || !submitted(*m)) return std::nullopt;
        return outbound_message{id, std::move(m->props), std::move(m->recipients), std::move(m->attachments)};
    }

    std::shared_ptr<store_logon> store_;
    std::atomic<std::uint64_t> generation_{1};
};

/// The Inbox of a store as the place the spooler delivers to, attachments included. A delivery
/// the store refuses fails: the spooler tells the transport of received mail, which keeps its
/// copy and offers it again (a later session delivers it). A copy of every refused delivery is
/// also kept here (`undelivered()`): for a non-delivery report it is the only one.
class store_inbox_sink final : public delivery_sink {
public:
    explicit store_inbox_sink(std::shared_ptr<store_logon> store) : store_(std::move(store)) {}

    result<void> deliver(delivery d) override {
        message_content c{std::move(d.message.props), std::move(d.message.recipients), std::move(d.message.attachments)};
        if (!c.props.contains(pr::message_class)) (void)c.props.set(pr::message_class, std::string("IPM.Note"));
        const auto kept = c;
        auto r = store_->create_message(standard_folder::inbox, std::move(c));
        if (!r) {
            {
                std::lock_guard g(mutex_);
                undelivered_.push_back({kept, r.info()});
            }
            return std::move(r).as_failure();
        }
        return {};
    }
    /// Deliveries the store refused, with its error.
    [[nodiscard]] std::vector<std::pair<message_content, error_info>> undelivered() const {
        std::lock_guard g(mutex_);
        return undelivered_;
    }

private:
    std::shared_ptr<store_logon> store_;
    mutable std::mutex mutex_;
    std::vector<std::pair<message_content, error_info>> undelivered_;
};

/// The spooler of one session and what it runs on. Driven by one thread at a time (`mutex`).
struct session_mail {
    std::mutex mutex;                                   ///< one thread drives the spooler at a time
    bool coupled_only = false;                          ///< MAPI_NO_MAIL: only STATUS_OWN_STORE transports
    bool has_coupled = false;  ///< a STATUS_OWN_STORE transport runs (a MAPI_NO_MAIL member may send)
    std::optional<scheduler> sched;  ///< in this block, as the spooler is: made at logon, emptied by stop()
    std::shared_ptr<store_logon> store;                 ///< the default store (may be null)
    std::unique_ptr<message_queue> queue;
    std::unique_ptr<delivery_sink> sink;
    steady_spooler_clock clock;
    std::vector<std::unique_ptr<session_xp>> transports;  ///< in transport order
    std::optional<mapixx::spooler> sp;
    std::unique_ptr<io_driver> io;  ///< the reactor the transports wait on (Linux); attached to `sp`

    /// The ready queue a session's scheduler starts with for `transports` transports: a worker
    /// each, the spooler's start or shutdown, and one for a wait that ends (at least 4). A
    /// session keeps its scheduler for life, so 100 000 sessions keep 100 000 of these.
    [[nodiscard]] static constexpr std::size_t ready_room(std::size_t transports) noexcept {
        return (std::max)(transports + 2, std::size_t{4});
    }

    /// Makes the reactor (where there is one) and attaches it; before `sp->start()`. Without a
    /// reactor (another system, or no descriptor left) transports get no `support.io()`.
    [[nodiscard]] std::string attach_reactor() {
#if MAPIXX_HAS_REACTOR
        auto made = reactor::create(*sched, clock);
        if (!made) return "the spooler runs without a reactor: " + made.info().message;
        io = std::move(*made);
        sp->attach(*io);
        return "the spooler waits on network I/O with a reactor";
#else
        return "the spooler runs without a reactor (none on this system): transports get no support.io()";
#endif
    }

    /// The spooler's index of transport (service `si`, provider `pi`), if it runs it.
    [[nodiscard]] std::optional<std::size_t> index_of(std::size_t si, std::size_t pi) const noexcept {
        for (std::size_t i = 0; i < transports.size(); ++i) {
            if (transports[i]->service_index() == si && transports[i]->provider_index() == pi) return i;
        }
        return std::nullopt;
    }

    /// Runs the spooler's ready work, and the reactor's ready descriptors and due timers,
    /// without blocking; the caller holds `mutex`.
    std::size_t pump_locked() { return sp ? sp->run_until_idle() : 0; }

    /// Runs the spooler for `d`, blocking in the reactor between events (without a reactor:
    /// once, without blocking); the caller holds `mutex`.
    result<void> run_for_locked(std::chrono::milliseconds d) {
        if (!sp) return {};
        if (!io) {
            (void)sp->run_until_idle();
            return {};
        }
        auto r = sp->run_for(d);
        if (!r) return std::move(r).as_failure();
        return {};
    }

    /// Stops the spooler (messages in flight stay queued) and runs it until every transport
    /// is off, or until nothing more can run (a transport waiting on I/O that never comes); then
    /// the reactor and the scheduler go, destroying any coroutine still suspended. The spooler
    /// itself (and the supports the session's transport logons hold) lives until this object
    /// does, which is after the session has logged the transports off.
    void stop() noexcept {
        std::lock_guard g(mutex);
        if (!sp || !sched) return;  // no spooler, or stopped already
        try {
            // A spooler that was never started (the logon failed before it) has nothing to stop.
            if (sp->current_state() != mapixx::spooler::state::created) sp->shutdown();
            for (int i = 0; i < 1000 && sp->current_state() != mapixx::spooler::state::stopped &&
                            sp->current_state() != mapixx::spooler::state::created;
                 ++i) {
                if (sp->run_until_idle() == 0) break;
            }
        } catch (...) {  // stopping always completes
        }
        // The session logs its transports off after this (release_core), on their spooler
        // supports: those stay (the spooler lives as long as this object), without the reactor,
        // so a transport's logoff sees no `io()` and closes its connection instead of waiting.
        for (std::size_t i = 0; i < transports.size(); ++i) sp->support(i).attach_io(nullptr);
        // The reactor next: it forgets waits still pending while their frames are alive; then
        // the scheduler, destroying any coroutine still suspended.
        io.reset();
        sched.reset();
    }
};

} // namespace mapixx::inline v0::detail

#endif
