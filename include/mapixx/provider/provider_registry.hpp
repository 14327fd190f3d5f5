// SPDX-License-Identifier: MIT
/// \file
/// `provider_registry`: the provider factories and message-service entry hooks that profiles
/// name by DLL, and each DLL's session slots.
#ifndef MAPIXX_PROVIDER_PROVIDER_REGISTRY_HPP_INCLUDED
#define MAPIXX_PROVIDER_PROVIDER_REGISTRY_HPP_INCLUDED

#include <mapixx/core/flag_enums.hpp>
#include <mapixx/profile/service_admin.hpp>
#include <mapixx/provider/provider.hpp>
#include <mapixx/provider/transport.hpp>
#include <mapixx/provider/session_slot.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mapixx::inline v0 {

/// Makes a new store provider object (MSProviderInit).
using store_factory = std::function<std::unique_ptr<store_provider>()>;
/// Makes a new address book provider object (ABProviderInit).
using ab_factory = std::function<std::unique_ptr<ab_provider>()>;
/// Makes a new transport provider object (XPProviderInit).
using transport_factory = std::function<std::unique_ptr<transport_provider>()>;

/// Compares two DLL names the way the registry does: ASCII case-insensitive, and a trailing
/// ".dll" (any case) is ignored on either side, so "MXXSTORE", "mxxstore.dll" and
/// "MxxStore.DLL" are one name.
[[nodiscard]] inline bool same_dll_name(std::string_view a, std::string_view b) noexcept {
    auto strip = [](std::string_view s) {
        if (s.size() > 4) {
            std::string_view ext = s.substr(s.size() - 4);
            auto low = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
            if (ext.size() == 4 && ext[0] == '.' && low(ext[1]) == 'd' && low(ext[2]) == 'l' && low(ext[3]) == 'l') {
                s.remove_suffix(4);
            }
        }
        return s;
    };
    a = strip(a);
    b = strip(b);
    if (a.size() != b.size()) return false;
    if (a == b) return true;  // the common match: spelled alike
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto low = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
        if (low(a[i]) != low(b[i])) return false;
    }
    return true;
}

/// Where the portable backend finds the code that a profile names: a factory per provider DLL
/// name (PR_PROVIDER_DLL_NAME) and kind, and an entry hook per message-service DLL name
/// (PR_SERVICE_DLL_NAME). DLL names compare with `same_dll_name`.
///
/// Each DLL name also has one `slot_pool` (shared by its kinds), created when the first
/// provider object of that DLL is made, with that object's `max_sessions()` as capacity.
///
/// An empty factory given to `add_store`, `add_ab` or `add_transport` removes the one
/// registered for that DLL and kind.
///
/// Thread-safe. Must outlive every subsystem initialised with it (and so every session).
///
/// \code
/// provider_registry providers;
/// providers.add_store("MXXSTORE", [] { return std::make_unique<memory_store>(data); });
/// providers.add_service_entry("MXXSVC", [](service_context, service_entry_args&) -> result<void> { return {}; });
/// \endcode
class provider_registry {
public:
    provider_registry() = default;
    provider_registry(const provider_registry&) = delete;
    provider_registry& operator=(const provider_registry&) = delete;

    /// Registers (or replaces) the store provider factory of `dll`.
    void add_store(std::string_view dll, store_factory factory) {
        auto shared = share(std::move(factory));
        std::lock_guard lock(mutex_);
        entry_for(dll).store = std::move(shared);
    }
    /// Registers (or replaces) the address book provider factory of `dll`.
    void add_ab(std::string_view dll, ab_factory factory) {
        auto shared = share(std::move(factory));
        std::lock_guard lock(mutex_);
        entry_for(dll).ab = std::move(shared);
    }
    /// Registers (or replaces) the transport provider factory of `dll`.
    void add_transport(std::string_view dll, transport_factory factory) {
        auto shared = share(std::move(factory));
        std::lock_guard lock(mutex_);
        entry_for(dll).transport = std::move(shared);
    }
    /// Registers (or replaces) the entry hook (MSGSERVICEENTRY) of the message services whose
    /// PR_SERVICE_DLL_NAME is `dll`. The logon calls it with `service_context::configure` when
    /// a provider of the service reports `unconfigured`, and for MAPI_SERVICE_UI_ALWAYS.
    void add_service_entry(std::string_view dll, service_entry fn) {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const hook_entry& e) { return same_dll_name(e.dll, dll); });
        if (it == entries_.end()) {
            entries_.push_back(hook_entry{std::string(dll), std::move(fn)});
        } else {
            it->fn = std::move(fn);
        }
    }

    /// True if a factory of `kind` is registered for `dll`.
    [[nodiscard]] bool has(std::string_view dll, resource_type kind) const {
        std::lock_guard lock(mutex_);
        const dll_entry* e = find(dll);
        if (e == nullptr) return false;
        return static_cast<bool>(factory_ref::of(*e, kind));
    }

    /// A new provider object of `kind` from `dll`'s factory, or null when none is registered.
    /// The factory runs outside the registry's lock; what it throws propagates.
    [[nodiscard]] std::unique_ptr<provider> make(std::string_view dll, resource_type kind) const {
        factory_ref f;
        {
            std::lock_guard lock(mutex_);
            const dll_entry* e = find(dll);
            if (e == nullptr) return nullptr;
            f = factory_ref::of(*e, kind);
        }
        return f.call();
    }

    /// What `instantiate` returns.
    struct instance {
        std::unique_ptr<provider> object;  ///< null when no factory is registered or it returned none
        slot_pool* pool = nullptr;         ///< the DLL's pool; null when `object` is
        bool registered = false;           ///< a factory of the kind is registered for the DLL
    };

    /// `make` and `pool` in one lookup (what a logon asks for each provider DLL of its profile):
    /// a new provider object of `kind` from `dll`'s factory, with the DLL's slot pool, created
    /// with the object's `max_sessions()` the first time. The factory runs outside the
    /// registry's lock; what it throws propagates, and then no pool is created.
    [[nodiscard]] instance instantiate(std::string_view dll, resource_type kind) {
        factory_ref f;
        dll_entry* e = nullptr;
        slot_pool* pool = nullptr;
        {
            std::lock_guard lock(mutex_);
            e = find(dll);
            if (e == nullptr) return {};
            f = factory_ref::of(*e, kind);
            pool = e->pool.get();  // set once, never replaced: it may be read here and kept
        }
        instance out;
        out.registered = static_cast<bool>(f);
        if (!out.registered) return out;
        out.object = f.call();
        if (!out.object) return out;
        if (pool == nullptr) {
            std::lock_guard lock(mutex_);
            if (!e->pool) e->pool = std::make_unique<slot_pool>(out.object->max_sessions());
            pool = e->pool.get();
        }
        out.pool = pool;
        return out;
    }

    /// The entry hook of message services with PR_SERVICE_DLL_NAME `dll` (a copy), or an empty
    /// function.
    [[nodiscard]] service_entry service_entry_for(std::string_view dll) const {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const hook_entry& e) { return same_dll_name(e.dll, dll); });
        return it == entries_.end() ? service_entry{} : it->fn;
    }

    /// The slot pool of `dll`, created with `capacity` slots (0: unlimited) the first time it
    /// is asked for; later calls return the same pool whatever `capacity` they pass. Null if
    /// `dll` is not registered. The pool lives as long as the registry.
    [[nodiscard]] slot_pool* pool(std::string_view dll, std::size_t capacity) {
        std::lock_guard lock(mutex_);
        dll_entry* e = find(dll);
        if (e == nullptr) return nullptr;
        if (!e->pool) e->pool = std::make_unique<slot_pool>(capacity);
        return e->pool.get();
    }
    /// The slot pool of `dll` if one was created, else null.
    [[nodiscard]] slot_pool* existing_pool(std::string_view dll) const {
        std::lock_guard lock(mutex_);
        const dll_entry* e = find(dll);
        return e ? e->pool.get() : nullptr;
    }

    /// How many session slots are taken now, over every DLL.
    [[nodiscard]] std::size_t slots_in_use() const {
        std::lock_guard lock(mutex_);
        std::size_t n = 0;
        for (const auto& e : dlls_) {
            if (e->pool) n += e->pool->in_use();
        }
        return n;
    }

private:
    // A factory is held by a shared pointer, so that `make` takes it out of the lock without
    // copying the std::function (which allocates when its target does not fit in it) and a
    // factory replaced meanwhile lives until the call ends.
    struct dll_entry {
        std::string dll;
        std::shared_ptr<const store_factory> store;
        std::shared_ptr<const ab_factory> ab;
        std::shared_ptr<const transport_factory> transport;
        std::unique_ptr<slot_pool> pool;
    };
    // The factory of one kind, taken out of an entry under the lock and called after it.
    struct factory_ref {
        std::shared_ptr<const store_factory> store;
        std::shared_ptr<const ab_factory> ab;
        std::shared_ptr<const transport_factory> transport;

        static factory_ref of(const dll_entry& e, resource_type kind) {
            factory_ref f;
            switch (kind) {
            case resource_type::store_provider: f.store = e.store; break;
            case resource_type::ab_provider: f.ab = e.ab; break;
            case resource_type::transport_provider: f.transport = e.transport; break;
            default: break;
            }
            return f;
        }
        explicit operator bool() const noexcept { return store || ab || transport; }
        std::unique_ptr<provider> call() const {
            if (store) return (*store)();
            if (ab) return (*ab)();
            if (transport) return (*transport)();
            return nullptr;
        }
    };
    template <class Fn>
    static std::shared_ptr<const Fn> share(Fn fn) {
        if (!fn) return nullptr;
        return std::make_shared<const Fn>(std::move(fn));
    }
    struct hook_entry {
        std::string dll;
        service_entry fn;
    };

    // Called with mutex_ held.
    dll_entry& entry_for(std::string_view dll) {
        if (dll_entry* e = find(dll)) return *e;
        dlls_.push_back(std::make_unique<dll_entry>());
        dlls_.back()->dll = std::string(dll);
        return *dlls_.back();
    }
    dll_entry* find(std::string_view dll) const {
        auto it = std::find_if(dlls_.begin(), dlls_.end(),
                               [&](const std::unique_ptr<dll_entry>& e) { return same_dll_name(e->dll, dll); });
        return it == dlls_.end() ? nullptr : it->get();
    }

    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<dll_entry>> dlls_;  // stable addresses: pools are handed out
    std::vector<hook_entry> entries_;
};

} // namespace mapixx::inline v0

#endif
