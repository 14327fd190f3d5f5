// SPDX-License-Identifier: MIT
/// \file
/// `provider_support`: what the session offers a provider (the model of IMAPISupport).
#ifndef MAPIXX_PROVIDER_PROVIDER_SUPPORT_HPP_INCLUDED
#define MAPIXX_PROVIDER_PROVIDER_SUPPORT_HPP_INCLUDED

#include <mapixx/core/prop.hpp>
#include <mapixx/core/result.hpp>

namespace mapixx::inline v0 {

/// The session's services for one provider logon (IMAPISupport). The session makes one per
/// provider logon and hands it over in `provider_context::support`; it stays valid until that
/// provider logon ends (after its `logoff()` returns). Thread-safe: a provider may call it from
/// any thread.
///
/// This base class implements nothing: every call fails with `no_support`. The session layer
/// derives from it; later layers (the spooler) add calls here as virtual functions with the
/// same `no_support` default, so a provider written against an older set still compiles.
class provider_support {
public:
    virtual ~provider_support() = default;

    /// ModifyStatusRow (rule 54): with `update == false` the provider's status row becomes
    /// `row` (a new row replaces the provider's previous one); with `update == true` the
    /// columns of `row` are merged into the provider's row and the others keep their values.
    ///
    /// The columns MAPI itself supplies or computes are the session's, whatever `row` says:
    /// PR_ROWID, PR_OBJECT_TYPE, PR_RESOURCE_TYPE, PR_PROVIDER_DLL_NAME and PR_RESOURCE_FLAGS
    /// (MAPI-REFERENCE 8.1). The change is visible in the session's status table and is sent to
    /// the session's advise sinks. `end_of_session` once the provider logon has ended.
    virtual result<void> modify_status_row(const property_bag& row, bool update) {
        (void)row;
        (void)update;
        return fail(scode::no_support, "this provider_support does not keep a status table",
                    "mapixx.provider_support");
    }

protected:
    provider_support() = default;
    provider_support(const provider_support&) = default;
    provider_support& operator=(const provider_support&) = default;
};

} // namespace mapixx::inline v0

#endif
