// SPDX-License-Identifier: MIT
// Test helpers for the provider and session layers: scriptable fake providers, a scripted
// ui_handler that records its calls, a profile builder, and a test world (profile store,
// provider registry, subsystem) with a check that everything was released.
#ifndef MAPIXX_TESTS_SUPPORT_SESSION_FAKES_HPP_INCLUDED
#define MAPIXX_TESTS_SUPPORT_SESSION_FAKES_HPP_INCLUDED

#include <mapixx/coro/sync_wait.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/profile/memory_profile_store.hpp>
#include <mapixx/profile/profile.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/provider_registry.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/session/logon.hpp>
#include <mapixx/session/session.hpp>
#include <mapixx/session/subsystem.hpp>
#include <mapixx/session/ui_handler.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace mapixx_test {

using namespace mapixx;

/// A shared, thread-safe log of events ("logon MXXAB", "logoff MXXSTORE", "ui choose_profile").
class event_log {
public:
    void add(std::string e) {
        std::lock_guard g(m_);
        events_.push_back(std::move(e));
    }
    [[nodiscard]] std::vector<std::string> events() const {
        std::lock_guard g(m_);
        return events_;
    }
    /// The events that start with `prefix`.
    [[nodiscard]] std::vector<std::string> with_prefix(const std::string& prefix) const {
        std::lock_guard g(m_);
        std::vector<std::string> out;
        for (const auto& e : events_) {
            if (e.rfind(prefix, 0) == 0) out.push_back(e);
        }
        return out;
    }
    void clear() {
        std::lock_guard g(m_);
        events_.clear();
    }

private:
    mutable std::mutex m_;
    std::vector<std::string> events_;
};

/// What a fake provider's logon does on one call.
struct fake_step {
    enum class kind { succeed, fail, throw_exception, throw_other };
    kind what = kind::succeed;
    scode code = scode::success;
    std::string message;

    static fake_step ok() { return {}; }
    static fake_step error(scode c, std::string m = {}) { return {kind::fail, c, m.empty() ? "scripted failure" : m}; }
    static fake_step exception(std::string m = "scripted exception") { return {kind::throw_exception, scode::success, m}; }
    static fake_step non_std_exception() { return {kind::throw_other, scode::success, {}}; }
};

/// The script and counters of one fake provider DLL, shared by every provider object the
/// registry makes for it (one per session). Thread-safe.
struct fake_script {
    std::string dll;
    std::size_t max_sessions = 0;
    event_log* log = nullptr;

    /// Steps consumed one per logon call, in order; when empty, `otherwise` is used.
    std::deque<fake_step> steps;
    fake_step otherwise = fake_step::ok();
    /// If set, decides instead of `steps` (called under the script's lock).
    std::function<fake_step(const provider_context&)> decide;
    /// If set, runs on each logon with the context (e.g. to write to the section).
    std::function<void(provider_context&)> inspect;
    /// Makes the factory throw.
    bool factory_throws = false;
    /// Makes logoff() throw (after counting it).
    bool logoff_throws = false;

    /// For a transport: the address types it takes, its LOGON_SP_* flags, and what
    /// submit_message answers; `submitted` counts the submissions it accepted.
    std::vector<std::string> xp_types{"FAKE"};
    transport_logon_flags xp_flags{};
    scode submit_answer = scode::success;
    std::atomic<int> submitted{0};
    std::vector<std::string> subjects_sent;  // PR_SUBJECT of every accepted submission (under `m`)

    std::mutex m;
    std::atomic<int> logon_calls{0};
    std::atomic<int> live_logons{0};   // logon objects not yet logged off
    std::atomic<int> logoffs{0};
    std::atomic<int> objects_made{0};
    std::atomic<int> objects_alive{0};
    std::vector<int> attempts;                             // ctx.attempt per call
    std::vector<std::optional<std::string>> credentials;   // ctx.credential per call
    std::vector<bool> dialog_allowed;                      // ctx.dialog_allowed per call
    std::vector<bool> service_process;                     // ctx.service_process per call
    std::vector<std::uintptr_t> ui_params;                 // ctx.ui_param per call

    fake_step next(const provider_context& ctx) {
        std::lock_guard g(m);
        attempts.push_back(ctx.attempt);
        credentials.push_back(ctx.credential);
        dialog_allowed.push_back(ctx.dialog_allowed);
        service_process.push_back(ctx.service_process);
        ui_params.push_back(ctx.ui_param);
        if (decide) return decide(ctx);
        if (steps.empty()) return otherwise;
        fake_step s = steps.front();
        steps.pop_front();
        return s;
    }
    void script(std::initializer_list<fake_step> s) {
        std::lock_guard g(m);
        steps.assign(s.begin(), s.end());
    }
};

/// A logon object of a fake provider (`base_args` go to the base: a transport logon's support).
template <class Base>
class fake_logon : public Base {
public:
    template <class... A>
    explicit fake_logon(std::shared_ptr<fake_script> s, A&&... base_args)
        : Base(std::forward<A>(base_args)...), script_(std::move(s)) {
        script_->live_logons.fetch_add(1);
    }
    ~fake_logon() override {
        if (!logged_off_) script_->live_logons.fetch_sub(1);
    }
    task<void> logoff() override {
        if (!logged_off_) {
            logged_off_ = true;
            script_->live_logons.fetch_sub(1);
            script_->logoffs.fetch_add(1);
            if (script_->log) script_->log->add("logoff " + script_->dll);
        }
        if (script_->logoff_throws) throw std::runtime_error("scripted logoff exception");
        co_return;
    }
    const std::shared_ptr<fake_script>& script() const noexcept { return script_; }

private:
    std::shared_ptr<fake_script> script_;
    bool logged_off_ = false;
};

/// A fake transport logon: takes the script's address types and answers every submission with
/// `submit_answer` (counting and recording the accepted ones).
class fake_transport_logon final : public fake_logon<transport_logon> {
public:
    fake_transport_logon(std::shared_ptr<fake_script> s, spooler_support& support)
        : fake_logon<transport_logon>(std::move(s), support) {}
    [[nodiscard]] transport_logon_flags logon_flags() const override { return script()->xp_flags; }
    task<address_types_result> address_types() override { co_return address_types_result{script()->xp_types, {}, false, false}; }
    task<submit_result> submit_message(submit_context& ctx) override {
        const scode answer = script()->submit_answer;
        if (answer == scode::success) {
            script()->submitted.fetch_add(1);
            std::lock_guard g(script()->m);
            script()->subjects_sent.emplace_back(ctx.message.props.get_string(pr::subject).value_or(""));
        }
        co_return submit_result{answer, 0, 0};
    }
};

/// A provider whose logon follows a `fake_script`.
template <class Interface>
class fake_provider final : public Interface {
public:
    using logon_type = typename Interface::logon_type;
    explicit fake_provider(std::shared_ptr<fake_script> s) : script_(std::move(s)) {
        script_->objects_made.fetch_add(1);
        script_->objects_alive.fetch_add(1);
    }
    ~fake_provider() override { script_->objects_alive.fetch_sub(1); }
    [[nodiscard]] std::size_t max_sessions() const override { return script_->max_sessions; }

    task<result<std::unique_ptr<logon_type>>> logon(provider_context& ctx) override {
        script_->logon_calls.fetch_add(1);
        if (script_->log) script_->log->add("logon " + script_->dll + " attempt " + std::to_string(ctx.attempt));
        if (script_->inspect) script_->inspect(ctx);
        const fake_step s = script_->next(ctx);
        switch (s.what) {
        case fake_step::kind::succeed: break;
        case fake_step::kind::fail: co_return fail(s.code, s.message, "fake." + script_->dll);
        case fake_step::kind::throw_exception: throw std::runtime_error(s.message);
        case fake_step::kind::throw_other: throw 42;
        }
        if constexpr (std::is_same_v<logon_type, transport_logon>) {
            co_return std::unique_ptr<logon_type>(std::make_unique<fake_transport_logon>(script_, *ctx.spooler));
        } else {
            co_return std::unique_ptr<logon_type>(std::make_unique<fake_logon<logon_type>>(script_));
        }
    }

private:
    std::shared_ptr<fake_script> script_;
};

/// A scripted ui_handler: every call is recorded ("choose_profile(initial)", "ask_password(svc)",
/// "configure_service(svc)", "logon_failed(provider,code)"); answers come from the fields.
class scripted_ui final : public ui_handler {
public:
    std::deque<std::string> profiles_to_choose;  // empty: cancel
    std::deque<std::string> passwords;           // empty: cancel
    bool cancel_configure = false;
    std::function<void(const message_service&, property_bag&)> configure;
    std::deque<bool> retry_answers;              // empty: true
    bool cancel_logon_failed = false;
    std::function<void()> on_logon_failed;       // runs before the answer (e.g. frees a slot)

    event_log* log = nullptr;  // if set, every call is also logged as "ui <call>"

    std::vector<std::string> calls;
    std::vector<std::uintptr_t> ui_params;
    std::vector<std::vector<std::string>> offered_names;

    task<result<std::string>> choose_profile(const ui_context& ctx, std::span<const std::string> names,
                                             std::string_view initial) override {
        record(ctx, "choose_profile(" + std::string(initial) + ")");
        offered_names.emplace_back(names.begin(), names.end());
        if (profiles_to_choose.empty()) co_return fail(scode::user_cancel, "the test user cancelled the picker");
        std::string n = profiles_to_choose.front();
        profiles_to_choose.pop_front();
        co_return n;
    }
    task<result<std::string>> ask_password(const ui_context& ctx, std::string_view, const message_service& s) override {
        record(ctx, "ask_password(" + s.name + ")");
        if (passwords.empty()) co_return fail(scode::user_cancel, "the test user cancelled the password prompt");
        std::string p = passwords.front();
        passwords.pop_front();
        co_return p;
    }
    task<result<void>> configure_service(const ui_context& ctx, const message_service& s, property_bag& section) override {
        record(ctx, "configure_service(" + s.name + ")");
        if (cancel_configure) co_return fail(scode::user_cancel, "the test user cancelled the configuration");
        if (configure) configure(s, section);
        co_return result<void>{};
    }
    task<result<bool>> logon_failed(const ui_context& ctx, const message_service&, const provider_entry& p, scode code,
                                    std::string_view) override {
        record(ctx, "logon_failed(" + p.display_name + "," + std::string(scode_name(code)) + ")");
        if (on_logon_failed) on_logon_failed();
        if (cancel_logon_failed) co_return fail(scode::user_cancel, "the test user cancelled");
        if (retry_answers.empty()) co_return true;
        bool b = retry_answers.front();
        retry_answers.pop_front();
        co_return b;
    }

private:
    void record(const ui_context& ctx, std::string call) {
        if (log) log->add("ui " + call);
        calls.push_back(std::move(call));
        ui_params.push_back(ctx.ui_param);
    }
};

/// One provider of a service in a `profile_builder`.
struct provider_spec {
    std::string display;
    std::string dll;
    resource_type type = resource_type::store_provider;
    resource_flags flags{};
};

/// Builds profiles for tests.
class profile_builder {
public:
    explicit profile_builder(std::string name, bool is_default = false) {
        p_.name = std::move(name);
        p_.is_default = is_default;
        p_.search_key = uid::generate();
    }
    /// Adds a message service with the given providers (entry DLL = `dll`).
    profile_builder& service(std::string name, std::string dll, std::vector<provider_spec> providers) {
        message_service s;
        s.name = name;
        s.display_name = name + " service";
        s.dll_name = std::move(dll);
        s.entry_name = "ServiceEntry";
        s.service_uid = uid::generate();
        (void)p_.sections[s.service_uid].set(pr::service_name_a, s.name);
        for (auto& spec : providers) {
            provider_entry e;
            e.section_name = spec.display;
            e.display_name = spec.display;
            e.provider_display = spec.display;
            e.dll_name = spec.dll;
            e.type = spec.type;
            e.flags = spec.flags;
            e.provider_uid = uid::generate();
            (void)p_.sections[e.provider_uid].set(pr::display_name_a, e.display_name);
            s.providers.push_back(std::move(e));
        }
        p_.services.push_back(std::move(s));
        return *this;
    }
    [[nodiscard]] profile build() const { return p_; }
    [[nodiscard]] profile& get() { return p_; }

private:
    profile p_;
};

/// Shorthands for provider specs.
inline provider_spec ab(std::string dll, std::string display = {}) {
    return {display.empty() ? dll + " address book" : display, dll, resource_type::ab_provider, {}};
}
inline provider_spec store(std::string dll, resource_flags flags = {}, std::string display = {}) {
    return {display.empty() ? dll + " store" : display, dll, resource_type::store_provider, flags};
}
inline provider_spec transport(std::string dll, resource_flags flags = {}, std::string display = {}) {
    return {display.empty() ? dll + " transport" : display, dll, resource_type::transport_provider, flags};
}

/// A profile store, a provider registry with fake providers, and a subsystem over them.
class world {
public:
    explicit world(init_options opts = {}) {
        opts.profiles = &profiles;
        opts.providers = &providers;
        mapi = initialize(opts).value();
    }
    world(const world&) = delete;
    world& operator=(const world&) = delete;

    /// A fake provider DLL of `kind`; returns its script.
    std::shared_ptr<fake_script> fake(const std::string& dll, resource_type kind, std::size_t max_sessions = 0) {
        auto s = std::make_shared<fake_script>();
        s->dll = dll;
        s->max_sessions = max_sessions;
        s->log = &log;
        switch (kind) {
        case resource_type::store_provider:
            providers.add_store(dll, [s]() -> std::unique_ptr<store_provider> {
                if (s->factory_throws) throw std::runtime_error("scripted factory exception");
                return std::make_unique<fake_provider<store_provider>>(s);
            });
            break;
        case resource_type::ab_provider:
            providers.add_ab(dll, [s]() -> std::unique_ptr<ab_provider> {
                if (s->factory_throws) throw std::runtime_error("scripted factory exception");
                return std::make_unique<fake_provider<ab_provider>>(s);
            });
            break;
        case resource_type::transport_provider:
            providers.add_transport(dll, [s]() -> std::unique_ptr<transport_provider> {
                if (s->factory_throws) throw std::runtime_error("scripted factory exception");
                return std::make_unique<fake_provider<transport_provider>>(s);
            });
            break;
        default: break;
        }
        scripts.push_back(s);
        return s;
    }
    std::shared_ptr<fake_script> fake_ab(const std::string& dll, std::size_t max = 0) {
        return fake(dll, resource_type::ab_provider, max);
    }
    std::shared_ptr<fake_script> fake_store(const std::string& dll, std::size_t max = 0) {
        return fake(dll, resource_type::store_provider, max);
    }
    std::shared_ptr<fake_script> fake_transport(const std::string& dll, std::size_t max = 0) {
        return fake(dll, resource_type::transport_provider, max);
    }

    void add(const profile_builder& b) { profiles.create(b.build()).value(); }

    /// Logs on synchronously.
    result<session> logon(logon_request r) { return sync_wait(mapi.logon(std::move(r))); }

    [[nodiscard]] session_counters counters() const { return inspect_sessions(mapi); }

    /// True when nothing is live: no session, member, provider logon, slot, logon, lock or
    /// shared registration, and every fake provider object and logon is gone.
    [[nodiscard]] bool all_released() const {
        const auto c = counters();
        bool ok = c.sessions == 0 && c.members == 0 && c.provider_logons == 0 && c.logons_in_progress == 0 &&
                  c.slots == 0 && !c.logon_lock_held && !c.shared_published;
        for (const auto& s : scripts) ok = ok && s->live_logons.load() == 0 && s->objects_alive.load() == 0;
        return ok;
    }
    /// The same, with one CHECK per counter so a failure says which.
    void check_released() const {
        const auto c = counters();
        CHECK(c.sessions == 0);
        CHECK(c.members == 0);
        CHECK(c.provider_logons == 0);
        CHECK(c.logons_in_progress == 0);
        CHECK(c.slots == 0);
        CHECK_FALSE(c.logon_lock_held);
        CHECK_FALSE(c.shared_published);
        for (const auto& s : scripts) {
            INFO("fake DLL " << s->dll);
            CHECK(s->live_logons.load() == 0);
            CHECK(s->objects_alive.load() == 0);
        }
    }

    memory_profile_store profiles;
    provider_registry providers;
    event_log log;
    std::vector<std::shared_ptr<fake_script>> scripts;
    subsystem mapi;
};

/// The status row of `rows` whose PR_DISPLAY_NAME is `name`, or null.
inline const property_bag* row_named(const status_rows& rows, std::string_view name) {
    for (const auto& r : rows) {
        if (r.get_string(pr::display_name) == name) return &r;
    }
    return nullptr;
}

} // namespace mapixx_test

#endif
