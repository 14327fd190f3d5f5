// SPDX-License-Identifier: MIT
// `mapixx logon` and `mapixx spool`: a real logon through the library, with the providers the
// tool has built in (mxxstore: the Maildir store, mxxlocal: the local transport), the logon
// report and the status table; and a spooler run that submits messages to local users and
// flushes them with a progress line. With --json, each prints one object at the end instead.
#ifndef MAPIXX_TOOLS_MAIL_CMD_HPP_INCLUDED
#define MAPIXX_TOOLS_MAIL_CMD_HPP_INCLUDED

#include "cli.hpp"
#include "context.hpp"
#include "output.hpp"

#include <mapixx/core/core.hpp>
#include <mapixx/core/flag_parse.hpp>
#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/profile/file_profile_store.hpp>
#include <mapixx/provider/provider_registry.hpp>
#include <mapixx/providers/local_transport.hpp>
#include <mapixx/providers/maildir_store.hpp>
#if __has_include(<mapixx/providers/smtp/transport.hpp>)
#include <mapixx/providers/smtp/transport.hpp>
#define MAPIXX_TOOL_HAS_SMTP 1
#endif
#include <mapixx/session/logon.hpp>
#include <mapixx/session/session.hpp>
#include <mapixx/session/status_table.hpp>
#include <mapixx/session/subsystem.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace mapixx_tool {

// ---- the built-in providers ---------------------------------------------------------------------

// The Maildir store with its path taken relative to the profile store's directory when the
// profile gives a relative one (the bundled MAPISVC.INF says "mailbox").
class tool_maildir_store final : public mapixx::store_provider {
public:
    explicit tool_maildir_store(std::string base) : base_(std::move(base)) {}
    [[nodiscard]] std::size_t max_sessions() const override { return inner_.max_sessions(); }

    mapixx::task<mapixx::result<std::unique_ptr<mapixx::store_logon>>> logon(mapixx::provider_context& ctx) override {
        mapixx::property_bag section = ctx.section.props();
        mapixx::property_bag service = ctx.service_section;
        absolute(section);
        absolute(service);
        mapixx::provider_context inner{ctx.profile_name,   ctx.service,     ctx.provider,   mapixx::logon_section(section),
                                       service,            ctx.dialog_allowed, ctx.service_process, ctx.credential,
                                       ctx.attempt,        ctx.ui_param,    ctx.support,    ctx.spooler};
        co_return co_await inner_.logon(inner);
    }

private:
    void absolute(mapixx::property_bag& bag) const {
        auto path = bag.get_string(mapixx::maildir_path_tag);
        if (path && !path->empty() && path->front() != '/') {
            (void)bag.set(mapixx::maildir_path_tag, mapixx::detail::join_path(base_, std::string(*path)));
        }
    }
    mapixx::maildir_store inner_;
    std::string base_;
};

// The provider registry of the tool: mxxstore and mxxlocal, relative paths taken from `base`,
// and mxxsmtp when the library has the SMTP transport.
inline void register_builtin_providers(mapixx::provider_registry& reg, const std::string& base) {
    reg.add_store("mxxstore", [base] { return std::make_unique<tool_maildir_store>(base); });
    reg.add_transport("mxxlocal", [base] { return std::make_unique<mapixx::local_transport>(base); });
#ifdef MAPIXX_TOOL_HAS_SMTP
    reg.add_transport("mxxsmtp", [] { return std::make_unique<mapixx::smtp_transport>(); });
#endif
}

// ---- logon ---------------------------------------------------------------------------------------

// Everything one tool logon holds, in the order it must be torn down (session first).
struct tool_logon {
    std::unique_ptr<mapixx::file_profile_store> store;
    mapixx::provider_registry providers;
    std::optional<mapixx::subsystem> mapi;
    std::optional<mapixx::session> session;
    std::string store_dir;
    mapixx::init_flags init_flags{};    // what the subsystem was initialised with
    mapixx::logon_flags logon_flags{};  // what the logon asked for

    tool_logon() = default;
    tool_logon(const tool_logon&) = delete;
    tool_logon& operator=(const tool_logon&) = delete;
    ~tool_logon() {
        session.reset();
        mapi.reset();
    }
};

struct logon_choice {
    std::optional<std::string> profile;
    std::optional<std::string> flags_text;
    bool service = false;
};

// The flags of a logon: --flags, or the defaults (service_logon_flags with --service, else
// MAPI_EXTENDED | MAPI_NEW_SESSION with MAPI_EXPLICIT_PROFILE or MAPI_USE_DEFAULT).
inline mapixx::result<mapixx::logon_flags> choose_flags(const logon_choice& c) {
    using namespace mapixx;
    if (c.flags_text) return parse_flags<logon_flag>(*c.flags_text);
    if (c.service) {
        logon_flags f = service_logon_flags;
        if (!c.profile) f = f.without(logon_flag::explicit_profile) | logon_flag::use_default;
        return f;
    }
    logon_flags f = logon_flag::extended | logon_flag::new_session;
    f |= c.profile ? logon_flags(logon_flag::explicit_profile) : logon_flags(logon_flag::use_default);
    return f;
}

// Initialises (service mode with --service) and logs on. Prints what it does when `out`.
// Returns 0, or the exit status after printing the failure.
inline int do_logon(tool_context& ctx, const logon_choice& c, tool_logon& t, std::ostream* out) {
    using namespace mapixx;
    auto dir = ctx.store_directory();
    if (!dir) return report_failure(dir);
    t.store_dir = *dir;
    auto flags = choose_flags(c);
    if (!flags) {
        return usage_error("--flags: " + flags.info().message + "; see 'mapixx flags logon --help'");
    }
    t.store = open_store(*dir);
    register_builtin_providers(t.providers, *dir);
    init_options o;
    o.profiles = t.store.get();
    o.providers = &t.providers;
    if (c.service) o.flags = init_flag::nt_service;
    t.init_flags = o.flags;
    t.logon_flags = *flags;
    if (out) {
        *out << "initialise: " << (c.service ? "MAPI_NT_SERVICE (service mode)" : "0 (client mode)")
             << ", profile store " << *dir << "\n";
        *out << "logon: profile " << (c.profile ? "\"" + *c.profile + "\"" : std::string("(the default)")) << ", flags "
             << to_string(*flags) << "\n";
    }
    auto mapi = initialize(o);
    if (!mapi) return report_failure(mapi);
    t.mapi.emplace(std::move(*mapi));
    logon_request req;
    if (c.profile) req.profile = *c.profile;
    req.flags = runtime_flags(*flags);
    auto s = sync_wait(t.mapi->logon(req));
    if (!s) return report_failure(s);
    t.session.emplace(std::move(*s));
    return exit_ok;
}

// The report: the resolution steps, then one line per service and provider.
inline void print_report(std::ostream& out, const mapixx::logon_report& r, bool trace) {
    out << "\nresolution steps:\n";
    for (std::size_t i = 0; i < r.steps.size(); ++i) out << "  " << (i + 1) << ". " << r.steps[i] << "\n";
    out << "\nlogon report:\n";
    std::string text = mapixx::to_string(r, false);
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t eol = text.find('\n', start);
        out << "  " << text.substr(start, eol - start) << "\n";
        start = eol == std::string::npos ? text.size() : eol + 1;
    }
    if (!trace) return;
    for (const auto& s : r.services) {
        for (const auto& p : s.providers) {
            if (!p.sentence.empty()) out << "  " << p.display_name << ": " << p.sentence << "\n";
            for (const auto& a : p.attempts) {
                out << "    attempt " << a.number << ": " << mapixx::to_string(a.code);
                if (!a.message.empty()) out << " (" << a.message << ")";
                out << "\n";
            }
        }
    }
}

// The columns of one status table row that the tool shows.
struct status_row {
    std::string type;  // "MAPI_SPOOLER"
    std::string display_name;
    std::string dll_name;
    mapixx::status_codes status{};
    std::string status_string;
};

inline status_row read_status_row(const mapixx::property_bag& row) {
    using namespace mapixx;
    const auto type = static_cast<resource_type>(row.get_i4(pr::resource_type).value_or(0));
    return {resource_type_text(type), std::string(row.get_string(pr::display_name).value_or("")),
            std::string(row.get_string(pr::provider_dll_name).value_or("")),
            status_codes::from_bits_unchecked(static_cast<std::uint32_t>(row.get_i4(pr::status_code).value_or(0))),
            std::string(row.get_string(pr::status_string).value_or(""))};
}

// The status table, one row per line.
inline void print_status_table(std::ostream& out, const mapixx::session& s) {
    out << "\nstatus table:\n";
    auto rows = s.status_table();
    if (!rows) {
        out << "  (unavailable: " << rows.info().message << ")\n";
        return;
    }
    table t({"ROW", "TYPE", "DISPLAY NAME", "DLL", "STATUS", "STATUS STRING"});
    for (std::size_t i = 0; i < rows->size(); ++i) {
        const status_row r = read_status_row((*rows)[i]);
        t.add({std::to_string(i), r.type, r.display_name, r.dll_name, flag_text(r.status), r.status_string});
    }
    t.print(out, "  ");
}

// ---- JSON of a logon -----------------------------------------------------------------------------

// "logged_on", "disabled", "not_started", "skipped".
inline std::string_view outcome_key(mapixx::provider_outcome o) {
    switch (o) {
    case mapixx::provider_outcome::logged_on: return "logged_on";
    case mapixx::provider_outcome::disabled: return "disabled";
    case mapixx::provider_outcome::not_started: return "not_started";
    case mapixx::provider_outcome::skipped: return "skipped";
    }
    return "unknown";
}

// The members that say what was asked for: the store, the mode, the initialise and logon
// flags and the requested profile (null for the default profile).
inline void json_request(json_writer& j, const logon_choice& c, const tool_logon& t) {
    j.member("store", t.store_dir).member("mode", c.service ? "service" : "client").key("init_flags");
    json_flags(j, t.init_flags);
    j.key("profile").optional_string(c.profile).key("flags");
    json_flags(j, t.logon_flags);
}

// "steps" and "report": the resolution steps and everything the logon report holds (the
// provider sentences and attempts too, which the text shows only with --trace).
inline void json_report(json_writer& j, const mapixx::logon_report& r) {
    j.key("steps").begin_array();
    for (const auto& step : r.steps) j.string(step);
    j.end_array();
    j.key("report").begin_object().member("profile", r.profile_name).key("flags");
    json_flags(j, r.flags);
    j.member("joined_shared", r.joined_shared)
        .member("shared", r.shared)
        .member("no_mail", r.no_mail)
        .member("force_download", r.force_download)
        .key("services")
        .begin_array();
    for (const auto& s : r.services) {
        j.begin_object()
            .member("name", s.name)
            .member("display_name", s.display_name)
            .member("dll_name", s.dll_name)
            .member("uid", s.service_uid.to_string())
            .member("disabled", s.disabled)
            .key("code");
        json_scode(j, s.code);
        j.member("retried", s.retried)
            .member("prompted", s.prompted)
            .member("configured", s.configured)
            .member("sentence", s.sentence)
            .key("providers")
            .begin_array();
        for (const auto& p : s.providers) {
            j.begin_object()
                .member("display_name", p.display_name)
                .member("dll_name", p.dll_name)
                .member("type", resource_type_text(p.type))
                .member("uid", p.provider_uid.to_string())
                .member("outcome", outcome_key(p.outcome))
                .key("code");
            json_scode(j, p.code);
            j.member("retried", p.retried)
                .member("prompted", p.prompted)
                .member("configured", p.configured)
                .member("sentence", p.sentence)
                .key("attempts")
                .begin_array();
            for (const auto& a : p.attempts) {
                j.begin_object().key("number").number(a.number).key("code");
                json_scode(j, a.code);
                j.member("message", a.message).end_object();
            }
            j.end_array().end_object();
        }
        j.end_array().end_object();
    }
    j.end_array().end_object();
}

// "status_table": one object per row; null, with "status_table_error", when the session could
// not give it.
inline void json_status_table(json_writer& j, const mapixx::session& s) {
    auto rows = s.status_table();
    if (!rows) {
        j.key("status_table").null().key("status_table_error");
        json_failure(j, rows.code(), rows.info());
        return;
    }
    j.key("status_table").begin_array();
    for (std::size_t i = 0; i < rows->size(); ++i) {
        const status_row r = read_status_row((*rows)[i]);
        j.begin_object()
            .member("row", i)
            .member("type", r.type)
            .member("display_name", r.display_name)
            .member("dll_name", r.dll_name)
            .key("status");
        json_flags(j, r.status);
        j.member("status_string", r.status_string).end_object();
    }
    j.end_array();
}

// "outcome": the exit status, that the session was logged off, and the error that makes the
// exit status 1 (null on success).
inline void json_outcome(json_writer& j, int exit_status, const mapixx::failure* error) {
    j.key("outcome").begin_object().key("exit_status").number(exit_status).member("logged_off", true).key("error");
    if (error != nullptr) {
        json_failure(j, error->code, error->info);
    } else {
        j.null();
    }
    j.end_object();
}

inline constexpr option_spec logon_specs[] = {
    {"--profile", true}, {"--flags", true}, {"--service", false}, {"--trace", false}};

inline constexpr std::string_view logon_help =
    "usage: mapixx logon [--profile NAME] [--flags FLAGS] [--service] [--trace]\n"
    "\n"
    "Logs on to a profile of the profile store through the library (MAPIInitialize and\n"
    "MAPILogonEx), with the providers built into the tool (mxxstore: the Maildir store, mxxlocal:\n"
    "the local transport), prints each resolution step, the logon report and the status table,\n"
    "and logs off. Relative paths in the profile are taken relative to the profile store.\n"
    "\n"
    "Options:\n"
    "  --profile NAME   the profile (default: the store's default profile, MAPI_USE_DEFAULT)\n"
    "  --flags FLAGS    the logon flags, as names (new_session,no_mail or MAPI_NO_MAIL|...) or a\n"
    "                   number (0x18032); default MAPI_EXTENDED|MAPI_NEW_SESSION and\n"
    "                   MAPI_EXPLICIT_PROFILE or MAPI_USE_DEFAULT\n"
    "  --service        initialise with MAPI_NT_SERVICE and log on with the service flags\n"
    "                   (MAPI_NT_SERVICE|MAPI_NO_MAIL|...): only a transport tightly coupled to\n"
    "                   its store (STATUS_OWN_STORE) runs\n"
    "  --trace          also print every provider's sentence and logon attempts\n"
    "\n"
    "With --json, prints one object instead: the request, the steps, the whole report (sentences\n"
    "and attempts included), the status table and the outcome (shape: docs/tool.md).\n"
    "\n"
    "Exit status: 0 logged on and off, 1 a MAPI error (its name, value and sentence go to\n"
    "standard error, also with --json), 2 bad usage.\n";

inline int run_logon(tool_context& ctx, std::span<const std::string_view> args) {
    parsed_args a;
    if (auto why = parse_args(args, logon_specs, ctx.globals(), a); !why.empty()) {
        return usage_error(why + "; see 'mapixx logon --help'");
    }
    if (a.help) {
        std::cout << logon_help << "\n" << global_options_help;
        return exit_ok;
    }
    if (!a.positional.empty()) return usage_error("logon takes no arguments; see 'mapixx logon --help'");
    const bool json = ctx.json();
    logon_choice c{a.value("--profile"), a.value("--flags"), a.has("--service")};
    tool_logon t;
    if (int rc = do_logon(ctx, c, t, json ? nullptr : &std::cout); rc != exit_ok) return rc;
    if (json) {
        json_writer j(std::cout);
        j.begin_object();
        json_request(j, c, t);
        json_report(j, t.session->report());
        json_status_table(j, *t.session);
        mapixx::sync_wait(t.session->logoff());
        json_outcome(j, exit_ok, nullptr);
        j.end_object().finish();
        return exit_ok;
    }
    print_report(std::cout, t.session->report(), a.has("--trace"));
    print_status_table(std::cout, *t.session);
    mapixx::sync_wait(t.session->logoff());
    std::cout << "\nlogged off\n";
    return exit_ok;
}

// ---- spool ---------------------------------------------------------------------------------------

// A progress display: a bar redrawn in place on a terminal, else a plain line every tenth.
class progress_line {
public:
    progress_line(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}
    void update(std::size_t done, std::size_t total) {
        if (total == 0) return;
        if (terminal_) {
            constexpr std::size_t width = 30;
            const std::size_t filled = done * width / total;
            out_ << "\r  sending [" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << done << "/"
                 << total << std::flush;
            if (done == total) out_ << "\n";
            return;
        }
        const std::size_t step = total >= 10 ? total / 10 : 1;
        if (done == total || (done > last_ && done / step != last_ / step)) {
            if (done == last_ && printed_) return;
            out_ << "  progress: " << done << "/" << total << " sent\n";
            printed_ = true;
        }
        last_ = done;
    }

private:
    std::ostream& out_;
    bool terminal_;
    std::size_t last_ = 0;
    bool printed_ = false;
};

// The message files in a Maildir's Inbox (new/ and cur/).
inline std::size_t inbox_files(const std::string& maildir) {
    std::size_t n = 0;
    for (const char* sub : {"/new", "/cur"}) {
        std::error_code ec;
        for (std::filesystem::directory_iterator it(maildir + sub, ec), end; !ec && it != end; it.increment(ec)) {
            std::error_code ec2;
            if (it->is_regular_file(ec2)) ++n;
        }
    }
    return n;
}

inline constexpr option_spec spool_specs[] = {{"--profile", true}, {"--service", false}, {"--flush", false},
                                              {"--submit", true},  {"--to", true},       {"--trace", false}};

inline constexpr std::string_view spool_help =
    "usage: mapixx spool [--profile NAME] [--service] [--flush] [--submit N] [--to USERS] [--trace]\n"
    "\n"
    "Logs on as 'mapixx logon' does, submits N messages to local users (address type LOCAL,\n"
    "delivered by the local transport into their mailboxes), runs the session's spooler, then\n"
    "prints the logon report, the status table and the delivered counts (checked against the\n"
    "files in each mailbox), and logs off. Inbound mail waiting in the local transport's drop\n"
    "directory is taken in as well.\n"
    "\n"
    "Options:\n"
    "  --profile NAME   the profile (default: the store's default profile)\n"
    "  --service        service mode: MAPI_NT_SERVICE and MAPI_NO_MAIL (the local transport must\n"
    "                   be tightly coupled to the store, STATUS_OWN_STORE, as MAPISVC.INF sets it)\n"
    "  --flush          FlushQueues (upload and download) with a progress line: a bar on a\n"
    "                   terminal, plain lines otherwise; without it the spooler runs its ready work\n"
    "  --submit N       submit N messages first (default 0)\n"
    "  --to USERS       the local users, comma-separated, the messages go to in turn (default\n"
    "                   alice,bob); their mailboxes are created under the local transport's\n"
    "                   mailbox directory when missing\n"
    "  --trace          also print every provider's sentence and logon attempts\n"
    "\n"
    "With --json, prints no progress and, at the end, one object: what 'mapixx logon --json'\n"
    "prints, then the users, the delivered counts and the outcome (shape: docs/tool.md).\n"
    "\n"
    "Exit status: 0 every message delivered or reported, 1 a MAPI error or messages left\n"
    "undelivered (with --json the object is printed too, its outcome saying why), 2 bad usage.\n";

inline int run_spool(tool_context& ctx, std::span<const std::string_view> args) {
    using namespace mapixx;
    parsed_args a;
    if (auto why = parse_args(args, spool_specs, ctx.globals(), a); !why.empty()) {
        return usage_error(why + "; see 'mapixx spool --help'");
    }
    if (a.help) {
        std::cout << spool_help << "\n" << global_options_help;
        return exit_ok;
    }
    if (!a.positional.empty()) return usage_error("spool takes no arguments; see 'mapixx spool --help'");
    const bool json = ctx.json();
    std::size_t count = 0;
    if (auto n = a.value("--submit")) {
        auto v = parse_u32(*n);
        if (!v || *v > 1000000) return usage_error("--submit takes a number from 0 to 1000000, not \"" + *n + "\"");
        count = *v;
    }
    std::vector<std::string> users;
    {
        const std::string list = a.value("--to").value_or("alice,bob");
        std::size_t start = 0;
        while (start <= list.size()) {
            const std::size_t comma = std::min(list.find(',', start), list.size());
            std::string u = list.substr(start, comma - start);
            if (!mapixx::detail::local::valid_user(u)) {
                return usage_error("--to: \"" + u + "\" cannot be a local user name (empty, a '/', or a leading '.')");
            }
            users.push_back(std::move(u));
            start = comma + 1;
        }
    }
    logon_choice c{a.value("--profile"), std::nullopt, a.has("--service")};
    tool_logon t;
    if (int rc = do_logon(ctx, c, t, json ? nullptr : &std::cout); rc != exit_ok) return rc;
    session& s = *t.session;

    // The local transport of the session gives the mailbox directory.
    std::shared_ptr<local_transport_logon> local;
    if (auto list = s.providers()) {
        for (const auto& p : *list) {
            if (auto l = std::dynamic_pointer_cast<local_transport_logon>(p.logon)) local = l;
        }
    }
    auto store = s.default_store();
    if (!store) return report_failure(store);
    if (!local) {
        return report_failure(fail(scode::not_found,
                                   "the session has no local transport (mxxlocal) logged on; see the logon report with "
                                   "'mapixx logon --trace'",
                                   "mapixx.tool"));
    }
    std::map<std::string, std::size_t> before;
    for (const auto& u : users) {
        if (auto r = mapixx::detail::make_private_directories(local->mailbox_of(u)); !r) return report_failure(r);
        before[u] = inbox_files(local->mailbox_of(u));
    }

    if (count > 0 && !json) {
        std::cout << "submitting " << count << " message(s) to " << a.value("--to").value_or("alice,bob") << "\n";
    }
    for (std::size_t i = 0; i < count; ++i) {
        const std::string& user = users[i % users.size()];
        property_bag props;
        (void)props.set(pr::subject, "mapixx spool message " + std::to_string(i + 1) + " of " + std::to_string(count));
        (void)props.set(pr::body, "Message " + std::to_string(i + 1) + " for " + user + ", sent by mapixx spool.\r\n");
        (void)props.set(pr::message_class, std::string("IPM.Note"));
        property_bag rcpt;
        (void)rcpt.set(pr::display_name, user);
        (void)rcpt.set(pr::addrtype, std::string(local_address_type));
        (void)rcpt.set(pr::email_address, user);
        (void)rcpt.set(pr::recipient_type, std::int32_t{1});
        auto id = (*store)->create_message(standard_folder::outbox, props, {rcpt});
        if (!id) return report_failure(id);
        if (auto r = s.submit_message(*id); !r) return report_failure(r);
    }

    const auto started = std::chrono::steady_clock::now();
    // The flush reports to these while the loop below runs the spooler.
    progress_line bar(std::cout, ::isatty(STDOUT_FILENO) == 1);
    if (a.has("--flush")) {
        if (!json) std::cout << "flushing the queues (upload and download)\n";
        auto progress = [&](const flush_progress& p) {
            if (p.queue == flush_queue::outbound && !json) bar.update(p.done, p.total);
        };
        auto started_flush = s.with_spooler([&](spooler& sp) {
            // FLUSH_ASYNC_OK: the flush goes on in the spooler, which the loop below runs.
            return sync_wait(sp.flush(flush_flag::upload | flush_flag::download | flush_flag::async_ok, progress)).code();
        });
        if (!started_flush) return report_failure(started_flush);
        if (*started_flush != scode::busy && *started_flush != scode::success) {
            return report_failure(fail(*started_flush, "FlushQueues failed", "mapixx.tool"));
        }
    }
    for (int i = 0; i < 1000; ++i) {
        auto n = s.spool();
        if (!n) return report_failure(n);
        if (*n == 0) break;
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);

    // What the spooler did, and what the mailboxes hold.
    std::size_t sent = 0, ndr = 0, received = 0, requeued = 0, quarantined = 0;
    (void)s.with_spooler([&](spooler& sp) {
        // count() counts every event since the start; events() keeps only the latest.
        sent = sp.count(spooler_event::kind::sent);
        ndr = sp.count(spooler_event::kind::ndr);
        received = sp.count(spooler_event::kind::received);
        requeued = sp.count(spooler_event::kind::requeued);
        quarantined = sp.count(spooler_event::kind::quarantined);
    });
    std::size_t waiting = 0;
    if (auto outbox = (*store)->messages(standard_folder::outbox)) {
        for (const auto& m : *outbox) {
            if ((m.props.get_i4(pr::message_flags).value_or(0) & msgflag::submit) != 0) ++waiting;
        }
    }
    struct user_count {
        std::string user;
        std::size_t delivered = 0;
        std::size_t inbox = 0;
        std::string mailbox;
    };
    std::vector<user_count> per_user;
    std::size_t total = 0;
    for (const auto& u : users) {
        const std::size_t now = inbox_files(local->mailbox_of(u));
        total += now - before[u];
        per_user.push_back({u, now - before[u], now, local->mailbox_of(u)});
    }
    std::optional<failure> left;
    if (waiting > 0) {
        left = fail(scode::network_error,
                    std::to_string(waiting) + " message(s) are still queued in the Outbox; they are kept and sent by a "
                    "later run (see the status table)",
                    "mapixx.tool");
    }
    if (json) {
        json_writer j(std::cout);
        j.begin_object();
        json_request(j, c, t);
        json_report(j, s.report());
        json_status_table(j, s);
        j.member("submitted", count).key("to").begin_array();
        for (const auto& u : users) j.string(u);
        j.end_array().member("flushed", a.has("--flush")).key("users").begin_array();
        for (const auto& u : per_user) {
            j.begin_object()
                .member("user", u.user)
                .member("delivered", u.delivered)
                .member("inbox_files", u.inbox)
                .member("mailbox", u.mailbox)
                .end_object();
        }
        j.end_array()
            .key("totals")
            .begin_object()
            .member("delivered", total)
            .member("sent", sent)
            .member("non_delivery_reports", ndr)
            .member("received", received)
            .member("still_queued", waiting)
            .member("set_aside", quarantined)
            .member("requeued", requeued)
            .end_object()
            .key("elapsed_ms")
            .number(static_cast<std::int64_t>(elapsed.count()));
        sync_wait(s.logoff());
        json_outcome(j, left ? exit_mapi_error : exit_ok, left ? &*left : nullptr);
        j.end_object().finish();
        return left ? report_failure(*left) : exit_ok;
    }

    print_report(std::cout, s.report(), a.has("--trace"));
    print_status_table(std::cout, s);
    std::cout << "\ndelivered:\n";
    table counts({"USER", "DELIVERED", "INBOX FILES", "MAILBOX"});
    for (const auto& u : per_user) {
        counts.add({u.user, std::to_string(u.delivered), std::to_string(u.inbox), u.mailbox});
    }
    counts.print(std::cout, "  ");
    std::cout << "  total: " << total << " delivered to local users, " << sent << " message(s) sent, " << ndr
              << " non-delivery report(s), " << received << " received from the drop directory, " << waiting
              << " still queued";
    if (quarantined > 0) std::cout << ", " << quarantined << " set aside";
    std::cout << " (" << elapsed.count() << " ms)\n";
    if (requeued > 0) std::cout << "  " << requeued << " attempt(s) will be retried later\n";
    sync_wait(s.logoff());
    std::cout << "\nlogged off\n";
    return left ? report_failure(*left) : exit_ok;
}

} // namespace mapixx_tool

#endif
