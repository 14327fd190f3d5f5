// SPDX-License-Identifier: MIT
/// \file
/// The SMTP provider's names for the wiping helpers of core/secret.hpp: `secure_wipe`,
/// `secret_bytes` (a heap copy of a credential) and `wiping_buffer` (the client's output queue,
/// which may hold an AUTH line). They moved to core so that secure profile properties use them
/// too; this header keeps the `smtp::detail` names working.
#ifndef MAPIXX_PROVIDERS_SMTP_DETAIL_SECRET_HPP_INCLUDED
#define MAPIXX_PROVIDERS_SMTP_DETAIL_SECRET_HPP_INCLUDED

#include <mapixx/core/secret.hpp>

namespace mapixx::inline v0 {
namespace smtp::detail {

using mapixx::v0::secret_bytes;
using mapixx::v0::secure_wipe;
using mapixx::v0::wiping_buffer;

} // namespace smtp::detail
} // namespace mapixx::inline v0

#endif
