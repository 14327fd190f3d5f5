// SPDX-License-Identifier: MIT
/// \file
/// Session notifications: `session_event` and the `advise_sink` that receives them.
#ifndef MAPIXX_SESSION_NOTIFICATION_HPP_INCLUDED
#define MAPIXX_SESSION_NOTIFICATION_HPP_INCLUDED

#include <mapixx/core/prop.hpp>
#include <mapixx/core/scode.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace mapixx::inline v0 {

/// What a `session_event` reports.
enum class session_event_kind {
    /// A status row was added or changed (fnevStatusObjectModified / table notification):
    /// `row` is the row as it is now.
    status_row_modified,
    /// The session ended (the model of the fnevCriticalError / fnevExtended notification MAPI
    /// sends at logoff): `code` is `end_of_session`; `shared_logoff` says whether another
    /// member ended it with MAPI_LOGOFF_SHARED (rule 32). No event follows it.
    session_ended,
};

/// One notification to an advise sink.
struct session_event {
    session_event_kind kind = session_event_kind::status_row_modified;  ///< what happened
    property_bag row;                    ///< `status_row_modified`: the row now
    scode code = scode::success;         ///< `session_ended`: `end_of_session`
    bool shared_logoff = false;          ///< `session_ended`: ended by MAPI_LOGOFF_SHARED
    std::string message;                 ///< a sentence saying what happened
};

/// A sink (IMAPIAdviseSink::OnNotify). Called through `init_options::notifications` when the
/// subsystem has a dispatcher (on the initialising thread's message loop, or the dispatcher's
/// thread with MAPI_MULTITHREAD_NOTIFICATIONS), else synchronously on the thread that caused
/// the event; never while the session holds an internal lock, so a sink may call the session
/// (it must not block waiting for another thread that calls the session). An exception it
/// throws is caught and ignored.
using advise_sink = std::function<void(const session_event&)>;

/// The connection number `advise` returns (non-zero).
using advise_connection = std::uint32_t;

} // namespace mapixx::inline v0

#endif
