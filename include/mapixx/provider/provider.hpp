// SPDX-License-Identifier: MIT
/// \file
/// The provider interfaces: `store_provider`, `ab_provider`, `transport_provider` and the
/// logon objects they return (`store_logon`, `ab_logon`, `transport_logon`).
#ifndef MAPIXX_PROVIDER_PROVIDER_HPP_INCLUDED
#define MAPIXX_PROVIDER_PROVIDER_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/core/result.hpp>
#include <mapixx/coro/task.hpp>
#include <mapixx/provider/provider_context.hpp>

#include <concepts>
#include <cstddef>
#include <memory>

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

/// A message store provider's logon (IMSLogon + the store it opened).
class store_logon : public provider_logon {};
/// An address book provider's logon (IABLogon).
class ab_logon : public provider_logon {};
/// A transport provider's logon (IXPLogon). The spooler layer gives it its transport calls.
class transport_logon : public provider_logon {};

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

/// A transport provider (XPProviderInit + IXPProvider::TransportLogon). Results as for
/// `store_provider::logon`. Transports log on only in sessions without MAPI_NO_MAIL (rule 21).
class transport_provider : public provider {
public:
    /// The logon object type this provider returns.
    using logon_type = transport_logon;
    /// `resource_type::transport_provider`.
    [[nodiscard]] resource_type kind() const noexcept final { return resource_type::transport_provider; }
    /// Logs on to the transport for one session.
    virtual task<result<std::unique_ptr<transport_logon>>> logon(provider_context& ctx) = 0;
};

/// One of the three provider interfaces.
template <class P>
concept provider_interface = std::derived_from<P, provider> && requires(P& p, provider_context& ctx) {
    typename P::logon_type;
    { p.logon(ctx) } -> std::same_as<task<result<std::unique_ptr<typename P::logon_type>>>>;
};

static_assert(provider_interface<store_provider> && provider_interface<ab_provider> &&
              provider_interface<transport_provider>);

} // namespace mapixx::inline v0

#endif
