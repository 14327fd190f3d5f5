// SPDX-License-Identifier: MIT
// Must NOT compile: NOTIFY_BEGIN_INBOUND with NOTIFY_END_INBOUND.
// With -DMAPIXX_COMPILE_FAIL_CONTROL the same file uses a valid set and must compile, which
// proves that the failure comes from the rule and from nothing else in the file.
#include <mapixx/core/flag_enums.hpp>

using namespace mapixx;

#ifndef MAPIXX_COMPILE_FAIL_CONTROL
constexpr checked_flags<transport_notify> f = transport_notify::begin_inbound | transport_notify::end_inbound;
#else
constexpr checked_flags<transport_notify> f = transport_notify::begin_inbound | transport_notify::end_outbound;
#endif

int main() { return f.bits() != 0 ? 0 : 1; }
