// SPDX-License-Identifier: MIT
// Attachment rows on the outbound path: the spooler hands a transport every attachment of the
// queued message, on every attempt (resend, deferral, busy, failure), to every transport that
// shares the message; a transport's changes to its copy never reach the queue; a quarantined
// message keeps them. The spooler keeps no attachment bytes and no body of its own: it reads
// them and the other properties from the queue once per submission attempt, and writes back
// recipient rows without touching the queued properties (a queue written only against `load`
// still works), a
// message whose attachments are gone by then is forgotten as a client deletion, and one still
// queued whose attachments cannot be read is a failed attempt: retried, quarantined if it
// keeps failing.
#include "heap_in_use.hpp"
#include "spooler_test_helpers.hpp"

#include <mapixx/providers/memory_store.hpp>
#include <mapixx/session/detail/session_mail.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>


namespace spooler_attachments_tests {

using namespace mapixx;
using namespace mapixx_test;
using namespace std::chrono_literals;

namespace {

/// One attachment row by value.
property_bag attachment(std::int32_t num, const std::string& name, const std::string& type, binary data)
{
    property_bag row;
    static_cast<void>(row.set(pr::attach_num, num));
    static_cast<void>(row.set(pr::attach_method, std::int32_t{1}));
    static_cast<void>(row.set(pr::attach_long_filename, name));
    static_cast<void>(row.set(pr::attach_mime_tag, type));
    static_cast<void>(row.set(pr::attach_data_bin, std::move(data)));
    return row;
}

/// Two rows: every byte value once, and a short text.
std::vector<property_bag> two_attachments()
{
    binary all;
    for (int b = 0; b <= 0xFF; ++b) {
        all.push_back(static_cast<std::uint8_t>(b));
    }
    const std::string text = "line one\r\nline two\r\n";
    return {attachment(0, "all-bytes.bin", "application/octet-stream", all),
            attachment(1, "r\xC3\xA9sum\xC3\xA9.txt", "text/plain", binary(text.begin(), text.end()))};
}

/// A message for address type "A" with the two attachments.
outbound_message with_attachments(const std::string& subject, std::vector<std::pair<std::string, std::string>> to)
{
    outbound_message m = make_message(subject, std::move(to));
    m.attachments = two_attachments();
    return m;
}

/// Submits `count` messages for address type "A" to `q`, subjects `prefix` 0, 1, ..., each with a
/// PR_BODY of `size` bytes (one letter per message).
template <class Queue>
void submit_with_bodies(Queue& q, const std::string& prefix, std::size_t count, std::size_t size)
{
    for (std::size_t k = 0; k != count; ++k) {
        outbound_message m = make_message(prefix + std::to_string(k), {{"A", "x"}});
        static_cast<void>(m.props.set(pr::body, std::string(size, static_cast<char>('a' + k % 26))));
        q.submit(std::move(m));
    }
}

/// The PR_ATTACH_DATA_BIN bytes of some attachment rows.
std::size_t bytes_in(const std::vector<property_bag>& rows)
{
    std::size_t n = 0;
    for (const property_bag& row : rows) {
        if (const binary* b = row.get_binary(pr::attach_data_bin)) {
            n += b->size();
        }
    }
    return n;
}

/// A queue over a `memory_message_queue` that counts the spooler's reads, and the attachment
/// bytes each kind of read handed out. `vanish` removes a message without a new generation, as a
/// client deleting it from a store's Outbox does (the spooler learns of it only by reading).
/// `unreadable` makes the next reads of a message's attachment rows fail while the message stays
/// queued: `load_attachments` answers nullopt (a queue that cannot say why), or, for a message
/// given a failure in `broken`, `read_attachments` returns that failure.
class counting_queue final : public message_queue {
public:
    memory_message_queue inner;
    mutable std::size_t whole_loads = 0;                         // load
    mutable std::size_t summary_loads = 0;                       // load_summary
    mutable std::size_t lean_loads = 0;                          // load_without_attachments
    mutable std::size_t lean_bytes = 0;                          // attachment bytes those handed out
    mutable std::map<message_id, std::size_t> attachment_loads;  // load_attachments, per message
    mutable std::size_t attachment_bytes = 0;                    // attachment bytes those handed out
    mutable std::map<message_id, std::size_t> unreadable;        // reads of these that fail from now on
    std::map<message_id, failure> broken;                        // what read_attachments says then

    message_id submit(outbound_message m)
    {
        ++generation_;
        return inner.submit(std::move(m));
    }
    void vanish(message_id id) { static_cast<void>(inner.client_delete(id)); }
    [[nodiscard]] std::size_t attachment_loads_in_all() const
    {
        std::size_t n = 0;
        for (const auto& [id, k] : attachment_loads) {
            n += k;
        }
        return n;
    }

    [[nodiscard]] std::vector<message_id> pending() const override { return inner.pending(); }
    [[nodiscard]] std::optional<outbound_message> load(message_id id) const override
    {
        ++whole_loads;
        return inner.load(id);
    }
    [[nodiscard]] std::optional<outbound_message> load_without_attachments(message_id id) const override
    {
        ++lean_loads;
        auto m = inner.load_without_attachments(id);
        if (m) {
            lean_bytes += bytes_in(m->attachments);
        }
        return m;
    }
    [[nodiscard]] std::optional<outbound_message> load_summary(message_id id) const override
    {
        ++summary_loads;
        return inner.load_summary(id);
    }
    [[nodiscard]] std::optional<std::vector<property_bag>> load_attachments(message_id id) const override
    {
        ++attachment_loads[id];
        if (auto it = unreadable.find(id); it != unreadable.end() && it->second > 0) {
            --it->second;
            return std::nullopt;
        }
        auto rows = inner.load_attachments(id);
        if (rows) {
            attachment_bytes += bytes_in(*rows);
        }
        return rows;
    }
    [[nodiscard]] result<std::vector<property_bag>> read_attachments(message_id id) const override
    {
        if (auto it = broken.find(id); it != broken.end() && unreadable.count(id) != 0 && unreadable.at(id) > 0) {
            ++attachment_loads[id];
            --unreadable.at(id);
            return it->second;
        }
        return message_queue::read_attachments(id);  // the default, over load_attachments
    }
    result<void> update(const outbound_message& msg) override { return inner.update(msg); }
    result<void> update_recipients(message_id id, const std::vector<property_bag>& rows) override
    {
        return inner.update_recipients(id, rows);
    }
    result<void> remove(message_id id) override { return inner.remove(id); }
    result<void> quarantine(message_id id, const error_info& why) override { return inner.quarantine(id, why); }
    [[nodiscard]] std::uint64_t generation() const noexcept override { return generation_; }

private:
    std::uint64_t generation_ = 0;
};

/// A queue written before `load_without_attachments` / `load_attachments` existed: only the
/// pure virtuals, and an `update` that stores the whole message it is given.
class load_only_queue final : public message_queue {
public:
    std::map<message_id, outbound_message> messages;
    mutable std::size_t loads = 0;

    message_id submit(outbound_message m)
    {
        m.id = message_id{static_cast<std::uint64_t>(messages.size() + 1)};
        const message_id id = m.id;
        messages.emplace(id, std::move(m));
        ++generation_;
        return id;
    }

    [[nodiscard]] std::vector<message_id> pending() const override
    {
        std::vector<message_id> ids;
        for (const auto& [id, m] : messages) {
            ids.push_back(id);
        }
        return ids;
    }
    [[nodiscard]] std::optional<outbound_message> load(message_id id) const override
    {
        ++loads;
        auto it = messages.find(id);
        if (it == messages.end()) {
            return std::nullopt;
        }
        return it->second;
    }
    result<void> update(const outbound_message& msg) override
    {
        messages.at(msg.id) = msg;
        return {};
    }
    result<void> remove(message_id id) override
    {
        messages.erase(id);
        return {};
    }
    result<void> quarantine(message_id id, const error_info&) override { return remove(id); }
    [[nodiscard]] std::uint64_t generation() const noexcept override { return generation_; }

private:
    std::uint64_t generation_ = 0;
};

/// A queue whose `load_summary` hands out every property of the message (the body too), as an
/// override that does not trim might: the spooler must keep only PR_SUBJECT of it.
class generous_summary_queue final : public message_queue {
public:
    memory_message_queue inner;

    [[nodiscard]] std::vector<message_id> pending() const override { return inner.pending(); }
    [[nodiscard]] std::optional<outbound_message> load(message_id id) const override { return inner.load(id); }
    [[nodiscard]] std::optional<outbound_message> load_summary(message_id id) const override
    {
        return inner.load_without_attachments(id);
    }
    result<void> update(const outbound_message& msg) override { return inner.update(msg); }
    result<void> remove(message_id id) override { return inner.remove(id); }
    result<void> quarantine(message_id id, const error_info& why) override { return inner.quarantine(id, why); }
    [[nodiscard]] std::uint64_t generation() const noexcept override { return inner.generation(); }
};

/// A memory store that counts the reads that copy attachment rows and those that leave them out.
class counting_store final : public store_logon {
public:
    explicit counting_store(std::shared_ptr<memory_store_logon> inner) : inner_{std::move(inner)} {}

    mutable std::size_t whole_opens = 0;  // open_message
    mutable std::size_t lean_opens = 0;   // open_message(id, attachment_rows::left_out)
    mutable std::size_t whole_lists = 0;  // messages
    mutable std::size_t lean_lists = 0;   // messages(folder, attachment_rows::left_out)
    mutable std::size_t failing_whole_opens = 0;  // the next open_message calls that fail (disk_error)
    mutable std::size_t failing_lean_opens = 0;   // the same for open_message(id, attachment_rows::left_out)
    mutable std::size_t failing_lean_lists = 0;   // the next messages(folder, attachment_rows::left_out) calls that fail
    std::function<void()> on_failed_open;         // called when one of those fails

protected:
    result<std::uint64_t> do_create_message(standard_folder folder, message_content content) override
    {
        return inner_->create_message(folder, std::move(content));
    }
    [[nodiscard]] result<stored_message> do_open_message(std::uint64_t id) const override
    {
        ++whole_opens;
        if (failing_whole_opens > 0) {
            --failing_whole_opens;
            if (on_failed_open) {
                on_failed_open();
            }
            return fail(scode::disk_error, "reading the message file failed: Input/output error", "test.store");
        }
        return inner_->open_message(id);
    }
    [[nodiscard]] result<stored_message> do_open_message_without_attachments(std::uint64_t id) const override
    {
        ++lean_opens;
        if (failing_lean_opens > 0) {
            --failing_lean_opens;
            return fail(scode::disk_error, "reading the message file failed: Input/output error", "test.store");
        }
        return inner_->open_message(id, attachment_rows::left_out);
    }
    [[nodiscard]] result<std::vector<stored_message>> do_messages(standard_folder folder) const override
    {
        ++whole_lists;
        return inner_->messages(folder);
    }
    [[nodiscard]] result<std::vector<stored_message>> do_messages_without_attachments(
        standard_folder folder) const override
    {
        ++lean_lists;
        if (failing_lean_lists > 0) {
            --failing_lean_lists;
            return fail(scode::disk_error, "listing the folder failed: Input/output error", "test.store");
        }
        return inner_->messages(folder, attachment_rows::left_out);
    }
    result<void> do_update_message(std::uint64_t id, const property_bag& changes,
                                   const std::vector<property_bag>* recipients) override
    {
        return inner_->update_message(id, changes, recipients);
    }
    result<void> do_move_message(std::uint64_t id, standard_folder folder) override
    {
        return inner_->move_message(id, folder);
    }
    result<void> do_delete_message(std::uint64_t id) override { return inner_->delete_message(id); }

private:
    std::shared_ptr<memory_store_logon> inner_;
};

/// A counting store over a memory store, and submitted messages with two attachments each put
/// in its Outbox (`add`).
struct counted_outbox {
    std::shared_ptr<memory_store_logon> inner = std::make_shared<memory_store_logon>(
        std::make_shared<memory_store_data>(), uid::generate(), "store", nullptr);
    std::shared_ptr<counting_store> store = std::make_shared<counting_store>(inner);
    /// The session's Outbox queue over `store`, as the spooler of a session reads it.
    mapixx::detail::store_outbox_queue queue{store};

    /// A new submitted message to `to`; its store id.
    std::uint64_t add(const std::string& subject, std::vector<std::pair<std::string, std::string>> to = {{"A", "x"}})
    {
        outbound_message m = with_attachments(subject, std::move(to));
        static_cast<void>(m.props.set(pr::message_flags, msgflag::submit | msgflag::unsent));
        return store->create_message(standard_folder::outbox, std::move(m.props), std::move(m.recipients),
                                     std::move(m.attachments))
            .value();
    }
};

/// A memory queue whose listing (`read_pending`) fails the next `failing` times, and whose
/// quarantine fails the next `failing_quarantines` times.
class failing_list_queue final : public message_queue {
public:
    explicit failing_list_queue(memory_message_queue& inner) : inner_{&inner} {}
    mutable std::size_t failing = 0;
    std::size_t failing_quarantines = 0;  // the next quarantine calls that fail

    [[nodiscard]] std::vector<message_id> pending() const override { return inner_->pending(); }
    [[nodiscard]] result<std::vector<message_id>> read_pending() const override
    {
        if (failing > 0) {
            --failing;
            return fail(scode::network_error, "the queue's server did not answer", "test.queue");
        }
        return inner_->pending();
    }
    [[nodiscard]] std::optional<outbound_message> load(message_id id) const override { return inner_->load(id); }
    [[nodiscard]] std::optional<outbound_message> load_without_attachments(message_id id) const override
    {
        return inner_->load_without_attachments(id);
    }
    [[nodiscard]] std::optional<std::vector<property_bag>> load_attachments(message_id id) const override
    {
        return inner_->load_attachments(id);
    }
    result<void> update(const outbound_message& msg) override { return inner_->update(msg); }
    result<void> remove(message_id id) override { return inner_->remove(id); }
    result<void> quarantine(message_id id, const error_info& why) override
    {
        if (failing_quarantines > 0) {
            --failing_quarantines;
            return fail(scode::disk_error, "the queue could not write the message's flags", "test.queue");
        }
        return inner_->quarantine(id, why);
    }
    [[nodiscard]] std::uint64_t generation() const noexcept override { return inner_->generation(); }

private:
    memory_message_queue* inner_;
};

/// Transport "a" (address type A) on rig `r`, whose spooler is to read queue `q`.
fake_provider& transport_over(rig& r, message_queue& q)
{
    r.other_queue = &q;
    return r.add("a", types_of({"A"}));
}


} // namespace

TEST_SUITE("mapixx/spooler/spooler.hpp")
{
    TEST_CASE("attachments: the transport's working copy has every attachment row of the queued message, bytes and all")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& sp = r.start();
        const message_id id = r.queue.submit(with_attachments("files", {{"A", "x"}}));
        sp.pump();
        CHECK(a.logon->sent == std::vector<message_id>{id});
        REQUIRE(a.logon->attachments_got.size() == 1);
        const auto& got = a.logon->attachments_got[0];
        REQUIRE(got.size() == 2);
        CHECK(got == two_attachments());
        const binary* bytes = got[0].get_binary(pr::attach_data_bin);
        REQUIRE(bytes != nullptr);
        REQUIRE(bytes->size() == 256);
        for (std::size_t b = 0; b != bytes->size(); ++b) {
            CHECK((*bytes)[b] == static_cast<std::uint8_t>(b));
        }
        CHECK(got[1].get_string(pr::attach_long_filename) == "r\xC3\xA9sum\xC3\xA9.txt");
        r.stop();
    }

    TEST_CASE("attachments: a message without attachments reaches the transport without any")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& sp = r.start();
        r.queue.submit(make_message("plain", {{"A", "x"}}));
        sp.pump();
        REQUIRE(a.logon->attachments_got.size() == 1);
        CHECK(a.logon->attachments_got[0].empty());
        r.stop();
    }

    TEST_CASE("attachments: two transports sharing a message's recipients both get the attachments")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        auto& b = r.add("b", types_of({"B"}));
        auto& sp = r.start();
        const message_id id = r.queue.submit(with_attachments("both", {{"A", "x"}, {"B", "y"}}));
        sp.pump();
        CHECK_FALSE(r.queue.contains(id));
        REQUIRE(a.logon->attachments_got.size() == 1);
        REQUIRE(b.logon->attachments_got.size() == 1);
        CHECK(a.logon->attachments_got[0] == two_attachments());
        CHECK(b.logon->attachments_got[0] == two_attachments());
        r.stop();
    }

    TEST_CASE("attachments: every later attempt carries them too (deferral, resend, busy, wait, a failure)")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        message_id id{};
        SUBCASE("END_DONT_RESEND, then NOTIFY_SENTDEFERRED: the BEGIN_DEFERRED resubmission")
        {
            a.configure = [](fake_xp& x) { x.end_script.push_back(end_message_flag::dont_resend); };
            auto& sp = r.start();
            id = r.queue.submit(with_attachments("deferred", {{"A", "x"}}));
            sp.pump();
            REQUIRE(sp.is_deferred(id));
            REQUIRE(a.logon->support().spooler_notify(spooler_notify::sentdeferred, {id, {}}));
            sp.pump();
            REQUIRE(a.logon->deferred_flags.size() == 2);
            CHECK(a.logon->deferred_flags[1]);
        }
        SUBCASE("END_RESEND_NOW and END_RESEND_LATER")
        {
            a.configure = [](fake_xp& x) {
                x.end_script.push_back(end_message_flag::resend_now);
                x.end_script.push_back(end_message_flag::resend_later);
            };
            r.start();
            id = r.queue.submit(with_attachments("resent", {{"A", "x"}}));
            r.spool->pump();
            r.advance(60s);
            CHECK(a.logon->attachments_got.size() == 3);
        }
        SUBCASE("busy, then MAPI_E_WAIT with a delay")
        {
            a.configure = [](fake_xp& x) {
                x.submit_script.push_back({scode::busy, 0, 0});
                x.submit_script.push_back({scode::wait, 0, 5});
            };
            r.start();
            id = r.queue.submit(with_attachments("busy", {{"A", "x"}}));
            r.spool->pump();
            r.advance(1s);
            r.advance(5s);
            CHECK(a.logon->attachments_got.size() == 3);
        }
        SUBCASE("an exception from SubmitMessage")
        {
            bool crashed = false;
            a.configure = [&crashed](fake_xp& x) {
                x.throw_now = [&crashed] { return !std::exchange(crashed, true); };
            };
            r.start();
            id = r.queue.submit(with_attachments("crash", {{"A", "x"}}));
            r.spool->pump();
            CHECK(a.logon->attachments_got.size() == 2);
        }
        CHECK(a.logon->sent == std::vector<message_id>{id});
        CHECK_FALSE(r.queue.contains(id));
        REQUIRE(a.logon->attachments_got.size() >= 2);
        for (const auto& seen : a.logon->attachments_got) {
            CHECK(seen == two_attachments());
        }
        r.stop();
    }

    TEST_CASE("attachments: a transport that changes them in its copy and saves changes only the properties in the queue")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        a.configure = [](fake_xp& x) {
            x.edit_copy = [](submit_context& ctx) {
                static_cast<void>(ctx.message.props.set(pr::internet_message_id, "<kept@example.org>"));
                static_cast<void>(ctx.message.attachments[0].set(pr::attach_data_bin, binary{1, 2, 3}));
                ctx.message.attachments.pop_back();
                ctx.save_changes();
            };
            x.submit_script.push_back({scode::busy, 0, 0});
        };
        r.start();
        const message_id id = r.queue.submit(with_attachments("edited", {{"A", "x"}}));
        r.spool->pump();
        // The queue's copy: the saved property, the attachments as they were submitted.
        const auto queued = r.queue.load(id);
        REQUIRE(queued.has_value());
        CHECK(queued->props.get_string(pr::internet_message_id) == "<kept@example.org>");
        CHECK(queued->attachments == two_attachments());
        // The retry sees the original rows again.
        r.advance(1s);
        REQUIRE(a.logon->attachments_got.size() == 2);
        CHECK(a.logon->attachments_got[1] == two_attachments());
        CHECK_FALSE(r.queue.contains(id));
        r.stop();
    }

    TEST_CASE("attachments: a message quarantined after failed attempts keeps them in the queue")
    {
        rig r;
        r.options.max_attempts = 2;
        r.add("a", types_of({"A"})).configure = [](fake_xp& x) {
            x.submit_script.assign(2, submit_result{scode::call_failed, 0, 0});
        };
        const message_id id = r.queue.submit(with_attachments("poison", {{"A", "x"}}));
        r.start();
        CHECK(r.spool->count(spooler_event::kind::quarantined) == 1);
        REQUIRE(r.queue.quarantined().count(id) == 1);
        CHECK(r.queue.quarantined().at(id).first.attachments == two_attachments());
        CHECK(r.providers[0]->logon->attachments_got == std::vector<std::vector<property_bag>>(2, two_attachments()));
        r.stop();
    }

    TEST_CASE("attachments: the spooler keeps none of 200 pending messages' bytes, each attempt reads them once")
    {
        constexpr std::size_t messages = 200;
        constexpr std::size_t size = 64 * 1024;
        counting_queue q;
        rig r;
        std::vector<message_id> ids;
        for (std::size_t k = 0; k != messages; ++k) {
            outbound_message m = make_message("big " + std::to_string(k), {{"A", "x"}});
            m.attachments.push_back(attachment(0, "big.bin", "application/octet-stream",
                                               binary(size, static_cast<std::uint8_t>(k))));
            ids.push_back(q.submit(std::move(m)));
        }
        const auto before = heap_in_use();
        auto& a = transport_over(r, q);
        std::size_t submissions = 0;
        a.configure = [&](fake_xp& x) {
            x.submit_script.assign(messages, submit_result{scode::busy, 0, 0});  // every first attempt
            x.edit_copy = [&, self = &x](submit_context& ctx) {
                ++submissions;
                if (submissions == 1) {
                    // The first submission: refresh read the summaries of all 200 messages, and
                    // the working copy read this one's properties.
                    CHECK(q.summary_loads == messages);
                    CHECK(q.lean_loads == 1);
                    CHECK(q.lean_bytes == 0);
                    CHECK(q.whole_loads == 0);
                    CHECK(q.attachment_loads_in_all() == 1);
                    // The spooler's 200 entries (about 1 KiB each) plus this working copy: a copy of
                    // every attachment would be 12.5 MiB more (the queue's own are counted in `before`).
                    CHECK(heap_growth(before) < messages * size / 16 + 2 * size);
                }
                const std::size_t k = submissions <= messages ? submissions - 1 : submissions - 1 - messages;
                REQUIRE(ctx.message.attachments.size() == 1);
                CHECK(*ctx.message.attachments[0].get_binary(pr::attach_data_bin) ==
                      binary(size, static_cast<std::uint8_t>(k)));
                CHECK(q.attachment_loads[ctx.message.id] == (submissions <= messages ? 1U : 2U));
                // The fake transport keeps what it got; this test must not.
                self->attachments_got.clear();
            };
        };
        r.start();
        // Every message had its attempt (busy) and stays queued: each read its attachments once,
        // and the working copies went with the attempts.
        CHECK(submissions == messages);
        CHECK(q.inner.size() == messages);
        CHECK(q.whole_loads == 0);
        CHECK(q.lean_bytes == 0);
        CHECK(q.attachment_bytes == messages * size);
        for (message_id id : ids) {
            CHECK(q.attachment_loads[id] == 1);
        }
        CHECK(heap_growth(before) < messages * size / 16);
        // The retries: once more each, then sent.
        r.advance(1s);
        CHECK(submissions == 2 * messages);
        CHECK(q.inner.size() == 0);
        CHECK(r.spool->count(spooler_event::kind::sent) == messages);
        for (message_id id : ids) {
            CHECK(q.attachment_loads[id] == 2);
        }
        CHECK(q.whole_loads == 0);
        CHECK(q.summary_loads == messages);  // the listing
        CHECK(q.lean_loads == 2 * messages);  // one per working copy
        r.stop();
    }

    TEST_CASE("attachments: the spooler keeps no body of 200 pending messages, each attempt reads the properties once")
    {
        constexpr std::size_t messages = 200;
        constexpr std::size_t size = 64 * 1024;
        counting_queue q;
        rig r;
        submit_with_bodies(q, "long ", messages, size);
        const auto before = heap_in_use();
        auto& a = transport_over(r, q);
        std::size_t submissions = 0;
        a.configure = [&](fake_xp& x) {
            x.submit_script.assign(messages, submit_result{scode::busy, 0, 0});
            x.edit_copy = [&](submit_context& ctx) {
                ++submissions;
                if (submissions == 1) {
                    // The spooler's 200 entries hold recipient rows and subjects; this working copy
                    // holds one body. A copy of every body would be 12.5 MiB more.
                    CHECK(heap_growth(before) < messages * size / 16 + 2 * size);
                }
                // The body comes from the queue, whole, on every attempt.
                const auto body = ctx.message.props.get_string(pr::body);
                REQUIRE(body.has_value());
                CHECK(body->size() == size);
                const auto subject = ctx.message.props.get_string(pr::subject);
                REQUIRE(subject.has_value());
                const std::size_t k = std::stoul(std::string(subject->substr(5)));
                CHECK(body->front() == static_cast<char>('a' + k % 26));
            };
        };
        r.start();
        CHECK(submissions == messages);
        CHECK(q.inner.size() == messages);
        CHECK(heap_growth(before) < messages * size / 16);
        CHECK(q.summary_loads == messages);  // the listing
        CHECK(q.lean_loads == messages);      // one per working copy
        r.advance(1s);
        CHECK(submissions == 2 * messages);
        CHECK(r.spool->count(spooler_event::kind::sent) == messages);
        CHECK(q.inner.size() == 0);
        r.stop();
    }

    TEST_CASE("queue: load_summary gives the recipient rows and PR_SUBJECT alone, by default and in memory_message_queue")
    {
        auto full = [] {
            outbound_message m = with_attachments("the subject", {{"A", "x"}, {"B", "y"}});
            static_cast<void>(m.props.set(pr::body, std::string(5000, 'b')));
            return m;
        };
        auto check_summary = [&full](const std::optional<outbound_message>& got, message_id id) {
            const outbound_message want = full();
            REQUIRE(got.has_value());
            CHECK(got->id == id);
            CHECK(got->props.size() == 1);
            CHECK(got->props.get_string(pr::subject) == "the subject");
            CHECK(got->recipients == want.recipients);
            CHECK(got->attachments.empty());
        };
        SUBCASE("the default, over load (a queue with only the pure virtuals)")
        {
            load_only_queue q;
            const message_id id = q.submit(full());
            check_summary(q.load_summary(id), id);
            CHECK_FALSE(q.load_summary(message_id{static_cast<std::uint64_t>(id) + 1}).has_value());
            outbound_message bare = make_message("", {{"A", "x"}});
            static_cast<void>(bare.props.erase(pr::subject));
            const message_id no_subject = q.submit(std::move(bare));
            auto got = q.load_summary(no_subject);
            REQUIRE(got.has_value());
            CHECK(got->props.empty());
            CHECK(got->recipients.size() == 1);
        }
        SUBCASE("memory_message_queue's own")
        {
            memory_message_queue q;
            const message_id id = q.submit(full());
            check_summary(q.load_summary(id), id);
            CHECK_FALSE(q.load_summary(message_id{static_cast<std::uint64_t>(id) + 1}).has_value());
        }
    }

    TEST_CASE("queue: a load_summary that hands out every property still leaves no body in the spooler")
    {
        constexpr std::size_t messages = 200;
        constexpr std::size_t size = 64 * 1024;
        generous_summary_queue q;
        rig r;
        submit_with_bodies(q.inner, "wide ", messages, size);
        const auto before = heap_in_use();
        auto& a = transport_over(r, q);
        std::vector<std::string> subjects;
        a.configure = [&](fake_xp& x) {
            x.submit_script.assign(messages, submit_result{scode::busy, 0, 0});  // all stay queued
            x.submit_script.insert(x.submit_script.end(), messages, submit_result{scode::cancel, 0, 0});  // then NDRs
        };
        r.start();
        // Listed (200 summaries with 64 KiB bodies handed out) and tried once: all 200 wait, and
        // their entries kept the subjects only, so the heap holds nothing near a body per message.
        CHECK(r.spool->count(spooler_event::kind::ndr) == 0);
        CHECK(heap_growth(before) < messages * size / 16);
        r.advance(1s);
        CHECK(r.spool->count(spooler_event::kind::ndr) == messages);
        REQUIRE(r.sink.items().size() == messages);
        // Each report still quotes its message's subject, which came from the summary.
        for (const auto& d : r.sink.items()) {
            subjects.emplace_back(d.message.props.get_string(pr::subject).value_or(""));
        }
        std::sort(subjects.begin(), subjects.end());
        CHECK(std::adjacent_find(subjects.begin(), subjects.end()) == subjects.end());
        CHECK(std::all_of(subjects.begin(), subjects.end(),
                          [](const std::string& t) { return t.rfind("Undeliverable: wide ", 0) == 0; }));
        r.stop();
    }

    TEST_CASE("attachments: a working copy has the properties the queue holds at that attempt")
    {
        rig r;
        auto& a = r.add("a", types_of({"A"}));
        std::vector<std::string> bodies;
        a.configure = [&bodies](fake_xp& x) {
            x.submit_script.push_back({scode::busy, 0, 0});
            x.edit_copy = [&bodies](submit_context& ctx) {
                bodies.emplace_back(ctx.message.props.get_string(pr::body).value_or("(none)"));
            };
        };
        r.start();
        outbound_message m = with_attachments("edited in the queue", {{"A", "x"}});
        static_cast<void>(m.props.set(pr::body, std::string("first text")));
        const message_id id = r.queue.submit(std::move(m));
        r.spool->pump();
        REQUIRE(bodies.size() == 1);
        // The queue's message changes between the attempts (its store rewrote it, say).
        auto queued = r.queue.load_without_attachments(id);
        REQUIRE(queued.has_value());
        static_cast<void>(queued->props.set(pr::body, std::string("second text")));
        REQUIRE(r.queue.update(*queued));
        r.advance(1s);
        CHECK(bodies == std::vector<std::string>{"first text", "second text"});
        CHECK(a.logon->sent == std::vector<message_id>{id});
        r.stop();
    }

    TEST_CASE("attachments: PR_RESPONSIBILITY goes back to the queue without touching the queued properties")
    {
        // Transport a sends the A recipient; b is busy with B, so the message stays queued with
        // the A row marked.
        auto check_queued = [](const outbound_message& queued, std::size_t attachments) {
            CHECK(queued.props.get_string(pr::subject) == "half sent");
            CHECK(queued.props.get_string(pr::body) == "the text");
            CHECK(queued.props.get_string(pr::internet_message_id) == "<id@example.org>");
            REQUIRE(queued.recipients.size() == 2);
            CHECK(queued.recipients[0].get_bool(pr::responsibility) == true);
            CHECK(queued.recipients[1].get_bool(pr::responsibility) == false);
            CHECK(queued.attachments.size() == attachments);
        };
        auto message = [] {
            outbound_message m = with_attachments("half sent", {{"A", "x"}, {"B", "y"}});
            static_cast<void>(m.props.set(pr::body, std::string("the text")));
            static_cast<void>(m.props.set(pr::internet_message_id, std::string("<id@example.org>")));
            return m;
        };
        auto busy = [](fake_xp& x) { x.submit_script.push_back({scode::busy, 0, 0}); };
        SUBCASE("a queue that writes the rows alone (memory_message_queue)")
        {
            rig r;
            r.add("a", types_of({"A"}));
            r.add("b", types_of({"B"})).configure = busy;
            r.start();
            const message_id id = r.queue.submit(message());
            r.spool->pump();
            CHECK(r.spool->count(spooler_event::kind::partly_sent) == 1);
            const auto queued = r.queue.load(id);
            REQUIRE(queued.has_value());
            check_queued(*queued, 2);
            r.advance(1s);
            CHECK_FALSE(r.queue.contains(id));
            r.stop();
        }
        SUBCASE("a queue with only the pure virtuals (update_recipients by default, over update)")
        {
            load_only_queue q;
            rig r;
            transport_over(r, q);
            r.add("b", types_of({"B"})).configure = busy;
            const message_id id = q.submit(message());
            r.start();
            CHECK(r.spool->count(spooler_event::kind::partly_sent) == 1);
            REQUIRE(q.messages.count(id) == 1);
            check_queued(q.messages.at(id), 2);
            r.advance(1s);
            CHECK(q.messages.empty());
            r.stop();
        }
    }

    TEST_CASE("attachments: a message gone from the queue when its working copy is built is forgotten as a client deletion")
    {
        counting_queue q;
        rig r;
        auto& a = transport_over(r, q);
        const message_id first = q.submit(with_attachments("first", {{"A", "x"}}));
        const message_id gone = q.submit(with_attachments("gone", {{"A", "y"}}));
        const message_id last = q.submit(with_attachments("last", {{"A", "z"}}));
        a.configure = [&](fake_xp& x) {
            x.yields_per_submit = 1;
            // While the first message is being sent, the client deletes the second from the
            // store's Outbox: the spooler still holds it (no new generation) until it reads it.
            x.after_yield = [&](fake_xp&) { q.vanish(gone); };
        };
        auto& sp = r.start();
        CHECK(q.attachment_loads[gone] == 1);  // asked once, answered nullopt
        CHECK(a.logon->sent == std::vector<message_id>{first, last});
        CHECK(a.logon->got == std::vector<std::vector<std::string>>{{"x"}, {"z"}});
        CHECK(a.logon->attachments_got == std::vector<std::vector<property_bag>>(2, two_attachments()));
        CHECK(sp.count(spooler_event::kind::sent) == 2);
        for (const spooler_event& ev : sp.events()) {
            CHECK(ev.message != std::optional<message_id>{gone});  // no NDR, requeue or quarantine
        }
        CHECK(r.sink.items().empty());
        CHECK(q.inner.size() == 0);
        CHECK(q.inner.quarantined().empty());
        CHECK(sp.cancel_message(gone).code() == scode::not_found);  // the spooler let it go
        CHECK(q.whole_loads == 0);
        r.stop();
    }

    TEST_CASE("attachments: a queue that implements only load still sends them, also after update saved a property")
    {
        load_only_queue q;
        rig r;
        auto& a = transport_over(r, q);
        a.configure = [](fake_xp& x) {
            x.submit_script.push_back({scode::busy, 0, 0});
            x.edit_copy = [](submit_context& ctx) {
                static_cast<void>(ctx.message.props.set(pr::internet_message_id, "<saved@example.org>"));
                ctx.save_changes();
            };
        };
        const message_id id = q.submit(with_attachments("old queue", {{"A", "x"}}));
        r.start();
        // The busy attempt saved a property: the queue stored the message the spooler gave it,
        // whole, and it still has its attachment rows.
        REQUIRE(q.messages.count(id) == 1);
        CHECK(q.messages.at(id).props.get_string(pr::internet_message_id) == "<saved@example.org>");
        CHECK(q.messages.at(id).attachments == two_attachments());
        r.advance(1s);
        CHECK(a.logon->sent == std::vector<message_id>{id});
        CHECK(a.logon->attachments_got == std::vector<std::vector<property_bag>>(2, two_attachments()));
        CHECK(q.loads >= 3);  // the refresh, then one per attempt
        CHECK(q.messages.empty());
        r.stop();
    }

    TEST_CASE("attachments: a session's Outbox queue copies attachment rows from the store only for working copies")
    {
        counted_outbox w;
        auto& [inner, store, q] = w;
        std::vector<std::uint64_t> keys;
        for (const char* subject : {"one", "two", "three"}) keys.push_back(w.add(subject));
        // Read separately, as the spooler does.
        const message_id id0{keys[0]};
        const auto lean = q.load_without_attachments(id0);
        REQUIRE(lean.has_value());
        CHECK(lean->props.get_string(pr::subject) == "one");
        CHECK(lean->recipients.size() == 1);
        CHECK(lean->attachments.empty());
        CHECK(q.load_attachments(id0) == std::optional<std::vector<property_bag>>{two_attachments()});
        CHECK(q.load(id0)->attachments == two_attachments());
        CHECK_FALSE(q.load_attachments(message_id{999}).has_value());
        store->whole_opens = store->lean_opens = 0;

        rig r;
        auto& a = transport_over(r, q);
        r.start();
        CHECK(a.logon->attachments_got == std::vector<std::vector<property_bag>>(3, two_attachments()));
        CHECK(r.spool->count(spooler_event::kind::sent) == 3);
        CHECK(store->whole_lists == 0);               // pending() lists the Outbox without them
        CHECK(store->lean_lists >= 1);
        CHECK(store->whole_opens == keys.size());     // one per working copy
        CHECK(store->lean_opens >= keys.size());      // the spooler's entries, the removal
        for (std::uint64_t key : keys) {
            const auto sent = inner->open_message(key).value();
            CHECK(sent.folder == standard_folder::sent_items);
            CHECK(sent.attachments == two_attachments());  // the store's rows, untouched
        }
        r.stop();
    }

    TEST_CASE("attachments: a queued message whose attachment rows cannot be read is kept, reported requeued and sent once they can be read")
    {
        counting_queue q;
        rig r;
        r.options.failure_retry = 5s;
        auto& a = transport_over(r, q);
        const message_id id = q.submit(with_attachments("unreadable once", {{"A", "x"}}));
        q.unreadable[id] = 1;  // the first read fails; the message stays in the queue
        auto& sp = r.start();
        CHECK(q.attachment_loads[id] == 1);
        CHECK(a.logon->sent.empty());
        CHECK(a.logon->attachments_got.empty());  // the transport never saw a copy without them
        REQUIRE(sp.count(spooler_event::kind::requeued) == 1);
        CHECK(sp.events().back().message == std::optional<message_id>{id});
        CHECK(sp.events().back().code == scode::call_failed);
        CHECK(q.inner.contains(id));
        CHECK(sp.next_due() == std::optional<std::chrono::milliseconds>{5s});  // the retry is scheduled
        // The queue's generation is the same: only the spooler's own entry brings it back.
        r.advance(5s);
        CHECK(q.attachment_loads[id] == 2);
        CHECK(a.logon->sent == std::vector<message_id>{id});
        CHECK(a.logon->attachments_got == std::vector<std::vector<property_bag>>{two_attachments()});
        CHECK(sp.count(spooler_event::kind::sent) == 1);
        CHECK(q.inner.size() == 0);
        CHECK(q.inner.quarantined().empty());
        r.stop();
    }

    TEST_CASE("attachments: a message whose attachment rows keep failing is quarantined after max_attempts with the queue's code and sentence")
    {
        counting_queue q;
        rig r;
        r.options.max_attempts = 3;
        auto& a = transport_over(r, q);
        const message_id bad = q.submit(with_attachments("bad disk", {{"A", "x"}}));
        const message_id good = q.submit(with_attachments("good", {{"A", "y"}}));
        q.unreadable[bad] = 100;
        q.broken.emplace(bad, fail(scode::disk_error, "reading \"/var/mail/outbox/17\" failed: Input/output error",
                                   "test.queue"));
        auto& sp = r.start();
        // Three failed attempts, each reported with the queue's code; the other message went on.
        CHECK(q.attachment_loads[bad] == 3);
        std::size_t requeued = 0;
        for (const spooler_event& ev : sp.events()) {
            if (ev.message == std::optional<message_id>{bad}) {
                CHECK(ev.code == scode::disk_error);
                requeued += ev.what == spooler_event::kind::requeued ? 1 : 0;
            }
        }
        CHECK(requeued == 2);
        CHECK(sp.count(spooler_event::kind::quarantined) == 1);
        CHECK(a.logon->sent == std::vector<message_id>{good});
        // Set aside, not lost: the queue keeps it, with its attachments and the reason.
        REQUIRE(q.inner.quarantined().count(bad) == 1);
        const auto& [kept, why] = q.inner.quarantined().at(bad);
        CHECK(kept.attachments == two_attachments());
        CHECK(why.component == "mapixx.spooler");
        CHECK(why.message.find("3 times") != std::string::npos);
        CHECK(why.message.find("Input/output error") != std::string::npos);
        CHECK(why.low_level == static_cast<std::uint32_t>(scode::disk_error));
        // No more reads: a quarantined message is not offered again.
        r.advance(60s);
        CHECK(q.attachment_loads[bad] == 3);
        r.stop();
    }

    TEST_CASE("attachments: a session's Outbox queue whose store fails to read a message keeps it, and forgets one the client deleted")
    {
        counted_outbox w;
        auto& [inner, store, q] = w;
        std::vector<std::uint64_t> keys;
        for (const char* subject : {"kept", "deleted"}) keys.push_back(w.add(subject, {{"A", subject}}));
        rig r;
        r.options.failure_retry = 1s;
        auto& a = transport_over(r, q);
        // The first message's whole read fails once; meanwhile the client deletes the second
        // one (no new generation: the spooler learns of it only by reading).
        store->failing_whole_opens = 1;
        store->on_failed_open = [&] { static_cast<void>(w.inner->delete_message(keys[1])); };
        auto& sp = r.start();
        CHECK(store->whole_opens == 2);  // one failed, one found the second message gone
        CHECK(a.logon->sent.empty());
        REQUIRE(sp.count(spooler_event::kind::requeued) == 1);
        CHECK(sp.events().back().message == std::optional<message_id>{message_id{keys[0]}});
        CHECK(sp.events().back().code == scode::disk_error);  // the store's own code
        r.advance(1s);
        CHECK(a.logon->sent == std::vector<message_id>{message_id{keys[0]}});
        CHECK(a.logon->attachments_got == std::vector<std::vector<property_bag>>{two_attachments()});
        CHECK(inner->open_message(keys[0]).value().folder == standard_folder::sent_items);
        // The deleted one: no event, no NDR, nothing sent; it stays where the client put it.
        for (const spooler_event& ev : sp.events()) {
            CHECK(ev.message != std::optional<message_id>{message_id{keys[1]}});
        }
        CHECK(r.sink.items().empty());
        CHECK(inner->open_message(keys[1]).value().folder == standard_folder::deleted_items);
        CHECK(sp.cancel_message(message_id{keys[1]}).code() == scode::not_found);
        r.stop();
    }

    TEST_CASE("attachments: a session's Outbox message that the store cannot read at all is kept and retried, with the store's code")
    {
        counted_outbox w;
        auto& [inner, store, q] = w;
        const std::uint64_t key = w.add("unreadable for a while");
        rig r;
        r.options.failure_retry = 1s;
        auto& a = transport_over(r, q);
        // The file cannot be read at all when the working copy is made: with attachments, and
        // then without them either.
        store->failing_whole_opens = 1;
        store->on_failed_open = [&] { w.store->failing_lean_opens = 1; };
        auto& sp = r.start();
        CHECK(a.logon->sent.empty());
        REQUIRE(sp.count(spooler_event::kind::requeued) == 1);
        CHECK(sp.events().back().code == scode::disk_error);
        CHECK(inner->open_message(key).value().folder == standard_folder::outbox);
        r.advance(1s);
        CHECK(a.logon->sent == std::vector<message_id>{message_id{key}});
        CHECK(a.logon->attachments_got == std::vector<std::vector<property_bag>>{two_attachments()});
        r.stop();
    }

    TEST_CASE("queue: an Outbox that cannot be listed, or a listed message that cannot be read, is listed again after queue_retry")
    {
        for (const bool listing_fails : {true, false}) {
            CAPTURE(listing_fails);
            counted_outbox w;
            auto& [inner, store, q] = w;
            const std::uint64_t key = w.add("waiting");
            rig r;
            r.options.queue_retry = 5s;
            auto& a = transport_over(r, q);
            if (listing_fails) {
                store->failing_lean_lists = 1;
            } else {
                store->failing_lean_opens = 1;
            }
            auto& sp = r.start();
            CHECK(a.logon->sent.empty());
            REQUIRE(sp.count(spooler_event::kind::queue_unreadable) == 1);
            CHECK(sp.events().back().code == (listing_fails ? scode::disk_error : scode::call_failed));
            CHECK(sp.events().back().transport == spooler::npos);
            CHECK(sp.next_due() == std::optional<std::chrono::milliseconds>{r.clock.now() + 5s});
            // Nothing changed the queue's generation: only the retry lists it again.
            r.advance(4s);
            CHECK(a.logon->sent.empty());
            r.advance(1s);
            CHECK(a.logon->sent == std::vector<message_id>{message_id{key}});
            CHECK(sp.count(spooler_event::kind::queue_unreadable) == 1);
            CHECK(inner->open_message(key).value().folder == standard_folder::sent_items);
            r.stop();
        }
    }

    TEST_CASE("queue: a listing that fails forgets none of the messages the spooler knows")
    {
        memory_message_queue inner;
        failing_list_queue q{inner};
        rig r;
        r.options.busy_retry = 10s;
        r.options.queue_retry = 1s;
        auto& a = transport_over(r, q);
        a.configure = [](fake_xp& x) { x.submit_script.push_back({scode::busy, 0, 0}); };  // the first attempt waits
        const message_id first = inner.submit(with_attachments("first", {{"A", "x"}}));
        r.start();
        REQUIRE(a.logon->sent.empty());
        // A second message is queued (a new generation) while the queue cannot be listed.
        q.failing = 1;
        const message_id second = inner.submit(with_attachments("second", {{"A", "y"}}));
        r.spool->pump();
        CHECK(r.spool->count(spooler_event::kind::queue_unreadable) == 1);
        r.advance(1s);  // listed again: the second one is sent
        CHECK(a.logon->sent == std::vector<message_id>{second});
        r.advance(9s);  // the first one's busy delay is over: it was never forgotten
        CHECK(a.logon->sent == std::vector<message_id>{second, first});
        r.stop();
    }

    TEST_CASE("queue: a message the queue cannot set aside stays, is offered again after queue_retry, and is quarantined later")
    {
        memory_message_queue inner;
        failing_list_queue q{inner};
        rig r;
        r.options.max_attempts = 2;
        r.options.queue_retry = 5s;
        auto& a = transport_over(r, q);
        a.configure = [](fake_xp& x) { x.throw_now = [] { return true; }; };
        const message_id id = inner.submit(with_attachments("poison", {{"A", "x"}}));
        q.failing_quarantines = 1;
        auto& sp = r.start();
        CHECK(r.calls("a:submit") == 2);
        CHECK(sp.count(spooler_event::kind::quarantined) == 0);
        CHECK(sp.events().back().what == spooler_event::kind::requeued);
        CHECK(sp.events().back().code == scode::disk_error);
        CHECK(inner.contains(id));
        CHECK(sp.next_due() == std::optional<std::chrono::milliseconds>{r.clock.now() + 5s});
        r.advance(5s);  // one more attempt, which fails: set aside now
        CHECK(r.calls("a:submit") == 3);
        CHECK(sp.count(spooler_event::kind::quarantined) == 1);
        CHECK_FALSE(inner.contains(id));
        CHECK(inner.quarantined().count(id) == 1);
        r.advance(1h);
        CHECK(r.calls("a:submit") == 3);
        r.stop();
    }
}

} // namespace spooler_attachments_tests
