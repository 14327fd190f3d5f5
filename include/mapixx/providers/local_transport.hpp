// SPDX-License-Identifier: MIT
/// \file
/// `local_transport`: a transport provider that moves mail between users of one machine on
/// real files, with no server. Outbound, a recipient of address type "LOCAL" gets the message
/// in the Inbox of their mailbox, a Maildir++ directory that `maildir_store` reads. Inbound,
/// message files dropped into a drop directory become new mail in the session's Inbox
/// (docs/local-transport.md).
#ifndef MAPIXX_PROVIDERS_LOCAL_TRANSPORT_HPP_INCLUDED
#define MAPIXX_PROVIDERS_LOCAL_TRANSPORT_HPP_INCLUDED

#include <mapixx/core/error_info.hpp>
#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/profile/detail/atomic_file.hpp>
#include <mapixx/provider/message.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_context.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/providers/detail/rfc5322.hpp>
#include <mapixx/providers/maildir_store.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace mapixx::inline v0 {

/// The provider property that holds the directory of the local mailboxes of a
/// `local_transport` (PT_UNICODE, provider-private id 0x6621): one Maildir++ directory per
/// local user, named after the user (`ROOT/alice`). Read from the provider's profile section,
/// or from its message service's section when the provider section has none. Required.
inline constexpr prop_tag local_mailboxes_tag{0x6621, prop_type::unicode};

/// The provider property that holds the drop directory of a `local_transport` (PT_UNICODE,
/// provider-private id 0x6622): message files put there become new mail in the session's
/// Inbox. Optional: without it the transport only sends.
inline constexpr prop_tag local_drop_tag{0x6622, prop_type::unicode};

/// The address type a `local_transport` takes (PR_ADDRTYPE); PR_EMAIL_ADDRESS is the user name.
inline constexpr std::string_view local_address_type = "LOCAL";

namespace detail::local {

inline constexpr const char* component = "mapixx.local_transport";

/// True if `name` can be a local user: not empty, at most 255 bytes, no `/`, no NUL, no line
/// break, and not starting with a dot (so never "." or ".." and never a Maildir++ folder).
inline bool valid_user(std::string_view name) noexcept {
    if (name.empty() || name.size() > 255 || name.front() == '.') return false;
    return std::none_of(name.begin(), name.end(), [](char c) { return c == '/' || c == '\0' || c == '\n' || c == '\r'; });
}

/// True if `path` is a directory.
inline bool is_directory(const std::string& path) noexcept {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

/// `path` made absolute against `base` when it is relative and `base` is not empty.
inline std::string resolve(std::string_view path, const std::string& base) {
    if (path.empty() || path.front() == '/' || base.empty()) return std::string(path);
    return join_path(base, std::string(path));
}

/// The names of the regular files of `dir` that do not start with a dot, sorted (Maildir
/// names start with the delivery time, so this is oldest first).
inline std::vector<std::string> regular_files(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code ec2;
        if (name.empty() || name.front() == '.' || !it->is_regular_file(ec2)) continue;
        out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// The inbound drop directory: files are taken from `new/` (and from the directory itself),
/// claimed by a rename into `cur/` while the spooler delivers them, and set aside in
/// `quarantine/` (with a `NAME.error` file saying why) when they are not messages.
class drop_directory {
public:
    explicit drop_directory(std::string root) : root_(std::move(root)) {}

    [[nodiscard]] const std::string& root() const noexcept { return root_; }
    [[nodiscard]] std::string new_dir() const { return join_path(root_, "new"); }
    [[nodiscard]] std::string claimed_dir() const { return join_path(root_, "cur"); }
    [[nodiscard]] std::string quarantine_dir() const { return join_path(root_, "quarantine"); }

    /// Creates the subdirectories, and offers again every file a previous logon claimed but
    /// did not see delivered (it moves back into `new/`; at most this one message can arrive
    /// twice, with the same Message-ID).
    result<void> prepare() {
        for (const char* sub : {"new", "tmp", "cur", "quarantine"}) {
            if (auto r = make_private_directories(join_path(root_, sub)); !r) return r;
        }
        for (const auto& name : regular_files(claimed_dir())) {
            if (auto r = maildir::rename_file(join_path(claimed_dir(), name), join_path(new_dir(), name)); !r) return r;
        }
        return sync_directory(new_dir());
    }

    /// The files waiting, oldest first: `new/` first, then the drop directory itself. Each is
    /// a path relative to the root.
    [[nodiscard]] std::vector<std::string> waiting() const {
        std::vector<std::string> out;
        for (auto& n : regular_files(new_dir())) out.push_back("new/" + n);
        for (auto& n : regular_files(root_)) out.push_back(std::move(n));
        return out;
    }

private:
    std::string root_;
};

/// The Message-ID of a dropped file that has none: fixed by its name, so that a file offered
/// twice (after a crash) arrives twice with the same id and can be recognised.
inline std::string drop_message_id(std::string_view name) {
    std::string id = "<drop.";
    for (char c : name) id += (c == '<' || c == '>' || c == '@' || c == ' ') ? '_' : c;
    return id + "@mapixx.local>";
}

} // namespace detail::local

/// One session's logon to the local transport (IXPLogon). Outbound: `submit_message` writes
/// the message, attachments included, into the Inbox of every LOCAL recipient it owns. Inbound
/// (with a drop directory): `poll` says whether files are waiting and `start_message` turns
/// one into an inbound message, which the spooler files in the session's Inbox.
///
/// Nothing is lost:
/// - a message is delivered to a recipient at most once per Inbox: each delivery carries the
///   message's PR_INTERNET_MESSAGE_ID, and a recipient whose Inbox already has that id is
///   counted as delivered (so a message resent after a crash does not arrive twice);
/// - a delivery that fails (disk full, a damaged mailbox) returns `network_error` with a retry
///   delay: the message stays queued and is sent later, or by the next session;
/// - a recipient with no mailbox gets a non-delivery report saying so: MAPI_E_CANCEL when no
///   recipient has one; otherwise the others are delivered and the unknown ones are marked
///   undeliverable (`submit_context::mark_undeliverable`), so one submission settles them all;
/// - a dropped file is claimed by a rename into `cur/` and removed only once the spooler says
///   the session's store took the message (`inbound_outcome`); a message the store refused goes
///   back into `new/`, to be offered again at the next poll or by the next session; a logon
///   finds files a crashed process had claimed and offers them again;
/// - a dropped file that is not a message moves into `quarantine/` beside a `NAME.error` file
///   with the reason; the status row says how many were set aside.
class local_transport_logon final : public transport_logon {
public:
    /// A logon delivering into the mailboxes under `mailboxes`, taking mail from `drop` (none:
    /// outbound only). `support` outlives the logon.
    local_transport_logon(spooler_support& support, std::string mailboxes, std::optional<std::string> drop,
                          std::string display_name)
        : transport_logon(support), mailboxes_(std::move(mailboxes)), display_name_(std::move(display_name)) {
        if (drop) drop_.emplace(std::move(*drop));
    }

    /// The directory holding one mailbox per local user.
    [[nodiscard]] const std::string& mailboxes() const noexcept { return mailboxes_; }
    /// The mailbox (Maildir) of local user `user`.
    [[nodiscard]] std::string mailbox_of(std::string_view user) const { return detail::join_path(mailboxes_, std::string(user)); }
    /// The drop directory, if one is configured.
    [[nodiscard]] std::optional<std::string> drop_directory() const {
        return drop_ ? std::optional<std::string>(drop_->root()) : std::nullopt;
    }
    /// Messages written into a local Inbox by this logon (one per recipient).
    [[nodiscard]] std::size_t delivered() const noexcept { return delivered_; }
    /// Dropped files whose message this logon handed to the spooler and the store took.
    [[nodiscard]] std::size_t received() const noexcept { return received_; }
    /// Dropped files this logon set aside in quarantine, one sentence each.
    [[nodiscard]] const std::vector<error_info>& quarantined() const noexcept { return quarantined_; }

    /// Prepares the drop directory (see `detail::local::drop_directory::prepare`).
    result<void> prepare() {
        if (drop_) return drop_->prepare();
        return {};
    }

    /// Dropped files the session's store refused; they went back to the drop directory.
    [[nodiscard]] std::size_t refused() const noexcept { return refused_; }

    /// LOGON_SP_POLL with a drop directory; nothing without one.
    [[nodiscard]] transport_logon_flags logon_flags() const override {
        transport_logon_flags f;
        if (drop_) f |= transport_logon_flag::sp_poll;
        return f;
    }

    /// Address type "LOCAL".
    task<address_types_result> address_types() override {
        co_return address_types_result{{std::string(local_address_type)}, {}, false, false};
    }

    /// Clears the flush bits of the status row when the spooler ends a flush.
    task<result<void>> transport_notify(transport_notify_flags& flags, transport_notify_data data) override {
        static_cast<void>(data);
        status_codes done;
        if (flags.has(transport_notify::end_inbound_flush)) done |= status_code::inbound_flush;
        if (flags.has(transport_notify::end_outbound_flush)) done |= status_code::outbound_flush;
        if (!done.empty() && support().status().any_of(done)) {
            co_return support().update_status_code({}, done);
        }
        co_return result<void>{};
    }

    /// Delivers to the recipients this transport owns (PR_RESPONSIBILITY = FALSE).
    task<submit_result> submit_message(submit_context& ctx) override {
        ctx.message_ref = ++last_ref_;
        finish_claim();
        auto& props = ctx.message.props;
        if (!props.contains(pr::internet_message_id)) {
            // A stable id for the retries: kept in the queued message by save_changes().
            (void)props.set(pr::internet_message_id, "<" + detail::maildir::unique_name() + "@mapixx.local>");
            ctx.save_changes();
        }
        const std::string message_id(props.get_string(pr::internet_message_id).value_or(""));
        std::vector<std::size_t> known, unknown;
        for (std::size_t k = 0; k < ctx.message.recipients.size(); ++k) {
            const auto& r = ctx.message.recipients[k];
            if (r.get_bool(pr::responsibility).value_or(false)) continue;
            const std::string_view user = r.get_string(pr::email_address).value_or("");
            if (detail::local::valid_user(user) && detail::local::is_directory(mailbox_of(user))) {
                known.push_back(k);
            } else {
                unknown.push_back(k);
            }
        }
        if (known.empty()) {
            // Nobody here has a mailbox: the spooler reports these recipients undeliverable.
            for (std::size_t k : unknown) (void)ctx.message.recipients[k].set(pr::report_text, unknown_reason(ctx.message.recipients[k]));
            co_return submit_result{scode::cancel, ctx.message_ref, 0};
        }
        const message_content copy = inbox_copy(ctx.message);
        for (std::size_t k : known) {
            const std::string user(ctx.message.recipients[k].get_string(pr::email_address).value_or(""));
            if (auto r = deliver(user, message_id, copy); !r) {
                set_status_string("Last delivery to " + user + " failed: " + r.info().message);
                co_return submit_result{scode::network_error, ctx.message_ref, retry_seconds};
            }
        }
        // The known ones have it; the unknown ones get a report from the spooler.
        for (std::size_t k : unknown) (void)ctx.mark_undeliverable(k, unknown_reason(ctx.message.recipients[k]));
        co_return submit_result{scode::success, ctx.message_ref, 0};
    }

    /// True if files wait in the drop directory.
    task<bool> poll() override {
        finish_claim();
        co_return drop_ && !drop_->waiting().empty();
    }

    /// Takes the oldest dropped file that is a message; files that are not go to quarantine.
    task<result<void>> start_message(inbound_message& msg) override {
        finish_claim();
        if (!drop_) co_return result<void>{};
        for (const std::string& rel : drop_->waiting()) {
            const std::string from = detail::join_path(drop_->root(), rel);
            const std::string name = std::filesystem::path(rel).filename().string();
            const std::string claimed = detail::join_path(drop_->claimed_dir(), name);
            if (::rename(from.c_str(), claimed.c_str()) != 0) {
                const int err = errno;
                if (err == ENOENT) continue;  // another reader took it
                co_return detail::system_failure(err, "claiming the dropped file \"" + from + "\"");
            }
            std::string text;
            failure why;
            const auto status = detail::read_whole_file(claimed, text, &why);
            if (status == detail::read_status::absent) continue;
            if (status == detail::read_status::failed) {
                quarantine(name, "cannot be read: " + why.info.message);
                continue;
            }
            detail::maildir::read_problem problem;
            auto parts = detail::maildir::read_message(text, problem);
            if (!parts) {
                std::string what = "is not a message";
                if (problem.line > 0) what += " (line " + std::to_string(problem.line) + ")";
                quarantine(name, what + ": " + problem.what);
                continue;
            }
            msg.props = std::move(parts->props);
            msg.recipients = std::move(parts->recipients);
            msg.attachments = std::move(parts->attachments);
            msg.message_ref = ++last_in_ref_;
            if (last_in_ref_ == 0) msg.message_ref = last_in_ref_ = 1;
            if (!msg.props.contains(pr::internet_message_id)) {
                (void)msg.props.set(pr::internet_message_id, detail::local::drop_message_id(name));
            }
            if (!msg.props.contains(pr::message_class)) (void)msg.props.set(pr::message_class, std::string("IPM.Note"));
            (void)msg.props.set(pr::message_flags, attachment_flag(msg.attachments));
            (void)msg.props.set(pr::message_delivery_time, filetime::now());
            msg.save_changes();
            claim_ = claimed;
            claim_ref_ = msg.message_ref;
            co_return result<void>{};
        }
        co_return result<void>{};
    }

    /// The session's store took the message of the claimed file (the file is removed) or
    /// refused it (the file goes back into `new/`, to be offered again; if that rename fails it
    /// stays in `cur/`, which the next logon offers again).
    task<void> inbound_outcome(std::uint32_t message_ref, result<void> stored) override {
        if (!claim_ || message_ref != claim_ref_) co_return;
        if (stored) {
            finish_claim();
            co_return;
        }
        const std::string path = std::exchange(claim_, std::nullopt).value();
        const std::string name = std::filesystem::path(path).filename().string();
        ++refused_;
        if (detail::maildir::rename_file(path, detail::join_path(drop_->new_dir(), name))) {
            (void)detail::sync_directory(drop_->new_dir());
        }
        set_status_string("The session's store refused the dropped file \"" + name + "\" (" + stored.info().message +
                          "); it stays in the drop directory");
        co_return;
    }

    /// Removes the last claimed file if the spooler never said what became of its message (a
    /// host that does not call `inbound_outcome`: the message was taken).
    task<void> logoff() override {
        finish_claim();
        co_return;
    }

    /// How long the spooler waits before it retries a failed delivery, in seconds.
    static constexpr std::uint32_t retry_seconds = 60;

private:
    /// PR_MESSAGE_FLAGS of a newly delivered (unread) message with `attachments`.
    [[nodiscard]] static std::int32_t attachment_flag(const std::vector<property_bag>& attachments) noexcept {
        return attachments.empty() ? std::int32_t{0} : msgflag::has_attach;
    }

    /// PR_REPORT_TEXT for a recipient with no local mailbox.
    [[nodiscard]] static std::string unknown_reason(const property_bag& row) {
        const std::string user(row.get_string(pr::email_address).value_or(""));
        if (!detail::local::valid_user(user)) return "\"" + user + "\" cannot be the name of a local user";
        return "there is no local mailbox named \"" + user + "\"";
    }

    /// The message as a recipient's Inbox gets it: unread, delivered now, with its attachment
    /// rows (MSGFLAG_HASATTACH when there are any), without the Bcc rows and the sender's own
    /// bookkeeping.
    static message_content inbox_copy(const outbound_message& m) {
        message_content c;
        c.props = m.props;
        for (prop_tag t : {pr::responsibility, pr::delete_after_submit, pr::sentmail_entryid}) c.props.erase(t);
        c.attachments = m.attachments;
        (void)c.props.set(pr::message_flags, attachment_flag(c.attachments));
        (void)c.props.set(pr::message_delivery_time, filetime::now());
        if (!c.props.contains(pr::message_class)) (void)c.props.set(pr::message_class, std::string("IPM.Note"));
        for (const auto& r : m.recipients) {
            if (r.get_i4(pr::recipient_type).value_or(1) == 3) continue;  // MAPI_BCC
            property_bag row = r;
            row.erase(pr::responsibility);
            c.recipients.push_back(std::move(row));
        }
        return c;
    }

    /// Writes `copy` into `user`'s Inbox unless it already holds `message_id`.
    result<void> deliver(const std::string& user, const std::string& message_id, const message_content& copy) {
        auto it = mailboxes_open_.find(user);
        if (it == mailboxes_open_.end()) {
            auto state = detail::maildir::open_state(mailbox_of(user));
            if (!state) return std::move(state).as_failure();
            mailbox box{std::move(*state), {}};
            {
                std::lock_guard guard(box.state->mutex);
                auto inbox = box.state->list(standard_folder::inbox);
                if (!inbox) return std::move(inbox).as_failure();
                for (const auto& m : *inbox) {
                    if (auto id = m.props.get_string(pr::internet_message_id)) box.ids.emplace(*id);
                }
            }
            it = mailboxes_open_.emplace(user, std::move(box)).first;
        }
        mailbox& box = it->second;
        if (!message_id.empty() && box.ids.contains(message_id)) return {};  // delivered before
        {
            std::lock_guard guard(box.state->mutex);
            auto r = box.state->create(standard_folder::inbox, copy);
            if (!r) {
                mailboxes_open_.erase(it);  // read the mailbox again next time
                return std::move(r).as_failure();
            }
        }
        box.ids.insert(message_id);
        ++delivered_;
        return {};
    }

    /// Moves a dropped file into quarantine with a `NAME.error` file beside it.
    void quarantine(const std::string& name, const std::string& what) {
        const std::string target = detail::join_path(drop_->quarantine_dir(), name);
        const std::string sentence = "the dropped file \"" + name + "\" " + what + "; it was moved to \"" + target +
                                     "\" and not delivered";
        if (detail::maildir::rename_file(detail::join_path(drop_->claimed_dir(), name), target)) {
            (void)detail::sync_directory(drop_->quarantine_dir());
            (void)detail::replace_file_atomically(drop_->quarantine_dir(), name + ".error", sentence + "\n");
        }
        quarantined_.push_back(error_info{detail::local::component, sentence, 0, 0, 0});
        set_status_string(std::to_string(quarantined_.size()) + " dropped file(s) set aside in quarantine; last: " +
                          sentence);
    }

    /// Removes the file whose message the spooler took since the last call (normally done by
    /// `inbound_outcome`; this covers a host that does not call it).
    void finish_claim() {
        if (!claim_) return;
        ++received_;
        const std::string path = std::exchange(claim_, std::nullopt).value();
        const auto slash = path.rfind('/');
        (void)detail::remove_file_durably(path.substr(0, slash), path.substr(slash + 1));
    }

    void set_status_string(const std::string& s) {
        property_bag row;
        (void)row.set(pr::status_string, s);
        (void)support().modify_status_row(row, true);
    }

    struct mailbox {
        std::shared_ptr<detail::maildir::store_state> state;
        std::set<std::string, std::less<>> ids;  // Message-IDs in its Inbox
    };

    std::string mailboxes_;
    std::optional<detail::local::drop_directory> drop_;
    std::string display_name_;
    std::map<std::string, mailbox, std::less<>> mailboxes_open_;
    std::optional<std::string> claim_;
    std::uint32_t claim_ref_ = 0;
    std::vector<error_info> quarantined_;
    std::uint32_t last_ref_ = 0;
    std::uint32_t last_in_ref_ = 0;
    std::size_t delivered_ = 0;
    std::size_t received_ = 0;
    std::size_t refused_ = 0;
};

/// The local transport provider (DLL name "mxxlocal" in the bundled MAPISVC.INF). Its profile
/// section (or its service's section) names the mailbox directory (`local_mailboxes_tag`,
/// required: without it logon answers `unconfigured`) and the drop directory
/// (`local_drop_tag`, optional). A relative path is taken relative to the `base_directory`
/// given to the constructor (the current directory when it is empty). The mailbox directory
/// and the drop directory are created when missing; a user's mailbox is not: a local user
/// exists when their directory does.
///
/// Set STATUS_OWN_STORE on its profile entry to let a MAPI_NO_MAIL (service) session send
/// through it (rule 22).
///
/// \code
/// providers.add_transport("mxxlocal", [] { return std::make_unique<local_transport>(); });
/// // provider section: local_mailboxes_tag = "/var/mail/mapixx", local_drop_tag = "/var/mail/drop"
/// // a recipient row: PR_ADDRTYPE = "LOCAL", PR_EMAIL_ADDRESS = "alice"
/// \endcode
class local_transport final : public transport_provider {
public:
    /// A provider resolving relative paths against `base_directory`.
    explicit local_transport(std::string base_directory = {}) : base_(std::move(base_directory)) {}

    /// No limit on sessions.
    [[nodiscard]] std::size_t max_sessions() const override { return 0; }

    /// Reads the paths from the profile, creates the directories and publishes the status row.
    task<result<std::unique_ptr<transport_logon>>> logon(provider_context& ctx) override {
        if (ctx.spooler == nullptr) {
            co_return fail(scode::invalid_parameter, "the local transport was logged on without a spooler support",
                           detail::local::component);
        }
        auto read = [&](prop_tag tag) -> std::optional<std::string> {
            std::optional<std::string_view> v = ctx.section.props().get_string(tag);
            if (!v || v->empty()) v = ctx.service_section.get_string(tag);
            if (!v || v->empty()) return std::nullopt;
            return detail::local::resolve(*v, base_);
        };
        std::optional<std::string> mailboxes = read(local_mailboxes_tag);
        if (!mailboxes) {
            co_return fail(scode::unconfigured,
                           "the local transport \"" + ctx.provider.display_name +
                               "\" has no mailbox directory: its profile section has no " + to_string(local_mailboxes_tag),
                           detail::local::component);
        }
        if (auto r = detail::make_private_directories(*mailboxes); !r) {
            co_return fail(scode::unconfigured, "the mailbox directory \"" + *mailboxes + "\" cannot be used: " + r.info().message,
                           detail::local::component);
        }
        std::string name = ctx.provider.display_name.empty() ? std::string("Local Delivery") : ctx.provider.display_name;
        auto logon = std::make_unique<local_transport_logon>(*ctx.spooler, *mailboxes, read(local_drop_tag), name);
        if (auto r = logon->prepare(); !r) {
            co_return fail(scode::unconfigured,
                           "the drop directory \"" + logon->drop_directory().value_or("") +
                               "\" cannot be used: " + r.info().message,
                           detail::local::component);
        }
        property_bag row;
        (void)row.set(pr::display_name, name);
        (void)row.set(pr::status_code, static_cast<std::int32_t>(status_code::available));
        (void)row.set(pr::status_string, std::string("Available"));
        (void)ctx.spooler->modify_status_row(row, true);
        co_return std::unique_ptr<transport_logon>(std::move(logon));
    }

private:
    std::string base_;
};

} // namespace mapixx::inline v0

#endif
