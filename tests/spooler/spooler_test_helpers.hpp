// SPDX-License-Identifier: MIT
// A scriptable fake transport and a rig that wires a spooler to in-memory parts.
#ifndef MAPIXX_TESTS_SPOOLER_HELPERS_HPP_INCLUDED
#define MAPIXX_TESTS_SPOOLER_HELPERS_HPP_INCLUDED

#include "counts_allocations.hpp"

#include <mapixx/provider/transport.hpp>
#include <mapixx/spooler/spooler.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>


namespace mapixx_test {
using namespace mapixx;

std::size_t allocations_on_this_thread() noexcept;
/// True if `allocations_on_this_thread()` counts (not under ThreadSanitizer); decorate tests
/// that need the count with `* doctest::skip(!mapixx_test::counts_allocations)`.
inline constexpr bool counts_allocations = MAPIXX_TEST_COUNTS_ALLOCATIONS != 0;

/// A call log shared by every fake transport of a test: "name:call".
using call_log = std::vector<std::string>;

/// A transport whose behaviour the test scripts.
class fake_xp : public xp_logon {
public:
    fake_xp(spooler_support& s, std::string name, call_log& log) : xp_logon{s}, name_{std::move(name)}, log_{&log} {}

    address_types_result types;
    std::deque<submit_result> submit_script;       // popped per submission; empty: success
    std::deque<end_message_flags> end_script;      // popped per EndMessage; empty: sent
    int yields_per_submit = 0;
    bool honour_cancel = true;                     // PEER: stop on cancel_message
    bool wait_for_cancel_notify = false;           // ZXP: block until NOTIFY_CANCEL_MESSAGE
    bool critical_in_submit = false;
    bool mutate_notify_flags = false;
    bool notify_from_notify = false;               // SpoolerNotify from inside TransportNotify
    bool throw_on_logoff = false;
    std::function<bool()> throw_now;               // asked at each await point
    std::deque<std::string> inbox;                 // subjects waiting for StartMessage
    std::function<void(fake_xp&)> on_idle;
    std::function<void(fake_xp&)> after_yield;    // called after every SpoolerYield

    std::vector<message_id> sent;                  // ids EndMessage reported sent
    std::vector<std::vector<std::string>> got;     // per submission: emails with responsibility false
    std::vector<std::vector<property_bag>> attachments_got;  // per submission: the copy's attachment rows
    std::function<void(submit_context&)> edit_copy;         // changes the working copy in SubmitMessage
    std::vector<bool> deferred_flags;              // submit_context::deferred per submission
    std::vector<std::uint32_t> preset_refs;        // message_ref at submit entry
    std::vector<std::uint32_t> inbound_preset_refs;
    std::vector<std::uint32_t> cancel_refs;        // NOTIFY_CANCEL_MESSAGE data
    std::vector<transport_notify_flags> notifies;
    std::size_t yields = 0;
    bool cancel_notified = false;
    bool suspended_in_submit = false;
    bool notified_while_suspended = false;

    void log(const std::string& what) { log_->push_back(name_ + ":" + what); }

    task<address_types_result> address_types() override
    {
        log("address_types");
        co_return types;
    }

    task<result<void>> transport_notify(transport_notify_flags& f, transport_notify_data data) override
    {
        log("notify:" + to_string(f));
        notifies.push_back(f);
        if (f.has(transport_notify::cancel_message)) {
            cancel_refs.push_back(data.message_ref);
            cancel_notified = true;
            notified_while_suspended = suspended_in_submit;
        }
        // MRXP: END_*_FLUSH clears the matching bit.
        if (f.has(transport_notify::end_outbound_flush)) {
            static_cast<void>(support().update_status_code({}, status_code::outbound_flush));
        }
        if (f.has(transport_notify::end_inbound_flush)) {
            static_cast<void>(support().update_status_code({}, status_code::inbound_flush));
        }
        if (mutate_notify_flags) {
            f |= transport_notify::abort_deferred;
        }
        if (notify_from_notify) {
            static_cast<void>(support().spooler_notify(spooler_notify::newmail));
        }
        co_return result<void>{};
    }

    task<submit_result> submit_message(submit_context& ctx) override
    {
        log("submit");
        preset_refs.push_back(ctx.message_ref);
        deferred_flags.push_back(ctx.deferred);
        ctx.message_ref = ++next_ref_;
        current_ = ctx.message.id;
        std::vector<std::string> mine;
        for (const auto& r : ctx.message.recipients) {
            if (!r.get_bool(pr::responsibility).value_or(false)) {
                mine.emplace_back(r.get_string(pr::email_address).value_or(""));
            }
        }
        got.push_back(mine);
        attachments_got.push_back(ctx.message.attachments);
        if (edit_copy) {
            edit_copy(ctx);
        }
        maybe_throw();
        for (int k = 0; k < yields_per_submit; ++k) {
            suspended_in_submit = true;
            const yield_status y = co_await support().spooler_yield();
            suspended_in_submit = false;
            ++yields;
            if (after_yield) {
                after_yield(*this);
            }
            if (y == yield_status::cancel_message && honour_cancel) {
                co_return submit_result{scode::user_cancel, ctx.message_ref, 0};
            }
            maybe_throw();
        }
        if (wait_for_cancel_notify) {
            while (!cancel_notified) {
                suspended_in_submit = true;
                static_cast<void>(co_await support().spooler_yield());
                suspended_in_submit = false;
                ++yields;
                if (after_yield) {
                    after_yield(*this);
                }
            }
            co_return submit_result{scode::cancel, ctx.message_ref, 60};
        }
        if (critical_in_submit) {
            static_cast<void>(support().spooler_notify(spooler_notify::critical_error, {std::nullopt, "disk gone"}));
            co_return submit_result{scode::call_failed, ctx.message_ref, 0};
        }
        submit_result r;
        if (!submit_script.empty()) {
            r = submit_script.front();
            submit_script.pop_front();
        }
        r.message_ref = ctx.message_ref;
        co_return r;
    }

    task<result<end_message_flags>> end_message(std::uint32_t) override
    {
        log("end");
        maybe_throw();
        end_message_flags f;
        if (!end_script.empty()) {
            f = end_script.front();
            end_script.pop_front();
        }
        if (f.empty()) {
            sent.push_back(current_);
        }
        co_return f;
    }

    task<bool> poll() override
    {
        log("poll");
        co_return !inbox.empty();
    }

    task<result<void>> start_message(inbound_message& m) override
    {
        log("start");
        inbound_preset_refs.push_back(m.message_ref);
        if (!inbox.empty()) {
            static_cast<void>(m.props.set(pr::subject, inbox.front()));
            inbox.pop_front();
            m.save_changes();
        } else if (support().status().has(status_code::inbound_flush)) {
            static_cast<void>(support().update_status_code({}, status_code::inbound_flush));
        }
        co_return result<void>{};
    }

    task<result<void>> flush_queues(flush_flags f) override
    {
        log("flush_queues");
        co_return co_await xp_logon::flush_queues(f);
    }

    task<void> idle() override
    {
        log("idle");
        if (on_idle) {
            on_idle(*this);
        }
        co_return;
    }

    task<result<void>> validate_state(validate_flags) override
    {
        log("validate");
        co_return result<void>{};
    }

    task<void> logoff() override
    {
        log("logoff");
        if (throw_on_logoff) {
            throw std::runtime_error("logoff failed");
        }
        co_return;
    }

private:
    void maybe_throw()
    {
        if (throw_now && throw_now()) {
            throw std::runtime_error("transport crashed");
        }
    }

    std::string name_;
    call_log* log_;
    std::uint32_t next_ref_ = 100;
    message_id current_{};
};

/// The provider of one fake transport. `configure` runs on the logon object right after it is made.
class fake_provider : public xp_provider {
public:
    fake_provider(std::string name, call_log& log, address_types_result types, transport_logon_flags out = {})
        : name_{std::move(name)}, log_{&log}, types_{std::move(types)}, out_{out}
    {
    }

    fake_xp* logon = nullptr;  // valid while the spooler lives
    bool fail_logon = false;
    transport_logon_flags in_flags;
    std::function<void(fake_xp&)> configure;

    task<result<xp_logon_result>> transport_logon(spooler_support& s, transport_logon_flags in) override
    {
        log_->push_back(name_ + ":logon");
        in_flags = in;
        if (fail_logon) {
            co_return fail(scode::logon_failed, "no", "fake");
        }
        auto l = std::make_unique<fake_xp>(s, name_, *log_);
        l->types = types_;
        logon = l.get();
        if (configure) {
            configure(*l);
        }
        // S1: the status row from the logon flags.
        status_codes code = status_code::available;
        if (!in.has(transport_logon_flag::no_inbound)) {
            code |= status_code::inbound_enabled;
        }
        if (!in.has(transport_logon_flag::no_outbound)) {
            code |= status_code::outbound_enabled;
        }
        property_bag row{prop_value{pr::display_name, name_.c_str()}, prop_value{pr::status_code, code.bits()}};
        static_cast<void>(s.modify_status_row(row, false));
        co_return xp_logon_result{std::move(l), out_};
    }

private:
    std::string name_;
    call_log* log_;
    address_types_result types_;
    transport_logon_flags out_;
};

/// A recipient row.
inline property_bag recipient(const std::string& type, const std::string& email)
{
    property_bag r;
    static_cast<void>(r.set(pr::addrtype, type));
    static_cast<void>(r.set(pr::email_address, email));
    static_cast<void>(r.set(pr::responsibility, false));
    return r;
}

/// A message with recipients {type, email}.
inline outbound_message make_message(const std::string& subject,
                                     std::vector<std::pair<std::string, std::string>> to)
{
    outbound_message m;
    static_cast<void>(m.props.set(pr::subject, subject));
    for (auto& [t, e] : to) {
        m.recipients.push_back(recipient(t, e));
    }
    return m;
}

/// Address types helper.
inline address_types_result types_of(std::vector<std::string> t)
{
    address_types_result r;
    r.types = std::move(t);
    return r;
}

/// A spooler with in-memory parts.
struct rig {
    scheduler sched;
    memory_message_queue queue;
    message_queue* other_queue = nullptr;  // the spooler's queue instead of `queue`, if set
    memory_delivery_sink sink;
    manual_clock clock;
    call_log log;
    std::vector<std::unique_ptr<fake_provider>> providers;
    std::vector<spooler_transport> configs;
    spooler_options options;
    std::unique_ptr<spooler> spool;

    fake_provider& add(const std::string& name, address_types_result types, transport_logon_flags out = {},
                       resource_flags rf = {})
    {
        providers.push_back(std::make_unique<fake_provider>(name, log, std::move(types), out));
        configs.push_back(spooler_transport{providers.back().get(), name, rf});
        return *providers.back();
    }

    spooler& start()
    {
        spool = std::make_unique<spooler>(sched, other_queue != nullptr ? *other_queue : queue, sink, clock, configs,
                                          options);
        spool->start();
        spool->pump();
        return *spool;
    }

    void advance(std::chrono::milliseconds d)
    {
        clock.advance(d);
        spool->pump();
    }

    void stop()
    {
        spool->shutdown();
        spool->pump();
    }

    /// Calls in the log that start with `prefix`.
    [[nodiscard]] std::size_t calls(const std::string& entry) const
    {
        return static_cast<std::size_t>(std::count(log.begin(), log.end(), entry));
    }

    /// Index of the first log entry equal to `entry`, or npos.
    [[nodiscard]] std::size_t first(const std::string& entry) const
    {
        auto it = std::find(log.begin(), log.end(), entry);
        return it == log.end() ? std::string::npos : static_cast<std::size_t>(it - log.begin());
    }

    /// Runs a task on the scheduler to completion.
    template <class T>
    T run(task<T> t)
    {
        std::optional<T> out;
        sched.spawn(capture(std::move(t), out));
        spool->pump();
        if (!out) {
            throw std::logic_error("the task did not finish");
        }
        return std::move(*out);
    }

private:
    template <class T>
    static task<void> capture(task<T> t, std::optional<T>& out)
    {
        out.emplace(co_await std::move(t));
    }
};

} // namespace mapixx_test

#endif
